// Property test of the autoscaled CanaryApp behind a traffic router: every Deployment has its
// autoscaler and no spec.replicas in any phase, and a weight change, promotion and abort pass the gate.
import * as fc from 'fast-check';
import { TrafficRouter } from '../lib';
import { RUNS, autoscaling, canaryApp, canaryProps, expectAutoscaledPhases, manifestsOf } from './properties/arbitraries';

describe('with autoscaling, every Deployment has an autoscaler and no spec.replicas in any phase, and the steps pass the gate', () => {
  const router = fc.constantFrom(TrafficRouter.gatewayApi(), TrafficRouter.istio());

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
