import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nextMessage, record, settle } from '../test-kit.js';
import type { Msg } from '../../runtime/types.js';

afterEach(async () => {
  mock.timers.reset();
  await helper.unload();
});

const tabs = [
  { id: 'f1', type: 'tab', label: 'Flow 1' },
  { id: 'f2', type: 'tab', label: 'Flow 2' },
  { id: 'f3', type: 'tab', label: 'Flow 3' },
];

/** A helper node that doubles msg.payload and sends it on, like a function node would. */
function doubler(id: string) {
  helper.getNode(id)!.on('input', (msg: Msg, send: (m: Msg) => void, done: () => void) => {
    msg.payload = (msg.payload as number) * 2;
    send(msg);
    done();
  });
}

describe('link call', () => {
  const returnFlow = [
    { id: 'li', type: 'link in', z: 'f2', name: 'double payload', wires: [['dbl']] },
    { id: 'dbl', type: 'helper', z: 'f2', wires: [['ret']] },
    { id: 'ret', type: 'link out', z: 'f2', mode: 'return' },
    { id: 'out', type: 'helper', z: 'f1', wires: [] },
  ];

  it('calls a fixed link in and sends on what comes back', async () => {
    await helper.load([], [...tabs, ...returnFlow, { id: 'lc', type: 'link call', z: 'f1', links: ['li'], wires: [['out']] }]);
    doubler('dbl');
    const got = nextMessage('out');
    helper.getNode('lc')!.receive({ payload: 4 });
    const msg = await got;
    assert.equal(msg.payload, 8);
    assert.equal('_linkSource' in msg, false, 'an emptied _linkSource is removed');
  });

  it('pushes its entry on msg._linkSource on the way out', async () => {
    await helper.load([], [...tabs, ...returnFlow, { id: 'lc', type: 'link call', z: 'f1', links: ['li'], wires: [['out']] }]);
    const seen = nextMessage('dbl');
    helper.getNode('lc')!.receive({ payload: 1, _linkSource: [{ id: 'outer', node: 'elsewhere' }] });
    const msg = await seen;
    const stack = msg._linkSource as Array<{ id: string; node: string }>;
    assert.equal(stack.length, 2);
    assert.deepEqual(stack[0], { id: 'outer', node: 'elsewhere' });
    assert.equal(stack[1]!.node, 'lc');
    assert.match(stack[1]!.id, /^[0-9a-f]{28}$/);
  });

  it('calls a link in by name from msg.target (dynamic), on another tab', async () => {
    await helper.load([], [...tabs, ...returnFlow, { id: 'lc', type: 'link call', z: 'f1', linkType: 'dynamic', links: [], wires: [['out']] }]);
    doubler('dbl');
    const got = nextMessage('out');
    helper.getNode('lc')!.receive({ payload: 5, target: 'double payload' });
    const msg = await got;
    assert.equal(msg.payload, 10);
    assert.equal(msg.target, 'double payload');
  });

  it('calls a link in by id from msg.target (dynamic)', async () => {
    await helper.load([], [...tabs, ...returnFlow, { id: 'lc', type: 'link call', z: 'f1', linkType: 'dynamic', links: [], wires: [['out']] }]);
    doubler('dbl');
    const got = nextMessage('out');
    helper.getNode('lc')!.receive({ payload: 1, target: 'li' });
    assert.equal((await got).payload, 2);
  });

  it('prefers a link in of that name on its own tab when other tabs have one too', async () => {
    await helper.load([], [
      ...tabs,
      ...returnFlow,
      { id: 'li-local', type: 'link in', z: 'f1', name: 'double payload', wires: [['ret-local']] },
      { id: 'ret-local', type: 'link out', z: 'f1', mode: 'return' },
      { id: 'lc', type: 'link call', z: 'f1', linkType: 'dynamic', links: [], wires: [['out']] },
    ]);
    doubler('dbl');
    const got = nextMessage('out');
    helper.getNode('lc')!.receive({ payload: 3, target: 'double payload' });
    assert.equal((await got).payload, 3, 'the local link in returns it unchanged');
  });

  it('nests calls', async () => {
    await helper.load([], [
      ...tabs,
      { id: 'li1', type: 'link in', z: 'f2', wires: [['m2']] },
      { id: 'm2', type: 'helper', z: 'f2', wires: [['lo1']] },
      { id: 'lo1', type: 'link out', z: 'f2', mode: 'return' },
      { id: 'li2', type: 'link in', z: 'f2', wires: [['m3']] },
      { id: 'm3', type: 'helper', z: 'f2', wires: [['lo2']] },
      { id: 'lo2', type: 'link out', z: 'f2', mode: 'return' },
      { id: 'li3', type: 'link in', z: 'f3', wires: [['lc1']] },
      { id: 'lc1', type: 'link call', z: 'f3', links: ['li1'], wires: [['lc2']] },
      { id: 'lc2', type: 'link call', z: 'f3', links: ['li2'], wires: [['lo3']] },
      { id: 'lo3', type: 'link out', z: 'f3', mode: 'return' },
      { id: 'lc', type: 'link call', z: 'f1', links: ['li3'], wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f1', wires: [] },
    ]);
    doubler('m2');
    helper.getNode('m3')!.on('input', (msg: Msg, send: (m: Msg) => void, done: () => void) => {
      msg.payload = (msg.payload as number) * 3;
      send(msg);
      done();
    });
    const got = nextMessage('out');
    helper.getNode('lc')!.receive({ payload: 4 });
    assert.equal((await got).payload, 24);
  });

  it('completes the message (complete node) when the call returns', async () => {
    await helper.load([], [
      ...tabs,
      ...returnFlow,
      { id: 'lc', type: 'link call', z: 'f1', links: ['li'], wires: [['out']] },
      { id: 'cp', type: 'complete', z: 'f1', scope: ['lc'], wires: [['h9']] },
      { id: 'h9', type: 'helper', z: 'f1', wires: [] },
    ]);
    doubler('dbl');
    const completed = nextMessage('h9');
    helper.getNode('lc')!.receive({ payload: 2 });
    const msg = await completed;
    assert.equal((msg.complete as { source: { id: string } }).source.id, 'lc');
  });

  describe('errors', () => {
    function withCatch(extra: Record<string, unknown>, more: unknown[] = []) {
      return [
        ...tabs,
        { id: 'lc', type: 'link call', z: 'f1', wires: [['out']], ...extra },
        { id: 'out', type: 'helper', z: 'f1', wires: [] },
        { id: 'c1', type: 'catch', z: 'f1', scope: ['lc'], uncaught: true, wires: [['caught']] },
        { id: 'caught', type: 'helper', z: 'f1', wires: [] },
        ...more,
      ];
    }

    it('reports "timeout" to a catch node when no return comes in time', async () => {
      mock.timers.enable({ apis: ['setTimeout'] });
      await helper.load([], withCatch({ links: ['li'], timeout: '0.5' }, [
        { id: 'li', type: 'link in', z: 'f2', wires: [['sink']] },
        { id: 'sink', type: 'helper', z: 'f2', wires: [] },
      ]));
      const out = record('out');
      const caught = record('caught');
      helper.getNode('lc')!.receive({ payload: 'hello', target: 'x' });
      await settle(10);
      mock.timers.tick(499);
      await settle(10);
      assert.equal(caught.length, 0);
      mock.timers.tick(1);
      await settle(10);
      assert.equal(caught.length, 1);
      const error = caught[0]!.error as { message: string; source: { id: string } };
      assert.equal(error.message, 'timeout');
      assert.equal(error.source.id, 'lc');
      assert.equal(caught[0]!.payload, 'hello');
      assert.equal(caught[0]!.target, 'x');
      assert.equal(out.length, 0);
    });

    it('uses 30 seconds when timeout is empty', async () => {
      mock.timers.enable({ apis: ['setTimeout'] });
      await helper.load([], withCatch({ links: ['li'], timeout: '' }, [{ id: 'li', type: 'link in', z: 'f2', wires: [] }]));
      const caught = record('caught');
      helper.getNode('lc')!.receive({ payload: 1 });
      await settle(10);
      mock.timers.tick(29_999);
      await settle(10);
      assert.equal(caught.length, 0);
      mock.timers.tick(1);
      await settle(10);
      assert.equal(caught.length, 1);
    });

    it('sends on a return that comes after the timeout, as Node-RED does', async () => {
      mock.timers.enable({ apis: ['setTimeout'] });
      await helper.load([], withCatch({ links: ['li'], timeout: '1' }, [
        { id: 'li', type: 'link in', z: 'f2', wires: [['slow']] },
        { id: 'slow', type: 'helper', z: 'f2', wires: [['ret']] },
        { id: 'ret', type: 'link out', z: 'f2', mode: 'return' },
      ]));
      let held: [Msg, (m: Msg) => void] | undefined;
      helper.getNode('slow')!.on('input', (msg: Msg, send: (m: Msg) => void) => (held = [msg, send]));
      const out = record('out');
      const caught = record('caught');
      helper.getNode('lc')!.receive({ payload: 'late' });
      await settle(10);
      mock.timers.tick(1000);
      await settle(10);
      assert.equal(caught.length, 1);
      held![1](held![0]);
      await settle(10);
      assert.equal(out.length, 1);
      assert.equal(out[0]!.payload, 'late');
    });

    it('reports a dynamic target that matches no link in', async () => {
      await helper.load([], withCatch({ linkType: 'dynamic', links: [] }));
      const caught = nextMessage('caught');
      helper.getNode('lc')!.receive({ payload: 1, target: 'nowhere' });
      const msg = await caught;
      assert.equal((msg.error as { message: string }).message, "Error: target link-in node 'nowhere' not found");
    });

    it('reports a fixed call with no link configured', async () => {
      await helper.load([], withCatch({ links: [] }));
      const caught = nextMessage('caught');
      helper.getNode('lc')!.receive({ payload: 1 });
      const msg = await caught;
      assert.match((msg.error as { message: string }).message, /target link-in node '' not found/);
    });

    it('does not look names up in fixed mode', async () => {
      await helper.load([], withCatch({ links: ['double payload'] }, [{ id: 'li', type: 'link in', z: 'f2', name: 'double payload', wires: [] }]));
      const caught = nextMessage('caught');
      helper.getNode('lc')!.receive({ payload: 1 });
      assert.match(((await caught).error as { message: string }).message, /not found/);
    });

    it('reports several link ins of that name on one tab', async () => {
      await helper.load([], withCatch({ linkType: 'dynamic', links: [] }, [
        { id: 'li1', type: 'link in', z: 'f1', name: 'dup', wires: [] },
        { id: 'li2', type: 'link in', z: 'f1', name: 'dup', wires: [] },
      ]));
      const caught = nextMessage('caught');
      helper.getNode('lc')!.receive({ payload: 1, target: 'dup' });
      const msg = await caught;
      assert.match((msg.error as { message: string }).message, /Multiple link-in nodes named 'dup' found/);
      assert.equal(msg.target, 'dup');
    });

    it('reports several link ins of that name on other tabs', async () => {
      await helper.load([], withCatch({ linkType: 'dynamic', links: [] }, [
        { id: 'li1', type: 'link in', z: 'f2', name: 'dup', wires: [] },
        { id: 'li2', type: 'link in', z: 'f3', name: 'dup', wires: [] },
      ]));
      const caught = nextMessage('caught');
      helper.getNode('lc')!.receive({ payload: 1, target: 'dup' });
      assert.match(((await caught).error as { message: string }).message, /Multiple link-in nodes named 'dup' found/);
    });

    it('finds a renamed link in after a redeploy of changed nodes', async () => {
      const flow = [
        ...tabs,
        { id: 'li1', type: 'link in', z: 'f1', name: 'dup', wires: [['ret']] },
        { id: 'li2', type: 'link in', z: 'f1', name: 'dup', wires: [['ret']] },
        { id: 'ret', type: 'link out', z: 'f1', mode: 'return' },
        { id: 'lc', type: 'link call', z: 'f1', linkType: 'dynamic', links: [], wires: [['out']] },
        { id: 'out', type: 'helper', z: 'f1', wires: [] },
      ];
      await helper.load([], flow);
      await helper.runtime()!.setFlows(flow.map((n) => (n.id === 'li2' ? { ...n, name: 'add' } : n)), { deploymentType: 'nodes' });
      const got = nextMessage('out');
      helper.getNode('lc')!.receive({ payload: 'hello', target: 'add' });
      const msg = await got;
      assert.equal(msg.target, 'add');
      assert.equal('error' in msg, false);
    });

    it('refuses a timeout that is not a number at deploy', async () => {
      await assert.rejects(helper.load([], withCatch({ links: ['li'], timeout: 'soon' })), /property 'timeout'/);
    });

    it('stops its timers when the flow stops', async () => {
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const baseline = timers();
      await helper.load([], withCatch({ links: ['li'], timeout: '1000' }, [{ id: 'li', type: 'link in', z: 'f2', wires: [] }]));
      helper.getNode('lc')!.receive({ payload: 1 });
      await settle(10);
      assert.ok(timers() >= baseline + 1);
      await helper.unload();
      assert.equal(timers(), baseline);
    });
  });
});
