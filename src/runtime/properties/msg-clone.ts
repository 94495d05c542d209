/**
 * Message cloning and ids.
 *
 * Hand-written rather than a JSON round trip or lodash's cloneDeep: cloning runs once for every
 * extra wire a message leaves by, so it is on the hottest path of the engine. A JSON round trip
 * loses Buffers, Dates, RegExps, Maps and undefined values; lodash's generic tag dispatch is
 * several times slower on the plain objects and arrays that make up almost every message. Here
 * plain objects and arrays take the first branches, and the cycle map is only consulted for
 * objects (never for primitives).
 */

import { randomFillSync } from 'node:crypto';

/**
 * Objects already cloned (cycles, shared references). Most messages hold a handful of objects:
 * the first four live in fields of this one object (no arrays or Map to allocate per clone), a
 * few more in a linear list, and a Map takes over past 32 entries.
 */
class Seen {
  private k0: object | undefined;
  private v0: unknown;
  private k1: object | undefined;
  private v1: unknown;
  private k2: object | undefined;
  private v2: unknown;
  private k3: object | undefined;
  private v3: unknown;
  private keys: object[] | undefined;
  private values: unknown[] | undefined;
  private map: Map<object, unknown> | undefined;

  get(key: object): unknown {
    if (this.k0 === key) return this.v0;
    if (this.k1 === key) return this.v1;
    if (this.k2 === key) return this.v2;
    if (this.k3 === key) return this.v3;
    if (this.map) return this.map.get(key);
    const keys = this.keys;
    if (keys) for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.values![i];
    return undefined;
  }

  set(key: object, value: unknown): void {
    if (this.k0 === undefined) [this.k0, this.v0] = [key, value];
    else if (this.k1 === undefined) [this.k1, this.v1] = [key, value];
    else if (this.k2 === undefined) [this.k2, this.v2] = [key, value];
    else if (this.k3 === undefined) [this.k3, this.v3] = [key, value];
    else if (this.map) this.map.set(key, value);
    else {
      (this.keys ??= []).push(key);
      (this.values ??= []).push(value);
      if (this.keys.length > 32) {
        this.map = new Map();
        for (let i = 0; i < this.keys.length; i++) this.map.set(this.keys[i]!, this.values[i]);
      }
    }
  }
}

const objectProto = Object.prototype;
const getProto = Object.getPrototypeOf;

function cloneArray(src: unknown[], seen: Seen): unknown[] {
  const out = new Array(src.length);
  seen.set(src, out);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    out[i] = typeof v === 'object' && v !== null ? cloneValue(v, seen) : v;
  }
  return out;
}

function copyProps(src: Record<string, unknown>, out: Record<string, unknown>, seen: Seen): void {
  const keys = Object.keys(src);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = src[k];
    out[k] = typeof v === 'object' && v !== null ? cloneValue(v, seen) : v;
  }
}

function cloneValue(src: object, seen: Seen): unknown {
  const known = seen.get(src);
  if (known !== undefined) return known;
  if (Array.isArray(src)) return cloneArray(src, seen);
  const proto = getProto(src);
  if (proto === objectProto || proto === null) {
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    seen.set(src, out);
    copyProps(src as Record<string, unknown>, out, seen);
    return out;
  }
  return cloneSpecial(src, proto, seen);
}

function cloneSpecial(src: object, proto: object, seen: Seen): unknown {
  let out: unknown;
  if (Buffer.isBuffer(src)) {
    const copy = Buffer.allocUnsafe(src.length);
    src.copy(copy);
    out = copy;
  } else if (ArrayBuffer.isView(src)) {
    if (src instanceof DataView) {
      out = new DataView(src.buffer.slice(src.byteOffset, src.byteOffset + src.byteLength));
    } else {
      out = (src as unknown as { slice(): unknown }).slice();
    }
  } else if (src instanceof Date) {
    out = new Date(src.getTime());
  } else if (src instanceof RegExp) {
    const re = new RegExp(src.source, src.flags);
    re.lastIndex = src.lastIndex;
    out = re;
  } else if (src instanceof Map) {
    const map = new Map();
    seen.set(src, map);
    for (const [k, v] of src) map.set(k, typeof v === 'object' && v !== null ? cloneValue(v, seen) : v);
    return map;
  } else if (src instanceof Set) {
    const set = new Set();
    seen.set(src, set);
    for (const v of src) set.add(typeof v === 'object' && v !== null ? cloneValue(v, seen) : v);
    return set;
  } else if (src instanceof ArrayBuffer) {
    out = src.slice(0);
  } else if (src instanceof Error || src instanceof Promise || src instanceof WeakMap || src instanceof WeakSet) {
    // Not meaningfully clonable; shared, as lodash does for nested values of these kinds.
    out = src;
  } else {
    const obj = Object.create(proto) as Record<string, unknown>;
    seen.set(src, obj);
    copyProps(src as Record<string, unknown>, obj, seen);
    return obj;
  }
  seen.set(src, out);
  return out;
}

/**
 * Deep-clones a message as Node-RED's `RED.util.cloneMessage`: everything is copied except
 * `msg.req` and `msg.res` (HTTP request/response objects), which the clone shares. Buffers,
 * Dates, RegExps, typed arrays, Maps and Sets keep their types; cycles and shared references are
 * preserved; functions are shared; other class instances become objects with the same prototype
 * and cloned own enumerable properties.
 *
 * @example const copy = cloneMessage(msg); copy.payload.x = 1; // msg.payload.x unchanged
 */
export function cloneMessage<T>(msg: T): T {
  if (typeof msg !== 'object' || msg === null) return msg;
  const src = msg as unknown as Record<string, unknown>;
  if (Array.isArray(src) || getProto(src) !== objectProto) return cloneValue(src, new Seen()) as T;
  const seen = new Seen();
  const out: Record<string, unknown> = {};
  seen.set(src, out);
  const keys = Object.keys(src);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = src[k];
    if ((k === 'req' || k === 'res') && v !== undefined) out[k] = v;
    else out[k] = typeof v === 'object' && v !== null ? cloneValue(v, seen) : v;
  }
  return out as T;
}

/** Deep-clones any value with the same rules as `cloneMessage`, without the req/res exception. */
export function cloneValueDeep<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  return cloneValue(value, new Seen()) as T;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
// Random bytes drawn 8 KiB at a time: one id per message makes this a hot path, and a table
// lookup per byte is ~8x cheaper than formatting Math.random() as hex. The pool is the only
// module state here, refilled in place.
const pool = new Uint8Array(8192);
let poolPos = pool.length;

/**
 * A 16-hex-character id, as Node-RED's `generateId` (message and node ids). Unpredictable (drawn
 * from the system's CSPRNG), though ids are not secrets.
 */
export function generateId(): string {
  if (poolPos + 8 > pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const p = pool;
  const i = poolPos;
  poolPos += 8;
  return HEX[p[i]!]! + HEX[p[i + 1]!]! + HEX[p[i + 2]!]! + HEX[p[i + 3]!]! + HEX[p[i + 4]!]! + HEX[p[i + 5]!]! + HEX[p[i + 6]!]! + HEX[p[i + 7]!]!;
}
