/**
 * `websocket-listener`: a websocket endpoint at a path under `httpNodeRoot` on the runtime's
 * HTTP server; `websocket in`/`out` nodes receive from and send to its clients. With
 * `wholemsg` the frames carry whole messages as JSON rather than the payload alone.
 */
import { defineNode, select, string } from '../../runtime/definition/index.js';
import { createWebSocketEndpoint } from './websocket-endpoint.js';

export const websocketListenerNode = defineNode({
  type: 'websocket-listener',
  category: 'config',
  isConfig: true,
  inputs: 0,
  outputs: 0,
  properties: {
    // The editor refuses paths containing /debug/ws; Node-RED's runtime accepts them, so this does too.
    path: string({ default: '', label: 'Path' }),
    // Saved as the strings "true"/"false".
    wholemsg: select(['false', 'true'], { default: 'false', lenient: true }),
  },
  create(config, node) {
    const close = createWebSocketEndpoint(node, { path: config.path, wholemsg: config.wholemsg === 'true', subprotocol: '', hb: 0, tls: '', headers: [] });
    return { onClose: () => close() };
  },
});
