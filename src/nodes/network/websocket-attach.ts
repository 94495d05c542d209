/**
 * How `websocket in` and `websocket out` reach their config node: the client config when one is
 * set, else the listener, with its connection status followed on the node.
 */
import { configRef, type NodeApi } from '../../runtime/definition/index.js';
import { websocketEndpointOf, type WebSocketEndpoint } from './websocket-endpoint.js';
import { followConnectionStatus } from './websocket-status.js';

/** The two settings that name the config node; Node-RED saves both and uses the client when set. */
export const endpointProperties = {
  server: configRef('websocket-listener', { label: 'Listen on' }),
  client: configRef('websocket-client', { label: 'Connect to' }),
};

export interface AttachedEndpoint {
  endpoint: WebSocketEndpoint;
  /** Stops following the config node's connection status. */
  unfollow: () => void;
}

/**
 * The endpoint of the node's websocket config node, its status followed from now on; undefined,
 * after reporting 'Missing server configuration' as Node-RED does, when there is none.
 */
export function attachWebSocketEndpoint(node: NodeApi, config: { client: string; server: string }): AttachedEndpoint | undefined {
  const configNode = node.runtime.getNode(config.client || config.server);
  const endpoint = websocketEndpointOf(configNode);
  if (!configNode || !endpoint) {
    node.error('Missing server configuration');
    return undefined;
  }
  return { endpoint, unfollow: followConnectionStatus(node, configNode) };
}
