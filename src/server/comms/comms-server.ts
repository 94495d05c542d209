/**
 * The editor's `/comms` websocket, as Node-RED speaks it. The client's first message must be
 * `{ auth: <token> }`, answered `{ auth: 'ok' }` or `{ auth: 'fail' }` (then closed); after that
 * `{ subscribe: <topic filter> }`. Messages go out batched in arrays (`[{ topic, data }, ...]`),
 * each checked against the connection's role. Status and notification topics are retained and
 * replayed on subscribe. A heartbeat also re-checks the session, so a revoked token's socket closes.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { AuditLog, AuthService, Role } from '../../security/types.js';
import type { Can } from '../services/types.js';
import { permissionForTopic, topicMatches } from './topic-match.js';

export interface CommsOptions {
  /** Default 15 s, as Node-RED. */
  heartbeatMs?: number;
  /** How long a connection may stay without a valid auth message; default 10 s. */
  authTimeoutMs?: number;
  /** Batching delay; default 50 ms. */
  flushMs?: number;
  /** Largest message accepted from a client; default 64 KiB. */
  maxPayload?: number;
}

export interface CommsDeps {
  auth: Pick<AuthService, 'authenticate'>;
  can: Can;
  audit: Pick<AuditLog, 'record'>;
  log: (level: 'warn' | 'error', message: string) => void;
}

export interface Comms {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  publish(topic: string, data: unknown, retain?: boolean): void;
  /** Connections open now (authenticated or not). */
  size(): number;
  close(): Promise<void>;
}

interface Connection {
  ws: WebSocket;
  token?: string;
  role?: Role;
  username?: string;
  address: string;
  subscriptions: Set<string>;
  queue: Array<{ topic: string; data: unknown }>;
  timer?: NodeJS.Timeout;
}

const RETAINED = /^(status|notification)\//;

/**
 * @example const comms = createComms({}, { auth, can, audit, log }); server.on('upgrade', comms.handleUpgrade);
 */
export function createComms(options: CommsOptions, deps: CommsDeps): Comms {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const authTimeoutMs = options.authTimeoutMs ?? 10_000;
  const flushMs = options.flushMs ?? 50;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 64 * 1024 });
  const connections = new Set<Connection>();
  const retained = new Map<string, unknown>();

  const allowed = (conn: Connection, topic: string) => conn.role !== undefined && deps.can(conn.role, permissionForTopic(topic));

  const flush = (conn: Connection) => {
    conn.timer = undefined;
    if (conn.queue.length === 0 || conn.ws.readyState !== WebSocket.OPEN) return;
    const batch = conn.queue;
    conn.queue = [];
    conn.ws.send(JSON.stringify(batch));
  };

  const enqueue = (conn: Connection, topic: string, data: unknown) => {
    conn.queue.push({ topic, data });
    conn.timer ??= setTimeout(() => flush(conn), flushMs);
  };

  const refuse = (conn: Connection, reason: string) => {
    deps.audit.record({ event: 'request.refused', username: conn.username, address: conn.address, details: { route: 'WS comms', code: reason } });
  };

  const onMessage = (conn: Connection, raw: RawData) => {
    let msg: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw.toString());
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError('not an object');
      msg = parsed as Record<string, unknown>;
    } catch (err) {
      deps.log('warn', `comms: ignored a malformed message from ${conn.address}: ${(err as Error).message}`);
      return;
    }
    if (conn.role === undefined) {
      const token = typeof msg.auth === 'string' ? msg.auth : undefined;
      const session = token ? deps.auth.authenticate(token) : undefined;
      if (!session || !token) {
        refuse(conn, 'unauthorized');
        conn.ws.send(JSON.stringify({ auth: 'fail' }));
        conn.ws.close(1008, 'authentication failed');
        return;
      }
      conn.token = token;
      conn.role = session.role;
      conn.username = session.username;
      conn.ws.send(JSON.stringify({ auth: 'ok' }));
      return;
    }
    if (typeof msg.subscribe === 'string' && msg.subscribe.length > 0 && msg.subscribe.length <= 256) {
      const filter = msg.subscribe;
      conn.subscriptions.add(filter);
      for (const [topic, data] of retained) if (topicMatches(filter, topic) && allowed(conn, topic)) enqueue(conn, topic, data);
    } else if (typeof msg.unsubscribe === 'string') {
      conn.subscriptions.delete(msg.unsubscribe);
    }
  };

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const conn: Connection = { ws, address: req.socket.remoteAddress ?? 'unknown', subscriptions: new Set(), queue: [] };
    connections.add(conn);
    const authTimer = setTimeout(() => {
      if (conn.role === undefined) {
        refuse(conn, 'auth_timeout');
        ws.close(1008, 'authentication required');
      }
    }, authTimeoutMs);
    ws.on('message', (raw) => onMessage(conn, raw));
    ws.on('error', (err) => deps.log('warn', `comms: connection from ${conn.address}: ${err.message}`));
    ws.on('close', () => {
      clearTimeout(authTimer);
      if (conn.timer) clearTimeout(conn.timer);
      connections.delete(conn);
    });
  });

  const heartbeat = setInterval(() => {
    for (const conn of connections) {
      if (conn.role === undefined) continue;
      if (!conn.token || !deps.auth.authenticate(conn.token)) {
        conn.ws.close(1008, 'session ended');
        continue;
      }
      enqueue(conn, 'hb', Date.now());
    }
  }, heartbeatMs);
  heartbeat.unref();

  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    publish(topic, data, retain) {
      if (retain ?? RETAINED.test(topic)) {
        if (data === undefined || data === null || (typeof data === 'object' && Object.keys(data).length === 0)) retained.delete(topic);
        else retained.set(topic, data);
      }
      for (const conn of connections) {
        if (!allowed(conn, topic)) continue;
        for (const filter of conn.subscriptions) {
          if (topicMatches(filter, topic)) {
            enqueue(conn, topic, data);
            break;
          }
        }
      }
    },
    size: () => connections.size,
    async close() {
      clearInterval(heartbeat);
      for (const conn of connections) {
        flush(conn);
        conn.ws.close(1001, 'server stopping');
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const conn of connections) conn.ws.terminate();
    },
  };
}
