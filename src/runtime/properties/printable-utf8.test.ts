import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPrintableUtf8 } from './printable-utf8.js';

describe('isPrintableUtf8 (Node-RED is-utf8 rule)', () => {
  it('accepts UTF-8 text with tabs and line ends', () => {
    assert.equal(isPrintableUtf8(Buffer.from('plain é ✓\t\r\n')), true);
    assert.equal(isPrintableUtf8(Buffer.alloc(0)), true);
  });

  it('refuses ASCII control bytes and DEL, though they are valid UTF-8, and invalid sequences', () => {
    for (const byte of [0x00, 0x01, 0x08, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f]) assert.equal(isPrintableUtf8(Buffer.from([0x41, byte])), false, `byte ${byte}`);
    assert.equal(isPrintableUtf8(Buffer.from([0xff, 0xfe])), false);
    assert.equal(isPrintableUtf8(Buffer.from([0xc3])), false, 'a cut multi-byte sequence');
  });
});
