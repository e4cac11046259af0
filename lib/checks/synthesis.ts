// One rendering of each object per synthesis, shared by the chart checks and the output.
//
// cdk8s validates the whole App before it writes anything (twice for `app.synth()` and
// `app.synthYaml()`: once itself, once more in each `chart.toJson()`), and the chart checks must
// read the objects as they will be written, escape hatches included. Rendering an object
// (`ApiObject.toJson()`: cdk8s-plus's model, token resolution, key sorting, JSON patches) is most
// of the cost of a synthesis, so rendering it once for the checks and again for the output would
// double it.
//
// A synthesis is a call of `app.synth()`, `app.synthYaml()` or `chart.toJson()` (which
// `Testing.synth` calls) on an App or chart whose checks are registered here. While one runs, the
// first rendering of each checked object is kept, and the checks and the output both use it: nothing
// the user writes runs between the validation and the output of one call, so the rendering cannot
// go stale. When the outermost call returns (or throws), everything kept is dropped, so a change
// made between two syntheses is always rendered anew. Outside a synthesis (a direct
// `node.validate()`), every rendering is fresh.
import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** The synthesis under way in one App, if any. */
class Synthesis {
  /** How many synthesis calls of the App are open (a chart's `toJson` runs inside `app.synth`). */
  public depth = 0;
  public readonly renderings = new Map<ApiObject, any>();
  /** The errors of each chart's checks, which do not change while the synthesis runs. */
  public readonly errors = new Map<Chart, string[]>();
  /** The `toJson` of the objects it rendered: one function for all of them. */
  public readonly sharedToJson: () => any;

  constructor() {
    const renderings = this.renderings;
    this.sharedToJson = function (this: ApiObject) {
      return renderings.get(this) ?? renderFresh(this);
    };
  }

  public within<T>(run: () => T): T {
    this.depth++;
    try {
      return run();
    } finally {
      if (--this.depth === 0) {
        this.renderings.clear();
        this.errors.clear();
      }
    }
  }
}

const SYNTHESES = new WeakMap<IConstruct, Synthesis>();

function synthesisOf(root: IConstruct): Synthesis {
  let synthesis = SYNTHESES.get(root);
  if (!synthesis) {
    synthesis = new Synthesis();
    SYNTHESES.set(root, synthesis);
    if (root instanceof App) {
      wrap(root, 'synth', synthesis);
      wrap(root, 'synthYaml', synthesis);
    }
  }
  return synthesis;
}

/** Makes `method` of this one object (not its class) run as a synthesis. */
function wrap(target: object, method: string, synthesis: Synthesis): void {
  const original: (...args: unknown[]) => unknown = (target as any)[method];
  Object.defineProperty(target, method, {
    configurable: true,
    writable: true,
    value: function (this: unknown, ...args: unknown[]) {
      return synthesis.within(() => original.apply(this, args));
    },
  });
}

/**
 * Makes every synthesis of `chart` (and of its App) render each checked object once; call once
 * per chart.
 */
export function renderOncePerSynthesis(chart: Chart): void {
  wrap(chart, 'toJson', synthesisOf(chart.node.root));
}

/**
 * Renders objects of `chart` as they will be written: during a synthesis, in the one rendering that
 * the output will use too; otherwise afresh.
 */
export function renderer(chart: Chart): (object: ApiObject) => any {
  const synthesis = synthesisOf(chart.node.root);
  if (synthesis.depth === 0) return object => object.toJson();
  return object => {
    let rendering = synthesis.renderings.get(object);
    if (rendering === undefined) {
      rendering = renderFresh(object);
      synthesis.renderings.set(object, rendering);
      share(object, synthesis);
    }
    return rendering;
  };
}

/**
 * The errors of `chart`'s checks: computed once per synthesis (cdk8s validates the App more than
 * once in one), every time outside of one.
 */
export function checkOncePerSynthesis(chart: Chart, check: () => string[]): string[] {
  const synthesis = synthesisOf(chart.node.root);
  if (synthesis.depth === 0) return check();
  let errors = synthesis.errors.get(chart);
  if (errors === undefined) {
    errors = check();
    synthesis.errors.set(chart, errors);
  }
  return errors;
}

/** Gives `object` a `toJson` that returns the synthesis's rendering while there is one. */
function share(object: ApiObject, synthesis: Synthesis): void {
  // Once per object: an object belongs to one App, whose synthesis keeps one `sharedToJson`.
  if (object.toJson === synthesis.sharedToJson) return;
  Object.defineProperty(object, 'toJson', { configurable: true, writable: true, value: synthesis.sharedToJson });
}

/** The object's own `toJson`, whatever `share` put in front of it. */
function renderFresh(object: ApiObject): any {
  return Object.getPrototypeOf(object).toJson.call(object);
}
