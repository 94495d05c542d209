import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeObject } from './encode-object.js';

const encode = (value: unknown, maxLength?: number) => encodeObject({ id: 'n1', msg: value }, { maxLength });

describe('encodeObject', () => {
  it('keeps the other fields and does not change its input', () => {
    const input = { id: 'n1', name: 'x', msg: 'hi' };
    const out = encodeObject(input);
    assert.deepEqual(out, { id: 'n1', name: 'x', msg: 'hi', format: 'string[2]' });
    assert.deepEqual(input, { id: 'n1', name: 'x', msg: 'hi' });
  });

  it('encodes an Error with its name, message, code, cause and stack', () => {
    const err = Object.assign(new Error('bad', { cause: 'root' }), { code: 'E_BAD' });
    const out = encode(err);
    assert.equal(out.format, 'error');
    const enc = JSON.parse(out.msg as string);
    assert.deepEqual(Object.keys(enc.data), ['name', 'message', 'code', 'cause', 'stack']);
    assert.equal(enc.data.code, 'E_BAD');
    assert.equal(enc.data.cause, 'root');
  });

  it('leaves out code and cause when an Error has none', () => {
    const enc = JSON.parse(encode(new RangeError('r')).msg as string);
    assert.deepEqual(Object.keys(enc.data), ['name', 'message', 'stack']);
    assert.equal(enc.data.name, 'RangeError');
  });

  it('encodes nested special values the way the sidebar decodes them', () => {
    const value = {
      err: new Error('inner'),
      fn() {},
      nan: NaN,
      inf: -Infinity,
      big: 10n,
      undef: undefined,
      set: new Set([1, 2]),
      map: new Map([['k', 1]]),
      re: /a+/g,
      typed: new Uint16Array([1, 2]),
      _req: { huge: true },
    };
    const out = encode(value);
    assert.equal(out.format, 'Object');
    const parsed = JSON.parse(out.msg as string);
    assert.equal(parsed.err.type, 'error');
    assert.equal(parsed.err.data.message, 'inner');
    assert.deepEqual(parsed.fn, { __enc__: true, type: 'function' });
    assert.deepEqual(parsed.nan, { __enc__: true, type: 'number', data: 'NaN' });
    assert.deepEqual(parsed.inf, { __enc__: true, type: 'number', data: '-Infinity' });
    assert.deepEqual(parsed.big, { __enc__: true, type: 'bigint', data: '10' });
    assert.deepEqual(parsed.undef, { __enc__: true, type: 'undefined' });
    assert.deepEqual(parsed.set, { __enc__: true, type: 'set', data: [1, 2], length: 2 });
    assert.deepEqual(parsed.map, { __enc__: true, type: 'map', data: { k: 1 }, length: 1 });
    assert.deepEqual(parsed.re, { __enc__: true, type: 'regexp', data: '/a+/g' });
    assert.deepEqual(parsed.typed, { __enc__: true, type: 'array', data: [1, 2], length: 2 });
    assert.deepEqual(parsed._req, { __enc__: true, type: 'internal' });
  });

  it('cuts a large nested typed array, naming its type', () => {
    const parsed = JSON.parse(encode({ t: new Uint8Array(12) }, 10).msg as string);
    assert.deepEqual(parsed.t, { __enc__: true, type: 'Uint8Array', data: Array(10).fill(0), length: 12 });
  });

  it('names the path of a circular reference below the top', () => {
    const inner: Record<string, unknown> = { n: 1 };
    inner.self = inner;
    assert.equal(encode({ a: { b: inner } }).msg, '{"a":{"b":{"n":1,"self":"[Circular ~.a.b]"}}}');
  });

  it('shows a repeated (not circular) object twice', () => {
    const shared = { x: 1 };
    assert.equal(encode({ a: shared, b: shared }).msg, '{"a":{"x":1},"b":{"x":1}}');
  });

  it('encodes top-level sets, maps, regexps, typed arrays, dates and class instances', () => {
    assert.deepEqual(encode(new Set(['a'])), { id: 'n1', format: 'set[1]', msg: '{"__enc__":true,"type":"set","data":["a"],"length":1}' });
    assert.equal(encode(new Map([['a', 1]])).format, 'map');
    assert.deepEqual(encode(/x/i), { id: 'n1', format: 'regexp', msg: '/x/i' });
    assert.deepEqual(encode(new Int8Array([1, -1])), { id: 'n1', format: 'Int8Array[2]', msg: '{"__enc__":true,"type":"array","data":[1,-1],"length":2}' });
    const date = new Date(0);
    assert.deepEqual(encode(date), { id: 'n1', format: 'Date', msg: date.toString() });
    class Reading {
      value = 1;
    }
    assert.deepEqual(encode(new Reading()), { id: 'n1', format: 'Reading', msg: '[object Object]' });
  });

  it('shows an object of an error-named class by name and message', () => {
    class FakeError {
      name = 'FakeError';
      message = 'not really';
    }
    assert.deepEqual(encode(new FakeError()), { id: 'n1', format: 'FakeError', msg: '{"name":"FakeError","message":"not really"}' });
  });

  it('shows an object without a prototype as an Object', () => {
    const bare = Object.assign(Object.create(null), { a: 1 });
    assert.deepEqual(encode(bare), { id: 'n1', format: 'Object', msg: '{"a":1}' });
  });

  it('encodes functions and bigints at the top', () => {
    assert.deepEqual(encode(() => 1), { id: 'n1', format: 'function', msg: '[function]' });
    assert.deepEqual(encode(5n), { id: 'n1', format: 'bigint', msg: { __enc__: true, type: 'bigint', data: '5' } });
  });

  it('reports a value that cannot be encoded as an encodeObject error', () => {
    const hostile = { toJSON() { throw new Error('no way'); } };
    const out = encode(hostile);
    assert.equal(out.format, 'error');
    assert.match(JSON.parse(out.msg as string).data.message, /^encodeObject Error: no way/);
  });
});
