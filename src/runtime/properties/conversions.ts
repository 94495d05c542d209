/**
 * The small conversions of Node-RED's `RED.util` (`ensureString`, `ensureBuffer`,
 * `compareObjects`, `normaliseNodeTypeName`), with Node-RED 4's results, quirks included: contrib
 * nodes and function-node code compare and convert with them and expect what Node-RED gives.
 * Shared by the host's RED API and the function sandbox (built into its isolate script).
 */

/** A value as a string: Buffers as UTF-8, objects (null too) as JSON, the rest with `String`. */
export function ensureString(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString();
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'string') return value;
  return String(value);
}

/** A value as a Buffer: a Buffer as it is, objects (null too) as JSON text, the rest as text. */
export function ensureBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Node-RED's deep comparison, which is not `isDeepStrictEqual`: arrays item by item, Buffers by
 * bytes, other objects by their own enumerable keys only (so two Dates, or two Maps, are always
 * equal, and prototypes are not compared), everything else with `===` (so NaN is not NaN).
 */
export function compareObjects(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return false;
  const isArrayA = Array.isArray(a);
  if (isArrayA !== Array.isArray(b)) return false;
  if (isArrayA) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!compareObjects(x[i], y[i])) return false;
    return true;
  }
  const isBufferA = Buffer.isBuffer(a);
  if (isBufferA !== Buffer.isBuffer(b)) return false;
  if (isBufferA) return (a as Buffer).equals(b as Buffer);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  if (Object.keys(x).length !== Object.keys(y).length) return false;
  for (const k in x) {
    if (hasOwn.call(x, k) && !compareObjects(x[k], y[k])) return false;
  }
  return true;
}

/** A node type name as a camelCase identifier: `my-node type` is `myNodeType`. */
export function normaliseNodeTypeName(name: string): string {
  const words = name.replace(/[^a-zA-Z0-9]/g, ' ').trim().replace(/ +/g, ' ');
  const joined = words.replace(/ ./g, (g) => g.charAt(1).toUpperCase());
  return joined.charAt(0).toLowerCase() + joined.slice(1);
}
