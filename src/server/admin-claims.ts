/**
 * Which requests the admin side answers itself: a route of the admin router (method and path),
 * or a file of the editor (GET and HEAD). When `httpAdminRoot` and `httpNodeRoot` overlap, these
 * win over an http-in endpoint on the same path, as in Node-RED, where the admin app is mounted
 * first; the http-in fast path asks here before it takes a request.
 *
 * The routes are read from the express router the admin side is built of, so that the answer
 * cannot drift from the routes really served. The editor files are checked with one `stat` per
 * path, remembered for a few seconds, rather than once per request as the static handler does.
 *
 * @example
 * const claims = createAdminClaims({ editorDir }, { app, admin, clock: { now: Date.now } });
 * claims('GET', '/flows'); // true
 */
import { statSync, type Stats } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Express, Router } from 'express';
import { RedoubtError } from '../errors/index.js';
import { safeRelativePath } from './http/static-files.js';

export interface AdminClaimsOptions {
  /** Where the editor's files are (as given to the static handler). */
  editorDir: string;
  /** The static handler's directory index; default 'index.html'. */
  index?: string;
  /** How long an answer is remembered; default 10 s. */
  rememberMs?: number;
  /** Most answers remembered; default 1,000 (all are forgotten when full). */
  maxRemembered?: number;
}

export type AdminClaims = (method: string, pathname: string) => boolean;

/** The parts of express's router layers read here. */
interface LayerView {
  route?: { _handlesMethod?(method: string): boolean; methods?: Record<string, boolean> };
  handle?: unknown;
  path?: string;
  match?(path: string): boolean | { path: string };
}

function stackOf(handle: unknown): LayerView[] | undefined {
  const stack = (handle as { stack?: unknown } | null | undefined)?.stack;
  return Array.isArray(stack) ? (stack as LayerView[]) : undefined;
}

/** The part of `path` a layer matched, or undefined; router 2.3 returns it, older 2.x keeps it on the layer. */
function matchedPart(layer: LayerView, path: string): string | undefined {
  const result = layer.match?.(path);
  if (!result) return undefined;
  return typeof result === 'object' ? result.path : (layer.path ?? '');
}

function handlesMethod(route: NonNullable<LayerView['route']>, method: string): boolean {
  if (typeof route._handlesMethod === 'function') return route._handlesMethod(method);
  const methods = route.methods ?? {};
  const name = method.toLowerCase();
  return methods._all === true || methods[name] === true || (name === 'head' && methods.get === true);
}

/** The path a mounted router sees: what its layer matched taken off, a leading slash kept. */
function below(path: string, matched: string): string {
  const rest = path.slice(matched.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** Whether a route of `stack` (or of a router mounted in it) answers `method` on `path`. */
function routerAnswers(stack: readonly LayerView[], method: string, path: string): boolean {
  for (const layer of stack) {
    const matched = matchedPart(layer, path);
    if (matched === undefined) continue;
    if (layer.route) {
      if (handlesMethod(layer.route, method)) return true;
      continue;
    }
    const mounted = stackOf(layer.handle);
    if (mounted && routerAnswers(mounted, method, below(path, matched))) return true;
  }
  return false;
}

/** A file the static handler would serve for `relative`, without following it out of `root`. */
function servesFile(root: string, index: string, relative: string): boolean {
  let file = resolve(join(root, relative));
  if (file !== root && !file.startsWith(root + sep)) return false;
  let info = statOrNothing(file);
  if (info?.isDirectory()) {
    file = join(file, index);
    info = statOrNothing(file);
  }
  return info?.isFile() === true;
}

function statOrNothing(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch (err) {
    // ENOTDIR, EACCES...: the static handler treats a path it cannot stat as no file, and so does this.
    if ((err as NodeJS.ErrnoException).code) return undefined;
    throw err;
  }
}

/**
 * @param deps.app the server's app; `deps.admin` the router mounted in it at `httpAdminRoot`.
 */
export function createAdminClaims(options: AdminClaimsOptions, deps: { app: Express; admin: Router; clock: { now(): number } }): AdminClaims {
  const root = resolve(options.editorDir);
  const index = options.index ?? 'index.html';
  const rememberMs = options.rememberMs ?? 10_000;
  const maxRemembered = options.maxRemembered ?? 1000;
  const appStack = stackOf((deps.app as unknown as { router?: unknown }).router);
  const mountLayer = appStack?.find((layer) => layer.handle === deps.admin);
  const adminStack = stackOf(deps.admin);
  const remembered = new Map<string, { claimed: boolean; until: number }>();

  const decide = (method: string, pathname: string): boolean => {
    // Express's internals not as expected: the admin side claims everything, so nothing is served around it.
    if (!mountLayer || !adminStack) return true;
    const matched = matchedPart(mountLayer, pathname);
    if (matched === undefined) return false;
    const path = below(pathname, matched);
    if (routerAnswers(adminStack, method, path)) return true;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const baseUrl = matched.endsWith('/') ? matched.slice(0, -1) : matched;
    let relative: string;
    try {
      relative = safeRelativePath(pathname.slice(baseUrl.length));
    } catch (err) {
      // The static handler refuses (and audits) this path; it keeps doing so.
      if (err instanceof RedoubtError) return true;
      throw err;
    }
    return servesFile(root, index, relative);
  };

  return (method, pathname) => {
    const key = `${method} ${pathname}`;
    const now = deps.clock.now();
    const known = remembered.get(key);
    if (known && known.until > now) return known.claimed;
    const claimed = decide(method, pathname);
    if (remembered.size >= maxRemembered) remembered.clear();
    remembered.set(key, { claimed, until: now + rememberMs });
    return claimed;
  };
}
