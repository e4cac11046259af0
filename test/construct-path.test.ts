// Where a construct sits in the code is not part of what it deploys: moving it into a wrapper
// construct or another chart must not restart a pod.
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BlueGreenApp, CanaryApp, RampedApp, RecreateApp, Slot, StrategyApp } from '../lib';
import { Manifest, newChart, podLabels, selects, synth } from './util';

const common = { name: 'web', port: 8080, replicas: 4 };
const builds: Array<[string, (scope: Construct, id: string) => StrategyApp]> = [
  ['RecreateApp', (scope, id) => new RecreateApp(scope, id, { ...common, image: 'web:1.4.0' })],
  ['RampedApp', (scope, id) => new RampedApp(scope, id, { ...common, image: 'web:1.4.0' })],
  ['BlueGreenApp', (scope, id) => new BlueGreenApp(scope, id, {
    ...common, blue: { image: 'web:1.4.0' }, green: { image: 'web:1.5.0' }, activeSlot: Slot.BLUE,
  })],
  ['CanaryApp', (scope, id) => new CanaryApp(scope, id, {
    ...common, stable: { image: 'web:1.4.0' }, canary: { image: 'web:1.5.0' }, canaryWeight: 25,
  })],
];

function deployments(chart: Chart): Manifest[] {
  return synth(chart).filter(m => m.kind === 'Deployment');
}

test.each(builds)('%s: the same props at another construct path give byte-identical Deployments', (_name, build) => {
  // GIVEN
  const here = newChart('shop');
  build(here, 'web');
  // WHEN the construct moves into a wrapper, under another id, in another chart
  const there = newChart('storefront');
  build(new Construct(there, 'Wrapper'), 'Frontend');
  // THEN
  expect(JSON.stringify(deployments(there))).toBe(JSON.stringify(deployments(here)));
});

test.each(builds)('%s: cdk8s-plus selects the pods of each Deployment by their labels', (_name, build) => {
  // GIVEN
  const chart = newChart();
  const app = build(chart, 'web');
  // WHEN
  const workloads = app.node.findAll().filter((c): c is kplus.Deployment => c instanceof kplus.Deployment);
  // THEN each selector cdk8s-plus derives (for Service.select, NetworkPolicy peers, scheduling) selects that pod template
  const manifests = deployments(chart);
  expect(workloads).toHaveLength(manifests.length);
  for (const workload of workloads) {
    const selector = workload.toPodSelectorConfig().labelSelector._toKube().matchLabels ?? {};
    const selected = manifests.filter(m => selects(selector, podLabels(m))).map(m => m.metadata.name);
    expect(selected).toEqual([workload.name]);
  }
});
