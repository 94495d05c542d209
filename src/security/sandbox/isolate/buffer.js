// Runs inside each sandbox context as a plain script (never imported by Node). It gives user code
// Node 20's `Buffer`: the same results, and the same errors (TypeError for a wrong type,
// RangeError for a value or offset out of range), for what function-node code does with bytes:
// decoding device frames, Modbus registers, checksums. It is a Uint8Array subclass so that
// isolated-vm's structured copy carries it out as bytes, which the host turns back into a Buffer.
// Written here rather than bundled from the npm `buffer` package: that package answers another
// Node (no base64url, offsets not checked, no reads past the end refused), and on the corpus of
// isolate-buffer.test.ts it differed from Node in more calls than this file did before it was
// brought in line; the test compares every call with the host's real Buffer.
// The script only defines the function that makes the class: runtime.js takes it, and makes the
// class when code first reads `Buffer` or a message brings bytes in (most function nodes never
// do; made in every context, the class costs each about 30 KB of heap).
globalThis.__redoubtMakeBuffer = function makeBuffer() {
  'use strict';
  const HEX = '0123456789abcdef';
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const B64_LOOKUP = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) B64_LOOKUP[B64.charCodeAt(i)] = i;
  B64_LOOKUP[45] = 62; // '-' of base64url
  B64_LOOKUP[95] = 63; // '_' of base64url
  const HEX_LOOKUP = new Int8Array(128).fill(-1);
  for (let i = 0; i < 16; i++) { HEX_LOOKUP[HEX.charCodeAt(i)] = i; HEX_LOOKUP[HEX.toUpperCase().charCodeAt(i)] = i; }
  const K_MAX_LENGTH = 2 ** 32;

  function typeError(message) { return new TypeError(message); }
  function rangeError(message) { return new RangeError(message); }
  function received(v) { return typeof v === 'string' ? "type string ('" + v + "')" : typeof v === 'number' ? String(v) : 'type ' + typeof v; }

  // Node's names for encodings; undefined for one it does not know.
  function normEncoding(enc) {
    if (enc === undefined || enc === null || enc === '') return 'utf8';
    switch (String(enc).toLowerCase()) {
      case 'utf8': case 'utf-8': return 'utf8';
      case 'hex': return 'hex';
      case 'base64': return 'base64';
      case 'base64url': return 'base64url';
      case 'latin1': case 'binary': return 'latin1';
      case 'ascii': return 'ascii';
      case 'ucs2': case 'ucs-2': case 'utf16le': case 'utf-16le': return 'utf16le';
      default: return undefined;
    }
  }
  // toString and indexOf name no default: only undefined means utf8 there (null is an error).
  function namedEncoding(enc) {
    if (enc === undefined) return 'utf8';
    const e = String(enc) === '' ? undefined : normEncoding(String(enc));
    if (e === undefined) throw typeError('Unknown encoding: ' + enc);
    return e;
  }
  function encodingOf(enc) {
    const e = normEncoding(enc);
    if (e === undefined) throw typeError('Unknown encoding: ' + enc);
    return e;
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

  // The WHATWG UTF-8 decoder, as Node's: one U+FFFD for each maximal invalid subsequence.
  function utf8Text(b, start, end) {
    let s = '';
    let i = start;
    while (i < end) {
      const c = b[i++];
      if (c < 0x80) { s += String.fromCharCode(c); continue; }
      let need;
      let cp;
      let lower = 0x80;
      let upper = 0xbf;
      if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
      else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0xf; if (c === 0xe0) lower = 0xa0; if (c === 0xed) upper = 0x9f; }
      else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x7; if (c === 0xf0) lower = 0x90; if (c === 0xf4) upper = 0x8f; }
      else { s += '\ufffd'; continue; }
      let ok = true;
      for (let k = 0; k < need; k++) {
        const d = i < end ? b[i] : -1;
        if (d < lower || d > upper) { ok = false; break; }
        cp = (cp << 6) | (d & 0x3f);
        lower = 0x80;
        upper = 0xbf;
        i++;
      }
      if (!ok) { s += '\ufffd'; continue; }
      s += cp > 0xffff ? String.fromCharCode(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 1023)) : String.fromCharCode(cp);
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
      acc = ((acc << 6) | v) & 0xffffff;
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

  // Node reads hex two digits at a time and stops at the first pair that is not hex.
  function hexBytes(str) {
    const out = [];
    for (let i = 0; i + 1 < str.length; i += 2) {
      const a = str.charCodeAt(i);
      const b = str.charCodeAt(i + 1);
      const hi = a < 128 ? HEX_LOOKUP[a] : -1;
      const lo = b < 128 ? HEX_LOOKUP[b] : -1;
      if (hi < 0 || lo < 0) break;
      out.push((hi << 4) | lo);
    }
    return out;
  }

  function stringBytes(str, enc) {
    switch (enc) {
      case 'utf8': return utf8Bytes(str);
      case 'hex': return hexBytes(str);
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

  function utf8Length(str) {
    let n = 0;
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length && str.charCodeAt(i + 1) >= 0xdc00 && str.charCodeAt(i + 1) <= 0xdfff) { n += 4; i++; }
      else n += 3;
    }
    return n;
  }

  function isUint8Array(v) { return v instanceof Uint8Array; }

  function validateNumber(v, name) {
    if (typeof v !== 'number') throw typeError('The "' + name + '" argument must be of type number. Received ' + received(v));
  }

  // An integer argument within [min, max] (Node's validateOffset/validateInteger).
  function validateInteger(v, name, min, max) {
    validateNumber(v, name);
    if (!Number.isInteger(v)) throw rangeError('The value of "' + name + '" is out of range. It must be an integer. Received ' + v);
    if (v < min || v > max) throw rangeError('The value of "' + name + '" is out of range. It must be >= ' + min + ' && <= ' + max + '. Received ' + v);
  }

  // Where a read or write of `size` bytes may start: a number, an integer, inside the buffer.
  function checkOffset(buf, offset, size) {
    if (offset === undefined) offset = 0;
    validateNumber(offset, 'offset');
    if (!Number.isInteger(offset)) throw rangeError('The value of "offset" is out of range. It must be an integer. Received ' + offset);
    if (buf.length - size < 0) throw rangeError('Attempt to access memory outside buffer bounds');
    if (offset < 0 || offset + size > buf.length) {
      throw rangeError('The value of "offset" is out of range. It must be >= 0 and <= ' + (buf.length - size) + '. Received ' + offset);
    }
    return offset;
  }

  function checkByteLength(byteLength) {
    validateNumber(byteLength, 'byteLength');
    if (!Number.isInteger(byteLength) || byteLength < 1 || byteLength > 6) {
      throw rangeError('The value of "byteLength" is out of range. It must be >= 1 and <= 6. Received ' + byteLength);
    }
  }

  function checkValue(value, min, max) {
    if (value > max || value < min) {
      throw rangeError('The value of "value" is out of range. It must be >= ' + min + ' and <= ' + max + '. Received ' + value);
    }
  }

  function checkSize(size) {
    validateNumber(size, 'size');
    if (size < 0 || size > K_MAX_LENGTH || Number.isNaN(size)) throw rangeError('The argument \'size\' is invalid. Received ' + size);
  }

  function dataView(buf) { return new DataView(buf.buffer, buf.byteOffset, buf.byteLength); }

  // Node's `indexOf` offset rules (IndexOfOffset in its C++): -1 means no match possible.
  function searchStart(length, offset, needleLength, forward) {
    if (offset < 0) {
      if (offset + length >= 0) return length + offset;
      return forward || needleLength === 0 ? 0 : -1;
    }
    if (offset + needleLength <= length) return offset;
    if (needleLength === 0) return length;
    return forward ? -1 : length - 1;
  }

  function searchBytes(buf, needle, offset, forward) {
    const len = buf.length;
    const start = searchStart(len, offset, needle.length, forward);
    if (needle.length === 0) return start;
    if (len === 0 || start <= -1) return -1;
    if (forward) {
      outer: for (let i = start; i <= len - needle.length; i++) {
        for (let j = 0; j < needle.length; j++) if (buf[i + j] !== needle[j]) continue outer;
        return i;
      }
      return -1;
    }
    outer2: for (let i = Math.min(start, len - needle.length); i >= 0; i--) {
      for (let j = 0; j < needle.length; j++) if (buf[i + j] !== needle[j]) continue outer2;
      return i;
    }
    return -1;
  }

  function indexOfAny(buf, value, byteOffset, enc, forward) {
    if (typeof byteOffset === 'string') { enc = byteOffset; byteOffset = undefined; }
    else if (byteOffset > 0x7fffffff) byteOffset = 0x7fffffff;
    else if (byteOffset < -0x80000000) byteOffset = -0x80000000;
    byteOffset = +byteOffset;
    if (Number.isNaN(byteOffset)) byteOffset = forward ? 0 : buf.length;
    byteOffset = Math.trunc(byteOffset);
    if (typeof value === 'number') {
      const start = searchStart(buf.length, byteOffset, 1, forward);
      if (start <= -1 || buf.length === 0) return -1;
      const needle = (value >>> 0) & 255;
      if (forward) { for (let i = start; i < buf.length; i++) if (buf[i] === needle) return i; }
      else { for (let i = Math.min(start, buf.length - 1); i >= 0; i--) if (buf[i] === needle) return i; }
      return -1;
    }
    if (typeof value === 'string') return searchBytes(buf, stringBytes(value, namedEncoding(enc)), byteOffset, forward);
    if (isUint8Array(value)) return searchBytes(buf, value, byteOffset, forward);
    throw typeError('The "value" argument must be one of type number or string or an instance of Buffer or Uint8Array. Received ' + received(value));
  }

  function fromString(str, enc) { return Buffer.fromArray(stringBytes(str, encodingOf(enc))); }

  class Buffer extends Uint8Array {
    static from(value, encOrOffset, length) {
      if (typeof value === 'string') return fromString(value, encOrOffset);
      if (typeof value === 'object' && value !== null) {
        if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)) {
          const off = encOrOffset === undefined ? 0 : +encOrOffset || 0;
          const max = value.byteLength - off;
          if (max < 0) throw rangeError('"offset" is outside of buffer bounds');
          const len = length === undefined ? max : +length || 0;
          if (len > max) throw rangeError('"length" is outside of buffer bounds');
          return new Buffer(value, off, Math.max(0, len));
        }
        const valueOf = value.valueOf && value.valueOf();
        if (valueOf != null && valueOf !== value && (typeof valueOf === 'string' || typeof valueOf === 'object')) return Buffer.from(valueOf, encOrOffset, length);
        // A typed array of another kind is taken value by value, as an array would be.
        if (value.length !== undefined || (value.buffer instanceof ArrayBuffer)) {
          if (typeof value.length !== 'number') return new Buffer(0);
          return Buffer.fromArray(value);
        }
        if (value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.fromArray(value.data);
        if (typeof value[Symbol.toPrimitive] === 'function') {
          const primitive = value[Symbol.toPrimitive]('string');
          if (typeof primitive === 'string') return fromString(primitive, encOrOffset);
        }
      }
      throw typeError('The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received ' + received(value));
    }
    static fromArray(arr) {
      const b = new Buffer(arr.length);
      b.set(arr);
      return b;
    }
    static alloc(size, fill, enc) {
      checkSize(size);
      const b = new Buffer(size);
      if (fill !== undefined && fill !== 0 && size > 0) b.fill(fill, enc);
      return b;
    }
    static allocUnsafe(size) { checkSize(size); return new Buffer(size); }
    static allocUnsafeSlow(size) { checkSize(size); return new Buffer(size); }
    static isBuffer(b) { return b instanceof Buffer; }
    static isEncoding(enc) { return typeof enc === 'string' && enc.length !== 0 && normEncoding(enc) !== undefined; }
    static byteLength(value, enc) {
      if (typeof value !== 'string') {
        if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength;
        throw typeError('The "string" argument must be of type string or an instance of Buffer or ArrayBuffer. Received ' + received(value));
      }
      if (value.length === 0) return 0;
      switch (normEncoding(enc)) {
        case 'hex': return value.length >>> 1;
        case 'base64': case 'base64url': {
          let n = value.length;
          if (value.charCodeAt(n - 1) === 61) n--;
          if (n > 1 && value.charCodeAt(n - 1) === 61) n--;
          return (n * 3) >>> 2;
        }
        case 'latin1': case 'ascii': return value.length;
        case 'utf16le': return value.length * 2;
        default: return utf8Length(value);
      }
    }
    static concat(list, total) {
      if (!Array.isArray(list)) throw typeError('The "list" argument must be an instance of Array. Received ' + received(list));
      if (list.length === 0) return new Buffer(0);
      for (let i = 0; i < list.length; i++) {
        if (!isUint8Array(list[i])) throw typeError('The "list[' + i + ']" argument must be an instance of Buffer or Uint8Array. Received ' + received(list[i]));
      }
      let size = total;
      if (size === undefined) { size = 0; for (const b of list) size += b.length; }
      else validateInteger(size, 'length', 0, K_MAX_LENGTH);
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
    static compare(a, b) {
      if (!isUint8Array(a)) throw typeError('The "buf1" argument must be an instance of Buffer or Uint8Array. Received ' + received(a));
      if (!isUint8Array(b)) throw typeError('The "buf2" argument must be an instance of Buffer or Uint8Array. Received ' + received(b));
      return compareRange(a, 0, a.length, b, 0, b.length);
    }

    toString(enc, start, end) {
      const len = this.length;
      if (arguments.length === 0) return utf8Text(this, 0, len);
      if (start <= 0) start = 0;
      else if (start >= len) return '';
      else start = Math.trunc(start) || 0;
      if (end === undefined || end > len) end = len;
      else end = Math.trunc(end) || 0;
      if (end <= start) return '';
      switch (namedEncoding(enc)) {
        case 'utf8': return utf8Text(this, start, end);
        case 'hex': { let r = ''; for (let i = start; i < end; i++) r += HEX[this[i] >> 4] + HEX[this[i] & 15]; return r; }
        case 'base64': return base64Text(this, start, end, false);
        case 'base64url': return base64Text(this, start, end, true);
        case 'latin1': { let r = ''; for (let i = start; i < end; i++) r += String.fromCharCode(this[i]); return r; }
        case 'ascii': { let r = ''; for (let i = start; i < end; i++) r += String.fromCharCode(this[i] & 127); return r; }
        case 'utf16le': { let r = ''; for (let i = start; i + 1 < end; i += 2) r += String.fromCharCode(this[i] | (this[i + 1] << 8)); return r; }
      }
      return '';
    }
    toLocaleString(enc, start, end) { return arguments.length === 0 ? this.toString() : this.toString(enc, start, end); }
    toJSON() { return { type: 'Buffer', data: Array.from(this) }; }
    equals(other) {
      if (!isUint8Array(other)) throw typeError('The "otherBuffer" argument must be an instance of Buffer or Uint8Array. Received ' + received(other));
      return compareRange(this, 0, this.length, other, 0, other.length) === 0;
    }
    compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
      if (!isUint8Array(target)) throw typeError('The "target" argument must be an instance of Buffer or Uint8Array. Received ' + received(target));
      if (targetStart === undefined) targetStart = 0; else validateInteger(targetStart, 'targetStart', 0, K_MAX_LENGTH);
      if (targetEnd === undefined) targetEnd = target.length; else validateInteger(targetEnd, 'targetEnd', 0, target.length);
      if (sourceStart === undefined) sourceStart = 0; else validateInteger(sourceStart, 'sourceStart', 0, K_MAX_LENGTH);
      if (sourceEnd === undefined) sourceEnd = this.length; else validateInteger(sourceEnd, 'sourceEnd', 0, this.length);
      if (sourceStart >= sourceEnd) return targetStart >= targetEnd ? 0 : -1;
      if (targetStart >= targetEnd) return 1;
      return compareRange(this, sourceStart, sourceEnd, target, targetStart, targetEnd);
    }
    // Node's slice shares memory with the original, unlike Uint8Array's.
    slice(start, end) { return this.subarray(start, end); }
    write(str, offset, length, enc) {
      if (typeof str !== 'string') throw typeError('The "string" argument must be of type string. Received ' + received(str));
      if (offset === undefined) { offset = 0; length = this.length; }
      else if (length === undefined && typeof offset === 'string') { enc = offset; length = this.length; offset = 0; }
      else {
        validateInteger(offset, 'offset', 0, this.length);
        const remaining = this.length - offset;
        if (length === undefined) length = remaining;
        else if (typeof length === 'string') { enc = length; length = remaining; }
        else { validateInteger(length, 'length', 0, this.length); if (length > remaining) length = remaining; }
      }
      const e = encodingOf(enc);
      const room = Math.min(length, this.length - offset);
      let bytes;
      if (e === 'utf8') {
        // Only whole characters are written.
        bytes = [];
        for (const ch of str) {
          const b = utf8Bytes(ch);
          if (bytes.length + b.length > room) break;
          for (const x of b) bytes.push(x);
        }
      } else {
        bytes = stringBytes(str, e);
        if (e === 'utf16le' && bytes.length > room) bytes = bytes.slice(0, room - (room % 2));
      }
      const n = Math.min(bytes.length, room);
      for (let i = 0; i < n; i++) this[offset + i] = bytes[i];
      return n;
    }
    fill(value, offset, end, enc) {
      if (typeof value === 'string') {
        if (offset === undefined || typeof offset === 'string') { enc = offset; offset = 0; end = this.length; }
        else if (typeof end === 'string') { enc = end; end = this.length; }
        const e = normEncoding(enc);
        if (e === undefined) throw typeError('Unknown encoding: ' + enc);
        if (value.length === 0) value = 0;
        else if (value.length === 1 && ((e === 'utf8' && value.charCodeAt(0) < 128) || e === 'latin1')) value = value.charCodeAt(0) & 255;
        else value = stringBytes(value, e);
      } else if (isUint8Array(value)) {
        value = Array.from(value);
      } else if (typeof value === 'boolean') {
        value = Number(value);
      }
      if (offset === undefined) { offset = 0; end = this.length; }
      else {
        validateInteger(offset, 'offset', 0, K_MAX_LENGTH);
        if (end === undefined) end = this.length; else validateInteger(end, 'end', 0, this.length);
        if (offset >= end) return this;
      }
      if (offset > this.length) throw rangeError('Attempt to access memory outside buffer bounds');
      if (typeof value === 'number') return super.fill(value & 255, offset, end);
      if (!Array.isArray(value)) return super.fill(Number(value) & 255, offset, end);
      if (value.length === 0) throw typeError('The argument \'value\' is invalid.');
      for (let i = offset, j = 0; i < end; i++, j = (j + 1) % value.length) this[i] = value[j];
      return this;
    }
    copy(target, targetStart, sourceStart, sourceEnd) {
      if (!isUint8Array(target)) throw typeError('The "target" argument must be an instance of Buffer or Uint8Array. Received ' + received(target));
      const toInt = (v) => (Number.isInteger(v) ? v : Math.trunc(+v) || 0);
      targetStart = targetStart === undefined ? 0 : toInt(targetStart);
      if (targetStart < 0) throw rangeError('The value of "targetStart" is out of range. It must be >= 0. Received ' + targetStart);
      sourceStart = sourceStart === undefined ? 0 : toInt(sourceStart);
      if (sourceStart < 0 || sourceStart > this.length) throw rangeError('The value of "sourceStart" is out of range. It must be >= 0 && <= ' + this.length + '. Received ' + sourceStart);
      sourceEnd = sourceEnd === undefined ? this.length : toInt(sourceEnd);
      if (sourceEnd < 0) throw rangeError('The value of "sourceEnd" is out of range. It must be >= 0. Received ' + sourceEnd);
      if (targetStart >= target.length || sourceStart >= sourceEnd) return 0;
      if (sourceEnd - sourceStart > target.length - targetStart) sourceEnd = sourceStart + target.length - targetStart;
      const n = Math.min(sourceEnd - sourceStart, this.length - sourceStart);
      // set() copies through a temporary when the two overlap, as memmove does.
      target.set(new Uint8Array(this.buffer, this.byteOffset + sourceStart, n), targetStart);
      return n;
    }
    indexOf(value, byteOffset, enc) { return indexOfAny(this, value, byteOffset, enc, true); }
    lastIndexOf(value, byteOffset, enc) { return indexOfAny(this, value, byteOffset, enc, false); }
    includes(value, byteOffset, enc) { return this.indexOf(value, byteOffset, enc) !== -1; }
    swap16() { return swap(this, 2); }
    swap32() { return swap(this, 4); }
    swap64() { return swap(this, 8); }
    readUIntBE(offset, byteLength) { return readVar(this, offset, byteLength, false, false); }
    readUIntLE(offset, byteLength) { return readVar(this, offset, byteLength, true, false); }
    readIntBE(offset, byteLength) { return readVar(this, offset, byteLength, false, true); }
    readIntLE(offset, byteLength) { return readVar(this, offset, byteLength, true, true); }
    writeUIntBE(value, offset, byteLength) { return writeVar(this, value, offset, byteLength, false, false); }
    writeUIntLE(value, offset, byteLength) { return writeVar(this, value, offset, byteLength, true, false); }
    writeIntBE(value, offset, byteLength) { return writeVar(this, value, offset, byteLength, false, true); }
    writeIntLE(value, offset, byteLength) { return writeVar(this, value, offset, byteLength, true, true); }
  }

  function compareRange(a, aStart, aEnd, b, bStart, bEnd) {
    const n = Math.min(aEnd - aStart, bEnd - bStart);
    for (let i = 0; i < n; i++) {
      const x = a[aStart + i];
      const y = b[bStart + i];
      if (x !== y) return x < y ? -1 : 1;
    }
    const la = aEnd - aStart;
    const lb = bEnd - bStart;
    return la === lb ? 0 : (la < lb ? -1 : 1);
  }

  function swap(buf, size) {
    if (buf.length % size !== 0) throw rangeError('Buffer size must be a multiple of ' + (size * 8) + '-bits');
    for (let i = 0; i < buf.length; i += size) {
      for (let a = i, b = i + size - 1; a < b; a++, b--) { const t = buf[a]; buf[a] = buf[b]; buf[b] = t; }
    }
    return buf;
  }

  // Integers of 1 to 6 bytes (readUIntBE and its kin), exact: 6 bytes stay below 2^53.
  function readVar(buf, offset, byteLength, little, signed) {
    if (offset === undefined) throw typeError('The "offset" argument must be of type number. Received type undefined');
    checkByteLength(byteLength);
    checkOffset(buf, offset, byteLength);
    let v = 0;
    for (let k = 0; k < byteLength; k++) v = v * 256 + buf[little ? offset + byteLength - 1 - k : offset + k];
    if (signed && v >= 2 ** (8 * byteLength - 1)) v -= 2 ** (8 * byteLength);
    return v;
  }

  function writeVar(buf, value, offset, byteLength, little, signed) {
    if (offset === undefined) throw typeError('The "offset" argument must be of type number. Received type undefined');
    checkByteLength(byteLength);
    value = +value;
    const bits = 8 * byteLength;
    if (signed) checkValue(value, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1);
    else checkValue(value, 0, 2 ** bits - 1);
    checkOffset(buf, offset, byteLength);
    let v = Math.trunc(value) || 0;
    if (v < 0) v += 2 ** bits;
    for (let k = 0; k < byteLength; k++) {
      buf[little ? offset + k : offset + byteLength - 1 - k] = v % 256;
      v = Math.floor(v / 256);
    }
    return offset + byteLength;
  }

  // Fixed-width integer and float accessors, generated from one table to keep them consistent:
  // integers are range-checked on write, floats are not (Node writes 1e40 as Infinity).
  const ACCESSORS = [
    ['UInt8', 1, 'getUint8', 'setUint8', 0, 0xff], ['Int8', 1, 'getInt8', 'setInt8', -0x80, 0x7f],
    ['UInt16', 2, 'getUint16', 'setUint16', 0, 0xffff], ['Int16', 2, 'getInt16', 'setInt16', -0x8000, 0x7fff],
    ['UInt32', 4, 'getUint32', 'setUint32', 0, 0xffffffff], ['Int32', 4, 'getInt32', 'setInt32', -0x80000000, 0x7fffffff],
    ['Float', 4, 'getFloat32', 'setFloat32'], ['Double', 8, 'getFloat64', 'setFloat64'],
    ['BigUInt64', 8, 'getBigUint64', 'setBigUint64', 0n, 2n ** 64n - 1n], ['BigInt64', 8, 'getBigInt64', 'setBigInt64', -(2n ** 63n), 2n ** 63n - 1n],
  ];
  for (const [name, size, getter, setter, min, max] of ACCESSORS) {
    const endians = size === 1 ? [['', false]] : [['LE', true], ['BE', false]];
    const isBig = typeof min === 'bigint';
    for (const [suffix, little] of endians) {
      const read = function (offset) { return dataView(this)[getter](checkOffset(this, offset, size), little); };
      const write = function (value, offset) {
        if (isBig) {
          if (typeof value !== 'bigint') throw typeError('Cannot mix BigInt and other types, use explicit conversions');
        } else {
          value = +value;
        }
        if (min !== undefined) checkValue(value, min, max);
        const off = checkOffset(this, offset, size);
        dataView(this)[setter](off, value, little);
        return off + size;
      };
      const names = [name];
      if (name.startsWith('UInt')) names.push('Uint' + name.slice(4));
      if (name === 'BigUInt64') names.push('BigUint64');
      for (const n of names) {
        Buffer.prototype['read' + n + suffix] = read;
        Buffer.prototype['write' + n + suffix] = write;
      }
    }
  }
  for (const [alias, of] of [['readUintBE', 'readUIntBE'], ['readUintLE', 'readUIntLE'], ['writeUintBE', 'writeUIntBE'], ['writeUintLE', 'writeUIntLE']]) {
    Buffer.prototype[alias] = Buffer.prototype[of];
  }
  Object.defineProperty(Buffer.prototype, 'parent', { get() { return this.buffer; } });
  Object.defineProperty(Buffer.prototype, 'offset', { get() { return this.byteOffset; } });
  Buffer.poolSize = 8192;
  return Buffer;
};
