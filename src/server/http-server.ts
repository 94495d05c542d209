/**
 * The HTTP server around the app: listens on `host:port` (loopback by default), offers each
 * request to `dispatch` first (http-in endpoints) and gives the app the rest, sends websocket
 * upgrades for `<httpAdminRoot>comms` to the comms server and others to the http-in websocket
 * handler, and stops gracefully: no new connections, websockets closed, idle sockets dropped,
 * busy ones given a moment to finish.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { TLS_MIN_VERSION } from '../security/tls/index.js';
import type { Express } from 'express';
import type { AuditLog } from '../security/types.js';
import type { Comms } from './comms/comms-server.js';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** Path of the comms websocket, e.g. '/comms'. */
  commsPath: string;
  /** How long busy connections may run on at stop; default 5 s. */
  closeTimeoutMs?: number;
  /** Serve HTTPS (TLS 1.2 and newer) with this certificate and key instead of plain HTTP. */
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer };
}

export interface HttpServerDeps {
  app: Express;
  /** Takes requests before the app (http-in endpoints); false leaves a request, untouched, to the app. */
  dispatch?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Classes the server makes its requests and responses with (the http-in router's, so dispatch need not convert them). */
  classes?: { IncomingMessage: typeof IncomingMessage; ServerResponse: typeof ServerResponse };
  comms: Comms;
  audit: Pick<AuditLog, 'record'>;
  /** Websocket upgrades for other paths (websocket-in nodes); answer false when not handled. */
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
  /** Whether the comms upgrade may go on (the editor allow-list); a refusal is the caller's to record. */
  admitComms?: (req: IncomingMessage) => boolean;
  /** A TLS handshake that failed (old protocol, not TLS at all...). */
  onTlsError?: (err: Error & { code?: string }, socket: TLSSocket) => void;
}

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly host: string;
  readonly isHttps: boolean;
  /** Swaps certificate and key for new connections (HTTPS only). */
  setSecureContext(material: { cert: Buffer; key: Buffer; ca?: Buffer }): void;
  close(): Promise<void>;
}

/**
 * @example const running = await listen({ host: '127.0.0.1', port: 0, commsPath: '/comms' }, { app, comms, audit });
 */
export async function listen(options: HttpServerOptions, deps: HttpServerDeps): Promise<RunningServer> {
  const timeouts = { requestTimeout: 60_000, headersTimeout: 30_000, ...deps.classes };
  const tls = options.tls;
  const { app, dispatch } = deps;
  const listener: RequestListener = dispatch
    ? (req, res) => {
        if (!dispatch(req, res)) app(req, res);
      }
    : app;
  const server: Server = tls
    ? createHttpsServer({ ...timeouts, cert: tls.cert, key: tls.key, ca: tls.ca, minVersion: TLS_MIN_VERSION }, listener)
    : createServer(timeouts, listener);
  if (tls && deps.onTlsError) server.on('tlsClientError', deps.onTlsError);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const [path, query] = (req.url ?? '').split('?');
    if (path === options.commsPath) {
      if (query && /(^|&)(access_token|token)=/.test(query)) {
        deps.audit.record({ event: 'request.refused', address: req.socket.remoteAddress, details: { route: `WS ${path}`, status: 401, code: 'unauthorized' } });
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (deps.admitComms && !deps.admitComms(req)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      deps.comms.handleUpgrade(req, socket, head);
      return;
    }
    if (deps.onUpgrade?.(req, socket, head)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    server,
    port: address.port,
    host: options.host,
    isHttps: tls !== undefined,
    setSecureContext(material) {
      if (!tls) throw new TypeError('setSecureContext on a plain HTTP server');
      (server as unknown as { setSecureContext(o: object): void }).setSecureContext({ cert: material.cert, key: material.key, ca: material.ca, minVersion: TLS_MIN_VERSION });
    },
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await deps.comms.close();
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), options.closeTimeoutMs ?? 5000);
        await closed;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
