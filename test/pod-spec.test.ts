// The props that shape the pods of every construct: extra ports, pod metadata, extra containers,
// pull secrets, envFrom and scheduling, and apps without a port. Tested through RampedApp and
// RecreateApp (both use the base), with the chart checks and the schema check of `synth`.
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BlueGreenApp, CanaryApp, RampedApp, RampedAppProps, RecreateApp, RecreateAppProps, Slot } from '../lib';
import { errorOf, find, Manifest, newChart, objectSet, synth, synthWith, validateChart } from './util';

const base: RampedAppProps = { image: 'registry.example.com/shop/web:1.4.0', port: 8080, name: 'web' };
const worker: RecreateAppProps = { image: 'registry.example.com/shop/worker:2.0.0', name: 'worker' };

function manifests(props: Partial<RampedAppProps> = {}): Manifest[] {
  return synthWith(chart => new RampedApp(chart, 'web', { ...base, ...props }));
}
function error(props: Partial<RampedAppProps>): string {
  return errorOf(() => new RampedApp(newChart(), 'web', { ...base, ...props }));
}
function checkErrors(chart: Chart): string[] {
  return errorOf(() => validateChart(chart)).split('\n').slice(1).map(line => line.trim());
}

describe('ports', () => {
  test('the main port is named http, extra ports follow it, and the Service targets http by name', () => {
    // WHEN
    const objects = manifests({
      ports: [{ name: 'metrics', number: 9090 }, { name: 'probe', number: 8086 }, { name: 'syslog', number: 514, protocol: kplus.Protocol.UDP }],
    });
    // THEN
    expect(find(objects, 'Deployment', 'web').spec.template.spec.containers[0].ports).toEqual([
      { name: 'http', containerPort: 8080 },
      { name: 'metrics', containerPort: 9090 },
      { name: 'probe', containerPort: 8086 },
      { name: 'syslog', containerPort: 514, protocol: 'UDP' },
    ]);
    expect(find(objects, 'Service', 'web').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
  });

  test.each([
    ['by number', kplus.Probe.fromHttpGet('/ready', { port: 8086 })],
    ['by name', kplus.Probe.fromTcpSocket({ port: 'probe' as any })],
  ])('a readiness probe on a declared extra port passes the checks (%s)', (_how, readiness) => {
    // WHEN
    const objects = manifests({ ports: [{ name: 'probe', number: 8086 }], readiness, liveness: readiness });
    // THEN
    expect(find(objects, 'Deployment', 'web').spec.template.spec.containers[0].readinessProbe).toBeDefined();
  });

  test('a readiness probe on an undeclared port still fails the checks', () => {
    // GIVEN
    const chart = newChart();
    // WHEN
    new RampedApp(chart, 'web', { ...base, ports: [{ name: 'metrics', number: 9090 }], readiness: kplus.Probe.fromHttpGet('/ready', { port: 8086 }) });
    // THEN
    expect(checkErrors(chart)).toEqual(['[test] test/web: the readiness probe of container app of Deployment web checks port '
      + '8086, which the container does not expose (ports: http/8080, metrics/9090): it says nothing about the port that serves']);
  });

  test('a Service port may target a declared extra port', () => {
    // GIVEN
    const chart = newChart();
    const app = new RampedApp(chart, 'web', { ...base, ports: [{ name: 'metrics', number: 9090 }] });
    // WHEN
    app.service!.bind(9090, { name: 'metrics', targetPort: 9090 });
    // THEN
    expect(find(synth(chart), 'Service', 'web').spec.ports).toContainEqual({ name: 'metrics', port: 9090, targetPort: 9090 });
  });

  test('the same number with another protocol is another port', () => {
    expect(() => manifests({ ports: [{ name: 'dns-tcp', number: 53 }, { name: 'dns', number: 53, protocol: kplus.Protocol.UDP }] }))
      .not.toThrow();
  });

  test.each([
    ['upper case', 'Metrics'],
    ['more than 15 characters', 'metrics-exporter'],
    ['no letter', '9090'],
    ['a double hyphen', 'prom--metrics'],
    ['a leading hyphen', '-metrics'],
    ['an underscore', 'prom_metrics'],
  ])('fails when a port name has %s', (_what, name) => {
    expect(error({ ports: [{ name, number: 9090 }] })).toBe(`test/web: 'ports[0].name' is ${JSON.stringify(name)}; it must be `
      + 'an IANA service name: at most 15 characters of [a-z0-9-], with a letter, no \'--\', not starting or ending with \'-\'');
  });

  test('fails when an extra port has no name', () => {
    expect(error({ ports: [{ number: 9090 }] })).toBe('test/web: \'ports[0].name\' is undefined; each extra port needs a '
      + 'name, by which probes and Services may use it');
  });

  test('fails when an extra port is named http, the name of port', () => {
    expect(error({ ports: [{ name: 'http', number: 9090 }] })).toBe('test/web: \'ports[0].name\' is "http"; it is the name '
      + 'of \'port\' (8080), which the Service\'s targetPort names: choose another name');
  });

  test('fails when two ports have the same name', () => {
    expect(error({ ports: [{ name: 'metrics', number: 9090 }, { name: 'metrics', number: 9091 }] })).toBe(
      'test/web: \'ports[1].name\' is "metrics"; \'ports[0]\' has the same name: each port needs its own');
  });

  test('fails when an extra port has the number of port', () => {
    expect(error({ ports: [{ name: 'alt', number: 8080 }] })).toBe(
      'test/web: \'ports[0].number\' is 8080; \'port\' has the same number and protocol (TCP): each port needs its own');
  });

  test('fails when two extra ports have the same number and protocol', () => {
    expect(error({ ports: [{ name: 'a', number: 9090 }, { name: 'b', number: 9090 }] })).toBe(
      'test/web: \'ports[1].number\' is 9090; \'ports[0]\' has the same number and protocol (TCP): each port needs its own');
  });

  test('fails when an extra port number is out of range', () => {
    expect(error({ ports: [{ name: 'metrics', number: 70000 }] })).toBe(
      'test/web: \'ports[0].number\' is 70000; it must be an integer from 1 to 65535');
  });
});

describe('pod metadata', () => {
  test('podAnnotations and podLabels go on the pod templates only', () => {
    // WHEN
    const objects = manifests({
      labels: { team: 'shop' },
      podAnnotations: { 'prometheus.io/scrape': 'true', 'checksum/config': 'abc123' },
      podLabels: { 'sidecar.istio.io/inject': 'true' },
    });
    // THEN
    const deployment = find(objects, 'Deployment', 'web');
    expect(deployment.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'checksum/config': 'abc123' });
    expect(deployment.spec.template.metadata.labels).toMatchObject({ 'team': 'shop', 'sidecar.istio.io/inject': 'true' });
    expect(deployment.metadata.labels).not.toHaveProperty(['sidecar.istio.io/inject']);
    expect(deployment.metadata.annotations ?? {}).not.toHaveProperty(['prometheus.io/scrape']);
    expect(deployment.spec.selector.matchLabels).not.toHaveProperty(['sidecar.istio.io/inject']);
    expect(find(objects, 'Service', 'web').spec.selector).not.toHaveProperty(['sidecar.istio.io/inject']);
  });

  test.each(['kubectl.kubernetes.io/restartedAt', 'kubernetes.io/change-cause', 'cdk8s-deployment-strategies/version'])(
    'fails when podAnnotations has the reserved key %s', key => {
      expect(error({ podAnnotations: { [key]: 'x' } })).toBe(`test/web: 'podAnnotations' has the reserved key "${key}"; `
        + 'kubectl or the construct sets it; use another key than kubectl.kubernetes.io/restartedAt, kubernetes.io/change-cause, '
        + 'cdk8s-deployment-strategies/version, cdk8s-deployment-strategies/canary-weight');
    });

  test('fails when a podAnnotations key is not a qualified name', () => {
    expect(error({ podAnnotations: { 'bad key': 'x' } })).toMatch(/^test\/web: 'podAnnotations' has the key "bad key"; a key must be a qualified name/);
  });

  test.each(['app.kubernetes.io/name', 'cdk8s-deployment-strategies/slot', 'cdk8s.io/metadata.addr'])(
    'fails when podLabels has the managed key %s', key => {
      expect(error({ podLabels: { [key]: 'x' } })).toMatch(new RegExp(`^test/web: 'podLabels' has the managed key "${key}"; `
        + 'the construct or \'labels\' sets it; use another key than'));
    });

  test('fails when podLabels sets a key labels sets too', () => {
    expect(error({ labels: { team: 'shop' }, podLabels: { team: 'web' } })).toMatch(
      /^test\/web: 'podLabels' has the managed key "team"; the construct or 'labels' sets it; use another key than .*, team$/);
  });

  test('fails when a podLabels value is not a label value', () => {
    expect(error({ podLabels: { tier: 'front end' } })).toMatch(/^test\/web: 'podLabels.tier' is "front end"; it must be a label value/);
  });
});

describe('containers, secrets and scheduling', () => {
  test('every pod spec prop reaches the pod templates', () => {
    // GIVEN
    const chart = newChart('shop');
    const config = kplus.ConfigMap.fromConfigMapName(chart, 'Config', 'web-config');
    const secret = kplus.Secret.fromSecretName(chart, 'Secret', 'web-secret');
    const pull = kplus.Secret.fromSecretName(chart, 'Pull', 'registry-credentials');
    // WHEN
    new RampedApp(chart, 'web', {
      ...base,
      initContainers: [{ name: 'migrate', image: 'registry.example.com/shop/migrate:1.4.0', args: ['up'] }],
      sidecars: [{ name: 'log-shipper', image: 'registry.example.com/ops/shipper:3.1.0' }],
      imagePullSecrets: [pull],
      envFrom: [kplus.Env.fromConfigMap(config), kplus.Env.fromSecret(secret)],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [kplus.NodeTaintQuery.is('dedicated', 'web', { effect: kplus.TaintEffect.NO_SCHEDULE })],
      affinity: {
        attract: [{ node: kplus.Node.labeled(kplus.NodeLabelQuery.is('disktype', 'ssd')), weight: 50 }],
        colocate: [{ selector: kplus.Pods.select(chart, 'Cache', { labels: { 'app.kubernetes.io/name': 'cache' } }) }],
        separate: [{
          selector: kplus.Pods.select(chart, 'Self', { labels: { 'app.kubernetes.io/name': 'web' } }),
          topology: kplus.Topology.ZONE, weight: 100,
        }],
      },
      priorityClassName: 'high-priority',
    });
    // THEN
    expect(synth(chart)).toMatchSnapshot();
  });

  test('an unnamed or clashing container name is refused', () => {
    expect(error({ sidecars: [{ image: 'proxy:1' }] })).toBe('test/web: \'sidecars[0].name\' is undefined; each container '
      + 'needs a name of its own, other than "app"');
    expect(error({ sidecars: [{ name: 'app', image: 'proxy:1' }] })).toBe('test/web: \'sidecars[0].name\' is "app"; each '
      + 'container needs a name of its own, other than "app"');
    expect(error({ sidecars: [{ name: 'proxy', image: 'proxy:1' }], initContainers: [{ name: 'proxy', image: 'init:1' }] }))
      .toBe('test/web: \'initContainers[0].name\' is "proxy"; each container needs a name of its own, other than "app", "proxy"');
  });

  test('fails when an extra container has an invalid image', () => {
    expect(error({ sidecars: [{ name: 'proxy', image: 'Proxy:1' }] })).toMatch(/^test\/web: 'sidecars\[0\].image' is "Proxy:1"; /);
  });

  test('fails when a nodeSelector key or value is invalid', () => {
    expect(error({ nodeSelector: { 'bad key': 'x' } })).toMatch(/^test\/web: 'nodeSelector' has the key "bad key"; a key must be a qualified name/);
    expect(error({ nodeSelector: { disktype: 'fast ssd' } })).toMatch(/^test\/web: 'nodeSelector.disktype' is "fast ssd"; it must be a label value/);
  });

  test('fails when an affinity weight is outside 1-100', () => {
    expect(error({ affinity: { attract: [{ node: kplus.Node.labeled(kplus.NodeLabelQuery.is('disktype', 'ssd')), weight: 0 }] } }))
      .toBe('test/web: \'affinity.attract[0].weight\' is 0; it must be an integer from 1 to 100');
  });

  test('fails when priorityClassName is not a DNS-1123 subdomain', () => {
    expect(error({ priorityClassName: 'High' })).toBe('test/web: \'priorityClassName\' is "High"; it must be a DNS-1123 '
      + 'subdomain: at most 253 characters of lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit');
  });

  test('the slots of a BlueGreenApp and the tracks of a CanaryApp get the same pod spec props', () => {
    // GIVEN
    const pod = { podAnnotations: { 'prometheus.io/scrape': 'true' }, nodeSelector: { 'kubernetes.io/os': 'linux' } };
    // WHEN
    const objects = synthWith(chart => {
      new BlueGreenApp(chart, 'bg', { ...pod, port: 8080, blue: { image: 'web:1' }, green: { image: 'web:2' }, activeSlot: Slot.BLUE });
      new CanaryApp(chart, 'canary', { ...pod, port: 8080, stable: { image: 'web:1' } });
    });
    // THEN
    for (const deployment of objects.filter(o => o.kind === 'Deployment')) {
      expect(deployment.spec.template.metadata.annotations).toEqual(pod.podAnnotations);
      expect(deployment.spec.template.spec.nodeSelector).toEqual(pod.nodeSelector);
    }
  });
});

describe('an app without a port', () => {
  test.each([
    ['RecreateApp', (chart: Chart, props: RecreateAppProps) => new RecreateApp(chart, 'worker', props)],
    ['RampedApp', (chart: Chart, props: RecreateAppProps) => new RampedApp(chart, 'worker', props)],
  ])('a %s without port has a Deployment and its budget only, with no port and no default probes', (_construct, build) => {
    // GIVEN
    const chart = newChart('shop');
    // WHEN
    const app = build(chart, worker);
    // THEN
    const objects = synth(chart);
    expect(objectSet(objects)).toEqual(['Deployment/worker', 'PodDisruptionBudget/worker']);
    expect(objects).toMatchSnapshot();
    const container = objects[0].spec.template.spec.containers[0];
    expect([container.ports, container.readinessProbe, container.startupProbe]).toEqual([undefined, undefined, undefined]);
    expect([app.port, app.servicePort, app.service]).toEqual([undefined, undefined, undefined]);
  });

  test('exec probes and extra ports still work without a port', () => {
    // WHEN
    const objects = synthWith(chart => new RecreateApp(chart, 'worker', {
      ...worker,
      readiness: kplus.Probe.fromCommand(['cat', '/tmp/ready']),
      liveness: kplus.Probe.fromHttpGet('/healthz', { port: 9090 }),
      ports: [{ name: 'http', number: 9090 }],
    }));
    // THEN
    const container = find(objects, 'Deployment', 'worker').spec.template.spec.containers[0];
    expect(container.readinessProbe.exec).toEqual({ command: ['cat', '/tmp/ready'] });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 9090 }]);
  });

  test('a liveness probe on an undeclared port still fails the checks', () => {
    // GIVEN
    const chart = newChart();
    // WHEN
    new RecreateApp(chart, 'worker', { ...worker, liveness: kplus.Probe.fromHttpGet('/healthz', { port: 9090 }) });
    // THEN
    expect(checkErrors(chart)).toEqual(['[test] test/worker: \'liveness\' checks port 9090, which container app of Deployment '
      + 'worker does not declare (no ports): the probe fails and the kubelet restarts the container again and again; probe '
      + 'the container port, or declare the port the probe checks']);
  });

  test('a readiness probe on an undeclared port fails the checks, though no Service routes to the pods', () => {
    // GIVEN
    const chart = newChart();
    // WHEN
    new RampedApp(chart, 'worker', { ...worker, readiness: kplus.Probe.fromTcpSocket({ port: 9090 }) });
    // THEN
    expect(checkErrors(chart)).toEqual(['[test] test/worker: \'readiness\' checks port 9090, which container app of '
      + 'Deployment worker does not declare (no ports): the probe fails, so the pods never become ready and every rollout '
      + 'stalls; probe the container port, or declare the port the probe checks']);
  });

  test.each([
    ['servicePort', { servicePort: 80 }, '80'],
    ['serviceType', { serviceType: kplus.ServiceType.NODE_PORT }, '"NodePort"'],
  ])('fails when %s is set without a port', (prop, props, shown) => {
    expect(errorOf(() => new RecreateApp(newChart(), 'worker', { ...worker, ...props }))).toBe(`test/worker: '${prop}' is `
      + `${shown}; it configures the Service, which only an app with a 'port' has: set 'port' too`);
  });
});
