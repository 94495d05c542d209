import type { NodeDefinition } from '../../runtime/definition/index.js';
import { httpInNode } from './http-in.js';
import { httpResponseNode } from './http-response.js';

/** The network node types, in palette order. */
export const networkNodes: NodeDefinition<any>[] = [httpInNode, httpResponseNode];
