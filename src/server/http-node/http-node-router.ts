/**
 * The server side of `HttpEndpoints`: the http-in endpoints under `httpNodeRoot`, whose routes
 * come and go with deploys, plus the websocket upgrade paths of websocket listeners. In front of
 * every endpoint: the address allow-list, CORS preflight (only when `httpNodeCors` is set), basic
 * authentication (only when `httpNodeAuth` is set) and Node-RED's `httpNodeMiddleware`.
 *
 * The routes live in a compiled route table (`route-table.ts`). A request can reach them two
 * ways with the same result: through the Express app (`handler`, for everything mounted around
 * it), or through `dispatch`, which the server calls from its raw request listener before
 * Express: when an endpoint answers the request, dispatch runs the same guards and the same
 * per-route steps itself, with Express's own request and response objects, and skips the
 * routing of the apps in front (see `lean-dispatch.ts`).
 *
 * @example
 * const router = createHttpNodeRouter(httpNodeRouterOptions(settings)!);
 * runtime.engine.services.http = router.endpoints;
 * createServer((req, res) => router.dispatch(req, res, { fallback: app }) || app(req, res));
 * server.on('upgrade', (req, socket, head) => router.handleUpgrade(req, socket, head) || socket.destroy());
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ConfigError, ConflictError, RedoubtError } from '../../errors/index.js';
import type { HttpEndpoints, HttpNodeMethod, HttpNodeRequest, HttpRouteHandler, HttpRouteOptions, UpgradeHandler } from '../../runtime/definition/http-endpoints.js';
import { createBasicAuth, type BasicAuthOptions, type VerifyPassword } from './basic-auth.js';
import { isMultipart, readBody, readMultipart, readRawBody } from './body-parsers.js';
import { parseByteSize } from './byte-size.js';
import { parseCookieHeader } from './cookies.js';
import { corsPreflight, createCors, type CorsOptions } from './cors.js';
import { createLeanDispatch, expressClasses, runSteps, type DispatchHooks, type ExpressClasses, type Step } from './lean-dispatch.js';
import { createRouteTable } from './route-table.js';

export type { DispatchHooks, ExpressClasses } from './lean-dispatch.js';

export interface HttpNodeRouterOptions {
  /** Node-RED's `httpNodeRoot`; default '/'. */
  root?: string;
  /** Node-RED's `apiMaxLength`: the largest body accepted, in bytes or as '5mb'; default '5mb'. */
  maxBodySize?: string | number;
  /** Node-RED's `httpNodeCors`; no CORS headers unless set. */
  cors?: CorsOptions;
  /** Node-RED's `httpNodeAuth`. */
  auth?: BasicAuthOptions;
  /** Checks `auth.pass`; default: bcrypt. The server passes the security layer's hasher. */
  verifyPassword?: VerifyPassword;
  /** Node-RED's `httpNodeMiddleware`: a middleware function or a list of them. */
  middleware?: unknown;
  /**
   * Source-address allow-list from the deployment profile; default: every address. Gets the peer
   * address and the request (to find the client behind a trusted proxy); may record a refusal.
   */
  isAllowed?: (address: string, req: IncomingMessage) => boolean;
  /** Headers every response of an endpoint starts with (the server sends `X-Content-Type-Options`); default none, as Node-RED. */
  responseHeaders?: Readonly<Record<string, string>>;
  /** Where errors that belong to no node go (an auth check that threw...). */
  log?: (level: 'warn' | 'error', message: string) => void;
}

export interface HttpNodeRouter {
  readonly endpoints: HttpEndpoints;
  /**
   * The Express app behind the root, for contrib nodes as `RED.httpNode`: routes they add answer
   * after the http-in endpoints, behind the same allow-list, authentication and middleware.
   */
  readonly app: express.Express;
  /** Mount on the server's app (or call with `next`): serves requests under the root, passes the rest on. */
  readonly handler: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  /** Whether an endpoint answers `method` on `pathname` (a full path, `httpNodeRoot` included). */
  matches(method: string, pathname: string): boolean;
  /**
   * Serves the request when an endpoint answers it, without Express's routing, and says true;
   * false, with nothing touched, when no endpoint does, `hooks.stepAside` claims it, or the
   * request is one only Express handles (httpNodeMiddleware set, an unusual URL...).
   */
  dispatch(req: IncomingMessage, res: ServerResponse, hooks: DispatchHooks): boolean;
  /**
   * For the server's `createServer` options: requests and responses made with express's methods
   * as the endpoints see them, so that `dispatch` does not change their prototypes (the most
   * expensive step of a request otherwise). Optional: dispatch works on plain ones too.
   */
  readonly classes: ExpressClasses;
  /** Takes an upgrade for a websocket listener's path; false when no listener holds it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

/** What a registered endpoint runs once its route matched. */
interface RouteEntry {
  readonly steps: readonly Step[];
  readonly onError?: (err: unknown) => void;
}

/** Statuses for the errors raised while a request is prepared; anything else is a bare 500. */
const STATUS_BY_CODE: Record<string, number> = { payload_too_large: 413, invalid_body: 400, request_aborted: 400, not_permitted: 403 };

function statusOf(err: unknown): number {
  if (err instanceof RedoubtError) return STATUS_BY_CODE[err.code] ?? 500;
  // Express's own JSON and urlencoded parsers raise http-errors carrying a 4xx status.
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

/** Reads the http-node settings of Node-RED's settings file; undefined when `httpNodeRoot` is false. */
export function httpNodeRouterOptions(settings: Record<string, unknown>): HttpNodeRouterOptions | undefined {
  const root = settings.httpNodeRoot;
  if (root === false) return undefined;
  if (root !== undefined && typeof root !== 'string') throw new ConfigError('httpNodeRoot', 'must be a path such as "/" or "/api", or false');
  const maxBodySize = settings.apiMaxLength;
  if (maxBodySize !== undefined && typeof maxBodySize !== 'string' && typeof maxBodySize !== 'number') {
    throw new ConfigError('apiMaxLength', "must be a size such as '5mb' or a number of bytes");
  }
  return {
    root,
    maxBodySize,
    cors: settings.httpNodeCors as CorsOptions | undefined,
    auth: settings.httpNodeAuth as BasicAuthOptions | undefined,
    middleware: settings.httpNodeMiddleware,
  };
}

function normaliseRoot(root: string): string {
  if (!root.startsWith('/')) throw new ConfigError('httpNodeRoot', `must start with '/', got '${root}'`);
  return root.length > 1 && root.endsWith('/') ? root.slice(0, -1) : root;
}

function readMiddleware(value: unknown): RequestHandler[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((m) => typeof m === 'function')) throw new ConfigError('httpNodeMiddleware', 'must be a middleware function or a list of them');
  return list as RequestHandler[];
}

function addressOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '';
}

function refuseUpgrade(socket: Duplex, status: string, extra = ''): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`);
}

export function createHttpNodeRouter(options: HttpNodeRouterOptions = {}): HttpNodeRouter {
  const root = normaliseRoot(options.root ?? '/');
  const limit = parseByteSize(options.maxBodySize ?? '5mb', 'apiMaxLength');
  const cors = options.cors ? createCors(options.cors) : undefined;
  const auth = options.auth ? createBasicAuth(options.auth, options.verifyPassword) : undefined;
  const middleware = readMiddleware(options.middleware);
  const isAllowed = options.isAllowed ?? (() => true);
  const log = options.log ?? (() => undefined);
  const responseHeaders = Object.entries(options.responseHeaders ?? {});

  const jsonParser = express.json({ limit });
  const urlencodedParser = express.urlencoded({ limit, extended: true });
  const table = createRouteTable<RouteEntry>();
  const upgrades = new Map<string, UpgradeHandler>();

  const allowList: Step = function httpNodeAllowList(req, res, next) {
    if (isAllowed(addressOf(req), req)) return next();
    (res as Response).status(403).send('Forbidden');
  };
  const routes: Step = function httpNodeRoutes(req, res, next) {
    const path = (req as Request).path;
    const hit = table.find(req.method ?? '', path);
    if (!hit) return req.method === 'OPTIONS' ? answerOptions(path, res, next) : next();
    const route = hit.value;
    if (hit.error) {
      route.onError?.(hit.error);
      return next(hit.error);
    }
    (req as Request).params = hit.params!;
    for (const [name, value] of responseHeaders) res.setHeader(name, value);
    runSteps(route.steps, req, res, (err) => {
      if (err !== undefined) route.onError?.(err);
      next(err);
    });
  };
  // As express's router answers OPTIONS for a path its routes serve (no CORS preflight: that came earlier).
  const answerOptions = (path: string, res: ServerResponse, next: (err?: unknown) => void) => {
    const allow = table.allowedMethods(path).join(', ');
    if (!allow) return next();
    res.setHeader('Allow', allow);
    res.setHeader('Content-Length', Buffer.byteLength(allow));
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(allow);
  };
  // The end of every failed request, whichever way it came.
  const answerError = (err: unknown, res: ServerResponse) => {
    const status = statusOf(err);
    if (status === 500) log('error', `http-in request failed: ${err instanceof Error ? err.message : String(err)}`);
    if (res.headersSent) return void res.end();
    // The unread rest of a refused body is not worth reading; close the connection instead.
    if (status === 413) res.setHeader('Connection', 'close');
    (res as Response).sendStatus(status);
  };

  const inner = express();
  inner.disable('x-powered-by');
  // Express 4 (Node-RED's) parsed nested query strings (`a[b]=1`); Express 5 does not by default.
  inner.set('query parser', 'extended');
  inner.use(allowList);
  if (cors) inner.use(corsPreflight(cors));
  if (auth) inner.use(auth.middleware);
  if (middleware.length > 0) inner.use(...middleware);
  inner.use(routes);
  const outer = express();
  outer.disable('x-powered-by');
  outer.use(root, inner);
  // On the outer app, so that it stays behind the routes contrib nodes add to `inner` later.
  outer.use(function httpNodeError(err: unknown, _req: Request, res: Response, _next: NextFunction) {
    answerError(err, res);
  });

  const lean = createLeanDispatch({
    root,
    app: inner,
    table,
    // httpNodeMiddleware expects the whole of Express around it; CORS preflights (OPTIONS) never match a route.
    guards: middleware.length > 0 ? undefined : auth ? [allowList, auth.middleware as Step, routes] : [allowList, routes],
    answerError,
  });

  const cookies: Step = (req, _res, next) => {
    (req as unknown as HttpNodeRequest).cookies = parseCookieHeader(req.headers.cookie);
    next();
  };
  const corsHeaders: Step = (req, res, next) => {
    cors!.apply(req as Request, res as Response);
    next();
  };
  // Read to its end by an earlier parser; `complete` alone only says it has arrived (maybe still unread).
  const consumed = (req: IncomingMessage) => req.readableEnded || (req.complete && !req.readable);
  const rawBody = (skip: boolean): Step => (req, _res, next) => {
    if (consumed(req)) return next();
    (skip ? readBody(req, limit) : readRawBody(req, limit)).then((body) => {
      (req as Request).body = body;
      next();
    }, next);
  };
  const multipart: Step = (req, _res, next) => {
    if (consumed(req) || !isMultipart(req)) return next();
    readMultipart(req, limit).then(({ fields, files }) => {
      (req as Request).body = fields;
      (req as unknown as HttpNodeRequest).files = files;
      next();
    }, next);
  };

  const endpoints: HttpEndpoints = {
    route(method: HttpNodeMethod, path: string, handle: HttpRouteHandler, routeOptions: HttpRouteOptions = {}) {
      const steps: Step[] = [cookies];
      if (cors) steps.push(corsHeaders);
      if (method !== 'get') {
        if (routeOptions.skipBodyParsing) steps.push(rawBody(true));
        else {
          steps.push(jsonParser as Step, urlencodedParser as Step);
          if (routeOptions.upload && method === 'post') steps.push(multipart);
          steps.push(rawBody(false));
        }
      }
      steps.push((req, res) => handle(req as unknown as HttpNodeRequest, res as unknown as Parameters<HttpRouteHandler>[1]));
      return table.add(method, path.startsWith('/') ? path : `/${path}`, { steps, onError: routeOptions.onError });
    },
    upgrade(path, handle) {
      const full = endpoints.fullPath(path);
      if (upgrades.has(full)) throw new ConflictError('duplicate_path', `another websocket listener already uses the path '${full}'`);
      upgrades.set(full, handle);
      return () => {
        if (upgrades.get(full) === handle) upgrades.delete(full);
      };
    },
    fullPath(path) {
      const base = root.endsWith('/') ? root : `${root}/`;
      return base + (path.startsWith('/') ? path.slice(1) : path);
    },
  };

  const viaExpress = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => outer(req as Request, res as Response, next);

  return {
    endpoints,
    app: inner,
    handler(req, res, next) {
      if (!lean.dispatch(req, res, { fallback: () => viaExpress(req, res, next) })) viaExpress(req, res, next);
    },
    matches: (method, pathname) => lean.matches(method, pathname),
    dispatch: (req, res, hooks) => lean.dispatch(req, res, hooks),
    classes: expressClasses(inner),
    handleUpgrade(req, socket, head) {
      let pathname: string;
      try {
        pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
      } catch (err) {
        if (err instanceof TypeError) return false;
        throw err;
      }
      const handle = upgrades.get(pathname);
      if (!handle) return false;
      if (!isAllowed(addressOf(req), req)) {
        refuseUpgrade(socket, '403 Forbidden');
        return true;
      }
      if (!auth) {
        handle(req, socket, head);
        return true;
      }
      auth.verifyHeader(req.headers.authorization).then(
        (ok) => {
          if (ok) handle(req, socket, head);
          else refuseUpgrade(socket, '401 Unauthorized', 'WWW-Authenticate: Basic realm="Authorization Required"\r\n');
        },
        (err: unknown) => {
          log('error', `websocket authentication failed: ${err instanceof Error ? err.message : String(err)}`);
          refuseUpgrade(socket, '500 Internal Server Error');
        },
      );
      return true;
    },
  };
}
