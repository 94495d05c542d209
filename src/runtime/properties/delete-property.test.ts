import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { deleteProperty } from './delete-property.js';

// The point of deleteProperty is V8's object layout, which only V8 itself can report.
v8.setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

/** What the `delete` operator leaves, to compare with. */
function plainDelete<T extends object>(obj: T, key: string | number): T {
  delete (obj as Record<string | number, unknown>)[key];
  return obj;
}

function names(obj: object): Array<string | symbol> {
  return Reflect.ownKeys(obj);
}

describe('deleteProperty', () => {
  it('deletes a property followed by others, keeping their order and the fast layout', () => {
    const make = () => ({ payload: 1, topic: 't', t0: 1.5e12, token: 'x', parts: { id: 1 }, _msgid: 'abc', extra: [1] });
    const msg = make();
    deleteProperty(msg, 'parts');
    assert.deepEqual(names(msg), names(plainDelete(make(), 'parts')));
    assert.deepEqual(msg, { payload: 1, topic: 't', t0: 1.5e12, token: 'x', _msgid: 'abc', extra: [1] });
    assert.equal(hasFastProperties(msg), true);
    assert.equal(hasFastProperties(plainDelete(make(), 'parts')), false, 'the layout a plain delete leaves');
  });

  it('deletes the last property and ignores a missing one', () => {
    const msg: Record<string, unknown> = { a: 1, b: 2 };
    deleteProperty(msg, 'b');
    deleteProperty(msg, 'nope');
    assert.deepEqual(names(msg), ['a']);
  });

  it('works on objects without a prototype', () => {
    const obj = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: 2, c: 3 });
    deleteProperty(obj, 'a');
    assert.deepEqual(names(obj), ['b', 'c']);
    assert.equal(Object.getPrototypeOf(obj), null);
  });

  it('leaves later accessors, non-enumerable and symbol properties where a delete leaves them', () => {
    const sym = Symbol('s');
    const make = () => {
      const o: Record<string | symbol, unknown> = { a: 1, b: 2 };
      Object.defineProperty(o, 'hidden', { value: 'h', enumerable: false, writable: true, configurable: true });
      o.c = 3;
      o[sym] = 4;
      Object.defineProperty(o, 'computed', { get: () => 5, enumerable: true, configurable: true });
      o.d = 6;
      return o;
    };
    for (const key of ['a', 'b', 'c', 'd']) {
      const obj = make();
      deleteProperty(obj, key);
      const expected = plainDelete(make(), key);
      assert.deepEqual(names(obj), names(expected), `deleting ${key}`);
      assert.equal(Object.getOwnPropertyDescriptor(obj, 'hidden')?.enumerable, false);
      assert.equal(typeof Object.getOwnPropertyDescriptor(obj, 'computed')?.get, 'function');
      assert.equal(obj[sym], 4);
    }
  });

  it('keeps read-only trailing properties read-only', () => {
    const obj: Record<string, unknown> = { a: 1, b: 2 };
    Object.defineProperty(obj, 'ro', { value: 3, enumerable: true, writable: false, configurable: true });
    deleteProperty(obj, 'a');
    assert.deepEqual(names(obj), ['b', 'ro']);
    assert.equal(Object.getOwnPropertyDescriptor(obj, 'ro')?.writable, false);
  });

  it('throws as delete does for a non-configurable property, changing nothing', () => {
    const obj: Record<string, unknown> = { a: 1 };
    Object.defineProperty(obj, 'fixed', { value: 2, enumerable: true, configurable: false });
    obj.b = 3;
    assert.throws(() => deleteProperty(obj, 'fixed'), TypeError);
    assert.deepEqual(names(obj), ['a', 'fixed', 'b']);
    const frozen = Object.freeze({ a: 1, b: 2 });
    assert.throws(() => deleteProperty(frozen, 'a'), TypeError);
    assert.deepEqual(names(frozen), ['a', 'b']);
  });

  it('deletes array-index keys and keys of arrays and class instances as delete does', () => {
    const obj: Record<string, unknown> = { x: 1, 2: 'two', y: 3 };
    deleteProperty(obj, '2');
    assert.deepEqual(names(obj), ['x', 'y']);
    const list = Object.assign([1, 2], { tag: 'a', more: 'b' });
    deleteProperty(list, 'tag');
    assert.deepEqual(names(list), ['0', '1', 'length', 'more']);
    class Box {
      a = 1;
      b = 2;
    }
    const box = new Box();
    deleteProperty(box, 'a');
    assert.deepEqual(names(box), ['b']);
    assert.ok(box instanceof Box);
  });

  it('makes exactly one deleteProperty call on a proxy', () => {
    const calls: Array<string | symbol> = [];
    const proxy = new Proxy({ a: 1, b: 2, c: 3 } as Record<string, unknown>, {
      deleteProperty(target, key) {
        calls.push(key);
        return Reflect.deleteProperty(target, key);
      },
      defineProperty(target, key, desc) {
        calls.push(`define ${String(key)}`);
        return Reflect.defineProperty(target, key, desc);
      },
    });
    deleteProperty(proxy, 'a');
    assert.deepEqual(calls, ['a']);
    assert.deepEqual(names(proxy), ['b', 'c']);
  });
});
