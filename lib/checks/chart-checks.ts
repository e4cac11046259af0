// Checks at synth time that every manifest in a chart is safe to apply: Services select the pods
// they should, Deployments never fight over pods, selectors survive releases, and traffic only
// reaches ports that a readiness probe guards. They look at the synthesized objects of the whole
// chart, so they also catch what escape hatches and other constructs did.
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Label } from '../labels';

/** The objects of one construct that the checks hold to account. */
export interface CheckedObjects {
  /** The construct path errors are reported under. */
  readonly path: string;
  readonly deployments: ApiObject[];
  /** Each Service with the Deployments whose pods it should select, exactly. */
  readonly services: Array<{ readonly service: ApiObject; readonly selects: ApiObject[] }>;
}

interface LabelSelectorRequirement { key: string; operator: string; values?: string[] }
interface Selector { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] }

/** A pod template (or a pod) in the chart. */
interface PodSource {
  readonly object: ApiObject;
  readonly id: string;
  readonly labels: Record<string, string>;
  readonly selector?: Selector;
  readonly containers: any[];
}

const REGISTERED = new WeakMap<Chart, CheckedObjects[]>();

/**
 * Adds `objects` to the checks of the chart of `scope`; the chart gets one validation for all of
 * its constructs, so the chart's objects are synthesized once per check whatever their number.
 */
export function addChartChecks(scope: IConstruct, objects: CheckedObjects): void {
  const chart = Chart.of(scope);
  let registered = REGISTERED.get(chart);
  if (!registered) {
    const list: CheckedObjects[] = [];
    registered = list;
    REGISTERED.set(chart, list);
    chart.node.addValidation({ validate: () => checkChart(chart, list) });
  }
  registered.push(objects);
}

/** Every failing check of every registered construct of `chart`, each starting with its construct path. */
export function checkChart(chart: Chart, registered: CheckedObjects[]): string[] {
  // Only what the checks read is kept of each rendered object, so a chart of thousands of apps does
  // not hold all of its manifests in memory twice.
  const summaries = new Map<ApiObject, ObjectSummary>();
  const definitions = new Map<string, number>();
  const pods: PodSource[] = [];
  for (const object of chart.node.findAll().filter(ApiObject.isApiObject)) {
    const manifest = object.toJson();
    const summary = summarize(manifest);
    summaries.set(object, summary);
    definitions.set(summary.key, (definitions.get(summary.key) ?? 0) + 1);
    pods.push(...podSource(object, manifest));
  }
  const index = new PodIndex(pods);
  const errors: string[] = [];
  for (const objects of registered) {
    const fail = (message: string) => errors.push(`${objects.path}: ${message}`);
    for (const object of [...objects.deployments, ...objects.services.map(s => s.service)]) {
      const summary = summaries.get(object)!;
      if (definitions.get(summary.key)! > 1) {
        fail(`${summary.id} is defined more than once in the chart: each would overwrite the other on apply; `
          + 'give each app its own name');
      }
    }
    for (const deployment of objects.deployments) {
      checkDeployment(index.of(deployment), index, fail);
    }
    for (const { service, selects } of objects.services) {
      checkService(summaries.get(service)!, selects.map(d => index.of(d)), index, fail);
    }
  }
  return errors;
}

/** What the checks read of any object: its identity and, for a Service, its selector and ports. */
interface ObjectSummary {
  readonly key: string;
  readonly id: string;
  readonly selector?: Record<string, string>;
  readonly ports?: Array<{ port: number; targetPort?: number | string }>;
}

function summarize(manifest: any): ObjectSummary {
  const id = `${manifest.kind} ${manifest.metadata?.name}`;
  const key = `${manifest.kind} ${manifest.metadata?.namespace ?? ''}/${manifest.metadata?.name}`;
  if (manifest.kind !== 'Service') return { key, id };
  return { key, id, selector: manifest.spec?.selector ?? {}, ports: manifest.spec?.ports ?? [] };
}

/**
 * The chart's pod sources, indexed by label so that finding what a selector selects costs the
 * size of its rarest label's group, not the size of the chart: charts with thousands of apps stay
 * linear.
 */
class PodIndex {
  private readonly byObject = new Map<ApiObject, PodSource>();
  /** Pod sources by each of their labels. */
  private readonly byLabel = new Map<string, PodSource[]>();
  /** Workloads by the first label of their selector: the pods they select all have that label. */
  private readonly bySelectorLabel = new Map<string, PodSource[]>();
  /** Workloads whose selector has no matchLabels, checked against every pod. */
  private readonly withoutSelectorLabels: PodSource[] = [];

  constructor(public readonly all: PodSource[]) {
    for (const pod of all) {
      this.byObject.set(pod.object, pod);
      for (const [key, value] of Object.entries(pod.labels)) {
        add(this.byLabel, `${key}=${value}`, pod);
      }
      if (pod.selector) {
        const [first] = Object.entries(pod.selector.matchLabels ?? {});
        if (first) add(this.bySelectorLabel, `${first[0]}=${first[1]}`, pod);
        else this.withoutSelectorLabels.push(pod);
      }
    }
  }

  public of(object: ApiObject): PodSource {
    return this.byObject.get(object)!;
  }

  /** The pod sources whose labels `selector` selects. */
  public selectedBy(selector: Selector): PodSource[] {
    const groups = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => this.byLabel.get(`${key}=${value}`) ?? []);
    const candidates = groups.length ? groups.reduce((a, b) => (b.length < a.length ? b : a)) : this.all;
    return candidates.filter(pod => matches(selector, pod.labels));
  }

  /** The workloads whose selectors select the pods of `pod`. */
  public selecting(pod: PodSource): PodSource[] {
    const candidates = new Set<PodSource>(this.withoutSelectorLabels);
    for (const [key, value] of Object.entries(pod.labels)) {
      for (const other of this.bySelectorLabel.get(`${key}=${value}`) ?? []) candidates.add(other);
    }
    return [...candidates].filter(other => matches(other.selector!, pod.labels));
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
  if (names(selected) !== names(expected)) {
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
  const probePort = probe.tcpSocket?.port ?? probe.httpGet?.port ?? probe.grpc?.port;
  if (probePort !== undefined && !(container.ports ?? []).some((p: any) => isPort(p, probePort))) {
    fail(`the readiness probe of ${where} checks port ${JSON.stringify(probePort)}, which the container does not `
      + `expose (${describePorts([container])}): it says nothing about the port that serves`);
  }
}

/** The pods an object makes: a workload's template, or a Pod itself. */
function podSource(object: ApiObject, manifest: any): PodSource[] {
  const id = `${manifest.kind} ${manifest.metadata?.name}`;
  const containers = (spec: any) => (spec?.containers ?? []).map((c: any) => ({
    name: c.name, ports: c.ports, readinessProbe: c.readinessProbe,
  }));
  if (manifest.kind === 'Pod') {
    return [{ object, id, labels: manifest.metadata?.labels ?? {}, containers: containers(manifest.spec) }];
  }
  const template = manifest.spec?.template;
  if (!template || manifest.kind === 'CronJob') return [];
  return [{
    object, id,
    labels: template.metadata?.labels ?? {},
    selector: manifest.spec.selector ?? {},
    containers: containers(template.spec),
  }];
}

/** Whether a label selector selects these labels, as Kubernetes evaluates it. */
export function matches(selector: Selector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return byLabel && (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
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
