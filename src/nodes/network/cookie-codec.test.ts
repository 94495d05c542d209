import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractResponseCookies, parseCookiePairs } from './cookie-codec.js';

describe('parseCookiePairs', () => {
  it('keeps the first of a name, unquotes, and decodes only valid escapes', () => {
    assert.deepEqual({ ...parseCookiePairs('a=1; a=2; b="x y"; c=%E0%A4%A; d=%20; flag') }, { a: '1', b: 'x y', c: '%E0%A4%A', d: ' ' });
  });

  it('takes names that Object.prototype has as plain keys', () => {
    const pairs = parseCookiePairs('constructor=c; __proto__=p; toString=t');
    assert.equal(Object.getPrototypeOf(pairs), null);
    assert.deepEqual(Object.entries(pairs), [['constructor', 'c'], ['__proto__', 'p'], ['toString', 't']]);
  });
});

describe('extractResponseCookies', () => {
  it('reads a Set-Cookie whose name or attribute Object.prototype has, as written', () => {
    const cookies = extractResponseCookies(['constructor=abc; Path=/', 'a=1; toString=x']);
    assert.deepEqual(cookies.constructor, { Path: '/', value: 'abc' });
    assert.deepEqual(cookies.a, { toString: 'x', value: '1' });
  });
});

describe('extractResponseCookies from a hostile server', () => {
  it('keeps a __proto__ cookie as a cookie, not as the prototype of msg.responseCookies', () => {
    const cookies = extractResponseCookies(['__proto__=evil; Path=/', 'sid=1; HttpOnly']);
    assert.equal(Object.getPrototypeOf(cookies), Object.prototype);
    assert.deepEqual(Object.keys(cookies), ['__proto__', 'sid']);
    assert.equal((Object.getOwnPropertyDescriptor(cookies, '__proto__')!.value as { value: string }).value, 'evil');
    assert.equal(({} as Record<string, unknown>).value, undefined);
  });
});
