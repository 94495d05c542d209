/** Every core node type, grouped as Node-RED groups them. */
import type { NodeDefinition } from '../runtime/definition/index.js';
import { commonNodes } from './common/index.js';
import { functionNodes } from './function/index.js';
import { networkNodes } from './network/index.js';
import { parsersNodes } from './parsers/index.js';
import { sequenceNodes } from './sequence/index.js';
import { storageNodes } from './storage/index.js';

export const coreNodes: readonly NodeDefinition<any>[] = [
  ...commonNodes,
  ...functionNodes,
  ...sequenceNodes,
  ...parsersNodes,
  ...storageNodes,
  ...networkNodes,
];
