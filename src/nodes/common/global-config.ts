/**
 * `global-config`: the one config node holding the installation-wide env variables (and the
 * modules the flows need). The engine reads its `env` when it starts the flows; the node itself
 * has no behaviour.
 */
import { defineNode, json } from '../../runtime/definition/index.js';

export const globalConfigNode = defineNode({
  type: 'global-config',
  category: 'config',
  isConfig: true,
  inputs: 0,
  outputs: 0,
  properties: {
    env: json<unknown[]>({ default: [], check: (v) => (Array.isArray(v) ? undefined : 'must be a list of env entries') }),
    modules: json<Record<string, unknown>>({ default: {} }),
  },
  create() {},
});
