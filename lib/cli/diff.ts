// The `diff` command: the release gate between the manifests that run and the next ones, as a
// table or as JSON, with an exit code a pipeline can stop on.
import * as fs from 'fs';
import * as path from 'path';
import { parseYaml } from '../gate/kube-yaml';
import { ManifestError, ReadObject, readObjects } from '../gate/manifests';
import { FindingCode, ReleaseDiff, Severity } from '../gate/release-diff';
import { CliIo, UsageError } from './common';

export const DIFF_USAGE = `cdk8s-deployment-strategies diff BEFORE AFTER [options]

Checks the move from the manifests that run (BEFORE) to the ones about to be applied (AFTER):
for every Service, the fewest ready pods while AFTER is applied over BEFORE, and the moves that
break a release (an immutable selector changed, capacity lost while new pods start, traffic sent
to pods nobody checked).

BEFORE and AFTER are each a YAML file (several documents), a directory of *.yaml files (what
cdk8s synth writes to dist/), or - for standard input. A kind: List (what
kubectl get deploy,svc -o yaml prints) is read as its items, so BEFORE can be the live cluster,
whose status then says how many pods are ready; add httproutes or virtualservices and
destinationrules to the kinds when the apps have a router.

Options:
  --json                 print { blocked, apps, services, findings } as JSON instead of a table
  --allow CODE           turn the blocks of CODE into warnings, for a move made on purpose;
                         may be given several times. Codes:
${wrap(Object.values(FindingCode).join(', '), 25, 96)}
  -h, --help             print this help

Exit codes: 0 nothing blocks, 1 something blocks, 2 bad usage or input (nothing is printed on
standard output).

Example:
  cdk8s-deployment-strategies diff previous/dist dist && kubectl apply -f dist/
`;

/** `text` broken into lines of at most `width` characters, each indented by `indent` spaces. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.map(l => `${' '.repeat(indent)}${l}`).join('\n');
}

/** Runs `diff` with the arguments after the command; throws `UsageError` for bad usage or input. */
export function diff(args: string[], io: CliIo): number {
  const sources: string[] = [];
  const allow: FindingCode[] = [];
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') {
      json = true;
    } else if (arg === '--allow' || arg.startsWith('--allow=')) {
      const code = arg === '--allow' ? args[++i] : arg.slice('--allow='.length);
      if (code === undefined || code === '') throw new UsageError('--allow needs a code');
      if (!(Object.values(FindingCode) as string[]).includes(code)) {
        throw new UsageError(`--allow is ${JSON.stringify(code)}; the codes are ${Object.values(FindingCode).join(', ')}`);
      }
      allow.push(code as FindingCode);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    } else {
      sources.push(arg);
    }
  }
  if (sources.length !== 2) {
    throw new UsageError(`diff takes two sources, BEFORE and AFTER; ${sources.length} given`);
  }
  if (sources[0] === '-' && sources[1] === '-') {
    throw new UsageError('only one of BEFORE and AFTER can be - (standard input)');
  }
  const [before, after] = sources.map(source => readSource(source, io));
  let result: ReleaseDiff;
  try {
    result = ReleaseDiff._ofObjects(before, after, { allow });
  } catch (e) {
    throw e instanceof ManifestError ? new UsageError(e.message) : e;
  }
  io.stdout(json ? `${JSON.stringify(result.toJson(), null, 2)}\n` : renderReport(result));
  return result.blocked ? 1 : 0;
}

/**
 * The Kubernetes objects of a file, of the *.yaml files of a directory, or of standard input (`-`),
 * read file by file so that an error names its file; throws `UsageError` when they cannot be read
 * or hold no Kubernetes objects.
 */
export function readSource(source: string, io: CliIo): ReadObject[] {
  const name = source === '-' ? 'standard input' : source;
  let texts: Array<[string, string]>;
  try {
    if (source === '-') {
      texts = [[name, (io.readStdin ?? (() => fs.readFileSync(0, 'utf8')))()]];
    } else if (fs.statSync(source).isDirectory()) {
      const files = fs.readdirSync(source).filter(f => /\.ya?ml$/.test(f)).sort();
      if (files.length === 0) throw new UsageError(`${source} is a directory with no *.yaml file`);
      texts = files.map(f => [path.join(source, f), fs.readFileSync(path.join(source, f), 'utf8')]);
    } else {
      texts = [[source, fs.readFileSync(source, 'utf8')]];
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${name}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
  const objects: ReadObject[] = [];
  for (const [file, text] of texts) {
    try {
      for (const object of readObjects(parseYaml(text, file), file)) objects.push(object);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (objects.length === 0) throw new UsageError(`${name} holds no Kubernetes objects`);
  return objects;
}

/** The apps and their moves, the ready pods behind each Service, the findings, and the verdict. */
export function renderReport(result: ReleaseDiff): string {
  // Starts with the app table, which has a line per app: pushed as arguments, hundreds of
  // thousands of them would exceed the call stack.
  const lines: string[] = result.apps.length === 0 ? []
    : [...table(['app', 'strategy', 'move'], result.apps.map(a => [qualified(a.name, a.namespace), a.strategy, a.move])), ''];
  for (const s of result.services) {
    lines.push(`${qualified(s.name, s.namespace)}: ready pods during the apply: at least ${s.during} `
      + `(before ${s.before}, after ${s.after}; keeping capacity needs ${s.floor})`);
  }
  if (result.services.length > 0) lines.push('');
  for (const f of result.findings) {
    lines.push(`${f.severity === Severity.BLOCK ? 'BLOCK' : 'warn'} ${f.code}: ${f.message}`);
  }
  if (result.findings.length > 0) lines.push('');
  const blocks = result.findings.filter(f => f.severity === Severity.BLOCK);
  lines.push(blocks.length > 0
    ? `blocked: ${blocks.length} ${blocks.length === 1 ? 'finding blocks' : 'findings block'} the apply `
      + '(--allow CODE turns a deliberate one into a warning)'
    : 'nothing blocks the apply');
  return `${lines.join('\n')}\n`;
}

function qualified(name: string, namespace?: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Rows in columns padded to the widest cell; the last column is left as it is. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map(h => h.length);
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i], cell.length); });
  const line = (cells: string[]) => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]) : c)).join('  ');
  return [line(header), ...rows.map(line)];
}
