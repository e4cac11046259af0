// RollingUpdatePlan: what the Kubernetes Deployment controller does during a rolling update, pass
// by pass, worked out offline from replicas, maxSurge and maxUnavailable.
import * as kplus from 'cdk8s-plus-27';
import { parseRollingUpdate, show } from '../validation';

/**
 * The settings of a rolling update.
 */
export interface RollingUpdateSettings {
  /**
   * The desired number of pods (`spec.replicas`): an integer from 0 to 2147483647.
   */
  readonly replicas: number;

  /**
   * Pods allowed above `replicas`; a percentage of `replicas` is rounded up.
   *
   * @default PercentOrAbsolute.percent(25)
   */
  readonly maxSurge?: kplus.PercentOrAbsolute;

  /**
   * Pods of `replicas` allowed to be unavailable; a percentage of `replicas` is rounded down.
   *
   * @default PercentOrAbsolute.percent(25)
   */
  readonly maxUnavailable?: kplus.PercentOrAbsolute;
}

/**
 * `maxSurge` and `maxUnavailable` as numbers of pods.
 */
export interface ResolvedRollingUpdate {
  /** Pods allowed above `replicas`. */
  readonly maxSurge: number;
  /** Pods allowed to be unavailable; 1 when both values come to 0. */
  readonly maxUnavailable: number;
}

/**
 * What the controller sees at the start of a pass: one new and one old ReplicaSet. Several old
 * ReplicaSets count as one, their numbers added up: the controller's bounds use only those sums;
 * what is not modelled is which of them it shrinks first (the oldest).
 */
export interface RolloutState extends RollingUpdateSettings {
  /** `spec.replicas` of the old ReplicaSet(s). */
  readonly oldReplicas: number;
  /**
   * `spec.replicas` of the new ReplicaSet, which exists already (possibly with 0 replicas);
   * `compute` models the pass that creates it.
   */
  readonly newReplicas: number;
  /**
   * `status.availableReplicas` of the old ReplicaSet(s). It may exceed `oldReplicas` for a moment
   * after a scale-down, as the status lags; the controller then removes no old pod in that pass.
   */
  readonly oldAvailable: number;
  /** `status.availableReplicas` of the new ReplicaSet. */
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
   * Pods of the old version when the rollout starts. When it differs from `replicas` (the
   * Deployment is scaled in the same change as its pod template), the plan starts with the
   * controller's scaling event: the old ReplicaSet is set to `replicas` first.
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
  /** Available pods: every existing pod, as the plan counts a pod available as soon as it exists. */
  readonly availableReplicas: number;
  /** What the pass did, e.g. "scale new up by 3", "scale old down by 2" or "start". */
  readonly action: string;
}

/**
 * A rolling update from all-old to all-new.
 */
export interface Plan {
  /** The desired number of pods. */
  readonly replicas: number;
  /** `maxSurge` in pods, as `resolve` gives it. */
  readonly maxSurge: number;
  /** `maxUnavailable` in pods, as `resolve` gives it. */
  readonly maxUnavailable: number;
  /** The most pods the controller lets exist: `replicas + maxSurge`. */
  readonly maxTotal: number;
  /**
   * The fewest available pods the controller keeps: `replicas - maxUnavailable`, and 0 when
   * `maxUnavailable` is more than `replicas`.
   */
  readonly minAvailable: number;
  /** The states, from the start (step 0) to all-new. */
  readonly steps: PlanStep[];
}

/**
 * A rolling update of a Deployment as its controller carries it out, computed offline. The
 * arithmetic is the controller's own: `maxSurge` is rounded up and `maxUnavailable` down; when
 * both come to 0, 1 pod may be unavailable. Each pass first grows the new ReplicaSet up to
 * `replicas + maxSurge` pods in all, and only if that changed nothing shrinks the old one,
 * unavailable pods first, never below `replicas - maxUnavailable` available pods (pods of the new
 * ReplicaSet that are not available yet count against the old ones).
 *
 * Old pods are counted gone as soon as the controller scales their ReplicaSet down, as it does
 * itself with its default pod replacement policy.
 */
export class RollingUpdatePlan {
  /**
   * Reads a command-line value as Kubernetes reads `maxSurge` and `maxUnavailable`: digits are a
   * number of pods, digits and '%' a percentage of `replicas`; nothing else is accepted (no sign,
   * no decimals, no spaces). Throws an error naming `propName` (quoted unless it starts with '-',
   * like a flag), the text and the accepted forms.
   *
   * @param propName what the error calls the value, e.g. "maxSurge" or "--max-surge"
   * @param text the value, e.g. "25%" or "3"
   */
  public static parsePercentOrAbsolute(propName: string, text: string): kplus.PercentOrAbsolute {
    const match = /^([0-9]+)(%?)$/.exec(text);
    if (!match) {
      throw invalid(propName, text, 'it must be a non-negative integer (e.g. 3) or a percentage matching ^[0-9]+%$ (e.g. 25%)');
    }
    const amount = parseInt(match[1], 10);
    if (amount > INT32_MAX) {
      throw invalid(propName, text, `it may be at most ${INT32_MAX}`);
    }
    return match[2] ? kplus.PercentOrAbsolute.percent(amount) : kplus.PercentOrAbsolute.absolute(amount);
  }

  /**
   * `maxSurge` and `maxUnavailable` in pods, as the controller resolves them
   * (`ResolveFenceposts`).
   *
   * @throws if a value is not what the Kubernetes API server accepts: integers 0 or more or
   * percentages, `maxUnavailable` at most 100%, not both 0
   */
  public static resolve(settings: RollingUpdateSettings): ResolvedRollingUpdate {
    const { maxSurge, maxUnavailable } = bounds(settings);
    return { maxSurge, maxUnavailable };
  }

  /**
   * The desired pods of both ReplicaSets after one pass of the controller over `state`
   * (`rolloutRolling`, with the new ReplicaSet already there).
   */
  public static sync(state: RolloutState): ReplicaCounts {
    const b = bounds(state);
    const counts: Counts = {
      oldReplicas: checkCount('oldReplicas', state.oldReplicas),
      newReplicas: checkCount('newReplicas', state.newReplicas),
      oldAvailable: checkCount('oldAvailable', state.oldAvailable),
      newAvailable: checkCount('newAvailable', state.newAvailable),
    };
    return pass(b, counts);
  }

  /**
   * The whole rollout from `oldReplicas` old pods to `replicas` new ones, assuming each pod is
   * available as soon as it exists. The steps are those of the controller:
   *
   * 1. when `oldReplicas` differs from `replicas` (and is not 0), a scaling event: the old
   *    ReplicaSet, the only one with pods, is set to `replicas`;
   * 2. the pass that creates the new ReplicaSet, with as many pods as the surge allows; in that
   *    same pass its pods are not available yet, and the old ReplicaSet shrinks only as far as
   *    `maxUnavailable` allows with them counted unavailable;
   * 3. passes as `sync` makes them, until no old pod is left and the new ReplicaSet has `replicas`.
   *
   * It always ends. From step 3 on, with every pod available, a pass that cannot grow the new
   * ReplicaSet (it has `replicas`, or all pods reach `replicas + maxSurge`) can shrink the old one
   * by at least 1 while old pods are left: the room below the available pods is then at least
   * `maxSurge + maxUnavailable`, which the resolved values keep at 1 or more, and when the new
   * ReplicaSet has `replicas` it is all the old pods. So `oldReplicas + (replicas - newReplicas)`,
   * a count of 0 or more, falls by at least 1 a pass: at most `2 * replicas + 2` steps in all, a
   * bound checked as the passes run.
   *
   * @throws if a value is invalid (see `resolve`), or if the plan would have more than 1,000,000
   * steps (from about 500,000 replicas with a surge of 1 and no unavailable pod)
   */
  public static compute(options: PlanOptions): Plan {
    const b = bounds(options);
    const replicas = b.replicas;
    let oldReplicas = checkCount('oldReplicas', options.oldReplicas ?? replicas);
    let newReplicas = 0;
    const steps: PlanStep[] = [stepOf(0, oldReplicas, newReplicas, 'start')];
    const record = (nextOld: number, nextNew: number, action: string) => {
      oldReplicas = nextOld;
      newReplicas = nextNew;
      steps.push(stepOf(steps.length, oldReplicas, newReplicas, action));
    };

    // An old ReplicaSet with pods whose size is not the Deployment's is a scaling event, handled
    // before any rollout; one with no pods is not, and the rollout starts at once.
    if (oldReplicas > 0 && oldReplicas !== replicas) {
      const change = replicas - oldReplicas;
      record(replicas, 0, `scale old ${change > 0 ? 'up' : 'down'} by ${Math.abs(change)} (scaling to ${replicas})`);
    }

    // The pass that creates the new ReplicaSet sees it with no available pod yet.
    const created = newReplicaSetSize(b, oldReplicas, 0);
    const first = pass(b, { oldReplicas, newReplicas: created, oldAvailable: oldReplicas, newAvailable: 0 });
    if (first.oldReplicas !== oldReplicas || first.newReplicas !== newReplicas) {
      record(first.oldReplicas, first.newReplicas, describe(oldReplicas, newReplicas, first));
    }

    const bound = 2 * replicas + 2;
    while (oldReplicas > 0 || newReplicas !== replicas) {
      const next = pass(b, { oldReplicas, newReplicas, oldAvailable: oldReplicas, newAvailable: newReplicas });
      if (next.oldReplicas === oldReplicas && next.newReplicas === newReplicas) {
        throw new Error(`the rollout of ${replicas} replicas stalls at ${oldReplicas} old and ${newReplicas} new pods`);
      }
      if (steps.length > bound) {
        throw new Error(`the rollout of ${replicas} replicas did not end within ${bound} steps`);
      }
      if (steps.length > MAX_PLAN_STEPS) {
        throw new Error(`the rollout of ${replicas} replicas with maxSurge ${b.maxSurge} and maxUnavailable `
          + `${b.maxUnavailable} takes more than ${MAX_PLAN_STEPS} steps, too many to list`);
      }
      record(next.oldReplicas, next.newReplicas, describe(oldReplicas, newReplicas, next));
    }
    return {
      replicas,
      maxSurge: b.maxSurge,
      maxUnavailable: b.maxUnavailable,
      maxTotal: replicas + b.maxSurge,
      minAvailable: b.minAvailable,
      steps,
    };
  }

  private constructor() {}
}

/** The largest value of an int32 field, as Kubernetes stores replica counts and amounts. */
const INT32_MAX = 2147483647;

/** Past this, a plan is too long to be read or charted and would only use up memory. */
const MAX_PLAN_STEPS = 1_000_000;

/** The numbers a pass works with. */
interface Bounds {
  readonly replicas: number;
  /** Resolved as ResolveFenceposts does: rounded up. */
  readonly maxSurge: number;
  /** Resolved as ResolveFenceposts does: rounded down, 1 when both come to 0. */
  readonly maxUnavailable: number;
  /**
   * `replicas` minus the unavailable pods the controller allows: it caps them at `replicas`,
   * and allows none for 0 replicas (MaxUnavailable).
   */
  readonly minAvailable: number;
}

interface Counts {
  readonly oldReplicas: number;
  readonly newReplicas: number;
  readonly oldAvailable: number;
  readonly newAvailable: number;
}

function bounds(settings: RollingUpdateSettings): Bounds {
  const replicas = checkCount('replicas', settings.replicas);
  const { maxSurge, maxUnavailable, surge, unavailable } = parseRollingUpdate(settings);
  if (surge.amount > INT32_MAX) throw invalid('maxSurge', maxSurge, `it may be at most ${INT32_MAX}`);
  if (unavailable.amount > INT32_MAX) throw invalid('maxUnavailable', maxUnavailable, `it may be at most ${INT32_MAX}`);
  const resolvedSurge = scaled(surge, replicas, true);
  let resolvedUnavailable = scaled(unavailable, replicas, false);
  // Surge may be impossible (a quota), so a rollout must always be able to proceed by going down.
  if (resolvedSurge === 0 && resolvedUnavailable === 0) resolvedUnavailable = 1;
  const allowedUnavailable = replicas === 0 ? 0 : Math.min(resolvedUnavailable, replicas);
  return {
    replicas,
    maxSurge: resolvedSurge,
    maxUnavailable: resolvedUnavailable,
    minAvailable: replicas - allowedUnavailable,
  };
}

/**
 * A percentage of `total`, rounded as asked. The float operations are those of the controller
 * (amount times total, then divided by 100), so the rounding is the same even where the product
 * is not exact.
 */
function scaled(value: { amount: number; percent: boolean }, total: number, roundUp: boolean): number {
  if (!value.percent) return value.amount;
  const fraction = (value.amount * total) / 100;
  return roundUp ? Math.ceil(fraction) : Math.floor(fraction);
}

/** The size the new ReplicaSet is given: more pods while all of them stay within the surge, at most `replicas`. */
function newReplicaSetSize(b: Bounds, allPods: number, newReplicas: number): number {
  const maxTotal = b.replicas + b.maxSurge;
  if (allPods >= maxTotal) return newReplicas;
  return newReplicas + Math.min(maxTotal - allPods, b.replicas - newReplicas);
}

/** One pass: the new ReplicaSet first; the old one only when the new one did not change. */
function pass(b: Bounds, c: Counts): ReplicaCounts {
  const newReplicas = reconcileNew(b, c);
  if (newReplicas !== c.newReplicas) return { oldReplicas: c.oldReplicas, newReplicas };
  return { oldReplicas: reconcileOld(b, c), newReplicas };
}

function reconcileNew(b: Bounds, c: Counts): number {
  if (c.newReplicas >= b.replicas) return b.replicas;
  return newReplicaSetSize(b, c.oldReplicas + c.newReplicas, c.newReplicas);
}

/** The old ReplicaSet's size after the pass. */
function reconcileOld(b: Bounds, c: Counts): number {
  if (c.oldReplicas === 0) return 0;
  // New pods that are not available yet would make the shrinking go below the bound once they
  // are counted, so they count against the old pods now.
  const newUnavailable = c.newReplicas - c.newAvailable;
  const maxScaledDown = c.oldReplicas + c.newReplicas - b.minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return c.oldReplicas;

  // Unavailable old pods go first: removing them costs no availability, and left alone they
  // could block the rollout.
  const unhealthy = c.oldReplicas - c.oldAvailable;
  // A status that counts more available pods than the spec asks for makes the controller give up
  // on the pass (it refuses to "scale down" to a larger size).
  if (unhealthy < 0) return c.oldReplicas;
  const afterCleanup = c.oldReplicas - Math.min(maxScaledDown, unhealthy);

  // Then available ones, down to the bound. The status is the one read at the start of the pass:
  // the clean-up removed only pods that were not counted available.
  const available = c.oldAvailable + c.newAvailable;
  if (available <= b.minAvailable) return afterCleanup;
  return afterCleanup - Math.min(afterCleanup, available - b.minAvailable);
}

function describe(oldBefore: number, newBefore: number, after: ReplicaCounts): string {
  const parts: string[] = [];
  if (after.newReplicas !== newBefore) {
    const change = after.newReplicas - newBefore;
    parts.push(`scale new ${change > 0 ? 'up' : 'down'} by ${Math.abs(change)}`);
  }
  if (after.oldReplicas !== oldBefore) {
    parts.push(`${parts.length ? 'old' : 'scale old'} down by ${oldBefore - after.oldReplicas}`);
  }
  return parts.join(', ');
}

function stepOf(step: number, oldReplicas: number, newReplicas: number, action: string): PlanStep {
  const total = oldReplicas + newReplicas;
  return { step, oldReplicas, newReplicas, totalReplicas: total, availableReplicas: total, action };
}

function checkCount(prop: string, value: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > INT32_MAX) {
    throw invalid(prop, value, `it must be an integer from 0 to ${INT32_MAX}`);
  }
  return value;
}

/** The library's error for a value: the name, the value and what is allowed. */
function invalid(name: string, value: unknown, allowed: string): Error {
  const shown = name.startsWith('-') ? name : `'${name}'`;
  return new Error(`${shown} is ${show(value)}; ${allowed}`);
}
