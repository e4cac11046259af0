import { ApiObject, JsonPatch } from 'cdk8s';
import { ABTestApp, ABTestAppProps, RequestMatch, ReleaseDiff, ShadowApp, ShadowAppProps, TrafficRouter } from '../lib';
import { errorOf, find, newChart, objectSet, podLabels, selects, synth, synthWith, validateChart } from './util';

const abBase: ABTestAppProps = {
  name: 'web', port: 8080, replicas: 3,
  a: { image: 'registry.example.com/shop/web:1.4.0' },
  b: { image: 'registry.example.com/shop/web:1.5.0' },
  matches: [RequestMatch.header('X-Beta', 'true'), RequestMatch.cookie('beta', 'yes'), RequestMatch.queryParam('beta', '1')],
  trafficRouter: TrafficRouter.gatewayApi(),
};
const ab = (props: Partial<ABTestAppProps> = {}) => synthWith(chart => new ABTestApp(chart, 'web', { ...abBase, ...props }));
const abError = (props: Partial<ABTestAppProps>) => errorOf(() => new ABTestApp(newChart(), 'web', { ...abBase, ...props }));

const shadowBase: ShadowAppProps = {
  name: 'api', port: 8080, replicas: 3,
  primary: { image: 'registry.example.com/shop/api:1.4.0' },
  shadow: { image: 'registry.example.com/shop/api:1.5.0', envVariables: {} },
  trafficRouter: TrafficRouter.gatewayApi(),
};
const shadow = (props: Partial<ShadowAppProps> = {}) => synthWith(chart => new ShadowApp(chart, 'api', { ...shadowBase, ...props }));
const shadowError = (props: Partial<ShadowAppProps>) => errorOf(() => new ShadowApp(newChart(), 'api', { ...shadowBase, ...props }));

describe('ABTestApp', () => {
  test.each([
    ['Gateway API', TrafficRouter.gatewayApi()],
    ['Istio', TrafficRouter.istio()],
  ])('synthesizes two variants, a Service each and one for both, and a route that sends matching requests to B (%s)', (_n, trafficRouter) => {
    // GIVEN
    const chart = newChart('shop');
    // WHEN
    new ABTestApp(chart, 'web', { ...abBase, name: undefined, trafficRouter });
    // THEN
    expect(synth(chart)).toMatchSnapshot();
  });

  test('the HTTPRoute\'s first rule carries the matches and sends to B; the last sends everything else to A', () => {
    // WHEN
    const rules = find(ab(), 'HTTPRoute', 'web').spec.rules;
    // THEN
    expect(rules).toHaveLength(2);
    expect(rules[0].backendRefs.map((b: any) => b.name)).toEqual(['web-b']);
    expect(rules[0].matches).toEqual([
      { path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'X-Beta', value: 'true' }] },
      { path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'RegularExpression', name: 'Cookie', value: '(^|.*;\\s*)beta=yes(;.*|$)' }] },
      { path: { type: 'PathPrefix', value: '/' }, queryParams: [{ type: 'Exact', name: 'beta', value: '1' }] },
    ]);
    expect(rules[1]).toEqual({ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [expect.objectContaining({ name: 'web-a' })] });
  });

  test('the cookie expression matches the cookie wherever it stands in the header, and nothing else', () => {
    // GIVEN
    const rules = find(ab({ matches: [RequestMatch.cookie('beta', 'y.s')] }), 'HTTPRoute', 'web').spec.rules;
    const expression = new RegExp(`^${rules[0].matches[0].headers[0].value}$`);
    // THEN
    expect(['beta=y.s', 'a=1; beta=y.s', 'beta=y.s; b=2', 'a=1;beta=y.s;b=2'].every(h => expression.test(h))).toBe(true);
    expect(['beta=yes', 'xbeta=y.s', 'beta=y.sx', 'a=beta=y.s'].some(h => expression.test(h))).toBe(false);
  });

  test('with Istio, header names are lower case and the matching route to subset b comes first', () => {
    // WHEN
    const objects = ab({ trafficRouter: TrafficRouter.istio() });
    // THEN
    const http = find(objects, 'VirtualService', 'web').spec.http;
    expect(http[0].match[0]).toEqual({ headers: { 'x-beta': { exact: 'true' } } });
    expect(http.map((h: any) => h.route[0].destination.subset)).toEqual(['b', 'a']);
    expect(find(objects, 'DestinationRule', 'web').spec.subsets.map((s: any) => s.name).sort()).toEqual(['a', 'b']);
  });

  test('each variant is selected by a fixed label, never the version', () => {
    // WHEN
    const objects = ab();
    // THEN
    expect(find(objects, 'Deployment', 'web-b').spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'web', 'cdk8s-deployment-strategies/variant': 'b',
    });
    expect(selects(find(objects, 'Service', 'web-a').spec.selector, podLabels(find(objects, 'Deployment', 'web-b')))).toBe(false);
  });

  test('concluding: the winner into a and B at 0 keep the objects, pass the gate, and send every request to A', () => {
    // GIVEN
    const running = ab();
    // WHEN
    const promoted = ab({ a: abBase.b });
    const concluded = ab({ a: abBase.b, bReplicas: 0 });
    // THEN
    expect(objectSet(promoted)).toEqual(objectSet(running));
    expect(objectSet(concluded)).toEqual(objectSet(running));
    expect(ReleaseDiff.between(running, promoted).findings).toEqual([]);
    expect(ReleaseDiff.between(promoted, concluded).findings).toEqual([]);
    expect(find(concluded, 'HTTPRoute', 'web').spec.rules.map((r: any) => r.backendRefs[0].name)).toEqual(['web-a', 'web-a']);
    expect(ReleaseDiff.between(running, promoted).apps).toEqual([{ name: 'web', strategy: 'ab-test', move: 'a 1.4.0 → 1.5.0' }]);
  });

  test.each([
    ['Gateway API', TrafficRouter.gatewayApi()],
    ['Istio', TrafficRouter.istio()],
  ])('the next test after concluding: B\'s pods start with routeToB false, then the route sends to them; each step passes the gate (%s)',
    (router, trafficRouter) => {
      // GIVEN: concluded (B at 0), then a new B and other matches
      const concluded = { trafficRouter, a: abBase.b, bReplicas: 0 };
      const next = { ...concluded, b: { image: 'registry.example.com/shop/web:1.6.0' }, bReplicas: 2,
        matches: [RequestMatch.header('X-Beta', '2')] };
      // WHEN
      const [before, started, running] = [ab(concluded), ab({ ...next, routeToB: false }), ab(next)];
      const firstRule = (objects: any[]) => (router === 'Istio'
        ? find(objects, 'VirtualService', 'web').spec.http[0].route[0].destination.subset
        : find(objects, 'HTTPRoute', 'web').spec.rules[0].backendRefs[0].name);
      // THEN
      expect([before, started, running].map(firstRule)).toEqual(router === 'Istio' ? ['a', 'a', 'b'] : ['web-a', 'web-a', 'web-b']);
      expect(find(started, 'Deployment', 'web-b').spec.replicas).toBe(2);
      expect(ReleaseDiff.between(before, started).findings).toEqual([]);
      expect(ReleaseDiff.between(started, running).findings).toEqual([]);
      // In one step, the route sends to B's new pods while they start, before anyone checked them.
      expect(ReleaseDiff.between(before, running).findings.map(f => `${f.severity} ${f.code}`).sort())
        .toEqual(['block route-outpaces-pods', 'block unverified-switch']);
    });

  test('with Istio, subset b stays defined while no request goes to B, so that routing to it changes the VirtualService only', () => {
    // GIVEN
    const istio = { trafficRouter: TrafficRouter.istio() };
    const subsets = (objects: any[]) => find(objects, 'DestinationRule', 'web').spec.subsets.map((x: any) => x.name).sort();
    // WHEN
    const [concluded, started, running] = [ab({ ...istio, bReplicas: 0 }), ab({ ...istio, routeToB: false }), ab(istio)];
    // THEN
    expect([concluded, started, running].map(subsets)).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b']]);
    expect(find(started, 'DestinationRule', 'web')).toEqual(find(running, 'DestinationRule', 'web'));
  });

  test('the next test with other matches and a new B is a rolling update of B, not a new rule', () => {
    // WHEN
    const diff = ReleaseDiff.between(ab({ replicas: 4 }), ab({ replicas: 4, b: { image: 'registry.example.com/shop/web:1.6.0' },
      matches: [RequestMatch.header('X-Beta', 'true'), RequestMatch.cookie('beta2', 'yes')] }));
    // THEN
    expect(diff.findings).toEqual([]);
  });

  test('unverified-promotion: variant a moves to a version variant b did not run', () => {
    // WHEN
    const diff = ReleaseDiff.between(ab(), ab({ a: { image: 'registry.example.com/shop/web:1.6.0' } }));
    // THEN
    expect(diff.findings.map(f => `${f.severity} ${f.code}`)).toEqual(['block unverified-promotion']);
    expect(diff.findings[0].message).toBe('A/B test web: variant a moves to 1.6.0, which variant b did not run before this '
      + 'apply: run it as variant b first, then promote');
  });

  test('the chart checks refuse a route whose catch-all rule comes first', () => {
    // GIVEN
    const chart = newChart('shop');
    const app = new ABTestApp(chart, 'web', abBase);
    const route = app.node.findChild('HTTPRoute') as ApiObject;
    const rules = synth(chart).find(m => m.kind === 'HTTPRoute')!.spec.rules;
    // WHEN
    route.addJsonPatch(JsonPatch.replace('/spec/rules', [rules[1], rules[0]]));
    // THEN
    expect(() => validateChart(chart)).toThrow(
      /HTTPRoute web rule 2 matches requests by header or query parameter after rule 1, which takes every request/);
  });

  test('the chart checks refuse a match on a name that is not a header name', () => {
    const chart = newChart('shop');
    const app = new ABTestApp(chart, 'web', abBase);
    (app.node.findChild('HTTPRoute') as ApiObject).addJsonPatch(JsonPatch.replace('/spec/rules/0/matches/0/headers/0/name', 'x beta'));
    expect(() => validateChart(chart)).toThrow(
      /HTTPRoute web rule 1 matches on "x beta", which is not a header or parameter name/);
  });

  describe('bad input', () => {
    test.each([
      [{ trafficRouter: undefined }, 'test/web: \'trafficRouter\' is undefined; A/B routing by header, cookie or query parameter needs a router'],
      [{ matches: [] }, 'test/web: \'matches\' is "[]"; it must list 1 to 64 RequestMatch conditions'],
      [{ matches: Array.from({ length: 65 }, () => RequestMatch.header('x', '1')) }, 'test/web: \'matches\' is "65 conditions"'],
      [{ matches: [RequestMatch.header('x beta', '1')] }, 'test/web: \'matches[0].name\' is "x beta"; a header name must be an HTTP token'],
      [{ matches: [RequestMatch.header('x:beta', '1')] }, 'test/web: \'matches[0].name\' is "x:beta"'],
      [{ matches: [RequestMatch.header('x-beta', '')] }, 'test/web: \'matches[0].value\' is ""; a header value must be a non-empty string'],
      [{ matches: [RequestMatch.cookie('beta', 'a;b')] }, 'test/web: \'matches[0].value\' is "a;b"; a cookie value may not hold'],
      [{ matches: [RequestMatch.queryParam('beta', 'x'.repeat(1025))] }, 'test/web: \'matches[0].value\' is "xxxx'],
      [{ bReplicas: -1 }, 'test/web: \'bReplicas\' is -1; it must be an integer 0 or more'],
      [{ bReplicas: 1.5 }, 'test/web: \'bReplicas\' is 1.5; it must be an integer 0 or more'],
      [{ routeToB: 'false' }, 'test/web: \'routeToB\' is "false"; it must be true or false'],
      [{ a: undefined }, 'test/web: \'a\' is undefined; both versions are needed'],
      [{ b: undefined }, 'test/web: \'b\' is undefined; both versions are needed'],
    ])('%j fails', (props, message) => {
      expect(abError(props as Partial<ABTestAppProps>).startsWith(message)).toBe(true);
    });
  });
});

describe('ShadowApp', () => {
  test.each([
    ['Gateway API', TrafficRouter.gatewayApi()],
    ['Istio', TrafficRouter.istio()],
  ])('synthesizes the primary and the shadow, a Service each, and a route that mirrors to the shadow (%s)', (_n, trafficRouter) => {
    // GIVEN
    const chart = newChart('shop');
    // WHEN
    new ShadowApp(chart, 'api', { ...shadowBase, name: undefined, trafficRouter, mirrorPercent: 25 });
    // THEN
    expect(synth(chart)).toMatchSnapshot();
  });

  test('the serving Service selects the primary only, the shadow Service the shadow only', () => {
    // WHEN
    const objects = shadow();
    // THEN
    const primaryPods = podLabels(find(objects, 'Deployment', 'api'));
    const shadowPods = podLabels(find(objects, 'Deployment', 'api-shadow'));
    expect(selects(find(objects, 'Service', 'api').spec.selector, primaryPods)).toBe(true);
    expect(selects(find(objects, 'Service', 'api').spec.selector, shadowPods)).toBe(false);
    expect(selects(find(objects, 'Service', 'api-shadow').spec.selector, shadowPods)).toBe(true);
    expect(selects(find(objects, 'Service', 'api-shadow').spec.selector, primaryPods)).toBe(false);
  });

  test('Gateway API: every request to the primary, a RequestMirror filter with percent to the shadow', () => {
    const rule = find(shadow({ mirrorPercent: 25 }), 'HTTPRoute', 'api').spec.rules[0];
    expect(rule.backendRefs.map((b: any) => b.name)).toEqual(['api']);
    expect(rule.filters).toEqual([{
      type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'api-shadow', port: 80 }, percent: 25 },
    }]);
  });

  test('Istio: a route to the primary with mirror and mirrorPercentage', () => {
    const http = find(shadow({ trafficRouter: TrafficRouter.istio() }), 'VirtualService', 'api').spec.http[0];
    expect(http.route).toEqual([{ destination: { host: 'api', port: { number: 80 } } }]);
    expect([http.mirror, http.mirrorPercentage]).toEqual([{ host: 'api-shadow', port: { number: 80 } }, { value: 100 }]);
  });

  test('a new shadow version, a lower percentage and stopping keep the objects and pass the gate', () => {
    // GIVEN
    const steps = [shadow(), shadow({ shadow: { image: 'registry.example.com/shop/api:1.6.0' } }), shadow({ mirrorPercent: 10 }),
      shadow({ mirrorPercent: 0 }), shadow({ mirrorPercent: 0, shadowReplicas: 0 })];
    // THEN
    for (let i = 1; i < steps.length; i++) {
      expect(objectSet(steps[i])).toEqual(objectSet(steps[0]));
      expect(ReleaseDiff.between(steps[i - 1], steps[i]).findings).toEqual([]);
    }
  });

  test('unverified-promotion: the primary moves to a version the shadow did not run', () => {
    // WHEN
    const unseen = ReleaseDiff.between(shadow(), shadow({ primary: { image: 'registry.example.com/shop/api:1.6.0' } }));
    const shadowed = ReleaseDiff.between(shadow(), shadow({ primary: { image: 'registry.example.com/shop/api:1.5.0' } }));
    // THEN
    expect(unseen.findings.map(f => f.message)).toEqual(['shadow app api: the primary moves to 1.6.0, which the shadow did '
      + 'not run before this apply: run it as the shadow first, then promote']);
    expect(shadowed.findings).toEqual([]);
  });

  test('the chart checks refuse a route that sends user traffic to the shadow', () => {
    const chart = newChart('shop');
    const app = new ShadowApp(chart, 'api', shadowBase);
    (app.node.findChild('HTTPRoute') as ApiObject).addJsonPatch(JsonPatch.replace('/spec/rules/0/backendRefs/0/name', 'api-shadow'));
    expect(() => validateChart(chart)).toThrow(/HTTPRoute api sends user traffic to Service api-shadow, the app's mirror target/);
  });

  test('the chart checks refuse an Istio route to the shadow and a mirror to another Service', () => {
    const chart = newChart('shop');
    const app = new ShadowApp(chart, 'api', { ...shadowBase, trafficRouter: TrafficRouter.istio() });
    (app.node.findChild('VirtualService') as ApiObject).addJsonPatch(
      JsonPatch.replace('/spec/http/0/route/0/destination/host', 'api-shadow'),
      JsonPatch.replace('/spec/http/0/mirror/host', 'api'));
    expect(() => validateChart(chart)).toThrow(
      new RegExp('mirrors to "api", which is not the mirror target of this app[\\s\\S]*'
        + 'sends user traffic to host "api-shadow", the app\'s mirror target'));
  });

  test('the chart checks refuse a mirror target that selects the primary too', () => {
    const chart = newChart('shop');
    const app = new ShadowApp(chart, 'api', shadowBase);
    app.shadowService.selectLabel('cdk8s-deployment-strategies/variant', 'primary');
    expect(() => validateChart(chart)).toThrow(
      /Service api-shadow selects Deployment api, but should select exactly Deployment api-shadow/);
  });

  describe('bad input', () => {
    test.each([
      [{ trafficRouter: undefined }, 'test/api: \'trafficRouter\' is undefined; copying requests to a shadow needs a router'],
      [{ mirrorPercent: 101 }, 'test/api: \'mirrorPercent\' is 101; it must be an integer from 0 to 100'],
      [{ mirrorPercent: 12.5 }, 'test/api: \'mirrorPercent\' is 12.5; it must be an integer from 0 to 100'],
      [{ mirrorPercent: -1 }, 'test/api: \'mirrorPercent\' is -1'],
      [{ shadowReplicas: -1 }, 'test/api: \'shadowReplicas\' is -1; it must be an integer 0 or more'],
      [{ shadowReplicas: 0 }, 'test/api: \'shadowReplicas\' is 0; the route copies 100% of the requests to the shadow, which needs pods'],
      [{ primary: undefined }, 'test/api: \'primary\' is undefined; both versions are needed'],
      [{ shadow: undefined }, 'test/api: \'shadow\' is undefined; both versions are needed'],
    ])('%j fails', (props, message) => {
      expect(shadowError(props as Partial<ShadowAppProps>).startsWith(message)).toBe(true);
    });
  });
});

test.each([
  ['ABTestApp', () => new ABTestApp(newChart(), 'web', { ...abBase, replicas: undefined, autoscaling: { minReplicas: 2, maxReplicas: 4 } }),
    'test/web: \'autoscaling\' is "{ minReplicas: 2 }"; an A/B test sizes its versions with \'replicas\' and \'bReplicas\''],
  ['ShadowApp', () => new ShadowApp(newChart(), 'api', { ...shadowBase, replicas: undefined, autoscaling: { minReplicas: 2, maxReplicas: 4 } }),
    'test/api: \'autoscaling\' is "{ minReplicas: 2 }"; a shadow sizes its versions with \'replicas\' and \'shadowReplicas\''],
])('%s refuses autoscaling, which would undo scaling a version to 0', (_name, build, message) => {
  expect(errorOf(build).startsWith(message)).toBe(true);
});
