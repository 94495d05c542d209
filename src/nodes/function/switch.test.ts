import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { helperNodes } from '../test-kit.js';

afterEach(() => {
  helper.settings({ contextStorage: undefined, nodeMessageBufferMaxLength: undefined });
  return helper.unload();
});

const tab = { id: 'f', type: 'tab', env: [{ name: 'LIMIT', value: '10', type: 'num' }] };

/** Loads a switch node `s1` whose outputs are wired to helpers h0, h1, ... */
async function load(node: Record<string, unknown>, outputs = 1): Promise<void> {
  const helpers = helperNodes(Array.from({ length: outputs }, (_, i) => `h${i}`));
  await helper.load([], [tab, { id: 's1', type: 'switch', z: 'f', property: 'payload', outputs, wires: helpers.map((h) => [h.id]), ...node }, ...helpers]);
}

/** Sends every message, waits, and returns what each output received (payloads by default). */
async function route(msgs: Array<Record<string, unknown>>, outputs = 1, pick: (m: any) => unknown = (m) => m.payload, waitMs = 40): Promise<unknown[][]> {
  const got: unknown[][] = Array.from({ length: outputs }, () => []);
  for (let i = 0; i < outputs; i++) helper.getNode(`h${i}`)!.on('input', (m: unknown) => got[i]!.push(pick(m)));
  for (const m of msgs) helper.getNode('s1')!.receive(m);
  await new Promise((r) => setTimeout(r, waitMs));
  return got;
}

/** One rule, one output: which payloads pass. */
async function passes(rule: Record<string, unknown>, payloads: unknown[], extra: Record<string, unknown> = {}): Promise<unknown[]> {
  await load({ rules: [rule], ...extra });
  const got = await route(payloads.map((payload) => ({ payload })));
  return got[0]!;
}

describe('switch: value rules', () => {
  it('compares with eq/neq loosely, and lt/lte/gt/gte', async () => {
    assert.deepEqual(await passes({ t: 'eq', v: 'Hello' }, ['Hello', 'hello']), ['Hello']);
    assert.deepEqual(await passes({ t: 'eq', v: '10', vt: 'num' }, [10, '10', 11]), [10, '10']);
    assert.deepEqual(await passes({ t: 'neq', v: 'a', vt: 'str' }, ['a', 'b']), ['b']);
    assert.deepEqual(await passes({ t: 'lt', v: 3 }, [2, 3, 4]), [2]);
    assert.deepEqual(await passes({ t: 'lte', v: 3 }, [2, 3, 4]), [2, 3]);
    assert.deepEqual(await passes({ t: 'gt', v: 3 }, [2, 3, 4]), [4]);
    assert.deepEqual(await passes({ t: 'gte', v: 3 }, [2, 3, 4]), [3, 4]);
  });

  it('matches between either way round, and with strings', async () => {
    assert.deepEqual(await passes({ t: 'btwn', v: '3', v2: '5' }, [2, 4, 6]), [4]);
    assert.deepEqual(await passes({ t: 'btwn', v: '5', v2: '3' }, [4, 12]), [4]);
    assert.deepEqual(await passes({ t: 'btwn', v: 'c', v2: 'e' }, ['d', 'f']), ['d']);
  });

  it('matches contains and regex, with and without ignore-case', async () => {
    assert.deepEqual(await passes({ t: 'cont', v: 'ell' }, ['Hello', 'Help']), ['Hello']);
    assert.deepEqual(await passes({ t: 'regex', v: 'one.*three' }, ['onetwothree', 'ONEtwothree']), ['onetwothree']);
    assert.deepEqual(await passes({ t: 'regex', v: 'one.*three', case: true }, ['ONEtwothree', 'four']), ['ONEtwothree']);
  });

  it('builds a regex from a message property per message', async () => {
    await load({ rules: [{ t: 'regex', v: 'pattern', vt: 'msg', case: true }] });
    const got = await route([{ payload: 'ABC', pattern: '^a' }, { payload: 'xabc', pattern: '^a' }]);
    assert.deepEqual(got[0], ['ABC']);
  });

  it('checks true, false, null, not null, empty and not empty', async () => {
    assert.deepEqual(await passes({ t: 'true' }, [true, 'true', 1]), [true]);
    assert.deepEqual(await passes({ t: 'false' }, [false, 0, '']), [false]);
    assert.deepEqual(await passes({ t: 'null' }, [null, undefined, 0]), [null, undefined]);
    assert.deepEqual(await passes({ t: 'nnull' }, [null, undefined, 0]), [0]);
    const empties = ['', [], Buffer.alloc(0), {}, 'x', [1], Buffer.from('a'), { a: 1 }, null, undefined, 0];
    assert.deepEqual((await passes({ t: 'empty' }, empties)).length, 4);
    assert.deepEqual((await passes({ t: 'nempty' }, empties)).length, 4);
  });

  it('checks every istype type', async () => {
    const values = ['s', 5, Number.NaN, true, [1], Buffer.from('b'), { o: 1 }, '{"a":1}', null, undefined];
    const check = async (type: string) => (await passes({ t: 'istype', v: type, vt: type }, values)).length;
    assert.equal(await check('string'), 2);
    assert.equal(await check('number'), 1);
    assert.equal(await check('boolean'), 1);
    assert.equal(await check('array'), 1);
    assert.equal(await check('buffer'), 1);
    assert.equal(await check('object'), 1);
    // json: any string that parses, and values JSON.parse accepts after String() (5, true, null...).
    assert.deepEqual(await passes({ t: 'istype', v: 'json', vt: 'json' }, ['{"a":1}', 'Hello']), ['{"a":1}']);
    assert.equal(await check('null'), 1);
    assert.equal(await check('undefined'), 1);
  });

  it('checks has key, refusing non-string keys and missing parents', async () => {
    assert.deepEqual(await passes({ t: 'hask', v: 'a', vt: 'str' }, [{ a: 1 }, { b: 1 }, null, undefined]), [{ a: 1 }]);
  });

  it('compares against msg, flow, global, env and JSONata values', async () => {
    await load({
      rules: [
        { t: 'eq', v: 'other', vt: 'msg' },
        { t: 'eq', v: 'fv', vt: 'flow' },
        { t: 'eq', v: 'gv', vt: 'global' },
        { t: 'eq', v: 'LIMIT', vt: 'env' },
        { t: 'eq', v: '$sqrt(16)', vt: 'jsonata' },
      ],
    }, 5);
    const c = helper.getNode('s1')!.context();
    c.flow.set('fv', 'F');
    c.global.set('gv', 'G');
    const got = await route([{ payload: 'O', other: 'O' }, { payload: 'F' }, { payload: 'G' }, { payload: 10 }, { payload: 4 }], 5);
    assert.deepEqual(got, [['O'], ['F'], ['G'], [10], [4]]);
  });

  it('reads values from a persistent (async) context store', async () => {
    helper.settings({ contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } } });
    await load({ rules: [{ t: 'eq', v: '#:(file)::limit', vt: 'global' }], property: '#:(file)::current', propertyType: 'flow' });
    const c = helper.getNode('s1')!.context();
    await new Promise<void>((r, j) => c.global.set('limit', 7, 'file', (e) => (e ? j(e) : r())));
    await new Promise<void>((r, j) => c.flow.set('current', 7, 'file', (e) => (e ? j(e) : r())));
    const got = await route([{ payload: 'a' }, { payload: 'b' }], 1, (m) => m.payload, 150);
    assert.deepEqual(got[0], ['a', 'b']);
  });

  it('treats a missing msg property as undefined', async () => {
    assert.deepEqual(await passes({ t: 'eq', v: 'this.does.not.exist', vt: 'msg' }, ['', undefined]), [undefined]);
  });

  it('compares with the previous value', async () => {
    // The first comparison is against null, as in Node-RED.
    assert.deepEqual(await passes({ t: 'gt', v: '', vt: 'prev' }, [1, 0, -2, 2]), [1, 2]);
    assert.deepEqual(await passes({ t: 'btwn', v: '10', vt: 'num', v2: '', v2t: 'prev' }, [0, 20, 15, 30]), [0, 15]);
  });

  it('matches a JSONata expression rule', async () => {
    assert.deepEqual(await passes({ t: 'jsonata_exp', v: 'payload % 2 = 1', vt: 'jsonata' }, [1, 2, 9]), [1, 9]);
  });
});

describe('switch: property types', () => {
  it('switches on flow, global, env and JSONata properties', async () => {
    await load({ property: 'mode', propertyType: 'flow', rules: [{ t: 'eq', v: 'on' }] });
    helper.getNode('s1')!.context().flow.set('mode', 'on');
    assert.equal((await route([{ payload: 1 }]))[0]!.length, 1);

    await load({ property: 'g', propertyType: 'global', rules: [{ t: 'eq', v: 'x' }] });
    assert.equal((await route([{ payload: 1 }]))[0]!.length, 0);

    await load({ property: 'LIMIT', propertyType: 'env', rules: [{ t: 'eq', v: '10', vt: 'num' }] });
    assert.equal((await route([{ payload: 1 }]))[0]!.length, 1);

    await load({ property: 'payload * 2', propertyType: 'jsonata', rules: [{ t: 'eq', v: 8, vt: 'num' }] });
    assert.deepEqual((await route([{ payload: 4 }, { payload: 5 }]))[0], [4]);
  });

  it('warns when a JSONata property fails to evaluate and sends nothing', async () => {
    await load({ property: '$invalidExpression(payload)', propertyType: 'jsonata', rules: [{ t: 'btwn', v: '$sqrt(16)', vt: 'jsonata', v2: '$sqrt(36)', v2t: 'jsonata' }] });
    const got = await route([{ payload: 1 }]);
    assert.deepEqual(got[0], []);
    const warn = helper.log().args.find(([e]) => e.id === 's1' && e.type === 'switch' && e.level === 30);
    assert.match(String(warn?.[0].msg), /Invalid JSONata expression/);
  });

  it('uses nested message references in the property path', async () => {
    await load({ property: 'payload[msg.topic]', rules: [{ t: 'eq', v: 'bar' }] });
    const got = await route([{ topic: 'k', payload: { k: 'bar' } }, { topic: 'k', payload: { k: 'baz' } }], 1, (m) => m.payload.k);
    assert.deepEqual(got[0], ['bar']);
  });
});

describe('switch: outputs and checkall', () => {
  const rules = [{ t: 'eq', v: 'Hello' }, { t: 'cont', v: 'ello' }, { t: 'else' }];

  it('sends to every matching output when checking all rules', async () => {
    await load({ rules, checkall: 'true' }, 3);
    assert.deepEqual(await route([{ payload: 'Hello' }, { payload: 'Jello' }, { payload: 'x' }], 3), [['Hello'], ['Hello', 'Jello'], ['x']]);
  });

  it('stops at the first match with checkall "false"', async () => {
    await load({ rules, checkall: 'false' }, 3);
    assert.deepEqual(await route([{ payload: 'Hello' }, { payload: 'Jello' }], 3), [['Hello'], ['Jello'], []]);
  });

  it('reads a boolean false checkall as "check all", as Node-RED does', async () => {
    await load({ rules, checkall: false }, 3);
    assert.deepEqual(await route([{ payload: 'Hello' }], 3), [['Hello'], ['Hello'], []]);
  });

  it('sends the original to the first output and clones to the others', async () => {
    await load({ rules: [{ t: 'nnull' }, { t: 'nnull' }] }, 2);
    const orig = { payload: { a: 1 } };
    const got = await route([orig], 2, (m) => m);
    assert.equal(got[0]![0], orig);
    assert.notEqual(got[1]![0], orig);
  });

  it('keeps message order when some rules are asynchronous', async () => {
    await load({ rules: [{ t: 'jsonata_exp', v: 'payload > 0', vt: 'jsonata' }] });
    const payloads = Array.from({ length: 20 }, (_, i) => i + 1);
    const got = await route(payloads.map((payload) => ({ payload })), 1, (m) => m.payload, 150);
    assert.deepEqual(got[0], payloads);
  });

  it('does nothing with no rules', async () => {
    await load({ rules: [], outputs: 0 }, 0);
    helper.getNode('s1')!.receive({ payload: 1 });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(helper.log().args.filter(([e]) => e.id === 's1').length, 0);
  });
});

describe('switch: sequences', () => {
  const seq = (values: number[]) => values.map((payload, index) => ({ payload, xindex: index, parts: { index, count: values.length, id: 222 } }));
  const parts = (m: any) => [m.payload, m.parts.index, m.parts.count, m.parts.id];

  it('takes the head without repair, keeping parts', async () => {
    await load({ rules: [{ t: 'head', v: 3 }], repair: false });
    const got = await route(seq([0, 1, 2, 3, 4]), 1, parts);
    assert.deepEqual(got[0], [[0, 0, 5, 222], [1, 1, 5, 222], [2, 2, 5, 222]]);
  });

  it('takes the head with repair, renumbering the new sequence', async () => {
    await load({ rules: [{ t: 'head', v: '1+4/2', vt: 'jsonata' }], repair: true });
    const got = (await route(seq([0, 1, 2, 3, 4]), 1, parts))[0] as unknown[][];
    assert.deepEqual(got.map((p) => p.slice(0, 3)), [[0, 0, 3], [1, 1, 3], [2, 2, 3]]);
    assert.notEqual(got[0]![3], 222);
    assert.ok(got.every((p) => p[3] === got[0]![3]));
  });

  it('takes the head using a global context count', async () => {
    await load({ rules: [{ t: 'head', v: 'count', vt: 'global' }] });
    helper.getNode('s1')!.context().global.set('count', 2);
    const got = await route(seq([0, 1, 2, 3]));
    assert.deepEqual(got[0], [0, 1]);
  });

  it('takes the tail, waiting for the whole sequence', async () => {
    await load({ rules: [{ t: 'tail', v: 3 }] });
    const got = await route(seq([0, 1, 2, 3, 4]), 1, parts);
    assert.deepEqual(got[0], [[2, 2, 5, 222], [3, 3, 5, 222], [4, 4, 5, 222]]);
  });

  it('takes an index slice with repair', async () => {
    await load({ rules: [{ t: 'index', v: 1, v2: 3 }], repair: true });
    const got = (await route(seq([0, 1, 2, 3, 4]), 1, parts))[0] as unknown[][];
    assert.deepEqual(got.map((p) => p.slice(0, 3)), [[1, 0, 3], [2, 1, 3], [3, 2, 3]]);
  });

  it('offers $I and $N to JSONata rules in a sequence', async () => {
    await load({ rules: [{ t: 'jsonata_exp', v: '$I % 2 = 1', vt: 'jsonata' }], repair: true });
    assert.deepEqual((await route(seq([0, 1, 2, 3, 4])))[0], [1, 3]);
    await load({ rules: [{ t: 'jsonata_exp', v: 'payload >= $N-2', vt: 'jsonata' }], repair: true });
    assert.deepEqual((await route(seq([0, 1, 2, 3, 4])))[0], [3, 4]);
  });

  it('repairs one sequence per output, with overlaps', async () => {
    await load({ rules: [{ t: 'gte', v: 0 }, { t: 'lte', v: 0 }, { t: 'else' }], repair: true }, 3);
    const got = (await route(seq([1, -2, 2, 0, -1]), 3, parts)) as unknown[][][];
    assert.deepEqual(got[0]!.map((p) => p.slice(0, 3)), [[1, 0, 3], [2, 1, 3], [0, 2, 3]]);
    assert.deepEqual(got[1]!.map((p) => p.slice(0, 3)), [[-2, 0, 3], [0, 1, 3], [-1, 2, 3]]);
    assert.deepEqual(got[2], []);
    assert.notEqual(got[0]![0]![3], got[1]![0]![3]);
  });

  it('leaves sequences alone without repair', async () => {
    await load({ rules: [{ t: 'gt', v: 0 }, { t: 'lt', v: 0 }, { t: 'else' }], repair: false }, 3);
    const got = (await route(seq([1, -2, 2, 0, -1]), 3, parts)) as unknown[][][];
    assert.deepEqual(got[0], [[1, 0, 5, 222], [2, 2, 5, 222]]);
    assert.deepEqual(got[2], [[0, 3, 5, 222]]);
  });

  it('reports too many pending messages past nodeMessageBufferMaxLength', async () => {
    helper.settings({ nodeMessageBufferMaxLength: 2 });
    await load({ rules: [{ t: 'tail', v: 2 }] });
    const got = await route([
      { payload: 3, parts: { index: 2, count: 4, id: 222 } },
      { payload: 2, parts: { index: 1, count: 4, id: 222 } },
      { payload: 4, parts: { index: 3, count: 4, id: 222 } },
      { payload: 1, parts: { index: 0, count: 4, id: 222 } },
    ]);
    assert.deepEqual(got[0], []);
    const err = helper.log().args.find(([e]) => e.id === 's1' && e.level === 20);
    assert.equal(err?.[0].msg, 'too many pending messages in switch node');
  });

  it('reports a sequence rule on a message without parts as an error', async () => {
    await load({ rules: [{ t: 'head', v: 1 }] });
    await route([{ payload: 1 }]);
    assert.ok(helper.log().args.some(([e]) => e.id === 's1' && e.level === 20));
  });
});

describe('switch: refused at deploy', () => {
  it('refuses a bad regex, naming node and property', async () => {
    await assert.rejects(load({ rules: [{ t: 'regex', v: '(unclosed', vt: 'str' }] }), /node s1, property 'rules': rule 1: invalid regular expression/);
  });

  it('refuses bad JSONata in a rule and in the property', async () => {
    await assert.rejects(load({ rules: [{ t: 'eq', v: 'x' }, { t: 'eq', v: '1 +', vt: 'jsonata' }] }), /property 'rules': rule 2: Invalid JSONata/);
    await assert.rejects(load({ property: 'payload +', propertyType: 'jsonata', rules: [] }), /node s1, property 'property'/);
  });

  it('refuses a rule with a missing value, a non-number, an unknown kind and a bad path', async () => {
    await assert.rejects(load({ rules: [{ t: 'eq' }] }), /rule 1: 'eq' needs a value/);
    await assert.rejects(load({ rules: [{ t: 'btwn', v: 1 }] }), /rule 1: 'btwn' needs a second value/);
    await assert.rejects(load({ rules: [{ t: 'gt', v: 'ten', vt: 'num' }] }), /rule 1: value is not a number/);
    await assert.rejects(load({ rules: [{ t: 'bigger', v: 1 }] }), /rule 1: unknown rule 'bigger'/);
    await assert.rejects(load({ rules: [{ t: 'eq', v: 'a..b', vt: 'msg' }] }), /property 'rules': rule 1/);
    await assert.rejects(load({ property: 'a..b' }), /node s1, property 'property'/);
  });
});
