import type { NodeDefinition } from '../../runtime/definition/index.js';
import { change } from './change.js';
import { functionNode } from './function.js';
import { range } from './range.js';
import { switchNode } from './switch.js';
import { template } from './template.js';
import { delay } from './delay.js';
import { trigger } from './trigger.js';
import { rbe } from './rbe.js';
import { exec } from './exec.js';

/** The function node types, in palette order. */
export const functionNodes: NodeDefinition<any>[] = [functionNode, switchNode, change, range, template, delay, trigger, exec, rbe];
