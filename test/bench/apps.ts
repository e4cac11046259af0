// The apps that `npm run bench` synthesizes: each construct as a user writes it, and the same
// objects written by hand with cdk8s-plus-27.
import { ApiObject, App, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as os from 'os';
import { Annotation, BlueGreenApp, CanaryApp, Label, RampedApp, RecreateApp, Slot } from '../../lib';

/** Each app has an image of its own, as in a real chart. */
const image = (i: number) => `registry.example.com/shop/app${i}`;

export type Build = (chart: Chart, i: number) => void;

// --- what a user writes with this library ---------------------------------------------------------

export const ours: Record<string, Build> = {
  RecreateApp: (chart, i) => new RecreateApp(chart, `app${i}`, { image: `${image(i)}:1.4.0`, port: 8080, name: `app${i}` }),
  RampedApp: (chart, i) => new RampedApp(chart, `app${i}`, {
    image: `${image(i)}:1.4.0`, port: 8080, name: `app${i}`,
    maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
  }),
  BlueGreenApp: (chart, i) => new BlueGreenApp(chart, `app${i}`, {
    port: 8080, name: `app${i}`, blue: { image: `${image(i)}:1.4.0` }, green: { image: `${image(i)}:1.5.0` }, activeSlot: Slot.BLUE,
  }),
  CanaryApp: (chart, i) => new CanaryApp(chart, `app${i}`, {
    port: 8080, name: `app${i}`, replicas: 10, stable: { image: `${image(i)}:1.4.0` }, canary: { image: `${image(i)}:1.5.0` },
    canaryWeight: 10,
  }),
};

// --- the same objects written by hand with cdk8s-plus-27 -----------------------------------------
// What a user writes to get, object for object and field for field, the manifests above (checked
// before measuring): cdk8s-plus and JSON patches where it has no field, no checks.

function handDeployment(scope: Construct, id: string, name: string, repository: string, version: string, replicas: number,
  selector: Record<string, string>, strategy: kplus.DeploymentStrategy): kplus.Deployment {
  const deployment = new kplus.Deployment(scope, id, {
    metadata: { name, labels: { [Label.MANAGED_BY]: 'cdk8s', ...selector, [Label.VERSION]: version } },
    select: false,
    podMetadata: { labels: { ...selector, [Label.VERSION]: version } },
    replicas,
    strategy,
    containers: [{
      name: 'app', image: `${repository}:${version}`, ports: [{ name: 'http', number: 8080 }],
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      readiness: kplus.Probe.fromTcpSocket({ port: 8080 }),
      startup: kplus.Probe.fromTcpSocket({ port: 8080, periodSeconds: Duration.seconds(10), failureThreshold: 30 }),
    }],
  });
  deployment.select(kplus.LabelSelector.of({ labels: selector }));
  deployment.podMetadata.addLabel(kplus.Pod.ADDRESS_LABEL, name);
  const resource = ApiObject.of(deployment);
  resource.addJsonPatch(
    JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
    JsonPatch.add('/spec/template/spec/topologySpreadConstraints', ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']
      .map(topologyKey => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } }))),
    JsonPatch.add('/spec/revisionHistoryLimit', 10),
  );
  new ApiObject(scope, `${id}Budget`, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, labels: { [Label.MANAGED_BY]: 'cdk8s', [Label.NAME]: selector[Label.NAME] } },
    spec: { selector: { matchLabels: selector }, maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
  });
  return deployment;
}

function handService(scope: Construct, id: string, name: string, selector: Record<string, string>,
  annotations?: Record<string, string>): kplus.Service {
  const service = new kplus.Service(scope, id, {
    metadata: { name, labels: { [Label.MANAGED_BY]: 'cdk8s', [Label.NAME]: selector[Label.NAME] }, annotations },
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  });
  for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
  ApiObject.of(service).addJsonPatch(JsonPatch.remove('/spec/externalIPs'),
    JsonPatch.replace('/spec/ports/0/targetPort', kplus.k8s.IntOrString.fromString('http')));
  return service;
}

const rolling = kplus.DeploymentStrategy.rollingUpdate();
export const byHand: Record<string, Build> = {
  RecreateApp: (chart, i) => {
    const app = new Construct(chart, `app${i}`);
    const labels = { [Label.NAME]: `app${i}` };
    handDeployment(app, 'Deployment', `app${i}`, image(i), '1.4.0', 2, labels, kplus.DeploymentStrategy.recreate());
    handService(app, 'Service', `app${i}`, labels);
  },
  RampedApp: (chart, i) => {
    const app = new Construct(chart, `app${i}`);
    const labels = { [Label.NAME]: `app${i}` };
    handDeployment(app, 'Deployment', `app${i}`, image(i), '1.4.0', 2, labels, kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }));
    handService(app, 'Service', `app${i}`, labels);
  },
  BlueGreenApp: (chart, i) => {
    const app = new Construct(chart, `app${i}`);
    const slot = (s: string) => ({ [Label.NAME]: `app${i}`, [Label.SLOT]: s });
    handDeployment(app, 'Blue', `app${i}-blue`, image(i), '1.4.0', 2, slot('blue'), rolling);
    handDeployment(app, 'Green', `app${i}-green`, image(i), '1.5.0', 2, slot('green'), rolling);
    handService(app, 'Service', `app${i}`, slot('blue'), { [Annotation.VERSION]: '1.4.0' });
    handService(app, 'PreviewService', `app${i}-preview`, slot('green'), { [Annotation.VERSION]: '1.5.0' });
  },
  CanaryApp: (chart, i) => {
    const app = new Construct(chart, `app${i}`);
    const track = (t: string) => ({ [Label.NAME]: `app${i}`, [Label.TRACK]: t });
    handDeployment(app, 'Stable', `app${i}`, image(i), '1.4.0', 10, track('stable'), rolling);
    handDeployment(app, 'Canary', `app${i}-canary`, image(i), '1.5.0', 1, track('canary'), rolling);
    handService(app, 'Service', `app${i}`, { [Label.NAME]: `app${i}` }, { [Annotation.CANARY_WEIGHT]: '9.09' });
  },
};

/** Fails unless both ways write the same manifests, so that the figures compare like with like. */
export function checkSameManifests(construct: string): void {
  const synth = (build: Build) => {
    const app = new App({ outdir: os.tmpdir() });
    const chart = new Chart(app, 'bench');
    for (let i = 0; i < 3; i++) build(chart, i);
    const docs = app.synthYaml().split('\n---\n');
    return docs.sort().join('\n---\n');
  };
  const [a, b] = [synth(ours[construct]), synth(byHand[construct])];
  if (a !== b) {
    const [lineA, lineB] = [a.split('\n'), b.split('\n')];
    const at = lineA.findIndex((line, k) => line !== lineB[k]);
    throw new Error(`${construct}: the hand-written manifests differ from ours at line ${at + 1}: `
      + `${JSON.stringify(lineA[at])} (ours) vs ${JSON.stringify(lineB[at])} (by hand)`);
  }
}
