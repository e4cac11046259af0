import * as kplus from 'cdk8s-plus-27';
import { CanaryApp, CanaryAppProps } from '../lib';
import { diffPaths, errorOf, find, Manifest, newChart, objectSet, podLabels, selects, synth, synthWith } from './util';

const base: CanaryAppProps = {
  name: 'web',
  replicas: 10,
  port: 8080,
  stable: { image: 'registry.example.com/shop/web:1.4.0' },
  canary: { image: 'registry.example.com/shop/web:1.5.0' },
  canaryWeight: 10,
};

function manifests(props: Partial<CanaryAppProps> = {}): Manifest[] {
  return synthWith(chart => new CanaryApp(chart, 'web', { ...base, ...props }));
}
function canary(props: Partial<CanaryAppProps> = {}): CanaryApp {
  return new CanaryApp(newChart(), 'web', { ...base, ...props });
}
function error(props: Partial<CanaryAppProps>): string {
  return errorOf(() => canary(props));
}

test('synthesizes a stable and a canary track behind one service', () => {
  // GIVEN
  const chart = newChart('shop');
  // WHEN
  new CanaryApp(chart, 'web', { ...base, name: undefined });
  // THEN
  expect(synth(chart)).toMatchSnapshot();
});

test('up to 50%, the stable track keeps replicas and the canary gets its share on top', () => {
  // WHEN
  const objects = manifests({ replicas: 9, canaryWeight: 25 });
  // THEN
  expect(find(objects, 'Deployment', 'web').spec.replicas).toBe(9);
  expect(find(objects, 'Deployment', 'web-canary').spec.replicas).toBe(3);
  expect(find(objects, 'Service', 'web').metadata.annotations).toStrictEqual({ 'cdk8s-deployment-strategies/canary-weight': '25' });
});

test('above 50%, the canary runs replicas and the stable track keeps its share', () => {
  // WHEN
  const objects = manifests({ replicas: 9, canaryWeight: 75 });
  // THEN
  expect(find(objects, 'Deployment', 'web').spec.replicas).toBe(3);
  expect(find(objects, 'Deployment', 'web-canary').spec.replicas).toBe(9);
  expect(find(objects, 'Service', 'web').metadata.annotations).toStrictEqual({ 'cdk8s-deployment-strategies/canary-weight': '75' });
});

test('the service selects both tracks by the name label only; the tracks\' selectors are disjoint', () => {
  // WHEN
  const objects = manifests();
  const stable = find(objects, 'Deployment', 'web');
  const canaryTrack = find(objects, 'Deployment', 'web-canary');
  const service = find(objects, 'Service', 'web');
  // THEN
  expect(service.spec.selector).toStrictEqual({ 'app.kubernetes.io/name': 'web' });
  expect(selects(service.spec.selector, podLabels(stable))).toBe(true);
  expect(selects(service.spec.selector, podLabels(canaryTrack))).toBe(true);
  expect(selects(stable.spec.selector.matchLabels, podLabels(canaryTrack))).toBe(false);
  expect(selects(canaryTrack.spec.selector.matchLabels, podLabels(stable))).toBe(false);
  expect(canaryTrack.spec.selector.matchLabels).toStrictEqual({ 'app.kubernetes.io/name': 'web', 'cdk8s-deployment-strategies/track': 'canary' });
});

test('raising the weight up to 50% changes only the canary\'s replicas and the weight annotation', () => {
  // GIVEN
  const before = manifests({ canaryWeight: 10 });
  // WHEN
  const after = manifests({ canaryWeight: 50 });
  // THEN
  expect(diffPaths(before, after)).toEqual([
    '2.spec.replicas',
    '4.metadata.annotations.cdk8s-deployment-strategies/canary-weight',
  ]);
});

test('raising the weight above 50% only takes pods from the stable track', () => {
  // GIVEN
  const before = manifests({ canaryWeight: 50 });
  // WHEN
  const after = manifests({ canaryWeight: 90, weightTolerance: 1 });
  // THEN
  expect(diffPaths(before, after)).toEqual([
    '0.spec.replicas',
    '4.metadata.annotations.cdk8s-deployment-strategies/canary-weight',
  ]);
  expect(find(after, 'Deployment', 'web').spec.replicas).toBe(1);
  expect(find(after, 'Deployment', 'web-canary').spec.replicas).toBe(10);
});

test('promotion changes no selector and no object', () => {
  // GIVEN
  const before = manifests({ canaryWeight: 50 });
  // WHEN
  const after = manifests({ stable: base.canary, canaryWeight: 0 });
  // THEN
  expect(objectSet(after)).toEqual(objectSet(before));
  expect(diffPaths(before, after).filter(path => path.includes('selector'))).toEqual([]);
  expect(find(after, 'Deployment', 'web').spec.template.spec.containers[0].image).toBe('registry.example.com/shop/web:1.5.0');
  expect(find(after, 'Deployment', 'web').spec.replicas).toBe(10);
  expect(find(after, 'Deployment', 'web-canary').spec.replicas).toBe(0);
});

test('without a canary version, the canary track runs the stable version at 0 replicas', () => {
  // WHEN
  const objects = manifests({ canary: undefined, canaryWeight: 0 });
  // THEN
  const canaryTrack = find(objects, 'Deployment', 'web-canary');
  expect(canaryTrack.spec.replicas).toBe(0);
  expect(canaryTrack.spec.template.spec.containers[0].image).toBe('registry.example.com/shop/web:1.4.0');
});

test.each([
  // replicas, weight, stable pods, canary pods
  [9, 10, 9, 1], [10, 10, 10, 1], [10, 25, 10, 3], [10, 30, 10, 4], [3, 25, 3, 1], [3, 50, 3, 3], [4, 75, 1, 4],
  [20, 5, 20, 1], [5, 100, 0, 5], [5, 0, 5, 0], [1, 50, 1, 1], [9, 90, 1, 9],
  // a tie goes to fewer pods on the smaller track: 1 * 20 / 80 = 0.25 is below 0.5, still at least 1;
  // 3 * 1 / 2 at 33.33...% would be 1.5: 1
  [1, 20, 1, 1], [3, 100 / 3, 3, 1],
])('%d replicas at %d%% run %d stable and %d canary pods', (replicas, canaryWeight, stablePods, canaryPods) => {
  // WHEN
  const app = canary({ replicas, canaryWeight, weightTolerance: 40 });
  // THEN
  expect(app.stableReplicas).toBe(stablePods);
  expect(app.canaryReplicas).toBe(canaryPods);
  expect(app.effectiveCanaryWeight).toBeCloseTo((100 * canaryPods) / (stablePods + canaryPods), 9);
});

test('canaryReplicas adds that many canary pods beside replicas stable ones and reports the weight', () => {
  // WHEN
  const app = canary({ canaryWeight: undefined, replicas: 2, canaryReplicas: 1 });
  // THEN
  expect(app.stableReplicas).toBe(2);
  expect(app.effectiveCanaryWeight).toBeCloseTo(33.333, 3);
  expect(find(synth(app.node.scope as any), 'Service', 'web').metadata.annotations?.['cdk8s-deployment-strategies/canary-weight']).toBe('33.33');
});

test('the canary track uses the rolling update settings', () => {
  // WHEN
  const objects = manifests({
    maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    maxSurge: kplus.PercentOrAbsolute.percent(50),
  });
  // THEN
  expect(find(objects, 'Deployment', 'web-canary').spec.strategy.rollingUpdate).toStrictEqual({ maxSurge: '50%', maxUnavailable: 0 });
});

describe('bad input', () => {
  test.each([-1, 100.5, NaN])('fails when canaryWeight is %d', canaryWeight => {
    expect(error({ canaryWeight })).toBe(`test/web: 'canaryWeight' is ${canaryWeight}; it must be a number from 0 to 100 `
      + '(percent of traffic on the canary)');
  });

  test('fails when canaryWeight is not a number', () => {
    expect(error({ canaryWeight: '10' as any })).toMatch(/^test\/web: 'canaryWeight' is "10"; it must be a number/);
  });

  test('fails when both canaryWeight and canaryReplicas are set', () => {
    expect(error({ canaryWeight: 10, canaryReplicas: 1 })).toBe(
      'test/web: \'canaryReplicas\' is 1; set either \'canaryReplicas\' or \'canaryWeight\' (10), not both');
  });

  test('fails when canaryReplicas is greater than replicas', () => {
    expect(error({ canaryWeight: undefined, canaryReplicas: 11 })).toBe(
      'test/web: \'canaryReplicas\' is 11; it must be an integer from 0 to 10');
  });

  test('fails when replicas is 0 with a weight strictly between 0 and 100', () => {
    expect(error({ replicas: 0, canaryWeight: 50 })).toBe(
      'test/web: \'replicas\' is 0; a canary weight of 50% needs pods on both tracks: it must be 1 or more');
  });

  test('fails when the weight is not achievable within the tolerance, and says what is', () => {
    expect(error({ replicas: 3, canaryWeight: 10 })).toBe('test/web: \'canaryWeight\' is 10; with 3 replicas the nearest '
      + 'achievable canary share is 25% (1 canary and 3 stable pods), 15 points away, more than \'weightTolerance\' (5); '
      + '9 replicas (or a multiple) make 10% exact, or set \'canaryReplicas\' or a larger \'weightTolerance\'');
  });

  test('a share within the tolerance is accepted (33% with 2 replicas is 33.33%)', () => {
    expect(canary({ replicas: 2, canaryWeight: 33 }).effectiveCanaryWeight).toBeCloseTo(33.333, 3);
  });

  test('fails when 1% needs more pods than there are, and names the replicas that make it exact', () => {
    expect(error({ replicas: 10, canaryWeight: 1, weightTolerance: 2 })).toMatch(/99 replicas \(or a multiple\) make 1% exact/);
  });

  test('fails when the canary image is missing while the weight is above 0', () => {
    expect(error({ canary: undefined })).toBe('test/web: \'canary\' is undefined; the canary track runs 1 pod(s), '
      + 'so it needs a version: set \'canary\' to { image: ... }');
  });

  test('fails when the tolerance is negative', () => {
    expect(error({ weightTolerance: -1 })).toBe(
      'test/web: \'weightTolerance\' is -1; it must be a number of percentage points from 0 to 100');
  });

  test('fails when the name is too long for the canary Deployment', () => {
    expect(error({ name: 'a'.repeat(57) })).toMatch(/may have at most 56, so that 'a+-canary' fits/);
  });
});
