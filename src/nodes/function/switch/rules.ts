/**
 * Switch rules compiled once per deploy: operators looked up, static regexes built, values
 * typed and parsed, JSONata prepared, paths parsed. The same compiler serves validation (every
 * issue, naming the rule) and `create`.
 */
import { RedoubtError, type ValidationIssue } from '../../../errors/index.js';
import {
  compileMessagePath,
  compileTypedProperty,
  evaluateJSONataExpression,
  withBindings,
  prepareJSONataExpression,
  type PreparedJSONata,
} from '../../../runtime/properties/index.js';
import type { Msg, PropertyHost } from '../../../runtime/types.js';

/** One switch rule as Node-RED saves it. */
export interface SwitchRule {
  t: string;
  v?: unknown;
  vt?: string;
  v2?: unknown;
  v2t?: string;
  case?: boolean | string;
  [key: string]: unknown;
}

export interface SequenceParts {
  id?: unknown;
  index: number;
  count: number;
  [key: string]: unknown;
}

type Maybe<T> = T | Promise<T>;

/** Per-node state the operands read: the previous property value (`prev`). */
export interface SwitchState {
  previousValue: unknown;
}

/** A rule's value, resolved per message. `get` may return a Promise (context, JSONata). */
export interface Operand {
  readonly isAsync: boolean;
  get(msg: Msg, state: SwitchState, hasParts: boolean): Maybe<unknown>;
}

export interface CompiledRule {
  readonly t: string;
  readonly v1: Operand;
  readonly v2: Operand;
  /** The regex of a `regex` rule with a static value, built at deploy. */
  readonly staticRegex: RegExp | undefined;
  readonly ignoreCase: boolean;
  readonly test: (a: unknown, b: unknown, c: unknown, rule: CompiledRule, parts: SequenceParts) => unknown;
}

const isEmptyish = (a: unknown, empty: boolean): boolean => {
  if (typeof a === 'string' || Array.isArray(a) || Buffer.isBuffer(a)) return (a.length === 0) === empty;
  if (typeof a === 'object' && a !== null) return (Object.keys(a).length === 0) === empty;
  return false;
};

const isType = (a: unknown, b: unknown): boolean => {
  switch (b) {
    case 'array': return Array.isArray(a);
    case 'buffer': return Buffer.isBuffer(a);
    case 'json':
      try {
        JSON.parse(a as string);
        return true;
      } catch {
        return false;
      }
    case 'null': return a === null;
    case 'number': return typeof a === 'number' && !Number.isNaN(a);
    default: return typeof a === b && !Array.isArray(a) && !Buffer.isBuffer(a) && a !== null;
  }
};

// eq and neq compare loosely, as Node-RED's do: "5" matches 5.
const OPERATORS: Record<string, CompiledRule['test']> = {
  eq: (a, b) => a == b,
  neq: (a, b) => a != b,
  lt: (a, b) => (a as number) < (b as number),
  lte: (a, b) => (a as number) <= (b as number),
  gt: (a, b) => (a as number) > (b as number),
  gte: (a, b) => (a as number) >= (b as number),
  btwn: (a: any, b: any, c: any) => (a >= b && a <= c) || (a <= b && a >= c),
  cont: (a, b) => (a + '').indexOf(b as string) !== -1,
  regex: (a, b, _c, rule) => (rule.staticRegex ?? new RegExp(b as string, rule.ignoreCase ? 'i' : '')).test(a + ''),
  true: (a) => a === true,
  false: (a) => a === false,
  null: (a) => a === undefined || a === null,
  nnull: (a) => a !== undefined && a !== null,
  empty: (a) => isEmptyish(a, true),
  nempty: (a) => isEmptyish(a, false),
  istype: isType,
  head: (_a, b, _c, _r, parts) => parts.index < Number(b),
  tail: (_a, b, _c, _r, parts) => parts.count - Number(b) <= parts.index,
  index: (_a, b, c, _r, parts) => Number(b) <= parts.index && parts.index <= Number(c),
  hask: (a, b) => a !== undefined && a !== null && typeof b !== 'object' && Object.prototype.hasOwnProperty.call(a, b + ''),
  jsonata_exp: (_a, b) => b === true,
  else: (a) => a === true,
};

/** Rule kinds that compare against `v`, and those that also need `v2`. */
const NEEDS_V = new Set(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'btwn', 'cont', 'regex', 'istype', 'head', 'tail', 'index', 'hask', 'jsonata_exp']);
const NEEDS_V2 = new Set(['btwn', 'index']);

const hasEnvRef = (v: unknown): boolean => typeof v === 'string' && v.includes('${');

/** A value fixed at deploy: one small object per rule value, with no closure (and no scope kept for one). */
class ConstantOperand implements Operand {
  readonly isAsync = false;
  constructor(private readonly value: unknown) {}
  get(): unknown {
    return this.value;
  }
}

/** Rules without a second value (most) share this one. */
const NO_VALUE = new ConstantOperand(undefined);

const constant = (value: unknown): Operand => (value === undefined ? NO_VALUE : new ConstantOperand(value));

/** Node-RED's untyped values: a number when the value reads as one, else a string. */
function inferType(v: unknown): string {
  return Number.isNaN(Number(v)) ? 'str' : 'num';
}

export function jsonataError(err: unknown): Error {
  return new RedoubtError('invalid_jsonata', `Invalid JSONata expression: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

function jsonataOperand(prepared: PreparedJSONata, assignSequence: boolean): Operand {
  return {
    isAsync: true,
    get(msg, _state, hasParts) {
      let bound = prepared;
      if (assignSequence && hasParts) {
        const parts = msg.parts as SequenceParts;
        bound = withBindings(prepared, { I: parts.index, N: parts.count });
      }
      return evaluateJSONataExpression(bound, msg).catch((err: unknown) => {
        throw jsonataError(err);
      });
    },
  };
}

function compileOperand(v: unknown, vt: string, opts: { host: PropertyHost | undefined; isJsonataRule: boolean }): Operand {
  switch (vt) {
    case 'prev':
      return { isAsync: false, get: (_msg, state) => state.previousValue };
    case 'jsonata':
      return jsonataOperand(prepareJSONataExpression(String(v), opts.host), opts.isJsonataRule);
    // Node-RED gives istype rules of these types the type name itself.
    case 'json':
    case 'null':
      return constant(vt);
    case 'num': {
      const n = Number(v);
      if (Number.isNaN(n) && !hasEnvRef(v)) throw new Error(`value is not a number: ${JSON.stringify(v)}`);
      return constant(n);
    }
    // The text as compileTypedProperty gives it for 'str', without a reader function per rule.
    case 'str':
      return constant('' + String(v));
    case 'msg': {
      const path = compileMessagePath(String(v));
      return {
        isAsync: false,
        get(msg) {
          try {
            return path.get(msg);
          } catch {
            // A missing parent reads as undefined, as in Node-RED.
            return undefined;
          }
        },
      };
    }
    case 'flow':
    case 'global': {
      const typed = compileTypedProperty(v, vt, opts.host);
      if (!typed.isAsync) return { isAsync: false, get: (msg) => typed(msg) };
      return { isAsync: true, get: (msg) => typed(msg).catch(() => undefined) };
    }
    default: {
      // str, env, bool, re, date... and types Node-RED leaves as they are (istype's names).
      const typed = compileTypedProperty(v, vt, opts.host);
      if (typed.isAsync) return { isAsync: true, get: (msg) => typed(msg) };
      return { isAsync: false, get: (msg) => typed(msg) };
    }
  }
}

function compileRule(rule: SwitchRule, host: PropertyHost | undefined): CompiledRule {
  const test = OPERATORS[rule.t];
  if (!test) throw new Error(`unknown rule '${String(rule.t)}'`);
  if (NEEDS_V.has(rule.t) && !('v' in rule)) throw new Error(`'${rule.t}' needs a value (v)`);
  if (NEEDS_V2.has(rule.t) && !('v2' in rule)) throw new Error(`'${rule.t}' needs a second value (v2)`);
  const vt = rule.vt || inferType(rule.v);
  const opts = { host, isJsonataRule: rule.t === 'jsonata_exp' };
  const v1 = compileOperand(rule.v, vt, opts);
  const v2 = rule.v2 === undefined ? NO_VALUE : compileOperand(rule.v2, rule.v2t || inferType(rule.v2), opts);
  const ignoreCase = rule.case === true || rule.case === 'true';
  let staticRegex: RegExp | undefined;
  if (rule.t === 'regex' && (vt === 'str' || vt === 'num') && !hasEnvRef(rule.v)) {
    try {
      staticRegex = new RegExp(String(rule.v), ignoreCase ? 'i' : '');
    } catch (err) {
      throw new Error(`invalid regular expression: ${(err as Error).message}`);
    }
  }
  return { t: rule.t, v1, v2, staticRegex, ignoreCase, test };
}

/**
 * Compiles every rule. `host` is the live node in `create` and undefined when only validating.
 * Problems are returned, one per rule, never thrown.
 */
export function compileSwitchRules(
  rules: readonly unknown[],
  host: PropertyHost | undefined,
  nodeId: string,
): { rules: CompiledRule[]; issues: ValidationIssue[]; hostFree: boolean } {
  const compiled: CompiledRule[] = [];
  const issues: ValidationIssue[] = [];
  let hostFree = true;
  rules.forEach((raw, i) => {
    const label = `rule ${i + 1}`;
    if (raw === null || typeof raw !== 'object') {
      issues.push({ code: 'invalid_rule', nodeId, property: 'rules', message: `${label}: not a rule object` });
      return;
    }
    if (hostFree && needsHost(raw as SwitchRule)) hostFree = false;
    try {
      compiled.push(compileRule(raw as SwitchRule, host));
    } catch (err) {
      const e = err as Error & { code?: string };
      issues.push({ code: e.code ?? 'invalid_rule', nodeId, property: 'rules', message: `${label}: ${e.message}` });
    }
  });
  return { rules: compiled, issues, hostFree };
}

/** Operand types whose compiled reader holds the node (context, env, JSONata functions). */
const HOST_TYPES = new Set(['jsonata', 'flow', 'global', 'env']);

/** Whether the rule compiles differently for a live node than for validation alone. */
function needsHost(rule: SwitchRule): boolean {
  if (hasEnvRef(rule.v) || hasEnvRef(rule.v2)) return true;
  const vt = rule.vt || inferType(rule.v);
  if (HOST_TYPES.has(vt)) return true;
  return rule.v2 !== undefined && HOST_TYPES.has(rule.v2t || inferType(rule.v2));
}
