// Property tests of autoscaled apps: every Deployment has its autoscaler and no spec.replicas in
// any phase, and the release steps pass the gate.
import * as fc from 'fast-check';
import { AutoscalingProps, Slot, TrafficRouter } from '../lib';
import { Manifest } from './util';
import {
  RUNS, blueGreen, blueGreenProps, canaryApp, canaryProps, expectGatePasses, expectSameShape, expectSameShapes,
  manifestsOf, manifestsOfPhases, ramped, rampedProps, recreate, variant,
} from './properties/arbitraries';

describe('with autoscaling, every Deployment has an autoscaler and no spec.replicas in any phase, and the steps pass the gate', () => {
  const autoscaling: fc.Arbitrary<AutoscalingProps> = fc.record({
    minReplicas: fc.integer({ min: 1, max: 20 }),
    extra: fc.integer({ min: 0, max: 20 }),
    cpuUtilization: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
    memoryUtilization: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
  }).map(a => ({
    minReplicas: a.minReplicas,
    maxReplicas: a.minReplicas + a.extra,
    cpuUtilization: a.cpuUtilization,
    memoryUtilization: a.memoryUtilization,
  }));
  const router = fc.constantFrom(TrafficRouter.gatewayApi(), TrafficRouter.istio());

  /** The phases keep the objects, each Deployment has its autoscaler and no replicas, and each move passes the gate. */
  function expectAutoscaledPhases(phases: Manifest[][]): void {
    expectSameShapes(phases[0], phases);
    const names = (manifests: Manifest[]) => manifests.map(m => m.metadata.name).sort();
    const targets = (manifests: Manifest[]) => manifests.map(m => m.spec.scaleTargetRef.name).sort();
    expect(phases.map(phase => targets(phase.filter(m => m.kind === 'HorizontalPodAutoscaler'))))
      .toEqual(phases.map(phase => names(phase.filter(m => m.kind === 'Deployment'))));
    expectGatePasses(phases);
  }

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

  test('CanaryApp with a router: a weight change, promotion and abort', () => {
    const hundredths = fc.integer({ min: 0, max: 10000 });
    fc.assert(fc.property(canaryProps, router, hundredths, autoscaling, (props, trafficRouter, weight, scaling) => {
      const p = {
        ...props, replicas: undefined, canaryReplicas: undefined, weightTolerance: undefined, trafficRouter, autoscaling: scaling,
        canaryWeight: weight / 100,
      };
      const promoted = { ...p, canaryWeight: 50, stable: p.canary! };
      const phases = [p, { ...p, canaryWeight: 50 }, promoted, { ...promoted, canaryWeight: 0 }];
      expectAutoscaledPhases(phases.map(phase => manifestsOf(canaryApp, phase)));
    }), { numRuns: RUNS });
  });
});
