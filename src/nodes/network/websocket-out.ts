/**
 * `websocket out`: sends `msg.payload` (or, with `wholemsg`, the message as JSON without
 * `_session`) to the connection named by `msg._session`, or to every connection when none is.
 */
import { defineNode } from '../../runtime/definition/index.js';
import { ensureString } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';
import { attachWebSocketEndpoint, endpointProperties } from './websocket-attach.js';

function frameOf(msg: Msg, wholemsg: boolean): string | Buffer | undefined {
  if (wholemsg) {
    const { _session, ...rest } = msg;
    return JSON.stringify(rest);
  }
  if (!Object.prototype.hasOwnProperty.call(msg, 'payload')) return undefined;
  return Buffer.isBuffer(msg.payload) ? msg.payload : ensureString(msg.payload);
}

export const websocketOutNode = defineNode({
  type: 'websocket out',
  category: 'network',
  inputs: 1,
  outputs: 0,
  properties: endpointProperties,
  editor: { color: 'rgb(215, 215, 160)', icon: 'white-globe.svg', align: 'right' },
  create(config, node) {
    const attached = attachWebSocketEndpoint(node, config);
    if (!attached) return;
    const { endpoint, unfollow } = attached;
    if (!endpoint.isServer && endpoint._inputNodes.length === 0) endpoint.startconn();
    return {
      onInput(msg, _send, done) {
        const frame = frameOf(msg, endpoint.wholemsg);
        // An empty frame is not sent, as in Node-RED.
        if (frame !== undefined && frame.length > 0) {
          const session = msg._session as { type?: string; id?: string } | undefined;
          if (session?.type === 'websocket' && session.id) endpoint.reply(session.id, frame);
          else endpoint.broadcast(frame);
        }
        done();
      },
      onClose() {
        unfollow();
        node.status({});
      },
    };
  },
});
