/**
 * `unknown`: what the editor saves in place of a node whose type it does not have. It keeps the
 * configuration, takes no part in the flow, and says so once at start.
 */
import { defineNode, json, string } from '../../runtime/definition/index.js';

export const unknownNode = defineNode({
  type: 'unknown',
  category: 'common',
  inputs: 1,
  outputs: 1,
  properties: {
    name: string({ default: '' }),
    modules: json<unknown[]>({ default: [] }),
  },
  create(config, node) {
    const what = config.name ? `'${config.name}'` : 'of an unknown type';
    node.warn(`node ${what} is not installed: it keeps its configuration but does nothing`);
  },
});
