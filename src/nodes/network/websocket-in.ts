/**
 * `websocket in`: sends on what arrives on its websocket-listener's or websocket-client's
 * connections, with `msg._session` naming the connection so a `websocket out` can reply to it.
 */
import { configRef, defineNode } from '../../runtime/definition/index.js';
import { websocketEndpointOf } from './websocket-endpoint.js';
import { followConnectionStatus } from './websocket-status.js';

export const websocketInNode = defineNode({
  type: 'websocket in',
  category: 'network',
  inputs: 0,
  outputs: 1,
  properties: {
    server: configRef('websocket-listener', { label: 'Listen on' }),
    client: configRef('websocket-client', { label: 'Connect to' }),
  },
  editor: { color: 'rgb(215, 215, 160)', icon: 'white-globe.svg' },
  create(config, node) {
    const configNode = node.runtime.getNode(config.client || config.server);
    const endpoint = websocketEndpointOf(configNode);
    if (!configNode || !endpoint) {
      node.error('Missing server configuration');
      return;
    }
    const unfollow = followConnectionStatus(node, configNode);
    endpoint.registerInputNode(node);
    return {
      onClose() {
        unfollow();
        endpoint.removeInputNode(node);
        node.status({});
      },
    };
  },
});
