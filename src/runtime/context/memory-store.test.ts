import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from './memory-store.js';

describe('createMemoryStore', () => {
  it('sets and gets nested keys synchronously', () => {
    const store = createMemoryStore();
    store.set('n1:f1', 'a.b[0]', 'x');
    assert.deepEqual(store.get('n1:f1', 'a'), { b: ['x'] });
    assert.equal(store.get('n1:f1', 'a.b[0]'), 'x');
    assert.equal(store.get('n1:f1', 'a.missing.deeper'), undefined);
    assert.equal(store.get('other', 'a'), undefined);
  });

  it('gets and sets several keys at once, missing values as null', () => {
    const store = createMemoryStore();
    store.set('s', ['a', 'b', 'c'], [1, 2]);
    assert.deepEqual(store.get('s', ['a', 'b', 'c', 'd']), [1, 2, null, undefined]);
    let got: unknown[] = [];
    store.get('s', ['a', 'b'], (err, ...values) => {
      assert.equal(err, null);
      got = values;
    });
    assert.deepEqual(got, [1, 2]);
  });

  it('deletes a key set to undefined', () => {
    const store = createMemoryStore();
    store.set('s', 'a', 1);
    store.set('s', 'a', undefined);
    assert.deepEqual(store.keys('s'), []);
  });

  it('hides get/set/keys from global keys', () => {
    const store = createMemoryStore();
    store.set('global', ['get', 'x'], [1, 2]);
    assert.deepEqual(store.keys('global'), ['x']);
    let keys: string[] | undefined;
    store.keys('global', (err, k) => {
      assert.equal(err, null);
      keys = k;
    });
    assert.deepEqual(keys, ['x']);
  });

  it('refuses a malformed key, by throwing or through the callback', () => {
    const store = createMemoryStore();
    assert.throws(() => store.get('s', 'a..b'), { code: 'invalid_property_expression' });
    assert.throws(() => store.set('s', 'a b', 1), { code: 'invalid_property_expression' });
    let error: Error | null = null;
    store.get('s', '[x', (err) => (error = err));
    assert.equal((error as { code?: string } | null)?.code, 'invalid_property_expression');
  });

  it('cleans scopes of inactive nodes and flows, never global', async () => {
    const store = createMemoryStore();
    for (const scope of ['global', 'f1', 'f2', 'n1:f1', 'n2:f1']) store.set(scope, 'v', 1);
    await store.clean(['f1', 'n1']);
    assert.deepEqual(store.scopes().sort(), ['f1', 'global', 'n1:f1']);
    await store.delete('f1');
    assert.equal(store.get('f1', 'v'), undefined);
  });

  it('keeps a __proto__ key as data without touching Object.prototype', () => {
    const store = createMemoryStore();
    store.set('s', '__proto__.polluted', 'yes');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
