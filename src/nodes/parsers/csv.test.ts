import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { collect as collectMessages, nodeToHelper, waitForLog, type AnyMsg } from '../test-kit.js';

afterEach(() => helper.unload());

const flow = (props: Record<string, unknown>) => nodeToHelper({ id: 'n1', type: 'csv', ...props });
const collect = (count: number) => collectMessages<AnyMsg>('h1', count);
const logged = (level: number): Promise<AnyMsg> => waitForLog('n1', level);

async function run(props: Record<string, unknown>, inputs: any[], count = 1): Promise<any[]> {
  await helper.load([], flow(props));
  const got = collect(count);
  for (const input of inputs) helper.getNode('n1')!.receive(input);
  return got;
}

const rfc = { spec: 'rfc' };

describe('csv node, RFC 4180 mode', () => {
  describe('CSV to objects', () => {
    it('reads a line with a template, one message with parts per record', async () => {
      const [msg] = await run({ ...rfc, temp: 'a,b,c,d' }, [{ payload: '1,2,3,4\n', _msgid: 'm' }]);
      assert.deepEqual(msg.payload, { a: 1, b: 2, c: 3, d: 4 });
      assert.equal(msg.columns, 'a,b,c,d');
      assert.deepEqual(msg.parts, { id: 'm', index: 0, count: 1 });
    });

    it('names columns col1.. without a template, with a custom separator', async () => {
      const [msg] = await run({ ...rfc, sep: '|' }, [{ payload: '1|2|3|4\n' }]);
      assert.deepEqual(msg.payload, { col1: 1, col2: 2, col3: 3, col4: 4 });
      assert.equal(msg.columns, 'col1,col2,col3,col4');
    });

    it('reads a tab separator written as \\t and drops empty template columns', async () => {
      const [msg] = await run({ ...rfc, sep: '\\t', temp: 'A,B,,D' }, [{ payload: '1\t2\t3\t4\n' }]);
      assert.deepEqual(msg.payload, { A: 1, B: 2, D: 4 });
      assert.equal(msg.columns, 'A,B,D');
    });

    it('keeps spaces and quoted commas in template names', async () => {
      const [msg] = await run({ ...rfc, temp: 'a,b b,"c,c"," d, d "' }, [{ payload: '1,2,3,4\n' }]);
      assert.deepEqual(msg.payload, { a: 1, 'b b': 2, 'c,c': 3, ' d, d ': 4 });
      assert.equal(msg.columns, 'a,b b,"c,c"," d, d "');
    });

    it('takes the first row as column names', async () => {
      const msgs = await run({ ...rfc, temp: 'a,b,c,d', hdrin: true }, [{ payload: 'w,x,y,z\n1,2,3,4\n\n5,6,7,8' }], 2);
      assert.deepEqual(msgs.map((m) => m.payload), [{ w: 1, x: 2, y: 3, z: 4 }, { w: 5, x: 6, y: 7, z: 8 }]);
      assert.equal(msgs[1].parts.count, 2);
    });

    it('reads header rows with another separator and quoted names', async () => {
      const [msg] = await run({ ...rfc, hdrin: true, sep: ';' }, [{ payload: 'a;b b;"c;c";" d, d "\n1;2;3;4\n' }]);
      assert.deepEqual(msg.payload, { a: 1, 'b b': 2, 'c;c': 3, ' d, d ': 4 });
      assert.equal(msg.columns, 'a,b b,c;c," d, d "');
    });

    it('parses numbers except with a leading zero or plus, unless told not to', async () => {
      let [msg] = await run({ ...rfc, temp: 'a,b,c,d,e,f' }, [{ payload: '123,0123,+123,e123,E123,-123\n' }]);
      assert.deepEqual(msg.payload, { a: 123, b: '0123', c: '+123', d: 'e123', e: 'E123', f: -123 });
      [msg] = await run({ ...rfc, temp: 'a,b,c,d', strings: false }, [{ payload: '1.23,0,-1,1e3\n' }]);
      assert.deepEqual(msg.payload, { a: '1.23', b: '0', c: '-1', d: '1e3' });
      [msg] = await run({ ...rfc, temp: 'a,b,c,d,e' }, [{ payload: 'a,127.0.0.1,56.7,-32.8,12e-3' }]);
      assert.deepEqual(msg.payload, { a: 'a', b: '127.0.0.1', c: 56.7, d: -32.8, e: 0.012 });
    });

    it('unquotes fields, doubling quotes, and drops empty strings and nulls by default', async () => {
      const [msg] = await run({ ...rfc, temp: 'a,b,c,d,e,f,g,h' }, [{ payload: '"1","-2","+3","04","","-05","ab""cd","with,a,comma"\n' }]);
      assert.deepEqual(msg.payload, { a: 1, b: -2, c: '+3', d: '04', f: '-05', g: 'ab"cd', h: 'with,a,comma' });
    });

    it('keeps empty strings and nulls when asked', async () => {
      let [msg] = await run({ ...rfc, temp: 'a,b,c', include_empty_strings: true }, [{ payload: '"1","",x\n' }]);
      assert.deepEqual(msg.payload, { a: 1, b: '', c: 'x' });
      [msg] = await run({ ...rfc, temp: 'a,b,c,d', include_null_values: true }, [{ payload: '"1",,"+3",\n' }]);
      assert.deepEqual(msg.payload, { a: 1, b: null, c: '+3', d: null });
    });

    it('keeps separators, CR and LF inside quoted fields', async () => {
      const [msg] = await run({ ...rfc, temp: 'a,b,c' }, [{ payload: '"with a\nnew line","and a\rcarriage return","and why\r\nnot both"\n' }]);
      assert.deepEqual(msg.payload, { a: 'with a\nnew line', b: 'and a\rcarriage return', c: 'and why\r\nnot both' });
    });

    it('recovers from stray quotes', async () => {
      const [msg] = await run({ ...rfc, temp: 'a,b,c,d' }, [{ payload: '"with,a"n,odd","num"ber","of"qu"ot"es"\n' }]);
      assert.deepEqual(msg.payload, { a: 'with,a"n', b: 'odd', c: 'num"ber', d: 'of"qu"ot"es' });
    });

    it('sends all records in one array', async () => {
      const [msg] = await run({ ...rfc, temp: 'a,b,c,d', multi: 'mult' }, [{ payload: '1,2,3,4\n5,-6,07,+8\r\n9,0,a,b' }]);
      assert.deepEqual(msg.payload, [{ a: 1, b: 2, c: 3, d: 4 }, { a: 5, b: -6, c: '07', d: '+8' }, { a: 9, b: 0, c: 'a', d: 'b' }]);
      assert.equal(msg.columns, 'a,b,c,d');
      assert.equal(msg.parts, undefined);
    });

    it('joins line parts into one array, headers from the first part', async () => {
      const parts = (index: number, count?: number) => ({ index, ch: '\n', type: 'string', id: '1', ...(count ? { count } : {}) });
      const [msg] = await run({ ...rfc, hdrin: true, multi: 'mult' }, [
        { payload: 'a,b,c', parts: parts(0) },
        { payload: '1,2,3', parts: parts(1) },
        { payload: '4,5,6', parts: parts(2, 3) },
      ]);
      assert.deepEqual(msg.payload, [{ a: 1, b: 2, c: 3 }, { a: 4, b: 5, c: 6 }]);
      assert.equal(msg.columns, 'a,b,c');
      assert.equal(msg.parts, undefined);
    });

    it('shifts the parts of line messages past the header line and marks the last complete', async () => {
      const msgs = await run({ ...rfc, hdrin: true }, [
        { payload: 'w,x', parts: { id: 'X', index: 0, count: 3 } },
        { payload: '1,2', parts: { id: 'X', index: 1, count: 3 } },
        { payload: '3,4', parts: { id: 'X', index: 2, count: 3 } },
      ], 2);
      assert.deepEqual(msgs.map((m) => m.payload), [{ w: 1, x: 2 }, { w: 3, x: 4 }]);
      assert.deepEqual(msgs.map((m) => m.parts), [{ id: 'X', index: 0, count: 2 }, { id: 'X', index: 1, count: 2 }]);
      assert.equal(msgs[1].complete, true);
      assert.equal(msgs[0].complete, undefined);
    });

    it('skips lines at the start, then reads headers', async () => {
      let msgs = await run({ ...rfc, temp: 'a,b,c,d', skip: '2' }, [{ payload: '1,2,3,4\n5,6,7,8\n9,0,A,B\nC,D,E,F\n' }], 2);
      assert.deepEqual(msgs.map((m) => m.payload), [{ a: 9, b: 0, c: 'A', d: 'B' }, { a: 'C', b: 'D', c: 'E', d: 'F' }]);
      assert.deepEqual(msgs[1].parts.index, 1);
      msgs = await run({ ...rfc, hdrin: true, skip: 2 }, [{ payload: '1,2,3,4\n5,6,7,8\n9,0,A,B\nC,D,E,F\n' }]);
      assert.deepEqual(msgs[0].payload, { 9: 'C', 0: 'D', A: 'E', B: 'F' });
    });

    it('fails a malformed header row and shows it in the status', async () => {
      await helper.load([], flow({ ...rfc, hdrin: true }));
      const statuses: any[] = [];
      helper.runtime()!.events.on('publish', (topic: string, data: any) => topic === 'status/n1' && statuses.push(data));
      helper.getNode('n1')!.receive({ payload: 'a,b"c\n1,2\n' });
      const entry = await logged(20);
      assert.match(entry.msg.message, /Quote found in the middle of an unquoted field/);
      assert.ok(statuses.some((s) => s.text === 'Malformed columns template.'));
    });

    it('fails a number or boolean payload', async () => {
      await helper.load([], flow(rfc));
      helper.getNode('n1')!.receive({ payload: 5 });
      assert.equal((await logged(20)).msg.message, 'This node only handles CSV strings or js objects.');
    });

    it('ignores input when the template is malformed, with a warning', async () => {
      await helper.load([], flow({ ...rfc, temp: 'a,"b' }));
      assert.equal((await logged(30)).msg, 'Malformed columns template.');
      let got = false;
      helper.getNode('h1')!.on('input', () => (got = true));
      helper.getNode('n1')!.receive({ payload: '1,2\n' });
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(got, false);
    });

    it('passes on a message without payload, but not a reset', async () => {
      await helper.load([], flow(rfc));
      const got = collect(1);
      helper.getNode('n1')!.receive({ reset: true });
      helper.getNode('n1')!.receive({ topic: 'x' });
      assert.deepEqual((await got).map((m) => m.topic), ['x']);
    });
  });

  describe('objects to CSV', () => {
    it('writes an object through the template with CRLF and RFC quoting', async () => {
      const [msg] = await run({ ...rfc, temp: 'a,b,c,,e,f,g,h,i,j,k' }, [
        { payload: { e: 0, d: 1, b: 'foo', c: true, a: 4, f: 'Hello\nWorld', h: undefined, i: 'undefined', j: null, k: 'null' } },
      ]);
      assert.equal(msg.payload, '4,foo,true,,0,"Hello\nWorld",,,undefined,null,null\r\n');
      assert.equal(msg.columns, 'a,b,c,e,f,g,h,i,j,k');
    });

    it('uses the keys without a template, with a warning, leaving out nulls', async () => {
      const [msg] = await run(rfc, [{ payload: { d: 1, b: 'foo', c: 'ba"r', a: 'di,ng', e: undefined, f: 'undefined', g: null, h: 'null' } }]);
      assert.equal(msg.payload, '1,foo,"ba""r","di,ng",,undefined,null\r\n');
      assert.equal((await logged(30)).msg, 'No columns template specified for object -> CSV.');
    });

    it('writes a header row with the custom separator and line ending', async () => {
      const [msg] = await run({ ...rfc, sep: '\\t', ret: '\\n', hdrout: 'all' }, [{ payload: { d: 1, b: 'foo', c: 'ba"r', a: 'di,ng' } }]);
      assert.equal(msg.payload, 'd\tb\tc\ta\n1\tfoo\t"ba""r"\tdi,ng\n');
      assert.equal(msg.columns, 'd,b,c,a');
    });

    it('quotes column names with quotes in them', async () => {
      const [msg] = await run({ ...rfc, hdrout: 'all', ret: '\\n' }, [{ payload: [{ 'a"a': 'A1', "b'b": 'B1' }, { 'a"a': 'A2', "b'b": 'B2' }] }]);
      assert.equal(msg.payload, '"a""a",b\'b\nA1,B1\nA2,B2\n');
      assert.equal(msg.columns, '"a""a",b\'b');
    });

    it('writes headers once until a reset', async () => {
      const msgs = await run({ ...rfc, temp: 'a', hdrout: 'once', ret: '\\n' }, [{ payload: { a: 1 } }, { payload: { a: 2 } }, { reset: true }, { payload: { a: 3 } }], 3);
      assert.deepEqual(msgs.map((m) => m.payload), ['a\n1\n', '2\n', 'a\n3\n']);
    });

    it('fills missing properties and quotes newlines', async () => {
      const [msg] = await run({ ...rfc, hdrout: 'all' }, [
        { payload: [{ col1: 'H1', col2: 'H2', col3: 'H3', col4: 'H4' }, { col1: 'A', col2: 'B' }, { col1: 'A', col3: 'C' }, { col1: 'A', col4: 'D\nE' }] },
      ]);
      assert.equal(msg.payload, 'col1,col2,col3,col4\r\nH1,H2,H3,H4\r\nA,B,,\r\nA,,C,\r\nA,,,"D\nE"\r\n');
    });

    it('writes arrays as rows, cut to the template width', async () => {
      let [msg] = await run({ ...rfc, temp: 'a,b,c,d', ret: '\\n' }, [{ payload: [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0]] }]);
      assert.equal(msg.payload, '0,1,2,3\n4,3,2,1\n');
      [msg] = await run({ ...rfc, ret: '\\n' }, [{ payload: ['', 0, 'foo', 'ba"r', 'di,ng', 'fa\nba'] }]);
      assert.equal(msg.payload, ',0,foo,"ba""r","di,ng","fa\nba"\n');
    });

    it('takes the columns from msg.columns', async () => {
      const [msg] = await run({ ...rfc, hdrout: 'all', ret: '\\n' }, [{ payload: [{ a: 1, b: 2 }], columns: 'b,a' }]);
      assert.equal(msg.payload, 'b,a\n2,1\n');
      assert.equal(msg.columns, 'b,a');
    });

    it('round-trips awkward fields', async () => {
      await helper.load([], [
        { id: 'f', type: 'tab' },
        { id: 'n1', type: 'csv', z: 'f', spec: 'rfc', temp: 'x,y', wires: [['n2']] },
        { id: 'n2', type: 'csv', z: 'f', spec: 'rfc', temp: 'x,y', multi: 'mult', wires: [['h1']] },
        { id: 'h1', type: 'helper', z: 'f', wires: [] },
      ]);
      const got = collect(1);
      const rows = [{ x: 'a "quoted", word', y: 'line\r\nbreak' }, { x: ' lead', y: 'end ' }];
      helper.getNode('n1')!.receive({ payload: rows });
      assert.deepEqual((await got)[0].payload, rows);
    });
  });
});

describe('csv node, legacy mode', () => {
  it('is the mode of a node saved without spec, with LF line endings', async () => {
    const [msg] = await run({ temp: 'a,b' }, [{ payload: { a: 1, b: 2 } }]);
    assert.equal(msg.payload, '1,2\n');
  });

  it('reads a line with a template, trimming quotes and spaces from names', async () => {
    const [msg] = await run({ temp: '"a",  "b" , " c "," d  " ' }, [{ payload: '1,2,3,4\n', _msgid: 'm' }]);
    assert.deepEqual(msg.payload, { a: 1, b: 2, c: 3, d: 4 });
    assert.equal(msg.columns, 'a,b,c,d');
    assert.deepEqual(msg.parts, { id: 'm', index: 0, count: 1 });
  });

  it('names columns col1.. and reads a header row with a separator', async () => {
    let [msg] = await run({ sep: '|' }, [{ payload: '1|2|3|4\n' }]);
    assert.deepEqual(msg.payload, { col1: 1, col2: 2, col3: 3, col4: 4 });
    [msg] = await run({ hdrin: true, sep: ';' }, [{ payload: 'a;b b;"c;c";" d, d "\n1;2;3;4\n' }]);
    assert.deepEqual(msg.payload, { a: 1, 'b b': 2, 'c;c': 3, 'd, d': 4 });
    assert.equal(msg.columns, 'a,b b,c;c,"d, d"');
  });

  it('parses numbers by its own rule', async () => {
    let [msg] = await run({ temp: 'a,b,c,d,e,f' }, [{ payload: '123,0123,+123,e123,E123,-123\n' }]);
    assert.deepEqual(msg.payload, { a: 123, b: '0123', c: '+123', d: 'e123', e: 'E123', f: -123 });
    [msg] = await run({ temp: 'a,b,c,d' }, [{ payload: ' 1.23 ,  -123,1e3 ,    0  \n' }]);
    assert.deepEqual(msg.payload, { a: 1.23, b: -123, c: 1000, d: 0 });
  });

  it('keeps empty strings and nulls when asked', async () => {
    let [msg] = await run({ temp: 'a,b,c', include_empty_strings: true }, [{ payload: '"1","",x\n' }]);
    assert.deepEqual(msg.payload, { a: 1, b: '', c: 'x' });
    [msg] = await run({ temp: 'a,b,c,d,e', include_null_values: true }, [{ payload: '"1",,"+3",,"-05"\n' }]);
    assert.deepEqual(msg.payload, { a: 1, b: null, c: '+3', d: null, e: '-05' });
  });

  it('warns about an odd number of quotes and reads on', async () => {
    const [msg] = await run({ temp: 'a,b,c' }, [{ payload: '"with,a"n,odd","num"ber","of"qu"ot"es"\n' }]);
    assert.deepEqual(msg.payload, { a: 'with,an', b: 'odd,number', c: 'ofquotes\n' });
    assert.equal((await logged(30)).msg, 'Malformed CSV data - output probably corrupt.');
  });

  it('sends one array for multi, and joins parts', async () => {
    let [msg] = await run({ temp: 'a,b', multi: 'yes' }, [{ payload: '1,2\n5,-6\n07,+8' }]);
    assert.deepEqual(msg.payload, [{ a: 1, b: 2 }, { a: 5, b: -6 }, { a: '07', b: '+8' }]);
    [msg] = await run({ hdrin: true, multi: 'mult' }, [
      { payload: 'a,b', parts: { index: 0, id: '1' } },
      { payload: '1,2', parts: { index: 1, id: '1' } },
      { payload: '3,4', parts: { index: 2, count: 3, id: '1' } },
    ]);
    assert.deepEqual(msg.payload, [{ a: 1, b: 2 }, { a: 3, b: 4 }]);
    assert.equal(msg.parts, undefined);
  });

  it('skips lines and corrects parts', async () => {
    const msgs = await run({ temp: 'a,b', skip: 2 }, [{ payload: '1,2\n3,4\n5,6\n7,8\n' }], 2);
    assert.deepEqual(msgs.map((m) => m.payload), [{ a: 5, b: 6 }, { a: 7, b: 8 }]);
    assert.deepEqual(msgs.map((m) => m.parts.index), [0, 1]);
  });

  it('writes objects, arrays and headers with legacy quoting', async () => {
    let [msg] = await run({ temp: 'a,b,c,d', hdrout: 'all' }, [{ payload: [{ a: 1, b: 'x,y', c: 'q"t', d: 'n\nl' }] }]);
    assert.equal(msg.payload, 'a,b,c,d\n1,"x,y","q""t","n\nl"\n');
    [msg] = await run({}, [{ payload: [[0, 1, 'a,b'], ['x', undefined, 'y']] }]);
    assert.equal(msg.payload, '0,1,"a,b"\nx,,y\n');
    [msg] = await run({ temp: 'a', hdrout: true }, [{ payload: { a: 1 }, _msgid: 'z' }]);
    assert.equal(msg.payload, 'a\n1\n');
  });

  it('fails a row with a null cell, as Node-RED does', async () => {
    await helper.load([], flow({}));
    helper.getNode('n1')!.receive({ payload: [['a', null]] });
    assert.ok((await logged(20)).msg instanceof TypeError);
  });

  it('warns about a number payload and sends nothing', async () => {
    await helper.load([], flow({}));
    helper.getNode('n1')!.receive({ payload: 1 });
    assert.equal((await logged(30)).msg, 'This node only handles CSV strings or js objects.');
  });
});
