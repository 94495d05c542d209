/** `junction`: a wire joint drawn in the editor; every message passes through unchanged. */
import { defineNode } from '../../runtime/definition/index.js';

export const junctionNode = defineNode({
  type: 'junction',
  category: 'common',
  inputs: 1,
  outputs: 1,
  properties: {},
  create() {
    return {
      onInput(msg, send, done) {
        send(msg);
        done();
      },
    };
  },
});
