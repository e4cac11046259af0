import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing, Yaml } from 'cdk8s';
import { BlueGreenApp, BlueGreenAppProps, CanaryApp, Slot } from '../lib';
import { main } from '../lib/cli/main';

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
    const chart = new Chart(Testing.app(), 'shop');
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
      + 'replicas-field-removed, serving-service-removed, recreate-downtime, route-outpaces-pods'],
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

  test('a directory without YAML files', () => {
    const run = cli(['diff', work, work]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(`error: ${work} is a directory with no *.yaml file\n`);
  });
});
