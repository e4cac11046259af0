#!/usr/bin/env node
// The `cdk8s-deployment-strategies` command: `plan` prints what the Deployment controller will do
// during a rolling update, as a table, as JSON, or as an SVG chart.
import * as fs from 'fs';
import * as kplus from 'cdk8s-plus-27';
import { Plan, RollingUpdatePlan } from './rolling-update-plan';

/** Where the command writes; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly writeFile: (path: string, content: string) => void;
}

const USAGE = `Usage: cdk8s-deployment-strategies plan --replicas N [options]

Shows, step by step, how the Kubernetes Deployment controller replaces old pods with new ones.

Options:
  --replicas N           desired pods (spec.replicas), an integer 0 or more (required)
  --max-surge V          pods allowed above replicas: an integer or a percentage such as 25%
                         (rounded up); default 25%
  --max-unavailable V    pods allowed to be unavailable: an integer or a percentage such as 25%
                         (rounded down, at most 100%); default 25%
  --old-replicas N       pods of the old version when the rollout starts; default: replicas
  --json                 print the plan as JSON instead of a table
  --svg FILE             also write a chart of old, new and available pods per step to FILE
  -h, --help             print this help
`;

const INTEGER = /^[0-9]+$/;
const PERCENT = /^[0-9]+%$/;

class UsageError extends Error {}

/** A value as Kubernetes accepts it: an integer, or a percentage matching ^[0-9]+%$. */
function parseAmount(flag: string, text: string): kplus.PercentOrAbsolute {
  if (INTEGER.test(text)) return kplus.PercentOrAbsolute.absolute(parseInt(text, 10));
  if (PERCENT.test(text)) return kplus.PercentOrAbsolute.percent(parseInt(text, 10));
  throw new UsageError(`${flag} is ${JSON.stringify(text)}: it must be an integer (e.g. 1) or a percentage matching ^[0-9]+%$ (e.g. 25%)`);
}

function parseCount(flag: string, text: string): number {
  if (!INTEGER.test(text)) throw new UsageError(`${flag} is ${JSON.stringify(text)}: it must be an integer 0 or more`);
  return parseInt(text, 10);
}

/** Runs the command; returns the exit code (0 success, 2 bad usage or input). */
export function main(argv: string[], io: CliIo): number {
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout(USAGE);
      return 0;
    }
    const [command, ...rest] = argv;
    if (command !== 'plan') {
      throw new UsageError(command === undefined ? 'missing command: plan' : `unknown command ${JSON.stringify(command)}: the command is plan`);
    }
    const values: Record<string, string> = {};
    let json = false;
    for (let i = 0; i < rest.length; i++) {
      const flag = rest[i];
      if (flag === '--json') {
        json = true;
      } else if (['--replicas', '--max-surge', '--max-unavailable', '--old-replicas', '--svg'].includes(flag)) {
        const value = rest[++i];
        if (value === undefined) throw new UsageError(`${flag} needs a value`);
        values[flag] = value;
      } else {
        throw new UsageError(`unknown option ${JSON.stringify(flag)}`);
      }
    }
    if (values['--replicas'] === undefined) throw new UsageError('--replicas is required');
    let plan: Plan;
    try {
      plan = RollingUpdatePlan.compute({
        replicas: parseCount('--replicas', values['--replicas']),
        maxSurge: values['--max-surge'] === undefined ? undefined : parseAmount('--max-surge', values['--max-surge']),
        maxUnavailable: values['--max-unavailable'] === undefined
          ? undefined : parseAmount('--max-unavailable', values['--max-unavailable']),
        oldReplicas: values['--old-replicas'] === undefined ? undefined : parseCount('--old-replicas', values['--old-replicas']),
      });
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError((e as Error).message.replace(/'(\w+)'/g, (_, prop: string) => `--${prop.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}`));
    }
    if (values['--svg'] !== undefined) io.writeFile(values['--svg'], renderSvg(plan));
    io.stdout(json ? `${JSON.stringify(plan, null, 2)}\n` : renderTable(plan));
    return 0;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`error: ${e.message}\nRun with --help for the options.\n`);
    return 2;
  }
}

/** The resolved values, the bounds they imply, and the steps as an aligned table. */
export function renderTable(plan: Plan): string {
  const header = ['step', 'old', 'new', 'total', 'available', 'action'];
  const rows = plan.steps.map(s =>
    [s.step, s.oldReplicas, s.newReplicas, s.totalReplicas, s.availableReplicas, s.action].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 5 ? c.padStart(widths[i]) : c)).join('  ').trimEnd();
  return [
    `replicas ${plan.replicas}, maxSurge ${plan.maxSurge}, maxUnavailable ${plan.maxUnavailable}`,
    `at most ${plan.maxTotal} pods (replicas + maxSurge), at least ${plan.minAvailable} available (replicas - maxUnavailable)`,
    `${plan.steps.length - 1} steps`,
    '',
    line(header),
    ...rows.map(line),
    '',
  ].join('\n');
}

/** The most steps drawn one by one; longer plans are sampled evenly, and the title says so. */
const MAX_DRAWN_STEPS = 200;

/** A chart of old and new pods (stacked bars), available pods (a line) and the two bounds. */
export function renderSvg(plan: Plan): string {
  const every = Math.ceil(plan.steps.length / MAX_DRAWN_STEPS);
  const drawn = plan.steps.filter((_, i) => i % every === 0 || i === plan.steps.length - 1);
  const width = 760;
  const height = 420;
  const left = 60;
  const right = 200;
  const top = 50;
  const bottom = 50;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const yMax = Math.max(plan.maxTotal, ...plan.steps.map(s => s.totalReplicas), 1);
  const y = (pods: number) => top + plotHeight - (pods / yMax) * plotHeight;
  const slot = plotWidth / drawn.length;
  const x = (i: number) => left + i * slot;
  const barWidth = Math.max(slot * 0.7, 0.5);
  const f = (n: number) => String(Math.round(n * 10) / 10);
  const title = `Rolling update: replicas ${plan.replicas}, maxSurge ${plan.maxSurge}, maxUnavailable ${plan.maxUnavailable}`
    + (every > 1 ? ` (every ${every}th of ${plan.steps.length} states drawn)` : '');
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" `
      + 'font-family="sans-serif" font-size="12">',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="24" font-size="15" font-weight="bold">${title}</text>`,
  ];
  // Axes and y ticks.
  const tickStep = Math.max(1, Math.ceil(yMax / 8));
  for (let pods = 0; pods <= yMax; pods += tickStep) {
    out.push(`<line x1="${left}" y1="${f(y(pods))}" x2="${left + plotWidth}" y2="${f(y(pods))}" stroke="#eeeeee"/>`);
    out.push(`<text x="${left - 8}" y="${f(y(pods) + 4)}" text-anchor="end">${pods}</text>`);
  }
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333333"/>`);
  out.push(`<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#333333"/>`);
  out.push(`<text x="${left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">controller pass (step)</text>`);
  out.push(`<text x="16" y="${top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 16 ${top + plotHeight / 2})">pods</text>`);
  // Stacked bars: old pods below, new pods above.
  drawn.forEach((s, i) => {
    const bx = f(x(i) + (slot - barWidth) / 2);
    out.push(`<rect x="${bx}" y="${f(y(s.oldReplicas))}" width="${f(barWidth)}" height="${f(y(0) - y(s.oldReplicas))}" fill="#8fa9c9"/>`);
    out.push(`<rect x="${bx}" y="${f(y(s.totalReplicas))}" width="${f(barWidth)}" height="${f(y(s.oldReplicas) - y(s.totalReplicas))}" fill="#5fb36a"/>`);
    if (drawn.length <= 30) {
      out.push(`<text x="${f(x(i) + slot / 2)}" y="${top + plotHeight + 16}" text-anchor="middle">${s.step}</text>`);
    }
  });
  // Available pods as a step line.
  const points = drawn.flatMap((s, i) => [`${f(x(i))},${f(y(s.availableReplicas))}`, `${f(x(i) + slot)},${f(y(s.availableReplicas))}`]);
  out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="#222222" stroke-width="2"/>`);
  // The bounds, labelled at the right end of their lines.
  const bound = (pods: number, color: string, label: string, formula: string, below: boolean) => {
    const ly = y(pods) + (below ? 16 : -16);
    out.push(`<line x1="${left}" y1="${f(y(pods))}" x2="${left + plotWidth}" y2="${f(y(pods))}" stroke="${color}" `
      + 'stroke-width="2" stroke-dasharray="6 4"/>');
    out.push(`<text x="${left + plotWidth + 8}" y="${f(ly)}" fill="${color}"><tspan font-weight="bold">${label}</tspan>`
      + `<tspan x="${left + plotWidth + 8}" dy="14">${formula}</tspan></text>`);
  };
  bound(plan.maxTotal, '#c0392b', `at most ${plan.maxTotal} pods`, 'replicas + maxSurge', false);
  bound(plan.minAvailable, '#b9770e', `at least ${plan.minAvailable} available`, 'replicas - maxUnavailable', true);
  // Labels on the chart itself rather than a separate legend.
  const first = drawn[0];
  const last = drawn[drawn.length - 1];
  if (first.oldReplicas > 0) {
    out.push(`<text x="${f(x(0) + slot / 2)}" y="${f((y(0) + y(first.oldReplicas)) / 2)}" text-anchor="middle" fill="#1d3557">old</text>`);
  }
  if (last.newReplicas > 0) {
    out.push(`<text x="${f(x(drawn.length - 1) + slot / 2)}" y="${f((y(last.oldReplicas) + y(last.totalReplicas)) / 2)}" `
      + 'text-anchor="middle" fill="#1b4d24">new</text>');
  }
  out.push(`<text x="${f(x(0) + 4)}" y="${f(y(first.availableReplicas) - 6)}" fill="#222222">available pods</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    stdout: text => process.stdout.write(text),
    stderr: text => process.stderr.write(text),
    writeFile: (path, content) => fs.writeFileSync(path, content),
  });
}
