/**
 * Property paths as Node-RED writes them (`a.b[0]["c d"]`, `a['x'].y`, `a[msg.topic]`).
 *
 * The grammar follows `normalisePropertyExpression` of Node-RED's util, error for error, so that
 * a path the Node-RED editor accepts is accepted here and one it refuses is refused here.
 * Parsing is separated from resolving so that `compilePropertyPath` can parse once at deploy time
 * and walk a ready array of keys for every message.
 */
import { RedoubtError } from '../../errors/index.js';
import { deleteProperty } from './delete-property.js';

/** A path whose nested `msg[...]` references were left unresolved (no msg given). */
export type NormalisedPath = Array<string | number | NormalisedPath>;

/** One parsed step: a key, or a nested reference into the message (`[msg.topic]`). */
type Segment = string | number | { ref: Segment[] };

/** Thrown for a malformed property expression; `position` is the 0-based offset. */
export class PropertyExpressionError extends RedoubtError {
  readonly expression: string;
  readonly position: number | undefined;
  constructor(expression: string, detail: string, position?: number, options: { cause?: unknown } = {}) {
    const at = position === undefined ? '' : ` at position ${position}`;
    super('invalid_property_expression', `Invalid property expression '${expression}': ${detail}${at}`, options);
    this.expression = expression;
    this.position = position;
  }
}

const DIGITS = /^\d+$/;
const IDENT_START = /[a-z0-9$_]/i;
const NESTED_MSG = /^msg[.[]/;

function keyOf(text: string): string | number {
  return DIGITS.test(text) ? parseInt(text, 10) : text;
}

/** Finds the `]` closing the nested reference opened at `open`, skipping quoted text. */
function findNestedEnd(expr: string, open: number): number {
  let depth = 1;
  let quote: string | undefined;
  for (let j = open + 1; j < expr.length; j++) {
    const c = expr[j];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[') {
      depth++;
    } else if (c === ']') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

/** Parses an expression into segments; throws PropertyExpressionError when malformed. */
function parseSegments(expr: string): Segment[] {
  const length = expr.length;
  if (length === 0) throw new PropertyExpressionError(expr, 'zero-length');
  const parts: Segment[] = [];
  let start = 0;
  let inString = false;
  let inBox = false;
  let quote = '';
  for (let i = 0; i < length; i++) {
    const c = expr[i];
    if (inString) {
      if (c !== quote) continue;
      if (i === start) failParse(expr, 'zero-length string', start);
      parts.push(expr.substring(start, i));
      const next = expr[i + 1];
      if (inBox && next !== ']') failParse(expr, 'unexpected array expression', start);
      if (!inBox && i + 1 !== length && next !== '[' && next !== '.') failParse(expr, `unexpected ${next}`, i + 1);
      start = i + 1;
      inString = false;
      continue;
    }
    if (c === "'" || c === '"') {
      if (i !== start) failParse(expr, `unexpected ${c}`, i);
      inString = true;
      quote = c;
      start = i + 1;
    } else if (c === '.') {
      if (i === 0) failParse(expr, 'unexpected .', 0);
      if (start !== i) parts.push(keyOf(expr.substring(start, i)));
      if (i === length - 1) failParse(expr, 'unterminated expression');
      if (!IDENT_START.test(expr[i + 1])) failParse(expr, `unexpected ${expr[i + 1]}`, i + 1);
      start = i + 1;
    } else if (c === '[') {
      if (i === 0) failParse(expr, 'unexpected [', 0);
      if (start !== i) parts.push(expr.substring(start, i));
      if (i === length - 1) failParse(expr, 'unterminated expression');
      if (NESTED_MSG.test(expr.substring(i + 1, i + 5))) {
        const end = findNestedEnd(expr, i);
        if (end < 0) failParse(expr, "unmatched '['", i);
        const inner = expr.substring(i + 1, end);
        let nested: Segment[];
        try {
          nested = parseSegments(inner);
        } catch (err) {
          throw new PropertyExpressionError(expr, `invalid nested expression '${inner}'`, i + 1, { cause: err });
        }
        // The nested expression starts with `msg`, which names the message itself.
        parts.push({ ref: nested.slice(1) });
        i = end;
        start = end + 1;
        continue;
      }
      const next = expr[i + 1];
      if (next !== '"' && next !== "'" && !(next >= '0' && next <= '9')) failParse(expr, `unexpected ${next}`, i + 1);
      start = i + 1;
      inBox = true;
    } else if (c === ']') {
      if (!inBox) failParse(expr, 'unexpected ]', i);
      if (start !== i) {
        const text = expr.substring(start, i);
        if (!DIGITS.test(text)) failParse(expr, 'unexpected array expression', start);
        parts.push(parseInt(text, 10));
      }
      start = i + 1;
      inBox = false;
    } else if (c === ' ') {
      failParse(expr, "unexpected ' '", i);
    }
  }
  if (inBox || inString) failParse(expr, 'unterminated expression');
  // Node-RED turns digits into an index only when a '.' follows them; a trailing `.0` stays a
  // string key, which decides whether a missing parent is created as an object or an array.
  if (start < length) parts.push(expr.substring(start));
  return parts;
}

/** A module function, not a closure per parse: parsing runs for every expression not yet cached. */
function failParse(expr: string, detail: string, position?: number): never {
  throw new PropertyExpressionError(expr, detail, position);
}

function hasRef(segments: Segment[]): boolean {
  return segments.some((s) => typeof s === 'object');
}

/** Reads a value along already-resolved keys; throws when a parent is missing (as Node-RED). */
function walk(obj: unknown, keys: ReadonlyArray<string | number>, expr: string): unknown {
  let current: any = obj;
  for (let i = 0; i < keys.length; i++) {
    if (current === undefined || current === null) {
      throw new RedoubtError(
        'property_parent_missing',
        `Cannot read '${String(keys[i])}' of ${current} in property expression '${expr}'`,
      );
    }
    current = current[keys[i]];
  }
  return current;
}

function toKey(value: unknown): string | number {
  return typeof value === 'number' ? value : String(value);
}

/** Replaces nested references with the values they name in `root`. */
function resolveSegments(segments: Segment[], root: unknown, expr: string): Array<string | number> {
  const keys: Array<string | number> = new Array(segments.length);
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (typeof s !== 'object') {
      keys[i] = s;
      continue;
    }
    const value = walk(root, resolveSegments(s.ref, root, expr), expr);
    if (value === undefined) throw new PropertyExpressionError(expr, 'undefined nested reference');
    keys[i] = toKey(value);
  }
  return keys;
}

function unresolved(segments: Segment[]): NormalisedPath {
  return segments.map((s) => (typeof s === 'object' ? ['msg', ...unresolved(s.ref)] : s));
}

function formatPath(parts: ReadonlyArray<string | number | NormalisedPath>): string {
  let out = String(parts[0]);
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i];
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string') out += p.includes('"') ? `['${p}']` : `["${p}"]`;
    else out += `[${formatPath(p)}]`;
  }
  return out;
}

/**
 * Parses a property expression into its keys, as Node-RED's `normalisePropertyExpression`.
 * With `msg`, nested `msg[...]` references are resolved against it; without, they come back as
 * nested arrays starting with `'msg'`. With `toString`, returns the canonical `a["b"][0]` form.
 *
 * @example normalisePropertyExpression('a["b"].c[0]') // ['a', 'b', 'c', 0]
 * @throws PropertyExpressionError (code `invalid_property_expression`)
 */
export function normalisePropertyExpression(expr: string, msg: object, toString?: false): Array<string | number>;
export function normalisePropertyExpression(expr: string, msg?: object, toString?: false): NormalisedPath;
export function normalisePropertyExpression(expr: string, msg: object | undefined, toString: true): string;
export function normalisePropertyExpression(
  expr: string,
  msg?: object,
  toString?: boolean,
): NormalisedPath | string {
  if (typeof expr !== 'string') throw new PropertyExpressionError(String(expr), 'not a string');
  const segments = parseSegments(expr);
  const parts = msg ? resolveSegments(segments, msg, expr) : unresolved(segments);
  return toString ? formatPath(parts) : parts;
}

/** A path parsed once, applied to many objects. */
export interface CompiledPath {
  readonly expression: string;
  /** The keys when the path has no nested reference; undefined otherwise. */
  readonly keys: ReadonlyArray<string | number> | undefined;
  get(obj: unknown): unknown;
  /** Returns false when the value could not be set (a parent is a primitive, or missing with createMissing false). */
  set(obj: object, value: unknown, createMissing?: boolean): boolean;
  delete(obj: object): boolean;
}

const hasOwn = Object.prototype.hasOwnProperty;

function container(nextKey: string | number): object {
  return typeof nextKey === 'string' ? {} : [];
}

/** Node-RED's `setObjectProperty` over resolved keys; `undefined` deletes (splicing arrays). */
function assign(root: object, keys: ReadonlyArray<string | number>, value: unknown, createMissing: boolean): boolean {
  const last = keys.length - 1;
  let obj: any = root;
  for (let i = 0; i < last; i++) {
    const key = keys[i];
    if (typeof key === 'string' || !Array.isArray(obj)) {
      if (hasOwn.call(obj, key)) {
        const child = obj[key];
        if (child === null || (typeof child !== 'object' && typeof child !== 'function')) return false;
        obj = child;
      } else if (createMissing) {
        obj = obj[key] = container(keys[i + 1]);
      } else {
        return false;
      }
    } else if (obj[key] === undefined) {
      if (!createMissing) return false;
      obj = obj[key] = container(keys[i + 1]);
    } else {
      obj = obj[key];
    }
  }
  const key = keys[last];
  if (value === undefined) {
    if (typeof key === 'number' && Array.isArray(obj)) obj.splice(key, 1);
    else deleteProperty(obj, key);
    return true;
  }
  if (typeof obj !== 'object' || obj === null) return false;
  obj[key] = value;
  return true;
}

/**
 * Parses `expr` once and returns fast accessors. Paths with nested `msg[...]` references resolve
 * them against the object passed to each call, as Node-RED does.
 *
 * @example const p = compilePropertyPath('payload.items[0]'); p.get(msg); p.set(msg, 42);
 */
export function compilePropertyPath(expr: string): CompiledPath {
  const known = compiledPaths.get(expr);
  if (known) return known;
  const path = buildPath(expr);
  if (compiledPaths.size >= COMPILED_PATHS_LIMIT) compiledPaths.delete(compiledPaths.keys().next().value!);
  compiledPaths.set(expr, path);
  return path;
}

/**
 * Compiled paths by expression. A compiled path is immutable (its accessors only read its keys),
 * so the nodes of a deploy share one per expression: 10,000 nodes mostly name the same few
 * properties, and each was parsed at validation and again at creation. A bounded memo of a pure
 * function, as for JSONata expressions.
 */
const compiledPaths = new Map<string, CompiledPath>();
const COMPILED_PATHS_LIMIT = 5000;

function buildPath(expr: string): CompiledPath {
  const segments = parseSegments(expr);
  if (hasRef(segments)) {
    return {
      expression: expr,
      keys: undefined,
      get: (obj) => walk(obj, resolveSegments(segments, obj, expr), expr),
      set: (obj, value, createMissing = value !== undefined) =>
        assign(obj, resolveSegments(segments, obj, expr), value, createMissing),
      delete: (obj) => assign(obj, resolveSegments(segments, obj, expr), undefined, false),
    };
  }
  const keys = segments as Array<string | number>;
  if (keys.length === 1) {
    const only = keys[0];
    return {
      expression: expr,
      keys,
      get: (obj) => {
        if (obj === undefined || obj === null) return walk(obj, keys, expr);
        return (obj as any)[only];
      },
      set: (obj, value, createMissing = value !== undefined) => {
        // One key and a value: what assign would do, without its walk (change and split set one key per message).
        if (value !== undefined && typeof obj === 'object' && obj !== null) {
          (obj as any)[only] = value;
          return true;
        }
        return assign(obj, keys, value, createMissing);
      },
      delete: (obj) => assign(obj, keys, undefined, false),
    };
  }
  return {
    expression: expr,
    keys,
    get: (obj) => walk(obj, keys, expr),
    set: (obj, value, createMissing = value !== undefined) => assign(obj, keys, value, createMissing),
    delete: (obj) => assign(obj, keys, undefined, false),
  };
}

/** Strips the `msg.` prefix that message paths may carry. */
export function stripMsgPrefix(expr: string): string {
  return expr.startsWith('msg.') ? expr.substring(4) : expr;
}

/** Compiles a message path, accepting an optional leading `msg.`. */
export function compileMessagePath(expr: string): CompiledPath {
  return compilePropertyPath(stripMsgPrefix(expr));
}

/**
 * Reads a property; undefined when the last key is missing, throws (code
 * `property_parent_missing`) when a parent is missing, as Node-RED's `getObjectProperty`.
 */
export function getObjectProperty(obj: unknown, expr: string): unknown {
  // Through the compiled-path cache: a node (or a contrib node calling RED.util) that reads the
  // same expression for every message parses it once, not once per message.
  return compilePropertyPath(expr).get(obj);
}

/**
 * Sets a property, creating missing parents (objects, or arrays before a numeric key) unless
 * `createMissing` is false. Setting `undefined` deletes. Returns whether the value was set.
 * `createMissing` defaults to "value is not undefined", as in Node-RED.
 */
export function setObjectProperty(obj: object, expr: string, value: unknown, createMissing = value !== undefined): boolean {
  return compilePropertyPath(expr).set(obj, value, createMissing);
}

/** Deletes a property (an array element is spliced out). */
export function deleteObjectProperty(obj: object, expr: string): boolean {
  return setObjectProperty(obj, expr, undefined, false);
}

/** `getObjectProperty` accepting a leading `msg.`. */
export function getMessageProperty(msg: object, expr: string): unknown {
  return getObjectProperty(msg, stripMsgPrefix(expr));
}

/** `setObjectProperty` accepting a leading `msg.`. */
export function setMessageProperty(msg: object, expr: string, value: unknown, createMissing?: boolean): boolean {
  return setObjectProperty(msg, stripMsgPrefix(expr), value, createMissing ?? value !== undefined);
}

/** `deleteObjectProperty` accepting a leading `msg.`. */
export function deleteMessageProperty(msg: object, expr: string): boolean {
  return deleteObjectProperty(msg, stripMsgPrefix(expr));
}
