// The arithmetic of the Kubernetes Deployment controller's rolling update (rolling.go and
// deployment_util.go of kube-controller-manager), re-expressed for one new and one old ReplicaSet.
// Several old ReplicaSets are seen as one: their counts add up, which is what the controller's
// totals use; only the order in which it scales them down (oldest first) is not modelled.

/** A non-negative integer or a percentage of `replicas`, as the API stores `maxSurge` and `maxUnavailable`. */
export interface Amount {
  readonly amount: number;
  readonly percent: boolean;
}

/** The two ReplicaSets: their desired pods (spec.replicas) and available pods (status). */
export interface ReplicaSets {
  readonly oldReplicas: number;
  readonly newReplicas: number;
  readonly oldAvailable: number;
  readonly newAvailable: number;
}

/** A percentage of `total`, rounded up or down, as intstr.GetScaledValueFromIntOrPercent does. */
export function scaled(value: Amount, total: number, roundUp: boolean): number {
  if (!value.percent) return value.amount;
  // value * total is an integer below 2^53, so the quotient is exact when whole and never rounds
  // across an integer otherwise: ceil and floor are those of the exact fraction.
  const fraction = (value.amount * total) / 100;
  return roundUp ? Math.ceil(fraction) : Math.floor(fraction);
}

/**
 * ResolveFenceposts: surge rounded up, unavailable rounded down, and unavailable 1 when both come
 * to 0 (surge may be blocked by quota, so the rollout must be able to proceed by going down).
 */
export function resolveFenceposts(maxSurge: Amount, maxUnavailable: Amount, replicas: number): [number, number] {
  const surge = scaled(maxSurge, replicas, true);
  const unavailable = scaled(maxUnavailable, replicas, false);
  return surge === 0 && unavailable === 0 ? [0, 1] : [surge, unavailable];
}

/** MaxUnavailable: the resolved value, at most `replicas`, and 0 for 0 replicas. */
export function maxUnavailableOf(maxSurge: Amount, maxUnavailable: Amount, replicas: number): number {
  if (replicas === 0) return 0;
  return Math.min(resolveFenceposts(maxSurge, maxUnavailable, replicas)[1], replicas);
}

/** NewRSNewReplicas: the new ReplicaSet grows until all pods reach `replicas + maxSurge`, or it reaches `replicas`. */
export function newReplicaSetReplicas(replicas: number, maxSurge: Amount, allPods: number, newReplicas: number): number {
  const maxTotal = replicas + scaled(maxSurge, replicas, true);
  if (allPods >= maxTotal) return newReplicas;
  return newReplicas + Math.min(maxTotal - allPods, replicas - newReplicas);
}

/** cleanupUnhealthyReplicas: removes old pods that are not available, at most `maxCleanup`. */
export function cleanupUnhealthy(oldReplicas: number, oldAvailable: number, maxCleanup: number): number {
  if (maxCleanup <= 0 || oldReplicas === 0 || oldReplicas === oldAvailable) return 0;
  return Math.min(maxCleanup, oldReplicas - oldAvailable);
}

/** scaleDownOldReplicaSetsForRollingUpdate: removes old pods while more than `minAvailable` pods are available. */
export function scaleDownOld(oldReplicas: number, availablePods: number, minAvailable: number): number {
  if (availablePods <= minAvailable || oldReplicas === 0) return 0;
  return Math.min(oldReplicas, availablePods - minAvailable);
}

/**
 * One pass of rolloutRolling: reconcileNewReplicaSet, and only when it changed nothing,
 * reconcileOldReplicaSets (unhealthy old pods first, then available ones).
 */
export function syncOnce(replicas: number, maxSurge: Amount, maxUnavailable: Amount, sets: ReplicaSets):
  { oldReplicas: number; newReplicas: number } {
  const { oldReplicas, newReplicas, oldAvailable, newAvailable } = sets;
  // reconcileNewReplicaSet
  if (newReplicas > replicas) return { oldReplicas, newReplicas: replicas };
  if (newReplicas < replicas) {
    const grown = newReplicaSetReplicas(replicas, maxSurge, oldReplicas + newReplicas, newReplicas);
    if (grown !== newReplicas) return { oldReplicas, newReplicas: grown };
  }
  // reconcileOldReplicaSets
  if (oldReplicas === 0) return { oldReplicas, newReplicas };
  const minAvailable = replicas - maxUnavailableOf(maxSurge, maxUnavailable, replicas);
  const newUnavailable = newReplicas - newAvailable;
  const maxScaledDown = oldReplicas + newReplicas - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return { oldReplicas, newReplicas };
  const cleaned = cleanupUnhealthy(oldReplicas, oldAvailable, maxScaledDown);
  const afterCleanup = oldReplicas - cleaned;
  // Cleanup removed only unavailable pods, so every available pod is still there.
  const scaledDown = scaleDownOld(afterCleanup, oldAvailable + newAvailable, minAvailable);
  return { oldReplicas: afterCleanup - scaledDown, newReplicas };
}
