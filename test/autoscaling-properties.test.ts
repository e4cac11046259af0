// Property tests of autoscaled apps: every Deployment has its autoscaler and no spec.replicas in
// any phase, and the release steps pass the gate. The autoscaled CanaryApp: autoscaling-canary-properties.
import * as fc from 'fast-check';
import { Slot } from '../lib';
import {
  RUNS, autoscaling, blueGreen, blueGreenProps, expectAutoscaledPhases, expectSameShape, manifestsOf,
  manifestsOfPhases, ramped, rampedProps, recreate, variant,
} from './properties/arbitraries';

describe('with autoscaling, every Deployment has an autoscaler and no spec.replicas in any phase, and the steps pass the gate', () => {
  test('RecreateApp and RampedApp: a new version and a rollback', () => {
    fc.assert(fc.property(rampedProps, variant, autoscaling, (props, next, scaling) => {
      const p = { ...props, replicas: undefined, autoscaling: scaling };
      expectAutoscaledPhases(manifestsOfPhases(ramped, [p, { ...p, ...next }, p]));
      const [before, after] = [p, { ...p, ...next }].map(phase => manifestsOf(recreate, phase));
      expectSameShape(before, after);
    }), { numRuns: RUNS });
  });

  test('BlueGreenApp: deploy to the idle slot, switch, and roll back', () => {
    fc.assert(fc.property(blueGreenProps, variant, autoscaling, (props, next, scaling) => {
      fc.pre(next.image !== props.blue?.image && next.image !== props.green?.image);
      const p = { ...props, replicas: undefined, idleReplicas: undefined, autoscaling: scaling };
      const idle = p.activeSlot === Slot.BLUE ? 'green' : 'blue';
      const other = p.activeSlot === Slot.BLUE ? Slot.GREEN : Slot.BLUE;
      const deployed = { ...p, [idle]: next };
      const phases = [p, deployed, { ...deployed, activeSlot: other }, deployed];
      expectAutoscaledPhases(manifestsOfPhases(blueGreen, phases));
    }), { numRuns: RUNS });
  });
});
