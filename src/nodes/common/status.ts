/**
 * `status`: the engine hands it the status changes of the nodes in its scope, each as a message
 * with `msg.status` (fill, shape, text and source). It passes them on.
 */
import { defineNode, string } from '../../runtime/definition/index.js';
import { passOn, scopeProperty } from './scope-property.js';

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
  create() {
    return { onInput: passOn };
  },
});
