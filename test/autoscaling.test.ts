// Autoscaling: one autoscaling/v2 HorizontalPodAutoscaler per serving Deployment, which then never
// states spec.replicas, in any phase of any construct; the documented procedures pass the gate.
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import {
  AutoscalingProps, BlueGreenApp, BlueGreenAppProps, CanaryApp, CanaryAppProps, RampedApp, RampedAppProps, RecreateApp,
  ReleaseDiff, Slot, TrafficRouter,
} from '../lib';
import { errorOf, find, Manifest, newChart, objectSet, synthWith, validateChart } from './util';

const autoscaling: AutoscalingProps = { minReplicas: 3, maxReplicas: 10 };
const web: RampedAppProps = { image: 'registry.example.com/shop/web:1.4.0', port: 8080, name: 'web', autoscaling };
const blueGreen: BlueGreenAppProps = {
  name: 'api', port: 8080, blue: { image: 'api:1.4.0' }, green: { image: 'api:1.5.0' }, activeSlot: Slot.BLUE, autoscaling,
};
const canary: CanaryAppProps = {
  name: 'search', port: 8080, stable: { image: 's:1.4.0' }, canary: { image: 's:1.5.0' }, canaryWeight: 10,
  trafficRouter: TrafficRouter.gatewayApi(), autoscaling,
};

function autoscalers(manifests: Manifest[]): Record<string, any> {
  return Object.fromEntries(manifests.filter(m => m.kind === 'HorizontalPodAutoscaler').map(m => [m.metadata.name, m.spec]));
}

function expectNoReplicas(manifests: Manifest[]): void {
  for (const deployment of manifests.filter(m => m.kind === 'Deployment')) {
    expect(deployment.spec).not.toHaveProperty('replicas');
  }
}

/** Every move of `phases` passes the gate with no finding. */
function expectGatePasses(phases: Manifest[][]): void {
  for (let i = 1; i < phases.length; i++) {
    expect(ReleaseDiff.between(phases[i - 1], phases[i]).findings).toEqual([]);
  }
}

test('RecreateApp and RampedApp: one autoscaler of the Deployment, on CPU at 80% by default, and no spec.replicas', () => {
  // WHEN
  for (const manifests of [synthWith(chart => new RampedApp(chart, 'web', web)), synthWith(chart => new RecreateApp(chart, 'web', web))]) {
    // THEN
    const hpa = find(manifests, 'HorizontalPodAutoscaler', 'web');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({
      minReplicas: 3, maxReplicas: 10, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    });
    expectNoReplicas(manifests);
  }
});

test('a memory target alone drops the default CPU target; both may be set', () => {
  const memory = synthWith(chart => new RampedApp(chart, 'web', { ...web, autoscaling: { ...autoscaling, memoryUtilization: 70 } }));
  const both = synthWith(chart => new RampedApp(chart, 'web', {
    ...web, autoscaling: { ...autoscaling, cpuUtilization: 60, memoryUtilization: 70 },
  }));
  expect(autoscalers(memory).web.metrics.map((m: any) => m.resource.name)).toEqual(['memory']);
  expect(autoscalers(both).web.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization]))
    .toEqual([['cpu', 60], ['memory', 70]]);
});

test('BlueGreenApp: both slots get the same autoscaler, and no slot states replicas', () => {
  // WHEN
  const manifests = synthWith(chart => new BlueGreenApp(chart, 'api', blueGreen));
  // THEN
  const hpas = autoscalers(manifests);
  expect(Object.keys(hpas).sort()).toEqual(['api-blue', 'api-green']);
  expect({ ...hpas['api-blue'], scaleTargetRef: undefined }).toStrictEqual({ ...hpas['api-green'], scaleTargetRef: undefined });
  expectNoReplicas(manifests);
});

test('CanaryApp with a router: each track gets its own autoscaler; the route carries the weight', () => {
  // WHEN
  const manifests = synthWith(chart => new CanaryApp(chart, 'search', canary));
  // THEN
  expect(Object.keys(autoscalers(manifests)).sort()).toEqual(['search', 'search-canary']);
  expectNoReplicas(manifests);
  expect(find(manifests, 'HTTPRoute', 'search').spec.rules[0].backendRefs.map((b: any) => b.weight)).toEqual([9, 1]);
});

test('BlueGreenApp: deploy, switch and roll back with autoscaling pass the gate and keep the objects', () => {
  // GIVEN
  const phases = [
    blueGreen,
    { ...blueGreen, green: { image: 'api:1.6.0' } },
    { ...blueGreen, green: { image: 'api:1.6.0' }, activeSlot: Slot.GREEN },
    { ...blueGreen, green: { image: 'api:1.6.0' } },
  ].map(props => synthWith(chart => new BlueGreenApp(chart, 'api', props)));
  // THEN
  phases.forEach(p => expect(objectSet(p)).toEqual(objectSet(phases[0])));
  phases.forEach(expectNoReplicas);
  expectGatePasses(phases);
});

test('CanaryApp: a weight change, promotion and finish with autoscaling pass the gate and keep the objects', () => {
  // GIVEN
  const phases = [
    canary,
    { ...canary, canaryWeight: 50 },
    { ...canary, canaryWeight: 50, stable: { image: 's:1.5.0' } },
    { ...canary, canaryWeight: 0, stable: { image: 's:1.5.0' } },
  ].map(props => synthWith(chart => new CanaryApp(chart, 'search', props)));
  // THEN
  phases.forEach(p => expect(objectSet(p)).toEqual(objectSet(phases[0])));
  phases.forEach(expectNoReplicas);
  expectGatePasses(phases);
});

test('RampedApp: a new version with autoscaling passes the gate; turning autoscaling on is flagged by the gate', () => {
  const before = synthWith(chart => new RampedApp(chart, 'web', web));
  const after = synthWith(chart => new RampedApp(chart, 'web', { ...web, image: 'registry.example.com/shop/web:1.5.0' }));
  expectGatePasses([before, after]);
  const fixed = synthWith(chart => new RampedApp(chart, 'web', { ...web, autoscaling: undefined, replicas: 3 }));
  expect(ReleaseDiff.between(fixed, before).findings.map(f => f.code)).toEqual(['replicas-field-removed']);
});

test.each<[string, Partial<AutoscalingProps>, string]>([
  ['minReplicas below 1', { minReplicas: 0 }, '\'autoscaling.minReplicas\' is 0; it must be an integer 1 or more'],
  ['maxReplicas below minReplicas', { maxReplicas: 2 },
    '\'autoscaling.maxReplicas\' is 2; it must be an integer of at least \'autoscaling.minReplicas\' (3)'],
  ['a CPU target of 0', { cpuUtilization: 0 }, '\'autoscaling.cpuUtilization\' is 0; it must be an integer 1 or more'],
  ['a memory target that is not an integer', { memoryUtilization: 70.5 },
    '\'autoscaling.memoryUtilization\' is 70.5; it must be an integer 1 or more'],
])('fails for %s, naming the prop', (_name, change, message) => {
  expect(errorOf(() => new RampedApp(newChart(), 'web', { ...web, autoscaling: { ...autoscaling, ...change } })))
    .toBe(`test/web: ${message}`);
});

test('fails when replicas is set with autoscaling', () => {
  expect(errorOf(() => new RampedApp(newChart(), 'web', { ...web, replicas: 3 }))).toBe('test/web: \'replicas\' is 3; the '
    + 'HorizontalPodAutoscalers of \'autoscaling\' size the Deployments, which state no replicas: remove \'replicas\' and set '
    + '\'autoscaling.minReplicas\' instead');
});

test('BlueGreenApp: fails when idleReplicas is set with autoscaling, saying why', () => {
  expect(errorOf(() => new BlueGreenApp(newChart(), 'api', { ...blueGreen, idleReplicas: 0 }))).toBe('test/api: '
    + '\'idleReplicas\' is 0; with \'autoscaling\' both slots get the same HorizontalPodAutoscaler, so that a switch never '
    + 'lands on fewer pods than the active slot\'s minimum, and the idle slot\'s autoscaler already scales it down to '
    + '\'autoscaling.minReplicas\' while it gets no traffic: remove \'idleReplicas\'');
});

test('CanaryApp: fails with autoscaling but no router, as the replica split is the weight', () => {
  expect(errorOf(() => new CanaryApp(newChart(), 'search', { ...canary, trafficRouter: undefined }))).toBe('test/search: '
    + '\'autoscaling\' is {"minReplicas":3,"maxReplicas":10}; without a \'trafficRouter\' the replica split is the canary\'s '
    + 'weight, which autoscalers would change at will: add a \'trafficRouter\' (each track then gets its own autoscaler and '
    + 'the route carries the weight), or remove \'autoscaling\'');
});

test('CanaryApp: fails with autoscaling and canaryReplicas', () => {
  expect(errorOf(() => new CanaryApp(newChart(), 'search', { ...canary, canaryReplicas: 2 }))).toBe('test/search: '
    + '\'canaryReplicas\' is 2; with \'autoscaling\' the canary track\'s autoscaler sizes it: remove \'canaryReplicas\'');
});

test('CanaryApp: without a canary version, the autoscaled canary track runs the stable one and gets no traffic', () => {
  const manifests = synthWith(chart => new CanaryApp(chart, 'search', { ...canary, canary: undefined, canaryWeight: 0 }));
  expect(find(manifests, 'Deployment', 'search-canary').spec.template.spec.containers[0].image).toBe('s:1.4.0');
  expect(find(manifests, 'HTTPRoute', 'search').spec.rules[0].backendRefs.map((b: any) => b.weight)).toEqual([1, 0]);
});

test('fails at synth time when an escape hatch writes spec.replicas into an autoscaled Deployment', () => {
  // GIVEN
  const chart = newChart();
  const app = new RampedApp(chart, 'web', web);
  // WHEN
  ApiObject.of(app.deployment).addJsonPatch(JsonPatch.add('/spec/replicas', 4));
  // THEN
  expect(errorOf(() => validateChart(chart))).toContain('[test] test/web: Deployment web states spec.replicas (4) although '
    + 'HorizontalPodAutoscaler web scales it: every apply would reset the count the autoscaler chose; leave spec.replicas out');
});

test('fails at synth time when the container has no request of the resource the autoscaler targets', () => {
  // GIVEN
  const chart = newChart();
  // WHEN
  new RampedApp(chart, 'web', { ...web, resources: { memory: { request: Size.mebibytes(256) } } });
  // THEN
  expect(errorOf(() => validateChart(chart))).toContain('[test] test/web: HorizontalPodAutoscaler web targets cpu utilization, '
    + 'but container app of Deployment web has no cpu request: the autoscaler cannot compute the utilization and never '
    + 'scales; give the container a cpu request in \'resources\'');
});
