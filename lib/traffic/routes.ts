// The route objects of each router, written from one description of an app's traffic: the app's
// Service, and the backends it is split over with integer weights. A/B and shadow traffic will add
// matches and mirrors to the same description.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { fail } from '../validation';
import { RequestMatch, RequestMatchType } from './request-match';
import { GatewayApiRouterOptions, IstioRouterOptions } from './traffic-router';

/** An Istio subset: its name, and the pod labels that pick it among the pods of the app's Service. */
export interface RouteSubset {
  readonly name: string;
  readonly labels: Record<string, string>;
}

/** One backend of a route: a Service of the app for Gateway API, a subset of its pods for Istio. */
export interface RouteBackend {
  /** The Service that selects this backend's pods only. */
  readonly serviceName: string;
  /** The Istio subset. */
  readonly subset?: RouteSubset;
  /** An integer share of the sum of the weights. */
  readonly weight: number;
}

/** One rule of a route: requests that match go to the backends, and a copy of them to the mirror. */
export interface RouteRule {
  /** A request matching any of them takes this rule; none: every request (of the path prefix). */
  readonly matches?: RequestMatch[];
  readonly backends: RouteBackend[];
  /** A Service that gets a copy of a share of the requests, whose answers are thrown away. */
  readonly mirror?: { readonly serviceName: string; readonly percent: number };
}

/** What a construct asks of its router. */
export interface RouteRequest {
  /** The name of the route objects, and of the app's Service (the mesh parent and the Istio host). */
  readonly name: string;
  readonly servicePort: number;
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
  /** In order: the first rule a request matches takes it. */
  readonly rules: RouteRule[];
  /**
   * Subsets no rule sends to now, defined ahead all the same, so that the apply that routes to one
   * changes the route only: Istio answers 503 for a subset its DestinationRule does not define yet.
   */
  readonly standbySubsets?: RouteSubset[];
}

/** The objects a router wrote. */
export interface WrittenRoutes {
  /** The HTTPRoute or VirtualService. */
  readonly route: ApiObject;
  /** Istio's DestinationRule, where the backends are subsets. */
  readonly destinationRule?: ApiObject;
}

export interface RouteWriter {
  write(scope: Construct, request: RouteRequest): WrittenRoutes;
}

/** `HTTPRoute` (Gateway API v1): parentRefs, hostnames, one rule with a path prefix and weighted Services. */
export class GatewayApiRoutes implements RouteWriter {
  constructor(private readonly options: GatewayApiRouterOptions) {}

  public write(scope: Construct, request: RouteRequest): WrittenRoutes {
    const { gateway, hostnames } = this.options;
    const pathPrefix = this.options.pathPrefix ?? '/';
    if (gateway !== undefined) {
      checkDnsName(scope, 'trafficRouter.gateway.name', gateway.name, SUBDOMAIN, 'a DNS-1123 subdomain');
      if (gateway.namespace !== undefined) {
        checkDnsName(scope, 'trafficRouter.gateway.namespace', gateway.namespace, DNS_LABEL, 'a DNS-1123 label');
      }
      if (gateway.sectionName !== undefined) {
        checkDnsName(scope, 'trafficRouter.gateway.sectionName', gateway.sectionName, SUBDOMAIN, 'a DNS-1123 subdomain');
      }
    }
    checkHostnames(scope, 'trafficRouter.hostnames', hostnames);
    checkPathPrefix(scope, 'trafficRouter.pathPrefix', pathPrefix);
    const parent = gateway
      ? {
        group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.name, namespace: gateway.namespace,
        sectionName: gateway.sectionName,
      }
      : { group: '', kind: 'Service', name: request.name, port: request.servicePort };
    const route = new ApiObject(scope, 'HTTPRoute', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: request.name, labels: request.labels, annotations: request.annotations },
      spec: {
        parentRefs: [parent],
        hostnames,
        rules: request.rules.map(rule => ({
          matches: (rule.matches ?? [undefined]).map(match => httpRouteMatch(pathPrefix, match)),
          filters: rule.mirror && [{
            type: 'RequestMirror',
            requestMirror: {
              backendRef: { group: '', kind: 'Service', name: rule.mirror.serviceName, port: request.servicePort },
              percent: rule.mirror.percent,
            },
          }],
          backendRefs: rule.backends.map(b => ({
            group: '', kind: 'Service', name: b.serviceName, port: request.servicePort, weight: b.weight,
          })),
        })),
      },
    });
    return { route };
  }
}

/** `VirtualService` and `DestinationRule` (Istio networking v1). */
export class IstioRoutes implements RouteWriter {
  constructor(private readonly options: IstioRouterOptions) {}

  public write(scope: Construct, request: RouteRequest): WrittenRoutes {
    const { hosts, gateways } = this.options;
    checkHostnames(scope, 'trafficRouter.hosts', hosts);
    if (gateways !== undefined) {
      if (gateways.length === 0) fail(scope, 'trafficRouter.gateways', '[]', 'leave it unset for the mesh, or name a Gateway');
      gateways.forEach((g, i) => {
        if (g === 'mesh') return;
        const [namespace, name] = g.includes('/') ? g.split('/', 2) : [undefined, g];
        const ok = (namespace === undefined || DNS_LABEL.test(namespace)) && SUBDOMAIN.test(name) && g.split('/').length <= 2;
        if (!ok) {
          fail(scope, `trafficRouter.gateways[${i}]`, g, 'it must be "mesh", a Gateway name, or "namespace/name" '
            + '(a DNS-1123 label, \'/\' and a DNS-1123 subdomain)');
        }
      });
    }
    const metadata = { name: request.name, labels: request.labels, annotations: request.annotations };
    const port = { number: request.servicePort };
    const route = new ApiObject(scope, 'VirtualService', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata,
      spec: {
        hosts: hosts ?? [request.name],
        gateways,
        http: request.rules.map(rule => ({
          match: rule.matches?.map(istioMatch),
          route: rule.backends.map(b => ({
            destination: { host: request.name, subset: b.subset?.name, port },
            // One destination takes all the traffic; a weight would only say so again.
            weight: rule.backends.length === 1 ? undefined : b.weight,
          })),
          mirror: rule.mirror && { host: rule.mirror.serviceName, port },
          mirrorPercentage: rule.mirror && { value: rule.mirror.percent },
        })),
      },
    });
    // Standby subsets first, so that the DestinationRule stays the same when a rule starts sending to one.
    const used = request.rules.flatMap(r => r.backends).filter(b => b.subset).map(b => b.subset!);
    const subsets = [...request.standbySubsets ?? [], ...used]
      .filter((subset, i, all) => all.findIndex(other => other.name === subset.name) === i);
    if (subsets.length === 0) return { route };
    const destinationRule = new ApiObject(scope, 'DestinationRule', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata,
      spec: { host: request.name, subsets: subsets.map(s => ({ name: s.name, labels: s.labels })) },
    });
    return { route, destinationRule };
  }
}

/** An HTTPRoute match: the path prefix, and the header, cookie or query parameter condition. */
function httpRouteMatch(pathPrefix: string, match: RequestMatch | undefined): unknown {
  const path = { type: 'PathPrefix', value: pathPrefix };
  switch (match?.type) {
    case undefined: return { path };
    case RequestMatchType.HEADER: return { path, headers: [{ type: 'Exact', name: match.name, value: match.value }] };
    case RequestMatchType.COOKIE: return { path, headers: [{ type: 'RegularExpression', name: 'Cookie', value: match._cookieRegex() }] };
    case RequestMatchType.QUERY_PARAM: return { path, queryParams: [{ type: 'Exact', name: match.name, value: match.value }] };
  }
}

/** A VirtualService match condition; Istio takes header names in lower case. */
function istioMatch(match: RequestMatch): unknown {
  switch (match.type) {
    case RequestMatchType.HEADER: return { headers: { [match.name.toLowerCase()]: { exact: match.value } } };
    case RequestMatchType.COOKIE: return { headers: { cookie: { regex: match._cookieRegex() } } };
    case RequestMatchType.QUERY_PARAM: return { queryParams: { [match.name]: { exact: match.value } } };
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A host name as Gateway API and Istio take it: a lower-case DNS name, a leading `*.` allowed. */
export const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkDnsName(scope: Construct, prop: string, value: string, pattern: RegExp, what: string): void {
  const max = pattern === DNS_LABEL ? 63 : 253;
  if (typeof value !== 'string' || value.length > max || !pattern.test(value)) {
    fail(scope, prop, value, `it must be ${what}: lower-case letters, digits and '-', at most ${max} characters`);
  }
}

function checkHostnames(scope: Construct, prop: string, hostnames: string[] | undefined): void {
  if (hostnames === undefined) return;
  if (!Array.isArray(hostnames) || hostnames.length === 0) {
    fail(scope, prop, '[]', 'leave it unset for the default, or give at least one host name');
  }
  hostnames.forEach((h, i) => {
    if (typeof h !== 'string' || h.length > 253 || !HOSTNAME.test(h)) {
      fail(scope, `${prop}[${i}]`, h, 'it must be a lower-case DNS name such as "shop.example.com", '
        + 'optionally starting with "*."');
    }
  });
}

/** A path prefix as HTTPRoute takes it: absolute, without white space, a query or a fragment. */
function checkPathPrefix(scope: Construct, prop: string, value: string): void {
  if (typeof value !== 'string' || !/^\/[^\s?#]*$/.test(value) || value.length > 1024) {
    fail(scope, prop, value, 'it must start with \'/\' and hold no white space, \'?\' or \'#\' (e.g. "/shop")');
  }
}
