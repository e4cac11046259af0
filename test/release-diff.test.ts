import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  BlueGreenApp, BlueGreenAppProps, CanaryApp, CanaryAppProps, FindingCode, RampedApp, RampedAppProps, RecreateApp,
  ReleaseDiff, Severity, Slot, TrafficRouter, VariantProps,
} from '../lib';
import { canonical, sameJson } from '../lib/gate/manifests';
import { newChart } from './util';

// --- hand-written manifests, for objects no construct of the library wrote -----------------------

interface DeploymentOptions {
  readonly replicas?: number;
  readonly image?: string;
  readonly labels?: Record<string, string>;
  readonly selector?: Record<string, string>;
  readonly recreate?: boolean;
  readonly maxUnavailable?: number | string;
  readonly maxSurge?: number | string;
  readonly status?: Record<string, number>;
}

function deployment(name: string, options: DeploymentOptions = {}): any {
  const labels = options.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
      selector: { matchLabels: options.selector ?? labels },
      strategy: options.recreate ? { type: 'Recreate' } : {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: options.maxSurge ?? '25%', maxUnavailable: options.maxUnavailable ?? '25%' },
      },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: options.image ?? 'web:1' }] },
      },
    },
    ...(options.status ? { status: options.status } : {}),
  };
}

function service(name: string, selector: Record<string, string>): any {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector, ports: [{ port: 80 }] } };
}

function codes(diff: ReleaseDiff): string[] {
  return diff.findings.map(f => `${f.severity} ${f.code}`);
}

// --- the library's own apps ----------------------------------------------------------------------

function synthOf(build: (chart: Chart) => void): any[] {
  const chart = newChart('shop');
  build(chart);
  return Testing.synth(chart);
}

const canaryBase: CanaryAppProps = {
  port: 8080, replicas: 10, stable: { image: 'r/search:1.4.0' }, canary: { image: 'r/search:1.5.0' },
};
const canary = (props: Partial<CanaryAppProps>) =>
  synthOf(chart => new CanaryApp(chart, 'search', { ...canaryBase, ...props }));

const blueGreenBase: BlueGreenAppProps = {
  port: 8080, replicas: 3, blue: { image: 'r/api:1.4.0' }, green: { image: 'r/api:1.5.0' }, activeSlot: Slot.BLUE,
};
const blueGreen = (props: Partial<BlueGreenAppProps>) =>
  synthOf(chart => new BlueGreenApp(chart, 'api', { ...blueGreenBase, ...props }));

const ramped = (props: Partial<RampedAppProps>) =>
  synthOf(chart => new RampedApp(chart, 'web', { port: 8080, replicas: 10, image: 'r/web:1.4.0', ...props }));

describe('the procedures of the README pass the gate', () => {
  test.each([
    ['start', { canary: undefined, canaryWeight: 0 }, { canaryWeight: 10 }],
    ['raise to 25%', { canaryWeight: 10 }, { canaryWeight: 25 }],
    ['raise to 50%', { canaryWeight: 25 }, { canaryWeight: 50 }],
    ['raise to 75%', { canaryWeight: 50 }, { canaryWeight: 75 }],
    ['promote from 50%', { canaryWeight: 50 }, { stable: canaryBase.canary, canaryWeight: 0 }],
    ['abort from 50%', { canaryWeight: 50 }, { canaryWeight: 0 }],
    ['back from 75% to 50%', { canaryWeight: 75 }, { canaryWeight: 50 }],
  ])('canary: %s', (_step, before: Partial<CanaryAppProps>, after: Partial<CanaryAppProps>) => {
    // WHEN
    const diff = ReleaseDiff.between(canary(before), canary(after));
    // THEN
    expect(diff.findings).toEqual([]);
    expect(diff.blocked).toBe(false);
  });

  test.each([
    ['first release, then the second version into the idle slot', { green: undefined }, {}],
    ['deploy to idle', {}, { green: { image: 'r/api:1.6.0' } }],
    ['switch', {}, { activeSlot: Slot.GREEN }],
    ['scale idle down', { activeSlot: Slot.GREEN }, { activeSlot: Slot.GREEN, idleReplicas: 0 }],
    ['scale idle back up', { activeSlot: Slot.GREEN, idleReplicas: 0 }, { activeSlot: Slot.GREEN }],
    ['roll back', { activeSlot: Slot.GREEN }, {}],
  ])('blue/green: %s', (_step, before: Partial<BlueGreenAppProps>, after: Partial<BlueGreenAppProps>) => {
    // WHEN
    const diff = ReleaseDiff.between(blueGreen(before), blueGreen(after));
    // THEN
    expect(diff.findings).toEqual([]);
  });

  test('ramped: a new version rolls out within maxUnavailable', () => {
    // WHEN
    const diff = ReleaseDiff.between(ramped({}), ramped({ image: 'r/web:1.5.0' }));
    // THEN
    expect(diff.findings).toEqual([]);
    expect(diff.apps).toEqual([{ name: 'shop-web', strategy: 'ramped', move: '1.4.0 → 1.5.0, at most 13 pods, at least 8 available' }]);
    expect(diff.services).toEqual([{ name: 'shop-web', app: 'shop-web', before: 10, after: 10, during: 8, floor: 8 }]);
  });

  test('recreate: a new version only warns that every pod stops first', () => {
    // GIVEN
    const recreate = (image: string) => synthOf(chart => new RecreateApp(chart, 'worker', { port: 8080, replicas: 2, image }));
    // WHEN
    const diff = ReleaseDiff.between(recreate('r/worker:1'), recreate('r/worker:2'));
    // THEN
    expect(codes(diff)).toEqual(['warn recreate-downtime']);
    expect(diff.blocked).toBe(false);
    expect(diff.apps[0].move).toBe('1 → 2, all 2 pods stop first');
  });
});

describe('the moves of each app, in words', () => {
  test('canary', () => {
    expect(ReleaseDiff.between(canary({ canaryWeight: 10 }), canary({ canaryWeight: 10, stable: { image: 'r/search:1.4.0',
      envVariables: { LOG_LEVEL: kplus.EnvValue.fromValue('debug') } } })).apps[0].move).toBe('stable pod template changes');
    expect(ReleaseDiff.between(canary({ canaryWeight: 10 }), canary({ canaryWeight: 25 })).apps)
      .toEqual([{ name: 'shop-search', strategy: 'canary', move: 'weight 9.09% → 23.08%' }]);
    expect(ReleaseDiff.between(canary({ canaryWeight: 50 }), canary({ stable: canaryBase.canary })).apps[0].move)
      .toBe('promote 1.4.0 → 1.5.0; weight 50% → 0%');
    expect(ReleaseDiff.between(canary({ canaryWeight: 50 }), canary({ canaryWeight: 0 })).apps[0].move)
      .toBe('abort (weight 50% → 0%)');
  });

  test('blue/green', () => {
    expect(ReleaseDiff.between(blueGreen({}), blueGreen({ activeSlot: Slot.GREEN })).apps)
      .toEqual([{ name: 'shop-api', strategy: 'blue-green', move: 'switch blue → green' }]);
    expect(ReleaseDiff.between(blueGreen({}), blueGreen({ green: { image: 'r/api:1.6.0' } })).apps[0].move)
      .toBe('green 1.5.0 → 1.6.0 (idle)');
    const green = { activeSlot: Slot.GREEN };
    expect(ReleaseDiff.between(blueGreen(green), blueGreen({ ...green, idleReplicas: 0 })).apps[0].move)
      .toBe('idle blue 3 → 0 pods');
  });

  test('a new app and an unchanged one', () => {
    expect(ReleaseDiff.between([], ramped({})).apps[0].move).toBe('new: 1.4.0');
    expect(ReleaseDiff.between(ramped({}), ramped({})).apps[0].move).toBe('no change');
  });
});

describe('findings', () => {
  test('selector-changed: a Deployment selector that changes is blocked', () => {
    // GIVEN
    const before = [deployment('web', { labels: { app: 'web', tier: 'a' }, selector: { app: 'web' } })];
    // WHEN
    const changed = ReleaseDiff.between(before, [deployment('web', { labels: { app: 'web', tier: 'a' }, selector: { app: 'web', tier: 'a' } })]);
    const same = ReleaseDiff.between(before, [deployment('web', { labels: { app: 'web', tier: 'a' }, selector: { app: 'web' }, image: 'web:2' })]);
    // THEN
    expect(codes(changed)).toEqual(['block selector-changed']);
    expect(changed.findings[0].message).toMatch(/^Deployment web: spec.selector changes from .* immutable/);
    expect(codes(same)).toEqual([]);
  });

  test('capacity-drop: shrinking one Deployment while the other one starts is blocked; growing first is not', () => {
    // GIVEN: 9 + 1 behind one Service
    const labels = (track: string) => ({ labels: { app: 'web', track }, selector: { app: 'web', track } });
    const state = (stable: number, next: number) => [
      deployment('web', { replicas: stable, ...labels('stable') }),
      deployment('web-next', { replicas: next, ...labels('next') }),
      service('web', { app: 'web' }),
    ];
    // WHEN
    const shrinkFirst = ReleaseDiff.between(state(9, 1), state(5, 5));
    const growFirst = ReleaseDiff.between(state(9, 1), state(9, 5));
    // THEN
    expect(codes(shrinkFirst)).toEqual(['block capacity-drop']);
    expect(shrinkFirst.services).toEqual([{ name: 'web', app: 'Service/web', before: 10, after: 10, during: 6, floor: 8 }]);
    expect(shrinkFirst.findings[0].message).toBe('Service web: ready pods fall to 6 during the apply, below 8 (the fewer of '
      + '10 before and 10 after, less 2 that the maxUnavailable of its Deployments allows): add the new pods in one apply '
      + 'and remove the old ones in the next, once the new ones are ready');
    expect(codes(growFirst)).toEqual([]);
  });

  test('capacity-drop: a switch to a slot scaled up from 0 in the same apply', () => {
    // WHEN
    const diff = ReleaseDiff.between(blueGreen({ idleReplicas: 0 }), blueGreen({ activeSlot: Slot.GREEN }));
    // THEN
    expect(codes(diff)).toEqual(['block capacity-drop']);
    expect(diff.findings[0].message).toMatch(/scale shop-api-green up and wait until its pods are ready/);
  });

  test('capacity-drop: a switch to a slot scaled up from 0, whatever maxUnavailable allows a rolling update', () => {
    // GIVEN: a rolling update of 3 pods may take all 3
    const all = { maxUnavailable: kplus.PercentOrAbsolute.percent(100) };
    // WHEN
    const diff = ReleaseDiff.between(blueGreen({ ...all, idleReplicas: 0 }), blueGreen({ ...all, activeSlot: Slot.GREEN }));
    // THEN
    expect(codes(diff)).toEqual(['block capacity-drop']);
    expect(diff.services.find(s => s.name === 'shop-api')).toMatchObject({ before: 3, after: 3, during: 0, floor: 3 });
  });

  test('capacity-drop: a switch that scales the old slot to 0 in the same apply (endpoints lag the selector)', () => {
    // WHEN
    const diff = ReleaseDiff.between(blueGreen({}), blueGreen({ activeSlot: Slot.GREEN, idleReplicas: 0 }));
    // THEN
    expect(codes(diff)).toEqual(['block capacity-drop']);
  });

  test('capacity-drop: the README\'s earlier canary procedure (the total held at replicas) is blocked', () => {
    // GIVEN: 10 replicas, 25% -> 50% with the stable track shrinking at once, written by hand
    const track = (name: string, track: string, replicas: number, image: string) => {
      const d = deployment(name, { replicas, image, labels: { app: 'search', track }, selector: { app: 'search', track } });
      return d;
    };
    const before = [track('search', 'stable', 8, 'search:1'), track('search-canary', 'canary', 2, 'search:2'), service('search', { app: 'search' })];
    const after = [track('search', 'stable', 5, 'search:1'), track('search-canary', 'canary', 5, 'search:2'), service('search', { app: 'search' })];
    // WHEN
    const diff = ReleaseDiff.between(before, after);
    // THEN
    expect(diff.services[0].during).toBe(7);
    expect(codes(diff)).toEqual(['block capacity-drop']);
  });

  test('capacity-drop: counts the ready pods a live object reports, not its replicas', () => {
    // GIVEN: a live Deployment with 3 replicas of which none is ready, the Service moved onto it
    const live = { ...deployment('green', { replicas: 3, labels: { app: 'api', slot: 'green' } }), status: { replicas: 3, readyReplicas: 0 } };
    const blue = { ...deployment('blue', { replicas: 3, labels: { app: 'api', slot: 'blue' } }), status: { replicas: 3, readyReplicas: 3 } };
    const before = [blue, live, { ...service('api', { app: 'api', slot: 'blue' }), status: {} }];
    const after = [deployment('blue', { replicas: 3, labels: { app: 'api', slot: 'blue' } }),
      deployment('green', { replicas: 3, labels: { app: 'api', slot: 'green' } }), service('api', { app: 'api', slot: 'green' })];
    // WHEN
    const diff = ReleaseDiff.between(before, after);
    // THEN
    expect(diff.services[0]).toMatchObject({ before: 3, during: 0 });
    expect(codes(diff)).toEqual(['block capacity-drop']);
  });

  test('unverified-switch: a switch to a slot whose template changes in the same apply', () => {
    // WHEN
    const diff = ReleaseDiff.between(blueGreen({}), blueGreen({ activeSlot: Slot.GREEN, green: { image: 'r/api:1.6.0' } }));
    // THEN
    expect(codes(diff)).toEqual(['block unverified-switch']);
    expect(diff.findings[0].message).toMatch(
      /^Service shop-api: traffic moves to Deployment shop-api-green, whose pod template changes in the same apply/);
  });

  test('unverified-switch: a Service moved onto a new Deployment', () => {
    // WHEN
    const diff = ReleaseDiff.between(
      [deployment('v1', { replicas: 2, labels: { app: 'a', v: '1' } }), service('a', { app: 'a', v: '1' })],
      [deployment('v1', { replicas: 2, labels: { app: 'a', v: '1' } }),
        deployment('v2', { replicas: 2, image: 'web:2', labels: { app: 'a', v: '2' } }), service('a', { app: 'a', v: '2' })]);
    // THEN
    expect(codes(diff)).toContain('block unverified-switch');
  });

  test('unverified-switch: not for a new Deployment whose pods run exactly what the Service sent to before', () => {
    // GIVEN: one Deployment per zone, the second one new, with the same pod spec
    const zone = (z: string, replicas: number) => deployment(`web-${z}`, { replicas, labels: { app: 'web', zone: z } });
    // WHEN
    const diff = ReleaseDiff.between([zone('a', 3), service('web', { app: 'web' })],
      [zone('a', 3), zone('b', 3), service('web', { app: 'web' })]);
    // THEN
    expect(codes(diff)).toEqual([]);
  });

  test('live-template-changed: a new image in the active slot', () => {
    // WHEN
    const diff = ReleaseDiff.between(blueGreen({}), blueGreen({ blue: { image: 'r/api:1.6.0' } }));
    // THEN
    expect(codes(diff)).toEqual(['block live-template-changed']);
    expect(diff.findings[0].message).toBe('blue/green shop-api: the pod template of the live slot blue changes (1.4.0 → 1.6.0), '
      + 'a rolling update under live traffic with no preview: deploy to the idle slot green, check it through the preview '
      + 'Service, then switch');
  });

  test('both-slots-changed: both slots get a new template in one apply', () => {
    // WHEN
    const diff = ReleaseDiff.between(blueGreen({}), blueGreen({ blue: { image: 'r/api:1.7.0' }, green: { image: 'r/api:1.6.0' } }));
    // THEN
    expect(codes(diff)).toEqual(['block live-template-changed', 'block both-slots-changed']);
  });

  test('unverified-promotion: the stable track moves to a version the canary did not run', () => {
    // WHEN
    const unseen = ReleaseDiff.between(canary({ canaryWeight: 10 }), canary({ stable: { image: 'r/search:1.6.0' } }));
    const notRunning = ReleaseDiff.between(canary({ canaryWeight: 0 }), canary({ stable: canaryBase.canary }));
    const tried = ReleaseDiff.between(canary({ canaryWeight: 10 }), canary({ stable: canaryBase.canary }));
    // THEN
    expect(codes(unseen)).toEqual(['block unverified-promotion']);
    expect(codes(notRunning)).toEqual(['block unverified-promotion']);
    expect(codes(tried)).toEqual([]);
  });

  test('service-selects-nothing: a Service whose selector matches no pod template; a Deployment at 0 still counts', () => {
    // WHEN
    const nothing = ReleaseDiff.between([], [deployment('web', { replicas: 2 }), service('web', { app: 'other' })]);
    const atZero = ReleaseDiff.between([], [deployment('web', { replicas: 0 }), service('web', { app: 'web' })]);
    // THEN
    expect(codes(nothing)).toEqual(['block service-selects-nothing']);
    expect(codes(atZero)).toEqual([]);
  });

  test('service-selects-nothing: pods of other workloads count', () => {
    // GIVEN
    const statefulSet = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
      spec: { selector: { matchLabels: { app: 'db' } }, serviceName: 'db', template: { metadata: { labels: { app: 'db' } }, spec: {} } } };
    // WHEN
    const diff = ReleaseDiff.between([], [statefulSet, service('db', { app: 'db' })]);
    // THEN
    expect(codes(diff)).toEqual([]);
    expect(diff.services).toEqual([]);
  });

  test('replicas-field-removed: spec.replicas left out of the next manifest', () => {
    // WHEN
    const removed = ReleaseDiff.between([deployment('web', { replicas: 3 })], [deployment('web', {})]);
    const neverThere = ReleaseDiff.between([deployment('web', {})], [deployment('web', {})]);
    // THEN
    expect(codes(removed)).toEqual(['block replicas-field-removed']);
    expect(codes(neverThere)).toEqual([]);
  });

  test('serving-service-removed warns; a Service that selected nothing goes quietly', () => {
    // WHEN
    const serving = ReleaseDiff.between([deployment('web', { replicas: 2 }), service('web', { app: 'web' })], [deployment('web', { replicas: 2 })]);
    const idle = ReleaseDiff.between([deployment('web', { replicas: 0 }), service('web', { app: 'web' })], [deployment('web', { replicas: 0 })]);
    // THEN
    expect(codes(serving)).toEqual(['warn serving-service-removed']);
    expect(serving.blocked).toBe(false);
    expect(codes(idle)).toEqual([]);
  });

  test('recreate-downtime warns when the template of a Recreate Deployment changes, not when it scales', () => {
    // WHEN
    const changed = ReleaseDiff.between([deployment('w', { replicas: 2, recreate: true })], [deployment('w', { replicas: 2, recreate: true, image: 'w:2' })]);
    const scaled = ReleaseDiff.between([deployment('w', { replicas: 2, recreate: true })], [deployment('w', { replicas: 3, recreate: true })]);
    // THEN
    expect(codes(changed)).toEqual(['warn recreate-downtime']);
    expect(codes(scaled)).toEqual([]);
  });
});

describe('namespaces', () => {
  const inNamespace = (namespace: string, objects: any[]) =>
    objects.map(o => ({ ...o, metadata: { ...o.metadata, namespace } }));
  const slot = (name: string, replicas: number, slotName: string) =>
    deployment(name, { replicas, labels: { app: 'api', slot: slotName } });

  test('a Service counts only the pods of its own namespace', () => {
    // GIVEN: the same app in two namespaces; in "b" the green slot runs 3 pods already
    const b = inNamespace('b', [slot('blue', 3, 'blue'), slot('green', 3, 'green'), service('api', { app: 'api', slot: 'blue' })]);
    const aBefore = inNamespace('a', [slot('blue', 3, 'blue'), slot('green', 0, 'green'), service('api', { app: 'api', slot: 'blue' })]);
    // WHEN: "a" switches to its green slot while scaling it up from 0
    const aAfter = inNamespace('a', [slot('blue', 3, 'blue'), slot('green', 3, 'green'), service('api', { app: 'api', slot: 'green' })]);
    const diff = ReleaseDiff.between([...aBefore, ...b], [...aAfter, ...b]);
    // THEN
    expect(codes(diff)).toEqual(['block capacity-drop']);
    expect(diff.services).toEqual([
      { name: 'api', namespace: 'a', app: 'Service/a/api', before: 3, after: 3, during: 0, floor: 3 },
      { name: 'api', namespace: 'b', app: 'Service/b/api', before: 3, after: 3, during: 3, floor: 3 },
    ]);
  });

  test('service-selects-nothing: the pods of another namespace do not count', () => {
    // GIVEN
    const web = (namespace: string) => inNamespace(namespace, [deployment('web', { replicas: 2 }), service('web', { app: 'web' })]);
    // WHEN: the Deployment of "a" is removed
    const diff = ReleaseDiff.between([...web('a'), ...web('b')], [inNamespace('a', [service('web', { app: 'web' })])[0], ...web('b')]);
    // THEN
    expect(codes(diff)).toEqual(['block service-selects-nothing']);
    expect(diff.findings[0].app).toBe('Service/a/web');
  });

  test('manifests without a namespace select the pods of the namespace they are applied to', () => {
    // GIVEN: the live objects in "shop", the next manifests without a namespace
    const live = inNamespace('shop', ramped({}));
    // WHEN
    const diff = ReleaseDiff.between(live, ramped({ image: 'r/web:1.5.0' }));
    // THEN
    expect(diff.services).toEqual([expect.objectContaining({ name: 'shop-web', namespace: 'shop', before: 10, during: 8 })]);
    expect(codes(diff)).toEqual([]);
  });
});

describe('autoscalers, immutable Service fields and malformed routes', () => {
  const autoscaler = (target: string, namespace?: string) => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: target, ...(namespace ? { namespace } : {}) },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: 2, maxReplicas: 20 },
  });

  test('replicas-under-autoscaler: a Deployment that an autoscaler scales has spec.replicas', () => {
    // GIVEN: the autoscaler has scaled the live Deployment to 12 pods
    const live = { ...deployment('web'), metadata: { name: 'web', uid: 'u1' }, status: { replicas: 12, readyReplicas: 12 } };
    // WHEN
    const reset = ReleaseDiff.between([live, autoscaler('web')], [deployment('web', { replicas: 3 }), autoscaler('web')]);
    const added = ReleaseDiff.between([], [deployment('web', { replicas: 3 }), autoscaler('web')]);
    const left = ReleaseDiff.between([live, autoscaler('web')], [deployment('web'), autoscaler('web')]);
    const elsewhere = ReleaseDiff.between([], [{ ...deployment('web', { replicas: 3 }), metadata: { name: 'web', namespace: 'a' } },
      autoscaler('web', 'b')]);
    // THEN
    expect(codes(reset)).toEqual(['block replicas-under-autoscaler']);
    expect(reset.findings[0].message).toBe('Deployment web: spec.replicas is 3, and HorizontalPodAutoscaler/web scales it, so '
      + 'every apply sets it back to 3 pods whatever the autoscaler chose: leave spec.replicas out (an app of this library '
      + 'with autoscaling does), or delete the autoscaler');
    expect(codes(added)).toEqual(['block replicas-under-autoscaler']);
    expect(codes(left)).toEqual([]);
    expect(codes(elsewhere)).toEqual([]);
  });

  test('replicas-field-removed: replicas: null removes the field as leaving it out does', () => {
    // WHEN
    const diff = ReleaseDiff.between([deployment('web', { replicas: 3 })], [{ ...deployment('web'), spec: { ...deployment('web').spec, replicas: null } }]);
    // THEN
    expect(codes(diff)).toEqual(['block replicas-field-removed']);
  });

  test('immutable-field-changed: a Service\'s clusterIP that changes is blocked; one left out is not', () => {
    // GIVEN
    const withIp = (clusterIP?: string) => {
      const s = service('web', { app: 'web' });
      return { ...s, spec: { ...s.spec, ...(clusterIP === undefined ? {} : { clusterIP }) } };
    };
    const run = (before: string | undefined, after: string | undefined) =>
      codes(ReleaseDiff.between([deployment('web', { replicas: 2 }), withIp(before)], [deployment('web', { replicas: 2 }), withIp(after)]));
    // THEN
    expect(run('None', '10.0.0.7')).toEqual(['block immutable-field-changed']);
    expect(run('10.0.0.6', '10.0.0.7')).toEqual(['block immutable-field-changed']);
    expect(ReleaseDiff.between([deployment('web', { replicas: 2 }), withIp('None')], [deployment('web', { replicas: 2 }), withIp('10.0.0.7')])
      .findings[0].message).toBe('Service web: spec.clusterIP changes from None to 10.0.0.7; the API server rejects the apply, '
      + 'as the field is immutable: keep it, or replace the Service under a new name');
    expect(run('None', 'None')).toEqual([]);
    expect(run('10.0.0.6', undefined)).toEqual([]);
    expect(run(undefined, '10.0.0.7')).toEqual([]);
  });

  test('fails on a route whose rules are not a list, naming the route and the field', () => {
    // GIVEN
    const route = (spec: any, kind = 'HTTPRoute') => ({ apiVersion: 'x/v1', kind, metadata: { name: 'web' }, spec });
    // THEN
    expect(() => ReleaseDiff.between([], [route({ rules: { backendRefs: [] } })])).toThrow(
      'HTTPRoute/web: spec.rules is not a list ({"backendRefs":[]})');
    expect(() => ReleaseDiff.between([], [route({ rules: [{ backendRefs: 'web' }] })])).toThrow(
      'HTTPRoute/web: spec.rules[0].backendRefs is not a list ("web")');
    expect(() => ReleaseDiff.between([], [route({ http: { route: [] } }, 'VirtualService')])).toThrow(
      'VirtualService/web: spec.http is not a list ({"route":[]})');
    expect(() => ReleaseDiff.between([], [route({ http: [{ route: 1 }] }, 'VirtualService')])).toThrow(
      'VirtualService/web: spec.http[0].route is not a list (1)');
  });
});

describe('routes', () => {
  const version = (v: number, replicas: number, image = `web:${v}`) =>
    deployment(`web-v${v}`, { replicas, image, labels: { app: 'web', v: String(v) }, maxUnavailable: 0 });
  const httpRoute = (weights: Record<string, number>, namespace?: string) => ({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
    metadata: { name: 'web', ...(namespace ? { namespace } : {}) },
    spec: { rules: [{ backendRefs: Object.entries(weights).map(([name, weight]) => ({ name, port: 80, weight })) }] },
  });
  const services = [service('web-v1', { app: 'web', v: '1' }), service('web-v2', { app: 'web', v: '2' })];
  const before = [version(1, 3), version(2, 3), ...services, httpRoute({ 'web-v1': 100, 'web-v2': 0 })];

  test('unverified-switch: a route moves its share onto a Deployment whose template changes in the same apply', () => {
    // WHEN
    const changed = ReleaseDiff.between(before, [version(1, 3), version(2, 3, 'web:3'), ...services, httpRoute({ 'web-v1': 0, 'web-v2': 100 })]);
    const checked = ReleaseDiff.between(before, [version(1, 3), version(2, 3), ...services, httpRoute({ 'web-v1': 0, 'web-v2': 100 })]);
    // THEN
    expect(codes(changed)).toEqual(['block unverified-switch']);
    expect(changed.findings[0].message).toBe('HTTPRoute web raises the share of Service web-v2 from 0% to 100% of its requests '
      + '(rule 1), onto Deployment web-v2, whose pod template changes in the same apply, so its new pods get traffic that '
      + 'nobody checked them with: change the template in one apply, check it, then move the traffic in the next');
    expect(codes(checked)).toEqual([]);
  });

  test('a share that grows on a Deployment the route already reached is no switch', () => {
    // GIVEN: 90% / 10%
    const split = [version(1, 3), version(2, 3), ...services, httpRoute({ 'web-v1': 90, 'web-v2': 10 })];
    // WHEN: the second version gets a new template and 25% in one apply
    const diff = ReleaseDiff.between(split, [version(1, 3), version(2, 3, 'web:3'), ...services, httpRoute({ 'web-v1': 75, 'web-v2': 25 })]);
    // THEN
    expect(codes(diff)).toEqual([]);
  });

  test('route-outpaces-pods: a share given to a Service the new manifests do not hold', () => {
    // WHEN
    const diff = ReleaseDiff.between(before, [version(1, 3), ...services, httpRoute({ 'web-v1': 50, 'web-v3': 50 })]);
    // THEN
    expect(codes(diff)).toContain('block route-outpaces-pods');
    expect(diff.findings.find(f => f.code === 'route-outpaces-pods')!.message).toBe('HTTPRoute web raises the share of '
      + 'Service web-v3 from 0% to 50% of its requests (rule 1), but there is no Service web-v3 in the new manifests: the '
      + 'requests would fail; add it, or send them to a backend that has ready pods');
  });

  test('route-outpaces-pods: a route sends to the Services of its own namespace', () => {
    // GIVEN: the route in "a", the Services and Deployments in "b"
    const inB = [version(1, 3), version(2, 3), ...services].map(o => ({ ...o, metadata: { ...o.metadata, namespace: 'b' } }));
    // WHEN
    const diff = ReleaseDiff.between([...inB, httpRoute({ 'web-v1': 100, 'web-v2': 0 }, 'a')],
      [...inB, httpRoute({ 'web-v1': 50, 'web-v2': 50 }, 'a')]);
    // THEN
    expect(diff.findings.map(f => f.message)).toEqual([expect.stringContaining('but there is no Service web-v2 in the new manifests')]);
  });

  test('route-outpaces-pods: a share that stays while its backend loses every pod, or the Service, or every weight', () => {
    // GIVEN: 50% / 50%
    const split = [version(1, 3), version(2, 3), ...services, httpRoute({ 'web-v1': 50, 'web-v2': 50 })];
    // WHEN
    const noPods = ReleaseDiff.between(split, [version(1, 3), version(2, 0), ...services, httpRoute({ 'web-v1': 50, 'web-v2': 50 })]);
    const noService = ReleaseDiff.between(split, [version(1, 3), version(2, 3), services[0], httpRoute({ 'web-v1': 50, 'web-v2': 50 })]);
    const noWeight = ReleaseDiff.between(split, [version(1, 3), version(2, 3), ...services, httpRoute({ 'web-v1': 0, 'web-v2': 0 })]);
    // THEN
    expect(codes(noPods)).toEqual(['block route-outpaces-pods']);
    expect(noPods.findings[0].message).toBe('HTTPRoute web keeps Service web-v2 at 50% of its requests (rule 1), but no pod '
      + 'serves it: the requests would fail; start the pods in one apply, wait until they are ready, then move the traffic');
    expect(codes(noService)).toEqual(['warn serving-service-removed', 'block route-outpaces-pods']);
    expect(noService.findings[1].message).toMatch(
      /^HTTPRoute web keeps Service web-v2 at 50% of its requests \(rule 1\), but there is no Service web-v2/);
    expect(codes(noWeight)).toEqual(['block route-outpaces-pods']);
    expect(noWeight.findings[0].message).toBe('HTTPRoute web: rule 1 gives every backend a weight of 0, so its requests fail: '
      + 'give a backend with ready pods a weight');
  });

  test('a backend Service the new manifests leave out but the cluster runs, or of another namespace, is left alone', () => {
    // GIVEN: another team's Service, read from the cluster, behind an unchanged route
    const legacy = { ...service('legacy', { app: 'legacy' }), metadata: { name: 'legacy', uid: 'l' } };
    const route = httpRoute({ legacy: 100 });
    const crossNamespace = { ...route, spec: { rules: [{ backendRefs: [{ name: 'auth', namespace: 'identity', port: 80 }] }] } };
    // WHEN / THEN
    expect(codes(ReleaseDiff.between([legacy, route], [route]))).toEqual([]);
    expect(codes(ReleaseDiff.between([], [crossNamespace]))).toEqual([]);
  });

  test('a rule added before the others leaves them as they were', () => {
    // GIVEN: a rolling update of web-v1 (4 pods, 1 may be unavailable) under its unchanged share
    const v1 = (image: string) => deployment('web-v1', { replicas: 4, image, labels: { app: 'web', v: '1' } });
    const redirect = { matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
      filters: [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }] };
    const withRedirect = { ...httpRoute({ 'web-v1': 100 }), spec: { rules: [redirect, ...httpRoute({ 'web-v1': 100 }).spec.rules] } };
    // WHEN
    const diff = ReleaseDiff.between([v1('web:1'), services[0], httpRoute({ 'web-v1': 100 })], [v1('web:2'), services[0], withRedirect]);
    // THEN
    expect(codes(diff)).toEqual([]);
  });

  test('a route the new manifests leave out is not followed (whether it stays depends on pruning)', () => {
    // GIVEN: 50% / 50%; the next manifests drop the route and scale web-v2 to 0
    const split = [version(1, 3), version(2, 3), ...services, httpRoute({ 'web-v1': 50, 'web-v2': 50 })];
    // WHEN
    const diff = ReleaseDiff.between(split, [version(1, 3), version(2, 0), ...services]);
    // THEN
    expect(codes(diff)).toEqual([]);
  });

  test('route-outpaces-pods: a new route put in front of running pods takes over their traffic at once', () => {
    // WHEN: web-v2 grows from 1 to 5 pods in the apply that routes half the requests to it
    const diff = ReleaseDiff.between([version(1, 3), version(2, 1), ...services],
      [version(1, 3), version(2, 5), ...services, httpRoute({ 'web-v1': 50, 'web-v2': 50 })]);
    // THEN
    expect(diff.findings.map(f => f.message)).toEqual(['HTTPRoute web raises the share of Service web-v2 from 0% to 50% of its '
      + 'requests (rule 1), a new route in the same apply that leaves only 1 of the 5 pods of Deployment web-v2 ready when it '
      + 'takes effect: start the pods in one apply, wait until they are ready, then add the route']);
  });

  test('a rule takes the place of the old one at its position only when it names the same backends', () => {
    // GIVEN: a beta rule to web-v2 (1 pod) before the catch-all to web-v1
    const beta = { matches: [{ headers: [{ name: 'X-Beta', value: 'true' }] }], backendRefs: [{ name: 'web-v2', port: 80, weight: 1 }] };
    const routeOf = (...rules: any[]) => ({ ...httpRoute({}), spec: { rules } });
    const before2 = [version(1, 6), version(2, 1), ...services,
      routeOf(beta, { backendRefs: [{ name: 'web-v1', port: 80, weight: 1 }] })];
    // WHEN: the beta rule goes, the catch-all (now with an explicit path) splits 50/50, web-v2 grows to 6
    const split = routeOf({ matches: [{ path: { type: 'PathPrefix', value: '/' } }],
      backendRefs: [{ name: 'web-v1', port: 80, weight: 1 }, { name: 'web-v2', port: 80, weight: 1 }] });
    const diff = ReleaseDiff.between(before2, [version(1, 6), version(2, 6), ...services, split]);
    // THEN
    expect(diff.findings.map(f => f.message)).toEqual([expect.stringContaining('raises the share of Service web-v2 from 0% to '
      + '50% of its requests (rule 1), in the same apply that leaves only 1 of its 6 pods ready')]);
  });

  test('a share listed at 0 in the old rule is no hiding place for a raise', () => {
    // GIVEN: a beta rule {web-v1: 0, web-v2: 1} before the catch-all {web-v1: 1, web-v2: 0}
    const refs = (v1: number, v2: number) => [{ name: 'web-v1', port: 80, weight: v1 }, { name: 'web-v2', port: 80, weight: v2 }];
    const routeOf = (...rules: any[]) => ({ ...httpRoute({}), spec: { rules } });
    const before2 = [version(1, 6), version(2, 1), ...services,
      routeOf({ matches: [{ headers: [{ name: 'X-Beta', value: 'true' }] }], backendRefs: refs(0, 1) }, { backendRefs: refs(1, 0) })];
    // WHEN: the beta rule goes; the catch-all, its default path now written out, splits 50/50
    const after2 = [version(1, 6), version(2, 6), ...services,
      routeOf({ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: refs(1, 1) })];
    // THEN
    expect(ReleaseDiff.between(before2, after2).findings.map(f => f.message)).toEqual([expect.stringContaining(
      'raises the share of Service web-v2 from 0% to 50% of its requests (rule 1), in the same apply that leaves only 1 of')]);
  });

  test('a rule whose matches change is the same rule if no share grows; else a new one, all of whose pods must be ready', () => {
    // GIVEN: /api at 1:1; web-v2 (4 pods, 1 may be unavailable) rolls while the rule becomes /api/
    const v2 = (image: string) => deployment('web-v2', { replicas: 4, image, labels: { app: 'web', v: '2' } });
    const routeOf = (path: string, w1: number, w2: number, elsewhere = 0) => ({ ...httpRoute({}), spec: { rules: [{
      matches: [{ path: { type: 'PathPrefix', value: path } }],
      backendRefs: [{ name: 'web-v1', port: 80, weight: w1 }, { name: 'web-v2', port: 80, weight: w2 },
        { group: 'multicluster.x-k8s.io', kind: 'ServiceImport', name: 'web', port: 80, weight: elsewhere }] }] } });
    const move = (after: any) => codes(ReleaseDiff.between([version(1, 4), v2('web:1'), ...services, routeOf('/api', 1, 1)],
      [version(1, 4), v2('web:2'), ...services, after]));
    // WHEN / THEN: both shares fall (half the requests go elsewhere), so it is the same rule
    expect(move(routeOf('/api/', 1, 1, 2))).toEqual([]);
    // web-v1's share grows: a new rule, whose web-v2 pods are not all ready while they roll
    expect(move(routeOf('/api/', 9, 1))).toEqual(['block route-outpaces-pods']);
  });

  test('a backendRef of group "core" is a Service', () => {
    // GIVEN
    const routeOf = (v1: number, v2: number) => ({ ...httpRoute({}), spec: { rules: [{ backendRefs: [
      { name: 'web-v1', port: 80, weight: v1 }, { group: 'core', kind: 'Service', name: 'web-v2', port: 80, weight: v2 }] }] } });
    // WHEN
    const diff = ReleaseDiff.between([version(1, 6), version(2, 1), ...services, routeOf(100, 0)],
      [version(1, 6), version(2, 6), ...services, routeOf(0, 100)]);
    // THEN
    expect(codes(diff)).toContain('block route-outpaces-pods');
  });

  test('a live route with the CRD\'s default matches is the same rule as its manifest, whatever its backends', () => {
    // GIVEN: the live route to web-v1 only, with defaults; web-v1 rolls (4 pods) while web-v2 (running) gets 10%
    const v1 = (image: string) => deployment('web-v1', { replicas: 4, image, labels: { app: 'web', v: '1' } });
    const route = httpRoute({ 'web-v1': 1 });
    const live = { ...route, metadata: { name: 'web', uid: 'r', annotations: { 'kubectl.kubernetes.io/last-applied-configuration':
      JSON.stringify(route) } }, spec: { rules: [{ ...route.spec.rules[0], matches: [{ path: { type: 'PathPrefix', value: '/' } }] }] } };
    // WHEN
    const diff = ReleaseDiff.between([v1('web:1'), version(2, 2), ...services, live],
      [v1('web:2'), version(2, 2), ...services, httpRoute({ 'web-v1': 9, 'web-v2': 1 })]);
    // THEN
    expect(codes(diff)).toEqual([]);
  });

  test('unverified-switch: a new route onto pods nothing sent to before, whose template changes', () => {
    // GIVEN: web-v2 runs idle, behind no Service
    const oldRoute = httpRoute({ 'web-v1': 100 });
    const newRoute = { ...httpRoute({ 'web-v2': 100 }), metadata: { name: 'web-next' } };
    // WHEN
    const diff = ReleaseDiff.between([version(1, 3), version(2, 3), services[0], oldRoute],
      [version(1, 3), version(2, 3, 'web:3'), ...services, newRoute]);
    // THEN
    expect(codes(diff)).toEqual(['block unverified-switch']);
  });

  test('a rule whose Services have weight 0 next to a backend of another kind is no rule without backends', () => {
    // GIVEN: rule 2 sends everything to a ServiceImport, which the gate does not follow
    const route = { ...httpRoute({}), spec: { rules: [{ backendRefs: [{ name: 'web-v1', port: 80, weight: 100 }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/remote' } }], backendRefs: [{ name: 'web-v2', port: 80, weight: 0 },
        { group: 'multicluster.x-k8s.io', kind: 'ServiceImport', name: 'web', port: 80, weight: 100 }] }] } };
    // WHEN / THEN
    expect(codes(ReleaseDiff.between([version(1, 3), version(2, 3), ...services, route],
      [version(1, 3), version(2, 3), ...services, route]))).toEqual([]);
  });

  test('a new route over pods in a rolling update is the rollout their Service has anyway', () => {
    // GIVEN: the route renamed in the release that rolls web-v1 (4 pods, 1 may be unavailable)
    const v1 = (image: string) => deployment('web-v1', { replicas: 4, image, labels: { app: 'web', v: '1' } });
    const renamed = { ...httpRoute({ 'web-v1': 100 }), metadata: { name: 'web-main' } };
    // WHEN
    const diff = ReleaseDiff.between([v1('web:1'), services[0], httpRoute({ 'web-v1': 100 })], [v1('web:2'), services[0], renamed]);
    // THEN
    expect(codes(diff)).toEqual([]);
  });

  test('a rule whose matches change, or that the API server wrote its defaults into, is still the same rule', () => {
    // GIVEN: the live route with the defaults of the Gateway API CRD, a rolling update of web-v1 under it
    const v1 = (image: string) => deployment('web-v1', { replicas: 4, image, labels: { app: 'web', v: '1' } });
    const route = httpRoute({ 'web-v1': 100 });
    const live = { ...route, metadata: { name: 'web', uid: 'r', annotations: { 'kubectl.kubernetes.io/last-applied-configuration':
      JSON.stringify(route) } }, spec: { rules: [{ ...route.spec.rules[0], matches: [{ path: { type: 'PathPrefix', value: '/' } }] }] } };
    const zero = httpRoute({ 'web-v1': 0 });
    // WHEN / THEN
    expect(codes(ReleaseDiff.between([v1('web:1'), services[0], live], [v1('web:2'), services[0], route]))).toEqual([]);
    expect(codes(ReleaseDiff.between([v1('web:1'), services[0], live], [v1('web:1'), services[0], zero])))
      .toEqual(['block route-outpaces-pods']);
    const moved = { ...zero, spec: { rules: [{ ...zero.spec.rules[0], matches: [{ path: { type: 'PathPrefix', value: '/store' } }] }] } };
    expect(codes(ReleaseDiff.between([v1('web:1'), services[0], route], [v1('web:1'), services[0], moved])))
      .toEqual(['block route-outpaces-pods']);
  });

  test('a new route served nothing before: only its backends must exist', () => {
    // WHEN: a new app, its pods and its route in one apply
    const fresh = ReleaseDiff.between([], [version(1, 3), version(2, 3), ...services, httpRoute({ 'web-v1': 50, 'web-v2': 50 })]);
    const missing = ReleaseDiff.between([], [version(1, 3), services[0], httpRoute({ 'web-v1': 50, 'web-v2': 50 })]);
    // THEN
    expect(codes(fresh)).toEqual([]);
    expect(codes(missing)).toEqual(['block route-outpaces-pods']);
  });

  test('a route to a Service in front of a StatefulSet is left alone', () => {
    // GIVEN
    const db = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
      spec: { selector: { matchLabels: { app: 'db' } }, serviceName: 'db', template: { metadata: { labels: { app: 'db' } }, spec: {} } } };
    const route = (weight: number) => ({ ...httpRoute({ 'web-v1': 100 - weight }),
      spec: { rules: [{ backendRefs: [{ name: 'web-v1', port: 80, weight: 100 - weight }, { name: 'db', port: 80, weight }] }] } });
    // WHEN
    const diff = ReleaseDiff.between([...before, db, service('db', { app: 'db' }), route(0)],
      [...before.slice(0, -1), db, service('db', { app: 'db' }), route(10)]);
    // THEN
    expect(codes(diff)).toEqual([]);
  });

  describe('Istio', () => {
    const virtualService = (host: string, weights: Record<string, number>) => ({
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web' },
      spec: {
        hosts: [host],
        http: [{ route: Object.entries(weights).map(([subset, weight]) => ({ destination: { host, subset }, weight })) }],
      },
    });
    const rule = (subsets: string[]) => ({
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'web' },
      spec: { host: 'web', subsets: subsets.map(v => ({ name: v, labels: { v: v.slice(1) } })) },
    });
    const objects = [version(1, 3), version(2, 3), service('web', { app: 'web' })];

    test('route-outpaces-pods: a share given to a subset no DestinationRule defines', () => {
      // WHEN
      const diff = ReleaseDiff.between([...objects, rule(['v1', 'v2']), virtualService('web', { v1: 100, v2: 0 })],
        [...objects, rule(['v1']), virtualService('web', { v1: 50, v2: 50 })]);
      // THEN
      expect(diff.findings.map(f => f.message)).toEqual([expect.stringContaining(
        'raises the share of subset v2 of web from 0% to 50% of its requests (rule 1), but no DestinationRule of the new '
        + 'manifests defines subset v2 of web: the requests would fail')]);
    });

    test('route-outpaces-pods: a subset moved onto pods that are not ready yet, its share unchanged', () => {
      // GIVEN: v2 takes 10%; a third Deployment is scaled up from 0
      const relabelled = { ...rule(['v1', 'v2']), spec: { host: 'web', subsets: [{ name: 'v1', labels: { v: '1' } }, { name: 'v2', labels: { v: '3' } }] } };
      // WHEN
      const diff = ReleaseDiff.between([...objects, version(3, 0), rule(['v1', 'v2']), virtualService('web', { v1: 90, v2: 10 })],
        [...objects, version(3, 3), relabelled, virtualService('web', { v1: 90, v2: 10 })]);
      // THEN
      expect(diff.findings.map(f => f.message)).toEqual([expect.stringMatching(
        /^VirtualService web keeps subset v2 of web at 10% of its requests \(rule 1\), in the same apply that leaves only 0 of/,
      )]);
      expect(diff.findings[0].message).toContain('leaves only 0 of its 3 new pods ready when the route takes effect');
    });

    test('route-outpaces-pods: a subset whose labels exclude every pod of the host\'s Service', () => {
      // GIVEN: the Service selects v1 only; the route sends everything to subset v2
      const narrow = [version(1, 3), version(2, 3), service('web', { app: 'web', v: '1' }), rule(['v1', 'v2'])];
      // WHEN
      const diff = ReleaseDiff.between([...narrow, virtualService('web', { v1: 100, v2: 0 })], [...narrow, virtualService('web', { v1: 0, v2: 100 })]);
      // THEN
      expect(diff.findings.map(f => f.message)).toEqual([expect.stringContaining('raises the share of subset v2 of web from 0% '
        + 'to 100% of its requests (rule 1), but subset v2 (v=2) excludes every pod Service web selects (v=1)')]);
    });

    test('a DestinationRule in the namespace of the route counts for a host in another namespace', () => {
      // GIVEN: the route and its rule in "frontend", the Service and its pods in "shop"
      const inNs = (namespace: string, o: any) => ({ ...o, metadata: { ...o.metadata, namespace } });
      const fqdn = 'web.shop.svc.cluster.local';
      const shop = objects.map(o => inNs('shop', o));
      const frontend = (weights: Record<string, number>) => [inNs('frontend', { ...rule(['v1', 'v2']), spec: { ...rule(['v1', 'v2']).spec, host: fqdn } }),
        inNs('frontend', virtualService(fqdn, weights))];
      // WHEN
      const diff = ReleaseDiff.between([...shop, ...frontend({ v1: 90, v2: 10 })], [...shop, ...frontend({ v1: 70, v2: 30 })]);
      // THEN
      expect(codes(diff)).toEqual([]);
    });

    test('a share that grows onto a checked subset passes; hosts outside the cluster are left alone', () => {
      // WHEN
      const checked = ReleaseDiff.between([...objects, rule(['v1', 'v2']), virtualService('web', { v1: 100, v2: 0 })],
        [...objects, rule(['v1', 'v2']), virtualService('web.default.svc.cluster.local', { v1: 50, v2: 50 })]);
      const external = ReleaseDiff.between([virtualService('api.example.com', { v1: 100, v2: 0 })],
        [virtualService('api.example.com', { v1: 50, v2: 50 })]);
      // THEN
      expect(codes(checked)).toEqual([]);
      expect(codes(external)).toEqual([]);
    });
  });
});

const COUNTS = ['replicas', 'readyReplicas', 'updatedReplicas', 'availableReplicas'];
/** `objects` as `kubectl get -o yaml` prints them after `kubectl apply`: the record, a uid and a status. */
const asLive = (objects: any[], change: (o: any) => any = o => o) => objects.map(o => change({
  ...o,
  metadata: { ...o.metadata, uid: `uid-${o.metadata.name}`, generation: 1,
    annotations: { ...o.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(o) } },
  status: o.kind === 'Deployment'
    ? { observedGeneration: 1, ...Object.fromEntries(COUNTS.map(k => [k, o.spec.replicas])) }
    : {},
}));

describe('what the cluster shows', () => {
  test('capacity-drop: a switch onto a slot an autoscaler left at 0 (it never scales up from 0)', () => {
    // GIVEN: blue serves 3 pods, green is at 0; the manifests leave replicas to the autoscalers
    const slot = (name: string) => deployment(`api-${name}`, { labels: { app: 'api', slot: name } });
    const manifests = (active: string) => [slot('blue'), slot('green'), service('api', { app: 'api', slot: active })];
    const live = asLive(manifests('blue'), o => (o.kind !== 'Deployment' ? o : {
      ...o, spec: { ...o.spec, replicas: o.metadata.name === 'api-blue' ? 3 : 0 },
      status: o.metadata.name === 'api-blue' ? { observedGeneration: 1, ...Object.fromEntries(COUNTS.map(k => [k, 3])) }
        : { observedGeneration: 1 },
    }));
    // WHEN
    const diff = ReleaseDiff.between(live, manifests('green'));
    // THEN
    expect(codes(diff)).toEqual(['block capacity-drop']);
    expect(diff.findings[0].message).toBe('Service api: its selector moves from 3 ready pods onto pods of which none runs '
      + 'after the apply, so it serves nothing: scale api-green up first (an autoscaler does not scale a Deployment up from '
      + '0: kubectl scale it) and wait until its pods are ready before sending traffic to it');
  });

  test('a slot\'s image changed on the cluster since the apply: applying the manifests again changes the live slot', () => {
    // GIVEN: kubectl set image on the live slot blue
    const live = asLive(blueGreen({}), o => (o.kind === 'Deployment' && o.metadata.name === 'shop-api-blue'
      ? { ...o, spec: { ...o.spec, template: { ...o.spec.template, spec: { ...o.spec.template.spec,
        containers: [{ ...o.spec.template.spec.containers[0], image: 'r/api:1.4.1-hotfix' }] } } } } : o));
    // WHEN
    const diff = ReleaseDiff.between(live, blueGreen({}));
    const unchanged = ReleaseDiff.between(asLive(blueGreen({})), blueGreen({}));
    // THEN
    expect(codes(diff)).toEqual(['block live-template-changed']);
    expect(codes(unchanged)).toEqual([]);
  });

  test('a live object compared leniently: 0.7 CPU is 700m, and entries added on the cluster stay', () => {
    // GIVEN: requests as the manifest says them and as the API server stores them; an env var set by
    // hand. A Recreate Deployment, whose template change would be a warning.
    const manifest = deployment('web', { replicas: 2, recreate: true });
    manifest.spec.template.spec.containers[0].resources = { requests: { cpu: '0.7', memory: '0.5Gi' } };
    const stored = JSON.parse(JSON.stringify(manifest));
    stored.spec.template.spec.containers[0].resources.requests = { cpu: '700m', memory: '512Mi' };
    stored.spec.template.spec.containers[0].env = [{ name: 'LOG_LEVEL', value: 'debug' }];
    const withoutRecord = { ...stored, metadata: { name: 'web', uid: 'u' }, status: { replicas: 2, readyReplicas: 2 } };
    const withRecord = { ...withoutRecord, metadata: { name: 'web', uid: 'u',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(manifest) } } };
    // WHEN / THEN
    const noEnv = JSON.parse(JSON.stringify(withoutRecord));
    delete noEnv.spec.template.spec.containers[0].env;
    expect(codes(ReleaseDiff.between([noEnv], [manifest]))).toEqual([]);
    expect(codes(ReleaseDiff.between([withRecord], [manifest]))).toEqual([]);
    // A new image set by hand is a change the apply reverts.
    const hotfix = JSON.parse(JSON.stringify(withRecord));
    hotfix.spec.template.spec.containers[0].image = 'web:1-hotfix';
    expect(codes(ReleaseDiff.between([hotfix], [manifest]))).toEqual(['warn recreate-downtime']);
  });

  test('capacity-drop: a Service selector changed on the cluster is what the apply moves from', () => {
    // GIVEN: the manifests send to blue; by hand, the Service was moved to green and blue scaled to 0
    const slot = (name: string) => deployment(`api-${name}`, { replicas: 3, labels: { app: 'api', slot: name } });
    const manifests = [slot('blue'), slot('green'), service('api', { app: 'api', slot: 'blue' })];
    const live = asLive(manifests, o => {
      if (o.metadata.name === 'api-blue') return { ...o, spec: { ...o.spec, replicas: 0 }, status: { observedGeneration: 1 } };
      return o.kind === 'Service' ? { ...o, spec: { ...o.spec, selector: { app: 'api', slot: 'green' } } } : o;
    });
    // WHEN
    const diff = ReleaseDiff.between(live, manifests);
    // THEN
    expect(codes(diff)).toEqual(['block capacity-drop']);
    expect(diff.services[0]).toMatchObject({ before: 3, after: 3, during: 0 });
  });

  test('unverified-switch: a switch to a slot whose rollout has not finished on the cluster', () => {
    // GIVEN: green still rolling out (1 of 3 pods updated)
    const live = asLive(blueGreen({}), o => (o.metadata.name === 'shop-api-green' ? { ...o, status: { ...o.status, updatedReplicas: 1 } } : o));
    // WHEN
    const diff = ReleaseDiff.between(live, blueGreen({ activeSlot: Slot.GREEN }));
    // THEN
    expect(codes(diff)).toEqual(['block unverified-switch']);
    expect(diff.findings[0].message).toMatch(/to Deployment shop-api-green, whose rollout on the cluster has not finished/);
    // Old pods still there, or updated ones not yet available, are an unfinished rollout too.
    for (const status of [{ replicas: 4, updatedReplicas: 3 }, { availableReplicas: 2 }]) {
      const rolling = asLive(blueGreen({}), o => (o.metadata.name === 'shop-api-green' ? { ...o, status: { ...o.status, ...status } } : o));
      expect(codes(ReleaseDiff.between(rolling, blueGreen({ activeSlot: Slot.GREEN })))).toEqual(['block unverified-switch']);
    }
  });

  test('unverified-promotion: the canary\'s rollout on the cluster has not finished', () => {
    // GIVEN: a generation the controller has not observed yet on the canary track
    const live = asLive(canary({ canaryWeight: 10 }), o => (o.metadata.name === 'shop-search-canary'
      ? { ...o, metadata: { ...o.metadata, generation: 2 } } : o));
    // WHEN / THEN
    expect(codes(ReleaseDiff.between(live, canary({ stable: canaryBase.canary })))).toEqual(['block unverified-promotion']);
    expect(codes(ReleaseDiff.between(asLive(canary({ canaryWeight: 10 })), canary({ stable: canaryBase.canary })))).toEqual([]);
  });

  test('the ReplicaSets and Pods of Deployments (kubectl get all) do not hide a capacity drop', () => {
    // GIVEN
    const owned = (kind: string, name: string, slot: string) => ({ apiVersion: 'v1', kind, metadata: { name, uid: name,
      labels: { app: 'api', slot }, ownerReferences: [{ kind: 'Deployment', name: `api-${slot}`, controller: true }] },
    spec: { template: { metadata: { labels: { app: 'api', slot } } } } });
    const slots = (green: number, active: string) => [deployment('api-blue', { replicas: 3, labels: { app: 'api', slot: 'blue' } }),
      deployment('api-green', { replicas: green, labels: { app: 'api', slot: 'green' } }), service('api', { app: 'api', slot: active })];
    // WHEN
    const diff = ReleaseDiff.between([...slots(0, 'blue'), owned('ReplicaSet', 'api-blue-1', 'blue'), owned('Pod', 'api-blue-1-a', 'blue')],
      slots(3, 'green'));
    // THEN
    expect(codes(diff)).toEqual(['block capacity-drop']);
  });

  test('manifests with an empty status (kubectl create --dry-run) are manifests, not live objects', () => {
    // GIVEN
    const withStatus = (objects: any[]) => objects.map(o => ({ ...o, status: {} }));
    // WHEN
    const diff = ReleaseDiff.between(withStatus(blueGreen({ idleReplicas: 0 })),
      withStatus(blueGreen({ activeSlot: Slot.GREEN })));
    // THEN
    expect(codes(diff)).toEqual(['block capacity-drop']);
  });

  test('replicas-under-autoscaler: an autoscaler of the previous manifests counts (kubectl apply leaves it running)', () => {
    // GIVEN
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 20 } };
    // WHEN
    const diff = ReleaseDiff.between([deployment('web'), hpa], [deployment('web', { replicas: 4 })]);
    // THEN
    expect(codes(diff)).toEqual(['block replicas-under-autoscaler']);
    expect(diff.findings[0].message).toContain('Deployment web: spec.replicas is 4, and HorizontalPodAutoscaler/web scales it '
      + '(the new manifests leave it out, but kubectl apply leaves it running)');
  });

  test('replicas-under-autoscaler: an autoscaler that runs on the cluster counts', () => {
    // GIVEN
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', uid: 'h' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 20 }, status: { currentReplicas: 12 } };
    const live = { ...deployment('web'), metadata: { name: 'web', uid: 'u' }, status: { replicas: 12, readyReplicas: 12 } };
    // WHEN
    const diff = ReleaseDiff.between([live, hpa], [deployment('web', { replicas: 3 })]);
    // THEN
    expect(codes(diff)).toEqual(['block replicas-under-autoscaler']);
  });

  test('immutable-field-changed: clusterIP None over an allocated address, or another address than the live one', () => {
    // GIVEN
    const web = (spec: Record<string, unknown> = {}) => {
      const s = service('web', { app: 'web' });
      return { ...s, spec: { ...s.spec, ...spec } };
    };
    const live = { ...web({ clusterIP: '10.96.0.10' }), metadata: { name: 'web', uid: 'u',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(web()) } } };
    const run = (b: any, a: any) => codes(ReleaseDiff.between([deployment('web', { replicas: 2 }), b], [deployment('web', { replicas: 2 }), a]));
    // THEN
    expect(run(web(), web({ clusterIP: 'None' }))).toEqual(['block immutable-field-changed']);
    expect(run(live, web({ clusterIP: '10.96.0.99' }))).toEqual(['block immutable-field-changed']);
    expect(ReleaseDiff.between([live], [web({ clusterIP: 'None' })]).findings[0].message).toBe('Service web: spec.clusterIP '
      + 'changes from 10.96.0.10 to None; the API server rejects the apply, as the field is immutable: keep it, or replace '
      + 'the Service under a new name');
    expect(run(live, web({ clusterIP: '10.96.0.10' }))).toEqual([]);
    expect(run(web({ type: 'ExternalName', externalName: 'a.example.com' }), web({ clusterIP: 'None' }))).toEqual([]);
  });

  test('immutable-field-changed and selector-changed: a Job\'s pod template, a StatefulSet\'s selector', () => {
    // GIVEN
    const job = (image: string) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image }] } } } });
    const db = (labels: Record<string, string>) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
      spec: { selector: { matchLabels: labels }, serviceName: 'db', template: { metadata: { labels }, spec: {} } } });
    // WHEN / THEN
    expect(codes(ReleaseDiff.between([job('m:1')], [job('m:2')]))).toEqual(['block immutable-field-changed']);
    expect(ReleaseDiff.between([job('m:1')], [job('m:2')]).findings[0].message).toMatch(/^Job migrate: spec.template changes/);
    expect(codes(ReleaseDiff.between([job('m:1')], [job('m:1')]))).toEqual([]);
    // A finished Job with a time to live is gone by the next release.
    const expiring = (image: string) => ({ ...job(image), spec: { ...job(image).spec, ttlSecondsAfterFinished: 300 } });
    expect(codes(ReleaseDiff.between([expiring('m:1')], [expiring('m:2')]))).toEqual([]);
    expect(codes(ReleaseDiff.between([db({ app: 'db' })], [db({ app: 'db', tier: 'data' })]))).toEqual(['block selector-changed']);
  });

  test('target-port-missing: a named targetPort the new pods no longer have', () => {
    // GIVEN
    const web = (portName: string, image: string) => {
      const d = deployment('web', { replicas: 3, image });
      d.spec.template.spec.containers[0].ports = [{ name: portName, containerPort: 8080 }];
      return d;
    };
    const svc = (targetPort: string | number) => ({ ...service('web', { app: 'web' }), spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort }] } });
    // WHEN
    const renamed = ReleaseDiff.between([web('http', 'web:1'), svc('http')], [web('web', 'web:2'), svc('http')]);
    const byNumber = ReleaseDiff.between([web('http', 'web:1'), svc(8080)], [web('web', 'web:2'), svc(8080)]);
    // THEN
    expect(codes(renamed)).toEqual(['block target-port-missing']);
    expect(renamed.findings[0].message).toBe('Service web: its targetPort "http" names no container port of the pods of '
      + 'Deployment web, so they get none of its traffic: keep the port\'s name in the pod template, or change the Service\'s '
      + 'targetPort with it');
    expect(codes(byNumber)).toEqual([]);
  });

  test('target-port-missing: not for pods of another role that never had the port', () => {
    // GIVEN: web serves http and metrics, the worker metrics only, behind one Service
    const role = (name: string, ports: string[]) => {
      const d = deployment(name, { replicas: 2, labels: { app: 'shop', role: name } });
      d.spec.template.spec.containers[0].ports = ports.map((p, i) => ({ name: p, containerPort: 8080 + i }));
      return d;
    };
    const svc = { ...service('shop', { app: 'shop' }),
      spec: { selector: { app: 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'm', port: 9090, targetPort: 'metrics' }] } };
    const objects = [role('web', ['http', 'metrics']), role('worker', ['metrics']), svc];
    // WHEN / THEN
    expect(codes(ReleaseDiff.between(objects, objects))).toEqual([]);
    expect(codes(ReleaseDiff.between([], objects))).toEqual([]);
  });
});

describe('spec.paused: a change made while paused rolls out when the rollout resumes', () => {
  /** The Service's fewest ready pods during the apply. */
  const during = (diff: ReleaseDiff, name: string) => diff.services.find(s => s.name === name)!.during;
  const pausedDeployment = (options: DeploymentOptions, paused?: boolean) => {
    const d = deployment('web', options);
    return paused === undefined ? d : { ...d, spec: { ...d.spec, paused } };
  };

  test('ramped: a new image while paused moves no pod, and says so', () => {
    // WHEN: 10 pods of 1.4.0, then 1.5.0 with the rollout paused
    const diff = ReleaseDiff.between(ramped({}), ramped({ image: 'r/web:1.5.0', version: '1.5.0', paused: true }));
    // THEN
    expect(diff.apps[0].move).toBe('1.4.0 → 1.5.0, held by spec.paused');
    expect(during(diff, 'shop-web')).toBe(10);
    expect(codes(diff)).toEqual(['warn rollout-held']);
    expect(diff.findings[0].message).toBe('Deployment shop-web: its pod template changes while spec.paused holds its '
      + 'rollout, so no pod is replaced now (a paused Deployment only scales) and traffic sent to it reaches the pods it '
      + 'already runs: the apply that lifts '
      + 'spec.paused rolls the change out, and a diff from these manifests cannot see that move, since they already say '
      + 'the new template: diff against the live objects (kubectl get deploy,svc -o yaml, with httproutes or '
      + 'virtualservices,destinationrules for an app with a router) then');
  });

  test('lifting spec.paused over manifests warns that they cannot show what rolls out', () => {
    // WHEN
    const paused = ramped({ image: 'r/web:1.5.0', version: '1.5.0', paused: true });
    const diff = ReleaseDiff.between(paused, ramped({ image: 'r/web:1.5.0', version: '1.5.0' }));
    // THEN
    expect(diff.apps[0].move).toBe('spec.paused lifted');
    expect(codes(diff)).toEqual(['warn rollout-held']);
    expect(diff.findings[0].message).toBe('Deployment shop-web: spec.paused is lifted, so a change applied while it was '
      + 'paused rolls out now, which the previous manifests cannot show (they already say the changed template): diff '
      + 'against the live objects (kubectl get deploy,svc -o yaml, with httproutes or virtualservices,destinationrules for '
      + 'an app with a router) to check that move');
  });

  test('a Deployment that stays paused and keeps its template only scales', () => {
    // WHEN
    const diff = ReleaseDiff.between(ramped({ paused: true }), ramped({ paused: true, replicas: 12 }));
    // THEN
    expect(diff.apps[0].move).toBe('scale 10 → 12 pods');
    expect([codes(diff), during(diff, 'shop-web')]).toEqual([[], 10]);
  });

  test('blue/green: a change to the live slot while paused is no rollout yet; lifting it on the cluster is', () => {
    // GIVEN: the live slot blue gets 1.4.1 while paused; on the cluster, its pods still run 1.4.0
    const held = blueGreen({ paused: true, blue: { image: 'r/api:1.4.1' } });
    const live = asLive(held, o => (o.kind === 'Deployment' && o.metadata.name === 'shop-api-blue'
      ? { ...o, status: { ...o.status, updatedReplicas: 0 } } : o));
    // WHEN
    const pause = ReleaseDiff.between(blueGreen({ paused: true }), held);
    const resume = ReleaseDiff.between(live, blueGreen({ blue: { image: 'r/api:1.4.1' } }));
    // THEN
    expect(pause.apps[0].move).toBe('blue 1.4.0 → 1.4.1, held by spec.paused (live)');
    expect(codes(pause)).toEqual(['warn rollout-held']);
    expect(resume.apps[0].move).toBe('blue resumes the rollout spec.paused held (1.4.1) (live)');
    expect(codes(resume)).toEqual(['block live-template-changed']);
  });

  test('canary: a promotion made while paused is checked when it resumes on the cluster', () => {
    // GIVEN: the stable track set while paused to the canary's 1.5.0, or to 1.4.5, which no canary
    // ran; on the cluster its pods still run 1.4.0
    const pending = (stable: VariantProps) => asLive(canary({ paused: true, stable, canaryWeight: 10 }), o =>
      (o.kind === 'Deployment' && o.metadata.name === 'shop-search' ? { ...o, status: { ...o.status, updatedReplicas: 0 } } : o));
    const resume = (stable: VariantProps) => ReleaseDiff.between(pending(stable), canary({ stable, canaryWeight: 10 }));
    // WHEN
    const checked = resume(canaryBase.canary!);
    const unchecked = resume({ image: 'r/search:1.4.5' });
    // THEN
    expect(codes(checked)).toEqual([]);
    expect(checked.apps[0].move).toBe('stable resumes the rollout spec.paused held (1.5.0)');
    expect(codes(unchecked)).toEqual(['block unverified-promotion']);
  });

  test('read from the cluster: lifting spec.paused rolls out only a change it held', () => {
    // GIVEN: 4 pods behind a Service, paused; in one case they run its template, in the other its
    // template changed while paused (the controller observed it and made no new ReplicaSet)
    const objects = [pausedDeployment({ replicas: 4 }, true), service('web', { app: 'web' })];
    const finished = asLive(objects);
    const pending = asLive(objects, o => (o.kind === 'Deployment' ? { ...o, status: { ...o.status, updatedReplicas: 0 } } : o));
    const next = [deployment('web', { replicas: 4 }), service('web', { app: 'web' })];
    // WHEN
    const [quiet, rolls] = [finished, pending].map(before => ReleaseDiff.between(before, next));
    // THEN: a rolling update of 4 pods keeps 3 (maxUnavailable 25%)
    expect([codes(quiet), during(quiet, 'web')]).toEqual([[], 4]);
    expect([codes(rolls), during(rolls, 'web')]).toEqual([[], 3]);
  });

  test('read from the cluster: lifting spec.paused over pods that run the template, one of them not ready, rolls nothing', () => {
    // GIVEN: the canary's stable track paused, every pod updated, one not available
    const live = asLive(canary({ paused: true, canaryWeight: 10 }), o => (o.kind === 'Deployment' && o.metadata.name === 'shop-search'
      ? { ...o, status: { ...o.status, readyReplicas: 9, availableReplicas: 9 } } : o));
    // WHEN
    const diff = ReleaseDiff.between(live, canary({ canaryWeight: 10 }));
    // THEN
    expect([codes(diff), diff.apps[0].move]).toEqual([[], 'no change']);
  });

  test('a pause made on the cluster stays when the manifests leave spec.paused out; false or null lifts it', () => {
    // GIVEN: kubectl rollout pause on 4 pods behind a Service, whose manifests never set spec.paused;
    // and the same with a change held since (no pod updated)
    const objects = [deployment('web', { replicas: 4 }), service('web', { app: 'web' })];
    const pause = (o: any) => (o.kind === 'Deployment' ? { ...o, spec: { ...o.spec, paused: true } } : o);
    const live = asLive(objects, pause);
    const pending = asLive(objects, o => (o.kind === 'Deployment' ? { ...pause(o), status: { ...o.status, updatedReplicas: 0 } } : o));
    const next = (paused?: boolean | null) => [{ ...deployment('web', { replicas: 4, image: 'web:2' }),
      spec: { ...deployment('web', { replicas: 4, image: 'web:2' }).spec, ...(paused === undefined ? {} : { paused }) } },
    service('web', { app: 'web' })];
    // WHEN
    const kept = ReleaseDiff.between(live, next());
    const lifted = [false, null].map(paused => ReleaseDiff.between(live, next(paused)));
    const resumed = ReleaseDiff.between(pending, [deployment('web', { replicas: 4 }), service('web', { app: 'web' })].map(
      o => (o.kind === 'Deployment' ? { ...o, spec: { ...o.spec, paused: null } } : o)));
    // THEN: a rolling update of 4 pods keeps 3
    expect([codes(kept), during(kept, 'web')]).toEqual([['warn rollout-held'], 4]);
    expect(lifted.map(diff => [codes(diff), during(diff, 'web')])).toEqual([[[], 3], [[], 3]]);
    expect(during(resumed, 'web')).toBe(3);
  });

  test('a switch onto a Deployment the previous manifests pause is unverified-switch: which template its pods run, they cannot say', () => {
    // GIVEN: both slots paused; 1.6.0 into the idle slot green, which keeps its 1.5.0 pods
    const held = (props: Partial<BlueGreenAppProps>) => blueGreen({ paused: true, green: { image: 'r/api:1.6.0' }, ...props });
    // WHEN: with no preview Service and with one (which showed the old pods, or another Service's
    // pods: it cannot tell); lifting the pause in the same apply (which rolls out what it held);
    // and with the pause lifted first
    const [unseen, previewed] = [false, true].map(preview => ReleaseDiff.between(held({ preview }),
      held({ preview, activeSlot: Slot.GREEN })));
    const liftAndSwitch = ReleaseDiff.between(held({}), blueGreen({ green: { image: 'r/api:1.6.0' }, activeSlot: Slot.GREEN }));
    const lifted = ReleaseDiff.between(blueGreen({ green: { image: 'r/api:1.6.0' }, preview: false }),
      blueGreen({ green: { image: 'r/api:1.6.0' }, preview: false, activeSlot: Slot.GREEN }));
    // THEN
    expect(codes(unseen)).toEqual(['block unverified-switch']);
    expect(unseen.findings[0].message).toBe('Service shop-api: traffic moves to Deployment shop-api-green, which the previous '
      + 'manifests pause (spec.paused): its pods may not run its template, so traffic reaches pods nobody checked: lift '
      + 'spec.paused in one apply (and diff against the live objects to see what it rolls out), then move the traffic in the next');
    expect(codes(previewed)).toEqual(['block unverified-switch', 'block unverified-switch']);
    expect(codes(liftAndSwitch)).toEqual(['warn rollout-held', 'warn rollout-held', 'block unverified-switch', 'block unverified-switch']);
    expect(codes(lifted)).toEqual([]);
  });

  test('canary with a router: a share given to a track the previous manifests pause is unverified-switch', () => {
    // GIVEN: the canary track paused with 1.6.0 held, 1 pod at weight 0
    const routed = (props: Partial<CanaryAppProps>) => canary({ trafficRouter: TrafficRouter.gatewayApi(), canaryReplicas: 1,
      canary: { image: 'r/search:1.6.0' }, ...props });
    // WHEN
    const diff = ReleaseDiff.between(routed({ paused: true, canaryWeight: 0 }), routed({ paused: true, canaryWeight: 10 }));
    // THEN
    expect(codes(diff)).toEqual(['block unverified-switch']);
  });

  test('a switch onto a paused Deployment whose pods the same apply replaces with a pod spec that served passes', () => {
    // GIVEN: green paused on api:2; the apply lifts the pause, sets it to blue's api:1 and switches to it
    const slot = (name: string, image: string, paused?: boolean) => {
      const d = deployment(`api-${name}`, { image, labels: { app: 'api', slot: name } });
      return paused === undefined ? d : { ...d, spec: { ...d.spec, paused } };
    };
    const before = [slot('blue', 'api:1'), slot('green', 'api:2', true), service('api', { app: 'api', slot: 'blue' })];
    const after = [slot('blue', 'api:1'), slot('green', 'api:1', false), service('api', { app: 'api', slot: 'green' })];
    // WHEN
    const diff = ReleaseDiff.between(before, after);
    // THEN
    expect(codes(diff)).toEqual(['warn rollout-held']);
  });

  test('canary: a promotion to what the previous manifests paused on the canary track is unverified', () => {
    // GIVEN: 1.6.0 set on the canary track while paused: its pods still run 1.5.0
    const held = canary({ paused: true, canary: { image: 'r/search:1.6.0' }, canaryWeight: 10 });
    // WHEN: the pause lifted and the stable track promoted to 1.6.0 in the same apply
    const diff = ReleaseDiff.between(held, canary({ stable: { image: 'r/search:1.6.0' }, canary: { image: 'r/search:1.6.0' },
      canaryWeight: 10 }));
    // THEN
    expect(codes(diff)).toEqual(['warn rollout-held', 'warn rollout-held', 'block unverified-promotion']);
    expect(diff.findings[2].message).toBe('canary shop-search: the stable track moves to 1.6.0, which the canary track did not '
      + 'run before this apply as far as the previous manifests tell (they pause it: spec.paused): run it on the canary track '
      + 'first, then promote');
  });

  test('read from the cluster with a status that does not say what the controller observed: lifting warns', () => {
    // GIVEN: a live paused Deployment (a uid, no record of the last apply) whose status is empty
    const live = [{ ...pausedDeployment({ replicas: 4 }, true), metadata: { name: 'web', uid: 'u1' }, status: {} }];
    // WHEN
    const diff = ReleaseDiff.between(live, [pausedDeployment({ replicas: 4 }, false)]);
    // THEN
    expect(codes(diff)).toEqual(['warn rollout-held']);
  });

  test('a Deployment created paused runs no pod, and its ports are still checked', () => {
    // WHEN
    const diff = ReleaseDiff.between([], ramped({ paused: true }));
    const badPort = ReleaseDiff.between([], [pausedDeployment({ replicas: 2 }, true),
      { ...service('web', { app: 'web' }), spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } }]);
    // THEN
    expect(diff.services.find(s => s.name === 'shop-web')!.after).toBe(0);
    expect(codes(diff)).toEqual(['warn rollout-held']);
    expect(diff.findings[0].message).toBe('Deployment shop-web is created with spec.paused, so the controller makes no '
      + 'ReplicaSet and it runs no pod until the pause is lifted');
    expect(codes(badPort)).toEqual(['warn rollout-held', 'block target-port-missing']);
    // At 0 replicas it serves nothing once lifted either.
    const none = ReleaseDiff.between([], [pausedDeployment({ replicas: 0 }, true),
      { ...service('web', { app: 'web' }), spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } }]);
    expect(codes(none)).toEqual(['warn rollout-held']);
  });
});

describe('manifests the gate cannot read are errors that name the object and field', () => {
  const route = (spec: any, kind = 'HTTPRoute') => ({ apiVersion: 'x/v1', kind, metadata: { name: 'web' }, spec });
  test.each([
    ['replicas -1', [deployment('web', { replicas: -1 })], 'Deployment/web: spec.replicas is -1; it must be an integer from 0 to 2147483647'],
    ['replicas 2.5', [deployment('web', { replicas: 2.5 })], 'Deployment/web: spec.replicas is 2.5; it must be an integer from 0 to 2147483647'],
    ['a null backendRef', [route({ rules: [{ backendRefs: [null] }] })], 'HTTPRoute/web: spec.rules[0].backendRefs[0] is not an object (null)'],
    ['a null destination', [route({ http: [{ route: [null] }] }, 'VirtualService')], 'VirtualService/web: spec.http[0].route[0] is not an object (null)'],
    ['a host that is a number', [route({ http: [{ route: [{ destination: { host: 7 } }] }] }, 'VirtualService')],
      'VirtualService/web: spec.http[0].route[0].destination has a host or subset that is not a string'],
  ])('%s', (_, after, message) => {
    expect(() => ReleaseDiff.between([], after)).toThrow(message);
  });

  test('a live object whose status is null is read as one without a status', () => {
    // GIVEN
    const live = { ...deployment('web', { replicas: 2 }), metadata: { name: 'web', uid: 'u' }, status: null };
    // WHEN
    const diff = ReleaseDiff.between([live, service('web', { app: 'web' })],
      [deployment('web', { replicas: 2 }), service('web', { app: 'web' })]);
    // THEN
    expect(diff.services[0]).toMatchObject({ before: 2, after: 2 });
  });

  test('containers that are not a list', () => {
    // GIVEN: a canary whose stable track's containers are a map, with a changed template
    const broken = canary({ stable: { image: 'r/search:1.5.0' } }).map(o => (o.kind === 'Deployment' && o.metadata.name === 'shop-search'
      ? { ...o, spec: { ...o.spec, template: { ...o.spec.template, spec: { ...o.spec.template.spec, containers: { a: {} } } } } }
      : o));
    // THEN
    expect(() => ReleaseDiff.between(canary({}), broken)).toThrow('Deployment/shop-search: spec.template.spec.containers is not a list');
  });
});

describe('options and input', () => {
  test('allow turns a code\'s blocks into warnings', () => {
    // WHEN
    const diff = ReleaseDiff.between(blueGreen({}), blueGreen({ blue: { image: 'r/api:1.6.0' } }), { allow: [FindingCode.LIVE_TEMPLATE_CHANGED] });
    // THEN
    expect(diff.findings.map(f => f.severity)).toEqual([Severity.WARN]);
    expect(diff.blocked).toBe(false);
  });

  test('fails when allow names an unknown code', () => {
    expect(() => ReleaseDiff.between([], [], { allow: ['oops' as FindingCode] })).toThrow(
      /^'allow' holds "oops"; the codes are selector-changed, capacity-drop/);
  });

  test('fails when a document is not a Kubernetes object, naming it', () => {
    expect(() => ReleaseDiff.between([{ kind: 'Deployment' }], [])).toThrow(
      'before: document 1 is not a Kubernetes object (it needs apiVersion, kind and metadata.name)');
  });

  test('reads a kind: List as its items', () => {
    // GIVEN
    const list = { apiVersion: 'v1', kind: 'List', items: ramped({}) };
    // WHEN
    const diff = ReleaseDiff.between([list], ramped({ image: 'r/web:1.5.0' }));
    // THEN
    expect(diff.apps[0].move).toBe('1.4.0 → 1.5.0, at most 13 pods, at least 8 available');
  });

  test('reads a live object as it was last applied, so the defaults the API server added are no change', () => {
    // GIVEN: the live Deployment, with defaults filled in and the applied manifest recorded
    const applied = ramped({});
    const live = applied.map(o => ({
      ...o,
      metadata: { ...o.metadata, namespace: 'shop', uid: 'u1',
        annotations: { ...o.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(o) } },
      spec: o.kind === 'Deployment' ? { ...o.spec, template: { ...o.spec.template, spec: { ...o.spec.template.spec, dnsPolicy: 'ClusterFirst' } } } : o.spec,
      status: o.kind === 'Deployment' ? { replicas: 10, readyReplicas: 10 } : {},
    }));
    // WHEN
    const diff = ReleaseDiff.between(live, ramped({}));
    // THEN
    expect(diff.apps[0].move).toBe('no change');
    expect(diff.findings).toEqual([]);
  });

  test('compares a live object without a record of what was applied leniently: defaults and quantities', () => {
    // GIVEN
    const manifest = deployment('web', { replicas: 2 });
    manifest.spec.template.spec.containers[0].resources = { requests: { cpu: '1000m', memory: '512Mi' } };
    const live = JSON.parse(JSON.stringify(manifest));
    live.metadata.uid = 'u1';
    live.spec.template.spec.containers[0].resources.requests.cpu = '1';
    live.spec.template.spec.containers[0].terminationMessagePath = '/dev/termination-log';
    live.status = { replicas: 2, readyReplicas: 2 };
    const changed = JSON.parse(JSON.stringify(manifest));
    changed.spec.template.spec.containers[0].image = 'web:2';
    // WHEN / THEN
    expect(ReleaseDiff.between([live], [manifest]).apps).toEqual([]);
    expect(ReleaseDiff.between([live, service('web', { app: 'web' })], [manifest, service('web', { app: 'web' })]).services[0].during).toBe(2);
    expect(ReleaseDiff.between([live, service('web', { app: 'web' })], [changed, service('web', { app: 'web' })]).services[0].during).toBe(2);
    expect(ReleaseDiff.between([live, service('web', { app: 'web' })],
      [{ ...changed, spec: { ...changed.spec, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } } },
        service('web', { app: 'web' })]).services[0].during).toBe(1);
  });

  test('pairs a manifest without a namespace with the live object in any namespace', () => {
    // GIVEN
    const live = ramped({}).map(o => ({ ...o, metadata: { ...o.metadata, namespace: 'shop' } }));
    // WHEN
    const diff = ReleaseDiff.between(live, ramped({ image: 'r/web:1.5.0' }));
    // THEN
    expect(diff.apps).toHaveLength(1);
    expect(diff.apps[0].move).toMatch(/^1.4.0 → 1.5.0/);
  });

  test('toJson has blocked, apps, services and findings', () => {
    // WHEN
    const json = ReleaseDiff.between(ramped({}), ramped({ maxUnavailable: kplus.PercentOrAbsolute.absolute(0) })).toJson();
    // THEN
    expect(Object.keys(json)).toEqual(['blocked', 'apps', 'services', 'findings']);
  });
});

describe('comparing specs', () => {
  /** `value` with the keys of every object in reverse order. */
  const reordered = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(reordered);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]));
  };

  test('sameJson says what comparing canonical JSON says, whatever the order of the keys', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      expect(sameJson(a, reordered(a))).toBe(true);
      expect(sameJson(a, b)).toBe(canonical(a) === canonical(b));
      expect(sameJson(reordered(a), b)).toBe(canonical(a) === canonical(b));
    }));
  });

  test('sameJson: a key whose value is undefined counts as absent; null, 0, "0", [] and {} all differ', () => {
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(sameJson({ a: 1, b: undefined }, { a: 1, c: 2 })).toBe(false);
    const values = [null, 0, '0', [], {}, [0], { 0: 0 }, undefined];
    values.forEach((x, i) => values.forEach((y, j) => expect(sameJson(x, y)).toBe(i === j)));
  });

  test('a pod template whose keys come in another order is no change', () => {
    // GIVEN
    const before = canary({});
    const after = before.map(o => (o.kind === 'Deployment' ? { ...o, spec: reordered(o.spec) } : o));
    // WHEN
    const diff = ReleaseDiff.between(before, after);
    // THEN
    expect(diff.apps[0].move).toBe('no change');
    expect(diff.findings).toEqual([]);
  });
});
