// RecreateApp: every old pod stops before the new version starts.
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AppProps } from './app-props';
import { StrategyApp } from './base';

/**
 * Props of `RecreateApp`.
 */
export interface RecreateAppProps extends AppProps {
}

/**
 * An app released by stopping every old pod, then starting the new version
 * (`strategy.type: Recreate`). There is downtime from the first old pod's shutdown to the first
 * new pod's readiness; in exchange two versions never run at once.
 *
 * Makes a Deployment and, with a `port`, a Service, both named `name`.
 */
export class RecreateApp extends StrategyApp {
  /** The app's Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Service selecting the app's pods; none without `port`. */
  public readonly service?: kplus.Service;
  /** The version the pods run. */
  public readonly version: string;

  constructor(scope: Construct, id: string, props: RecreateAppProps) {
    super(scope, id, props);
    this.version = this._version(props, '');
    this.deployment = this._addDeployment('Deployment', {
      nameSuffix: '', variant: props, version: this.version, replicas: this.replicas, selector: {},
      strategy: kplus.DeploymentStrategy.recreate(),
    });
    if (this.port !== undefined) {
      this.service = this._addService('Service', { nameSuffix: '', selector: {}, selects: [this.deployment] });
      this._addRoute(this.service, [{ service: this.service, deployment: this.deployment, weight: 1 }]);
    }
  }
}
