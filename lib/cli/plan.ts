// The `plan` command: what the Deployment controller does during a rolling update, as a table,
// as JSON, or as an SVG chart.
import * as kplus from 'cdk8s-plus-27';
import { Plan, RollingUpdatePlan } from '../planning/rolling-update-plan';
import { CliIo, UsageError } from './common';

export const PLAN_USAGE = `cdk8s-deployment-strategies plan --replicas N [options]

Shows, step by step, how the Kubernetes Deployment controller replaces the pods of a Deployment
with those of its new version in a rolling update, counting each pod available as soon as it
exists.

Options:
  --replicas N           desired pods (spec.replicas): an integer 0 or more (required)
  --max-surge V          pods allowed above replicas: an integer, or a percentage of replicas
                         such as 25% (rounded up); default 25%
  --max-unavailable V    pods of replicas allowed to be unavailable: an integer, or a percentage
                         such as 25% (rounded down, at most 100%); default 25%
  --old-replicas N       pods of the old version when the rollout starts; default: replicas.
                         Another number means the Deployment is scaled in the same change: the
                         controller first sets the old ReplicaSet to replicas
  --json                 print the plan as JSON instead of a table
  --svg FILE             also write a chart of old, new and available pods per step to FILE
  -h, --help             print this help

Values are read as the Kubernetes API reads them: digits, or digits and '%'; a value may also
be given as --flag=value. Exit codes: 0 done, 2 bad usage or value (nothing is written).

Example:
  cdk8s-deployment-strategies plan --replicas 10 --max-surge 25% --max-unavailable 0 --svg rollout.svg
`;

/** Runs `plan` with the arguments after the command; throws `UsageError` for bad usage. */
export function plan(rest: string[], io: CliIo): number {
  const { values, json } = parseFlags(rest);
  if (values['--replicas'] === undefined) throw new UsageError('--replicas is required');

  const maxSurgeText = values['--max-surge'] ?? '25%';
  const maxUnavailableText = values['--max-unavailable'] ?? '25%';
  const options = {
    replicas: parseCount('--replicas', values['--replicas']),
    maxSurge: parseAmount('--max-surge', maxSurgeText),
    maxUnavailable: parseAmount('--max-unavailable', maxUnavailableText),
    oldReplicas: values['--old-replicas'] === undefined ? undefined : parseCount('--old-replicas', values['--old-replicas']),
  };
  let computed: Plan;
  try {
    computed = RollingUpdatePlan.compute(options);
  } catch (e) {
    // The values parsed, so what is left are the rules between them and the ranges, which the
    // library reports with its own names for the values.
    throw new UsageError((e as Error).message.replace(/'(replicas|maxSurge|maxUnavailable|oldReplicas)'/g,
      (_quoted, prop: string) => FLAG_OF_PROP[prop]));
  }

  const given = { maxSurge: maxSurgeText, maxUnavailable: maxUnavailableText };
  const output = json ? `${JSON.stringify(computed, null, 2)}\n` : renderTable(computed, given);
  const svgPath = values['--svg'];
  if (svgPath !== undefined) writeChart(io, svgPath, renderSvg(computed, given));
  io.stdout(output);
  return 0;
}

/**
 * Writes the chart; a file that cannot be written is a bad --svg value like any other, reported
 * in one line before anything reaches stdout, not as a stack trace.
 */
function writeChart(io: CliIo, file: string, svg: string): void {
  try {
    io.writeFile(file, svg);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code !== undefined && code in WRITE_ERRORS ? WRITE_ERRORS[code] : (e as Error).message.split('\n')[0];
    throw new UsageError(`--svg is ${JSON.stringify(file)}; the chart cannot be written there: ${reason}`);
  }
}

/** What the usual reasons a file cannot be written mean, in the user's terms. */
const WRITE_ERRORS: Record<string, string> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of its directory is a file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
};

const VALUE_FLAGS = ['--replicas', '--max-surge', '--max-unavailable', '--old-replicas', '--svg'];

/** The library's names for what the flags set, to report its errors in terms of the flags. */
const FLAG_OF_PROP: Record<string, string> = {
  replicas: '--replicas',
  maxSurge: '--max-surge',
  maxUnavailable: '--max-unavailable',
  oldReplicas: '--old-replicas',
};

function parseFlags(args: string[]): { values: Record<string, string>; json: boolean } {
  const values: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === '--json' && flag === arg) {
      json = true;
      continue;
    }
    if (!VALUE_FLAGS.includes(flag)) {
      throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    }
    let value: string | undefined;
    if (flag !== arg) {
      value = arg.slice(eq + 1);
    } else {
      // A following flag is taken as the value missing, not as the value: "--replicas --json".
      value = args[i + 1]?.startsWith('--') ? undefined : args[i + 1];
      if (value !== undefined) i++;
    }
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (values[flag] !== undefined) throw new UsageError(`${flag} is given twice`);
    values[flag] = value;
  }
  return { values, json };
}

function parseCount(flag: string, text: string): number {
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`${flag} is ${JSON.stringify(text)}; it must be an integer 0 or more`);
  return parseInt(text, 10);
}

function parseAmount(flag: string, text: string): kplus.PercentOrAbsolute {
  try {
    return RollingUpdatePlan.parsePercentOrAbsolute(flag, text);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The values as given, shown beside what they resolve to. */
interface Given {
  readonly maxSurge: string;
  readonly maxUnavailable: string;
}

/** The resolved values, the bounds they imply, and the steps as an aligned table. */
export function renderTable(plan: Plan, given: Given): string {
  const header = ['step', 'old', 'new', 'total', 'available', 'action'];
  const rows = plan.steps.map(s =>
    [s.step, s.oldReplicas, s.newReplicas, s.totalReplicas, s.availableReplicas, s.action].map(String));
  // A loop, not Math.max(...rows): a spread of 200,000 rows overflows the stack.
  const widths = header.map(h => h.length);
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i], cell.length); });
  // Numbers right-aligned under their header; the action, last, is left as it is.
  const line = (cells: string[]) => cells.map((c, i) => (i < 5 ? c.padStart(widths[i]) : c)).join('  ').trimEnd();
  const capped = plan.minAvailable !== plan.replicas - plan.maxUnavailable ? ', no fewer than 0' : '';
  return [
    `replicas ${plan.replicas}, maxSurge ${given.maxSurge} = ${pods(plan.maxSurge)}, `
      + `maxUnavailable ${given.maxUnavailable} = ${pods(plan.maxUnavailable)}`,
    `at most ${pods(plan.maxTotal)} (replicas + maxSurge), `
      + `at least ${plan.minAvailable} available (replicas - maxUnavailable${capped})`,
    `${steps(plan.steps.length - 1)} (passes of the controller), each pod counted available as soon as it exists`,
    '',
    line(header),
    ...rows.map(line),
    '',
  ].join('\n');
}

function pods(n: number, format: (n: number) => string = String): string {
  return `${format(n)} ${n === 1 ? 'pod' : 'pods'}`;
}

function steps(n: number, format: (n: number) => string = String): string {
  return `${format(n)} ${n === 1 ? 'step' : 'steps'}`;
}

/** 100000 as 100,000, the same on every machine (toLocaleString depends on the locale). */
function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The most columns a chart has: past that, each column stands for several steps. */
const MAX_COLUMNS = 200;

const OLD_FILL = '#9db4d3';
const NEW_FILL = '#7cc48a';
/** A white outline under the text, so a label stays readable where a line crosses it. */
const HALO = 'stroke="#ffffff" stroke-width="3" paint-order="stroke"';

/**
 * A chart of the plan: a stacked bar per step (old pods below, new pods above), a line of the
 * available pods, and the two bounds as labelled dashed lines. A plan of more than 200 steps is
 * drawn in 200 columns of several steps each, said in the title, so the file stays small.
 */
export function renderSvg(plan: Plan, given: Given): string {
  const width = 840;
  const f = (n: number) => String(Math.round(n * 10) / 10);

  const states = plan.steps.length;
  const columns = columnsOf(plan);
  const yTop = niceCeiling(Math.max(plan.maxTotal, ...columns.map(c => c.maxTotal), 1) * 1.05);
  const tick = niceStep(yTop);
  const upperLabel = `at most ${pods(plan.maxTotal, group)}`;
  const lowerLabel = `at least ${group(plan.minAvailable)} available`;
  // The margins grow with the labels they hold, so that no number is cut at the edge.
  const left = Math.max(64, Math.ceil(textWidth(group(Math.floor(yTop / tick) * tick), 12) + 16));
  const right = Math.max(210, Math.ceil(Math.max(textWidth(upperLabel, 12, true), textWidth(lowerLabel, 12, true),
    textWidth(BOUND_FORMULA_WIDEST, 12)) + 18));
  const plotWidth = width - left - right;

  const title = `Rolling update: ${group(plan.replicas)} replicas, maxSurge ${given.maxSurge} = ${pods(plan.maxSurge, group)}, `
    + `maxUnavailable ${given.maxUnavailable} = ${pods(plan.maxUnavailable, group)}`;
  const stepCount = states - 1;
  const subtitle = columns.length < states
    ? `${steps(stepCount, group)}, too many for a bar each: ${columns.length} columns of about `
      + `${group(Math.round(states / columns.length))} steps, each drawn as its last step`
    : `${steps(stepCount, group)}, one per pass of the Deployment controller; `
      + 'pods counted available as soon as they exist';
  // A title too long for one line is broken between its parts, never cut at the edge.
  const titleLines = wrap(title, width - left - 16, 15, true);
  const subtitleLines = wrap(subtitle, width - left - 16, 12);
  const extraHeader = 19 * (titleLines.length - 1) + 17 * (subtitleLines.length - 1);
  const top = 80 + extraHeader;
  const height = 470 + extraHeader;
  const bottom = 58;
  const plotHeight = height - top - bottom;
  const y = (podCount: number) => top + plotHeight - (podCount / yTop) * plotHeight;
  const x = (state: number) => left + (state / states) * plotWidth;

  // What the file is, first, for whoever opens it as text (no double hyphen: XML comments forbid it).
  const from = plan.steps[0].oldReplicas === plan.replicas ? '' : ` from ${plan.steps[0].oldReplicas} old pods`;
  const out: string[] = [
    `<!-- Chart of a rolling update planned by the plan command of cdk8s-deployment-strategies: ${plan.replicas} replicas${from}, `
      + `maxSurge ${escape(given.maxSurge)}, maxUnavailable ${escape(given.maxUnavailable)}; `
      + 'old and new pods per step as stacked bars, available pods as a line, and the bounds they keep -->',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" `
      + `font-family="DejaVu Sans, Verdana, sans-serif" font-size="12" role="img" aria-label="${escape(title)}">`,
    `<title>${escape(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...titleLines.map((line, i) =>
      `<text x="${left}" y="${26 + 19 * i}" font-size="15" font-weight="bold" fill="#222222">${escape(line)}</text>`),
    ...subtitleLines.map((line, i) =>
      `<text x="${left}" y="${46 + 19 * (titleLines.length - 1) + 17 * i}" fill="#555555">${escape(line)}</text>`),
  ];

  // Grid and y axis.
  for (let podCount = 0; podCount <= yTop; podCount += tick) {
    out.push(`<line x1="${left}" y1="${f(y(podCount))}" x2="${left + plotWidth}" y2="${f(y(podCount))}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${left - 8}" y="${f(y(podCount) + 4)}" text-anchor="end" fill="#333333">${group(podCount)}</text>`);
  }
  out.push(`<text x="${left - 8}" y="${top - 12}" text-anchor="end" fill="#333333">pods</text>`);

  // Bars: old pods below, new pods stacked on them. Columns too narrow for a gap between bars are
  // drawn as two areas instead, which look the same without seams and keep the file small.
  if (inset(x(columns[0].to) - x(columns[0].from)) === 0) {
    const edge = (count: (s: Plan['steps'][number]) => number) =>
      columns.flatMap(c => [`${f(x(c.from))},${f(y(count(c.last)))}`, `${f(x(c.to))},${f(y(count(c.last)))}`]);
    const oldTop = edge(s => s.oldReplicas);
    const base = [`${f(x(states))},${f(y(0))}`, `${f(x(0))},${f(y(0))}`];
    out.push(`<polygon points="${[...oldTop, ...base].join(' ')}" fill="${OLD_FILL}"/>`);
    out.push(`<polygon points="${[...edge(s => s.totalReplicas), ...oldTop.slice().reverse()].join(' ')}" fill="${NEW_FILL}"/>`);
  } else {
    for (const c of columns) {
      const gap = inset(x(c.to) - x(c.from));
      const barX = f(x(c.from) + gap);
      const barWidth = f(x(c.to) - x(c.from) - 2 * gap);
      const s = c.last;
      if (s.oldReplicas > 0) {
        out.push(`<rect x="${barX}" y="${f(y(s.oldReplicas))}" width="${barWidth}" height="${f(y(0) - y(s.oldReplicas))}" `
          + `fill="${OLD_FILL}"/>`);
      }
      if (s.newReplicas > 0) {
        out.push(`<rect x="${barX}" y="${f(y(s.totalReplicas))}" width="${barWidth}" `
          + `height="${f(y(s.oldReplicas) - y(s.totalReplicas))}" fill="${NEW_FILL}"/>`);
      }
    }
  }

  // X axis: every step under its bar when there is room, else round numbers far enough apart for
  // the widest of them.
  out.push(`<line x1="${left}" y1="${f(y(0))}" x2="${left + plotWidth}" y2="${f(y(0))}" stroke="#333333"/>`);
  const xTick = axisStep(textWidth(group(stepCount), 12) + 24, plotWidth / states);
  for (let state = 0; state < states; state += xTick) {
    out.push(`<text x="${f(x(state + 0.5))}" y="${f(y(0) + 17)}" text-anchor="middle" fill="#333333">${group(state)}</text>`);
  }
  out.push(`<text x="${f(left + plotWidth / 2)}" y="${height - 14}" text-anchor="middle" fill="#333333">`
    + 'step (a pass of the controller that changed something)</text>');

  // Available pods: a step line over the columns, widened into a band where a column's steps differ.
  const upper = columns.flatMap(c => [`${f(x(c.from))},${f(y(c.maxAvailable))}`, `${f(x(c.to))},${f(y(c.maxAvailable))}`]);
  if (columns.some(c => c.minAvailable !== c.maxAvailable)) {
    const lower = columns.slice().reverse()
      .flatMap(c => [`${f(x(c.to))},${f(y(c.minAvailable))}`, `${f(x(c.from))},${f(y(c.minAvailable))}`]);
    out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="#222222" fill-opacity="0.35" stroke="none"/>`);
  }
  out.push(`<polyline points="${upper.join(' ')}" fill="none" stroke="#222222" stroke-width="2"/>`);

  // The bounds, labelled in the right margin: the upper label above its line, the lower below,
  // so the two never overlap however close the lines are.
  const boundLine = (podCount: number, color: string) =>
    out.push(`<line x1="${left}" y1="${f(y(podCount))}" x2="${left + plotWidth + 6}" y2="${f(y(podCount))}" stroke="${color}" `
      + 'stroke-width="2" stroke-dasharray="7 4"/>');
  const label = (textY: number, color: string, bold: string, formula: string) =>
    out.push(`<text x="${left + plotWidth + 10}" y="${f(textY)}" fill="${color}"><tspan font-weight="bold">${escape(bold)}</tspan>`
      + `<tspan x="${left + plotWidth + 10}" dy="15">${escape(formula)}</tspan></text>`);
  boundLine(plan.maxTotal, '#c0392b');
  boundLine(plan.minAvailable, '#b06000');
  label(y(plan.maxTotal) - 21, '#c0392b', upperLabel, '= replicas + maxSurge');
  label(y(plan.minAvailable) + 16, '#b06000', lowerLabel, BOUND_FORMULA_WIDEST);

  // Series names on the series themselves, where there is room.
  const first = columns[0];
  const last = columns[columns.length - 1];
  const firstBarX = x(first.from) + inset(x(first.to) - x(first.from));
  const lastBarEnd = x(last.to) - inset(x(last.to) - x(last.from));
  if (y(0) - y(first.last.oldReplicas) >= 18) {
    out.push(`<text x="${f(firstBarX + 4)}" y="${f((y(0) + y(first.last.oldReplicas)) / 2 + 4)}" font-weight="bold" `
      + 'fill="#1d3557">old</text>');
  }
  if (y(last.last.oldReplicas) - y(last.last.totalReplicas) >= 18) {
    out.push(`<text x="${f(lastBarEnd - 4)}" y="${f((y(last.last.oldReplicas) + y(last.last.totalReplicas)) / 2 + 4)}" `
      + 'text-anchor="end" font-weight="bold" fill="#1b4d24">new</text>');
  }
  out.push(`<text x="${f(x(first.from) + 4)}" y="${f(y(first.maxAvailable) - 7)}" fill="#222222" ${HALO}>available</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The longer of the two formulas under the bound labels. */
const BOUND_FORMULA_WIDEST = '= replicas − maxUnavailable';

/**
 * About how wide `text` is in DejaVu Sans (the chart's first font), erring on the wide side:
 * enough to lay out labels without a renderer.
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let ems = 0;
  for (const c of text) {
    if (/[0-9]/.test(c)) ems += 0.64;
    else if (/[ ,.:;'il|]/.test(c)) ems += 0.33;
    else if (/[%mwMW]/.test(c)) ems += 0.96;
    else if (/[A-Z=−+]/.test(c)) ems += 0.84;
    else ems += 0.62;
  }
  return ems * fontSize * (bold ? 1.1 : 1);
}

/** `text` in lines of at most `maxWidth`, broken after ", " or "; " (a part longer than a line stays whole). */
function wrap(text: string, maxWidth: number, fontSize: number, bold = false): string[] {
  const parts = text.split(/(?<=[,;] )/);
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.length - 1;
    if (last >= 0 && textWidth(`${lines[last]}${part}`.trimEnd(), fontSize, bold) <= maxWidth) {
      lines[last] += part;
    } else {
      lines.push(part);
    }
  }
  return lines.map(line => line.trimEnd());
}

/** The first of 1, 2, 5, 10, 20, 50, ... steps whose labels are `labelWidth` apart at `stepWidth` per step. */
function axisStep(labelWidth: number, stepWidth: number): number {
  for (let power = 1; ; power *= 10) {
    for (const factor of [1, 2, 5]) {
      if (factor * power * stepWidth >= labelWidth) return factor * power;
    }
  }
}

/** The space on each side of a bar: none for narrow columns, which then read as areas. */
function inset(columnWidth: number): number {
  return columnWidth >= 6 ? columnWidth * 0.15 : 0;
}

/** A run of consecutive steps drawn as one column. */
interface Column {
  /** The first step of the column. */
  readonly from: number;
  /** One past its last step. */
  readonly to: number;
  readonly last: Plan['steps'][number];
  readonly minAvailable: number;
  readonly maxAvailable: number;
  readonly maxTotal: number;
}

function columnsOf(plan: Plan): Column[] {
  const states = plan.steps.length;
  const count = Math.min(states, MAX_COLUMNS);
  const columns: Column[] = [];
  for (let i = 0; i < count; i++) {
    const from = Math.floor((i * states) / count);
    const to = Math.floor(((i + 1) * states) / count);
    let minAvailable = Infinity;
    let maxAvailable = -Infinity;
    let maxTotal = 0;
    for (let s = from; s < to; s++) {
      const step = plan.steps[s];
      minAvailable = Math.min(minAvailable, step.availableReplicas);
      maxAvailable = Math.max(maxAvailable, step.availableReplicas);
      maxTotal = Math.max(maxTotal, step.totalReplicas);
    }
    columns.push({ from, to, last: plan.steps[to - 1], minAvailable, maxAvailable, maxTotal });
  }
  return columns;
}

/** A round step (1, 2 or 5 times a power of 10) that cuts 0..max into at most 8 intervals. */
function niceStep(max: number): number {
  for (let power = 1; ; power *= 10) {
    for (const factor of [1, 2, 5]) {
      if (max / (factor * power) <= 8) return factor * power;
    }
  }
}

/** The smallest multiple of the axis step at or above `value`. */
function niceCeiling(value: number): number {
  const step = niceStep(value);
  return Math.ceil(value / step) * step;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
