import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CsvParseError, parseCsv, quoteCsvCell } from './csv-parse.js';

describe('parseCsv', () => {
  it('reads records with the first row as headers', () => {
    const r = parseCsv('a,b\r\n1,x\r\n', { parseNumeric: true });
    assert.deepEqual(r.headers, ['a', 'b']);
    assert.deepEqual(r.data, [{ a: 1, b: 'x' }]);
    assert.equal(r.header, 'a,b');
  });

  it('tells an empty unquoted cell (null) from an empty quoted one', () => {
    const r = parseCsv('x,"",,y\n', { outputStyle: 'array', dataHasHeaderRow: false, outputHeader: false });
    assert.deepEqual(r.data, [['x', '', null, 'y']]);
  });

  it('drops blank lines and reads CR, LF and CRLF as line ends', () => {
    const r = parseCsv('1\r\n\n2\r3', { outputStyle: 'array', dataHasHeaderRow: false, outputHeader: false });
    assert.deepEqual(r.data, [['1'], ['2'], ['3']]);
  });

  it('reads numbers with + casting, keeping leading zeros and plus signs', () => {
    const r = parseCsv('0x1F,007,+1,-0.5,1e2', { headers: ['a', 'b', 'c', 'd', 'e'], parseNumeric: true });
    assert.deepEqual(r.data, [{ a: 31, b: '007', c: '+1', d: -0.5, e: 100 }]);
  });

  it('stops after the header row and reports where', () => {
    const r = parseCsv('h1,"h,2"\nv1,v2', { headersOnly: true, outputStyle: 'array' });
    assert.deepEqual(r.headers, ['h1', 'h,2']);
    assert.equal(r.cursor, 9);
    assert.equal(r.header, 'h1,"h,2"');
  });

  it('refuses stray quotes, data after a closing quote and unclosed quotes when strict', () => {
    assert.throws(() => parseCsv('a"b', { strict: true }), (e: unknown) => e instanceof CsvParseError && e.cursor === 1);
    assert.throws(() => parseCsv('"a"b', { strict: true }), /Data found after closing quote/);
    assert.throws(() => parseCsv('"ab', { strict: true }), /Missing quote, unclosed cell/);
  });

  it('keeps stray quotes as text when lenient', () => {
    const r = parseCsv('a"b,"c"d', { outputStyle: 'array', dataHasHeaderRow: false, outputHeader: false });
    assert.deepEqual(r.data, [['a"b', 'c"d']]);
  });
});

describe('quoteCsvCell', () => {
  it('quotes only when needed and doubles embedded quotes', () => {
    assert.equal(quoteCsvCell('plain'), 'plain');
    assert.equal(quoteCsvCell('a,b'), '"a,b"');
    assert.equal(quoteCsvCell('say "hi"'), '"say ""hi"""');
    assert.equal(quoteCsvCell('a\rb'), '"a\rb"');
    assert.equal(quoteCsvCell('a;b', { separator: ';' }), '"a;b"');
    assert.equal(quoteCsvCell('a,b', { separator: ';' }), 'a,b');
  });
});
