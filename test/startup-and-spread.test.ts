// The startup probe waits for slow starters (5 minutes by default, or a given limit, or none), and
// the pods of each Deployment spread over nodes and zones unless told not to.
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BlueGreenApp, RampedApp, RampedAppProps, Slot } from '../lib';
import { errorOf, find, Manifest, newChart, synthWith } from './util';

const web: RampedAppProps = { image: 'registry.example.com/shop/web:1.4.0', port: 8080, name: 'web' };

function container(props: Partial<RampedAppProps>): any {
  return find(synthWith(chart => new RampedApp(chart, 'web', { ...web, ...props })), 'Deployment', 'web').spec.template.spec.containers[0];
}

test('the default startup probe allows 5 minutes: 30 TCP checks 10 seconds apart', () => {
  expect(container({}).startupProbe).toStrictEqual({ tcpSocket: { port: 8080 }, periodSeconds: 10, failureThreshold: 30 });
});

test('startupLimit sets how long the default probe waits, rounded up to whole periods', () => {
  const probe = (startupLimit: Duration) => container({ startupLimit }).startupProbe;
  expect(probe(Duration.minutes(10))).toMatchObject({ periodSeconds: 10, failureThreshold: 60 });
  expect(probe(Duration.seconds(45))).toMatchObject({ periodSeconds: 10, failureThreshold: 5 });
  expect(probe(Duration.seconds(5))).toMatchObject({ periodSeconds: 5, failureThreshold: 1 });
});

test('startupProbe: false leaves the container without a startup probe', () => {
  expect(container({ startupProbe: false })).not.toHaveProperty('startupProbe');
});

test('a given startup probe is used as it is', () => {
  const startup = kplus.Probe.fromHttpGet('/started', { port: 8080, failureThreshold: 90 });
  expect(container({ startup }).startupProbe).toMatchObject({ httpGet: { path: '/started', port: 8080 }, failureThreshold: 90 });
});

test.each<[string, Partial<RampedAppProps>, string]>([
  ['startupProbe false with a startup probe', { startupProbe: false, startup: kplus.Probe.fromTcpSocket({ port: 8080 }) },
    '\'startupProbe\' is false; \'startup\' is set too: remove it, or the startup probe is wanted'],
  ['startupProbe false with a limit', { startupProbe: false, startupLimit: Duration.minutes(1) },
    '\'startupProbe\' is false; \'startupLimit\' is set too: remove it, or the startup probe is wanted'],
  ['a limit with a startup probe', { startupLimit: Duration.minutes(1), startup: kplus.Probe.fromTcpSocket({ port: 8080 }) },
    '\'startupLimit\' is 60s; it sets the limit of the default startup probe, and \'startup\' replaces that probe: give '
    + '\'startup\' the failureThreshold and periodSeconds that make the limit'],
  ['a limit that is not whole seconds', { startupLimit: Duration.millis(1500) },
    '\'startupLimit\' is 1.5s; it must be a whole number of seconds, 1 or more'],
])('fails for %s', (_name, props, message) => {
  expect(errorOf(() => new RampedApp(newChart(), 'web', { ...web, ...props }))).toBe(`test/web: ${message}`);
});

function spreadOf(manifests: Manifest[], name: string): any {
  return find(manifests, 'Deployment', name).spec.template.spec.topologySpreadConstraints;
}

test('the pods of each Deployment spread over nodes and zones, selecting that Deployment\'s pods only', () => {
  // WHEN
  const manifests = synthWith(chart => new BlueGreenApp(chart, 'api', {
    name: 'api', port: 8080, blue: { image: 'api:1' }, green: { image: 'api:2' }, activeSlot: Slot.BLUE,
  }));
  // THEN
  for (const slot of ['blue', 'green']) {
    const selector = find(manifests, 'Deployment', `api-${slot}`).spec.selector;
    expect(spreadOf(manifests, `api-${slot}`)).toStrictEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map(key => ({
      maxSkew: 1, topologyKey: key, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector,
    })));
  }
});

test('spread: false writes no spread constraints', () => {
  expect(spreadOf(synthWith(chart => new RampedApp(chart, 'web', { ...web, spread: false })), 'web')).toBeUndefined();
});
