/**
 * Typed inputs (`{ value, type }` pairs) as Node-RED's `RED.util.evaluateNodeProperty`, plus a
 * compiled form that does the parsing (JSON, regex, paths, JSONata) once at deploy time.
 *
 * Types: str, num, bool, json, bin, re, date, msg, flow, global, env, jsonata. Node-RED 4 has no
 * runtime handling for `node` (its value is a node id) nor for unknown types: both return the
 * value as it is.
 */
import { RedoubtError } from '../../errors/index.js';
import type { Msg, PropertyHost } from '../types.js';
import { parseContextStore } from './context-ref.js';
import { currentDateValue } from './date-format.js';
import { evaluateEnvProperty } from './env.js';
import { evaluateJSONataExpression, prepareJSONataExpression } from './jsonata.js';
import { cloneValueDeep } from './msg-clone.js';
import { compileMessagePath, getMessageProperty, normalisePropertyExpression } from './path.js';

export type PropertyCallback = (err: Error | null, value?: unknown) => void;

function invalidValue(type: string, value: unknown, detail: string, node: PropertyHost | undefined, cause?: unknown): RedoubtError {
  return new RedoubtError('invalid_property_value', `Invalid ${type} value '${String(value)}': ${detail}`, {
    cause,
    place: node ? { nodeId: node.id } : {},
  });
}

function parseJSON(value: unknown, type: string, node: PropertyHost | undefined): unknown {
  try {
    return JSON.parse(String(value));
  } catch (err) {
    throw invalidValue(type, value, (err as Error).message, node, err);
  }
}

function parseBuffer(value: unknown, node: PropertyHost | undefined): Buffer {
  const data = parseJSON(value, 'bin', node);
  if (Array.isArray(data)) return Buffer.from(data as number[]);
  if (typeof data === 'string') return Buffer.from(data);
  throw invalidValue('bin', value, 'not a string or an array of bytes', node);
}

function parseRegExp(value: unknown, node: PropertyHost | undefined): RegExp {
  try {
    return new RegExp(String(value));
  } catch (err) {
    throw invalidValue('re', value, (err as Error).message, node, err);
  }
}

function envLookup(node: PropertyHost | undefined): (name: string) => unknown {
  return (name) => (node ? node.getEnv(name) : undefined);
}

/** Resolves `a[msg.topic]` inside a context key against the message, as Node-RED does. */
function contextKey(key: string, msg: Msg | undefined): string {
  return key.includes('[msg') ? normalisePropertyExpression(key, msg, true) : key;
}

/**
 * Evaluates a typed input for `node` and `msg`, as Node-RED's `evaluateNodeProperty`. Without
 * a callback the value is returned (flow/global then need a store that reads synchronously, and
 * jsonata is refused as in Node-RED 4); with one, the value and the errors of reading it (a msg
 * path, a context store, JSONata's evaluation) go to the callback, and a value that cannot be
 * parsed still throws, as in Node-RED.
 *
 * @example evaluateNodeProperty('payload.x', 'msg', node, msg) // msg.payload.x
 */
export function evaluateNodeProperty(value: unknown, type: string, node: PropertyHost | undefined, msg: Msg | undefined): unknown;
export function evaluateNodeProperty(
  value: unknown,
  type: string,
  node: PropertyHost | undefined,
  msg: Msg | undefined,
  callback: PropertyCallback,
): void;
export function evaluateNodeProperty(
  value: unknown,
  type: string,
  node: PropertyHost | undefined,
  msg: Msg | undefined,
  callback?: PropertyCallback,
): unknown {
  let result: unknown;
  try {
    switch (type) {
      case 'str': result = '' + String(value); break;
      case 'num': result = Number(value); break;
      case 'json': result = parseJSON(value, 'json', node); break;
      case 're': result = parseRegExp(value, node); break;
      case 'date': result = currentDateValue(typeof value === 'string' ? value : ''); break;
      case 'bin': result = parseBuffer(value, node); break;
      case 'bool': result = /^true$/i.test(String(value)); break;
      case 'env': result = evaluateEnvProperty(String(value), envLookup(node)); break;
      case 'msg':
        result = msg ? getMessageProperty(msg, String(value)) : value;
        break;
      case 'flow':
      case 'global': {
        if (!node) { result = value; break; }
        const ref = parseContextStore(String(value));
        const scope = node.context()[type];
        const key = contextKey(ref.key, msg);
        if (callback) {
          scope.get(key, ref.store, callback);
          return undefined;
        }
        result = scope.get(key, ref.store);
        break;
      }
      case 'jsonata': {
        const prepared = prepareJSONataExpression(String(value), node);
        if (!callback) {
          throw new RedoubtError('callback_required', 'Evaluating a jsonata property needs a callback');
        }
        evaluateJSONataExpression(prepared, msg, callback);
        return undefined;
      }
      default:
        result = value;
    }
  } catch (err) {
    // As Node-RED's: only a msg property's error goes to the callback; a value that cannot be
    // read (bad JSON, bin or regex, a JSONata expression that does not parse) throws at once,
    // callback or not, and contrib code may rely on catching it there.
    if (!callback || type !== 'msg') throw err;
    callback(err as Error);
    return undefined;
  }
  if (callback) {
    callback(null, result);
    return undefined;
  }
  return result;
}

/** A typed input compiled at deploy time; call it with each message. */
export type SyncCompiledProperty = ((msg?: Msg) => unknown) & { readonly isAsync: false; readonly type: string };
/** A compiled typed input that needs I/O (context, JSONata): it returns a Promise. */
export type AsyncCompiledProperty = ((msg?: Msg) => Promise<unknown>) & { readonly isAsync: true; readonly type: string };
export type CompiledProperty = SyncCompiledProperty | AsyncCompiledProperty;

function sync(type: string, fn: (msg?: Msg) => unknown): SyncCompiledProperty {
  return Object.assign(fn, { isAsync: false as const, type });
}

function async(type: string, fn: (msg?: Msg) => Promise<unknown>): AsyncCompiledProperty {
  return Object.assign(fn, { isAsync: true as const, type });
}

function compileNumber(value: unknown, node: PropertyHost | undefined): number {
  const n = Number(value);
  if (Number.isNaN(n) && String(value).trim() !== 'NaN') throw invalidValue('num', value, 'not a number', node);
  return n;
}

function compileContextRead(type: 'flow' | 'global', value: unknown, node: PropertyHost): AsyncCompiledProperty {
  const ref = parseContextStore(String(value));
  // Refuse a malformed key now rather than on every message.
  normalisePropertyExpression(ref.key);
  const hasMsgRef = ref.key.includes('[msg');
  return async(type, (msg) => {
    const key = hasMsgRef ? contextKey(ref.key, msg) : ref.key;
    return new Promise((resolve, reject) => {
      node.context()[type].get(key, ref.store, (err, v) => (err ? reject(err) : resolve(v)));
    });
  });
}

/**
 * Compiles a typed input once. Static types (str, num, bool, json, bin, re) are parsed now, so
 * a bad value is refused at deploy with code `invalid_property_value`; msg paths are parsed now
 * (code `invalid_property_expression`); JSONata is compiled now (code `invalid_jsonata`).
 * flow, global and jsonata give an async function; the others a sync one. json and bin return a
 * fresh copy on each call so that one message cannot change what the next one gets.
 *
 * @example const topic = compileTypedProperty('topic', 'msg', node); topic(msg)
 */
export function compileTypedProperty(value: unknown, type: string, node: PropertyHost | undefined): CompiledProperty {
  switch (type) {
    case 'str': {
      const s = '' + String(value);
      return sync(type, () => s);
    }
    case 'num': {
      const n = compileNumber(value, node);
      return sync(type, () => n);
    }
    case 'bool': {
      const b = /^true$/i.test(String(value));
      return sync(type, () => b);
    }
    case 'json': {
      const parsed = parseJSON(value, 'json', node);
      return sync(type, () => cloneValueDeep(parsed));
    }
    case 'bin': {
      const buf = parseBuffer(value, node);
      return sync(type, () => Buffer.from(buf));
    }
    case 're': {
      const re = parseRegExp(value, node);
      return sync(type, () => re);
    }
    case 'date': {
      const format = typeof value === 'string' ? value : '';
      return sync(type, () => currentDateValue(format));
    }
    case 'env': {
      const lookup = envLookup(node);
      const text = String(value);
      return sync(type, () => evaluateEnvProperty(text, lookup));
    }
    case 'msg': {
      const path = compileMessagePath(String(value));
      return sync(type, (msg) => (msg ? path.get(msg) : value));
    }
    case 'flow':
    case 'global':
      if (!node) return sync(type, () => value);
      return compileContextRead(type, value, node);
    case 'jsonata': {
      const prepared = prepareJSONataExpression(String(value), node);
      return async(type, (msg) => evaluateJSONataExpression(prepared, msg));
    }
    default:
      return sync(type, () => value);
  }
}
