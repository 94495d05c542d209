import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createContextManager } from '../context/index.js';
import type { Msg, PropertyHost } from '../types.js';
import { evaluateJSONataExpression, JSONataSyntaxError, prepareJSONataExpression } from './jsonata.js';
import { compileTypedProperty, evaluateNodeProperty } from './typed.js';
import { formatDate } from './date-format.js';

function makeHost(env: Record<string, unknown> = {}): { host: PropertyHost; ctx: ReturnType<typeof createContextManager> } {
  const ctx = createContextManager({ userDir: '/nonexistent' });
  const nodeCtx = ctx.getNodeContext('n1', 'f1');
  const host: PropertyHost = { id: 'n1', z: 'f1', name: 'node one', context: () => nodeCtx, getEnv: (n) => env[n] };
  return { host, ctx };
}

function evalAsync(value: unknown, type: string, host: PropertyHost | undefined, msg?: Msg): Promise<unknown> {
  return new Promise((resolve, reject) => {
    evaluateNodeProperty(value, type, host, msg, (err, v) => (err ? reject(err) : resolve(v)));
  });
}

describe('evaluateNodeProperty', () => {
  const { host, ctx } = makeHost({ HOST: 'box', PORT: 1880 });
  ctx.getFlowContext('f1').set('count', 3);
  ctx.getFlowContext('f1').set('byTopic', { t1: 'one' });
  ctx.getGlobalContext().set('g', { deep: [1, 2] });

  it('evaluates the static types', () => {
    assert.equal(evaluateNodeProperty(12, 'str', host, undefined), '12');
    assert.equal(evaluateNodeProperty('0x10', 'num', host, undefined), 16);
    assert.ok(Number.isNaN(evaluateNodeProperty('abc', 'num', host, undefined)));
    assert.equal(evaluateNodeProperty('TRUE', 'bool', host, undefined), true);
    assert.equal(evaluateNodeProperty('yes', 'bool', host, undefined), false);
    assert.deepEqual(evaluateNodeProperty('{"a":[1]}', 'json', host, undefined), { a: [1] });
    assert.deepEqual(evaluateNodeProperty('[1,2]', 'bin', host, undefined), Buffer.from([1, 2]));
    assert.deepEqual(evaluateNodeProperty('"hi"', 'bin', host, undefined), Buffer.from('hi'));
    const re = evaluateNodeProperty('^a.c$', 're', host, undefined) as RegExp;
    assert.ok(re.test('abc'));
  });

  it('evaluates the date formats', () => {
    const before = Date.now();
    const ms = evaluateNodeProperty('', 'date', host, undefined) as number;
    assert.ok(typeof ms === 'number' && ms >= before);
    assert.ok(evaluateNodeProperty('object', 'date', host, undefined) instanceof Date);
    assert.match(evaluateNodeProperty('iso', 'date', host, undefined) as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(evaluateNodeProperty('YYYY-MM-DD', 'date', host, undefined) as string, /^\d{4}-\d\d-\d\d$/);
  });

  it('reads msg, flow and global properties', () => {
    const msg: Msg = { payload: { x: [5] }, topic: 't1' };
    assert.equal(evaluateNodeProperty('payload.x[0]', 'msg', host, msg), 5);
    assert.equal(evaluateNodeProperty('msg.topic', 'msg', host, msg), 't1');
    assert.equal(evaluateNodeProperty('count', 'flow', host, msg), 3);
    assert.equal(evaluateNodeProperty('byTopic[msg.topic]', 'flow', host, msg), 'one');
    assert.equal(evaluateNodeProperty('#:(memory)::g.deep[1]', 'global', host, msg), 2);
  });

  it('reads env values through the node', () => {
    assert.equal(evaluateNodeProperty('HOST', 'env', host, undefined), 'box');
    assert.equal(evaluateNodeProperty('${PORT}', 'env', host, undefined), 1880);
    assert.equal(evaluateNodeProperty('http://${HOST}:${PORT}', 'env', host, undefined), 'http://box:1880');
  });

  it('returns node and unknown types as they are', () => {
    assert.equal(evaluateNodeProperty('abc123', 'node', host, undefined), 'abc123');
    assert.deepEqual(evaluateNodeProperty({ a: 1 }, 'something-new', host, undefined), { a: 1 });
  });

  it('passes values and errors to a callback', async () => {
    assert.equal(await evalAsync('count', 'flow', host), 3);
    assert.equal(await evalAsync('payload * 2', 'jsonata', host, { payload: 21 }), 42);
    await assert.rejects(evalAsync('{bad', 'json', host), { code: 'invalid_property_value' });
    await assert.rejects(evalAsync('a..b', 'msg', host, {}), { code: 'invalid_property_expression' });
  });

  it('with a callback, still throws at once for a value that cannot be parsed, as Node-RED does; a msg path error goes to the callback', () => {
    const calls: unknown[][] = [];
    const cb = (...args: unknown[]) => void calls.push(args);
    for (const [value, type] of [['{bad', 'json'], ['{"a":1}', 'bin'], ['(', 're'], ['$foo(', 'jsonata']]) {
      assert.throws(() => evaluateNodeProperty(value, type!, host, {}, cb), `${type} throws`);
    }
    assert.equal(calls.length, 0, 'the callback is not called for those');
    assert.doesNotThrow(() => evaluateNodeProperty('a..b', 'msg', host, {}, cb));
    assert.equal(calls.length, 1);
    assert.equal((calls[0]![0] as { code?: string }).code, 'invalid_property_expression');
  });

  it('refuses jsonata without a callback and bad JSON without one', () => {
    assert.throws(() => evaluateNodeProperty('1+1', 'jsonata', host, {}), { code: 'callback_required' });
    assert.throws(() => evaluateNodeProperty('{bad', 'json', host, undefined), { code: 'invalid_property_value' });
    assert.throws(() => evaluateNodeProperty('{"a":1}', 'bin', host, undefined), { code: 'invalid_property_value' });
  });
});

describe('compileTypedProperty', () => {
  const { host, ctx } = makeHost({ HOST: 'box' });
  ctx.getFlowContext('f1').set('limit', 10);

  it('compiles static types to sync functions', () => {
    const n = compileTypedProperty('42', 'num', host);
    assert.equal(n.isAsync, false);
    assert.equal(n(), 42);
    const s = compileTypedProperty('x', 'str', host);
    assert.equal(s(), 'x');
    const e = compileTypedProperty('HOST', 'env', host);
    assert.equal(e(), 'box');
    const d = compileTypedProperty('iso', 'date', host);
    assert.equal(typeof d(), 'string');
  });

  it('returns a fresh copy of json and bin values on each call', () => {
    const j = compileTypedProperty('{"a":{"b":1}}', 'json', host);
    const first = j() as { a: { b: number } };
    first.a.b = 99;
    assert.deepEqual(j(), { a: { b: 1 } });
    const b = compileTypedProperty('[1,2,3]', 'bin', host);
    (b() as Buffer)[0] = 9;
    assert.deepEqual(b(), Buffer.from([1, 2, 3]));
  });

  it('compiles msg paths once and reads each message', () => {
    const p = compileTypedProperty('msg.payload.v', 'msg', host);
    assert.equal(p.isAsync, false);
    assert.equal(p({ payload: { v: 1 } }), 1);
    assert.equal(p({ payload: { v: 2 } }), 2);
  });

  it('compiles flow, global and jsonata to async functions', async () => {
    const f = compileTypedProperty('limit', 'flow', host);
    assert.equal(f.isAsync, true);
    assert.equal(await f({}), 10);
    const j = compileTypedProperty('payload + $flowContext("limit")', 'jsonata', host);
    assert.equal(j.isAsync, true);
    assert.equal(await j({ payload: 5 }), 15);
  });

  const refused: Array<[string, string, string]> = [
    ['{not json', 'json', 'invalid_property_value'],
    ['[1,', 'bin', 'invalid_property_value'],
    ['123', 'bin', 'invalid_property_value'],
    ['(unclosed', 're', 'invalid_property_value'],
    ['twelve', 'num', 'invalid_property_value'],
    ['a..b', 'msg', 'invalid_property_expression'],
    ['a b', 'flow', 'invalid_property_expression'],
    ['payload +', 'jsonata', 'invalid_jsonata'],
  ];
  for (const [value, type, code] of refused) {
    it(`refuses ${type} value '${value}' at compile time with ${code}`, () => {
      assert.throws(() => compileTypedProperty(value, type, host), { code });
    });
  }

  it('names the node in a refused value', () => {
    assert.throws(() => compileTypedProperty('{', 'json', host), (err: { place?: { nodeId?: string } }) => err.place?.nodeId === 'n1');
  });
});

describe('JSONata with Node-RED extensions', () => {
  const { host, ctx } = makeHost({ ROOM: 'kitchen' });
  ctx.getFlowContext('f1').set('f', 'flowval');
  ctx.getGlobalContext().set('g', 'globalval');

  it('evaluates against the message, and against { msg } when the expression names msg', async () => {
    const p = prepareJSONataExpression('payload.a', host);
    assert.equal(await evaluateJSONataExpression(p, { payload: { a: 1 } }), 1);
    const legacy = prepareJSONataExpression('msg.payload.a', host);
    assert.equal(legacy.isLegacyMode, true);
    assert.equal(await evaluateJSONataExpression(legacy, { payload: { a: 2 } }), 2);
  });

  it('offers $flowContext, $globalContext, $env and $clone', async () => {
    const p = prepareJSONataExpression('[$flowContext("f"), $globalContext("g"), $env("ROOM"), $env("NOPE")]', host);
    assert.deepEqual(await evaluateJSONataExpression(p, {}), ['flowval', 'globalval', 'kitchen', '']);
    const c = prepareJSONataExpression('$clone(payload)', host);
    const msg = { payload: { a: [1] } };
    const out = (await evaluateJSONataExpression(c, msg)) as { a: number[] };
    assert.deepEqual(out, { a: [1] });
    assert.notEqual(out, msg.payload);
  });

  it('reads a named store through $flowContext', async () => {
    const p = prepareJSONataExpression('$flowContext("f", "memory")', host);
    assert.equal(await evaluateJSONataExpression(p, {}), 'flowval');
  });

  it('calls a callback with the result or the error', async () => {
    const ok = prepareJSONataExpression('1 + 1', host);
    const result = await new Promise((resolve) => evaluateJSONataExpression(ok, {}, (err, v) => resolve([err, v])));
    assert.deepEqual(result, [null, 2]);
    const bad = prepareJSONataExpression('$number("x") + $undefinedFn()', host);
    const err = await new Promise<Error | null>((resolve) => evaluateJSONataExpression(bad, {}, (e) => resolve(e)));
    assert.ok(err instanceof Error);
  });

  it('refuses bad syntax with jsonata position', () => {
    assert.throws(
      () => prepareJSONataExpression('payload.(', host),
      (err: unknown) => err instanceof JSONataSyntaxError && err.code === 'invalid_jsonata' && typeof err.position === 'number' && /position \d+/.test(err.message),
    );
  });
});

describe('formatDate', () => {
  it('formats moment-style tokens and literals', () => {
    const d = new Date(2024, 0, 5, 14, 3, 7, 9);
    assert.equal(formatDate(d, 'YYYY-MM-DD HH:mm:ss.SSS'), '2024-01-05 14:03:07.009');
    assert.equal(formatDate(d, 'D/M/YY h:mm a [at] dddd'), '5/1/24 2:03 pm at Friday');
    assert.equal(formatDate(d, 'Do MMM'), '5th Jan');
  });
});
