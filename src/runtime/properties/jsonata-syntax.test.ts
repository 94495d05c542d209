import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { isPlainlyValidJSONata } from './jsonata-syntax.js';
import { evaluateJSONataExpression, prepareJSONataExpression, withBindings } from './jsonata.js';

const jsonata = createRequire(import.meta.url)('jsonata') as (source: string) => unknown;
const parses = (source: string): boolean => {
  try {
    jsonata(source);
    return true;
  } catch {
    return false;
  }
};

describe('isPlainlyValidJSONata', () => {
  it('recognises the plain shapes flows use', () => {
    for (const source of [
      '$random() * 17',
      'payload',
      'payload.value > 5',
      '"site-" & $string(id)',
      "'a' & 'b'",
      '-(payload + 1) / 2.5 % 3',
      '$round($random() * 100, 2)',
      '$now()',
      '$x != 0',
      'a.b.c <= 10 - c',
      ' ( 1 ) ',
      '_msgid = topic',
    ]) {
      assert.equal(isPlainlyValidJSONata(source), true, source);
      assert.equal(parses(source), true, source);
    }
  });

  it('leaves everything else to jsonata, valid or not', () => {
    for (const source of [
      '',
      'payload +',
      '1 +* 2',
      'payload[0]',
      'a and b',
      'true',
      '$',
      '$$.x',
      '"a\\"b"',
      '01',
      '1.',
      '2a',
      '1e400',
      '123456789012345678901234',
      'a /* c */ b',
      '$f()()',
      '{"a": 1}',
      '(a; b)',
      'a.and',
      '< =',
      'x ! = y',
      '((((((((((((((((((1))))))))))))))))))',
    ]) {
      assert.equal(isPlainlyValidJSONata(source), false, source);
    }
  });

  it('accepts only what jsonata parses (random token sequences)', () => {
    const tokens = ['1', '0', '12.5', '01', '1.', '"s"', "'t'", '"', '\\', 'a', 'b.c', 'x.', '$f', '$g(', '$', '(', ')', ',', '+', '-', '*', '/', '%', '&', '=', '!=', '!', '<', '<=', '>', '>=', ' ', '.', 'and', 'true', '[', ']', '{', '}', ';', ':', '?', '@', '#', '^', '~', '`'];
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let accepted = 0;
    for (let k = 0; k < 20000; k++) {
      const length = 1 + Math.floor(random() * 9);
      let source = '';
      for (let t = 0; t < length; t++) source += tokens[Math.floor(random() * tokens.length)];
      if (isPlainlyValidJSONata(source)) {
        accepted++;
        assert.equal(parses(source), true, `accepted but jsonata refuses: ${source}`);
      }
    }
    assert.ok(accepted > 200, `only ${accepted} samples were plain; the check is not exercised`);
  });
});

describe('prepareJSONataExpression of a plain expression', () => {
  it('parses on first evaluation, and evaluates as jsonata does', async () => {
    const prepared = prepareJSONataExpression('payload * 2 + $n', undefined);
    assert.equal(await evaluateJSONataExpression(withBindings(prepared, { n: 1 }), { payload: 20 }), 41);
    assert.equal(await evaluateJSONataExpression(prepared, { payload: 2 }), undefined);
  });
});
