// Times the release gate's `diff` command as a pipeline runs it: the built CLI over two dist/
// folders of N CanaryApps each, the second moving every canary to a new image. Each run is a fresh
// process; the end-to-end runs alternate with runs that time the phases (read and parse, gate,
// report) in a process of their own. Besides the wall time it gives the CPU time of the command,
// which other work on the machine changes less, and the load average while it ran. Needs
// `npm run build` first.
//
//   tsx test/bench/diff-time.ts             (DIFF_APPS=10000 apps, DIFF_RUNS=5 runs)
//   tsx test/bench/diff-time.ts --quick     (1,000 apps, 3 runs)
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { CanaryApp } from '../../lib';

const root = path.resolve(__dirname, '..', '..');
const QUICK = process.argv.includes('--quick');
const APPS = Number(process.env.DIFF_APPS ?? (QUICK ? 1000 : 10000));
const RUNS = Number(process.env.DIFF_RUNS ?? (QUICK ? 3 : 5));
const IMAGE = 'registry.example.com/shop/web';
const cli = path.join(root, 'lib', 'cli', 'main.js');

if (!fs.existsSync(cli)) {
  console.error(`${path.relative(root, cli)} is missing: run npm run build first`);
  process.exit(2);
}

/** Writes N canaries at weight 10 into `dir` as `cdk8s synth` does: one chart, one file. */
function synth(dir: string, canaryImage: string): void {
  const app = new App({ outdir: dir });
  const chart = new Chart(app, 'shop');
  for (let i = 0; i < APPS; i++) {
    new CanaryApp(chart, `app${i}`, {
      port: 8080, name: `app${i}`, replicas: 10, stable: { image: `${IMAGE}:1.4.0` }, canary: { image: canaryImage },
      canaryWeight: 10,
    });
  }
  app.synth();
}

/** The phases in one fresh process, with the modules the CLI runs; prints seconds as JSON. */
const PHASES = `
const [root, before, after] = process.argv.slice(1);
const { readSource, renderReport } = require(root + '/lib/cli/diff.js');
const { ReleaseDiff } = require(root + '/lib/gate/release-diff.js');
const io = { stdout: () => {}, stderr: () => {}, writeFile: () => {} };
const t0 = performance.now();
const objects = [readSource(before, io), readSource(after, io)];
const t1 = performance.now();
const result = ReleaseDiff._ofObjects(objects[0], objects[1]);
const t2 = performance.now();
renderReport(result);
const t3 = performance.now();
console.log(JSON.stringify({ read: (t1 - t0) / 1e3, gate: (t2 - t1) / 1e3, report: (t3 - t2) / 1e3,
  apps: result.apps.length }));
`;

/** Loaded before the command: prints the CPU time of its process, as the last line of stderr. */
const CPU_TIME = "process.on('exit', () => { const t = process.cpuUsage(); process.stderr.write(`\\n${(t.user + t.system) / 1e6}\\n`); });";

function run(args: string[]): { seconds: number; cpu: number; status: number | null; stdout: string } {
  const start = process.hrtime.bigint();
  const out = spawnSync(process.execPath, ['-r', cpuTime, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (out.status !== 0 && out.status !== 1) throw new Error(`node ${args.join(' ')} failed (${out.status}): ${out.stderr}`);
  return { seconds, cpu: Number(out.stderr.trim().split('\n').pop()), status: out.status, stdout: out.stdout };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function megabytes(dir: string): number {
  return fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0) / 1e6;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-time-'));
const cpuTime = path.join(work, 'cpu-time.js');
fs.writeFileSync(cpuTime, CPU_TIME);
try {
  const before = path.join(work, 'before');
  const after = path.join(work, 'after');
  synth(before, `${IMAGE}:1.5.0`);
  synth(after, `${IMAGE}:1.6.0`);

  const total: number[] = [];
  const cpu: number[] = [];
  const read: number[] = [];
  const gate: number[] = [];
  const report: number[] = [];
  let status: number | null = null;
  let apps = 0;
  const load = os.loadavg()[0];
  for (let i = 0; i < RUNS; i++) {
    const e2e = run([cli, 'diff', before, after]);
    total.push(e2e.seconds);
    cpu.push(e2e.cpu);
    status = e2e.status;
    const phases = JSON.parse(run(['-e', PHASES, root, before, after]).stdout);
    read.push(phases.read);
    gate.push(phases.gate);
    report.push(phases.report);
    apps = phases.apps;
  }
  const s = (x: number) => `${x.toFixed(2)} s`;
  console.log(`diff of two dist/ folders of ${APPS} CanaryApps (${megabytes(before).toFixed(1)} MB of YAML each), `
    + `median of ${RUNS} runs, load average ${load.toFixed(1)} before and ${os.loadavg()[0].toFixed(1)} after:`);
  console.log(`  node lib/cli/main.js diff before/ after/: ${s(median(total))}, ${s(median(cpu))} of CPU `
    + `(exit ${status}, ${apps} apps)`);
  console.log(`  read and parse ${s(median(read))}, gate ${s(median(gate))}, report ${s(median(report))}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
