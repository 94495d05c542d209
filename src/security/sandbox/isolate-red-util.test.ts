/**
 * The function sandbox's RED.util is the host's code built into an isolate script
 * (scripts/isolate-red-util.mjs). These tests check that the committed script is the build of the
 * current sources, and that one corpus of calls gives the same answers inside a function node as
 * on the host (which test/differential/node-red-util.test.ts compares with Node-RED's own util).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { encodeObject } from '../../nodes/common/encode-object.js';
import * as properties from '../../runtime/properties/index.js';
import { assertSameLines, corpusInSandbox, suitePool } from './sandbox-test-kit.js';
// @ts-expect-error: a plain ES module script without type declarations
import { buildRedUtil, RED_UTIL_PATH } from '../../../scripts/isolate-red-util.mjs';

const hostUtil = { ...properties, encodeObject };

/**
 * A value as text that tells apart what the utilities must keep apart: types, prototypes' names,
 * -0, shared references. Runs on the host and, from its source text, inside the sandbox.
 */
function describeValue(v: unknown, seen: Map<object, number> = new Map()): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Object.is(v, -0) ? 'num:-0' : `num:${v}`;
  if (typeof v === 'symbol') return `symbol:${String(v.description)}`;
  if (typeof v === 'function') return 'function';
  if (typeof v !== 'object') return `${typeof v}:${String(v)}`;
  if (seen.has(v)) return `ref:${seen.get(v)}`;
  seen.set(v, seen.size);
  const proto = Object.getPrototypeOf(v);
  const kind = proto === null ? 'null-proto' : proto && proto.constructor ? String(proto.constructor.name) : '?';
  if (v instanceof Date) return `Date:${v.getTime()}`;
  if (v instanceof RegExp) return `RegExp:${String(v)}:${v.lastIndex}`;
  if (ArrayBuffer.isView(v)) return `${kind}:${Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).join(',')}`;
  if (v instanceof ArrayBuffer) return `ArrayBuffer:${Array.from(new Uint8Array(v)).join(',')}`;
  if (v instanceof Map) return `Map{${Array.from(v, ([k, x]) => `${describeValue(k, seen)}=>${describeValue(x, seen)}`).join(',')}}`;
  if (v instanceof Set) return `Set{${Array.from(v, (x) => describeValue(x, seen)).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map((x) => describeValue(x, seen)).join(',')}]`;
  if (v instanceof Number || v instanceof String || v instanceof Boolean) return `boxed ${kind}:${String(v.valueOf())}`;
  const o = v as Record<string, unknown>;
  return `${kind}{${Object.keys(o).map((k) => `${JSON.stringify(k)}:${describeValue(o[k], seen)}`).join(',')}}`;
}

/**
 * Every call of the corpus, described. `util` is the host's util or the sandbox's RED.util; the
 * function is sent into the sandbox as source, so it refers to nothing outside itself.
 */
function runCorpus(util: any, show: (v: unknown) => string): string[] {
  const out: string[] = [];
  const attempt = (label: string, f: () => unknown) => {
    let text: string;
    try {
      text = show(f());
    } catch {
      text = 'throws';
    }
    // An error's stack names where it was made, which differs by design between the two.
    out.push(`${label} => ${text.replace(/"stack":"(?:[^"\\]|\\.)*"/g, '"stack":…')}`);
  };
  const PATHS = [
    'a', 'a.b', 'a.b.c', 'a[0]', 'a[0].b', 'a["b c"]', "a['b c']", 'a[msg.topic]', 'a[msg.x.y]', 'a.b[1][2]', '', ' ', 'a..b',
    'a.', '.a', 'a[', 'a]', 'a[]', 'a[-1]', 'a[1.5]', 'a[ 1 ]', 'a["b"c]', 'a["b\\"c"]', "a['b\"c']", 'a[0]b', 'a.0', 'a.0.b', '0',
    '0a', '_a', '$a', 'a-b', 'a b', 'a.b c', 'a["b"]["c"]', 'a[msg.b[0]]', 'a[flow.x]', 'a[msg]', 'a[msg.]', '[0]', '["a"]', 'a["]"]',
    'a["["]', "a['']", 'a[""]', 'payload', 'msg.payload', 'a.b.', 'a[1]]', 'a[[1]]', 'é.ü', 'a.b-c', 'a[0x1]', 'a[01]', 'a[1e2]',
    'a["a.b"].c', 'a.constructor', '__proto__', 'a["__proto__"]', 'a[msg.nothing]', 'list[1]', 'list[5].x', 'b[0]',
  ];
  const message = (): Record<string, unknown> => ({
    topic: 'b', x: { y: 'c' }, b: [1], list: [10, 20, 30], payload: 5,
    a: { b: { c: 1 }, 'b c': 2, c: 3, 0: 'zero', 1: 'one', '': 'empty' },
  });
  for (const p of PATHS) {
    attempt(`normalise ${p}`, () => util.normalisePropertyExpression(p));
    attempt(`normalise with msg ${p}`, () => util.normalisePropertyExpression(p, message()));
    attempt(`get ${p}`, () => util.getMessageProperty(message(), p));
    attempt(`get object ${p}`, () => util.getObjectProperty(message(), p));
    attempt(`set ${p}`, () => {
      const m = message();
      return [util.setMessageProperty(m, p, 'X'), m];
    });
    attempt(`set, no create ${p}`, () => {
      const m = message();
      return [util.setMessageProperty(m, p, 'X', false), m];
    });
    attempt(`set object ${p}`, () => {
      const m = message();
      return [util.setObjectProperty(m, p, { deep: [1] }), m];
    });
    attempt(`delete ${p}`, () => {
      const m = message();
      return [util.setMessageProperty(m, p, undefined), m];
    });
  }

  class Point {
    x = 1;
    y = { z: 2 };
  }
  const shared = { s: 1 };
  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  const VALUES: Array<[string, () => unknown]> = [
    ['undefined', () => undefined],
    ['null', () => null],
    ['number', () => 42.5],
    ['NaN', () => NaN],
    ['-0', () => -0],
    ['string', () => 'text'],
    ['long string', () => 'x'.repeat(1500)],
    ['boolean', () => true],
    ['bigint', () => BigInt(12)],
    ['plain', () => ({ a: 1, b: { c: [1, 2, { d: 'e' }] } })],
    ['array', () => [1, 'two', [3], { four: 4 }]],
    ['long array', () => Array.from({ length: 1200 }, (_, i) => i)],
    ['sparse array', () => [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['buffer', () => Buffer.from('héllo')],
    ['long buffer', () => Buffer.alloc(1100, 7)],
    ['date', () => new Date(1700000000000)],
    ['regexp', () => /a+b/gi],
    ['map', () => new Map<unknown, unknown>([['k', { v: 1 }], [2, [3]]])],
    ['set', () => new Set([1, 'two', { three: 3 }])],
    ['uint8array', () => new Uint8Array([1, 2, 3])],
    ['float64array', () => new Float64Array([1.5, -2])],
    ['boxed number', () => Object(3)],
    ['boxed string', () => Object('s')],
    ['null prototype', () => Object.assign(Object.create(null), { a: 1, b: { c: 2 } })],
    ['class instance', () => new Point()],
    ['shared references', () => ({ one: shared, two: shared, list: [shared] })],
    ['circular', () => circular],
    ['message with req and res', () => ({ payload: { p: 1 }, req: { url: '/x' }, res: { status: 200 } })],
    ['error', () => new TypeError('bad thing')],
    ['object with error', () => ({ err: new Error('inner') })],
    ['nested date and buffer', () => ({ when: new Date(0), data: Buffer.from([0, 255]) })],
    ['function', () => () => 1],
    ['object with function', () => ({ f() { return 1; }, n: 1 })],
  ];
  for (const [name, make] of VALUES) {
    attempt(`clone ${name}`, () => {
      const v = make();
      const c = util.cloneMessage(v);
      const nested = v !== null && typeof v === 'object' ? Object.keys(v).filter((k) => {
        const x = (v as Record<string, unknown>)[k];
        return x !== null && typeof x === 'object' && (c as Record<string, unknown>)[k] === x;
      }) : [];
      return [c, typeof v === 'object' && v !== null && c === v, nested];
    });
    attempt(`encode ${name}`, () => util.encodeObject({ id: 'n1', msg: make() }));
    attempt(`encode, max 10 ${name}`, () => util.encodeObject({ msg: make() }, { maxLength: 10 }));
    attempt(`ensureString ${name}`, () => util.ensureString(make()));
    attempt(`ensureBuffer ${name}`, () => util.ensureBuffer(make()));
    attempt(`compare with itself ${name}`, () => {
      const v = make();
      return util.compareObjects(v, v);
    });
    attempt(`compare with another ${name}`, () => util.compareObjects(make(), make()));
  }
  const pairs: Array<[string, unknown, unknown]> = [
    ['dates', new Date(0), new Date(1)],
    ['maps', new Map([[1, 2]]), new Map()],
    ['buffers', Buffer.from('ab'), Buffer.from('ac')],
    ['buffer and array', Buffer.from('ab'), [97, 98]],
    ['objects, key order', { a: 1, b: 2 }, { b: 2, a: 1 }],
    ['objects, undefined key', { a: 1, b: undefined }, { a: 1, c: undefined }],
    ['number and string', 1, '1'],
    ['null and undefined', null, undefined],
    ['class and plain', new Point(), { x: 1, y: { z: 2 } }],
  ];
  for (const [name, a, b] of pairs) attempt(`compare ${name}`, () => util.compareObjects(a, b));
  for (const name of ['my-node', 'My Node', 'a  b--c', '-lead', 'trail-', 'x1 y2', 'ÄÖ node', '']) {
    attempt(`normaliseNodeTypeName ${name}`, () => util.normaliseNodeTypeName(name));
  }
  attempt('generateId', () => /^[0-9a-f]{16}$/.test(util.generateId()) && util.generateId() !== util.generateId());
  return out;
}

describe('the function sandbox RED.util', () => {
  it('is the build of the current sources (else run node scripts/isolate-red-util.mjs)', async () => {
    const built: string = await buildRedUtil();
    assert.ok(readFileSync(RED_UTIL_PATH, 'utf8') === built, `${RED_UTIL_PATH} is stale: run node scripts/isolate-red-util.mjs`);
  });

  describe('inside a function node', () => {
    const pool = suitePool();

    it('answers the corpus as the host does: paths, clones, the debug encoding, conversions', async () => {
      const inSandbox = await corpusInSandbox(pool(), 'util-corpus', [describeValue, runCorpus], 'runCorpus(RED.util, (v) => describeValue(v))');
      assertSameLines(runCorpus(hostUtil, (v) => describeValue(v)), inSandbox);
    });
  });
});
