// The examples that `npx cdk8s synth` renders into dist/: one chart per release strategy.
// The image runs as a non-root user (uid 101) and only writes to /tmp, so it starts under the
// default security context (non-root, read-only root filesystem) with an emptyDir at /tmp.
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CommonAppProps, RampedApp, RecreateApp } from '../lib';

const IMAGE = 'nginxinc/nginx-unprivileged';

/** What every example app shares: the port, an HTTP readiness probe, draining and a writable /tmp. */
function webDefaults(scope: Construct): CommonAppProps {
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

}

if (require.main === module) {
  const app = new App();
  buildExamples(app);
  app.synth();
}
