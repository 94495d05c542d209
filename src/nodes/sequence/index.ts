import type { NodeDefinition } from '../../runtime/definition/index.js';

/** The sequence node types, in palette order. */
export const sequenceNodes: NodeDefinition<any>[] = [];
