// Runs inside each sandbox context as the last part of one plain script (after buffer.js,
// red-util.js, url.js and node-util.js, each of which only defines a maker that this script takes)
// whose value is the setup function below. The host calls setup once per context with
// one dispatcher callback (`host`), the node's settings and its compiled code; setup installs the
// globals user code sees (context, flow, global, env, RED, timers, console, and, made at first
// use, Buffer, URL, URLSearchParams and util) and returns one entry
// function the host calls with an operation name: one reference per context instead of one per
// operation, since every reference costs a crossing to obtain. `host` stays in this closure: no
// global slot, so user code can reach the host only through the functions defined here, and every
// value crossing it is copied.
(function setup(host, cfg, body, setupCode, closeCode) {
  'use strict';
  const G = globalThis;
  const makeBuffer = G.__redoubtMakeBuffer;
  delete G.__redoubtMakeBuffer;
  // Buffer is made at its first use, here or by user code reading the global; the runtime keeps
  // its own reference, so code that replaces globalThis.Buffer changes nothing the runtime does.
  let BufferClass;
  const getBuffer = () => BufferClass || (BufferClass = makeBuffer());
  // A global made at its first read; then an ordinary writable value, as Node-RED's are.
  function lazyGlobal(name, make) {
    const settle = (value) => Object.defineProperty(G, name, { value, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(G, name, {
      get() { const value = make(); settle(value); return value; },
      set(value) { settle(value); },
      configurable: true,
      enumerable: false,
    });
  }
  lazyGlobal('Buffer', getBuffer);
  // URL and URLSearchParams, as Node-RED's sandbox offers them; parsing goes to the host's WHATWG
  // parser through this one operation, which takes and gives strings only.
  const makeUrl = G.__redoubtMakeUrl;
  delete G.__redoubtMakeUrl;
  let urlClasses;
  const getUrl = () => urlClasses || (urlClasses = makeUrl((kind, a, b, c) => host('url', kind, a, b, c), getBuffer));
  lazyGlobal('URL', () => getUrl().URL);
  lazyGlobal('URLSearchParams', () => getUrl().URLSearchParams);
  // Node's util module, as Node-RED's sandbox gives it; format and inspect run on the host.
  const makeNodeUtil = G.__redoubtMakeNodeUtil;
  delete G.__redoubtMakeNodeUtil;
  lazyGlobal('util', () => makeNodeUtil((kind, options, args) => host('util', kind, options, args), getBuffer, promisify));
  const makeUtil = G.__redoubtMakeRedUtil;
  delete G.__redoubtMakeRedUtil;
  // RED.util is made at its first use: most function nodes never touch it, and made in every
  // context it would cost each about 18 KB of heap (src/security/sandbox/bench-contexts.ts).
  let util;
  const getUtil = () => util || (util = makeUtil(getBuffer()));
  let redUtil;
  const RED = {
    get util() {
      // Node-RED's RED.util.getSetting in a function node always reads for that node: env.get.
      return redUtil || (redUtil = Object.freeze({ ...getUtil(), getSetting(_node, name) { return envApi.get(name); } }));
    },
  };

  const OK = 0;
  const ERR = 1;
  const PENDING = 2;
  const MAX_DEPTH = 64;

  const timers = new Map();
  const callbacks = new Map();
  const closeHandlers = [];
  let nextId = 1;
  // Token of the input message whose code is running, so timers and callbacks created while it
  // runs are charged to it when they later fail or run too long.
  let currentTag = 0;
  // The batch being run: sent in once, then worked through in time slices (`more`), so a long
  // batch is never copied in again. `values`/`codes` hold the current slice's outcomes.
  const batch = { msgs: [], first: 0, index: 0, start: 0, values: [], codes: null };

  function describe(e) {
    if (e instanceof Error || (e && typeof e === 'object' && typeof e.message === 'string' && typeof e.stack === 'string')) {
      return { name: String(e.name), message: String(e.message), stack: String(e.stack || '') };
    }
    if (typeof e === 'string') return { text: e };
    try { return { text: JSON.stringify(e) }; } catch (inner) { return { text: String(e) }; }
  }

  // Incoming Uint8Arrays were Buffers on the host: give them back the Buffer prototype in place.
  function adopt(v, depth) {
    if (v === null || typeof v !== 'object' || depth > MAX_DEPTH) return v;
    if (v instanceof Uint8Array) {
      const B = getBuffer();
      if (!(v instanceof B)) Object.setPrototypeOf(v, B.prototype);
      return v;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) { const x = v[i]; if (x !== null && typeof x === 'object') adopt(x, depth + 1); }
    } else if (v instanceof Map) {
      v.forEach((x) => adopt(x, depth + 1));
    } else if (!(v instanceof Date) && !(v instanceof RegExp)) {
      for (const k in v) { const x = v[k]; if (x !== null && typeof x === 'object') adopt(x, depth + 1); }
    }
    return v;
  }

  function report(err, msg, tag) {
    host('error', describe(err), msg === undefined ? null : msg, tag);
  }

  const log = (level) => function (m) { host('log', level, m); };
  const shared = {
    log: log('info'), warn: log('warn'), debug: log('debug'), trace: log('trace'),
    error(err, msg) { host('error', describe(err), msg === undefined || msg === null ? null : msg, currentTag); },
    status(s) { host('status', s === undefined ? {} : s); },
  };

  function on(event, fn) {
    if (event === 'input') throw new Error('Cannot add listener to \'input\' event within Function');
    if (event === 'close' && typeof fn === 'function') closeHandlers.push(fn);
  }

  function makeNode(tag, msgid, mode) {
    return {
      id: cfg.id, name: cfg.name, path: cfg.path, outputCount: cfg.outputs,
      log: shared.log, warn: shared.warn, debug: shared.debug, trace: shared.trace,
      error: shared.error, status: shared.status, on,
      send(msgs) {
        if (mode === 'close') { host('error', { text: 'Cannot send from close function' }, null, tag); return; }
        host('send', tag, mode === 'setup' ? getUtil().generateId() : msgid, msgs === undefined ? null : msgs);
      },
      done(err) {
        if (mode === 'input') host('done', tag, err === undefined || err === null ? null : describe(err));
      },
    };
  }

  function splitStore(a, b) {
    if (typeof a === 'function') return [undefined, a];
    return [a, b];
  }

  function ctxCall(scope, op, args, cb) {
    if (cb && typeof cb !== 'function') throw new Error('Callback must be a function');
    if (typeof cb !== 'function') {
      const r = host('ctx', scope, op, args, 0, currentTag);
      if (r.err !== undefined) throw new Error(r.err);
      return adopt(r.value, 0);
    }
    const r = host('ctx', scope, op, args, 1, currentTag);
    if (r.pending === true) callbacks.set(r.id, { fn: cb, tag: currentTag });
    else if (r.err !== undefined) cb(new Error(r.err));
    else cb.apply(undefined, [null].concat(adopt(r.values, 0)));
    return undefined;
  }

  function makeScope(scope) {
    return {
      get(keys, a, b) { const [store, cb] = splitStore(a, b); return ctxCall(scope, 'get', [keys, store], cb); },
      set(keys, value, a, b) { const [store, cb] = splitStore(a, b); return ctxCall(scope, 'set', [keys, value, store], cb); },
      keys(a, b) { const [store, cb] = splitStore(a, b); return ctxCall(scope, 'keys', [store], cb); },
    };
  }

  // Like Node-RED's wrappers, anything is accepted as the callback: one that is not a function
  // fails when the timer fires and is reported as the node's error then.
  function addTimer(fn, ms, args, repeat) {
    const id = nextId++;
    timers.set(id, { fn, args, tag: currentTag, repeat });
    host('timer', id, Number(ms) || 0, repeat, currentTag);
    return id;
  }
  function clearTimer(id) {
    if (timers.delete(id)) host('clear', id);
  }

  const flowScope = makeScope('flow');
  const globalScope = makeScope('global');
  const nodeScope = makeScope('node');
  const contextApi = {
    get: nodeScope.get, set: nodeScope.set, keys: nodeScope.keys,
    get flow() { return flowScope; },
    get global() { return globalScope; },
  };
  const consoleApi = {
    log: log('info'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug'), trace: log('trace'),
  };

  const envApi = { get(name) { return adopt(host('env', String(name)), 0); } };
  // Node's util.promisify, as Node-RED's sandbox offers it (`promisify`), with its custom symbol,
  // which setTimeout carries as in Node.
  const CUSTOM = Symbol.for('nodejs.util.promisify.custom');
  function promisify(original) {
    if (typeof original !== 'function') throw new TypeError('The "original" argument must be of type function');
    if (typeof original[CUSTOM] === 'function') return original[CUSTOM];
    return function (...args) {
      return new Promise((resolve, reject) => {
        original.call(this, ...args, (err, value) => (err ? reject(err) : resolve(value)));
      });
    };
  }
  function setTimeoutApi(fn, ms, ...args) { return addTimer(fn, ms, args, false); }
  setTimeoutApi[CUSTOM] = (after, value) => new Promise((resolve) => { addTimer(resolve, after, [value], false); });

  const globals = {
    context: contextApi, flow: flowScope, global: globalScope,
    env: envApi,
    RED,
    console: consoleApi,
    promisify,
    setTimeout: setTimeoutApi,
    clearTimeout: clearTimer,
    setInterval(fn, ms, ...args) { return addTimer(fn, ms, args, true); },
    clearInterval: clearTimer,
  };
  for (const k of Object.keys(globals)) {
    Object.defineProperty(G, k, { value: globals[k], writable: true, configurable: true, enumerable: false });
  }

  function installLibs(libs) {
    libs.forEach((lib, libIndex) => {
      const call = (path) => function (...args) {
        const r = host('lib', libIndex, path, args, currentTag);
        if (r.err !== undefined) throw new Error(r.err);
        if (r.pending !== undefined) {
          return new Promise((resolve, reject) => {
            callbacks.set(r.pending, { tag: currentTag, fn: (err, value) => (err ? reject(err) : resolve(value)) });
          });
        }
        return adopt(r.value, 0);
      };
      const build = (shape, path) => {
        if (shape.kind === 'value') return shape.value;
        const target = shape.kind === 'function' ? call(path) : {};
        for (const key of Object.keys(shape.members || {})) target[key] = build(shape.members[key], path.concat(key));
        return target;
      };
      Object.defineProperty(G, lib.var, { value: build(lib.shape, []), writable: true, configurable: true });
    });
  }
  installLibs(cfg.libs);

  function settle(token, outcome) {
    try { host('settle', token, outcome); } catch (e) { host('settle', token, [ERR, describe(e)]); }
  }

  // Outcome of message `i` of the slice: codes stay null while everything returned normally, so
  // the common case copies out one flat array of values.
  function record(i, code, value) {
    const at = i - batch.start;
    batch.values[at] = value;
    if (code !== OK) {
      if (batch.codes === null) batch.codes = new Array(at).fill(OK);
      batch.codes[at] = code;
    } else if (batch.codes !== null) {
      batch.codes[at] = OK;
    }
  }

  function runOne(i) {
    const msg = batch.msgs[i];
    const token = batch.first + i;
    adopt(msg, 0);
    currentTag = token;
    let r;
    try {
      r = body(msg, cfg.usesNode ? makeNode(token, msg._msgid, 'input') : undefined);
    } catch (e) {
      record(i, ERR, describe(e));
      return;
    } finally {
      currentTag = 0;
    }
    if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
      r.then((v) => settle(token, [OK, v]), (e) => settle(token, [ERR, describe(e)]));
      record(i, PENDING, null);
      return;
    }
    record(i, OK, r);
  }

  // Runs messages from `from` until the batch is done or `sliceMs` has passed; the host asks for
  // the rest with `more`, so a large batch never eats into the time limit of one message.
  function slice(from, sliceMs) {
    const start = Date.now();
    const msgs = batch.msgs;
    batch.start = from;
    batch.values = [];
    batch.codes = null;
    let i = from;
    for (; i < msgs.length; i++) {
      if (i > from && Date.now() - start > sliceMs) break;
      batch.index = i;
      runOne(i);
    }
    batch.index = i;
    if (i >= msgs.length) batch.msgs = [];
    return [batch.values, batch.codes, i];
  }

  const ops = {
    run(msgs, firstToken, sliceMs) {
      batch.msgs = msgs;
      batch.first = firstToken;
      return slice(0, sliceMs);
    },
    more(firstToken, from, sliceMs) {
      if (firstToken !== batch.first || from > batch.msgs.length) throw new Error('sandbox batch out of step');
      return slice(from, sliceMs);
    },
    // After a slice was stopped (time limit) or could not be copied out: where it stopped and
    // what the messages before that one gave.
    progress() { return [batch.values.slice(0, batch.index - batch.start), batch.codes === null ? null : batch.codes.slice(0, batch.index - batch.start), batch.index]; },
    collect(at) { return [batch.codes === null ? OK : batch.codes[at], batch.values[at]]; },
    initialize(token) {
      if (setupCode === null) return [OK, null];
      currentTag = token;
      let r;
      try {
        r = setupCode(makeNode(token, undefined, 'setup'));
      } catch (e) {
        return [ERR, describe(e)];
      } finally {
        currentTag = 0;
      }
      r.then(() => settle(token, [OK, null]), (e) => settle(token, [ERR, describe(e)]));
      return [PENDING];
    },
    finalize() {
      const errors = [];
      for (const fn of closeHandlers.splice(0)) {
        try { fn(() => undefined); } catch (e) { errors.push(describe(e)); }
      }
      if (closeCode !== null) {
        try { closeCode(makeNode(0, undefined, 'close')); } catch (e) { errors.push(describe(e)); }
      }
      timers.clear();
      callbacks.clear();
      batch.msgs = [];
      return errors;
    },
    fire(kind, id, args) {
      const entry = kind === 'timer' ? timers.get(id) : callbacks.get(id);
      if (entry === undefined) return;
      if (kind !== 'timer' || !entry.repeat) (kind === 'timer' ? timers : callbacks).delete(id);
      currentTag = entry.tag;
      try {
        if (kind === 'timer') entry.fn.apply(undefined, entry.args);
        else entry.fn.apply(undefined, args[0] === null ? [null].concat(adopt(args.slice(1), 0)) : [new Error(args[0])]);
      } catch (e) {
        report(e, {}, entry.tag);
      } finally {
        currentTag = 0;
      }
    },
  };

  return function api(op, a, b, c) {
    switch (op) {
      case 'run': return ops.run(a, b, c);
      case 'more': return ops.more(a, b, c);
      case 'progress': return ops.progress();
      case 'collect': return ops.collect(a);
      case 'index': return batch.index;
      case 'initialize': return ops.initialize(a);
      case 'finalize': return ops.finalize();
      case 'fire': return ops.fire(a, b, c);
      default: return undefined;
    }
  };
});
