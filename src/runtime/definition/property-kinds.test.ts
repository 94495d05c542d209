import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { boolean, code, configRef, json, number, readProperties, select, string, typed, type PropertyKind } from './property-kinds.js';

const kinds: Record<string, PropertyKind> = {
  string: string(),
  required: string({ required: true }),
  pattern: string({ pattern: /^a/ }),
  number: number({ default: 3 }),
  bounded: number({ min: 1, max: 5, integer: true }),
  boolean: boolean(),
  select: select(['x', 'y'], { default: 'y' }),
  lenient: select(['x'], { lenient: true }),
  typed: typed({ typeKey: 'tType', types: ['str'] }),
  code: code({ language: 'javascript' }),
  json: json({ default: [] as unknown[] }),
  checked: json({ default: [] as unknown[], check: (v) => (Array.isArray(v) ? undefined : 'no') }),
  configRef: configRef('cfg'),
  requiredRef: configRef('cfg', { required: true }),
};

const samples: unknown[] = ['', 'a', 'b', 'x', 'y', '_ADD_', 'true', '7', 0, 1, 2.5, 7, -1, NaN, Infinity, true, false, null, undefined, [], {}, [1]];

describe('property kinds: values accepted as they are', () => {
  it('accepts a saved value only when reading it gives that very value', () => {
    for (const [name, kind] of Object.entries(kinds)) {
      for (const raw of samples) {
        if (!kind.accepts?.(raw)) continue;
        const read = kind.read(raw, {});
        assert.ok('value' in read && Object.is(read.value, raw), `${name} accepts ${String(raw)} but reads it as ${JSON.stringify(read)}`);
      }
    }
  });

  it('reads the same config whether or not values are accepted as they are', () => {
    const raw = { id: 'n', string: 'a', number: 4, bounded: 9, boolean: 'true', select: '', lenient: 'z', code: 5, requiredRef: '' };
    const { config, issues } = readProperties(kinds, raw, 'n');
    assert.deepEqual(
      issues.map((i) => i.property),
      ['required', 'bounded', 'requiredRef'],
    );
    assert.equal(config.string, 'a');
    assert.equal(config.number, 4);
    assert.equal(config.boolean, true);
    assert.equal(config.select, 'y');
    assert.equal(config.lenient, 'z');
    assert.equal(config.code, '5');
    assert.equal(config.pattern, '');
  });
});

describe('readProperties on a config the caller owns', () => {
  const plain = { port: number({ default: 1 }), name: string() };
  const conditional = { mode: select(['a', 'b'], { default: 'a' }), label: string({ required: true, showWhen: { mode: ['a'] } }) };

  it('fills in the owned object itself, not one more copy', () => {
    const raw: Record<string, unknown> = { id: 'n', port: '80' };
    const { config, issues } = readProperties(plain, raw, 'n', true);
    assert.deepEqual(issues, []);
    assert.equal(config, raw);
    assert.deepEqual(config, { id: 'n', port: 80, name: '' });
  });

  it('copies when a property is shown only for some saved values, and reads the same as for a saved config', () => {
    // `mode` '' reads as 'a': were it replaced in place first, `label` would be judged shown, and missing.
    const raw: Record<string, unknown> = { id: 'n', mode: '' };
    const owned = readProperties(conditional, { ...raw }, 'n', true);
    const saved = readProperties(conditional, raw, 'n');
    assert.deepEqual(owned, saved);
    assert.deepEqual(saved.issues, []);
    assert.deepEqual(raw, { id: 'n', mode: '' });
  });

  it('never writes to a config it does not own', () => {
    const raw: Record<string, unknown> = { id: 'n', port: '80' };
    const { config } = readProperties(plain, raw, 'n');
    assert.notEqual(config, raw);
    assert.deepEqual(raw, { id: 'n', port: '80' });
  });
});

describe('readProperties on a saved config', () => {
  const schema = { port: number({ default: 1 }), name: string(), rules: json({ default: [] as unknown[] }) };

  it('gives the saved config itself when every property reads as saved', () => {
    const raw: Record<string, unknown> = { id: 'n', port: 80, name: 'a', rules: [1] };
    const { config, issues } = readProperties(schema, raw, 'n');
    assert.deepEqual(issues, []);
    assert.equal(config, raw);
  });

  it('copies at the first value that reads differently, or a property that is missing', () => {
    for (const raw of [{ id: 'n', port: '80', name: 'a', rules: [] }, { id: 'n', port: 80, rules: [] }] as Array<Record<string, unknown>>) {
      const before = structuredClone(raw);
      const { config } = readProperties(schema, raw, 'n');
      assert.notEqual(config, raw);
      assert.deepEqual(raw, before);
      assert.deepEqual(Object.keys(config).sort(), ['id', 'name', 'port', 'rules']);
    }
  });
});
