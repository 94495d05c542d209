import type { NodeDefinition } from '../../runtime/definition/index.js';
import { delay } from './delay.js';
import { trigger } from './trigger.js';
import { rbe } from './rbe.js';

/** The function node types, in palette order. */
export const functionNodes: NodeDefinition<any>[] = [delay, trigger, rbe];
