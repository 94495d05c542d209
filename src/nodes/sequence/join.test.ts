import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { helper } from '../../compat/test-helper.js';
import type { Msg } from '../../runtime/types.js';
import { collect, loadFlow, loadSender, logged, messageOf, record, wait, watchDone } from '../test-kit.js';

afterEach(() => helper.unload());

const joinWith = (config: Record<string, unknown>) => loadSender({ id: 'j', type: 'join', ...config });

describe('join node, automatic mode', () => {
  it('joins string parts with the recorded separator', async () => {
    const send = await joinWith({ mode: 'auto', joiner: '[44]', joinerType: 'bin', build: 'string' });
    const out = collect('h', 1);
    for (const [i, p] of ['A', 'B', 'C', 'D'].entries()) send({ payload: p, parts: { id: 1, type: 'string', ch: ',', index: i, count: 4 } });
    const [msg] = await out;
    assert.equal(msg!.payload, 'A,B,C,D');
    assert.equal('parts' in msg!, false);
  });

  it('puts parts back in index order', async () => {
    const send = await joinWith({ mode: 'auto' });
    const out = collect('h', 1);
    send({ payload: 'c', parts: { id: 'x', type: 'array', index: 2, count: 3, len: 1 } });
    send({ payload: 'a', parts: { id: 'x', type: 'array', index: 0, count: 3, len: 1 } });
    send({ payload: 'b', parts: { id: 'x', type: 'array', index: 1, count: 3, len: 1 } });
    assert.deepEqual((await out)[0]!.payload, ['a', 'b', 'c']);
  });

  it('completes when only one part carries the count', async () => {
    const send = await joinWith({ mode: 'auto' });
    const out = collect('h', 1);
    send({ payload: 'b', parts: { id: 'x', type: 'string', ch: '', index: 1 } });
    send({ payload: 'c', parts: { id: 'x', type: 'string', ch: '', index: 2, count: 3 } });
    send({ payload: 'a', parts: { id: 'x', type: 'string', ch: '', index: 0 } });
    assert.equal((await out)[0]!.payload, 'abc');
  });

  it('keeps the latest part of a repeated index and counts it once', async () => {
    const send = await joinWith({ mode: 'auto' });
    const out = collect('h', 1);
    for (const p of ['A', 'B', 'C']) send({ payload: p, parts: { id: 1, type: 'array', index: 0, count: 2 } });
    send({ payload: 'D', parts: { id: 1, type: 'array', index: 1, count: 2 } });
    assert.deepEqual((await out)[0]!.payload, ['C', 'D']);
  });

  it('concatenates buffer parts without a separator', async () => {
    const send = await joinWith({ mode: 'auto' });
    const out = collect('h', 1);
    send({ payload: Buffer.from('ab'), parts: { id: 1, type: 'buffer', index: 0, count: 2, len: 2 } });
    send({ payload: Buffer.from('c'), parts: { id: 1, type: 'buffer', index: 1, count: 2, len: 2 } });
    const [msg] = await out;
    assert.ok(Buffer.isBuffer(msg!.payload));
    assert.equal((msg!.payload as Buffer).toString(), 'abc');
  });

  it('joins buffer parts with the recorded bytes', async () => {
    const send = await joinWith({ mode: 'auto' });
    const out = collect('h', 1);
    send({ payload: Buffer.from('a'), parts: { id: 1, type: 'buffer', ch: [13, 10], index: 0, count: 2 } });
    send({ payload: Buffer.from('b'), parts: { id: 1, type: 'buffer', ch: [13, 10], index: 1, count: 2 } });
    assert.equal(((await out)[0]!.payload as Buffer).toString(), 'a\r\nb');
  });

  it('turns a Buffer separator of string parts into text', async () => {
    const send = await joinWith({ mode: 'auto' });
    const out = collect('h', 1);
    for (const [i, p] of ['A', 'B', 'C'].entries()) send({ payload: p, parts: { id: 1, type: 'string', ch: Buffer.from('0'), index: i, count: 3 } });
    assert.equal((await out)[0]!.payload, 'A0B0C');
  });

  it('flattens array chunks', async () => {
    const send = await joinWith({ mode: 'auto' });
    const out = collect('h', 1);
    send({ payload: [3], parts: { id: 1, type: 'array', index: 1, count: 2, len: 2 } });
    send({ payload: [1, 2], parts: { id: 1, type: 'array', index: 0, count: 2, len: 2 } });
    assert.deepEqual((await out)[0]!.payload, [1, 2, 3]);
  });

  it('rebuilds an object from its keys', async () => {
    const send = await joinWith({ mode: 'auto' });
    const out = collect('h', 1);
    send({ payload: 1, topic: 'last?', parts: { id: 1, type: 'object', key: 'a', index: 0, count: 2 } });
    send({ payload: 2, topic: 'last', parts: { id: 1, type: 'object', key: 'b', index: 1, count: 2 } });
    const [msg] = await out;
    assert.deepEqual(msg!.payload, { a: 1, b: 2 });
    assert.equal(msg!.topic, 'last', 'other properties come from the last message');
  });

  it('joins into the property named in parts.property', async () => {
    const send = await joinWith({ mode: 'auto' });
    const out = collect('h', 1);
    send({ foo: { bar: 'A' }, parts: { id: 1, type: 'array', len: 1, index: 0, count: 2, property: 'foo.bar' } });
    send({ foo: { bar: 'B' }, parts: { id: 1, type: 'array', len: 1, index: 1, count: 2, property: 'foo.bar' } });
    const [msg] = await out;
    assert.deepEqual((msg!.foo as any).bar, ['A', 'B']);
    assert.equal('payload' in msg!, false);
  });

  it('restores the outer parts of nested sequences', async () => {
    const outer = { id: 'o', type: 'array', index: 1, count: 2, len: 1 };
    const send = await joinWith({ mode: 'auto' });
    const out = collect('h', 1);
    send({ payload: 'x', parts: { parts: outer, id: 'i', type: 'string', ch: '', index: 0, count: 2 } });
    send({ payload: 'y', parts: { parts: outer, id: 'i', type: 'string', ch: '', index: 1, count: 2 } });
    assert.deepEqual((await out)[0]!.parts, outer);
  });

  it('warns about and completes a message without parts', async () => {
    const send = await joinWith({ mode: 'auto' });
    const got = record('h');
    const dones = watchDone('j');
    send({ payload: 'a' });
    send({ payload: 'a', parts: { index: 0 } });
    await wait(20);
    assert.equal(got.length, 0);
    assert.equal(dones.length, 2);
    assert.deepEqual(logged('j', 30), [
      "Message missing msg.parts property - cannot join in 'auto' mode",
      "Message missing msg.parts property - cannot join in 'auto' mode",
    ]);
  });

  it('warns when an object part has no key', async () => {
    const send = await joinWith({ mode: 'auto' });
    send({ payload: 1, parts: { id: 1, type: 'object', index: 0, count: 1 } });
    await wait(20);
    assert.deepEqual(logged('j', 30), ["Message missing 'msg.parts.key' property - cannot add to object"]);
  });

  it('drops every partial sequence on a reset without parts, completing its messages', async () => {
    const send = await joinWith({ mode: 'auto' });
    const out = collect('h', 1);
    const dones = watchDone('j');
    send({ payload: 'A', parts: { id: 1, type: 'array', index: 0, count: 2 } });
    send({ payload: 'B', parts: { id: 2, type: 'array', index: 0, count: 2 } });
    send({ reset: true });
    assert.equal(dones.length, 3);
    send({ payload: 'C', parts: { id: 1, type: 'array', index: 1, count: 2 } });
    send({ payload: 'D', parts: { id: 1, type: 'array', index: 0, count: 2 } });
    assert.deepEqual((await out)[0]!.payload, ['D', 'C']);
  });

  it('completes held messages when the node stops', async () => {
    const send = await joinWith({ mode: 'auto' });
    const dones = watchDone('j');
    send({ payload: 'A', parts: { id: 1, type: 'array', index: 0, count: 2 } });
    assert.equal(dones.length, 0);
    await helper.clearFlows();
    assert.equal(dones.length, 1);
  });
});

describe('join node, completing collected messages', () => {
  it('completes every collected message, in arrival order, when the result is sent', async () => {
    const send = await joinWith({ mode: 'custom', build: 'array', count: 3 });
    const out = collect('h', 1);
    const dones = watchDone('j');
    const sent = [{ payload: 1 }, { payload: 2 }, { payload: 3 }];
    for (const m of sent) send(m);
    await out;
    assert.deepEqual(dones.map((d) => d.msg), sent);
    assert.ok(dones.every((d) => d.err === undefined));
  });

  it('completes them the same way when another input handler shares the node', async () => {
    const send = await joinWith({ mode: 'custom', build: 'array', count: 2 });
    const seen: unknown[] = [];
    // A handler taking done: each message completes once both handlers have called done.
    helper.getNode('j')!.on('input', (msg: Msg, _send: unknown, done: () => void) => {
      seen.push(msg.payload);
      done();
    });
    const out = collect('h', 1);
    const dones = watchDone('j');
    send({ payload: 'a' });
    assert.equal(dones.length, 0, 'the join still holds it');
    send({ payload: 'b' });
    await out;
    assert.deepEqual(seen, ['a', 'b']);
    assert.deepEqual(dones.map((d) => d.msg.payload), ['a', 'b']);
  });
});

describe('join node, holding a sequence', () => {
  // Node's gc(), for checking what a held group keeps alive.
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  async function heldAfterGc(watched: boolean): Promise<boolean> {
    const nodes: Array<Record<string, unknown>> = [{ id: 'j', type: 'join', mode: 'custom', build: 'array', count: 4, wires: [['h']] }, { id: 'h', type: 'helper' }];
    if (watched) nodes.push({ id: 'c', type: 'complete', scope: ['j'], wires: [['hc']] }, { id: 'hc', type: 'helper' });
    await loadFlow(nodes);
    const join = helper.getNode('j')!;
    let ref: WeakRef<Msg> | undefined;
    ((): void => {
      const middle: Msg = { payload: 2, big: new Array(1000).fill('x') };
      ref = new WeakRef(middle);
      join.receive({ payload: 1 });
      join.receive(middle);
      join.receive({ payload: 3 });
    })();
    await wait(20);
    gc();
    await wait(0);
    gc();
    return ref!.deref() !== undefined;
  }

  it('does not keep the collected messages alive when no complete node watches the join', async () => {
    assert.equal(await heldAfterGc(false), false);
  });

  it('keeps them, and completes each, when a complete node watches it', async () => {
    assert.equal(await heldAfterGc(true), true);
    const completed = collect('hc', 4);
    const out = collect('h', 1);
    helper.getNode('j')!.receive({ payload: 4 });
    assert.deepEqual((await out)[0]!.payload, [1, 2, 3, 4]);
    const msgs = await completed;
    assert.deepEqual(msgs.map((m) => m.payload), [1, 2, 3, 4]);
    assert.equal((msgs[1] as Msg & { big: unknown[] }).big.length, 1000);
  });
});

describe('join node, manual mode', () => {
  it('builds an array after a count', async () => {
    const send = await joinWith({ mode: 'custom', build: 'array', count: 3 });
    const out = collect('h', 1);
    send({ payload: 1 });
    send({ payload: true });
    send({ payload: { a: 1 } });
    assert.deepEqual((await out)[0]!.payload, [1, true, { a: 1 }]);
  });

  it('ignores parts.index and takes the count from the config', async () => {
    const send = await joinWith({ mode: 'custom', build: 'array', count: 2, useparts: true });
    const out = collect('h', 1);
    send({ payload: 1, parts: { index: 3 } });
    send({ payload: 2, parts: { index: 0 } });
    assert.deepEqual((await out)[0]!.payload, [1, 2]);
  });

  it('takes the count and the group from msg.parts when the count is empty', async () => {
    const send = await joinWith({ mode: 'custom', build: 'array', count: '', useparts: true });
    const out = collect('h', 2);
    send({ payload: 'a1', parts: { id: 'a', index: 0, count: 2 } });
    send({ payload: 'b1', parts: { id: 'b', index: 0, count: 3 } });
    send({ payload: 'a2', parts: { id: 'a', index: 1, count: 2 } });
    send({ payload: 'b2', parts: { id: 'b', index: 1, count: 3 } });
    send({ payload: 'b3', parts: { id: 'b', index: 2, count: 3 } });
    assert.deepEqual((await out).map((m) => m.payload), [['a1', 'a2'], ['b1', 'b2', 'b3']]);
  });

  it('strips msg.parts when useparts is off, keeping outer parts', async () => {
    const send = await joinWith({ mode: 'custom', build: 'array', count: 2, useparts: false });
    const out = collect('h', 1);
    send({ payload: 1, parts: { id: 'i', index: 0, count: 9, parts: { id: 'o', index: 0, count: 1 } } });
    send({ payload: 2, parts: { id: 'i', index: 1, count: 9, parts: { id: 'o', index: 0, count: 1 } } });
    const [msg] = await out;
    assert.deepEqual(msg!.payload, [1, 2]);
    assert.deepEqual(msg!.parts, { id: 'o', index: 0, count: 1 });
  });

  it('joins strings with an escaped separator', async () => {
    const send = await joinWith({ mode: 'custom', build: 'string', count: 3, joiner: '\\n' });
    const out = collect('h', 1);
    for (const p of ['a', 1, 'c']) send({ payload: p });
    assert.equal((await out)[0]!.payload, 'a\n1\nc');
  });

  it('joins strings with a bin separator', async () => {
    const send = await joinWith({ mode: 'custom', build: 'string', count: 2, joiner: '[45,45]', joinerType: 'bin' });
    const out = collect('h', 1);
    send({ payload: 'a' });
    send({ payload: 'b' });
    assert.equal((await out)[0]!.payload, 'a--b');
  });

  it('builds a buffer from strings, buffers and byte arrays', async () => {
    const send = await joinWith({ mode: 'custom', build: 'buffer', count: 3, joiner: '[44]', joinerType: 'bin' });
    const out = collect('h', 1);
    send({ payload: 'a' });
    send({ payload: Buffer.from('b') });
    send({ payload: [99] });
    const [msg] = await out;
    assert.ok(Buffer.isBuffer(msg!.payload));
    assert.equal((msg!.payload as Buffer).toString(), 'a,b,c');
  });

  it('refuses to add a number to a buffer, as an error of that message', async () => {
    const send = await joinWith({ mode: 'custom', build: 'buffer', count: 2, joiner: '' });
    const dones = watchDone('j');
    send({ payload: 5 });
    await wait(20);
    assert.equal(dones.length, 1);
    assert.equal(messageOf(dones[0]!.err), 'Cannot join number to buffer');
  });

  it('builds a key/value object using the key property', async () => {
    const send = await joinWith({ mode: 'custom', build: 'object', key: 'topic', count: 2 });
    const out = collect('h', 1);
    send({ payload: 1, topic: 'a' });
    send({ payload: 2, topic: 'b' });
    assert.deepEqual((await out)[0]!.payload, { a: 1, b: 2 });
  });

  it('counts distinct keys for an object', async () => {
    const send = await joinWith({ mode: 'custom', build: 'object', key: 'k', count: 2 });
    const out = collect('h', 1);
    send({ payload: 1, k: 'a' });
    send({ payload: 2, k: 'a' });
    send({ payload: 3, k: 'b' });
    assert.deepEqual((await out)[0]!.payload, { a: 2, b: 3 });
  });

  it('warns about a message without the key', async () => {
    const send = await joinWith({ mode: 'custom', build: 'object', key: 'topic', count: 2 });
    send({ payload: 1 });
    await wait(20);
    assert.deepEqual(logged('j', 30), ["Message missing key property 'msg.topic' - cannot add to object"]);
  });

  it('sends an object on msg.complete even without a key', async () => {
    const send = await joinWith({ mode: 'custom', build: 'object', timeout: 1 });
    const out = collect('h', 1);
    send({ payload: 1, topic: 'A' });
    send({ payload: 2, topic: 'B' });
    send({ complete: true });
    const [msg] = await out;
    assert.deepEqual(msg!.payload, { A: 1, B: 2 });
    assert.equal('complete' in msg!, false);
  });

  it('merges objects, counting keys as Node-RED does', async () => {
    const send = await joinWith({ mode: 'custom', build: 'merged', count: 3 });
    const out = collect('h', 1);
    send({ payload: { a: 1, b: 1 } });
    send({ payload: { b: 2, c: 3 } });
    assert.deepEqual((await out)[0]!.payload, { a: 1, b: 2, c: 3 });
  });

  it('warns when asked to merge something that is not an object', async () => {
    const send = await joinWith({ mode: 'custom', build: 'merged', count: 2 });
    send({ payload: [1] });
    await wait(20);
    assert.deepEqual(logged('j', 30), ['Cannot merge non-object types']);
  });

  it('merges complete messages, leaving out _msgid', async () => {
    const send = await joinWith({ mode: 'custom', build: 'merged', propertyType: 'full', property: '', count: 4 });
    const out = collect('h', 1);
    send({ payload: 1, topic: 'f' });
    send({ payload: 2, foo: 'b' });
    send({ payload: 3, topic: 'a', bar: 'z' });
    const [msg] = await out;
    assert.deepEqual(msg!.payload, { payload: 3, topic: 'a', foo: 'b', bar: 'z' });
  });

  it('collects complete messages into an array', async () => {
    const send = await joinWith({ mode: 'custom', build: 'array', propertyType: 'full', count: 2 });
    const out = collect('h', 1);
    send({ payload: 1, topic: 'x' });
    send({ payload: 2, topic: 'y' });
    const payload = (await out)[0]!.payload as Msg[];
    assert.deepEqual(payload.map((m) => [m.payload, m.topic]), [[1, 'x'], [2, 'y']]);
  });

  it('joins a nested property into the same property', async () => {
    const send = await joinWith({ mode: 'custom', build: 'array', property: 'a.b', count: 2 });
    const out = collect('h', 1);
    send({ a: { b: 1 } });
    send({ a: { b: 2 } });
    assert.deepEqual(((await out)[0]!.a as any).b, [1, 2]);
  });

  it('warns when the property path has no parent', async () => {
    const send = await joinWith({ mode: 'custom', build: 'array', property: 'a.b', count: 2 });
    const dones = watchDone('j');
    send({ payload: 1 });
    await wait(20);
    assert.deepEqual(logged('j', 30), ['Message property a.b not found']);
    assert.equal(dones.length, 1);
  });

  it('sends every subsequent message when accumulating', async () => {
    const send = await joinWith({ mode: 'custom', build: 'merged', accumulate: true, count: 2 });
    const out = collect('h', 3);
    send({ payload: { a: 1 } });
    send({ payload: { b: 2 } });
    send({ payload: { a: 3 } });
    send({ payload: { c: 4 } });
    assert.deepEqual((await out).map((m) => m.payload), [{ a: 1, b: 2 }, { a: 3, b: 2 }, { a: 3, b: 2, c: 4 }]);
  });

  it('ends an accumulation on msg.complete and starts afresh', async () => {
    const send = await joinWith({ mode: 'custom', build: 'object', accumulate: true, count: 5 });
    const out = collect('h', 2);
    send({ payload: 1, topic: 'a' });
    send({ payload: 2, topic: 'b', complete: true });
    send({ payload: 3, topic: 'c', complete: true });
    assert.deepEqual((await out).map((m) => m.payload), [{ a: 1, b: 2 }, { c: 3 }]);
  });

  it('drops a partial result on msg.reset', async () => {
    const send = await joinWith({ mode: 'custom', build: 'array', count: 2 });
    const out = collect('h', 1);
    const dones = watchDone('j');
    send({ payload: 'lost' });
    send({ reset: true });
    assert.equal(dones.length, 2);
    send({ payload: 'a' });
    send({ payload: 'b' });
    assert.deepEqual((await out)[0]!.payload, ['a', 'b']);
  });

  it('sends what it has when the timeout runs out', async () => {
    const send = await joinWith({ mode: 'custom', build: 'string', joiner: ',', timeout: 0.03 });
    const out = collect('h', 1);
    const dones = watchDone('j');
    send({ payload: 'a' });
    send({ payload: 'b' });
    assert.equal((await out)[0]!.payload, 'a,b');
    assert.equal(dones.length, 2);
  });

  it('restarts the timeout on msg.restartTimeout', async () => {
    const send = await joinWith({ mode: 'custom', build: 'string', joiner: ',', timeout: 0.08 });
    const got = record('h');
    send({ payload: 'a' });
    await wait(50);
    send({ payload: 'b', restartTimeout: true });
    await wait(50);
    assert.equal(got.length, 0, 'the restarted timeout has not run out yet');
    const out = collect('h', 1);
    assert.equal((await out)[0]!.payload, 'a,b');
  });

  it('sends on msg.complete, including that message', async () => {
    const send = await joinWith({ mode: 'custom', build: 'string', joiner: '\\n', timeout: 5, count: 0 });
    const out = collect('h', 1);
    send({ payload: 'Hello' });
    send({ payload: 'World', complete: true });
    assert.equal((await out)[0]!.payload, 'Hello\nWorld');
  });

  it('clears timers and completes held messages when the node stops', async () => {
    const send = await joinWith({ mode: 'custom', build: 'array', timeout: 0.05 });
    const got = record('h');
    const dones = watchDone('j');
    send({ payload: 1 });
    await helper.clearFlows();
    assert.equal(dones.length, 1);
    await wait(80);
    assert.equal(got.length, 0);
  });

  it('reads build and useparts of older flows as Node-RED does', async () => {
    // Without build, Node-RED's runtime builds an array; without useparts, it uses msg.parts.
    const send = await joinWith({ mode: 'custom', count: '' });
    const out = collect('h', 1);
    send({ payload: 1, parts: { id: 'x', index: 0, count: 2 } });
    send({ payload: 2, parts: { id: 'x', index: 1, count: 2 } });
    assert.deepEqual((await out)[0]!.payload, [1, 2]);
  });
});

describe('join node configuration', () => {
  const refuse = (config: Record<string, unknown>, pattern: RegExp) =>
    assert.rejects(loadFlow([{ id: 'j', type: 'join', ...config }]), pattern);

  it('refuses a bin joiner that is not an array', () => refuse({ mode: 'custom', joiner: '"x"', joinerType: 'bin' }, /node j, property 'joiner'/));
  it('refuses a count that is not a number', () => refuse({ mode: 'custom', build: 'array', count: 'many' }, /property 'count'/));
  it('refuses a timeout that is not a number', () => refuse({ mode: 'custom', timeout: 'soon' }, /property 'timeout'/));
  it('refuses a malformed key path for objects', () => refuse({ mode: 'custom', build: 'object', key: 'a[' }, /property 'key'/));
  it('refuses an unknown build', () => refuse({ mode: 'custom', build: 'tree' }, /property 'build'/));
});
