// The planner against the Deployment controller's own test tables (re-expressed in our API) and
// against rollouts small enough to check by hand.
import * as kplus from 'cdk8s-plus-27';
import { RampedApp, RollingUpdatePlan, RolloutState } from '../lib';
import { newChart } from './util';

const abs = kplus.PercentOrAbsolute.absolute;
const pct = kplus.PercentOrAbsolute.percent;
const parse = (text: string) => RollingUpdatePlan.parsePercentOrAbsolute('value', text);

/** [old, new] after each step, the form the hand-checked sequences are written in. */
const counts = (plan: { steps: { oldReplicas: number; newReplicas: number }[] }) =>
  plan.steps.map(s => [s.oldReplicas, s.newReplicas]);

describe('parsePercentOrAbsolute', () => {
  test.each([
    ['25%', '25%'],
    ['0%', '0%'],
    ['3', 3],
    ['0', 0],
    ['007', 7],
  ])('reads %j as %j', (text, value) => {
    // WHEN
    const parsed = RollingUpdatePlan.parsePercentOrAbsolute('maxSurge', text);
    // THEN
    expect(parsed.value).toBe(value);
  });

  test.each(['oops', '30%0', '2.5', '-1', '', ' 3', '3 ', '25 %', '+3', '%', '25%%', '1e3', '0x10', '3\n'])(
    'rejects %j, naming the prop and the accepted forms', text => {
      // WHEN
      const attempt = () => RollingUpdatePlan.parsePercentOrAbsolute('maxSurge', text);
      // THEN
      expect(attempt).toThrow(`'maxSurge' is ${JSON.stringify(text)}; it must be a non-negative integer (e.g. 3) `
        + 'or a percentage matching ^[0-9]+%$ (e.g. 25%)');
    });

  test('names a flag as it is written', () => {
    // WHEN
    const attempt = () => RollingUpdatePlan.parsePercentOrAbsolute('--max-surge', 'oops');
    // THEN
    expect(attempt).toThrow(/^--max-surge is "oops"; /);
  });

  test('rejects a number beyond what Kubernetes stores (int32)', () => {
    // WHEN
    const attempt = () => RollingUpdatePlan.parsePercentOrAbsolute('maxSurge', '2147483648');
    // THEN
    expect(attempt).toThrow('\'maxSurge\' is "2147483648"; it may be at most 2147483647');
  });
});

describe('resolve (ResolveFenceposts)', () => {
  // TestResolveFenceposts, whose values are strings as the API stores them. Where it passes nil
  // (0 for ResolveFenceposts; the API server defaults it to 25% before, and so does our API), the
  // case is re-expressed with an explicit 0; "0%"/"0%" is re-expressed with "0%"/"1%", which also
  // resolves to 0 and 0, as the API server rejects both written as zero.
  test.each([
    ['0%', '1%', 0, 0, 1],
    ['39%', '39%', 10, 4, 3],
    ['0', '39%', 10, 0, 3],
    ['39%', '0', 10, 4, 0],
    ['0', '5%', 10, 0, 1],
  ])('maxSurge %s, maxUnavailable %s of %d replicas resolve to %d and %d (TestResolveFenceposts)',
    (surge, unavailable, replicas, expectedSurge, expectedUnavailable) => {
      // WHEN
      const resolved = RollingUpdatePlan.resolve({ replicas, maxSurge: parse(surge), maxUnavailable: parse(unavailable) });
      // THEN
      expect(resolved).toEqual({ maxSurge: expectedSurge, maxUnavailable: expectedUnavailable });
    });

  test.each(['oops', 'urg'])('the unparsable value %j of TestResolveFenceposts is an error', text => {
    expect(() => parse(text)).toThrow(`'value' is "${text}"`);
  });

  test('rounds a percentage of maxSurge up and of maxUnavailable down', () => {
    // GIVEN 25% of 10 replicas = 2.5 pods
    // WHEN
    const resolved = RollingUpdatePlan.resolve({ replicas: 10, maxSurge: pct(25), maxUnavailable: pct(25) });
    // THEN
    expect(resolved).toEqual({ maxSurge: 3, maxUnavailable: 2 });
  });

  test('rounds 1% of 2 replicas up to a surge of 1 and 25% of 2 down to 0 unavailable', () => {
    expect(RollingUpdatePlan.resolve({ replicas: 2, maxSurge: pct(1), maxUnavailable: pct(25) }))
      .toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  test('lets 1 pod be unavailable when both values round to 0', () => {
    // GIVEN 10% of 3 replicas = 0.3: surge rounds up to 1, so use an absolute 0 surge
    // WHEN
    const resolved = RollingUpdatePlan.resolve({ replicas: 3, maxSurge: abs(0), maxUnavailable: pct(10) });
    // THEN
    expect(resolved).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  test('does not cap maxUnavailable at replicas (the controller caps it where it uses it)', () => {
    expect(RollingUpdatePlan.resolve({ replicas: 5, maxSurge: abs(1), maxUnavailable: abs(10) }))
      .toEqual({ maxSurge: 1, maxUnavailable: 10 });
  });

  test('defaults to 25% and 25%', () => {
    expect(RollingUpdatePlan.resolve({ replicas: 10 })).toEqual({ maxSurge: 3, maxUnavailable: 2 });
  });

  test.each([
    [{ maxSurge: pct(-1) }, /^'maxSurge' is "-1%"; /],
    [{ maxSurge: pct(2.5) }, /^'maxSurge' is "2.5%"; /],
    [{ maxUnavailable: abs(-1) }, /^'maxUnavailable' is -1; /],
    [{ maxUnavailable: abs(1.5) }, /^'maxUnavailable' is 1.5; /],
    [{ maxUnavailable: pct(101) }, /^'maxUnavailable' is "101%"; a percentage may be at most 100%/],
    [{ maxSurge: abs(0), maxUnavailable: pct(0) }, /^'maxUnavailable' is "0%"; it may not be 0 while 'maxSurge' is 0 too/],
    [{ maxSurge: pct(0), maxUnavailable: abs(0) }, /^'maxUnavailable' is 0; it may not be 0 while 'maxSurge' is 0 too/],
    [{ maxSurge: abs(2 ** 31) }, /^'maxSurge' is 2147483648; it may be at most 2147483647$/],
  ])('rejects %j as the API server would', (settings, message) => {
    expect(() => RollingUpdatePlan.resolve({ replicas: 10, ...settings })).toThrow(message);
  });

  test.each([-1, 1.5, 2 ** 31, NaN])('rejects %d replicas', replicas => {
    expect(() => RollingUpdatePlan.resolve({ replicas }))
      .toThrow(`'replicas' is ${replicas}; it must be an integer from 0 to 2147483647`);
  });
});

describe('minAvailable (MaxUnavailable)', () => {
  // TestMaxUnavailable (maxSurge 1): the controller caps maxUnavailable at replicas and allows
  // none for 0 replicas; the plan's minAvailable is replicas minus that.
  test.each([
    { name: 'maxUnavailable less than replicas', replicas: 10, maxUnavailable: abs(5), minAvailable: 5 },
    { name: 'maxUnavailable equal replicas', replicas: 10, maxUnavailable: abs(10), minAvailable: 0 },
    { name: 'maxUnavailable greater than replicas', replicas: 5, maxUnavailable: abs(10), minAvailable: 0 },
    { name: 'maxUnavailable with replicas is 0', replicas: 0, maxUnavailable: abs(10), minAvailable: 0 },
    { name: 'maxUnavailable less than replicas with percents', replicas: 10, maxUnavailable: pct(50), minAvailable: 5 },
    { name: 'maxUnavailable equal replicas with percents', replicas: 10, maxUnavailable: pct(100), minAvailable: 0 },
    { name: 'maxUnavailable greater than replicas with percents', replicas: 5, maxUnavailable: pct(100), minAvailable: 0 },
  ])('$name: $replicas replicas keep $minAvailable available', ({ replicas, maxUnavailable, minAvailable }) => {
    // WHEN
    const plan = RollingUpdatePlan.compute({ replicas, maxSurge: abs(1), maxUnavailable });
    // THEN
    expect(plan.minAvailable).toBe(minAvailable);
  });
});

describe('sync: one controller pass', () => {
  const sync = (state: RolloutState) => RollingUpdatePlan.sync(state);

  describe('reconcileNewReplicaSet (TestDeploymentController_reconcileNewReplicaSet, maxUnavailable 0)', () => {
    test('does not scale the new ReplicaSet up when the surge is 0 and all 10 pods exist', () => {
      // GIVEN surge 0 and maxUnavailable 0 in the Go test: the API rejects both written as 0, and
      // "1%" of 10 also resolves to 0 (then to 1 unavailable, as there)
      const state = { replicas: 10, maxSurge: abs(0), maxUnavailable: pct(1) };
      // WHEN
      const next = sync({ ...state, oldReplicas: 10, newReplicas: 0, oldAvailable: 10, newAvailable: 0 });
      // THEN the new one stays at 0, and the pass goes on to the old one: 10 - 9 may go
      expect(next).toEqual({ oldReplicas: 9, newReplicas: 0 });
    });

    test.each([
      [10, 0, 2],
      [5, 0, 7],
    ])('scales the new ReplicaSet up within 10 + 2 pods: %d old, %d new, new becomes %d', (oldReplicas, newReplicas, expected) => {
      // WHEN
      const next = sync({ replicas: 10, maxSurge: abs(2), maxUnavailable: abs(0), oldReplicas, newReplicas,
        oldAvailable: oldReplicas, newAvailable: newReplicas });
      // THEN
      expect(next).toEqual({ oldReplicas, newReplicas: expected });
    });

    test('leaves both alone when all 12 pods exist and the 2 new ones are not available yet', () => {
      // GIVEN 10 old and 2 new pods = 10 + surge 2; minAvailable 10
      // WHEN
      const next = sync({ replicas: 10, maxSurge: abs(2), maxUnavailable: abs(0), oldReplicas: 10, newReplicas: 2,
        oldAvailable: 10, newAvailable: 0 });
      // THEN maxScaledDown = 12 - 10 - 2 = 0
      expect(next).toEqual({ oldReplicas: 10, newReplicas: 2 });
    });

    test('scales a new ReplicaSet above replicas down to replicas', () => {
      // WHEN
      const next = sync({ replicas: 10, maxSurge: abs(2), maxUnavailable: abs(0), oldReplicas: 2, newReplicas: 11,
        oldAvailable: 2, newAvailable: 11 });
      // THEN
      expect(next).toEqual({ oldReplicas: 2, newReplicas: 10 });
    });
  });

  describe('NewRSNewReplicas (TestNewRSNewReplicas)', () => {
    test('scale up - to depReplicas: 6 replicas, surge 10, 5 pods of which 2 new: new becomes 6', () => {
      // WHEN
      const next = sync({ replicas: 6, maxSurge: abs(10), maxUnavailable: abs(1), oldReplicas: 3, newReplicas: 2,
        oldAvailable: 3, newAvailable: 2 });
      // THEN
      expect(next).toEqual({ oldReplicas: 3, newReplicas: 6 });
    });

    test('can not scale up: 1 replica, surge 1, 5 pods already: the new ReplicaSet stays, the old one shrinks', () => {
      // GIVEN 5 old pods >= 1 + 1 (the Go case has a new ReplicaSet of 5, which our pass would
      // scale down to replicas before asking NewRSNewReplicas, so the 5 pods are old here)
      // WHEN
      const next = sync({ replicas: 1, maxSurge: abs(1), maxUnavailable: abs(1), oldReplicas: 5, newReplicas: 0,
        oldAvailable: 5, newAvailable: 0 });
      // THEN new stays at 0; 1 - 1 = 0 pods must stay available, so all 5 old ones go
      expect(next).toEqual({ oldReplicas: 0, newReplicas: 0 });
    });
  });

  describe('reconcileOldReplicaSets (TestDeploymentController_reconcileOldReplicaSets, maxSurge 0)', () => {
    test.each([
      { name: 'maxUnavailable 0 (resolved to 1)', maxUnavailable: pct(1), old: 10, neu: 0, oldReady: 10, newReady: 0, expected: 9 },
      { name: 'maxUnavailable 2', maxUnavailable: abs(2), old: 10, neu: 0, oldReady: 10, newReady: 0, expected: 8 },
      { name: '2 unhealthy old pods are cleaned up', maxUnavailable: abs(2), old: 10, neu: 0, oldReady: 8, newReady: 0, expected: 8 },
      { name: '1 unhealthy old pod is cleaned up and 1 available one scaled down', maxUnavailable: abs(2), old: 10, neu: 0,
        oldReady: 9, newReady: 0, expected: 8 },
      { name: '2 new pods not available yet keep the old ones', maxUnavailable: abs(2), old: 8, neu: 2, oldReady: 8, newReady: 0,
        expected: 8 },
    ])('$name: old becomes $expected', ({ maxUnavailable, old, neu, oldReady, newReady, expected }) => {
      // WHEN
      const next = sync({ replicas: 10, maxSurge: abs(0), maxUnavailable, oldReplicas: old, newReplicas: neu,
        oldAvailable: oldReady, newAvailable: newReady });
      // THEN
      expect(next).toEqual({ oldReplicas: expected, newReplicas: neu });
    });
  });

  describe('cleanupUnhealthyReplicas (TestDeploymentController_cleanupUnhealthyReplicas: 10 old pods)', () => {
    // The Go test passes maxCleanupCount directly; here it is the pass's maxScaledDown, set by
    // maxUnavailable (10 old pods, replicas 10, surge 0: maxScaledDown = maxUnavailable).
    test('at most 1 to clean up: 1 of the 2 unhealthy pods goes, and no available one', () => {
      // WHEN
      const next = sync({ replicas: 10, maxSurge: abs(0), maxUnavailable: abs(1), oldReplicas: 10, newReplicas: 0,
        oldAvailable: 8, newAvailable: 0 });
      // THEN 8 available <= 9 that must stay
      expect(next.oldReplicas).toBe(9);
    });

    test('at most 3 to clean up: only the 2 unhealthy pods are cleaned up, then 1 available one scaled down', () => {
      // WHEN
      const next = sync({ replicas: 10, maxSurge: abs(0), maxUnavailable: abs(3), oldReplicas: 10, newReplicas: 0,
        oldAvailable: 8, newAvailable: 0 });
      // THEN 10 - 2 - (8 available - 7 that must stay) = 7; cleaning up 3 would have left 6
      expect(next.oldReplicas).toBe(7);
    });

    test('at most 0 to clean up: nothing goes', () => {
      // GIVEN maxScaledDown = 11 pods - 10 that must stay - 1 new pod not available = 0
      // WHEN
      const next = sync({ replicas: 10, maxSurge: abs(1), maxUnavailable: abs(0), oldReplicas: 10, newReplicas: 1,
        oldAvailable: 8, newAvailable: 0 });
      // THEN
      expect(next).toEqual({ oldReplicas: 10, newReplicas: 1 });
    });

    test('no unhealthy pod: nothing is cleaned up, 3 available ones are scaled down', () => {
      // WHEN
      const next = sync({ replicas: 10, maxSurge: abs(0), maxUnavailable: abs(3), oldReplicas: 10, newReplicas: 0,
        oldAvailable: 10, newAvailable: 0 });
      // THEN cleaning up 3 as well would have left 4
      expect(next.oldReplicas).toBe(7);
    });
  });

  describe('scaleDownOldReplicaSetsForRollingUpdate (TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate)', () => {
    // The Go test calls the scale-down alone; a pass cleans up unhealthy pods before it, which
    // the expected values below include.
    test.each([
      { name: 'maxUnavailable 0 (resolved to 1), 10 available', maxUnavailable: pct(1), ready: 10, old: 10, neu: 0, expected: 9 },
      { name: 'maxUnavailable 2, 10 available', maxUnavailable: abs(2), ready: 10, old: 10, neu: 0, expected: 8 },
      { name: 'maxUnavailable 2, 8 available: only the 2 unavailable go', maxUnavailable: abs(2), ready: 8, old: 10, neu: 0,
        expected: 8 },
      { name: 'maxUnavailable 2, 1 available: only 2 of the 9 unavailable go', maxUnavailable: abs(2), ready: 1, old: 10, neu: 0,
        expected: 8 },
      { name: 'an old ReplicaSet at 0 stays at 0, whatever its stale status says', maxUnavailable: abs(2), ready: 10, old: 0,
        neu: 10, expected: 0 },
    ])('$name: old becomes $expected', ({ maxUnavailable, ready, old, neu, expected }) => {
      // WHEN
      const next = sync({ replicas: 10, maxSurge: abs(0), maxUnavailable, oldReplicas: old, newReplicas: neu, oldAvailable: ready,
        newAvailable: neu });
      // THEN
      expect(next).toEqual({ oldReplicas: expected, newReplicas: neu });
    });
  });

  test('scales the new ReplicaSet up first, and the old one only in a pass where the new one did not change', () => {
    // GIVEN 10 replicas, surge 3, no unavailable pod
    const settings = { replicas: 10, maxSurge: abs(3), maxUnavailable: abs(0) };
    // WHEN
    const first = sync({ ...settings, oldReplicas: 10, newReplicas: 0, oldAvailable: 10, newAvailable: 0 });
    const second = sync({ ...settings, ...first, oldAvailable: 10, newAvailable: 3 });
    // THEN
    expect([first, second]).toEqual([{ oldReplicas: 10, newReplicas: 3 }, { oldReplicas: 7, newReplicas: 3 }]);
  });

  test('counts new pods that are not available yet against the old ones', () => {
    // GIVEN 13 pods: 10 old, 3 new not available yet; maxUnavailable 2, so 8 must stay available
    // WHEN
    const next = sync({ replicas: 10, maxSurge: abs(3), maxUnavailable: abs(2), oldReplicas: 10, newReplicas: 3,
      oldAvailable: 10, newAvailable: 0 });
    // THEN maxScaledDown = 13 - 8 - 3 = 2
    expect(next).toEqual({ oldReplicas: 8, newReplicas: 3 });
  });

  test('removes unavailable old pods before available ones, within maxScaledDown', () => {
    // GIVEN 4 of 10 old pods unavailable; 8 must stay available, so maxScaledDown = 10 - 8 = 2
    // WHEN
    const next = sync({ replicas: 10, maxSurge: abs(0), maxUnavailable: abs(2), oldReplicas: 10, newReplicas: 0,
      oldAvailable: 6, newAvailable: 0 });
    // THEN 2 unavailable ones go; the 6 available are already below 8, so none of them
    expect(next).toEqual({ oldReplicas: 8, newReplicas: 0 });
  });

  test('never scales the old ReplicaSet below 0', () => {
    // GIVEN 3 old pods and room for 5 to go: 10 available, 5 must stay
    // WHEN
    const next = sync({ replicas: 7, maxSurge: abs(0), maxUnavailable: abs(2), oldReplicas: 3, newReplicas: 7,
      oldAvailable: 3, newAvailable: 7 });
    // THEN
    expect(next).toEqual({ oldReplicas: 0, newReplicas: 7 });
  });

  test('removes no old pod when the old status counts more available pods than its spec', () => {
    // GIVEN the old ReplicaSet was just scaled to 5, its status still says 8 available
    // WHEN
    const next = sync({ replicas: 10, maxSurge: abs(0), maxUnavailable: abs(2), oldReplicas: 5, newReplicas: 5,
      oldAvailable: 8, newAvailable: 5 });
    // THEN the controller refuses the negative clean-up and ends the pass
    expect(next).toEqual({ oldReplicas: 5, newReplicas: 5 });
  });

  test.each(['oldReplicas', 'newReplicas', 'oldAvailable', 'newAvailable'] as const)('rejects a negative %s', prop => {
    // GIVEN
    const state = { replicas: 10, oldReplicas: 10, newReplicas: 0, oldAvailable: 10, newAvailable: 0, [prop]: -1 };
    // WHEN
    const attempt = () => sync(state);
    // THEN
    expect(attempt).toThrow(`'${prop}' is -1; it must be an integer from 0 to 2147483647`);
  });
});

describe('compute: the whole rollout', () => {
  // The sequences in the doc comment of ResolveFenceposts, "+1" being a scale-up of the new
  // ReplicaSet and "-1" a scale-down of the old one.
  test.each([
    [2, pct(0), pct(1), [[2, 0], [1, 0], [1, 1], [0, 1], [0, 2]]],
    [1, pct(0), pct(1), [[1, 0], [0, 0], [0, 1]]],
    [2, pct(1), pct(25), [[2, 0], [2, 1], [1, 1], [1, 2], [0, 2]]],
    [1, pct(1), pct(25), [[1, 0], [1, 1], [0, 1]]],
    [2, pct(1), pct(0), [[2, 0], [2, 1], [1, 1], [1, 2], [0, 2]]],
    [1, pct(1), pct(0), [[1, 0], [1, 1], [0, 1]]],
  ])('%d replicas, maxSurge %j, maxUnavailable %j: the order of ResolveFenceposts\'s doc comment',
    (replicas, maxSurge, maxUnavailable, expected) => {
      expect(counts(RollingUpdatePlan.compute({ replicas, maxSurge, maxUnavailable }))).toEqual(expected);
    });

  test('2 replicas, surge 1%, unavailable 25%: one new pod, one old pod gone, twice', () => {
    // GIVEN surge 1% of 2 rounds up to 1; unavailable 25% of 2 rounds down to 0
    // WHEN
    const plan = RollingUpdatePlan.compute({ replicas: 2, maxSurge: pct(1), maxUnavailable: pct(25) });
    // THEN
    expect(plan).toEqual({
      replicas: 2,
      maxSurge: 1,
      maxUnavailable: 0,
      maxTotal: 3,
      minAvailable: 2,
      steps: [
        { step: 0, oldReplicas: 2, newReplicas: 0, totalReplicas: 2, availableReplicas: 2, action: 'start' },
        { step: 1, oldReplicas: 2, newReplicas: 1, totalReplicas: 3, availableReplicas: 3, action: 'scale new up by 1' },
        { step: 2, oldReplicas: 1, newReplicas: 1, totalReplicas: 2, availableReplicas: 2, action: 'scale old down by 1' },
        { step: 3, oldReplicas: 1, newReplicas: 2, totalReplicas: 3, availableReplicas: 3, action: 'scale new up by 1' },
        { step: 4, oldReplicas: 0, newReplicas: 2, totalReplicas: 2, availableReplicas: 2, action: 'scale old down by 1' },
      ],
    });
  });

  test('10 replicas, surge 25%, unavailable 0: 3 up, 3 down, until the last 1', () => {
    // WHEN
    const plan = RollingUpdatePlan.compute({ replicas: 10, maxSurge: pct(25), maxUnavailable: abs(0) });
    // THEN
    expect(counts(plan)).toEqual([[10, 0], [10, 3], [7, 3], [7, 6], [4, 6], [4, 9], [1, 9], [1, 10], [0, 10]]);
  });

  test('4 replicas, surge 0, unavailable 1: one old pod down, one new pod up', () => {
    // WHEN
    const plan = RollingUpdatePlan.compute({ replicas: 4, maxSurge: abs(0), maxUnavailable: abs(1) });
    // THEN the new ReplicaSet is created empty in the first pass, which removes an old pod
    expect(counts(plan)).toEqual([[4, 0], [3, 0], [3, 1], [2, 1], [2, 2], [1, 2], [1, 3], [0, 3], [0, 4]]);
    expect(plan.steps[1].action).toBe('scale old down by 1');
  });

  test('the pass that creates the new ReplicaSet also shrinks the old one, counting the new pods unavailable', () => {
    // GIVEN 10 replicas with the defaults: surge 3, unavailable 2, so 8 must stay available
    // WHEN
    const plan = RollingUpdatePlan.compute({ replicas: 10 });
    // THEN pass 1: 3 new pods (13 in all), and 13 - 8 - 3 unavailable new = 2 old ones go
    expect(plan.steps.map(s => [s.oldReplicas, s.newReplicas, s.action])).toEqual([
      [10, 0, 'start'],
      [8, 3, 'scale new up by 3, old down by 2'],
      [8, 5, 'scale new up by 2'],
      [3, 5, 'scale old down by 5'],
      [3, 10, 'scale new up by 5'],
      [0, 10, 'scale old down by 3'],
    ]);
  });

  test('scaling in the same change: the old ReplicaSet is set to the new replicas first', () => {
    // GIVEN 2 old pods, and the Deployment now wants 4 with surge 1, unavailable 0
    // WHEN
    const plan = RollingUpdatePlan.compute({ replicas: 4, maxSurge: abs(1), maxUnavailable: abs(0), oldReplicas: 2 });
    // THEN
    expect(plan.steps[1]).toMatchObject({ oldReplicas: 4, newReplicas: 0, action: 'scale old up by 2 (scaling to 4)' });
    expect(counts(plan).slice(2)).toEqual([[4, 1], [3, 1], [3, 2], [2, 2], [2, 3], [1, 3], [1, 4], [0, 4]]);
  });

  test('scaling down in the same change: the old ReplicaSet shrinks to the new replicas first', () => {
    // WHEN
    const plan = RollingUpdatePlan.compute({ replicas: 2, maxSurge: abs(1), maxUnavailable: abs(0), oldReplicas: 5 });
    // THEN
    expect(plan.steps.map(s => [s.oldReplicas, s.newReplicas, s.action])).toEqual([
      [5, 0, 'start'],
      [2, 0, 'scale old down by 3 (scaling to 2)'],
      [2, 1, 'scale new up by 1'],
      [1, 1, 'scale old down by 1'],
      [1, 2, 'scale new up by 1'],
      [0, 2, 'scale old down by 1'],
    ]);
  });

  test('no old pods: the new ReplicaSet is created with all replicas at once', () => {
    // WHEN
    const plan = RollingUpdatePlan.compute({ replicas: 3, oldReplicas: 0 });
    // THEN
    expect(plan.steps.map(s => [s.oldReplicas, s.newReplicas, s.action])).toEqual([[0, 0, 'start'], [0, 3, 'scale new up by 3']]);
  });

  test('0 replicas: nothing to do', () => {
    // WHEN
    const plan = RollingUpdatePlan.compute({ replicas: 0 });
    // THEN
    expect(plan).toEqual({
      replicas: 0, maxSurge: 0, maxUnavailable: 1, maxTotal: 0, minAvailable: 0,
      steps: [{ step: 0, oldReplicas: 0, newReplicas: 0, totalReplicas: 0, availableReplicas: 0, action: 'start' }],
    });
  });

  test('scaling to 0 replicas in the same change removes the old pods, and the new ReplicaSet stays empty', () => {
    // WHEN
    const plan = RollingUpdatePlan.compute({ replicas: 0, maxSurge: abs(1), oldReplicas: 3 });
    // THEN
    expect(plan.steps.map(s => [s.oldReplicas, s.newReplicas, s.action]))
      .toEqual([[3, 0, 'start'], [0, 0, 'scale old down by 3 (scaling to 0)']]);
  });

  test('stays within replicas + maxSurge pods and keeps replicas - maxUnavailable available, ending all-new', () => {
    // GIVEN every setting of a small grid
    for (let replicas = 0; replicas <= 12; replicas++) {
      for (const maxSurge of [abs(0), abs(1), abs(3), pct(10), pct(25), pct(100), abs(20)]) {
        for (const maxUnavailable of [abs(0), abs(1), pct(25), pct(100), abs(20)]) {
          if (maxSurge.isZero() && maxUnavailable.isZero()) continue;
          // WHEN
          const plan = RollingUpdatePlan.compute({ replicas, maxSurge, maxUnavailable });
          // THEN
          for (const step of plan.steps) {
            expect(step.totalReplicas).toBeLessThanOrEqual(plan.maxTotal);
            expect(step.availableReplicas).toBeGreaterThanOrEqual(plan.minAvailable);
          }
          expect(plan.steps[plan.steps.length - 1]).toMatchObject({ oldReplicas: 0, newReplicas: replicas });
          expect(plan.steps.length - 1).toBeLessThanOrEqual(2 * replicas + 2);
        }
      }
    }
  });

  test.each([
    ['25% and 25%', pct(25), pct(25), 5],
    ['1 and 0', abs(1), abs(0), 200_000],
  ])('ends all-new for 100,000 replicas with maxSurge and maxUnavailable %s', (_name, maxSurge, maxUnavailable, steps) => {
    // WHEN
    const plan = RollingUpdatePlan.compute({ replicas: 100_000, maxSurge, maxUnavailable });
    // THEN
    expect(plan.steps[plan.steps.length - 1]).toMatchObject({ step: steps, oldReplicas: 0, newReplicas: 100_000 });
  });

  test('refuses a plan of more than 1,000,000 steps', () => {
    // WHEN
    const attempt = () => RollingUpdatePlan.compute({ replicas: 600_000, maxSurge: abs(1), maxUnavailable: abs(0) });
    // THEN
    expect(attempt).toThrow('the rollout of 600000 replicas with maxSurge 1 and maxUnavailable 0 takes more than 1000000 steps');
  });

  test.each([-1, 2.5])('rejects oldReplicas %d', oldReplicas => {
    expect(() => RollingUpdatePlan.compute({ replicas: 3, oldReplicas }))
      .toThrow(`'oldReplicas' is ${oldReplicas}; it must be an integer from 0 to 2147483647`);
  });

  test('RampedApp#plan is the plan of the app\'s own settings', () => {
    // GIVEN
    const app = new RampedApp(newChart(), 'web', {
      image: 'web:1', port: 8080, replicas: 6, maxSurge: abs(3), maxUnavailable: abs(2),
    });
    // WHEN
    const plan = app.plan();
    // THEN
    expect(plan).toEqual(RollingUpdatePlan.compute({ replicas: 6, maxSurge: abs(3), maxUnavailable: abs(2) }));
  });
});
