// CanaryApp: a stable and a canary track behind one Service, with the traffic share the replica
// split really gives, checked against the share asked for.
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CommonAppProps, StrategyApp, VariantProps } from './base';
import { Annotation, Label } from '../labels';
import { RollingUpdateProps, rollingUpdateStrategy } from './rolling-update';
import { checkInteger, fail } from '../validation';

/** The largest replica count searched for one that makes a weight exact. */
const MAX_EXACT_REPLICAS = 10000;

/**
 * Props of `CanaryApp`.
 */
export interface CanaryAppProps extends CommonAppProps, RollingUpdateProps {
  /**
   * The version on the stable track, Deployment `<name>`.
   */
  readonly stable: VariantProps;

  /**
   * The version on the canary track, Deployment `<name>-canary`. Needed while the canary runs
   * pods.
   *
   * @default - the stable version, at 0 replicas
   */
  readonly canary?: VariantProps;

  /**
   * The share of traffic, in percent (0 to 100), for the canary track. The Service balances over
   * the pods of both tracks, so the share is achieved by the replica split: the canary gets the
   * nearest whole number of the `replicas` pods (a tie goes to fewer canary pods), at least one
   * when the weight is above 0, and the stable track keeps at least one when it is below 100. The
   * achieved share is `effectiveCanaryWeight`; an error is raised when it is further than
   * `weightTolerance` from this weight.
   *
   * @default - 0, unless `canaryReplicas` is set
   */
  readonly canaryWeight?: number;

  /**
   * The number of canary pods, instead of `canaryWeight`; the stable track runs the rest of
   * `replicas`.
   *
   * @default - derived from `canaryWeight`
   */
  readonly canaryReplicas?: number;

  /**
   * How many percentage points the achieved canary share may differ from `canaryWeight`.
   *
   * @default 5
   */
  readonly weightTolerance?: number;
}

/**
 * An app released by canary: a stable track `<name>` and a canary track `<name>-canary`, both
 * always present, behind one Service `<name>` selecting both. Raising the canary's weight,
 * promoting (stable image := canary image, weight 0) and aborting (weight 0) are props changes
 * only; no selector and no object changes name.
 */
export class CanaryApp extends StrategyApp {
  /** The Deployment of the stable track. */
  public readonly stableDeployment: kplus.Deployment;
  /** The Deployment of the canary track. */
  public readonly canaryDeployment: kplus.Deployment;
  /** The Service selecting both tracks. */
  public readonly service: kplus.Service;
  /** Pods on the stable track. */
  public readonly stableReplicas: number;
  /** Pods on the canary track. */
  public readonly canaryReplicas: number;
  /** The share of pods, and so of traffic, on the canary track, in percent. */
  public readonly effectiveCanaryWeight: number;
  /** The version on the stable track. */
  public readonly stableVersion: string;
  /** The version on the canary track. */
  public readonly canaryVersion: string;

  constructor(scope: Construct, id: string, props: CanaryAppProps) {
    super(scope, id, props);
    if (!props.stable) {
      fail(this, 'stable', props.stable, 'the stable track needs a version: set \'stable\' to { image: ... }');
    }
    this.canaryReplicas = this.splitReplicas(props);
    this.stableReplicas = this.replicas - this.canaryReplicas;
    this.effectiveCanaryWeight = this.replicas === 0 ? 0 : (100 * this.canaryReplicas) / this.replicas;
    if (this.canaryReplicas > 0 && !props.canary) {
      fail(this, 'canary', props.canary, `the canary track runs ${this.canaryReplicas} pod(s), so it needs a version: `
        + 'set \'canary\' to { image: ... }');
    }
    const canaryVariant = props.canary ?? props.stable;
    this.stableVersion = this._version(props.stable, 'stable.');
    this.canaryVersion = this._version(canaryVariant, props.canary ? 'canary.' : 'stable.');

    const strategy = rollingUpdateStrategy(this, props);
    this.stableDeployment = this._addDeployment('Stable', {
      nameSuffix: '', variant: props.stable, version: this.stableVersion, replicas: this.stableReplicas,
      selector: { [Label.TRACK]: 'stable' }, strategy,
    });
    this.canaryDeployment = this._addDeployment('Canary', {
      nameSuffix: '-canary', variant: canaryVariant, version: this.canaryVersion,
      replicas: this.canaryReplicas, selector: { [Label.TRACK]: 'canary' }, strategy,
    });
    this.service = this._addService('Service', {
      nameSuffix: '',
      selector: {},
      annotations: { [Annotation.CANARY_WEIGHT]: formatPercent(this.effectiveCanaryWeight) },
      selects: [this.stableDeployment, this.canaryDeployment],
    });
  }

  /** The canary's share of `replicas`, from `canaryReplicas` or `canaryWeight`. */
  private splitReplicas(props: CanaryAppProps): number {
    if (props.canaryReplicas !== undefined) {
      if (props.canaryWeight !== undefined) {
        fail(this, 'canaryReplicas', props.canaryReplicas, 'set either \'canaryReplicas\' or \'canaryWeight\' '
          + `(${props.canaryWeight}), not both`);
      }
      return checkInteger(this, 'canaryReplicas', props.canaryReplicas, 0, this.replicas);
    }
    const weight = props.canaryWeight ?? 0;
    if (typeof weight !== 'number' || !(weight >= 0 && weight <= 100)) {
      fail(this, 'canaryWeight', weight, 'it must be a number from 0 to 100 (percent of traffic on the canary)');
    }
    const tolerance = props.weightTolerance ?? 5;
    if (typeof tolerance !== 'number' || !(tolerance >= 0 && tolerance <= 100)) {
      fail(this, 'weightTolerance', tolerance, 'it must be a number of percentage points from 0 to 100');
    }
    if (weight === 0 || weight === 100) {
      return (this.replicas * weight) / 100;
    }
    if (this.replicas < 2) {
      fail(this, 'replicas', this.replicas, `a canary weight of ${weight}% needs pods on both tracks: `
        + 'it must be 2 or more');
    }
    // Nearest whole number, a tie rounding down, then at least one pod on each track.
    const nearest = Math.ceil((this.replicas * weight) / 100 - 0.5);
    const canary = Math.min(Math.max(nearest, 1), this.replicas - 1);
    const achieved = (100 * canary) / this.replicas;
    const off = Math.abs(achieved - weight);
    if (off > tolerance + 1e-9) {
      fail(this, 'canaryWeight', weight, `with ${this.replicas} replicas the nearest achievable canary share is `
        + `${formatPercent(achieved)}% (${canary} of ${this.replicas} pods), ${formatPercent(off)} points away, more than `
        + `'weightTolerance' (${tolerance}); ${exactReplicas(weight)}, or set 'canaryReplicas' or a larger 'weightTolerance'`);
    }
    return canary;
  }
}

/** A percentage with at most two decimals. */
function formatPercent(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Which replica count makes `weight` exact, as the end of an error message. */
function exactReplicas(weight: number): string {
  for (let replicas = 2; replicas <= MAX_EXACT_REPLICAS; replicas++) {
    const canary = (replicas * weight) / 100;
    if (Math.abs(canary - Math.round(canary)) < 1e-9) {
      return `${replicas} replicas (or a multiple) make ${weight}% exact`;
    }
  }
  return `no replica count up to ${MAX_EXACT_REPLICAS} makes ${weight}% exact`;
}
