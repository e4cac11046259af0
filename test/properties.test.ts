// Release-phase invariants over generated props: every valid input synthesizes schema-valid objects
// that pass the built-in checks, every next phase of a release keeps the objects and selectors,
// every documented move passes the release gate while each injected hazard is caught, and every
// invalid input is refused with the construct's error.
import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  ABTestApp, ABTestAppProps, AppProps, AutoscalingProps, BlueGreenApp, BlueGreenAppProps, CanaryApp, CanaryAppProps,
  DisruptionBudget, PodSecurityLevel, RampedApp, RampedAppProps, RecreateApp, ReleaseDiff, RequestMatch, RollingUpdatePlan,
  RollingUpdateProps, ServedAppProps, ShadowApp, ShadowAppProps, Slot,
  TrafficRouter, VariantProps,
} from '../lib';
import { matches } from '../lib/checks/chart-checks';
import { podSecurityViolations } from '../lib/checks/workload-checks';
import { Manifest, newChart, objectSet, synth } from './util';

/** Runs per property; CI runs these at least 1,000 times per construct. */
const RUNS = 1000;

// --- generators of valid props -------------------------------------------------------------------

const name = fc.stringMatching(/^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/);
const version = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,40}[A-Za-z0-9])?$/);
const tag = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/).filter(t => /[A-Za-z0-9]$/.test(t));
const variant: fc.Arbitrary<VariantProps> = fc.record({
  image: fc.tuple(name, tag).map(([repository, t]) => `registry.example.com/${repository}:${t}`),
  version: fc.option(version, { nil: undefined }),
}, { requiredKeys: ['image'] });
const port = fc.integer({ min: 1, max: 65535 });

const percentOrAbsolute = (maxPercent: number) => fc.oneof(
  fc.integer({ min: 0, max: 20 }).map(n => kplus.PercentOrAbsolute.absolute(n)),
  fc.integer({ min: 0, max: maxPercent }).map(n => kplus.PercentOrAbsolute.percent(n)),
);
const rolling: fc.Arbitrary<RollingUpdateProps> = fc.record({
  maxSurge: fc.option(percentOrAbsolute(300), { nil: undefined }),
  maxUnavailable: fc.option(percentOrAbsolute(100), { nil: undefined }),
}).filter(r => !(r.maxSurge?.isZero() && r.maxUnavailable?.isZero()));

const probe = (p: number) => fc.constantFrom(
  undefined,
  kplus.Probe.fromTcpSocket({ port: p }),
  kplus.Probe.fromHttpGet('/healthz', { port: p }),
  kplus.Probe.fromCommand(['cat', '/tmp/ready']),
);

const common: fc.Arbitrary<ServedAppProps> = fc.record({
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
const appProps: fc.Arbitrary<AppProps> = fc.tuple(common, variant, fc.boolean()).map(([c, v, worker]) => (worker
  ? { ...c, ...v, port: undefined, servicePort: undefined, readiness: kplus.Probe.fromCommand(['cat', '/tmp/ready']) }
  : { ...c, ...v }));
const rampedProps: fc.Arbitrary<RampedAppProps> = fc.tuple(appProps, rolling).map(([a, r]) => ({ ...a, ...r }));

const blueGreenProps: fc.Arbitrary<BlueGreenAppProps> = fc.tuple(common, rolling, variant, variant,
  fc.constantFrom(Slot.BLUE, Slot.GREEN), fc.boolean(), fc.integer({ min: 0, max: 50 }))
  .map(([c, r, blue, green, activeSlot, preview, idle]) => ({
    ...c, ...r, blue, green, activeSlot,
    // Nothing to preview when both slots run the same version: then no preview.
    preview: preview && blue.image !== green.image,
    idleReplicas: Math.min(idle, c.replicas ?? 2),
  }));

/** Canary props whose weight is reachable: the canary's pods, or a weight with a tolerance that fits. */
const canaryProps: fc.Arbitrary<CanaryAppProps> = fc.tuple(common, rolling, variant, variant,
  fc.integer({ min: 2, max: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean())
  .map(([c, r, stable, canary, replicas, share, byReplicas]) => {
    const canaryReplicas = Math.round(share * replicas);
    return byReplicas
      ? { ...c, ...r, replicas, stable, canary, canaryReplicas }
      : { ...c, ...r, replicas, stable, canary, canaryWeight: (100 * canaryReplicas) / (replicas + canaryReplicas) };
  });

// --- helpers -----------------------------------------------------------------------------------

type Build<P> = (chart: Chart, props: P) => unknown;

/**
 * The synthesized manifests after the built-in checks and the schema validation (`synth` does both),
 * checked for what production clusters enforce.
 */
function manifestsOf<P>(build: Build<P>, props: P): Manifest[] {
  const chart = newChart();
  build(chart, props);
  const manifests = synth(chart);
  expectProductionReady(manifests, (props as ServedAppProps).podSecurity ?? PodSecurityLevel.RESTRICTED);
  return manifests;
}

/**
 * Every pod meets the Pod Security level, no two PodDisruptionBudgets select the same pods, and a
 * Deployment with an autoscaler has no `spec.replicas`.
 */
function expectProductionReady(manifests: Manifest[], level: PodSecurityLevel): void {
  const deployments = manifests.filter(m => m.kind === 'Deployment');
  const budgets = manifests.filter(m => m.kind === 'PodDisruptionBudget');
  const autoscaled = manifests.filter(m => m.kind === 'HorizontalPodAutoscaler').map(m => m.spec.scaleTargetRef.name);
  for (const deployment of deployments) {
    const id = `Deployment ${deployment.metadata.name}`;
    expect(podSecurityViolations(deployment.spec.template.spec, level, id)).toEqual([]);
    expect(budgets.filter(b => matches(b.spec.selector, deployment.spec.template.metadata.labels)).length).toBeLessThanOrEqual(1);
    if (autoscaled.includes(deployment.metadata.name)) expect(deployment.spec).not.toHaveProperty('replicas');
  }
}

function selectors(manifests: Manifest[]): Record<string, unknown> {
  return Object.fromEntries(manifests.filter(m => m.kind === 'Deployment').map(m => [m.metadata.name, m.spec.selector]));
}

/** The next phase keeps the set of objects and every Deployment selector. */
function expectSameShape(before: Manifest[], after: Manifest[]): void {
  expect(objectSet(after)).toEqual(objectSet(before));
  expect(selectors(after)).toStrictEqual(selectors(before));
}

/** The codes the gate finds in the move from `before` to `after`, with their severity. */
function gate(before: Manifest[], after: Manifest[]): string[] {
  return ReleaseDiff.between(before, after).findings.map(f => `${f.severity} ${f.code}`);
}

/** Every move of `phases`, one after the other, passes the gate. */
function expectGatePasses(phases: Manifest[][]): void {
  for (let i = 1; i < phases.length; i++) {
    expect(gate(phases[i - 1], phases[i])).toEqual([]);
  }
}

/** The manifests with the named Deployment running an image and version nobody ran. */
function withUnseenVersion(manifests: Manifest[], deployment: string): Manifest[] {
  return manifests.map(m => {
    if (m.kind !== 'Deployment' || m.metadata.name !== deployment) return m;
    const changed = JSON.parse(JSON.stringify(m));
    changed.spec.template.spec.containers[0].image = 'registry.example.com/unseen:0.0.0-unseen';
    changed.spec.template.metadata.labels['app.kubernetes.io/version'] = '0.0.0-unseen';
    return changed;
  });
}

/** The manifests with a label added to every Deployment's selector and pod template. */
function withSelectorChanged(manifests: Manifest[]): Manifest[] {
  return manifests.map(m => {
    if (m.kind !== 'Deployment') return m;
    const changed = JSON.parse(JSON.stringify(m));
    changed.spec.selector.matchLabels.tier = 'web';
    changed.spec.template.metadata.labels.tier = 'web';
    return changed;
  });
}

/** Pods of `replicas` the rolling update keeps available. */
function keptAvailable(props: RollingUpdateProps & { replicas?: number }): number {
  const replicas = props.replicas ?? 2;
  return replicas === 0 ? 0 : replicas - Math.min(RollingUpdatePlan.resolve({ ...props, replicas }).maxUnavailable, replicas);
}

const recreate: Build<AppProps> = (chart, props) => new RecreateApp(chart, 'app', props);
const ramped: Build<RampedAppProps> = (chart, props) => new RampedApp(chart, 'app', props);
const blueGreen: Build<BlueGreenAppProps> = (chart, props) => new BlueGreenApp(chart, 'app', props);
const canaryApp: Build<CanaryAppProps> = (chart, props) => new CanaryApp(chart, 'app', props);

// --- valid inputs and release phases -------------------------------------------------------------

describe('valid props synthesize valid, checked manifests, and every next phase keeps the objects and selectors', () => {
  test('RecreateApp: a new version, which the gate only warns about', () => {
    fc.assert(fc.property(appProps, variant, (props, next) => {
      const before = manifestsOf(recreate, props);
      const after = manifestsOf(recreate, { ...props, ...next });
      expectSameShape(before, after);
      expect(gate(before, after).filter(f => !f.startsWith('warn recreate-downtime'))).toEqual([]);
    }), { numRuns: RUNS });
  });

  test('RampedApp: a new version, and a rollback', () => {
    fc.assert(fc.property(rampedProps, variant, (props, next) => {
      const before = manifestsOf(ramped, props);
      const after = manifestsOf(ramped, { ...props, ...next });
      expectSameShape(before, after);
      expect(manifestsOf(ramped, props)).toStrictEqual(before);
      expectGatePasses([before, after, before]);
      expect(gate(before, withSelectorChanged(after))).toContain('block selector-changed');
    }), { numRuns: RUNS });
  });

  test('RampedApp: the strategy written into the Deployment resolves as the planner says, and the plan ends all-new', () => {
    fc.assert(fc.property(rampedProps, props => {
      const chart = newChart();
      const app = new RampedApp(chart, 'app', props);
      const { rollingUpdate } = synth(chart)[0].spec.strategy;
      const asWritten = (value: number | string) => (typeof value === 'number'
        ? kplus.PercentOrAbsolute.absolute(value) : kplus.PercentOrAbsolute.percent(parseInt(value, 10)));
      const plan = app.plan();
      expect(RollingUpdatePlan.resolve({
        replicas: app.replicas,
        maxSurge: asWritten(rollingUpdate.maxSurge),
        maxUnavailable: asWritten(rollingUpdate.maxUnavailable),
      })).toEqual({ maxSurge: plan.maxSurge, maxUnavailable: plan.maxUnavailable });
      expect(plan.steps[plan.steps.length - 1]).toMatchObject({ oldReplicas: 0, newReplicas: app.replicas });
    }), { numRuns: RUNS });
  });

  test('BlueGreenApp: the README\'s steps, each through the gate, and the hazards it catches', () => {
    const nextVersion = (props: BlueGreenAppProps) =>
      variant.filter(v => v.image !== props.blue!.image && v.image !== props.green!.image);
    fc.assert(fc.property(blueGreenProps.chain(props => fc.tuple(fc.constant(props), nextVersion(props))), ([props, next]) => {
      const idle = props.activeSlot === Slot.BLUE ? 'green' : 'blue';
      const other = props.activeSlot === Slot.BLUE ? Slot.GREEN : Slot.BLUE;
      const ready = { ...props, idleReplicas: undefined };
      const deployed = { ...ready, [idle]: next };
      const switched = { ...deployed, activeSlot: other };
      const scaledDown = { ...switched, idleReplicas: 0 };
      const rolledBack = { ...switched, activeSlot: props.activeSlot };
      const [before, readied, afterDeploy, afterSwitch, afterScaleDown, afterRollback] =
        [props, ready, deployed, switched, scaledDown, rolledBack].map(phase => manifestsOf(blueGreen, phase));
      for (const phase of [readied, afterDeploy, afterSwitch, afterScaleDown, afterRollback]) {
        expectSameShape(before, phase);
      }
      // The steps in order: the idle slot back to replicas, deploy, switch, scale the idle slot
      // down and back up, and roll back to the slot that still runs.
      expectGatePasses([before, readied, afterDeploy, afterSwitch, afterScaleDown, afterSwitch, afterRollback]);
      // The first release, with nothing in the idle slot: the same Deployments and selectors, and
      // putting the version there is a move like any deploy to the idle slot.
      const firstRelease = manifestsOf(blueGreen, { ...props, [idle]: undefined, idleReplicas: undefined, preview: undefined });
      expect(objectSet(firstRelease)).toEqual(objectSet(before).filter(o => o !== `Service/${props.name}-preview`));
      expect(selectors(firstRelease)).toEqual(selectors(before));
      expectGatePasses([firstRelease, readied]);

      const name = props.name!;
      expect(gate(afterDeploy, withUnseenVersion(afterSwitch, `${name}-${idle}`))).toContain('block unverified-switch');
      expect(gate(afterSwitch, withUnseenVersion(afterSwitch, `${name}-${idle}`))).toContain('block live-template-changed');
      expect(gate(afterSwitch, withSelectorChanged(afterSwitch))).toContain('block selector-changed');
      // Back to the slot that was scaled to 0, in one apply: no pod of it is ready.
      const toZero = ReleaseDiff.between(afterScaleDown, afterRollback);
      const live = toZero.services.find(s => s.name === name)!;
      expect(live.during).toBe(0);
      const floor = keptAvailable(props);
      expect(live.floor).toBe(floor);
      expect(toZero.findings.some(f => f.code === 'capacity-drop')).toBe(floor > 0);
    }), { numRuns: RUNS });
  });

  test('CanaryApp: raising and lowering the weight through 50%, promotion and abort pass the gate; an unseen promotion does not', () => {
    const weight = fc.tuple(fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }));
    fc.assert(fc.property(canaryProps, weight, (props, [above, share]) => {
      const replicas = props.replicas!;
      // An exact weight: up to 50% the canary's pods beside replicas stable ones, above it the
      // stable track's pods beside replicas canary ones.
      const smaller = Math.round(share * replicas);
      const canaryWeight = above ? (100 * replicas) / (replicas + smaller) : (100 * smaller) / (replicas + smaller);
      const phase = (change: Partial<CanaryAppProps>) => ({ ...props, canaryReplicas: undefined, ...change });
      const [before, half, raised, promoted, aborted] = [
        props, phase({ canaryWeight: 50 }), phase({ canaryWeight }), phase({ stable: props.canary!, canaryWeight: 0 }),
        phase({ canaryWeight: 0 }),
      ].map(p => manifestsOf(canaryApp, p));
      for (const p of [half, raised, promoted, aborted]) {
        expectSameShape(before, p);
      }
      expectGatePasses([before, half, raised, half, promoted]);
      expectGatePasses([half, aborted]);
      if (!above) expectGatePasses([before, raised, aborted]);
      const name = props.name!;
      expect(gate(half, withUnseenVersion(promoted, name))).toContain('block unverified-promotion');
      expect(gate(half, withSelectorChanged(half))).toContain('block selector-changed');
    }), { numRuns: RUNS });
  });
});

describe('with a traffic router, the route carries canaryWeight exactly', () => {
  const router = fc.constantFrom('gatewayApi', 'istio').map(kind =>
    (kind === 'gatewayApi' ? TrafficRouter.gatewayApi() : TrafficRouter.istio()));
  /** A weight with at most two decimals, as hundredths of a percent. */
  const hundredths = fc.integer({ min: 0, max: 10000 });

  /** The stable and canary weights of the route, whichever router wrote it. */
  function weights(manifests: Manifest[]): [number, number] {
    const route = manifests.find(m => m.kind === 'HTTPRoute' || m.kind === 'VirtualService')!;
    const entries: any[] = route.kind === 'HTTPRoute' ? route.spec.rules[0].backendRefs : route.spec.http[0].route;
    const [stable, canary] = entries.map(e => e.weight);
    return [stable, canary];
  }

  test('CanaryApp: the weights\' ratio is the weight, and a weight change, promotion and abort keep the objects and selectors', () => {
    fc.assert(fc.property(canaryProps, router, hundredths, hundredths, (props, trafficRouter, first, next) => {
      const replicas = Math.max(props.replicas!, 1);
      const phase = (change: Partial<CanaryAppProps>) => ({
        ...props, replicas, canaryReplicas: undefined, weightTolerance: undefined, trafficRouter, ...change,
      });
      const before = manifestsOf(canaryApp, phase({ canaryWeight: first / 100 }));
      const [stable, canary] = weights(before);
      // canary / (stable + canary) = first / 10000, in integers: exact.
      expect(canary * 10000).toBe(first * (stable + canary));
      const promoted = phase({ stable: props.canary!, canaryWeight: 0 });
      const phases = [phase({ canaryWeight: next / 100 }), promoted, phase({ canaryWeight: 0 })];
      for (const p of phases) {
        expectSameShape(before, manifestsOf(canaryApp, p));
      }
    }), { numRuns: RUNS });
  });
});

describe('A/B tests and shadows: every phase keeps the objects and selectors and passes the gate', () => {
  const router = fc.constantFrom('gatewayApi', 'istio').map(kind =>
    (kind === 'gatewayApi' ? TrafficRouter.gatewayApi() : TrafficRouter.istio()));
  const token = fc.stringMatching(/^[a-zA-Z0-9][-a-zA-Z0-9_.]{0,20}$/);
  const value = fc.stringMatching(/^[a-zA-Z0-9][-a-zA-Z0-9_.]{0,20}$/);
  const match = fc.tuple(fc.constantFrom(RequestMatch.header, RequestMatch.cookie, RequestMatch.queryParam), token, value)
    .map(([make, n, v]) => make(n, v));
  const matches = fc.array(match, { minLength: 1, maxLength: 5 });
  const abProps: fc.Arbitrary<ABTestAppProps> = fc.tuple(common, rolling, variant, variant, matches, router)
    .map(([c, r, a, b, matches, trafficRouter]) => ({ ...c, ...r, a, b, matches, trafficRouter }));
  const percent = fc.integer({ min: 0, max: 100 });
  const shadowProps: fc.Arbitrary<ShadowAppProps> = fc.tuple(common, rolling, variant, variant, percent, router)
    .map(([c, r, primary, shadowVariant, mirrorPercent, trafficRouter]) =>
      // With no pods there is no shadow to copy requests to.
      ({ ...c, ...r, primary, shadow: shadowVariant, mirrorPercent: c.replicas === 0 ? 0 : mirrorPercent, trafficRouter }));
  const abApp: Build<ABTestAppProps> = (chart, props) => new ABTestApp(chart, 'app', props);
  const shadowApp: Build<ShadowAppProps> = (chart, props) => new ShadowApp(chart, 'app', props);

  test('ABTestApp: a new B, the winner into A, then B scaled to 0', () => {
    fc.assert(fc.property(abProps, variant, (props, next) => {
      const promoted = { ...props, a: props.b };
      const [before, newB, afterPromotion, concluded] = [props, { ...props, b: next }, promoted, { ...promoted, bReplicas: 0 }]
        .map(p => manifestsOf(abApp, p));
      for (const phase of [newB, afterPromotion, concluded]) expectSameShape(before, phase);
      expectGatePasses([before, newB]);
      expectGatePasses([before, afterPromotion, concluded]);
    }), { numRuns: RUNS });
  });

  test('ShadowApp: a new shadow and another share; the serving Service never selects a shadow pod', () => {
    fc.assert(fc.property(shadowProps, variant, fc.integer({ min: 0, max: 100 }), (props, next, percent) => {
      const mirrorPercent = (props.replicas ?? 2) === 0 ? 0 : percent;
      const phases = [props, { ...props, shadow: next }, { ...props, mirrorPercent }].map(p => manifestsOf(shadowApp, p));
      for (const phase of phases) {
        expectSameShape(phases[0], phase);
        const serving = phase.find(m => m.kind === 'Service' && m.metadata.name === props.name)!;
        const shadowPods = phase.find(m => m.kind === 'Deployment' && m.metadata.name === `${props.name}-shadow`)!;
        const shadowLabels = shadowPods.spec.template.metadata.labels;
        expect(Object.entries(serving.spec.selector).every(([k, v]) => shadowLabels[k] === v)).toBe(false);
      }
      expectGatePasses(phases);
    }), { numRuns: RUNS });
  });
});

describe('with autoscaling, every Deployment has an autoscaler and no spec.replicas in any phase, and the steps pass the gate', () => {
  const autoscaling: fc.Arbitrary<AutoscalingProps> = fc.record({
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
  const router = fc.constantFrom(TrafficRouter.gatewayApi(), TrafficRouter.istio());

  /** The phases keep the objects, each Deployment has its autoscaler and no replicas, and each move passes the gate. */
  function expectAutoscaledPhases(phases: Manifest[][]): void {
    for (const phase of phases) {
      expectSameShape(phases[0], phase);
      const deployments = phase.filter(m => m.kind === 'Deployment').map(m => m.metadata.name).sort();
      const targets = phase.filter(m => m.kind === 'HorizontalPodAutoscaler').map(m => m.spec.scaleTargetRef.name).sort();
      expect(targets).toEqual(deployments);
    }
    expectGatePasses(phases);
  }

  test('RecreateApp and RampedApp: a new version and a rollback', () => {
    fc.assert(fc.property(rampedProps, variant, autoscaling, (props, next, scaling) => {
      const p = { ...props, replicas: undefined, autoscaling: scaling };
      expectAutoscaledPhases([p, { ...p, ...next }, p].map(phase => manifestsOf(ramped, phase)));
      const [before, after] = [p, { ...p, ...next }].map(phase => manifestsOf(recreate, phase));
      expectSameShape(before, after);
    }), { numRuns: RUNS });
  });

  test('BlueGreenApp: deploy to the idle slot, switch, and roll back', () => {
    fc.assert(fc.property(blueGreenProps, variant, autoscaling, (props, next, scaling) => {
      fc.pre(next.image !== props.blue?.image && next.image !== props.green?.image);
      const p = { ...props, replicas: undefined, idleReplicas: undefined, autoscaling: scaling };
      const idle = p.activeSlot === Slot.BLUE ? 'green' : 'blue';
      const other = p.activeSlot === Slot.BLUE ? Slot.GREEN : Slot.BLUE;
      const deployed = { ...p, [idle]: next };
      const phases = [p, deployed, { ...deployed, activeSlot: other }, deployed];
      expectAutoscaledPhases(phases.map(phase => manifestsOf(blueGreen, phase)));
    }), { numRuns: RUNS });
  });

  test('CanaryApp with a router: a weight change, promotion and abort', () => {
    const hundredths = fc.integer({ min: 0, max: 10000 });
    fc.assert(fc.property(canaryProps, router, hundredths, autoscaling, (props, trafficRouter, weight, scaling) => {
      const p = {
        ...props, replicas: undefined, canaryReplicas: undefined, weightTolerance: undefined, trafficRouter, autoscaling: scaling,
        canaryWeight: weight / 100,
      };
      const promoted = { ...p, canaryWeight: 50, stable: p.canary! };
      const phases = [p, { ...p, canaryWeight: 50 }, promoted, { ...promoted, canaryWeight: 0 }];
      expectAutoscaledPhases(phases.map(phase => manifestsOf(canaryApp, phase)));
    }), { numRuns: RUNS });
  });
});

// --- invalid inputs ------------------------------------------------------------------------------

/** Props changes that make any valid props invalid, with the prop the error must name. */
const commonBreakage: Array<[string, Record<string, unknown>]> = [
  ['replicas', { replicas: -1 }], ['replicas', { replicas: 2.5 }],
  ['port', { port: 0 }], ['port', { port: 65536 }], ['servicePort', { servicePort: 0 }],
  ['name', { name: 'Web' }], ['name', { name: '9web' }], ['name', { name: 'a'.repeat(64) }],
  ['preStopWait', { preStopWait: Duration.seconds(40), terminationGracePeriod: Duration.seconds(30) }],
  ['progressDeadline', { minReady: Duration.seconds(10), progressDeadline: Duration.seconds(10) }],
  ['revisionHistoryLimit', { revisionHistoryLimit: -1 }],
  ['labels', { labels: { 'app.kubernetes.io/name': 'x' } }], ['labels', { labels: { 'team name': 'x' } }],
  ['changeCause', { changeCause: 'x', annotations: { 'kubernetes.io/change-cause': 'y' } }],
  ['ports[0].name', { ports: [{ name: 'Metrics', number: 9090 }] }], ['ports[0].name', { ports: [{ number: 9090 }] }],
  ['podAnnotations', { podAnnotations: { 'kubectl.kubernetes.io/restartedAt': 'x' } }],
  ['podLabels', { podLabels: { 'app.kubernetes.io/version': 'x' } }],
  ['sidecars[0].name', { sidecars: [{ name: 'app', image: 'proxy:1' }] }],
  ['priorityClassName', { priorityClassName: 'High' }],
  ['podSecurity', { podSecurity: 'strict' }],
  ['disruptionBudget', { disruptionBudget: DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.percent(101)) }],
  ['startupLimit', { startupLimit: Duration.millis(500) }],
  ['startupProbe', { startupProbe: false, startupLimit: Duration.seconds(60) }],
  ['autoscaling.minReplicas', { autoscaling: { minReplicas: 0, maxReplicas: 1 } }],
  ['autoscaling.maxReplicas', { autoscaling: { minReplicas: 3, maxReplicas: 2 } }],
  ['autoscaling.cpuUtilization', { autoscaling: { minReplicas: 1, maxReplicas: 2, cpuUtilization: 0 } }],
  ['replicas', { replicas: 2, autoscaling: { minReplicas: 1, maxReplicas: 2 } }],
];
const rollingBreakage: Array<[string, Record<string, unknown>]> = [
  ['maxUnavailable', { maxSurge: kplus.PercentOrAbsolute.absolute(0), maxUnavailable: kplus.PercentOrAbsolute.percent(0) }],
  ['maxUnavailable', { maxUnavailable: kplus.PercentOrAbsolute.percent(101) }],
  ['maxSurge', { maxSurge: kplus.PercentOrAbsolute.absolute(-1) }],
  ['maxSurge', { maxSurge: kplus.PercentOrAbsolute.percent(2.5) }],
];
const versionBreakage: Array<[string, Record<string, unknown>]> = [
  ['image', { image: '' }], ['image', { image: 'web: 1' }], ['image', { image: 'nginx:' }], ['image', { image: 'Shop/Web:1' }],
  ['version', { version: '' }], ['version', { version: '-x' }], ['version', { version: 'a b' }],
];
const slotBreakage: Array<[string, Record<string, unknown>]> = [
  ['blue.image', { blue: { image: '' } }], ['green.version', { green: { image: 'web:1', version: '1 0' } }],
  ['activeSlot', { activeSlot: 'red' }], ['idleReplicas', { idleReplicas: -1 }],
];
const canaryBreakage: Array<[string, Record<string, unknown>]> = [
  ['canaryWeight', { canaryReplicas: undefined, canaryWeight: 101 }],
  ['canaryWeight', { canaryReplicas: undefined, canaryWeight: -1 }],
  ['canaryReplicas', { canaryWeight: 10, canaryReplicas: 1 }],
  ['canaryReplicas', { canaryWeight: undefined, canaryReplicas: 51 }],
  ['stable.image', { stable: { image: ' ' } }],
];

/** Asserts that every breakage of valid props is refused with an error naming the construct and the prop. */
function refusesBreakage<P>(props: fc.Arbitrary<P>, build: Build<P>, breakage: Array<[string, Record<string, unknown>]>): void {
  fc.assert(fc.property(props, fc.constantFrom(...breakage), (valid, [prop, change]) => {
    const chart = newChart();
    // A map prop names the offending key ('labels' has the managed key ...), any other its value.
    const named = new RegExp(`^test/app: '${prop.replace(/[.[\]]/g, '\\$&')}' (is|has the [a-z ]*key) `);
    expect(() => build(chart, { ...valid, ...change })).toThrow(named);
  }), { numRuns: RUNS });
}

describe('invalid props are refused with an error naming the construct and the prop, and never synthesize', () => {
  test('RecreateApp', () => refusesBreakage(appProps, recreate, [...commonBreakage, ...versionBreakage]));
  test('RampedApp', () => refusesBreakage(rampedProps, ramped, [...commonBreakage, ...versionBreakage, ...rollingBreakage]));
  test('BlueGreenApp', () => refusesBreakage(blueGreenProps, blueGreen, [...commonBreakage, ...rollingBreakage, ...slotBreakage]));
  test('CanaryApp', () => refusesBreakage(canaryProps, canaryApp, [...commonBreakage, ...rollingBreakage, ...canaryBreakage]));
});
