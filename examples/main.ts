// The examples that `npx cdk8s synth` renders into dist/: one chart per release strategy. The
// A/B test and the shadow need a Gateway API implementation with the mesh binding in the cluster.
// The image runs as a non-root user (uid 101) and only writes to /tmp, so it starts under the
// default security context (non-root, read-only root filesystem) with an emptyDir at /tmp.
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  ABTestApp, BlueGreenApp, CanaryApp, RampedApp, RecreateApp, RequestMatch, ServedAppProps, ShadowApp, Slot, TrafficRouter,
} from 'cdk8s-deployment-strategies';

const IMAGE = 'nginxinc/nginx-unprivileged';

/** What every example app shares: the port, an HTTP readiness probe, draining and a writable /tmp. */
function webDefaults(scope: Construct): ServedAppProps {
  const tmp = kplus.Volume.fromEmptyDir(scope, 'tmp', 'tmp');
  return {
    port: 8080,
    readiness: kplus.Probe.fromHttpGet('/', { port: 8080 }),
    preStopWait: Duration.seconds(5),
    terminationGracePeriod: Duration.seconds(30),
    volumeMounts: [{ volume: tmp, path: '/tmp' }],
    resources: {
      cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
      memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
    },
  };
}

/** Adds one chart per release strategy to `app`. */
export function buildExamples(app: App): void {
  // Development: every old pod stops before the new version starts.
  const recreate = new Chart(app, 'recreate');
  new RecreateApp(recreate, 'web', { ...webDefaults(recreate), image: `${IMAGE}:1.27-alpine`, replicas: 1 });

  // Production: a rolling update that never goes below full capacity.
  const ramped = new Chart(app, 'ramped');
  new RampedApp(ramped, 'web', {
    ...webDefaults(ramped),
    image: `${IMAGE}:1.27-alpine`,
    replicas: 4,
    maxSurge: kplus.PercentOrAbsolute.absolute(1),
    maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    minReady: Duration.seconds(5),
    changeCause: 'nginx 1.27',
  });

  // Blue/green: 1.27 serves; 1.28 waits in the green slot behind web-preview until the switch.
  const blueGreen = new Chart(app, 'blue-green');
  new BlueGreenApp(blueGreen, 'web', {
    ...webDefaults(blueGreen),
    replicas: 3,
    blue: { image: `${IMAGE}:1.27-alpine` },
    green: { image: `${IMAGE}:1.28-alpine` },
    activeSlot: Slot.BLUE,
  });

  // Canary: 1 canary pod beside the 9 stable ones: 1 of 10 pods, and so 10% of requests, run 1.28.
  const canary = new Chart(app, 'canary');
  new CanaryApp(canary, 'web', {
    ...webDefaults(canary),
    replicas: 9,
    stable: { image: `${IMAGE}:1.27-alpine` },
    canary: { image: `${IMAGE}:1.28-alpine` },
    canaryWeight: 10,
  });

  // A/B test (Gateway API): requests with the header x-beta: true, or the cookie beta=yes, get 1.28.
  const abTest = new Chart(app, 'ab-test');
  new ABTestApp(abTest, 'web', {
    ...webDefaults(abTest),
    a: { image: `${IMAGE}:1.27-alpine` },
    b: { image: `${IMAGE}:1.28-alpine` },
    matches: [RequestMatch.header('x-beta', 'true'), RequestMatch.cookie('beta', 'yes')],
    trafficRouter: TrafficRouter.gatewayApi(),
  });

  // Shadow (Gateway API): 1.27 serves; 1.28 gets a copy of half the requests, its answers dropped.
  const shadow = new Chart(app, 'shadow');
  new ShadowApp(shadow, 'web', {
    ...webDefaults(shadow),
    primary: { image: `${IMAGE}:1.27-alpine` },
    shadow: { image: `${IMAGE}:1.28-alpine` },
    shadowReplicas: 1,
    mirrorPercent: 50,
    trafficRouter: TrafficRouter.gatewayApi(),
  });
}

if (require.main === module) {
  const app = new App();
  buildExamples(app);
  app.synth();
}
