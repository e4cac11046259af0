// The synth-time checks, each shown failing on a chart that breaks it through an escape hatch or a
// second construct, as users do.
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BlueGreenApp, CanaryApp, RampedApp, RampedAppProps, Slot } from '../lib';
import { matches } from '../lib/checks/chart-checks';
import { errorOf, newChart, synth, validateChart } from './util';

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

test('fails when two apps in one chart have the same name', () => {
  // GIVEN
  const chart = newChart();
  // WHEN
  new RampedApp(chart, 'web', web);
  new RampedApp(chart, 'web2', { ...web, image: 'registry.example.com/shop/web:2.0.0' });
  // THEN
  const errors = checkErrors(chart);
  expect(errors).toContain('[test] test/web: Deployment web is defined more than once in the chart: each would overwrite '
    + 'the other on apply; give each app its own name');
  expect(errors).toContain('[test] test/web: the selectors of Deployment web and Deployment web overlap (Deployment web '
    + 'selects the pods of Deployment web): their controllers would fight over the pods; give each app its own name');
  expect(errors).toContain('[test] test/web2: Service web selects Deployment web, Deployment web, but should select '
    + 'exactly Deployment web (selector {"app.kubernetes.io/name":"web"})');
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
    + '9999, which the container does not expose (ports: 8080): it says nothing about the port that serves']);
});

test('fails when a Service port targets a port the pods do not expose', () => {
  // GIVEN
  const chart = newChart();
  const app = new RampedApp(chart, 'web', web);
  // WHEN
  app.service.bind(9090, { name: 'metrics', targetPort: 9091 });
  // THEN
  expect(checkErrors(chart)).toEqual(['[test] test/web: Service web sends port 9090 to targetPort 9091, which no '
    + 'container of Deployment web exposes (ports: 8080)']);
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
  one.service.selectLabel('tier', 'missing');
  two.service.selectLabel('tier', 'missing');
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
