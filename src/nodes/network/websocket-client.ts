/**
 * `websocket-client`: a connection to a remote `ws://` or `wss://` endpoint, opened when a
 * `websocket in` or `websocket out` node uses it and reopened 3 s after it drops. Options: a
 * tls-config, subprotocols, a heartbeat (ping every `hb` seconds, reconnect without a pong),
 * and extra upgrade headers.
 */
import { configRef, defineNode, json, number, select, string } from '../../runtime/definition/index.js';
import { createWebSocketEndpoint, type UpgradeHeaderRow } from './websocket-endpoint.js';

export const websocketClientNode = defineNode({
  type: 'websocket-client',
  category: 'config',
  isConfig: true,
  inputs: 0,
  outputs: 0,
  properties: {
    path: string({ default: '', label: 'URL' }),
    tls: configRef('tls-config'),
    wholemsg: select(['false', 'true'], { default: 'false', lenient: true }),
    hb: number({ default: 0, min: 0, label: 'Send heartbeat' }),
    subprotocol: string({ default: '', label: 'Subprotocol' }),
    headers: json<UpgradeHeaderRow[]>({ default: [], check: (v) => (Array.isArray(v) ? undefined : 'must be a list of headers') }),
  },
  create(config, node) {
    const close = createWebSocketEndpoint(node, {
      path: config.path,
      wholemsg: config.wholemsg === 'true',
      subprotocol: config.subprotocol,
      hb: config.hb,
      tls: config.tls,
      headers: config.headers,
    });
    return { onClose: () => close() };
  },
});
