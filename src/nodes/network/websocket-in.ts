/**
 * `websocket in`: sends on what arrives on its websocket-listener's or websocket-client's
 * connections, with `msg._session` naming the connection so a `websocket out` can reply to it.
 */
import { defineNode } from '../../runtime/definition/index.js';
import { attachWebSocketEndpoint, endpointProperties } from './websocket-attach.js';

export const websocketInNode = defineNode({
  type: 'websocket in',
  category: 'network',
  inputs: 0,
  outputs: 1,
  properties: endpointProperties,
  editor: { color: 'rgb(215, 215, 160)', icon: 'white-globe.svg' },
  create(config, node) {
    const attached = attachWebSocketEndpoint(node, config);
    if (!attached) return;
    const { endpoint, unfollow } = attached;
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
