/**
 * The http-in routes, compiled once when they change: each path goes through path-to-regexp with
 * the options Express 5's router uses (case-insensitive, one optional trailing slash, parameters
 * percent-decoded), and a path without parameters or wildcards is also kept in a map keyed by
 * its lower-cased form, so that the common case costs one map lookup instead of a regexp per
 * route. Whatever the path kind, the route registered first answers, as in Express.
 *
 * @example
 * const table = createRouteTable<Handler>();
 * const remove = table.add('get', '/user/:id', handler);
 * table.find('GET', '/user/42'); // { value: handler, params: { id: '42' } }
 */
import { createRequire } from 'node:module';
import { RedoubtError } from '../../errors/index.js';
import type { HttpNodeMethod } from '../../runtime/definition/http-endpoints.js';
import { restoreWildcardParams, toExpress5Path } from './route-path.js';

export interface RouteHit<T> {
  readonly value: T;
  /** Decoded parameters, wildcards as Express 4 gave them (`params[0]`). */
  readonly params?: Record<string, string>;
  /** A parameter that is not valid percent-encoding (Express answers 400); no params then. */
  readonly error?: Error & { status?: number };
}

export interface RouteTable<T> {
  /** Adds a route after the others; the returned function removes it (safe to call twice). */
  add(method: HttpNodeMethod, path: string, value: T): () => void;
  /** The first route for `method` (HEAD finds GET routes) whose path matches `pathname`, decoded. */
  find(method: string, pathname: string): RouteHit<T> | undefined;
  /** Whether some route would answer, without decoding anything. */
  has(method: string, pathname: string): boolean;
  /** The methods routes answer on `pathname`, GET bringing HEAD, sorted and upper-case: what OPTIONS is told. */
  allowedMethods(pathname: string): string[];
  readonly size: number;
}

interface Entry<T> {
  readonly seq: number;
  readonly value: T;
  readonly regexp: RegExp;
  readonly match: MatchFunction;
  /** Lower-cased path for the exact map; undefined when the path has parameters or wildcards. */
  readonly key: string | undefined;
}

interface MethodRoutes<T> {
  /** Every route of the method, in registration order. */
  readonly all: Entry<T>[];
  /** Routes with parameters, in registration order. */
  readonly dynamic: Entry<T>[];
  /** Exact routes by key, each list in registration order. */
  readonly exact: Map<string, Entry<T>[]>;
}

type MatchFunction = (path: string) => false | { path: string; params: Record<string, string | string[]> };
interface PathToRegexp {
  match(path: string, options: { sensitive: boolean; end: boolean; trailing: boolean; decode?: (value: string) => string }): MatchFunction;
  pathToRegexp(path: string, options: { sensitive: boolean; end: boolean; trailing: boolean }): { regexp: RegExp };
}

/**
 * path-to-regexp as Express's own router loads it (express → router → path-to-regexp), so that
 * routes match here exactly as they would in Express, whatever else sits in node_modules.
 */
const pathToRegexp = ((): PathToRegexp => {
  const fromHere = createRequire(import.meta.url);
  const fromRouter = createRequire(createRequire(fromHere.resolve('express')).resolve('router'));
  return fromRouter('path-to-regexp') as PathToRegexp;
})();

/** Characters that may stand in a literal route path as written; anything else goes through the regexp. */
const LITERAL_PATH = /^[A-Za-z0-9/\-._~%@&=,;']*$/;
const NON_ASCII = /[^\x00-\x7f]/;
const TRAILING_SLASHES = /\/+$/;

/** Express's router drops trailing slashes of a route path before compiling it (its `strict: false`). */
function loosen(path: string): string {
  return path === '/' ? path : path.replace(TRAILING_SLASHES, '');
}

/** As Express's router decodes a parameter: a malformed escape is a client error (400). */
function decodeParam(value: string): string {
  if (value.length === 0 || !value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch (err) {
    if (err instanceof URIError) {
      const refused = new URIError(`Failed to decode param '${value}'`) as URIError & { status: number; statusCode: number };
      refused.status = refused.statusCode = 400;
      throw refused;
    }
    throw err;
  }
}

/** The exact-map key of a request path: lower case, one trailing slash dropped (as the regexp allows). */
function requestKey(pathname: string): string {
  const trimmed = pathname.length > 1 && pathname.charCodeAt(pathname.length - 1) === 47 ? pathname.slice(0, -1) : pathname;
  return trimmed.toLowerCase();
}

function tableMethod(method: string): HttpNodeMethod | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return 'get';
    case 'POST':
      return 'post';
    case 'PUT':
      return 'put';
    case 'DELETE':
      return 'delete';
    case 'PATCH':
      return 'patch';
    default:
      return undefined;
  }
}

export function createRouteTable<T>(): RouteTable<T> {
  const methods = new Map<HttpNodeMethod, MethodRoutes<T>>();
  let seq = 0;
  let size = 0;

  const routesOf = (method: HttpNodeMethod): MethodRoutes<T> => {
    let routes = methods.get(method);
    if (!routes) {
      routes = { all: [], dynamic: [], exact: new Map() };
      methods.set(method, routes);
    }
    return routes;
  };

  const compile = (path: string, value: T): Entry<T> => {
    const expressPath = loosen(toExpress5Path(path));
    const options = { sensitive: false, end: true, trailing: true } as const;
    try {
      return {
        seq: seq++,
        value,
        regexp: pathToRegexp.pathToRegexp(expressPath, options).regexp,
        match: pathToRegexp.match(expressPath, { ...options, decode: decodeParam }),
        key: expressPath.startsWith('/') && LITERAL_PATH.test(expressPath) ? expressPath.toLowerCase() : undefined,
      };
    } catch (err) {
      throw new RedoubtError('invalid_route', `route '${path}' is not a valid path: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };

  /** The first entry matching, with the exact map consulted for what it can answer. */
  const first = (method: string, pathname: string): Entry<T> | undefined => {
    const name = tableMethod(method);
    const routes = name && methods.get(name);
    if (!routes) return undefined;
    if (NON_ASCII.test(pathname)) return routes.all.find((e) => e.regexp.test(pathname));
    const exact = routes.exact.get(requestKey(pathname))?.[0];
    for (const entry of routes.dynamic) {
      if (exact && entry.seq > exact.seq) break;
      if (entry.regexp.test(pathname)) return entry;
    }
    return exact;
  };

  return {
    add(method, path, value) {
      const entry = compile(path, value);
      const routes = routesOf(method);
      routes.all.push(entry);
      if (entry.key === undefined) routes.dynamic.push(entry);
      else {
        const list = routes.exact.get(entry.key);
        if (list) list.push(entry);
        else routes.exact.set(entry.key, [entry]);
      }
      size++;
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        size--;
        const drop = (list: Entry<T>[]) => {
          const at = list.indexOf(entry);
          if (at >= 0) list.splice(at, 1);
        };
        drop(routes.all);
        if (entry.key === undefined) drop(routes.dynamic);
        else {
          const list = routes.exact.get(entry.key)!;
          drop(list);
          if (list.length === 0) routes.exact.delete(entry.key);
        }
      };
    },
    find(method, pathname) {
      const entry = first(method, pathname);
      if (!entry) return undefined;
      let found: ReturnType<typeof entry.match>;
      try {
        found = entry.match(pathname);
      } catch (err) {
        return { value: entry.value, error: err as Error & { status?: number } };
      }
      if (!found) return undefined;
      const params = found.params as Record<string, unknown>;
      restoreWildcardParams(params);
      return { value: entry.value, params: params as Record<string, string> };
    },
    has(method, pathname) {
      return first(method, pathname) !== undefined;
    },
    allowedMethods(pathname) {
      const allowed = new Set<string>();
      for (const [method, routes] of methods) {
        if (!routes.all.some((entry) => entry.regexp.test(pathname))) continue;
        allowed.add(method.toUpperCase());
        if (method === 'get') allowed.add('HEAD');
      }
      return [...allowed].sort();
    },
    get size() {
      return size;
    },
  };
}
