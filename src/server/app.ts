/**
 * The express app Redoubt serves: the admin API (Node-RED's routes plus Redoubt's) under
 * `httpAdminRoot`, the editor's static files, the http-in endpoints under `httpNodeRoot`, and one
 * error handler. No `X-Powered-By`, no CORS headers, security headers on every admin response.
 *
 * A request for an http-in endpoint does not need the app: `buildServerApp` also gives the
 * server's `dispatch`, which hands such a request to the endpoint straight away (after the
 * client's address and HSTS, as the app would), unless the admin side answers the same method
 * and path itself (admin routes and editor files win, as in Node-RED). Through the app, the same
 * request skips the admin router too, so both ways answer alike.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { Router, type Express, type Request, type RequestHandler, type Response } from 'express';
import { ConfigError } from '../errors/index.js';
import type { Registry } from '../runtime/registry.js';
import type { AdminDeps, Guards } from './admin/admin-deps.js';
import { authRoutes } from './admin/auth-routes.js';
import { flowsRoutes } from './admin/flows-routes.js';
import { nodesRoutes } from './admin/nodes-routes.js';
import { redoubtRoutes } from './admin/redoubt-routes.js';
import { runtimeRoutes } from './admin/runtime-routes.js';
import { settingsRoutes } from './admin/settings-routes.js';
import { authenticate, refuseQueryTokens, requirePermission } from './http/authenticate.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { readBody } from './http/read-body.js';
import { editorAllowList, editorRefusedFallback, resolveClient, type NetworkGate } from './http/network-gate.js';
import { securityHeaders, strictTransportSecurity } from './http/security-headers.js';
import { staticFiles } from './http/static-files.js';
import type { HttpNodeRouter } from './http-node/index.js';
import { createAdminClaims, type AdminClaims } from './admin-claims.js';

export interface ServerAppOptions {
  /** Node-RED's settings, normalised to start and end with '/'. */
  httpAdminRoot: string;
  httpNodeRoot: string;
  /** Largest admin request body in bytes. */
  apiMaxLength: number;
  /** Deepest JSON nesting accepted; default 64. */
  maxJsonDepth?: number;
  /** Where the editor's files are; nothing is served when the folder does not exist. */
  editorDir: string;
  /** HSTS max-age for responses over HTTPS; default one year, 0 sends none. */
  hstsMaxAgeSeconds?: number;
}

export interface ServerAppDeps extends AdminDeps {
  registry: Pick<Registry, 'get'>;
  logError: (err: unknown) => void;
  /** The http-in endpoints' router (`RED.httpNode`). */
  httpNode?: RequestHandler;
  /** Its route lookup and fast path; without it every request goes through the app. */
  httpNodeRoutes?: Pick<HttpNodeRouter, 'matches' | 'dispatch'>;
  /** The time by which answers about editor files are remembered for a while; default `Date.now`. */
  clock?: { now(): number };
  /** Routes contrib nodes add through `RED.httpAdmin`; guarded like the rest. */
  httpAdmin?: Router;
  /** The profile's network rules (trustProxy, IP allow-lists); none: every peer, no proxy. */
  network?: NetworkGate;
}

/** '/', '/admin' or 'admin/' → '/', '/admin/'. */
export function normaliseRoot(value: string, setting: string): string {
  if (typeof value !== 'string' || /[?#\\\s]/.test(value)) throw new ConfigError(setting, `'${String(value)}' is not a URL path`);
  const trimmed = value.replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}/` : '/';
}

export interface ServerApp {
  readonly app: Express;
  /** Whether the admin side answers `method` on `pathname` itself (an admin route or an editor file). */
  readonly adminClaims: AdminClaims;
  /**
   * The server's first look at a request: an http-in endpoint's request is served (true);
   * anything else is left untouched (false) for `app`.
   */
  dispatch(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * @example const app = createServerApp({ httpAdminRoot: '/', httpNodeRoot: '/', apiMaxLength: 5 << 20, editorDir }, deps);
 */
export function createServerApp(options: ServerAppOptions, deps: ServerAppDeps): Express {
  return buildServerApp(options, deps).app;
}

/**
 * @example
 * const { app, dispatch } = buildServerApp(options, { ...deps, httpNode: router.handler, httpNodeRoutes: router });
 * createServer((req, res) => dispatch(req, res) || app(req, res));
 */
export function buildServerApp(options: ServerAppOptions, deps: ServerAppDeps): ServerApp {
  const adminRoot = normaliseRoot(options.httpAdminRoot, 'httpAdminRoot');
  const nodeRoot = normaliseRoot(options.httpNodeRoot, 'httpNodeRoot');
  const maxDepth = options.maxJsonDepth ?? 64;
  const bearer = authenticate(deps.auth);
  const guards: Guards = {
    signedIn: [bearer],
    needs: (permission) => [bearer, requirePermission(deps.can, permission)],
    json: readBody({ limitBytes: options.apiMaxLength, maxDepth }),
    jsonOrForm: readBody({ limitBytes: options.apiMaxLength, maxDepth, allowForm: true }),
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const gate = deps.network;
  const isSecure = gate?.isSecure;
  const clientFirst = gate ? [resolveClient(gate), strictTransportSecurity({ maxAgeSeconds: options.hstsMaxAgeSeconds ?? 31_536_000, isSecure: gate.isSecure })] : [];
  if (clientFirst.length > 0) app.use(...clientFirst);
  const sharesRootWithHttpNode = deps.httpNode !== undefined && (nodeRoot.startsWith(adminRoot) || adminRoot.startsWith(nodeRoot));
  const editorGate = gate ? [editorAllowList(gate, { sharesRootWithHttpNode })] : [];

  const admin = Router();
  let adminClaims: AdminClaims = () => true;
  const routes = deps.httpNodeRoutes;
  if (routes) {
    // An endpoint's request that no admin route or editor file answers gets none of the admin router (headers, token rule).
    admin.use(function leaveToHttpNode(req: Request, _res: Response, next) {
      const pathname = (req.originalUrl ?? req.url).split('?')[0]!;
      if (routes.matches(req.method, pathname) && !adminClaims(req.method, pathname)) return next('router');
      next();
    });
  }
  admin.use(...editorGate, securityHeaders({ isSecure }), refuseQueryTokens());
  admin.use(authRoutes(deps, guards));
  admin.use(flowsRoutes(deps, guards, deps.registry));
  admin.use(nodesRoutes(deps, guards));
  admin.use(settingsRoutes(deps, guards));
  admin.use(runtimeRoutes(deps, guards));
  admin.use(redoubtRoutes(deps, guards));
  admin.use(staticFiles({ root: options.editorDir }));

  app.use(adminRoot, admin);
  // The http-node router applies httpNodeRoot itself (it needs it for websocket upgrades too).
  if (deps.httpNode) app.use(deps.httpNode);
  if (deps.httpAdmin) {
    // Contrib nodes' admin routes: a valid token always, their own permission checks on top.
    const contrib = Router();
    contrib.use(...editorGate, securityHeaders({ isSecure }), refuseQueryTokens(), bearer, deps.httpAdmin);
    app.use(adminRoot, contrib);
  }
  if (gate) app.use(editorRefusedFallback(gate));
  app.use(notFound());
  app.use(errorHandler({ audit: deps.audit, logError: deps.logError }));

  const claims = createAdminClaims({ editorDir: options.editorDir }, { app, admin, clock: deps.clock ?? { now: Date.now } });
  adminClaims = claims;
  const prepare = (req: IncomingMessage, res: ServerResponse) => {
    for (const step of clientFirst) step(req as Request, res as Response, noop);
  };
  const fallback = (req: IncomingMessage, res: ServerResponse) => void app(req as Request, res as Response);
  return {
    app,
    adminClaims: claims,
    dispatch: routes
      ? (req, res) => routes.dispatch(req, res, { stepAside: claims, prepare, fallback })
      : () => false,
  };
}

function noop(): void {}
