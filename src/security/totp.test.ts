import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedoubtError } from '../errors/index.js';
import { base32Decode, base32Encode, hotp, totpCode, totpUri, verifyTotp } from './totp.js';

const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('totp', () => {
  it('matches the HOTP test values of RFC 4226 appendix D', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    assert.deepEqual(expected.map((_, counter) => hotp(RFC_SECRET, counter)), expected);
  });

  it('matches the SHA-1 TOTP test vectors of RFC 6238 appendix B', () => {
    const vectors: Array<[number, string]> = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, code] of vectors) assert.equal(totpCode(RFC_SECRET, seconds * 1000, 8), code, `at T=${seconds}`);
  });

  it('encodes base32 as RFC 4648 does and decodes what people type', () => {
    assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
    assert.equal(base32Encode(RFC_SECRET), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.deepEqual(base32Decode('gezd gnbv-gy3t qojq gezd gnbv gy3t qojq'), RFC_SECRET);
    assert.deepEqual(base32Decode('MZXW6YTBOI======'), Buffer.from('foobar'));
    assert.throws(() => base32Decode('MZXW1'), (e: unknown) => e instanceof RedoubtError && e.code === 'invalid_base32');
  });

  it('accepts the current code and one step either side, and nothing further', () => {
    const now = 1111111111_000;
    const at = (offsetSteps: number) => totpCode(RFC_SECRET, now + offsetSteps * 30_000);
    const step = Math.floor(now / 30_000);
    assert.equal(verifyTotp({ secret: RFC_SECRET, code: at(0), nowMs: now }), step);
    assert.equal(verifyTotp({ secret: RFC_SECRET, code: at(-1), nowMs: now }), step - 1);
    assert.equal(verifyTotp({ secret: RFC_SECRET, code: at(1), nowMs: now }), step + 1);
    assert.equal(verifyTotp({ secret: RFC_SECRET, code: at(-2), nowMs: now }), undefined);
    assert.equal(verifyTotp({ secret: RFC_SECRET, code: at(2), nowMs: now }), undefined);
  });

  it('refuses a code of a step already used, and older steps, but takes a newer one', () => {
    const now = 1234567890_000;
    const code = totpCode(RFC_SECRET, now);
    const step = verifyTotp({ secret: RFC_SECRET, code, nowMs: now });
    assert.ok(step !== undefined);
    assert.equal(verifyTotp({ secret: RFC_SECRET, code, nowMs: now, lastStep: step }), undefined);
    assert.equal(verifyTotp({ secret: RFC_SECRET, code: totpCode(RFC_SECRET, now - 30_000), nowMs: now, lastStep: step }), undefined);
    assert.equal(verifyTotp({ secret: RFC_SECRET, code: totpCode(RFC_SECRET, now + 30_000), nowMs: now, lastStep: step }), step + 1);
  });

  it('refuses malformed codes without throwing', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 34 5x', '٠١٢٣٤٥']) {
      assert.equal(verifyTotp({ secret: RFC_SECRET, code, nowMs: 59_000 }), undefined, code);
    }
    const spaced = totpCode(RFC_SECRET, 59_000).replace(/^(...)/, '$1 ');
    assert.notEqual(verifyTotp({ secret: RFC_SECRET, code: spaced, nowMs: 59_000 }), undefined);
  });

  it('builds the otpauth URI authenticator apps read', () => {
    const uri = new URL(totpUri({ secret: RFC_SECRET, account: 'ann@plant', issuer: 'Redoubt' }));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Redoubt:ann@plant');
    assert.equal(uri.searchParams.get('secret'), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.equal(uri.searchParams.get('issuer'), 'Redoubt');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
  });
});
