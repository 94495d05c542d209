/**
 * The `RED.util` that function-node code sees: the host's own implementations (Node-RED's path
 * grammar, cloneMessage, the debug encoder, the conversions), so that code gives the same answer
 * in a function node as in a contrib node, and both as in Node-RED.
 *
 * Not imported by the host. `scripts/isolate-red-util.mjs` bundles it into `isolate/red-util.js`, a plain
 * script each sandbox context runs after `isolate/buffer.js`. The script only defines a function
 * that makes this module; the runtime script calls it when code first reads `RED.util`, so a
 * context whose code never does (most) holds none of it. Inside an isolate there is no
 * `node:crypto` or `node:util`; those imports are given small stand-ins (see the script).
 * `isolate-red-util.test.ts` fails when the committed script is older than these sources.
 */
import { encodeObject } from '../../nodes/common/encode-object.js';
import { compareObjects, ensureBuffer, ensureString, normaliseNodeTypeName } from '../../runtime/properties/conversions.js';
import { cloneMessage, generateId } from '../../runtime/properties/msg-clone.js';
import { getMessageProperty, getObjectProperty, normalisePropertyExpression, setMessageProperty, setObjectProperty } from '../../runtime/properties/path.js';

/** What `RED.util` holds, apart from getSetting, which the runtime script adds per node. */
export const redUtil = Object.freeze({
  generateId,
  cloneMessage,
  getMessageProperty,
  setMessageProperty,
  getObjectProperty,
  setObjectProperty,
  normalisePropertyExpression,
  ensureString,
  ensureBuffer,
  encodeObject,
  compareObjects,
  normaliseNodeTypeName,
});
