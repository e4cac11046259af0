// `npm run bench`: the time and memory of synthesizing N apps of each construct, against the same
// objects written by hand with cdk8s-plus-27, measured in one process, alternating the two.
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as os from 'os';
import { BlueGreenApp, CanaryApp, Label, RampedApp, RecreateApp, Slot } from '../../lib';

const SIZES = (process.env.BENCH_SIZES ?? '100,1000,10000').split(',').map(Number);
const IMAGE = 'registry.example.com/shop/web';

type Build = (chart: Chart, i: number) => void;

// --- what a user writes with this library ---------------------------------------------------------

const ours: Record<string, Build> = {
  RecreateApp: (chart, i) => new RecreateApp(chart, `app${i}`, { image: `${IMAGE}:1.4.0`, port: 8080, name: `app${i}` }),
  RampedApp: (chart, i) => new RampedApp(chart, `app${i}`, {
    image: `${IMAGE}:1.4.0`, port: 8080, name: `app${i}`,
    maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
  }),
  BlueGreenApp: (chart, i) => new BlueGreenApp(chart, `app${i}`, {
    port: 8080, name: `app${i}`, blue: { image: `${IMAGE}:1.4.0` }, green: { image: `${IMAGE}:1.5.0` }, activeSlot: Slot.BLUE,
  }),
  CanaryApp: (chart, i) => new CanaryApp(chart, `app${i}`, {
    port: 8080, name: `app${i}`, replicas: 10, stable: { image: `${IMAGE}:1.4.0` }, canary: { image: `${IMAGE}:1.5.0` },
    canaryWeight: 10,
  }),
};

// --- the same objects written by hand with cdk8s-plus-27 -----------------------------------------

function handDeployment(scope: Construct, id: string, name: string, version: string, replicas: number,
  selector: Record<string, string>, strategy: kplus.DeploymentStrategy): kplus.Deployment {
  const deployment = new kplus.Deployment(scope, id, {
    metadata: { name, labels: { ...selector, [Label.VERSION]: version, [Label.MANAGED_BY]: 'cdk8s' } },
    select: false,
    podMetadata: { labels: { ...selector, [Label.VERSION]: version } },
    replicas,
    strategy,
    containers: [{
      name: 'app', image: `${IMAGE}:${version}`, portNumber: 8080,
      readiness: kplus.Probe.fromTcpSocket({ port: 8080 }),
    }],
  });
  deployment.select(kplus.LabelSelector.of({ labels: selector }));
  ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', 10));
  return deployment;
}

function handService(scope: Construct, id: string, name: string, selector: Record<string, string>): kplus.Service {
  const service = new kplus.Service(scope, id, {
    metadata: { name, labels: { [Label.NAME]: selector[Label.NAME], [Label.MANAGED_BY]: 'cdk8s' } },
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  });
  for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
  return service;
}

const rolling = kplus.DeploymentStrategy.rollingUpdate();
const byHand: Record<string, Build> = {
  RecreateApp: (chart, i) => {
    const app = new Construct(chart, `app${i}`);
    const labels = { [Label.NAME]: `app${i}` };
    handDeployment(app, 'Deployment', `app${i}`, '1.4.0', 2, labels, kplus.DeploymentStrategy.recreate());
    handService(app, 'Service', `app${i}`, labels);
  },
  RampedApp: (chart, i) => {
    const app = new Construct(chart, `app${i}`);
    const labels = { [Label.NAME]: `app${i}` };
    handDeployment(app, 'Deployment', `app${i}`, '1.4.0', 2, labels, kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }));
    handService(app, 'Service', `app${i}`, labels);
  },
  BlueGreenApp: (chart, i) => {
    const app = new Construct(chart, `app${i}`);
    const slot = (s: string) => ({ [Label.NAME]: `app${i}`, [Label.SLOT]: s });
    handDeployment(app, 'Blue', `app${i}-blue`, '1.4.0', 2, slot('blue'), rolling);
    handDeployment(app, 'Green', `app${i}-green`, '1.5.0', 2, slot('green'), rolling);
    handService(app, 'Service', `app${i}`, slot('blue'));
    handService(app, 'PreviewService', `app${i}-preview`, slot('green'));
  },
  CanaryApp: (chart, i) => {
    const app = new Construct(chart, `app${i}`);
    const track = (t: string) => ({ [Label.NAME]: `app${i}`, [Label.TRACK]: t });
    handDeployment(app, 'Stable', `app${i}`, '1.4.0', 9, track('stable'), rolling);
    handDeployment(app, 'Canary', `app${i}-canary`, '1.5.0', 1, track('canary'), rolling);
    handService(app, 'Service', `app${i}`, { [Label.NAME]: `app${i}` });
  },
};

// --- measurement ---------------------------------------------------------------------------------

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');

/** Builds N apps in one chart and synthesizes the app to YAML in memory, as `cdk8s synth` does before writing. */
function measure(build: Build, n: number, withoutChecks = false): { ms: number; heapMB: number } {
  gc!();
  const before = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'bench');
  for (let i = 0; i < n; i++) build(chart, i);
  if (withoutChecks) {
    // For measurement only: drop the chart's validation (the checks of lib/checks/chart-checks.ts), which the
    // library has no switch for, to show what the checks cost.
    (chart.node as unknown as { _validations: unknown[] })._validations.length = 0;
  }
  const yaml = app.synthYaml();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const heapMB = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  if (yaml.length === 0) throw new Error('nothing synthesized');
  return { ms, heapMB };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

console.log(`node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
console.log('| construct | N | ours ms/app | by hand ms/app | ratio | ours without the checks: ratio | ours heap MB | by hand heap MB |');
console.log('|---|---|---|---|---|---|---|---|');
const perApp: Record<string, Record<number, number>> = {};
const perAppByHand: Record<string, Record<number, number>> = {};
for (const construct of Object.keys(ours)) {
  measure(ours[construct], 200); // warm-up of both, so the first measured round is not the JIT's
  measure(byHand[construct], 200);
  for (const n of SIZES) {
    const rounds = n >= 10000 ? 3 : n >= 1000 ? 5 : 15;
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
    console.log(`| ${construct} | ${n} | ${oursMs.toFixed(3)} | ${handMs.toFixed(3)} | ${(oursMs / handMs).toFixed(2)} | `
      + `${(uncheckedMs / handMs).toFixed(2)} | `
      + `${Math.max(...results.ours.map(x => x.heapMB)).toFixed(0)} | ${Math.max(...results.hand.map(x => x.heapMB)).toFixed(0)} |`);
  }
}
if (SIZES.includes(1000) && SIZES.includes(10000)) {
  console.log('\ntime of 10,000 apps / time of 1,000 apps (linear: 10), ours and by hand:');
  const growth = (times: Record<number, number>) => ((times[10000] * 10000) / (times[1000] * 1000)).toFixed(2);
  for (const construct of Object.keys(perApp)) {
    console.log(`  ${construct}: ${growth(perApp[construct])}, by hand ${growth(perAppByHand[construct])}`);
  }
}
