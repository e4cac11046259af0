// The synth-time checks, each shown failing on a chart that breaks it through an escape hatch or a
// second construct, as users do.
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BlueGreenApp, CanaryApp, RampedApp, RampedAppProps, Slot } from '../lib';
import { matches } from '../lib/checks/chart-checks';
import { errorOf, newApp, newChart, synth, validateChart } from './util';

const web: RampedAppProps = { image: 'registry.example.com/shop/web:1.4.0', port: 8080, name: 'web' };

/** The validation errors of the chart, one per line, without cdk8s's header. */
function checkErrors(chart: Chart): string[] {
  return errorOf(() => validateChart(chart)).split('\n').slice(1).map(line => line.trim());
}

test('every construct passes the checks as it is', () => {
  // GIVEN
  const chart = newChart();
  // WHEN
  new RampedApp(chart, 'web', web);
  new BlueGreenApp(chart, 'api', {
    port: 8080, blue: { image: 'api:1' }, green: { image: 'api:2' }, activeSlot: Slot.GREEN,
  });
  new CanaryApp(chart, 'search', { port: 8080, replicas: 4, stable: { image: 's:1' }, canary: { image: 's:2' }, canaryWeight: 25 });
  // THEN
  expect(() => synth(chart)).not.toThrow();
});

test('fails when a pod label is changed by hand', () => {
  // GIVEN
  const chart = newChart();
  const app = new RampedApp(chart, 'web', web);
  // WHEN
  ApiObject.of(app.deployment).addJsonPatch(
    JsonPatch.replace('/spec/template/metadata/labels/app.kubernetes.io~1name', 'website'));
  // THEN
  expect(checkErrors(chart)).toEqual([
    '[test] test/web: the selector of Deployment web ({"matchLabels":{"app.kubernetes.io/name":"web"}}) does not match '
    + 'its own pod template ({"app.kubernetes.io/name":"website","app.kubernetes.io/version":"1.4.0",'
    + '"cdk8s.io/metadata.addr":"web"}): the API server rejects it',
    '[test] test/web: Service web selects no pod template in the chart (selector {"app.kubernetes.io/name":"web"}): '
    + 'its traffic would be dropped',
  ]);
});

test('fails once, in one line, when two apps in one chart have the same name', () => {
  // GIVEN
  const chart = newChart();
  // WHEN
  new RampedApp(chart, 'web', web);
  new RampedApp(chart, 'web2', { ...web, image: 'registry.example.com/shop/web:2.0.0' });
  // THEN
  expect(checkErrors(chart)).toEqual(['[test] test/web2: Deployment web, Service web and PodDisruptionBudget web are also defined by test/web in '
    + 'chart test: each would overwrite the other on apply; give each app its own name']);
});

test('fails once when two blue/green apps in one chart have the same name', () => {
  // GIVEN
  const chart = newChart();
  const props = { name: 'web', port: 8080, blue: { image: 'web:1' }, green: { image: 'web:2' }, activeSlot: Slot.BLUE };
  // WHEN
  new BlueGreenApp(chart, 'a', props);
  new BlueGreenApp(chart, 'b', props);
  // THEN
  expect(checkErrors(chart)).toEqual(['[test] test/b: Deployment web-blue, Deployment web-green, Service web, Service '
    + 'web-preview, PodDisruptionBudget web-blue and PodDisruptionBudget web-green are also defined by test/a in chart test: each would overwrite the other on apply; give each app its own name']);
});

test('fails when an object of another construct has the name of an app object', () => {
  // GIVEN
  const chart = newChart();
  new RampedApp(chart, 'web', web);
  // WHEN
  new kplus.ConfigMap(chart, 'config', { metadata: { name: 'unrelated' } });
  new kplus.Service(chart, 'legacy', { metadata: { name: 'web' }, ports: [{ port: 80 }] });
  // THEN
  expect(checkErrors(chart)).toEqual(['[test] test/web: Service web is also defined by test/legacy/Resource in chart test: each would '
    + 'overwrite the other on apply; give each app its own name']);
});

test('fails when an escape hatch gives two objects of one app the same name', () => {
  // GIVEN
  const chart = newChart();
  const app = new BlueGreenApp(chart, 'web', {
    name: 'web', port: 8080, blue: { image: 'web:1' }, green: { image: 'web:2' }, activeSlot: Slot.BLUE,
  });
  // WHEN
  ApiObject.of(app.greenDeployment).addJsonPatch(JsonPatch.replace('/metadata/name', 'web-blue'));
  // THEN
  expect(checkErrors(chart)).toEqual(['[test] test/web: Deployment web-blue is defined more than once by this construct: '
    + 'each would overwrite the other on apply']);
});

describe('the same name in two charts of one App', () => {
  /** The validation errors of every chart of the App, as `cdk8s synth` reports them. */
  function appErrors(app: App): string[] {
    return errorOf(() => app.synth()).split('\n').slice(1).map(line => line.trim());
  }

  test('fails once when both charts synthesize into the same namespace', () => {
    // GIVEN
    const app = newApp();
    new RampedApp(new Chart(app, 'shop'), 'web', web);
    // WHEN
    new RampedApp(new Chart(app, 'shop-admin'), 'web', web);
    // THEN
    expect(appErrors(app)).toEqual(['[shop-admin] shop-admin/web: Deployment web, Service web and PodDisruptionBudget web are also defined by '
      + 'shop/web in chart shop, in the same namespace (none set: the one kubectl applies to): each would overwrite the '
      + 'other on apply; give each app its own name or its own namespace']);
  });

  test('fails when both charts have the same namespace', () => {
    // GIVEN
    const app = newApp();
    new RampedApp(new Chart(app, 'shop', { namespace: 'shop' }), 'web', web);
    // WHEN
    new BlueGreenApp(new Chart(app, 'next', { namespace: 'shop' }), 'web', {
      name: 'web', port: 8080, blue: { image: 'web:1' }, green: { image: 'web:2' }, activeSlot: Slot.BLUE,
    });
    // THEN
    expect(appErrors(app)).toEqual(['[next] next/web: Service web is also defined by shop/web in chart shop, in the same '
      + 'namespace (shop): each would overwrite the other on apply; give each app its own name or its own namespace']);
  });

  test('passes when the charts have different namespaces', () => {
    // GIVEN
    const app = newApp();
    new RampedApp(new Chart(app, 'staging', { namespace: 'staging' }), 'web', web);
    // WHEN
    new RampedApp(new Chart(app, 'production', { namespace: 'production' }), 'web', web);
    // THEN
    expect(() => app.synth()).not.toThrow();
  });
});

test('fails when another workload\'s pods match the Service', () => {
  // GIVEN
  const chart = newChart();
  new RampedApp(chart, 'web', web);
  // WHEN
  new kplus.Deployment(chart, 'worker', {
    metadata: { name: 'worker' },
    podMetadata: { labels: { 'app.kubernetes.io/name': 'web' } },
    containers: [{ image: 'worker:1', portNumber: 9000 }],
  });
  // THEN
  expect(checkErrors(chart)).toContain('[test] test/web: Service web selects Deployment web, Deployment worker, but '
    + 'should select exactly Deployment web (selector {"app.kubernetes.io/name":"web"})');
});

test('fails when another workload\'s selector matches the app\'s pods', () => {
  // GIVEN
  const chart = newChart();
  new RampedApp(chart, 'web', web);
  // WHEN
  const legacy = new kplus.Deployment(chart, 'legacy', {
    metadata: { name: 'legacy' },
    select: false,
    podMetadata: { labels: { 'app.kubernetes.io/name': 'legacy' } },
    containers: [{ image: 'legacy:1', portNumber: 8080 }],
  });
  legacy.select(kplus.LabelSelector.of({ expressions: [kplus.LabelExpression.exists('app.kubernetes.io/name')] }));
  // THEN
  expect(checkErrors(chart)).toEqual(['[test] test/web: the selectors of Deployment web and Deployment legacy overlap '
    + '(Deployment legacy selects the pods of Deployment web): their controllers would fight over the pods; give each '
    + 'app its own name']);
});

test('fails when the version is put into a selector', () => {
  // GIVEN
  const chart = newChart();
  const app = new RampedApp(chart, 'web', web);
  // WHEN
  app.deployment.select(kplus.LabelSelector.of({ labels: { 'app.kubernetes.io/version': '1.4.0' } }));
  // THEN
  expect(checkErrors(chart)).toEqual(['[test] test/web: the selector of Deployment web holds app.kubernetes.io/version: '
    + 'the next release would change the immutable spec.selector and be rejected']);
});

test('fails when a blue/green Service is pointed at the wrong slot by hand', () => {
  // GIVEN
  const chart = newChart();
  const app = new BlueGreenApp(chart, 'web', {
    name: 'web', port: 8080, blue: { image: 'web:1' }, green: { image: 'web:2' }, activeSlot: Slot.BLUE,
  });
  // WHEN
  app.service.selectLabel('cdk8s-deployment-strategies/slot', 'green');
  // THEN
  expect(checkErrors(chart)).toEqual(['[test] test/web: Service web selects Deployment web-green, but should select exactly '
    + 'Deployment web-blue (selector {"app.kubernetes.io/name":"web","cdk8s-deployment-strategies/slot":"green"})']);
});

test('fails when the readiness probe checks a port the container does not expose', () => {
  // GIVEN
  const chart = newChart();
  // WHEN
  new RampedApp(chart, 'web', { ...web, readiness: kplus.Probe.fromHttpGet('/ready', { port: 9999 }) });
  // THEN
  expect(checkErrors(chart)).toEqual(['[test] test/web: the readiness probe of container app of Deployment web checks port '
    + '9999, which the container does not expose (ports: http/8080): it says nothing about the port that serves']);
});

test.each(['liveness', 'startup'])('fails when the %s probe checks a port the container does not declare', prop => {
  // GIVEN
  const chart = newChart();
  // WHEN
  new RampedApp(chart, 'web', { ...web, [prop]: kplus.Probe.fromHttpGet('/health', { port: 9999 }) });
  // THEN
  expect(checkErrors(chart)).toEqual([`[test] test/web: '${prop}' checks port 9999, which container app of Deployment web `
    + 'does not declare (ports: http/8080): the probe fails and the kubelet restarts the container again and again; probe the '
    + 'container port, or declare the port the probe checks']);
});

test('passes a liveness probe on a port the container declares besides the app port', () => {
  // GIVEN
  const chart = newChart();
  const app = new RampedApp(chart, 'web', { ...web, liveness: kplus.Probe.fromHttpGet('/live', { port: 9090 }) });
  // WHEN
  app.deployment.containers[0].addPort({ number: 9090, name: 'management' });
  // THEN
  expect(() => synth(chart)).not.toThrow();
});

test('fails when a Service port targets a port the pods do not expose', () => {
  // GIVEN
  const chart = newChart();
  const app = new RampedApp(chart, 'web', web);
  // WHEN
  app.service!.bind(9090, { name: 'metrics', targetPort: 9091 });
  // THEN
  expect(checkErrors(chart)).toEqual(['[test] test/web: Service web sends port 9090 to targetPort 9091, which no '
    + 'container of Deployment web exposes (ports: http/8080)']);
});

test('fails when the container serving the Service has no readiness probe', () => {
  // GIVEN
  const chart = newChart();
  const app = new RampedApp(chart, 'web', web);
  // WHEN
  ApiObject.of(app.deployment).addJsonPatch(JsonPatch.remove('/spec/template/spec/containers/0/readinessProbe'));
  // THEN
  expect(checkErrors(chart)).toEqual(['[test] test/web: container app of Deployment web receives Service traffic but has '
    + 'no readiness probe: a release would route requests to pods that cannot serve yet']);
});

test('lists every failing construct at once', () => {
  // GIVEN
  const chart = newChart();
  const one = new RampedApp(chart, 'one', { ...web, name: 'one' });
  const two = new RampedApp(chart, 'two', { ...web, name: 'two' });
  // WHEN
  one.service!.selectLabel('tier', 'missing');
  two.service!.selectLabel('tier', 'missing');
  // THEN
  expect(checkErrors(chart).map(e => e.split(':')[0])).toEqual(['[test] test/one', '[test] test/two']);
});

describe('selector matching', () => {
  test.each([
    [{ matchLabels: { a: '1' } }, { a: '1', b: '2' }, true],
    [{ matchLabels: { a: '1' } }, { a: '2' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] }, { a: '2' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, { a: '1' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, {}, true],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, { a: '' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, { a: '1' }, false],
  ])('%j selects %j: %s', (selector, labels, expected) => {
    expect(matches(selector, labels)).toBe(expected);
  });
});
