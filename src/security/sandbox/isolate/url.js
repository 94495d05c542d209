// Runs inside each sandbox context as a plain script (never imported by Node): defines the
// function that makes `URL` and `URLSearchParams` for user code, as Node-RED's function sandbox
// offers them. runtime.js takes it and makes the two at their first use.
//
// URL parsing is the host's: each parse or setter is one call to Node's own WHATWG parser
// (`parse` below, given by runtime.js, reaches nothing else of the host), so hosts, IPv6,
// punycode and percent-encoding come out exactly as in Node, without carrying the IDNA tables a
// parser of our own would need into every isolate. URLSearchParams is written here: its
// encoding is short and exactly specified (application/x-www-form-urlencoded), and a function
// node builds query strings often enough that a host call per append would cost.
// isolate-url.test.ts compares both with the host's classes call by call.
globalThis.__redoubtMakeUrl = function makeUrl(parse, getBuffer) {
  'use strict';
  const PARTS = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'];
  const SETTABLE = new Set(['href', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash']);
  const HEX = '0123456789ABCDEF';

  // Strings as the URL Standard takes them (USVString): a lone surrogate becomes U+FFFD.
  function usv(v) {
    const s = String(v);
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) { out += s[i] + s[i + 1]; i++; }
      else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd';
      else out += s[i];
    }
    return out;
  }

  // UTF-8 both ways through the sandbox's Buffer, whose decoder replaces bad bytes as the
  // URL Standard asks (WHATWG).
  const utf8 = (s) => getBuffer().from(s);
  const utf8Text = (bytes) => getBuffer().from(bytes).toString();

  function hexValue(c) {
    if (c >= 48 && c <= 57) return c - 48;
    if (c >= 65 && c <= 70) return c - 55;
    if (c >= 97 && c <= 102) return c - 87;
    return -1;
  }

  // One name or value of a query: '+' is a space, %XX a byte (a bad escape stays as it is).
  function decodePart(s) {
    const bytes = utf8(s);
    const out = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x2b) { out.push(0x20); continue; }
      if (b === 0x25 && i + 2 < bytes.length) {
        const hi = hexValue(bytes[i + 1]);
        const lo = hexValue(bytes[i + 2]);
        if (hi >= 0 && lo >= 0) { out.push((hi << 4) | lo); i += 2; continue; }
      }
      out.push(b);
    }
    return utf8Text(out);
  }

  function parseQuery(query) {
    const list = [];
    for (const piece of query.split('&')) {
      if (piece === '') continue;
      const at = piece.indexOf('=');
      const name = at === -1 ? piece : piece.slice(0, at);
      const value = at === -1 ? '' : piece.slice(at + 1);
      list.push([decodePart(name), decodePart(value)]);
    }
    return list;
  }

  function encodePart(s) {
    let out = '';
    for (const b of utf8(s)) {
      if (b === 0x20) out += '+';
      else if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2a || b === 0x2d || b === 0x2e || b === 0x5f) out += String.fromCharCode(b);
      else out += '%' + HEX[b >> 4] + HEX[b & 15];
    }
    return out;
  }

  const LIST = Symbol('list');
  const OWNER = Symbol('owner');

  class URLSearchParams {
    constructor(init = undefined) {
      this[LIST] = [];
      this[OWNER] = null;
      if (init === undefined || init === null) return;
      if (typeof init === 'object' || typeof init === 'function') {
        if (typeof init[Symbol.iterator] === 'function') {
          for (const pair of init) {
            if ((typeof pair !== 'object' && typeof pair !== 'function') || pair === null || typeof pair[Symbol.iterator] !== 'function') {
              throw new TypeError('Each query pair must be an iterable [name, value] tuple');
            }
            const items = Array.from(pair);
            if (items.length !== 2) throw new TypeError('Each query pair must be an iterable [name, value] tuple');
            this[LIST].push([usv(items[0]), usv(items[1])]);
          }
        } else {
          for (const key of Reflect.ownKeys(init)) {
            if (typeof key !== 'string' || !Object.prototype.propertyIsEnumerable.call(init, key)) continue;
            this[LIST].push([usv(key), usv(init[key])]);
          }
        }
        return;
      }
      const s = usv(init);
      this[LIST] = parseQuery(s.startsWith('?') ? s.slice(1) : s);
    }
    get size() { return this[LIST].length; }
    append(name, value) {
      if (arguments.length < 2) throw new TypeError('The "name" and "value" arguments must be specified');
      this[LIST].push([usv(name), usv(value)]);
      update(this);
    }
    delete(name, value = undefined) {
      if (arguments.length < 1) throw new TypeError('The "name" argument must be specified');
      const n = usv(name);
      const v = value === undefined ? undefined : usv(value);
      this[LIST] = this[LIST].filter(([k, x]) => !(k === n && (v === undefined || x === v)));
      update(this);
    }
    get(name) {
      if (arguments.length < 1) throw new TypeError('The "name" argument must be specified');
      const n = usv(name);
      const found = this[LIST].find(([k]) => k === n);
      return found ? found[1] : null;
    }
    getAll(name) {
      if (arguments.length < 1) throw new TypeError('The "name" argument must be specified');
      const n = usv(name);
      return this[LIST].filter(([k]) => k === n).map(([, x]) => x);
    }
    has(name, value = undefined) {
      if (arguments.length < 1) throw new TypeError('The "name" argument must be specified');
      const n = usv(name);
      const v = value === undefined ? undefined : usv(value);
      return this[LIST].some(([k, x]) => k === n && (v === undefined || x === v));
    }
    set(name, value) {
      if (arguments.length < 2) throw new TypeError('The "name" and "value" arguments must be specified');
      const n = usv(name);
      const v = usv(value);
      const list = [];
      let placed = false;
      for (const pair of this[LIST]) {
        if (pair[0] !== n) list.push(pair);
        else if (!placed) { list.push([n, v]); placed = true; }
      }
      if (!placed) list.push([n, v]);
      this[LIST] = list;
      update(this);
    }
    sort() {
      // Stable, by UTF-16 code units, as the standard asks.
      this[LIST] = this[LIST].map((p, i) => [p, i]).sort((a, b) => (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1])).map(([p]) => p);
      update(this);
    }
    forEach(callback, thisArg = undefined) {
      if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
      for (let i = 0; i < this[LIST].length; i++) {
        const [k, v] = this[LIST][i];
        callback.call(thisArg, v, k, this);
      }
    }
    *entries() { for (let i = 0; i < this[LIST].length; i++) yield [this[LIST][i][0], this[LIST][i][1]]; }
    *keys() { for (let i = 0; i < this[LIST].length; i++) yield this[LIST][i][0]; }
    *values() { for (let i = 0; i < this[LIST].length; i++) yield this[LIST][i][1]; }
    [Symbol.iterator]() { return this.entries(); }
    toString() { return this[LIST].map(([k, v]) => encodePart(k) + '=' + encodePart(v)).join('&'); }
    get [Symbol.toStringTag]() { return 'URLSearchParams'; }
  }

  // A URL's searchParams write their list back into the URL's query.
  function update(params) {
    const url = params[OWNER];
    if (url === null) return;
    // An empty list leaves no '?' (the query becomes null), as the standard's update steps say.
    url[STATE] = answer(parse('set', url[STATE].href, 'search', params.toString()));
  }

  const STATE = Symbol('state');
  const PARAMS = Symbol('params');

  function answer(r) {
    if (r === null || typeof r !== 'object' || typeof r.err === 'string') throw new TypeError(r && r.err ? r.err : 'Invalid URL');
    return r;
  }

  class URL {
    constructor(input, base = undefined) {
      if (arguments.length < 1) throw new TypeError('The "url" argument must be specified');
      this[STATE] = answer(parse('parse', usv(input), base === undefined ? null : usv(base)));
      const params = new URLSearchParams(this[STATE].search);
      params[OWNER] = this;
      this[PARAMS] = params;
    }
    static canParse(input, base = undefined) {
      const r = parse('parse', usv(input), base === undefined ? null : usv(base));
      return r !== null && typeof r === 'object' && typeof r.err !== 'string';
    }
    get searchParams() { return this[PARAMS]; }
    toString() { return this[STATE].href; }
    toJSON() { return this[STATE].href; }
    get [Symbol.toStringTag]() { return 'URL'; }
  }
  for (const name of PARTS) {
    const desc = { get() { return this[STATE][name]; }, enumerable: true, configurable: true };
    if (SETTABLE.has(name)) {
      desc.set = function (value) {
        this[STATE] = answer(parse('set', this[STATE].href, name, usv(value)));
        if (name === 'href' || name === 'search') this[PARAMS][LIST] = parseQuery(this[STATE].search.slice(1));
      };
    }
    Object.defineProperty(URL.prototype, name, desc);
  }
  return { URL, URLSearchParams };
};
