/**
 * Where a change rule reads and writes: a message property or a flow/global context key
 * (with `#:(store)::` and nested `[msg.x]` references). Parsed once at deploy.
 */
import type { CompiledPath } from '../../../runtime/properties/index.js';
import { compileMessagePath, normalisePropertyExpression, parseContextStore } from '../../../runtime/properties/index.js';
import type { Msg, PropertyHost } from '../../../runtime/types.js';

export type RuleTarget =
  | { readonly kind: 'msg'; readonly expression: string; readonly path: CompiledPath }
  | {
      readonly kind: 'flow' | 'global';
      readonly expression: string;
      readonly store: string | undefined;
      readonly key: string;
      readonly hasMsgRef: boolean;
    };

/** Compiles a target; throws PropertyExpressionError for a malformed path or key. */
export function compileTarget(expression: string, type: string): RuleTarget {
  if (type === 'flow' || type === 'global') {
    const ref = parseContextStore(expression);
    normalisePropertyExpression(ref.key);
    return { kind: type, expression, store: ref.store, key: ref.key, hasMsgRef: /\[msg/.test(ref.key) };
  }
  return { kind: 'msg', expression, path: compileMessagePath(expression) };
}

function contextKey(target: Extract<RuleTarget, { kind: 'flow' | 'global' }>, msg: Msg): string {
  return target.hasMsgRef ? normalisePropertyExpression(target.key, msg, true) : target.key;
}

/** Reads a context target through the callback API, so that async-only stores work. */
export function readContext(node: PropertyHost, target: Extract<RuleTarget, { kind: 'flow' | 'global' }>, msg: Msg): Promise<unknown> {
  const key = contextKey(target, msg);
  return new Promise((resolve, reject) => {
    node.context()[target.kind].get(key, target.store, (err, value) => (err ? reject(err) : resolve(value)));
  });
}

/** Writes (or, with undefined, deletes) a context target. */
export function writeContext(
  node: PropertyHost,
  target: Extract<RuleTarget, { kind: 'flow' | 'global' }>,
  msg: Msg,
  value: unknown,
): Promise<void> {
  const key = contextKey(target, msg);
  return new Promise((resolve, reject) => {
    node.context()[target.kind].set(key, value, target.store, (err) => (err ? reject(err) : resolve()));
  });
}
