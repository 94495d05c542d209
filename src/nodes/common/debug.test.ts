import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nextMessage, settle } from '../test-kit.js';
import type { Msg, NodeStatus } from '../../runtime/types.js';
import { debugControl, logEntryToDebug } from './debug-control.js';

afterEach(async () => {
  mock.timers.reset();
  helper.settings({ debugMaxLength: undefined, debugStatusLength: undefined });
  await helper.unload();
});

const tab = { id: 'f', type: 'tab', label: 'Flow 1' };

function debug(extra: Record<string, unknown> = {}) {
  return { id: 'n1', type: 'debug', z: 'f', wires: [], ...extra };
}

/** Loads the flow and returns what is published on `topic` from then on. */
async function load(nodes: unknown[], topic = 'debug'): Promise<unknown[]> {
  await helper.load([], [tab, ...nodes]);
  const got: unknown[] = [];
  helper.runtime()!.events.on('publish', (t: string, data: unknown) => {
    if (t === topic) got.push(data);
  });
  return got;
}

/** Sends one message to n1 and returns the first thing published on the debug topic. */
async function publishOf(config: Record<string, unknown>, msg: Msg): Promise<unknown> {
  const got = await load([debug(config)]);
  helper.getNode('n1')!.receive(msg);
  await settle();
  assert.equal(got.length, 1, 'one debug message is published');
  return got[0];
}

describe('debug node', () => {
  describe('to the sidebar', () => {
    it('publishes msg.payload with id, z, path, name, topic and property', async () => {
      const data = await publishOf({ name: 'Debug' }, { payload: 'test', topic: 'tp' });
      assert.deepEqual(data, { id: 'n1', z: 'f', path: 'f', name: 'Debug', topic: 'tp', property: 'payload', msg: 'test', format: 'string[4]' });
    });

    it('publishes the complete message when complete is "true"', async () => {
      const data = (await publishOf({ complete: 'true' }, { payload: 'test', _msgid: 'm1' })) as Record<string, unknown>;
      assert.equal(data.format, 'Object');
      assert.deepEqual(JSON.parse(data.msg as string), { payload: 'test', _msgid: 'm1' });
      assert.equal('property' in data, false);
    });

    it('reads the complete message from a legacy boolean complete: true, and the payload from false', async () => {
      const whole = (await publishOf({ complete: true }, { payload: 1 })) as Record<string, unknown>;
      assert.equal(whole.format, 'Object');
      await helper.unload();
      const payload = (await publishOf({ complete: false }, { payload: 1 })) as Record<string, unknown>;
      assert.equal(payload.property, 'payload');
      assert.equal(payload.msg, '1');
    });

    it('publishes another property, deep paths included', async () => {
      const data = (await publishOf({ complete: 'foo.bar[1]' }, { foo: { bar: ['a', 'b'] } })) as Record<string, unknown>;
      assert.equal(data.property, 'foo.bar[1]');
      assert.equal(data.msg, 'b');
    });

    it('publishes undefined when a parent of the property is missing', async () => {
      const data = (await publishOf({ complete: 'a.b.c' }, { payload: 1 })) as Record<string, unknown>;
      assert.equal(data.format, 'undefined');
      assert.equal(data.msg, '(undefined)');
    });

    it('publishes the result of a JSONata expression, without a property', async () => {
      const data = (await publishOf({ targetType: 'jsonata', complete: '"<" & payload & ">"' }, { payload: 'test' })) as Record<string, unknown>;
      assert.equal(data.msg, '<test>');
      assert.equal(data.format, 'string[6]');
      assert.equal('property' in data, false);
    });

    it('publishes nothing when not active, but still logs to the console', async () => {
      const got = await load([debug({ active: false, console: 'true' })]);
      helper.getNode('n1')!.receive({ payload: 'quiet' });
      await settle();
      assert.equal(got.length, 0);
      assert.ok(helper.log().args.some(([e]) => e.type === 'debug' && e.msg === 'quiet'));
    });

    it('publishes nothing when tosidebar is false', async () => {
      const got = await load([debug({ tosidebar: false })]);
      helper.getNode('n1')!.receive({ payload: 'x' });
      await settle();
      assert.equal(got.length, 0);
    });

    it('carries the subflow instance path and _alias for a node inside a subflow', async () => {
      const got = await load([
        { id: 'sf', type: 'subflow', name: 'S', in: [{ wires: [{ id: 'd1' }] }], out: [] },
        { id: 'd1', type: 'debug', z: 'sf', wires: [] },
        { id: 'i1', type: 'subflow:sf', z: 'f', wires: [] },
      ]);
      helper.getNode('i1')!.receive({ payload: 'inside' });
      await settle(10);
      assert.equal(got.length, 1);
      const data = got[0] as Record<string, unknown>;
      assert.equal(data._alias, 'd1');
      assert.equal(data.path, 'f/i1');
      assert.equal(data.z, 'i1');
      assert.equal(data.msg, 'inside');
    });

    it('encodes values as Node-RED does: Buffer as hex, numbers, booleans, null, objects, arrays, errors', async () => {
      const got = await load([debug()]);
      const n1 = helper.getNode('n1')!;
      const payloads: unknown[] = [Buffer.from('HELLO'), 3.5, NaN, true, null, { type: 'foo' }, [1, 2], new TypeError('bad')];
      for (const payload of payloads) n1.receive({ payload });
      n1.receive({});
      await settle();
      const shown = got.map((d) => {
        const { format, msg } = d as { format: string; msg: string };
        return [format, msg];
      });
      assert.deepEqual(shown.slice(0, 7), [
        ['buffer[5]', '48454c4c4f'],
        ['number', '3.5'],
        ['number', 'NaN'],
        ['boolean', 'true'],
        ['null', '(undefined)'],
        ['Object', '{"type":"foo"}'],
        ['array[2]', '[1,2]'],
      ]);
      assert.equal(shown[7]![0], 'error');
      const error = JSON.parse(shown[7]![1]!);
      assert.equal(error.__enc__, true);
      assert.equal(error.data.name, 'TypeError');
      assert.equal(error.data.message, 'bad');
      assert.deepEqual(shown[8], ['undefined', '(undefined)']);
    });

    it('marks circular references', async () => {
      const o: Record<string, unknown> = { name: 'bar' };
      o.o = o;
      const data = (await publishOf({}, { payload: o })) as Record<string, unknown>;
      assert.equal(data.msg, '{"name":"bar","o":"[Circular ~]"}');
    });
  });

  describe('truncation (debugMaxLength)', () => {
    it('cuts a long string to 1000 characters and adds "..."', async () => {
      const data = (await publishOf({}, { payload: 'X'.repeat(1001) })) as Record<string, unknown>;
      assert.equal(data.msg, 'X'.repeat(1000) + '...');
      assert.equal(data.format, 'string[1001]');
    });

    it('cuts a long string inside an object', async () => {
      const data = (await publishOf({}, { payload: { foo: 'X'.repeat(1001) } })) as Record<string, unknown>;
      assert.equal(data.msg, `{"foo":"${'X'.repeat(1000)}..."}`);
    });

    it('cuts a large array and says how long it was', async () => {
      const data = (await publishOf({}, { payload: Array(1001).fill('X') })) as Record<string, unknown>;
      assert.equal(data.format, 'array[1001]');
      assert.deepEqual(JSON.parse(data.msg as string), { __enc__: true, type: 'array', data: Array(1000).fill('X'), length: 1001 });
    });

    it('cuts a large array inside an object', async () => {
      const data = (await publishOf({}, { payload: { foo: Array(1001).fill('X') } })) as Record<string, unknown>;
      assert.deepEqual(JSON.parse(data.msg as string), { foo: { __enc__: true, type: 'array', data: Array(1000).fill('X'), length: 1001 } });
    });

    it('cuts the hex of a large buffer', async () => {
      const data = (await publishOf({}, { payload: Buffer.alloc(501, '"') })) as Record<string, unknown>;
      assert.equal(data.msg, '2'.repeat(1000));
      assert.equal(data.format, 'buffer[501]');
    });

    it('cuts a large buffer inside an object', async () => {
      const data = (await publishOf({}, { payload: { foo: Buffer.alloc(1001, 'X') } })) as Record<string, unknown>;
      assert.deepEqual(JSON.parse(data.msg as string), { foo: { type: 'Buffer', data: Array(1000).fill(88), __enc__: true, length: 1001 } });
    });

    it('uses the debugMaxLength setting', async () => {
      helper.settings({ debugMaxLength: 5 });
      const data = (await publishOf({}, { payload: 'abcdefgh' })) as Record<string, unknown>;
      assert.equal(data.msg, 'abcde...');
    });
  });

  describe('to the console', () => {
    function debugLogs() {
      return helper.log().args.filter(([e]) => e.type === 'debug' && e.level === 40).map(([e]) => e.msg);
    }

    it('logs a string at info level through the node', async () => {
      await publishOf({ console: 'true' }, { payload: 'test' });
      assert.deepEqual(debugLogs(), ['test']);
    });

    it('starts a string containing a newline on a new line', async () => {
      await publishOf({ console: true }, { payload: 'test\ntest' });
      assert.deepEqual(debugLogs(), ['\ntest\ntest']);
    });

    it('logs an object inspected, on a new line', async () => {
      await publishOf({ console: 'true' }, { payload: { type: 'foo' } });
      assert.deepEqual(debugLogs(), ["\n{ type: 'foo' }"]);
    });

    it('logs a number inspected', async () => {
      await publishOf({ console: 'true' }, { payload: 7 });
      assert.deepEqual(debugLogs(), ['7']);
    });

    it('logs the complete message inspected', async () => {
      await publishOf({ console: 'true', complete: 'true' }, { payload: 'test', _msgid: 'x' });
      assert.deepEqual(debugLogs(), ["\n{ payload: 'test', _msgid: 'x' }"]);
    });

    it('logs nothing when console is false', async () => {
      await publishOf({}, { payload: 'test' });
      assert.deepEqual(debugLogs(), []);
    });
  });

  describe('to the status', () => {
    async function statuses(config: Record<string, unknown>, msgs: Msg[]): Promise<NodeStatus[]> {
      const got = (await load([debug({ tostatus: true, tosidebar: false, ...config })], 'status/n1')) as NodeStatus[];
      for (const m of msgs) helper.getNode('n1')!.receive(m);
      await settle();
      return got;
    }

    it('shows the debugged value (auto), cut to 32 characters', async () => {
      const got = await statuses({}, [{ payload: 'hello' }, { payload: 'Y'.repeat(40) }, { payload: { a: 1 } }]);
      assert.deepEqual(got, [
        { fill: 'grey', shape: 'dot', text: 'hello' },
        { fill: 'grey', shape: 'dot', text: 'Y'.repeat(32) + '...' },
        { fill: 'grey', shape: 'dot', text: '{ a: 1 }' },
      ]);
    });

    it('does not repeat an unchanged status', async () => {
      const got = await statuses({}, [{ payload: 'same' }, { payload: 'same' }]);
      assert.equal(got.length, 1);
    });

    it('shows msg.payload in auto mode when debugging the complete message', async () => {
      const got = await statuses({ complete: 'true' }, [{ payload: 'p', other: 1 }]);
      assert.deepEqual(got, [{ fill: 'grey', shape: 'dot', text: 'p' }]);
    });

    it('shows an error message in red, and a status message with its own style (auto)', async () => {
      const got = await statuses({ complete: 'true' }, [
        { payload: 'x', error: { message: 'oops' } },
        { payload: 'x', status: { fill: 'green', shape: 'ring', text: 'ok' } },
      ]);
      assert.deepEqual(got, [
        { fill: 'red', shape: 'dot', text: 'oops' },
        { fill: 'green', shape: 'ring', text: 'ok' },
      ]);
    });

    it('shows another property (statusType msg)', async () => {
      const got = await statuses({ statusType: 'msg', statusVal: 'topic' }, [{ payload: 'p', topic: 'the topic' }]);
      assert.deepEqual(got, [{ fill: 'grey', shape: 'dot', text: 'the topic' }]);
    });

    it('shows a JSONata result, with a style when the result carries fill, shape and text', async () => {
      const got = await statuses({ statusType: 'jsonata', statusVal: '{"fill":"yellow","shape":"ring","text":"n=" & payload}' }, [{ payload: 3 }]);
      assert.deepEqual(got, [{ fill: 'yellow', shape: 'ring', text: 'n=3' }]);
    });

    it('counts messages (statusType counter), starting at 0', async () => {
      mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
      const got = await statuses({ statusType: 'counter' }, []);
      const n1 = helper.getNode('n1')!;
      mock.timers.tick(1000);
      n1.receive({ payload: 1 });
      await settle();
      // Messages closer than 100 ms apart update the count once, 200 ms after the last.
      n1.receive({ payload: 2 });
      n1.receive({ payload: 3 });
      await settle();
      assert.deepEqual(got.map((s) => s.text), ['1']);
      mock.timers.tick(200);
      await settle();
      assert.deepEqual(got.map((s) => s.text), ['1', '3']);
      assert.deepEqual(got[1], { fill: 'blue', shape: 'ring', text: '3' });
    });

    it('ignores status messages that it caused itself', async () => {
      await helper.load([], [
        tab,
        debug({ tostatus: true, complete: 'true', wires: [] }),
        // Scope "all": the status node itself does not filter n1 out.
        { id: 's1', type: 'status', z: 'f', scope: null, wires: [['n1']] },
      ]);
      const shown: unknown[] = [];
      helper.runtime()!.events.on('publish', (t: string, d: unknown) => t === 'debug' && shown.push(d));
      helper.getNode('n1')!.receive({ payload: 'once' });
      await settle(20);
      assert.equal(shown.length, 1);
    });

    it('clears its status when the flow stops', async () => {
      const got = await statuses({}, [{ payload: 'x' }]);
      await helper.unload();
      assert.deepEqual(got.at(-1), {});
    });
  });

  describe('errors', () => {
    it('refuses an invalid JSONata expression at deploy, naming complete', async () => {
      await assert.rejects(helper.load([], [tab, debug({ targetType: 'jsonata', complete: '"a" &' })]), /property 'complete'/);
    });

    it('refuses an invalid JSONata status expression at deploy, naming statusVal', async () => {
      await assert.rejects(
        helper.load([], [tab, debug({ tostatus: true, statusType: 'jsonata', statusVal: '$$$(' })]),
        /property 'statusVal'/,
      );
    });

    it('accepts a property path it cannot read, as Node-RED shows it as undefined', async () => {
      await helper.load([], [tab, debug({ complete: 'a[' })]);
      assert.ok(helper.getNode('n1'));
    });

    it('reports a JSONata evaluation failure as its error on the message', async () => {
      await helper.load([], [
        tab,
        debug({ targetType: 'jsonata', complete: '$error("no")' }),
        { id: 'c1', type: 'catch', z: 'f', scope: ['n1'], wires: [['h1']] },
        { id: 'h1', type: 'helper', z: 'f', wires: [] },
      ]);
      const caught = nextMessage('h1');
      helper.getNode('n1')!.receive({ payload: 'p' });
      const msg = await caught;
      assert.equal((msg.error as { message: string }).message, 'Invalid JSONata expression: $error("no")');
      assert.equal(msg.payload, 'p');
    });
  });

  describe('the editor button and the log', () => {
    it('turns sidebar output off and on through the debug control, without a deploy', async () => {
      const got = await load([debug()]);
      const control = debugControl(helper.runtime()!.engine.services);
      assert.equal(control.setActive('n1', false), true);
      helper.getNode('n1')!.receive({ payload: 'hidden' });
      await settle();
      assert.equal(got.length, 0);
      control.setActive('n1', true);
      helper.getNode('n1')!.receive({ payload: 'shown' });
      await settle();
      assert.deepEqual(got.map((d) => (d as { msg: unknown }).msg), ['shown']);
    });

    it('answers false for an id that is not a running debug node', async () => {
      await load([debug()]);
      const control = debugControl(helper.runtime()!.engine.services);
      assert.equal(control.setActive('nope', true), false);
      await helper.runtime()!.setFlows([tab]);
      assert.equal(control.setActive('n1', true), false, 'a stopped debug node is gone');
    });

    it('encodes warnings and errors from the log for the sidebar, and nothing else', () => {
      assert.deepEqual(logEntryToDebug({ level: 'warn', msg: 'careful', id: 'x1', type: 'change', z: 'f' }), {
        level: 30,
        id: 'x1',
        type: 'change',
        z: 'f',
        msg: 'careful',
        format: 'string[7]',
      });
      assert.equal(logEntryToDebug({ level: 'error', msg: 'x'.repeat(20) }, 5)!.msg, 'xxxxx...');
      assert.equal(logEntryToDebug({ level: 'info', msg: 'hello' }), undefined);
    });
  });
});
