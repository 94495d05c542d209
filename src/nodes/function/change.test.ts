import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nextMessage, nodeToHelper, sendAndReceive } from '../test-kit.js';
import { migrateChangeNode } from './change.js';

afterEach(() => {
  helper.settings({ contextStorage: undefined });
  return helper.unload();
});

const tab = { id: 'f', type: 'tab', env: [{ name: 'TAB_VAR', value: 'from-tab', type: 'str' }] };

const flow = (node: Record<string, unknown>) => nodeToHelper({ id: 'c1', type: 'change', ...node }, { tab });

async function load(node: Record<string, unknown>): Promise<void> {
  await helper.load([], flow(node));
}

/** Sends `msg` and resolves with what h1 receives (or undefined after `waitMs`). */
const send = (msg: Record<string, unknown>, waitMs?: number): Promise<any> => sendAndReceive(msg, { to: 'c1', waitMs });

async function runRules(rules: unknown[], msg: Record<string, unknown>): Promise<any> {
  await load({ rules });
  return send(msg);
}

const ctx = () => helper.getNode('c1')!.context();

describe('change: set', () => {
  it('sets a message property to a string', async () => {
    const m = await runRules([{ t: 'set', p: 'payload', pt: 'msg', to: 'changed', tot: 'str' }], { payload: 'x' });
    assert.equal(m.payload, 'changed');
  });

  it('sets deep properties, creating missing parents', async () => {
    const m = await runRules([{ t: 'set', p: 'a.b[1].c', pt: 'msg', to: '5', tot: 'num' }], { payload: 1 });
    assert.ok(Array.isArray(m.a.b));
    assert.deepEqual(m.a.b[1], { c: 5 });
  });

  it('sets typed values: num, bool, json, bin, date', async () => {
    const m = await runRules(
      [
        { t: 'set', p: 'n', pt: 'msg', to: '12.5', tot: 'num' },
        { t: 'set', p: 'b', pt: 'msg', to: 'TRUE', tot: 'bool' },
        { t: 'set', p: 'j', pt: 'msg', to: '{"a":[1,2]}', tot: 'json' },
        { t: 'set', p: 'bin', pt: 'msg', to: '[65,66]', tot: 'bin' },
        { t: 'set', p: 'd', pt: 'msg', to: '', tot: 'date' },
      ],
      {},
    );
    assert.equal(m.n, 12.5);
    assert.equal(m.b, true);
    assert.deepEqual(m.j, { a: [1, 2] });
    assert.ok(Buffer.isBuffer(m.bin));
    assert.equal(m.bin.toString(), 'AB');
    assert.equal(typeof m.d, 'number');
    assert.ok(Math.abs(m.d - Date.now()) < 60_000);
  });

  it('gives each message its own copy of a json value', async () => {
    await load({ rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"n":1}', tot: 'json' }] });
    const first = await send({});
    first.payload.n = 99;
    const second = await send({});
    assert.equal(second.payload.n, 1);
  });

  it('sets from another message property, and deep-copies it when dc is set', async () => {
    const shared = { x: 1 };
    const m = await runRules(
      [
        { t: 'set', p: 'ref', pt: 'msg', to: 'src', tot: 'msg' },
        { t: 'set', p: 'copy', pt: 'msg', to: 'src', tot: 'msg', dc: true },
      ],
      { src: shared },
    );
    assert.equal(m.ref, m.src);
    assert.notEqual(m.copy, m.src);
    assert.deepEqual(m.copy, shared);
  });

  it('deletes the target when set from a msg property that does not exist', async () => {
    const m = await runRules([{ t: 'set', p: 'payload', pt: 'msg', to: 'nothing', tot: 'msg' }], { payload: 'x' });
    assert.equal('payload' in m, false);
  });

  it('skips a rule whose msg source has a missing parent', async () => {
    const m = await runRules([{ t: 'set', p: 'payload', pt: 'msg', to: 'a.b.c', tot: 'msg' }], { payload: 'kept' });
    assert.equal(m.payload, 'kept');
  });

  it('warns when the target cannot hold a property', async () => {
    const m = await runRules([{ t: 'set', p: 'payload.x', pt: 'msg', to: 'v', tot: 'str' }], { payload: 'text' });
    assert.equal(m.payload, 'text');
    const warn = helper.log().args.find(([e]) => e.id === 'c1' && e.level === 30);
    assert.equal(warn?.[0].msg, 'Cannot set property of non-object type: payload.x');
  });

  it('sets from env vars (process and tab), read at deploy', async () => {
    process.env.REDOUBT_CHANGE_TEST = 'from-process';
    try {
      const m = await runRules(
        [
          { t: 'set', p: 'a', pt: 'msg', to: 'REDOUBT_CHANGE_TEST', tot: 'env' },
          { t: 'set', p: 'b', pt: 'msg', to: 'TAB_VAR', tot: 'env' },
        ],
        {},
      );
      assert.equal(m.a, 'from-process');
      assert.equal(m.b, 'from-tab');
    } finally {
      delete process.env.REDOUBT_CHANGE_TEST;
    }
  });

  it('sets from JSONata with access to context', async () => {
    await load({ rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'payload * 2 + $flowContext("k")', tot: 'jsonata' }] });
    ctx().flow.set('k', 10);
    const m = await send({ payload: 4 });
    assert.equal(m.payload, 18);
  });

  it('binds JSONata checked at deploy validation to each live node ($env of its own tab)', async () => {
    await helper.load([], [
      tab,
      { id: 'g', type: 'tab', env: [{ name: 'TAB_VAR', value: 'from-g', type: 'str' }] },
      { id: 'c1', type: 'change', z: 'f', wires: [['h1']], rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '$env("TAB_VAR")', tot: 'jsonata' }] },
      { id: 'h1', type: 'helper', z: 'f', wires: [] },
      { id: 'c2', type: 'change', z: 'g', wires: [['h2']], rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '$env("TAB_VAR")', tot: 'jsonata' }] },
      { id: 'h2', type: 'helper', z: 'g', wires: [] },
    ]);
    const m = await send({ payload: 0 });
    assert.equal(m.payload, 'from-tab');
    const second = nextMessage<any>('h2');
    helper.getNode('c2')!.receive({ payload: 0 });
    assert.equal((await second).payload, 'from-g');
  });

  it('reports a JSONata evaluation error through done(err) and sends nothing', async () => {
    await load({ rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '$nope(payload)', tot: 'jsonata' }] });
    const m = await send({ payload: 1 }, 100);
    assert.equal(m, undefined);
    const err = helper.log().args.find(([e]) => e.id === 'c1' && e.level === 20);
    assert.match(String((err?.[0].msg as Error)?.message ?? err?.[0].msg), /Invalid JSONata expression/);
  });

  it('sets flow and global context, with #:(store):: and a [msg.x] key', async () => {
    helper.settings({ contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } } });
    await load({
      rules: [
        { t: 'set', p: 'a', pt: 'flow', to: 'A', tot: 'str' },
        { t: 'set', p: '#:(file)::b', pt: 'global', to: 'payload', tot: 'msg' },
        { t: 'set', p: 'obj[msg.topic]', pt: 'flow', to: '7', tot: 'num' },
      ],
    });
    const m = await send({ payload: 'P', topic: 'key' });
    assert.equal(m.payload, 'P');
    assert.equal(ctx().flow.get('a'), 'A');
    assert.deepEqual(ctx().flow.get('obj'), { key: 7 });
    const fromFile = await new Promise((resolve, reject) => ctx().global.get('b', 'file', (err, v) => (err ? reject(err) : resolve(v))));
    assert.equal(fromFile, 'P');
  });

  it('sets from flow and global context, including an async store', async () => {
    helper.settings({ contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } } });
    await load({
      rules: [
        { t: 'set', p: 'a', pt: 'msg', to: 'x', tot: 'flow' },
        { t: 'set', p: 'b', pt: 'msg', to: '#:(file)::y', tot: 'global' },
      ],
    });
    ctx().flow.set('x', 'fx');
    await new Promise<void>((resolve, reject) => ctx().global.set('y', { deep: true }, 'file', (err) => (err ? reject(err) : resolve())));
    const m = await send({});
    assert.equal(m.a, 'fx');
    assert.deepEqual(m.b, { deep: true });
  });
});

describe('change: change', () => {
  it('replaces every occurrence of a string', async () => {
    const m = await runRules([{ t: 'change', p: 'payload', pt: 'msg', from: 'a.b', fromt: 'str', to: 'X', tot: 'str' }], { payload: 'a.b aXb a.b' });
    assert.equal(m.payload, 'X aXb X');
  });

  it('replaces with a regex, supporting groups', async () => {
    const m = await runRules([{ t: 'change', p: 'payload', pt: 'msg', from: '(Hello)', fromt: 're', to: '$1-$1', tot: 'str' }], { payload: 'Hello World' });
    assert.equal(m.payload, 'Hello-Hello World');
  });

  it('changes the type on a complete match and keeps a string on a partial one', async () => {
    const rules = [{ t: 'change', p: 'payload', pt: 'msg', from: '123', fromt: 'str', to: '7', tot: 'num' }];
    await load({ rules });
    assert.equal((await send({ payload: '123' })).payload, 7);
    helper.getNode('h1')!.removeAllListeners('input');
    assert.equal((await send({ payload: 'x123y' })).payload, 'x7y');
  });

  it('matches numbers and booleans as Node-RED does', async () => {
    const m = await runRules(
      [
        { t: 'change', p: 'n', pt: 'msg', from: '5', fromt: 'num', to: 'five', tot: 'str' },
        { t: 'change', p: 'other', pt: 'msg', from: '5', fromt: 'num', to: 'five', tot: 'str' },
        { t: 'change', p: 'b', pt: 'msg', from: 'true', fromt: 'bool', to: 'yes', tot: 'str' },
        { t: 'change', p: 's', pt: 'msg', from: 'no', fromt: 'str', to: 'true', tot: 'bool' },
      ],
      { n: 5, other: 6, b: true, s: 'no' },
    );
    assert.equal(m.n, 'five');
    assert.equal(m.other, 6);
    assert.equal(m.b, 'yes');
    assert.equal(m.s, true);
  });

  it('searches for the value of a msg property', async () => {
    const m = await runRules([{ t: 'change', p: 'payload', pt: 'msg', from: 'topic', fromt: 'msg', to: 'foo', tot: 'str' }], { payload: 'abcABCabc', topic: 'ABC' });
    assert.equal(m.payload, 'abcfooabc');
  });

  it('reports an unsupported search value type as an error', async () => {
    await load({ rules: [{ t: 'change', p: 'payload', pt: 'msg', from: 'missing', fromt: 'msg', to: 'x', tot: 'str' }] });
    const m = await send({ payload: 'abc' }, 100);
    assert.equal(m, undefined);
    const err = helper.log().args.find(([e]) => e.id === 'c1' && e.level === 20);
    assert.match(String((err?.[0].msg as Error)?.message), /Invalid 'from' property: unsupported type: undefined/);
  });

  it('leaves a missing property alone', async () => {
    const m = await runRules([{ t: 'change', p: 'a.b', pt: 'msg', from: 'x', fromt: 'str', to: 'y', tot: 'str' }], { payload: 1 });
    assert.deepEqual(m.payload, 1);
    assert.equal('a' in m, false);
  });

  it('changes flow context values, and passes the message on when nothing matches', async () => {
    await load({
      rules: [
        { t: 'change', p: 's', pt: 'flow', from: 'World', fromt: 'str', to: 'There', tot: 'str' },
        { t: 'change', p: 'n', pt: 'flow', from: '1', fromt: 'num', to: '2', tot: 'num' },
      ],
    });
    ctx().flow.set('s', 'Hello World');
    ctx().flow.set('n', 3);
    const m = await send({ payload: 'p' });
    assert.equal(m.payload, 'p');
    assert.equal(ctx().flow.get('s'), 'Hello There');
    assert.equal(ctx().flow.get('n'), 3);
  });
});

describe('change: delete and move', () => {
  it('deletes message properties, deep ones and array items', async () => {
    const m = await runRules(
      [
        { t: 'delete', p: 'payload', pt: 'msg' },
        { t: 'delete', p: 'a.b', pt: 'msg' },
        { t: 'delete', p: 'list[0]', pt: 'msg' },
        { t: 'delete', p: 'no.such.thing', pt: 'msg' },
      ],
      { payload: 1, a: { b: 1, c: 2 }, list: [1, 2] },
    );
    assert.equal('payload' in m, false);
    assert.deepEqual(m.a, { c: 2 });
    assert.deepEqual(m.list, [2]);
  });

  it('deletes a global context value', async () => {
    await load({ rules: [{ t: 'delete', p: 'gone', pt: 'global' }] });
    ctx().global.set('gone', 1);
    await send({});
    assert.equal(ctx().global.get('gone'), undefined);
  });

  it('moves a property, to itself, to a sub-property and from a sub-property', async () => {
    const cases: Array<[string, string, Record<string, unknown>, (m: any) => void]> = [
      ['topic', 'payload', { topic: { foo: 1 }, payload: 'S' }, (m) => { assert.deepEqual(m.payload, { foo: 1 }); assert.equal('topic' in m, false); }],
      ['payload', 'payload', { payload: 'bar' }, (m) => assert.equal(m.payload, 'bar')],
      ['payload', 'payload.foo', { payload: 'bar' }, (m) => assert.deepEqual(m.payload, { foo: 'bar' })],
      ['payload.foo', 'payload', { payload: { foo: 'bar' } }, (m) => assert.equal(m.payload, 'bar')],
    ];
    for (const [p, to, msg, check] of cases) {
      const m = await runRules([{ t: 'move', p, pt: 'msg', to, tot: 'msg' }], msg);
      check(m);
      assert.equal('_temp_move' in m, false);
    }
  });

  it('moves between the message and flow context', async () => {
    await load({ rules: [{ t: 'move', p: 'payload', pt: 'msg', to: 'saved', tot: 'flow' }] });
    const m = await send({ payload: 42 });
    assert.equal('payload' in m, false);
    assert.equal(ctx().flow.get('saved'), 42);
  });

  it('applies several rules in order', async () => {
    const m = await runRules(
      [
        { t: 'set', p: 'payload', pt: 'msg', to: 'a', tot: 'str' },
        { t: 'change', p: 'payload', pt: 'msg', from: 'a', fromt: 'str', to: 'b', tot: 'str' },
        { t: 'move', p: 'payload', pt: 'msg', to: 'result', tot: 'msg' },
      ],
      { payload: 'x' },
    );
    assert.equal(m.result, 'b');
  });

  it('passes the message through with no rules', async () => {
    const m = await runRules([], { payload: 'same' });
    assert.equal(m.payload, 'same');
  });
});

describe('change: legacy fields and refusals', () => {
  it('migrates the legacy single-rule shape (pure)', () => {
    const legacy = { id: 'c', type: 'change', action: 'change', property: 'payload', from: 'a+', to: 'b', reg: true, wires: [] };
    const copy = structuredClone(legacy);
    const out = migrateChangeNode(legacy);
    assert.deepEqual(legacy, copy);
    assert.deepEqual(out.rules, [{ t: 'change', p: 'payload', pt: 'msg', from: 'a+', to: 'b', fromt: 're', tot: 'str' }]);
    assert.deepEqual(migrateChangeNode({ id: 'c', type: 'change', action: 'replace', property: 'p', to: 'msg.topic' }).rules, [
      { t: 'set', p: 'p', pt: 'msg', to: 'topic', tot: 'msg', fromt: 'str' },
    ]);
    assert.deepEqual(migrateChangeNode({ id: 'c', type: 'change', action: 'delete', property: 'p' }).rules, [{ t: 'delete', p: 'p', pt: 'msg', tot: 'str', fromt: 'str' }]);
    // Rules with the old `re` flag and no types get them.
    assert.deepEqual(migrateChangeNode({ id: 'c', type: 'change', rules: [{ t: 'change', p: 'x', from: '.', to: '', re: true }] }).rules, [
      { t: 'change', p: 'x', pt: 'msg', from: '.', to: '', fromt: 're', tot: 'str' },
    ]);
  });

  it('keeps a node with nothing legacy as saved, and copies only the legacy rules of a mixed one', () => {
    const modern = { id: 'c', type: 'change', rules: [{ t: 'set', p: 'a', to: 'x', tot: 'str' }, { t: 'delete', p: 'b', pt: 'msg' }], wires: [] };
    assert.equal(migrateChangeNode(modern), modern);
    const mixed = { id: 'c', type: 'change', rules: [modern.rules[0], { t: 'set', p: 'a', to: 'msg.topic' }], wires: [] };
    const copy = structuredClone(mixed);
    const out = migrateChangeNode(mixed);
    assert.deepEqual(mixed, copy);
    assert.equal((out.rules as unknown[])[0], modern.rules[0]);
    assert.deepEqual((out.rules as unknown[])[1], { t: 'set', p: 'a', pt: 'msg', to: 'topic', tot: 'msg', fromt: 'str' });
  });

  it('reads the types a saved rule leaves out as Node-RED does (msg, str, str)', async () => {
    await load({ rules: [{ t: 'set', p: 'payload', to: 'x' }, { t: 'change', p: 'topic', from: 'a', to: 'b' }] });
    const m = await send({ payload: 1, topic: 'a.a' });
    assert.equal(m.payload, 'x');
    assert.equal(m.topic, 'b.b');
  });

  it('runs a legacy change node from flows.json', async () => {
    await load({ action: 'change', property: 'payload', from: 'l+', to: 'L', reg: true });
    const m = await send({ payload: 'hello' });
    assert.equal(m.payload, 'heLo');
  });

  it('refuses a bad regex at deploy, naming node and property', async () => {
    await assert.rejects(load({ action: 'change', property: 'payload', from: '\\+**+', to: 'N', reg: true }), /node c1, property 'rules': rule 1: Invalid 'from' property/);
  });

  it('refuses bad JSONata, bad JSON, bad bin, a non-number and a bad path at deploy', async () => {
    const bad = [
      { t: 'set', p: 'payload', pt: 'msg', to: 'payload +', tot: 'jsonata' },
      { t: 'set', p: 'payload', pt: 'msg', to: '{nope', tot: 'json' },
      { t: 'set', p: 'payload', pt: 'msg', to: '{"a":1}', tot: 'bin' },
      { t: 'set', p: 'payload', pt: 'msg', to: 'ten', tot: 'num' },
      { t: 'set', p: 'a..b', pt: 'msg', to: 'x', tot: 'str' },
      { t: 'explode', p: 'payload', pt: 'msg' },
    ];
    for (const [i, rule] of bad.entries()) {
      await assert.rejects(load({ rules: [rule] }), new RegExp(`node c1, property 'rules': rule 1`), `case ${i}`);
    }
    await assert.rejects(load({ rules: [{ t: 'set', p: 'x', pt: 'msg', to: 'x', tot: 'str' }, { t: 'set', p: 'p', pt: 'msg', to: '$$$(', tot: 'jsonata' }] }), /rule 2: Invalid JSONata/);
  });

  it('refuses rules that are not a list', async () => {
    await assert.rejects(load({ rules: { t: 'set' } }), /property 'rules'/);
  });
});
