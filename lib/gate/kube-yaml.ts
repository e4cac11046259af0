// YAML read as kubectl reads it. kubectl turns YAML into JSON with sigs.k8s.io/yaml, which
// resolves plain scalars as go-yaml v2 does: YAML 1.1's booleans (yes, no, on, off, y, n), octal
// 0755, underscores in numbers, timestamps left as strings. cdk8s writes its manifests for YAML 1.1
// and quotes every string that YAML 1.1 would read as something else, so its output reads back
// as written; the one exception is a string such as 0o755 (YAML 1.2's octal), which cdk8s leaves
// plain and kubectl reads as the number 493: the gate reads it as kubectl does, as kubectl is what
// applies it. The parsing itself is js-yaml's; only the resolution of plain scalars is set here.
import { FAILSAFE_SCHEMA, loadAll, Schema, Type, YAMLException } from 'js-yaml';

/** The words go-yaml v2 resolves: YAML 1.1's booleans, and null. */
const WORDS = new Map<string, boolean | null>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map(s => [s, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(s => [s, false] as const),
  ...['~', 'null', 'Null', 'NULL'].map(s => [s, null] as const),
]);

const WORD_STARTS = new Set([...WORDS.keys()].map(w => w.charCodeAt(0)));

const SPECIAL_FLOATS = new Map<string, number>([
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map(s => [s, Infinity] as const),
  ...['-.inf', '-.Inf', '-.INF'].map(s => [s, -Infinity] as const),
  ...['.nan', '.NaN', '.NAN'].map(s => [s, NaN] as const),
]);

/** Go's `strconv.ParseInt(s, 0, 64)`: a sign, then 0x, 0o, 0b or a leading 0 (octal), or decimal. */
const INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([0-9]+))$/;
/** go-yaml v2's `yamlStyleFloat`, checked before Go's `strconv.ParseFloat`. */
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** What a plain scalar that stays a string resolves to. */
const STRING = Symbol('string');

/** What a plain scalar stands for, as go-yaml v2 resolves it: null, a boolean, a number, or STRING. */
function resolvePlain(text: string | null): unknown {
  if (text === null || text === '') return null;
  const first = text.charCodeAt(0);
  if ((first >= 48 && first <= 57) || first === 43 /* + */ || first === 45 /* - */ || first === 46 /* . */) {
    return number(text) ?? STRING;
  }
  // Every word is at most 5 characters long and starts with one of yYnNtTfFoO~ (the hint table of
  // go-yaml v2): most strings, map keys above all, are told apart without a lookup.
  if (text.length > 5 || !WORD_STARTS.has(first)) return STRING;
  const word = WORDS.get(text);
  return word !== undefined ? word : STRING;
}

/** The number a plain scalar starting with a digit, a sign or a dot stands for, or undefined. */
function number(text: string): number | undefined {
  const special = SPECIAL_FLOATS.get(text);
  if (special !== undefined) return special;
  if (text.charCodeAt(0) === 46 /* . */) {
    // go-yaml v2 hands these to strconv.ParseFloat as they are, underscores and all.
    return finite(FLOAT.test(text) ? parseFloat(text) : undefined);
  }
  // Otherwise it drops every underscore before it tries an integer and then a float.
  const plain = text.includes('_') ? text.replace(/_/g, '') : text;
  const int = INT.exec(plain);
  if (int) {
    const [, sign, hex, octal, binary, leadingZero, decimal] = int;
    const value = hex !== undefined ? parseInt(hex, 16)
      : octal !== undefined ? parseInt(octal, 8)
        : binary !== undefined ? parseInt(binary, 2)
          : leadingZero !== undefined ? parseInt(leadingZero, 8)
            : parseInt(decimal, 10);
    return sign === '-' ? -value : value;
  }
  return finite(FLOAT.test(plain) ? parseFloat(plain) : undefined);
}

/** strconv.ParseFloat fails on a value out of range such as 1e400, and go-yaml v2 then keeps the string. */
function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

// js-yaml calls a type's resolve and then its construct with the same text: resolve once.
let lastText: string | null = null;
let lastValue: unknown = null;
function resolved(text: string | null): unknown {
  if (text !== lastText) {
    lastValue = resolvePlain(text);
    lastText = text;
  }
  return lastValue;
}

const scalar = (tag: string, accepts: (value: unknown) => boolean) =>
  new Type(tag, { kind: 'scalar', resolve: (text: string | null) => accepts(resolved(text)), construct: resolved });

/** A tag the schema does not know leaves the node as it is, as go-yaml v2 does. */
const anyTag = (kind: 'scalar' | 'sequence' | 'mapping') => new Type('', { kind, multi: true });

/**
 * Plain scalars resolved as go-yaml v2 resolves them, and merge keys (`<<`) merged as it merges
 * them. Every plain scalar but a merge key is resolved by one type, so that it costs js-yaml one
 * call; the tag it then gets matters to js-yaml only for finding merge keys.
 */
export const KUBE_YAML_SCHEMA: Schema = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('tag:yaml.org,2002:plain', value => value !== STRING),
    new Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (text: string | null) => text === '<<' }),
  ],
  explicit: [
    scalar('tag:yaml.org,2002:null', value => value === null),
    scalar('tag:yaml.org,2002:bool', value => typeof value === 'boolean'),
    scalar('tag:yaml.org,2002:int', value => Number.isInteger(value)),
    scalar('tag:yaml.org,2002:float', value => typeof value === 'number'),
    anyTag('scalar'), anyTag('sequence'), anyTag('mapping'),
  ],
});

/**
 * The documents of a YAML stream, as kubectl reads them (empty documents are null). Throws an
 * error that names `source`, and the line and column where the YAML goes wrong.
 */
export function parseYaml(text: string, source: string): unknown[] {
  try {
    const docs = loadAll(text, null, { schema: KUBE_YAML_SCHEMA });
    // An alias inside the node it refers to makes a cycle, which go-yaml (so kubectl) refuses.
    if (/(?:^|[\s:[{,-])&\S/.test(text)) docs.forEach(doc => checkAcyclic(doc, source));
    return docs;
  } catch (e) {
    if (!(e instanceof YAMLException)) throw e;
    const where = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : '';
    throw new Error(`${source} is not valid YAML: ${e.reason}${where}`);
  }
}

/**
 * Throws if `value` contains itself, which has no JSON form. A node that aliases make shared is
 * looked at once.
 */
function checkAcyclic(value: unknown, source: string, open = new Set<object>(), done = new Set<object>()): void {
  if (typeof value !== 'object' || value === null || done.has(value)) return;
  if (open.has(value)) throw new Error(`${source} is not valid YAML: an alias refers to a node that contains it`);
  open.add(value);
  for (const child of Object.values(value)) checkAcyclic(child, source, open, done);
  open.delete(value);
  done.add(value);
}
