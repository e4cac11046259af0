// Property tests of the apps behind a traffic router: exact canary weights, A/B tests and shadows,
// every phase keeping the objects and selectors and passing the release gate.
import * as fc from 'fast-check';
import {
  ABTestApp, ABTestAppProps, CanaryAppProps, RequestMatch, ShadowApp, ShadowAppProps, TrafficRouter,
} from '../lib';
import { Manifest } from './util';
import {
  Build, RUNS, canaryApp, canaryProps, common, expectGatePasses, expectSameShapes, manifestsOf, rolling,
  variant,
} from './properties/arbitraries';

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

describe('A/B tests and shadows: every phase keeps the objects and selectors and passes the gate', () => {
  const router = fc.constantFrom('gatewayApi', 'istio').map(kind =>
    (kind === 'gatewayApi' ? TrafficRouter.gatewayApi() : TrafficRouter.istio()));
  const token = fc.stringMatching(/^[a-zA-Z0-9][-a-zA-Z0-9_.]{0,20}$/);
  const value = fc.stringMatching(/^[a-zA-Z0-9][-a-zA-Z0-9_.]{0,20}$/);
  const match = fc.tuple(fc.constantFrom(RequestMatch.header, RequestMatch.cookie, RequestMatch.queryParam), token, value)
    .map(([make, n, v]) => make(n, v));
  const matches = fc.array(match, { minLength: 1, maxLength: 5 });
  const abProps: fc.Arbitrary<ABTestAppProps> = fc.tuple(common, rolling, variant, variant, matches, router)
    .map(([c, r, a, b, matches, trafficRouter]) => ({ ...c, ...r, a, b, matches, trafficRouter }));
  const percent = fc.integer({ min: 0, max: 100 });
  const shadowProps: fc.Arbitrary<ShadowAppProps> = fc.tuple(common, rolling, variant, variant, percent, router)
    .map(([c, r, primary, shadowVariant, mirrorPercent, trafficRouter]) =>
      // With no pods there is no shadow to copy requests to.
      ({ ...c, ...r, primary, shadow: shadowVariant, mirrorPercent: c.replicas === 0 ? 0 : mirrorPercent, trafficRouter }));
  const abApp: Build<ABTestAppProps> = (chart, props) => new ABTestApp(chart, 'app', props);
  const shadowApp: Build<ShadowAppProps> = (chart, props) => new ShadowApp(chart, 'app', props);

  test('ABTestApp: a new B, the winner into A, then B scaled to 0', () => {
    fc.assert(fc.property(abProps, variant, (props, next) => {
      const promoted = { ...props, a: props.b };
      const [before, newB, afterPromotion, concluded] = [props, { ...props, b: next }, promoted, { ...promoted, bReplicas: 0 }]
        .map(p => manifestsOf(abApp, p));
      expectSameShapes(before, [newB, afterPromotion, concluded]);
      expectGatePasses([before, newB]);
      expectGatePasses([before, afterPromotion, concluded]);
    }), { numRuns: RUNS });
  });

  test('ShadowApp: a new shadow and another share; the serving Service never selects a shadow pod', () => {
    fc.assert(fc.property(shadowProps, variant, fc.integer({ min: 0, max: 100 }), (props, next, percent) => {
      const mirrorPercent = (props.replicas ?? 2) === 0 ? 0 : percent;
      const phases = [props, { ...props, shadow: next }, { ...props, mirrorPercent }].map(p => manifestsOf(shadowApp, p));
      expectSameShapes(phases[0], phases);
      const servingSelectsShadow = phases.map(phase => {
        const serving = phase.find(m => m.kind === 'Service' && m.metadata.name === props.name)!;
        const shadowPods = phase.find(m => m.kind === 'Deployment' && m.metadata.name === `${props.name}-shadow`)!;
        const shadowLabels = shadowPods.spec.template.metadata.labels;
        return Object.entries(serving.spec.selector).every(([k, v]) => shadowLabels[k] === v);
      });
      expect(servingSelectsShadow).toEqual(phases.map(() => false));
      expectGatePasses(phases);
    }), { numRuns: RUNS });
  });
});
