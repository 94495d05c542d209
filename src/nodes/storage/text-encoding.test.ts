import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTextCodec } from './text-encoding.js';

describe('text codec', () => {
  const codec = createTextCodec();

  it('uses UTF-8 for none and Node names for the native ones', () => {
    assert.deepEqual(codec.encode('é', 'none'), Buffer.from([0xc3, 0xa9]));
    assert.deepEqual(codec.encode('é', 'ucs2'), Buffer.from([0xe9, 0x00]));
    assert.deepEqual(codec.encode('é', 'ISO-8859-1'), Buffer.from([0xe9]));
    assert.deepEqual(codec.encode('QUI=', 'base64'), Buffer.from('AB'));
    assert.equal(codec.decode(Buffer.from('AB'), 'hex'), '4142');
  });

  it('reads and writes UTF-16BE', () => {
    assert.deepEqual(codec.encode('Aé', 'utf-16be'), Buffer.from([0x00, 0x41, 0x00, 0xe9]));
    assert.equal(codec.decode(Buffer.from([0x00, 0x41, 0x00, 0xe9]), 'utf-16be'), 'Aé');
  });

  it('writes single-byte code pages, with ? for what they cannot hold', () => {
    assert.deepEqual(codec.encode('€a', 'cp1252'), Buffer.from([0x80, 0x61]));
    assert.deepEqual(codec.encode('Привет', 'koi8-r'), Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]));
    assert.deepEqual(codec.encode('€', 'ISO-8859-5'), Buffer.from([0x3f]));
    assert.equal(codec.decode(Buffer.from([0x80, 0x93, 0xe9]), 'cp1252'), '€“é');
  });

  it('writes and reads the DOS and East Asian code pages Node-RED offers', () => {
    assert.deepEqual(codec.encode('ÇΓ', 'cp437'), Buffer.from([0x80, 0xe2]));
    assert.equal(codec.decode(Buffer.from([0x80, 0xe2]), 'cp437'), 'ÇΓ');
    assert.deepEqual(codec.encode('試験', 'Shift_JIS'), Buffer.from([0x8e, 0x8e, 0x8c, 0xb1]));
    assert.deepEqual(codec.encode('試験', 'EUC-JP'), Buffer.from([0xbb, 0xee, 0xb8, 0xb3]));
    assert.deepEqual(codec.encode('你', 'GBK'), Buffer.from([0xc4, 0xe3]));
    assert.equal(codec.decode(Buffer.from([0x82, 0xa0]), 'Windows932'), 'あ');
    assert.equal(codec.decode(Buffer.from([0xc4, 0xe3]), 'EUC-CN'), '你');
  });

  it('encodes a Buffer as its UTF-8 text', () => {
    assert.deepEqual(codec.encode(Buffer.from('é'), 'cp1252'), Buffer.from([0xe9]));
  });

  it('drops a byte order mark when reading with an encoding, and keeps it with none', () => {
    const text = Buffer.from([0xef, 0xbb, 0xbf, 0x41]);
    assert.equal(codec.decode(text, 'utf8'), 'A');
    assert.equal(codec.decode(text, 'none'), '\ufeffA');
  });

  it('keeps characters split across chunks whole', () => {
    const d = codec.decoder('Shift_JIS');
    assert.equal(d.write(Buffer.from([0x82])) + d.write(Buffer.from([0xa0])) + d.end(), 'あ');
    const u = codec.decoder('none');
    assert.equal(u.write(Buffer.from([0xc3])) + u.write(Buffer.from([0xa9])) + u.end(), 'é');
  });

  it('refuses an encoding it does not know, naming it', () => {
    assert.throws(() => codec.encode('x', 'klingon'), { code: 'unsupported_encoding', message: /'klingon'/ });
    assert.throws(() => codec.decode(Buffer.from('x'), 'klingon'), { code: 'unsupported_encoding' });
    assert.throws(() => codec.decoder('klingon'), { code: 'unsupported_encoding' });
  });
});
