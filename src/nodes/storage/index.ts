import type { NodeDefinition } from '../../runtime/definition/index.js';

/** The storage node types, in palette order. */
export const storageNodes: NodeDefinition<any>[] = [];
