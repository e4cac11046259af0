// Input checks shared by every construct: each failure names the construct path, the prop, the
// value and what is allowed, so a user can fix the call without reading our source.
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ImageReference, parseImageReference } from './image-reference';

/** The longest name an object, a label value or a DNS-1123 label may have. */
export const MAX_NAME_LENGTH = 63;

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PERCENT = /^[0-9]+%$/;

/** Throws the library's error for `prop` of `scope`. */
export function fail(scope: IConstruct, prop: string, value: unknown, allowed: string): never {
  throw new Error(`${scope.node.path}: '${prop}' is ${show(value)}; ${allowed}`);
}

/** Throws the library's error for a key of the map `prop` of `scope`, e.g. "'labels' has the managed key ...". */
export function failKey(scope: IConstruct, prop: string, kind: string, key: string, allowed: string): never {
  throw new Error(`${scope.node.path}: '${prop}' has the ${kind} ${show(key)}; ${allowed}`);
}

/** How a value is quoted in an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Duration) return `${value.toMilliseconds() / 1000}s`;
  if (value instanceof kplus.PercentOrAbsolute) return show(value.value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) return JSON.stringify(value);
  return String(value);
}

export function checkInteger(scope: IConstruct, prop: string, value: number, min: number, max?: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `${min} or more` : `from ${min} to ${max}`;
    fail(scope, prop, value, `it must be an integer ${range}`);
  }
  return value;
}

export function checkPort(scope: IConstruct, prop: string, value: number): number {
  return checkInteger(scope, prop, value, 1, 65535);
}

/**
 * A container port name as Kubernetes checks it (an IANA service name): at most 15 characters of
 * [a-z0-9-], at least one letter, no '--', not starting or ending with '-'.
 */
export function checkPortName(scope: IConstruct, prop: string, name: string): string {
  if (typeof name !== 'string' || name.length > 15 || !DNS_1123_LABEL.test(name) || !/[a-z]/.test(name)
    || name.includes('--')) {
    fail(scope, prop, name, 'it must be an IANA service name: at most 15 characters of [a-z0-9-], with a letter, '
      + 'no \'--\', not starting or ending with \'-\'');
  }
  return name;
}

/** A name that is a DNS-1123 subdomain, such as the name of an object another app or the cluster defines. */
export function checkSubdomain(scope: IConstruct, prop: string, name: string): string {
  if (typeof name !== 'string' || name.length > 253 || !DNS_1123_SUBDOMAIN.test(name)) {
    fail(scope, prop, name, 'it must be a DNS-1123 subdomain: at most 253 characters of lower-case letters, digits, '
      + '\'-\' and \'.\', starting and ending with a letter or digit');
  }
  return name;
}

/** Checks the keys and values of a label map; `managed` keys are refused with `why`. */
export function checkLabels(scope: IConstruct, prop: string, labels: { [key: string]: string } | undefined,
  managed: string[], why: string): void {
  if (!labels) return;
  for (const [key, value] of Object.entries(labels)) {
    checkQualifiedName(scope, prop, key);
    if (managed.includes(key)) {
      failKey(scope, prop, 'managed key', key, `${why}; use another key than ${managed.join(', ')}`);
    }
    checkLabelValue(scope, `${prop}.${key}`, value);
  }
}

export function checkWholeSeconds(scope: IConstruct, prop: string, value: Duration, min: number): number {
  const seconds = value.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds < min) {
    fail(scope, prop, value, `it must be a whole number of seconds, ${min} or more`);
  }
  return seconds;
}

/**
 * Checks a name that ends up as a Service name (a DNS-1035 label: it may not start with a digit)
 * and as the prefix of every object name: `longestSuffix` is the longest suffix the construct adds.
 */
export function checkName(scope: IConstruct, prop: string, name: string, longestSuffix: string): string {
  if (typeof name !== 'string' || !DNS_1035_LABEL.test(name)) {
    fail(scope, prop, name, 'it must be a DNS-1035 label: lower-case letters, digits and \'-\', '
      + 'starting with a letter and ending with a letter or digit');
  }
  const limit = MAX_NAME_LENGTH - longestSuffix.length;
  if (name.length > limit) {
    const longest = longestSuffix ? `, so that '${name}${longestSuffix}' fits` : '';
    fail(scope, prop, name, `it has ${name.length} characters and may have at most ${limit}${longest} `
      + `(object names are at most ${MAX_NAME_LENGTH} characters)`);
  }
  return name;
}

export function checkLabelValue(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH || !LABEL_VALUE.test(value)) {
    fail(scope, prop, value, `it must be a label value: at most ${MAX_NAME_LENGTH} characters of `
      + '[A-Za-z0-9._-], starting and ending with a letter or digit');
  }
  return value;
}

/** A label or annotation key: an optional DNS-1123 subdomain prefix and a name of at most 63 characters. */
export function checkQualifiedName(scope: IConstruct, prop: string, key: string): string {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = key.slice(slash + 1);
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_1123_SUBDOMAIN.test(prefix));
  if (!prefixOk || name.length > MAX_NAME_LENGTH || !LABEL_NAME.test(name)) {
    failKey(scope, prop, 'key', key, 'a key must be a qualified name: an optional DNS subdomain prefix and \'/\', '
      + `then at most ${MAX_NAME_LENGTH} characters of [A-Za-z0-9._-] starting and ending with a letter or digit`);
  }
  return key;
}

/** Checks `image` as the container runtime will read it, and returns its parts. */
export function checkImage(scope: IConstruct, prop: string, image: string): ImageReference {
  if (typeof image !== 'string' || image.length === 0 || /\s/.test(image)) {
    fail(scope, prop, image, 'it must be a non-empty image reference without white space, '
      + 'e.g. "registry.example.com/shop/web:1.4.0"');
  }
  try {
    return parseImageReference(image);
  } catch (e) {
    return fail(scope, prop, image, `${(e as Error).message}; e.g. "registry.example.com/shop/web:1.4.0"`);
  }
}

/**
 * The version label a release gets when none is given: the image tag, or for an image pinned by
 * digest only the first 12 hex digits of the digest, or "latest" when there is neither (as a
 * container runtime would pull).
 */
export function versionFromImage(image: ImageReference): string {
  if (image.tag !== undefined) return image.tag;
  if (image.digest !== undefined) return image.digest.slice(image.digest.indexOf(':') + 1, image.digest.indexOf(':') + 13);
  return 'latest';
}

/**
 * The pull policy Kubernetes itself defaults to: `Always` for the tag `latest` or no tag and no
 * digest (what the image is changes under the same name), `IfNotPresent` otherwise, so that
 * starting or adding a pod of a pinned image does not depend on the registry.
 */
export function defaultPullPolicy(image: ImageReference): kplus.ImagePullPolicy {
  const floating = image.tag === 'latest' || (image.tag === undefined && image.digest === undefined);
  return floating ? kplus.ImagePullPolicy.ALWAYS : kplus.ImagePullPolicy.IF_NOT_PRESENT;
}

/**
 * A `PercentOrAbsolute` as Kubernetes reads it: a non-negative integer, or a string matching
 * `^[0-9]+%$`. Returns the number and whether it is a percentage; the error names `prop`.
 */
export function parsePercentOrAbsolute(prop: string, value: kplus.PercentOrAbsolute | undefined,
  maxPercent?: number): { amount: number; percent: boolean } {
  const raw: unknown = value?.value;
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) {
    return { amount: raw, percent: false };
  }
  if (typeof raw === 'string' && PERCENT.test(raw)) {
    const amount = parseInt(raw, 10);
    if (maxPercent !== undefined && amount > maxPercent) {
      throw new Error(`'${prop}' is ${show(raw)}; a percentage may be at most ${maxPercent}%`);
    }
    return { amount, percent: true };
  }
  throw new Error(`'${prop}' is ${show(raw)}; it must be PercentOrAbsolute.absolute(n) with a non-negative integer n, `
    + 'or PercentOrAbsolute.percent(p) with a non-negative integer p');
}

/** `maxSurge` and `maxUnavailable` with their defaults, and the amounts they stand for. */
export interface ParsedRollingUpdate {
  readonly maxSurge: kplus.PercentOrAbsolute;
  readonly maxUnavailable: kplus.PercentOrAbsolute;
  readonly surge: { amount: number; percent: boolean };
  readonly unavailable: { amount: number; percent: boolean };
}

/**
 * `props` after the checks the API server would make: non-negative integers or percentages,
 * `maxUnavailable` at most 100%, not both zero. The error names the prop but no construct.
 */
export function parseRollingUpdate(props: {
  readonly maxSurge?: kplus.PercentOrAbsolute;
  readonly maxUnavailable?: kplus.PercentOrAbsolute;
}): ParsedRollingUpdate {
  const maxSurge = props.maxSurge ?? kplus.PercentOrAbsolute.percent(25);
  const maxUnavailable = props.maxUnavailable ?? kplus.PercentOrAbsolute.percent(25);
  const surge = parsePercentOrAbsolute('maxSurge', maxSurge);
  const unavailable = parsePercentOrAbsolute('maxUnavailable', maxUnavailable, 100);
  if (surge.amount === 0 && unavailable.amount === 0) {
    throw new Error(`'maxUnavailable' is ${show(maxUnavailable)}; it may not be 0 while 'maxSurge' is 0 too `
      + `(${show(maxSurge)}): no pod could ever be replaced`);
  }
  return { maxSurge, maxUnavailable, surge, unavailable };
}
