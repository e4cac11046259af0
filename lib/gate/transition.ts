// What the Deployment controller does with one Deployment while new manifests are applied over
// old ones: how many of its pods stay ready, and how many the rolling update may take away.
import * as kplus from 'cdk8s-plus-27';
import { ResolvedRollingUpdate, RollingUpdatePlan } from '../planning/rolling-update-plan';
import { describeObject, KubeObject, listAt, ManifestError, namespaceOf, ReadObject, sameSpec } from './manifests';

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
  /**
   * Whether the apply gives the Deployment pods of a template they did not run: it is new, its pod
   * template changes (or its containers run other images on the cluster than the new release
   * says), or a rollout that `spec.paused` held resumes. A change made while the Deployment stays
   * paused replaces no pod.
   */
  readonly templateChanged: boolean;
  /** The pod template changes while `spec.paused` holds the rollout: no pod is replaced until it resumes (it still scales). */
  readonly held: boolean;
  /**
   * `spec.paused` is lifted in this apply, over a Deployment read from a cluster whose template its
   * pods do not all run (fewer updated pods than replicas, or a generation not yet observed): the
   * rollout it held starts.
   */
  readonly resumes: boolean;
  /**
   * Paused in the old release, read from manifests (or a status that does not say what the
   * controller observed): its pods may run an older template than they say.
   */
  readonly templateUnseen: boolean;
  /** New in this apply with `spec.paused`: the controller makes no ReplicaSet, so it runs no pod. */
  readonly createdPaused: boolean;
  /**
   * `spec.paused` is lifted in this apply, over manifests (or a status that does not say what the
   * controller observed), which cannot say whether a change applied while it was paused is waiting
   * to roll out.
   */
  readonly unpausedUnseen: boolean;
  /**
   * Read from a cluster in the middle of a rollout (not every pod runs its template yet, or the
   * rollout is stuck): its ready pods may still run the template before.
   */
  readonly rolloutUnfinished: boolean;
  /** The fewest of its pods that stay ready during the apply. */
  readonly minReady: number;
  /** How many of its pods the new release allows to be unavailable during the apply. */
  readonly allowance: number;
}

/** The pairing of a Deployment of each release into a move. */
export function deploymentMove(before: ReadObject | undefined, after: ReadObject | undefined): DeploymentMove {
  const some = (after ?? before)!.object;
  const beforeCount = before ? podCount(before) : 0;
  const beforeReady = before ? readyPods(before, beforeCount) : 0;
  const createdPaused = before === undefined && after?.object.spec?.paused === true;
  const afterCount = after && !createdPaused ? nextPodCount(before, after.object, beforeCount) : 0;
  const template = after?.object.spec?.template;
  const templateDiffers = after !== undefined && before !== undefined
    && (!sameSpec(before.object.spec?.template, template, before.defaulted)
      // An image changed on the cluster since it was applied (`kubectl set image`): the apply sets
      // it back. (Entries added on the cluster, such as `kubectl set env`, stay: an apply only
      // removes what the last one set.)
      || (before.current !== undefined && imagesChanged(before.current, after.object)));
  const unfinished = before !== undefined && rolloutUnfinished(before, beforeCount);
  // A paused Deployment scales but does not roll out a changed template until it is resumed.
  const pausedBefore = before !== undefined && (before.current ?? before.object).spec?.paused === true;
  const pausedAfter = after !== undefined && before !== undefined && pausedAfterApply(before, after.object);
  const held = templateDiffers && pausedAfter;
  const lifted = pausedBefore && after !== undefined && !pausedAfter;
  const statusTells = before !== undefined && before.live && typeof before.object.status?.observedGeneration === 'number';
  const resumes = lifted && statusTells && templatePending(before!, beforeCount);
  const templateChanged = after !== undefined && (before === undefined || (templateDiffers && !pausedAfter) || resumes);
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
    before, after, beforeCount, beforeReady, afterCount, templateChanged, held, resumes, createdPaused, minReady,
    templateUnseen: pausedBefore && !statusTells,
    unpausedUnseen: lifted && !statusTells,
    rolloutUnfinished: unfinished,
    // A Recreate rollout may take every pod; that is reported as its own warning instead.
    allowance: recreate && templateChanged ? afterCount : unavailable,
  };
}

/**
 * `spec.replicas` as the cluster holds it, or for a live object without the field its status, or 1
 * (the API's default).
 */
function podCount(before: ReadObject): number {
  const replicas = replicasOf(before.current ?? before.object);
  if (replicas !== undefined) return replicas;
  if (before.live && typeof before.object.status?.replicas === 'number') return before.object.status.replicas;
  return 1;
}

/** `spec.replicas`, undefined when left out (or null); a `ManifestError` when it is not a count. */
function replicasOf(object: KubeObject): number | undefined {
  const replicas = object.spec?.replicas;
  if (replicas === undefined || replicas === null) return undefined;
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > 2147483647) {
    throw new ManifestError(`${describeObject(object)}: spec.replicas is ${JSON.stringify(replicas)}; it must be an integer `
      + 'from 0 to 2147483647');
  }
  return replicas;
}

/**
 * Whether the Deployment is paused once `after` is applied. A manifest that leaves `spec.paused`
 * out has it removed only where the last apply set it (the previous manifests, or a live object's
 * record); a pause made on the cluster (`kubectl rollout pause`) stays.
 */
function pausedAfterApply(before: ReadObject, after: KubeObject): boolean {
  const paused = after.spec?.paused;
  // `paused: null` removes the field, whoever set it.
  if (paused !== undefined) return paused === true;
  if (!before.live) return false;
  const lastApplied = before.defaulted ? undefined : before.object.spec?.paused;
  return lastApplied === undefined || lastApplied === null ? (before.current ?? before.object).spec?.paused === true : false;
}

/** Whether a container (by name) of the new template runs another image than on the cluster. */
function imagesChanged(current: KubeObject, after: KubeObject): boolean {
  const images = (o: KubeObject) => {
    const pod = o.spec?.template?.spec;
    const where = `${describeObject(o)}: spec.template.spec`;
    return new Map([...listAt(pod?.initContainers, `${where}.initContainers`), ...listAt(pod?.containers, `${where}.containers`)]
      .map(c => [c?.name, c?.image]));
  };
  const now = images(current);
  return [...images(after)].some(([name, image]) => image !== undefined && now.has(name) && now.get(name) !== image);
}

/** The counts as the Deployment controller writes them (it leaves out the ones at 0). */
const count = (value: unknown) => (typeof value === 'number' ? value : 0);

/**
 * Whether the pods of a Deployment read from a cluster do not all run its template: a generation
 * the controller has not observed yet, or fewer updated pods than replicas (a paused Deployment
 * makes no ReplicaSet for a changed template).
 */
function templatePending(before: ReadObject, replicas: number): boolean {
  const status = before.object.status;
  if (!before.live || typeof status !== 'object' || status === null || typeof status.observedGeneration !== 'number') return false;
  const generation = (before.current ?? before.object).metadata.generation;
  return (typeof generation === 'number' && status.observedGeneration < generation) || count(status.updatedReplicas) < replicas;
}

/**
 * Whether a Deployment read from a cluster is in the middle of a rollout, or stuck in one: what
 * `kubectl rollout status` waits for (a generation not yet observed, fewer updated pods than
 * replicas, old pods still there, updated pods not yet available), or a stalled rollout.
 */
function rolloutUnfinished(before: ReadObject, replicas: number): boolean {
  const status = before.object.status;
  if (!before.live || typeof status !== 'object' || status === null) return false;
  if (templatePending(before, replicas)) return true;
  if (typeof status.observedGeneration === 'number') {
    const updated = count(status.updatedReplicas);
    if (count(status.replicas) > updated || count(status.availableReplicas) < updated) return true;
  }
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c: any) => c?.type === 'Progressing' && c.status === 'False');
}

function readyPods(before: ReadObject, count: number): number {
  if (!before.live || typeof before.object.status !== 'object' || before.object.status === null) return count;
  const ready = before.object.status.readyReplicas;
  return typeof ready === 'number' ? ready : 0;
}

/**
 * The pods after the apply. A manifest without `spec.replicas` keeps the count the cluster has,
 * unless the last applied manifest had the field: then `kubectl apply` removes it and the API
 * server defaults it to 1.
 */
function nextPodCount(before: ReadObject | undefined, after: KubeObject, beforeCount: number): number {
  const replicas = replicasOf(after);
  if (replicas !== undefined) return replicas;
  if (!before) return 1;
  return replicasFieldRemoved(before, after) ? 1 : beforeCount;
}

/** Whether the old release set `spec.replicas` and the new one leaves it out. */
export function replicasFieldRemoved(before: ReadObject, after: KubeObject): boolean {
  // A live object read without a record of what was applied always has the field (defaulted).
  // `replicas: null` removes the field as leaving it out does.
  return !before.defaulted && typeof before.object.spec?.replicas === 'number' && [undefined, null].includes(after.spec?.replicas);
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
