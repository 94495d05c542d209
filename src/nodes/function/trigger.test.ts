import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { loadRecorded, settle as settleRounds, waitUntil, type AnyMsg } from '../test-kit.js';
import { migrateTriggerTypes } from './trigger.js';

const settle = () => settleRounds(6);
/** Waits (real time) until `ready` holds, failing after two seconds. */
async function waitFor(ready: () => boolean): Promise<void> {
  await waitUntil(ready, 'messages');
  await settle();
}
/** Advances the fake clock, then lets promise chains and the run queue catch up. */
const advance = async (ms: number) => {
  await settle();
  mock.timers.tick(ms);
  await settle();
};

async function load(props: AnyMsg) {
  const wires = Number(props.outputs) === 2 ? [['h1'], ['h2']] : [['h1']];
  const { node, received, statuses, send } = await loadRecorded({ id: 't', type: 'trigger', ...props, wires }, ['h1', 'h2']);
  return { node, out: received.h1!, second: received.h2!, statuses, send };
}

const payloads = (msgs: AnyMsg[]) => msgs.map((m) => m.payload);

afterEach(async () => {
  mock.timers.reset();
  await helper.unload();
});

describe('trigger node: configuration', () => {
  it('reads legacy `val` types as Node-RED does', () => {
    const migrated = migrateTriggerTypes({ id: 't', type: 'trigger', op1: 'true', op1type: 'val', op2: 'null', op2type: 'val' });
    assert.equal(migrated.op1type, 'bool');
    assert.equal(migrated.op2type, 'json');
    assert.equal(migrateTriggerTypes({ id: 't', type: 'trigger', op1: 'x', op1type: 'val' }).op1type, 'str');
    assert.equal(migrateTriggerTypes({ id: 't', type: 'trigger', op1: 'x', op1type: 'num' }).op1type, 'num');
  });
  it('refuses invalid JSON in op1 at deploy', async () => {
    await assert.rejects(load({ op1: '{bad', op1type: 'json', op2: '0', op2type: 'str', duration: '250' }), /op1/);
  });
  it('refuses a non-numeric op2 of type num at deploy', async () => {
    await assert.rejects(load({ op1: '1', op1type: 'str', op2: 'lots', op2type: 'num', duration: '250' }), /op2/);
  });
  it('refuses a non-numeric duration', async () => {
    await assert.rejects(load({ duration: 'soon' }), /duration/);
  });
  it('refuses a malformed topic property when handling each topic', async () => {
    await assert.rejects(load({ bytopic: 'topic', topic: 'a[' }), /topic/);
  });
});

describe('trigger node: sending', () => {
  it('sends "1", then "0" 250 ms later, by default (legacy val types)', async () => {
    const { out, statuses, send } = await load({ op1: '1', op1type: 'val', op2: '0', op2type: 'val', duration: '250' });
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    send({ payload: 'go', topic: 'x' });
    await settle();
    assert.deepEqual(payloads(out), ['1']);
    assert.deepEqual(statuses.at(-1), { fill: 'blue', shape: 'dot' });
    await advance(249);
    assert.equal(out.length, 1);
    await advance(1);
    assert.deepEqual(payloads(out), ['1', '0']);
    assert.equal(out[1]!.topic, 'x');
    assert.deepEqual(statuses.at(-1), {});
  });
  for (const [type, value, expected] of [
    ['str', 'on', 'on'],
    ['num', '42', 42],
    ['bool', 'true', true],
    ['json', '{"a":[1]}', { a: [1] }],
    ['bin', '[1,2]', Buffer.from([1, 2])],
  ] as const) {
    it(`sends op1 and op2 of type ${type}`, async () => {
      const { out, send } = await load({ op1: value, op1type: type, op2: value, op2type: type, duration: '20' });
      send({ payload: 'in' });
      await waitFor(() => out.length >= 2);
      assert.deepEqual(payloads(out), [expected, expected]);
    });
  }
  it('sends a timestamp for type date, read again when the second message goes', async () => {
    const { out, send } = await load({ op1: '', op1type: 'date', op2: '', op2type: 'date', duration: '30' });
    const before = Date.now();
    send({ payload: 'in' });
    await waitFor(() => out.length >= 2);
    assert.equal(typeof out[0]!.payload, 'number');
    assert.ok(out[0]!.payload >= before);
    assert.ok(out[1]!.payload >= out[0]!.payload + 25);
  });
  it('reads env, flow and global values; flow and global again when the second message goes', async () => {
    process.env.REDOUBT_TRIGGER_TEST = 'from-env';
    const { node, out, send } = await load({ op1: 'REDOUBT_TRIGGER_TEST', op1type: 'env', op2: 'later', op2type: 'flow', duration: '30' });
    node.context().flow.set('later', 'first');
    send({ payload: 'in' });
    await settle();
    node.context().flow.set('later', 'changed');
    await waitFor(() => out.length >= 2);
    assert.deepEqual(payloads(out), ['from-env', 'changed']);
    delete process.env.REDOUBT_TRIGGER_TEST;
  });
  it('reads a global context value for op1', async () => {
    const { node, out, send } = await load({ op1: 'g', op1type: 'global', op2: '0', op2type: 'nul', duration: '0' });
    node.context().global.set('g', { deep: true });
    send({ payload: 'in' });
    await settle();
    assert.deepEqual(payloads(out), [{ deep: true }]);
  });
  it('passes the payload on with pay, and sends nothing with nul', async () => {
    const { out, send } = await load({ op1: '', op1type: 'pay', op2: '', op2type: 'nul', duration: '20' });
    send({ payload: { keep: 1 } });
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(payloads(out), [{ keep: 1 }]);
  });
  it('sends nothing first with op1type nul, then op2', async () => {
    const { out, send } = await load({ op1: '', op1type: 'nul', op2: 'late', op2type: 'str', duration: '20' });
    send({ payload: 'in' });
    await settle();
    assert.equal(out.length, 0);
    await waitFor(() => out.length >= 1);
    assert.deepEqual(payloads(out), ['late']);
  });
  it('accepts type null, sending the saved value unconverted (an empty one as the default)', async () => {
    const { out, send } = await load({ op1: '7', op1type: 'null', op2: '', op2type: 'null', duration: '20' });
    send({ payload: 'in' });
    await waitFor(() => out.length >= 2);
    assert.deepEqual(payloads(out), ['7', '0']);
  });
  it('sends the original payload second with op2type pay', async () => {
    const { out, send } = await load({ op1: 'first', op1type: 'str', op2: '', op2type: 'pay', duration: '20' });
    send({ payload: 'original' });
    send({ payload: 'ignored' });
    await waitFor(() => out.length >= 2);
    assert.deepEqual(payloads(out), ['first', 'original']);
  });
  it('sends the latest message second with op2type payl', async () => {
    const { out, send } = await load({ op1: 'first', op1type: 'str', op2: '', op2type: 'payl', duration: '30' });
    send({ payload: 'a' });
    send({ payload: 'b', extra: 1 });
    send({ payload: 'c', extra: 2 });
    await waitFor(() => out.length >= 2);
    assert.deepEqual(payloads(out), ['first', 'c']);
    assert.equal(out[1]!.extra, 2);
  });
  it('renders mustache templates in string values over the message', async () => {
    const { out, send } = await load({ op1: 'on {{topic}}', op1type: 'str', op2: 'off {{payload}}', op2type: 'str', duration: '20' });
    send({ payload: 'p', topic: 'lamp' });
    await waitFor(() => out.length >= 2);
    assert.deepEqual(payloads(out), ['on lamp', 'off p']);
  });
  it('sends the second message to output 2 when outputs is 2', async () => {
    const { out, second, send } = await load({ op1: '1', op1type: 'str', op2: '0', op2type: 'str', duration: '20', outputs: 2 });
    send({ payload: 'in' });
    await waitFor(() => second.length >= 1);
    assert.deepEqual(payloads(out), ['1']);
    assert.deepEqual(payloads(second), ['0']);
  });
});

describe('trigger node: timing', () => {
  const base = { op1: 'on', op1type: 'str', op2: 'off', op2type: 'str' };
  it('ignores messages while triggered when extend is off', async () => {
    const { out, send } = await load({ ...base, duration: '100' });
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    send({ payload: 1 });
    await advance(50);
    send({ payload: 2 });
    await advance(50);
    assert.deepEqual(payloads(out), ['on', 'off']);
    await advance(500);
    assert.equal(out.length, 2);
  });
  it('restarts the wait with each message when extend is on, building the second on the last', async () => {
    const { out, send } = await load({ ...base, op2: '', op2type: 'payl', duration: '100', extend: 'true' });
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    send({ payload: 1 });
    await advance(80);
    send({ payload: 2 });
    await advance(80);
    assert.deepEqual(payloads(out), ['on']);
    await advance(20);
    assert.deepEqual(payloads(out), ['on', 2]);
  });
  it('converts duration units', async () => {
    for (const [units, ms] of [['s', 1000], ['min', 60_000], ['hr', 3_600_000]] as const) {
      const { out, send } = await load({ ...base, duration: '2', units });
      mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
      send({ payload: 1 });
      await advance(2 * ms - 1);
      assert.equal(out.length, 1, units);
      await advance(1);
      assert.equal(out.length, 2, units);
      mock.timers.reset();
    }
  });
  it('uses msg.delay (ms) when overrideDelay is on, and ignores it otherwise', async () => {
    const on = await load({ ...base, duration: '1', units: 's', overrideDelay: true });
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    on.send({ payload: 1, delay: 50 });
    await advance(50);
    assert.deepEqual(payloads(on.out), ['on', 'off']);
    mock.timers.reset();
    const off = await load({ ...base, duration: '1', units: 's' });
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    off.send({ payload: 1, delay: 50 });
    await advance(50);
    assert.deepEqual(payloads(off.out), ['on']);
  });
  it('waits for a reset when duration is 0, reset by msg.reset', async () => {
    const { out, statuses, send } = await load({ ...base, duration: '0' });
    send({ payload: 1 });
    send({ payload: 2 });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(payloads(out), ['on']);
    send({ reset: true });
    await settle();
    assert.deepEqual(statuses.at(-1), {});
    send({ payload: 3 });
    await settle();
    assert.deepEqual(payloads(out), ['on', 'on']);
  });
  it('resets when the payload equals the reset value, as text', async () => {
    const { out, send } = await load({ ...base, duration: '0', reset: '0' });
    send({ payload: 1 });
    send({ payload: 0 });
    send({ payload: 2 });
    await settle();
    assert.deepEqual(payloads(out), ['on', 'on']);
  });
  it('cancels the pending second message on reset', async () => {
    const { out, send } = await load({ ...base, duration: '50' });
    send({ payload: 1 });
    send({ reset: 1 });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(payloads(out), ['on']);
  });
  it('resends op1 every |duration| when duration is negative, until reset', async () => {
    const { out, send } = await load({ ...base, duration: '-100' });
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    send({ payload: 1 });
    await advance(350);
    assert.deepEqual(payloads(out), ['on', 'on', 'on', 'on']);
    send({ reset: true });
    await advance(500);
    assert.equal(out.length, 4);
  });
});

describe('trigger node: topics', () => {
  const base = { op1: 'on', op1type: 'str', op2: 'off', op2type: 'str', duration: '100' };
  it('treats every topic as one stream by default', async () => {
    const { out, send } = await load(base);
    send({ payload: 1, topic: 'a' });
    send({ payload: 1, topic: 'b' });
    await settle();
    assert.equal(out.length, 1);
  });
  it('runs a stream per value of the topic property when bytopic is topic, counting them in the status', async () => {
    const { out, statuses, send } = await load({ ...base, bytopic: 'topic', topic: 'device.id' });
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    send({ payload: 1, device: { id: 'a' } });
    send({ payload: 1, device: { id: 'b' } });
    send({ payload: 1, device: { id: 'a' } });
    await settle();
    assert.deepEqual(out.map((m) => [m.device.id, m.payload]), [['a', 'on'], ['b', 'on']]);
    assert.deepEqual(statuses.at(-1), { fill: 'blue', shape: 'dot', text: '2' });
    send({ reset: true, device: { id: 'a' } });
    await settle();
    await advance(100);
    assert.deepEqual(out.map((m) => [m.device.id, m.payload]), [['a', 'on'], ['b', 'on'], ['b', 'off']]);
  });
  it('reports a message whose topic property cannot be read as an error of that message', async () => {
    await load({ ...base, bytopic: 'topic', topic: 'device.id' });
    helper.getNode('t')!.receive({ payload: 1 });
    await settle();
    const errors = helper.log().args.filter(([e]) => e.level === 20);
    assert.equal(errors.length, 1);
  });
});
