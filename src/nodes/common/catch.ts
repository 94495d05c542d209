/**
 * `catch`: the engine hands it the errors of the nodes in its scope (all of the flow, its group,
 * or listed nodes; `uncaught` for errors no other catch node took), each as a message with
 * `msg.error`. It passes them on.
 */
import { boolean, defineNode, string } from '../../runtime/definition/index.js';
import { passOn, scopeProperty } from './scope-property.js';

export const catchNode = defineNode({
  type: 'catch',
  category: 'common',
  inputs: 0,
  outputs: 1,
  properties: {
    name: string({ default: '' }),
    scope: scopeProperty(null),
    uncaught: boolean({ default: false }),
  },
  editor: { color: '#e49191', icon: 'alert.svg' },
  create() {
    return { onInput: passOn };
  },
});
