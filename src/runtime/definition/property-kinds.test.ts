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
