import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RedoubtError } from '../../errors/index.js';
import {
  compileMessagePath,
  compilePropertyPath,
  deleteMessageProperty,
  deleteObjectProperty,
  getMessageProperty,
  getObjectProperty,
  normalisePropertyExpression,
  PropertyExpressionError,
  setMessageProperty,
  setObjectProperty,
} from './path.js';

describe('normalisePropertyExpression', () => {
  it('splits dots, indexes and quoted keys', () => {
    assert.deepEqual(normalisePropertyExpression('a.b[0]["c d"]'), ['a', 'b', 0, 'c d']);
    assert.deepEqual(normalisePropertyExpression("a['x'].y"), ['a', 'x', 'y']);
    assert.deepEqual(normalisePropertyExpression('a.0.b'), ['a', 0, 'b']);
    assert.deepEqual(normalisePropertyExpression('"a b".c'), ['a b', 'c']);
    assert.deepEqual(normalisePropertyExpression('a["b.c"]'), ['a', 'b.c']);
    assert.deepEqual(normalisePropertyExpression('$a._b-c'), ['$a', '_b-c']);
  });

  it('keeps a trailing numeric segment as a string key, as Node-RED does', () => {
    assert.deepEqual(normalisePropertyExpression('a.0'), ['a', '0']);
  });

  it('resolves nested msg references against the message', () => {
    const msg = { topic: 'temp', idx: 2, sub: { k: 'x' } };
    assert.deepEqual(normalisePropertyExpression('a[msg.topic]', msg), ['a', 'temp']);
    assert.deepEqual(normalisePropertyExpression('a[msg.idx].b', msg), ['a', 2, 'b']);
    assert.deepEqual(normalisePropertyExpression('a[msg.sub["k"]]', msg), ['a', 'x']);
    assert.deepEqual(normalisePropertyExpression('a[msg[msg.topic]]', { topic: 'b', b: 'c' }), ['a', 'c']);
  });

  it('leaves nested references as arrays without a message', () => {
    assert.deepEqual(normalisePropertyExpression('a[msg.foo]'), ['a', ['msg', 'foo']]);
  });

  it('formats the canonical string form', () => {
    assert.equal(normalisePropertyExpression('a.b[0].c', undefined, true), 'a["b"][0]["c"]');
    assert.equal(normalisePropertyExpression("a['x\"y']", undefined, true), `a['x"y']`);
    assert.equal(normalisePropertyExpression('a[msg.t]', { t: 'k' }, true), 'a["k"]');
  });

  const bad: Array<[string, RegExp]> = [
    ['', /zero-length/],
    ['.a', /unexpected \. at position 0/],
    ['a.', /unterminated/],
    ['a..b', /unexpected \. at position 2/],
    ['a b', /unexpected ' ' at position 1/],
    ['a[b]', /unexpected b at position 2/],
    ['a[0', /unterminated/],
    ['a]', /unexpected \] at position 1/],
    ['a[""]', /zero-length string/],
    ['a["b"c]', /unexpected array expression/],
    ['a"b"', /unexpected " at position 1/],
    ['a[msg.b', /unmatched '\['/],
    ['[0]', /unexpected \[ at position 0/],
    ['a[0x]', /unexpected array expression/],
  ];
  for (const [expr, message] of bad) {
    it(`refuses '${expr}' with its position`, () => {
      assert.throws(
        () => normalisePropertyExpression(expr),
        (err: unknown) =>
          err instanceof PropertyExpressionError &&
          err instanceof RedoubtError &&
          err.code === 'invalid_property_expression' &&
          message.test(err.message) &&
          err.message.includes(`'${expr}'`),
      );
    });
  }

  it('refuses a nested reference that resolves to undefined', () => {
    assert.throws(() => normalisePropertyExpression('a[msg.missing]', {}), { code: 'invalid_property_expression' });
  });
});

describe('getObjectProperty / getMessageProperty', () => {
  const msg = { payload: { a: [10, { b: 'x' }], 'c d': 1 }, topic: 'a' };

  it('reads nested values and strips msg.', () => {
    assert.equal(getObjectProperty(msg, 'payload.a[1].b'), 'x');
    assert.equal(getMessageProperty(msg, 'msg.payload["c d"]'), 1);
    assert.deepEqual(getMessageProperty(msg, 'payload[msg.topic][0]'), 10);
  });

  it('returns undefined for a missing leaf and throws for a missing parent', () => {
    assert.equal(getObjectProperty(msg, 'payload.nope'), undefined);
    assert.throws(() => getObjectProperty(msg, 'nope.deeper'), { code: 'property_parent_missing' });
  });

  it('reads properties of strings as JavaScript does', () => {
    assert.equal(getObjectProperty({ s: 'abc' }, 's.length'), 3);
  });
});

describe('setObjectProperty / setMessageProperty', () => {
  it('creates missing parents as objects or arrays by the next key', () => {
    const msg: Record<string, unknown> = {};
    assert.equal(setMessageProperty(msg, 'msg.a.b[1].c', 5), true);
    assert.deepEqual(msg, { a: { b: [, { c: 5 }] } });
  });

  it('does not create parents when createMissing is false', () => {
    const msg: Record<string, unknown> = {};
    assert.equal(setObjectProperty(msg, 'a.b', 1, false), false);
    assert.deepEqual(msg, {});
  });

  it('refuses to set beneath a primitive', () => {
    const msg = { a: 'text' };
    assert.equal(setObjectProperty(msg, 'a.b', 1), false);
    assert.equal(msg.a, 'text');
  });

  it('deletes with undefined and splices arrays', () => {
    const msg = { a: { b: 1, c: 2 }, list: [1, 2, 3] };
    assert.equal(deleteMessageProperty(msg, 'msg.a.b'), true);
    assert.equal(deleteObjectProperty(msg, 'list[1]'), true);
    assert.deepEqual(msg, { a: { c: 2 }, list: [1, 3] });
  });

  it('does not create parents when deleting', () => {
    const msg: Record<string, unknown> = {};
    setObjectProperty(msg, 'x.y', undefined);
    assert.deepEqual(msg, {});
  });

  it('sets through a nested reference', () => {
    const msg: Record<string, unknown> = { topic: 'k' };
    setMessageProperty(msg, 'data[msg.topic]', 1);
    assert.deepEqual(msg.data, { k: 1 });
  });

  it('does not pollute Object.prototype through __proto__ paths', () => {
    const msg: Record<string, unknown> = {};
    setObjectProperty(msg, '__proto__.polluted', 'yes');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('compilePropertyPath', () => {
  it('gets, sets and deletes with a parsed path', () => {
    const p = compilePropertyPath('a.b[0]');
    assert.deepEqual(p.keys, ['a', 'b', 0]);
    const obj: Record<string, unknown> = {};
    assert.equal(p.set(obj, 'v'), true);
    assert.equal(p.get(obj), 'v');
    assert.equal(p.delete(obj), true);
    assert.deepEqual(obj, { a: { b: [] } });
  });

  it('handles single-key paths and missing objects', () => {
    const p = compilePropertyPath('payload');
    assert.equal(p.get({ payload: 3 }), 3);
    assert.throws(() => p.get(undefined), { code: 'property_parent_missing' });
  });

  it('resolves nested references on every call', () => {
    const p = compileMessagePath('msg.store[msg.topic]');
    assert.equal(p.keys, undefined);
    assert.equal(p.get({ topic: 'a', store: { a: 1, b: 2 } }), 1);
    assert.equal(p.get({ topic: 'b', store: { a: 1, b: 2 } }), 2);
  });

  it('refuses a malformed path at compile time', () => {
    assert.throws(() => compilePropertyPath('a..b'), { code: 'invalid_property_expression' });
  });
});

describe('get/set by expression, parsed once and resolved per object', () => {
  it('resolves a nested reference against each object, not against the first one seen', () => {
    const expr = 'data[msg.key].v';
    const a = { key: 'x', data: { x: { v: 1 }, y: { v: 2 } } };
    const b = { key: 'y', data: { x: { v: 1 }, y: { v: 2 } } };
    assert.equal(getObjectProperty(a, expr), 1);
    assert.equal(getObjectProperty(b, expr), 2);
    setObjectProperty(b, expr, 5);
    setObjectProperty(a, expr, 4);
    assert.deepEqual([a.data.x.v, a.data.y.v, b.data.x.v, b.data.y.v], [4, 2, 1, 5]);
  });

  it('refuses a malformed expression every time it is asked', () => {
    for (let i = 0; i < 2; i++) {
      assert.throws(() => getObjectProperty({}, 'a..b'), (err: RedoubtError) => err.code === 'invalid_property_expression');
      assert.throws(() => setObjectProperty({}, 'a[', 1), (err: RedoubtError) => err.code === 'invalid_property_expression');
    }
  });
});
