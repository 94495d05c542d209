// Runs inside each sandbox context as a plain script (never imported by Node). It gives user code
// a `Buffer` close enough to Node's for function-node work. It is a Uint8Array subclass so that
// isolated-vm's structured copy carries it out as bytes, which the host turns back into a Buffer.
(function () {
  'use strict';
  const HEX = '0123456789abcdef';
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const B64_LOOKUP = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) B64_LOOKUP[B64.charCodeAt(i)] = i;
  B64_LOOKUP[45] = 62; // '-' of base64url
  B64_LOOKUP[95] = 63; // '_' of base64url

  function normEncoding(enc) {
    const e = enc === undefined || enc === null ? 'utf8' : String(enc).toLowerCase();
    switch (e) {
      case 'utf8': case 'utf-8': return 'utf8';
      case 'hex': return 'hex';
      case 'base64': return 'base64';
      case 'base64url': return 'base64url';
      case 'latin1': case 'binary': return 'latin1';
      case 'ascii': return 'ascii';
      case 'ucs2': case 'ucs-2': case 'utf16le': case 'utf-16le': return 'utf16le';
      default: throw new TypeError('Unknown encoding: ' + enc);
    }
  }

  function utf8Bytes(str) {
    const out = [];
    for (let i = 0; i < str.length; i++) {
      let c = str.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
        const d = str.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
        else c = 0xfffd;
      } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  }

  function utf8Text(b, start, end) {
    let s = '';
    let i = start;
    while (i < end) {
      const c = b[i];
      let cp = 0xfffd;
      let n = 1;
      if (c < 0x80) cp = c;
      else if (c >= 0xc2 && c < 0xe0 && i + 1 < end && (b[i + 1] & 0xc0) === 0x80) {
        cp = ((c & 31) << 6) | (b[i + 1] & 63); n = 2;
      } else if (c >= 0xe0 && c < 0xf0 && i + 2 < end && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80) {
        cp = ((c & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63); n = 3;
        if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) { cp = 0xfffd; n = 1; }
      } else if (c >= 0xf0 && c < 0xf5 && i + 3 < end && (b[i + 1] & 0xc0) === 0x80 &&
        (b[i + 2] & 0xc0) === 0x80 && (b[i + 3] & 0xc0) === 0x80) {
        cp = ((c & 7) << 18) | ((b[i + 1] & 63) << 12) | ((b[i + 2] & 63) << 6) | (b[i + 3] & 63); n = 4;
        if (cp < 0x10000 || cp > 0x10ffff) { cp = 0xfffd; n = 1; }
      }
      s += cp > 0xffff ? String.fromCharCode(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 1023))
        : String.fromCharCode(cp);
      i += n;
    }
    return s;
  }

  function base64Bytes(str) {
    const out = [];
    let acc = 0;
    let bits = 0;
    for (let i = 0; i < str.length; i++) {
      const code = str.charCodeAt(i);
      if (code === 61) break; // '=' padding ends the data
      const v = code < 128 ? B64_LOOKUP[code] : -1;
      if (v < 0) continue; // Node skips characters outside the alphabet (whitespace...)
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 255); }
    }
    return out;
  }

  function base64Text(b, start, end, url) {
    let s = '';
    for (let i = start; i < end; i += 3) {
      const n = (b[i] << 16) | ((i + 1 < end ? b[i + 1] : 0) << 8) | (i + 2 < end ? b[i + 2] : 0);
      s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
      s += i + 1 < end ? B64[(n >> 6) & 63] : (url ? '' : '=');
      s += i + 2 < end ? B64[n & 63] : (url ? '' : '=');
    }
    return url ? s.replace(/\+/g, '-').replace(/\//g, '_') : s;
  }

  function stringBytes(str, enc) {
    switch (normEncoding(enc)) {
      case 'utf8': return utf8Bytes(str);
      case 'hex': {
        const out = [];
        for (let i = 0; i + 1 < str.length; i += 2) {
          const v = parseInt(str.substr(i, 2), 16);
          if (Number.isNaN(v)) break;
          out.push(v);
        }
        return out;
      }
      case 'base64': case 'base64url': return base64Bytes(str);
      case 'latin1': case 'ascii': {
        const out = new Array(str.length);
        for (let i = 0; i < str.length; i++) out[i] = str.charCodeAt(i) & 255;
        return out;
      }
      case 'utf16le': {
        const out = [];
        for (let i = 0; i < str.length; i++) { const c = str.charCodeAt(i); out.push(c & 255, c >> 8); }
        return out;
      }
    }
    return [];
  }

  function dataView(buf) { return new DataView(buf.buffer, buf.byteOffset, buf.byteLength); }

  function checkOffset(buf, offset, size) {
    if (offset === undefined) offset = 0;
    if (typeof offset !== 'number' || offset % 1 !== 0 || offset < 0 || offset + size > buf.length) {
      throw new RangeError('The value of "offset" is out of range. It must be >= 0 and <= ' + (buf.length - size) + '. Received ' + offset);
    }
    return offset;
  }

  class Buffer extends Uint8Array {
    static from(value, encOrOffset, length) {
      if (typeof value === 'string') return Buffer.fromArray(stringBytes(value, encOrOffset));
      if (value instanceof ArrayBuffer) {
        const off = encOrOffset === undefined ? 0 : encOrOffset;
        return new Buffer(value, off, length === undefined ? value.byteLength - off : length);
      }
      if (ArrayBuffer.isView(value)) {
        const copy = new Buffer(value.byteLength);
        copy.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
        return copy;
      }
      if (Array.isArray(value)) return Buffer.fromArray(value);
      if (value && value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.fromArray(value.data);
      if (value && typeof value.length === 'number') return Buffer.fromArray(Array.from(value));
      throw new TypeError('The first argument must be of type string, Buffer, ArrayBuffer, Array, or Array-like Object');
    }
    static fromArray(arr) {
      const b = new Buffer(arr.length);
      for (let i = 0; i < arr.length; i++) b[i] = arr[i] & 255;
      return b;
    }
    static alloc(size, fill, enc) {
      const b = new Buffer(size);
      if (fill !== undefined && fill !== 0) b.fill(fill, 0, size, enc);
      return b;
    }
    static allocUnsafe(size) { return new Buffer(size); }
    static isBuffer(b) { return b instanceof Buffer; }
    static isEncoding(enc) {
      try { normEncoding(enc); } catch (e) { return !(e instanceof TypeError); }
      return true;
    }
    static byteLength(value, enc) {
      if (typeof value !== 'string') return value.byteLength;
      return stringBytes(value, enc).length;
    }
    static concat(list, total) {
      if (!Array.isArray(list)) throw new TypeError('The "list" argument must be an instance of Array');
      const size = total === undefined ? list.reduce((n, b) => n + b.length, 0) : total;
      const out = new Buffer(size);
      let pos = 0;
      for (const b of list) {
        if (pos >= size) break;
        const part = b.length > size - pos ? b.subarray(0, size - pos) : b;
        out.set(part, pos);
        pos += part.length;
      }
      return out;
    }
    static compare(a, b) { return Buffer.prototype.compare.call(a, b); }

    toString(enc, start, end) {
      const s = start === undefined ? 0 : Math.max(0, start | 0);
      const e = end === undefined ? this.length : Math.min(this.length, end | 0);
      if (e <= s) return '';
      switch (normEncoding(enc)) {
        case 'utf8': return utf8Text(this, s, e);
        case 'hex': { let r = ''; for (let i = s; i < e; i++) r += HEX[this[i] >> 4] + HEX[this[i] & 15]; return r; }
        case 'base64': return base64Text(this, s, e, false);
        case 'base64url': return base64Text(this, s, e, true);
        case 'latin1': { let r = ''; for (let i = s; i < e; i++) r += String.fromCharCode(this[i]); return r; }
        case 'ascii': { let r = ''; for (let i = s; i < e; i++) r += String.fromCharCode(this[i] & 127); return r; }
        case 'utf16le': { let r = ''; for (let i = s; i + 1 < e; i += 2) r += String.fromCharCode(this[i] | (this[i + 1] << 8)); return r; }
      }
      return '';
    }
    toJSON() { return { type: 'Buffer', data: Array.from(this) }; }
    equals(other) { return this.compare(other) === 0; }
    compare(other) {
      const n = Math.min(this.length, other.length);
      for (let i = 0; i < n; i++) if (this[i] !== other[i]) return this[i] < other[i] ? -1 : 1;
      return this.length === other.length ? 0 : (this.length < other.length ? -1 : 1);
    }
    // Node's slice shares memory with the original, unlike Uint8Array's.
    slice(start, end) { return this.subarray(start, end); }
    write(str, offset, length, enc) {
      if (typeof offset === 'string') { enc = offset; offset = 0; length = undefined; }
      else if (typeof length === 'string') { enc = length; length = undefined; }
      const off = offset === undefined ? 0 : offset;
      const bytes = stringBytes(str, enc);
      const n = Math.min(bytes.length, this.length - off, length === undefined ? Infinity : length);
      for (let i = 0; i < n; i++) this[off + i] = bytes[i];
      return n;
    }
    fill(value, offset, end, enc) {
      if (typeof offset === 'string') { enc = offset; offset = 0; end = this.length; }
      const s = offset === undefined ? 0 : offset;
      const e = end === undefined ? this.length : end;
      if (typeof value === 'number') return super.fill(value & 255, s, e);
      const bytes = typeof value === 'string' ? stringBytes(value, enc) : Array.from(value);
      if (bytes.length === 0) return super.fill(0, s, e);
      for (let i = s, j = 0; i < e; i++, j = (j + 1) % bytes.length) this[i] = bytes[j];
      return this;
    }
    copy(target, targetStart, sourceStart, sourceEnd) {
      const ts = targetStart || 0;
      const ss = sourceStart || 0;
      const se = sourceEnd === undefined ? this.length : sourceEnd;
      const n = Math.max(0, Math.min(se - ss, target.length - ts));
      target.set(this.subarray(ss, ss + n), ts);
      return n;
    }
    indexOf(value, byteOffset, enc) {
      const needle = typeof value === 'number' ? [value & 255]
        : typeof value === 'string' ? stringBytes(value, enc) : Array.from(value);
      const from = byteOffset === undefined ? 0 : (byteOffset < 0 ? Math.max(0, this.length + byteOffset) : byteOffset);
      if (needle.length === 0) return Math.min(from, this.length);
      outer: for (let i = from; i <= this.length - needle.length; i++) {
        for (let j = 0; j < needle.length; j++) if (this[i + j] !== needle[j]) continue outer;
        return i;
      }
      return -1;
    }
    includes(value, byteOffset, enc) { return this.indexOf(value, byteOffset, enc) !== -1; }
  }

  // Fixed-width integer and float accessors, generated from one table to keep them consistent.
  const ACCESSORS = [
    ['UInt8', 1, 'getUint8', 'setUint8'], ['Int8', 1, 'getInt8', 'setInt8'],
    ['UInt16', 2, 'getUint16', 'setUint16'], ['Int16', 2, 'getInt16', 'setInt16'],
    ['UInt32', 4, 'getUint32', 'setUint32'], ['Int32', 4, 'getInt32', 'setInt32'],
    ['Float', 4, 'getFloat32', 'setFloat32'], ['Double', 8, 'getFloat64', 'setFloat64'],
    ['BigUInt64', 8, 'getBigUint64', 'setBigUint64'], ['BigInt64', 8, 'getBigInt64', 'setBigInt64'],
  ];
  for (const [name, size, getter, setter] of ACCESSORS) {
    const endians = size === 1 ? [['', false]] : [['LE', true], ['BE', false]];
    for (const [suffix, little] of endians) {
      const read = function (offset) { return dataView(this)[getter](checkOffset(this, offset, size), little); };
      const write = function (value, offset) {
        const off = checkOffset(this, offset, size);
        dataView(this)[setter](off, value, little);
        return off + size;
      };
      Buffer.prototype['read' + name + suffix] = read;
      Buffer.prototype['write' + name + suffix] = write;
      if (name.startsWith('UInt')) {
        Buffer.prototype['readUint' + name.slice(4) + suffix] = read;
        Buffer.prototype['writeUint' + name.slice(4) + suffix] = write;
      }
    }
  }
  Object.defineProperty(Buffer.prototype, 'parent', { get() { return this.buffer; } });
  Object.defineProperty(globalThis, 'Buffer', { value: Buffer, writable: true, configurable: true });
})();
