// TrafficRouter: which router carries an app's traffic, Gateway API or Istio, and the options of
// each. The constructs hand it the backends and their weights; it writes the route objects.
import { Construct } from 'constructs';
import { GatewayApiRoutes, IstioRoutes, RouteRequest, RouteWriter, WrittenRoutes } from './routes';

/**
 * The Gateway a route attaches to.
 */
export interface GatewayReference {
  /**
   * The Gateway's name.
   */
  readonly name: string;

  /**
   * The Gateway's namespace.
   *
   * @default - the route's namespace
   */
  readonly namespace?: string;

  /**
   * The listener of the Gateway the route attaches to.
   *
   * @default - every listener that allows the route
   */
  readonly sectionName?: string;
}

/**
 * Options of `TrafficRouter.gatewayApi`.
 */
export interface GatewayApiRouterOptions {
  /**
   * The Gateway the `HTTPRoute` attaches to, for traffic from outside the cluster (north-south).
   *
   * @default - the route's parent is the app's own Service (the Gateway API mesh binding), so
   * calls to it inside the mesh are routed
   */
  readonly gateway?: GatewayReference;

  /**
   * The host names the route answers for: lower-case DNS names, a leading `*.` allowed.
   *
   * @default - every host name the parent accepts
   */
  readonly hostnames?: string[];

  /**
   * The path prefix the route matches.
   *
   * @default '/'
   */
  readonly pathPrefix?: string;
}

/**
 * Options of `TrafficRouter.istio`.
 */
export interface IstioRouterOptions {
  /**
   * The hosts of the `VirtualService`.
   *
   * @default - the app's Service
   */
  readonly hosts?: string[];

  /**
   * The Istio Gateways the `VirtualService` applies to (`name` or `namespace/name`; `mesh` for
   * the sidecars).
   *
   * @default - the mesh only
   */
  readonly gateways?: string[];
}

/**
 * The router in front of an app: the objects that send its traffic to its Deployments with exact
 * weights, synthesized with the app (no controller in the cluster).
 *
 * With Gateway API, an `HTTPRoute` `<name>` (`gateway.networking.k8s.io/v1`) whose backends are
 * Services of the app. With Istio, a `VirtualService` `<name>` and, where the app has more than one
 * Deployment, a `DestinationRule` `<name>` whose subsets select each one's pods
 * (`networking.istio.io/v1`).
 */
export class TrafficRouter {
  /**
   * A Gateway API `HTTPRoute`.
   *
   * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
   */
  public static gatewayApi(options: GatewayApiRouterOptions = {}): TrafficRouter {
    return new TrafficRouter(new GatewayApiRoutes(options));
  }

  /**
   * An Istio `VirtualService` and `DestinationRule`.
   *
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
   */
  public static istio(options: IstioRouterOptions = {}): TrafficRouter {
    return new TrafficRouter(new IstioRoutes(options));
  }

  private constructor(private readonly writer: RouteWriter) {}

  /**
   * Writes the route objects of `request` into `scope`.
   * @internal
   */
  public _write(scope: Construct, request: RouteRequest): WrittenRoutes {
    return this.writer.write(scope, request);
  }
}
