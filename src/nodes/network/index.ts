import type { NodeDefinition } from '../../runtime/definition/index.js';
import { httpInNode } from './http-in.js';
import { httpProxyNode } from './http-proxy.js';
import { httpRequestNode } from './http-request.js';
import { httpResponseNode } from './http-response.js';
import { tlsConfigNode } from './tls-config.js';
import { websocketClientNode } from './websocket-client.js';
import { websocketInNode } from './websocket-in.js';
import { websocketListenerNode } from './websocket-listener.js';
import { websocketOutNode } from './websocket-out.js';

/** The network node types, in palette order. */
export const networkNodes: NodeDefinition<any>[] = [
  httpInNode,
  httpResponseNode,
  httpRequestNode,
  websocketInNode,
  websocketOutNode,
  websocketListenerNode,
  websocketClientNode,
  tlsConfigNode,
  httpProxyNode,
];
