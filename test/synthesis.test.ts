// Each object is rendered once per synthesis, for the chart checks and the output together, and a
// change made between two syntheses is always seen by both.
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import { CanaryApp, RampedApp } from '../lib';
import { newApp, newChart } from './util';

const canary = { port: 8080, replicas: 4, stable: { image: 's:1' }, canary: { image: 's:2' }, canaryWeight: 25 };

/** How many times `run` renders each object (by construct path). */
function renderings(run: () => void): Map<string, number> {
  const counts = new Map<string, number>();
  const original = ApiObject.prototype.toJson;
  const spy = jest.spyOn(ApiObject.prototype, 'toJson').mockImplementation(function (this: ApiObject) {
    counts.set(this.node.path, (counts.get(this.node.path) ?? 0) + 1);
    return original.call(this);
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return counts;
}

function objectPaths(app: App): string[] {
  return app.node.findAll().filter(ApiObject.isApiObject).map(o => o.node.path).sort();
}

test('Testing.synth renders each object of the chart once', () => {
  // GIVEN
  const chart = newChart();
  new CanaryApp(chart, 'search', canary);
  new RampedApp(chart, 'web', { image: 'web:1', port: 8080, name: 'web' });
  // WHEN
  const counts = renderings(() => Testing.synth(chart));
  // THEN
  expect([...counts.keys()].sort()).toEqual(objectPaths(chart.node.root as App));
  expect([...counts.values()].every(n => n === 1)).toBe(true);
});

test('app.synthYaml and app.synth render each object of every chart once', () => {
  // GIVEN
  const app = newApp();
  new CanaryApp(new Chart(app, 'one'), 'search', canary);
  new RampedApp(new Chart(app, 'two'), 'web', { image: 'web:1', port: 8080, name: 'web' });
  new Chart(app, 'three'); // a chart without checked constructs
  for (const run of [() => app.synthYaml(), () => app.synth()]) {
    // WHEN
    const counts = renderings(run);
    // THEN
    expect([...counts.keys()].sort()).toEqual(objectPaths(app));
    expect([...counts.values()].every(n => n === 1)).toBe(true);
  }
});

test('a change between two syntheses, or after one that failed, reaches the checks and the output', () => {
  // GIVEN
  const chart = newChart();
  const app = new RampedApp(chart, 'web', { image: 'web:1', port: 8080, name: 'web' });
  const first = Testing.synth(chart);
  // WHEN
  ApiObject.of(app.deployment).addJsonPatch(JsonPatch.replace('/spec/template/metadata/labels/app.kubernetes.io~1name', 'website'));
  // THEN
  expect(() => Testing.synth(chart)).toThrow(/the selector of Deployment web .* does not match its own pod template/);
  ApiObject.of(app.deployment).addJsonPatch(JsonPatch.replace('/spec/template/metadata/labels/app.kubernetes.io~1name', 'web'),
    JsonPatch.replace('/spec/replicas', 3));
  const second = Testing.synth(chart);
  expect(first.find(o => o.kind === 'Deployment').spec.replicas).toBe(2);
  expect(second.find(o => o.kind === 'Deployment').spec.replicas).toBe(3);
});

test('outside a synthesis, validation and toJson render afresh', () => {
  // GIVEN
  const chart = newChart();
  const app = new RampedApp(chart, 'web', { image: 'web:1', port: 8080, name: 'web' });
  Testing.synth(chart);
  expect(chart.node.validate()).toEqual([]);
  // WHEN
  ApiObject.of(app.deployment).addJsonPatch(JsonPatch.replace('/spec/replicas', 5));
  // THEN
  expect(ApiObject.of(app.deployment).toJson().spec.replicas).toBe(5);
  ApiObject.of(app.deployment).addJsonPatch(JsonPatch.replace('/spec/selector/matchLabels/app.kubernetes.io~1name', 'x'));
  expect(chart.node.validate().join('\n')).toMatch(/the selector of Deployment web .* does not match its own pod template/);
});
