// RampedApp: the rolling update, paced by maxSurge and maxUnavailable.
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AppProps } from './app-props';
import { StrategyApp } from './base';
import { RollingUpdateProps, rollingUpdateStrategy } from './rolling-update';
import { Plan, RollingUpdatePlan } from '../planning/rolling-update-plan';

/**
 * Props of `RampedApp`.
 */
export interface RampedAppProps extends AppProps, RollingUpdateProps {
}

/**
 * An app released by a rolling update: a new ReplicaSet grows while the old one shrinks, within
 * `maxSurge` pods above and `maxUnavailable` pods below `replicas`. Two versions serve at once
 * during the rollout; `kubectl rollout undo` rolls back.
 *
 * Makes a Deployment and, with a `port`, a Service, both named `name`.
 */
export class RampedApp extends StrategyApp {
  /** The app's Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Service selecting the app's pods; none without `port`. */
  public readonly service?: kplus.Service;
  /** The version the pods run. */
  public readonly version: string;

  private readonly rollingUpdate: RollingUpdateProps;

  constructor(scope: Construct, id: string, props: RampedAppProps) {
    super(scope, id, props);
    this.rollingUpdate = { maxSurge: props.maxSurge, maxUnavailable: props.maxUnavailable };
    this.version = this._version(props, '');
    this.deployment = this._addDeployment('Deployment', {
      nameSuffix: '', variant: props, version: this.version, replicas: this.replicas, selector: {},
      strategy: rollingUpdateStrategy(this, props),
    });
    if (this.port !== undefined) {
      this.service = this._addService('Service', { nameSuffix: '', selector: {}, selects: [this.deployment] });
      this._addRoute(this.service, [{ service: this.service, deployment: this.deployment, weight: 1 }]);
    }
  }

  /**
   * The steps the Deployment controller takes to roll out the next version of this app, from
   * all-old to all-new, with this app's replicas, maxSurge and maxUnavailable.
   */
  public plan(): Plan {
    return RollingUpdatePlan.compute({ replicas: this.replicas, ...this.rollingUpdate });
  }
}
