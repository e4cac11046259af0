// What the property tests share: generators of valid props for every construct, and the helpers
// that synthesize them and check a phase, a move through the release gate, or an injected hazard.
import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  AppProps, AutoscalingProps, BlueGreenApp, BlueGreenAppProps, CanaryApp, CanaryAppProps, DisruptionBudget,
  PodSecurityLevel, RampedApp, RampedAppProps, RecreateApp, ReleaseDiff, RollingUpdateProps,
  ServedAppProps, Slot, VariantProps,
} from '../../lib';
import { matches } from '../../lib/checks/chart-checks';
import { podSecurityViolations } from '../../lib/checks/workload-checks';
import { Manifest, newChart, objectSet, synth } from '../util';

/** Runs per property; CI runs these at least 1,000 times per construct. */
export const RUNS = 1000;

// --- generators of valid props -------------------------------------------------------------------

export const name = fc.stringMatching(/^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/);
export const version = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,40}[A-Za-z0-9])?$/);
export const tag = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/).filter(t => /[A-Za-z0-9]$/.test(t));
export const variant: fc.Arbitrary<VariantProps> = fc.record({
  image: fc.tuple(name, tag).map(([repository, t]) => `registry.example.com/${repository}:${t}`),
  version: fc.option(version, { nil: undefined }),
}, { requiredKeys: ['image'] });
export const port = fc.integer({ min: 1, max: 65535 });

export const percentOrAbsolute = (maxPercent: number) => fc.oneof(
  fc.integer({ min: 0, max: 20 }).map(n => kplus.PercentOrAbsolute.absolute(n)),
  fc.integer({ min: 0, max: maxPercent }).map(n => kplus.PercentOrAbsolute.percent(n)),
);
export const rolling: fc.Arbitrary<RollingUpdateProps> = fc.record({
  maxSurge: fc.option(percentOrAbsolute(300), { nil: undefined }),
  maxUnavailable: fc.option(percentOrAbsolute(100), { nil: undefined }),
}).filter(r => !(r.maxSurge?.isZero() && r.maxUnavailable?.isZero()));

export const probe = (p: number) => fc.constantFrom(
  undefined,
  kplus.Probe.fromTcpSocket({ port: p }),
  kplus.Probe.fromHttpGet('/healthz', { port: p }),
  kplus.Probe.fromCommand(['cat', '/tmp/ready']),
);

export const common: fc.Arbitrary<ServedAppProps> = fc.record({
  name, port, replicas: fc.integer({ min: 0, max: 50 }),
  servicePort: fc.option(port, { nil: undefined }),
  wait: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
  minReady: fc.integer({ min: 0, max: 100 }),
  revisionHistoryLimit: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
  changeCause: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  metricsPort: fc.option(port, { nil: undefined }),
  pod: fc.boolean(),
  podSecurity: fc.option(fc.constantFrom(...Object.values(PodSecurityLevel)), { nil: undefined }),
  // Only budgets that allow a disruption at any pod count: minAvailable is refused where it blocks.
  disruptionBudget: fc.option(fc.oneof(
    fc.integer({ min: 1, max: 5 }).map(n => DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.absolute(n))),
    fc.integer({ min: 1, max: 100 }).map(n => DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.percent(n))),
    fc.constant(DisruptionBudget.none()),
  ), { nil: undefined }),
  spread: fc.option(fc.boolean(), { nil: undefined }),
  startupLimit: fc.option(fc.integer({ min: 1, max: 3600 }).map(n => Duration.seconds(n)), { nil: undefined }),
}).chain(c => probe(c.port).map(readiness => ({
  name: c.name,
  port: c.port,
  replicas: c.replicas,
  servicePort: c.servicePort,
  readiness,
  preStopWait: c.wait === undefined ? undefined : Duration.seconds(c.wait),
  terminationGracePeriod: c.wait === undefined ? undefined : Duration.seconds(c.wait + 10),
  minReady: Duration.seconds(c.minReady),
  progressDeadline: Duration.seconds(c.minReady + 600),
  revisionHistoryLimit: c.revisionHistoryLimit,
  changeCause: c.changeCause,
  ports: c.metricsPort === undefined || c.metricsPort === c.port ? undefined : [{ name: 'metrics', number: c.metricsPort }],
  ...(c.pod ? {
    podAnnotations: { 'prometheus.io/scrape': 'true', 'checksum/config': c.name },
    podLabels: { tier: 'backend' },
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [kplus.NodeTaintQuery.exists('dedicated')],
    sidecars: [{ name: 'shipper', image: 'registry.example.com/ops/shipper:3.1.0' }],
  } : {}),
  podSecurity: c.podSecurity,
  disruptionBudget: c.disruptionBudget,
  spread: c.spread,
  startupLimit: c.startupLimit,
})));

/** Recreate and ramped props; some are workers without a port, and so without a Service. */
export const appProps: fc.Arbitrary<AppProps> = fc.tuple(common, variant, fc.boolean()).map(([c, v, worker]) => (worker
  ? { ...c, ...v, port: undefined, servicePort: undefined, readiness: kplus.Probe.fromCommand(['cat', '/tmp/ready']) }
  : { ...c, ...v }));
export const rampedProps: fc.Arbitrary<RampedAppProps> = fc.tuple(appProps, rolling).map(([a, r]) => ({ ...a, ...r }));

export const blueGreenProps: fc.Arbitrary<BlueGreenAppProps> = fc.tuple(common, rolling, variant, variant,
  fc.constantFrom(Slot.BLUE, Slot.GREEN), fc.boolean(), fc.integer({ min: 0, max: 50 }))
  .map(([c, r, blue, green, activeSlot, preview, idle]) => ({
    ...c, ...r, blue, green, activeSlot,
    // Nothing to preview when both slots run the same version: then no preview.
    preview: preview && blue.image !== green.image,
    idleReplicas: Math.min(idle, c.replicas ?? 2),
  }));

/** Canary props whose weight is reachable: the canary's pods, or a weight with a tolerance that fits. */
export const canaryProps: fc.Arbitrary<CanaryAppProps> = fc.tuple(common, rolling, variant, variant,
  fc.integer({ min: 2, max: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean())
  .map(([c, r, stable, canary, replicas, share, byReplicas]) => {
    const canaryReplicas = Math.round(share * replicas);
    return byReplicas
      ? { ...c, ...r, replicas, stable, canary, canaryReplicas }
      : { ...c, ...r, replicas, stable, canary, canaryWeight: (100 * canaryReplicas) / (replicas + canaryReplicas) };
  });

/** Autoscaling props: minReplicas up to 20, maxReplicas up to 20 more, utilization targets or none. */
export const autoscaling: fc.Arbitrary<AutoscalingProps> = fc.record({
  minReplicas: fc.integer({ min: 1, max: 20 }),
  extra: fc.integer({ min: 0, max: 20 }),
  cpuUtilization: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
  memoryUtilization: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
}).map(a => ({
  minReplicas: a.minReplicas,
  maxReplicas: a.minReplicas + a.extra,
  cpuUtilization: a.cpuUtilization,
  memoryUtilization: a.memoryUtilization,
}));

// --- helpers -----------------------------------------------------------------------------------

export type Build<P> = (chart: Chart, props: P) => unknown;

/**
 * The synthesized manifests after the built-in checks and the schema validation (`synth` does both),
 * checked for what production clusters enforce.
 */
export function manifestsOf<P>(build: Build<P>, props: P): Manifest[] {
  const chart = newChart();
  build(chart, props);
  const manifests = synth(chart);
  expectProductionReady(manifests, (props as ServedAppProps).podSecurity ?? PodSecurityLevel.RESTRICTED);
  return manifests;
}

/**
 * expect(actual).toStrictEqual(expected) for plain JSON data (strings, numbers, booleans, null,
 * arrays and plain objects, with no undefined, NaN or -0, as in synthesized manifests), calling
 * expect() only when their JSON differs. expect() builds all its matchers and captures a stack
 * trace on every call, about 35 µs, more than the checks of a phase cost, and the property tests
 * check every phase of every run. For such data equal JSON is equal values; any difference goes
 * through expect, which passes (the same values, keys in another order) or fails with its diff.
 */
export function expectJsonEqual(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toStrictEqual(expected);
}

/**
 * The manifests of each phase, as `manifestsOf` makes them; a phase given more than once (the same
 * props object, as when a release step goes back to an earlier one) is synthesized once.
 */
export function manifestsOfPhases<P>(build: Build<P>, phases: P[]): Manifest[][] {
  const synthesized = new Map<P, Manifest[]>();
  return phases.map(phase => {
    let manifests = synthesized.get(phase);
    if (manifests === undefined) {
      manifests = manifestsOf(build, phase);
      synthesized.set(phase, manifests);
    }
    return manifests;
  });
}

/**
 * Every pod meets the Pod Security level, no two PodDisruptionBudgets select the same pods, and a
 * Deployment with an autoscaler has no `spec.replicas`.
 */
export function expectProductionReady(manifests: Manifest[], level: PodSecurityLevel): void {
  const deployments = manifests.filter(m => m.kind === 'Deployment');
  const budgets = manifests.filter(m => m.kind === 'PodDisruptionBudget');
  const autoscaled = manifests.filter(m => m.kind === 'HorizontalPodAutoscaler').map(m => m.spec.scaleTargetRef.name);
  // One assertion for all of them: the run calls this for every phase.
  expectJsonEqual(deployments.flatMap(deployment => {
    const id = `Deployment ${deployment.metadata.name}`;
    const budgetCount = budgets.filter(b => matches(b.spec.selector, deployment.spec.template.metadata.labels)).length;
    return [
      ...podSecurityViolations(deployment.spec.template.spec, level, id),
      ...(budgetCount > 1 ? [`${id}: ${budgetCount} PodDisruptionBudgets select its pods`] : []),
      ...(autoscaled.includes(deployment.metadata.name) && 'replicas' in deployment.spec
        ? [`${id}: has an autoscaler and spec.replicas ${JSON.stringify(deployment.spec.replicas)}`] : []),
    ];
  }), []);
}

export function selectors(manifests: Manifest[]): Record<string, unknown> {
  return Object.fromEntries(manifests.filter(m => m.kind === 'Deployment').map(m => [m.metadata.name, m.spec.selector]));
}

/** The set of objects and every Deployment's selector: what each phase of a release keeps. */
export function shapeOf(manifests: Manifest[]): { objects: string[]; selectors: Record<string, unknown> } {
  return { objects: objectSet(manifests), selectors: selectors(manifests) };
}

/** The next phase keeps the set of objects and every Deployment selector. */
export function expectSameShape(before: Manifest[], after: Manifest[]): void {
  expectJsonEqual(shapeOf(after), shapeOf(before));
}

/** Every phase keeps the set of objects and every Deployment selector of `before` (one assertion for all). */
export function expectSameShapes(before: Manifest[], phases: Manifest[][]): void {
  const shape = shapeOf(before);
  expectJsonEqual(phases.map(shapeOf), phases.map(() => shape));
}

/** The codes the gate finds in the move from `before` to `after`, with their severity. */
export function gate(before: Manifest[], after: Manifest[]): string[] {
  return ReleaseDiff.between(before, after).findings.map(f => `${f.severity} ${f.code}`);
}

/** Every move of `phases`, one after the other, passes the gate: no finding in any move. */
export function expectGatePasses(phases: Manifest[][]): void {
  const moves = phases.slice(1);
  expectJsonEqual(moves.map((after, i) => gate(phases[i], after)), moves.map(() => []));
}

/** The phases keep the objects, each Deployment has its autoscaler and no replicas, and each move passes the gate. */
export function expectAutoscaledPhases(phases: Manifest[][]): void {
  expectSameShapes(phases[0], phases);
  const names = (manifests: Manifest[]) => manifests.map(m => m.metadata.name).sort();
  const targets = (manifests: Manifest[]) => manifests.map(m => m.spec.scaleTargetRef.name).sort();
  expectJsonEqual(phases.map(phase => targets(phase.filter(m => m.kind === 'HorizontalPodAutoscaler'))),
    phases.map(phase => names(phase.filter(m => m.kind === 'Deployment'))));
  expectGatePasses(phases);
}

/** The manifests with the named Deployment running an image and version nobody ran. */
export function withUnseenVersion(manifests: Manifest[], deployment: string): Manifest[] {
  return manifests.map(m => {
    if (m.kind !== 'Deployment' || m.metadata.name !== deployment) return m;
    const changed = JSON.parse(JSON.stringify(m));
    changed.spec.template.spec.containers[0].image = 'registry.example.com/unseen:0.0.0-unseen';
    changed.spec.template.metadata.labels['app.kubernetes.io/version'] = '0.0.0-unseen';
    return changed;
  });
}

/** The manifests with a label added to every Deployment's selector and pod template. */
export function withSelectorChanged(manifests: Manifest[]): Manifest[] {
  return manifests.map(m => {
    if (m.kind !== 'Deployment') return m;
    const changed = JSON.parse(JSON.stringify(m));
    changed.spec.selector.matchLabels.tier = 'web';
    changed.spec.template.metadata.labels.tier = 'web';
    return changed;
  });
}

export const recreate: Build<AppProps> = (chart, props) => new RecreateApp(chart, 'app', props);
export const ramped: Build<RampedAppProps> = (chart, props) => new RampedApp(chart, 'app', props);
export const blueGreen: Build<BlueGreenAppProps> = (chart, props) => new BlueGreenApp(chart, 'app', props);
export const canaryApp: Build<CanaryAppProps> = (chart, props) => new CanaryApp(chart, 'app', props);
