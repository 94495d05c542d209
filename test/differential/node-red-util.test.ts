/**
 * Redoubt's message utilities and parsers against Node-RED 4.1's own, on the same inputs: the
 * libraries are loaded from the Node-RED install the example-flow test uses (.cache/node-red-4.1,
 * installed on first use; without a registry the suite is skipped with the reason). Each case
 * runs both and compares results, or both errors.
 *
 * Where Node-RED is left on purpose, the case is listed with the reason, not silently dropped.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inspect, isDeepStrictEqual } from 'node:util';
import jsonata from 'jsonata';
import { nodeRedForTests, type NodeRedInstall } from '../../bench/lib/node-red-install.js';
import { encodeObject } from '../../src/nodes/common/encode-object.js';
import * as ours from '../../src/runtime/properties/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const found = nodeRedForTests(join(root, '.cache'));
const install: NodeRedInstall | undefined = found.install;
const installError = found.install ? '' : found.error;

type Outcome = { ok: true; value: unknown } | { ok: false };
const attempt = (fn: () => unknown): Outcome => {
  try {
    return { ok: true, value: fn() };
  } catch {
    return { ok: false };
  }
};

/** Every case where the two differ, described for the assertion message. */
function differences<T>(cases: readonly T[], run: (side: 'node-red' | 'redoubt', c: T) => Outcome, label: (c: T) => string): string[] {
  const out: string[] = [];
  for (const c of cases) {
    const a = run('node-red', c);
    const b = run('redoubt', c);
    if (a.ok !== b.ok || (a.ok && b.ok && !isDeepStrictEqual(a.value, b.value))) {
      out.push(`${label(c)}: Node-RED ${inspect(a, { depth: 4 })}, Redoubt ${inspect(b, { depth: 4 })}`);
    }
  }
  return out;
}

const PATHS = [
  'a', 'a.b', 'a.b.c', 'a[0]', 'a[0].b', 'a["b c"]', "a['b c']", 'a[msg.topic]', 'a[msg.x.y]', 'a.b[1][2]', '', ' ', 'a..b',
  'a.', '.a', 'a[', 'a]', 'a[]', 'a[-1]', 'a[1.5]', 'a[ 1 ]', 'a["b"c]', 'a["b\\"c"]', "a['b\"c']", 'a[0]b', 'a.0', 'a.0.b', '0',
  '0a', '_a', '$a', 'a-b', 'a b', 'a.b c', 'a["b"]["c"]', 'a[msg.b[0]]', 'a[flow.x]', 'a[msg]', 'a[msg.]', '[0]', '["a"]', 'a["]"]',
  'a["["]', "a['']", 'a[""]', 'payload', 'msg.payload', 'a.b.', 'a[1]]', 'a[[1]]', 'é.ü', 'a.b-c', 'a[0x1]', 'a[01]', 'a[1e2]',
  'a["a.b"].c', 'a.constructor', '__proto__', 'a["__proto__"]', 'a[msg.nothing]',
];
// Node-RED is odd here and Redoubt does not copy it: `a[msg["x"]]` looks for `msg.msg.x` and
// fails; a nested reference that resolves to an array becomes an array key.
const PATHS_LEFT = ['a[msg["x"]]', 'a[msg.b][0]'];

const message = () => ({ topic: 'b', x: { y: 'c' }, b: [1], a: { b: { c: 1 }, 'b c': 2, c: 3, 0: 'zero', 1: 'one', '': 'empty' }, payload: 5 });

class Point {
  x = 1;
}

if (!install) {
  describe('Node-RED 4.1 util, side by side', () => {
    it(`is skipped: Node-RED 4.1 could not be installed into .cache/node-red-4.1 (${installError})`, { skip: true }, () => {});
  });
} else {
  const require = createRequire(join(install.packageDir, 'package.json'));
  const nrUtil = require('@node-red/util').util;
  const nrJsonata = require(join(install.packageDir, '..', '@node-red', 'util', 'lib', 'jsonata.js'));
  const nrCheerio = require(join(install.packageDir, '..', 'cheerio'));

  describe('Node-RED 4.1 util, side by side', () => {
    it('parses, reads and writes property paths alike', () => {
      assert.equal(PATHS.some((p) => PATHS_LEFT.includes(p)), false);
      const diffs = [
        ...differences(PATHS, (side, p) => attempt(() => (side === 'node-red' ? nrUtil : ours).normalisePropertyExpression(p)), (p) => `normalise ${p}`),
        ...differences(PATHS, (side, p) => attempt(() => (side === 'node-red' ? nrUtil : ours).normalisePropertyExpression(p, message())), (p) => `normalise ${p} with msg`),
        ...differences(PATHS, (side, p) => attempt(() => (side === 'node-red' ? nrUtil : ours).getMessageProperty(message(), p)), (p) => `get ${p}`),
        ...differences(PATHS, (side, p) => attempt(() => {
          const m = message();
          (side === 'node-red' ? nrUtil : ours).setMessageProperty(m, p, 'V', true);
          return m;
        }), (p) => `set ${p}`),
      ];
      assert.deepEqual(diffs, []);
    });

    it('evaluates typed values alike', () => {
      const typed: Array<[string, string]> = [
        ['str', 'x'], ['str', ''], ['num', '12'], ['num', '0x10'], ['num', ''], ['num', 'abc'], ['num', ' 3 '], ['num', '1e3'], ['num', '-0'],
        ['bool', 'true'], ['bool', 'TRUE'], ['bool', ''], ['bool', 'yes'], ['bool', 'false'], ['json', '{"a":1}'], ['json', ''], ['json', '[1,'],
        ['json', '"s"'], ['json', 'null'], ['bin', '[1,2,3]'], ['bin', 'abc'], ['bin', ''], ['env', 'HOME'], ['env', 'NOPE_REDOUBT_X'],
        ['env', '${HOME}/x'], ['msg', 'payload'], ['msg', 'a.b'], ['msg', 'nope.deeper'],
      ];
      const host = { getEnv: (n: string) => process.env[n] };
      const diffs = differences(typed, (side, [t, v]) => attempt(() => {
        const m = { payload: 'p', a: { b: 2 } };
        return side === 'node-red' ? nrUtil.evaluateNodeProperty(v, t, {}, m) : ours.evaluateNodeProperty(v, t, host as never, m as never);
      }), ([t, v]) => `${t} ${JSON.stringify(v)}`);
      assert.deepEqual(diffs, []);
    });

    it('clones messages alike (lodash cloneDeep in Node-RED)', () => {
      const shape = (v: unknown): unknown => {
        if (v === null || typeof v !== 'object') return typeof v === 'function' ? 'function' : v;
        const proto = Object.getPrototypeOf(v);
        return { proto: proto === null ? null : proto.constructor?.name, keys: Reflect.ownKeys(v).map(String), shown: inspect(v, { depth: 3 }) };
      };
      const values: Record<string, unknown> = {
        date: new Date(5), buffer: Buffer.from('ab'), bytes: new Uint8Array([1, 2]), map: new Map([['k', { v: 1 }]]), set: new Set([1, { a: 1 }]),
        regexp: /a/gi, error: new Error('e'), fn: () => 1, point: new Point(), sparse: [1, , 3], nullProto: Object.assign(Object.create(null), { a: 1 }),
        nested: { deep: [{ x: [1, { y: 2 }] }] }, boxedNumber: new Number(3), boxedString: new String('s'), boxedBoolean: new Boolean(true),
        arrayBuffer: new ArrayBuffer(4), undef: undefined, nan: NaN,
      };
      const cases = Object.keys(values).flatMap((k) => [[k, 'top'], [k, 'nested']] as const);
      const diffs = differences(cases, (side, [k, where]) => {
        const src = where === 'top' ? { payload: values[k] } : { payload: { inner: values[k] } };
        const copy = (side === 'node-red' ? nrUtil.cloneMessage(src) : ours.cloneMessage(src)) as { payload: { inner?: unknown } };
        const got = where === 'top' ? copy.payload : copy.payload.inner;
        const original = where === 'top' ? src.payload : (src.payload as { inner: unknown }).inner;
        return { ok: true, value: { sameObject: got === original, shape: shape(got) } };
      }, ([k, where]) => `${k} (${where})`);
      assert.deepEqual(diffs, []);
    });

    it('encodes debug messages alike', () => {
      const circular: Record<string, unknown> = { a: 1 };
      circular.self = circular;
      const values: unknown[] = [
        1, 'str', 'x'.repeat(2000), true, null, undefined, [1, 2, 3], new Array(1500).fill(1), { a: 1 }, { a: 'x'.repeat(2000) }, Buffer.from('hello'),
        Buffer.alloc(2000), new Error('boom'), new Date(0), /re/g, () => 1, NaN, Infinity, new Map([[1, 2]]), new Set([1, 2]), circular,
        { b: Buffer.from('x') }, { e: new Error('in') }, { f: () => 1 }, { n: NaN, i: -Infinity }, { u: undefined }, new Uint8Array([1, 2]), 2n,
      ];
      // A Symbol: Node-RED leaves it a Symbol, which its comms cannot send; Redoubt shows its text.
      const cases = values.flatMap((v) => [[v, 1000], [v, 10]] as const);
      const diffs = differences(cases, (side, [v, maxLength]) => attempt(() =>
        side === 'node-red' ? nrUtil.encodeObject({ msg: v }, { maxLength }) : encodeObject({ msg: v } as never, { maxLength })), ([v, n]) => `${inspect(v).slice(0, 40)} at ${n}`);
      assert.deepEqual(diffs, []);
    });

    it('converts and compares alike (ensureString, ensureBuffer, compareObjects, normaliseNodeTypeName)', () => {
      const values: unknown[] = [
        'text', '', 42, NaN, -0, true, null, undefined, 2n, Buffer.from('hé'), { a: 1 }, [1, 'b'], new Date(0), /x/g, new Map([[1, 2]]),
        { nested: { deep: [1, { x: 2 }] } }, Object.assign(Object.create(null), { a: 1 }), new Point(),
      ];
      const pairs: Array<[unknown, unknown]> = [
        [1, 1], [NaN, NaN], [0, -0], [null, undefined], [1, '1'], [{ a: 1, b: 2 }, { b: 2, a: 1 }], [{ a: 1, b: undefined }, { a: 1, c: undefined }],
        [[1, [2]], [1, [2]]], [[1], { 0: 1 }], [Buffer.from('ab'), Buffer.from('ab')], [Buffer.from('ab'), Buffer.from('ac')], [Buffer.from('a'), [97]],
        [new Date(0), new Date(1)], [new Map([[1, 2]]), new Map()], [new Point(), { x: 1 }], [/a/, /b/], ['a', 'a'], [{ a: { b: [1] } }, { a: { b: [2] } }],
      ];
      const names = ['my-node', 'My Node', 'a  b--c', '-lead', 'trail-', 'x1 y2', 'ÄÖ node', '', 'a.b_c', 'UPPER case'];
      const util = (side: 'node-red' | 'redoubt') => (side === 'node-red' ? nrUtil : ours);
      const diffs = [
        ...differences(values, (side, v) => attempt(() => util(side).ensureString(v)), (v) => `ensureString ${inspect(v)}`),
        ...differences(values, (side, v) => attempt(() => util(side).ensureBuffer(v)), (v) => `ensureBuffer ${inspect(v)}`),
        ...differences(pairs, (side, [a, b]) => attempt(() => util(side).compareObjects(a, b)), ([a, b]) => `compareObjects ${inspect(a)} ${inspect(b)}`),
        ...differences(names, (side, n) => attempt(() => util(side).normaliseNodeTypeName(n)), (n) => `normaliseNodeTypeName ${JSON.stringify(n)}`),
      ];
      assert.deepEqual(diffs, []);
    });

    it("evaluates JSONata alike (Node-RED's bundled jsonata against the npm package)", async () => {
      const input = { payload: [1, 2, 3, 4.5, -2], topic: 'a/b', obj: { x: 1, y: 'two', z: [{ k: 1 }, { k: 2 }] }, s: 'Hello World', d: '2024-03-05T10:20:30.000Z' };
      const expressions = [
        '$sum(payload)', '$average(payload)', 'payload[$ > 2]', '$map(payload, function($v){$v*2})', '$reduce(payload, function($a,$b){$a+$b})',
        '$sort(payload)', 'obj.z[k=2]', '$keys(obj)', '$merge([obj, {"x": 5}])', '$string(obj)', '$number("0x1F")', '$pad("x", 5, "-")',
        '$replace(s, /(l+)/, "<$1>")', '$split(topic, "/")', '$formatNumber(1234.5678, "#,##0.00")', '$formatInteger(1999, "I")',
        '$round(2.5)', '$fromMillis(1700000000000, "[Y0001]-[M01]-[D01] [H01]:[m01]")', '$toMillis(d)', '$fromMillis(1700000000000, "[FNn], [D1o] [MNn]")',
        '$eval("1+1")', '{"a": 1} ~> |$|{"b": 2}|', 'obj.z#$i.k', 'payload^(>$)', 'obj.**.k', '$string(0.1+0.2)', '$formatNumber(0.000123, "0.00e0")',
        '$split("a,b,,c", ",", 2)', '$max([])', '1 / 0', '$error("x")', 'unknownfn()',
      ];
      const run = async (lib: (e: string) => { evaluate(i: unknown): Promise<unknown> | unknown }, e: string): Promise<Outcome> => {
        try {
          return { ok: true, value: JSON.parse(JSON.stringify((await lib(e).evaluate(structuredClone(input))) ?? null)) };
        } catch {
          return { ok: false };
        }
      };
      const diffs: string[] = [];
      for (const e of expressions) {
        const [a, b] = [await run(nrJsonata, e), await run(jsonata as never, e)];
        if (!isDeepStrictEqual(a, b)) diffs.push(`${e}: Node-RED ${inspect(a)}, Redoubt ${inspect(b)}`);
      }
      assert.deepEqual(diffs, []);
    });

    it("gives the html node's text and markup as Node-RED's cheerio does", async () => {
      const { helper } = await import('../../src/compat/test-helper.js');
      const docs = [
        '<div>a<script>s()</script>b<style>.x{}</style>c<!-- com -->d<noscript>n</noscript><textarea>t</textarea></div><p>x &amp; y</p>',
        '<div><span>a&nbsp;b</span><span>&lt;tag&gt;</span><span>café ✓ &#169;</span></div>',
        '<ul><li><img src="a.png"><br></li><li><input type="text" value="v" disabled></li></ul><svg><circle r="1"/></svg>',
      ];
      const nodeRedSide = (doc: string, selector: string, ret: 'html' | 'text') => {
        const $ = nrCheerio.load(doc);
        const out: unknown[] = [];
        $(selector).each(function (this: unknown) {
          out.push(ret === 'text' ? $(this).text() : nrCheerio.load(($(this).html() ?? '').trim(), null, false).xml());
        });
        return out;
      };
      const diffs: string[] = [];
      try {
        for (const ret of ['html', 'text'] as const) {
          await helper.load([], [
            { id: 't', type: 'tab' },
            { id: 'h', type: 'html', z: 't', tag: 'div, span, li, p, script, circle', ret, as: 'single', wires: [['out']] },
            { id: 'out', type: 'helper', z: 't' },
          ]);
          for (const doc of docs) {
            const got = new Promise<unknown>((resolve) => helper.getNode('out')!.once('input', (m: { payload: unknown }) => resolve(m.payload)));
            helper.getNode('h')!.receive({ payload: doc });
            const expected = nodeRedSide(doc, 'div, span, li, p, script, circle', ret);
            const actual = await got;
            if (!isDeepStrictEqual(actual, expected)) diffs.push(`${ret} of ${doc}: Node-RED ${inspect(expected)}, Redoubt ${inspect(actual)}`);
          }
          await helper.unload();
        }
      } finally {
        await helper.unload();
      }
      assert.deepEqual(diffs, []);
    });
  });
}
