// The consumer test: packs the library as npm would publish it, installs the tarball into a fresh
// cdk8s TypeScript project (laid out as `cdk8s init typescript-app` does, which itself needs the
// network to import Kubernetes types), compiles the README's example there, synthesizes it with
// `npx cdk8s synth`, and checks the manifests. Only the npm registry is used.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadAll } from 'js-yaml';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
  });
}

function fail(message: string): never {
  console.error(`consumer test failed: ${message}`);
  process.exit(1);
}

/** What the tarball must and must not hold. */
function checkTarball(files: string[]): void {
  const sources = (fs.readdirSync(path.join(root, 'lib'), { recursive: true }) as string[])
    .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const required = ['package.json', 'README.md', 'LICENSE', 'API.md', '.jsii',
    ...sources.flatMap(f => [`lib/${f.replace(/\.ts$/, '.js')}`, `lib/${f.replace(/\.ts$/, '.d.ts')}`])];
  const missing = required.filter(f => !files.includes(f));
  if (missing.length) fail(`the tarball misses ${missing.join(', ')}`);
  // The YAML parser of the diff command ships inside the package (bundleDependencies), with its
  // own dependency, as jsii packages carry their dependencies that are not jsii modules.
  if (!files.includes('node_modules/js-yaml/package.json')) fail('the tarball does not bundle js-yaml, which the diff command needs');
  const bundled = ['node_modules/js-yaml/', 'node_modules/argparse/'];
  const allowed = (f: string) => required.includes(f) || bundled.some(b => f.startsWith(b));
  const extra = files.filter(f => !allowed(f));
  if (extra.length) fail(`the tarball ships files it should not: ${extra.join(', ')}`);
}

/** The first TypeScript block of the README: the example every user starts from. */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!block) fail('README.md has no ```ts block');
  return block[1];
}

function main(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-deployment-strategies-consumer-'));
  try {
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root));
    checkTarball(packed.files.map((f: { path: string }) => f.path));
    console.log(`packed ${packed.filename}: ${packed.files.length} files, ${packed.size} bytes`);

    const project = path.join(work, 'app');
    fs.mkdirSync(project);
    const dev = pkg.devDependencies;
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({
      name: 'consumer', version: '0.0.0', private: true,
      dependencies: {
        'cdk8s-deployment-strategies': `file:${path.join(work, packed.filename)}`,
        'cdk8s': dev.cdk8s, 'cdk8s-plus-27': dev['cdk8s-plus-27'], 'constructs': dev.constructs,
      },
      devDependencies: {
        'cdk8s-cli': dev['cdk8s-cli'], 'typescript': dev.typescript, 'ts-node': dev['ts-node'], '@types/node': dev['@types/node'],
      },
    }, null, 2));
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2020', module: 'commonjs', lib: ['es2020'], strict: true, declaration: false,
        esModuleInterop: true, skipLibCheck: false, types: ['node'],
      },
      include: ['main.ts'],
    }, null, 2));
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'language: typescript\napp: npx ts-node main.ts\n');
    fs.writeFileSync(path.join(project, 'main.ts'), readmeExample());

    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], project);
    // The README states the versions a consumer app was last built with: say which they are.
    const installed = (name: string) => JSON.parse(fs.readFileSync(path.join(project, 'node_modules', name, 'package.json'), 'utf8')).version;
    console.log(`consumer project: Node.js ${process.versions.node}, TypeScript ${installed('typescript')}, `
      + `ts-node ${installed('ts-node')}, cdk8s-cli ${installed('cdk8s-cli')}, cdk8s ${installed('cdk8s')}, `
      + `cdk8s-plus-27 ${installed('cdk8s-plus-27')}`);
    try {
      run('npx', ['tsc', '--noEmit', '-p', '.'], project);
    } catch (e) {
      fail(`the README example does not compile against the package:\n${(e as { stdout: string }).stdout}`);
    }
    run('npx', ['cdk8s', 'synth'], project);

    const manifests = fs.readdirSync(path.join(project, 'dist'))
      .flatMap(f => loadAll(fs.readFileSync(path.join(project, 'dist', f), 'utf8')) as any[]);
    const objects = manifests.map(m => `${m.kind}/${m.metadata.name}`).sort();
    const expected = [
      'Deployment/shop-api-blue', 'Deployment/shop-api-green', 'Deployment/shop-consumer', 'Deployment/shop-search',
      'Deployment/shop-search-canary', 'Deployment/shop-web', 'Deployment/shop-worker',
      // One budget per Deployment, by default.
      'PodDisruptionBudget/shop-api-blue', 'PodDisruptionBudget/shop-api-green', 'PodDisruptionBudget/shop-consumer',
      'PodDisruptionBudget/shop-search', 'PodDisruptionBudget/shop-search-canary', 'PodDisruptionBudget/shop-web',
      'PodDisruptionBudget/shop-worker',
      'Service/shop-api', 'Service/shop-api-preview', 'Service/shop-search', 'Service/shop-web', 'Service/shop-worker',
    ];
    if (JSON.stringify(objects) !== JSON.stringify(expected)) {
      fail(`cdk8s synth made ${objects.join(', ')}; expected ${expected.join(', ')}`);
    }
    const strategy = (name: string) => manifests.find(m => m.kind === 'Deployment' && m.metadata.name === name).spec.strategy.type;
    if (strategy('shop-worker') !== 'Recreate' || strategy('shop-web') !== 'RollingUpdate') {
      fail('the Recreate and RollingUpdate strategies are not where the README puts them');
    }
    const planned = JSON.parse(run('npx', ['cdk8s-deployment-strategies', 'plan', '--replicas', '4', '--max-unavailable', '0', '--json'], project));
    if (planned.maxTotal !== 5 || planned.steps[planned.steps.length - 1].newReplicas !== 4) {
      fail(`the installed plan command printed ${JSON.stringify(planned).slice(0, 200)}`);
    }
    const canary = manifests.find(m => m.metadata.name === 'shop-search-canary');
    if (canary.spec.replicas !== 1) fail(`the canary runs ${canary.spec.replicas} pods; the README says 1 of 10`);

    // The gate as a pipeline runs it: dist/ against itself passes (exit 0), and a stable track
    // changed to a version that no canary ran is blocked (exit 1).
    const gate = (args: string[]) => execFileSync('npx', ['cdk8s-deployment-strategies', 'diff', ...args],
      { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    gate(['dist', 'dist']);
    const promoted = manifests.map(m => (m.kind === 'Deployment' && m.metadata.name === 'shop-search'
      ? { ...m, spec: { ...m.spec, template: { ...m.spec.template, spec: { ...m.spec.template.spec,
        containers: [{ ...m.spec.template.spec.containers[0], image: 'registry.example.com/shop/search:9.9.9' }] } } } }
      : m));
    fs.writeFileSync(path.join(project, 'promoted.yaml'), promoted.map(m => JSON.stringify(m)).join('\n---\n'));
    try {
      gate(['dist', 'promoted.yaml', '--json']);
      fail('diff let a promotion of a version no canary ran through');
    } catch (e) {
      const { status, stdout } = e as { status: number; stdout: string };
      const findings = status === 1 ? JSON.parse(stdout).findings : [];
      if (!findings.some((f: { code: string }) => f.code === 'unverified-promotion')) {
        fail(`diff exited ${status} with ${stdout.slice(0, 300)}; expected exit 1 with unverified-promotion`);
      }
    }
    console.log(`the README example compiles and synthesizes ${objects.length} objects from the packed library, `
      + 'and the installed diff command passes dist against itself and blocks an unverified promotion');
    console.log('consumer: 1 passed, 0 failed');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
