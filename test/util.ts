// Test helpers: synthesize a chart, validate every object against the Kubernetes OpenAPI schema,
// and find objects and compare selectors the way Kubernetes does.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: any;
}

/**
 * Where the apps of `newApp` and `newChart` would write their YAML. Testing.app() makes a new
 * temporary directory for every app and never removes it, and the property tests make tens of
 * thousands of apps; every test's apps share one directory, made only if one of them synthesizes
 * to disk, and removed after the test file.
 */
const outdir = path.join(os.tmpdir(), `cdk8s-deployment-strategies-test.${process.pid}`);

/** A fresh app for a test; its YAML, if it synthesizes to disk, goes to the test file's directory. */
export function newApp(): App {
  return Testing.app({ outdir });
}

/** A fresh chart in a fresh app; the chart id is part of default names. */
export function newChart(id = 'test'): Chart {
  return new Chart(newApp(), id);
}

/**
 * The chart's manifests, after the app's validations (Testing.synth runs them, so the built-in
 * checks too), each validated by the schema model of its kind (the official OpenAPI schema, as
 * packaged by kubernetes-models). Throws with the object's kind, name and the schema error.
 */
export function synth(chart: Chart): Manifest[] {
  const manifests = Testing.synth(chart) as Manifest[];
  manifests.forEach(validateManifest);
  return manifests;
}

/** Runs the validations of every construct in the chart alone, and throws cdk8s's error. */
export function validateChart(chart: Chart): void {
  const errors = chart.node.findAll().flatMap(c => c.node.validate().map(e => `[${c.node.path}] ${e}`));
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
}

/** The API groups of custom resources, validated in a batch by test/crd-schemas.mjs. */
const CUSTOM_GROUPS = ['gateway.networking.k8s.io/', 'networking.istio.io/'];
/** Custom resources waiting to be validated, by their JSON, so that each is validated once. */
const pendingCustomResources = new Map<string, Manifest>();

/**
 * The JSON of the objects that passed `validateManifest`. The phases of a release repeat most
 * objects (the Services, budgets and autoscalers, the Deployment of the track that does not
 * change), so each distinct object is validated once; cleared when large, to bound the memory.
 */
const validated = new Set<string>();
const VALIDATED_MAX = 10_000;

export function validateManifest(manifest: Manifest): void {
  const json = JSON.stringify(manifest);
  if (validated.has(json)) return;
  if (CUSTOM_GROUPS.some(group => manifest.apiVersion.startsWith(group))) {
    pendingCustomResources.set(json, manifest);
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const models = require(`kubernetes-models/${manifest.apiVersion}`);
  const Model = models[manifest.kind];
  if (!Model) {
    throw new Error(`no schema model for ${manifest.apiVersion} ${manifest.kind}`);
  }
  try {
    // The model's validate() checks the object it is called on. Called on the manifest, which is
    // already plain JSON with its apiVersion and kind, it skips building a model, a deep copy that
    // cost twice the check itself; the check does not change the object.
    Model.prototype.validate.call(manifest);
  } catch (e) {
    throw new Error(`${manifest.kind} ${manifest.metadata?.name} is not valid: ${(e as Error).message}`);
  }
  if (validated.size >= VALIDATED_MAX) validated.clear();
  validated.add(json);
}

/**
 * Validates custom resources (Gateway API and Istio routes) against their upstream schemas. The
 * schema packages are ESM only, so a separate process validates them; the objects `synth` saw
 * are validated after each test file.
 */
export function validateCustomResources(manifests: Manifest[]): void {
  const result = spawnSync(process.execPath, [path.join(__dirname, 'crd-schemas.mjs')], {
    input: JSON.stringify(manifests), encoding: 'utf8', cwd: path.join(__dirname, '..'),
  });
  if (result.status !== 0) throw new Error(`schema validation failed to run: ${result.stderr}`);
  const errors: string[] = JSON.parse(result.stdout);
  if (errors.length > 0) throw new Error(errors.join('\n'));
}

afterAll(() => {
  fs.rmSync(outdir, { recursive: true, force: true });
  const pending = [...pendingCustomResources.values()];
  pendingCustomResources.clear();
  if (pending.length > 0) validateCustomResources(pending);
});

/** The one object of that kind and name. */
export function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.filter(m => m.kind === kind && m.metadata.name === name);
  if (found.length !== 1) {
    const names = manifests.map(m => `${m.kind}/${m.metadata.name}`).join(', ');
    throw new Error(`expected one ${kind}/${name}, found ${found.length} among ${names}`);
  }
  return found[0];
}

/** `kind/name` of every object, sorted. */
export function objectSet(manifests: Manifest[]): string[] {
  return manifests.map(m => `${m.kind}/${m.metadata.name}`).sort();
}

/** Whether an equality selector (a Service's, or a Deployment's matchLabels) selects these labels. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The pod template labels of a Deployment. */
export function podLabels(deployment: Manifest): Record<string, string> {
  return deployment.spec.template.metadata.labels;
}

/** The manifests of a chart built by `build` in a fresh app. */
export function synthWith(build: (chart: Chart) => void, chartId = 'test'): Manifest[] {
  const chart = newChart(chartId);
  build(chart);
  return synth(chart);
}

/** The paths (a.b.c) at which two JSON values differ. */
export function diffPaths(before: unknown, after: unknown, path = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (typeof before !== 'object' || typeof after !== 'object' || before === null || after === null
    || Array.isArray(before) !== Array.isArray(after)) {
    return [path];
  }
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap(key => diffPaths((before as any)[key], (after as any)[key], path ? `${path}.${key}` : key));
}

/** The message of the error `construct` throws; fails the test if it throws none. */
export function errorOf(construct: () => unknown): string {
  try {
    construct();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, but none was thrown');
}
