// The `plan` command, run in-process with captured output.
import * as kplus from 'cdk8s-plus-27';
import { main } from '../lib/cli';
import { RollingUpdatePlan } from '../lib';

function run(...argv: string[]) {
  const out = { stdout: '', stderr: '', files: {} as Record<string, string> };
  const code = main(argv, {
    stdout: text => { out.stdout += text; },
    stderr: text => { out.stderr += text; },
    writeFile: (path, content) => { out.files[path] = content; },
  });
  return { code, ...out };
}

test('prints the resolved values, the bounds and the steps', () => {
  // WHEN
  const result = run('plan', '--replicas', '10', '--max-surge', '25%', '--max-unavailable', '0');
  // THEN
  expect(result.code).toBe(0);
  expect(result.stdout).toBe([
    'replicas 10, maxSurge 3, maxUnavailable 0',
    'at most 13 pods (replicas + maxSurge), at least 10 available (replicas - maxUnavailable)',
    '8 steps',
    '',
    'step  old  new  total  available  action',
    '   0   10    0     10         10  start',
    '   1   10    3     13         13  scale new up by 3',
    '   2    7    3     10         10  scale old down by 3',
    '   3    7    6     13         13  scale new up by 3',
    '   4    4    6     10         10  scale old down by 3',
    '   5    4    9     13         13  scale new up by 3',
    '   6    1    9     10         10  scale old down by 3',
    '   7    1   10     11         11  scale new up by 1',
    '   8    0   10     10         10  scale old down by 1',
    '',
  ].join('\n'));
});

test('--json prints the plan', () => {
  // WHEN
  const result = run('plan', '--replicas', '7', '--max-surge', '2', '--max-unavailable', '30%', '--json');
  // THEN
  expect(JSON.parse(result.stdout)).toEqual(RollingUpdatePlan.compute({
    replicas: 7, maxSurge: kplus.PercentOrAbsolute.absolute(2), maxUnavailable: kplus.PercentOrAbsolute.percent(30),
  }));
});

test('--old-replicas starts from another number of old pods', () => {
  expect(JSON.parse(run('plan', '--replicas', '4', '--old-replicas', '2', '--json').stdout).steps[0])
    .toMatchObject({ oldReplicas: 2, newReplicas: 0 });
});

test('--svg writes the chart', () => {
  // WHEN
  const result = run('plan', '--replicas', '10', '--max-surge', '25%', '--max-unavailable', '0', '--svg', 'plan.svg');
  // THEN
  expect(result.code).toBe(0);
  expect(result.files['plan.svg']).toMatchSnapshot();
});

test('the chart of a long rollout is sampled and says so', () => {
  const svg = run('plan', '--replicas', '1000', '--max-surge', '1', '--max-unavailable', '0', '--svg', 'x.svg').files['x.svg'];
  expect(svg).toContain('(every 11th of 2001 states drawn)');
  expect(svg.match(/<rect /g)!.length).toBeLessThan(2 * 200 + 2);
});

test.each(['oops', '30%0', '2.5', '-1', '', ' 3', '25 %'])('fails with exit code 2 and writes nothing for --max-surge %j', value => {
  // WHEN
  const result = run('plan', '--replicas', '10', '--max-surge', value, '--svg', 'plan.svg');
  // THEN
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`--max-surge is ${JSON.stringify(value)}: it must be an integer (e.g. 1) or a percentage `
    + 'matching ^[0-9]+%$ (e.g. 25%)');
  expect(result.stdout).toBe('');
  expect(result.files).toEqual({});
});

test.each([
  [['plan'], '--replicas is required'],
  [['plan', '--replicas', 'ten'], '--replicas is "ten": it must be an integer 0 or more'],
  [['plan', '--replicas', '3', '--max-unavailable', '101%'], '--max-unavailable is "101%"; a percentage may be at most 100%'],
  [['plan', '--replicas', '3', '--max-surge', '0', '--max-unavailable', '0%'], '--max-unavailable is "0%"; it may not be 0 while --max-surge is 0 too (0)'],
  [['plan', '--replicas'], '--replicas needs a value'],
  [['plan', '--replicas', '3', '--fast'], 'unknown option "--fast"'],
  [['apply'], 'unknown command "apply": the command is plan'],
  [[], 'missing command: plan'],
])('fails with exit code 2 for %j', (argv, message) => {
  const result = run(...argv);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(message);
});

test('--help documents every flag', () => {
  // WHEN
  const result = run('--help');
  // THEN
  expect(result.code).toBe(0);
  for (const flag of ['--replicas', '--max-surge', '--max-unavailable', '--old-replicas', '--json', '--svg', '--help']) {
    expect(result.stdout).toContain(flag);
  }
});
