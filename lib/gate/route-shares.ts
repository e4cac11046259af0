// The shares of traffic a route gives its backends, rule by rule, and the pod labels each backend
// reaches, read from Gateway API HTTPRoutes and Istio VirtualServices (with their
// DestinationRules). A route takes effect as soon as it is applied, so a share that grows must
// land on pods that are ready already.
import { canonical, describeObject, KubeObject, listAt, ManifestError } from './manifests';

/** One backend of one rule of a route, with its share of the rule's requests. */
export interface BackendShare {
  /** The Service it names, or the host and subset. */
  readonly target: string;
  /**
   * Its rule, the same in both releases: the rule's matches, and which of the rules with those
   * matches it is, so that a rule added before it is no change of it.
   */
  readonly ruleKey: string;
  /** The number of its rule, from 1. */
  readonly rule: number;
  /** The share of its rule's requests that goes to backends other than Services (not followed). */
  readonly elsewhere?: number;
  /** What the backend is, in words. */
  readonly what: string;
  /** Its share of the rule's requests, from 0 to 1. */
  readonly share: number;
  /** The namespace of the Service it names (the route's when the reference leaves it out). */
  readonly namespace?: string;
  /** The labels of the pods it reaches, or undefined when the gate cannot tell. */
  readonly selector?: Record<string, string>;
  /**
   * Why the backend reaches no pod: a Service of the cluster (or a subset of one) that the release
   * does not hold. Undefined when it resolves, or names something outside the cluster.
   */
  readonly missing?: string;
  /** The name of the Service it names, when the release does not hold that Service. */
  readonly missingService?: string;
  /** Whether the reference names another namespace than the route's own. */
  readonly otherNamespace?: boolean;
}

/**
 * Looks up an object of the same release by name and namespace (a DestinationRule by the Service
 * its host names), preferring one in the namespace `from` of the route that asks.
 */
export type Lookup = (name: string, namespace: string | undefined, from?: string) => KubeObject | undefined;

/**
 * The backends of `route` with their shares. `services` and `rules` look up the Services and
 * DestinationRules (by the name of their host) of the same release.
 *
 * @throws ManifestError when a field the shares come from is not a list
 */
export function backendShares(route: KubeObject, services: Lookup, rules: Lookup): BackendShare[] {
  const where = (field: string) => `${describeObject(route)}: ${field}`;
  const namespace = route.metadata.namespace;
  const seen = new Map<string, number>();
  const keyOf = (matches: unknown) => {
    const text = canonical(matches ?? []);
    const n = (seen.get(text) ?? 0) + 1;
    seen.set(text, n);
    return `${text}#${n}`;
  };
  if (route.kind === 'HTTPRoute') {
    return listAt(route.spec?.rules, where('spec.rules')).flatMap((rule: any, r: number) => {
      const ruleKey = keyOf(httpRouteMatches(rule?.matches));
      const all = objectsAt(rule?.backendRefs, where(`spec.rules[${r}].backendRefs`));
      const weightOf = (ref: any) => (typeof ref.weight === 'number' ? ref.weight : 1);
      // Shares of all the rule's backends; only Services are followed.
      const total = all.reduce((sum, ref) => sum + weightOf(ref), 0);
      // Some implementations take "core" for the core group as well.
      const refs = all.filter((ref: any) => ['', 'core'].includes(ref.group ?? '') && (ref.kind ?? 'Service') === 'Service');
      const weights = refs.map(weightOf);
      const elsewhere = total === 0 ? 0 : 1 - weights.reduce((a, b) => a + b, 0) / total;
      return refs.map((ref, i) => {
        const ns: string | undefined = ref.namespace ?? namespace;
        const service = services(ref.name, ns);
        return {
          target: String(ref.name),
          ruleKey,
          rule: r + 1,
          elsewhere,
          what: `Service ${ref.name}`,
          share: total === 0 ? 0 : weights[i] / total,
          namespace: ns,
          selector: service?.spec?.selector,
          ...(service ? {} : { missing: `there is no Service ${ref.name} in the new manifests`, missingService: ref.name }),
          otherNamespace: ref.namespace !== undefined && ref.namespace !== namespace,
        };
      });
    });
  }
  if (route.kind === 'VirtualService') {
    return listAt(route.spec?.http, where('spec.http')).flatMap((http: any, r: number) => {
      const ruleKey = keyOf(http?.match);
      const destinations = objectsAt(http?.route, where(`spec.http[${r}].route`));
      // A single destination takes every request, whatever its weight says.
      const weights = destinations.map(d => (destinations.length === 1 ? 1 : (typeof d.weight === 'number' ? d.weight : 0)));
      const total = weights.reduce((a, b) => a + b, 0);
      return destinations.map((d, i) => {
        const host = d.destination?.host ?? '';
        const subset = d.destination?.subset;
        if (typeof host !== 'string' || !['string', 'undefined'].includes(typeof subset)) {
          throw new ManifestError(where(`spec.http[${r}].route[${i}].destination has a host or subset that is not a string`));
        }
        const base = {
          target: `${host}${subset ? `/${subset}` : ''}`,
          ruleKey,
          rule: r + 1,
          what: subset ? `subset ${subset} of ${host}` : `host ${host}`,
          share: total === 0 ? 0 : weights[i] / total,
        };
        const target = clusterService(host, namespace);
        if (!target) return base;
        const at = { ...base, namespace: target.namespace, otherNamespace: target.namespace !== namespace };
        const service = services(target.name, target.namespace);
        if (!service) {
          return { ...at, missing: `there is no Service ${target.name} in the new manifests`, missingService: target.name };
        }
        if (subset === undefined) return { ...at, selector: service.spec?.selector };
        const rule = rules(target.name, target.namespace, namespace);
        const subsets = rule ? listAt(rule.spec?.subsets, `${describeObject(rule)}: spec.subsets`) : [];
        const labels = subsets.find((s: any) => s?.name === subset)?.labels;
        if (!labels) return { ...at, missing: `no DestinationRule of the new manifests defines subset ${subset} of ${host}` };
        // A subset's endpoints are those of the Service that carry its labels as well.
        const selector: Record<string, string> | undefined = service.spec?.selector;
        const clash = Object.keys(labels).find(k => selector?.[k] !== undefined && selector[k] !== labels[k]);
        if (clash !== undefined) {
          return { ...at, missing: `subset ${subset} (${clash}=${labels[clash]}) excludes every pod Service ${target.name} `
            + `selects (${clash}=${selector![clash]})` };
        }
        return { ...at, selector: selector && { ...selector, ...labels } };
      });
    });
  }
  return [];
}

/**
 * An HTTPRoute rule's matches with the defaults the Gateway API CRD fills in, so that a live route
 * and its manifest give the same key: no matches is a path prefix of `/`; a path is a prefix of
 * `/`; a header or query parameter match is exact.
 */
function httpRouteMatches(matches: unknown): unknown[] {
  const list = Array.isArray(matches) && matches.length > 0 ? matches : [{}];
  const exact = (items: unknown) => (Array.isArray(items) ? items.map(i => ({ type: 'Exact', ...i })) : items);
  return list.map((m: any) => (typeof m !== 'object' || m === null ? m : {
    ...m,
    path: { type: 'PathPrefix', value: '/', ...m.path },
    ...(m.headers === undefined ? {} : { headers: exact(m.headers) }),
    ...(m.queryParams === undefined ? {} : { queryParams: exact(m.queryParams) }),
  }));
}

/** The list at `value`, whose items must be objects (`listAt`). */
function objectsAt(value: unknown, where: string): any[] {
  const list = listAt(value, where);
  const i = list.findIndex(item => typeof item !== 'object' || item === null || Array.isArray(item));
  if (i >= 0) throw new ManifestError(`${where}[${i}] is not an object (${JSON.stringify(list[i])})`);
  return list;
}

/**
 * The Service an Istio host names in the cluster: a short name (in the namespace of the route), or
 * `name.namespace.svc` with or without the cluster domain. Undefined for any other host, such as
 * an external one.
 */
export function clusterService(host: string, namespace: string | undefined): { name: string; namespace?: string } | undefined {
  if (host === '' || host.includes('*')) return undefined;
  if (!host.includes('.')) return { name: host, namespace };
  const match = /^([^.]+)\.([^.]+)\.svc(\..+)?$/.exec(host);
  return match ? { name: match[1], namespace: match[2] } : undefined;
}

/** A share as a percentage with at most two decimals. */
export function percent(share: number): string {
  return `${Math.round(share * 10000) / 100}%`;
}
