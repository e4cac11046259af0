// Times `npx cdk8s synth` of the examples as this project runs it (tsx, no type-check), against the
// same app run with ts-node as a fresh `cdk8s init typescript-app` project does (`npx ts-node main.ts`,
// which type-checks on every synth).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.env.SYNTH_RUNS ?? 5);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-time-'));

// ts-node does not apply tsconfig `paths` at run time, so its copy imports the source by path.
const main = fs.readFileSync(path.join(root, 'examples', 'main.ts'), 'utf8')
  .replace("from 'cdk8s-deployment-strategies'", `from '${path.join(root, 'lib', 'index')}'`);
fs.writeFileSync(path.join(root, 'examples', '.synth-time-main.ts'), main);

function time(app: string | undefined): number {
  const args = ['cdk8s', 'synth', '--output', path.join(work, 'dist'), ...(app ? ['--app', app] : [])];
  const start = process.hrtime.bigint();
  execFileSync('npx', args, { cwd: root, stdio: 'ignore', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

try {
  const tsx: number[] = [];
  const tsNode: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    tsx.push(time(undefined));
    tsNode.push(time('npx ts-node --project test/tsconfig.json examples/.synth-time-main.ts'));
  }
  console.log(`npx cdk8s synth of the examples, median of ${RUNS}, alternating:`);
  console.log(`  tsx (cdk8s.yaml):         ${median(tsx).toFixed(2)} s`);
  console.log(`  ts-node (cdk8s init's):   ${median(tsNode).toFixed(2)} s`);
} finally {
  fs.rmSync(path.join(root, 'examples', '.synth-time-main.ts'), { force: true });
  fs.rmSync(work, { recursive: true, force: true });
}
