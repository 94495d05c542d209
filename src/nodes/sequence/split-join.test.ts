import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import type { Msg } from '../../runtime/types.js';
import { collect, loadFlow } from '../test-kit.js';

afterEach(() => helper.unload());

/** split (config) → join (auto unless given) → helper; sends `input` and returns what arrives. */
async function roundTrip(splitConfig: Record<string, unknown>, input: Msg, joinConfig: Record<string, unknown> = { mode: 'auto' }): Promise<Msg> {
  await loadFlow([
    { id: 's', type: 'split', wires: [['j']], ...splitConfig },
    { id: 'j', type: 'join', wires: [['h']], ...joinConfig },
    { id: 'h', type: 'helper' },
  ]);
  const out = collect('h', 1);
  helper.getNode('s')!.receive(input);
  return (await out)[0]!;
}

describe('split then join', () => {
  it('restores a string split on a separator', async () => {
    const msg = await roundTrip({ splt: '\\n' }, { payload: 'one\ntwo\n\nthree', topic: 't' });
    assert.equal(msg.payload, 'one\ntwo\n\nthree');
    assert.equal(msg.topic, 't');
    assert.equal('parts' in msg, false);
  });

  it('restores a string split on bytes', async () => {
    const msg = await roundTrip({ splt: '[13,10]', spltType: 'bin' }, { payload: 'a\r\nb' });
    assert.equal(msg.payload, 'a\r\nb');
  });

  it('restores a string split into fixed lengths', async () => {
    const msg = await roundTrip({ splt: '3', spltType: 'len' }, { payload: 'abcdefgh' });
    assert.equal(msg.payload, 'abcdefgh');
  });

  it('restores an array', async () => {
    const msg = await roundTrip({}, { payload: [1, 'two', { three: 3 }, [4]] });
    assert.deepEqual(msg.payload, [1, 'two', { three: 3 }, [4]]);
  });

  it('restores an array split into chunks', async () => {
    const msg = await roundTrip({ arraySplt: 2 }, { payload: [1, 2, 3, 4, 5] });
    assert.deepEqual(msg.payload, [1, 2, 3, 4, 5]);
  });

  it('restores an object', async () => {
    const msg = await roundTrip({}, { payload: { a: 1, b: { c: 2 } } });
    assert.deepEqual(msg.payload, { a: 1, b: { c: 2 } });
  });

  it('restores a buffer split into fixed lengths', async () => {
    const msg = await roundTrip({ splt: '2', spltType: 'len' }, { payload: Buffer.from('12345') });
    assert.ok(Buffer.isBuffer(msg.payload));
    assert.equal((msg.payload as Buffer).toString(), '12345');
  });

  it('restores a buffer split on bytes', async () => {
    const msg = await roundTrip({ splt: '[0]', spltType: 'bin' }, { payload: Buffer.from([1, 0, 2, 0, 3]) });
    assert.deepEqual([...(msg.payload as Buffer)], [1, 0, 2, 0, 3]);
  });

  it('restores a buffer split on a string', async () => {
    const msg = await roundTrip({ splt: ',' }, { payload: Buffer.from('x,y,z') });
    assert.equal((msg.payload as Buffer).toString(), 'x,y,z');
  });

  it('restores a property other than payload', async () => {
    const msg = await roundTrip({ property: 'data.list' }, { payload: 'untouched', data: { list: ['a', 'b'] } });
    assert.deepEqual(msg.data, { list: ['a', 'b'] });
    assert.equal(msg.payload, 'untouched');
  });

  it('restores nested sequences through split, split, join, join', async () => {
    await loadFlow([
      { id: 's1', type: 'split', wires: [['s2']] },
      { id: 's2', type: 'split', splt: ',', wires: [['j1']] },
      { id: 'j1', type: 'join', mode: 'auto', wires: [['j2']] },
      { id: 'j2', type: 'join', mode: 'auto', wires: [['h']] },
      { id: 'h', type: 'helper' },
    ]);
    const out = collect('h', 1);
    helper.getNode('s1')!.receive({ payload: ['a,b', 'c,d,e', 'f'] });
    const [msg] = await out;
    assert.deepEqual(msg!.payload, ['a,b', 'c,d,e', 'f']);
    assert.equal('parts' in msg!, false);
  });

  it('joins a stream-mode split by count in manual mode', async () => {
    await loadFlow([
      { id: 's', type: 'split', splt: '\\n', stream: true, wires: [['j']] },
      { id: 'j', type: 'join', mode: 'custom', build: 'array', count: 3, useparts: false, wires: [['h']] },
      { id: 'h', type: 'helper' },
    ]);
    const out = collect('h', 1);
    helper.getNode('s')!.receive({ payload: 'li' });
    helper.getNode('s')!.receive({ payload: 'ne1\nline2\nli' });
    helper.getNode('s')!.receive({ payload: 'ne3\n' });
    assert.deepEqual((await out)[0]!.payload, ['line1', 'line2', 'line3']);
  });

  it('averages a split array with reduce', async () => {
    const msg = await roundTrip({}, { payload: [2, 4, 9] }, { mode: 'reduce', reduceExp: '$A+payload', reduceInit: '0', reduceInitType: 'num', reduceFixup: '$A/$N' });
    assert.equal(msg.payload, 5);
  });
});
