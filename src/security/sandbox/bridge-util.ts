/**
 * The host's side of the function sandbox's `util` global (isolate/node-util.js): Node's own
 * format, inspect and isDeepStrictEqual, run on values the sandbox prepared, with stand-ins for
 * what a copy cannot carry.
 */
import { format as formatText, formatWithOptions, inspect, isDeepStrictEqual, type InspectOptions } from 'node:util';
import { errorText } from './errors.js';

const STAND_IN = '__redoubtStandIn';
const MAX_REVIVE_DEPTH = 64;
/**
 * Values one util call may bring to the host. The host runs format and inspect on its own thread,
 * outside the isolate's time limit: this bounds what one call can make it do (inspecting 100,000
 * objects with no depth limit took 160 ms here).
 */
const MAX_REVIVED = 100_000;

interface ReviveBudget {
  left: number;
}

function namedFunction(name: string, kind: unknown, length = 0): unknown {
  const fn =
    kind === 'class' ? class {}
    : kind === 'async' ? async function () {}
    : kind === 'generator' ? function* () {}
    : kind === 'asyncgenerator' ? async function* () {}
    : kind === 'arrow' ? () => undefined
    : function () {};
  Object.defineProperty(fn, 'name', { value: name });
  Object.defineProperty(fn, 'length', { value: Number.isInteger(length) && length >= 0 ? length : 0 });
  return fn;
}

/** A promise that prints as `Promise { <pending> }`, without the async_hooks ids Node adds here. */
function pendingPromise(): Promise<never> {
  const p = new Promise<never>(() => undefined);
  for (const sym of Object.getOwnPropertySymbols(p)) delete (p as unknown as Record<symbol, unknown>)[sym];
  return p;
}

function defineValue(target: object, key: string, value: unknown): void {
  // defineProperty, not assignment: a key named __proto__ stays a key.
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * The other side of the sandbox's `prepare` (isolate/node-util.js): a copied value with its
 * stand-in descriptions turned into objects that util.inspect prints as it would the originals.
 * Untrusted data: objects are built with defineProperty and the depth is bounded.
 */
function revive(v: unknown, seen: Map<object, unknown>, depth: number, budget: ReviveBudget): unknown {
  if (--budget.left < 0) throw new RangeError(`util: the value is too large for a function node (over 100,000 values)`);
  if (v === null || typeof v !== 'object') return v;
  if (seen.has(v)) return seen.get(v);
  if (depth > MAX_REVIVE_DEPTH) return {};
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    seen.set(v, out);
    for (let i = 0; i < v.length; i++) if (i in v) out[i] = revive(v[i], seen, depth + 1, budget);
    return out;
  }
  if (v instanceof Map) {
    const out = new Map();
    seen.set(v, out);
    for (const [k, x] of v) out.set(revive(k, seen, depth + 1, budget), revive(x, seen, depth + 1, budget));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    seen.set(v, out);
    for (const x of v) out.add(revive(x, seen, depth + 1, budget));
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return v;
  const record = v as Record<string, unknown>;
  const tag = Object.hasOwn(record, STAND_IN) ? record[STAND_IN] : undefined;
  if (tag === undefined) {
    const out = {};
    seen.set(v, out);
    for (const key of Object.keys(record)) defineValue(out, key, revive(record[key], seen, depth + 1, budget));
    return out;
  }
  switch (tag) {
    case 'fn': return namedFunction(typeof record.name === 'string' ? record.name : '', record.kind, Number(record.length));
    case 'symbol': return Symbol(typeof record.description === 'string' ? record.description : undefined);
    case 'buffer': return record.bytes instanceof Uint8Array ? Buffer.from(record.bytes) : Buffer.alloc(0);
    case 'promise': return pendingPromise();
    case 'boxed': return Object(revive(record.value, seen, depth + 1, budget));
    case 'object': {
      let target: object;
      if (record.ctor === null) target = Object.create(null) as object;
      else if (typeof record.ctor !== 'string' || record.ctor === 'Object') target = {};
      else {
        // util.inspect names an object by a constructor it is an instance of: the stand-in's
        // prototype is that function's own.
        const ctor = namedFunction(record.ctor, 'function') as { prototype: object };
        target = Object.create(ctor.prototype) as object;
      }
      seen.set(v, target);
      const props = (record.props ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(props)) defineValue(target, key, revive(props[key], seen, depth + 1, budget));
      const accessors = (record.accessors ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(accessors)) {
        const kinds = String(accessors[key]);
        Object.defineProperty(target, key, {
          get: kinds.includes('get') ? () => undefined : undefined,
          set: kinds.includes('set') ? () => undefined : undefined,
          enumerable: true,
          configurable: true,
        });
      }
      return target;
    }
    default: return {};
  }
}

const INSPECT_OPTIONS: Record<string, (v: unknown) => boolean> = {
  showHidden: (v) => typeof v === 'boolean',
  depth: (v) => v === null || typeof v === 'number',
  colors: (v) => typeof v === 'boolean',
  customInspect: (v) => typeof v === 'boolean',
  showProxy: (v) => typeof v === 'boolean',
  maxArrayLength: (v) => v === null || typeof v === 'number',
  maxStringLength: (v) => v === null || typeof v === 'number',
  breakLength: (v) => typeof v === 'number',
  compact: (v) => typeof v === 'boolean' || typeof v === 'number',
  sorted: (v) => typeof v === 'boolean',
  getters: (v) => typeof v === 'boolean' || v === 'get' || v === 'set',
  numericSeparator: (v) => typeof v === 'boolean',
};

function inspectOptions(raw: unknown): InspectOptions {
  const out: Record<string, unknown> = {};
  if (raw === null || typeof raw !== 'object') return out;
  for (const [key, valid] of Object.entries(INSPECT_OPTIONS)) {
    const value = (raw as Record<string, unknown>)[key];
    if (value !== undefined && valid(value)) out[key] = value;
  }
  return out;
}

/**
 * Node's util.format, formatWithOptions, inspect and isDeepStrictEqual for the sandbox's `util`
 * (isolate/node-util.js), on values it prepared; answers `{ value }` or `{ err }`.
 */
export function utilOp(kind: unknown, options: unknown, rawArgs: unknown): unknown {
  try {
    const budget = { left: MAX_REVIVED };
    const args = (Array.isArray(rawArgs) ? rawArgs : []).map((a) => revive(a, new Map(), 0, budget));
    if (kind === 'format') return { value: options === null ? formatText(...args) : formatWithOptions(inspectOptions(options), ...args) };
    if (kind === 'inspect') return { value: inspect(args[0], inspectOptions(options)) };
    if (kind === 'deepEqual') return { value: isDeepStrictEqual(args[0], args[1]) };
    return { err: 'unknown util operation' };
  } catch (err) {
    return { err: errorText(err) };
  }
}
