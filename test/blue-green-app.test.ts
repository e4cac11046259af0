import * as kplus from 'cdk8s-plus-27';
import { BlueGreenApp, BlueGreenAppProps, Slot } from '../lib';
import { diffPaths, errorOf, find, Manifest, newChart, objectSet, podLabels, selects, synth, synthWith } from './util';

const base: BlueGreenAppProps = {
  name: 'web',
  replicas: 3,
  port: 8080,
  blue: { image: 'registry.example.com/shop/web:1.4.0' },
  green: { image: 'registry.example.com/shop/web:1.5.0', version: '1.5.0' },
  activeSlot: Slot.BLUE,
};

function manifests(props: Partial<BlueGreenAppProps> = {}): Manifest[] {
  return synthWith(chart => new BlueGreenApp(chart, 'web', { ...base, ...props }));
}
function error(props: Partial<BlueGreenAppProps>): string {
  return errorOf(() => new BlueGreenApp(newChart(), 'web', { ...base, ...props }));
}

test.each([Slot.BLUE, Slot.GREEN])('synthesizes both slots and both services with %s active', activeSlot => {
  // GIVEN
  const chart = newChart('shop');
  // WHEN
  new BlueGreenApp(chart, 'web', { ...base, activeSlot });
  // THEN
  expect(synth(chart)).toMatchSnapshot();
});

test('makes two Deployments and two Services with predictable names', () => {
  expect(objectSet(manifests())).toEqual(['Deployment/web-blue', 'Deployment/web-green', 'PodDisruptionBudget/web-blue',
    'PodDisruptionBudget/web-green', 'Service/web', 'Service/web-preview']);
});

test('switching the active slot changes only the service selectors and version annotations', () => {
  // GIVEN
  const before = manifests({ activeSlot: Slot.BLUE });
  // WHEN
  const after = manifests({ activeSlot: Slot.GREEN });
  // THEN
  expect(find(after, 'Deployment', 'web-blue')).toStrictEqual(find(before, 'Deployment', 'web-blue'));
  expect(find(after, 'Deployment', 'web-green')).toStrictEqual(find(before, 'Deployment', 'web-green'));
  expect(diffPaths(before, after)).toEqual([
    '4.metadata.annotations.cdk8s-deployment-strategies/version',
    '4.spec.selector.cdk8s-deployment-strategies/slot',
    '5.metadata.annotations.cdk8s-deployment-strategies/version',
    '5.spec.selector.cdk8s-deployment-strategies/slot',
  ]);
});

test.each([Slot.BLUE, Slot.GREEN])('with %s active, the service selects exactly that slot and the preview the other', activeSlot => {
  // WHEN
  const objects = manifests({ activeSlot });
  const idle = activeSlot === Slot.BLUE ? Slot.GREEN : Slot.BLUE;
  const service = find(objects, 'Service', 'web');
  const preview = find(objects, 'Service', 'web-preview');
  const pods = {
    [activeSlot]: podLabels(find(objects, 'Deployment', `web-${activeSlot}`)),
    [idle]: podLabels(find(objects, 'Deployment', `web-${idle}`)),
  };
  // THEN
  expect(selects(service.spec.selector, pods[activeSlot])).toBe(true);
  expect(selects(service.spec.selector, pods[idle])).toBe(false);
  expect(selects(preview.spec.selector, pods[idle])).toBe(true);
  expect(selects(preview.spec.selector, pods[activeSlot])).toBe(false);
  expect(service.metadata.annotations?.['cdk8s-deployment-strategies/version']).toBe(activeSlot === Slot.BLUE ? '1.4.0' : '1.5.0');
  expect(preview.metadata.annotations?.['cdk8s-deployment-strategies/version']).toBe(activeSlot === Slot.BLUE ? '1.5.0' : '1.4.0');
});

test('the slots\' selectors are disjoint and hold the name and slot only', () => {
  // WHEN
  const objects = manifests();
  const blue = find(objects, 'Deployment', 'web-blue');
  const green = find(objects, 'Deployment', 'web-green');
  // THEN
  expect(blue.spec.selector.matchLabels).toStrictEqual({ 'app.kubernetes.io/name': 'web', 'cdk8s-deployment-strategies/slot': 'blue' });
  expect(selects(blue.spec.selector.matchLabels, podLabels(green))).toBe(false);
  expect(selects(green.spec.selector.matchLabels, podLabels(blue))).toBe(false);
  expect(selects(blue.spec.selector.matchLabels, podLabels(blue))).toBe(true);
});

test('a new image in the idle slot changes only that slot\'s pod template and the preview annotation', () => {
  // GIVEN
  const before = manifests();
  // WHEN
  const after = manifests({ green: { image: 'registry.example.com/shop/web:1.6.0' } });
  // THEN
  expect(diffPaths(before, after)).toEqual([
    '2.metadata.labels.app.kubernetes.io/version',
    '2.spec.template.metadata.labels.app.kubernetes.io/version',
    '2.spec.template.spec.containers.0.image',
    '5.metadata.annotations.cdk8s-deployment-strategies/version',
  ]);
});

test('idle replicas scale the idle slot only', () => {
  // WHEN
  const objects = manifests({ idleReplicas: 0 });
  // THEN
  expect(find(objects, 'Deployment', 'web-blue').spec.replicas).toBe(3);
  expect(find(objects, 'Deployment', 'web-green').spec.replicas).toBe(0);
});

test('idle replicas may exceed replicas when that is said explicitly', () => {
  expect(find(manifests({ idleReplicas: 5, allowIdleAboveReplicas: true }), 'Deployment', 'web-green').spec.replicas).toBe(5);
});

test('each slot has its own env and resources on top of the common ones', () => {
  // WHEN
  const objects = manifests({
    envVariables: { LOG_LEVEL: kplus.EnvValue.fromValue('info'), REGION: kplus.EnvValue.fromValue('eu') },
    green: { image: 'web:1.5.0', envVariables: { LOG_LEVEL: kplus.EnvValue.fromValue('debug') } },
  });
  // THEN
  expect(find(objects, 'Deployment', 'web-green').spec.template.spec.containers[0].env)
    .toEqual([{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'REGION', value: 'eu' }]);
  expect(find(objects, 'Deployment', 'web-blue').spec.template.spec.containers[0].env)
    .toEqual([{ name: 'LOG_LEVEL', value: 'info' }, { name: 'REGION', value: 'eu' }]);
});

test('each slot uses the rolling update settings', () => {
  // WHEN
  const objects = manifests({
    maxSurge: kplus.PercentOrAbsolute.absolute(1),
    maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
  });
  // THEN
  for (const name of ['web-blue', 'web-green']) {
    expect(find(objects, 'Deployment', name).spec.strategy)
      .toStrictEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  }
});

test('preview: false makes no preview Service', () => {
  // WHEN
  const app = new BlueGreenApp(newChart(), 'web', { ...base, preview: false });
  // THEN
  expect(app.previewService).toBeUndefined();
  expect(objectSet(synth(app.node.scope as any))).toEqual(['Deployment/web-blue', 'Deployment/web-green',
    'PodDisruptionBudget/web-blue', 'PodDisruptionBudget/web-green', 'Service/web']);
});

test('exposes the active and idle deployments and slot', () => {
  // WHEN
  const app = new BlueGreenApp(newChart(), 'web', { ...base, activeSlot: Slot.GREEN });
  // THEN
  expect(app.activeSlot).toBe(Slot.GREEN);
  expect(app.idleSlot).toBe(Slot.BLUE);
  expect(app.activeDeployment).toBe(app.greenDeployment);
  expect(app.idleDeployment).toBe(app.blueDeployment);
  expect(app.service.name).toBe('web');
  expect(app.previewService?.name).toBe('web-preview');
  expect([app.activeVersion, app.idleVersion]).toEqual(['1.5.0', '1.4.0']);
});

describe('the first release, without a version in the idle slot', () => {
  test('synthesizes the idle Deployment at 0 pods of the active version, and no preview Service', () => {
    // GIVEN
    const chart = newChart('shop');
    // WHEN
    const app = new BlueGreenApp(chart, 'web', { ...base, green: undefined });
    // THEN
    expect(synth(chart)).toMatchSnapshot();
    expect([app.idleReplicas, app.idleVersion, app.previewService]).toEqual([0, '1.4.0', undefined]);
  });

  test('keeps the Deployments, so adding the second version only changes the idle slot and adds the preview', () => {
    // GIVEN
    const before = manifests({ green: undefined });
    // WHEN
    const after = manifests();
    // THEN
    expect(objectSet(before)).toEqual([
      'Deployment/web-blue', 'Deployment/web-green', 'PodDisruptionBudget/web-blue', 'PodDisruptionBudget/web-green', 'Service/web',
    ]);
    expect(objectSet(after)).toEqual([...objectSet(before), 'Service/web-preview']);
    expect(find(after, 'Deployment', 'web-blue')).toStrictEqual(find(before, 'Deployment', 'web-blue'));
    expect(find(after, 'Service', 'web')).toStrictEqual(find(before, 'Service', 'web'));
    expect(diffPaths(find(before, 'Deployment', 'web-green'), find(after, 'Deployment', 'web-green'))).toEqual([
      'metadata.labels.app.kubernetes.io/version', 'spec.replicas', 'spec.template.metadata.labels.app.kubernetes.io/version',
      'spec.template.spec.containers.0.image',
    ]);
  });

  test('works with green active and blue left out', () => {
    expect(objectSet(manifests({ activeSlot: Slot.GREEN, blue: undefined })))
      .toEqual(['Deployment/web-blue', 'Deployment/web-green', 'PodDisruptionBudget/web-blue', 'PodDisruptionBudget/web-green', 'Service/web']);
  });
});

describe('bad input', () => {
  test('fails when the active slot has no version', () => {
    expect(error({ blue: undefined })).toBe(
      'test/web: \'blue\' is undefined; it is the active slot, which needs a version: set \'blue\' to { image: ... }');
  });

  test('fails when the idle slot has no version but idleReplicas asks for pods', () => {
    expect(error({ green: undefined, idleReplicas: 2 })).toBe('test/web: \'idleReplicas\' is 2; the idle slot \'green\' '
      + 'has no version to run or preview: set \'green\' to { image: ... } first');
  });

  test('fails when the idle slot has no version but preview is asked for', () => {
    expect(error({ green: undefined, preview: true })).toBe('test/web: \'preview\' is true; the idle slot \'green\' '
      + 'has no version to run or preview: set \'green\' to { image: ... } first');
  });

  test('a first release without a preview is held to the name limit of the release that adds one', () => {
    expect(error({ green: undefined, name: 'a'.repeat(56) })).toMatch(/may have at most 55, so that '.*-preview' fits/);
  });

  test('fails when a slot\'s image is missing', () => {
    expect(error({ blue: {} as any })).toMatch(/^test\/web: 'blue.image' is undefined; it must be a non-empty image reference/);
  });

  test('fails when activeSlot is not a Slot', () => {
    expect(error({ activeSlot: 'purple' as Slot })).toBe('test/web: \'activeSlot\' is "purple"; it must be Slot.BLUE or Slot.GREEN');
  });

  test.each([-1, 1.5])('fails when idleReplicas is %d', idleReplicas => {
    expect(error({ idleReplicas })).toBe(`test/web: 'idleReplicas' is ${idleReplicas}; it must be an integer 0 or more`);
  });

  test('fails when idleReplicas is above replicas without allowIdleAboveReplicas', () => {
    expect(error({ idleReplicas: 4 })).toBe(
      'test/web: \'idleReplicas\' is 4; it may be at most \'replicas\' (3) unless \'allowIdleAboveReplicas\' is true');
  });

  test('fails when the name is too long for the preview Service', () => {
    expect(error({ name: 'a'.repeat(56) })).toBe(`test/web: 'name' is "${'a'.repeat(56)}"; it has 56 characters and may `
      + `have at most 55, so that '${'a'.repeat(56)}-preview' fits (object names are at most 63 characters)`);
  });

  test('a name too long for the preview Service is told the limit of the preview Service, not of a slot', () => {
    expect(error({ name: 'a'.repeat(58) })).toBe(`test/web: 'name' is "${'a'.repeat(58)}"; it has 58 characters and may `
      + `have at most 55, so that '${'a'.repeat(58)}-preview' fits (object names are at most 63 characters)`);
  });

  test('a name too long for the green slot is told its limit with preview: false', () => {
    expect(error({ name: 'a'.repeat(58), preview: false })).toBe(`test/web: 'name' is "${'a'.repeat(58)}"; it has 58 `
      + `characters and may have at most 57, so that '${'a'.repeat(58)}-green' fits (object names are at most 63 characters)`);
  });

  test('a name that fits without the preview Service is fine with preview: false', () => {
    expect(new BlueGreenApp(newChart(), 'web', { ...base, name: 'a'.repeat(57), preview: false }).name).toHaveLength(57);
  });

  test('fails when both slots run the same image and version while preview is on', () => {
    expect(error({ green: { image: 'registry.example.com/shop/web:1.4.0' } })).toBe('test/web: \'green.image\' is '
      + '"registry.example.com/shop/web:1.4.0"; it is the image and version of the active slot \'blue\', so the preview '
      + 'Service would show nothing new: deploy the next version into \'green\', or set \'preview\' to false');
  });

  test('both slots may run the same version without a preview', () => {
    expect(() => new BlueGreenApp(newChart(), 'web', { ...base, green: base.blue, preview: false })).not.toThrow();
  });

  test('fails when a slot\'s version is not a label value', () => {
    expect(error({ green: { image: 'web:2', version: '2.0 beta' } })).toMatch(/^test\/web: 'green.version' is "2.0 beta"; it must be a label value/);
  });
});
