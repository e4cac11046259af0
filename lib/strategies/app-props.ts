// The props of the release strategies: what identifies a version, and what every app has in common
// (container, probes, shutdown, Service, router, pod spec, scheduling).
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ProductionProps } from '../production/production';
import { TrafficRouter } from '../traffic/traffic-router';

/**
 * What identifies one version of the app.
 */
export interface VersionProps {
  /**
   * The container image, e.g. `registry.example.com/shop/web:1.4.0`.
   */
  readonly image: string;

  /**
   * The version, written as the `app.kubernetes.io/version` label of the pod template and the
   * Deployment. It must be a valid label value.
   *
   * @default - the image tag; for an image pinned by digest only, the first 12 hex digits of the
   * digest; `latest` when the image has neither
   */
  readonly version?: string;
}

/**
 * One version of the app running beside another: a blue/green slot or a canary track. Only what may
 * differ between the two is here; everything else is common to both.
 */
export interface VariantProps extends VersionProps {
  /**
   * Environment variables of this variant, added to the common `envVariables` (this variant's
   * value wins for a name set in both).
   *
   * @default - only the common `envVariables`
   */
  readonly envVariables?: { [name: string]: kplus.EnvValue };

  /**
   * Resources of this variant's container, instead of the common `resources`.
   *
   * @default - the common `resources`
   */
  readonly resources?: kplus.ContainerResources;
}

/**
 * Props common to every release strategy.
 */
export interface CommonAppProps extends ProductionProps {
  /**
   * The base name of the objects: the Service is named `name`, the Deployments `name` or
   * `name-<slot>` / `name-canary`. A DNS-1035 label short enough for the longest name made from it
   * (63 characters at most). It is also the `app.kubernetes.io/name` label, part of every selector,
   * so changing it replaces every object.
   *
   * @default - the construct path joined by '-', e.g. `shop-web` for id `web` in chart `shop`
   */
  readonly name?: string;

  /**
   * Number of pods the app runs.
   *
   * @default 2
   */
  readonly replicas?: number;

  /**
   * The port the Service exposes; it forwards to the container port named `http`, `port`. Only
   * with `port`.
   *
   * @default 80
   */
  readonly servicePort?: number;

  /**
   * The type of the Service. Only with `port`.
   *
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;

  /**
   * More ports the container listens on besides `port`, e.g. a metrics or a probe port. Each needs
   * a `name` that is an IANA service name (at most 15 characters of [a-z0-9-], with a letter, no
   * `--`, not starting or ending with `-`) other than `http`, the name of `port`; no two ports may
   * share a name, or a number and protocol. Probes and the Service may use them by number or name.
   *
   * @default - only `port`
   */
  readonly ports?: kplus.ContainerPort[];

  /**
   * Decides when a pod receives traffic, and so when a rolling update may continue. It cannot be
   * turned off: without it a release routes traffic to pods that cannot serve yet.
   *
   * An app without `port` gets no Service, so nothing routes to its pods: it has no default
   * readiness probe, and an exec probe may be given.
   *
   * @default - a TCP probe on `port`; none without `port`
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
   */
  readonly readiness?: kplus.Probe;

  /**
   * Restarts the container when it fails.
   *
   * @default - none
   */
  readonly liveness?: kplus.Probe;

  /**
   * Holds back the other probes until the app has started.
   *
   * @default - a TCP probe on `port` that allows `startupLimit` (see `startupProbe`); none without `port`
   */
  readonly startup?: kplus.Probe;

  /**
   * How long a terminating pod keeps serving before it gets SIGTERM, so that in-flight requests
   * finish while the endpoint is removed from Services. A few seconds is usual. It is an exec
   * hook running `sleep <seconds>`, so the image needs a `sleep` binary (distroless and scratch
   * images have none: leave this unset and let the app drain on SIGTERM instead).
   *
   * @default - no wait
   */
  readonly preStopWait?: Duration;

  /**
   * How long Kubernetes waits for a terminating pod before killing it. It must be longer than
   * `preStopWait`, which it includes.
   *
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;

  /**
   * Minimum time a new pod must be ready before it counts as available.
   *
   * @default Duration.seconds(0)
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#min-ready-seconds
   */
  readonly minReady?: Duration;

  /**
   * Time without progress after which a rollout is reported as failed. Must be longer than
   * `minReady`.
   *
   * @default Duration.seconds(600)
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#progress-deadline-seconds
   */
  readonly progressDeadline?: Duration;

  /**
   * Old ReplicaSets kept so that `kubectl rollout undo` can go back to them. 0 makes rollback with
   * `kubectl rollout undo` impossible.
   *
   * @default 10
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#revision-history-limit
   */
  readonly revisionHistoryLimit?: number;

  /**
   * Stops changes of the pod template from starting a rollout until it is set back to false.
   *
   * An app created paused runs no pod until it is set back to false. The release gate warns
   * (`rollout-held`) while it holds a change; run it against the live objects when you lift it, as
   * manifests cannot show the change it held.
   *
   * @default false
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pausing-and-resuming-a-deployment
   */
  readonly paused?: boolean;

  /**
   * Why this revision was made, shown by `kubectl rollout history` (the
   * `kubernetes.io/change-cause` annotation of the Deployments).
   *
   * @default - no annotation
   */
  readonly changeCause?: string;

  /**
   * Environment variables of the container.
   *
   * @default - none
   */
  readonly envVariables?: { [name: string]: kplus.EnvValue };

  /**
   * Resources of the container.
   *
   * @default - cdk8s-plus's defaults: cpu request 1000m / limit 1500m, memory request 512Mi / limit 2048Mi
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Security context of the container.
   *
   * @default - cdk8s-plus's defaults: non-root, read-only root filesystem, no privilege escalation;
   * and `capabilities.drop: [ALL]` unless `capabilities.drop` is given (see `podSecurity`)
   */
  readonly securityContext?: kplus.ContainerSecurityContextProps;

  /**
   * Security context of the pod.
   *
   * @default - cdk8s-plus's defaults: runAsNonRoot, fsGroupChangePolicy Always; and the
   * `RuntimeDefault` seccomp profile (see `podSecurity`)
   */
  readonly podSecurityContext?: kplus.PodSecurityContextProps;

  /**
   * Entrypoint of the container, instead of the image's.
   *
   * @default - the image's ENTRYPOINT
   */
  readonly command?: string[];

  /**
   * Arguments of the entrypoint.
   *
   * @default - the image's CMD
   */
  readonly args?: string[];

  /**
   * Volumes mounted into the container (the pod gets the volumes). Images that write to disk need
   * one under the default read-only root filesystem, e.g. an `emptyDir` at `/tmp`.
   *
   * @default - none
   */
  readonly volumeMounts?: kplus.VolumeMount[];

  /**
   * The service account the pods run as.
   *
   * @default - no service account (and no token mounted)
   */
  readonly serviceAccount?: kplus.IServiceAccount;

  /**
   * When the kubelet pulls the image.
   *
   * @default - as Kubernetes defaults it: `ImagePullPolicy.ALWAYS` for the tag `latest` or an image
   * with neither tag nor digest, `ImagePullPolicy.IF_NOT_PRESENT` otherwise (so that starting a pod
   * of a pinned image does not depend on the registry)
   */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;

  /**
   * Labels added to every object and pod template. They may not use the keys the constructs
   * manage (`app.kubernetes.io/name`, `app.kubernetes.io/version`, `app.kubernetes.io/managed-by`
   * and the slot and track keys of `Label`).
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * Annotations added to every object.
   *
   * @default - none
   */
  readonly annotations?: { [key: string]: string };

  /**
   * The router that sends the app's traffic to its Deployments: a Gateway API `HTTPRoute` or an
   * Istio `VirtualService`, with exact weights. A canary then gets exactly `canaryWeight`, and a
   * blue/green switch moves the route together with the Service selectors.
   *
   * @default - no router: the Services balance over the pods they select, so a canary's share of
   * traffic is its share of pods
   */
  readonly trafficRouter?: TrafficRouter;

  /**
   * Annotations of the pod templates only, e.g. `prometheus.io/scrape` or a checksum of a
   * ConfigMap that restarts the pods when it changes. The keys the constructs or `kubectl` manage
   * (`kubectl.kubernetes.io/restartedAt`, `kubernetes.io/change-cause` and the keys of
   * `Annotation`) are refused.
   *
   * @default - none
   */
  readonly podAnnotations?: { [key: string]: string };

  /**
   * Labels of the pod templates only, besides `labels`. The managed keys of `labels`, the label
   * cdk8s-plus selects pods by (`cdk8s.io/metadata.addr`) and keys `labels` sets too are refused.
   *
   * @default - none
   */
  readonly podLabels?: { [key: string]: string };

  /**
   * Containers that run to completion, in order, before the app container starts. Each needs a
   * name of its own, and is pulled as sidecars are.
   *
   * @default - none
   */
  readonly initContainers?: kplus.ContainerProps[];

  /**
   * Containers that run beside the app container in every pod, e.g. a log shipper or a proxy.
   * Each needs a name of its own, other than `app`, the app container's. Without its own
   * `imagePullPolicy` each is pulled as Kubernetes defaults it, as the app container is.
   *
   * @default - none
   */
  readonly sidecars?: kplus.ContainerProps[];

  /**
   * Secrets of type `kubernetes.io/dockerconfigjson` holding the credentials to pull the images.
   *
   * @default - none
   */
  readonly imagePullSecrets?: kplus.ISecret[];

  /**
   * ConfigMaps and Secrets whose keys become environment variables of the app container
   * (`kplus.Env.fromConfigMap`, `kplus.Env.fromSecret`). `envVariables` win for a name set in both.
   *
   * @default - none
   */
  readonly envFrom?: kplus.EnvFrom[];

  /**
   * Node labels a node must have for the pods to run on it (`spec.nodeSelector`). For anything
   * beyond equality use `affinity`.
   *
   * @default - any node
   */
  readonly nodeSelector?: { [key: string]: string };

  /**
   * Node taints the pods tolerate, e.g. `kplus.NodeTaintQuery.is('dedicated', 'batch')`.
   *
   * @default - none
   */
  readonly tolerations?: kplus.NodeTaintQuery[];

  /**
   * Which nodes the pods are attracted to, and which pods they run with or away from, through
   * cdk8s-plus's scheduling API. A `weight` makes a rule a preference; it is an integer from 1 to
   * 100.
   *
   * @default - no affinity
   */
  readonly affinity?: AffinityProps;

  /**
   * The PriorityClass of the pods, which decides which pods are evicted first when a node runs
   * out of room. A DNS-1123 subdomain.
   *
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;
}

/**
 * Where the pods are scheduled, as cdk8s-plus's `deployment.scheduling` says it.
 */
export interface AffinityProps {
  /**
   * Nodes the pods are attracted to (node affinity); several are alternatives.
   *
   * @default - any node
   */
  readonly attract?: NodeAttraction[];

  /**
   * Pods the pods run with (pod affinity); all must be satisfied.
   *
   * @default - none
   */
  readonly colocate?: PodPlacement[];

  /**
   * Pods the pods run away from (pod anti-affinity), e.g. the app's own pods, to spread them over
   * nodes or zones.
   *
   * @default - none
   */
  readonly separate?: PodPlacement[];
}

/**
 * Nodes pods are attracted to: `deployment.scheduling.attract(node, { weight })`.
 */
export interface NodeAttraction extends kplus.PodSchedulingAttractOptions {
  /** The nodes, e.g. `kplus.Node.labeled(kplus.NodeLabelQuery.is('disktype', 'ssd'))`. */
  readonly node: kplus.LabeledNode;
}

/**
 * Pods to run with or away from: `deployment.scheduling.colocate` or `separate`.
 */
export interface PodPlacement extends kplus.PodSchedulingColocateOptions {
  /** The pods, e.g. `kplus.Pods.select(this, 'Cache', { labels: { 'app.kubernetes.io/name': 'cache' } })`. */
  readonly selector: kplus.IPodSelector;
}

/**
 * Props of a strategy that runs one version at a time.
 */
export interface AppProps extends CommonAppProps, VersionProps {
  /**
   * The port the container listens on, named `http`. Without it the app gets no Service and no
   * default probes: a worker that listens on no port, such as a queue consumer.
   *
   * @default - no port and no Service
   */
  readonly port?: number;
}

/**
 * Props of a strategy that runs two versions behind its Services, which need a port.
 */
export interface ServedAppProps extends CommonAppProps {
  /**
   * The port the container listens on, named `http`.
   */
  readonly port: number;
}
