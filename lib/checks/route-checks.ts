// Synth-time checks of the routes in a chart (Gateway API HTTPRoutes, Istio VirtualServices and
// DestinationRules): every backend is a Service of the chart that reaches exactly the pods it
// should, weights are what the routers accept and never send traffic nowhere, host names and paths
// are valid, and no two routes claim the same traffic. They read the rendered objects, so they see
// what escape hatches changed.
import { ApiObject } from 'cdk8s';
import { HOSTNAME } from '../traffic/routes';
import type { CheckedObjects, CheckedRoute, ObjectSummary, PodIndex, PodSource } from './chart-checks';

/** Gateway API's limits: backendRefs of one rule, matches of one rule and of a whole route. */
const MAX_BACKENDS_PER_RULE = 16;
const MAX_MATCHES_PER_RULE = 64;
const MAX_MATCHES_PER_ROUTE = 128;
/** An HTTP token: what a header or query parameter name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MAX_WEIGHT = 1_000_000;

/** A route object of the chart as rendered. */
export interface RenderedRoute {
  readonly object: ApiObject;
  readonly manifest: any;
}

/** What the checks look up: Services by `namespace/name`, pods by label, routes by kind. */
export interface RouteContext {
  readonly services: Map<string, ObjectSummary>;
  readonly pods: PodIndex;
  readonly rendered: Map<ApiObject, any>;
  readonly routes: RenderedRoute[];
}

/** The failures of every registered construct's route, each reported under its construct path. */
export function checkRoutes(registered: CheckedObjects[], context: RouteContext, errors: string[]): void {
  const claims = claimsOf(context.routes);
  for (const objects of registered) {
    const fail = (message: string) => errors.push(`${objects.path}: ${message}`);
    for (const checked of objects.routes) {
      const manifest = context.rendered.get(checked.route);
      if (manifest.kind === 'HTTPRoute') {
        checkHttpRoute(manifest, checked, context, fail);
      } else {
        const rule = checked.destinationRule ? context.rendered.get(checked.destinationRule) : undefined;
        checkVirtualService(manifest, rule, checked, context, fail);
      }
      for (const claim of claimsOfRoute(manifest)) {
        const others = (claims.get(claim.key) ?? []).filter(o => o !== checked.route);
        if (others.length > 0) {
          fail(`${describe(manifest)} and ${others.map(o => describe(context.rendered.get(o))).join(', ')} both route `
            + `${claim.what}: which one wins depends on the router; give each its own host name or path`);
        }
      }
    }
  }
}

function checkHttpRoute(manifest: any, checked: CheckedRoute, context: RouteContext, fail: (message: string) => void): void {
  const id = describe(manifest);
  const namespace = manifest.metadata?.namespace ?? '';
  const expected = new Set(checked.backends.map(b => b.service.name));
  const mirrors = new Set(checked.mirrors.map(m => m.service.name));
  const rules: any[] = manifest.spec?.rules ?? [];
  const matchCount = rules.reduce((n, rule) => n + (rule.matches?.length ?? 1), 0);
  if (matchCount > MAX_MATCHES_PER_ROUTE) {
    fail(`${id} has ${matchCount} matches; Gateway API allows at most ${MAX_MATCHES_PER_ROUTE} in a route`);
  }
  checkRuleOrder(id, rules.map(rule => (rule.matches ?? []).some((m: any) => m.headers?.length || m.queryParams?.length)), fail);
  (manifest.spec?.hostnames ?? []).forEach((h: unknown) => {
    if (typeof h !== 'string' || !HOSTNAME.test(h)) {
      fail(`${id} has host name ${JSON.stringify(h)}: it must be a lower-case DNS name, optionally starting with "*."`);
    }
  });
  for (const [r, rule] of rules.entries()) {
    if ((rule.matches?.length ?? 0) > MAX_MATCHES_PER_RULE) {
      fail(`${id} rule ${r + 1} has ${rule.matches.length} matches; Gateway API allows at most ${MAX_MATCHES_PER_RULE}`);
    }
    for (const match of rule.matches ?? []) {
      for (const condition of [...(match.headers ?? []), ...(match.queryParams ?? [])]) {
        checkCondition(`${id} rule ${r + 1}`, condition.name, condition.value, fail);
      }
      const path = match.path;
      if (path && path.type !== 'RegularExpression' && !(typeof path.value === 'string' && path.value.startsWith('/'))) {
        fail(`${id} rule ${r + 1} matches path ${JSON.stringify(path.value)}: a path must start with '/'`);
      }
    }
    const refs: any[] = rule.backendRefs ?? [];
    if (refs.length > MAX_BACKENDS_PER_RULE) {
      fail(`${id} rule ${r + 1} has ${refs.length} backends; Gateway API allows at most ${MAX_BACKENDS_PER_RULE}`);
    }
    const weights = refs.map(ref => ref.weight ?? 1);
    weights.forEach((w, i) => {
      if (!Number.isInteger(w) || w < 0 || w > MAX_WEIGHT) {
        fail(`${id} rule ${r + 1} gives ${refs[i].name} weight ${JSON.stringify(w)}: a weight is an integer from 0 to ${MAX_WEIGHT}`);
      }
    });
    if (refs.length > 0 && weights.every(w => w === 0)) {
      fail(`${id} rule ${r + 1} gives every backend weight 0: its requests would fail; give the serving backend a weight`);
    }
    for (const ref of refs) {
      if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') continue;
      const service = context.services.get(`${ref.namespace ?? namespace}/${ref.name}`);
      if (!service) {
        fail(`${id} sends to Service ${ref.name}, which the chart does not define: its share of the requests would fail`);
      } else if (mirrors.has(ref.name)) {
        fail(`${id} sends user traffic to Service ${ref.name}, the app's mirror target, whose answers must be thrown away`);
      } else if (!expected.has(ref.name)) {
        fail(`${id} sends to Service ${ref.name}, which is not a backend of this app (${[...expected].join(', ')})`);
      }
    }
    for (const filter of rule.filters ?? []) {
      const ref = filter.type === 'RequestMirror' ? filter.requestMirror?.backendRef : undefined;
      if (!ref || (ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') continue;
      if (!context.services.get(`${ref.namespace ?? namespace}/${ref.name}`)) {
        fail(`${id} mirrors to Service ${ref.name}, which the chart does not define`);
      } else if (!mirrors.has(ref.name)) {
        fail(`${id} mirrors to Service ${ref.name}, which is not the mirror target of this app (${[...mirrors].join(', ') || 'none'})`);
      }
    }
  }
}

/** A rule that matches requests by header or query must come before the rules that take every request. */
function checkRuleOrder(id: string, conditional: boolean[], fail: (message: string) => void): void {
  const firstCatchAll = conditional.indexOf(false);
  const late = conditional.findIndex((c, i) => c && firstCatchAll >= 0 && i > firstCatchAll);
  if (late >= 0) {
    fail(`${id} rule ${late + 1} matches requests by header or query parameter after rule ${firstCatchAll + 1}, which `
      + 'takes every request: put the matching rule first');
  }
}

function checkCondition(where: string, name: unknown, value: unknown, fail: (message: string) => void): void {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    fail(`${where} matches on ${JSON.stringify(name)}, which is not a header or parameter name (an HTTP token)`);
  }
  if (typeof value !== 'string' || value.length === 0) {
    fail(`${where} matches ${JSON.stringify(name)} on an empty value`);
  }
}

function checkVirtualService(manifest: any, rule: any, checked: CheckedRoute, context: RouteContext,
  fail: (message: string) => void): void {
  const id = describe(manifest);
  const namespace = manifest.metadata?.namespace ?? '';
  const { backends } = checked;
  const mirrors = new Set(checked.mirrors.map(m => m.service.name));
  const subsets = new Map<string, Record<string, string>>((rule?.spec?.subsets ?? []).map((s: any) => [s.name, s.labels ?? {}]));
  const https: any[] = manifest.spec?.http ?? [];
  checkRuleOrder(id, https.map(http => (http.match ?? []).some((m: any) => m.headers || m.queryParams)), fail);
  for (const [r, http] of https.entries()) {
    for (const match of http.match ?? []) {
      for (const [name, condition] of [...Object.entries(match.headers ?? {}), ...Object.entries(match.queryParams ?? {})]) {
        checkCondition(`${id} route ${r + 1}`, name, (condition as any)?.exact ?? (condition as any)?.regex ?? (condition as any)?.prefix, fail);
      }
    }
    const mirrorHost: string | undefined = http.mirror?.host;
    if (mirrorHost !== undefined && !mirrors.has(mirrorHost.split('.')[0])) {
      fail(`${id} route ${r + 1} mirrors to ${JSON.stringify(mirrorHost)}, which is not the mirror target of this app `
        + `(${[...mirrors].join(', ') || 'none'})`);
    }
    const routes: any[] = http.route ?? [];
    const weights = routes.map(d => d.weight);
    if (routes.length > 1) {
      weights.forEach((w, i) => {
        if (!Number.isInteger(w) || w < 0) {
          fail(`${id} route ${r + 1} gives destination ${i + 1} weight ${JSON.stringify(w)}: a weight is an integer 0 or more`);
        }
      });
      if (weights.every(w => w === 0)) {
        fail(`${id} route ${r + 1} gives every destination weight 0: its requests would fail; give the serving subset a weight`);
      }
    }
    for (const route of routes) {
      const host: string = route.destination?.host ?? '';
      // A short name, or `name.namespace(.svc(.cluster.local))`, names a Service of the mesh.
      const [name, hostNamespace] = host.split('.');
      const service = context.services.get(`${hostNamespace ?? namespace}/${name}`);
      if (!service) {
        fail(`${id} sends to host ${JSON.stringify(host)}, which no Service of the chart is: its share of the requests would fail`);
        continue;
      }
      if (name !== checked.host.name) {
        const what = mirrors.has(name) ? 'the app\'s mirror target, whose answers must be thrown away' : 'not the app\'s Service';
        fail(`${id} sends user traffic to host ${JSON.stringify(host)}, ${what} (${checked.host.name})`);
        continue;
      }
      const subset = route.destination?.subset;
      if (subset === undefined) continue;
      const labels = subsets.get(subset);
      const backend = backends.find(b => b.subset === subset);
      if (!labels || !backend) {
        fail(`${id} sends to subset ${JSON.stringify(subset)} of ${host}, which the DestinationRule of this app does not define`);
        continue;
      }
      const selected = context.pods.selectedBy({ matchLabels: { ...service.selector, ...labels } });
      const reached = selected.map((p: PodSource) => p.id).sort().join(', ');
      const want = context.pods.of(backend.selects).id;
      if (reached !== want) {
        fail(`${id} subset ${subset} reaches ${reached || 'no pods'}, but should reach exactly ${want} `
          + `(the labels of Service ${name} and of the subset: ${JSON.stringify({ ...service.selector, ...labels })})`);
      }
    }
  }
}

/** What a route claims: a parent (or Istio gateway), a host name and a path. */
interface Claim {
  readonly key: string;
  readonly what: string;
}

function claimsOfRoute(manifest: any): Claim[] {
  const namespace = manifest.metadata?.namespace ?? '';
  if (manifest.kind === 'HTTPRoute') {
    const hostnames: string[] = manifest.spec?.hostnames?.length ? manifest.spec.hostnames : ['*'];
    const paths: string[] = (manifest.spec?.rules ?? []).flatMap((rule: any) =>
      (rule.matches?.length ? rule.matches : [{ path: { value: '/' } }]).map((m: any) => `${m.path?.type ?? 'PathPrefix'} ${m.path?.value ?? '/'}`
        + (m.headers?.length || m.queryParams?.length || m.method ? ` ${JSON.stringify([m.headers, m.queryParams, m.method])}` : '')));
    return (manifest.spec?.parentRefs ?? []).flatMap((parent: any) => hostnames.flatMap(host => paths.map(path => {
      const target = `${parent.kind ?? 'Gateway'} ${parent.namespace ?? namespace}/${parent.name}${parent.sectionName ? `#${parent.sectionName}` : ''}`;
      return { key: `http ${target} ${host} ${path}`, what: `host ${host}, path ${path} of ${target}` };
    })));
  }
  if (manifest.kind === 'VirtualService') {
    const gateways: string[] = manifest.spec?.gateways?.length ? manifest.spec.gateways : ['mesh'];
    return gateways.flatMap(gateway => (manifest.spec?.hosts ?? []).map((host: string) =>
      ({ key: `istio ${namespace} ${gateway} ${host}`, what: `host ${host} on ${gateway}` })));
  }
  return [];
}

function claimsOf(routes: RenderedRoute[]): Map<string, ApiObject[]> {
  const claims = new Map<string, ApiObject[]>();
  for (const route of routes) {
    for (const claim of claimsOfRoute(route.manifest)) claims.set(claim.key, [...(claims.get(claim.key) ?? []), route.object]);
  }
  return claims;
}

function describe(manifest: any): string {
  return `${manifest.kind} ${manifest.metadata?.name}`;
}
