// The shared base of every release strategy: naming, labels, the app container with its probes and
// graceful shutdown, the Deployments and the Services. The constructs differ only in how many
// Deployments they make, which labels select them, and their update strategy.
import { ApiObject, Duration, JsonPatch, Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { addChartChecks, CheckedObjects } from '../checks/chart-checks';
import { TrafficRouter } from '../traffic/traffic-router';
import { Annotation, Label } from '../labels';
import {
  checkImage, checkInteger, checkLabelValue, checkName, checkPort, checkQualifiedName, checkWholeSeconds,
  defaultPullPolicy, fail, failKey, versionFromImage,
} from '../validation';
import { parseImageReference } from '../image-reference';
import { ProductionProps } from './production';
import { ProductionDefaults } from './production-defaults';

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
   * The port the container listens on.
   */
  readonly port: number;

  /**
   * The port the Service exposes; it forwards to `port`.
   *
   * @default 80
   */
  readonly servicePort?: number;

  /**
   * The type of the Service.
   *
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;

  /**
   * Decides when a pod receives traffic, and so when a rolling update may continue. It cannot be
   * turned off: without it a release routes traffic to pods that cannot serve yet.
   *
   * @default - a TCP probe on `port`
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
   * @default - a TCP probe on `port` that allows `startupLimit` (see `startupProbe`)
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
}

/**
 * Props of a strategy that runs one version at a time.
 */
export interface AppProps extends CommonAppProps, VersionProps {
}

/** What a subclass says about one of its Deployments. */
interface DeploymentOptions {
  /** Appended to `name` for the Deployment's name ('' for none). */
  readonly nameSuffix: string;
  readonly variant: VariantProps;
  /** The variant's version, from `_version`. */
  readonly version: string;
  readonly replicas: number;
  /** Selector labels besides `app.kubernetes.io/name`; fixed for the Deployment's life. */
  readonly selector: { [key: string]: string };
  readonly strategy: kplus.DeploymentStrategy;
}

/** What a subclass says about one of its Services. */
interface ServiceOptions {
  readonly nameSuffix: string;
  /** Selector labels besides `app.kubernetes.io/name`. */
  readonly selector: { [key: string]: string };
  readonly annotations: { [key: string]: string };
  /** The Deployments whose pods the Service must select, and no others. */
  readonly selects: kplus.Deployment[];
  /** @default - `serviceType` */
  readonly type?: kplus.ServiceType;
}

/** One backend of the app's route. */
interface BackendOptions {
  /** The Service that selects the backend's Deployment only. */
  readonly service: kplus.Service;
  readonly deployment: kplus.Deployment;
  /** The Istio subset's name and the selector labels of the Deployment, besides the name label. */
  readonly subset?: string;
  readonly selector?: { [key: string]: string };
  readonly weight: number;
}

/** Kubernetes's default of `progressDeadlineSeconds`. */
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

const MANAGED_KEYS = [Label.NAME, Label.VERSION, Label.MANAGED_BY, Label.SLOT, Label.TRACK];

/**
 * The base of the release strategies. Each makes one or more Deployments of the same app and
 * Services selecting them by labels that never change between releases.
 */
export abstract class StrategyApp extends Construct {
  /** The base name of the objects, and the `app.kubernetes.io/name` label. */
  public readonly name: string;
  /** The number of pods the app runs; with `autoscaling`, the fewest (`autoscaling.minReplicas`). */
  public readonly replicas: number;
  /** The container port. */
  public readonly port: number;
  /** The Service port. */
  public readonly servicePort: number;

  private readonly common: CommonAppProps;
  private readonly production: ProductionDefaults;
  /** What the synth-time checks of the chart hold this construct to. */
  private readonly checked: CheckedObjects;

  protected constructor(scope: Construct, id: string, props: CommonAppProps) {
    super(scope, id);
    // Plain JavaScript can leave the props out: say so rather than fail on a property of undefined.
    if (props === undefined || props === null || typeof props !== 'object') {
      fail(this, 'props', props, `props are required: pass a ${new.target.name}Props object`);
    }
    this.common = props;
    this.name = props.name ?? Names.toDnsLabel(this, { includeHash: false, maxLen: 1000 });
    this._objectName('');
    this.production = ProductionDefaults.resolve(this, props);
    this.replicas = this.production.autoscaling?.minReplicas ?? checkInteger(this, 'replicas', props.replicas ?? 2, 0);
    this.port = checkPort(this, 'port', props.port);
    this.servicePort = checkPort(this, 'servicePort', props.servicePort ?? 80);
    if (props.revisionHistoryLimit !== undefined) {
      checkInteger(this, 'revisionHistoryLimit', props.revisionHistoryLimit, 0);
    }
    this.checkTimings(props);
    for (const [key, value] of Object.entries(props.labels ?? {})) {
      checkQualifiedName(this, 'labels', key);
      if (MANAGED_KEYS.includes(key)) {
        failKey(this, 'labels', 'managed key', key, `the construct sets it; use another key than ${MANAGED_KEYS.join(', ')}`);
      }
      checkLabelValue(this, `labels.${key}`, value);
    }
    for (const key of Object.keys(props.annotations ?? {})) {
      checkQualifiedName(this, 'annotations', key);
    }
    const changeCauseAnnotation = props.annotations?.[Annotation.CHANGE_CAUSE];
    if (props.changeCause !== undefined && changeCauseAnnotation !== undefined) {
      fail(this, 'changeCause', props.changeCause, `'annotations' sets ${Annotation.CHANGE_CAUSE} too `
        + `(${JSON.stringify(changeCauseAnnotation)}): set one of them, so that every object says the same`);
    }
    this.checked = {
      path: this.node.path, deployments: [], services: [], routes: [], others: [], podSecurity: this.production.podSecurity,
    };
    addChartChecks(this, this.checked);
  }

  /**
   * The name of an object made from `name`, checked to fit the limit on object names.
   * @internal
   */
  protected _objectName(suffix: string): string {
    try {
      return checkName(this, 'name', this.name, suffix) + suffix;
    } catch (e) {
      if (this.common.name !== undefined) throw e;
      throw new Error(`${(e as Error).message} (it was derived from the construct path; set 'name')`);
    }
  }

  /**
   * The version of a variant, given or derived from its image, checked to be a label value.
   * @internal
   */
  protected _version(variant: VersionProps, propPrefix: string): string {
    const image = checkImage(this, `${propPrefix}image`, variant.image);
    if (variant.version === '') {
      fail(this, `${propPrefix}version`, '', `it may not be empty: it is the ${Label.VERSION} label; leave it unset `
        + 'to use the image tag');
    }
    if (variant.version !== undefined) {
      return checkLabelValue(this, `${propPrefix}version`, variant.version);
    }
    const derived = versionFromImage(image);
    try {
      return checkLabelValue(this, `${propPrefix}version`, derived);
    } catch (e) {
      throw new Error(`${(e as Error).message} (it was derived from '${propPrefix}image'; set '${propPrefix}version')`);
    }
  }

  /**
   * Adds a Deployment of one version of the app.
   * @internal
   */
  protected _addDeployment(id: string, options: DeploymentOptions): kplus.Deployment {
    const props = this.common;
    const { variant, version } = options;
    const selector = { [Label.NAME]: this.name, ...options.selector };
    const annotations = { ...props.annotations };
    if (props.changeCause !== undefined) {
      annotations[Annotation.CHANGE_CAUSE] = props.changeCause;
    }
    const deployment = new kplus.Deployment(this, id, {
      metadata: {
        name: this._objectName(options.nameSuffix),
        labels: { ...this.objectLabels(), ...options.selector, [Label.VERSION]: version },
        annotations,
      },
      // The selector is ours alone: cdk8s-plus would add a label derived from the construct path.
      select: false,
      podMetadata: { labels: { ...props.labels, ...selector, [Label.VERSION]: version } },
      // An autoscaled Deployment states no replicas (see ProductionProps.autoscaling).
      replicas: this.production.autoscaling ? undefined : options.replicas,
      strategy: options.strategy,
      minReady: props.minReady,
      progressDeadline: props.progressDeadline,
      terminationGracePeriod: props.terminationGracePeriod,
      securityContext: props.podSecurityContext,
      serviceAccount: props.serviceAccount,
      containers: [{
        name: 'app',
        image: variant.image,
        portNumber: this.port,
        readiness: props.readiness ?? kplus.Probe.fromTcpSocket({ port: this.port }),
        liveness: props.liveness,
        startup: this.production.startup(this.port),
        command: props.command,
        args: props.args,
        envVariables: { ...props.envVariables, ...variant.envVariables },
        resources: variant.resources ?? props.resources,
        securityContext: props.securityContext,
        volumeMounts: props.volumeMounts,
        imagePullPolicy: props.imagePullPolicy ?? defaultPullPolicy(parseImageReference(variant.image)),
        lifecycle: this.execPreStop(),
      }],
    });
    deployment.select(kplus.LabelSelector.of({ labels: selector }));
    // cdk8s-plus labels every pod template with a hash of the construct path, so moving the construct
    // in the code (into a wrapper, a helper in another file) would restart every pod. The label is
    // kept, as cdk8s-plus selects the Deployment's pods by it (Service.select, NetworkPolicy peers,
    // scheduling), but holds the Deployment's name: a pod template then depends on props only.
    deployment.podMetadata.addLabel(kplus.Pod.ADDRESS_LABEL, deployment.name);
    this.checked.deployments.push(ApiObject.of(deployment));
    this.checked.others.push(...this.production.apply(this, id, deployment, {
      name: deployment.name, labels: this.objectLabels(), annotations: { ...props.annotations }, selector,
    }));

    const resource = ApiObject.of(deployment);
    resource.addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', props.revisionHistoryLimit ?? 10));
    if (props.paused) {
      resource.addJsonPatch(JsonPatch.add('/spec/paused', true));
    }
    return deployment;
  }

  /**
   * Adds a Service forwarding `servicePort` to `port` of the pods its selector matches.
   * @internal
   */
  protected _addService(id: string, options: ServiceOptions): kplus.Service {
    const service = new kplus.Service(this, id, {
      metadata: {
        name: this._objectName(options.nameSuffix),
        labels: this.objectLabels(),
        annotations: { ...this.common.annotations, ...options.annotations },
      },
      type: options.type ?? this.common.serviceType ?? kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'http', port: this.servicePort, targetPort: this.port }],
    });
    for (const [key, value] of Object.entries({ [Label.NAME]: this.name, ...options.selector })) {
      service.selectLabel(key, value);
    }
    // cdk8s-plus writes `externalIPs: []` when none are given; no prop sets them, so drop the field.
    ApiObject.of(service).addJsonPatch(JsonPatch.remove('/spec/externalIPs'));
    this.checked.services.push({ service: ApiObject.of(service), selects: options.selects.map(d => ApiObject.of(d)) });
    return service;
  }

  /**
   * Adds a Service `<name>-<variant>` that selects the pods of one Deployment only, as a backend
   * of the route with `weight`; `variant` names the Istio subset too.
   * @internal
   */
  protected _addBackend(id: string, variant: string, selector: { [key: string]: string }, deployment: kplus.Deployment,
    weight: number): BackendOptions {
    const service = this._addService(id, {
      nameSuffix: `-${variant}`, selector, annotations: {}, selects: [deployment], type: kplus.ServiceType.CLUSTER_IP,
    });
    return { service, deployment, subset: variant, selector, weight };
  }

  /**
   * Adds the route of `trafficRouter` to `backends`, when the app has a router. The backends'
   * Services must exist already; `service` is the app's Service, the mesh parent and Istio host.
   * @internal
   */
  protected _addRoute(service: kplus.Service, backends: BackendOptions[]): void {
    const router = this.common.trafficRouter;
    if (router === undefined) return;
    const written = router._write(this, {
      name: service.name,
      servicePort: this.servicePort,
      labels: this.objectLabels(),
      annotations: { ...this.common.annotations },
      backends: backends.map(b => ({
        serviceName: b.service.name,
        subset: b.subset === undefined ? undefined : { name: b.subset, labels: { [Label.NAME]: this.name, ...b.selector } },
        weight: b.weight,
      })),
    });
    this.checked.routes.push({
      route: written.route,
      destinationRule: written.destinationRule,
      backends: backends.map(b => ({ service: ApiObject.of(b.service), subset: b.subset, selects: ApiObject.of(b.deployment) })),
    });
  }

  private objectLabels(): { [key: string]: string } {
    return { ...this.common.labels, [Label.NAME]: this.name, [Label.MANAGED_BY]: 'cdk8s' };
  }

  private execPreStop(): kplus.ContainerLifecycle | undefined {
    const preStopWait = this.common.preStopWait;
    if (!preStopWait) {
      return undefined;
    }
    return { preStop: kplus.Handler.fromCommand(['sleep', `${preStopWait.toSeconds()}`]) };
  }

  private checkTimings(props: CommonAppProps): void {
    const grace = checkWholeSeconds(this, 'terminationGracePeriod', props.terminationGracePeriod ?? Duration.seconds(30), 0);
    if (props.preStopWait !== undefined) {
      const wait = checkWholeSeconds(this, 'preStopWait', props.preStopWait, 1);
      if (wait >= grace) {
        fail(this, 'preStopWait', props.preStopWait, `it must be shorter than 'terminationGracePeriod' (${grace}s), `
          + 'which includes the wait and the app\'s own shutdown');
      }
    }
    const minReady = checkWholeSeconds(this, 'minReady', props.minReady ?? Duration.seconds(0), 0);
    const progressDeadline = props.progressDeadline ?? Duration.seconds(DEFAULT_PROGRESS_DEADLINE_SECONDS);
    const deadline = checkWholeSeconds(this, 'progressDeadline', progressDeadline, 1);
    if (deadline <= minReady) {
      const rule = `must be greater than 'minReady' (${minReady}s)`;
      fail(this, 'progressDeadline', progressDeadline, props.progressDeadline === undefined
        ? `it is the default, and ${rule}: set 'progressDeadline' above it` : `it ${rule}`);
    }
  }
}
