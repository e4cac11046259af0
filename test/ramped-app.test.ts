import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RampedApp, RampedAppProps } from '../lib';
import { errorOf, find, Manifest, newChart, synth, synthWith } from './util';

const base: RampedAppProps = { image: 'registry.example.com/shop/web:1.4.0', port: 8080, name: 'web' };

function deployment(props: Partial<RampedAppProps> = {}): Manifest {
  return find(synthWith(chart => new RampedApp(chart, 'web', { ...base, ...props })), 'Deployment', 'web');
}

function rampedError(props: Partial<RampedAppProps>): string {
  return errorOf(() => new RampedApp(newChart(), 'web', { ...base, ...props }));
}

test('synthesizes a RollingUpdate Deployment and a Service with Kubernetes defaults', () => {
  // GIVEN
  const chart = newChart('shop');
  // WHEN
  new RampedApp(chart, 'web', { image: 'registry.example.com/shop/web:1.4.0', port: 8080, replicas: 4 });
  // THEN
  expect(synth(chart)).toMatchSnapshot();
});

test('synthesizes every rollout knob', () => {
  // GIVEN
  const chart = newChart('shop');
  // WHEN
  new RampedApp(chart, 'web', {
    ...base,
    replicas: 6,
    maxSurge: kplus.PercentOrAbsolute.absolute(3),
    maxUnavailable: kplus.PercentOrAbsolute.absolute(2),
    minReady: Duration.seconds(10),
    progressDeadline: Duration.minutes(5),
    revisionHistoryLimit: 3,
    paused: true,
    changeCause: 'release 1.4.0',
  });
  // THEN
  expect(synth(chart)).toMatchSnapshot();
});

test('the defaults are those of Kubernetes', () => {
  // WHEN
  const spec = deployment().spec;
  // THEN
  expect(spec.strategy).toStrictEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
  expect(spec.minReadySeconds).toBe(0);
  expect(spec.progressDeadlineSeconds).toBe(600);
  expect(spec.revisionHistoryLimit).toBe(10);
  expect(spec.paused).toBeUndefined();
});

test('a percentage stays a percent string and an absolute value an integer', () => {
  // WHEN
  const spec = deployment({
    maxSurge: kplus.PercentOrAbsolute.percent(30),
    maxUnavailable: kplus.PercentOrAbsolute.absolute(1),
  }).spec;
  // THEN
  expect(spec.strategy.rollingUpdate).toStrictEqual({ maxSurge: '30%', maxUnavailable: 1 });
});

test('minReady, progressDeadline, revisionHistoryLimit and paused land in the spec', () => {
  // WHEN
  const spec = deployment({
    minReady: Duration.seconds(15), progressDeadline: Duration.seconds(120), revisionHistoryLimit: 0, paused: true,
  }).spec;
  // THEN
  expect(spec.minReadySeconds).toBe(15);
  expect(spec.progressDeadlineSeconds).toBe(120);
  expect(spec.revisionHistoryLimit).toBe(0);
  expect(spec.paused).toBe(true);
});

describe('bad rollout settings', () => {
  test.each([
    ['absolute zeros', kplus.PercentOrAbsolute.absolute(0), kplus.PercentOrAbsolute.absolute(0)],
    ['percent zeros', kplus.PercentOrAbsolute.percent(0), kplus.PercentOrAbsolute.percent(0)],
    ['mixed zeros', kplus.PercentOrAbsolute.percent(0), kplus.PercentOrAbsolute.absolute(0)],
  ])('fails when maxSurge and maxUnavailable are both 0 (%s)', (_, maxSurge, maxUnavailable) => {
    expect(rampedError({ maxSurge, maxUnavailable })).toMatch(
      /^test\/web: 'maxUnavailable' is (0|"0%"); it may not be 0 while 'maxSurge' is 0 too/);
  });

  test.each([
    ['maxSurge', -1], ['maxSurge', 1.5], ['maxUnavailable', -2], ['maxUnavailable', 0.5],
  ])('fails when %s is %d', (prop, value) => {
    expect(rampedError({ [prop]: kplus.PercentOrAbsolute.absolute(value) })).toBe(
      `test/web: '${prop}' is ${value}; it must be PercentOrAbsolute.absolute(n) with a non-negative integer n, `
      + 'or PercentOrAbsolute.percent(p) with a non-negative integer p');
  });

  test.each([
    ['maxSurge', -5], ['maxSurge', 2.5], ['maxUnavailable', -1], ['maxUnavailable', 12.5],
  ])('fails when %s is %d%%', (prop, value) => {
    expect(rampedError({ [prop]: kplus.PercentOrAbsolute.percent(value) })).toMatch(
      new RegExp(`^test/web: '${prop}' is "${value}%"; it must be PercentOrAbsolute`));
  });

  test('fails when maxUnavailable is above 100%', () => {
    expect(rampedError({ maxUnavailable: kplus.PercentOrAbsolute.percent(101) })).toBe(
      'test/web: \'maxUnavailable\' is "101%"; a percentage may be at most 100%');
  });

  test('accepts maxSurge above 100%', () => {
    expect(deployment({ maxSurge: kplus.PercentOrAbsolute.percent(200) }).spec.strategy.rollingUpdate.maxSurge).toBe('200%');
  });

  test('fails when revisionHistoryLimit is negative', () => {
    expect(rampedError({ revisionHistoryLimit: -1 })).toBe(
      'test/web: \'revisionHistoryLimit\' is -1; it must be an integer 0 or more');
  });

  test('fails when progressDeadline is not greater than minReady', () => {
    expect(rampedError({ minReady: Duration.seconds(60), progressDeadline: Duration.seconds(60) })).toBe(
      'test/web: \'progressDeadline\' is 60s; it must be greater than \'minReady\' (60s)');
  });

  test('fails when minReady is not below the default progressDeadline, showing the default', () => {
    expect(rampedError({ minReady: Duration.seconds(700) })).toBe('test/web: \'progressDeadline\' is 600s; it is the '
      + 'default, and must be greater than \'minReady\' (700s): set \'progressDeadline\' above it');
  });

  test('fails when minReady is not whole seconds', () => {
    expect(rampedError({ minReady: Duration.millis(1500) })).toBe(
      'test/web: \'minReady\' is 1.5s; it must be a whole number of seconds, 0 or more');
  });
});
