import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { loadRecorded, settle, type AnyMsg } from '../test-kit.js';
import { durationMs, rateTiming, variableDelayMs } from './delay.js';

async function load(props: AnyMsg, settings: AnyMsg = {}) {
  helper.settings(settings);
  const wires = props.outputs === 2 ? [['h1'], ['h2']] : [['h1']];
  const { node, received, statuses, send } = await loadRecorded({ id: 'd', type: 'delay', name: '', ...props, wires }, ['h1', 'h2']);
  return { node, out: received.h1!, second: received.h2!, statuses, send };
}

function useFakeClock() {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
}

afterEach(async () => {
  mock.timers.reset();
  helper.settings({ nodeMessageBufferMaxLength: 0 });
  await helper.unload();
});

describe('delay node: units', () => {
  it('converts each duration unit to milliseconds, reading an unknown unit as seconds', () => {
    assert.equal(durationMs(2, 'milliseconds'), 2);
    assert.equal(durationMs(2, 'seconds'), 2000);
    assert.equal(durationMs(2, 'minutes'), 120_000);
    assert.equal(durationMs(2, 'hours'), 7_200_000);
    assert.equal(durationMs(2, 'days'), 172_800_000);
    assert.equal(durationMs(2, 'fortnights'), 2000);
  });
  it('spreads rate messages over nbRateUnits of the rate unit', () => {
    assert.deepEqual(rateTiming(1, 1, 'second'), { intervalMs: 1000, periodMs: 1000 });
    assert.deepEqual(rateTiming(2, 1, 'second'), { intervalMs: 500, periodMs: 1000 });
    assert.deepEqual(rateTiming(1, 2, 'minute'), { intervalMs: 120_000, periodMs: 120_000 });
    assert.deepEqual(rateTiming(4, 1, 'hour'), { intervalMs: 900_000, periodMs: 3_600_000 });
    assert.deepEqual(rateTiming(1, 0, 'day'), { intervalMs: 86_400_000, periodMs: 0 });
  });
  it('takes msg.delay when numeric, else the configured delay, and never goes below zero', () => {
    assert.equal(variableDelayMs({ delay: 250 }, 1000), 250);
    assert.equal(variableDelayMs({ delay: '75' }, 1000), 75);
    assert.equal(variableDelayMs({ delay: 'soon' }, 1000), 1000);
    assert.equal(variableDelayMs({}, 1000), 1000);
    assert.equal(variableDelayMs({ delay: -5 }, 1000), 0);
  });
});

describe('delay node: configuration', () => {
  it('refuses a non-numeric timeout at deploy, naming the property', async () => {
    await assert.rejects(load({ pauseType: 'delay', timeout: 'soon', timeoutUnits: 'seconds' }), /timeout/);
  });
  it('refuses a negative rate at deploy', async () => {
    await assert.rejects(load({ pauseType: 'rate', rate: '-1', rateUnits: 'second' }), /rate/);
  });
  it('refuses an unknown pauseType', async () => {
    await assert.rejects(load({ pauseType: 'sometimes' }), /pauseType/);
  });
  it('loads a saved node whose hidden fields are blank (random fields in rate mode)', async () => {
    const { node } = await load({ pauseType: 'rate', rate: '1', randomFirst: '', randomLast: 'x', timeout: '' });
    assert.ok(node);
  });
});

describe('delay node: delay modes', () => {
  it('delays each message by the fixed timeout in its unit', async () => {
    const { out, send } = await load({ pauseType: 'delay', timeout: '2', timeoutUnits: 'seconds' });
    useFakeClock();
    send({ payload: 'a' });
    mock.timers.tick(1999);
    await settle();
    assert.equal(out.length, 0);
    mock.timers.tick(1);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), ['a']);
  });
  it('shows the pending count when the delay is over a second, and not otherwise', async () => {
    const long = await load({ pauseType: 'delay', timeout: '2', timeoutUnits: 'seconds' });
    useFakeClock();
    long.send({ payload: 1 });
    long.send({ payload: 2 });
    assert.deepEqual(long.statuses.at(-1), { fill: 'blue', shape: 'dot', text: '2' });
    mock.timers.tick(2000);
    assert.deepEqual(long.statuses.at(-1), { fill: 'blue', shape: 'dot', text: '0' });
    mock.timers.reset();
    const short = await load({ pauseType: 'delay', timeout: '500', timeoutUnits: 'milliseconds' });
    short.send({ payload: 1 });
    assert.equal(short.statuses.length, 0);
  });
  it('delays by msg.delay in delayv mode, defaulting to the timeout', async () => {
    const { out, send } = await load({ pauseType: 'delayv', timeout: '1', timeoutUnits: 'seconds' });
    useFakeClock();
    send({ payload: 'slow' });
    send({ payload: 'quick', delay: 100 });
    send({ payload: 'now', delay: -50 });
    mock.timers.tick(0);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), ['now']);
    mock.timers.tick(100);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), ['now', 'quick']);
    mock.timers.tick(900);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), ['now', 'quick', 'slow']);
  });
  it('delays randomly between randomFirst and randomLast', async () => {
    const { out, send } = await load({ pauseType: 'random', randomFirst: '1', randomLast: '3', randomUnits: 'seconds' });
    useFakeClock();
    for (let i = 0; i < 5; i++) send({ payload: i });
    mock.timers.tick(999);
    await settle();
    assert.equal(out.length, 0);
    mock.timers.tick(2001);
    await settle();
    assert.equal(out.length, 5);
  });
  it('drops every pending message on msg.reset and shows an empty ring', async () => {
    const { out, statuses, send } = await load({ pauseType: 'delay', timeout: '2', timeoutUnits: 'seconds' });
    useFakeClock();
    send({ payload: 1 });
    send({ payload: 2 });
    send({ reset: true, payload: 'r' });
    assert.deepEqual(statuses.at(-1), { fill: 'blue', shape: 'ring', text: '0' });
    mock.timers.tick(5000);
    await settle();
    assert.equal(out.length, 0);
  });
  it('sends every pending message at once on msg.flush, without sending a bare flush', async () => {
    const { out, send } = await load({ pauseType: 'delay', timeout: '5', timeoutUnits: 'seconds' });
    useFakeClock();
    send({ payload: 1 });
    send({ payload: 2 });
    send({ flush: true });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2]);
    mock.timers.tick(10_000);
    await settle();
    assert.equal(out.length, 2);
  });
  it('sends only the number of messages msg.flush holds, oldest first', async () => {
    const { out, statuses, send } = await load({ pauseType: 'delayv', timeout: '5', timeoutUnits: 'seconds' });
    useFakeClock();
    for (let i = 1; i <= 4; i++) send({ payload: i });
    send({ flush: 2.7 });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2]);
    assert.deepEqual(statuses.at(-1), { fill: 'blue', shape: 'dot', text: '2' });
    mock.timers.tick(5000);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2, 3, 4]);
  });
  it('completes pending messages when the flow stops, without sending them', async () => {
    const { out, send } = await load({ pauseType: 'delay', timeout: '1', timeoutUnits: 'seconds' });
    send({ payload: 1 });
    await helper.unload();
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(out.length, 0);
  });
});

describe('delay node: rate limit of all messages', () => {
  it('sends the first message at once and queues the rest, one per interval', async () => {
    const { out, send } = await load({ pauseType: 'rate', rate: '2', nbRateUnits: '1', rateUnits: 'second' });
    useFakeClock();
    send({ payload: 1 });
    send({ payload: 2 });
    send({ payload: 3 });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1]);
    mock.timers.tick(500);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2]);
    mock.timers.tick(500);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2, 3]);
  });
  it('sends a copy of the message, not the one received', async () => {
    const { out, send } = await load({ pauseType: 'rate', rate: '1', rateUnits: 'second' });
    const original = { payload: { n: 1 } };
    send(original);
    await settle();
    assert.deepEqual(out[0]!.payload, { n: 1 });
    assert.notEqual(out[0], original);
  });
  it('reports the queue depth in the status, at most every 500 ms', async () => {
    const { statuses, send } = await load({ pauseType: 'rate', rate: '1', rateUnits: 'minute' });
    useFakeClock();
    for (let i = 0; i < 4; i++) send({ payload: i });
    assert.equal(statuses.length, 0);
    mock.timers.tick(500);
    assert.deepEqual(statuses.at(-1), { fill: 'blue', shape: 'dot', text: '3' });
  });
  it('puts a message with toFront first in the queue', async () => {
    const { out, send } = await load({ pauseType: 'rate', rate: '1', rateUnits: 'second' });
    useFakeClock();
    send({ payload: 1 });
    send({ payload: 2 });
    send({ payload: 3, toFront: true });
    mock.timers.tick(2000);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 3, 2]);
  });
  it('lets msg.rate (ms) override the rate when allowrate is set', async () => {
    const { out, send } = await load({ pauseType: 'rate', rate: '1', rateUnits: 'minute', allowrate: true });
    useFakeClock();
    send({ payload: 1, rate: 100 });
    send({ payload: 2 });
    send({ payload: 3 });
    mock.timers.tick(200);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2, 3]);
  });
  it('ignores msg.rate when allowrate is off', async () => {
    const { out, send } = await load({ pauseType: 'rate', rate: '1', rateUnits: 'minute' });
    useFakeClock();
    send({ payload: 1, rate: 100 });
    send({ payload: 2 });
    mock.timers.tick(1000);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1]);
  });
  it('sends the whole queue on msg.flush, or the number it holds', async () => {
    const { out, send, statuses } = await load({ pauseType: 'rate', rate: '1', rateUnits: 'minute' });
    useFakeClock();
    for (let i = 1; i <= 5; i++) send({ payload: i });
    send({ flush: 2 });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2, 3]);
    assert.deepEqual(statuses.at(-1), { fill: 'blue', shape: 'dot', text: '2' });
    send({ flush: true });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2, 3, 4, 5]);
    assert.equal(out.some((m) => 'flush' in m), false);
  });
  it('flushes before it resets when a message carries both, and keeps the rate running', async () => {
    const { out, send, statuses } = await load({ pauseType: 'rate', rate: '1', rateUnits: 'minute' });
    useFakeClock();
    for (let i = 1; i <= 4; i++) send({ payload: i });
    send({ flush: 2, reset: true });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2, 3]);
    assert.deepEqual(statuses.at(-1), { fill: 'blue', shape: 'ring', text: '0' });
    // The interval still runs, so the next message is held until flushed, not sent at once.
    send({ payload: 5 });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2, 3]);
    send({ flush: 1, reset: true });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2, 3, 5]);
    assert.equal(out.some((m) => 'flush' in m || 'reset' in m), false);
  });
  it('empties the queue on msg.reset without sending it, and restores the configured rate', async () => {
    const { out, send, statuses } = await load({ pauseType: 'rate', rate: '1', rateUnits: 'second', allowrate: true });
    useFakeClock();
    send({ payload: 1, rate: 10_000 });
    send({ payload: 2 });
    send({ reset: true });
    assert.deepEqual(statuses.at(-1), { fill: 'blue', shape: 'ring', text: '0' });
    mock.timers.tick(20_000);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1]);
    send({ payload: 3 });
    send({ payload: 4 });
    mock.timers.tick(1000);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 3, 4]);
  });
  it('empties the queue with an error when nodeMessageBufferMaxLength is reached', async () => {
    const { out, send } = await load({ pauseType: 'rate', rate: '1', rateUnits: 'second' }, { nodeMessageBufferMaxLength: 2 });
    useFakeClock();
    for (let i = 1; i <= 4; i++) send({ payload: i });
    const errors = helper.log().args.filter(([e]) => e.level === 20);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]![0].msg), /too many pending messages in delay node/);
    mock.timers.tick(5000);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1]);
  });
  it('drops intermediate messages when drop is set', async () => {
    const { out, second, send } = await load({ pauseType: 'rate', rate: '1', rateUnits: 'second', drop: true });
    useFakeClock();
    send({ payload: 1 });
    send({ payload: 2 });
    mock.timers.tick(1001);
    send({ payload: 3 });
    mock.timers.tick(10_000);
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 3]);
    assert.equal(second.length, 0);
  });
  it('sends dropped messages to the second output when outputs is 2', async () => {
    const { out, second, send } = await load({ pauseType: 'rate', rate: '1', rateUnits: 'second', drop: true, outputs: 2 });
    useFakeClock();
    send({ payload: 1 });
    send({ payload: 2 });
    send({ payload: 3 });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1]);
    assert.deepEqual(second.map((m) => m.payload), [2, 3]);
  });
  it('lets the next message through after msg.reset in drop mode', async () => {
    const { out, send } = await load({ pauseType: 'rate', rate: '1', rateUnits: 'minute', drop: true });
    useFakeClock();
    send({ payload: 1 });
    send({ reset: true });
    send({ payload: 2 });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2]);
  });
});

describe('delay node: burst mode', () => {
  it('lets rate messages through per period and sends the excess to output 2', async () => {
    const { out, second, statuses, send } = await load({ pauseType: 'burst', rate: '2', nbRateUnits: '1', rateUnits: 'second', drop: true, outputs: 2 });
    useFakeClock();
    send({ payload: 1 });
    send({ payload: 2 });
    send({ payload: 3 });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2]);
    assert.deepEqual(second.map((m) => m.payload), [3]);
    assert.deepEqual(statuses.at(-1), { fill: 'red', shape: 'dot', text: '' });
    mock.timers.tick(1000);
    assert.deepEqual(statuses.at(-1), { fill: 'green', shape: 'ring', text: '' });
    send({ payload: 4 });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 2, 4]);
  });
  it('frees every slot on msg.reset', async () => {
    const { out, send } = await load({ pauseType: 'burst', rate: '1', rateUnits: 'minute', drop: true });
    send({ payload: 1 });
    send({ payload: 2 });
    send({ reset: true });
    send({ payload: 3 });
    await settle();
    assert.deepEqual(out.map((m) => m.payload), [1, 3]);
  });
});

describe('delay node: per-topic queues', () => {
  it('keeps the newest message of each topic and sends one topic per interval (queue)', async () => {
    useFakeClock();
    const { out, second, send } = await load({ pauseType: 'queue', rate: '1', rateUnits: 'second', outputs: 2 });
    send({ topic: 'a', payload: 1 });
    send({ topic: 'b', payload: 1 });
    send({ topic: 'a', payload: 2 });
    send({ payload: 'none' });
    await settle();
    assert.equal(out.length, 0);
    assert.deepEqual(second.map((m) => [m.topic, m.payload]), [['a', 1]]);
    mock.timers.tick(1000);
    await settle();
    assert.deepEqual(out.map((m) => [m.topic, m.payload]), [['a', 2]]);
    mock.timers.tick(2000);
    await settle();
    assert.deepEqual(out.map((m) => [m.topic, m.payload]), [['a', 2], ['b', 1], ['_none_', 'none']]);
  });
  it('sends every held topic at each interval (timed)', async () => {
    useFakeClock();
    const { out, send } = await load({ pauseType: 'timed', rate: '1', rateUnits: 'second' });
    send({ topic: 'a', payload: 1 });
    send({ topic: 'b', payload: 1 });
    send({ topic: 'a', payload: 2 });
    mock.timers.tick(1000);
    await settle();
    assert.deepEqual(out.map((m) => [m.topic, m.payload]), [['a', 2], ['b', 1]]);
  });
  it('switches to msg.rate when allowrate is set, and keeps its mode', async () => {
    useFakeClock();
    const { out, send } = await load({ pauseType: 'timed', rate: '1', rateUnits: 'minute', allowrate: true });
    send({ topic: 'a', payload: 1, rate: 100 });
    send({ topic: 'b', payload: 1 });
    mock.timers.tick(100);
    await settle();
    assert.equal(out.length, 2);
    send({ topic: 'c', payload: 1 });
    mock.timers.tick(100);
    await settle();
    assert.equal(out.length, 3);
  });
  it('sends held topics at once on msg.flush (with a count) and drops them on msg.reset', async () => {
    useFakeClock();
    const { out, statuses, send } = await load({ pauseType: 'queue', rate: '1', rateUnits: 'minute' });
    send({ topic: 'a', payload: 1 });
    send({ topic: 'b', payload: 1 });
    send({ topic: 'c', payload: 1 });
    send({ topic: 'x', flush: 1 });
    await settle();
    assert.deepEqual(out.map((m) => m.topic), ['a']);
    send({ topic: 'd', payload: 1 });
    send({ topic: 'x', reset: true });
    assert.deepEqual(statuses.at(-1), { text: 'reset' });
    mock.timers.tick(300_000);
    await settle();
    assert.deepEqual(out.map((m) => m.topic), ['a']);
  });
});

describe('delay node: completion', () => {
  it('completes a message when it is sent and when a reset drops it, once each', async () => {
    await helper.load([], [
      { id: 'f', type: 'tab' },
      { id: 'd', type: 'delay', z: 'f', pauseType: 'delay', timeout: '50', timeoutUnits: 'milliseconds', wires: [[]] },
      { id: 'c', type: 'complete', z: 'f', scope: ['d'], uncaught: false, wires: [['h']] },
      { id: 'h', type: 'helper', z: 'f', wires: [] },
    ]);
    const completed: AnyMsg[] = [];
    helper.getNode('h')!.on('input', (m: AnyMsg) => completed.push(m));
    const node = helper.getNode('d')!;
    const waitForCount = async (n: number) => {
      for (let waited = 0; completed.length < n && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    };
    node.receive({ payload: 'sent' });
    await waitForCount(1);
    node.receive({ payload: 'dropped' });
    node.receive({ reset: true });
    await waitForCount(3);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(completed.map((m) => m.payload ?? 'reset'), ['sent', 'dropped', 'reset']);
  });
});
