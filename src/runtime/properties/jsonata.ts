/**
 * JSONata expressions with Node-RED's extensions, compiled once and evaluated per message.
 *
 * Extensions as Node-RED 4 registers them: `$flowContext(key[, store])`,
 * `$globalContext(key[, store])`, `$env(name)`, `$moment(...)` and `$clone(value)`. `$parent.`
 * prefixes in context keys and env names are resolved by the context scopes and `node.getEnv`,
 * exactly where Node-RED resolves them.
 */
import type jsonataModule from 'jsonata';
import { lazyRequire } from '../lazy-require.js';

const loadJsonata = lazyRequire<typeof jsonataModule>('jsonata');
import { RedoubtError } from '../../errors/index.js';
import type { ContextScope, Msg, PropertyHost } from '../types.js';
import { callMoment } from './jsonata-moment.js';
import { cloneValueDeep } from './msg-clone.js';
import { isPlainlyValidJSONata } from './jsonata-syntax.js';

/** A compiled expression bound to the node it was prepared for. */
export interface PreparedJSONata {
  readonly source: string;
  readonly expression: jsonataModule.Expression;
  /** True when the expression names `msg` itself, so it is evaluated against `{ msg }`. */
  readonly isLegacyMode: boolean;
  readonly node: PropertyHost | undefined;
  /** Node-RED's functions ($flowContext, $globalContext, $env, $moment), given at each evaluation. */
  readonly bindings: Record<string, unknown>;
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
  // Parsed now unless it is plainly valid: then on first evaluation (see jsonata-syntax.ts).
  const expression = parsed.get(source) ?? (isPlainlyValidJSONata(source) ? undefined : parseShared(source, node));
  return new Prepared(source, node, LEGACY_MSG.test(source), expression);
}

/**
 * `prepared` (made at deploy validation, without a node) bound to the live node, without
 * checking its source again.
 */
export function rebindJSONataExpression(prepared: PreparedJSONata, node: PropertyHost): PreparedJSONata {
  const expression = parsed.get(prepared.source) ?? (prepared instanceof Prepared ? prepared.parsedSoFar : prepared.expression);
  return new Prepared(prepared.source, node, prepared.isLegacyMode, expression);
}

/**
 * Node-RED's functions reach the node through per-evaluation bindings, so one parsed expression
 * serves every node that uses the same source.
 */
function nodeRedBindings(node: PropertyHost | undefined): Record<string, unknown> {
  return {
    flowContext: (key: unknown, store: unknown) => readContext(node, 'flow', key, store),
    globalContext: (key: unknown, store: unknown) => readContext(node, 'global', key, store),
    env: (name: unknown) => {
      const value = node ? node.getEnv(String(name)) : undefined;
      return value === undefined ? '' : value;
    },
    // Bound for every expression, as Node-RED assigns it; moment-timezone itself loads on the first call.
    moment: callMoment,
  };
}

class Prepared implements PreparedJSONata {
  private boundFunctions: Record<string, unknown> | undefined;

  constructor(
    readonly source: string,
    readonly node: PropertyHost | undefined,
    readonly isLegacyMode: boolean,
    private parsedExpression: jsonataModule.Expression | undefined,
  ) {}

  get expression(): jsonataModule.Expression {
    return (this.parsedExpression ??= parseShared(this.source, this.node));
  }

  get parsedSoFar(): jsonataModule.Expression | undefined {
    return this.parsedExpression;
  }

  // Made at the first evaluation: most nodes of a large deploy never evaluate theirs.
  get bindings(): Record<string, unknown> {
    return (this.boundFunctions ??= nodeRedBindings(this.node));
  }
}

/**
 * Parsed expressions by source. Parsing dominates the deploy of flows with many JSONata
 * properties (a 10,000-node flow repeats the same few expressions hundreds of times, and deploy
 * validation and node creation both compile them). An expression is immutable once parsed (node
 * functions are bindings, not assignments), so sharing it is safe; the map is a bounded memo of a
 * pure function, the one module-level cache in the engine.
 */
const parsed = new Map<string, jsonataModule.Expression>();
const PARSED_LIMIT = 5000;

function parseShared(source: string, node: PropertyHost | undefined): jsonataModule.Expression {
  const known = parsed.get(source);
  if (known) return known;
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
  expression.registerFunction('clone', (value: unknown) => cloneValueDeep(value), '<(oa)-:o>');
  if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value!);
  parsed.set(source, expression);
  return expression;
}

/** The same expression with extra variables (`$I`, `$N`, `$A`...) for the evaluations made with it. */
export function withBindings(prepared: PreparedJSONata, extra: Record<string, unknown>): PreparedJSONata {
  const { source, node, isLegacyMode } = prepared;
  return {
    source,
    node,
    isLegacyMode,
    bindings: { ...prepared.bindings, ...extra },
    get expression() {
      return prepared.expression;
    },
  };
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
  let expression: jsonataModule.Expression;
  try {
    expression = prepared.expression;
  } catch (err) {
    // A deferred parse that fails is an evaluation error like any other, not a throw.
    const failed = Promise.reject(err as Error);
    if (!callback) return failed;
    callback(err as Error);
    return;
  }
  // jsonata rejects with plain objects ({ code, position, message }), not Errors.
  const result = expression.evaluate(input, prepared.bindings).catch((err: unknown) => {
    throw err instanceof Error ? err : wrapEvaluationError(err);
  });
  if (!callback) return result;
  result.then(
    (value) => callback(null, value),
    (err: Error) => callback(err),
  );
}

/**
 * JSONata throws plain objects (message, code, position). The message stays JSONata's own, as
 * Node-RED hands it on: its nodes report "Invalid JSONata expression: <that message>", and a
 * catch node or a contrib node reading `err.message` sees the same text in both runtimes. The
 * position and JSONata's code stay on `cause`.
 */
function wrapEvaluationError(err: unknown): Error {
  const e = err as { message?: string };
  return new RedoubtError('jsonata_evaluation_failed', e.message ?? String(err), { cause: err });
}
