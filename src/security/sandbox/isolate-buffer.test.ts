/**
 * The function sandbox's Buffer (isolate/buffer.js) against the host's, Node 20's own: one corpus
 * of calls, run inside a function node and on the host, must give the same results and the same
 * kind of error (TypeError or RangeError) call for call. Function nodes decode device frames and
 * Modbus registers with these calls (readUIntBE, swap16, readFloatBE...), and a flow moved from
 * Node-RED must decode the same bytes the same way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertSameLines, corpusInSandbox, runOnce, suitePool } from './sandbox-test-kit.js';

/** A result as text, Buffers told apart from other byte arrays. Runs on both sides from its source. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function showValue(v: any, B: any): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Object.is(v, -0) ? 'num:-0' : `num:${v}`;
  if (typeof v === 'bigint') return `bigint:${v}`;
  if (typeof v !== 'object') return `${typeof v}:${String(v)}`;
  if (ArrayBuffer.isView(v)) return `${v instanceof B ? 'Buffer' : v.constructor.name}<${Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).join(',')}>`;
  if (Array.isArray(v)) return `[${v.map((x) => showValue(x, B)).join(',')}]`;
  return `{${Object.keys(v).map((k) => `${k}:${showValue(v[k], B)}`).join(',')}}`;
}

/** Every call of the corpus, described; sent into the sandbox as source, so it refers to nothing outside. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function bufferCorpus(Buffer: any, show: (v: unknown) => string): string[] {
  const out: string[] = [];
  const t = (label: string, f: () => unknown) => {
    let s: string;
    try {
      s = show(f());
    } catch (e) {
      s = `throws ${(e as Error)?.name}`;
    }
    out.push(`${label} => ${s}`);
  };
  const strs = ['héllo ✓', '', '\ud800x', '\u{1F600}', 'abc\u0000d'];
  const encs = ['utf8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii', 'utf16le', 'ucs2', 'UTF-8', 'bogus'];
  for (const s of strs) for (const e of encs) { t(`from ${JSON.stringify(s)} ${e}`, () => Buffer.from(s, e)); t(`byteLength ${JSON.stringify(s)} ${e}`, () => Buffer.byteLength(s, e)); }
  for (const h of ['0a1B', 'abc', 'zz11', '0g', '  ff', 'ff ff']) t(`from hex ${h}`, () => Buffer.from(h, 'hex'));
  for (const b of ['aGk=', 'aGk', 'a G k =', 'aGk==', '-_8', '+/8=', '@@@', 'aGVsbG8gd29ybGQ']) t(`from base64 ${b}`, () => Buffer.from(b, 'base64'));
  t('from array', () => Buffer.from([1, 256, -1, 3.7, '5', 'x', null]));
  t('from arraybuffer', () => { const ab = new ArrayBuffer(8); new Uint8Array(ab).set([1,2,3,4,5,6,7,8]); return Buffer.from(ab, 2, 3); });
  t('from arraybuffer shares', () => { const ab = new ArrayBuffer(4); const b = Buffer.from(ab); new Uint8Array(ab)[0] = 9; return b; });
  t('from buffer copies', () => { const a = Buffer.from('ab'); const b = Buffer.from(a); a[0] = 0; return b; });
  t('from json shape', () => Buffer.from({ type: 'Buffer', data: [1, 2] }));
  t('from number', () => Buffer.from(5));
  t('from undefined', () => Buffer.from(undefined));
  t('from uint16array', () => Buffer.from(new Uint16Array([258, 3])));
  t('alloc 4', () => Buffer.alloc(4));
  t('alloc fill num', () => Buffer.alloc(5, 257));
  t('alloc fill str', () => Buffer.alloc(5, 'ab'));
  t('alloc fill hex', () => Buffer.alloc(5, 'a1', 'hex'));
  t('alloc fill empty', () => Buffer.alloc(3, ''));
  t('alloc -1', () => Buffer.alloc(-1));
  t('alloc 1.5', () => Buffer.alloc(1.5));
  t('alloc str', () => Buffer.alloc('3'));
  t('allocUnsafe len', () => Buffer.allocUnsafe(3).length);
  t('concat', () => Buffer.concat([Buffer.from('ab'), Buffer.from('cd')]));
  t('concat short', () => Buffer.concat([Buffer.from('ab'), Buffer.from('cd')], 3));
  t('concat long', () => Buffer.concat([Buffer.from('ab')], 4));
  t('concat uint8', () => Buffer.concat([new Uint8Array([1]), Buffer.from('b')]));
  t('concat bad', () => Buffer.concat(['ab']));
  t('concat empty', () => Buffer.concat([]));
  const bytes = [0x48, 0xc3, 0xa9, 0xff, 0xfe, 0x80, 0x41, 0xe2, 0x82, 0x00, 0xf0, 0x9f, 0x98, 0x80];
  for (const e of encs) t(`toString ${e}`, () => Buffer.from(bytes).toString(e));
  for (const [s, e] of [[0, 3], [2, undefined], [-1, 5], [5, 2], [3, 100], ['1', '4']]) t(`toString range ${s} ${e}`, () => Buffer.from(bytes).toString('hex', s, e));
  t('toString utf8 partial', () => Buffer.from([0xe2, 0x82]).toString());
  t('toString overlong', () => Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]).toString());
  const b8 = () => Buffer.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
  const reads = ['readUInt8', 'readInt8', 'readUInt16BE', 'readUInt16LE', 'readInt16BE', 'readInt16LE', 'readUInt32BE', 'readUInt32LE', 'readInt32BE', 'readInt32LE', 'readFloatBE', 'readFloatLE', 'readDoubleBE', 'readDoubleLE', 'readBigUInt64BE', 'readBigInt64LE', 'readUint16BE', 'readBigUint64LE'];
  for (const r of reads) for (const off of [undefined, 0, 1, 4, 7, 8, -1, 1.5, '1']) t(`${r}(${off})`, () => b8()[r](off));
  for (const r of ['readUIntBE', 'readUIntLE', 'readIntBE', 'readIntLE']) for (const [o, n] of [[0, 1], [0, 3], [1, 6], [2, 6], [0, 7], [0, 0]]) t(`${r}(${o},${n})`, () => b8()[r](o, n));
  const writes: Array<[string, unknown[]]> = [['writeUInt8', [255, 0]], ['writeUInt8', [256, 0]], ['writeUInt8', [-1, 0]], ['writeInt8', [-128, 1]], ['writeInt8', [128, 1]], ['writeUInt16BE', [65535, 0]], ['writeUInt16BE', [65536, 0]], ['writeUInt16LE', [0x1234, 6]], ['writeUInt16LE', [1, 7]], ['writeInt16BE', [-2, 2]], ['writeInt16LE', [40000, 2]], ['writeUInt32BE', [0xdeadbeef, 0]], ['writeUInt32LE', [-1, 0]], ['writeInt32BE', [-5, 4]], ['writeInt32LE', [2 ** 31, 0]], ['writeFloatBE', [1.5, 0]], ['writeFloatLE', [3.14, 4]], ['writeDoubleBE', [Math.PI, 0]], ['writeDoubleLE', [-0, 0]], ['writeBigUInt64BE', [2n ** 63n, 0]], ['writeBigInt64LE', [-1n, 0]], ['writeBigInt64LE', [1, 0]], ['writeUIntBE', [0x123456, 0, 3]], ['writeUIntLE', [0x123456, 1, 3]], ['writeIntBE', [-2, 0, 6]], ['writeIntLE', [-300, 2, 2]], ['writeUIntBE', [2 ** 24, 0, 3]], ['writeUInt8', [1.7, 0]], ['writeUInt8', ['7', 0]], ['writeUInt16BE', [1, 1.5]], ['writeFloatBE', [1e40, 0]], ['writeUInt8', [1]]];
  for (const [w, args] of writes) t(`${w}(${args.map(String).join(',')})`, () => { const b = Buffer.alloc(8); const r = b[w](...args); return [r, b]; });
  t('write string', () => { const b = Buffer.alloc(6); return [b.write('héllo'), b]; });
  t('write offset', () => { const b = Buffer.alloc(6); return [b.write('abc', 4), b]; });
  t('write len enc', () => { const b = Buffer.alloc(6); return [b.write('abcdef', 1, 2, 'latin1'), b]; });
  t('write hex', () => { const b = Buffer.alloc(4); return [b.write('a1b2c', 'hex'), b]; });
  t('write partial utf8', () => { const b = Buffer.alloc(3); return [b.write('a✓'), b]; });
  t('write offset over', () => { const b = Buffer.alloc(3); return [b.write('a', 5), b]; });
  for (const [s, e] of [[1, 3], [-2, undefined], [2, 1], [undefined, -1], [0, 100]]) { t(`slice ${s} ${e}`, () => b8().slice(s, e)); t(`subarray ${s} ${e}`, () => b8().subarray(s, e)); }
  t('slice shares', () => { const b = b8(); const s = b.slice(1, 3); s[0] = 0; return [b, s instanceof Buffer]; });
  t('subarray is buffer', () => b8().subarray(1, 2) instanceof Buffer && typeof b8().subarray(1, 2).readUInt8 === 'function');
  const hay = () => Buffer.from('abcabc\u00e9');
  for (const [n, o, e] of [['b', undefined], ['bc', 2], ['c', -2], [99, 0], [0x62, 0], ['', 3], ['', 99], ['é', 0], ['z', 0], [Buffer.from('ca'), 0], ['6263', 0, 'hex'], ['b', '2']]) {
    t(`indexOf ${String(n)} ${o} ${e}`, () => hay().indexOf(n, o, e));
    t(`lastIndexOf ${String(n)} ${o} ${e}`, () => hay().lastIndexOf(n, o, e));
    t(`includes ${String(n)} ${o} ${e}`, () => hay().includes(n, o, e));
  }
  t('equals', () => [Buffer.from('ab').equals(Buffer.from('ab')), Buffer.from('ab').equals(Buffer.from('abc'))]);
  t('equals uint8', () => Buffer.from('ab').equals(new Uint8Array([97, 98])));
  t('equals bad', () => Buffer.from('ab').equals('ab'));
  t('compare', () => [Buffer.from('ab').compare(Buffer.from('b')), Buffer.from('b').compare(Buffer.from('ab')), Buffer.from('ab').compare(Buffer.from('ab'))]);
  t('compare ranges', () => Buffer.from('abcd').compare(Buffer.from('xbcx'), 1, 3, 1, 3));
  t('Buffer.compare', () => [Buffer.from('a'), Buffer.from('c'), Buffer.from('b')].sort(Buffer.compare));
  t('fill', () => Buffer.alloc(6).fill('ab', 1, 5));
  t('fill num', () => Buffer.alloc(4).fill(300));
  t('fill hex', () => Buffer.alloc(4).fill('0102', 'hex'));
  t('fill buffer', () => Buffer.alloc(5).fill(Buffer.from([7, 8])));
  t('fill bad hex', () => Buffer.alloc(4).fill('zz', 'hex'));
  t('copy', () => { const a = Buffer.from('abcdef'); const b = Buffer.alloc(4); return [a.copy(b, 1, 2, 4), b]; });
  t('copy overlap', () => { const a = Buffer.from('abcdef'); return [a.copy(a, 2, 0, 4), a]; });
  t('copy to uint8', () => { const a = Buffer.from('ab'); const u = new Uint8Array(3); a.copy(u, 1); return u; });
  for (const s of ['swap16', 'swap32', 'swap64']) { t(s, () => b8()[s]()); t(`${s} odd`, () => Buffer.from([1, 2, 3])[s]()); }
  t('toJSON', () => Buffer.from('ab').toJSON());
  t('JSON.stringify', () => JSON.stringify({ b: Buffer.from([1, 2]) }));
  t('isEncoding', () => encs.map((e) => Buffer.isEncoding(e)));
  t('isBuffer', () => [Buffer.isBuffer(Buffer.alloc(1)), Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer('a')]);
  t('iterate', () => [...Buffer.from('ab')]);
  t('entries', () => [...Buffer.from('ab').entries()]);
  t('length', () => Buffer.from('héllo').length);
  t('toString()', () => String(Buffer.from('hi')));
  t('map', () => Buffer.from([1, 2]).map((x: number) => x * 2));
  t('readUInt8 empty', () => Buffer.alloc(0).readUInt8(0));
  t('toString base64 pad', () => [Buffer.from('a').toString('base64'), Buffer.from('ab').toString('base64url')]);
  t('Buffer.poolSize', () => typeof Buffer.poolSize);
  t('kMaxLength', () => typeof Buffer.kMaxLength);
  t('toLocaleString', () => Buffer.from('hi').toLocaleString());
  t('inspect name', () => Object.prototype.toString.call(Buffer.alloc(1)));

  const invalid = [[0x80], [0xc0, 0x80], [0xc2], [0xe0, 0x80, 0x80], [0xe0, 0xa0], [0xed, 0xa0, 0x80], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xef, 0xbb, 0xbf, 0x41], [0x61, 0xe2, 0x28, 0xa1]];
  for (const b of invalid) t(`utf8 decode ${b}`, () => Buffer.from(b).toString());
  for (const b of ['a', 'ab=c', 'YQ', 'YQ=', 'Y Q = =', '====', 'YWJj\nZGVm', 'Y-_/+Q']) { t(`base64 ${JSON.stringify(b)}`, () => Buffer.from(b, 'base64')); t(`base64url ${JSON.stringify(b)}`, () => Buffer.from(b, 'base64url')); }
  t('from arraybuffer offset over', () => Buffer.from(new ArrayBuffer(4), 5));
  t('from arraybuffer length over', () => Buffer.from(new ArrayBuffer(4), 1, 5));
  t('from view shares?', () => { const u = new Uint8Array([1, 2, 3]); const b = Buffer.from(u.buffer, 1, 1); u[1] = 9; return b; });
  t('from date', () => Buffer.from(new Date(0)).length > 0);
  t('from string object', () => Buffer.from(new String('hey')));
  t('from array-like', () => Buffer.from({ length: 3, 0: 1, 1: 2 }));
  t('from set', () => Buffer.from(new Set([1, 2])));
  t('readInt8 neg', () => Buffer.from([0xff, 0x80]).readInt8(1));
  t('readFloat nan', () => Buffer.from([0x7f, 0xc0, 0, 0]).readFloatBE(0));
  t('writeFloat nan', () => { const b = Buffer.alloc(4); b.writeFloatBE(NaN); return b; });
  t('writeUInt8 NaN', () => { const b = Buffer.alloc(2, 5); return [b.writeUInt8(NaN, 1), b]; });
  t('writeUInt16LE str', () => { const b = Buffer.alloc(2); return [b.writeUInt16LE('258'), b]; });
  t('writeInt32BE float', () => { const b = Buffer.alloc(4); return [b.writeInt32BE(-1.9), b]; });
  t('writeUInt32BE offset str', () => { const b = Buffer.alloc(4); return b.writeUInt32BE(1, '0'); });
  t('writeDoubleLE over', () => Buffer.alloc(7).writeDoubleLE(1));
  t('readUInt16BE empty', () => Buffer.alloc(1).readUInt16BE());
  t('readIntBE 6 neg', () => Buffer.from([0x80, 0, 0, 0, 0, 1]).readIntBE(0, 6));
  t('readUIntLE string len', () => Buffer.alloc(4).readUIntLE(0, '2'));
  t('writeIntLE 6 min', () => { const b = Buffer.alloc(6); return [b.writeIntLE(-(2 ** 47), 0, 6), b]; });
  t('writeUIntBE no offset', () => Buffer.alloc(4).writeUIntBE(1));
  t('fill neg offset', () => Buffer.alloc(4).fill(1, -1));
  t('fill end over', () => Buffer.alloc(4).fill(1, 0, 5));
  t('fill offset over', () => Buffer.alloc(4).fill(1, 5));
  t('fill str offset end enc', () => Buffer.alloc(6).fill('é', 1, 5, 'latin1'));
  t('fill utf8 multi', () => Buffer.alloc(5).fill('é'));
  t('fill bool', () => Buffer.alloc(2).fill(true));
  t('fill bad enc', () => Buffer.alloc(2).fill('a', 'nope'));
  t('copy neg', () => Buffer.from('ab').copy(Buffer.alloc(2), -1));
  t('copy source over', () => Buffer.from('ab').copy(Buffer.alloc(2), 0, 3));
  t('copy source end over', () => { const t2 = Buffer.alloc(4); return [Buffer.from('ab').copy(t2, 0, 0, 10), t2]; });
  t('copy float args', () => { const t2 = Buffer.alloc(4); return [Buffer.from('abcd').copy(t2, 1.7, 0.5, 2.9), t2]; });
  t('concat total float', () => Buffer.concat([Buffer.from('ab')], 1.5));
  t('concat total neg', () => Buffer.concat([Buffer.from('ab')], -1));
  t('compare neg', () => Buffer.from('ab').compare(Buffer.from('ab'), -1));
  t('compare over', () => Buffer.from('ab').compare(Buffer.from('ab'), 0, 5));
  t('compare bad', () => Buffer.from('ab').compare('ab'));
  t('Buffer.compare bad', () => Buffer.compare('a', Buffer.from('a')));
  t('map species', () => Buffer.from([1, 2]).map((x: number) => x + 1) instanceof Buffer);
  t('filter', () => Buffer.from([1, 2, 3]).filter((x: number) => x > 1));
  t('reverse', () => Buffer.from([1, 2, 3]).reverse());
  t('instanceof Uint8Array', () => Buffer.alloc(1) instanceof Uint8Array);
  t('utf16 write odd', () => { const b = Buffer.alloc(3); return [b.write('ab', 'utf16le'), b]; });
  t('latin1 write over', () => { const b = Buffer.alloc(2); return [b.write('abc', 'latin1'), b]; });
  t('hex write odd room', () => { const b = Buffer.alloc(1); return [b.write('aabb', 'hex'), b]; });
  t('base64 write', () => { const b = Buffer.alloc(4); return [b.write('aGVsbG8=', 'base64'), b]; });
  t('write len zero', () => { const b = Buffer.alloc(2); return [b.write('ab', 0, 0), b]; });
  t('write len over', () => { const b = Buffer.alloc(2); return [b.write('abc', 0, 5), b]; });
  t('write num', () => Buffer.alloc(2).write(5));
  t('write bad enc', () => Buffer.alloc(2).write('a', 'nope'));
  t('toString start str', () => Buffer.from('abcd').toString('utf8', '1', '3'));
  t('toString bad enc', () => Buffer.from('ab').toString('nope'));
  t('toString null enc', () => Buffer.from('ab').toString(null));
  t('toString empty enc', () => Buffer.from('ab').toString(''));
  t('from null enc', () => Buffer.from('ab', null));
  t('from empty enc', () => Buffer.from('ab', ''));
  t('indexOf null enc', () => Buffer.from('ab').indexOf('b', 0, null));
  t('write null enc', () => Buffer.alloc(2).write('ab', 0, 2, null));
  t('fill null enc', () => Buffer.alloc(2).fill('a', null));
  t('byteLength null enc', () => Buffer.byteLength('ab', null));
  t('indexOf buffer hex enc', () => Buffer.from('abc').indexOf(Buffer.from('b'), 0, 'nope'));
  t('indexOf buf empty', () => Buffer.alloc(0).indexOf('a'));
  t('indexOf num over', () => Buffer.from('abc').indexOf(0x63, 5));
  t('lastIndexOf num neg', () => Buffer.from('abcabc').lastIndexOf(0x61, -2));
  t('lastIndexOf num neg far', () => Buffer.from('abc').lastIndexOf(0x61, -10));
  t('indexOf 356', () => Buffer.from('abcd').indexOf(356));
  t('indexOf obj', () => Buffer.from('ab').indexOf({}));
  t('indexOf float off', () => Buffer.from('abcabc').indexOf('a', 1.5));
  t('indexOf null off', () => Buffer.from('abcabc').lastIndexOf('a', null));
  t('indexOf hex enc', () => Buffer.from('abcabc').indexOf('6263', 'hex'));
  t('alloc NaN', () => Buffer.alloc(NaN));
  t('alloc big', () => Buffer.alloc(2 ** 33));
  t('allocUnsafe neg', () => Buffer.allocUnsafe(-5));
  t('byteLength buf', () => Buffer.byteLength(Buffer.from('abc')));
  t('byteLength num', () => Buffer.byteLength(5));
  t('byteLength ucs2', () => Buffer.byteLength('abc', 'ucs2'));
  t('isEncoding null', () => [Buffer.isEncoding(null), Buffer.isEncoding(''), Buffer.isEncoding('UTF8')]);
  t('readBigInt64BE', () => Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]).readBigInt64BE());
  t('writeBigUInt64LE neg', () => Buffer.alloc(8).writeBigUInt64LE(-1n));
  t('json roundtrip', () => Buffer.from(JSON.parse(JSON.stringify(Buffer.from('hi')))));
  return out;
}

describe('the function sandbox Buffer', () => {
  const pool = suitePool();

  it("answers every call of the corpus as Node's Buffer does, errors by kind included", async () => {
    const inSandbox = await corpusInSandbox(pool(), 'buffer-corpus', [showValue, bufferCorpus], 'bufferCorpus(Buffer, (v) => showValue(v, Buffer))');
    assertSameLines(bufferCorpus(Buffer, (v) => showValue(v, Buffer)), inSandbox);
  });

  it('keeps incoming bytes real Buffers when the code replaces the global Buffer', async () => {
    const { sent } = await runOnce(pool(), {
      nodeId: 'buffer-replaced',
      // Made lazily, the class must still be the runtime's own whatever the code put in the global.
      initialize: 'globalThis.Buffer = function Fake() {};',
      func: [
        'const b = msg.payload;',
        'const c = RED.util.cloneMessage(msg).payload;',
        'return { payload: [typeof b.readUInt16BE, b.readUInt16BE(0), typeof c.swap16, Buffer.name, b.constructor === c.constructor] };',
      ].join('\n'),
    }, { payload: Buffer.from([1, 2]) });
    assert.deepEqual(sent?.payload, ['function', 258, 'function', 'Fake', true]);
  });

  it('reads the registers of a Modbus reply as Node-RED users decode them', async () => {
    const bytes = [0x42, 0xf6, 0xe6, 0x66, 0x00, 0x01, 0x86, 0xa0];
    const { sent } = await runOnce(pool(), {
      nodeId: 'modbus-decode',
      func: [
        // Holding registers 40001-40004 of a meter: a float in word-swapped order, a 32-bit counter.
        'const b = Buffer.from(msg.payload);',
        'const swapped = Buffer.from(b.subarray(0, 4)).swap16();',
        'msg.payload = { float: b.readFloatBE(0), cdab: Buffer.from([b[2], b[3], b[0], b[1]]).readFloatBE(0),',
        '  swapped: swapped.readFloatLE(0), counter: b.readUInt32BE(4), s48: b.readIntBE(2, 6), hex: b.toString("hex") };',
        'return msg;',
      ].join('\n'),
    }, { payload: Buffer.from(bytes) });
    const b = Buffer.from(bytes);
    const expected = {
      float: b.readFloatBE(0),
      cdab: Buffer.from([b[2]!, b[3]!, b[0]!, b[1]!]).readFloatBE(0),
      swapped: Buffer.from(b.subarray(0, 4)).swap16().readFloatLE(0),
      counter: 100000,
      s48: b.readIntBE(2, 6),
      hex: '42f6e666000186a0',
    };
    assert.deepEqual(sent?.payload, expected);
    assert.equal(expected.float.toFixed(2), '123.45');
  });
});
