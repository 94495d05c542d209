// Runs inside each sandbox context as a plain script (never imported by Node): defines the
// function that makes the `util` global, Node's util module as Node-RED's function sandbox hands
// it to user code. runtime.js takes it and makes it at the first read of `util`.
//
// `format`, `formatWithOptions`, `inspect` and `isDeepStrictEqual` are Node's own, run on the
// host: their output is a long list of rules no copy would keep up with. The values go over as
// data; what a copy cannot carry (functions, class instances, Buffers, symbols, accessors) goes
// as a small description that the host turns back into a stand-in printing the same way
// (`[Function: name]`, `Point { x: 1 }`, `<Buffer 01 02>`). The rest is written here.
// isolate-node-util.test.ts compares the results with the host's util call by call.
globalThis.__redoubtMakeNodeUtil = function makeNodeUtil(call, getBuffer, promisify) {
  'use strict';
  const TAG = '__redoubtStandIn';
  const MAX_DEPTH = 24;
  const fnSource = Function.prototype.toString;
  const objectToString = Object.prototype.toString;

  function functionKind(fn) {
    let src = '';
    try { src = fnSource.call(fn); } catch (e) { src = ''; }
    if (/^class\b/.test(src)) return 'class';
    const tag = objectToString.call(fn);
    if (tag === '[object AsyncGeneratorFunction]') return 'asyncgenerator';
    if (tag === '[object AsyncFunction]') return 'async';
    if (tag === '[object GeneratorFunction]') return 'generator';
    // Arrow functions and methods have no prototype, which %o shows.
    return Object.prototype.hasOwnProperty.call(fn, 'prototype') ? 'function' : 'arrow';
  }

  function constructorName(v) {
    for (let p = Object.getPrototypeOf(v); p !== null; p = Object.getPrototypeOf(p)) {
      const d = Object.getOwnPropertyDescriptor(p, 'constructor');
      if (d && typeof d.value === 'function' && typeof d.value.name === 'string' && d.value.name !== '') return d.value.name;
    }
    return null;
  }

  // A value as data the host can take: what a structured copy keeps stays as it is.
  function prepare(v, seen, depth) {
    if (typeof v === 'function') return { [TAG]: 'fn', name: typeof v.name === 'string' ? v.name : '', kind: functionKind(v), length: typeof v.length === 'number' ? v.length : 0 };
    if (typeof v === 'symbol') return { [TAG]: 'symbol', description: v.description === undefined ? null : v.description };
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return seen.get(v);
    if (depth > MAX_DEPTH) return { [TAG]: 'deep' };
    const B = getBuffer();
    if (v instanceof B) { const out = { [TAG]: 'buffer', bytes: new Uint8Array(v) }; seen.set(v, out); return out; }
    if (v instanceof Date || v instanceof RegExp || v instanceof ArrayBuffer || ArrayBuffer.isView(v) || v instanceof Error) return v;
    if (v instanceof Map) {
      const out = new Map();
      seen.set(v, out);
      for (const [k, x] of v) out.set(prepare(k, seen, depth + 1), prepare(x, seen, depth + 1));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set();
      seen.set(v, out);
      for (const x of v) out.add(prepare(x, seen, depth + 1));
      return out;
    }
    if (Array.isArray(v)) {
      const out = new Array(v.length);
      seen.set(v, out);
      for (let i = 0; i < v.length; i++) if (i in v) out[i] = prepare(v[i], seen, depth + 1);
      return out;
    }
    if (typeof v.then === 'function' && v instanceof Promise) return { [TAG]: 'promise' };
    if (v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof Symbol || v instanceof BigInt) {
      return { [TAG]: 'boxed', value: prepare(v.valueOf(), seen, depth + 1) };
    }
    const proto = Object.getPrototypeOf(v);
    const keys = Object.keys(v);
    const descriptors = keys.map((key) => Object.getOwnPropertyDescriptor(v, key));
    const plain = proto === Object.prototype && descriptors.every((d) => d === undefined || 'value' in d);
    const props = {};
    const accessors = {};
    const out = plain ? props : { [TAG]: 'object', ctor: proto === null ? null : constructorName(v), props, accessors };
    seen.set(v, out);
    keys.forEach((key, i) => {
      const d = descriptors[i];
      if (d === undefined) return;
      if ('value' in d) props[key] = prepare(d.value, seen, depth + 1);
      else accessors[key] = (d.get ? 'get' : '') + (d.set ? 'set' : '');
    });
    return out;
  }

  function answer(r) {
    if (r !== null && typeof r === 'object' && typeof r.err === 'string') throw new TypeError(r.err);
    return r === null || typeof r !== 'object' ? r : r.value;
  }
  const plainOptions = (o) => (o !== null && typeof o === 'object' ? prepare(o, new Map(), 0) : o);

  function format(...args) { return answer(call('format', null, args.map((a) => prepare(a, new Map(), 0)))); }
  function formatWithOptions(options, ...args) {
    return answer(call('format', plainOptions(options), args.map((a) => prepare(a, new Map(), 0))));
  }
  function inspect(value, options) {
    const opts = typeof options === 'boolean' ? { showHidden: options } : plainOptions(options);
    return answer(call('inspect', opts === undefined ? null : opts, [prepare(value, new Map(), 0)]));
  }
  inspect.custom = Symbol.for('nodejs.util.inspect.custom');
  inspect.defaultOptions = Object.freeze({ showHidden: false, depth: 2, colors: false, customInspect: true, showProxy: false, maxArrayLength: 100, maxStringLength: 10000, breakLength: 128, compact: 3, sorted: false, getters: false, numericSeparator: false });
  function isDeepStrictEqual(a, b) { return answer(call('deepEqual', null, [prepare(a, new Map(), 0), prepare(b, new Map(), 0)])); }

  function callbackify(original) {
    if (typeof original !== 'function') throw new TypeError('The "original" argument must be of type function');
    return function (...args) {
      const cb = args.pop();
      if (typeof cb !== 'function') throw new TypeError('The last argument must be of type function');
      original.apply(this, args).then((v) => cb(null, v), (err) => {
        if (!err) { const e = new Error('Promise was rejected with a falsy value'); e.reason = err; err = e; }
        cb(err);
      });
    };
  }
  function inherits(ctor, superCtor) {
    if (typeof ctor !== 'function') throw new TypeError('The "ctor" argument must be of type function');
    if (typeof superCtor !== 'function') throw new TypeError('The "superCtor" argument must be of type function');
    if (superCtor.prototype === undefined) throw new TypeError('The "superCtor.prototype" property must be of type object');
    Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }
  function deprecate(fn) { return fn; }

  const tagOf = (v) => objectToString.call(v).slice(8, -1);
  const isBoxed = (v) => v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof Symbol || v instanceof BigInt;
  const types = {
    isDate: (v) => v instanceof Date,
    isRegExp: (v) => v instanceof RegExp,
    isMap: (v) => v instanceof Map,
    isSet: (v) => v instanceof Set,
    isWeakMap: (v) => v instanceof WeakMap,
    isWeakSet: (v) => v instanceof WeakSet,
    isPromise: (v) => v instanceof Promise,
    isNativeError: (v) => v instanceof Error,
    isArrayBuffer: (v) => v instanceof ArrayBuffer,
    isAnyArrayBuffer: (v) => v instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer),
    isArrayBufferView: (v) => ArrayBuffer.isView(v),
    isDataView: (v) => v instanceof DataView,
    isTypedArray: (v) => ArrayBuffer.isView(v) && !(v instanceof DataView),
    isUint8Array: (v) => v instanceof Uint8Array,
    isUint8ClampedArray: (v) => v instanceof Uint8ClampedArray,
    isUint16Array: (v) => v instanceof Uint16Array,
    isUint32Array: (v) => v instanceof Uint32Array,
    isInt8Array: (v) => v instanceof Int8Array,
    isInt16Array: (v) => v instanceof Int16Array,
    isInt32Array: (v) => v instanceof Int32Array,
    isFloat32Array: (v) => v instanceof Float32Array,
    isFloat64Array: (v) => v instanceof Float64Array,
    isBigInt64Array: (v) => v instanceof BigInt64Array,
    isBigUint64Array: (v) => v instanceof BigUint64Array,
    isBoxedPrimitive: isBoxed,
    isNumberObject: (v) => v instanceof Number,
    isStringObject: (v) => v instanceof String,
    isBooleanObject: (v) => v instanceof Boolean,
    isSymbolObject: (v) => v instanceof Symbol,
    isBigIntObject: (v) => v instanceof BigInt,
    isAsyncFunction: (v) => typeof v === 'function' && (tagOf(v) === 'AsyncFunction' || tagOf(v) === 'AsyncGeneratorFunction'),
    isGeneratorFunction: (v) => typeof v === 'function' && (tagOf(v) === 'GeneratorFunction' || tagOf(v) === 'AsyncGeneratorFunction'),
    isGeneratorObject: (v) => v !== null && typeof v === 'object' && tagOf(v) === 'Generator',
    isMapIterator: (v) => v !== null && typeof v === 'object' && tagOf(v) === 'Map Iterator',
    isSetIterator: (v) => v !== null && typeof v === 'object' && tagOf(v) === 'Set Iterator',
    isProxy: () => false,
  };

  return Object.freeze({
    format,
    formatWithOptions,
    inspect,
    isDeepStrictEqual,
    promisify,
    callbackify,
    inherits,
    deprecate,
    types: Object.freeze(types),
    // Deprecated in Node, still there, and still in old flows.
    isArray: Array.isArray,
    isBoolean: (v) => typeof v === 'boolean',
    isBuffer: (v) => v instanceof getBuffer(),
    isDate: (v) => v instanceof Date,
    isError: (v) => v instanceof Error,
    isFunction: (v) => typeof v === 'function',
    isNull: (v) => v === null,
    isNullOrUndefined: (v) => v === null || v === undefined,
    isNumber: (v) => typeof v === 'number',
    isObject: (v) => v !== null && typeof v === 'object',
    isPrimitive: (v) => v === null || (typeof v !== 'object' && typeof v !== 'function'),
    isRegExp: (v) => v instanceof RegExp,
    isString: (v) => typeof v === 'string',
    isSymbol: (v) => typeof v === 'symbol',
    isUndefined: (v) => v === undefined,
  });
};
