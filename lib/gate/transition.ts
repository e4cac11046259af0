// What the Deployment controller does with one Deployment while new manifests are applied over
// old ones: how many of its pods stay ready, and how many the rolling update may take away.
import * as kplus from 'cdk8s-plus-27';
import { ResolvedRollingUpdate, RollingUpdatePlan } from '../planning/rolling-update-plan';
import { KubeObject, namespaceOf, ReadObject, sameSpec } from './manifests';

/** One Deployment in the old and the new release (either may be missing). */
export interface DeploymentMove {
  readonly name: string;
  readonly namespace?: string;
  readonly before?: ReadObject;
  readonly after?: ReadObject;
  /** Pods the old release runs (`spec.replicas`, 1 when left out, as the API defaults it). */
  readonly beforeCount: number;
  /** Ready pods in the old release: its status when read from a cluster, else all of its pods. */
  readonly beforeReady: number;
  /** Pods the new release runs once the apply is done. */
  readonly afterCount: number;
  /** Whether the pod template changes, which starts a rollout; true for a new Deployment. */
  readonly templateChanged: boolean;
  /** The fewest of its pods that stay ready during the apply. */
  readonly minReady: number;
  /** How many of its pods the new release allows to be unavailable during the apply. */
  readonly allowance: number;
}

/** The pairing of a Deployment of each release into a move. */
export function deploymentMove(before: ReadObject | undefined, after: ReadObject | undefined): DeploymentMove {
  const some = (after ?? before)!.object;
  const beforeCount = before ? podCount(before.object, before.live) : 0;
  const beforeReady = before ? readyPods(before, beforeCount) : 0;
  const afterCount = after ? nextPodCount(before, after.object, beforeCount) : 0;
  const templateChanged = after !== undefined && (before === undefined
    || !sameSpec(before.object.spec?.template, after.object.spec?.template, before.defaulted));
  const recreate = after !== undefined && after.object.spec?.strategy?.type === 'Recreate';
  const unavailable = after ? maxUnavailable(after.object, afterCount) : 0;

  let minReady: number;
  if (!before || !after) {
    // A new Deployment has no ready pod when the apply lands; a removed one loses its pods at once.
    minReady = 0;
  } else if (!templateChanged) {
    // A lower count removes pods at once; a higher one adds pods that are not ready yet.
    minReady = Math.min(beforeReady, afterCount);
  } else if (recreate) {
    minReady = 0;
  } else {
    // The controller first scales the old ReplicaSet to the new count (a scale-down at once, a
    // scale-up with pods that are not ready), then never goes below count - maxUnavailable.
    minReady = Math.min(beforeReady, Math.max(0, afterCount - unavailable));
  }
  return {
    name: some.metadata.name,
    namespace: namespaceOf(before, after),
    before, after, beforeCount, beforeReady, afterCount, templateChanged, minReady,
    // A Recreate rollout may take every pod; that is reported as its own warning instead.
    allowance: recreate && templateChanged ? afterCount : unavailable,
  };
}

/** `spec.replicas`, or for a live object its status, or 1 (the API's default). */
function podCount(object: KubeObject, live: boolean): number {
  const replicas = object.spec?.replicas;
  if (typeof replicas === 'number') return replicas;
  if (live && typeof object.status?.replicas === 'number') return object.status.replicas;
  return 1;
}

function readyPods(before: ReadObject, count: number): number {
  if (!before.live || before.object.status === undefined) return count;
  const ready = before.object.status.readyReplicas;
  return typeof ready === 'number' ? ready : 0;
}

/**
 * The pods after the apply. A manifest without `spec.replicas` keeps the count the cluster has,
 * unless the last applied manifest had the field: then `kubectl apply` removes it and the API
 * server defaults it to 1.
 */
function nextPodCount(before: ReadObject | undefined, after: KubeObject, beforeCount: number): number {
  const replicas = after.spec?.replicas;
  if (typeof replicas === 'number') return replicas;
  if (!before) return 1;
  return replicasFieldRemoved(before, after) ? 1 : beforeCount;
}

/** Whether the old release set `spec.replicas` and the new one leaves it out. */
export function replicasFieldRemoved(before: ReadObject, after: KubeObject): boolean {
  // A live object read without a record of what was applied always has the field (defaulted).
  // `replicas: null` removes the field as leaving it out does.
  return !before.defaulted && typeof before.object.spec?.replicas === 'number' && (after.spec?.replicas === undefined || after.spec.replicas === null);
}

/**
 * The pods of `replicas` the rolling update may leave unavailable, as the controller resolves
 * them (`MaxUnavailable`): rounded down from a percentage, 1 when both values come to 0, at most
 * `replicas`.
 */
export function maxUnavailable(deployment: KubeObject, replicas: number): number {
  return replicas === 0 ? 0 : Math.min(rollingUpdateOf(deployment, replicas).maxUnavailable, replicas);
}

/** The most pods the rolling update lets exist: `replicas + maxSurge`, the surge rounded up. */
export function maxTotal(deployment: KubeObject, replicas: number): number {
  return replicas + rollingUpdateOf(deployment, replicas).maxSurge;
}

/**
 * The Deployment's `maxSurge` and `maxUnavailable` in pods. A value the API server would refuse
 * counts as its default, 25%: the gate describes the move, and the apply itself fails on it.
 */
function rollingUpdateOf(deployment: KubeObject, replicas: number): ResolvedRollingUpdate {
  const rolling = deployment.spec?.strategy?.rollingUpdate ?? {};
  const read = (name: string, value: unknown): kplus.PercentOrAbsolute | undefined => {
    if (typeof value === 'number') return kplus.PercentOrAbsolute.absolute(value);
    if (typeof value === 'string') return RollingUpdatePlan.parsePercentOrAbsolute(name, value);
    return undefined;
  };
  try {
    return RollingUpdatePlan.resolve({
      replicas, maxSurge: read('maxSurge', rolling.maxSurge), maxUnavailable: read('maxUnavailable', rolling.maxUnavailable),
    });
  } catch {
    return RollingUpdatePlan.resolve({ replicas });
  }
}
