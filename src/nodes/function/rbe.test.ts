import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nodeToHelper, record, settle as settleRounds, type AnyMsg } from '../test-kit.js';
import { isSameValue } from './rbe.js';

const settle = () => settleRounds(4);

/** Loads a filter node, feeds it `inputs` in order and returns what it let through. */
async function run(props: AnyMsg, inputs: AnyMsg[]): Promise<AnyMsg[]> {
  await helper.load([], nodeToHelper({ id: 'r', type: 'rbe', ...props, wires: [['h']] }, { helperId: 'h' }));
  const out = record<AnyMsg>('h');
  for (const msg of inputs) helper.getNode('r')!.receive(msg);
  await settle();
  return out;
}

const values = (payloads: unknown[], extra: AnyMsg = {}) => payloads.map((payload) => ({ payload, ...extra }));

afterEach(() => helper.unload());

describe('filter (rbe) node', () => {
  it('compares values deeply as Node-RED does', () => {
    assert.equal(isSameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), true);
    assert.equal(isSameValue({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(isSameValue([1, 2], { 0: 1, 1: 2 }), false);
    assert.equal(isSameValue(Buffer.from('ab'), Buffer.from('ab')), true);
    assert.equal(isSameValue(Buffer.from('ab'), Buffer.from('ac')), false);
    assert.equal(isSameValue(null, {}), false);
  });
  it('passes a message only when the value changes (rbe), per topic', async () => {
    const out = await run({ func: 'rbe' }, [
      { topic: 'a', payload: 1 },
      { topic: 'a', payload: 1 },
      { topic: 'b', payload: 1 },
      { topic: 'a', payload: 2 },
      { topic: 'b', payload: 1 },
      { topic: 'a', payload: { x: [1] } },
      { topic: 'a', payload: { x: [1] } },
      { topic: 'a', payload: { x: [2] } },
    ]);
    assert.deepEqual(out.map((m) => [m.topic, m.payload]), [['a', 1], ['b', 1], ['a', 2], ['a', { x: [1] }], ['a', { x: [2] }]]);
  });
  it('treats all topics as one when septopics is false', async () => {
    const out = await run({ func: 'rbe', septopics: false }, [
      { topic: 'a', payload: 1 },
      { topic: 'b', payload: 1 },
      { topic: 'b', payload: 2 },
    ]);
    assert.deepEqual(out.map((m) => m.payload), [1, 2]);
  });
  it('keeps its own copy of an object value, so changing the sent one does not hide a change', async () => {
    await helper.load([], [
      { id: 'f', type: 'tab' },
      { id: 'r', type: 'rbe', z: 'f', func: 'rbe', wires: [['h']] },
      { id: 'h', type: 'helper', z: 'f', wires: [] },
    ]);
    const out: AnyMsg[] = [];
    helper.getNode('h')!.on('input', (m: AnyMsg) => out.push(m));
    const first = { payload: { n: 1 } };
    helper.getNode('r')!.receive(first);
    first.payload.n = 2;
    helper.getNode('r')!.receive({ payload: { n: 2 } });
    await settle();
    assert.equal(out.length, 2);
  });
  it('remembers but does not send the first value in rbei mode', async () => {
    const out = await run({ func: 'rbei' }, values(['a', 'a', 'b', 'b', 'a']));
    assert.deepEqual(out.map((m) => m.payload), ['b', 'a']);
  });
  it('watches another property, and ignores messages without it', async () => {
    const out = await run({ func: 'rbe', property: 'foo.bar' }, [
      { payload: 1, foo: { bar: 1 } },
      { payload: 2, foo: { bar: 1 } },
      { payload: 3 },
      { payload: 4, foo: { bar: 2 } },
    ]);
    assert.deepEqual(out.map((m) => m.payload), [1, 4]);
  });
  it('uses another property as the topic when topi is set', async () => {
    const out = await run({ func: 'rbe', topi: 'source' }, [
      { source: 's1', payload: 1 },
      { source: 's2', payload: 1 },
      { source: 's1', payload: 1 },
    ]);
    assert.deepEqual(out.map((m) => m.source), ['s1', 's2']);
  });
  it('forgets the value of the message topic on msg.reset, or every value without a topic', async () => {
    const out = await run({ func: 'rbe' }, [
      { topic: 'a', payload: 1 },
      { topic: 'b', payload: 1 },
      { topic: 'a', reset: true },
      { topic: 'a', payload: 1 },
      { topic: 'b', payload: 1 },
      { reset: true },
      { topic: 'b', payload: 1 },
    ]);
    assert.deepEqual(out.map((m) => m.topic), ['a', 'b', 'a', 'b']);
  });
  it('passes changes greater than the gap (deadband), comparing with the last output', async () => {
    const out = await run({ func: 'deadband', gap: '10', inout: 'out' }, values([0, 5, 10, 11, 15, 25, 22]));
    assert.deepEqual(out.map((m) => m.payload), [0, 11, 25]);
  });
  it('passes changes greater than or equal to the gap (deadbandEq)', async () => {
    const out = await run({ func: 'deadbandEq', gap: '10' }, values([0, 5, 10, 11, 20]));
    assert.deepEqual(out.map((m) => m.payload), [0, 10, 20]);
  });
  it('compares with the last input when inout is in', async () => {
    const out = await run({ func: 'deadband', gap: '10', inout: 'in' }, values([0, 8, 16, 30]));
    assert.deepEqual(out.map((m) => m.payload), [0, 30]);
  });
  it('reads a gap ending in % as a percentage of the previous value', async () => {
    const out = await run({ func: 'deadband', gap: '10%' }, values([100, 105, 111, 120, 135]));
    assert.deepEqual(out.map((m) => m.payload), [100, 111, 135]);
  });
  it('reads numbers from strings and warns when there is none', async () => {
    const out = await run({ func: 'deadband', gap: '1' }, values(['1 V', 'hello', '5']));
    assert.deepEqual(out.map((m) => m.payload), ['1 V', '5']);
    const warnings = helper.log().args.filter(([e]) => e.level === 30).map(([e]) => e.msg);
    assert.deepEqual(warnings, ['no number found in payload']);
  });
  it('blocks changes greater than the gap (narrowband), starting from the first value', async () => {
    const out = await run({ func: 'narrowband', gap: '10' }, values([100, 105, 150, 110, 111]));
    assert.deepEqual(out.map((m) => m.payload), [100, 105, 110, 111]);
  });
  it('blocks changes greater than or equal to the gap (narrowbandEq), from the start value', async () => {
    const out = await run({ func: 'narrowbandEq', gap: '10', start: '50' }, values([70, 60, 55, 45, 50]));
    assert.deepEqual(out.map((m) => m.payload), [55, 50]);
  });
  it('passes an unchanged value with a gap of 0 in narrowband mode', async () => {
    const out = await run({ func: 'narrowband', gap: '0' }, values([3, 3, 4]));
    assert.deepEqual(out.map((m) => m.payload), [3, 3]);
  });
  it('refuses a gap that is not a number or percentage', async () => {
    await assert.rejects(run({ func: 'deadband', gap: 'ten' }, []), /gap/);
  });
  it('refuses a start value that is not a number in narrowband mode', async () => {
    await assert.rejects(run({ func: 'narrowband', gap: '1', start: 'low' }, []), /start/);
  });
  it('refuses a malformed property path', async () => {
    await assert.rejects(run({ func: 'rbe', property: 'a[' }, []), /property/);
  });
  it('refuses an unknown mode', async () => {
    await assert.rejects(run({ func: 'sometimes' }, []), /func/);
  });
});
