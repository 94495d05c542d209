import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from './test-helper.js';
import type { RedApi } from './red-api.js';

/**
 * A contrib module as a message tracer plugin would be written for Node-RED: it registers a node
 * type and adds hooks through `RED.hooks` when loaded.
 */
function tracerModule(RED: RedApi) {
  const traced: string[] = [];
  RED.hooks.add('onSend.tracer', (events: Array<{ source: { id: string }; destination: { id: string } }>) => {
    for (const e of events) traced.push(`${e.source.id}>${e.destination.id}`);
  });
  RED.hooks.add('preDeliver.tracer', (e: { msg: Record<string, unknown> }) => {
    e.msg.traced = true;
  });
  RED.nodes.registerType('trace-log', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: Record<string, unknown>, send: (m: unknown) => void, done: () => void) => {
      msg.payload = traced.slice();
      send(msg);
      done();
    });
  } as any);
}

afterEach(() => helper.unload());

describe('RED.hooks', () => {
  it('runs the hooks a contrib module adds through RED.hooks when loaded by helper.load', async () => {
    await helper.load(tracerModule, [
      { id: 't', type: 'tab' },
      { id: 'a', type: 'helper', z: 't', wires: [['log']] },
      { id: 'log', type: 'trace-log', z: 't', wires: [['h']] },
      { id: 'h', type: 'helper', z: 't', wires: [] },
    ]);
    const got = new Promise<Record<string, unknown>>((resolve) => helper.getNode('h')!.on('input', resolve));
    helper.getNode('a')!.send({ payload: 'x' });
    const msg = await got;
    assert.deepEqual(msg.payload, ['a>log']);
    assert.equal(msg.traced, true);
    assert.equal(helper.log().args.some(([e]) => /hook/i.test(String(e.msg))), false);
  });

  it('is one registry per runtime: the runtime\'s RED and the engine see what a module added', async () => {
    await helper.load(tracerModule, [{ id: 't', type: 'tab' }]);
    const runtime = helper.runtime()!;
    assert.equal(runtime.red.hooks.has('onSend.tracer'), true);
    assert.equal(runtime.engine.hooks.has('preDeliver.tracer'), true);
    runtime.red.hooks.remove('*.tracer');
    assert.equal(runtime.engine.hooks.has('onSend'), false);
  });

  it('refuses an unknown hook and a label taken twice, as Node-RED does', async () => {
    await helper.load([], [{ id: 't', type: 'tab' }]);
    const red = helper.runtime()!.red;
    assert.throws(() => red.hooks.add('onMessage', () => undefined), /'onMessage' is not a hook/);
    red.hooks.add('onSend.mine', (_e: unknown) => undefined);
    assert.throws(() => red.hooks.add('onSend.mine', (_e: unknown) => undefined), /already added/);
  });
});
