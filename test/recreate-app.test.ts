import { RecreateApp } from '../lib';
import { find, newChart, podLabels, selects, synth, synthWith } from './util';

test('synthesizes a Recreate Deployment and a Service', () => {
  // GIVEN
  const chart = newChart('shop');
  // WHEN
  new RecreateApp(chart, 'web', { image: 'registry.example.com/shop/web:1.4.0', port: 8080, replicas: 3 });
  // THEN
  expect(synth(chart)).toMatchSnapshot();
});

test('the strategy is Recreate with no rollingUpdate key', () => {
  // WHEN
  const manifests = synthWith(chart => new RecreateApp(chart, 'web', { image: 'web:1', port: 8080 }));
  // THEN
  expect(find(manifests, 'Deployment', 'test-web').spec.strategy).toStrictEqual({ type: 'Recreate' });
});

test('the Service selects the pod template by labels', () => {
  // WHEN
  const manifests = synthWith(chart => new RecreateApp(chart, 'web', { image: 'web:1', port: 8080 }));
  // THEN
  const deployment = find(manifests, 'Deployment', 'test-web');
  const service = find(manifests, 'Service', 'test-web');
  expect(service.spec.selector).toStrictEqual({ 'app.kubernetes.io/name': 'test-web' });
  expect(selects(service.spec.selector, podLabels(deployment))).toBe(true);
});

test('exposes the deployment, the service and the version', () => {
  // WHEN
  const app = new RecreateApp(newChart(), 'web', { image: 'web:2.0.1', port: 8080, name: 'web' });
  // THEN
  expect(app.deployment.name).toBe('web');
  expect(app.service?.name).toBe('web');
  expect(app.version).toBe('2.0.1');
});
