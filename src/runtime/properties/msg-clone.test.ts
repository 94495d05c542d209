import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cloneMessage, cloneValueDeep, generateId } from './msg-clone.js';

class Point {
  constructor(public x: number, public tags: string[]) {}
  norm(): number {
    return Math.abs(this.x);
  }
}

describe('cloneMessage', () => {
  it('deep-copies plain objects and arrays', () => {
    const msg = { payload: { a: [1, { b: 2 }] }, topic: 't' };
    const copy = cloneMessage(msg);
    assert.deepEqual(copy, msg);
    (copy.payload.a[1] as { b: number }).b = 3;
    assert.equal((msg.payload.a[1] as { b: number }).b, 2);
    assert.notEqual(copy.payload.a, msg.payload.a);
  });

  it('shares req and res instead of copying them', () => {
    const req = { socket: {} };
    const res = { end() {} };
    const msg = { payload: 1, req, res };
    const copy = cloneMessage(msg);
    assert.equal(copy.req, req);
    assert.equal(copy.res, res);
    assert.equal(msg.req, req);
  });

  it('keeps Buffers, Dates, RegExps, typed arrays, Maps and Sets with their types', () => {
    const msg = {
      buf: Buffer.from('hi'),
      when: new Date(1000),
      re: /a+b/gi,
      u16: new Uint16Array([1, 2]),
      map: new Map<string, unknown>([['k', { v: 1 }]]),
      set: new Set([{ s: 1 }]),
      ab: new ArrayBuffer(4),
    };
    const copy = cloneMessage(msg);
    assert.ok(Buffer.isBuffer(copy.buf));
    assert.notEqual(copy.buf, msg.buf);
    assert.equal(copy.buf.toString(), 'hi');
    copy.buf[0] = 0;
    assert.equal(msg.buf.toString(), 'hi');
    assert.ok(copy.when instanceof Date && copy.when.getTime() === 1000 && copy.when !== msg.when);
    assert.ok(copy.re instanceof RegExp && copy.re.flags === 'gi' && copy.re.source === 'a+b' && copy.re !== msg.re);
    assert.ok(copy.u16 instanceof Uint16Array && copy.u16[1] === 2 && copy.u16 !== msg.u16);
    assert.ok(copy.map instanceof Map && copy.map.get('k') !== msg.map.get('k'));
    assert.deepEqual(copy.map.get('k'), { v: 1 });
    assert.ok(copy.set instanceof Set && [...copy.set][0] !== [...msg.set][0]);
    assert.ok(copy.ab instanceof ArrayBuffer && copy.ab !== msg.ab && copy.ab.byteLength === 4);
  });

  it('handles cycles and shared references', () => {
    const shared = { n: 1 };
    const msg: Record<string, unknown> = { a: shared, b: shared };
    msg.self = msg;
    const copy = cloneMessage(msg);
    assert.equal(copy.self, copy);
    assert.equal(copy.a, copy.b);
    assert.notEqual(copy.a, shared);
  });

  it('copies class instances onto an object with the same prototype', () => {
    const p = new Point(-2, ['x']);
    const copy = cloneMessage({ p }).p;
    assert.ok(copy instanceof Point);
    assert.equal(copy.norm(), 2);
    assert.notEqual(copy.tags, p.tags);
  });

  it('keeps undefined values and functions', () => {
    const fn = (): number => 1;
    const copy = cloneMessage({ u: undefined, fn });
    assert.ok('u' in copy);
    assert.equal(copy.fn, fn);
  });

  it('returns primitives and null unchanged', () => {
    assert.equal(cloneMessage(null), null);
    assert.equal(cloneMessage(5), 5);
    assert.equal(cloneMessage(undefined), undefined);
  });

  it('clones arrays at top level', () => {
    const list = [{ a: 1 }];
    const copy = cloneValueDeep(list);
    assert.deepEqual(copy, list);
    assert.notEqual(copy[0], list[0]);
  });
});

describe('cloneMessage, objects seen', () => {
  it('keeps shared references and cycles in messages of more than 32 objects', () => {
    const shared = { s: 1 };
    const items = Array.from({ length: 50 }, (_, i) => ({ i, shared }));
    const msg: Record<string, unknown> = { payload: items, last: items[49] };
    msg.self = msg;
    const copy = cloneMessage(msg) as { payload: Array<{ shared: object }>; last: object; self: unknown };
    assert.equal(copy.self, copy);
    assert.equal(copy.last, copy.payload[49]);
    assert.equal(copy.payload[0]!.shared, copy.payload[49]!.shared);
    assert.notEqual(copy.payload[0]!.shared, shared);
  });

  it('starts each clone afresh: an object cloned before is copied again', () => {
    const inner = { n: 1 };
    const a = cloneMessage({ inner });
    const b = cloneMessage({ inner });
    assert.notEqual(a.inner, b.inner);
    assert.notEqual(a.inner, inner);
  });

  it('clones correctly when a getter clones another message during a clone', () => {
    const other = { payload: { deep: [1, 2] } };
    let nested: typeof other | undefined;
    const shared = { v: 1 };
    const msg = {
      a: shared,
      get b() {
        nested = cloneMessage(other);
        return shared;
      },
    };
    const copy = cloneMessage(msg) as { a: object; b: object };
    assert.equal(copy.a, copy.b);
    assert.notEqual(copy.a, shared);
    assert.deepEqual(nested, other);
    assert.notEqual(nested!.payload, other.payload);
  });
});

describe('cloneMessage, unusual keys', () => {
  it('keeps an own __proto__ key (from JSON) as a property, not as the prototype', () => {
    const msg = JSON.parse('{"payload":{"__proto__":{"polluted":true},"a":1}}') as { payload: Record<string, unknown> };
    const copy = cloneMessage(msg);
    assert.equal(Object.getPrototypeOf(copy.payload), Object.prototype);
    assert.deepEqual(Object.keys(copy.payload), ['__proto__', 'a']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(copy.payload, '__proto__')?.value, { polluted: true });
    assert.notEqual(Object.getOwnPropertyDescriptor(copy.payload, '__proto__')?.value, Object.getOwnPropertyDescriptor(msg.payload, '__proto__')?.value);
    assert.equal((copy.payload as { polluted?: unknown }).polluted, undefined);
  });

  // Node-RED's cloneMessage is lodash's cloneDeep: checked against it on Node-RED 4.1's util.
  it('gives a null-prototype object back as a plain object, an own __proto__ key still a key', () => {
    const dict = Object.assign(Object.create(null) as Record<string, unknown>, { a: { b: 1 } });
    Object.defineProperty(dict, '__proto__', { value: { polluted: true }, enumerable: true, writable: true, configurable: true });
    const copy = cloneMessage({ payload: dict }).payload as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.keys(copy), ['a', '__proto__']);
    assert.notEqual(copy.a, dict.a);
    assert.deepEqual(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value, { polluted: true });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('boxes a boxed primitive again, with its value', () => {
    const src = { n: new Number(3), s: new String('ab'), b: new Boolean(false) };
    const copy = cloneMessage({ payload: src }).payload;
    assert.equal(copy.n.valueOf(), 3);
    assert.equal(copy.s.valueOf(), 'ab');
    assert.equal(copy.b.valueOf(), false);
    assert.notEqual(copy.n, src.n);
    assert.ok(copy.s instanceof String);
  });

  it('copies symbol-keyed properties, as Node-RED does', () => {
    const tag = Symbol('tag');
    const msg = { payload: 1, [tag]: 'x' };
    assert.equal(cloneMessage(msg)[tag], 'x');
  });

  it('reads a getter once and copies its value', () => {
    let reads = 0;
    const msg = {
      get payload() {
        reads++;
        return { n: reads };
      },
    };
    const copy = cloneMessage(msg);
    assert.equal(reads, 1);
    assert.deepEqual(Object.getOwnPropertyDescriptor(copy, 'payload')?.value, { n: 1 });
  });

  it('copies own properties only, whatever Object.prototype holds', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.inherited = { x: 1 };
    try {
      const copy = cloneMessage({ payload: { a: 1 } });
      assert.deepEqual(Object.keys(copy), ['payload']);
      assert.deepEqual(Object.keys(copy.payload), ['a']);
    } finally {
      delete proto.inherited;
    }
  });
});

describe('generateId', () => {
  it('returns 16 hex characters, different each time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => generateId()));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, /^[0-9a-f]{16}$/);
    assert.equal(new Set([...ids].join('')).size, 16);
  });
});
