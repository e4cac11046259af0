// The planner against the Deployment controller's own test tables (re-expressed in our API) and
// against rollouts small enough to check by hand.
import * as kplus from 'cdk8s-plus-27';
import { RampedApp, RollingUpdatePlan } from '../lib';
import { cleanupUnhealthy, maxUnavailableOf, resolveFenceposts, scaleDownOld, syncOnce } from '../lib/rollout-controller';
import { newChart } from './util';

const abs = kplus.PercentOrAbsolute.absolute;
const pct = kplus.PercentOrAbsolute.percent;
const amount = (text: string) => ({ amount: parseInt(text, 10), percent: text.endsWith('%') });

describe('resolve (ResolveFenceposts)', () => {
  test.each([
    // maxSurge, maxUnavailable, replicas, surge, unavailable: TestResolveFenceposts
    ['0%', '0%', 0, 0, 1],
    ['39%', '39%', 10, 4, 3],
    // rounding: surge up, unavailable down
    ['25%', '25%', 8, 2, 2],
    ['25%', '25%', 10, 3, 2],
    ['1%', '25%', 2, 1, 0],
    ['10%', '10%', 3, 1, 0],
    ['0', '10%', 3, 0, 1],
    ['3', '2', 10, 3, 2],
    ['50%', '50%', 5, 3, 2],
  ])('surge %s, unavailable %s of %d replicas resolve to %d and %d', (surge, unavailable, replicas, s, u) => {
    expect(resolveFenceposts(amount(surge), amount(unavailable), replicas)).toEqual([s, u]);
    const parse = (text: string) => (text.endsWith('%') ? pct(parseInt(text, 10)) : abs(parseInt(text, 10)));
    if (!(parseInt(surge, 10) === 0 && parseInt(unavailable, 10) === 0)) {
      expect(RollingUpdatePlan.resolve({ replicas, maxSurge: parse(surge), maxUnavailable: parse(unavailable) }))
        .toEqual({ maxSurge: s, maxUnavailable: u });
    }
  });

  test('defaults to 25% and 25%', () => {
    expect(RollingUpdatePlan.resolve({ replicas: 10 })).toEqual({ maxSurge: 3, maxUnavailable: 2 });
  });

  test.each([
    [{ maxSurge: pct(-1) }, /^'maxSurge' is "-1%"/],
    [{ maxSurge: pct(2.5) }, /^'maxSurge' is "2.5%"/],
    [{ maxUnavailable: abs(-1) }, /^'maxUnavailable' is -1/],
    [{ maxUnavailable: pct(101) }, /^'maxUnavailable' is "101%"; a percentage may be at most 100%/],
    [{ maxSurge: abs(0), maxUnavailable: pct(0) }, /^'maxUnavailable' is "0%"; it may not be 0 while 'maxSurge' is 0 too \(0\)/],
  ])('fails for %j', (settings, message) => {
    expect(() => RollingUpdatePlan.resolve({ replicas: 10, ...settings })).toThrow(message);
  });

  test('fails for negative replicas', () => {
    expect(() => RollingUpdatePlan.resolve({ replicas: -1 })).toThrow(/^'replicas' is -1; it must be an integer 0 or more$/);
  });
});

describe('MaxUnavailable', () => {
  test.each([
    // replicas, maxSurge, maxUnavailable, expected: TestMaxUnavailable
    [10, '0', '1', 1],
    [10, '0', '0', 1],
    [0, '0', '1', 0],
    [3, '0', '10', 3],
    [10, '0%', '30%', 3],
  ])('%d replicas, surge %s, unavailable %s: %d', (replicas, surge, unavailable, expected) => {
    expect(maxUnavailableOf(amount(surge), amount(unavailable), replicas)).toBe(expected);
  });
});

describe('sync: one controller pass', () => {
  const pass = (replicas: number, surge: kplus.PercentOrAbsolute, unavailable: kplus.PercentOrAbsolute,
    oldReplicas: number, newReplicas: number, oldAvailable: number, newAvailable: number) =>
    RollingUpdatePlan.sync({
      replicas, maxSurge: surge, maxUnavailable: unavailable, oldReplicas, newReplicas, oldAvailable, newAvailable,
    });

  test.each([
    // reconcileNewReplicaSet (maxUnavailable 0): replicas, surge, old, new, expected new
    [10, 0, 10, 0, 0],
    [10, 2, 10, 0, 2],
    [10, 2, 5, 0, 7],
    [10, 2, 10, 2, 2],
    [10, 2, 2, 11, 10],
  ])('reconcileNewReplicaSet: %d replicas, surge %d, %d old, %d new: new becomes %d', (replicas, surge, old, neu, expected) => {
    // With surge 0 and unavailable 0 the unavailable resolves to 1, as in the controller's test.
    const result = syncOnce(replicas, { amount: surge, percent: false }, { amount: 0, percent: false },
      { oldReplicas: old, newReplicas: neu, oldAvailable: 0, newAvailable: 0 });
    expect(result.newReplicas).toBe(expected);
  });

  test.each([
    // reconcileOldReplicaSets (maxSurge 0): replicas, unavailable, old, new, old ready, new ready, expected old
    [10, 0, 10, 0, 10, 0, 9],
    [10, 2, 10, 0, 10, 0, 8],
    [10, 2, 10, 0, 8, 0, 8],
    [10, 2, 10, 0, 9, 0, 8],
    [10, 2, 8, 2, 8, 0, 8],
  ])('reconcileOldReplicaSets: %d replicas, unavailable %d, %d old, %d new, %d/%d ready: old becomes %d',
    (replicas, unavailable, old, neu, oldReady, newReady, expected) => {
      const result = syncOnce(replicas, { amount: 0, percent: false }, { amount: unavailable, percent: false },
        { oldReplicas: old, newReplicas: neu, oldAvailable: oldReady, newAvailable: newReady });
      expect(result).toEqual({ oldReplicas: expected, newReplicas: neu });
    });

  test.each([
    // cleanupUnhealthyReplicas: old, ready, max cleanup, expected
    [10, 8, 1, 1],
    [10, 8, 3, 2],
    [10, 8, 0, 0],
    [10, 10, 3, 0],
  ])('cleanupUnhealthyReplicas: %d old, %d ready, at most %d: removes %d', (old, ready, max, expected) => {
    expect(cleanupUnhealthy(old, ready, max)).toBe(expected);
  });

  test.each([
    // scaleDownOldReplicaSetsForRollingUpdate (one old RS, no new): replicas, unavailable, ready, old, expected old
    [10, 0, 10, 10, 9],
    [10, 2, 10, 10, 8],
    [10, 2, 8, 10, 10],
    [10, 2, 10, 0, 0],
    [10, 2, 1, 10, 10],
  ])('scaleDownOldReplicaSetsForRollingUpdate: %d replicas, unavailable %d, %d ready, %d old: old becomes %d',
    (replicas, unavailable, ready, old, expected) => {
      const none = { amount: 0, percent: false };
      const minAvailable = replicas - maxUnavailableOf(none, { amount: unavailable, percent: false }, replicas);
      expect(old - scaleDownOld(old, ready, minAvailable)).toBe(expected);
    });

  test('scales the new ReplicaSet up first, and the old one only when that changed nothing', () => {
    expect(pass(10, abs(3), abs(0), 10, 0, 10, 0)).toEqual({ oldReplicas: 10, newReplicas: 3 });
    expect(pass(10, abs(3), abs(0), 10, 3, 10, 3)).toEqual({ oldReplicas: 7, newReplicas: 3 });
  });

  test('counts new pods that are not yet available against the old ones', () => {
    // maxScaledDown = 13 pods - 10 min available - 3 unavailable new pods = 0: no old pod goes.
    expect(pass(10, abs(3), abs(0), 10, 3, 10, 0)).toEqual({ oldReplicas: 10, newReplicas: 3 });
    // Once the 3 new pods are available, 3 old ones go.
    expect(pass(10, abs(3), abs(0), 10, 3, 10, 3)).toEqual({ oldReplicas: 7, newReplicas: 3 });
    // With maxUnavailable 2, 13 - 8 - 3 = 2 old pods go even before the new ones are available.
    expect(pass(10, abs(3), abs(2), 10, 3, 10, 0)).toEqual({ oldReplicas: 8, newReplicas: 3 });
  });

  test('removes unavailable old pods first, as many as the bounds allow', () => {
    // 4 of 10 old pods unavailable, 2 may go (10 - 8): 2 unavailable ones go; the 6 available
    // pods are below the 8 that must stay available, so no available pod goes.
    expect(pass(10, abs(0), abs(2), 10, 0, 6, 0)).toEqual({ oldReplicas: 8, newReplicas: 0 });
    expect(cleanupUnhealthy(10, 6, 2)).toBe(2);
    expect(scaleDownOld(8, 6, 8)).toBe(0);
  });

  test('fails for a negative count', () => {
    expect(() => pass(10, abs(1), abs(0), -1, 0, 0, 0)).toThrow(/^'oldReplicas' is -1/);
  });
});

describe('compute: the whole rollout', () => {
  test('2 replicas, surge 1%, unavailable 25%: one pod up, one down, twice', () => {
    // surge 1% of 2 rounds up to 1; unavailable 25% of 2 rounds down to 0.
    const plan = RollingUpdatePlan.compute({ replicas: 2, maxSurge: pct(1), maxUnavailable: pct(25) });
    expect(plan).toMatchObject({ replicas: 2, maxSurge: 1, maxUnavailable: 0, maxTotal: 3, minAvailable: 2 });
    expect(plan.steps.map(s => [s.oldReplicas, s.newReplicas, s.action])).toEqual([
      [2, 0, 'start'],
      [2, 1, 'scale new up by 1'],
      [1, 1, 'scale old down by 1'],
      [1, 2, 'scale new up by 1'],
      [0, 2, 'scale old down by 1'],
    ]);
  });

  test('4 replicas, surge 0, unavailable 1: down one, up one', () => {
    const plan = RollingUpdatePlan.compute({ replicas: 4, maxSurge: abs(0), maxUnavailable: abs(1) });
    expect(plan.steps.map(s => [s.oldReplicas, s.newReplicas])).toEqual([
      [4, 0], [3, 0], [3, 1], [2, 1], [2, 2], [1, 2], [1, 3], [0, 3], [0, 4],
    ]);
  });

  test('10 replicas with the defaults: 3 up, then 5 down (13 available - 8 that must stay)', () => {
    const plan = RollingUpdatePlan.compute({ replicas: 10 });
    expect(plan.steps.slice(0, 3).map(s => [s.oldReplicas, s.newReplicas])).toEqual([[10, 0], [10, 3], [5, 3]]);
    expect(plan.steps[plan.steps.length - 1]).toMatchObject({ oldReplicas: 0, newReplicas: 10 });
  });

  test('never exceeds the bounds, for every small setting', () => {
    for (let replicas = 0; replicas <= 12; replicas++) {
      for (const surge of [abs(0), abs(1), abs(3), pct(10), pct(25), pct(100)]) {
        for (const unavailable of [abs(0), abs(1), pct(25), pct(100)]) {
          if (surge.isZero() && unavailable.isZero()) continue;
          const plan = RollingUpdatePlan.compute({ replicas, maxSurge: surge, maxUnavailable: unavailable });
          for (const step of plan.steps.slice(1)) {
            expect(step.totalReplicas).toBeLessThanOrEqual(Math.max(plan.maxTotal, replicas));
            expect(step.availableReplicas).toBeGreaterThanOrEqual(Math.min(plan.minAvailable, replicas));
          }
          expect(plan.steps[plan.steps.length - 1]).toMatchObject({ oldReplicas: 0, newReplicas: replicas });
        }
      }
    }
  });

  test('scales from a different old count', () => {
    const plan = RollingUpdatePlan.compute({ replicas: 4, maxSurge: abs(1), maxUnavailable: abs(0), oldReplicas: 2 });
    expect(plan.steps[1]).toMatchObject({ oldReplicas: 2, newReplicas: 3 });
    expect(plan.steps[plan.steps.length - 1]).toMatchObject({ oldReplicas: 0, newReplicas: 4 });
  });

  test.each([
    [{ maxSurge: pct(25), maxUnavailable: pct(25) }],
    [{ maxSurge: abs(1), maxUnavailable: abs(0) }],
  ])('ends for 100,000 replicas with %j', settings => {
    const plan = RollingUpdatePlan.compute({ replicas: 100000, ...settings });
    expect(plan.steps[plan.steps.length - 1]).toMatchObject({ oldReplicas: 0, newReplicas: 100000 });
  });

  test('RampedApp#plan uses the app\'s own settings', () => {
    const app = new RampedApp(newChart(), 'web', {
      image: 'web:1', port: 8080, replicas: 6, maxSurge: abs(3), maxUnavailable: abs(2),
    });
    expect(app.plan()).toEqual(RollingUpdatePlan.compute({ replicas: 6, maxSurge: abs(3), maxUnavailable: abs(2) }));
    expect(app.plan()).toMatchObject({ maxTotal: 9, minAvailable: 4 });
  });
});
