// Times `npx cdk8s synth` of the examples, and where its time goes: cdk8s-cli's own start-up, and
// our part, the `app` command of cdk8s.yaml (node with tsx, the library, the examples' synthesis),
// run on its own. Also the same app run with ts-node as a fresh `cdk8s init typescript-app`
// project does (`npx ts-node main.ts`, which type-checks on every synth). `--quick`: 3 runs.
import { execFileSync, execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.env.SYNTH_RUNS ?? (process.argv.includes('--quick') ? 3 : 5));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-time-'));
const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false', CDK8S_OUTDIR: path.join(work, 'app') };
const app = /^app: (.+)$/m.exec(fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8'))![1];

// ts-node does not apply tsconfig `paths` at run time, so its copy imports the source by path.
const main = fs.readFileSync(path.join(root, 'examples', 'main.ts'), 'utf8')
  .replace("from 'cdk8s-deployment-strategies'", `from '${path.join(root, 'lib', 'index')}'`);
fs.writeFileSync(path.join(root, 'examples', '.synth-time-main.ts'), main);

function seconds(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function synth(appCommand?: string): number {
  const args = ['cdk8s', 'synth', '--output', path.join(work, 'dist'), ...(appCommand ? ['--app', appCommand] : [])];
  return seconds(() => execFileSync('npx', args, { cwd: root, stdio: 'ignore', env }));
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

try {
  const times: Record<string, number[]> = { cdk8s: [], app: [], cli: [], tsNode: [] };
  for (let i = 0; i < RUNS; i++) {
    times.cdk8s.push(synth());
    times.app.push(seconds(() => execSync(app, { cwd: root, stdio: 'ignore', env })));
    times.cli.push(seconds(() => execFileSync('npx', ['cdk8s', '--version'], { cwd: root, stdio: 'ignore', env })));
    times.tsNode.push(synth('npx ts-node --project test/tsconfig.json examples/.synth-time-main.ts'));
  }
  console.log(`median of ${RUNS}, alternating:`);
  console.log(`  npx cdk8s synth (cdk8s.yaml):                ${median(times.cdk8s).toFixed(2)} s`);
  console.log(`    of it, the app command alone:              ${median(times.app).toFixed(2)} s  (${app})`);
  console.log(`    npx cdk8s --version (the CLI's start-up):  ${median(times.cli).toFixed(2)} s`);
  console.log(`  npx cdk8s synth, app run by npx ts-node:     ${median(times.tsNode).toFixed(2)} s  (as cdk8s init sets it up)`);
} finally {
  fs.rmSync(path.join(root, 'examples', '.synth-time-main.ts'), { force: true });
  fs.rmSync(work, { recursive: true, force: true });
}
