import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import type { Msg } from '../../runtime/types.js';
import { collect, loadSender, logged, messageOf, record, wait, watchDone } from '../test-kit.js';

afterEach(() => {
  helper.settings({ nodeMessageBufferMaxLength: 0 });
  return helper.unload();
});

const reduceWith = (config: Record<string, unknown>) =>
  loadSender({ id: 'j', type: 'join', mode: 'reduce', reduceRight: false, reduceInit: '0', reduceInitType: 'num', reduceFixup: '', ...config });

function sequence(send: (msg: Msg) => void, values: unknown[], id: unknown = 'seq', order?: number[]): void {
  for (const i of order ?? values.map((_, k) => k)) send({ payload: values[i], parts: { id, index: i, count: values.length } });
}

describe('join node, reduce mode', () => {
  it('folds a sequence with $A, whatever order its parts arrive in', async () => {
    const send = await reduceWith({ reduceExp: '$A+payload' });
    const out = collect('h', 1);
    sequence(send, [1, 2, 3, 4], 'a', [2, 1, 3, 0]);
    const [msg] = await out;
    assert.equal(msg!.payload, 10);
    assert.equal((msg!.parts as any).id, 'a', 'the result keeps the parts of the message that carries it');
  });

  it('finds the count when only the last part has it', async () => {
    const send = await reduceWith({ reduceExp: '$A+payload' });
    const out = collect('h', 1);
    send({ payload: 1, parts: { id: 1, index: 0 } });
    send({ payload: 2, parts: { id: 1, index: 1 } });
    send({ payload: 3, parts: { id: 1, index: 2, count: 3 } });
    assert.equal((await out)[0]!.payload, 6);
  });

  it('offers $I and $N', async () => {
    const send = await reduceWith({ reduceExp: '$A + $I * 10 + $N', reduceInit: '0' });
    const out = collect('h', 1);
    sequence(send, ['a', 'b', 'c']);
    // (0+0+3) + (10+3) + (20+3)
    assert.equal((await out)[0]!.payload, 39);
  });

  it('applies the fix-up expression with $A and $N', async () => {
    const send = await reduceWith({ reduceExp: '$A+payload', reduceFixup: '$A/$N' });
    const out = collect('h', 1);
    sequence(send, [2, 4, 6]);
    assert.equal((await out)[0]!.payload, 4);
  });

  it('evaluates left to right by default and right to left when asked', async () => {
    const left = await reduceWith({ reduceExp: '$A & payload', reduceInit: '', reduceInitType: 'str' });
    const outLeft = collect('h', 1);
    sequence(left, ['a', 'b', 'c']);
    assert.equal((await outLeft)[0]!.payload, 'abc');
    const right = await reduceWith({ reduceExp: '$A & payload', reduceInit: '', reduceInitType: 'str', reduceRight: true });
    const outRight = collect('h', 1);
    sequence(right, ['a', 'b', 'c']);
    const [msg] = await outRight;
    assert.equal(msg!.payload, 'cba');
    assert.equal((msg!.parts as any).index, 0, 'the result rides on the last message evaluated');
  });

  it('builds arrays', async () => {
    const send = await reduceWith({ reduceExp: '$append($A, [payload])', reduceInit: '[]', reduceInitType: 'json' });
    const out = collect('h', 1);
    sequence(send, [3, 1], 'z', [1, 0]);
    assert.deepEqual((await out)[0]!.payload, [3, 1]);
  });

  for (const [type, init, expected] of [
    ['str', 'x', 'x123'],
    ['num', '10', 16],
    ['bool', 'true', true],
    ['json', '{"n":5}', 11],
    ['bin', '[1,2]', 3],
    ['jsonata', '2*5', 16],
  ] as const) {
    it(`starts from a ${type} initial value`, async () => {
      const exps: Record<string, string> = {
        str: '$A & payload',
        num: '$A + payload',
        bool: '$A and payload > 0',
        json: '{"n": $A.n + payload}',
        bin: '$A',
        jsonata: '$A + payload',
      };
      const send = await reduceWith({ reduceExp: exps[type], reduceInit: init, reduceInitType: type });
      const out = collect('h', 1);
      sequence(send, [1, 2, 3]);
      const result = (await out)[0]!.payload;
      // JSONata builds objects without a prototype; compare the data.
      if (type === 'json') assert.deepEqual({ ...(result as object) }, { n: expected });
      else if (type === 'bin') assert.equal((result as number[]).length, 2);
      else assert.equal(result, expected);
    });
  }

  it('starts from an env var and reads flow context in the expression', async () => {
    process.env.REDUCE_INIT_TEST = 'env-';
    try {
      const send = await reduceWith({
        reduceExp: '$A & $string(payload * $flowContext("two"))',
        reduceInit: 'REDUCE_INIT_TEST',
        reduceInitType: 'env',
      });
      helper.getNode('j')!.context().flow.set('two', 2);
      const out = collect('h', 1);
      sequence(send, [1, 2]);
      assert.equal((await out)[0]!.payload, 'env-24');
    } finally {
      delete process.env.REDUCE_INIT_TEST;
    }
  });

  it('starts from a global context value', async () => {
    const send = await reduceWith({ reduceExp: '$A & payload', reduceInit: 'foo', reduceInitType: 'global' });
    helper.getNode('j')!.context().global.set('foo', 'bar');
    const out = collect('h', 1);
    sequence(send, ['1']);
    assert.equal((await out)[0]!.payload, 'bar1');
  });

  it('starts from a flow context value', async () => {
    const send = await reduceWith({ reduceExp: '$A + payload', reduceInit: 'start', reduceInitType: 'flow' });
    helper.getNode('j')!.context().flow.set('start', 50);
    const out = collect('h', 1);
    sequence(send, [1, 2]);
    assert.equal((await out)[0]!.payload, 53);
  });

  // Node-RED's reduceAndSendGroup ignores the callback's error and reduces from undefined.
  it('reduces from undefined, with no error, when the initial value fails to evaluate', async () => {
    const send = await reduceWith({ reduceExp: '$exists($A) ? $A + payload : payload * 100', reduceInit: '$error("no start")', reduceInitType: 'jsonata' });
    const dones = watchDone('j');
    const out = collect('h', 1);
    sequence(send, [1, 2]);
    assert.equal((await out)[0]!.payload, 102);
    await wait(10);
    assert.ok(dones.every((d) => d.err === undefined));
    assert.equal(logged('j', 20).length, 0);
  });

  it('keeps sequences apart', async () => {
    const send = await reduceWith({ reduceExp: '$A+payload' });
    const out = collect('h', 2);
    send({ payload: 1, parts: { id: 'a', index: 0, count: 2 } });
    send({ payload: 10, parts: { id: 'b', index: 0, count: 2 } });
    send({ payload: 20, parts: { id: 'b', index: 1, count: 2 } });
    send({ payload: 2, parts: { id: 'a', index: 1, count: 2 } });
    assert.deepEqual((await out).map((m) => m.payload), [30, 3]);
  });

  it('passes a message without parts through', async () => {
    const send = await reduceWith({ reduceExp: '$A+payload' });
    const out = collect('h', 1);
    send({ payload: 'alone' });
    assert.equal((await out)[0]!.payload, 'alone');
  });

  it('completes every message of a reduced sequence', async () => {
    const send = await reduceWith({ reduceExp: '$A+payload' });
    const dones = watchDone('j');
    const out = collect('h', 1);
    sequence(send, [1, 2, 3]);
    await out;
    await wait(10);
    assert.equal(dones.length, 3);
    assert.ok(dones.every((d) => d.err === undefined));
  });

  it('reports an evaluation error on the last message and completes the others', async () => {
    const send = await reduceWith({ reduceExp: '$unknown()' });
    const got = record('h');
    const dones = watchDone('j');
    sequence(send, [1, 2]);
    await wait(30);
    assert.equal(got.length, 0);
    assert.equal(dones.length, 2);
    assert.equal(dones.filter((d) => d.err !== undefined).length, 1);
    assert.equal((dones.find((d) => d.err)!.msg.parts as any).index, 1);
  });

  it('reports a fix-up evaluation error', async () => {
    const send = await reduceWith({ reduceExp: '$A', reduceFixup: '$unknown()' });
    const got = record('h');
    sequence(send, [1]);
    await wait(30);
    assert.equal(got.length, 0);
    assert.equal(logged('j', 20).length, 1);
  });

  it('drops everything held and reports the message that overflows nodeMessageBufferMaxLength', async () => {
    helper.settings({ nodeMessageBufferMaxLength: 2 });
    const send = await reduceWith({ reduceExp: '$A+payload' });
    const dones = watchDone('j');
    const got = record('h');
    send({ payload: 3, parts: { index: 2, count: 4, id: 222 } });
    send({ payload: 2, parts: { index: 1, count: 4, id: 222 } });
    send({ payload: 4, parts: { index: 3, count: 4, id: 222 } });
    send({ payload: 1, parts: { index: 0, count: 4, id: 222 } });
    await wait(30);
    assert.equal(got.length, 0);
    assert.equal(dones.length, 3);
    assert.equal(messageOf(dones[2]!.err), 'too many pending messages in join node');
    assert.deepEqual(logged('j', 20).map(messageOf), ['too many pending messages in join node']);
  });

  it('refuses a reduce expression that does not compile', () =>
    assert.rejects(reduceWith({ reduceExp: 'invalid expr' }), /node j, property 'reduceExp'/));

  it('refuses an empty reduce expression', () => assert.rejects(reduceWith({ reduceExp: '' }), /property 'reduceExp'/));

  it('refuses a fix-up expression that does not compile', () =>
    assert.rejects(reduceWith({ reduceExp: '$A', reduceFixup: 'invalid expr' }), /property 'reduceFixup'/));
});
