// Finding what a label selector picks among many labelled items, for the chart checks (pod
// templates of a chart) and the release gate (pods of two releases): a selection costs the items
// that carry the selector's rarest label, not every item, so both stay linear in the number of apps.

const NONE: readonly never[] = Object.freeze([]);

/**
 * Items indexed by each of their labels, by key and then by value, so that no key string is built
 * per label.
 */
export class LabelIndex<T> {
  private readonly byLabel = new Map<string, Map<unknown, T[]>>();

  constructor(items: readonly T[], private readonly labelsOf: (item: T) => Record<string, string> | undefined) {
    for (const item of items) {
      const labels = labelsOf(item);
      if (!labels) continue;
      for (const key of Object.keys(labels)) this.add(key, labels[key], item);
    }
  }

  /** Indexes `item` under one label, whatever `labelsOf` says. */
  public add(key: string, value: string, item: T): void {
    let byValue = this.byLabel.get(key);
    if (!byValue) this.byLabel.set(key, byValue = new Map());
    const group = byValue.get(value);
    if (group) group.push(item);
    else byValue.set(value, [item]);
  }

  /** The items indexed under the label `key=value`. */
  public withLabel(key: string, value: string): readonly T[] {
    return this.byLabel.get(key)?.get(value) ?? NONE;
  }

  /**
   * The items that may carry every label of `labels`: those with its rarest one. Undefined when
   * `labels` is empty, which narrows nothing.
   */
  public candidates(labels: Record<string, string> | undefined): readonly T[] | undefined {
    let fewest: readonly T[] | undefined;
    for (const key of Object.keys(labels ?? {})) {
      const group = this.withLabel(key, labels![key]);
      if (group.length === 0) return group;
      if (fewest === undefined || group.length < fewest.length) fewest = group;
    }
    return fewest;
  }

  /** The items whose labels an equality selector (a Service's) picks; an empty selector picks none. */
  public select(selector: Record<string, string> | undefined): T[] {
    const candidates = this.candidates(selector);
    return candidates ? candidates.filter(item => selectsLabels(selector, this.labelsOf(item))) : [];
  }
}

/** Whether a Service's equality selector picks pods with these labels (an empty selector picks none). */
export function selectsLabels(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}
