// The pace of a rolling update, shared by RampedApp and by each slot or track of the two-Deployment
// strategies, checked with the rules the Kubernetes API server applies.
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ParsedRollingUpdate, parseRollingUpdate } from '../validation';

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

/** The rolling update strategy of a construct's Deployments; errors start with the construct path. */
export function rollingUpdateStrategy(scope: IConstruct, props: RollingUpdateProps): kplus.DeploymentStrategy {
  let parsed: ParsedRollingUpdate;
  try {
    parsed = parseRollingUpdate(props);
  } catch (e) {
    throw new Error(`${scope.node.path}: ${(e as Error).message}`);
  }
  return kplus.DeploymentStrategy.rollingUpdate({ maxSurge: parsed.maxSurge, maxUnavailable: parsed.maxUnavailable });
}
