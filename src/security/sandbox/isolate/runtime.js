// Runs inside each sandbox context as a plain script whose value is the setup function below.
// The host calls setup once per context with one dispatcher callback (`host`) and the node's
// settings; setup installs the globals user code sees (context, flow, global, env, RED, timers,
// console) and returns the entry points the host calls. `host` stays in this closure: no global
// slot, so user code can reach the host only through the functions defined here, and every value
// crossing it is copied.
(function setup(host, cfg) {
  'use strict';
  const G = globalThis;
  const Buffer = G.Buffer;
  const util = G.__redoubtUtil;
  delete G.__redoubtUtil;

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
  let body = null;
  let setupCode = null;
  let closeCode = null;
  const batch = { index: 0, results: [] };

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
      if (!(v instanceof Buffer)) Object.setPrototypeOf(v, Buffer.prototype);
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
      id: cfg.id, name: cfg.name, outputCount: cfg.outputs,
      log: shared.log, warn: shared.warn, debug: shared.debug, trace: shared.trace,
      error: shared.error, status: shared.status, on,
      send(msgs) {
        if (mode === 'close') { host('error', { text: 'Cannot send from close function' }, null, tag); return; }
        host('send', tag, mode === 'setup' ? util.generateId() : msgid, msgs === undefined ? null : msgs);
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

  function addTimer(fn, ms, args, repeat) {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
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

  const globals = {
    context: contextApi, flow: flowScope, global: globalScope,
    env: { get(name) { return adopt(host('env', String(name)), 0); } },
    RED: { util },
    console: consoleApi,
    setTimeout(fn, ms, ...args) { return addTimer(fn, ms, args, false); },
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

  function runOne(msg, token) {
    adopt(msg, 0);
    currentTag = token;
    let r;
    try {
      r = body(msg, makeNode(token, msg._msgid, 'input'));
    } catch (e) {
      return [ERR, describe(e)];
    } finally {
      currentTag = 0;
    }
    if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
      r.then((v) => settle(token, [OK, v]), (e) => settle(token, [ERR, describe(e)]));
      return [PENDING];
    }
    return [OK, r];
  }

  return {
    setCode(kind, fn) {
      if (kind === 'body') body = fn;
      else if (kind === 'setup') setupCode = fn;
      else closeCode = fn;
    },
    // Runs messages until the batch is done or `sliceMs` has passed; the host sends the rest
    // again, so a large batch never eats into the time limit of one message.
    runBatch(msgs, firstToken, sliceMs) {
      const start = Date.now();
      const out = [];
      batch.results = out;
      for (let i = 0; i < msgs.length; i++) {
        if (i > 0 && Date.now() - start > sliceMs) break;
        batch.index = i;
        out.push(runOne(msgs[i], firstToken + i));
      }
      batch.index = out.length;
      return out;
    },
    progress() { return { index: batch.index, results: batch.results.slice(0, batch.index) }; },
    collect(i) { return batch.results[i]; },
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
});
