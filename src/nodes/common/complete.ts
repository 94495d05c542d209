/**
 * `complete`: the engine hands it a copy of each message that a node in its scope finished with
 * (`done()`), with `msg.complete.source` naming that node. It passes them on.
 */
import { boolean, defineNode, string } from '../../runtime/definition/index.js';
import { passOn, scopeProperty } from './scope-property.js';

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
  create() {
    return { onInput: passOn };
  },
});
