import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nextMessage, record, settle } from '../test-kit.js';
import type { Msg } from '../../runtime/types.js';
import { liftLegacyInjectProps } from './inject-props.js';

afterEach(async () => {
  mock.timers.reset();
  await helper.unload();
});

const tab = { id: 'f', type: 'tab', label: 'Flow 1', env: [{ name: 'FOO', value: 'bar', type: 'str' }] };
const sink = { id: 'h1', type: 'helper', z: 'f', wires: [] };

function inject(extra: Record<string, unknown>) {
  return { id: 'n1', type: 'inject', z: 'f', name: 'my inject', wires: [['h1']], ...extra };
}

async function injectOnce(props: unknown[], extra: Record<string, unknown> = {}, nodes: unknown[] = []): Promise<Msg> {
  await helper.load([], [tab, inject({ props, ...extra }), sink, ...nodes]);
  const got = nextMessage('h1');
  helper.getNode('n1')!.receive();
  return got;
}

describe('inject node', () => {
  describe('properties', () => {
    const cases: Array<[string, unknown, unknown]> = [
      ['str', 'hello', 'hello'],
      ['num', '42.5', 42.5],
      ['bool', 'true', true],
      ['json', '{"a":[1,2]}', { a: [1, 2] }],
      ['bin', '[1,2,3]', Buffer.from([1, 2, 3])],
      ['env', 'FOO', 'bar'],
      ['jsonata', '1 + 2', 3],
    ];
    for (const [type, value, expected] of cases) {
      it(`sets a ${type} value`, async () => {
        const msg = await injectOnce([{ p: 'payload', v: value, vt: type }]);
        assert.deepEqual(msg.payload, expected);
      });
    }

    it('sets a timestamp for date with no format, and the formats Node-RED offers', async () => {
      const before = Date.now();
      const msg = await injectOnce([
        { p: 'payload', v: '', vt: 'date' },
        { p: 'iso', v: 'iso', vt: 'date' },
        { p: 'obj', v: 'object', vt: 'date' },
      ]);
      assert.equal(typeof msg.payload, 'number');
      assert.ok((msg.payload as number) >= before && (msg.payload as number) <= Date.now());
      assert.match(msg.iso as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(msg.obj instanceof Date);
    });

    it('sets the topic and any message property, deep paths included', async () => {
      const msg = await injectOnce([
        { p: 'topic', v: 't1', vt: 'str' },
        { p: 'a.b[0]', v: '7', vt: 'num' },
      ]);
      assert.equal(msg.topic, 't1');
      assert.deepEqual(msg.a, { b: [7] });
      assert.equal(typeof msg._msgid, 'string');
    });

    it('evaluates properties in order, so a later one sees an earlier one', async () => {
      const msg = await injectOnce([
        { p: 'payload', v: '5', vt: 'num' },
        { p: 'copy', v: 'payload', vt: 'msg' },
        { p: 'double', v: 'payload * 2', vt: 'jsonata' },
      ]);
      assert.equal(msg.copy, 5);
      assert.equal(msg.double, 10);
    });

    it('reads flow and global context, including a named store', async () => {
      await helper.load([], [tab, inject({ props: [{ p: 'payload', v: 'count', vt: 'flow' }, { p: 'g', v: '#:(default)::who', vt: 'global' }] }), sink]);
      const n1 = helper.getNode('n1')!;
      n1.context().flow.set('count', 3);
      n1.context().global.set('who', 'me');
      const got = nextMessage('h1');
      n1.receive();
      const msg = await got;
      assert.equal(msg.payload, 3);
      assert.equal(msg.g, 'me');
    });

    it('gives env values of the node and its flow, and substitutes ${NR_NODE_PATH} at start', async () => {
      const msg = await injectOnce([
        { p: 'payload', v: 'NR_NODE_NAME', vt: 'env' },
        { p: 'flow', v: 'NR_FLOW_NAME', vt: 'env' },
        { p: 'id', v: 'NR_NODE_ID', vt: 'env' },
        { p: 'path', v: '${NR_NODE_PATH}', vt: 'str' },
      ]);
      assert.equal(msg.payload, 'my inject');
      assert.equal(msg.flow, 'Flow 1');
      assert.equal(msg.id, 'n1');
      assert.equal(msg.path, 'f/n1');
    });

    it('substitutes a ${VAR} value when the node starts', async () => {
      const msg = await injectOnce([{ p: 'payload', v: '${FOO}', vt: 'str' }]);
      assert.equal(msg.payload, 'bar');
    });

    it('skips entries with no property name and JSONata entries with no expression', async () => {
      const msg = await injectOnce([
        { p: '', v: 'x', vt: 'str' },
        { p: 'payload', v: '', vt: 'jsonata' },
        { p: 'topic', v: 'kept', vt: 'str' },
      ]);
      assert.equal('payload' in msg, false);
      assert.equal(msg.topic, 'kept');
    });

    it('sends the payload as a string when its entry has no type', async () => {
      const msg = await injectOnce([{ p: 'payload', v: 12 }]);
      assert.equal(msg.payload, '12');
    });
  });

  describe('legacy shapes', () => {
    it('lifts payload, payloadType and topic when props is missing', async () => {
      await helper.load([], [tab, { id: 'n1', type: 'inject', z: 'f', payload: '{"x":1}', payloadType: 'json', topic: 'old', wires: [['h1']] }, sink]);
      const got = nextMessage('h1');
      helper.getNode('n1')!.receive();
      const msg = await got;
      assert.deepEqual(msg.payload, { x: 1 });
      assert.equal(msg.topic, 'old');
    });

    it('reads the payload and a string topic from their legacy fields when the entries carry no value', async () => {
      const msg = await injectOnce([{ p: 'payload' }, { p: 'topic', vt: 'str' }], { payload: '9', payloadType: 'num', topic: 'tt' });
      assert.equal(msg.payload, 9);
      assert.equal(msg.topic, 'tt');
    });

    it('keeps a node whose entries all hold their values as saved, and lifts only the entry that lacks one (pure)', () => {
      const complete = { id: 'n', type: 'inject', props: [{ p: 'payload', v: '1', vt: 'num' }, { p: 'topic', v: 't', vt: 'str' }], payload: '1', payloadType: 'num', topic: 't' };
      assert.equal(liftLegacyInjectProps(complete), complete);
      const partial = { ...complete, props: [complete.props[0], { p: 'topic', vt: 'str' }] };
      const copy = structuredClone(partial);
      const out = liftLegacyInjectProps(partial);
      assert.deepEqual(partial, copy);
      assert.equal((out.props as unknown[])[0], complete.props[0]);
      assert.deepEqual((out.props as unknown[])[1], { p: 'topic', vt: 'str', v: 't' });
    });
  });

  describe('button and __user_inject_props__', () => {
    it('sends on node.receive() with no message', async () => {
      const msg = await injectOnce([{ p: 'payload', v: 'pressed', vt: 'str' }]);
      assert.equal(msg.payload, 'pressed');
    });

    it('uses msg.__user_inject_props__ in place of its own properties and removes it', async () => {
      await helper.load([], [tab, inject({ props: [{ p: 'payload', v: 'saved', vt: 'str' }] }), sink]);
      const got = nextMessage('h1');
      helper.getNode('n1')!.receive({
        __user_inject_props__: [
          { p: 'payload', v: '3', vt: 'num' },
          { p: 'extra', v: 'payload + 1', vt: 'jsonata' },
          { p: 'topic', v: 'edited', vt: 'str' },
        ],
      });
      const msg = await got;
      assert.equal(msg.payload, 3);
      assert.equal(msg.extra, 4);
      assert.equal(msg.topic, 'edited');
      assert.equal('__user_inject_props__' in msg, false);
    });

    it('ignores __user_inject_props__ that is not a list, but still removes it', async () => {
      await helper.load([], [tab, inject({ props: [{ p: 'payload', v: 'saved', vt: 'str' }] }), sink]);
      const got = nextMessage('h1');
      helper.getNode('n1')!.receive({ __user_inject_props__: 'nope' });
      const msg = await got;
      assert.equal(msg.payload, 'saved');
      assert.equal('__user_inject_props__' in msg, false);
    });
  });

  describe('errors', () => {
    it('reports a JSONata evaluation failure to a catch node and sends nothing', async () => {
      await helper.load([], [
        tab,
        inject({ props: [{ p: 'payload', v: '$error("boom")', vt: 'jsonata' }] }),
        sink,
        { id: 'c1', type: 'catch', z: 'f', scope: null, wires: [['h2']] },
        { id: 'h2', type: 'helper', z: 'f', wires: [] },
      ]);
      const sent = record('h1');
      const caught = nextMessage('h2');
      helper.getNode('n1')!.receive();
      const msg = await caught;
      const error = msg.error as { message: string; source: { id: string } };
      assert.match(error.message, /^Invalid JSONata expression: .*boom/);
      assert.equal(error.source.id, 'n1');
      await settle();
      assert.equal(sent.length, 0);
    });

    it('reports a bad user property without sending', async () => {
      await helper.load([], [
        tab,
        inject({}),
        sink,
        { id: 'c1', type: 'catch', z: 'f', scope: ['n1'], wires: [['h2']] },
        { id: 'h2', type: 'helper', z: 'f', wires: [] },
      ]);
      const caught = nextMessage('h2');
      helper.getNode('n1')!.receive({ __user_inject_props__: [{ p: 'payload', v: '{bad', vt: 'json' }] });
      const msg = await caught;
      assert.match((msg.error as { message: string }).message, /json/i);
    });

    const refused: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a cron expression cronosjs refuses', { crontab: '61 * * * *' }, /property 'crontab'/],
      ['a cron expression with too few fields', { crontab: '* *' }, /property 'crontab'.*cron/],
      ['invalid JSONata in a property', { props: [{ p: 'payload', v: '1 +', vt: 'jsonata' }] }, /property 'props'.*msg\.payload/],
      ['invalid JSON in a property', { props: [{ p: 'payload', v: '{"a":', vt: 'json' }] }, /property 'props'.*msg\.payload/],
      ['a non-number for a num property', { props: [{ p: 'x', v: 'abc', vt: 'num' }] }, /property 'props'.*msg\.x/],
      ['a bad msg path as a value', { props: [{ p: 'payload', v: 'a..b', vt: 'msg' }] }, /property 'props'/],
      ['a bad property name', { props: [{ p: 'a[', v: '1', vt: 'num' }] }, /property 'props'/],
      ['a repeat longer than Node-RED allows', { repeat: '2147484' }, /property 'repeat'/],
      ['a repeat that is not a number', { repeat: 'often' }, /property 'repeat'/],
    ];
    for (const [what, extra, pattern] of refused) {
      it(`refuses ${what} at deploy`, async () => {
        await assert.rejects(helper.load([], [tab, inject(extra), sink]), pattern);
      });
    }

    it('does not check the crontab when a repeat interval is set, as it is then unused', async () => {
      await helper.load([], [tab, inject({ repeat: '100', crontab: 'junk' }), sink]);
      assert.ok(helper.getNode('n1'));
    });

    it('accepts an env reference as a value and checks it only when the node starts', async () => {
      await helper.load([], [tab, inject({ props: [{ p: 'payload', v: '${FOO}', vt: 'json' }] }), sink]);
      // FOO is "bar", which is not JSON: the node fails to start, and says why in the log.
      assert.equal(helper.getNode('n1'), null);
      assert.ok(helper.log().args.some(([e]) => e.level === 20 && /n1/.test(String(e.msg))));
    });
  });

  describe('timing', () => {
    it('injects once after the default 0.1 s delay', async () => {
      mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
      await helper.load([], [tab, inject({ once: true, props: [{ p: 'payload', v: 'first', vt: 'str' }] }), sink]);
      const got = record('h1');
      mock.timers.tick(99);
      await settle();
      assert.equal(got.length, 0);
      mock.timers.tick(1);
      await settle();
      assert.equal(got.length, 1);
      assert.equal(got[0]!.payload, 'first');
      mock.timers.tick(10_000);
      await settle();
      assert.equal(got.length, 1);
    });

    it('injects once after onceDelay seconds', async () => {
      mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
      await helper.load([], [tab, inject({ once: true, onceDelay: '2' }), sink]);
      const got = record('h1');
      mock.timers.tick(1999);
      await settle();
      assert.equal(got.length, 0);
      mock.timers.tick(1);
      await settle();
      assert.equal(got.length, 1);
    });

    it('injects every repeat seconds', async () => {
      mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
      await helper.load([], [tab, inject({ repeat: '0.5' }), sink]);
      const got = record('h1');
      mock.timers.tick(499);
      await settle();
      assert.equal(got.length, 0);
      for (let i = 0; i < 3; i++) {
        mock.timers.tick(500);
        await settle();
      }
      assert.equal(got.length, 3);
      assert.notEqual(got[0]!._msgid, got[1]!._msgid);
    });

    it('injects once after the delay and then repeatedly', async () => {
      mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
      await helper.load([], [tab, inject({ once: true, onceDelay: 1, repeat: 2 }), sink]);
      const got = record('h1');
      mock.timers.tick(1000);
      await settle();
      assert.equal(got.length, 1);
      mock.timers.tick(1999);
      await settle();
      assert.equal(got.length, 1);
      mock.timers.tick(1);
      await settle();
      assert.equal(got.length, 2);
    });

    it('runs "interval between times" as the editor encodes it (every 5 minutes, 09:00-16:59, Mon-Fri)', async () => {
      // Monday 1 January 2024, 08:59 local time.
      mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: new Date(2024, 0, 1, 8, 59, 0).getTime() });
      await helper.load([], [tab, inject({ crontab: '*/5 9-16 * * 1,2,3,4,5' }), sink]);
      const got = record('h1');
      mock.timers.tick(59_999);
      await settle();
      assert.equal(got.length, 0);
      mock.timers.tick(1);
      await settle();
      assert.equal(got.length, 1, 'fires at 09:00');
      mock.timers.tick(5 * 60_000);
      await settle();
      assert.equal(got.length, 2, 'fires at 09:05');
    });

    it('runs "at a specific time" as the editor encodes it (08:30 on Mondays)', async () => {
      mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: new Date(2024, 0, 1, 8, 29, 0).getTime() });
      await helper.load([], [tab, inject({ crontab: '30 08 * * 1' }), sink]);
      const got = record('h1');
      mock.timers.tick(60_000);
      await settle();
      assert.equal(got.length, 1);
      // Next Monday, not the next day.
      mock.timers.tick(24 * 3600_000);
      await settle();
      assert.equal(got.length, 1);
    });

    it('runs a plain cron expression with seconds', async () => {
      mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: new Date(2024, 0, 1, 12, 0, 0).getTime() });
      await helper.load([], [tab, inject({ crontab: '*/10 * * * * *' }), sink]);
      const got = record('h1');
      for (let i = 0; i < 3; i++) {
        mock.timers.tick(10_000);
        await settle();
      }
      assert.equal(got.length, 3);
    });

    it('stops its timers when the flow stops', async () => {
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const baseline = timers();
      await helper.load([], [tab, inject({ repeat: 1000, once: true, onceDelay: 1000 }), sink]);
      assert.ok(timers() >= baseline + 1);
      await helper.unload();
      assert.equal(timers(), baseline);
    });
  });
});
