// Checks at synth time that every manifest in a chart is safe to apply: Services select the pods
// they should, Deployments never fight over pods, no object is defined twice (in the chart, or in
// an earlier chart of the App in the same namespace), selectors survive releases, traffic only
// reaches ports that a readiness probe guards, and probes check ports the container declares. They
// look at the synthesized objects of the whole chart, so they also catch what escape hatches and
// other constructs did.
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { LabelIndex } from '../label-index';
import { Label } from '../labels';
import { checkRoutes, RenderedRoute } from './route-checks';
import { checkOncePerSynthesis, renderer, renderOncePerSynthesis } from './synthesis';
import {
  AutoscaledDeployment, autoscalerProblems, budgetsByPods, checkBudgets, podSecurityViolations, RenderedAutoscaler,
  renderedAutoscaler, RenderedBudget, renderedBudget,
} from './workload-checks';

/** The objects of one construct that the checks hold to account. */
export interface CheckedObjects {
  /** The construct path errors are reported under. */
  readonly path: string;
  // The lists are replaced, not pushed to, as the construct adds objects: see `StrategyApp`.
  deployments: readonly ApiObject[];
  /** Each Service with the Deployments whose pods it should select, exactly. */
  services: ReadonlyArray<{ readonly service: ApiObject; readonly selects: ApiObject[] }>;
  /** The app's route, if it has a router, with the Deployment each backend should reach. */
  routes: readonly CheckedRoute[];
  /** The construct's other objects: PodDisruptionBudgets and HorizontalPodAutoscalers. */
  others: readonly ApiObject[];
  /** The Pod Security level (`restricted`, `baseline`, `privileged`) its pods must meet. */
  readonly podSecurity: string;
}

/** A route of a construct: an HTTPRoute or a VirtualService (with its DestinationRule). */
export interface CheckedRoute {
  readonly route: ApiObject;
  readonly destinationRule?: ApiObject;
  /** The app's Service: the mesh parent, and the host of Istio's destinations. */
  readonly host: ApiObject;
  /** Each backend: its Service, its Istio subset, and the one Deployment whose pods it should reach. */
  readonly backends: Array<{ readonly service: ApiObject; readonly subset?: string; readonly selects: ApiObject }>;
  /** Each mirror target: its Service and the one Deployment whose pods it should reach; never a backend. */
  readonly mirrors: Array<{ readonly service: ApiObject; readonly selects: ApiObject }>;
}

interface LabelSelectorRequirement { key: string; operator: string; values?: string[] }
interface Selector { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] }

/** A pod template (or a pod) in the chart. */
export interface PodSource {
  readonly object: ApiObject;
  readonly id: string;
  readonly labels: Record<string, string>;
  readonly selector?: Selector;
  readonly containers: any[];
}

const REGISTERED = new WeakMap<Chart, CheckedObjects[]>();
/** The charts with registered constructs of each App, in the order they registered. */
const CHARTS_OF_APP = new WeakMap<IConstruct, Chart[]>();

/**
 * Adds `objects` to the checks of the chart of `scope`; the chart gets one validation for all of
 * its constructs, which reads each object of the chart in the rendering the output uses too
 * (./synthesis.ts).
 */
export function addChartChecks(scope: IConstruct, objects: CheckedObjects): void {
  const chart = Chart.of(scope);
  let registered = REGISTERED.get(chart);
  if (!registered) {
    const list: CheckedObjects[] = [];
    registered = list;
    REGISTERED.set(chart, list);
    const charts = CHARTS_OF_APP.get(chart.node.root) ?? [];
    CHARTS_OF_APP.set(chart.node.root, charts);
    const earlierCharts = charts.slice();
    charts.push(chart);
    renderOncePerSynthesis(chart);
    chart.node.addValidation({
      validate: () => checkOncePerSynthesis(chart, () => [...checkChart(chart, list), ...checkAcrossCharts(list, earlierCharts)]),
    });
  }
  registered.push(objects);
}

/**
 * Objects of `chart`'s constructs that constructs of an earlier chart of the same App define too,
 * in the same namespace: the checks of each chart cannot see it, yet one apply of the App's
 * manifests would overwrite one with the other. Reported by the later chart only, so once.
 */
function checkAcrossCharts(registered: CheckedObjects[], earlierCharts: Chart[]): string[] {
  const owners = new Map<string, { path: string; chart: Chart }>();
  for (const earlier of earlierCharts) {
    for (const objects of REGISTERED.get(earlier) ?? []) {
      for (const object of ownObjects(objects)) {
        if (!owners.has(identity(object))) owners.set(identity(object), { path: objects.path, chart: earlier });
      }
    }
  }
  const errors: string[] = [];
  if (owners.size === 0) return errors;
  for (const objects of registered) {
    const clashes = groupBy(ownObjects(objects).filter(o => owners.has(identity(o))), o => owners.get(identity(o))!.path);
    for (const [otherPath, clashing] of clashes) {
      const namespace = clashing[0].metadata.namespace;
      errors.push(`${objects.path}: ${listObjects(clashing.map(describe))} also defined by ${otherPath} in chart `
        + `${owners.get(identity(clashing[0]))!.chart.node.path}, in the same namespace `
        + `(${namespace ?? 'none set: the one kubectl applies to'}): each would overwrite the other on apply; `
        + 'give each app its own name or its own namespace');
    }
  }
  return errors;
}

function ownObjects(objects: CheckedObjects): ApiObject[] {
  return [...objects.deployments, ...objects.services.map(s => s.service), ...objects.others,
    ...objects.routes.flatMap(r => (r.destinationRule ? [r.route, r.destinationRule] : [r.route]))];
}

/** What makes an object the same object to the API server: kind, namespace and name. */
function identity(object: ApiObject): string {
  return `${object.kind} ${object.metadata.namespace ?? ''}/${object.name}`;
}

function describe(object: ApiObject): string {
  return `${object.kind} ${object.name}`;
}

/** "Deployment web is", "Deployment web and Service web are". */
function listObjects(ids: string[]): string {
  const list = ids.length === 1 ? ids[0] : `${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
  return `${list} ${ids.length === 1 ? 'is' : 'are'}`;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) add(groups, key(item), item);
  return groups;
}

/** Every failing check of every registered construct of `chart`, each starting with its construct path. */
export function checkChart(chart: Chart, registered: CheckedObjects[]): string[] {
  // Only what the checks read is kept of each rendered object (outside a synthesis, the renderings
  // are not kept at all), and little is allocated per object: a chart may hold thousands of apps.
  const definitions = new Definitions();
  const pods: PodSource[] = [];
  const routes: RenderedRoute[] = [];
  const serviceSummaries = new Map<ApiObject, ObjectSummary>();
  const workloads = new WorkloadFacts(registered);
  const render = renderer(chart);
  const objects = chart.node.findAll().filter(ApiObject.isApiObject);
  for (const object of objects) {
    const manifest = render(object);
    definitions.count(manifest);
    workloads.read(object, manifest);
    const pod = podSource(object, manifest);
    if (pod) pods.push(pod);
    if (ROUTE_KINDS.includes(manifest.kind)) routes.push({ object, manifest });
    if (manifest.kind === 'Service') serviceSummaries.set(object, summarize(manifest));
  }
  const index = new PodIndex(pods);
  const errors: string[] = [];
  const colliding = definitions.definedTwice
    ? checkCollisions(chart, registered, new Map(objects.map(o => [o, summarize(render(o))])), errors)
    : new Set<CheckedObjects>();
  for (const checked of registered) {
    const fail = (message: string) => errors.push(`${checked.path}: ${message}`);
    for (const deployment of checked.deployments) {
      checkProbes(index.of(deployment), fail, checked.services.length === 0);
      workloads.checkPodSecurity(deployment, fail);
    }
    // Overlapping selectors and Services selecting two apps follow from a collision of names: its
    // one line says it all.
    if (colliding.has(checked)) continue;
    for (const deployment of checked.deployments) {
      checkDeployment(index.of(deployment), index, fail);
      workloads.checkBudgets(deployment, index, fail);
    }
    for (const { service, selects } of checked.services) {
      checkService(serviceSummaries.get(service)!, selects.map(d => index.of(d)), index, fail);
    }
  }
  if (routes.length > 0) {
    const services = new Map<string, ObjectSummary>();
    for (const summary of serviceSummaries.values()) services.set(`${summary.namespace}/${summary.name}`, summary);
    const rendered = new Map(routes.map(r => [r.object, r.manifest]));
    checkRoutes(registered.filter(o => !colliding.has(o)), { services, pods: index, rendered, routes }, errors);
  }
  return errors;
}

/** How many times each object (kind, namespace and name) is defined. */
class Definitions {
  /** Whether some object is defined more than once. */
  public definedTwice = false;
  /** The objects seen, by kind, then namespace, then name: no key is built per object. */
  private readonly seen = new Map<unknown, Map<unknown, Set<unknown>>>();

  public count(manifest: any): void {
    let byNamespace = this.seen.get(manifest.kind);
    if (!byNamespace) this.seen.set(manifest.kind, byNamespace = new Map());
    const namespace = manifest.metadata?.namespace ?? '';
    let names = byNamespace.get(namespace);
    if (!names) byNamespace.set(namespace, names = new Set());
    const name = manifest.metadata?.name;
    if (names.has(name)) this.definedTwice = true;
    else names.add(name);
  }
}

/**
 * Objects defined more than once in the chart, each collision reported once: under the later of
 * two constructs, or under ours when the other definition is not one of the constructs'. Returns
 * the constructs involved.
 */
function checkCollisions(chart: Chart, registered: CheckedObjects[], summaries: Map<ApiObject, ObjectSummary>,
  errors: string[]): Set<CheckedObjects> {
  const colliding = new Set<CheckedObjects>();
  const definitions = new Map<string, number>();
  for (const summary of summaries.values()) definitions.set(summary.key, (definitions.get(summary.key) ?? 0) + 1);
  const ownerOf = new Map<ApiObject, CheckedObjects>();
  registered.forEach(objects => ownObjects(objects).forEach(o => ownerOf.set(o, objects)));
  /** Who defines each object defined more than once: a construct path, or the object's own path. */
  const definers = new Map<string, string[]>();
  for (const [object, summary] of summaries) {
    if (definitions.get(summary.key)! > 1) add(definers, summary.key, ownerOf.get(object)?.path ?? object.node.path);
  }
  const positionOf = new Map(registered.map((objects, position) => [objects.path, position]));
  registered.forEach((objects, position) => {
    const isLater = (path: string) => (positionOf.get(path) ?? -1) > position;
    const byOther = new Map<string, string[]>();
    const definedTwice = new Set<string>();
    for (const object of ownObjects(objects)) {
      const summary = summaries.get(object)!;
      const others = definers.get(summary.key) ?? [];
      if (others.length === 0) continue;
      colliding.add(objects);
      if (others.filter(other => other === objects.path).length > 1 && !definedTwice.has(summary.key)) {
        definedTwice.add(summary.key);
        errors.push(`${objects.path}: ${summary.id} is defined more than once by this construct: each would overwrite `
          + 'the other on apply');
      }
      // A collision of two of the constructs is the later one's to report.
      const reported = new Set(others.filter(other => other !== objects.path && !isLater(other)));
      reported.forEach(other => add(byOther, other, summary.id));
    }
    for (const [other, ids] of byOther) {
      errors.push(`${objects.path}: ${listObjects(ids)} also defined by ${other} in chart ${chart.node.path}: each would `
        + 'overwrite the other on apply; give each app its own name');
    }
  });
  return colliding;
}

/**
 * What the workload checks read of the chart: the Pod Security violations of the constructs'
 * pods (found while each object is rendered, so no manifest is kept), the budgets, and the fewest
 * pods of each Deployment.
 */
class WorkloadFacts {
  private readonly levels = new Map<ApiObject, string>();
  private readonly violations = new Map<ApiObject, string[]>();
  private readonly deployments = new Map<ApiObject, AutoscaledDeployment & { namespace: string; name: string }>();
  private readonly budgets: RenderedBudget[] = [];
  /** The autoscalers of Deployments, by `namespace/name` of the Deployment each scales. */
  private readonly autoscaled = new Map<string, RenderedAutoscaler>();
  private covering?: Map<PodSource, RenderedBudget[]>;

  constructor(registered: CheckedObjects[]) {
    registered.forEach(objects => objects.deployments.forEach(d => this.levels.set(d, objects.podSecurity)));
  }

  public read(object: ApiObject, manifest: any): void {
    const namespace = manifest.metadata?.namespace ?? '';
    const level = this.levels.get(object);
    if (level !== undefined) {
      const id = `${manifest.kind} ${manifest.metadata?.name}`;
      const violations = podSecurityViolations(manifest.spec?.template?.spec, level, id);
      if (violations.length > 0) this.violations.set(object, violations);
      this.deployments.set(object, {
        namespace, name: manifest.metadata?.name, id, replicas: manifest.spec?.replicas,
        containers: manifest.spec?.template?.spec?.containers ?? [],
      });
    }
    if (manifest.kind === 'PodDisruptionBudget') this.budgets.push(renderedBudget(manifest));
    const target = manifest.spec?.scaleTargetRef;
    if (manifest.kind === 'HorizontalPodAutoscaler' && target?.kind === 'Deployment') {
      this.autoscaled.set(`${namespace}/${target.name}`, renderedAutoscaler(manifest));
    }
  }

  public checkPodSecurity(deployment: ApiObject, fail: (message: string) => void): void {
    (this.violations.get(deployment) ?? []).forEach(v => fail(`${v}: a namespace enforcing it refuses the pods; change the `
      + 'field, or set \'podSecurity\' to a level that allows it'));
  }

  public checkBudgets(deployment: ApiObject, index: PodIndex, fail: (message: string) => void): void {
    const facts = this.deployments.get(deployment)!;
    const autoscaler = this.autoscaled.size > 0 ? this.autoscaled.get(`${facts.namespace}/${facts.name}`) : undefined;
    if (autoscaler) autoscalerProblems(facts, autoscaler).forEach(fail);
    const fewestPods = typeof facts.replicas === 'number' ? facts.replicas : autoscaler?.minReplicas ?? 1;
    this.covering ??= budgetsByPods(this.budgets, index);
    checkBudgets({ pods: index.of(deployment), namespace: facts.namespace, fewestPods }, this.covering, fail);
  }
}

/** The kinds of route objects, kept whole for the route checks. */
const ROUTE_KINDS = ['HTTPRoute', 'VirtualService', 'DestinationRule'];

/** What the checks read of any object: its identity and, for a Service, its selector and ports. */
export interface ObjectSummary {
  readonly key: string;
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly selector?: Record<string, string>;
  readonly ports?: Array<{ port: number; targetPort?: number | string }>;
}

function summarize(manifest: any): ObjectSummary {
  const namespace = manifest.metadata?.namespace ?? '';
  const name = manifest.metadata?.name;
  const id = `${manifest.kind} ${name}`;
  const key = `${manifest.kind} ${namespace}/${name}`;
  if (manifest.kind !== 'Service') return { key, id, namespace, name };
  return { key, id, namespace, name, selector: manifest.spec?.selector ?? {}, ports: manifest.spec?.ports ?? [] };
}

/**
 * The chart's pod sources, indexed by label so that finding what a selector selects costs the
 * size of its rarest label's group, not the size of the chart: charts with thousands of apps stay
 * linear.
 */
export class PodIndex {
  private readonly byObject = new Map<ApiObject, PodSource>();
  /** Pod sources by their labels. */
  private readonly byLabel: LabelIndex<PodSource>;
  /** Workloads by the first label of their selector only: the pods they select all have that label. */
  private readonly bySelectorLabel = new LabelIndex<PodSource>([], pod => pod.selector?.matchLabels);
  /** Workloads whose selector has no matchLabels, checked against every pod. */
  private readonly withoutSelectorLabels: PodSource[] = [];

  constructor(public readonly all: PodSource[]) {
    this.byLabel = new LabelIndex(all, pod => pod.labels);
    for (const pod of all) {
      this.byObject.set(pod.object, pod);
      if (pod.selector) {
        const matchLabels = pod.selector.matchLabels ?? {};
        const first = Object.keys(matchLabels)[0];
        if (first === undefined) {
          this.withoutSelectorLabels.push(pod);
          continue;
        }
        this.bySelectorLabel.add(first, matchLabels[first], pod);
      }
    }
  }

  public of(object: ApiObject): PodSource {
    return this.byObject.get(object)!;
  }

  /** The pod sources whose labels `selector` selects. */
  public selectedBy(selector: Selector): PodSource[] {
    const selected: PodSource[] = [];
    for (const pod of this.byLabel.candidates(selector.matchLabels) ?? this.all) {
      if (matches(selector, pod.labels)) selected.push(pod);
    }
    return selected;
  }

  /** The workloads whose selectors select the pods of `pod`. */
  public selecting(pod: PodSource): PodSource[] {
    const labels = pod.labels;
    const selecting: PodSource[] = [];
    for (const other of this.withoutSelectorLabels) {
      if (matches(other.selector!, labels)) selecting.push(other);
    }
    // Each workload is indexed under one label only, so it is found at most once.
    for (const key of Object.keys(labels)) {
      for (const other of this.bySelectorLabel.withLabel(key, labels[key])) {
        if (matches(other.selector!, labels)) selecting.push(other);
      }
    }
    return selecting;
  }
}

function add<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const group = map.get(key);
  if (group) group.push(value);
  else map.set(key, [value]);
}

function checkDeployment(deployment: PodSource, pods: PodIndex, fail: (message: string) => void): void {
  const selector = deployment.selector ?? {};
  if (!matches(selector, deployment.labels)) {
    fail(`the selector of ${deployment.id} (${show(selector)}) does not match its own pod template `
      + `(${show(deployment.labels)}): the API server rejects it`);
  }
  if (Label.VERSION in (selector.matchLabels ?? {}) || (selector.matchExpressions ?? []).some(e => e.key === Label.VERSION)) {
    fail(`the selector of ${deployment.id} holds ${Label.VERSION}: the next release would change the immutable `
      + 'spec.selector and be rejected');
  }
  const overlaps = (other: PodSource, oursSelectsTheirs: boolean) => fail(`the selectors of ${deployment.id} and ${other.id} `
    + `overlap (${oursSelectsTheirs ? deployment.id : other.id} selects the pods of ${oursSelectsTheirs ? other.id : deployment.id}): `
    + 'their controllers would fight over the pods; give each app its own name');
  const selectedByOurs = pods.selectedBy(selector).filter(other => other !== deployment);
  selectedByOurs.forEach(other => overlaps(other, true));
  pods.selecting(deployment)
    .filter(other => other !== deployment && !selectedByOurs.includes(other))
    .forEach(other => overlaps(other, false));
}

function checkService(service: ObjectSummary, expected: PodSource[], pods: PodIndex, fail: (message: string) => void): void {
  const id = service.id;
  const selector = service.selector ?? {};
  const selected = pods.selectedBy({ matchLabels: selector });
  if (selected.length === 0) {
    fail(`${id} selects no pod template in the chart (selector ${show(selector)}): its traffic would be dropped`);
    return;
  }
  const names = (list: PodSource[]) => list.map(p => p.id).sort().join(', ');
  const same = selected.length === expected.length && selected.every(pod => expected.includes(pod));
  if (!same && names(selected) !== names(expected)) {
    fail(`${id} selects ${names(selected)}, but should select exactly ${names(expected)} (selector ${show(selector)})`);
  }
  for (const port of service.ports ?? []) {
    const targetPort = port.targetPort ?? port.port;
    for (const pod of selected) {
      const container = pod.containers.find(c => (c.ports ?? []).some((p: any) => isPort(p, targetPort)));
      if (!container) {
        fail(`${id} sends port ${port.port} to targetPort ${JSON.stringify(targetPort)}, which no container of `
          + `${pod.id} exposes (${describePorts(pod.containers)})`);
        continue;
      }
      checkReadiness(pod, container, fail);
    }
  }
}

function checkReadiness(pod: PodSource, container: any, fail: (message: string) => void): void {
  const where = `container ${container.name} of ${pod.id}`;
  const probe = container.readinessProbe;
  if (!probe) {
    fail(`${where} receives Service traffic but has no readiness probe: a release would route requests to pods `
      + 'that cannot serve yet');
    return;
  }
  const probePort = portOf(probe);
  if (probePort !== undefined && !(container.ports ?? []).some((p: any) => isPort(p, probePort))) {
    fail(`the readiness probe of ${where} checks port ${JSON.stringify(probePort)}, which the container does not `
      + `expose (${describePorts([container])}): it says nothing about the port that serves`);
  }
}

/**
 * Liveness and startup probes on a port the container does not declare: the probe fails, so the
 * kubelet restarts the container again and again (the app may listen there, but then it should
 * say so). The readiness probe too when `withReadiness`: for an app without a Service, whose
 * readiness no Service check looks at, a probe that fails keeps every pod unready and stalls
 * every rollout.
 */
function checkProbes(deployment: PodSource, fail: (message: string) => void, withReadiness: boolean): void {
  for (const container of deployment.containers) {
    if (withReadiness) checkProbePort(deployment, container, 'readiness', container.readinessProbe, fail);
    checkProbePort(deployment, container, 'liveness', container.livenessProbe, fail);
    checkProbePort(deployment, container, 'startup', container.startupProbe, fail);
  }
}

/** What a probe on a port the container does not declare does. */
const PROBE_FAILURE: Record<string, string> = {
  readiness: 'the probe fails, so the pods never become ready and every rollout stalls',
  liveness: 'the probe fails and the kubelet restarts the container again and again',
  startup: 'the probe fails and the kubelet restarts the container again and again',
};

function checkProbePort(deployment: PodSource, container: any, prop: string, probe: any, fail: (message: string) => void): void {
  const port = probe ? portOf(probe) : undefined;
  if (port === undefined || (container.ports ?? []).some((p: any) => isPort(p, port))) return;
  fail(`'${prop}' checks port ${JSON.stringify(port)}, which container ${container.name} of ${deployment.id} does not `
    + `declare (${describePorts([container])}): ${PROBE_FAILURE[prop]}; `
    + 'probe the container port, or declare the port the probe checks');
}

function portOf(probe: any): number | string | undefined {
  return probe.tcpSocket?.port ?? probe.httpGet?.port ?? probe.grpc?.port;
}

/** The pods an object makes: a workload's template, or a Pod itself. */
function podSource(object: ApiObject, manifest: any): PodSource | undefined {
  const id = `${manifest.kind} ${manifest.metadata?.name}`;
  const containers = (spec: any): any[] => spec?.containers ?? [];
  if (manifest.kind === 'Pod') {
    return { object, id, labels: manifest.metadata?.labels ?? {}, containers: containers(manifest.spec) };
  }
  const template = manifest.spec?.template;
  if (!template || manifest.kind === 'CronJob') return undefined;
  return {
    object, id,
    labels: template.metadata?.labels ?? {},
    selector: manifest.spec.selector ?? {},
    containers: containers(template.spec),
  };
}

/** Whether a label selector selects these labels, as Kubernetes evaluates it. */
export function matches(selector: Selector, labels: Record<string, string>): boolean {
  const matchLabels = selector.matchLabels;
  // Called for every candidate pod of every selector: nothing is allocated unless there are expressions.
  for (const key in matchLabels) {
    if (labels[key] !== matchLabels[key]) return false;
  }
  const expressions = selector.matchExpressions;
  if (!expressions || expressions.length === 0) return true;
  return expressions.every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In': return key in labels && values.includes(labels[key]);
      case 'NotIn': return !(key in labels) || !values.includes(labels[key]);
      case 'Exists': return key in labels;
      case 'DoesNotExist': return !(key in labels);
      default: return false;
    }
  });
}

function isPort(containerPort: any, port: number | string): boolean {
  return typeof port === 'number' ? containerPort.containerPort === port : containerPort.name === port;
}

function describePorts(containers: any[]): string {
  const ports = containers.flatMap(c => (c.ports ?? []).map((p: any) => (p.name ? `${p.name}/${p.containerPort}` : `${p.containerPort}`)));
  return ports.length ? `ports: ${ports.join(', ')}` : 'no ports';
}

function show(value: unknown): string {
  return JSON.stringify(value);
}
