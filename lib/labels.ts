// The label and annotation keys the constructs write, so that users and tools can select by them.

/**
 * Label keys written on the objects and pod templates.
 */
export class Label {
  /** The app's name; part of every selector. */
  public static readonly NAME = 'app.kubernetes.io/name';
  /** The version a pod template runs; never part of a Deployment selector. */
  public static readonly VERSION = 'app.kubernetes.io/version';
  /** Written on every object as `cdk8s`. */
  public static readonly MANAGED_BY = 'app.kubernetes.io/managed-by';
  /** The blue/green slot (`blue` or `green`) of a `BlueGreenApp` pod; part of its Deployment selector. */
  public static readonly SLOT = 'cdk8s-deployment-strategies/slot';
  /** The track (`stable` or `canary`) of a `CanaryApp` pod; part of its Deployment selector. */
  public static readonly TRACK = 'cdk8s-deployment-strategies/track';
  /**
   * The variant (`a` or `b` of an `ABTestApp`, `primary` or `shadow` of a `ShadowApp`) of a pod;
   * part of its Deployment selector.
   */
  public static readonly VARIANT = 'cdk8s-deployment-strategies/variant';

  private constructor() {}
}

/**
 * Annotation keys written on the objects.
 */
export class Annotation {
  /** What `kubectl rollout history` shows for a revision. */
  public static readonly CHANGE_CAUSE = 'kubernetes.io/change-cause';
  /** On a Service: the version of the pods it selects. */
  public static readonly VERSION = 'cdk8s-deployment-strategies/version';
  /** On a `CanaryApp` Service: the share of pods, in percent, on the canary track. */
  public static readonly CANARY_WEIGHT = 'cdk8s-deployment-strategies/canary-weight';

  private constructor() {}
}
