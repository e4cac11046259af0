import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import {
  BlueGreenApp, BlueGreenAppProps, CanaryApp, CanaryAppProps, RampedApp, RecreateApp, ReleaseDiff, Slot, TrafficRouter,
} from '../lib';
import { errorOf, find, Manifest, newChart, objectSet, selects, synth, synthWith, validateChart, validateCustomResources } from './util';

const canaryBase: CanaryAppProps = {
  name: 'web', port: 8080, replicas: 10,
  stable: { image: 'registry.example.com/shop/web:1.4.0' },
  canary: { image: 'registry.example.com/shop/web:1.5.0' },
  canaryWeight: 10,
  trafficRouter: TrafficRouter.gatewayApi(),
};
const canary = (props: Partial<CanaryAppProps> = {}) => synthWith(chart => new CanaryApp(chart, 'web', { ...canaryBase, ...props }));
const canaryError = (props: Partial<CanaryAppProps>) => errorOf(() => new CanaryApp(newChart(), 'web', { ...canaryBase, ...props }));

const blueGreenBase: BlueGreenAppProps = {
  name: 'api', port: 8080, replicas: 3,
  blue: { image: 'registry.example.com/shop/api:1.4.0' },
  green: { image: 'registry.example.com/shop/api:1.5.0' },
  activeSlot: Slot.BLUE,
  trafficRouter: TrafficRouter.gatewayApi(),
};
const blueGreen = (props: Partial<BlueGreenAppProps> = {}) =>
  synthWith(chart => new BlueGreenApp(chart, 'api', { ...blueGreenBase, ...props }));

const backendWeights = (objects: Manifest[]) =>
  Object.fromEntries(find(objects, 'HTTPRoute', 'web').spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight]));
const istioWeights = (objects: Manifest[]) =>
  Object.fromEntries(find(objects, 'VirtualService', 'web').spec.http[0].route.map((r: any) => [r.destination.subset, r.weight]));

describe('CanaryApp with Gateway API', () => {
  test('synthesizes the tracks, a Service per track and an HTTPRoute on the app\'s own Service (the mesh)', () => {
    // GIVEN
    const chart = newChart('shop');
    // WHEN
    new CanaryApp(chart, 'web', { ...canaryBase, name: undefined, canaryWeight: 12.5 });
    // THEN
    expect(synth(chart)).toMatchSnapshot();
  });

  test('attaches the route to a Gateway, with host names and a path prefix', () => {
    // WHEN
    const objects = canary({
      trafficRouter: TrafficRouter.gatewayApi({
        gateway: { name: 'public', namespace: 'infra', sectionName: 'https' }, hostnames: ['shop.example.com'], pathPrefix: '/shop',
      }),
    });
    // THEN
    const route = find(objects, 'HTTPRoute', 'web');
    expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'infra', sectionName: 'https' }]);
    expect(route.spec.hostnames).toEqual(['shop.example.com']);
    expect(route.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/shop' } }]);
  });

  test.each([
    // weight, stable, canary
    [10, 9, 1], [12.5, 7, 1], [0.25, 399, 1], [33.33, 6667, 3333], [50, 1, 1], [0, 1, 0], [100, 0, 1],
  ])('weight %d%% gives the route weights %d to %d, exactly its ratio', (canaryWeight, stable, canaryShare) => {
    // WHEN
    const objects = canary({ canaryWeight });
    // THEN
    expect(backendWeights(objects)).toEqual({ 'web-stable': stable, 'web-canary': canaryShare });
  });

  test('the stable track keeps replicas; the canary runs its share of them rounded up, at least one', () => {
    // WHEN
    const app = new CanaryApp(newChart(), 'web', { ...canaryBase, canaryWeight: 12.5 });
    const small = new CanaryApp(newChart(), 'web', { ...canaryBase, canaryWeight: 0.25 });
    // THEN
    expect([app.stableReplicas, app.canaryReplicas, app.effectiveCanaryWeight]).toEqual([10, 2, 12.5]);
    expect([small.stableReplicas, small.canaryReplicas]).toEqual([10, 1]);
  });

  test('canaryReplicas sets the canary\'s pods beside the weight', () => {
    // WHEN
    const app = new CanaryApp(newChart(), 'web', { ...canaryBase, canaryWeight: 10, canaryReplicas: 5 });
    // THEN
    expect([app.stableReplicas, app.canaryReplicas, app.effectiveCanaryWeight]).toEqual([10, 5, 10]);
  });

  test('each track Service selects its track only; the app\'s Service selects both', () => {
    // WHEN
    const objects = canary();
    // THEN
    const podsOf = (name: string) => find(objects, 'Deployment', name).spec.template.metadata.labels;
    const selector = (name: string) => find(objects, 'Service', name).spec.selector;
    expect(selects(selector('web-stable'), podsOf('web'))).toBe(true);
    expect(selects(selector('web-stable'), podsOf('web-canary'))).toBe(false);
    expect(selects(selector('web-canary'), podsOf('web-canary'))).toBe(true);
    expect(selects(selector('web-canary'), podsOf('web'))).toBe(false);
    expect(selects(selector('web'), podsOf('web')) && selects(selector('web'), podsOf('web-canary'))).toBe(true);
  });

  test('a weight change, promotion and abort keep the objects and selectors; only replicas and weights move', () => {
    // GIVEN
    const before = canary({ canaryWeight: 10 });
    // WHEN
    const phases = [
      canary({ canaryWeight: 50 }), canary({ stable: canaryBase.canary, canaryWeight: 0 }), canary({ canaryWeight: 0 }),
    ];
    // THEN
    for (const after of phases) {
      expect(objectSet(after)).toEqual(objectSet(before));
      for (const d of ['web', 'web-canary']) {
        expect(find(after, 'Deployment', d).spec.selector).toEqual(find(before, 'Deployment', d).spec.selector);
      }
    }
  });

  test('the procedure of the README passes the gate: pods first, then the weight', () => {
    // GIVEN
    const steps = [
      canary({ canary: undefined, canaryWeight: 0 }),
      canary({ canaryWeight: 0, canaryReplicas: 1 }),
      canary({ canaryWeight: 10 }),
      canary({ canaryWeight: 10, canaryReplicas: 5 }),
      canary({ canaryWeight: 50 }),
      canary({ canaryWeight: 50, stable: canaryBase.canary, canaryReplicas: 5 }),
      canary({ canaryWeight: 0, stable: canaryBase.canary }),
    ];
    // THEN
    for (let i = 1; i < steps.length; i++) {
      expect(ReleaseDiff.between(steps[i - 1], steps[i]).findings).toEqual([]);
    }
  });

  test.each([
    ['Gateway API', TrafficRouter.gatewayApi(), 'HTTPRoute web raises the share of Service web-canary from 10% to 50% of its requests '
      + '(rule 1), in the same apply that leaves only 1 of its 5 pods ready when the route takes effect'],
    ['Istio', TrafficRouter.istio(), 'VirtualService web raises the share of subset canary of web from 10% to 50% of its requests '
      + '(rule 1), in the same apply that leaves only 1 of its 5 pods ready when the route takes effect'],
  ])('the gate blocks a weight raised in the same apply that starts the pods to carry it (%s)', (_n, trafficRouter, message) => {
    // WHEN
    const diff = ReleaseDiff.between(canary({ canaryWeight: 10, trafficRouter }), canary({ canaryWeight: 50, trafficRouter }));
    // THEN
    expect(diff.findings.map(f => f.code)).toEqual(['route-outpaces-pods']);
    expect(diff.findings[0].message.startsWith(message)).toBe(true);
  });

  test('the gate blocks a route share given to a backend with no pod at all', () => {
    // GIVEN: the canary Deployment scaled to 0 by hand while the route sends it 10%
    const after = canary({ canaryWeight: 10 }).map(m => (m.kind === 'Deployment' && m.metadata.name === 'web-canary'
      ? { ...m, spec: { ...m.spec, replicas: 0 } } : m));
    // WHEN
    const diff = ReleaseDiff.between(canary({ canaryWeight: 0 }), after);
    // THEN
    expect(diff.findings.map(f => f.message)).toContainEqual(expect.stringContaining('but no pod serves it: the requests would fail'));
  });
});

describe('CanaryApp with Istio', () => {
  test('synthesizes a VirtualService to the subsets of the app\'s Service and a DestinationRule', () => {
    // GIVEN
    const chart = newChart('shop');
    // WHEN
    new CanaryApp(chart, 'web', { ...canaryBase, name: undefined, trafficRouter: TrafficRouter.istio() });
    // THEN
    expect(synth(chart)).toMatchSnapshot();
  });

  test('weights follow canaryWeight exactly; hosts and gateways are written as given', () => {
    // WHEN
    const objects = canary({ canaryWeight: 12.5, trafficRouter: TrafficRouter.istio({ hosts: ['shop.example.com'], gateways: ['infra/public'] }) });
    // THEN
    expect(istioWeights(objects)).toEqual({ stable: 7, canary: 1 });
    const spec = find(objects, 'VirtualService', 'web').spec;
    expect([spec.hosts, spec.gateways]).toEqual([['shop.example.com'], ['infra/public']]);
    expect(find(objects, 'DestinationRule', 'web').spec.subsets.map((s: any) => s.name)).toEqual(['stable', 'canary']);
  });
});

describe('BlueGreenApp with a router', () => {
  test('the route sends everything to the active slot through its Service; a switch moves it', () => {
    // WHEN
    const blue = blueGreen();
    const green = blueGreen({ activeSlot: Slot.GREEN });
    // THEN
    const weights = (objects: Manifest[]) =>
      Object.fromEntries(find(objects, 'HTTPRoute', 'api').spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight]));
    expect(weights(blue)).toEqual({ 'api-blue': 1, 'api-green': 0 });
    expect(weights(green)).toEqual({ 'api-blue': 0, 'api-green': 1 });
    expect(find(green, 'Service', 'api').spec.selector['cdk8s-deployment-strategies/slot']).toBe('green');
    expect(objectSet(green)).toEqual(objectSet(blue));
    expect(ReleaseDiff.between(blue, green).findings).toEqual([]);
  });

  test('with Istio, subsets blue and green', () => {
    // WHEN
    const objects = blueGreen({ trafficRouter: TrafficRouter.istio() });
    // THEN
    const route = find(objects, 'VirtualService', 'api').spec.http[0].route;
    expect(route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['blue', 1], ['green', 0]]);
    expect(objectSet(objects)).toContain('DestinationRule/api');
  });
});

describe('RampedApp and RecreateApp with a router', () => {
  test.each([
    ['Gateway API', TrafficRouter.gatewayApi(), 'HTTPRoute'],
    ['Istio', TrafficRouter.istio(), 'VirtualService'],
  ])('a plain route to the app\'s Service (%s)', (_name, trafficRouter, kind) => {
    // WHEN
    const ramped = synthWith(chart => new RampedApp(chart, 'web', { name: 'web', port: 8080, image: 'r/web:1', trafficRouter }));
    const recreate = synthWith(chart => new RecreateApp(chart, 'web', { name: 'web', port: 8080, image: 'r/web:1', trafficRouter }));
    // THEN
    for (const objects of [ramped, recreate]) {
      expect(objectSet(objects)).toEqual(['Deployment/web', `${kind}/web`, 'PodDisruptionBudget/web', 'Service/web'].sort());
    }
    expect(JSON.stringify(find(ramped, kind, 'web').spec)).toContain('"web"');
  });
});

describe('the upstream schemas', () => {
  test('refuse a route the routers would refuse, so the validation of every synthesized route means something', () => {
    // GIVEN
    const route = JSON.parse(JSON.stringify(find(canary(), 'HTTPRoute', 'web')));
    route.spec.rules[0].backendRefs[0].weight = 2000000;
    // THEN
    expect(() => validateCustomResources([route])).toThrow(/HTTPRoute web is not valid: .*weight must be <= 1000000/);
  });
});

describe('synth-time checks of the routes', () => {
  function chartWith(props: Partial<CanaryAppProps>, patch: (chart: Chart, app: CanaryApp) => void): Chart {
    const chart = newChart('shop');
    const app = new CanaryApp(chart, 'web', { ...canaryBase, ...props });
    patch(chart, app);
    return chart;
  }
  const routeOf = (app: CanaryApp) => app.node.findChild('HTTPRoute') as ApiObject;

  test('fail when a backend is not a Service of the chart', () => {
    const chart = chartWith({}, (_c, app) => routeOf(app).addJsonPatch(JsonPatch.replace('/spec/rules/0/backendRefs/1/name', 'nowhere')));
    expect(() => validateChart(chart)).toThrow(
      /shop\/web: HTTPRoute web sends to Service nowhere, which the chart does not define/);
  });

  test('fail when a backend is a Service of another app', () => {
    const chart = chartWith({}, (c, app) => {
      new RampedApp(c, 'other', { name: 'other', port: 8080, image: 'r/o:1' });
      routeOf(app).addJsonPatch(JsonPatch.replace('/spec/rules/0/backendRefs/1/name', 'other'));
    });
    expect(() => validateChart(chart)).toThrow(
      /HTTPRoute web sends to Service other, which is not a backend of this app \(web-stable, web-canary\)/);
  });

  test('fail when every weight is 0', () => {
    const chart = chartWith({}, (_c, app) => routeOf(app).addJsonPatch(JsonPatch.replace('/spec/rules/0/backendRefs/0/weight', 0),
      JsonPatch.replace('/spec/rules/0/backendRefs/1/weight', 0)));
    expect(() => validateChart(chart)).toThrow(/HTTPRoute web rule 1 gives every backend weight 0/);
  });

  test('fail when a weight is not an integer', () => {
    const chart = chartWith({}, (_c, app) => routeOf(app).addJsonPatch(JsonPatch.replace('/spec/rules/0/backendRefs/0/weight', 1.5)));
    expect(() => validateChart(chart)).toThrow(/gives web-stable weight 1.5: a weight is an integer from 0 to 1000000/);
  });

  test('fail with more than 16 backends in a rule', () => {
    const chart = chartWith({}, (_c, app) => routeOf(app).addJsonPatch(JsonPatch.replace('/spec/rules/0/backendRefs',
      Array.from({ length: 17 }, () => ({ name: 'web-stable', port: 80, weight: 1 })))));
    expect(() => validateChart(chart)).toThrow(/HTTPRoute web rule 1 has 17 backends; Gateway API allows at most 16/);
  });

  test('fail on an invalid host name or a path without a leading slash', () => {
    const chart = chartWith({}, (_c, app) => routeOf(app).addJsonPatch(JsonPatch.add('/spec/hostnames', ['Shop.example.com']),
      JsonPatch.replace('/spec/rules/0/matches/0/path/value', 'shop')));
    expect(() => validateChart(chart)).toThrow(
      /has host name "Shop.example.com"[\s\S]*matches path "shop": a path must start with '\/'/);
  });

  test('fail when two routes of a chart claim the same parent, host name and path', () => {
    const chart = newChart('shop');
    const router = TrafficRouter.gatewayApi({ gateway: { name: 'public' }, hostnames: ['shop.example.com'] });
    new CanaryApp(chart, 'web', { ...canaryBase, trafficRouter: router });
    new RampedApp(chart, 'other', { name: 'other', port: 8080, image: 'r/o:1', trafficRouter: router });
    expect(() => validateChart(chart)).toThrow(
      /HTTPRoute web and HTTPRoute other both route host shop.example.com, path PathPrefix \/ of Gateway \/public/);
  });

  test('pass when two routes share a Gateway with different paths', () => {
    const chart = newChart('shop');
    new CanaryApp(chart, 'web', { ...canaryBase, trafficRouter: TrafficRouter.gatewayApi({ gateway: { name: 'public' }, pathPrefix: '/web' }) });
    new RampedApp(chart, 'other', {
      name: 'other', port: 8080, image: 'r/o:1', trafficRouter: TrafficRouter.gatewayApi({ gateway: { name: 'public' }, pathPrefix: '/other' }),
    });
    expect(() => validateChart(chart)).not.toThrow();
  });

  test('fail when an Istio subset reaches other pods than its track\'s', () => {
    const chart = chartWith({ trafficRouter: TrafficRouter.istio() }, (_c, app) => (app.node.findChild('DestinationRule') as ApiObject)
      .addJsonPatch(JsonPatch.replace('/spec/subsets/1/labels', { 'app.kubernetes.io/name': 'web' })));
    expect(() => validateChart(chart)).toThrow(
      new RegExp('VirtualService web subset canary reaches Deployment web, Deployment web-canary, '
        + 'but should reach exactly Deployment web-canary'),
    );
  });

  test('fail when the VirtualService sends to a subset the DestinationRule does not define', () => {
    const chart = chartWith({ trafficRouter: TrafficRouter.istio() }, (_c, app) => (app.node.findChild('VirtualService') as ApiObject)
      .addJsonPatch(JsonPatch.replace('/spec/http/0/route/1/destination/subset', 'beta')));
    expect(() => validateChart(chart)).toThrow(
      /sends to subset "beta" of web, which the DestinationRule of this app does not define/);
  });

  test('fail when two VirtualServices of a chart claim the same host', () => {
    const chart = newChart('shop');
    new CanaryApp(chart, 'web', { ...canaryBase, trafficRouter: TrafficRouter.istio({ hosts: ['shop.example.com'] }) });
    new RampedApp(chart, 'other', {
      name: 'other', port: 8080, image: 'r/o:1', trafficRouter: TrafficRouter.istio({ hosts: ['shop.example.com'] }),
    });
    expect(() => validateChart(chart)).toThrow(
      /VirtualService web and VirtualService other both route host shop.example.com on mesh/);
  });
});

describe('bad input', () => {
  test.each([
    [{ canaryWeight: 12.345 }, 'test/web: \'canaryWeight\' is 12.345; with a \'trafficRouter\' it must be a number from 0 to 100 with at most two decimals (percent of traffic on the canary, e.g. 12.5)'],
    [{ canaryWeight: 101 }, 'test/web: \'canaryWeight\' is 101; with a \'trafficRouter\''],
    [{ canaryWeight: '10' as any }, 'test/web: \'canaryWeight\' is "10"; with a \'trafficRouter\''],
    [{ weightTolerance: 5 }, 'test/web: \'weightTolerance\' is 5; it only applies to the replica split: with a \'trafficRouter\' the route carries \'canaryWeight\' exactly, so remove it'],
    [{ canaryReplicas: 11 }, 'test/web: \'canaryReplicas\' is 11; it must be an integer from 0 to 10'],
    [{ canaryReplicas: -1 }, 'test/web: \'canaryReplicas\' is -1; it must be an integer from 0 to 10'],
    [{ canaryReplicas: 0 }, 'test/web: \'canaryReplicas\' is 0; the route sends 10% of the traffic to the canary track, which needs pods to serve it'],
    [{ replicas: 0 }, 'test/web: \'replicas\' is 0; the route sends 10% of the traffic to the canary track, which needs pods to serve it: it must be 1 or more'],
    [{ trafficRouter: TrafficRouter.gatewayApi({ hostnames: [] }) }, 'test/web: \'trafficRouter.hostnames\' is "[]"; leave it unset for the default, or give at least one host name'],
    [{ trafficRouter: TrafficRouter.gatewayApi({ hostnames: ['shop.example.com', 'Shop_example'] }) }, 'test/web: \'trafficRouter.hostnames[1]\' is "Shop_example"; it must be a lower-case DNS name'],
    [{ trafficRouter: TrafficRouter.gatewayApi({ pathPrefix: 'shop' }) }, 'test/web: \'trafficRouter.pathPrefix\' is "shop"; it must start with \'/\''],
    [{ trafficRouter: TrafficRouter.gatewayApi({ gateway: { name: 'Public' } }) }, 'test/web: \'trafficRouter.gateway.name\' is "Public"; it must be a DNS-1123 subdomain'],
    [{ trafficRouter: TrafficRouter.gatewayApi({ gateway: { name: 'public', namespace: 'in.fra' } }) }, 'test/web: \'trafficRouter.gateway.namespace\' is "in.fra"; it must be a DNS-1123 label'],
    [{ trafficRouter: TrafficRouter.istio({ hosts: [] }) }, 'test/web: \'trafficRouter.hosts\' is "[]"'],
    [{ trafficRouter: TrafficRouter.istio({ hosts: ['*'] }) }, 'test/web: \'trafficRouter.hosts[0]\' is "*"; it must be a lower-case DNS name'],
    [{ trafficRouter: TrafficRouter.istio({ gateways: ['a/b/c'] }) }, 'test/web: \'trafficRouter.gateways[0]\' is "a/b/c"; it must be "mesh", a Gateway name, or "namespace/name"'],
    [{ trafficRouter: TrafficRouter.istio({ gateways: [] }) }, 'test/web: \'trafficRouter.gateways\' is "[]"'],
  ])('%j fails', (props, message) => {
    expect(canaryError(props as Partial<CanaryAppProps>).startsWith(message)).toBe(true);
  });
});

test('fails when an app without a port has a router: there is no Service to route to', () => {
  expect(errorOf(() => new RampedApp(newChart(), 'worker', { image: 'r/worker:1', trafficRouter: TrafficRouter.gatewayApi() })))
    .toBe('test/worker: \'trafficRouter\' is "a router"; it routes to the app\'s Service, which only an app with a \'port\' has: '
      + 'set \'port\', or leave the router out for a worker that serves no requests');
});
