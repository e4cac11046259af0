// The `plan` command, run in-process with captured output, and once as a real process.
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as kplus from 'cdk8s-plus-27';
import { RollingUpdatePlan } from '../lib';
import { main } from '../lib/cli/main';
import { textWidth } from '../lib/cli/plan';

function run(...argv: string[]) {
  const out = { stdout: '', stderr: '', files: {} as Record<string, string> };
  const code = main(argv, {
    stdout: text => { out.stdout += text; },
    stderr: text => { out.stderr += text; },
    writeFile: (file, content) => { out.files[file] = content; },
  });
  return { code, ...out };
}

/**
 * `run`, once per command line in this file: charting the largest plan takes seconds, and three
 * tests read that chart. Only for tests that read the result; `run` shows the output is the same
 * text every time.
 */
const runs = new Map<string, ReturnType<typeof run>>();
function runOnce(...argv: string[]): ReturnType<typeof run> {
  const key = JSON.stringify(argv);
  if (!runs.has(key)) runs.set(key, run(...argv));
  return runs.get(key)!;
}

describe('plan', () => {
  test('prints the resolved values, the bounds they imply and the steps as an aligned table', () => {
    // WHEN
    const result = run('plan', '--replicas', '10', '--max-surge', '25%', '--max-unavailable', '0');
    // THEN
    expect(result).toEqual({ code: 0, stderr: '', files: {}, stdout: expect.any(String) });
    expect(result.stdout).toBe([
      'replicas 10, maxSurge 25% = 3 pods, maxUnavailable 0 = 0 pods',
      'at most 13 pods (replicas + maxSurge), at least 10 available (replicas - maxUnavailable)',
      '8 steps (passes of the controller), each pod counted available as soon as it exists',
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

  test('uses 25% and 25% when the values are not given', () => {
    // WHEN
    const result = run('plan', '--replicas', '10');
    // THEN
    expect(result.stdout).toContain('replicas 10, maxSurge 25% = 3 pods, maxUnavailable 25% = 2 pods\n');
    expect(result.stdout).toContain('   1    8    3     11         11  scale new up by 3, old down by 2\n');
  });

  test('says when maxUnavailable above replicas leaves no pod that must stay available', () => {
    // WHEN
    const result = run('plan', '--replicas', '2', '--max-unavailable', '5');
    // THEN
    expect(result.stdout).toContain('at least 0 available (replicas - maxUnavailable, no fewer than 0)\n');
  });

  test('--json prints exactly the plan compute returns', () => {
    // WHEN
    const result = run('plan', '--replicas', '7', '--max-surge', '2', '--max-unavailable', '30%', '--json');
    // THEN
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(RollingUpdatePlan.compute({
      replicas: 7, maxSurge: kplus.PercentOrAbsolute.absolute(2), maxUnavailable: kplus.PercentOrAbsolute.percent(30),
    }));
  });

  test('--old-replicas starts from another number of old pods, which the controller first scales to replicas', () => {
    // WHEN
    const result = run('plan', '--replicas', '4', '--old-replicas', '2', '--json');
    // THEN
    expect(JSON.parse(result.stdout).steps.slice(0, 2)).toMatchObject([
      { oldReplicas: 2, newReplicas: 0, action: 'start' },
      { oldReplicas: 4, newReplicas: 0, action: 'scale old up by 2 (scaling to 4)' },
    ]);
  });

  test('takes --flag=value as well as --flag value', () => {
    // WHEN
    const result = run('plan', '--replicas=10', '--max-surge=25%', '--max-unavailable=0', '--json');
    // THEN
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(run('plan', '--replicas', '10', '--max-surge', '25%',
      '--max-unavailable', '0', '--json').stdout));
  });

  test('lists a plan of 200,000 steps', () => {
    // WHEN
    const result = run('plan', '--replicas', '100000', '--max-surge', '1', '--max-unavailable', '0');
    // THEN
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\n200000       0  100000  100000     100000  scale old down by 1\n');
  });
});

test('prints the largest plan compute accepts as a table, as JSON and as a chart', () => {
  // GIVEN 500,000 replicas, one pod at a time: 1,000,000 steps, the most compute lists
  const args = ['plan', '--replicas', '500000', '--max-surge', '1', '--max-unavailable', '0'];
  // WHEN
  const table = runOnce(...args, '--svg', 'x.svg');
  const json = run(...args, '--json');
  // THEN
  expect([table.code, table.stderr, json.code, json.stderr]).toEqual([0, '', 0, '']);
  expect(table.stdout.endsWith('\n1000000       0  500000  500000     500000  scale old down by 1\n')).toBe(true);
  expect(JSON.parse(json.stdout).steps).toHaveLength(1_000_001);
  expect(table.files['x.svg']).toContain('1,000,000 steps, too many for a bar each');
});

describe('plan --svg', () => {
  test('writes the chart of replicas 10, maxSurge 25%, maxUnavailable 0 and still prints the table', () => {
    // WHEN
    const result = run('plan', '--replicas', '10', '--max-surge', '25%', '--max-unavailable', '0', '--svg', 'plan.svg');
    // THEN
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('step  old  new  total  available  action');
    expect(Object.keys(result.files)).toEqual(['plan.svg']);
    expect(result.files['plan.svg']).toMatchSnapshot();
  });

  test('draws one bar pair per step, labels the bounds and names the series on the chart', () => {
    // WHEN
    const svg = run('plan', '--replicas', '10', '--max-surge', '25%', '--max-unavailable', '0', '--svg', 'x.svg').files['x.svg'];
    // THEN 9 states: 8 old bars (the last state has no old pod) and 8 new bars (the first has no new pod)
    expect(svg.match(/<rect x=/g)).toHaveLength(16);
    for (const label of ['at most 13 pods', '= replicas + maxSurge', 'at least 10 available', '= replicas − maxUnavailable',
      '>old<', '>new<', '>available<', '>pods<', 'step (a pass of the controller that changed something)']) {
      expect(svg).toContain(label);
    }
  });

  test('draws a long plan in 200 columns of areas, says so in the title, and stays small', () => {
    // WHEN
    const svg = run('plan', '--replicas', '100000', '--max-surge', '1', '--max-unavailable', '0', '--svg', 'x.svg').files['x.svg'];
    // THEN
    expect(svg).toContain('200,000 steps, too many for a bar each: 200 columns of about 1,000 steps, each drawn as its last step');
    expect(svg).not.toContain('<rect x=');
    expect(svg.length).toBeLessThan(40_000);
  });

  /** Each line of text of the chart: where it starts and ends, by the chart's own measure of text. */
  function textExtents(svg: string): Array<{ text: string; from: number; to: number; y: number }> {
    const lines: Array<{ text: string; from: number; to: number; y: number }> = [];
    for (const [, attributes, content] of svg.matchAll(/<text ([^>]*)>(.*?)<\/text>/g)) {
      const attribute = (name: string, within: string) => new RegExp(`${name}="([^"]*)"`).exec(within)?.[1];
      const size = Number(attribute('font-size', attributes) ?? 12);
      const parts = content.includes('<tspan')
        ? [...content.matchAll(/<tspan([^>]*)>([^<]*)<\/tspan>/g)]
          .map(([, a, t]) => ({ text: t, bold: /font-weight="bold"/.test(a) }))
        : [{ text: content, bold: attribute('font-weight', attributes) === 'bold' }];
      for (const part of parts) {
        const text = part.text.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
        const width = textWidth(text, size, part.bold);
        const x = Number(attribute('x', attributes));
        const anchor = attribute('text-anchor', attributes) ?? 'start';
        const from = anchor === 'end' ? x - width : anchor === 'middle' ? x - width / 2 : x;
        lines.push({ text, from, to: from + width, y: Number(attribute('y', attributes)) });
      }
    }
    return lines;
  }

  const sizes = [
    ['10', '25%', '0'], ['15', '1', '0'], ['40', '1', '0'], ['5000', '1', '0'], ['500000', '1', '0'],
    ['2147483647', '2147483647', '100%'], ['2147483647', '25%', '25%'],
  ];

  test.each(sizes)('keeps every label inside the chart: replicas %s, maxSurge %s, maxUnavailable %s', (replicas, surge, unavailable) => {
    // WHEN
    const svg = runOnce('plan', '--replicas', replicas, '--max-surge', surge, '--max-unavailable', unavailable, '--svg', 'x.svg').files['x.svg'];
    // THEN
    const width = Number(/<svg [^>]*width="([0-9]+)"/.exec(svg)![1]);
    const outside = textExtents(svg).filter(t => t.from < 0 || t.to > width).map(t => t.text);
    expect(outside).toEqual([]);
  });

  test.each(sizes)('x axis labels never overlap: replicas %s, maxSurge %s, maxUnavailable %s', (replicas, surge, unavailable) => {
    // WHEN
    const svg = runOnce('plan', '--replicas', replicas, '--max-surge', surge, '--max-unavailable', unavailable, '--svg', 'x.svg').files['x.svg'];
    // THEN the labels of the x axis are the texts on the lowest line but the axis title
    const texts = textExtents(svg);
    const axisY = Math.max(...texts.filter(t => !t.text.startsWith('step (')).map(t => t.y));
    const labels = texts.filter(t => t.y === axisY && /^[0-9,]+$/.test(t.text)).sort((a, b) => a.from - b.from);
    expect(labels.length).toBeGreaterThan(1);
    labels.slice(1).forEach((label, i) => expect(label.from - labels[i].to).toBeGreaterThanOrEqual(8));
  });

  test('breaks a title too long for one line between its parts, keeping all of it', () => {
    // WHEN
    const svg = run('plan', '--replicas', '2147483647', '--max-surge', '2147483647', '--max-unavailable', '100%',
      '--svg', 'x.svg').files['x.svg'];
    // THEN
    const title = [...svg.matchAll(/<text [^>]*font-size="15"[^>]*>([^<]*)<\/text>/g)].map(m => m[1]);
    expect(title).toEqual(['Rolling update: 2,147,483,647 replicas,', 'maxSurge 2147483647 = 2,147,483,647 pods,',
      'maxUnavailable 100% = 2,147,483,647 pods']);
  });

  test('says how many steps a column stands for in plain numbers: no ordinal', () => {
    // WHEN
    const svg = run('plan', '--replicas', '5000', '--max-surge', '1', '--max-unavailable', '0', '--svg', 'x.svg').files['x.svg'];
    // THEN
    expect(svg).toContain('10,000 steps, too many for a bar each: 200 columns of about 50 steps, each drawn as its last step');
    expect(svg).not.toMatch(/[0-9]th\b/);
  });

  test('is the same text every time', () => {
    const args = ['plan', '--replicas', '37', '--max-surge', '10%', '--max-unavailable', '3', '--svg', 'x.svg'];
    expect(run(...args).files['x.svg']).toBe(run(...args).files['x.svg']);
  });
});

describe('mistakes: exit code 2, a message on stderr, nothing written', () => {
  test.each(['oops', '30%0', '2.5', '-1', '', ' 3', '25 %', '+1', '1e3'])('--max-surge %j', value => {
    // WHEN
    const result = run('plan', '--replicas', '10', '--max-surge', value, '--svg', 'plan.svg');
    // THEN
    expect(result).toEqual({
      code: 2,
      stdout: '',
      files: {},
      stderr: `error: --max-surge is ${JSON.stringify(value)}; it must be a non-negative integer (e.g. 3) or a percentage `
        + 'matching ^[0-9]+%$ (e.g. 25%)\nRun \'cdk8s-deployment-strategies --help\' for the options.\n',
    });
  });

  test.each(['oops', '30%0', '2.5', '-1'])('--max-unavailable %j', value => {
    // WHEN
    const result = run('plan', '--replicas', '10', '--max-unavailable', value, '--svg', 'plan.svg');
    // THEN
    expect(result).toMatchObject({ code: 2, stdout: '', files: {} });
    expect(result.stderr).toContain(`error: --max-unavailable is ${JSON.stringify(value)}; it must be a non-negative integer`);
  });

  test.each([
    [['plan', '--replicas', '3', '--max-unavailable', '101%'], '--max-unavailable is "101%"; a percentage may be at most 100%'],
    [['plan', '--replicas', '3', '--max-surge', '0', '--max-unavailable', '0%'],
      '--max-unavailable is "0%"; it may not be 0 while --max-surge is 0 too (0)'],
    [['plan', '--replicas', 'ten'], '--replicas is "ten"; it must be an integer 0 or more'],
    [['plan', '--replicas', '-3'], '--replicas is "-3"; it must be an integer 0 or more'],
    [['plan', '--replicas', '3000000000'], '--replicas is 3000000000; it must be an integer from 0 to 2147483647'],
    [['plan', '--replicas', '3', '--old-replicas', '2.5'], '--old-replicas is "2.5"; it must be an integer 0 or more'],
    [['plan', '--replicas', '600000', '--max-surge', '1', '--max-unavailable', '0'], 'the rollout of 600000 replicas with maxSurge 1 and maxUnavailable 0 takes more than 1000000 steps, too many to list'],
    [['plan'], '--replicas is required'],
    [['plan', '--replicas'], '--replicas needs a value'],
    [['plan', '--replicas', '--json'], '--replicas needs a value'],
    [['plan', '--replicas', '3', '--svg'], '--svg needs a value'],
    [['plan', '--replicas', '3', '--replicas', '4'], '--replicas is given twice'],
    [['plan', '--replicas', '3', '--fast'], 'unknown option "--fast"'],
    [['plan', '--replicas', '3', '--json=yes'], 'unknown option "--json=yes"'],
    [['plan', '3'], 'unknown option "3"'],
    [['apply'], 'unknown command "apply": the commands are plan and diff'],
    [[], 'missing command: the commands are plan and diff'],
  ])('%j', (argv, message) => {
    // WHEN asked for a chart as well, where the command line has room for it
    const result = run(...(argv[0] === 'plan' ? [...argv, '--svg=never.svg'] : argv));
    // THEN
    expect(result).toMatchObject({ code: 2, stdout: '', files: {} });
    expect(result.stderr).toContain(`error: ${message}`);
  });
});

test.each([['--help'], ['-h'], ['plan', '--replicas', '3', '--help']])('%j documents every flag and exits 0', (...argv) => {
  // WHEN
  const result = run(...argv);
  // THEN
  expect(result).toMatchObject({ code: 0, stderr: '', files: {} });
  for (const flag of ['--replicas N', '--max-surge V', '--max-unavailable V', '--old-replicas N', '--json', '--svg FILE', '-h, --help']) {
    expect(result.stdout).toContain(flag);
  }
});

/** The TypeScript source of the command run as a process, as the bin runs the compiled file. */
function runProcess(...args: string[]) {
  const cli = path.join(__dirname, '..', 'lib', 'cli', 'main.ts');
  return spawnSync(process.execPath, [require.resolve('tsx/cli'), cli, ...args], { encoding: 'utf8' });
}

test('as a process, exits with the code main returns and writes the message to stderr', () => {
  // GIVEN
  const node = runProcess;
  // WHEN
  const good = node('plan', '--replicas', '2', '--max-surge', '1%', '--max-unavailable', '25%');
  const bad = node('plan', '--replicas', '2', '--max-surge', '30%0');
  // THEN
  expect([good.status, good.stderr]).toEqual([0, '']);
  expect(good.stdout).toContain('   4    0    2      2          2  scale old down by 1\n');
  expect([bad.status, bad.stdout]).toEqual([2, '']);
  expect(bad.stderr).toContain('error: --max-surge is "30%0"');
});

describe('--svg to a file that cannot be written', () => {
  test('as a process, exits 2 with one line naming the path, and prints nothing on stdout', () => {
    // WHEN
    const result = runProcess('plan', '--replicas', '10', '--svg', '/nonexistent/dir/x.svg');
    // THEN
    expect([result.status, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toBe('error: --svg is "/nonexistent/dir/x.svg"; the chart cannot be written there: its directory '
      + 'does not exist\nRun \'cdk8s-deployment-strategies --help\' for the options.\n');
  });

  test('reports an error it has no words for by its message', () => {
    // GIVEN
    let stderr = '';
    // WHEN
    const code = main(['plan', '--replicas', '3', '--svg', 'x.svg'], {
      stdout: () => { throw new Error('nothing may reach stdout'); },
      stderr: text => { stderr += text; },
      writeFile: () => { throw new Error('disk quota exceeded\n    at somewhere'); },
    });
    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain('error: --svg is "x.svg"; the chart cannot be written there: disk quota exceeded\n');
  });
});
