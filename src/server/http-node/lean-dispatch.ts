/**
 * The short way to an http-in endpoint: straight from the server's request listener, without
 * the routing of the Express apps in front of it (the admin router, the editor's static files,
 * the mounts). Dispatch takes a request only when an endpoint's route answers it; it then gives
 * the request and response Express's prototypes and the URL fields a mount would (so `res.send`,
 * `res.cookie`, `req.query`... behave as they do behind Express), and runs the router's own
 * guards and route steps with a minimal `next` chain. Anything it does not take is left
 * untouched for Express, which gives the same answer the slow way.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, Request, Response } from 'express';
import type { RouteTable } from './route-table.js';

/** A middleware step with Express's calling convention (what the router's guards and body parsers are). */
export type Step = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export interface DispatchHooks {
  /** Whether another part of the server answers this method and full path first (admin routes when the roots overlap). */
  stepAside?(method: string, pathname: string): boolean;
  /** Runs first on every request dispatch takes (the client's address, HSTS). */
  prepare?(req: IncomingMessage, res: ServerResponse): void;
  /** Gets a taken request back, URL as it came, when its route went away while the guards ran (a deploy during an async check). */
  fallback(req: IncomingMessage, res: ServerResponse): void;
}

export interface LeanDispatchOptions {
  /** `httpNodeRoot` without its trailing slash ('/' or '/api'). */
  root: string;
  /** The Express app whose request and response prototypes (and settings) endpoints see. */
  app: Express;
  table: RouteTable<unknown>;
  /** The steps from the allow-list to the route lookup; undefined: dispatch takes nothing. */
  guards: readonly Step[] | undefined;
  answerError(err: unknown, res: ServerResponse): void;
}

export interface ExpressClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

/**
 * Request and response classes for `http.createServer` whose objects are born with `app`'s
 * request and response methods (`res.send`, `req.query`...) and `app` itself, as express gives
 * them by changing each object's prototype. A snapshot of express's methods when called.
 */
export function expressClasses(app: Express): ExpressClasses {
  class ExpressRequest extends IncomingMessage {}
  class ExpressResponse extends ServerResponse {}
  copyChain(app.request, IncomingMessage.prototype, ExpressRequest.prototype);
  copyChain(app.response, ServerResponse.prototype, ExpressResponse.prototype);
  return { IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse as typeof ServerResponse };
}

/** Defines on `target` what `from` and its prototypes up to `stop` define, nearest first. */
function copyChain(from: object, stop: object, target: object): void {
  const chain: object[] = [];
  for (let proto: object | null = from; proto && proto !== stop; proto = Object.getPrototypeOf(proto) as object | null) chain.push(proto);
  for (const proto of chain.reverse()) Object.defineProperties(target, Object.getOwnPropertyDescriptors(proto));
}

export interface LeanDispatch {
  matches(method: string, pathname: string): boolean;
  dispatch(req: IncomingMessage, res: ServerResponse, hooks: DispatchHooks): boolean;
}

/** URLs Express's URL parser would not take apart by a plain split, or that need the regexp's case rules. */
const UNUSUAL_URL = /[\t\n\f\r #]|[^\x00-\x7f]/;
const LITERAL_ROOT = /^\/[A-Za-z0-9/\-._~%@&=,;']*$/;

/**
 * Runs `steps` in order, each calling `next()` to go on or `next(err)` to stop; `done` gets the
 * error, or nothing when the last step called `next()`. A step that throws stops with its error.
 */
export function runSteps(steps: readonly Step[], req: IncomingMessage, res: ServerResponse, done: (err?: unknown) => void): void {
  let index = 0;
  const next = (err?: unknown): void => {
    if (err) return done(err);
    const step = steps[index++];
    if (!step) return done();
    try {
      step(req, res, next);
    } catch (thrown) {
      next(thrown ?? new Error('a route step threw without a value'));
    }
  };
  next();
}

/**
 * @example
 * const lean = createLeanDispatch({ root: '/', app: inner, table, guards: [allowList, routes], answerError });
 * if (!lean.dispatch(req, res, { fallback: app })) app(req, res);
 */
export function createLeanDispatch(options: LeanDispatchOptions): LeanDispatch {
  const { root, app, table, guards, answerError } = options;
  const rootLower = root.toLowerCase();
  const isLiteralRoot = root === '/' || LITERAL_ROOT.test(root);

  /** As Express mounts `root`: case-insensitive, whole segments; `rest` is what the mounted app sees. */
  const mount = (pathname: string): { base: string; rest: string } | undefined => {
    if (root === '/') return { base: '', rest: pathname };
    if (!isLiteralRoot || pathname.length < root.length || pathname.slice(0, root.length).toLowerCase() !== rootLower) return undefined;
    if (pathname.length === root.length) return { base: pathname, rest: '/' };
    if (pathname.charCodeAt(root.length) !== 47) return undefined;
    return { base: pathname.slice(0, root.length), rest: pathname.slice(root.length) };
  };

  return {
    matches(method, pathname) {
      const mounted = mount(pathname);
      return mounted !== undefined && table.has(method, mounted.rest);
    },
    dispatch(req, res, hooks) {
      const { method, url } = req;
      if (!guards || !isLiteralRoot || !method || !url || url.charCodeAt(0) !== 47 || UNUSUAL_URL.test(url)) return false;
      const queryAt = url.indexOf('?');
      const pathname = queryAt < 0 ? url : url.slice(0, queryAt);
      const mounted = mount(pathname);
      if (!mounted || !table.has(method, mounted.rest)) return false;
      if (hooks.stepAside?.(method, pathname)) return false;

      const request = req as Request;
      const given = { url, baseUrl: request.baseUrl, originalUrl: request.originalUrl };
      // What express's app.handle and a mount at `root` do to a request, and nothing more.
      (request as { res?: ServerResponse }).res = res;
      (res as { req?: IncomingMessage }).req = req;
      // Built from `expressClasses`, they already are the app's; changing a prototype per request costs more than the rest of it.
      if (request.app !== app) Object.setPrototypeOf(req, app.request);
      if ((res as Response).app !== app) Object.setPrototypeOf(res, app.response);
      const response = res as Response;
      if (!response.locals) response.locals = Object.create(null) as Response['locals'];
      request.originalUrl = given.originalUrl || url;
      request.baseUrl = (given.baseUrl ?? '') + mounted.base;
      request.url = queryAt < 0 ? mounted.rest : mounted.rest + url.slice(queryAt);

      hooks.prepare?.(req, res);
      runSteps(guards, req, res, (err) => {
        if (err) return answerError(err, res);
        request.url = given.url;
        request.baseUrl = given.baseUrl;
        request.originalUrl = given.originalUrl;
        hooks.fallback(req, res);
      });
      return true;
    },
  };
}
