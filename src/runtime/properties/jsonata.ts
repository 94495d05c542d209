/**
 * JSONata expressions with Node-RED's extensions, compiled once and evaluated per message.
 *
 * Extensions as Node-RED 4 registers them: `$flowContext(key[, store])`,
 * `$globalContext(key[, store])`, `$env(name)` and `$clone(value)`. `$parent.` prefixes in
 * context keys and env names are resolved by the context scopes and `node.getEnv`, exactly where
 * Node-RED resolves them. `$moment` is not provided: it would need the moment-timezone package.
 */
import type jsonataModule from 'jsonata';
import { lazyRequire } from '../lazy-require.js';

const loadJsonata = lazyRequire<typeof jsonataModule>('jsonata');
import { RedoubtError } from '../../errors/index.js';
import type { ContextScope, Msg, PropertyHost } from '../types.js';
import { cloneValueDeep } from './msg-clone.js';

/** A compiled expression bound to the node it was prepared for. */
export interface PreparedJSONata {
  readonly source: string;
  readonly expression: jsonataModule.Expression;
  /** True when the expression names `msg` itself, so it is evaluated against `{ msg }`. */
  readonly isLegacyMode: boolean;
  readonly node: PropertyHost | undefined;
}

/** Refusal of a JSONata expression that does not compile, with jsonata's position and token. */
export class JSONataSyntaxError extends RedoubtError {
  readonly position: number | undefined;
  readonly token: string | undefined;
  readonly expression: string;
  constructor(expression: string, detail: { message: string; position?: number; token?: string; nodeId?: string }, cause: unknown) {
    const at = detail.position === undefined ? '' : ` at position ${detail.position}`;
    super('invalid_jsonata', `Invalid JSONata expression${at}: ${detail.message}`, {
      cause,
      place: detail.nodeId ? { nodeId: detail.nodeId } : {},
    });
    this.expression = expression;
    this.position = detail.position;
    this.token = detail.token;
  }
}

const LEGACY_MSG = /(^|[^a-zA-Z0-9_'".])msg([^a-zA-Z0-9_'"]|$)/;

type ScopeName = 'flow' | 'global';

function readContext(node: PropertyHost | undefined, scope: ScopeName, key: unknown, store: unknown): Promise<unknown> {
  if (!node) return Promise.resolve('');
  const target: ContextScope = node.context()[scope];
  return new Promise((resolve, reject) => {
    target.get(String(key), typeof store === 'string' ? store : undefined, (err, value) => {
      if (err) reject(err);
      else resolve(value);
    });
  });
}

/**
 * Compiles `source` and binds Node-RED's functions to `node`.
 *
 * @example const p = prepareJSONataExpression('payload * 2', node); await evaluateJSONataExpression(p, msg);
 * @throws JSONataSyntaxError (code `invalid_jsonata`) when the expression does not compile
 */
export function prepareJSONataExpression(source: string, node: PropertyHost | undefined): PreparedJSONata {
  let expression: jsonataModule.Expression;
  try {
    expression = loadJsonata()(source);
  } catch (err) {
    const e = err as { message?: string; position?: number; token?: string };
    throw new JSONataSyntaxError(
      source,
      { message: e.message ?? String(err), position: e.position, token: e.token, nodeId: node?.id },
      err,
    );
  }
  // Context reads go through the callback API so that async-only stores work too.
  expression.assign('flowContext', (key: unknown, store: unknown) => readContext(node, 'flow', key, store));
  expression.assign('globalContext', (key: unknown, store: unknown) => readContext(node, 'global', key, store));
  expression.assign('env', (name: unknown) => {
    const value = node ? node.getEnv(String(name)) : undefined;
    return value === undefined ? '' : value;
  });
  expression.registerFunction('clone', (value: unknown) => cloneValueDeep(value), '<(oa)-:o>');
  return { source, expression, isLegacyMode: LEGACY_MSG.test(source), node };
}

/**
 * Evaluates a prepared expression against `msg`. Returns a Promise when no callback is given;
 * with a callback, calls it once with `(err, result)`.
 */
export function evaluateJSONataExpression(prepared: PreparedJSONata, msg: Msg | undefined | null): Promise<unknown>;
export function evaluateJSONataExpression(
  prepared: PreparedJSONata,
  msg: Msg | undefined | null,
  callback: (err: Error | null, result?: unknown) => void,
): void;
export function evaluateJSONataExpression(
  prepared: PreparedJSONata,
  msg: Msg | undefined | null,
  callback?: (err: Error | null, result?: unknown) => void,
): Promise<unknown> | void {
  const input = prepared.isLegacyMode ? { msg } : msg;
  // jsonata rejects with plain objects ({ code, position, message }), not Errors.
  const result = prepared.expression.evaluate(input).catch((err: unknown) => {
    throw err instanceof Error ? err : wrapEvaluationError(err);
  });
  if (!callback) return result;
  result.then(
    (value) => callback(null, value),
    (err: Error) => callback(err),
  );
}

function wrapEvaluationError(err: unknown): Error {
  const e = err as { message?: string; code?: string; position?: number };
  const at = e.position === undefined ? '' : ` at position ${e.position}`;
  return new RedoubtError('jsonata_evaluation_failed', `JSONata evaluation failed${at}: ${e.message ?? String(err)}`, {
    cause: err,
  });
}
