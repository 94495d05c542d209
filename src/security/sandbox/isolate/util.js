// Runs inside each sandbox context as a plain script. Defines the part of Node-RED's `RED.util`
// that makes sense without host objects; it is stored on a hidden global slot that the runtime
// script takes and removes before user code runs.
(function () {
  'use strict';
  const Buffer = globalThis.Buffer;

  function generateId() {
    let id = '';
    for (let i = 0; i < 16; i++) id += '0123456789abcdef'[Math.floor(Math.random() * 16)];
    return id;
  }

  function cloneValue(v, seen) {
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return seen.get(v);
    let out;
    if (v instanceof Buffer) { out = Buffer.from(v); }
    else if (ArrayBuffer.isView(v)) { out = v.slice(); }
    else if (v instanceof Date) { out = new Date(v.getTime()); }
    else if (v instanceof RegExp) { out = new RegExp(v.source, v.flags); out.lastIndex = v.lastIndex; }
    else if (v instanceof Map) { out = new Map(); seen.set(v, out); v.forEach((val, k) => out.set(cloneValue(k, seen), cloneValue(val, seen))); return out; }
    else if (v instanceof Set) { out = new Set(); seen.set(v, out); v.forEach((val) => out.add(cloneValue(val, seen))); return out; }
    else if (Array.isArray(v)) { out = new Array(v.length); seen.set(v, out); for (let i = 0; i < v.length; i++) out[i] = cloneValue(v[i], seen); return out; }
    else {
      out = Object.create(Object.getPrototypeOf(v));
      seen.set(v, out);
      for (const k of Object.keys(v)) {
        Object.defineProperty(out, k, { value: cloneValue(v[k], seen), writable: true, enumerable: true, configurable: true });
      }
      return out;
    }
    seen.set(v, out);
    return out;
  }

  function cloneMessage(msg) { return cloneValue(msg, new Map()); }

  function syntaxError(str, pos) {
    return new Error('Invalid property expression: unexpected ' + (pos < str.length ? "'" + str[pos] + "'" : 'end') + ' at position ' + pos);
  }

  // Splits `a.b[0]["c d"]` (and `a[msg.topic]` when msg is given) into its path parts.
  function normalisePropertyExpression(str, msg) {
    if (typeof str !== 'string' || str.length === 0) throw new Error('Invalid property expression: zero-length');
    const parts = [];
    let i = 0;
    const readName = () => {
      const start = i;
      while (i < str.length && str[i] !== '.' && str[i] !== '[') {
        if (str[i] === ']' || str[i] === '"' || str[i] === "'" || /\s/.test(str[i])) throw syntaxError(str, i);
        i++;
      }
      if (i === start) throw syntaxError(str, i);
      parts.push(str.slice(start, i));
    };
    readName();
    while (i < str.length) {
      if (str[i] === '.') { i++; readName(); continue; }
      if (str[i] !== '[') throw syntaxError(str, i);
      i++;
      const q = str[i];
      if (q === '"' || q === "'") {
        const end = str.indexOf(q, i + 1);
        if (end < 0 || str[end + 1] !== ']') throw syntaxError(str, i);
        parts.push(str.slice(i + 1, end));
        i = end + 2;
      } else if (/[0-9]/.test(q)) {
        const end = str.indexOf(']', i);
        if (end < 0 || !/^[0-9]+$/.test(str.slice(i, end))) throw syntaxError(str, i);
        parts.push(Number(str.slice(i, end)));
        i = end + 1;
      } else if (msg !== undefined && str.startsWith('msg.', i)) {
        let depth = 1;
        let end = i;
        while (end < str.length && depth > 0) { end++; if (str[end] === '[') depth++; if (str[end] === ']') depth--; }
        if (depth !== 0) throw syntaxError(str, end);
        const key = getMessageProperty(msg, str.slice(i, end));
        if (typeof key !== 'string' && typeof key !== 'number') throw new Error('Invalid property expression: evaluated property is not a string or number');
        parts.push(key);
        i = end + 1;
      } else throw syntaxError(str, i);
    }
    return parts;
  }

  // A missing parent is an error, as in Node-RED and in Redoubt's host (same message as there):
  // `payload.list[1]` of a string payload throws rather than giving undefined.
  function getObjectProperty(obj, expr) {
    let v = obj;
    for (const key of normalisePropertyExpression(expr, obj)) {
      if (v === null || v === undefined) {
        throw new Error("Cannot read '" + String(key) + "' of " + v + " in property expression '" + expr + "'");
      }
      v = v[key];
    }
    return v;
  }

  function stripMsg(expr) { return typeof expr === 'string' && expr.startsWith('msg.') ? expr.slice(4) : expr; }
  function getMessageProperty(msg, expr) { return getObjectProperty(msg, stripMsg(expr)); }

  const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];

  function setObjectProperty(obj, expr, value, createMissing) {
    const create = createMissing === undefined ? value !== undefined : createMissing;
    const path = normalisePropertyExpression(expr, obj);
    let target = obj;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i];
      if (FORBIDDEN.includes(key)) throw new Error('Invalid property expression: ' + key + ' is not allowed');
      let next = target[key];
      if (next === null || typeof next !== 'object') {
        if (!create) return false;
        next = typeof path[i + 1] === 'number' ? [] : {};
        target[key] = next;
      }
      target = next;
    }
    const last = path[path.length - 1];
    if (FORBIDDEN.includes(last)) throw new Error('Invalid property expression: ' + last + ' is not allowed');
    if (value === undefined) {
      if (Array.isArray(target) && typeof last === 'number') target.splice(last, 1);
      else delete target[last];
    } else {
      target[last] = value;
    }
    return true;
  }

  function setMessageProperty(msg, expr, value, createMissing) {
    return setObjectProperty(msg, stripMsg(expr), value, createMissing);
  }

  function ensureString(v) {
    if (typeof v === 'string') return v;
    if (v instanceof Buffer) return v.toString();
    if (typeof v === 'object' && v !== null) return JSON.stringify(v);
    return String(v);
  }

  function ensureBuffer(v) {
    if (v instanceof Buffer) return v;
    if (typeof v === 'object' && v !== null) return Buffer.from(JSON.stringify(v));
    return Buffer.from(String(v));
  }

  // Shapes a value the way Node-RED's debug output encodes it (`format` plus a string `msg`).
  function encodeObject(holder, opts) {
    const max = (opts && opts.maxLength) || 1000;
    const v = holder.msg;
    const out = Object.assign({}, holder);
    if (v instanceof Error) { out.format = 'error'; out.msg = JSON.stringify({ name: v.name, message: v.message }); return out; }
    if (v instanceof Buffer) { out.format = 'buffer[' + v.length + ']'; out.msg = v.toString('hex', 0, max); return out; }
    if (v === null) { out.format = 'null'; out.msg = 'null'; return out; }
    if (v === undefined) { out.format = 'undefined'; out.msg = '(undefined)'; return out; }
    if (typeof v === 'object') {
      out.format = Array.isArray(v) ? 'array[' + v.length + ']' : 'Object';
      out.msg = JSON.stringify(v, (k, x) => (x instanceof RegExp ? x.toString() : x));
      return out;
    }
    out.format = typeof v;
    out.msg = typeof v === 'string' && v.length > max ? v.slice(0, max) + '...' : String(v);
    return out;
  }

  function compareObjects(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  globalThis.__redoubtUtil = Object.freeze({
    generateId, cloneMessage, getMessageProperty, setMessageProperty, getObjectProperty, setObjectProperty,
    normalisePropertyExpression, ensureString, ensureBuffer, encodeObject, compareObjects,
  });
})();
