/** Typed properties, property paths, JSONata, env substitution and message cloning. */
export {
  PropertyExpressionError,
  compileMessagePath,
  compilePropertyPath,
  deleteMessageProperty,
  deleteObjectProperty,
  getMessageProperty,
  getObjectProperty,
  normalisePropertyExpression,
  setMessageProperty,
  setObjectProperty,
  stripMsgPrefix,
} from './path.js';
export type { CompiledPath, NormalisedPath } from './path.js';
export { parseContextStore } from './context-ref.js';
export type { ContextStoreRef } from './context-ref.js';
export { JSONataSyntaxError, evaluateJSONataExpression, prepareJSONataExpression, rebindJSONataExpression, withBindings } from './jsonata.js';
export type { PreparedJSONata } from './jsonata.js';
export { compileTypedProperty, evaluateNodeProperty } from './typed.js';
export type { AsyncCompiledProperty, CompiledProperty, PropertyCallback, SyncCompiledProperty } from './typed.js';
export { evaluateEnvProperty, hasEnvVarProperties, mapEnvVarProperties, substituteEnvVars } from './env.js';
export type { EnvLookup } from './env.js';
export { evaluateEnvEntries } from './env-entries.js';
export type { EnvEntry, EvaluateEnvOptions } from './env-entries.js';
export { cloneMessage, cloneValueDeep, generateId } from './msg-clone.js';
export { deleteProperty } from './delete-property.js';
export { compareObjects, ensureBuffer, ensureString, normaliseNodeTypeName } from './conversions.js';
export { isPrintableUtf8 } from './printable-utf8.js';
export { currentDateValue, formatDate } from './date-format.js';
