import type { NodeDefinition } from '../../runtime/definition/index.js';
import { batch } from './batch.js';
import { join } from './join.js';
import { sort } from './sort.js';
import { split } from './split.js';

/** The sequence node types, in palette order. */
export const sequenceNodes: NodeDefinition<any>[] = [split, join, sort, batch];
