import { Testing } from 'cdk8s';
import { buildExamples } from '../examples/main';
import { Manifest, newApp, validateManifest } from './util';

test('every example chart synthesizes valid manifests', () => {
  // GIVEN
  const app = newApp();
  // WHEN
  buildExamples(app);
  // THEN
  const charts = app.charts.map(chart => [chart.node.id, Testing.synth(chart) as Manifest[]] as const);
  expect(charts.map(([id]) => id)).toEqual(['recreate', 'ramped', 'blue-green', 'canary', 'ab-test', 'shadow']);
  for (const [, manifests] of charts) {
    manifests.forEach(validateManifest);
  }
  expect(charts.map(([, manifests]) => manifests)).toMatchSnapshot();
});

test('the example image runs under the default security context with a writable /tmp', () => {
  // GIVEN
  const app = newApp();
  buildExamples(app);
  // THEN
  for (const chart of app.charts) {
    for (const manifest of Testing.synth(chart) as Manifest[]) {
      if (manifest.kind !== 'Deployment') continue;
      const container = manifest.spec.template.spec.containers[0];
      expect(container.image).toMatch(/^nginxinc\/nginx-unprivileged:/);
      expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
      expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    }
  }
});
