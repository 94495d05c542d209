import type { NodeDefinition } from '../../runtime/definition/index.js';
import { catchNode } from './catch.js';
import { commentNode } from './comment.js';
import { completeNode } from './complete.js';
import { debugNode } from './debug.js';
import { globalConfigNode } from './global-config.js';
import { injectNode } from './inject.js';
import { junctionNode } from './junction.js';
import { linkCallNode } from './link-call.js';
import { linkInNode } from './link-in.js';
import { linkOutNode } from './link-out.js';
import { statusNode } from './status.js';
import { unknownNode } from './unknown.js';

export { debugControl, logEntryToDebug } from './debug-control.js';
export type { DebugControl } from './debug-control.js';
export { encodeObject } from './encode-object.js';
export type { DebugMessage, EncodeOptions } from './encode-object.js';

/** The common node types, in palette order. */
export const commonNodes: NodeDefinition<any>[] = [
  injectNode,
  debugNode,
  completeNode,
  catchNode,
  statusNode,
  linkInNode,
  linkCallNode,
  linkOutNode,
  commentNode,
  globalConfigNode,
  unknownNode,
  junctionNode,
];
