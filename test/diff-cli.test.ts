import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing, Yaml } from 'cdk8s';
import { BlueGreenApp, BlueGreenAppProps, CanaryApp, ReleaseDiff, Slot } from '../lib';
import { main } from '../lib/cli/main';
import { renderReport } from '../lib/cli/diff';
import { parseYaml } from '../lib/gate/kube-yaml';
import { newChart } from './util';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(argv: string[], stdin?: string): Run {
  const out: Run = { code: 0, stdout: '', stderr: '' };
  out.code = main(argv, {
    stdout: text => { out.stdout += text; },
    stderr: text => { out.stderr += text; },
    writeFile: () => { throw new Error('diff writes no file'); },
    readStdin: () => stdin ?? '',
  });
  return out;
}

let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-cli-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

/** Synthesizes a blue/green app as `cdk8s synth` would into a dist/ folder, and returns the folder. */
function dist(name: string, props: Partial<BlueGreenAppProps>): string {
  const app = Testing.app({ outdir: path.join(work, name) });
  const chart = new Chart(app, 'shop');
  new BlueGreenApp(chart, 'api', {
    port: 8080, replicas: 3, blue: { image: 'r/api:1.4.0' }, green: { image: 'r/api:1.5.0' }, activeSlot: Slot.BLUE, ...props,
  });
  app.synth();
  return path.join(work, name);
}

function file(name: string, content: string): string {
  fs.writeFileSync(path.join(work, name), content);
  return path.join(work, name);
}

describe('diff', () => {
  test('exits 0 and prints the moves, the ready pods and the verdict for a switch', () => {
    // GIVEN
    const before = dist('before', {});
    const after = dist('after', { activeSlot: Slot.GREEN });
    // WHEN
    const run = cli(['diff', before, after]);
    // THEN
    expect(run).toEqual({ code: 0, stderr: '', stdout: expect.any(String) });
    expect(run.stdout).toBe([
      'app       strategy    move',
      'shop-api  blue-green  switch blue → green',
      '',
      'shop-api: ready pods during the apply: at least 3 (before 3, after 3; keeping capacity needs 3)',
      'shop-api-preview: ready pods during the apply: at least 3 (before 3, after 3; keeping capacity needs 3)',
      '',
      'nothing blocks the apply',
      '',
    ].join('\n'));
  });

  test('exits 1 when a move blocks, and lists the finding', () => {
    // GIVEN
    const before = dist('before', { idleReplicas: 0 });
    const after = dist('after', { activeSlot: Slot.GREEN });
    // WHEN
    const run = cli(['diff', before, after]);
    // THEN
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^BLOCK capacity-drop: Service shop-api: ready pods fall to 0 during the apply/m);
    expect(run.stdout).toMatch(/blocked: 1 finding blocks the apply \(--allow CODE turns a deliberate one into a warning\)\n$/);
  });

  test('--json prints blocked, apps, services and findings', () => {
    // GIVEN
    const before = dist('before', {});
    const after = dist('after', { blue: { image: 'r/api:1.6.0' } });
    // WHEN
    const run = cli(['diff', before, after, '--json']);
    // THEN
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json.blocked).toBe(true);
    expect(json.apps).toEqual([{ name: 'shop-api', strategy: 'blue-green', move: 'blue 1.4.0 → 1.6.0 (live)' }]);
    expect(json.findings).toEqual([{ app: 'shop-api', code: 'live-template-changed', severity: 'block', message: expect.any(String) }]);
  });

  test('--allow turns the blocks of a code into warnings and exits 0', () => {
    // GIVEN
    const before = dist('before', {});
    const after = dist('after', { blue: { image: 'r/api:1.6.0' } });
    // WHEN
    const run = cli(['diff', before, after, '--allow', 'live-template-changed']);
    // THEN
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^warn live-template-changed: /m);
  });

  test('reads a YAML file, and a kind: List on standard input as the live objects', () => {
    // GIVEN
    const chart = newChart('shop');
    new CanaryApp(chart, 'search', { port: 8080, replicas: 4, stable: { image: 'r/s:1' }, canary: { image: 'r/s:2' }, canaryWeight: 20 });
    const objects = Testing.synth(chart);
    const live = Yaml.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
    const next = file('next.yaml', Yaml.stringify(...objects.map(o => (o.metadata.name === 'shop-search' && o.kind === 'Deployment'
      ? { ...o, spec: { ...o.spec, template: { ...o.spec.template, spec: { ...o.spec.template.spec,
        containers: [{ ...o.spec.template.spec.containers[0], image: 'r/s:2' }] }, metadata: { labels: {
        ...o.spec.template.metadata.labels, 'app.kubernetes.io/version': '2' } } } } }
      : o))));
    // WHEN
    const run = cli(['diff', '-', next, '--json'], live);
    // THEN
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).apps).toEqual([{ name: 'shop-search', strategy: 'canary', move: 'promote 1 → 2' }]);
  });
});

describe('diff: bad input exits 2 with a message naming the file or flag, and prints nothing on stdout', () => {
  test.each([
    [['diff'], 'diff takes two sources, BEFORE and AFTER; 0 given'],
    [['diff', 'a.yaml'], 'diff takes two sources, BEFORE and AFTER; 1 given'],
    [['diff', '-', '-'], 'only one of BEFORE and AFTER can be - (standard input)'],
    [['diff', 'a', 'b', '--oops'], 'unknown option "--oops"'],
    [['diff', 'a', 'b', '--allow'], '--allow needs a code'],
    [['diff', 'a', 'b', '--allow', 'oops'], '--allow is "oops"; the codes are selector-changed, capacity-drop, '
      + 'unverified-switch, live-template-changed, both-slots-changed, unverified-promotion, service-selects-nothing, '
      + 'replicas-field-removed, replicas-under-autoscaler, immutable-field-changed, target-port-missing, serving-service-removed, '
      + 'recreate-downtime, route-outpaces-pods, rollout-held'],
  ])('%j', (argv, message) => {
    // WHEN
    const run = cli(argv);
    // THEN
    expect(run).toEqual({ code: 2, stdout: '', stderr: `error: ${message}\nRun 'cdk8s-deployment-strategies --help' for the options.\n` });
  });

  test('a missing file', () => {
    const missing = path.join(work, 'missing.yaml');
    const run = cli(['diff', missing, missing]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(`error: cannot read ${missing}: no such file or directory\n`);
  });

  test('a file that is not YAML', () => {
    const broken = file('broken.yaml', 'kind: [Deployment\n');
    const run = cli(['diff', broken, broken]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^error: ${broken} is not valid YAML: `));
  });

  test('a file with no Kubernetes objects', () => {
    const empty = file('empty.yaml', '# nothing\n');
    const run = cli(['diff', empty, empty]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(`error: ${empty} holds no Kubernetes objects\n`);
  });

  test('a document that is not a Kubernetes object', () => {
    const odd = file('odd.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\njust: data\n');
    const run = cli(['diff', odd, odd]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(`error: ${odd}: document 2 is not a Kubernetes object (it needs apiVersion, kind and metadata.name)\n`);
  });

  test('a route the gate cannot read', () => {
    const odd = file('odd-route.yaml', 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: web\n'
      + 'spec:\n  rules:\n    backendRefs: []\n');
    const run = cli(['diff', odd, odd]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch('error: HTTPRoute/web: spec.rules is not a list ({"backendRefs":[]})\n');
  });

  test('a Deployment whose replicas are not a count', () => {
    const odd = file('odd-replicas.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n');
    const run = cli(['diff', odd, odd]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch('error: Deployment/web: spec.replicas is -1; it must be an integer from 0 to 2147483647\n');
  });

  test('an alias inside the node it refers to', () => {
    const cyclic = file('cyclic.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template: &t\n'
      + '    spec: *t\n');
    const run = cli(['diff', cyclic, cyclic]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(`error: ${cyclic} is not valid YAML: an alias refers to a node that contains it\n`);
  });

  test('a directory without YAML files', () => {
    const run = cli(['diff', work, work]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(`error: ${work} is a directory with no *.yaml file\n`);
  });
});

describe('diff: bad YAML names the file, and the line and column where it goes wrong', () => {
  test.each([
    ['kind: [Deployment\n', 'unexpected end of the stream within a flow collection (line 2, column 1)'],
    ['apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n   labels: {}\n', 'bad indentation of a mapping entry (line 5, column 10)'],
    ['apiVersion: v1\nkind: Service\nkind: Pod\nmetadata:\n  name: a\n', 'duplicated mapping key (line 3, column 1)'],
    ['apiVersion: v1\nkind: Service\nmetadata:\n  name: "a\n', 'unexpected end of the stream within a double quoted scalar (line 5, column 1)'],
  ])('%j', (content, message) => {
    const broken = file('broken.yaml', content);
    const run = cli(['diff', broken, broken]);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `error: ${broken} is not valid YAML: ${message}\n`
      + "Run 'cdk8s-deployment-strategies --help' for the options.\n" });
  });

  test('in a directory, the file that holds the bad document', () => {
    // GIVEN: a dist/ folder whose second file holds a document that is no Kubernetes object
    const folder = dist('dist', {});
    fs.writeFileSync(path.join(folder, 'zz.k8s.yaml'), '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\njust: data\n');
    // WHEN
    const run = cli(['diff', folder, folder]);
    // THEN
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(`error: ${path.join(folder, 'zz.k8s.yaml')}: document 2 is not a Kubernetes object `);
  });
});

describe('diff reads YAML as kubectl does (go-yaml v2, YAML 1.1 scalars)', () => {
  const read = (yaml: string) => parseYaml(yaml, 'test.yaml');
  const value = (plain: string) => (read(`v: ${plain}\n`)[0] as { v: unknown }).v;

  test.each([
    // YAML 1.1 booleans, which YAML 1.2 reads as strings
    ['yes', true], ['Yes', true], ['on', true], ['ON', true], ['y', true], ['true', true],
    ['no', false], ['No', false], ['off', false], ['n', false], ['FALSE', false],
    ['~', null], ['null', null], ['', null],
    // octal with a leading 0 (YAML 1.1) and 0o (Go's ParseInt), hex, binary, underscores
    ['0755', 493], ['0o755', 493], ['0x1F', 31], ['0b101', 5], ['-0b101', -5], ['1_000', 1000], ['+12', 12],
    ['08', 8], ['1e3', 1000], ['1.', 1], ['.5', 0.5], ['1.10', 1.1], ['.inf', Infinity], ['-.Inf', -Infinity],
    // strings: timestamps, base-60 numbers, a float out of range, versions, quantities and near misses
    ['2001-12-14', '2001-12-14'], ['190:20:30', '190:20:30'], ['1e400', '1e400'], ['1.4.0', '1.4.0'],
    ['500m', '500m'], ['2Gi', '2Gi'], ['25%', '25%'], ['tRue', 'tRue'], ['0x', '0x'], ['.5_0', '.5_0'], ['+', '+'],
  ])('plain %j reads as %p', (plain, expected) => {
    expect(value(plain)).toEqual(expected);
  });

  test('.nan is NaN; quoted scalars stay strings', () => {
    expect(value('.nan')).toBeNaN();
    expect(read('a: "yes"\nb: \'0755\'\nc: "1e3"\n')).toEqual([{ a: 'yes', b: '0755', c: '1e3' }]);
  });

  test('what cdk8s writes reads back as written', () => {
    // GIVEN: strings that some YAML version reads as something else, written as cdk8s writes them
    const strings = ['yes', 'no', 'on', 'off', 'y', 'n', 'True', '~', 'null', '', '0755', '0x1F', '0b101', '1_000',
      '1e3', '1.10', '.5', '+12', '.inf', '.nan', '2001-12-14', '190:20:30', '12:30', '1.4.0', '500m', '<<', '-'];
    const values = [0, -1, 1.5, 1e21, 1e-7, 123456789012, true, false, null];
    // WHEN
    const back = read(Yaml.stringify({ strings, values }))[0];
    // THEN
    expect(back).toEqual({ strings, values });
  });

  test('except a string such as 0o755, which cdk8s leaves plain and kubectl reads as a number', () => {
    expect(Yaml.stringify({ mode: '0o755' })).toBe('mode: 0o755\n');
    expect(read(Yaml.stringify({ mode: '0o755' }))).toEqual([{ mode: 493 }]);
  });

  test('documents: empty ones are null, and a stream of none is empty', () => {
    expect(read('---\na: 1\n---\n---\nb: 2\n')).toEqual([{ a: 1 }, null, { b: 2 }]);
    expect(read('')).toEqual([]);
  });

  test('anchors, merge keys, explicit tags, and tags it does not know', () => {
    expect(read('base: &b {a: 1, b: 2}\nmerged:\n  <<: *b\n  b: 3\nref: *b\nint: !!int "10"\nstr: !!str 10\n'
      + 'own: !thing {c: 1}\nownScalar: !thing 5\n')).toEqual([{
      base: { a: 1, b: 2 }, merged: { a: 1, b: 3 }, ref: { a: 1, b: 2 }, int: 10, str: '10', own: { c: 1 }, ownScalar: '5',
    }]);
    // A key is resolved like any scalar, and JSON keys are strings: y is the key "true".
    expect(read('y: 1\n1_0: 2\n')).toEqual([{ true: 1, 10: 2 }]);
    expect(() => read('a: !!int "ten"\n')).toThrow('test.yaml is not valid YAML: cannot resolve a node with '
      + '!<tag:yaml.org,2002:int> explicit tag (line 1, column 15)');
  });

  test('a hand-written no is the false that kubectl applied and recorded', () => {
    // GIVEN: the live objects, recorded by kubectl as JSON, and the same manifests hand-written with no for false
    const chart = newChart('shop');
    new CanaryApp(chart, 'search', { port: 8080, replicas: 4, stable: { image: 'r/s:1' }, canary: { image: 'r/s:2' }, canaryWeight: 20 });
    const objects = Testing.synth(chart);
    const live = objects.map(o => ({
      ...o,
      metadata: { ...o.metadata, uid: 'u1', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(o) } },
      status: o.kind === 'Deployment' ? { replicas: o.spec.replicas, readyReplicas: o.spec.replicas } : {},
    }));
    const yaml = Yaml.stringify(...objects);
    expect(yaml).toMatch(/automountServiceAccountToken: false/);
    const next = file('next.yaml', yaml.replace(/automountServiceAccountToken: false/g, 'automountServiceAccountToken: no'));
    // WHEN
    const run = cli(['diff', '-', next, '--json'], Yaml.stringify({ apiVersion: 'v1', kind: 'List', items: live }));
    // THEN
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ apps: [{ name: 'shop-search', move: 'no change' }], findings: [] });
  });
});

test('the report of hundreds of thousands of apps renders', () => {
  // GIVEN: more rows than a call can take as arguments
  const apps = Array.from({ length: 300_000 }, (_, i) => ({ name: `app${i}`, strategy: 'ramped', move: 'unchanged' }));
  const result = { apps, services: [], findings: [] } as unknown as ReleaseDiff;
  // WHEN
  const report = renderReport(result);
  // THEN
  expect(report.split('\n')).toHaveLength(300_000 + 4);
  expect(report).toMatch(/^app {6}/);
});
