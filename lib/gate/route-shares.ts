// The shares of traffic a route gives its backends, rule by rule, and the pod labels each backend
// reaches, read from Gateway API HTTPRoutes and Istio VirtualServices (with their
// DestinationRules). A route takes effect as soon as it is applied, so a share that grows must
// land on pods that are ready already.
import { KubeObject } from './manifests';

/** One backend of one rule of a route, with its share of the rule's requests. */
export interface BackendShare {
  /** `rule N: Service name` or `rule N: host/subset`, the same in both releases. */
  readonly key: string;
  /** What the backend is, in words. */
  readonly what: string;
  /** Its share of the rule's requests, from 0 to 1. */
  readonly share: number;
  /** The labels of the pods it reaches, or undefined when the gate cannot tell. */
  readonly selector?: Record<string, string>;
}

/**
 * The backends of `route` with their shares. `services` and `rules` look up the Services and
 * DestinationRules of the same release, by name.
 */
export function backendShares(route: KubeObject, services: (name: string) => KubeObject | undefined,
  rules: (host: string) => KubeObject | undefined): BackendShare[] {
  if (route.kind === 'HTTPRoute') {
    return (route.spec?.rules ?? []).flatMap((rule: any, r: number) => {
      const refs: any[] = (rule.backendRefs ?? []).filter((ref: any) => (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service');
      const weights = refs.map(ref => (typeof ref.weight === 'number' ? ref.weight : 1));
      const total = weights.reduce((a, b) => a + b, 0);
      return refs.map((ref, i) => ({
        key: `rule ${r + 1}: ${ref.name}`,
        what: `Service ${ref.name}`,
        share: total === 0 ? 0 : weights[i] / total,
        selector: services(ref.name)?.spec?.selector,
      }));
    });
  }
  if (route.kind === 'VirtualService') {
    return (route.spec?.http ?? []).flatMap((http: any, r: number) => {
      const destinations: any[] = http.route ?? [];
      // A single destination takes every request, whatever its weight says.
      const weights = destinations.map(d => (destinations.length === 1 ? 1 : (typeof d.weight === 'number' ? d.weight : 0)));
      const total = weights.reduce((a, b) => a + b, 0);
      return destinations.map((d, i) => {
        const host: string = d.destination?.host ?? '';
        const name = host.split('.')[0];
        const subset: string | undefined = d.destination?.subset;
        const service = services(name);
        const labels = subset === undefined ? {}
          : (rules(name)?.spec?.subsets ?? []).find((s: any) => s.name === subset)?.labels;
        return {
          key: `rule ${r + 1}: ${host}${subset ? `/${subset}` : ''}`,
          what: subset ? `subset ${subset} of ${host}` : `host ${host}`,
          share: total === 0 ? 0 : weights[i] / total,
          selector: service?.spec?.selector && labels ? { ...service.spec.selector, ...labels } : undefined,
        };
      });
    });
  }
  return [];
}

/** A share as a percentage with at most two decimals. */
export function percent(share: number): string {
  return `${Math.round(share * 10000) / 100}%`;
}
