// CanaryApp: a stable and a canary track behind one Service, with the traffic share the replica
// split really gives, checked against the share asked for. The larger track always runs `replicas`
// pods and the smaller one its share on top, so no weight change, promotion or abort ever serves
// with fewer pods than `replicas` while new pods start.
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ServedAppProps, VariantProps } from './app-props';
import { StrategyApp } from './base';
import { Annotation, Label } from '../labels';
import { RollingUpdateProps, rollingUpdateStrategy } from './rolling-update';
import { checkInteger, fail } from '../validation';

/** The largest replica count searched for one that makes a weight exact. */
const MAX_EXACT_REPLICAS = 10000;

/**
 * Props of `CanaryApp`.
 */
export interface CanaryAppProps extends ServedAppProps, RollingUpdateProps {
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
   * the pods of both tracks, so the share is the canary's share of all pods. The larger track runs
   * `replicas` pods and the smaller one is added on top: up to 50%, the stable track keeps
   * `replicas` and the canary gets the nearest whole number of pods to its share (at least one);
   * above 50%, the canary runs `replicas` and the stable track keeps its share (at least one); at
   * 100% the stable track runs none. A tie goes to fewer pods on the smaller track. So raising the
   * weight only adds canary pods up to 50%, and only removes stable pods above it: the pods that
   * serve never fall below `replicas` while new ones start. The price is up to twice `replicas`
   * pods at 50%.
   *
   * The achieved share is `effectiveCanaryWeight`; an error is raised when it is further than
   * `weightTolerance` from this weight.
   *
   * With a `trafficRouter` the route carries this weight exactly (up to two decimals, e.g. 12.5),
   * the stable track keeps `replicas` pods and the canary runs `canaryReplicas`.
   *
   * @default - 0, unless `canaryReplicas` is set
   */
  readonly canaryWeight?: number;

  /**
   * The number of canary pods (0 to `replicas`), instead of `canaryWeight`; the stable track
   * keeps `replicas` pods. With a `trafficRouter` it may be set together with `canaryWeight`, to
   * start the canary's pods before the route sends them their share.
   *
   * @default - derived from `canaryWeight`; with a `trafficRouter`, the canary's share of
   * `replicas` rounded up, at least 1 while the weight is above 0
   */
  readonly canaryReplicas?: number;

  /**
   * How many percentage points the achieved canary share may differ from `canaryWeight`, for the
   * replica split (not with a `trafficRouter`, whose weights are exact).
   *
   * @default 5
   */
  readonly weightTolerance?: number;
}

/**
 * An app released by canary: a stable track `<name>` and a canary track `<name>-canary`, both
 * always present, behind one Service `<name>` selecting both. Raising the canary's weight,
 * promoting (stable image := canary image, weight 0) and aborting (weight 0) are props changes
 * only; no selector and no object changes name. The larger track runs `replicas` pods, the
 * smaller one its share on top (see `canaryWeight`).
 */
export class CanaryApp extends StrategyApp {
  /** The Deployment of the stable track. */
  public readonly stableDeployment: kplus.Deployment;
  /** The Deployment of the canary track. */
  public readonly canaryDeployment: kplus.Deployment;
  /** The Service selecting both tracks. */
  public readonly service: kplus.Service;
  /** With a `trafficRouter`: the Service `<name>-stable`, which selects the stable track only, a backend of the route. */
  public readonly stableService?: kplus.Service;
  /** With a `trafficRouter`: the Service `<name>-canary`, which selects the canary track only, a backend of the route. */
  public readonly canaryService?: kplus.Service;
  /** Pods on the stable track; with `autoscaling`, the fewest its autoscaler keeps (`autoscaling.minReplicas`). */
  public readonly stableReplicas: number;
  /** Pods on the canary track; with `autoscaling`, the fewest its autoscaler keeps (`autoscaling.minReplicas`). */
  public readonly canaryReplicas: number;
  /**
   * The canary's share of traffic, in percent: `canaryWeight` exactly with a `trafficRouter`,
   * else the canary's share of pods.
   */
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
    if (props.autoscaling) this.checkAutoscaling(props);
    if (props.trafficRouter) {
      [this.stableReplicas, this.canaryReplicas, this.effectiveCanaryWeight] = this.routedReplicas(props);
    } else {
      [this.stableReplicas, this.canaryReplicas] = this.splitReplicas(props);
      const total = this.stableReplicas + this.canaryReplicas;
      this.effectiveCanaryWeight = total === 0 ? 0 : (100 * this.canaryReplicas) / total;
    }
    if (props.autoscaling) {
      // The autoscalers size both tracks, from `autoscaling.minReplicas` up.
      this.stableReplicas = this.replicas;
      this.canaryReplicas = this.replicas;
    }
    // An autoscaled canary track always runs pods: without a canary version they run the stable one.
    if (this.canaryReplicas > 0 && !props.canary && !props.autoscaling) {
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
    if (props.trafficRouter) {
      const [stableWeight, canaryWeight] = routeWeights(this.effectiveCanaryWeight);
      const track = (id: string, name: string, deployment: kplus.Deployment, weight: number) =>
        this._addBackend(id, name, { [Label.TRACK]: name }, deployment, weight);
      const stable = track('StableService', 'stable', this.stableDeployment, stableWeight);
      const canary = track('CanaryService', 'canary', this.canaryDeployment, canaryWeight);
      this.stableService = stable.service;
      this.canaryService = canary.service;
      this._addRoute(this.service, [stable, canary]);
    }
  }

  /**
   * Each track gets its own autoscaler, sized by the load the route sends it, so the weight must
   * not depend on pods: only with a router, and without `canaryReplicas`.
   */
  private checkAutoscaling(props: CanaryAppProps): void {
    if (!props.trafficRouter) {
      fail(this, 'autoscaling', props.autoscaling, 'without a \'trafficRouter\' the replica split is the canary\'s weight, which '
        + 'autoscalers would change at will: add a \'trafficRouter\' (each track then gets its own autoscaler and the route '
        + 'carries the weight), or remove \'autoscaling\'');
    }
    if (props.canaryReplicas !== undefined) {
      fail(this, 'canaryReplicas', props.canaryReplicas, 'with \'autoscaling\' the canary track\'s autoscaler sizes it: '
        + 'remove \'canaryReplicas\'');
    }
  }

  /**
   * With a router: the stable track keeps `replicas`; the canary runs its share of them rounded
   * up (so it can carry its share of the traffic), or `canaryReplicas`; the weight is exact.
   */
  private routedReplicas(props: CanaryAppProps): [number, number, number] {
    if (props.weightTolerance !== undefined) {
      fail(this, 'weightTolerance', props.weightTolerance, 'it only applies to the replica split: with a '
        + '\'trafficRouter\' the route carries \'canaryWeight\' exactly, so remove it');
    }
    const weight = props.canaryWeight ?? 0;
    const hundredths = weight * 100;
    if (typeof weight !== 'number' || !(weight >= 0 && weight <= 100) || Math.abs(hundredths - Math.round(hundredths)) > 1e-6) {
      fail(this, 'canaryWeight', weight, 'with a \'trafficRouter\' it must be a number from 0 to 100 with at most '
        + 'two decimals (percent of traffic on the canary, e.g. 12.5)');
    }
    let canary: number;
    if (props.canaryReplicas !== undefined) {
      canary = checkInteger(this, 'canaryReplicas', props.canaryReplicas, 0, this.replicas);
    } else {
      canary = weight === 0 ? 0 : Math.max(1, Math.ceil((this.replicas * weight) / 100 - 1e-9));
    }
    if (weight > 0 && canary === 0) {
      const prop = props.canaryReplicas !== undefined ? 'canaryReplicas' : 'replicas';
      fail(this, prop, 0, `the route sends ${weight}% of the traffic to the canary track, which needs pods to serve it`);
    }
    if (weight > 0 && canary > this.replicas) {
      fail(this, 'replicas', this.replicas, `the route sends ${weight}% of the traffic to the canary track, which needs `
        + 'pods to serve it: it must be 1 or more');
    }
    return [this.replicas, canary, Math.round(weight * 100) / 100];
  }

  /** The pods of the stable and the canary track, from `canaryReplicas` or `canaryWeight`. */
  private splitReplicas(props: CanaryAppProps): [number, number] {
    if (props.canaryReplicas !== undefined) {
      if (props.canaryWeight !== undefined) {
        fail(this, 'canaryReplicas', props.canaryReplicas, 'set either \'canaryReplicas\' or \'canaryWeight\' '
          + `(${props.canaryWeight}), not both`);
      }
      return [this.replicas, checkInteger(this, 'canaryReplicas', props.canaryReplicas, 0, this.replicas)];
    }
    const weight = props.canaryWeight ?? 0;
    if (typeof weight !== 'number' || !(weight >= 0 && weight <= 100)) {
      fail(this, 'canaryWeight', weight, 'it must be a number from 0 to 100 (percent of traffic on the canary)');
    }
    const tolerance = props.weightTolerance ?? 5;
    if (typeof tolerance !== 'number' || !(tolerance >= 0 && tolerance <= 100)) {
      fail(this, 'weightTolerance', tolerance, 'it must be a number of percentage points from 0 to 100');
    }
    if (weight === 0) return [this.replicas, 0];
    if (weight === 100) return [0, this.replicas];
    if (this.replicas === 0) {
      fail(this, 'replicas', this.replicas, `a canary weight of ${weight}% needs pods on both tracks: `
        + 'it must be 1 or more');
    }
    const [stable, canary] = split(this.replicas, weight);
    const achieved = (100 * canary) / (stable + canary);
    const off = Math.abs(achieved - weight);
    if (off > tolerance + 1e-9) {
      fail(this, 'canaryWeight', weight, `with ${this.replicas} replicas the nearest achievable canary share is `
        + `${formatPercent(achieved)}% (${canary} canary and ${stable} stable pods), ${formatPercent(off)} points away, `
        + `more than 'weightTolerance' (${tolerance}); ${exactReplicas(weight)}, or set 'canaryReplicas' or a larger `
        + '\'weightTolerance\'');
    }
    return [stable, canary];
  }
}

/**
 * The stable and canary pods for a weight strictly between 0 and 100: the larger track runs
 * `replicas`, the smaller one the nearest whole number to its share on top (a tie rounding down),
 * at least one.
 */
function split(replicas: number, weight: number): [number, number] {
  const smallerShare = Math.min(weight, 100 - weight);
  // The tolerance keeps a float just above an exact half (3 * 33.33...% / 66.66...% = 1.5000000000000002)
  // a tie; weights have at most a few decimals, so no real share is that close to a half.
  const smaller = Math.max(Math.ceil((replicas * smallerShare) / (100 - smallerShare) - 0.5 - 1e-9), 1);
  return weight <= 50 ? [replicas, smaller] : [smaller, replicas];
}

/**
 * The integer route weights of the stable and the canary track whose ratio is `weight` exactly
 * (a percentage with at most two decimals): hundredths of a percent, divided by their greatest
 * common divisor, so 10% is 9 to 1 and 12.5% is 7 to 1.
 */
function routeWeights(weight: number): [number, number] {
  const canary = Math.round(weight * 100);
  const stable = 10000 - canary;
  const divisor = gcd(stable, canary);
  return [stable / divisor, canary / divisor];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** A percentage with at most two decimals. */
function formatPercent(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Which replica count makes `weight` exact, as the end of an error message. */
function exactReplicas(weight: number): string {
  for (let replicas = 1; replicas <= MAX_EXACT_REPLICAS; replicas++) {
    const [stable, canary] = split(replicas, weight);
    if (Math.abs((100 * canary) / (stable + canary) - weight) < 1e-9) {
      return `${replicas} replicas (or a multiple) make ${weight}% exact`;
    }
  }
  return `no replica count up to ${MAX_EXACT_REPLICAS} makes ${weight}% exact`;
}
