import type { NodeDefinition } from '../../runtime/definition/index.js';

/** The parsers node types, in palette order. */
export const parsersNodes: NodeDefinition<any>[] = [];
