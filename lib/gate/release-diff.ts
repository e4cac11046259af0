// ReleaseDiff: the release gate. It reads the manifests that run and the ones about to be applied,
// works out what the move does to every Deployment and Service, and finds the moves that break a
// release: an immutable field changed, capacity lost while new pods start, traffic sent to pods
// nobody checked.
import { LabelIndex, selectsLabels } from '../label-index';
import { Label } from '../labels';
import {
  byKindAndName, canonical, counterpart, describeObject, findObject, KubeObject, namespaceOf, ReadObject, readObjects,
  listAt, sameJson, sameNamespace, sameSpec,
} from './manifests';
import { BackendShare, backendShares, clusterService, Lookup, percent } from './route-shares';
import { DeploymentMove, deploymentMove, maxTotal, maxUnavailable, replicasFieldRemoved } from './transition';

/**
 * What a finding is about. The values are stable strings, the ones `--allow` takes.
 */
export enum FindingCode {
  /**
   * A Deployment's (or StatefulSet's, DaemonSet's, ReplicaSet's, Job's) `spec.selector` changes:
   * the API server rejects the apply (the field is immutable).
   */
  SELECTOR_CHANGED = 'selector-changed',
  /**
   * Ready pods behind a Service fall, during the apply, below the fewer of before and after less
   * the `maxUnavailable` of the Deployments it selected before the apply.
   */
  CAPACITY_DROP = 'capacity-drop',
  /**
   * A Service's selection, or a route's share, moves to pods whose template did not run before the
   * apply.
   */
  UNVERIFIED_SWITCH = 'unverified-switch',
  /** Blue/green: the template of the slot that is live before and after the apply changes. */
  LIVE_TEMPLATE_CHANGED = 'live-template-changed',
  /** Blue/green: the templates of both slots change in one apply. */
  BOTH_SLOTS_CHANGED = 'both-slots-changed',
  /**
   * Canary: the stable track moves to an image and version the canary track did not run (A/B test:
   * variant a, to what variant b did not run; shadow app: the primary, to what the shadow did not).
   */
  UNVERIFIED_PROMOTION = 'unverified-promotion',
  /** A Service selects no pod template of the new manifests. */
  SERVICE_SELECTS_NOTHING = 'service-selects-nothing',
  /** A Deployment has `spec.replicas` before and not after: `kubectl apply` resets it to 1. */
  REPLICAS_FIELD_REMOVED = 'replicas-field-removed',
  /**
   * A Deployment that a HorizontalPodAutoscaler scales has `spec.replicas`: every apply sets it
   * back to that count, whatever the autoscaler chose. The autoscaler may be in either release, as
   * `kubectl apply` leaves one the new manifests leave out in place.
   */
  REPLICAS_UNDER_AUTOSCALER = 'replicas-under-autoscaler',
  /**
   * Another field the API server does not let change does: a Service's `spec.clusterIP`, a Job's
   * pod template. The apply is rejected.
   */
  IMMUTABLE_FIELD_CHANGED = 'immutable-field-changed',
  /**
   * A Service's named `targetPort` is a port the pods of a Deployment it selects do not have: they
   * get none of its traffic.
   */
  TARGET_PORT_MISSING = 'target-port-missing',
  /** A Service that selected pods is removed. */
  SERVING_SERVICE_REMOVED = 'serving-service-removed',
  /** A Recreate Deployment's template changes: every pod stops before the new ones start. */
  RECREATE_DOWNTIME = 'recreate-downtime',
  /**
   * A route (HTTPRoute, VirtualService) gives a backend a larger share of the requests in the same
   * apply that starts pods of it (the route takes effect at once, before they are ready), or gives
   * a share to a Service or subset that reaches no pod.
   */
  ROUTE_OUTPACES_PODS = 'route-outpaces-pods',
  /**
   * A Deployment's template changes while `spec.paused` holds its rollout (no pod is replaced until
   * it is lifted), one is created paused (it runs no pod), or `spec.paused` is lifted over
   * manifests, which cannot show the change it held.
   */
  ROLLOUT_HELD = 'rollout-held',
}

/**
 * Whether a finding stops the apply.
 */
export enum Severity {
  /** The move breaks the release: do not apply it. */
  BLOCK = 'block',
  /** Worth knowing; the move may go ahead. */
  WARN = 'warn',
}

const SWITCH_ADVICE = 'change the template in one apply, check it, then move the traffic in the next';

/** How to read the live objects the gate needs. */
const LIVE_OBJECTS = 'kubectl get deploy,svc -o yaml, with httproutes or virtualservices,destinationrules for an app '
  + 'with a router';

/** The codes that warn by default; every other code blocks. */
const WARNINGS = [FindingCode.SERVING_SERVICE_REMOVED, FindingCode.RECREATE_DOWNTIME, FindingCode.ROLLOUT_HELD];

/**
 * Something the gate found in a move.
 */
export interface Finding {
  /** The app it concerns (its `app.kubernetes.io/name`), or `Kind/name` of an object no app of this library owns. */
  readonly app: string;
  /** What it is about. */
  readonly code: FindingCode;
  /** `block`, or `warn` for a warning or a block turned into a warning by `allow`. */
  readonly severity: Severity;
  /** What happens, and what to do instead. */
  readonly message: string;
}

/**
 * An app of this library and what the move does to it.
 */
export interface AppMove {
  /** The app's name (`app.kubernetes.io/name`). */
  readonly name: string;
  /**
   * The namespace its objects state.
   *
   * @default - none stated
   */
  readonly namespace?: string;
  /** `recreate`, `ramped`, `blue-green`, `canary`, `ab-test` or `shadow`. */
  readonly strategy: string;
  /** The move in words, e.g. "weight 10% → 25%" or "switch blue → green". */
  readonly move: string;
}

/**
 * The ready pods behind one Service while the new manifests are applied.
 */
export interface ServiceTransition {
  /** The Service's name. */
  readonly name: string;
  /**
   * Its namespace.
   *
   * @default - none stated
   */
  readonly namespace?: string;
  /** The app it belongs to, or `Service/name`. */
  readonly app: string;
  /** Ready pods before the apply. */
  readonly before: number;
  /** Pods once the apply is done and every new pod is ready. */
  readonly after: number;
  /** The fewest ready pods while the apply is carried out. */
  readonly during: number;
  /**
   * The fewest that keep capacity: the fewer of `before` and `after`, less what the `maxUnavailable`
   * of the Deployments it selected before the apply allows.
   */
  readonly floor: number;
}

/**
 * Options of `ReleaseDiff.between`.
 */
export interface ReleaseDiffOptions {
  /**
   * Codes whose blocks become warnings, for a move made on purpose.
   *
   * @default - none
   */
  readonly allow?: FindingCode[];
}

/** One Service in the old and the new release. */
interface ServiceMove {
  readonly name: string;
  readonly namespace?: string;
  readonly before?: ReadObject;
  readonly after?: ReadObject;
}

/** The pod labels a Deployment or another workload runs with. */
interface Workload {
  readonly object: KubeObject;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'];

/**
 * The release gate: what applying one set of manifests over another does, and whether it may go
 * ahead. A pure function of the two sets: no cluster is needed. `before` is what runs (the
 * manifests of the previous release, or `kubectl get deploy,svc -o yaml` of the live objects, whose
 * status then says how many pods are ready); `after` is what is about to be applied.
 *
 * During an apply, a lower replica count takes effect at once, new pods are not ready when it
 * lands, and a changed pod template rolls out as the Deployment controller does it (a Recreate
 * Deployment goes to 0 first). From that the gate works out, for every Service, the fewest ready
 * pods behind it while the apply is carried out.
 */
export class ReleaseDiff {
  /**
   * The move from the manifests in `before` to those in `after`: arrays of Kubernetes objects, as
   * parsed from YAML. A `kind: List` stands for its items.
   *
   * @throws if a document is not a Kubernetes object, or `allow` names an unknown code
   */
  public static between(before: any[], after: any[], options: ReleaseDiffOptions = {}): ReleaseDiff {
    return ReleaseDiff._ofObjects(readObjects(before, 'before'), readObjects(after, 'after'), options);
  }

  /**
   * `between` for objects already read (`readObjects`), as the `diff` command reads them file by file.
   * @internal
   */
  public static _ofObjects(before: ReadObject[], after: ReadObject[], options: ReleaseDiffOptions = {}): ReleaseDiff {
    for (const code of options.allow ?? []) {
      if (!Object.values(FindingCode).includes(code)) {
        throw new Error(`'allow' holds ${JSON.stringify(code)}; the codes are ${Object.values(FindingCode).join(', ')}`);
      }
    }
    return new ReleaseDiff(before, after, options.allow ?? []);
  }

  /** The apps of this library the manifests hold, and what the move does to each. */
  public readonly apps: AppMove[];
  /** The ready pods behind each Service that selects the pods of Deployments. */
  public readonly services: ServiceTransition[];
  /** What the gate found, blocks and warnings. */
  public readonly findings: Finding[] = [];
  /** Whether a finding blocks the apply. */
  public readonly blocked: boolean;

  private readonly deployments: DeploymentMove[];
  private readonly serviceMoves: ServiceMove[];
  private readonly servicesByName = new Map<string, ServiceMove[]>();
  /** Deployments by the labels of their pods before the apply, and after it. */
  private readonly podsBefore: LabelIndex<DeploymentMove>;
  private readonly podsAfter: LabelIndex<DeploymentMove>;
  private readonly beforeWorkloads: LabelIndex<Workload>;
  private readonly afterWorkloads: LabelIndex<Workload>;
  private readonly allowed: FindingCode[];

  private constructor(before: ReadObject[], after: ReadObject[], allow: FindingCode[]) {
    this.allowed = allow;
    this.deployments = pair(before, after, 'Deployment').map(([b, a]) => deploymentMove(b, a));
    this.serviceMoves = pair(before, after, 'Service').map(([b, a]) => ({
      name: (a ?? b)!.object.metadata.name, namespace: namespaceOf(b, a), before: b, after: a,
    }));
    for (const s of this.serviceMoves) this.servicesByName.set(s.name, [...(this.servicesByName.get(s.name) ?? []), s]);
    this.podsBefore = new LabelIndex(this.deployments, d => d.before && podLabels(d.before.object));
    this.podsAfter = new LabelIndex(this.deployments, d => d.after && podLabels(d.after.object));
    this.beforeWorkloads = new LabelIndex(workloads(before), w => w.labels);
    this.afterWorkloads = new LabelIndex(workloads(after), w => w.labels);

    this.checkImmutableFields(before, after);
    this.checkDeployments(before, after);
    this.services = this.serviceMoves.flatMap(s => this.checkService(s));
    this.checkRoutes(before, after);
    this.apps = this.recogniseApps();
    this.blocked = this.findings.some(f => f.severity === Severity.BLOCK);
  }

  /**
   * What the CLI's `--json` prints: `blocked`, `apps`, `services` and `findings`.
   */
  public toJson(): any {
    return { blocked: this.blocked, apps: this.apps, services: this.services, findings: this.findings };
  }

  private report(app: string, code: FindingCode, message: string): void {
    const severity = WARNINGS.includes(code) || this.allowed.includes(code) ? Severity.WARN : Severity.BLOCK;
    this.findings.push({ app, code, severity, message });
  }

  /** `selector-changed` and `immutable-field-changed` for workloads. */
  private checkImmutableFields(before: ReadObject[], after: ReadObject[]): void {
    const deployments = this.deployments.map(d => [d.before, d.after] as const);
    for (const [b, a] of [...deployments, ...pair(before, after, 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job')]) {
      if (!b || !a) continue;
      const kind = a.object.kind;
      const name = `${kind} ${a.object.metadata.name}`;
      const [was, is] = [b.object.spec?.selector, a.object.spec?.selector];
      // A Job's selector is usually the API server's own: one left out of the manifest is kept.
      const kept = is === undefined ? kind === 'Job' || b.defaulted : sameJson(was, is);
      if (!kept) {
        this.report(ownerOf(a.object), FindingCode.SELECTOR_CHANGED, `${name}: spec.selector changes from `
          + `${canonical(was)} to ${canonical(is)}; the API server rejects the apply, as the field is immutable: keep `
          + `the selector, or replace the ${kind} under a new name`);
      }
      // A finished Job with a time to live is gone by the next release: applying it creates it anew.
      const expires = !b.live && b.object.spec?.ttlSecondsAfterFinished !== undefined;
      if (kind === 'Job' && !expires && !sameSpec(b.object.spec?.template, a.object.spec?.template, b.defaulted)) {
        this.report(ownerOf(a.object), FindingCode.IMMUTABLE_FIELD_CHANGED, `${name}: spec.template changes; the API `
          + 'server rejects the apply, as a Job\'s pod template is immutable: delete the Job first, or run the new '
          + 'template as a Job of another name');
      }
    }
  }

  private checkDeployments(previous: ReadObject[], next: ReadObject[]): void {
    // The HorizontalPodAutoscalers that will scale Deployments: those of the new release, and
    // those of the old one, which `kubectl apply` leaves in place. By the Deployment's name.
    const autoscalers = new Map<string, KubeObject[]>();
    for (const { object } of [...next, ...previous]) {
      const target = object.kind === 'HorizontalPodAutoscaler' ? object.spec?.scaleTargetRef : undefined;
      if (target?.kind !== 'Deployment' || typeof target.name !== 'string') continue;
      autoscalers.set(target.name, [...(autoscalers.get(target.name) ?? []), object]);
    }
    for (const d of this.deployments) {
      const replicas = d.after?.object.spec?.replicas;
      const autoscaler = typeof replicas === 'number'
        ? (autoscalers.get(d.name) ?? []).find(h => sameNamespace(h.metadata.namespace, d.namespace)) : undefined;
      if (autoscaler) {
        const left = next.some(o => o.object === autoscaler) ? '' : ' (the new manifests leave it out, but kubectl apply leaves it running)';
        this.report(ownerOf(d.after!.object), FindingCode.REPLICAS_UNDER_AUTOSCALER, `Deployment ${d.name}: spec.replicas is `
          + `${replicas}, and ${describeObject(autoscaler)} scales it${left}, so every apply sets it back to ${pods(replicas)} `
          + 'whatever the autoscaler chose: leave spec.replicas out (an app of this library with autoscaling does), or '
          + 'delete the autoscaler');
      }
      const { before, after } = d;
      if (d.createdPaused) {
        this.report(ownerOf(after!.object), FindingCode.ROLLOUT_HELD, `Deployment ${d.name} is created with spec.paused, `
          + 'so the controller makes no ReplicaSet and it runs no pod until the pause is lifted');
      }
      if (!before || !after) continue;
      const app = ownerOf(after.object);
      const name = `Deployment ${d.name}`;
      if (replicasFieldRemoved(before, after.object)) {
        this.report(app, FindingCode.REPLICAS_FIELD_REMOVED, `${name}: spec.replicas (${before.object.spec.replicas}) is `
          + 'left out of the new manifest, so kubectl apply removes it and the Deployment drops to 1 pod: keep the '
          + 'field, or remove it from the last applied configuration first');
      }
      if (after.object.spec?.strategy?.type === 'Recreate' && d.templateChanged && d.beforeCount > 0) {
        this.report(app, FindingCode.RECREATE_DOWNTIME, `${name} uses the Recreate strategy: its ${pods(d.beforeCount)} `
          + 'all stop before the new ones start, and nothing serves in between');
      }
      if (d.held) {
        this.report(app, FindingCode.ROLLOUT_HELD, `${name}: its pod template changes while spec.paused holds its rollout, `
          + 'so no pod is replaced now (a paused Deployment only scales) and traffic sent to it reaches the pods it '
          + 'already runs: the apply that lifts spec.paused rolls the change out, and a diff from these manifests cannot '
          + `see that move, since they already say the new template: diff against the live objects (${LIVE_OBJECTS}) then`);
      }
      if (d.unpausedUnseen) {
        this.report(app, FindingCode.ROLLOUT_HELD, `${name}: spec.paused is lifted, so a change applied while it was paused `
          + 'rolls out now, which the previous manifests cannot show (they already say the changed template): diff '
          + `against the live objects (${LIVE_OBJECTS}) to check that move`);
      }
    }
  }

  /**
   * The routes' moves. `route-outpaces-pods`: a backend whose share grows must have, when the apply
   * lands, every pod it runs after it ready; a backend with a share must exist and have pods, and
   * no rule of a route that sent requests may give every backend a weight of 0. `unverified-switch`:
   * no share may move onto a Deployment the route did not reach before whose pods nobody checked.
   * A new route takes over what the pods' Services sent them: only the pods this apply adds must
   * be ready, and pods nothing sent to before must run a checked template.
   */
  private checkRoutes(before: ReadObject[], after: ReadObject[]): void {
    const lookups = (objects: ReadObject[]) => {
      const services = byKindAndName(objects.filter(o => o.object.kind === 'Service'));
      // DestinationRules by the Service their host names (name, then namespace).
      const rules = new Map<string, Array<{ rule: KubeObject; namespace?: string }>>();
      for (const { object } of objects) {
        if (object.kind !== 'DestinationRule' || typeof object.spec?.host !== 'string') continue;
        const host = clusterService(object.spec.host, object.metadata.namespace);
        if (host) rules.set(host.name, [...(rules.get(host.name) ?? []), { rule: object, namespace: host.namespace }]);
      }
      const rule: Lookup = (name, namespace, from) => {
        const forHost = (rules.get(name) ?? []).filter(r => sameNamespace(r.namespace, namespace)).map(r => r.rule);
        // Istio takes the client's DestinationRule first, then the one beside the Service.
        const inNamespace = (ns?: string) => forHost.find(r => r.metadata.namespace === ns);
        return inNamespace(from) ?? inNamespace(namespace) ?? forHost[0];
      };
      const serviceObject = (name: string, namespace?: string) => findObject(services, 'Service', name, namespace);
      const service: Lookup = (name, namespace) => serviceObject(name, namespace)?.object;
      return { service, rule, serviceObject };
    };
    const [old, next] = [lookups(before), lookups(after)];
    const oldShares = new Map(before.filter(o => ['HTTPRoute', 'VirtualService'].includes(o.object.kind))
      .map(o => [o, backendShares(running(o), old.service, old.rule)] as const));
    let served: Set<DeploymentMove> | undefined;
    const sentToBefore = () => served ??= this.servedBefore([...oldShares.values()]);
    for (const [b, a] of pair(before, after, 'HTTPRoute', 'VirtualService')) {
      // A route the new manifests leave out is not followed: whether it stays depends on pruning.
      if (!a) continue;
      const route = `${a.object.kind} ${a.object.metadata.name}`;
      const app = ownerOf(a.object);
      const olds = b ? oldShares.get(b)! : [];
      const shares = backendShares(a.object, next.service, next.rule);
      const sameRule = pairRules(olds, shares);
      const previous = new Map<string, BackendShare>(olds.map(x => [`${x.ruleKey}: ${x.target}`, x]));
      // The Deployments the route sent requests to before the apply.
      const reachedBefore = new Set<DeploymentMove>();
      for (const x of olds.filter(o => o.share > 0)) {
        this.select(this.podsBefore, x.selector, x.namespace).forEach(d => reachedBefore.add(d));
      }
      if (olds.some(x => x.share > 0)) {
        for (const rule of new Set(shares.map(x => x.rule))) {
          const backends = shares.filter(x => x.rule === rule);
          if (backends.every(x => x.share === 0 && !x.elsewhere)) {
            this.report(app, FindingCode.ROUTE_OUTPACES_PODS, `${route}: rule ${rule} gives every backend a weight of 0, so `
              + 'its requests fail: give a backend with ready pods a weight');
          }
        }
      }
      for (const backend of shares) {
        if (backend.share === 0) continue;
        const was = previous.get(`${sameRule.get(backend.ruleKey) ?? backend.ruleKey}: ${backend.target}`);
        const rises = backend.share > (was?.share ?? 0);
        const move = rises ? `raises the share of ${backend.what} from ${percent(was?.share ?? 0)} to` : `keeps ${backend.what} at`;
        const sends = `${route} ${move} ${percent(backend.share)} of its requests (rule ${backend.rule})`;
        if (backend.missing !== undefined) {
          // A Service the new manifests leave out: removed if the old manifests had it; left in
          // place by the apply if it runs on the cluster (of another origin); else never there.
          const name = backend.missingService;
          const had = name === undefined ? undefined : old.serviceObject(name, backend.namespace);
          const fails = name === undefined
            ? rises || (was !== undefined && was.missing === undefined)
            : had !== undefined ? !had.live : rises && !backend.otherNamespace;
          if (fails) {
            this.report(app, FindingCode.ROUTE_OUTPACES_PODS, `${sends}, but ${backend.missing}: the requests would fail; `
              + 'add it, or send them to a backend that has ready pods');
          }
          continue;
        }
        // Only the pods of Deployments are modelled: a backend in front of other workloads is left alone.
        if (backend.selector === undefined
          || this.select(this.afterWorkloads, backend.selector, backend.namespace).some(w => w.object.kind !== 'Deployment')) continue;
        const reached = this.select(this.podsAfter, backend.selector, backend.namespace);
        const pods = sum(reached.map(d => d.afterCount));
        const servedBefore = was !== undefined && was.share > 0
          && sum(this.select(this.podsBefore, was.selector, was.namespace).map(d => d.beforeReady)) > 0;
        if (pods === 0) {
          if (rises || servedBefore) {
            this.report(app, FindingCode.ROUTE_OUTPACES_PODS, `${sends}, but no pod serves it: the requests would fail; `
              + 'start the pods in one apply, wait until they are ready, then move the traffic');
          }
          continue;
        }
        if (!b) {
          // A new route takes over the traffic the pods had through their Service, at once: pods
          // this apply adds to a Deployment that ran before are not ready when it does. (Those of
          // a new app served nothing before; a rollout under it is the Service's as well.)
          const growing = reached.filter(d => d.before && d.afterCount > d.beforeReady);
          const [ready, count] = [sum(growing.map(d => d.minReady)), sum(growing.map(d => d.afterCount))];
          if (ready < count) {
            this.report(app, FindingCode.ROUTE_OUTPACES_PODS, `${sends}, a new route in the same apply that leaves only `
              + `${ready} of the ${count} pods of ${growing.map(d => `Deployment ${d.name}`).join(', ')} ready when it takes `
              + 'effect: start the pods in one apply, wait until they are ready, then add the route');
          }
          // Pods that no Service or route sent to before get traffic for the first time.
          for (const d of reached.filter(x => x.before && !sentToBefore().has(x))) {
            const why = uncheckedBecause(d, []);
            if (why === undefined) continue;
            this.report(app, FindingCode.UNVERIFIED_SWITCH, `${sends}, onto Deployment ${d.name}, ${uncheckedTail(d, why)}`);
          }
          continue;
        }
        const newly = reached.filter(d => !reachedBefore.has(d));
        const watched = rises ? reached : newly;
        const ready = sum(watched.map(d => d.minReady));
        const count = sum(watched.map(d => d.afterCount));
        if (ready < count) {
          this.report(app, FindingCode.ROUTE_OUTPACES_PODS, `${sends}, in the same apply that leaves only ${ready} of its `
            + `${count} ${rises ? '' : 'new '}pods ready when the route takes effect: start the pods in one apply (e.g. `
            + 'canaryReplicas), wait until they are ready, then move the traffic');
        }
        for (const d of newly) {
          const why = uncheckedBecause(d, [...reachedBefore]);
          if (why === undefined) continue;
          this.report(app, FindingCode.UNVERIFIED_SWITCH, `${sends}, onto Deployment ${d.name}, ${uncheckedTail(d, why)}`);
        }
      }
    }
  }

  /** The Deployments some Service or route (by its `routeShares`) of the old release sent requests to. */
  private servedBefore(routeShares: BackendShare[][]): Set<DeploymentMove> {
    const served = new Set<DeploymentMove>();
    for (const s of this.serviceMoves) {
      if (s.before) this.select(this.podsBefore, running(s.before).spec?.selector, s.namespace).forEach(d => served.add(d));
    }
    for (const route of routeShares) {
      for (const x of route.filter(o => o.share > 0)) {
        this.select(this.podsBefore, x.selector, x.namespace).forEach(d => served.add(d));
      }
    }
    return served;
  }

  /** The transition of one Service, and its findings. */
  private checkService(s: ServiceMove): ServiceTransition[] {
    const label = `Service ${s.name}`;
    const ns = s.namespace;
    if (!s.after) {
      const selector = running(s.before!).spec?.selector;
      const ready = this.readyBefore(selector, ns);
      if (ready > 0) {
        this.report(ownerOf(s.before!.object), FindingCode.SERVING_SERVICE_REMOVED,
          `${label}, which sent traffic to ${ready} ready ${ready === 1 ? 'pod' : 'pods'}, is removed`);
      }
      return [];
    }
    const app = ownerOf(s.after.object);
    if (s.before) this.checkClusterIp(label, app, s.before, s.after.object);
    const selector: Record<string, string> | undefined = s.after.object.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) return [];
    if (this.select(this.afterWorkloads, selector, ns).length === 0) {
      this.report(app, FindingCode.SERVICE_SELECTS_NOTHING, `${label} selects no pod template of the new manifests `
        + `(selector ${canonical(selector)}), so it would drop its traffic: select the app's pods, or remove the Service`);
    }
    // Only the pods of Deployments are modelled; a Service in front of other workloads is left alone.
    const beforeSelector: Record<string, string> | undefined = s.before && running(s.before).spec?.selector;
    const others = (sel: Record<string, string> | undefined, index: LabelIndex<Workload>) =>
      this.select(index, sel, ns).some(w => w.object.kind !== 'Deployment');
    if (others(selector, this.afterWorkloads) || others(beforeSelector, this.beforeWorkloads)) return [];

    const before = s.before ? this.readyBefore(beforeSelector, ns) : 0;
    const selected = this.select(this.podsAfter, selector, ns);
    const servedBefore = s.before ? this.select(this.podsBefore, beforeSelector, ns) : undefined;
    this.checkTargetPorts(label, app, s.after.object, selected, servedBefore);
    const after = sum(selected.map(d => d.afterCount));
    // Endpoints follow a selector change within seconds, so for a moment either selector serves.
    const during = s.before
      ? Math.min(this.readyDuring(beforeSelector, ns), this.readyDuring(selector, ns))
      : this.readyDuring(selector, ns);
    // What a rolling update may take away counts for the Deployments that served before; a switch
    // onto other pods must find them ready.
    const served = (d: DeploymentMove) => d.before !== undefined && selectsLabels(beforeSelector, podLabels(d.before.object));
    const allowance = sum(selected.filter(served).map(d => d.allowance));
    const floor = Math.max(0, Math.min(before, after) - allowance);
    // A selector that moves onto Deployments at 0 pods that stay there (a slot an autoscaler left
    // at 0, which it never scales up from) serves nothing, whatever the fewer of before and after
    // says; one this apply scales to 0 is a scale-down like any other.
    const movesOntoNothing = s.before !== undefined && !sameJson(beforeSelector, selector) && before > 0
      && selected.length > 0 && selected.every(d => d.afterCount === 0 && d.beforeCount === 0);
    if (movesOntoNothing) {
      this.report(app, FindingCode.CAPACITY_DROP, `${label}: its selector moves from ${before} ready pods onto pods of `
        + `which none runs after the apply, so it serves nothing: ${this.capacityAdvice(selected)}`);
    } else if (during < floor) {
      this.report(app, FindingCode.CAPACITY_DROP, `${label}: ready pods fall to ${during} during the apply, below `
        + `${floor} (the fewer of ${before} before and ${after} after, less ${allowance} that the maxUnavailable of its `
        + `Deployments allows): ${this.capacityAdvice(selected)}`);
    }
    if (servedBefore) {
      for (const d of selected.filter(x => !served(x))) {
        const why = uncheckedBecause(d, servedBefore);
        if (why === undefined) continue;
        this.report(app, FindingCode.UNVERIFIED_SWITCH, `${label}: traffic moves to Deployment ${d.name}, ${uncheckedTail(d, why)}`);
      }
    }
    return [{ name: s.name, namespace: ns, app, before, after, during, floor }];
  }

  /** The items of `index` an equality selector picks in namespace `namespace`. */
  private select<T extends { namespace?: string }>(index: LabelIndex<T>, selector: Record<string, string> | undefined,
    namespace: string | undefined): T[] {
    return index.select(selector).filter(item => sameNamespace(item.namespace, namespace));
  }

  /**
   * `target-port-missing`: the pods of a named `targetPort` are those that name such a port. Pods
   * that had it and lose it drop out of the Service's endpoints; a new Service's port, or one that
   * served before, that no pod names serves nothing. (Pods of another role, without the port, are
   * simply no endpoints of it.)
   */
  private checkTargetPorts(label: string, app: string, service: KubeObject, selected: DeploymentMove[],
    servedBefore: DeploymentMove[] | undefined): void {
    const where = `${describeObject(service)}: spec.ports`;
    const named = listAt(service.spec?.ports, where).map(p => p?.targetPort).filter((t): t is string => typeof t === 'string');
    // One created paused runs no pod yet, but will with this port.
    const serving = selected.filter(d => d.afterCount > 0 || (d.createdPaused && d.after!.object.spec?.replicas !== 0));
    for (const port of named.filter(unique)) {
      const has = (o: KubeObject) => containerPortNames(o).includes(port);
      const losing = serving.filter(d => d.before && has(running(d.before)) && !has(d.after!.object));
      const servedPort = servedBefore === undefined || servedBefore.some(d => d.beforeCount > 0 && has(running(d.before!)));
      const none = serving.length > 0 && servedPort && !serving.some(d => has(d.after!.object));
      if (losing.length === 0 && !none) continue;
      this.report(app, FindingCode.TARGET_PORT_MISSING, `${label}: its targetPort ${JSON.stringify(port)} names no container `
        + `port of the pods of ${(none ? serving : losing).map(d => `Deployment ${d.name}`).join(', ')}, so they get none `
        + 'of its traffic: keep the port\'s name in the pod template, or change the Service\'s targetPort with it');
    }
  }

  /**
   * `immutable-field-changed` for a Service's `spec.clusterIP`: one the new manifest states must
   * be the one the Service has. A Service without one got an address from the cluster (none for
   * `ExternalName`), which a manifest can only restate, not turn into `None`.
   */
  private checkClusterIp(label: string, app: string, before: ReadObject, after: KubeObject): void {
    const stated = (o: KubeObject | undefined) => {
      const ip = o?.spec?.clusterIP;
      return typeof ip === 'string' && ip !== '' ? ip : undefined;
    };
    const next = stated(after);
    if (next === undefined) return;
    const known = stated(before.current) ?? stated(before.object);
    const type = (before.current ?? before.object).spec?.type;
    const had = known ?? (type === 'ExternalName' ? undefined : 'an address the cluster allocated');
    const changes = known !== undefined ? known !== next : had !== undefined && next === 'None';
    if (changes) {
      this.report(app, FindingCode.IMMUTABLE_FIELD_CHANGED, `${label}: spec.clusterIP changes from ${had} to ${next}; the `
        + 'API server rejects the apply, as the field is immutable: keep it, or replace the Service under a new name');
    }
  }

  /** What to do about a capacity drop: grow before shrinking. */
  private capacityAdvice(selected: DeploymentMove[]): string {
    const atZero = selected.filter(d => d.afterCount === 0).map(d => d.name);
    if (atZero.length > 0 && atZero.length === selected.length) {
      return `scale ${atZero.join(', ')} up first (an autoscaler does not scale a Deployment up from 0: kubectl scale `
        + 'it) and wait until its pods are ready before sending traffic to it';
    }
    const fromZero = selected.filter(d => d.before && d.beforeReady === 0 && d.afterCount > 0).map(d => d.name);
    if (fromZero.length > 0) {
      return `scale ${fromZero.join(', ')} up and wait until its pods are ready before sending traffic to it`;
    }
    return 'add the new pods in one apply and remove the old ones in the next, once the new ones are ready';
  }

  private readyBefore(selector: Record<string, string> | undefined, namespace: string | undefined): number {
    return sum(this.select(this.podsBefore, selector, namespace).map(d => d.beforeReady));
  }

  /** The fewest ready pods with these labels during the apply: pods of both templates must match. */
  private readyDuring(selector: Record<string, string> | undefined, namespace: string | undefined): number {
    return sum(this.select(this.podsBefore, selector, namespace)
      .filter(d => d.after && selectsLabels(selector, podLabels(d.after.object)))
      .map(d => d.minReady));
  }

  /** The apps of this library, by the labels its constructs write, with their moves and findings. */
  private recogniseApps(): AppMove[] {
    const apps = new Map<string, DeploymentMove[]>();
    for (const d of this.deployments) {
      const object = (d.after ?? d.before)!.object;
      const name = appName(object);
      if (name === undefined) continue;
      const key = `${object.metadata.namespace ?? ''}/${name}`;
      apps.set(key, [...(apps.get(key) ?? []), d]);
    }
    return [...apps.entries()].map(([key, moves]) => {
      const name = key.slice(key.indexOf('/') + 1);
      const namespace = key.slice(0, key.indexOf('/')) || undefined;
      const object = (moves[0].after ?? moves[0].before)!.object;
      const strategy = strategyOf(object);
      let move: string;
      if (moves.every(m => !m.before)) {
        move = `new: ${moves.map(m => versionOf(m.after!.object)).filter(unique).join(', ')}`;
      } else if (moves.every(m => !m.after)) {
        move = 'removed';
      } else if (strategy === 'blue-green') {
        move = this.blueGreenMove(name, namespace, moves);
      } else if (strategy === 'canary') {
        move = this.canaryMove(name, moves);
      } else if (strategy === 'ab-test' || strategy === 'shadow') {
        const variant = (v: string) => selecting(moves, Label.VARIANT, v);
        if (strategy === 'ab-test') this.checkPromotion(name, 'A/B test', variant('a'), 'variant a', variant('b'), 'as variant b');
        else this.checkPromotion(name, 'shadow app', variant('primary'), 'the primary', variant('shadow'), 'as the shadow');
        move = moves.filter(m => m.before && m.after).map(m => variantMove(m)).filter(Boolean).join('; ');
      } else {
        move = singleMove(strategy, moves[0]);
      }
      // Lifted over manifests: whether a change waits to roll out, they cannot say.
      if (moves.some(m => m.unpausedUnseen)) move = [move, 'spec.paused lifted'].filter(Boolean).join('; ');
      return { name, namespace, strategy, move: move || 'no change' };
    });
  }

  private blueGreenMove(name: string, namespace: string | undefined, moves: DeploymentMove[]): string {
    const slotOf = (m: DeploymentMove) => (m.after ?? m.before)!.object.spec?.selector?.matchLabels?.[Label.SLOT];
    const main = (this.servicesByName.get(name) ?? []).find(s => namespace === undefined || s.namespace === namespace
      || s.namespace === undefined);
    const activeBefore = main?.before && running(main.before).spec?.selector?.[Label.SLOT];
    const activeAfter = main?.after?.object.spec?.selector?.[Label.SLOT];
    const parts: string[] = [];
    if (activeBefore && activeAfter && activeBefore !== activeAfter) parts.push(`switch ${activeBefore} → ${activeAfter}`);
    const changed = moves.filter(m => m.before && m.after && m.templateChanged);
    for (const m of moves.filter(x => x.before && x.after)) {
      const slot = slotOf(m);
      const role = slot === activeAfter ? 'live' : 'idle';
      if (m.templateChanged || m.held) parts.push(`${slot} ${versionChange(m)} (${role})`);
      if (m.beforeCount !== m.afterCount) parts.push(`${role} ${slot} ${m.beforeCount} → ${pods(m.afterCount)}`);
    }
    const live = moves.find(m => slotOf(m) === activeAfter);
    if (activeBefore === activeAfter && live?.before && live.templateChanged) {
      const idle = activeAfter === 'blue' ? 'green' : 'blue';
      this.report(name, FindingCode.LIVE_TEMPLATE_CHANGED, `blue/green ${name}: the pod template of the live slot `
        + `${activeAfter} changes (${versionChange(live)}), a rolling update under live traffic with no preview: deploy `
        + `to the idle slot ${idle}, check it through the preview Service, then switch`);
    }
    if (changed.length >= 2) {
      this.report(name, FindingCode.BOTH_SLOTS_CHANGED, `blue/green ${name}: the pod templates of both slots change in `
        + 'one apply, which leaves no slot running a checked version to roll back to: change one slot at a time');
    }
    return parts.join('; ');
  }

  /**
   * `unverified-promotion`: whether `serving` (the stable track, A/B's variant a, the shadow app's
   * primary) moves to another version and images, and if so, a finding unless `trial` ran exactly
   * those, with ready pods and its rollout finished, before the apply (or `serving` runs no pod).
   */
  private checkPromotion(app: string, what: string, serving: DeploymentMove | undefined, servingRole: string,
    trial: DeploymentMove | undefined, trialRole: string): boolean {
    if (!serving?.before || !serving.after || !serving.templateChanged) return false;
    const next = runs(serving.after.object);
    // A rollout that spec.paused held moves the pods to what the old manifests say as well.
    if (runs(serving.before.object) === next && !serving.resumes) return false;
    const tried = trial?.before !== undefined && trial.beforeReady > 0 && !trial.rolloutUnfinished && !trial.templateUnseen
      && runs(trial.before.object) === next;
    // With no pod of it after the apply, nobody gets the version.
    if (!tried && serving.afterCount > 0) {
      this.report(app, FindingCode.UNVERIFIED_PROMOTION, `${what} ${app}: ${servingRole} moves to `
        + `${versionOf(serving.after.object)}, which ${trialRole.replace(/^(on|as) /, '')} did not run before this apply`
        + `${trial?.templateUnseen ? ' as far as the previous manifests tell (they pause it: spec.paused)' : ''}: `
        + `run it ${trialRole} first, then promote`);
    }
    return true;
  }

  private canaryMove(name: string, moves: DeploymentMove[]): string {
    const track = (t: string) => selecting(moves, Label.TRACK, t);
    const stable = track('stable');
    const canary = track('canary');
    if (!stable?.before || !stable.after || !canary?.before || !canary.after) return 'tracks added or removed';
    const weight = (s: number, c: number) => (s + c === 0 ? 0 : Math.round((10000 * c) / (s + c)) / 100);
    const weightBefore = weight(stable.beforeCount, canary.beforeCount);
    const weightAfter = weight(stable.afterCount, canary.afterCount);
    const parts: string[] = [];
    const stableRunsNew = this.checkPromotion(name, 'canary', stable, 'the stable track', canary, 'on the canary track');
    if (stableRunsNew) {
      parts.push(`${stable.resumes ? 'stable' : 'promote'} ${versionChange(stable)}`);
    } else if (stable.held) {
      parts.push(`stable ${versionChange(stable)}`);
    } else if (stable.templateChanged) {
      parts.push('stable pod template changes');
    }
    if (canary.templateChanged || canary.held) parts.push(`canary ${versionChange(canary)}`);
    if (weightBefore !== weightAfter) {
      parts.push(weightAfter === 0 && !stableRunsNew ? `abort (weight ${weightBefore}% → 0%)` : `weight ${weightBefore}% → ${weightAfter}%`);
    }
    return parts.join('; ');
  }
}

/** The rest of an `unverified-switch` message: `why`, what it means, and what to do instead. */
function uncheckedTail(d: DeploymentMove, why: string): string {
  return d.templateUnseen && !d.templateChanged
    ? `${why}, so traffic reaches pods nobody checked: lift spec.paused in one apply (and diff against the live objects `
      + 'to see what it rolls out), then move the traffic in the next'
    : `${why}, so its new pods get traffic that nobody checked them with: ${SWITCH_ADVICE}`;
}

/**
 * Why traffic that moves onto Deployment `d` reaches pods nobody checked, or undefined when they
 * run a pod template that ran before: its own, unchanged and fully rolled out, or exactly that of
 * one of the Deployments (`served`) that took the traffic before. Of a Deployment they pause, the
 * previous manifests cannot tell which template its pods run (nor whether this apply rolls out one
 * it held): whether a Service selected its pods says nothing of whether they took traffic.
 */
function uncheckedBecause(d: DeploymentMove, served: readonly DeploymentMove[]): string | undefined {
  if (d.rolloutUnfinished) return 'whose rollout on the cluster has not finished';
  if (!d.templateChanged) {
    return d.templateUnseen ? 'which the previous manifests pause (spec.paused): its pods may not run its template' : undefined;
  }
  const podSpec = d.after?.object.spec?.template?.spec;
  const ran = (x: DeploymentMove) => x.before && !x.rolloutUnfinished && !x.templateUnseen
    && sameJson(x.before.object.spec?.template?.spec, podSpec);
  if (served.some(ran)) return undefined;
  return d.before ? 'whose pod template changes in the same apply' : 'which is new in this apply';
}

/**
 * The rules of a route in the new release paired with those of the old one, by their keys (their
 * matches, with the CRD's defaults): a rule whose key is new takes the place of the old rule at its
 * position, when that one's key is gone (its matches changed) and it gives no backend a larger
 * share.
 */
function pairRules(olds: BackendShare[], news: BackendShare[]): Map<string, string> {
  const oldKeys = new Map(olds.map(x => [x.ruleKey, x.rule]));
  const newKeys = new Map(news.map(x => [x.ruleKey, x.rule]));
  const oldAt = new Map([...oldKeys].filter(([key]) => !newKeys.has(key)).map(([key, rule]) => [rule, key]));
  // A rule paired by its place may give no backend more than the old one did, so that pairing
  // never hides a share that grows.
  const noneGrows = (was: string, is: string) => {
    const before = new Map(olds.filter(x => x.ruleKey === was).map(x => [x.target, x.share]));
    return news.filter(x => x.ruleKey === is).every(x => x.share <= (before.get(x.target) ?? 0));
  };
  const pairs = new Map<string, string>();
  for (const [key, rule] of newKeys) {
    const there = oldAt.get(rule);
    const samePlace = there !== undefined && noneGrows(there, key);
    const partner = oldKeys.has(key) ? key : samePlace ? there : undefined;
    if (partner !== undefined) pairs.set(key, partner);
  }
  return pairs;
}

/** The objects of these kinds of both releases, paired. */
function pair(before: ReadObject[], after: ReadObject[], ...kinds: string[]): Array<[ReadObject?, ReadObject?]> {
  const olds = before.filter(o => kinds.includes(o.object.kind));
  const news = after.filter(o => kinds.includes(o.object.kind));
  const index = byKindAndName(olds);
  const used = new Set<ReadObject>();
  const pairs: Array<[ReadObject?, ReadObject?]> = news.map(a => {
    const b = counterpart(a.object, index);
    if (b) used.add(b);
    return [b, a];
  });
  return [...pairs, ...olds.filter(b => !used.has(b)).map(b => [b, undefined] as [ReadObject, undefined])];
}

function workloads(objects: ReadObject[]): Workload[] {
  // The ReplicaSets and Pods of a Deployment (`kubectl get all`) are its own: left to their owner.
  const owned = (object: KubeObject) => Array.isArray(object.metadata.ownerReferences)
    && object.metadata.ownerReferences.some((r: any) => r?.controller === true);
  return objects.filter(o => WORKLOAD_KINDS.includes(o.object.kind) && !owned(o.object))
    .map(o => ({ object: o.object, namespace: o.object.metadata.namespace, labels: podLabels(o.object) }));
}

/** The names of the container ports of a Deployment's pods (sidecars' included). */
function containerPortNames(deployment: KubeObject): string[] {
  const pod = deployment.spec?.template?.spec;
  const where = `${describeObject(deployment)}: spec.template.spec`;
  const sidecars = listAt(pod?.initContainers, `${where}.initContainers`).filter(c => c?.restartPolicy === 'Always');
  return [...listAt(pod?.containers, `${where}.containers`), ...sidecars]
    .flatMap(c => listAt(c?.ports, `${where}: ports of container ${c?.name}`)).map(p => p?.name);
}

/** The Deployment of an app whose selector has the label `key=value` (its slot, track or variant). */
function selecting(moves: DeploymentMove[], key: string, value: string): DeploymentMove | undefined {
  return moves.find(m => (m.after ?? m.before)!.object.spec?.selector?.matchLabels?.[key] === value);
}

/** An object of the old release as it runs: as the cluster holds it when read from one. */
function running(before: ReadObject): KubeObject {
  return before.current ?? before.object;
}

/** The labels of a workload's pods. */
function podLabels(object: KubeObject): Record<string, string> {
  if (object.kind === 'Pod') return object.metadata.labels ?? {};
  if (object.kind === 'CronJob') return object.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
  return object.spec?.template?.metadata?.labels ?? {};
}

/**
 * The app name of a Deployment one of this library's constructs wrote: managed by cdk8s, with a
 * selector of the name label and at most the slot or track label.
 */
function appName(object: KubeObject): string | undefined {
  const labels = object.metadata.labels ?? {};
  const selector: Record<string, string> = object.spec?.selector?.matchLabels ?? {};
  const name = labels[Label.NAME];
  if (name === undefined || labels[Label.MANAGED_BY] !== 'cdk8s' || selector[Label.NAME] !== name) return undefined;
  if (object.spec?.selector?.matchExpressions?.length) return undefined;
  const keys = Object.keys(selector);
  return keys.every(k => [Label.NAME, Label.SLOT, Label.TRACK, Label.VARIANT].includes(k)) ? name : undefined;
}

/** The strategy of an app of this library, from the selector of one of its Deployments. */
function strategyOf(deployment: KubeObject): string {
  const selector: Record<string, string> = deployment.spec?.selector?.matchLabels ?? {};
  if (selector[Label.SLOT] !== undefined) return 'blue-green';
  if (selector[Label.TRACK] !== undefined) return 'canary';
  const variant = selector[Label.VARIANT];
  if (variant === 'a' || variant === 'b') return 'ab-test';
  if (variant !== undefined) return 'shadow';
  return deployment.spec?.strategy?.type === 'Recreate' ? 'recreate' : 'ramped';
}

/** The move of one variant of an A/B test or a shadow app: its version and its pods. */
function variantMove(m: DeploymentMove): string {
  const variant = m.after!.object.spec?.selector?.matchLabels?.[Label.VARIANT];
  const parts = [m.templateChanged || m.held ? `${variant} ${versionChange(m)}` : '',
    m.beforeCount !== m.afterCount ? `${variant} ${m.beforeCount} → ${pods(m.afterCount)}` : ''];
  return parts.filter(Boolean).join('; ');
}

/** The app an object belongs to in findings: its name label if cdk8s wrote it, else `Kind/name`. */
function ownerOf(object: KubeObject): string {
  const labels = object.metadata.labels ?? {};
  if (labels[Label.MANAGED_BY] === 'cdk8s' && labels[Label.NAME]) return labels[Label.NAME];
  return describeObject(object);
}

/** The version a Deployment runs: its version label, or its first image. */
function versionOf(object: KubeObject): string {
  return object.spec?.template?.metadata?.labels?.[Label.VERSION] ?? object.spec?.template?.spec?.containers?.[0]?.image ?? '?';
}

/** What a Deployment runs: the version and every image. */
function runs(object: KubeObject): string {
  const images = listAt(object.spec?.template?.spec?.containers, `${describeObject(object)}: spec.template.spec.containers`)
    .map((c: { image?: string } | null) => c?.image);
  return canonical([versionOf(object), images]);
}

function versionChange(m: DeploymentMove): string {
  const from = versionOf(m.before!.object);
  const to = versionOf(m.after!.object);
  if (m.held) return `${from === to ? `pod template changes (${to})` : `${from} → ${to}`}, held by spec.paused`;
  if (m.resumes) return from === to ? `resumes the rollout spec.paused held (${to})` : `${from} → ${to}, resuming the rollout spec.paused held`;
  return from === to ? `pod template changes (${to})` : `${from} → ${to}`;
}

function singleMove(strategy: string, m: DeploymentMove): string {
  if (!m.before || !m.after) return '';
  const parts: string[] = [];
  if (m.templateChanged) {
    parts.push(versionChange(m));
    if (strategy === 'recreate') {
      parts.push(`all ${pods(m.beforeCount)} stop first`);
    } else {
      parts.push(`at most ${pods(maxTotal(m.after.object, m.afterCount))}`,
        `at least ${Math.max(0, m.afterCount - maxUnavailable(m.after.object, m.afterCount))} available`);
    }
  } else {
    if (m.held) parts.push(versionChange(m));
    if (m.beforeCount !== m.afterCount) parts.push(`scale ${m.beforeCount} → ${pods(m.afterCount)}`);
  }
  return parts.join(', ');
}

function pods(n: number): string {
  return `${n} ${n === 1 ? 'pod' : 'pods'}`;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function unique<T>(value: T, index: number, all: T[]): boolean {
  return all.indexOf(value) === index;
}
