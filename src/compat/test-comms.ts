/**
 * The test helper's `/comms` websocket. Node-RED's helper starts the editor's comms with its
 * server, and specs open `helper.url() + '/comms'` to read what nodes publish (the debug node's
 * messages, statuses, `RED.comms.publish`). As in Node-RED without adminAuth, a client needs no
 * token: every publish goes to every open connection, batched as `[{ topic, data }, ...]`.
 * The helper's server listens on 127.0.0.1 for tests only; the real server's comms
 * (`server/comms/`) authenticates and checks roles.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';

/** Node-RED's comms sends at most this many messages in one frame, one frame per 50 ms. */
const BATCH_SIZE = 50;
const FLUSH_MS = 50;

interface Client {
  ws: WebSocket;
  queue: Array<{ topic: string; data: unknown }>;
  timer?: NodeJS.Timeout;
}

export interface TestComms {
  /** Takes the upgrade if it is for `/comms`; false leaves the socket to the caller. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  publish(topic: string, data: unknown): void;
  close(): void;
}

export function createTestComms(): TestComms {
  const wss = new WebSocketServer({ noServer: true });
  const clients = new Set<Client>();

  const flush = (client: Client) => {
    client.timer = undefined;
    if (client.ws.readyState !== WebSocket.OPEN) return;
    client.ws.send(JSON.stringify(client.queue.splice(0, BATCH_SIZE)));
    if (client.queue.length > 0) client.timer = setTimeout(() => flush(client), FLUSH_MS);
  };

  return {
    handleUpgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://helper').pathname;
      if (path !== '/comms') return false;
      wss.handleUpgrade(req, socket, head, (ws) => {
        const client: Client = { ws, queue: [] };
        clients.add(client);
        ws.on('close', () => {
          if (client.timer) clearTimeout(client.timer);
          clients.delete(client);
        });
        // Clients send auth and subscribe messages; without users there is nothing to check.
        ws.on('message', () => {});
      });
      return true;
    },
    publish(topic, data) {
      for (const client of clients) {
        client.queue.push({ topic, data });
        client.timer ??= setTimeout(() => flush(client), FLUSH_MS);
      }
    },
    close() {
      for (const client of clients) {
        if (client.timer) clearTimeout(client.timer);
        client.ws.terminate();
      }
      clients.clear();
    },
  };
}
