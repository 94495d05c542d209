/**
 * The encoding Node-RED applies to a debug message before it goes to the editor
 * (`RED.util.encodeObject`): the value in `msg` becomes a string (or a small `__enc__` object),
 * `format` names its type, and long strings, arrays, buffers, sets and maps are cut to
 * `maxLength`. The editor's debug sidebar decodes exactly this shape, so it is kept byte for byte.
 */

/** What the debug node publishes: its identity, the message topic, and the value to show. */
export interface DebugMessage {
  id?: string;
  z?: string;
  _alias?: string;
  path?: string;
  name?: string;
  topic?: unknown;
  property?: string;
  msg: unknown;
  format?: string;
  [key: string]: unknown;
}

export interface EncodeOptions {
  /** Longest string, array or buffer shown (Node-RED's `debugMaxLength`, default 1000). */
  maxLength?: number;
}

const hasOwn = Object.prototype.hasOwnProperty;

function constructorName(value: unknown): string {
  const ctor = value !== null && value !== undefined ? (value as { constructor?: { name?: unknown } }).constructor : undefined;
  return ctor && typeof ctor.name === 'string' ? ctor.name : '';
}

function isErrorLike(value: unknown): value is Error {
  if (value instanceof Error) return true;
  // Node-RED also treats objects whose prototype is named like an error as errors.
  const proto = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  return proto !== null && proto !== undefined && typeof proto.name === 'string' && /Error/.test(proto.name);
}

function describeError(err: Error): { __enc__: true; type: 'error'; data: Record<string, unknown> } {
  const e = err as Error & { code?: unknown; cause?: unknown };
  const data: Record<string, unknown> = {
    name: e.name,
    message: hasOwn.call(e, 'message') ? e.message : e.toString(),
  };
  // code and cause are listed before the stack when present, as the sidebar shows them in order.
  if (e.code !== undefined) data.code = e.code;
  if (e.cause !== undefined) data.cause = String(e.cause);
  data.stack = e.stack;
  return { __enc__: true, type: 'error', data };
}

/**
 * JSON.stringify that replaces a reference back to an ancestor with `[Circular ~.path]` (the
 * `json-stringify-safe` convention the editor expects) before handing each value to `replacer`.
 */
function stringifySafe(root: unknown, replacer: (this: unknown, key: string, value: unknown) => unknown): string {
  const ancestors: unknown[] = [];
  const keys: string[] = [];
  return JSON.stringify(root, function (this: unknown, key: string, value: unknown) {
    if (ancestors.length === 0) {
      ancestors.push(value);
    } else {
      const depth = ancestors.indexOf(this);
      if (depth >= 0) {
        ancestors.length = depth + 1;
        keys.length = depth;
      } else {
        ancestors.push(this);
      }
      keys.push(key);
      const seen = ancestors.indexOf(value);
      if (seen === 0) value = '[Circular ~]';
      else if (seen > 0) value = `[Circular ~.${keys.slice(0, seen).join('.')}]`;
    }
    return replacer.call(this, key, value);
  });
}

/** The replacer for values nested inside an object being shown. */
function nestedEncoder(maxLength: number) {
  return function (key: string, value: unknown): unknown {
    if (key === '_req' || key === '_res') return { __enc__: true, type: 'internal' };
    if (isErrorLike(value)) return describeError(value);
    if (Array.isArray(value)) {
      return value.length > maxLength ? { __enc__: true, type: 'array', data: value.slice(0, maxLength), length: value.length } : value;
    }
    if (typeof value === 'string') return value.length > maxLength ? value.substring(0, maxLength) + '...' : value;
    if (typeof value === 'function') return { __enc__: true, type: 'function' };
    if (typeof value === 'number') {
      return Number.isFinite(value) ? value : { __enc__: true, type: 'number', data: value.toString() };
    }
    if (typeof value === 'bigint') return { __enc__: true, type: 'bigint', data: value.toString() };
    if (value === undefined) return { __enc__: true, type: 'undefined' };
    if (value === null || typeof value !== 'object') return value;
    // A Buffer arrives here already turned into { type: 'Buffer', data } by its toJSON.
    const obj = value as Record<string, unknown>;
    if (obj.type === 'Buffer' && Array.isArray(obj.data)) {
      const data = obj.data as unknown[];
      obj.__enc__ = true;
      obj.length = data.length;
      if (data.length > maxLength) obj.data = data.slice(0, maxLength);
      return obj;
    }
    if (ArrayBuffer.isView(value)) {
      const items = Array.from(value as unknown as ArrayLike<unknown>);
      if (items.length > maxLength) {
        return { __enc__: true, type: constructorName(value), data: items.slice(0, maxLength), length: items.length };
      }
      return { __enc__: true, type: 'array', data: items, length: items.length };
    }
    const name = constructorName(value);
    if (name === 'ServerResponse' || name === 'Socket') return '[internal]';
    if (value instanceof Set) return { __enc__: true, type: 'set', data: Array.from(value).slice(0, maxLength), length: value.size };
    if (value instanceof Map) {
      return { __enc__: true, type: 'map', data: Object.fromEntries(Array.from(value.entries()).slice(0, maxLength)), length: value.size };
    }
    if (value instanceof RegExp) return { __enc__: true, type: 'regexp', data: value.toString() };
    return value;
  };
}

function encodeObjectValue(out: DebugMessage, value: object, maxLength: number): void {
  let format = constructorName(value) || 'Object';
  if (format === 'IncomingMessage' || format === 'ServerResponse') format = 'Object';
  out.format = format;
  if (/error/i.test(format)) {
    const e = value as { name?: unknown; message?: unknown };
    out.msg = JSON.stringify({ name: e.name, message: e.message });
    return;
  }
  let shown: unknown = value;
  let needsStringify = false;
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const list = value as unknown as ArrayLike<unknown>;
    const typeName = Array.isArray(value) ? 'array' : constructorName(value);
    out.format = `${typeName}[${list.length}]`;
    needsStringify = true;
    if (list.length > maxLength) {
      const data = Array.isArray(value) ? value.slice(0, maxLength) : Array.from(list).slice(0, maxLength);
      shown = { __enc__: true, type: typeName, data, length: list.length };
    }
  } else if (value instanceof Set) {
    out.format = `set[${value.size}]`;
    shown = { __enc__: true, type: 'set', data: Array.from(value).slice(0, maxLength), length: value.size };
    needsStringify = true;
  } else if (value instanceof Map) {
    out.format = 'map';
    shown = { __enc__: true, type: 'map', data: Object.fromEntries(Array.from(value.entries()).slice(0, maxLength)), length: value.size };
    needsStringify = true;
  } else if (value instanceof RegExp) {
    out.format = 'regexp';
    out.msg = value.toString();
    return;
  }
  if (needsStringify || out.format === 'Object') {
    out.msg = stringifySafe(shown, nestedEncoder(maxLength));
    return;
  }
  // Other classes (Date, user classes) are shown as their string form, as Node-RED does.
  try {
    out.msg = String(value);
  } catch (err) {
    out.format = 'error';
    out.msg = JSON.stringify({ __enc__: true, type: 'error', data: { message: '[Type not serializable]', stack: (err as Error).stack } });
  }
}

/**
 * Encodes `message.msg` for the editor and sets `message.format`. Returns a new object; the
 * value shown is never modified.
 *
 * @example encodeObject({ id: 'n1', msg: 'hello' }) // { id: 'n1', msg: 'hello', format: 'string[5]' }
 */
export function encodeObject(message: DebugMessage, options: EncodeOptions = {}): DebugMessage {
  const maxLength = options.maxLength ?? 1000;
  const out: DebugMessage = { ...message };
  const value = message.msg;
  try {
    if (isErrorLike(value)) {
      out.format = 'error';
      out.msg = JSON.stringify(describeError(value));
    } else if (Buffer.isBuffer(value)) {
      out.format = `buffer[${value.length}]`;
      const hex = value.toString('hex');
      out.msg = hex.length > maxLength ? hex.substring(0, maxLength) : hex;
    } else if (value !== null && typeof value === 'object') {
      encodeObjectValue(out, value, maxLength);
    } else if (typeof value === 'function') {
      out.format = 'function';
      out.msg = '[function]';
    } else if (typeof value === 'boolean') {
      out.format = 'boolean';
      out.msg = value.toString();
    } else if (typeof value === 'number') {
      out.format = 'number';
      out.msg = value.toString();
    } else if (typeof value === 'bigint') {
      out.format = 'bigint';
      out.msg = { __enc__: true, type: 'bigint', data: value.toString() };
    } else if (value === null || value === undefined) {
      out.format = value === null ? 'null' : 'undefined';
      out.msg = '(undefined)';
    } else {
      const text = typeof value === 'string' ? value : String(value);
      out.format = `string[${text.length}]`;
      out.msg = text.length > maxLength ? text.substring(0, maxLength) + '...' : text;
    }
  } catch (err) {
    const e = err as Error;
    out.format = 'error';
    out.msg = JSON.stringify({
      __enc__: true,
      type: 'error',
      data: { name: e.name, message: `encodeObject Error: ${e.message ?? String(err)}`, stack: e.stack },
    });
  }
  return out;
}
