/**
 * `status`: the engine hands it the status changes of the nodes in its scope, each as a message
 * with `msg.status` (fill, shape, text and source). It passes them on.
 */
import { defineNode, string } from '../../runtime/definition/index.js';
import type { Msg } from '../../runtime/types.js';
import { directlyWiredInScope, scopeProperty } from './scope-property.js';

export const statusNode = defineNode({
  type: 'status',
  category: 'common',
  inputs: 0,
  outputs: 1,
  properties: {
    name: string({ default: '' }),
    scope: scopeProperty(null),
  },
  editor: { color: '#94c1d0', icon: 'status.svg' },
  create(config, node) {
    // The engine routes by the saved scope, so the nodes this one is wired to are filtered here.
    const ignored = directlyWiredInScope(config.scope, node.wires);
    return {
      onInput(msg, send, done) {
        if (ignored.size === 0 || !ignored.has(sourceId(msg) ?? '')) send(msg);
        done();
      },
    };
  },
});

function sourceId(msg: Msg): string | undefined {
  const status = msg.status as { source?: { id?: unknown } } | undefined;
  return typeof status?.source?.id === 'string' ? status.source.id : undefined;
}
