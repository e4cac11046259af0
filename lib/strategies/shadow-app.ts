// ShadowApp: the primary version serves every request; a router sends a copy of each request (or
// of a share of them) to the shadow version, whose answers are thrown away.
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Label } from '../labels';
import { checkInteger, fail } from '../validation';
import { ServedAppProps, VariantProps } from './app-props';
import { StrategyApp } from './base';
import { RollingUpdateProps, rollingUpdateStrategy } from './rolling-update';

/**
 * Props of `ShadowApp`.
 */
export interface ShadowAppProps extends ServedAppProps, RollingUpdateProps {
  /**
   * The version that serves every request, Deployment `<name>`.
   */
  readonly primary: VariantProps;

  /**
   * The version that gets copies of the requests, Deployment `<name>-shadow`. Its answers are
   * thrown away, but not its side effects: it writes to the databases and calls the services it
   * is configured with, so point it at its own with `shadow.envVariables`.
   */
  readonly shadow: VariantProps;

  /**
   * Pods of the shadow version.
   *
   * @default - `replicas`
   */
  readonly shadowReplicas?: number;

  /**
   * The share of requests copied to the shadow, an integer percentage from 0 to 100.
   *
   * @default 100
   */
  readonly mirrorPercent?: number;
}

/**
 * Shadow traffic: Deployments `<name>` (primary) and `<name>-shadow`; Service `<name>` selects the
 * primary's pods only and `<name>-shadow` the shadow's only; and the route of `trafficRouter`
 * (required) sends every request to `<name>` and a copy of `mirrorPercent` of them to
 * `<name>-shadow`: with Gateway API a `RequestMirror` filter (its `percent` is standard since
 * Gateway API v1.3), with Istio `mirror` and `mirrorPercentage`.
 */
export class ShadowApp extends StrategyApp {
  /** The Deployment of the primary version. */
  public readonly primaryDeployment: kplus.Deployment;
  /** The Deployment of the shadow version. */
  public readonly shadowDeployment: kplus.Deployment;
  /** The Service selecting the primary's pods only: the one that serves. */
  public readonly service: kplus.Service;
  /** The Service selecting the shadow's pods only: the mirror target. */
  public readonly shadowService: kplus.Service;
  /** The version the primary runs. */
  public readonly primaryVersion: string;
  /** The version the shadow runs. */
  public readonly shadowVersion: string;
  /** Pods of the shadow. */
  public readonly shadowReplicas: number;
  /** The share of requests copied to the shadow, in percent. */
  public readonly mirrorPercent: number;

  constructor(scope: Construct, id: string, props: ShadowAppProps) {
    super(scope, id, props);
    this._requireRouter('copying requests to a shadow');
    this._requireVersions({ primary: props.primary, shadow: props.shadow });
    this._refuseAutoscaling('a shadow', 'shadowReplicas');
    this.shadowReplicas = checkInteger(this, 'shadowReplicas', props.shadowReplicas ?? this.replicas, 0);
    this.mirrorPercent = checkInteger(this, 'mirrorPercent', props.mirrorPercent ?? 100, 0, 100);
    if (this.shadowReplicas === 0 && this.mirrorPercent > 0) {
      fail(this, 'shadowReplicas', 0, `the route copies ${this.mirrorPercent}% of the requests to the shadow, which `
        + 'needs pods to take them: set \'mirrorPercent\' to 0 to stop copying');
    }
    this.primaryVersion = this._version(props.primary, 'primary.');
    this.shadowVersion = this._version(props.shadow, 'shadow.');

    const strategy = rollingUpdateStrategy(this, props);
    this.primaryDeployment = this._addDeployment('Primary', {
      nameSuffix: '', variant: props.primary, version: this.primaryVersion, replicas: this.replicas,
      selector: { [Label.VARIANT]: 'primary' }, strategy,
    });
    this.shadowDeployment = this._addDeployment('Shadow', {
      nameSuffix: '-shadow', variant: props.shadow, version: this.shadowVersion, replicas: this.shadowReplicas,
      selector: { [Label.VARIANT]: 'shadow' }, strategy,
    });
    this.service = this._addService('Service', {
      nameSuffix: '', selector: { [Label.VARIANT]: 'primary' }, selects: [this.primaryDeployment],
    });
    this.shadowService = this._addBackend('ShadowService', 'shadow', { [Label.VARIANT]: 'shadow' }, this.shadowDeployment, 0)
      .service;
    this._addRules(this.service, [{
      backends: [{ service: this.service, deployment: this.primaryDeployment, weight: 1 }],
      mirror: { service: this.shadowService, deployment: this.shadowDeployment, percent: this.mirrorPercent },
    }]);
  }
}
