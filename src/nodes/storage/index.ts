import type { NodeDefinition } from '../../runtime/definition/index.js';
import { fileInNode } from './file-in.js';
import { fileNode } from './file.js';
import { watchNode } from './watch.js';

/** The storage node types, in palette order. */
export const storageNodes: NodeDefinition<any>[] = [fileInNode, fileNode, watchNode];
