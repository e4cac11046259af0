// Property tests of the A/B test and the shadow behind a traffic router: every phase keeps the
// objects and selectors and passes the release gate, and the serving Service never selects a
// shadow pod.
import * as fc from 'fast-check';
import { ABTestApp, ABTestAppProps, RequestMatch, ShadowApp, ShadowAppProps, TrafficRouter } from '../lib';
import {
  Build, RUNS, common, expectGatePasses, expectSameShapes, manifestsOf, rolling, variant,
} from './properties/arbitraries';
import { Manifest } from './util';

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
  /** The variant the route's first rule, the one with the matches, sends to. */
  const firstRuleTarget = (manifests: Manifest[]) => {
    const route = manifests.find(m => m.kind === 'HTTPRoute' || m.kind === 'VirtualService')!;
    return route.kind === 'HTTPRoute' ? route.spec.rules[0].backendRefs[0].name.split('-').pop()
      : route.spec.http[0].route[0].destination.subset;
  };
  const shadowApp: Build<ShadowAppProps> = (chart, props) => new ShadowApp(chart, 'app', props);

  test('ABTestApp: a new B, the winner into A, B scaled to 0, then the next test: B\'s pods first, then its route', () => {
    const nextB = fc.integer({ min: 1, max: 20 });
    fc.assert(fc.property(abProps, variant, nextB, matches, (props, next, nextReplicas, nextMatches) => {
      const promoted = { ...props, a: props.b };
      const concludedProps = { ...promoted, bReplicas: 0 };
      const nextProps = { ...promoted, b: next, bReplicas: nextReplicas, matches: nextMatches };
      const [before, newB, afterPromotion, concluded, nextStarted, nextRunning] = [props, { ...props, b: next }, promoted,
        concludedProps, { ...nextProps, routeToB: false }, nextProps].map(p => manifestsOf(abApp, p));
      expectSameShapes(before, [newB, afterPromotion, concluded, nextStarted, nextRunning]);
      expectGatePasses([before, newB]);
      expectGatePasses([before, afterPromotion, concluded, nextStarted, nextRunning]);
      // While B's pods start, the requests that match still go to A.
      expect([concluded, nextStarted, nextRunning].map(firstRuleTarget)).toEqual(['a', 'a', 'b']);
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
