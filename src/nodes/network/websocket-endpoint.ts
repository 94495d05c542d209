/**
 * What `websocket-listener` and `websocket-client` config nodes share: the open sockets, the
 * `websocket in` nodes that receive from them, and sending (broadcast, or reply to one session).
 * The API sits on the config node under Node-RED's method names (`registerInputNode`,
 * `removeInputNode`, `broadcast`, `reply`), and the node emits Node-RED's 'opened', 'closed'
 * and 'erro' events ({ count, id }) for the in/out nodes' status.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket, { WebSocketServer, type ClientOptions, type RawData } from 'ws';
import { ConflictError } from '../../errors/index.js';
import type { NodeApi } from '../../runtime/definition/index.js';
import { cloneMessage, generateId } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';
import { tlsOptionsFrom } from './tls-config.js';

/** How long a client waits before reconnecting after a close or error (Node-RED: 3 s). */
const RECONNECT_MS = 3000;

export interface WebSocketEndpoint {
  readonly isServer: boolean;
  readonly wholemsg: boolean;
  readonly _inputNodes: NodeApi[];
  registerInputNode(node: NodeApi): void;
  removeInputNode(node: NodeApi): void;
  /** Client mode: connect now unless connected or connecting. */
  startconn(): void;
  broadcast(data: string | Buffer): void;
  reply(id: string, data: string | Buffer): void;
}

/** The endpoint API of a websocket config node, or undefined when `node` is not one. */
export function websocketEndpointOf(node: NodeApi | undefined): WebSocketEndpoint | undefined {
  const candidate = node as Partial<WebSocketEndpoint> | undefined;
  return typeof candidate?.registerInputNode === 'function' ? (candidate as WebSocketEndpoint) : undefined;
}

export interface UpgradeHeaderRow {
  keyType?: string;
  keyValue?: string;
  valueType?: string;
  valueValue?: string;
}

export interface EndpointConfig {
  path: string;
  wholemsg: boolean;
  subprotocol: string;
  /** Client mode: heartbeat interval in seconds (0: none). */
  hb: number;
  tls: string;
  headers: UpgradeHeaderRow[];
}

/** What a received frame becomes: the payload, or with `wholemsg` the JSON message it carries. */
export function messageFromFrame(data: RawData, isBinary: boolean, wholemsg: boolean): Msg {
  // ws 8 hands text frames over as Buffers; Node-RED (ws 7) gave strings.
  const value = isBinary ? (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)) : data.toString();
  if (!wholemsg) return { payload: value };
  try {
    const parsed: unknown = JSON.parse(String(value));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Msg) : { payload: parsed };
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    return { payload: value };
  }
}

function headerValue(node: NodeApi, type: string | undefined, value: string | undefined): string | undefined {
  if (type === 'other') return value;
  if (type === 'env') return node.getEnv(value ?? '') as string | undefined;
  return type;
}

/**
 * Sets up the endpoint of config node `node` and attaches the API to it. Returns its close
 * handler. Listener mode registers the path on the runtime's HTTP server; client mode connects
 * when the first `websocket in` registers or a `websocket out` asks for it.
 */
export function createWebSocketEndpoint(node: NodeApi, config: EndpointConfig): () => Promise<void> {
  const isServer = !/^wss?:\/\//i.test(config.path);
  const subprotocols = config.subprotocol.split(',').map((p) => p.trim()).filter(Boolean);
  const inputNodes: NodeApi[] = [];
  const clients = new Map<string, WebSocket>();
  const emit = (event: string, data: unknown) => (node as unknown as { emit(e: string, d: unknown): boolean }).emit(event, data);
  let closing = false;
  let client: WebSocket | undefined;
  let reconnect: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const dispatch = (id: string, data: RawData, isBinary: boolean) => {
    const msg = messageFromFrame(data, isBinary, config.wholemsg);
    msg._session = { type: 'websocket', id };
    inputNodes.forEach((input, i) => {
      try {
        input.send(i === 0 ? msg : cloneMessage(msg));
      } catch (err) {
        node.error(`An error occurred while sending:  ${String(err)}`);
      }
    });
  };

  const scheduleReconnect = () => {
    if (closing || isServer) return;
    clearTimeout(reconnect);
    reconnect = setTimeout(() => {
      client = undefined;
      api.startconn();
    }, RECONNECT_MS);
  };

  const watch = (socket: WebSocket) => {
    const id = generateId();
    let pendingPong = false;
    if (isServer) {
      clients.set(id, socket);
      emit('opened', { count: clients.size, id });
    }
    socket.on('open', () => {
      if (config.hb > 0) {
        clearInterval(heartbeat);
        heartbeat = setInterval(() => {
          if (pendingPong) {
            socket.terminate();
            emit('erro', { err: new Error('timeout'), id });
            return;
          }
          pendingPong = true;
          socket.ping();
        }, config.hb * 1000);
      }
      emit('opened', { count: '', id });
    });
    socket.on('message', (data, isBinary) => dispatch(id, data, isBinary));
    socket.on('pong', () => (pendingPong = false));
    socket.on('ping', () => (pendingPong = false));
    socket.on('error', (err) => {
      emit('erro', { err, id });
      if (!isServer) node.debug(`An error occurred on the ws connection: ${err.message}`);
    });
    socket.on('close', () => {
      if (isServer) {
        clients.delete(id);
        emit('closed', { count: clients.size, id });
      } else {
        clearInterval(heartbeat);
        emit('closed', { count: '', id });
        scheduleReconnect();
      }
    });
  };

  const send = (socket: WebSocket | undefined, data: string | Buffer, label: string) => {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(data, (err) => {
      if (err) node.warn(`An error occurred while sending: ${label}${String(err)}`);
    });
  };

  const api: WebSocketEndpoint = {
    isServer,
    wholemsg: config.wholemsg,
    _inputNodes: inputNodes,
    registerInputNode(input) {
      inputNodes.push(input);
      if (!isServer && inputNodes.length === 1) api.startconn();
    },
    removeInputNode(input) {
      const i = inputNodes.indexOf(input);
      if (i >= 0) inputNodes.splice(i, 1);
    },
    startconn() {
      if (isServer || closing || client) return;
      const options: ClientOptions = { ...tlsOptionsFrom(config.tls ? node.runtime.getNode(config.tls) : undefined) };
      const headers: Record<string, string> = {};
      for (const row of config.headers) {
        const name = row.keyType === 'other' ? row.keyValue : row.keyType;
        const value = headerValue(node, row.valueType, row.valueValue);
        if (name && value) headers[name] = value;
      }
      if (Object.keys(headers).length > 0) options.headers = headers;
      try {
        client = new WebSocket(config.path, subprotocols, options);
      } catch (err) {
        node.error(`An error occurred on the ws connection: ${String(err)}`);
        return;
      }
      watch(client);
    },
    broadcast(data) {
      if (isServer) for (const [id, socket] of clients) send(socket, data, `${id} `);
      else send(client, data, '');
    },
    reply(id, data) {
      send(clients.get(id), data, `${id} `);
    },
  };
  Object.defineProperties(node, Object.getOwnPropertyDescriptors(api));

  let unregister: (() => void) | undefined;
  let server: WebSocketServer | undefined;
  if (isServer) {
    const http = node.runtime.http;
    const verifyClient = node.runtime.settings.webSocketNodeVerifyClient;
    server = new WebSocketServer({ noServer: true, ...(typeof verifyClient === 'function' ? { verifyClient: verifyClient as never } : {}) });
    server.on('connection', watch);
    if (!http) node.warn('Cannot create websocket listener: no HTTP server is attached');
    else {
      const wss = server;
      try {
        unregister = http.upgrade(config.path, (req, socket, head) => {
          wss.handleUpgrade(req as IncomingMessage, socket, head, (ws) => wss.emit('connection', ws, req));
        });
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        node.error(`Cannot have two WebSocket listeners on the same path: ${config.path}`);
      }
    }
  }

  return async () => {
    closing = true;
    clearTimeout(reconnect);
    clearInterval(heartbeat);
    inputNodes.length = 0;
    if (isServer) {
      unregister?.();
      // ws 8 leaves accepted sockets open when a noServer WebSocketServer closes.
      for (const socket of clients.values()) socket.terminate();
      server?.close();
      return;
    }
    const socket = client;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const giveUp = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1000);
      socket.once('close', () => {
        clearTimeout(giveUp);
        resolve();
      });
      socket.close();
    });
  };
}
