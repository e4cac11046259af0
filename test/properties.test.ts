// Release-phase invariants over generated props: every valid input synthesizes schema-valid objects
// that pass the built-in checks, every next phase of a release keeps the objects and selectors,
// every documented move passes the release gate while each injected hazard is caught, and every
// invalid input is refused with the construct's error. Here RecreateApp and RampedApp, and the
// invalid props of every construct; the other *-properties.test.ts files hold the rest, in files
// of similar length so that jest's workers finish together.
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { DisruptionBudget, RampedApp, RollingUpdatePlan } from '../lib';
import { newChart, synth } from './util';
import {
  Build, RUNS, appProps, blueGreen, blueGreenProps, canaryApp, canaryProps, expectGatePasses, expectSameShape, gate,
  manifestsOf, ramped, rampedProps, recreate, variant, withSelectorChanged,
} from './properties/arbitraries';

// --- valid inputs and release phases -------------------------------------------------------------

describe('valid props synthesize valid, checked manifests, and every next phase keeps the objects and selectors', () => {
  test('RecreateApp: a new version, which the gate only warns about', () => {
    fc.assert(fc.property(appProps, variant, (props, next) => {
      const before = manifestsOf(recreate, props);
      const after = manifestsOf(recreate, { ...props, ...next });
      expectSameShape(before, after);
      expect(gate(before, after).filter(f => !f.startsWith('warn recreate-downtime'))).toEqual([]);
    }), { numRuns: RUNS });
  });

  test('RampedApp: a new version, and a rollback', () => {
    fc.assert(fc.property(rampedProps, variant, (props, next) => {
      const before = manifestsOf(ramped, props);
      const after = manifestsOf(ramped, { ...props, ...next });
      expectSameShape(before, after);
      expect(manifestsOf(ramped, props)).toStrictEqual(before);
      expectGatePasses([before, after, before]);
      expect(gate(before, withSelectorChanged(after))).toContain('block selector-changed');
    }), { numRuns: RUNS });
  });

  test('RampedApp: the strategy written into the Deployment resolves as the planner says, and the plan ends all-new', () => {
    fc.assert(fc.property(rampedProps, props => {
      const chart = newChart();
      const app = new RampedApp(chart, 'app', props);
      const { rollingUpdate } = synth(chart)[0].spec.strategy;
      const asWritten = (value: number | string) => (typeof value === 'number'
        ? kplus.PercentOrAbsolute.absolute(value) : kplus.PercentOrAbsolute.percent(parseInt(value, 10)));
      const plan = app.plan();
      expect(RollingUpdatePlan.resolve({
        replicas: app.replicas,
        maxSurge: asWritten(rollingUpdate.maxSurge),
        maxUnavailable: asWritten(rollingUpdate.maxUnavailable),
      })).toEqual({ maxSurge: plan.maxSurge, maxUnavailable: plan.maxUnavailable });
      expect(plan.steps[plan.steps.length - 1]).toMatchObject({ oldReplicas: 0, newReplicas: app.replicas });
    }), { numRuns: RUNS });
  });
});

// --- invalid inputs ------------------------------------------------------------------------------

/** Props changes that make any valid props invalid, with the prop the error must name. */
const commonBreakage: Array<[string, Record<string, unknown>]> = [
  ['replicas', { replicas: -1 }], ['replicas', { replicas: 2.5 }],
  ['port', { port: 0 }], ['port', { port: 65536 }], ['servicePort', { servicePort: 0 }],
  ['name', { name: 'Web' }], ['name', { name: '9web' }], ['name', { name: 'a'.repeat(64) }],
  ['preStopWait', { preStopWait: Duration.seconds(40), terminationGracePeriod: Duration.seconds(30) }],
  ['progressDeadline', { minReady: Duration.seconds(10), progressDeadline: Duration.seconds(10) }],
  ['revisionHistoryLimit', { revisionHistoryLimit: -1 }],
  ['labels', { labels: { 'app.kubernetes.io/name': 'x' } }], ['labels', { labels: { 'team name': 'x' } }],
  ['changeCause', { changeCause: 'x', annotations: { 'kubernetes.io/change-cause': 'y' } }],
  ['ports[0].name', { ports: [{ name: 'Metrics', number: 9090 }] }], ['ports[0].name', { ports: [{ number: 9090 }] }],
  ['podAnnotations', { podAnnotations: { 'kubectl.kubernetes.io/restartedAt': 'x' } }],
  ['podLabels', { podLabels: { 'app.kubernetes.io/version': 'x' } }],
  ['sidecars[0].name', { sidecars: [{ name: 'app', image: 'proxy:1' }] }],
  ['priorityClassName', { priorityClassName: 'High' }],
  ['podSecurity', { podSecurity: 'strict' }],
  ['disruptionBudget', { disruptionBudget: DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.percent(101)) }],
  ['startupLimit', { startupLimit: Duration.millis(500) }],
  ['startupProbe', { startupProbe: false, startupLimit: Duration.seconds(60) }],
  ['autoscaling.minReplicas', { autoscaling: { minReplicas: 0, maxReplicas: 1 } }],
  ['autoscaling.maxReplicas', { autoscaling: { minReplicas: 3, maxReplicas: 2 } }],
  ['autoscaling.cpuUtilization', { autoscaling: { minReplicas: 1, maxReplicas: 2, cpuUtilization: 0 } }],
  ['replicas', { replicas: 2, autoscaling: { minReplicas: 1, maxReplicas: 2 } }],
];
const rollingBreakage: Array<[string, Record<string, unknown>]> = [
  ['maxUnavailable', { maxSurge: kplus.PercentOrAbsolute.absolute(0), maxUnavailable: kplus.PercentOrAbsolute.percent(0) }],
  ['maxUnavailable', { maxUnavailable: kplus.PercentOrAbsolute.percent(101) }],
  ['maxSurge', { maxSurge: kplus.PercentOrAbsolute.absolute(-1) }],
  ['maxSurge', { maxSurge: kplus.PercentOrAbsolute.percent(2.5) }],
];
const versionBreakage: Array<[string, Record<string, unknown>]> = [
  ['image', { image: '' }], ['image', { image: 'web: 1' }], ['image', { image: 'nginx:' }], ['image', { image: 'Shop/Web:1' }],
  ['version', { version: '' }], ['version', { version: '-x' }], ['version', { version: 'a b' }],
];
const slotBreakage: Array<[string, Record<string, unknown>]> = [
  ['blue.image', { blue: { image: '' } }], ['green.version', { green: { image: 'web:1', version: '1 0' } }],
  ['activeSlot', { activeSlot: 'red' }], ['idleReplicas', { idleReplicas: -1 }],
];
const canaryBreakage: Array<[string, Record<string, unknown>]> = [
  ['canaryWeight', { canaryReplicas: undefined, canaryWeight: 101 }],
  ['canaryWeight', { canaryReplicas: undefined, canaryWeight: -1 }],
  ['canaryReplicas', { canaryWeight: 10, canaryReplicas: 1 }],
  ['canaryReplicas', { canaryWeight: undefined, canaryReplicas: 51 }],
  ['stable.image', { stable: { image: ' ' } }],
];

/** Asserts that every breakage of valid props is refused with an error naming the construct and the prop. */
function refusesBreakage<P>(props: fc.Arbitrary<P>, build: Build<P>, breakage: Array<[string, Record<string, unknown>]>): void {
  fc.assert(fc.property(props, fc.constantFrom(...breakage), (valid, [prop, change]) => {
    const chart = newChart();
    // A map prop names the offending key ('labels' has the managed key ...), any other its value.
    const named = new RegExp(`^test/app: '${prop.replace(/[.[\]]/g, '\\$&')}' (is|has the [a-z ]*key) `);
    expect(() => build(chart, { ...valid, ...change })).toThrow(named);
  }), { numRuns: RUNS });
}

describe('invalid props are refused with an error naming the construct and the prop, and never synthesize', () => {
  test('RecreateApp', () => refusesBreakage(appProps, recreate, [...commonBreakage, ...versionBreakage]));
  test('RampedApp', () => refusesBreakage(rampedProps, ramped, [...commonBreakage, ...versionBreakage, ...rollingBreakage]));
  test('BlueGreenApp', () => refusesBreakage(blueGreenProps, blueGreen, [...commonBreakage, ...rollingBreakage, ...slotBreakage]));
  test('CanaryApp', () => refusesBreakage(canaryProps, canaryApp, [...commonBreakage, ...rollingBreakage, ...canaryBreakage]));
});
