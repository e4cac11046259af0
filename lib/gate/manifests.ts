// The objects of a release as the gate reads them: `kind: List` flattened, live objects taken as
// they were last applied, and the objects of two releases paired by kind, namespace and name.

/** A Kubernetes object as the gate reads it. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly [key: string]: unknown;
  };
  readonly spec?: any;
  readonly status?: any;
}

/** What kubectl's client-side apply records on every object it applies. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** An object of a release, with how exactly its spec is known. */
export interface ReadObject {
  readonly object: KubeObject;
  /**
   * Read from a cluster with no record of what was applied: the API server filled in defaults
   * the manifests leave out, so a spec compares as the same when it holds everything the next
   * manifest says.
   */
  readonly defaulted: boolean;
  /** Read from a cluster: `status` tells how many pods are ready. */
  readonly live: boolean;
  /**
   * The object as the cluster holds it, when `object` is what was last applied to it: the two
   * differ where someone changed the object since (`kubectl set image`, `kubectl scale`), and the
   * cluster's values are what an apply changes.
   */
  readonly current?: KubeObject;
}

/** Whether `value` looks like a Kubernetes object: a kind, an apiVersion and a name. */
function isKubeObject(value: unknown): value is KubeObject {
  const o = value as KubeObject;
  return typeof o === 'object' && o !== null && typeof o.kind === 'string' && typeof o.apiVersion === 'string'
    && typeof o.metadata === 'object' && o.metadata !== null && typeof o.metadata.name === 'string';
}

/**
 * The objects among `docs`: a `kind: List` (what `kubectl get -o yaml` prints) stands for its items,
 * empty documents are skipped, and anything else that is not a Kubernetes object is an error.
 */
export function readObjects(docs: unknown[], source: string): ReadObject[] {
  const out: ReadObject[] = [];
  const visit = (doc: unknown, where: string) => {
    if (doc === null || doc === undefined) return;
    const list = doc as { kind?: unknown; items?: unknown };
    if (typeof list === 'object' && typeof list.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items)) {
      list.items.forEach((item, i) => visit(item, `${where}, item ${i + 1}`));
      return;
    }
    if (!isKubeObject(doc)) {
      throw new ManifestError(`${where} is not a Kubernetes object (it needs apiVersion, kind and metadata.name)`);
    }
    out.push(applied(doc));
  };
  docs.forEach((doc, i) => visit(doc, `${source}: document ${i + 1}`));
  return out;
}

/**
 * A live object as it was last applied, with its live status; a manifest as it is. Comparing what
 * was applied with what will be applied is what `kubectl apply` itself does, and it is free of
 * the defaults the API server fills in.
 */
function applied(object: KubeObject): ReadObject {
  // `kubectl create --dry-run=client -o yaml` writes manifests with an empty status.
  const status = object.status;
  const hasStatus = typeof status === 'object' && status !== null && Object.keys(status).length > 0;
  const live = hasStatus || object.metadata.uid !== undefined || object.metadata.resourceVersion !== undefined;
  if (!live) return { object, defaulted: false, live };
  const record = object.metadata.annotations?.[LAST_APPLIED];
  if (record !== undefined) {
    try {
      const last = JSON.parse(record);
      if (isKubeObject(last)) {
        const namespace = last.metadata.namespace ?? object.metadata.namespace;
        const record = { ...last, metadata: { ...last.metadata, namespace }, status: object.status };
        return { object: record, defaulted: false, live, current: object };
      }
    } catch {
      // An unreadable record: fall back to the live object, compared leniently.
    }
  }
  return { object, defaulted: true, live };
}

/** `kind/name`, with the namespace where one is given. */
export function describeObject(object: KubeObject): string {
  const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind}/${ns}${object.metadata.name}`;
}

/**
 * The object of `candidates` that is `object` in the other release: the same kind and name, in the
 * same namespace. A manifest without a namespace (what `cdk8s synth` writes for a chart without
 * one) goes to whatever namespace `kubectl apply` is given, so it pairs with an object of any
 * namespace, an exact namespace first.
 */
export function counterpart<T extends { object: KubeObject }>(object: KubeObject, candidates: Map<string, T[]>): T | undefined {
  return findObject(candidates, object.kind, object.metadata.name, object.metadata.namespace);
}

/**
 * The object of `candidates` of this kind and name in `namespace`: one of exactly that namespace
 * first, else one that goes to the same namespace as far as the manifests tell (see `sameNamespace`).
 */
export function findObject<T extends { object: KubeObject }>(candidates: Map<string, T[]>, kind: string, name: string,
  namespace: string | undefined): T | undefined {
  const same = candidates.get(`${kind}/${name}`) ?? [];
  return same.find(c => c.object.metadata.namespace === namespace)
    ?? same.find(c => sameNamespace(namespace, c.object.metadata.namespace));
}

/**
 * Whether objects of these namespaces can be in the same one: the same namespace, or either left
 * out (applied to whatever namespace `kubectl apply` is given).
 */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === b || a === undefined || b === undefined;
}

/** The namespace of an object of two releases: the new manifest's, else the one it had. */
export function namespaceOf(before: ReadObject | undefined, after: ReadObject | undefined): string | undefined {
  return after?.object.metadata.namespace ?? before?.object.metadata.namespace;
}

/**
 * An object the gate cannot read: a field of the wrong type, which the API server would refuse too.
 * The `diff` command reports it as bad input.
 */
export class ManifestError extends Error {}

/**
 * The list at `value`, empty when the field is left out; a `ManifestError` naming `where` when it is
 * something else than a list.
 */
export function listAt(value: unknown, where: string): any[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ManifestError(`${where} is not a list (${JSON.stringify(value)})`);
  return value;
}

/** The objects by `kind/name`, for `counterpart`. */
export function byKindAndName<T extends { object: KubeObject }>(items: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const key = `${item.object.kind}/${item.object.metadata.name}`;
    map.set(key, [...(map.get(key) ?? []), item]);
  }
  return map;
}

/**
 * Whether two specs are the same. Exactly, for manifests; for a live object read without a record
 * of what was applied, when `before` holds everything `after` says (fields `after` leaves out are
 * the API server's defaults), with quantities compared by value (`1000m` is stored as `1`).
 */
export function sameSpec(before: unknown, after: unknown, defaulted: boolean): boolean {
  return defaulted ? holds(before, after) : sameJson(before, after);
}

/**
 * Whether an object read from a cluster (`before`) holds everything `after` says: fields `after`
 * leaves out are the API server's defaults, an empty string, 0 or false it leaves out of what it
 * prints, and quantities compare by value.
 */
function holds(before: unknown, after: unknown): boolean {
  if (after === undefined || after === null) return true;
  if (before === undefined && (after === '' || after === 0 || after === false)) return true;
  if (Array.isArray(after)) {
    if (before === undefined && after.length === 0) return true;
    return Array.isArray(before) && before.length === after.length && after.every((a, i) => holds(before[i], a));
  }
  if (typeof after === 'object') {
    if (before === undefined && Object.keys(after).length === 0) return true;
    if (typeof before !== 'object' || before === null) return false;
    return Object.entries(after).every(([k, v]) => holds((before as Record<string, unknown>)[k], v));
  }
  if (before === after) return true;
  const a = quantity(after);
  const b = quantity(before);
  // By value, as floating point gives it: 0.7 and 700m (700 * 1e-3) differ in the last bit.
  return a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

const SUFFIXES: Record<string, number> = {
  '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40,
};

/** The value of a resource quantity such as `500m` or `2Gi`, or undefined. */
function quantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value);
  return match ? parseFloat(match[1]) * SUFFIXES[match[2] ?? ''] : undefined;
}

/**
 * Whether two values are the same JSON whatever the order of their keys: what comparing their
 * `canonical` forms says, without building the strings. A key whose value is undefined counts as
 * absent, as in JSON.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(y, k) || !sameJson(x[k], y[k])) return false;
    defined++;
  }
  for (const k in y) if (y[k] !== undefined) defined--;
  return defined === 0;
}

/** JSON with sorted keys, so that two objects compare by content. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).sort()
      .filter(k => (value as Record<string, unknown>)[k] !== undefined)
      .map(k => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

