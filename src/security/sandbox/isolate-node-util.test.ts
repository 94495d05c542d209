/**
 * The `util` global of the function sandbox (isolate/node-util.js, with format and inspect run on
 * the host) against Node's util module: one corpus of calls, run inside a function node and on the
 * host, must give the same strings and answers. Node-RED's function sandbox hands user code
 * Node's util, and flows log with util.format and util.inspect.
 */
import assert from 'node:assert/strict';
import * as nodeUtil from 'node:util';
import { describe, it } from 'node:test';
import { assertSameLines, corpusInSandbox, corpusLines, runOnce, suitePool } from './sandbox-test-kit.js';

/** Every call of the corpus, described; sent into the sandbox as source, so it refers to nothing outside. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function utilCorpus(u: any, B: any): string[] {
  'use strict';
  const { out, t } = corpusLines();
  class Point {
    x = 1;
    y = { z: [1, 2] };
  }
  class Empty {}
  const circular: Record<string, unknown> = { name: 'loop', list: [1] };
  circular.self = circular;
  (circular.list as unknown[]).push(circular);
  const withGetter = { a: 1, get b() { return 2; }, set c(_v: unknown) { /* nothing */ } };
  const values: Array<[string, () => unknown]> = [
    ['undefined', () => undefined], ['null', () => null], ['number', () => 42.5], ['-0', () => -0], ['NaN', () => NaN],
    ['bigint', () => BigInt(12)], ['string', () => "it's \"quoted\"\n"], ['long string', () => 'x'.repeat(200)], ['true', () => true],
    ['symbol', () => Symbol('s')], ['plain', () => ({ a: 1, b: 'two', c: [1, 2, { d: null }], e: { f: { g: { h: { i: 1 } } } } })],
    ['empty', () => ({})], ['array', () => [1, 'a', [2, [3, [4, [5]]]]]], ['long array', () => Array.from({ length: 120 }, (_, i) => i)],
    ['sparse', () => [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['map', () => new Map<unknown, unknown>([['k', { v: 1 }], [2, [3]]])], ['set', () => new Set([1, 'two', { three: 3 }])],
    ['date', () => new Date(1700000000000)], ['invalid date', () => new Date(NaN)], ['regexp', () => /a+b/gi],
    ['buffer', () => B.from('héllo')], ['long buffer', () => B.alloc(60, 7)], ['uint8array', () => new Uint8Array([1, 2, 3])],
    ['float64array', () => new Float64Array([1.5, -2])], ['class instance', () => new Point()], ['empty class instance', () => new Empty()],
    ['null prototype', () => Object.assign(Object.create(null), { a: 1 })], ['function', () => function named() { return 1; }],
    ['arrow', () => () => 1], ['async function', () => async function af() { return 1; }], ['class', () => Point],
    ['generator', () => function* gen() { yield 1; }], ['circular', () => circular], ['getters', () => withGetter],
    ['nested functions', () => ({ f() { return 1; }, g: Symbol('g'), h: [Point], k: (a: number, b: number) => a + b })],
    ['key needing quotes', () => ({ 'a-b': 1, 'c d': 2, '': 3, __proto__x: 4 })], ['boxed', () => [Object(1), Object('s')]],
  ];
  // Left out on purpose, where the sandbox cannot give Node's text: `%s` of a function prints
  // its source, which never leaves the isolate; `%j` calls getters, which the sandbox does not
  // run for a log line (`inspect` shows them as [Getter] in both).
  const sourceShown = new Set(['function', 'arrow', 'async function', 'class', 'generator']);
  for (const [name, make] of values) {
    t(`inspect ${name}`, () => u.inspect(make()));
    t(`inspect depth 0 ${name}`, () => u.inspect(make(), { depth: 0 }));
    t(`inspect compact false ${name}`, () => u.inspect(make(), { compact: false, breakLength: 40 }));
    if (!sourceShown.has(name)) t(`format %s ${name}`, () => u.format('%s', make()));
    t(`format %o ${name}`, () => u.format('%o', make()));
    if (name !== 'getters') t(`format %j ${name}`, () => u.format('%j', make()));
    t(`format bare ${name}`, () => u.format(make(), 'after'));
  }
  t('inspect options', () => [
    u.inspect({ b: 1, a: [1, 2, 3, 4] }, { sorted: true, maxArrayLength: 2 }),
    u.inspect('abcdef', { maxStringLength: 3 }),
    u.inspect({ a: { b: { c: { d: { e: 1 } } } } }, { depth: null }),
    u.inspect({ a: 1 }, { colors: true }),
    u.inspect(1234567.891, { numericSeparator: true }),
    u.inspect([1, 2], true),
  ]);
  t('format', () => [
    u.format('%s:%d:%i:%f', 'a', 42, '7.9', '1.5'), u.format('%d', BigInt(42)), u.format('%%s %s', 'x'), u.format('%s', 'a', 'b', { c: 1 }),
    u.format(1, 2, '3'), u.format(), u.format('%c%s', 'css', 'ok'), u.format('%O', { a: { b: { c: { d: 1 } } } }), u.format('%x', 1),
    u.format('%s', null, undefined), u.format('%d', '0x10'), u.format('%i', 'abc'),
  ]);
  t('formatWithOptions', () => u.formatWithOptions({ compact: false }, '%O', { a: [1, 2] }));
  const pairs: Array<[string, unknown, unknown]> = [
    ['objects', { a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }], ['objects differ', { a: 1 }, { a: '1' }], ['NaN', NaN, NaN],
    ['zeros', 0, -0], ['dates', new Date(1), new Date(1)], ['maps', new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]])],
    ['buffers', B.from('ab'), B.from('ab')], ['buffer and array', B.from('ab'), [97, 98]], ['class and plain', new Point(), { x: 1, y: { z: [1, 2] } }],
  ];
  for (const [name, a, b] of pairs) t(`isDeepStrictEqual ${name}`, () => u.isDeepStrictEqual(a, b));
  const probes: unknown[] = [null, undefined, 1, 'a', true, Symbol('x'), [], {}, new Date(), /x/, new Map(), new Set(), new Error('e'), () => 1,
    async () => 1, function* g() { /* nothing */ }, B.from('a'), new Uint8Array(1), new ArrayBuffer(1), new DataView(new ArrayBuffer(1)), Object(1),
    Promise.resolve(1), new WeakMap()];
  const typeNames = ['isDate', 'isRegExp', 'isMap', 'isSet', 'isWeakMap', 'isPromise', 'isNativeError', 'isArrayBuffer', 'isAnyArrayBuffer',
    'isArrayBufferView', 'isDataView', 'isTypedArray', 'isUint8Array', 'isFloat64Array', 'isBoxedPrimitive', 'isNumberObject',
    'isAsyncFunction', 'isGeneratorFunction'];
  for (const name of typeNames) t(`types.${name}`, () => probes.map((p) => u.types[name](p)));
  const legacy = ['isArray', 'isBoolean', 'isBuffer', 'isDate', 'isError', 'isFunction', 'isNull', 'isNullOrUndefined', 'isNumber', 'isObject',
    'isPrimitive', 'isRegExp', 'isString', 'isSymbol', 'isUndefined'];
  for (const name of legacy) t(`${name}`, () => probes.map((p) => u[name](p)));
  t('inherits', () => {
    function Base(this: { b: number }) { this.b = 1; }
    Base.prototype.hello = function () { return 'hi'; };
    function Child(this: { b: number }) { Base.call(this); }
    u.inherits(Child, Base);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const c = new (Child as any)();
    return [c.hello(), c.b, (Child as unknown as { super_: unknown }).super_ === Base, c instanceof Base];
  });
  t('inherits bad', () => u.inherits(1, Object));
  t('promisify type', () => typeof u.promisify((cb: (e: null, v: number) => void) => cb(null, 1)));
  t('inspect.custom', () => u.inspect.custom === Symbol.for('nodejs.util.inspect.custom'));
  return out;
}

describe('the function sandbox util', () => {
  const pool = suitePool();

  it("answers every call of the corpus as Node's util does", async () => {
    assertSameLines(utilCorpus(nodeUtil, Buffer), await corpusInSandbox(pool(), 'util-corpus', [corpusLines, utilCorpus], 'utilCorpus(util, Buffer)'));
  });

  it('logs with util.format as a flow does; pollutes nothing; refuses a value too large to print on the host', async () => {
    const { sent, host } = await runOnce(pool(), {
      nodeId: 'util-log',
      func: [
        'node.warn(util.format("meter %s: %d kWh (%o)", msg.payload.id, msg.payload.kwh, { ok: true }));',
        'const s = util.inspect({ constructor: { name: "x" }, __proto__: { polluted: 1 } });',
        'let big; try { util.inspect(Array.from({ length: 150000 }, (_, i) => i)); big = "printed"; } catch (e) { big = e.message; }',
        'msg.payload = [typeof util.format(process => process), s, ({}).polluted, util.inspect(new Promise(() => {})), big];',
        'return msg;',
      ].join('\n'),
    }, { payload: { id: 'M-7', kwh: 12.5 } });
    assert.deepEqual(host.logs, [{ level: 'warn', message: 'meter M-7: 12.5 kWh ({ ok: true })' }]);
    const [kind, shown, polluted, promise, big] = (sent?.payload ?? []) as unknown[];
    assert.equal(promise, 'Promise { <pending> }');
    // The host formats on its own thread: a value past the bound is refused, not printed.
    assert.match(String(big), /too large for a function node/);
    assert.equal(kind, 'string');
    assert.equal(shown, nodeUtil.inspect({ constructor: { name: 'x' } }));
    assert.equal(polluted, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
