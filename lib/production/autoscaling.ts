// A HorizontalPodAutoscaler per serving Deployment. A Deployment under an autoscaler never states
// `spec.replicas`: a field that one apply sets and the next leaves out is reset to 1 by
// `kubectl apply`, and a field that every apply sets undoes the autoscaler's work.
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import type { DeploymentTarget } from './production-defaults';
import { checkInteger, fail } from '../validation';

/**
 * The bounds and targets of the HorizontalPodAutoscaler (`autoscaling/v2`) of each Deployment.
 */
export interface AutoscalingProps {
  /**
   * The fewest pods of each Deployment; 1 or more.
   */
  readonly minReplicas: number;

  /**
   * The most pods of each Deployment; at least `minReplicas`.
   */
  readonly maxReplicas: number;

  /**
   * The average CPU use of the pods, in percent of their CPU request, that the autoscaler aims
   * for: a positive integer (above 100 aims above the request).
   *
   * @default - 80, unless `memoryUtilization` is set: then no CPU target
   */
  readonly cpuUtilization?: number;

  /**
   * The average memory use of the pods, in percent of their memory request, that the autoscaler
   * aims for: a positive integer.
   *
   * @default - no memory target
   */
  readonly memoryUtilization?: number;
}

/** The CPU target when no target is given (the one Kubernetes itself applies to an HPA without metrics). */
const DEFAULT_CPU_UTILIZATION = 80;

/** Checks `autoscaling`; every error names the prop it is about. */
export function checkAutoscaling(scope: IConstruct, props: AutoscalingProps): AutoscalingProps {
  if (typeof props !== 'object' || props === null) {
    fail(scope, 'autoscaling', props, 'it must be { minReplicas, maxReplicas, cpuUtilization?, memoryUtilization? }');
  }
  const minReplicas = checkInteger(scope, 'autoscaling.minReplicas', props.minReplicas, 1);
  if (typeof props.maxReplicas !== 'number' || !Number.isInteger(props.maxReplicas) || props.maxReplicas < minReplicas) {
    fail(scope, 'autoscaling.maxReplicas', props.maxReplicas, `it must be an integer of at least 'autoscaling.minReplicas' (${minReplicas})`);
  }
  for (const prop of ['cpuUtilization', 'memoryUtilization'] as const) {
    if (props[prop] !== undefined) checkInteger(scope, `autoscaling.${prop}`, props[prop]!, 1);
  }
  return {
    minReplicas,
    maxReplicas: props.maxReplicas,
    cpuUtilization: props.cpuUtilization ?? (props.memoryUtilization === undefined ? DEFAULT_CPU_UTILIZATION : undefined),
    memoryUtilization: props.memoryUtilization,
  };
}

/** Adds the autoscaler of `deployment`, which must have been made without `replicas`. */
export function addAutoscaler(scope: IConstruct, id: string, deployment: kplus.Deployment, autoscaling: AutoscalingProps,
  target: DeploymentTarget): kplus.HorizontalPodAutoscaler {
  const metrics: kplus.Metric[] = [];
  if (autoscaling.cpuUtilization !== undefined) {
    metrics.push(kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(autoscaling.cpuUtilization)));
  }
  if (autoscaling.memoryUtilization !== undefined) {
    metrics.push(kplus.Metric.resourceMemory(kplus.MetricTarget.averageUtilization(autoscaling.memoryUtilization)));
  }
  return new kplus.HorizontalPodAutoscaler(scope, id, {
    metadata: { name: target.name, labels: target.labels, annotations: target.annotations },
    target: deployment,
    minReplicas: autoscaling.minReplicas,
    maxReplicas: autoscaling.maxReplicas,
    metrics,
  });
}
