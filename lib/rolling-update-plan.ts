// RollingUpdatePlan: what the Kubernetes Deployment controller will do during a rolling update,
// step by step, computed offline from replicas, maxSurge and maxUnavailable.
import * as kplus from 'cdk8s-plus-27';
import { Amount, maxUnavailableOf, resolveFenceposts, syncOnce } from './rollout-controller';
import { parseRollingUpdate } from './validation';

/**
 * The settings of a rolling update.
 */
export interface RollingUpdateSettings {
  /**
   * The desired number of pods (`spec.replicas`).
   */
  readonly replicas: number;

  /**
   * Pods allowed above `replicas`; a percentage is rounded up.
   *
   * @default PercentOrAbsolute.percent(25)
   */
  readonly maxSurge?: kplus.PercentOrAbsolute;

  /**
   * Pods of `replicas` allowed to be unavailable; a percentage is rounded down.
   *
   * @default PercentOrAbsolute.percent(25)
   */
  readonly maxUnavailable?: kplus.PercentOrAbsolute;
}

/**
 * `maxSurge` and `maxUnavailable` as absolute numbers of pods.
 */
export interface ResolvedRollingUpdate {
  /** Pods allowed above `replicas`. */
  readonly maxSurge: number;
  /** Pods allowed to be unavailable; 1 when both values resolve to 0. */
  readonly maxUnavailable: number;
}

/**
 * The state the controller sees: one new and one old ReplicaSet (several old ReplicaSets count as
 * one, their numbers added up).
 */
export interface RolloutState extends RollingUpdateSettings {
  /** `spec.replicas` of the old ReplicaSet(s). */
  readonly oldReplicas: number;
  /** `spec.replicas` of the new ReplicaSet. */
  readonly newReplicas: number;
  /** Available pods of the old ReplicaSet(s). */
  readonly oldAvailable: number;
  /** Available pods of the new ReplicaSet. */
  readonly newAvailable: number;
}

/**
 * The desired pods of both ReplicaSets.
 */
export interface ReplicaCounts {
  /** `spec.replicas` of the old ReplicaSet(s). */
  readonly oldReplicas: number;
  /** `spec.replicas` of the new ReplicaSet. */
  readonly newReplicas: number;
}

/**
 * Options of `RollingUpdatePlan.compute`.
 */
export interface PlanOptions extends RollingUpdateSettings {
  /**
   * Pods of the old version when the rollout starts.
   *
   * @default - `replicas`
   */
  readonly oldReplicas?: number;
}

/**
 * One state of the rollout.
 */
export interface PlanStep {
  /** 0 for the state before the rollout, then one per controller pass that changed something. */
  readonly step: number;
  /** Pods of the old version. */
  readonly oldReplicas: number;
  /** Pods of the new version. */
  readonly newReplicas: number;
  /** All pods. */
  readonly totalReplicas: number;
  /** Available pods (every existing pod, as the plan assumes pods become available at once). */
  readonly availableReplicas: number;
  /** What the pass did, e.g. "scale new up by 3". */
  readonly action: string;
}

/**
 * A rolling update from all-old to all-new.
 */
export interface Plan {
  /** The desired number of pods. */
  readonly replicas: number;
  /** `maxSurge` in pods. */
  readonly maxSurge: number;
  /** `maxUnavailable` in pods. */
  readonly maxUnavailable: number;
  /** The most pods that exist at once: `replicas + maxSurge`. */
  readonly maxTotal: number;
  /** The fewest available pods the controller keeps: `replicas - maxUnavailable` (at least 0). */
  readonly minAvailable: number;
  /** The states, from all-old to all-new. */
  readonly steps: PlanStep[];
}

/**
 * The rolling update of a Deployment as its controller performs it, computed offline. The
 * arithmetic is the controller's own: `maxSurge` is rounded up and `maxUnavailable` down; when
 * both come to 0, 1 pod may be unavailable; each pass first grows the new ReplicaSet up to
 * `replicas + maxSurge` pods in all, and only if that changed nothing shrinks the old ones,
 * unavailable pods first, never below `replicas - maxUnavailable` available pods.
 */
export class RollingUpdatePlan {
  /**
   * `maxSurge` and `maxUnavailable` in pods, as the controller resolves them.
   */
  public static resolve(settings: RollingUpdateSettings): ResolvedRollingUpdate {
    const { replicas, surge, unavailable } = parseSettings(settings);
    const [maxSurge, maxUnavailable] = resolveFenceposts(surge, unavailable, replicas);
    return { maxSurge, maxUnavailable };
  }

  /**
   * The desired pods of both ReplicaSets after one pass of the controller over `state`.
   */
  public static sync(state: RolloutState): ReplicaCounts {
    const { replicas, surge, unavailable } = parseSettings(state);
    for (const prop of ['oldReplicas', 'newReplicas', 'oldAvailable', 'newAvailable'] as const) {
      checkCount(prop, state[prop]);
    }
    return syncOnce(replicas, surge, unavailable, state);
  }

  /**
   * The whole rollout from `oldReplicas` old pods to `replicas` new ones, assuming each pod is
   * available as soon as it exists.
   *
   * It always ends: every pass that changes something either grows the new ReplicaSet towards
   * `replicas` or shrinks the old one towards 0 (the new one shrinks only when it starts above
   * `replicas`, once), so `|replicas - new| + old` falls by at least 1 per step. A pass changes
   * nothing only when it cannot grow (all pods >= replicas + maxSurge) and cannot shrink
   * (available <= replicas - maxUnavailable), which with every pod available would mean
   * maxSurge + maxUnavailable <= 0: resolved values never allow it while old pods remain.
   */
  public static compute(options: PlanOptions): Plan {
    const { replicas, surge, unavailable } = parseSettings(options);
    const [maxSurge, maxUnavailable] = resolveFenceposts(surge, unavailable, replicas);
    let oldReplicas = checkCount('oldReplicas', options.oldReplicas ?? replicas);
    let newReplicas = 0;
    const steps: PlanStep[] = [stepOf(0, oldReplicas, newReplicas, 'start')];
    const bound = oldReplicas + replicas + 1;
    while (oldReplicas > 0 || newReplicas !== replicas) {
      const next = syncOnce(replicas, surge, unavailable,
        { oldReplicas, newReplicas, oldAvailable: oldReplicas, newAvailable: newReplicas });
      if (next.oldReplicas === oldReplicas && next.newReplicas === newReplicas) {
        throw new Error(`the rollout of ${replicas} replicas stalls at ${oldReplicas} old and ${newReplicas} new pods`);
      }
      const action = next.newReplicas !== newReplicas
        ? `scale new ${next.newReplicas > newReplicas ? 'up' : 'down'} by ${Math.abs(next.newReplicas - newReplicas)}`
        : `scale old down by ${oldReplicas - next.oldReplicas}`;
      oldReplicas = next.oldReplicas;
      newReplicas = next.newReplicas;
      steps.push(stepOf(steps.length, oldReplicas, newReplicas, action));
      if (steps.length > bound + 1) {
        throw new Error(`the rollout of ${replicas} replicas did not end within ${bound} steps`);
      }
    }
    return {
      replicas,
      maxSurge,
      maxUnavailable,
      maxTotal: replicas + maxSurge,
      minAvailable: replicas - maxUnavailableOf(surge, unavailable, replicas),
      steps,
    };
  }

  private constructor() {}
}

function stepOf(step: number, oldReplicas: number, newReplicas: number, action: string): PlanStep {
  const total = oldReplicas + newReplicas;
  return { step, oldReplicas, newReplicas, totalReplicas: total, availableReplicas: total, action };
}

function checkCount(prop: string, value: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`'${prop}' is ${value}; it must be an integer 0 or more`);
  }
  return value;
}

function parseSettings(settings: RollingUpdateSettings): { replicas: number; surge: Amount; unavailable: Amount } {
  const replicas = checkCount('replicas', settings.replicas);
  const { surge, unavailable } = parseRollingUpdate(settings);
  return { replicas, surge, unavailable };
}
