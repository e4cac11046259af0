// ABTestApp: two versions serve side by side; a router sends the requests that match a condition
// (a header, a cookie, a query parameter) to B and all others to A.
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Label } from '../labels';
import { RequestMatch } from '../traffic/request-match';
import { checkInteger, fail } from '../validation';
import { ServedAppProps, VariantProps } from './app-props';
import { StrategyApp } from './base';
import { RollingUpdateProps, rollingUpdateStrategy } from './rolling-update';

/** Gateway API's limit on the matches of one rule. */
const MAX_MATCHES = 64;

/**
 * Props of `ABTestApp`.
 */
export interface ABTestAppProps extends ServedAppProps, RollingUpdateProps {
  /**
   * Version A, Deployment `<name>-a`: it serves every request that matches none of `matches`.
   */
  readonly a: VariantProps;

  /**
   * Version B, Deployment `<name>-b`: it serves the requests that match one of `matches`.
   */
  readonly b: VariantProps;

  /**
   * The conditions that send a request to B: a request matching any of them goes to B. At most
   * 64 (Gateway API's limit for one rule).
   */
  readonly matches: RequestMatch[];

  /**
   * Pods of version B. At 0, the route sends every request to A, the matching ones too.
   *
   * @default - `replicas`
   */
  readonly bReplicas?: number;

  /**
   * Whether the route sends the requests that match to B. false sends them to A too while B's pods
   * run: a new B starts with it (its pods get no request before they are ready), and the next
   * apply sets it back to true. With `bReplicas` 0 nothing goes to B whatever it says.
   *
   * @default true
   */
  readonly routeToB?: boolean;
}

/**
 * An A/B test: Deployments `<name>-a` and `<name>-b`, each selected by a fixed variant label
 * (never the version); Services `<name>-a` and `<name>-b` selecting one variant each and `<name>`
 * selecting both; and the route of `trafficRouter` (required), whose first rule sends the requests
 * that match to `<name>-b` and whose last rule sends all others to `<name>-a`. With Istio, a
 * `VirtualService` with the matching route to subset `b` first and the default route to subset
 * `a` last, and a `DestinationRule` with subsets `a` and `b`.
 *
 * Concluding the test is a props change: the winner's version into `a` (if it is B) and
 * `bReplicas: 0`.
 */
export class ABTestApp extends StrategyApp {
  /** The Deployment of version A. */
  public readonly aDeployment: kplus.Deployment;
  /** The Deployment of version B. */
  public readonly bDeployment: kplus.Deployment;
  /** The Service selecting both versions (the host of Istio's subsets, the mesh parent of the route). */
  public readonly service: kplus.Service;
  /** The Service selecting version A only. */
  public readonly aService: kplus.Service;
  /** The Service selecting version B only. */
  public readonly bService: kplus.Service;
  /** The version A runs. */
  public readonly aVersion: string;
  /** The version B runs. */
  public readonly bVersion: string;
  /** Pods of version B. */
  public readonly bReplicas: number;
  /** Whether the route sends the requests that match to B: `routeToB`, and B has pods. */
  public readonly routesToB: boolean;

  constructor(scope: Construct, id: string, props: ABTestAppProps) {
    super(scope, id, props);
    this._requireRouter('A/B routing by header, cookie or query parameter');
    this._requireVersions({ a: props.a, b: props.b });
    this._refuseAutoscaling('an A/B test', 'bReplicas');
    if (!Array.isArray(props.matches) || props.matches.length === 0 || props.matches.length > MAX_MATCHES) {
      const count = Array.isArray(props.matches) ? props.matches.length : undefined;
      const shown = count === undefined ? props.matches : count === 0 ? '[]' : `${count} conditions`;
      fail(this, 'matches', shown,
        `it must list 1 to ${MAX_MATCHES} RequestMatch conditions, such as RequestMatch.header('x-beta', 'true')`);
    }
    props.matches.forEach((match, i) => {
      if (!(match instanceof RequestMatch)) {
        fail(this, `matches[${i}]`, match, 'it must be a RequestMatch: RequestMatch.header, .cookie or .queryParam');
      }
      match._check(this, `matches[${i}]`);
    });
    this.bReplicas = checkInteger(this, 'bReplicas', props.bReplicas ?? this.replicas, 0);
    if (props.routeToB !== undefined && typeof props.routeToB !== 'boolean') {
      fail(this, 'routeToB', props.routeToB, 'it must be true or false');
    }
    this.routesToB = (props.routeToB ?? true) && this.bReplicas > 0;
    this.aVersion = this._version(props.a, 'a.');
    this.bVersion = this._version(props.b, 'b.');

    const strategy = rollingUpdateStrategy(this, props);
    const deploy = (variant: 'a' | 'b', id: string, version: string, replicas: number) => this._addDeployment(id, {
      nameSuffix: `-${variant}`, variant: props[variant], version, replicas, selector: { [Label.VARIANT]: variant }, strategy,
    });
    this.aDeployment = deploy('a', 'A', this.aVersion, this.replicas);
    this.bDeployment = deploy('b', 'B', this.bVersion, this.bReplicas);
    this.service = this._addService('Service', {
      nameSuffix: '', selector: {}, selects: [this.aDeployment, this.bDeployment],
    });
    const a = this._addBackend('AService', 'a', { [Label.VARIANT]: 'a' }, this.aDeployment, 1);
    const b = this._addBackend('BService', 'b', { [Label.VARIANT]: 'b' }, this.bDeployment, 1);
    this.aService = a.service;
    this.bService = b.service;
    // With no pod of B, the matching requests go to A too rather than to nothing; and while a new B
    // starts, if `routeToB` is false. Istio's subset b stays defined, so that routing to it changes
    // the VirtualService only.
    this._addRules(this.service, [{ matches: props.matches, backends: [this.routesToB ? b : a] }, { backends: [a] }], [b]);
  }
}
