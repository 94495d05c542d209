import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseContextStore } from './context-ref.js';
import { evaluateEnvProperty, hasEnvVarProperties, mapEnvVarProperties, substituteEnvVars } from './env.js';

const vars: Record<string, unknown> = { HOST: 'box', PORT: 1880, OBJ: { a: 1 } };
const lookup = (name: string): unknown => vars[name];

describe('substituteEnvVars', () => {
  it('gives the raw value for a string that is exactly ${VAR}', () => {
    assert.equal(substituteEnvVars('${PORT}', lookup), 1880);
    assert.deepEqual(substituteEnvVars('${OBJ}', lookup), { a: 1 });
    assert.equal(substituteEnvVars('${NOPE}', lookup), undefined);
  });

  it('substitutes references inside text, unset as empty', () => {
    assert.equal(substituteEnvVars('http://${HOST}:${PORT}/${NOPE}x', lookup), 'http://box:1880/x');
    assert.equal(substituteEnvVars('no refs', lookup), 'no refs');
  });
});

describe('evaluateEnvProperty', () => {
  it('looks up a bare name, ${VAR}, or substitutes text', () => {
    assert.equal(evaluateEnvProperty('HOST', lookup), 'box');
    assert.equal(evaluateEnvProperty('${PORT}', lookup), 1880);
    assert.equal(evaluateEnvProperty('at ${HOST}', lookup), 'at box');
    assert.equal(evaluateEnvProperty('NOPE', lookup), '');
  });
});

describe('mapEnvVarProperties', () => {
  it('replaces exact references at any depth and leaves the input untouched', () => {
    const config = {
      id: '${HOST}',
      type: 'inject',
      port: '${PORT}',
      old: '$(HOST)',
      mixed: 'x${HOST}',
      unset: '${NOPE}',
      rules: [{ v: '${HOST}', buf: Buffer.from('${HOST}') }],
      wires: [['${HOST}']],
    };
    const out = mapEnvVarProperties(config, lookup);
    assert.equal(out.id, '${HOST}');
    assert.equal(out.port, 1880);
    assert.equal(out.old, 'box');
    assert.equal(out.mixed, 'x${HOST}');
    assert.equal(out.unset, '${NOPE}');
    assert.equal(out.rules[0].v, 'box');
    assert.equal(out.rules[0].buf.toString(), '${HOST}');
    assert.deepEqual(out.wires, [['${HOST}']]);
    assert.equal(config.port, '${PORT}');
  });
});

describe('hasEnvVarProperties', () => {
  it('is true exactly when mapEnvVarProperties could replace something', () => {
    assert.equal(hasEnvVarProperties({ id: 'n', type: 'inject', topic: 'x${HOST}', n: 1, b: true, nil: null }), false);
    assert.equal(hasEnvVarProperties({ id: 'n', type: 'inject', port: '${PORT}' }), true);
    assert.equal(hasEnvVarProperties({ id: 'n', type: 'inject', old: '$(HOST)' }), true);
    // Deeper than any node nests, in lists and objects.
    assert.equal(hasEnvVarProperties({ id: 'n', type: 'change', rules: [{ a: [{ b: { c: [[{ d: '${HOST}' }]] } }] }] }), true);
    // Structure is never substituted, and a Buffer is not text.
    assert.equal(hasEnvVarProperties({ id: '${HOST}', type: 't', z: '${HOST}', wires: [['${HOST}']], buf: Buffer.from('${HOST}') }), false);
    for (const config of [{ id: 'n', type: 't', a: '${HOST}' }, { id: 'n', type: 't', a: ['$(HOST)'] }, { id: 'n', type: 't', a: 'plain' }]) {
      const changed = JSON.stringify(mapEnvVarProperties(config, lookup)) !== JSON.stringify(config);
      assert.equal(hasEnvVarProperties(config), changed, JSON.stringify(config));
    }
  });
});

describe('parseContextStore', () => {
  it('splits #:(store)::key and passes plain keys through', () => {
    assert.deepEqual(parseContextStore('#:(file)::a.b'), { store: 'file', key: 'a.b' });
    assert.deepEqual(parseContextStore('counter'), { key: 'counter' });
    assert.deepEqual(parseContextStore('#:()::x'), { key: '#:()::x' });
  });
});
