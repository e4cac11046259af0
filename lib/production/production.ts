// The production defaults every construct applies to each of its Deployments: a Pod Security
// level, a disruption budget, an optional autoscaler, a startup probe that waits for slow
// starters, and spreading over nodes and zones.
import { Duration } from 'cdk8s';
import { AutoscalingProps } from './autoscaling';
import { DisruptionBudget } from './disruption-budget';
import { PodSecurityLevel } from './pod-security';

/**
 * What a production cluster expects of every Deployment, each on by default.
 */
export interface ProductionProps {
  /**
   * The Pod Security Standards level the pods must meet. The pods are hardened for
   * `RESTRICTED` whatever the level (the runtime's seccomp profile, every capability dropped, no
   * privilege escalation, non-root); the level says what the chart checks accept of the
   * synthesized pods, escape hatches included, so that they are admitted by a namespace labelled
   * `pod-security.kubernetes.io/enforce: <level>`.
   *
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly podSecurity?: PodSecurityLevel;

  /**
   * The PodDisruptionBudget of each Deployment: one per Deployment, named after it, selecting
   * exactly its pods (the eviction API refuses to evict a pod two budgets cover).
   *
   * The default, one pod at a time, never blocks a node drain: not at 1 pod, not for an idle
   * blue/green slot or a canary track at 0 pods, not while pods are not ready (not-ready pods may
   * always be evicted). A `minAvailable` budget blocks every drain while the Deployment runs no
   * more pods than it asks for.
   *
   * @default DisruptionBudget.maxUnavailable(PercentOrAbsolute.absolute(1))
   */
  readonly disruptionBudget?: DisruptionBudget;

  /**
   * A HorizontalPodAutoscaler (`autoscaling/v2`) for each serving Deployment, which then has no
   * `spec.replicas` in any phase; `replicas` may not be set. `BlueGreenApp`: both slots (not with
   * `idleReplicas`). `CanaryApp`: each track, only with a `trafficRouter`.
   *
   * @default - no autoscaler: `replicas` pods
   */
  readonly autoscaling?: AutoscalingProps;

  /**
   * How long the default startup probe (TCP on `port`, every 10 seconds) lets the container take
   * to open its port before the kubelet restarts it. Not with `startup`, whose own
   * `failureThreshold` times `periodSeconds` is its limit.
   *
   * @default Duration.minutes(5)
   */
  readonly startupLimit?: Duration;

  /**
   * Whether the container has a startup probe. false: none, so liveness and readiness probes
   * start at once.
   *
   * @default true
   */
  readonly startupProbe?: boolean;

  /**
   * Whether the pods of each Deployment spread over nodes and zones
   * (`topologySpreadConstraints` with `whenUnsatisfiable: ScheduleAnyway`, selecting that
   * Deployment's pods): a preference, never a reason to leave a pod unscheduled.
   *
   * @default true
   */
  readonly spread?: boolean;
}
