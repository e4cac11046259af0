// Property tests of CanaryApp behind a traffic router: the route carries the weight exactly, and
// every phase keeps the objects and selectors. A/B tests and shadows: ab-test-and-shadow-properties.
import * as fc from 'fast-check';
import { CanaryAppProps, TrafficRouter } from '../lib';
import { Manifest } from './util';
import { RUNS, canaryApp, canaryProps, expectSameShapes, manifestsOf } from './properties/arbitraries';

describe('with a traffic router, the route carries canaryWeight exactly', () => {
  const router = fc.constantFrom('gatewayApi', 'istio').map(kind =>
    (kind === 'gatewayApi' ? TrafficRouter.gatewayApi() : TrafficRouter.istio()));
  /** A weight with at most two decimals, as hundredths of a percent. */
  const hundredths = fc.integer({ min: 0, max: 10000 });

  /** The stable and canary weights of the route, whichever router wrote it. */
  function weights(manifests: Manifest[]): [number, number] {
    const route = manifests.find(m => m.kind === 'HTTPRoute' || m.kind === 'VirtualService')!;
    const entries: any[] = route.kind === 'HTTPRoute' ? route.spec.rules[0].backendRefs : route.spec.http[0].route;
    const [stable, canary] = entries.map(e => e.weight);
    return [stable, canary];
  }

  test('CanaryApp: the weights\' ratio is the weight, and a weight change, promotion and abort keep the objects and selectors', () => {
    fc.assert(fc.property(canaryProps, router, hundredths, hundredths, (props, trafficRouter, first, next) => {
      const replicas = Math.max(props.replicas!, 1);
      const phase = (change: Partial<CanaryAppProps>) => ({
        ...props, replicas, canaryReplicas: undefined, weightTolerance: undefined, trafficRouter, ...change,
      });
      const before = manifestsOf(canaryApp, phase({ canaryWeight: first / 100 }));
      const [stable, canary] = weights(before);
      // canary / (stable + canary) = first / 10000, in integers: exact.
      expect(canary * 10000).toBe(first * (stable + canary));
      const promoted = phase({ stable: props.canary!, canaryWeight: 0 });
      const phases = [phase({ canaryWeight: next / 100 }), promoted, phase({ canaryWeight: 0 })];
      expectSameShapes(before, phases.map(p => manifestsOf(canaryApp, p)));
    }), { numRuns: RUNS });
  });
});
