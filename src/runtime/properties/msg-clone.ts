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
import { types } from 'node:util';

const isBoxedPrimitive = types.isBoxedPrimitive as (value: unknown) => boolean;

/**
 * Objects already cloned (cycles, shared references), by source object. A linear list while it
 * is short (most messages hold a handful of objects), a Map past 32 entries. One instance is
 * reused from clone to clone, so cloning a message allocates nothing but the copy itself; a
 * clone started while another runs (a getter that clones) takes a fresh one.
 */
class Seen {
  private readonly keys: object[] = [];
  private readonly values: unknown[] = [];
  private count = 0;
  private map: Map<object, unknown> | undefined;
  inUse = false;

  get(key: object): unknown {
    if (this.map !== undefined) return this.map.get(key);
    const keys = this.keys;
    for (let i = 0; i < this.count; i++) if (keys[i] === key) return this.values[i];
    return undefined;
  }

  set(key: object, value: unknown): void {
    if (this.map !== undefined) {
      this.map.set(key, value);
      return;
    }
    const n = this.count;
    if (n === 32) {
      this.map = new Map();
      for (let i = 0; i < n; i++) this.map.set(this.keys[i]!, this.values[i]);
      this.map.set(key, value);
      return;
    }
    this.keys[n] = key;
    this.values[n] = value;
    this.count = n + 1;
  }

  /** Forgets every entry, so the instance holds no message alive between clones. */
  reset(): void {
    for (let i = 0; i < this.count; i++) {
      this.keys[i] = undefined as unknown as object;
      this.values[i] = undefined;
    }
    this.count = 0;
    this.map = undefined;
    this.inUse = false;
  }
}

const shared = new Seen();

function takeSeen(): Seen {
  if (shared.inUse) return new Seen();
  shared.inUse = true;
  return shared;
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

const hasOwn = Object.prototype.hasOwnProperty;

// for-in with an own-property check visits what Object.keys lists, in the same order, but reads
// V8's enum cache instead of allocating a key array per object.
function copyProps(src: Record<string, unknown>, out: Record<string, unknown>, seen: Seen): void {
  for (const k in src) {
    if (!hasOwn.call(src, k)) continue;
    const v = src[k];
    out[k] = typeof v === 'object' && v !== null ? cloneValue(v, seen) : v;
  }
}

/**
 * A plain object: spread copies every own enumerable property at once into an object sized for
 * them (V8's clone fast path: no shape transition per key, no separate property array), then the
 * nested objects are replaced by their clones. Symbol-keyed values are copied as they are
 * (Node-RED's lodash clone copies them too, deeply; a JSON message has none).
 */
function clonePlain(src: Record<string, unknown>, seen: Seen): Record<string, unknown> {
  const out = { ...src };
  seen.set(src, out);
  for (const k in out) {
    if (!hasOwn.call(out, k)) continue;
    const v = out[k];
    if (typeof v === 'object' && v !== null) out[k] = cloneValue(v, seen);
  }
  return out;
}

/**
 * `clonePlain` for the message itself, sharing req and res. A separate spread site on purpose:
 * V8 keeps the copy fast only while one site sees a few object shapes, and messages and the
 * objects inside them are shapes of different families.
 */
function cloneTopLevel(src: Record<string, unknown>, seen: Seen): Record<string, unknown> {
  const out = { ...src };
  seen.set(src, out);
  for (const k in out) {
    if (!hasOwn.call(out, k)) continue;
    const v = out[k];
    if (typeof v !== 'object' || v === null || k === 'req' || k === 'res') continue;
    out[k] = cloneValue(v, seen);
  }
  return out;
}

function cloneValue(src: object, seen: Seen): unknown {
  const known = seen.get(src);
  if (known !== undefined) return known;
  if (Array.isArray(src)) return cloneArray(src, seen);
  const proto = getProto(src);
  // A null-prototype object (a parsed query string, say) comes out a plain object, as lodash's
  // cloneDeep gives it to Node-RED's nodes; the spread keeps an own `__proto__` key a key.
  if (proto === objectProto || proto === null) return clonePlain(src as Record<string, unknown>, seen);
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
  } else if (isBoxedPrimitive(src)) {
    // new Number(3) and the like: an object of the same prototype without the value inside
    // would throw on valueOf(); lodash wraps the same value again.
    out = Object((src as { valueOf(): unknown }).valueOf());
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
 * preserved; functions are shared; boxed primitives are boxed again; null-prototype objects come
 * out plain, as in lodash; other class instances become objects with the same prototype and
 * cloned own enumerable properties. An own `__proto__` key (JSON can carry one) stays a key.
 *
 * @example const copy = cloneMessage(msg); copy.payload.x = 1; // msg.payload.x unchanged
 */
export function cloneMessage<T>(msg: T): T {
  if (typeof msg !== 'object' || msg === null) return msg;
  const seen = takeSeen();
  try {
    const src = msg as unknown as Record<string, unknown>;
    if (Array.isArray(src) || getProto(src) !== objectProto) return cloneValue(src, seen) as T;
    return cloneTopLevel(src, seen) as T;
  } finally {
    seen.reset();
  }
}

/** Deep-clones any value with the same rules as `cloneMessage`, without the req/res exception. */
export function cloneValueDeep<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  const seen = takeSeen();
  try {
    return cloneValue(value, seen) as T;
  } finally {
    seen.reset();
  }
}

const DIGITS = '0123456789abcdef';
/** Character codes of each byte's two hex digits. */
const HIGH = Uint8Array.from({ length: 256 }, (_, i) => DIGITS.charCodeAt(i >> 4));
const LOW = Uint8Array.from({ length: 256 }, (_, i) => DIGITS.charCodeAt(i & 15));
// Random bytes drawn 8 KiB at a time: one id per message makes this a hot path. The pool is the
// only module state here, made at the first id (this module also runs in every function-node
// sandbox context, most of which never make one) and refilled in place.
const POOL_SIZE = 8192;
let pool = new Uint8Array(0);
let poolPos = 0;

/**
 * A 16-hex-character id, as Node-RED's `generateId` (message and node ids). Unpredictable (drawn
 * from the system's CSPRNG), though ids are not secrets.
 */
export function generateId(): string {
  if (poolPos + 8 > pool.length) {
    if (pool.length === 0) pool = new Uint8Array(POOL_SIZE);
    randomFillSync(pool);
    poolPos = 0;
  }
  const p = pool;
  const i = poolPos;
  poolPos += 8;
  const b0 = p[i]!, b1 = p[i + 1]!, b2 = p[i + 2]!, b3 = p[i + 3]!, b4 = p[i + 4]!, b5 = p[i + 5]!, b6 = p[i + 6]!, b7 = p[i + 7]!;
  // One flat string in one step. Concatenating two-character pieces built seven intermediate
  // strings and left a rope of three objects per id, which every held message kept alive.
  return String.fromCharCode(
    HIGH[b0]!, LOW[b0]!, HIGH[b1]!, LOW[b1]!, HIGH[b2]!, LOW[b2]!, HIGH[b3]!, LOW[b3]!,
    HIGH[b4]!, LOW[b4]!, HIGH[b5]!, LOW[b5]!, HIGH[b6]!, LOW[b6]!, HIGH[b7]!, LOW[b7]!,
  );
}
