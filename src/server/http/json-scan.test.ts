import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RedoubtError } from '../../errors/index.js';
import { parseCheckedJson, scanJson } from './json-scan.js';
import { safeRelativePath } from './static-files.js';

describe('scanJson', () => {
  it('accepts what JSON.parse accepts, up to the depth limit', () => {
    for (const text of ['{}', '[]', ' [1, {"a": [true, false, null, -1.5e3, "x\\"y"]}, []] ', '"s"', '0', '['.repeat(64) + ']'.repeat(64)]) {
      assert.doesNotThrow(() => scanJson(text, 64), text);
    }
  });
  it('refuses malformed JSON naming the position, without echoing the input', () => {
    const cases: Array<[string, number]> = [['{"a":}', 5], ['[1,2', 4], ['{"a" 1}', 5], ['', 0], ['[1,]', 3], ['{"a":1}x', 7], ['01', 1]];
    for (const [text, position] of cases) {
      assert.throws(() => scanJson(text, 64), (err: RedoubtError) => err.code === 'invalid_json' && err.message.includes(`position ${position}`), text);
    }
  });
  it('refuses nesting beyond the limit before parsing', () => {
    assert.throws(() => scanJson('['.repeat(100_000), 64), (err: RedoubtError) => err.code === 'json_too_deep');
  });
});

describe('safeRelativePath', () => {
  it('refuses traversal in every encoding and keeps ordinary paths', () => {
    assert.equal(safeRelativePath('/vendor/a.js'), 'vendor/a.js');
    for (const p of ['/../x', '/..%2fx', '/%2e%2e/x', '/%252e%252e/x', '/a\\..\\b', '/a%00', '/%E0%A4%A']) {
      assert.throws(() => safeRelativePath(p), (err: RedoubtError) => err.code === 'path_traversal', p);
    }
  });
});

describe('parseCheckedJson', () => {
  it('parses what scanJson accepts, strings with brackets and escaped quotes included', () => {
    const text = JSON.stringify({ flows: [{ id: 'a', func: 'x = "[{" + \'\\\\"\' + "]}";\n', v: ['\\', '"', '\\"[['] }] });
    assert.deepEqual(parseCheckedJson(text, 4), JSON.parse(text));
    assert.deepEqual(parseCheckedJson('['.repeat(64) + ']'.repeat(64), 64), JSON.parse('['.repeat(64) + ']'.repeat(64)));
  });
  it('refuses as scanJson does: malformed JSON by position, nesting beyond the limit before parsing', () => {
    const cases: Array<[string, number]> = [['{"a":}', 5], ['[1,2', 4], ['{"a" 1}', 5], ['[1,]', 3], ['{"a":1}x', 7], ['01', 1], ['["abc', 5]];
    for (const [text, position] of cases) {
      assert.throws(() => parseCheckedJson(text, 64), (err: RedoubtError) => err.code === 'invalid_json' && err.message.includes(`position ${position}`), text);
    }
    assert.throws(() => parseCheckedJson('['.repeat(100_000), 64), (err: RedoubtError) => err.code === 'json_too_deep');
    assert.throws(() => parseCheckedJson('["' + '\\"'.repeat(3) + '",' + '['.repeat(70) + ']'.repeat(71), 64), (err: RedoubtError) => err.code === 'json_too_deep');
    // Brackets inside a string do not count.
    assert.deepEqual(parseCheckedJson(JSON.stringify(['['.repeat(100)]), 2), ['['.repeat(100)]);
  });
});
