import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { createPasswordPolicy } from './password-policy.js';

describe('createPasswordPolicy', () => {
  const policy = createPasswordPolicy();

  it('accepts a long, uncommon password unrelated to the name', () => {
    assert.deepEqual(policy.check('violet-tractor-sings-42', 'ann'), []);
  });

  it('refuses a password shorter than 12 characters by default', () => {
    const reasons = policy.check('Xq7!vB2#kL9', 'ann');
    assert.deepEqual(reasons, ['must be at least 12 characters long']);
  });

  it('counts characters, not UTF-16 units', () => {
    // 11 emoji are 22 UTF-16 units but 11 characters.
    assert.ok(policy.check('🦊🐙🦉🐢🦋🐝🦀🐬🦄🐸🐼', 'ann').includes('must be at least 12 characters long'));
  });

  it('refuses a password on the common list, whatever its case', () => {
    const loose = createPasswordPolicy({ minLength: 8 });
    assert.deepEqual(loose.check('baseball', 'ann'), ['is too common: it is on the list of passwords attackers try first']);
    assert.equal(loose.check('BaseBall', 'ann').length, 1);
  });

  it('refuses a common password with digits or symbols appended', () => {
    assert.ok(policy.check('password1234', 'ann').some((r) => r.startsWith('is too common')));
    assert.ok(policy.check('iloveyou!!!!', 'ann').some((r) => r.startsWith('is too common')));
  });

  it('refuses the user name, in any case, and a password containing it', () => {
    assert.deepEqual(policy.check('Margaret.Hamilton', 'margaret.hamilton'), ['must not contain the user name']);
    assert.deepEqual(policy.check('xx-MARGARET-was-here', 'margaret'), ['must not contain the user name']);
  });

  it('does not refuse every password containing a one- or two-letter user name', () => {
    assert.deepEqual(policy.check('violet-tractor-sings', 'vi'), []);
    assert.deepEqual(createPasswordPolicy({ minLength: 8 }).check('vi', 'vi').includes('must not contain the user name'), true);
  });

  it('refuses one character repeated', () => {
    assert.deepEqual(policy.check('zzzzzzzzzzzzzzzz', 'ann'), ['must not be one character repeated']);
  });

  it('returns every reason at once', () => {
    const reasons = policy.check('aaaa', 'aaaa');
    assert.deepEqual(reasons, [
      'must be at least 12 characters long',
      'must not be one character repeated',
      'is too common: it is on the list of passwords attackers try first',
      'must not contain the user name',
    ]);
    const common = policy.check('password', 'password');
    assert.equal(common.length, 3);
  });

  it('refuses an empty or non-string password', () => {
    assert.deepEqual(policy.check('', 'ann'), ['must be at least 12 characters long']);
    assert.deepEqual(policy.check(undefined as unknown as string, 'ann'), ['must be a string']);
  });

  it('refuses a password over the maximum length', () => {
    assert.deepEqual(policy.check('k'.repeat(600) + 'j'.repeat(600), 'ann'), ['must be at most 1024 characters long']);
  });

  it('honours a configured minimum length', () => {
    const strict = createPasswordPolicy({ minLength: 20 });
    assert.deepEqual(strict.check('violet-tractor-sings', 'ann'), []);
    assert.deepEqual(strict.check('violet-tractor-sing', 'ann'), ['must be at least 20 characters long']);
  });

  it('refuses a minimum length below 8, naming the setting', () => {
    assert.throws(() => createPasswordPolicy({ minLength: 7 }), (e: unknown) => e instanceof ConfigError && e.message.includes('security.password.minLength'));
    assert.throws(() => createPasswordPolicy({ minLength: 10.5 }), ConfigError);
    assert.throws(() => createPasswordPolicy({ minLength: 12, maxLength: 10 }), ConfigError);
  });

  it('uses an injected common-password check', () => {
    const custom = createPasswordPolicy({}, { isCommon: (p) => p === 'our-company-name' });
    assert.equal(custom.check('our-company-name', 'ann').length, 1);
  });
});
