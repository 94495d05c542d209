import type { NodeDefinition } from '../../runtime/definition/index.js';

/** The common node types, in palette order. */
export const commonNodes: NodeDefinition<any>[] = [];
