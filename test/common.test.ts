// The props every construct shares, tested through RampedApp and RecreateApp: both use the base.
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BlueGreenApp, CanaryApp, RampedApp, RampedAppProps, RecreateApp } from '../lib';
import { diffPaths, errorOf, find, Manifest, newChart, podLabels, selects, synth, synthWith, validateManifest } from './util';

const base: RampedAppProps = { image: 'registry.example.com/shop/web:1.4.0', port: 8080, name: 'web' };

function manifests(props: Partial<RampedAppProps> = {}): Manifest[] {
  return synthWith(chart => new RampedApp(chart, 'web', { ...base, ...props }));
}
function deployment(props: Partial<RampedAppProps> = {}): Manifest {
  return find(manifests(props), 'Deployment', props.name ?? 'web');
}
function container(props: Partial<RampedAppProps> = {}): any {
  return deployment(props).spec.template.spec.containers[0];
}
function error(props: Partial<RampedAppProps>): string {
  return errorOf(() => new RampedApp(newChart(), 'web', { ...base, ...props }));
}

describe('names', () => {
  test('the default name is the construct path joined by dashes', () => {
    // WHEN
    const app = new RampedApp(newChart('shop'), 'Web', { image: 'web:1', port: 8080 });
    // THEN
    expect(app.name).toBe('shop-web');
  });

  test('the name names the Deployment and the Service', () => {
    // WHEN
    const objects = manifests({ name: 'storefront' });
    // THEN
    expect(objects.map(m => `${m.kind}/${m.metadata.name}`)).toEqual(['Deployment/storefront',
      'PodDisruptionBudget/storefront', 'Service/storefront']);
  });

  test.each(['Web', 'web_1', '1web', 'web-', ''])('fails when name is %j', name => {
    expect(error({ name })).toBe(`test/web: 'name' is ${JSON.stringify(name)}; it must be a DNS-1035 label: `
      + 'lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit');
  });

  test('fails when name is longer than 63 characters', () => {
    expect(error({ name: 'a'.repeat(64) })).toBe(`test/web: 'name' is "${'a'.repeat(64)}"; it has 64 characters `
      + 'and may have at most 63 (object names are at most 63 characters)');
  });

  test('fails when the default name is too long, and says to set name', () => {
    // GIVEN
    const chart = newChart('a-chart-with-a-rather-long-name-for-its-purpose');
    // THEN
    expect(errorOf(() => new RampedApp(chart, 'and-a-long-construct-id', { image: 'web:1', port: 8080 })))
      .toMatch(/it has 71 characters and may have at most 63 .*\(it was derived from the construct path; set 'name'\)$/);
  });
});

describe('bad input', () => {
  test.each(['', ' ', 'web: 1', 'web:1 '])('fails when image is %j', image => {
    expect(error({ image })).toBe(`test/web: 'image' is ${JSON.stringify(image)}; it must be a non-empty image `
      + 'reference without white space, e.g. "registry.example.com/shop/web:1.4.0"');
  });

  test.each([RecreateApp, RampedApp, BlueGreenApp, CanaryApp].map(c => [c.name, c]))(
    'fails when the props of %s are left out, as plain JavaScript can, naming the construct path', (name, type) => {
      // GIVEN a call a type-checker would refuse
      const construct = type as unknown as new (scope: Construct, id: string) => unknown;
      // THEN
      expect(errorOf(() => new construct(newChart(), 'web'))).toBe('test/web: \'props\' is undefined; props are required: '
        + `pass a ${name}Props object`);
    });

  const anImage = '; e.g. "registry.example.com/shop/web:1.4.0"';
  test.each([
    ['nginx:', 'its tag, after \':\', is empty: give a tag such as "1.4.0", or no \':\' at all for "latest"'],
    ['Registry.io/Shop/Web:1.0', 'its repository "Shop/Web" has upper-case letters, which container runtimes refuse '
      + '(InvalidImageName): a repository is lower case; only the registry host may have upper-case letters'],
    ['web:-1', 'its tag "-1" must be 1 to 128 characters of [A-Za-z0-9_.-], not starting with \'.\' or \'-\''],
    ['web:1.4.0:1', 'its repository "web:1.4.0" must be \'/\'-separated components of lower-case letters and digits, '
      + 'each joined inside by \'.\', \'_\', \'__\' or dashes'],
    ['shop//web', 'its repository "shop//web" must be \'/\'-separated components of lower-case letters and digits, '
      + 'each joined inside by \'.\', \'_\', \'__\' or dashes'],
    ['shop/web-', 'its repository "shop/web-" must be \'/\'-separated components of lower-case letters and digits, '
      + 'each joined inside by \'.\', \'_\', \'__\' or dashes'],
    ['registry.example.com:http/web', 'its registry "registry.example.com:http" must be a host name (letters, digits, '
      + '\'-\' and \'.\'), an IPv6 address in brackets, or either with \':\' and a port number'],
    ['web@sha256:abc', 'its digest "sha256:abc" must be sha256: and 64 lower-case hex digits (or sha384: and 96, or '
      + 'sha512: and 128)'],
    ['web@md5:0123456789abcdef0123456789abcdef', 'its digest "md5:0123456789abcdef0123456789abcdef" must be sha256: and '
      + '64 lower-case hex digits (or sha384: and 96, or sha512: and 128)'],
    ['web@a@b', 'it has more than one \'@\'; only one digest may follow the name'],
    [`r.io/${'a'.repeat(251)}`, 'its name has 256 characters; it may have at most 255'],
  ])('fails when image is %j, which the container runtime cannot read', (image, reason) => {
    expect(error({ image })).toBe(`test/web: 'image' is ${JSON.stringify(image)}; ${reason}${anImage}`);
  });

  test.each([
    'Registry.io/shop/web:1.0', 'localhost/web', 'localhost:5000/shop/web:1.4.0', '[::1]:5000/web:1', 'web_1.a__b--c:V1.0_x',
    `web:${'a'.repeat(63)}`, 'web@sha512:' + 'a'.repeat(128),
  ])('accepts image %j, which the container runtime reads', image => {
    expect(() => new RampedApp(newChart(), 'web', { ...base, image, version: '1' })).not.toThrow();
  });

  test('fails when version is empty, and says to leave it unset', () => {
    expect(error({ version: '' })).toBe('test/web: \'version\' is ""; it may not be empty: it is the '
      + 'app.kubernetes.io/version label; leave it unset to use the image tag');
  });

  test('fails when changeCause and the change-cause annotation are both set', () => {
    expect(error({ changeCause: 'web 1.4.0', annotations: { 'kubernetes.io/change-cause': 'rollout' } })).toBe(
      'test/web: \'changeCause\' is "web 1.4.0"; \'annotations\' sets kubernetes.io/change-cause too ("rollout"): '
      + 'set one of them, so that every object says the same');
  });

  test.each([-1, 1.5, NaN])('fails when replicas is %d', replicas => {
    expect(error({ replicas })).toBe(`test/web: 'replicas' is ${replicas}; it must be an integer 0 or more`);
  });

  test.each([['port', 0], ['port', 65536], ['port', 80.5], ['servicePort', 0], ['servicePort', 70000], ['servicePort', -80]])(
    'fails when %s is %d', (prop, value) => {
      expect(error({ [prop]: value })).toBe(`test/web: '${prop}' is ${value}; it must be an integer from 1 to 65535`);
    });

  test.each(['1.4.0+build', '-rc1', 'a'.repeat(64), 'v 1'])('fails when version is %j', version => {
    expect(error({ version })).toBe(`test/web: 'version' is ${JSON.stringify(version)}; it must be a label value: `
      + 'at most 63 characters of [A-Za-z0-9._-], starting and ending with a letter or digit');
  });

  test('fails when the version derived from the image tag is not a label value, and says to set version', () => {
    expect(error({ image: 'web:_internal' })).toBe('test/web: \'version\' is "_internal"; it must be a label value: '
      + 'at most 63 characters of [A-Za-z0-9._-], starting and ending with a letter or digit '
      + '(it was derived from \'image\'; set \'version\')');
  });

  test('fails when labels use a key the construct manages, naming it as a key', () => {
    expect(error({ labels: { 'app.kubernetes.io/version': 'x' } })).toBe('test/web: \'labels\' has the managed key '
      + '"app.kubernetes.io/version"; the construct sets it; use another key than app.kubernetes.io/name, '
      + 'app.kubernetes.io/version, app.kubernetes.io/managed-by, cdk8s-deployment-strategies/slot, '
      + 'cdk8s-deployment-strategies/track, cdk8s-deployment-strategies/variant');
  });

  test('fails when a label key is not a qualified name', () => {
    expect(error({ labels: { 'team name': 'shop' } })).toBe('test/web: \'labels\' has the key "team name"; a key must be a '
      + 'qualified name: an optional DNS subdomain prefix and \'/\', then at most 63 characters of [A-Za-z0-9._-] starting '
      + 'and ending with a letter or digit');
  });

  test('fails when a label value is not a label value', () => {
    expect(error({ labels: { team: 'shop team' } })).toMatch(/^test\/web: 'labels.team' is "shop team"; it must be a label value/);
  });

  test('fails when an annotation key is not a qualified name', () => {
    expect(error({ annotations: { '/x': 'y' } })).toMatch(/^test\/web: 'annotations' has the key "\/x"; a key must be a qualified name/);
  });
});

describe('versions', () => {
  test.each([
    ['registry.example.com:5000/shop/web:1.4.0', '1.4.0'],
    ['web', 'latest'],
    ['registry.example.com:5000/web', 'latest'],
    ['web:2.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', '2.0'],
    ['web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', '0123456789ab'],
  ])('image %s has the version %s', (image, version) => {
    expect(new RampedApp(newChart(), 'web', { image, port: 8080 }).version).toBe(version);
  });

  test('an explicit version wins over the image tag', () => {
    expect(podLabels(deployment({ image: 'web:latest', version: '1.4.0' }))['app.kubernetes.io/version']).toBe('1.4.0');
  });
});

describe('labels and selectors', () => {
  test('the Deployment selector is a subset of the pod labels and holds no version', () => {
    // WHEN
    const spec = deployment().spec;
    // THEN
    expect(spec.selector).toStrictEqual({ matchLabels: { 'app.kubernetes.io/name': 'web' } });
    expect(selects(spec.selector.matchLabels, spec.template.metadata.labels)).toBe(true);
  });

  test('a new image or version changes the pod template, never a selector', () => {
    // GIVEN
    const before = manifests();
    // WHEN
    const after = manifests({ image: 'registry.example.com/shop/web:1.5.0', version: '1.5.0-rc.1' });
    // THEN
    expect(diffPaths(before, after)).toEqual([
      '0.metadata.labels.app.kubernetes.io/version',
      '0.spec.template.metadata.labels.app.kubernetes.io/version',
      '0.spec.template.spec.containers.0.image',
    ]);
  });

  test('user labels go on every object and the pod template; annotations on every object', () => {
    // WHEN
    const objects = manifests({ labels: { team: 'shop' }, annotations: { 'example.com/owner': 'shop-team' } });
    // THEN
    for (const object of objects) {
      expect(object.metadata.labels?.team).toBe('shop');
      expect(object.metadata.annotations?.['example.com/owner']).toBe('shop-team');
    }
    expect(podLabels(find(objects, 'Deployment', 'web')).team).toBe('shop');
  });

  test('the Service selects by app labels, not by the construct-path label', () => {
    expect(find(manifests(), 'Service', 'web').spec.selector).toStrictEqual({ 'app.kubernetes.io/name': 'web' });
  });

  test('changeCause becomes the change-cause annotation of the Deployment only', () => {
    // WHEN
    const objects = manifests({ changeCause: 'bump to 1.4.0' });
    // THEN
    expect(find(objects, 'Deployment', 'web').metadata.annotations).toStrictEqual({ 'kubernetes.io/change-cause': 'bump to 1.4.0' });
    expect(find(objects, 'Service', 'web').metadata.annotations).toBeUndefined();
  });
});

describe('image pull policy', () => {
  const digest = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
  test.each([
    ['web:1.4.0', 'IfNotPresent'],
    [`web@${digest}`, 'IfNotPresent'],
    [`web:1.4.0@${digest}`, 'IfNotPresent'],
    ['web', 'Always'],
    ['web:latest', 'Always'],
    [`web:latest@${digest}`, 'Always'],
    ['localhost:5000/web', 'Always'],
  ])('image %s is pulled as Kubernetes would default it: %s', (image, policy) => {
    expect(container({ image, version: '1' }).imagePullPolicy).toBe(policy);
  });

  test('imagePullPolicy overrides the default', () => {
    expect(container({ image: 'web:1.4.0', imagePullPolicy: kplus.ImagePullPolicy.ALWAYS }).imagePullPolicy).toBe('Always');
  });
});

describe('probes', () => {
  test('readiness defaults to a TCP probe on the container port', () => {
    expect(container({ port: 9090 }).readinessProbe).toStrictEqual({ failureThreshold: 3, tcpSocket: { port: 9090 } });
  });

  test('readiness, liveness and startup probes are used as given', () => {
    // WHEN
    const c = container({
      readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080 }),
      liveness: kplus.Probe.fromHttpGet('/live', { port: 8080, periodSeconds: Duration.seconds(20) }),
      startup: kplus.Probe.fromCommand(['cat', '/tmp/started']),
    });
    // THEN
    expect(c.readinessProbe.httpGet).toStrictEqual({ path: '/ready', port: 8080, scheme: 'HTTP' });
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/live' }, periodSeconds: 20 });
    expect(c.startupProbe.exec).toStrictEqual({ command: ['cat', '/tmp/started'] });
  });
});

describe('graceful shutdown', () => {
  test('preStopWait adds a sleep preStop hook', () => {
    // WHEN
    const pod = deployment({ preStopWait: Duration.seconds(5), terminationGracePeriod: Duration.seconds(45) }).spec.template.spec;
    // THEN
    expect(pod.containers[0].lifecycle).toStrictEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
    expect(pod.terminationGracePeriodSeconds).toBe(45);
  });

  test('no preStop hook without preStopWait', () => {
    expect(container().lifecycle).toBeUndefined();
  });

  test('fails when preStopWait is not shorter than the grace period', () => {
    expect(error({ preStopWait: Duration.seconds(30) })).toBe('test/web: \'preStopWait\' is 30s; it must be shorter '
      + 'than \'terminationGracePeriod\' (30s), which includes the wait and the app\'s own shutdown');
  });

  test('fails when preStopWait is not a whole number of seconds', () => {
    expect(error({ preStopWait: Duration.millis(500) })).toBe(
      'test/web: \'preStopWait\' is 0.5s; it must be a whole number of seconds, 1 or more');
  });
});

describe('container and service knobs', () => {
  test('env, resources, security context, command, args, volumes and service type pass through', () => {
    // GIVEN
    const chart = newChart();
    const tmp = kplus.Volume.fromEmptyDir(chart, 'tmp', 'tmp');
    // WHEN
    new RecreateApp(chart, 'web', {
      ...base,
      envVariables: { LOG_LEVEL: kplus.EnvValue.fromValue('debug') },
      resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { limit: Size.mebibytes(256) } },
      securityContext: { user: 10001, group: 10001 },
      command: ['/app/server'],
      args: ['--port', '8080'],
      volumeMounts: [{ volume: tmp, path: '/tmp' }],
      servicePort: 8443,
      serviceType: kplus.ServiceType.NODE_PORT,
    });
    const objects = synth(chart);
    // THEN
    const pod = find(objects, 'Deployment', 'web').spec.template.spec;
    expect(pod.containers[0]).toMatchObject({
      env: [{ name: 'LOG_LEVEL', value: 'debug' }],
      resources: { requests: { cpu: '100m' }, limits: { memory: '256Mi' } },
      securityContext: { runAsUser: 10001, runAsGroup: 10001, readOnlyRootFilesystem: true },
      command: ['/app/server'],
      args: ['--port', '8080'],
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    });
    expect(pod.volumes).toStrictEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(find(objects, 'Service', 'web').spec).toMatchObject({
      type: 'NodePort', ports: [{ name: 'http', port: 8443, targetPort: 'http' }],
    });
  });

  test('the Service has no empty fields that no prop asked for', () => {
    expect(find(manifests(), 'Service', 'web').spec).not.toHaveProperty('externalIPs');
  });

  test('cdk8s-plus security and resource defaults stay', () => {
    expect(container()).toMatchObject({
      securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false },
      resources: { requests: { cpu: '1000m', memory: '512Mi' }, limits: { cpu: '1500m', memory: '2048Mi' } },
    });
  });
});

describe('the schema check of the tests', () => {
  test('rejects a Deployment the API server would reject', () => {
    // GIVEN
    const good = deployment();
    const bad = { ...good, spec: { ...good.spec, replicas: 'two' } };
    // THEN
    expect(() => validateManifest(bad)).toThrow(/Deployment web is not valid: .*replicas must be integer/);
  });

  test('rejects a Service whose port is missing', () => {
    // GIVEN
    const good = find(manifests(), 'Service', 'web');
    const bad = { ...good, spec: { ...good.spec, ports: [{ name: 'http' }] } };
    // THEN
    expect(() => validateManifest(bad)).toThrow(/Service web is not valid: .*port/);
  });
});
