// The pace of a rolling update, shared by RampedApp and by each slot or track of the two-Deployment
// strategies, checked with the rules the Kubernetes API server applies.
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { checkPercentOrAbsolute, fail } from './validation';

/**
 * How fast a rolling update replaces old pods with new ones.
 */
export interface RollingUpdateProps {
  /**
   * The most pods that may exist above `replicas` during a rollout. A percentage of `replicas`
   * is rounded up.
   *
   * @default PercentOrAbsolute.percent(25)
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#max-surge
   */
  readonly maxSurge?: kplus.PercentOrAbsolute;

  /**
   * The most of `replicas` that may be unavailable during a rollout. A percentage of `replicas`
   * is rounded down. `PercentOrAbsolute.absolute(0)` with a `maxSurge` of 1 or more keeps full
   * capacity throughout.
   *
   * @default PercentOrAbsolute.percent(25)
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#max-unavailable
   */
  readonly maxUnavailable?: kplus.PercentOrAbsolute;
}

/**
 * The rolling update strategy for `props`, after the checks the API server would make:
 * non-negative integers or percentages, `maxUnavailable` at most 100%, not both zero.
 */
export function rollingUpdateStrategy(scope: IConstruct, props: RollingUpdateProps): kplus.DeploymentStrategy {
  const maxSurge = props.maxSurge ?? kplus.PercentOrAbsolute.percent(25);
  const maxUnavailable = props.maxUnavailable ?? kplus.PercentOrAbsolute.percent(25);
  const surge = checkPercentOrAbsolute(scope, 'maxSurge', maxSurge);
  const unavailable = checkPercentOrAbsolute(scope, 'maxUnavailable', maxUnavailable, 100);
  if (surge.amount === 0 && unavailable.amount === 0) {
    fail(scope, 'maxUnavailable', maxUnavailable,
      `it may not be 0 while 'maxSurge' is 0 too (${JSON.stringify(maxSurge.value)}): no pod could ever be replaced`);
  }
  return kplus.DeploymentStrategy.rollingUpdate({ maxSurge, maxUnavailable });
}
