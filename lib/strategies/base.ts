// The shared base of every release strategy: naming, labels, the app container with its probes and
// graceful shutdown, the Deployments and the Services. The constructs differ only in how many
// Deployments they make, which labels select them, and their update strategy.
import { ApiObject, Duration, JsonPatch, Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { addChartChecks, CheckedObjects } from '../checks/chart-checks';
import { RequestMatch } from '../traffic/request-match';
import { RouteSubset } from '../traffic/routes';
import { Annotation, Label } from '../labels';
import {
  checkImage, checkInteger, checkLabels, checkLabelValue, checkName, checkPort, checkPortName, checkQualifiedName,
  checkSubdomain, checkWholeSeconds, defaultPullPolicy, fail, failKey, versionFromImage,
} from '../validation';
import { parseImageReference } from '../image-reference';
import { ProductionDefaults } from '../production/production-defaults';
import { AppProps, CommonAppProps, VariantProps, VersionProps } from './app-props';

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
  /** @default - the common `annotations` only */
  readonly annotations?: { [key: string]: string };
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

/** One rule of the app's route. */
interface RuleOptions {
  /** Requests matching any of them take the rule. */
  readonly matches?: RequestMatch[];
  readonly backends: BackendOptions[];
  /** A Service that selects one Deployment only, which gets a copy of `percent` of the requests. */
  readonly mirror?: { readonly service: kplus.Service; readonly deployment: kplus.Deployment; readonly percent: number };
}

/**
 * The labels of `sources` merged in order, with the version label. Copied key by key rather than
 * spread: V8 gives an object built by spreads a hidden class of its own once a key is added to it
 * or to a copy of it (as cdk8s-plus does), one per Deployment, and every later read is slower.
 */
function versionLabels(version: string, ...sources: Array<{ [key: string]: string } | undefined>): { [key: string]: string } {
  const labels: { [key: string]: string } = {};
  for (const source of sources) {
    if (source === undefined) continue;
    for (const key of Object.keys(source)) labels[key] = source[key];
  }
  labels[Label.VERSION] = version;
  return labels;
}

/** Kubernetes's default of `progressDeadlineSeconds`. */
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

const MANAGED_KEYS = [Label.NAME, Label.VERSION, Label.MANAGED_BY, Label.SLOT, Label.TRACK, Label.VARIANT];

/** The name of the container port `port`, which the Service's `targetPort` names. */
const HTTP_PORT_NAME = 'http';

/** The name of the app container in every pod. */
const APP_CONTAINER_NAME = 'app';
/** The props that add containers to the pod, beside the app's. */
const CONTAINER_PROPS = ['sidecars', 'initContainers'] as const;
/** The kinds of `affinity`. */
const AFFINITY_KINDS = ['attract', 'colocate', 'separate'] as const;

/**
 * Pod template annotations the constructs or kubectl write: `kubectl rollout restart` sets
 * `restartedAt`, so an apply of ours would undo the restart, and the others belong to the objects.
 */
const RESERVED_POD_ANNOTATIONS = [
  'kubectl.kubernetes.io/restartedAt', Annotation.CHANGE_CAUSE, Annotation.VERSION, Annotation.CANARY_WEIGHT,
];

/**
 * The base of the release strategies. Each makes one or more Deployments of the same app and
 * Services selecting them by labels that never change between releases.
 */
export abstract class StrategyApp extends Construct {
  /** The base name of the objects, and the `app.kubernetes.io/name` label. */
  public readonly name: string;
  /** The number of pods the app runs; with `autoscaling`, the fewest (`autoscaling.minReplicas`). */
  public readonly replicas: number;
  /** The container port named `http`, if the app has one; without it the app has no Service. */
  public readonly port?: number;
  /** The Service port, if the app has a port. */
  public readonly servicePort?: number;

  private readonly common: CommonAppProps;
  private readonly production: ProductionDefaults;
  /**
   * What the synth-time checks of the chart hold this construct to. Its lists are replaced by
   * `concat` as objects are added: a `push` onto an empty list reserves room for 17 items, kept
   * for the life of the construct.
   */
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
    // Every construct's props have `port`: required where the Services are the point, optional
    // where a worker may listen on none.
    const port = (props as AppProps).port;
    if (port !== undefined) {
      this.port = checkPort(this, 'port', port);
      this.servicePort = checkPort(this, 'servicePort', props.servicePort ?? 80);
    } else {
      for (const [prop, value] of [['servicePort', props.servicePort], ['serviceType', props.serviceType]]) {
        if (value !== undefined) {
          fail(this, prop as string, value, 'it configures the Service, which only an app with a \'port\' has: set \'port\' too');
        }
      }
      if (props.trafficRouter !== undefined) {
        fail(this, 'trafficRouter', 'a router', 'it routes to the app\'s Service, which only an app with a \'port\' has: '
          + 'set \'port\', or leave the router out for a worker that serves no requests');
      }
    }
    this.checkPorts(props.ports ?? []);
    if (props.revisionHistoryLimit !== undefined) {
      checkInteger(this, 'revisionHistoryLimit', props.revisionHistoryLimit, 0);
    }
    this.checkTimings(props);
    checkLabels(this, 'labels', props.labels, MANAGED_KEYS, 'the construct sets it');
    if (props.podLabels !== undefined) {
      checkLabels(this, 'podLabels', props.podLabels, [...MANAGED_KEYS, kplus.Pod.ADDRESS_LABEL, ...Object.keys(props.labels ?? {})],
        'the construct or \'labels\' sets it');
    }
    for (const key of Object.keys(props.annotations ?? {})) {
      checkQualifiedName(this, 'annotations', key);
    }
    for (const key of Object.keys(props.podAnnotations ?? {})) {
      checkQualifiedName(this, 'podAnnotations', key);
      if (RESERVED_POD_ANNOTATIONS.includes(key)) {
        failKey(this, 'podAnnotations', 'reserved key', key, 'kubectl or the construct sets it; use another key than '
          + RESERVED_POD_ANNOTATIONS.join(', '));
      }
    }
    this.checkPodSpec(props);
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
    const annotations = props.changeCause === undefined
      ? props.annotations : { ...props.annotations, [Annotation.CHANGE_CAUSE]: props.changeCause };
    const port = this.port;
    const name = this._objectName(options.nameSuffix);
    const podLabels = versionLabels(version, props.labels, props.podLabels, selector);
    // Set now, so that cdk8s-plus only overwrites it (see the address label below).
    podLabels[kplus.Pod.ADDRESS_LABEL] = name;
    const deployment = new kplus.Deployment(this, id, {
      metadata: {
        name,
        labels: versionLabels(version, this.objectLabels(), options.selector),
        annotations,
      },
      // The selector is ours alone: cdk8s-plus would add a label derived from the construct path.
      select: false,
      podMetadata: {
        labels: podLabels,
        annotations: props.podAnnotations,
      },
      // An autoscaled Deployment states no replicas (see ProductionProps.autoscaling).
      replicas: this.production.autoscaling ? undefined : options.replicas,
      strategy: options.strategy,
      minReady: props.minReady,
      progressDeadline: props.progressDeadline,
      terminationGracePeriod: props.terminationGracePeriod,
      securityContext: props.podSecurityContext,
      serviceAccount: props.serviceAccount,
      initContainers: props.initContainers?.map(c => this.withPullPolicy(c)),
      containers: [{
        name: APP_CONTAINER_NAME,
        image: variant.image,
        ports: port === undefined ? props.ports?.slice() : [{ name: HTTP_PORT_NAME, number: port }, ...props.ports ?? []],
        readiness: props.readiness ?? (port === undefined ? undefined : kplus.Probe.fromTcpSocket({ port })),
        liveness: props.liveness,
        startup: this.production.startup(this.port),
        command: props.command,
        args: props.args,
        envFrom: props.envFrom,
        envVariables: { ...props.envVariables, ...variant.envVariables },
        resources: variant.resources ?? props.resources,
        securityContext: props.securityContext,
        volumeMounts: props.volumeMounts,
        imagePullPolicy: props.imagePullPolicy ?? defaultPullPolicy(parseImageReference(variant.image)),
        lifecycle: this.execPreStop(),
      }, ...props.sidecars?.map(c => this.withPullPolicy(c)) ?? []],
    });
    this.schedule(deployment);
    deployment.select(kplus.LabelSelector.of({ labels: selector }));
    // cdk8s-plus labels every pod template with a hash of the construct path, so moving the construct
    // in the code (into a wrapper, a helper in another file) would restart every pod. The label is
    // kept, as cdk8s-plus selects the Deployment's pods by it (Service.select, NetworkPolicy peers,
    // scheduling), but holds the Deployment's name: a pod template then depends on props only.
    deployment.podMetadata.addLabel(kplus.Pod.ADDRESS_LABEL, deployment.name);
    const checked = this.checked;
    checked.deployments = checked.deployments.concat(ApiObject.of(deployment));
    checked.others = checked.others.concat(this.production.apply(this, id, deployment, {
      name: deployment.name, labels: this.objectLabels(), annotations: props.annotations, selector,
    }));

    const resource = ApiObject.of(deployment);
    resource.addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', props.revisionHistoryLimit ?? 10));
    if (props.paused) {
      resource.addJsonPatch(JsonPatch.add('/spec/paused', true));
    }
    // cdk8s-plus has a field for one pull secret only, and none for these two.
    if (props.imagePullSecrets !== undefined) {
      resource.addJsonPatch(JsonPatch.add('/spec/template/spec/imagePullSecrets',
        props.imagePullSecrets.map(secret => ({ name: secret.name }))));
    }
    if (props.nodeSelector !== undefined) {
      resource.addJsonPatch(JsonPatch.add('/spec/template/spec/nodeSelector', props.nodeSelector));
    }
    if (props.priorityClassName !== undefined) {
      resource.addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', props.priorityClassName));
    }
    return deployment;
  }

  /**
   * Adds a Service forwarding `servicePort` to `port` of the pods its selector matches.
   * @internal
   */
  protected _addService(id: string, options: ServiceOptions): kplus.Service {
    if (this.port === undefined || this.servicePort === undefined) {
      throw new Error(`${this.node.path}: a Service needs 'port'`);
    }
    const service = new kplus.Service(this, id, {
      metadata: {
        name: this._objectName(options.nameSuffix),
        labels: this.objectLabels(),
        annotations: options.annotations === undefined
          ? this.common.annotations : { ...this.common.annotations, ...options.annotations },
      },
      type: options.type ?? this.common.serviceType ?? kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: HTTP_PORT_NAME, port: this.servicePort, targetPort: this.port }],
    });
    service.selectLabel(Label.NAME, this.name);
    for (const [key, value] of Object.entries(options.selector)) {
      service.selectLabel(key, value);
    }
    // cdk8s-plus writes `externalIPs: []` when none are given; no prop sets them, so drop the field.
    ApiObject.of(service).addJsonPatch(JsonPatch.remove('/spec/externalIPs'));
    // By name, as charts do: the container port may move without the Service changing. cdk8s-plus
    // takes a number only, and the patch is read back as an IntOrString.
    ApiObject.of(service).addJsonPatch(JsonPatch.replace('/spec/ports/0/targetPort',
      kplus.k8s.IntOrString.fromString(HTTP_PORT_NAME)));
    this.checked.services = this.checked.services.concat({
      service: ApiObject.of(service), selects: options.selects.map(d => ApiObject.of(d)),
    });
    return service;
  }

  /**
   * Fails unless the app has a `trafficRouter`, which `what` needs.
   * @internal
   */
  protected _requireRouter(what: string): void {
    if (!this.common.trafficRouter) {
      fail(this, 'trafficRouter', this.common.trafficRouter, `${what} needs a router: `
        + 'set TrafficRouter.gatewayApi(...) or TrafficRouter.istio(...)');
    }
  }

  /**
   * Fails when the app has `autoscaling`: `what` is concluded by scaling one of its Deployments to
   * 0 with `sizeProp`, below any autoscaler's minimum, which the autoscaler would undo.
   * @internal
   */
  protected _refuseAutoscaling(what: string, sizeProp: string): void {
    const autoscaling = this.common.autoscaling;
    if (autoscaling) {
      fail(this, 'autoscaling', `{ minReplicas: ${autoscaling.minReplicas} }`, `${what} sizes its versions with `
        + `'replicas' and '${sizeProp}', and is concluded by scaling one to 0, which an autoscaler would undo: remove it`);
    }
  }

  /**
   * Fails unless each of `names` is set, for a construct that runs two versions.
   * @internal
   */
  protected _requireVersions(versions: { [name: string]: VariantProps | undefined }): void {
    for (const [name, variant] of Object.entries(versions)) {
      if (!variant) fail(this, name, variant, `both versions are needed: set '${name}' to { image: ... }`);
    }
  }

  /**
   * Adds a Service `<name>-<variant>` that selects the pods of one Deployment only, as a backend
   * of the route with `weight`; `variant` names the Istio subset too.
   * @internal
   */
  protected _addBackend(id: string, variant: string, selector: { [key: string]: string }, deployment: kplus.Deployment,
    weight: number): BackendOptions {
    const service = this._addService(id, {
      nameSuffix: `-${variant}`, selector, selects: [deployment], type: kplus.ServiceType.CLUSTER_IP,
    });
    return { service, deployment, subset: variant, selector, weight };
  }

  /**
   * Adds the route of `trafficRouter` that splits all requests over `backends`, when the app
   * has a router. The backends' Services must exist already; `service` is the app's Service, the
   * mesh parent and Istio host.
   * @internal
   */
  protected _addRoute(service: kplus.Service, backends: BackendOptions[]): void {
    this._addRules(service, [{ backends }]);
  }

  /**
   * Adds the route of `trafficRouter` with `rules`, in order, when the app has a router; the
   * subsets of `standby`, which no rule may send to now, are defined all the same.
   * @internal
   */
  protected _addRules(service: kplus.Service, rules: RuleOptions[], standby: BackendOptions[] = []): void {
    const router = this.common.trafficRouter;
    // The constructor refuses a router without a port, so a route always has a Service port.
    if (router === undefined || this.servicePort === undefined) return;
    const written = router._write(this, {
      name: service.name,
      servicePort: this.servicePort,
      labels: this.objectLabels(),
      annotations: this.common.annotations,
      rules: rules.map(rule => ({
        matches: rule.matches,
        backends: rule.backends.map(b => ({ serviceName: b.service.name, subset: this.subsetOf(b), weight: b.weight })),
        mirror: rule.mirror && { serviceName: rule.mirror.service.name, percent: rule.mirror.percent },
      })),
      standbySubsets: standby.flatMap(b => this.subsetOf(b) ?? []),
    });
    const backends = rules.flatMap(rule => rule.backends);
    const mirrors = rules.flatMap(rule => (rule.mirror ? [rule.mirror] : []));
    this.checked.routes = this.checked.routes.concat({
      route: written.route,
      destinationRule: written.destinationRule,
      host: ApiObject.of(service),
      backends: backends.map(b => ({ service: ApiObject.of(b.service), subset: b.subset, selects: ApiObject.of(b.deployment) })),
      mirrors: mirrors.map(m => ({ service: ApiObject.of(m.service), selects: ApiObject.of(m.deployment) })),
    });
  }

  /** A backend's Istio subset: its name, and the app's name label with the backend's selector. */
  private subsetOf(b: BackendOptions): RouteSubset | undefined {
    return b.subset === undefined ? undefined : { name: b.subset, labels: { [Label.NAME]: this.name, ...b.selector } };
  }

  private objectLabels(): { [key: string]: string } {
    return { ...this.common.labels, [Label.NAME]: this.name, [Label.MANAGED_BY]: 'cdk8s' };
  }

  /** Extra ports: IANA names, none named as `port` is, no name or number and protocol twice. */
  private checkPorts(ports: kplus.ContainerPort[]): void {
    if (!Array.isArray(ports)) {
      fail(this, 'ports', ports, 'it must be a list of { name, number, protocol? }');
    }
    // The app's own port alone cannot clash.
    if (ports.length === 0) return;
    const seen = new Map<string, string>();
    const claim = (key: string, prop: string, value: unknown, what: string) => {
      const other = seen.get(key);
      if (other !== undefined) {
        fail(this, prop, value, `${other} has the same ${what}: each port needs its own`);
      }
      seen.set(key, `'${prop.replace(/\.[a-z]+$/, '')}'`);
    };
    if (this.port !== undefined) {
      claim(`name ${HTTP_PORT_NAME}`, 'port', this.port, 'name');
      claim(`number ${this.port}/${kplus.Protocol.TCP}`, 'port', this.port, 'number and protocol');
    }
    ports.forEach((port, i) => {
      const prop = `ports[${i}]`;
      if (port.name === undefined) {
        fail(this, `${prop}.name`, undefined, 'each extra port needs a name, by which probes and Services may use it');
      }
      checkPortName(this, `${prop}.name`, port.name);
      if (port.name === HTTP_PORT_NAME && this.port !== undefined) {
        fail(this, `${prop}.name`, port.name, `it is the name of 'port' (${this.port}), which the Service's targetPort `
          + 'names: choose another name');
      }
      checkPort(this, `${prop}.number`, port.number);
      claim(`name ${port.name}`, `${prop}.name`, port.name, 'name');
      const protocol = port.protocol ?? kplus.Protocol.TCP;
      claim(`number ${port.number}/${protocol}`, `${prop}.number`, port.number, `number and protocol (${protocol})`);
    });
  }

  /** Container names, and the pod spec fields cdk8s-plus does not check. */
  private checkPodSpec(props: CommonAppProps): void {
    // Kubernetes wants every container name of a pod, init containers included, to be unique;
    // cdk8s-plus names an unnamed one 'main', so two unnamed ones would clash.
    if (props.sidecars !== undefined || props.initContainers !== undefined) {
      const names = new Set([APP_CONTAINER_NAME]);
      for (const prop of CONTAINER_PROPS) {
        (props[prop] ?? []).forEach((container, i) => {
          if (container.name === undefined || names.has(container.name)) {
            fail(this, `${prop}[${i}].name`, container.name, 'each container needs a name of its own, other than '
              + `${[...names].map(n => JSON.stringify(n)).join(', ')}`);
          }
          names.add(container.name);
          checkImage(this, `${prop}[${i}].image`, container.image);
        });
      }
    }
    checkLabels(this, 'nodeSelector', props.nodeSelector, [], '');
    // cdk8s-plus refuses a bad weight only when it schedules, without saying whose.
    if (props.affinity) {
      for (const kind of AFFINITY_KINDS) {
        (props.affinity[kind] ?? []).forEach(({ weight }, i) => {
          if (weight !== undefined) checkInteger(this, `affinity.${kind}[${i}].weight`, weight, 1, 100);
        });
      }
    }
    if (props.priorityClassName !== undefined) {
      checkSubdomain(this, 'priorityClassName', props.priorityClassName);
    }
  }

  /** An extra container, pulled as the app container is by default (cdk8s-plus would always pull). */
  private withPullPolicy(container: kplus.ContainerProps): kplus.ContainerProps {
    const imagePullPolicy = container.imagePullPolicy ?? defaultPullPolicy(parseImageReference(container.image));
    return { ...container, imagePullPolicy };
  }

  /** Tolerations and affinity through cdk8s-plus's scheduling API. */
  private schedule(deployment: kplus.Deployment): void {
    const { tolerations, affinity } = this.common;
    if (tolerations?.length) {
      deployment.scheduling.tolerate(kplus.Node.tainted(...tolerations));
    }
    for (const { node, ...options } of affinity?.attract ?? []) {
      deployment.scheduling.attract(node, options);
    }
    for (const { selector, ...options } of affinity?.colocate ?? []) {
      deployment.scheduling.colocate(selector, options);
    }
    for (const { selector, ...options } of affinity?.separate ?? []) {
      deployment.scheduling.separate(selector, options);
    }
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
