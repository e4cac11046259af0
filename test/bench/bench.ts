// `npm run bench`: the time and memory of synthesizing N apps of each construct, against the same
// objects written by hand with cdk8s-plus-27 (./apps.ts), measured in one process, alternating the
// two; then the time of `cdk8s synth` (./synth-time.ts) and of `diff` over two dist/ folders
// (./diff-time.ts). `npm run bench -- --quick`: N = 1,000 only.
import { execFileSync } from 'child_process';
import { App, Chart } from 'cdk8s';
import * as os from 'os';
import * as path from 'path';
import { Build, byHand, checkSameManifests, ours } from './apps';

/** `--quick`: N = 1,000 only, for a fast look; the full run also measures 100 and 10,000. */
const QUICK = process.argv.includes('--quick');
/**
 * `--cpu`: the process's CPU time instead of the wall-clock time, for a machine that other work
 * keeps busy (the figures in the README are wall-clock times on an idle machine).
 */
const CPU = process.argv.includes('--cpu');
const SIZES = (process.env.BENCH_SIZES ?? (QUICK ? '1000' : '100,1000,10000')).split(',').map(Number);

// --- measurement ---------------------------------------------------------------------------------

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');

/** Milliseconds on the clock the run measures with. */
function now(): number {
  if (!CPU) return Number(process.hrtime.bigint()) / 1e6;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e3;
}

/** Builds N apps in one chart and synthesizes the app to YAML in memory, as `cdk8s synth` does before writing. */
function measure(build: Build, n: number, withoutChecks = false): { ms: number; heapMB: number } {
  gc!();
  const before = process.memoryUsage().heapUsed;
  const start = now();
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'bench');
  for (let i = 0; i < n; i++) build(chart, i);
  if (withoutChecks) {
    // For measurement only: drop the chart's validation (the checks of lib/checks/chart-checks.ts), which the
    // library has no switch for, to show what the checks cost.
    (chart.node as unknown as { _validations: unknown[] })._validations.length = 0;
  }
  const yaml = app.synthYaml();
  const ms = now() - start;
  // What stays after the synthesis, while the app and its YAML are still held: the construct tree
  // and the output.
  gc!();
  const heapMB = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  if (yaml.length === 0 || app.node.children.length !== 1) throw new Error('nothing synthesized');
  return { ms, heapMB };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

Object.keys(ours).forEach(checkSameManifests);
console.log(`node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`
  + `${CPU ? ', CPU time' : ''}`);
console.log('| construct | N | ours ms/app | by hand ms/app | ratio | ours without the checks: ratio | ours heap MB | by hand heap MB | heap ratio |');
console.log('|---|---|---|---|---|---|---|---|---|');
const perApp: Record<string, Record<number, number>> = {};
const perAppByHand: Record<string, Record<number, number>> = {};
/**
 * Rounds of the three at 1,000 apps, measured and thrown away before each construct's first
 * measured round. With one synthesis of 200 apps of each as the warm-up, the first three measured
 * rounds of all three were still 0.04 to 0.08 ms per app slower than the later ones (the JIT and
 * the heap's sizing were still settling), and they weighed on every median of 7.
 */
const WARM_UP_ROUNDS = 3;
for (const construct of Object.keys(ours)) {
  for (let r = 0; r < WARM_UP_ROUNDS; r++) {
    measure(ours[construct], 1000);
    measure(byHand[construct], 1000);
    measure(ours[construct], 1000, true);
  }
  for (const n of SIZES) {
    const rounds = n >= 10000 ? 3 : n >= 1000 ? (QUICK ? 5 : 7) : 15;
    const results = {
      ours: [] as Array<ReturnType<typeof measure>>,
      hand: [] as Array<ReturnType<typeof measure>>,
      unchecked: [] as Array<ReturnType<typeof measure>>,
    };
    for (let r = 0; r < rounds; r++) {
      results.ours.push(measure(ours[construct], n));
      results.hand.push(measure(byHand[construct], n));
      results.unchecked.push(measure(ours[construct], n, true));
    }
    const oursMs = median(results.ours.map(x => x.ms)) / n;
    const handMs = median(results.hand.map(x => x.ms)) / n;
    const uncheckedMs = median(results.unchecked.map(x => x.ms)) / n;
    (perApp[construct] ??= {})[n] = oursMs;
    (perAppByHand[construct] ??= {})[n] = handMs;
    const [oursHeap, handHeap] = [median(results.ours.map(x => x.heapMB)), median(results.hand.map(x => x.heapMB))];
    console.log(`| ${construct} | ${n} | ${oursMs.toFixed(3)} | ${handMs.toFixed(3)} | ${(oursMs / handMs).toFixed(2)} | `
      + `${(uncheckedMs / handMs).toFixed(2)} | ${oursHeap.toFixed(0)} | ${handHeap.toFixed(0)} | ${(oursHeap / handHeap).toFixed(2)} |`);
  }
}
if (SIZES.includes(1000) && SIZES.includes(10000)) {
  console.log('\ntime of 10,000 apps / time of 1,000 apps (linear: 10), ours and by hand:');
  const growth = (times: Record<number, number>) => ((times[10000] * 10000) / (times[1000] * 1000)).toFixed(2);
  for (const construct of Object.keys(perApp)) {
    console.log(`  ${construct}: ${growth(perApp[construct])}, by hand ${growth(perAppByHand[construct])}`);
  }
}

// The other measurements, each in a process of its own.
for (const script of ['synth-time.ts', 'diff-time.ts']) {
  console.log('');
  execFileSync(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, script), ...(QUICK ? ['--quick'] : [])],
    { stdio: 'inherit' });
}
