import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nodeToHelper, record, wait, type AnyMsg } from '../test-kit.js';

afterEach(() => helper.unload());

const flow = (props: Record<string, unknown>) => nodeToHelper({ id: 'r1', type: 'range', ...props });

/** Sends each payload and resolves with the messages h1 receives, after a settle delay. */
async function run(props: Record<string, unknown>, msgs: Array<Record<string, unknown>>, settleMs = 30): Promise<any[]> {
  await helper.load([], flow(props));
  const got = record<AnyMsg>('h1');
  for (const m of msgs) helper.getNode('r1')!.receive(m);
  await wait(settleMs);
  return got;
}

const scale = (extra: Record<string, unknown>) => ({ minin: 0, maxin: 10, minout: 0, maxout: 100, action: 'scale', ...extra });

describe('range', () => {
  it('scales numbers up tenfold', async () => {
    const got = await run(scale({}), [{ payload: 5 }, { payload: 12 }]);
    assert.deepEqual(got.map((m) => m.payload), [50, 120]);
  });

  it('reads numbers saved as strings and scales strings holding numbers', async () => {
    const got = await run({ minin: '0', maxin: '100', minout: '0', maxout: '1', action: 'scale' }, [{ payload: '250' }]);
    assert.equal(got[0].payload, 2.5);
  });

  it('clamps to the target range', async () => {
    const got = await run(scale({ action: 'clamp' }), [{ payload: 12 }, { payload: -3 }, { payload: 2.5 }]);
    assert.deepEqual(got.map((m) => m.payload), [100, 0, 25]);
  });

  it('wraps (rolls) within the range', async () => {
    const got = await run({ minin: 0, maxin: 10, minout: 0, maxout: 360, action: 'roll' }, [{ payload: 15 }, { payload: -2.5 }]);
    assert.deepEqual(got.map((m) => m.payload), [180, 270]);
  });

  it('drops messages outside the input range in drop mode', async () => {
    const got = await run(scale({ action: 'drop' }), [{ payload: 11 }, { payload: -1 }, { payload: 3 }]);
    assert.deepEqual(got.map((m) => m.payload), [30]);
  });

  it('rounds the result, narrowing the target range to whole numbers', async () => {
    const got = await run({ minin: 0, maxin: 10, minout: 0.5, maxout: 10.7, action: 'clamp', round: true }, [{ payload: 3.33 }, { payload: 10 }, { payload: 0 }]);
    // target becomes 1..10
    assert.deepEqual(got.map((m) => m.payload), [4, 10, 1]);
  });

  it('swaps both ranges when the input range is inverted', async () => {
    const got = await run({ minin: 10, maxin: 0, minout: 100, maxout: 0, action: 'scale' }, [{ payload: 2 }]);
    assert.equal(got[0].payload, 20);
  });

  it('works on another property', async () => {
    const got = await run(scale({ property: 'data.value' }), [{ data: { value: 3 }, payload: 'x' }]);
    assert.equal(got[0].data.value, 30);
    assert.equal(got[0].payload, 'x');
  });

  it('passes the message on when the property is missing', async () => {
    const got = await run(scale({}), [{ topic: 'none' }]);
    assert.equal(got.length, 1);
    assert.equal(got[0].topic, 'none');
  });

  it('logs "Not a number" and drops the message for a non-number', async () => {
    const got = await run(scale({}), [{ payload: 'banana' }]);
    assert.equal(got.length, 0);
    const entry = helper.log().args.map((a) => a[0]).find((e) => e.id === 'r1');
    assert.ok(entry);
    assert.equal(entry.level, 40);
    assert.equal(entry.msg, 'Not a number: banana');
  });

  it('reports a missing parent of the property as an error', async () => {
    const got = await run(scale({ property: 'a.b.c' }), [{ payload: 1 }]);
    assert.equal(got.length, 0);
    assert.ok(helper.log().args.some(([e]) => e.id === 'r1' && e.level === 20));
  });

  it('refuses a non-number range bound at deploy, naming node and property', async () => {
    await assert.rejects(helper.load([], flow(scale({ maxin: 'ten' }))), /node r1.*property 'maxin'/);
  });

  it('refuses a malformed property path at deploy', async () => {
    await assert.rejects(helper.load([], flow(scale({ property: 'a..b' }))), /node r1.*property 'property'/);
  });
});
