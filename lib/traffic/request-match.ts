// RequestMatch: a condition on a request (a header, a cookie, a query parameter) that a router
// evaluates to pick a backend, as A/B tests do.
import { IConstruct } from 'constructs';
import { fail } from '../validation';

/**
 * What a `RequestMatch` looks at.
 */
export enum RequestMatchType {
  /** An HTTP header, matched exactly. */
  HEADER = 'header',
  /** A cookie of the `Cookie` header. */
  COOKIE = 'cookie',
  /** A query parameter, matched exactly. */
  QUERY_PARAM = 'queryParam',
}

/** An HTTP token (RFC 9110): what a header or cookie name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A condition on a request.
 */
export class RequestMatch {
  /**
   * Requests whose header `name` has exactly `value`. Istio matches header names in lower case,
   * so the name is written in lower case for it.
   */
  public static header(name: string, value: string): RequestMatch {
    return new RequestMatch(RequestMatchType.HEADER, name, value);
  }

  /**
   * Requests with the cookie `name` set to exactly `value`. Gateway API has no cookie match, so
   * it is a regular-expression match on the `Cookie` header there: regular-expression header
   * matches are an extended feature of Gateway API that not every implementation supports.
   */
  public static cookie(name: string, value: string): RequestMatch {
    return new RequestMatch(RequestMatchType.COOKIE, name, value);
  }

  /**
   * Requests whose query parameter `name` has exactly `value`.
   */
  public static queryParam(name: string, value: string): RequestMatch {
    return new RequestMatch(RequestMatchType.QUERY_PARAM, name, value);
  }

  private constructor(
    /** What the match looks at. */
    public readonly type: RequestMatchType,
    /** The header, cookie or query parameter name. */
    public readonly name: string,
    /** The value it must have. */
    public readonly value: string,
  ) {}

  /**
   * Checks the name and value, naming `prop` in the error.
   * @internal
   */
  public _check(scope: IConstruct, prop: string): void {
    if (typeof this.name !== 'string' || !TOKEN.test(this.name) || this.name.length > 256) {
      fail(scope, `${prop}.name`, this.name, `a ${this.type} name must be an HTTP token of at most 256 characters: `
        + 'letters, digits and !#$%&\'*+-.^_`|~, no spaces or colons');
    }
    // Gateway API's limits: 4096 characters for a header value, 1024 for a query parameter's.
    const max = this.type === RequestMatchType.QUERY_PARAM ? 1024 : 4096;
    if (typeof this.value !== 'string' || this.value.length === 0 || this.value.length > max || /[\r\n]/.test(this.value)) {
      fail(scope, `${prop}.value`, this.value, `a ${this.type} value must be a non-empty string of at most ${max} `
        + 'characters on one line');
    }
    if (this.type === RequestMatchType.COOKIE && /[;\s,"]/.test(this.value)) {
      fail(scope, `${prop}.value`, this.value, 'a cookie value may not hold spaces, commas, semicolons or quotes');
    }
  }

  /**
   * A regular expression that matches a `Cookie` header holding this cookie.
   * @internal
   */
  public _cookieRegex(): string {
    return `(^|.*;\\s*)${escapeRegex(this.name)}=${escapeRegex(this.value)}(;.*|$)`;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
