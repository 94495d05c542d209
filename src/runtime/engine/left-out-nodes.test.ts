// Saved flows (a Node-RED flows.json above all) that hold a node with invalid settings start
// without that node, as Node-RED starts them: the node exists and does nothing, the rest runs.
// A deploy may keep such a node exactly as it is, and refuses one it adds or changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedoubt, type Redoubt } from '../../index.js';
import { ValidationError } from '../../errors/index.js';
import type { RedApi } from '../../compat/red-api.js';
import type { FlowConfigNode, LogEntry, Msg } from '../types.js';
import { useTempDir } from '../../testing/temp-dir.js';

const tmp = useTempDir('redoubt-left-out-');

const BROKEN = { t: 'set', p: 'payload', pt: 'msg', to: '$foo(', tot: 'jsonata' };
const FIXED = { t: 'set', p: 'payload', pt: 'msg', to: 'fixed', tot: 'str' };

const FLOWS: FlowConfigNode[] = [
  { id: 't1', type: 'tab', label: 'Main' },
  { id: 'bad', type: 'change', z: 't1', name: 'broken', rules: [BROKEN], x: 100, y: 40, wires: [['sink']] },
  { id: 'good', type: 'change', z: 't1', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'good', tot: 'str' }], wires: [['sink']] },
  { id: 'sink', type: 'sink', z: 't1', wires: [] },
  { id: 't2', type: 'tab', label: 'Other' },
  { id: 'other', type: 'change', z: 't2', rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'other', tot: 'str' }], wires: [['sink2']] },
  { id: 'sink2', type: 'sink', z: 't2', wires: [] },
];

const withNode = (flows: readonly FlowConfigNode[], id: string, change: Record<string, unknown>) => flows.map((n) => (n.id === id ? { ...n, ...change } : n));

interface Started {
  rt: Redoubt;
  logs: LogEntry[];
  received: Msg[];
  /** Sends `payload` into node `id` and waits for the run queue to settle. */
  send(id: string, payload: unknown): Promise<void>;
}

/** A runtime with the `sink` type registered and no flows yet. */
async function open(): Promise<Started> {
  const logs: LogEntry[] = [];
  const received: Msg[] = [];
  const rt = await createRedoubt({ userDir: tmp.fresh('user'), log: (e) => void logs.push(e) });
  await rt.loadNodeModule((RED: RedApi) => {
    RED.nodes.registerType('sink', function (this: any, config: any) {
      RED.nodes.createNode(this, config);
      this.on('input', (msg: Msg, _send: unknown, done: () => void) => {
        received.push(msg);
        done();
      });
    } as any);
  });
  const send = async (id: string, payload: unknown) => {
    rt.engine.getNode(id)!.receive({ payload });
    await new Promise((r) => setTimeout(r, 20));
  };
  return { rt, logs, received, send };
}

/** `flows` started as saved flows are: without their invalid nodes. */
async function start(flows: unknown): Promise<Started> {
  const started = await open();
  await started.rt.setFlows(flows, { invalidNodes: 'leave-out' });
  return started;
}

const messages = (logs: LogEntry[], level: string) => logs.filter((e) => e.level === level).map((e) => String(e.msg));

describe('saved flows with a node whose settings are invalid', () => {
  it('start without that node: it exists, takes no message, and is logged with its problem; the rest runs', async () => {
    const { rt, logs, received, send } = await start(FLOWS);
    try {
      const bad = rt.engine.getNode('bad');
      assert.ok(bad, 'the node exists, as in Node-RED (getNode finds it, wires reach it)');
      assert.equal(bad.name, 'broken');
      await send('bad', 'in');
      assert.equal(received.length, 0, 'a message to it goes nowhere');
      await send('good', 'in');
      await send('other', 'in');
      assert.deepEqual(received.map((m) => [m.payload, m.topic]), [['good', undefined], ['in', 'other']]);

      const errors = logs.filter((e) => e.level === 'error');
      assert.equal(errors.length, 1, messages(logs, 'error').join('\n'));
      assert.equal(errors[0]!.id, 'bad');
      assert.equal(errors[0]!.type, 'change');
      assert.match(String(errors[0]!.msg), /^node 'bad' \(change\) does nothing until its settings are fixed: property 'rules': rule 1: Invalid JSONata expression/);
      assert.ok(messages(logs, 'warn').includes('deployed (full); 1 node does nothing until its invalid settings are fixed: bad (change)'));
      const [left] = rt.engine.leftOutNodes();
      assert.deepEqual([left!.id, left!.type, left!.issues.map((i) => i.property)], ['bad', 'change', ['rules']]);
    } finally {
      await rt.stop();
    }
  });

  it('are refused whole when they are deployed rather than started (the default)', async () => {
    const { rt } = await open();
    try {
      await assert.rejects(rt.setFlows(FLOWS), (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.deepEqual(err.issues.map((i) => [i.nodeId, i.property]), [['bad', 'rules']]);
        return true;
      });
      assert.equal(rt.engine.getNode('good'), undefined, 'nothing started');
    } finally {
      await rt.stop();
    }
  });

  it('still refuse structural problems: a duplicate id starts nothing', async () => {
    const { rt } = await open();
    try {
      await assert.rejects(rt.setFlows([...FLOWS, { id: 'good', type: 'comment', z: 't1' }], { invalidNodes: 'leave-out' }), /id 'good' is used more than once/);
      assert.equal(rt.engine.getNode('other'), undefined);
    } finally {
      await rt.stop();
    }
  });

  for (const type of ['full', 'flows', 'nodes'] as const) {
    it(`a ${type} deploy keeps it left out while it is kept as it is, moved or rewired, and refuses it changed, changing nothing`, async () => {
      const { rt, logs, received, send } = await start(FLOWS);
      try {
        // Another node changed, the broken one moved and rewired: accepted, still left out.
        const moved = withNode(withNode(FLOWS, 'other', { rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'edited', tot: 'str' }] }), 'bad', { x: 300, wires: [['sink'], []] });
        await rt.setFlows(moved, { deploymentType: type });
        await send('other', 'in');
        assert.deepEqual(received.map((m) => m.topic), ['edited']);
        await send('bad', 'in');
        assert.equal(received.length, 1, 'the broken node still takes no message');
        assert.deepEqual(rt.engine.leftOutNodes().map((n) => n.id), ['bad']);
        assert.ok(messages(logs, 'warn').includes(`deployed (${type}); 1 node does nothing until its invalid settings are fixed: bad (change)`));

        // Changed, and still invalid: refused; what runs stays.
        const { rev } = rt.engine.getFlows();
        const running = rt.engine.getNode('other');
        const changed = withNode(moved, 'bad', { rules: [{ ...BROKEN, to: '$bar(' }] });
        await assert.rejects(rt.setFlows(changed, { deploymentType: type }), (err: unknown) => {
          assert.ok(err instanceof ValidationError);
          assert.deepEqual(err.issues.map((i) => i.nodeId), ['bad']);
          return true;
        });
        assert.equal(rt.engine.getFlows().rev, rev);
        assert.equal(rt.engine.getNode('other'), running);
        assert.deepEqual(rt.engine.leftOutNodes().map((n) => n.id), ['bad']);

        // A new node with invalid settings: refused too.
        const added = [...moved, { id: 'new', type: 'change', z: 't2', rules: [BROKEN], wires: [] }];
        await assert.rejects(rt.setFlows(added, { deploymentType: type }), /node new/);
        assert.equal(rt.engine.getNode('new'), undefined);

        // Fixed: it runs, and nothing is left out.
        await rt.setFlows(withNode(moved, 'bad', { rules: [FIXED] }), { deploymentType: type });
        await send('bad', 'in');
        assert.equal(received.at(-1)?.payload, 'fixed');
        assert.deepEqual(rt.engine.leftOutNodes(), []);
      } finally {
        await rt.stop();
      }
    });
  }

  it('a disabled node, or one of a disabled tab, is not checked: disabling a broken node deploys around it; enabling it unfixed is refused', async () => {
    const { rt, received, send } = await open();
    try {
      const offNode = withNode(FLOWS, 'bad', { d: true });
      await rt.setFlows(offNode);
      assert.equal(rt.engine.getNode('bad'), undefined, 'a disabled node is not made');
      assert.deepEqual(rt.engine.leftOutNodes(), []);
      await send('good', 'in');
      assert.deepEqual(received.map((m) => m.payload), ['good']);

      const offTab = withNode(FLOWS, 't1', { disabled: true });
      for (const type of ['full', 'flows', 'nodes'] as const) await rt.setFlows(offTab, { deploymentType: type });
      assert.equal(rt.engine.getNode('good'), undefined, 'the tab is off');

      // With its tab enabled the broken node is the same as deployed, but it was never checked while off.
      for (const [what, on] of [['the node', FLOWS], ['its tab', withNode(offTab, 't1', { disabled: false })]] as const) {
        for (const type of ['full', 'flows', 'nodes'] as const) {
          await assert.rejects(rt.setFlows(on, { deploymentType: type }), /node bad, property 'rules'/, `${what} enabled (${type})`);
        }
      }
      assert.equal(rt.engine.getNode('good'), undefined, 'what runs stays');
      await rt.setFlows(withNode(withNode(offTab, 't1', { disabled: false }), 'bad', { rules: [FIXED] }), { deploymentType: 'flows' });
      await send('bad', 'in');
      assert.equal(received.at(-1)?.payload, 'fixed');
    } finally {
      await rt.stop();
    }
  });

  it('a subflow template no made instance uses is not checked: deploys with it pass; placing an instance of it unfixed is refused', async () => {
    const template = [
      { id: 'sf', type: 'subflow', name: 'SF', in: [{ wires: [{ id: 'sfBad' }] }], out: [{ wires: [{ id: 'sfBad', port: 0 }] }] },
      { id: 'sfBad', type: 'change', z: 'sf', rules: [BROKEN], wires: [[]] },
    ];
    // `outer` places an instance of `sf` inside its own template: `sf` is used only where `outer` is.
    const outer = [
      { id: 'outer', type: 'subflow', name: 'Outer', in: [{ wires: [{ id: 'inner' }] }], out: [] },
      { id: 'inner', type: 'subflow:sf', z: 'outer', wires: [[]] },
    ];
    const instance = (z: string, more: Record<string, unknown> = {}) => ({ id: 'i1', type: 'subflow:sf', z, wires: [['sink']], ...more });
    const { rt, logs, received, send } = await open();
    try {
      const unused = [...FLOWS.filter((n) => n.id !== 'bad'), ...template, ...outer];
      await rt.setFlows(unused);
      for (const type of ['full', 'flows', 'nodes'] as const) await rt.setFlows(unused, { deploymentType: type });
      await rt.setFlows([...unused, instance('t1', { d: true })], { deploymentType: 'nodes' });
      await rt.setFlows([...withNode(unused, 't2', { disabled: true }), instance('t2')], { deploymentType: 'flows' });
      assert.deepEqual(rt.engine.leftOutNodes(), []);
      assert.deepEqual(messages(logs, 'error'), []);
      await send('good', 'in');
      assert.deepEqual(received.map((m) => m.payload), ['good']);

      // The template is unchanged in each of these, but now it would be made.
      const placed: Array<[string, FlowConfigNode[]]> = [
        ['an instance on a tab', [...unused, instance('t1')]],
        ['an instance enabled', [...unused, instance('t1', { d: false })]],
        ["an instance's tab enabled", [...unused, instance('t2')]],
        ['an instance of a subflow that holds one', [...unused, { id: 'o1', type: 'subflow:outer', z: 't1', wires: [] }]],
      ];
      for (const [what, flows] of placed) {
        for (const type of ['full', 'flows', 'nodes'] as const) {
          await assert.rejects(rt.setFlows(flows, { deploymentType: type }), /node sfBad, property 'rules'/, `${what} (${type})`);
        }
      }
      assert.equal(rt.engine.getNode('i1'), undefined, 'what runs stays');
      await send('good', 'again');
      assert.deepEqual(received.map((m) => m.payload), ['good', 'good']);
    } finally {
      await rt.stop();
    }
  });

  it('a node of a subflow template: every instance has it left out, the rest of the subflow runs', async () => {
    const flows = [
      { id: 'sf', type: 'subflow', name: 'SF', in: [{ wires: [{ id: 'sfBad' }, { id: 'sfGood' }] }], out: [{ wires: [{ id: 'sfBad', port: 0 }, { id: 'sfGood', port: 0 }] }] },
      { id: 'sfBad', type: 'change', z: 'sf', rules: [BROKEN], wires: [[]] },
      { id: 'sfGood', type: 'change', z: 'sf', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'from subflow', tot: 'str' }], wires: [[]] },
      { id: 't1', type: 'tab', label: 'Main' },
      { id: 'i1', type: 'subflow:sf', z: 't1', wires: [['sink']] },
      { id: 'i2', type: 'subflow:sf', z: 't1', wires: [['sink']] },
      { id: 'sink', type: 'sink', z: 't1', wires: [] },
    ];
    const { rt, logs, received, send } = await start(flows);
    try {
      await send('i1', 'in');
      await send('i2', 'in');
      assert.deepEqual(received.map((m) => m.payload), ['from subflow', 'from subflow']);
      const errors = logs.filter((e) => e.level === 'error');
      assert.equal(errors.length, 2, 'one line per instance');
      assert.ok(errors.every((e) => /^node '[^']+' \(change\) does nothing until its settings are fixed: property 'rules'/.test(String(e.msg))));
      assert.deepEqual(rt.engine.leftOutNodes().map((n) => n.id), ['sfBad']);
    } finally {
      await rt.stop();
    }
  });
});
