// One PodDisruptionBudget per Deployment, selecting exactly that Deployment's pods: the eviction
// API refuses to evict a pod that two budgets cover, so budgets that overlap block node drains.
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import type { DeploymentTarget } from './production-defaults';
import { fail, parsePercentOrAbsolute } from '../validation';

/**
 * How many pods of each Deployment voluntary disruptions (a node drain, an eviction) may take at
 * once: a `policy/v1` PodDisruptionBudget per Deployment, named after it, with its selector.
 */
export class DisruptionBudget {
  /**
   * At most this many pods (or this percentage, rounded up) may be unavailable at once. A budget
   * of at least one pod or 1% never blocks a drain, whatever the number of pods.
   */
  public static maxUnavailable(value: kplus.PercentOrAbsolute): DisruptionBudget {
    return new DisruptionBudget('maxUnavailable', value);
  }

  /**
   * At least this many pods (or this percentage, rounded up) must stay available. It blocks
   * every drain while the Deployment runs no more pods than that (the chart checks refuse a budget
   * that can never allow a disruption).
   */
  public static minAvailable(value: kplus.PercentOrAbsolute): DisruptionBudget {
    return new DisruptionBudget('minAvailable', value);
  }

  /** No PodDisruptionBudget: evictions are not limited. */
  public static none(): DisruptionBudget {
    return new DisruptionBudget(undefined, undefined);
  }

  /** @internal */
  public readonly _field?: string;
  /** @internal */
  public readonly _value?: kplus.PercentOrAbsolute;

  private constructor(field: string | undefined, value: kplus.PercentOrAbsolute | undefined) {
    this._field = field;
    this._value = value;
  }
}

/** One pod at a time, at any number of pods: the default, one object for every construct. */
const DEFAULT_BUDGET = DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.absolute(1));

/** The default: one pod at a time, at any number of pods (see `disruptionBudget`). */
export function defaultDisruptionBudget(): DisruptionBudget {
  return DEFAULT_BUDGET;
}

/** Checks the budget of `scope`'s `disruptionBudget` prop as the API server would. */
export function checkDisruptionBudget(scope: IConstruct, budget: DisruptionBudget): DisruptionBudget {
  if (!(budget instanceof DisruptionBudget)) {
    fail(scope, 'disruptionBudget', budget, 'it must be DisruptionBudget.maxUnavailable(...), '
      + 'DisruptionBudget.minAvailable(...) or DisruptionBudget.none()');
  }
  if (budget._field !== undefined) {
    try {
      parsePercentOrAbsolute(budget._field, budget._value, 100);
    } catch (e) {
      fail(scope, 'disruptionBudget', budget._value, `DisruptionBudget.${budget._field}: ${(e as Error).message}`);
    }
  }
  return budget;
}

/** Adds the PodDisruptionBudget of one Deployment, or nothing for `DisruptionBudget.none()`. */
export function addDisruptionBudget(scope: IConstruct, id: string, budget: DisruptionBudget,
  target: DeploymentTarget): ApiObject | undefined {
  if (budget._field === undefined) return undefined;
  return new ApiObject(scope, id, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: target.name, labels: target.labels, annotations: target.annotations },
    spec: {
      selector: { matchLabels: target.selector },
      [budget._field]: budget._value!.value,
      // A pod that is not ready serves nothing, so evicting it costs nothing: without this a single
      // crash-looping pod would hold every drain of its node.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}
