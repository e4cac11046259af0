// PodDisruptionBudgets: one per Deployment, selecting exactly its pods, with a default that never
// blocks a node drain; budgets that overlap or can never allow a disruption are refused.
import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BlueGreenApp, CanaryApp, DisruptionBudget, RampedApp, RampedAppProps, Slot } from '../lib';
import { errorOf, find, newChart, objectSet, synth, synthWith, validateChart } from './util';

const web: RampedAppProps = { image: 'registry.example.com/shop/web:1.4.0', port: 8080, name: 'web' };
const { absolute, percent } = { absolute: kplus.PercentOrAbsolute.absolute, percent: kplus.PercentOrAbsolute.percent };

function checkErrors(chart: Chart): string[] {
  return errorOf(() => validateChart(chart)).split('\n').slice(1).map(line => line.trim());
}

test('each Deployment of each construct gets its own budget, with its exact selector, even at 0 pods', () => {
  // WHEN
  const manifests = synthWith(chart => {
    new BlueGreenApp(chart, 'api', {
      name: 'api', port: 8080, blue: { image: 'api:1' }, green: { image: 'api:2' }, activeSlot: Slot.BLUE, idleReplicas: 0,
    });
    new CanaryApp(chart, 'search', { name: 'search', port: 8080, replicas: 1, stable: { image: 's:1' } });
  });
  // THEN
  for (const name of ['api-blue', 'api-green', 'search', 'search-canary']) {
    const budget = find(manifests, 'PodDisruptionBudget', name);
    expect(budget.apiVersion).toBe('policy/v1');
    expect(budget.spec).toStrictEqual({
      maxUnavailable: 1, selector: find(manifests, 'Deployment', name).spec.selector, unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  }
});

test('minAvailable and a percentage are written as given', () => {
  // WHEN
  const min = synthWith(chart => new RampedApp(chart, 'web', { ...web, replicas: 3, disruptionBudget: DisruptionBudget.minAvailable(absolute(2)) }));
  const pct = synthWith(chart => new RampedApp(chart, 'web', { ...web, disruptionBudget: DisruptionBudget.maxUnavailable(percent(25)) }));
  // THEN
  expect(find(min, 'PodDisruptionBudget', 'web').spec.minAvailable).toBe(2);
  expect(find(pct, 'PodDisruptionBudget', 'web').spec.maxUnavailable).toBe('25%');
});

test('DisruptionBudget.none() makes no budget', () => {
  const manifests = synthWith(chart => new RampedApp(chart, 'web', { ...web, disruptionBudget: DisruptionBudget.none() }));
  expect(objectSet(manifests)).toEqual(['Deployment/web', 'Service/web']);
});

test.each<[string, DisruptionBudget, number, string]>([
  ['minAvailable equal to replicas', DisruptionBudget.minAvailable(absolute(3)), 3, 'minAvailable 3'],
  ['minAvailable 50% of 1 pod, rounded up', DisruptionBudget.minAvailable(percent(50)), 1, 'minAvailable "50%"'],
  ['maxUnavailable 0', DisruptionBudget.maxUnavailable(absolute(0)), 2, 'maxUnavailable 0'],
])('fails at synth time for a budget that can never allow a disruption: %s', (_name, disruptionBudget, replicas, rule) => {
  // GIVEN
  const chart = newChart();
  // WHEN
  new RampedApp(chart, 'web', { ...web, replicas, disruptionBudget });
  // THEN
  expect(checkErrors(chart)).toEqual([`[test] test/web: PodDisruptionBudget web (${rule}) allows no disruption of Deployment web `
    + `at its ${replicas} pod(s): every drain of their nodes would stall until someone deletes the budget; use `
    + 'DisruptionBudget.maxUnavailable(...) of 1 or more, or a lower minAvailable']);
});

test('a budget at 0 pods blocks nothing, so minAvailable is accepted for a Deployment scaled to 0', () => {
  const chart = newChart();
  new RampedApp(chart, 'web', { ...web, replicas: 0, disruptionBudget: DisruptionBudget.minAvailable(absolute(1)) });
  expect(() => validateChart(chart)).not.toThrow();
});

test('fails at synth time when a second budget covers the same pods', () => {
  // GIVEN
  const chart = newChart();
  new RampedApp(chart, 'web', web);
  // WHEN
  new ApiObject(chart, 'extra', {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web-extra' },
    spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } },
  });
  // THEN
  expect(checkErrors(chart)).toEqual(['[test] test/web: PodDisruptionBudget web and PodDisruptionBudget web-extra both select '
    + 'the pods of Deployment web: the eviction API refuses to evict a pod that two budgets cover, so every drain of their '
    + 'nodes stalls; keep one budget per Deployment']);
});

test('the two budgets of a blue/green app never select each other\'s pods', () => {
  const chart = newChart();
  new BlueGreenApp(chart, 'api', { port: 8080, blue: { image: 'api:1' }, green: { image: 'api:2' }, activeSlot: Slot.GREEN });
  expect(() => synth(chart)).not.toThrow();
});

test.each<[string, DisruptionBudget, string]>([
  ['a percentage above 100', DisruptionBudget.maxUnavailable(percent(101)),
    'test/web: \'disruptionBudget\' is "101%"; DisruptionBudget.maxUnavailable: \'maxUnavailable\' is "101%"; a percentage may be at most 100%'],
  ['a negative number', DisruptionBudget.minAvailable(absolute(-1)),
    'test/web: \'disruptionBudget\' is -1; DisruptionBudget.minAvailable: \'minAvailable\' is -1; it must be '
    + 'PercentOrAbsolute.absolute(n) with a non-negative integer n, or PercentOrAbsolute.percent(p) with a non-negative integer p'],
  ['not a DisruptionBudget', { maxUnavailable: 1 } as any,
    'test/web: \'disruptionBudget\' is {"maxUnavailable":1}; it must be DisruptionBudget.maxUnavailable(...), '
    + 'DisruptionBudget.minAvailable(...) or DisruptionBudget.none()'],
])('fails at construction for %s', (_name, disruptionBudget, message) => {
  expect(errorOf(() => new RampedApp(newChart(), 'web', { ...web, disruptionBudget }))).toBe(message);
});
