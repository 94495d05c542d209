/** `comment`: notes on the canvas. It has no wires and does nothing at run time. */
import { defineNode, string } from '../../runtime/definition/index.js';

export const commentNode = defineNode({
  type: 'comment',
  category: 'common',
  inputs: 0,
  outputs: 0,
  properties: {
    name: string({ default: '' }),
    info: string({ default: '' }),
  },
  editor: { color: '#ffffff', icon: 'comment.svg' },
  create() {},
});
