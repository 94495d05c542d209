import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { collect } from '../../nodes/test-kit.js';
import type { RedApi } from '../../compat/red-api.js';
import type { Hooks } from '../hooks/index.js';
import type { Msg } from '../types.js';
import type { CompleteEvent, ReceiveEvent, SendEvent } from './hooked-messaging.js';

/** `pass` sends what it gets and calls done; `fail` calls done with an error. */
function testNodes(RED: RedApi) {
  RED.nodes.registerType('pass', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: Msg, send: (m: Msg) => void, done: () => void) => {
      send(msg);
      done();
    });
  } as any);
  RED.nodes.registerType('fail', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', (_msg: Msg, _send: unknown, done: (err: Error) => void) => done(new Error('done with error')));
  } as any);
}

const tab = { id: 't1', type: 'tab', label: 'Flow 1' };
const helperNode = (id: string) => ({ id, type: 'helper', z: 't1', wires: [] });

const hooks = (): Hooks => helper.runtime()!.engine.hooks;


afterEach(() => helper.unload());

describe('message hooks: where they fire', () => {
  it('fires every stage in Node-RED\'s order, with Node-RED\'s event shapes', async () => {
    await helper.load(testNodes, [tab, { id: 'p', type: 'pass', z: 't1', wires: [['h1', 'h2']] }, helperNode('h1'), helperNode('h2')]);
    const seen: string[] = [];
    const sends: Record<string, SendEvent[]> = {};
    const receives: ReceiveEvent[] = [];
    const completes: CompleteEvent[] = [];
    let onSendEvents: SendEvent[] | undefined;
    let onSendMsgs: Msg[] = [];
    let routedBeforeLookup = true;
    hooks().add('onSend.t', (events: SendEvent[]) => {
      onSendEvents = events;
      onSendMsgs = events.map((e) => e.msg);
      seen.push(`onSend ${events.map((e) => `${e.source.id}:${e.source.port}>${e.destination.id}${e.cloneMessage ? ' clone' : ''}`).join(', ')}`);
      if (events.some((e) => e.destination.node !== undefined)) routedBeforeLookup = false;
    });
    for (const stage of ['preRoute', 'preDeliver', 'postDeliver'] as const) {
      hooks().add(`${stage}.t`, (e: SendEvent) => {
        seen.push(`${stage} ${e.destination.id}`);
        (sends[stage] ??= []).push({ ...e, destination: { ...e.destination } });
      });
    }
    hooks().add('onReceive.t', (e: ReceiveEvent) => {
      seen.push(`onReceive ${e.destination.id}`);
      receives.push(e);
    });
    hooks().add('postReceive.t', (e: ReceiveEvent) => void seen.push(`postReceive ${e.destination.id}`));
    hooks().add('onComplete.t', (e: CompleteEvent) => {
      seen.push(`onComplete ${e.node.id}`);
      completes.push(e);
    });

    const got = Promise.all([collect('h1', 1), collect('h2', 1)]);
    const original: Msg = { payload: { deep: [1] } };
    helper.getNode('p')!.receive(original);
    const [[m1], [m2]] = await got;

    assert.deepEqual(seen, [
      'onReceive p',
      'onSend p:0>h1, p:0>h2 clone',
      'preRoute h1', 'preDeliver h1', 'postDeliver h1',
      'preRoute h2', 'preDeliver h2', 'postDeliver h2',
      'onComplete p',
      'postReceive p',
      'onReceive h1', 'postReceive h1',
      'onReceive h2', 'postReceive h2',
    ]);
    const p = helper.getNode('p')!;
    // onSend: the messages exactly as sent, no destination node yet.
    assert.equal(routedBeforeLookup, true);
    assert.equal(onSendMsgs.length, 2);
    assert.equal(onSendMsgs[0], original);
    assert.equal(onSendMsgs[1], original);
    assert.equal(onSendEvents![0]!.source.node, p);
    // preRoute: still no node; preDeliver: the node looked up, and the second message cloned.
    assert.equal(sends.preRoute![1]!.destination.node, undefined);
    assert.equal(sends.preRoute![1]!.msg, original);
    assert.equal(sends.preDeliver![0]!.destination.node, helper.getNode('h1'));
    assert.equal(sends.preDeliver![0]!.msg, original);
    assert.notEqual(sends.preDeliver![1]!.msg, original);
    assert.deepEqual(sends.preDeliver![1]!.msg, original);
    assert.equal(m1, original);
    assert.equal(m2, sends.preDeliver![1]!.msg);
    // Receive and complete events.
    assert.deepEqual(receives[0], { msg: original, destination: { id: 'p', node: p } });
    assert.deepEqual(completes, [{ msg: original, error: undefined, node: { id: 'p', node: p } }]);
  });

  it('gives onComplete the error a node reports with done(err), and the catch node still gets it', async () => {
    await helper.load(testNodes, [tab, { id: 'f', type: 'fail', z: 't1', wires: [] }, { id: 'c', type: 'catch', z: 't1', scope: null, wires: [['h']] }, helperNode('h')]);
    const completes: CompleteEvent[] = [];
    // The catch node calls done() too: only f's completion counts here.
    hooks().add('onComplete.t', (e: CompleteEvent) => void (e.node.id === 'f' && completes.push(e)));
    const caught = collect('h', 1);
    helper.getNode('f')!.receive({ payload: 1 });
    const [m] = await caught;
    assert.equal((m!.error as { message: string }).message, 'Error: done with error');
    assert.equal(completes.length, 1);
    assert.equal(completes[0]!.node.id, 'f');
    assert.match(String(completes[0]!.error), /done with error/);
  });

  it('names a subflow\'s instance node as the source of what it passes inside', async () => {
    await helper.load(testNodes, [
      tab,
      { id: 'sf', type: 'subflow', name: 'S', in: [{ wires: [{ id: 'inner' }] }], out: [{ wires: [{ id: 'inner', port: 0 }] }] },
      { id: 'inner', type: 'pass', z: 'sf', wires: [[]] },
      { id: 'i1', type: 'subflow:sf', z: 't1', wires: [['h']] },
      helperNode('h'),
    ]);
    const routes: string[] = [];
    hooks().add('onSend.t', (events: SendEvent[]) => void routes.push(...events.map((e) => `${e.source.id}>${e.destination.id}`)));
    const got = collect('h', 1);
    helper.getNode('i1')!.receive({ payload: 1 });
    await got;
    assert.deepEqual(routes, ['i1>i1-inner', 'i1-inner>h']);
  });

  it('fires onComplete for a join, which otherwise holds no message for done()', async () => {
    await helper.load([], [tab, { id: 'j', type: 'join', z: 't1', mode: 'custom', build: 'array', count: 2, wires: [['h']] }, helperNode('h')]);
    const completed: unknown[] = [];
    hooks().add('onComplete.t', (e: CompleteEvent) => void (e.node.id === 'j' && completed.push(e.msg.payload)));
    const got = collect('h', 1);
    helper.getNode('j')!.receive({ payload: 'a' });
    helper.getNode('j')!.receive({ payload: 'b' });
    await got;
    assert.deepEqual(completed.sort(), ['a', 'b']);
  });

  it('keeps hooks across deploys: they belong to the engine, not to the flows', async () => {
    await helper.load(testNodes, [tab, { id: 'p', type: 'pass', z: 't1', wires: [['h']] }, helperNode('h')]);
    const received: string[] = [];
    hooks().add('onReceive.t', (e: ReceiveEvent) => void received.push(e.destination.id));
    await helper.runtime()!.setFlows([tab, { id: 'p2', type: 'pass', z: 't1', wires: [['h2']] }, helperNode('h2')]);
    const got = collect('h2', 1);
    helper.getNode('p2')!.receive({ payload: 1 });
    await got;
    assert.deepEqual(received, ['p2', 'h2']);
  });

  it('never triggers the module hooks (Redoubt installs no module at runtime)', async () => {
    await helper.load(testNodes, [tab, { id: 'p', type: 'pass', z: 't1', wires: [['h']] }, helperNode('h')]);
    let called = 0;
    for (const name of ['preInstall', 'postInstall', 'preUninstall', 'postUninstall']) hooks().add(`${name}.t`, () => void called++);
    const got = collect('h', 1);
    helper.getNode('p')!.receive({ payload: 1 });
    await got;
    await helper.runtime()!.setFlows([tab]);
    assert.equal(called, 0);
  });
});

describe('message hooks: what they do to a message', () => {
  const passTwo = [tab, { id: 'p', type: 'pass', z: 't1', wires: [['h1']] }, helperNode('h1'), helperNode('h2')];

  for (const stage of ['onSend', 'preRoute', 'preDeliver', 'onReceive'] as const) {
    it(`drops a message when ${stage} returns false, and only that one`, async () => {
      await helper.load(testNodes, passTwo);
      const payloadOf = (e: SendEvent | SendEvent[] | ReceiveEvent) => (Array.isArray(e) ? e[0]!.msg : e.msg).payload;
      // onReceive also sees p receive: drop only at h1.
      hooks().add(`${stage}.t`, (e: any) => !(payloadOf(e) === 'drop' && (stage !== 'onReceive' || e.destination.id === 'h1')));
      const got = collect('h1', 1);
      helper.getNode('p')!.receive({ payload: 'drop' });
      helper.getNode('p')!.receive({ payload: 'keep' });
      // Delivered in order: had 'drop' gone through it would arrive first.
      assert.deepEqual((await got).map((m) => m.payload), ['keep']);
    });
  }

  it('waits for asynchronous hooks (callback and promise) and delivers what they changed', async () => {
    await helper.load(testNodes, passTwo);
    hooks().add('onSend.a', (events: SendEvent[], done: () => void) => {
      setTimeout(() => {
        events[0]!.msg.trail = ['onSend'];
        done();
      }, 2);
    });
    hooks().add('preDeliver.b', async (e: SendEvent) => {
      await new Promise((r) => setTimeout(r, 2));
      (e.msg.trail as string[]).push('preDeliver');
    });
    hooks().add('onReceive.c', (e: ReceiveEvent, done: () => void) => {
      setImmediate(() => {
        if (Array.isArray(e.msg.trail)) e.msg.trail.push(`onReceive ${e.destination.id}`);
        done();
      });
    });
    const got = collect('h1', 1);
    helper.getNode('p')!.receive({ payload: 1 });
    const [m] = await got;
    assert.deepEqual(m!.trail, ['onSend', 'preDeliver', 'onReceive h1']);
  });

  it('delivers a message a preDeliver hook put in place, with an id, and refuses a non-object', async () => {
    await helper.load(testNodes, passTwo);
    hooks().add('preDeliver.t', (e: SendEvent) => {
      e.msg = (e.msg.payload === 'bad' ? 'not a message' : { payload: 'replaced' }) as Msg;
    });
    const got = collect('h1', 1);
    helper.getNode('p')!.receive({ payload: 'bad' });
    helper.getNode('p')!.receive({ payload: 'original' });
    const [m] = await got;
    assert.equal(m!.payload, 'replaced');
    assert.equal(typeof m!._msgid, 'string');
    const errors = helper.log().args.map(([e]) => e).filter((e) => e.level === 20);
    assert.deepEqual(errors.map((e) => [e.id, e.msg]), [['p', "a hook replaced the message to 'h1' with a string; it was not delivered"]]);
  });

  it('delivers to another node when preRoute changes the destination id', async () => {
    await helper.load(testNodes, passTwo);
    hooks().add('preRoute.t', (e: SendEvent) => {
      e.destination.id = 'h2';
    });
    const got = collect('h2', 1);
    helper.getNode('p')!.receive({ payload: 'rerouted' });
    assert.equal((await got)[0]!.payload, 'rerouted');
  });

  it('makes a send hook\'s error the sending node\'s logged error, unseen by catch nodes, as Node-RED does', async () => {
    await helper.load(testNodes, [...passTwo, { id: 'c', type: 'catch', z: 't1', scope: null, wires: [['h2']] }, { id: 'f', type: 'fail', z: 't1', wires: [] }]);
    hooks().add('onSend.t', (events: SendEvent[]) => {
      if (events[0]!.msg.payload === 'bad') throw new Error('onSend refused');
    });
    const delivered = collect('h1', 1);
    const caught = collect('h2', 1);
    helper.getNode('p')!.receive({ payload: 'bad' });
    helper.getNode('p')!.receive({ payload: 'good' });
    assert.deepEqual((await delivered).map((m) => m.payload), ['good']);
    // The first error a catch node sees is the node's own, sent after the hook failed.
    helper.getNode('f')!.receive({ payload: 1 });
    assert.equal(((await caught)[0]!.error as { source: { id: string } }).source.id, 'f');
    const errors = helper.log().args.map(([e]) => e).filter((e) => e.level === 20 && e.id === 'p');
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]!.msg), /onSend refused/);
  });

  it('makes an onReceive error the receiving node\'s error, and keeps the message from its handlers', async () => {
    await helper.load(testNodes, passTwo);
    hooks().add('onReceive.t', (e: ReceiveEvent, done: (o?: unknown) => void) => done(e.destination.id === 'h1' && e.msg.payload === 'bad' ? 'not for h1' : undefined));
    const got = collect('h1', 1);
    helper.getNode('p')!.receive({ payload: 'bad' });
    helper.getNode('p')!.receive({ payload: 'good' });
    assert.deepEqual((await got).map((m) => m.payload), ['good']);
    const errors = helper.log().args.map(([e]) => e).filter((e) => e.level === 20);
    assert.deepEqual(errors.map((e) => [e.id, e.msg]), [['h1', 'not for h1']]);
  });

  it('stops calling a hook removed by label, and the path goes back to direct', async () => {
    await helper.load(testNodes, passTwo);
    let calls = 0;
    hooks().add('onSend.t', (_e: unknown) => void calls++);
    hooks().add('onReceive.t', (_e: unknown) => void calls++);
    const first = collect('h1', 1);
    helper.getNode('p')!.receive({ payload: 1 });
    await first;
    assert.equal(calls, 3);
    hooks().remove('*.t');
    assert.equal(hooks().routing || hooks().receiving, false);
    const second = collect('h1', 1);
    helper.getNode('p')!.receive({ payload: 2 });
    await second;
    assert.equal(calls, 3);
  });
});
