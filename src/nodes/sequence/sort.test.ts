import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import type { Msg } from '../../runtime/types.js';
import { collect, loadFlow, loadSender, logged, messageOf, record, wait, watchDone } from '../test-kit.js';

afterEach(() => {
  helper.settings({ nodeMessageBufferMaxLength: 0 });
  return helper.unload();
});

const sortWith = (config: Record<string, unknown>) => loadSender({ id: 'n', type: 'sort', ...config });

async function sortProperty(config: Record<string, unknown>, msg: Msg): Promise<Msg> {
  const send = await sortWith({ targetType: 'msg', ...config });
  const out = collect('h', 1);
  send(msg);
  return (await out)[0]!;
}

async function sortSequence(config: Record<string, unknown>, msgs: Msg[]): Promise<Msg[]> {
  const send = await sortWith({ targetType: 'seq', ...config });
  const out = collect('h', msgs.length);
  for (const m of msgs) send(m);
  return out;
}

const seqOf = (values: unknown[], key = 'payload', id = 'X'): Msg[] =>
  values.map((v, index) => ({ [key]: v, parts: { id, index, count: values.length } }));

describe('sort node', () => {
  describe('an array in a message property', () => {
    it('sorts element values ascending', async () => {
      const msg = await sortProperty({ target: 'payload', msgKeyType: 'elem' }, { payload: ['C', 'A', 'B'] });
      assert.deepEqual(msg.payload, ['A', 'B', 'C']);
    });

    it('sorts descending', async () => {
      const msg = await sortProperty({ order: 'descending' }, { payload: ['C', 'A', 'B'] });
      assert.deepEqual(msg.payload, ['C', 'B', 'A']);
    });

    it('compares as text unless as_num is set', async () => {
      const text = await sortProperty({}, { payload: ['10', '9', '100'] });
      assert.deepEqual(text.payload, ['10', '100', '9']);
      const numbers = await sortProperty({ as_num: true }, { payload: ['10', '9', '100'] });
      assert.deepEqual(numbers.payload, ['9', '10', '100']);
    });

    it('sorts another property', async () => {
      const msg = await sortProperty({ target: 'data.list' }, { payload: 'x', data: { list: [3, 1, 2] } });
      assert.deepEqual((msg.data as any).list, [1, 2, 3]);
    });

    it('sorts by a JSONata expression on each element', async () => {
      const msg = await sortProperty({ msgKey: 'name', msgKeyType: 'jsonata', order: 'descending' }, {
        payload: [{ name: 'a' }, { name: 'c' }, { name: 'b' }],
      });
      assert.deepEqual(msg.payload, [{ name: 'c' }, { name: 'b' }, { name: 'a' }]);
    });

    it('reads context in the key expression', async () => {
      const send = await sortWith({ targetType: 'msg', msgKey: '$lookup($flowContext("rank"), $)', msgKeyType: 'jsonata' });
      helper.getNode('n')!.context().flow.set('rank', { x: 3, y: 1, z: 2 });
      const out = collect('h', 1);
      send({ payload: ['x', 'y', 'z'] });
      assert.deepEqual((await out)[0]!.payload, ['y', 'z', 'x']);
    });

    it('passes nothing on when the property is not an array', async () => {
      const send = await sortWith({ targetType: 'msg' });
      const got = record('h');
      const dones = watchDone('n');
      send({ payload: 'abc' });
      await wait(20);
      assert.equal(got.length, 0);
      assert.equal(dones.length, 1);
    });

    it('reports a key expression that fails', async () => {
      const send = await sortWith({ targetType: 'msg', msgKey: '$unknown()', msgKeyType: 'jsonata' });
      const dones = watchDone('n');
      send({ payload: [1, 2] });
      await wait(30);
      assert.equal(dones.length, 1);
      assert.match(messageOf(dones[0]!.err), /^Invalid JSONata expression in sort node: /);
    });
  });

  describe('a message sequence', () => {
    it('sorts messages by payload and renumbers parts.index', async () => {
      const out = await sortSequence({}, seqOf(['C', 'A', 'B']));
      assert.deepEqual(out.map((m) => m.payload), ['A', 'B', 'C']);
      assert.deepEqual(out.map((m) => (m.parts as any).index), [0, 1, 2]);
    });

    it('sorts by another message property, descending, as numbers', async () => {
      const out = await sortSequence({ seqKey: 'n', seqKeyType: 'msg', order: 'descending', as_num: true }, seqOf(['2', '10', '1'], 'n'));
      assert.deepEqual(out.map((m) => m.n), ['10', '2', '1']);
    });

    it('sorts by a JSONata expression on each message', async () => {
      const out = await sortSequence(
        { seqKey: '$substring("0000" & $string($length(payload)), -4) & payload', seqKeyType: 'jsonata', msgKey: '$x', msgKeyType: 'jsonata' },
        seqOf(['ccc', 'a', 'bb']),
      );
      assert.deepEqual(out.map((m) => m.payload), ['a', 'bb', 'ccc']);
    });

    it('waits for the part that carries the count', async () => {
      const send = await sortWith({ targetType: 'seq' });
      const got = record('h');
      send({ payload: 2, parts: { id: 1, index: 0 } });
      send({ payload: 1, parts: { id: 1, index: 1 } });
      await wait(20);
      assert.equal(got.length, 0);
      send({ payload: 0, parts: { id: 1, index: 2, count: 3 } });
      await wait(20);
      assert.deepEqual(got.map((m) => m.payload), [0, 1, 2]);
    });

    it('completes and drops messages outside any sequence', async () => {
      const send = await sortWith({ targetType: 'seq' });
      const got = record('h');
      const dones = watchDone('n');
      send({ payload: 1 });
      await wait(20);
      assert.equal(got.length, 0);
      assert.equal(dones.length, 1);
    });

    it('drops the oldest sequence when nodeMessageBufferMaxLength is exceeded', async () => {
      helper.settings({ nodeMessageBufferMaxLength: 2 });
      const send = await sortWith({ targetType: 'seq' });
      const dones = watchDone('n');
      const out3 = collect('h', 3);
      send({ payload: 'old', parts: { id: 'a', index: 0, count: 2 } });
      send({ payload: 'b2', parts: { id: 'b', index: 0, count: 3 } });
      send({ payload: 'b1', parts: { id: 'b', index: 1, count: 3 } });
      assert.equal(dones.length, 1, 'the third held message overflows: sequence a is dropped');
      send({ payload: 'b0', parts: { id: 'b', index: 2, count: 3 } });
      assert.deepEqual((await out3).map((m) => m.payload), ['b0', 'b1', 'b2']);
      await wait(20);
      const errors = dones.filter((d) => d.err);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.msg.payload, 'old');
      assert.deepEqual(logged('n', 20).map(messageOf), ['Too many pending messages in sort node']);
    });

    it('reports a failing key expression on the last message of the sequence', async () => {
      const send = await sortWith({ targetType: 'seq', seqKey: '$unknown()', seqKeyType: 'jsonata' });
      const dones = watchDone('n');
      for (const m of seqOf([1, 2])) send(m);
      await wait(30);
      assert.equal(dones.length, 2);
      assert.equal(dones.filter((d) => d.err).length, 1);
      assert.equal((dones.find((d) => d.err)!.msg.parts as any).index, 1);
    });

    it('completes held messages and logs when the node stops', async () => {
      const send = await sortWith({ targetType: 'seq' });
      const dones = watchDone('n');
      send({ payload: 1, parts: { id: 1, index: 0, count: 2 } });
      await helper.clearFlows();
      assert.equal(dones.length, 1);
      assert.deepEqual(logged('n', 40), ['clear pending message in sort node']);
    });

    it('sorts a sequence when targetType is absent, as Node-RED runtime does', async () => {
      await loadFlow([{ id: 'n', type: 'sort', wires: [['h']] }, { id: 'h', type: 'helper' }]);
      const out = collect('h', 2);
      for (const m of seqOf([2, 1])) helper.getNode('n')!.receive(m);
      assert.deepEqual((await out).map((m) => m.payload), [1, 2]);
    });
  });

  describe('configuration', () => {
    const refuse = (config: Record<string, unknown>, pattern: RegExp) =>
      assert.rejects(loadFlow([{ id: 'n', type: 'sort', ...config }]), pattern);
    it('refuses a key expression that does not compile', () =>
      refuse({ targetType: 'msg', msgKey: 'a +', msgKeyType: 'jsonata' }, /node n, property 'msgKey'/));
    it('refuses a sequence key expression that does not compile', () =>
      refuse({ targetType: 'seq', seqKey: '(', seqKeyType: 'jsonata' }, /property 'seqKey'/));
    it('refuses a malformed target path', () => refuse({ targetType: 'msg', target: 'a[' }, /property 'target'/));
    it('refuses an unknown order', () => refuse({ order: 'random' }, /property 'order'/));
  });
});
