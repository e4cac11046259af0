// Container image references, read as the container runtime reads them when the kubelet pulls.
//
// The API server only checks that an image is not empty and has no surrounding white space; every
// other mistake surfaces after apply, as pods stuck in InvalidImageName. The runtime parses the
// reference with the grammar of the distribution project (github.com/distribution/reference):
//
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [ domain "/" ] path
//   domain     := host [ ":" port ]          host: DNS labels joined by ".", or "[" IPv6 "]"
//   path       := component { "/" component } component: [a-z0-9]+ joined by ".", "_", "__" or "-"+
//   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//
// The first component is the domain when there is a "/" after it and it holds a "." or a ":", is
// "localhost", or has an upper-case letter. So upper case is allowed in the registry host (host
// names are case-insensitive) but never in the repository path: "Registry.io/shop/web" pulls,
// "registry.io/Shop/Web" does not. The name may have at most 255 characters. Of digests, the
// runtime knows sha256, sha384 and sha512, each with its fixed number of lower-case hex digits.

/** The parts of an image reference. */
export interface ImageReference {
  /** The registry host and port, when the reference names one. */
  readonly domain?: string;
  /** The repository path within the registry. */
  readonly path: string;
  readonly tag?: string;
  /** The digest, e.g. `sha256:0123…`. */
  readonly digest?: string;
}

const DOMAIN_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;
const IPV6_HOST = /^\[[0-9A-Fa-f:.]+\]$/;
const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const MAX_NAME_LENGTH = 255;

/** The last images read and their references: a construct reads each of its images more than once. */
const RECENT_IMAGES: string[] = [];
const RECENT_REFERENCES: ImageReference[] = [];
const RECENT_SIZE = 4;
let nextRecent = 0;

/**
 * Reads `image` as the container runtime does. Throws an Error whose message says what is wrong,
 * phrased to follow "<image> is ...;".
 */
export function parseImageReference(image: string): ImageReference {
  const recent = RECENT_IMAGES.indexOf(image);
  if (recent >= 0) return RECENT_REFERENCES[recent];
  const reference = Object.freeze(parse(image));
  RECENT_IMAGES[nextRecent] = image;
  RECENT_REFERENCES[nextRecent] = reference;
  nextRecent = (nextRecent + 1) % RECENT_SIZE;
  return reference;
}

function parse(image: string): ImageReference {
  const [nameAndTag, digest, ...more] = image.split('@');
  if (more.length > 0) throw new Error('it has more than one \'@\'; only one digest may follow the name');
  if (digest !== undefined) checkDigest(digest);

  // A ':' after the last '/' starts the tag; one before it belongs to the registry's port.
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > nameAndTag.lastIndexOf('/');
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined;
  if (tag === '') {
    throw new Error('its tag, after \':\', is empty: give a tag such as "1.4.0", or no \':\' at all for "latest"');
  }
  if (tag !== undefined && !TAG.test(tag)) {
    throw new Error(`its tag ${JSON.stringify(tag)} must be 1 to 128 characters of [A-Za-z0-9_.-], not starting with '.' or '-'`);
  }

  if (name.length > MAX_NAME_LENGTH) {
    throw new Error(`its name has ${name.length} characters; it may have at most ${MAX_NAME_LENGTH}`);
  }
  const slash = name.indexOf('/');
  const first = name.slice(0, slash);
  const isDomain = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  const domain = isDomain ? first : undefined;
  const path = isDomain ? name.slice(slash + 1) : name;
  if (domain !== undefined) checkDomain(domain);
  checkPath(path);
  return { domain, path, tag, digest };
}

function checkDigest(digest: string): void {
  const [algorithm, hex] = digest.split(':');
  const length = DIGEST_LENGTHS[algorithm];
  if (length === undefined || hex === undefined || !new RegExp(`^[a-f0-9]{${length}}$`).test(hex)) {
    throw new Error(`its digest ${JSON.stringify(digest)} must be sha256: and 64 lower-case hex digits `
      + '(or sha384: and 96, or sha512: and 128)');
  }
}

function checkDomain(domain: string): void {
  const colon = domain.lastIndexOf(':');
  const hasPort = colon > domain.lastIndexOf(']');
  const host = hasPort ? domain.slice(0, colon) : domain;
  const port = hasPort ? domain.slice(colon + 1) : undefined;
  const hostOk = IPV6_HOST.test(host) || host.split('.').every(label => DOMAIN_LABEL.test(label));
  if (!hostOk || (port !== undefined && !/^[0-9]+$/.test(port))) {
    throw new Error(`its registry ${JSON.stringify(domain)} must be a host name (letters, digits, '-' and '.'), `
      + 'an IPv6 address in brackets, or either with \':\' and a port number');
  }
}

function checkPath(path: string): void {
  const components = path.split('/');
  if (components.every(c => PATH_COMPONENT.test(c))) return;
  if (components.every(c => PATH_COMPONENT.test(c.toLowerCase()))) {
    throw new Error(`its repository ${JSON.stringify(path)} has upper-case letters, which container runtimes refuse `
      + '(InvalidImageName): a repository is lower case; only the registry host may have upper-case letters');
  }
  throw new Error(`its repository ${JSON.stringify(path)} must be '/'-separated components of lower-case letters and `
    + 'digits, each joined inside by \'.\', \'_\', \'__\' or dashes');
}
