/**
 * `complete`: the engine hands it a copy of each message that a node in its scope finished with
 * (`done()`), with `msg.complete.source` naming that node. It passes them on.
 */
import { boolean, defineNode, string } from '../../runtime/definition/index.js';
import type { Msg } from '../../runtime/types.js';
import { directlyWiredInScope, scopeProperty } from './scope-property.js';

export const completeNode = defineNode({
  type: 'complete',
  category: 'common',
  inputs: 0,
  outputs: 1,
  properties: {
    name: string({ default: '' }),
    scope: scopeProperty([]),
    uncaught: boolean({ default: false }),
  },
  editor: { color: '#c0edc0', icon: 'alert.svg' },
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
  const complete = msg.complete as { source?: { id?: unknown } } | undefined;
  return typeof complete?.source?.id === 'string' ? complete.source.id : undefined;
}
