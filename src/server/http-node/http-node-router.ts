/**
 * The server side of `HttpEndpoints`: an Express 5 application for http-in endpoints, mounted
 * under `httpNodeRoot`, whose routes come and go with deploys, plus the websocket upgrade paths
 * of websocket listeners. In front of every endpoint: the address allow-list, CORS preflight
 * (only when `httpNodeCors` is set), basic authentication (only when `httpNodeAuth` is set) and
 * Node-RED's `httpNodeMiddleware`.
 *
 * @example
 * const router = createHttpNodeRouter(httpNodeRouterOptions(settings)!);
 * runtime.engine.services.http = router.endpoints;
 * app.use(router.handler);
 * server.on('upgrade', (req, socket, head) => router.handleUpgrade(req, socket, head) || socket.destroy());
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ConfigError, ConflictError, RedoubtError } from '../../errors/index.js';
import type {
  HttpEndpoints,
  HttpNodeMethod,
  HttpNodeRequest,
  HttpNodeResponse,
  HttpRouteHandler,
  HttpRouteOptions,
  UpgradeHandler,
} from '../../runtime/definition/http-endpoints.js';
import { createBasicAuth, type BasicAuthOptions, type VerifyPassword } from './basic-auth.js';
import { isMultipart, readBody, readMultipart, readRawBody } from './body-parsers.js';
import { parseByteSize } from './byte-size.js';
import { parseCookieHeader } from './cookies.js';
import { corsPreflight, createCors, type CorsOptions } from './cors.js';
import { restoreWildcardParams, toExpress5Path } from './route-path.js';

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
  /** Takes an upgrade for a websocket listener's path; false when no listener holds it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
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

  const jsonParser = express.json({ limit });
  const urlencodedParser = express.urlencoded({ limit, extended: true });
  // Copy-on-write, so a dispatch in progress keeps the list it started with.
  let routes: ReadonlyArray<{ router: express.Router }> = [];
  const upgrades = new Map<string, UpgradeHandler>();

  const inner = express();
  inner.disable('x-powered-by');
  // Express 4 (Node-RED's) parsed nested query strings (`a[b]=1`); Express 5 does not by default.
  inner.set('query parser', 'extended');

  inner.use(function httpNodeAllowList(req: Request, res: Response, next: NextFunction) {
    if (isAllowed(addressOf(req), req)) return next();
    res.status(403).send('Forbidden');
  });
  if (cors) inner.use(corsPreflight(cors));
  if (auth) inner.use(auth.middleware);
  if (middleware.length > 0) inner.use(...middleware);
  inner.use(function httpNodeRoutes(req: Request, res: Response, next: NextFunction) {
    const list = routes;
    let i = 0;
    const step = (err?: unknown) => {
      if (err !== undefined && err !== 'route' && err !== 'router') return next(err);
      const entry = list[i++];
      if (!entry) return next();
      entry.router(req, res, step);
    };
    step();
  });
  const handler = express();
  handler.disable('x-powered-by');
  handler.use(root, inner);
  // On the outer app, so that it stays behind the routes contrib nodes add to `inner` later.
  handler.use(function httpNodeError(err: unknown, _req: Request, res: Response, _next: NextFunction) {
    const status = statusOf(err);
    if (status === 500) log('error', `http-in request failed: ${err instanceof Error ? err.message : String(err)}`);
    if (res.headersSent) return void res.end();
    // The unread rest of a refused body is not worth reading; close the connection instead.
    if (status === 413) res.setHeader('Connection', 'close');
    res.sendStatus(status);
  });

  const cookies: RequestHandler = (req, _res, next) => {
    (req as unknown as HttpNodeRequest).cookies = parseCookieHeader(req.headers.cookie);
    next();
  };
  const corsHeaders: RequestHandler = (req, res, next) => {
    cors!.apply(req, res);
    next();
  };
  const consumed = (req: Request) => req.readableEnded || req.complete;
  const rawBody = (skip: boolean): RequestHandler => (req, _res, next) => {
    if (consumed(req)) return next();
    (skip ? readBody(req, limit) : readRawBody(req, limit)).then((body) => {
      req.body = body;
      next();
    }, next);
  };
  const multipart: RequestHandler = (req, _res, next) => {
    if (consumed(req) || !isMultipart(req)) return next();
    readMultipart(req, limit).then(({ fields, files }) => {
      req.body = fields;
      (req as unknown as HttpNodeRequest).files = files;
      next();
    }, next);
  };

  const endpoints: HttpEndpoints = {
    route(method: HttpNodeMethod, path: string, handle: HttpRouteHandler, routeOptions: HttpRouteOptions = {}) {
      const router = express.Router();
      const chain: RequestHandler[] = [cookies];
      if (cors) chain.push(corsHeaders);
      if (method !== 'get') {
        if (routeOptions.skipBodyParsing) chain.push(rawBody(true));
        else {
          chain.push(jsonParser, urlencodedParser);
          if (routeOptions.upload && method === 'post') chain.push(multipart);
          chain.push(rawBody(false));
        }
      }
      chain.push((req, res) => {
        restoreWildcardParams(req.params);
        handle(req as unknown as HttpNodeRequest, res as unknown as HttpNodeResponse);
      });
      const expressPath = toExpress5Path(path.startsWith('/') ? path : `/${path}`);
      try {
        router[method](expressPath, ...chain);
      } catch (err) {
        throw new RedoubtError('invalid_route', `route '${path}' is not a valid path: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      router.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => {
        routeOptions.onError?.(err);
        next(err);
      });
      const entry = { router };
      routes = [...routes, entry];
      return () => {
        routes = routes.filter((r) => r !== entry);
      };
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

  return {
    endpoints,
    app: inner,
    handler: (req, res, next) => handler(req as Request, res as Response, next),
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
