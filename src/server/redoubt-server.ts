/**
 * Puts the server together around a running runtime: the runtime API services, the express app,
 * the comms websocket fed by the engine's events, the http-in router, and the HTTP server. The
 * security modules and storage come in as dependencies; `cli/start.ts` builds them.
 */

import { Router } from 'express';
import type { RedAuth } from '../compat/red-api.js';
import type { Redoubt } from '../index.js';
import { logEntryToDebug } from '../nodes/common/debug-control.js';
import type { LogEntry } from '../runtime/types.js';
import { can as canRole, type AuditLog, type AuthServiceWithUsers, type FlowHistory, type Permission, type Role, type SecondFactorService } from '../security/index.js';
import { buildServerApp, normaliseRoot } from './app.js';
import { createComms, type Comms, type CommsOptions } from './comms/comms-server.js';
import { listen, type RunningServer } from './http-server.js';
import { contribAuth } from './http/contrib-permission.js';
import { createNetworkGate, type NetworkGate, type NetworkGateOptions } from './http/network-gate.js';
import { listenHttpsRedirect, type HttpsRedirect } from './https-redirect.js';
import { createHttpNodeRouter, type HttpNodeRouterOptions } from './http-node/index.js';
import { createFlowsService, type FlowsService } from './services/flows-service.js';
import { createNodesService } from './services/nodes-service.js';
import { createRuntimeService } from './services/runtime-service.js';
import type { Can, FlowsStorage } from './services/types.js';
import type { NodeSetsStore } from '../storage/node-sets-store.js';

export interface RedoubtServerOptions {
  host: string;
  port: number;
  httpAdminRoot: string;
  httpNodeRoot: string;
  /** Bytes. */
  apiMaxLength: number;
  maxJsonDepth?: number;
  editorDir: string;
  version: string;
  debugMaxLength?: number;
  comms?: CommsOptions;
  /** Options of the http-in router besides root and body size (httpNodeAuth, cors, middleware...). */
  httpNode?: Omit<HttpNodeRouterOptions, 'root' | 'maxBodySize'>;
  /** Extra fields of `GET /settings`. */
  settings?: Record<string, unknown>;
  /** The profile's network rules: `trustProxy` and the IP allow-lists. */
  network?: NetworkGateOptions;
  /** Serve HTTPS with this certificate and key. */
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer };
  /** With `tls`: a plain-HTTP port on the same host that redirects to HTTPS (0 picks one). */
  httpsRedirectPort?: number;
  /** HSTS max-age over HTTPS; default one year, 0 sends none. */
  hstsMaxAgeSeconds?: number;
}

export interface RedoubtServerDeps {
  runtime: Redoubt;
  auth: AuthServiceWithUsers;
  audit: AuditLog;
  storage: FlowsStorage;
  /** The disabled node sets, kept across restarts (`redoubt.db`). */
  nodeSets: NodeSetsStore;
  history?: FlowHistory;
  log: (entry: LogEntry) => void;
  warnings?: () => string[];
  /** For the refusal recorder's one-record-per-minute window; default `Date.now`. */
  clock?: { now(): number };
  secondFactor?: SecondFactorService;
}

export interface RedoubtServer {
  readonly port: number;
  /** e.g. `http://127.0.0.1:1880/` (the admin root). */
  readonly adminUrl: string;
  readonly flows: FlowsService;
  readonly comms: Comms;
  readonly http: RunningServer;
  /** Who the client is, the allow-lists, and the refused-connection counters. */
  readonly network: NetworkGate;
  /** The plain-HTTP redirect listener, when `httpsRedirectPort` is set. */
  readonly redirect?: HttpsRedirect;
  /** Stops accepting, closes websockets and connections; the runtime is the caller's to stop. */
  close(): Promise<void>;
}

const can: Can = (role: Role, permission: string) => canRole(role, permission as Permission);

/**
 * @example
 * const server = await startRedoubtServer({ host: '127.0.0.1', port: 1880, httpAdminRoot: '/', httpNodeRoot: '/', apiMaxLength: 5 << 20, editorDir, version }, deps);
 */
export async function startRedoubtServer(options: RedoubtServerOptions, deps: RedoubtServerDeps): Promise<RedoubtServer> {
  const { runtime, audit } = deps;
  const adminRoot = normaliseRoot(options.httpAdminRoot, 'httpAdminRoot');
  const nodeRoot = normaliseRoot(options.httpNodeRoot, 'httpNodeRoot');
  const logError = (err: unknown) => deps.log({ level: 'error', msg: err instanceof Error ? (err.stack ?? err.message) : err });

  // Built before the flows start: it tells the registry which stored sets are disabled.
  const nodes = createNodesService({
    registry: runtime.registry,
    store: deps.nodeSets,
    deployedFlows: () => runtime.engine.getFlows().flows,
    startWaitingFlows: () => runtime.engine.startWaiting(),
    audit,
    can,
    version: options.version,
    clock: deps.clock,
  });
  const flows = createFlowsService({ engine: runtime.engine, storage: deps.storage, audit, can, history: deps.history, disabledTypes: () => nodes.disabledTypes() });
  const runtimeApi = createRuntimeService({ engine: runtime.engine, contexts: runtime.contexts, audit, can, debugMaxLength: options.debugMaxLength });

  const network = createNetworkGate(options.network ?? {}, { clock: deps.clock ?? { now: Date.now }, audit });
  // Without a trusted proxy the client is the peer, fixed for a connection, and the lists never change:
  // a connection admitted once is admitted for its later requests (refusals are checked and recorded each time).
  const admittedConnections = new WeakSet<object>();
  const httpNode = createHttpNodeRouter({
    isAllowed: (_peer, req) => {
      if (admittedConnections.has(req.socket)) return true;
      // Inside the router `url` is relative to its root; `originalUrl` (express) is the full path.
      const admitted = network.admitsHttpNode(req, `http-in ${req.method ?? ''} ${((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0]}`);
      if (admitted && !network.proxy.isEnabled) admittedConnections.add(req.socket);
      return admitted;
    },
    // Node-RED sends no security headers on http-in responses; the admin ones (a CSP first) would break pages flows serve.
    responseHeaders: { 'X-Content-Type-Options': 'nosniff' },
    ...options.httpNode,
    root: nodeRoot,
    maxBodySize: options.apiMaxLength,
    log: (level, message) => deps.log({ level, msg: message }),
  });
  runtime.engine.services.http = httpNode.endpoints;
  // Contrib nodes add admin routes here (`RED.httpAdmin.get(...)`); the app requires a token for them.
  const httpAdmin = Router();
  const red = runtime.red as { httpAdmin?: unknown; httpNode?: unknown; auth: RedAuth };
  red.httpAdmin = httpAdmin;
  red.auth = contribAuth();
  red.httpNode = httpNode.app;

  const comms = createComms(options.comms ?? {}, { auth: deps.auth, can, audit, log: (level, message) => deps.log({ level, msg: message }) });
  const onPublish = (topic: string, data: unknown) => comms.publish(topic, data);
  const onLog = (entry: LogEntry) => {
    const data = logEntryToDebug(entry, options.debugMaxLength);
    if (data) comms.publish('debug', data);
  };
  runtime.events.on('publish', onPublish);
  runtime.events.on('log', onLog);

  const { app, dispatch } = buildServerApp(
    { httpAdminRoot: adminRoot, httpNodeRoot: nodeRoot, apiMaxLength: options.apiMaxLength, maxJsonDepth: options.maxJsonDepth, editorDir: options.editorDir, hstsMaxAgeSeconds: options.hstsMaxAgeSeconds },
    {
      auth: deps.auth,
      can,
      audit,
      flows,
      nodes,
      runtime: runtimeApi,
      registry: runtime.registry,
      logError,
      httpNode: httpNode.handler,
      httpNodeRoutes: httpNode,
      clock: deps.clock,
      httpAdmin,
      network,
      warnings: deps.warnings,
      secondFactor: deps.secondFactor,
      publicSettings: () => ({
        httpNodeRoot: nodeRoot,
        version: options.version,
        context: { default: runtime.contexts.defaultStoreName(), stores: runtime.contexts.storeNames() },
        libraries: [],
        flowFilePretty: true,
        externalModules: {},
        flowEncryptionType: 'system',
        functionExternalModules: false,
        debugMaxLength: options.debugMaxLength ?? 1000,
        editorTheme: { projects: { enabled: false }, tours: false },
        ...options.settings,
      }),
    },
  );

  await flows.start().catch((err: unknown) => {
    // A stored flow set the engine refuses does not stop the server: it waits for a good deploy.
    deps.log({ level: 'error', msg: `the stored flows were not started: ${(err as Error).message}` });
  });

  const http = await listen(
    { host: options.host, port: options.port, commsPath: `${adminRoot}comms`, tls: options.tls },
    {
      app,
      dispatch,
      classes: httpNode.classes,
      comms,
      audit,
      onUpgrade: (req, socket, head) => httpNode.handleUpgrade(req, socket, head),
      admitComms: (req) => network.admitsEditor(req, 'WS comms'),
      onTlsError: (err, socket) => network.refusals.refused({ address: socket.remoteAddress, reason: 'bad_tls', details: { tlsError: err.code ?? err.message } }),
    },
  );
  let redirect: HttpsRedirect | undefined;
  if (options.tls && options.httpsRedirectPort !== undefined) {
    try {
      redirect = await listenHttpsRedirect({ host: options.host, port: options.httpsRedirectPort, httpsPort: http.port });
    } catch (err) {
      await http.close();
      throw err;
    }
  }
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port: http.port,
    adminUrl: `${options.tls ? 'https' : 'http'}://${shownHost}:${http.port}${adminRoot}`,
    flows,
    comms,
    http,
    network,
    redirect,
    async close() {
      runtime.events.off('publish', onPublish);
      runtime.events.off('log', onLog);
      await redirect?.close();
      await http.close();
    },
  };
}

