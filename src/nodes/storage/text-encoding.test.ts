import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTextCodec } from './text-encoding.js';

describe('text codec', () => {
  const codec = createTextCodec();

  it('uses UTF-8 for none and Buffer encodings for the native names', () => {
    assert.deepEqual(codec.encode('é', 'none'), Buffer.from([0xc3, 0xa9]));
    assert.deepEqual(codec.encode('é', 'ucs2'), Buffer.from([0xe9, 0x00]));
    assert.deepEqual(codec.encode('é', 'ISO-8859-1'), Buffer.from([0xe9]));
    assert.deepEqual(codec.encode('QUI=', 'base64'), Buffer.from('AB'));
    assert.equal(codec.decode(Buffer.from('AB'), 'hex'), '4142');
  });

  it('swaps bytes for UTF-16BE both ways', () => {
    assert.deepEqual(codec.encode('Aé', 'utf-16be'), Buffer.from([0x00, 0x41, 0x00, 0xe9]));
    assert.equal(codec.decode(Buffer.from([0x00, 0x41, 0x00, 0xe9]), 'utf-16be'), 'Aé');
  });

  it('writes single-byte code pages, with ? for what they cannot hold', () => {
    assert.deepEqual(codec.encode('€a', 'cp1252'), Buffer.from([0x80, 0x61]));
    assert.deepEqual(codec.encode('Привет', 'koi8-r'), Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]));
    assert.deepEqual(codec.encode('€', 'ISO-8859-5'), Buffer.from([0x3f]));
    assert.equal(codec.decode(Buffer.from([0x80, 0x93, 0xe9]), 'cp1252'), '€“é');
  });

  it('encodes a Buffer as its UTF-8 text', () => {
    assert.deepEqual(codec.encode(Buffer.from('é'), 'cp1252'), Buffer.from([0xe9]));
  });

  it('reads multi-byte encodings, also by their iconv names', () => {
    assert.equal(codec.decode(Buffer.from([0x82, 0xa0]), 'Windows932'), 'あ');
    assert.equal(codec.decode(Buffer.from([0xc4, 0xe3]), 'EUC-CN'), '你');
  });

  it('keeps characters split across chunks whole', () => {
    const d = codec.decoder('Shift_JIS');
    assert.equal(d.write(Buffer.from([0x82])) + d.write(Buffer.from([0xa0])) + d.end(), 'あ');
  });

  it('refuses what it cannot do, naming the encoding', () => {
    assert.throws(() => codec.encode('x', 'Shift_JIS'), { code: 'unsupported_encoding', message: /Shift_JIS.*for writing/ });
    assert.throws(() => codec.decode(Buffer.from('x'), 'cp437'), { code: 'unsupported_encoding', message: /cp437/ });
  });
});
