import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import type { Msg } from '../../runtime/types.js';
import { collect, loadSender, logged, messageOf, record, wait, watchDone } from '../test-kit.js';

afterEach(() => {
  helper.settings({ nodeMessageBufferMaxLength: 0 });
  return helper.unload();
});

const batchWith = (config: Record<string, unknown>) => loadSender({ id: 'b', type: 'batch', ...config });

/** Groups received messages into sequences by parts.id, checking index and count on the way. */
function sequencesOf(msgs: Msg[]): unknown[][] {
  const byId = new Map<unknown, Msg[]>();
  for (const m of msgs) {
    const p = m.parts as { id: unknown };
    if (!byId.has(p.id)) byId.set(p.id, []);
    byId.get(p.id)!.push(m);
  }
  return [...byId.values()].map((seq) => {
    seq.forEach((m, i) => {
      assert.equal((m.parts as any).index, i);
      assert.equal((m.parts as any).count, seq.length);
    });
    return seq.map((m) => m.payload);
  });
}

describe('batch node', () => {
  describe('count mode', () => {
    it('makes sequences of count messages', async () => {
      const send = await batchWith({ mode: 'count', count: 2, overlap: 0 });
      const out = collect('h', 4);
      for (let i = 0; i < 5; i++) send({ payload: i });
      const msgs = await out;
      assert.deepEqual(sequencesOf(msgs), [[0, 1], [2, 3]]);
      assert.equal((msgs[0]!.parts as any).id, msgs[0]!._msgid, 'the sequence takes the id of its first message');
    });

    it('repeats overlap messages at the start of the next sequence', async () => {
      const send = await batchWith({ mode: 'count', count: 3, overlap: 1 });
      const out = collect('h', 9);
      for (let i = 0; i < 7; i++) send({ payload: i });
      const msgs = await out;
      assert.deepEqual(sequencesOf(msgs), [[0, 1, 2], [2, 3, 4], [4, 5, 6]]);
      assert.equal(new Set(msgs).size, 9, 'every message sent is an object of its own');
    });

    it('ends a sequence early at the last part when honourParts is set', async () => {
      const send = await batchWith({ mode: 'count', count: 3, honourParts: true });
      const out = collect('h', 5);
      send({ payload: 'a', parts: { id: 'x', index: 0, count: 2 } });
      send({ payload: 'b', parts: { id: 'x', index: 1, count: 2 } });
      for (const p of ['c', 'd', 'e']) send({ payload: p });
      assert.deepEqual(sequencesOf(await out), [['a', 'b'], ['c', 'd', 'e']]);
    });

    it('overwrites id, index and count of existing parts, keeping their other keys', async () => {
      const send = await batchWith({ mode: 'count', count: 1 });
      const out = collect('h', 1);
      send({ payload: 'a', parts: { id: 'old', index: 5, count: 9, type: 'string', ch: ',' } });
      const parts = (await out)[0]!.parts as any;
      assert.equal(parts.type, 'string');
      assert.equal(parts.ch, ',');
      assert.deepEqual([parts.index, parts.count], [0, 1]);
      assert.notEqual(parts.id, 'old');
    });

    it('drops held messages on msg.reset', async () => {
      const send = await batchWith({ mode: 'count', count: 2 });
      const out = collect('h', 4);
      const dones = watchDone('b');
      for (const p of [0, 1, 2]) send({ payload: p });
      send({ payload: 3, reset: true });
      for (const p of [4, 5]) send({ payload: p });
      assert.deepEqual(sequencesOf(await out), [[0, 1], [4, 5]]);
      await wait(10);
      assert.equal(dones.length, 6);
    });

    it('fails the message that exceeds nodeMessageBufferMaxLength and drops the rest', async () => {
      helper.settings({ nodeMessageBufferMaxLength: 2 });
      const send = await batchWith({ mode: 'count', count: 5 });
      const dones = watchDone('b');
      for (let i = 0; i < 3; i++) send({ payload: i });
      assert.equal(dones.length, 3);
      assert.equal(messageOf(dones.find((d) => d.err)!.err), 'too many pending messages in batch node');
      assert.equal(dones.find((d) => d.err)!.msg.payload, 2);
      assert.deepEqual(logged('b', 20).map(messageOf), ['too many pending messages in batch node']);
    });

    it('completes held messages when the node stops', async () => {
      const send = await batchWith({ mode: 'count', count: 5 });
      const dones = watchDone('b');
      send({ payload: 1 });
      await helper.clearFlows();
      assert.equal(dones.length, 1);
    });

    it('refuses an overlap that is not below the count', () =>
      assert.rejects(batchWith({ mode: 'count', count: 2, overlap: 2 }), /node b, property 'overlap'.*Invalid count and overlap/));

    it('refuses a negative overlap', () => assert.rejects(batchWith({ mode: 'count', count: 2, overlap: -1 }), /property 'overlap'/));
  });

  describe('interval mode', () => {
    it('sends what arrived in each interval as a sequence', async () => {
      const send = await batchWith({ mode: 'interval', interval: 0.04 });
      const out = collect('h', 3);
      for (const p of [0, 1, 2]) send({ payload: p });
      assert.deepEqual(sequencesOf(await out), [[0, 1, 2]]);
      const later = collect('h', 1);
      send({ payload: 3 });
      assert.deepEqual((await later)[0]!.payload, 3);
    });

    it('sends nothing for an empty interval by default', async () => {
      await batchWith({ mode: 'interval', interval: 0.02 });
      const got = record('h');
      await wait(80);
      assert.equal(got.length, 0);
    });

    it('sends a one-message sequence with a null payload for an empty interval when allowed', async () => {
      await batchWith({ mode: 'interval', interval: 0.02, allowEmptySequence: true });
      const out = await collect('h', 2);
      for (const m of out) {
        assert.equal(m.payload, null);
        assert.deepEqual([(m.parts as any).index, (m.parts as any).count], [0, 1]);
      }
      assert.notEqual((out[0]!.parts as any).id, (out[1]!.parts as any).id);
    });

    it('drops held messages on msg.reset', async () => {
      const send = await batchWith({ mode: 'interval', interval: 0.05 });
      const dones = watchDone('b');
      const out = collect('h', 1);
      send({ payload: 'dropped' });
      send({ reset: true });
      assert.equal(dones.length, 2);
      send({ payload: 'kept' });
      assert.deepEqual((await out).map((m) => m.payload), ['kept']);
    });

    it('fails the message that exceeds nodeMessageBufferMaxLength', async () => {
      helper.settings({ nodeMessageBufferMaxLength: 2 });
      const send = await batchWith({ mode: 'interval', interval: 1 });
      const dones = watchDone('b');
      for (let i = 0; i < 3; i++) send({ payload: i });
      assert.equal(dones.length, 3);
      assert.deepEqual(dones.filter((d) => d.err).map((d) => d.msg.payload), [2]);
    });

    it('stops its timer when the node stops', async () => {
      const send = await batchWith({ mode: 'interval', interval: 0.02, allowEmptySequence: true });
      const got = record('h');
      const dones = watchDone('b');
      send({ payload: 1 });
      await helper.clearFlows();
      const seen = got.length;
      await wait(60);
      assert.equal(got.length, seen);
      assert.equal(dones.length, 1);
    });
  });

  describe('concat mode', () => {
    const sendSeq = (send: (m: Msg) => void, topic: string, id: string, values: unknown[]) =>
      values.forEach((payload, index) => send({ topic, payload, parts: { id, index, count: values.length } }));

    it('concatenates complete sequences in the order of the topics', async () => {
      const send = await batchWith({ mode: 'concat', topics: [{ topic: 'TA' }, { topic: 'TB' }] });
      const out = collect('h', 4);
      sendSeq(send, 'TB', 'b', [2, 3]);
      sendSeq(send, 'TA', 'a', [0, 1]);
      assert.deepEqual(sequencesOf(await out), [[0, 1, 2, 3]]);
    });

    it('pairs sequences of each topic in arrival order, with interleaved parts', async () => {
      const send = await batchWith({ mode: 'concat', topics: [{ topic: 'TA' }, { topic: 'TB' }] });
      const out = collect('h', 8);
      send({ topic: 'TA', payload: 'a0', parts: { id: 'a', index: 0, count: 2 } });
      send({ topic: 'TA', payload: 'c0', parts: { id: 'c', index: 0, count: 2 } });
      send({ topic: 'TB', payload: 'b0', parts: { id: 'b', index: 0, count: 2 } });
      send({ topic: 'TA', payload: 'c1', parts: { id: 'c', index: 1, count: 2 } });
      send({ topic: 'TB', payload: 'b1', parts: { id: 'b', index: 1, count: 2 } });
      send({ topic: 'TA', payload: 'a1', parts: { id: 'a', index: 1, count: 2 } });
      sendSeq(send, 'TB', 'd', ['d0', 'd1']);
      assert.deepEqual(sequencesOf(await out), [['a0', 'a1', 'b0', 'b1'], ['c0', 'c1', 'd0', 'd1']]);
    });

    it('repeats a sequence for a topic listed twice, completing each message once', async () => {
      const send = await batchWith({ mode: 'concat', topics: [{ topic: 'TA' }, { topic: 'TA' }] });
      const out = collect('h', 4);
      const dones = watchDone('b');
      sendSeq(send, 'TA', 'a', [9, 8]);
      assert.deepEqual(sequencesOf(await out), [[9, 8, 9, 8]]);
      assert.equal(dones.length, 2);
    });

    it('reports a message of a listed topic without complete parts', async () => {
      const send = await batchWith({ mode: 'concat', topics: [{ topic: 'TA' }] });
      const dones = watchDone('b');
      send({ topic: 'TA', payload: 1, parts: { id: 'a', index: 0 } });
      assert.equal(messageOf(dones[0]!.err), 'no parts property in message');
    });

    it('drops messages of other topics without completing them, as Node-RED does', async () => {
      const send = await batchWith({ mode: 'concat', topics: [{ topic: 'TA' }] });
      const got = record('h');
      const dones = watchDone('b');
      send({ topic: 'other', payload: 1, parts: { id: 'a', index: 0, count: 1 } });
      await wait(20);
      assert.equal(got.length, 0);
      assert.equal(dones.length, 0);
    });

    it('drops held sequences on msg.reset', async () => {
      const send = await batchWith({ mode: 'concat', topics: [{ topic: 'TA' }, { topic: 'TB' }] });
      const out = collect('h', 4);
      sendSeq(send, 'TA', 'x', ['lost', 'lost']);
      send({ reset: true });
      sendSeq(send, 'TB', 'b', [2, 3]);
      sendSeq(send, 'TA', 'a', [0, 1]);
      assert.deepEqual(sequencesOf(await out), [[0, 1, 2, 3]]);
    });

    it('past nodeMessageBufferMaxLength fails every held message with the msg.id of the one that overflowed (all, without msg.id)', async () => {
      helper.settings({ nodeMessageBufferMaxLength: 2 });
      const send = await batchWith({ mode: 'concat', topics: [{ topic: 'TA' }, { topic: 'TB' }] });
      const dones = watchDone('b');
      send({ topic: 'TA', payload: 0, parts: { id: 'A', index: 0, count: 3 } });
      send({ topic: 'TB', payload: 0, parts: { id: 'B', index: 0, count: 3 } });
      send({ topic: 'TA', payload: 1, parts: { id: 'A', index: 1, count: 3 } });
      assert.equal(dones.length, 3);
      assert.equal(dones.filter((d) => d.err).length, 3);
      assert.equal(logged('b', 20).length, 3);
      assert.equal(messageOf(logged('b', 20)[0]), 'too many pending messages in batch node');
    });

    it('past nodeMessageBufferMaxLength completes without error the held messages whose msg.id differs', async () => {
      helper.settings({ nodeMessageBufferMaxLength: 2 });
      const send = await batchWith({ mode: 'concat', topics: [{ topic: 'TA' }, { topic: 'TB' }] });
      const dones = watchDone('b');
      send({ id: 1, topic: 'TA', payload: 0, parts: { id: 'A', index: 0, count: 3 } });
      send({ id: 2, topic: 'TB', payload: 0, parts: { id: 'B', index: 0, count: 3 } });
      send({ id: 2, topic: 'TA', payload: 1, parts: { id: 'A', index: 1, count: 3 } });
      assert.equal(dones.length, 3);
      assert.deepEqual(dones.filter((d) => d.err).map((d) => [d.msg.topic, d.msg.payload]), [['TA', 1], ['TB', 0]]);
    });

    it('refuses topics that are not a list', () => assert.rejects(batchWith({ mode: 'concat', topics: 'TA' }), /property 'topics'/));
  });

  it('refuses an unknown mode', () => assert.rejects(batchWith({ mode: 'random' }), /property 'mode'/));

  it('loads with Node-RED defaults and ignores the properties of other modes', async () => {
    const send = await batchWith({ mode: 'interval', count: 0, overlap: 0, interval: 0.02, topics: [] });
    const out = collect('h', 1);
    send({ payload: 'x' });
    assert.equal((await out)[0]!.payload, 'x');
  });
});
