/**
 * Flows that put one core node through many inputs and options, each output shown by a debug
 * node (the complete message): played in Node-RED 4.1 and in Redoubt by flows.test.ts, which
 * compares what the two show. Beyond Node-RED's shipped examples, these go where the examples do
 * not: CSV quoting and typing, every switch rule, change rules on deep and missing properties.
 */

type Node = Record<string, unknown>;

let counter = 0;
const id = (): string => `df${(++counter).toString(16).padStart(14, '0')}`;

/** One tab: a node under test fed by one inject per payload, its outputs to debug nodes. */
function bench(name: string, under: Node, payloads: Array<{ payload: string; type: string; topic?: string }>): Node[] {
  const tab = id();
  const target = id();
  const outputs = Number(under.outputs ?? 1);
  const debugs = Array.from({ length: outputs }, () => id());
  const nodes: Node[] = [{ id: tab, type: 'tab', label: name }];
  payloads.forEach((p, i) => {
    nodes.push({
      id: id(), type: 'inject', z: tab, name: `${name} ${i}`, props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
      repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: p.topic ?? `case ${i}`, payload: p.payload, payloadType: p.type, wires: [[target]],
    });
  });
  nodes.push({ ...under, id: target, z: tab, wires: debugs.map((d) => [d]) });
  debugs.forEach((d, i) => nodes.push({ id: d, type: 'debug', z: tab, name: `${name} out ${i}`, active: true, tosidebar: true, console: false, tostatus: false, complete: 'true', targetType: 'full', wires: [] }));
  return nodes;
}

const str = (payload: string, topic?: string) => ({ payload, type: 'str', topic });
const json = (payload: unknown, topic?: string) => ({ payload: JSON.stringify(payload), type: 'json', topic });

const CSV_TEXTS = [
  str('a,b,c\n1,2,3\n'),
  str('name,note\n"Smith, J","said ""hi"""\n'),
  str('x,y\n"multi\nline",2\n'),
  str('a,b\n1,\n,2\n'),
  str('a,b\r\n01,1e3\r\n-0,0x1F\r\n'),
  str('a;b\n1;2\n'),
  str('"a","b"\n" spaced ",true\n'),
  str('\uFEFFa,b\n1,2\n'),
  str('a,b\n1,2,3\n4\n'),
  str(''),
];

const CSV_OBJECTS = [
  json({ a: 1, b: 'two', c: 'x,y' }),
  json([{ a: 1, b: 2 }, { a: 3, c: 'q"q' }]),
  json([[1, 2, 3], ['a', 'b,c', 'd\ne']]),
  json({ a: null, b: true, c: '' }),
  json([]),
];

function csvFlows(): Node[] {
  const rfc = { type: 'csv', sep: ',', hdrin: true, hdrout: 'none', multi: 'one', ret: '\\n', temp: '', skip: '0', strings: true, include_empty_strings: '', include_null_values: '', spec: 'rfc' };
  return [
    ...bench('csv rfc, headers, one per row', rfc, CSV_TEXTS),
    ...bench('csv rfc, headers, one message', { ...rfc, multi: 'mult' }, CSV_TEXTS),
    ...bench('csv rfc, columns, empties kept, strings', { ...rfc, hdrin: false, temp: 'p,q,r', strings: false, include_empty_strings: true, include_null_values: true }, CSV_TEXTS),
    ...bench('csv legacy, headers', { ...rfc, spec: '' }, CSV_TEXTS),
    ...bench('csv rfc, object to text, header once', { ...rfc, hdrin: false, hdrout: 'once', temp: 'a,b,c' }, CSV_OBJECTS),
    ...bench('csv rfc, object to text, no template', { ...rfc, hdrin: false, hdrout: 'all', temp: '' }, CSV_OBJECTS),
    ...bench('csv semicolon, windows lines', { ...rfc, sep: ';', ret: '\\r\\n', hdrout: 'all', temp: '' }, [...CSV_TEXTS.slice(5, 6), ...CSV_OBJECTS.slice(0, 2)]),
  ];
}

const SWITCH_INPUTS = [json(5), json(-1), str('5'), str('abc'), json(null), json([1, 2]), json({ a: 1 }), json(true), str(''), json(0)];

function switchFlows(): Node[] {
  const sw = (rules: Node[], checkall = 'true') => ({ type: 'switch', property: 'payload', propertyType: 'msg', rules, checkall, repair: false, outputs: rules.length });
  return [
    ...bench('switch comparisons', sw([
      { t: 'eq', v: '5', vt: 'num' }, { t: 'eq', v: '5', vt: 'str' }, { t: 'neq', v: '5', vt: 'num' }, { t: 'lt', v: '3', vt: 'num' },
      { t: 'lte', v: '5', vt: 'num' }, { t: 'gt', v: '0', vt: 'num' }, { t: 'btwn', v: '0', vt: 'num', v2: '10', v2t: 'num' },
    ]), SWITCH_INPUTS),
    ...bench('switch kinds and values', sw([
      { t: 'cont', v: 'b', vt: 'str' }, { t: 'regex', v: '^[a-c]+$', vt: 'str', case: true }, { t: 'true' }, { t: 'false' }, { t: 'null' },
      { t: 'nnull' }, { t: 'istype', v: 'number', vt: 'number' }, { t: 'istype', v: 'array', vt: 'array' }, { t: 'empty' }, { t: 'nempty' },
      { t: 'hask', v: 'a', vt: 'str' }, { t: 'jsonata_exp', v: '$type(payload) = "string"', vt: 'jsonata' }, { t: 'else' },
    ]), SWITCH_INPUTS),
    ...bench('switch stop at first', sw([{ t: 'gt', v: '0', vt: 'num' }, { t: 'gt', v: '-5', vt: 'num' }, { t: 'else' }], 'false'), SWITCH_INPUTS),
  ];
}

const CHANGE_INPUTS = [json({ a: { b: [1, 2, 3] }, s: 'Hello World' }), json(5), str('text'), json({}), json([{ k: 'v' }])];

function changeFlows(): Node[] {
  const change = (rules: Node[]) => ({ type: 'change', rules, action: '', property: '', from: '', to: '', reg: false });
  return [
    ...bench('change set and move', change([
      { t: 'set', p: 'out.deep.x', pt: 'msg', to: 'payload.a.b[1]', tot: 'msg' },
      { t: 'set', p: 'copy', pt: 'msg', to: 'payload', tot: 'msg', dc: true },
      { t: 'move', p: 'payload.s', pt: 'msg', to: 'moved', tot: 'msg' },
      { t: 'set', p: 'n', pt: 'msg', to: '$count(payload.a.b)', tot: 'jsonata' },
      { t: 'set', p: 'j', pt: 'msg', to: '{"k":[1,{"x":null}]}', tot: 'json' },
      { t: 'set', p: 'b', pt: 'msg', to: '[1,2]', tot: 'bin' },
    ]), CHANGE_INPUTS),
    ...bench('change change and delete', change([
      { t: 'change', p: 'payload.s', pt: 'msg', from: 'o', fromt: 'str', to: '0', tot: 'str' },
      { t: 'change', p: 'payload', pt: 'msg', from: '(e)(x)', fromt: 're', to: '$2$1', tot: 'str' },
      { t: 'change', p: 'payload', pt: 'msg', from: '5', fromt: 'num', to: 'five', tot: 'str' },
      { t: 'delete', p: 'payload.a.b', pt: 'msg' },
      { t: 'delete', p: 'topic', pt: 'msg' },
    ]), CHANGE_INPUTS),
  ];
}

function rangeAndSequenceFlows(): Node[] {
  const range = (action: string, round: boolean) => ({ type: 'range', minin: '0', maxin: '10', minout: '0', maxout: '100', action, round, property: 'payload' });
  const numbers = [json(5), json(-3), json(12.5), str('7'), str('x'), json(10)];
  return [
    ...bench('range scale', range('scale', false), numbers),
    ...bench('range clamp, round', range('clamp', true), numbers),
    ...bench('range roll', range('roll', false), numbers),
    ...bench('split strings and arrays', { type: 'split', splt: ',', spltType: 'str', arraySplt: 2, arraySpltType: 'len', stream: false, addname: 'key' },
      [str('a,b,,c'), json([1, 2, 3, 4, 5]), json({ x: 1, y: 2 }), str('nosep'), json([])]),
    ...bench('sort payload array', { type: 'sort', order: 'descending', as_num: true, target: 'payload', targetType: 'msg', msgKey: 'payload', msgKeyType: 'elem', seqKey: 'payload', seqKeyType: 'msg' },
      [json([3, 1, 2]), json(['10', '9', '100']), json([])]),
    ...bench('json both ways', { type: 'json', action: '', property: 'payload', pretty: false }, [str('{"a":[1,2]}'), json({ b: 'x' }), str('not json'), str('12'), json([1, 'x'])]),
  ];
}

function converterFlows(): Node[] {
  const template = (template: string, output: string, syntax = 'mustache') => ({ type: 'template', field: 'payload', fieldType: 'msg', format: 'handlebars', syntax, template, output });
  const objects = [json({ a: 1, b: 'x<y>&"z"', list: [1, 2], nested: { k: 'v' } }), json({ a: 'yes', b: 'on', c: '123', d: null, e: '' }), json([1, 'two', { three: 3 }])];
  return [
    ...bench('template mustache to string', template('a={{payload.a}} b={{payload.b}} raw={{{payload.b}}} {{#payload.list}}[{{.}}]{{/payload.list}} t={{topic}}', 'str'), objects),
    ...bench('template to json', template('{"got": "{{payload.a}}", "n": 1}', 'json'), objects),
    ...bench('template to yaml', template('got: {{payload.a}}\nlist:\n  - x\n', 'yaml'), objects),
    ...bench('template plain', template('plain {{payload.a}}', 'str', 'plain'), objects),
    ...bench('yaml both ways', { type: 'yaml', property: 'payload' }, [...objects, str('a: 1\nb: [x, yes, on]\nc: !!set {p, q}\n'), str('a: [1\n'), str('')]),
    ...bench('xml both ways', { type: 'xml', property: 'payload', attr: '', chr: '' }, [
      ...objects, str('<root a="1"><item>x</item><item>y</item><empty/></root>'), str('<bad'), str('<r><![CDATA[c<d]]></r>'),
    ]),
    ...bench('html text and markup', { type: 'html', property: 'payload', outproperty: 'payload', tag: 'p, li', ret: 'text', as: 'single' }, [
      str('<p>a <b>b</b></p><ul><li>1</li><li>caf\u00e9 &amp; <script>x()</script></li></ul>'), str('no tags'),
    ]),
    ...bench('html attributes, one message each', { type: 'html', property: 'payload', outproperty: 'out', tag: 'a', ret: 'compl', as: 'multi', chr: '_' }, [
      str('<a href="/x?a=1&amp;b=2" id="l1">one</a><a>two <i>it</i></a>'),
    ]),
    ...bench('filter, block unless changed', { type: 'rbe', func: 'rbe', gap: '', start: '', inout: 'out', septopics: true, property: 'payload', topi: 'topic' }, [
      json(1, 't1'), json(1, 't1'), json(2, 't1'), json(1, 't2'), json({ a: 1 }, 't1'), json({ a: 1 }, 't1'),
    ]),
    ...bench('filter, deadband', { type: 'rbe', func: 'deadband', gap: '10%', start: '', inout: 'out', septopics: true, property: 'payload', topi: 'topic' }, [
      json(100, 'd'), json(105, 'd'), json(111, 'd'), str('120', 'd'), str('abc', 'd'),
    ]),
  ];
}

function joinFlows(): Node[] {
  // Split then join in one tab: the join sees the split's parts.
  const pair = (name: string, split: Node, join: Node, payloads: Array<{ payload: string; type: string }>): Node[] => {
    const nodes = bench(name, { type: 'split', ...split }, payloads);
    const splitNode = nodes.find((n) => n.type === 'split')!;
    const joinId = id();
    const debugs = splitNode.wires as string[][];
    const joinNode = { ...join, id: joinId, type: 'join', z: splitNode.z, wires: debugs };
    splitNode.wires = [[joinId]];
    return [...nodes, joinNode];
  };
  const split = { splt: ',', spltType: 'str', arraySplt: 1, arraySpltType: 'len', stream: false, addname: '' };
  const auto = { mode: 'auto', build: 'object', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '\n', joinerType: 'str', accumulate: false, timeout: '', count: '', reduceRight: false };
  return [
    ...pair('split and join back, automatic', split, auto, [str('a,b,c'), json([1, [2], { x: 3 }]), json({ k1: 'v1', k2: 2 }), str('single')]),
    ...pair('join to a string', split, { ...auto, mode: 'custom', build: 'string', joiner: '-', count: '' }, [str('a,b,c'), json([1, 2, 3])]),
    ...pair('join to an array', split, { ...auto, mode: 'custom', build: 'array', count: '' }, [str('a,b,c'), json({ k1: 'v1', k2: 2 })]),
    ...pair('join to key/value object', { ...split, addname: 'key' }, { ...auto, mode: 'custom', build: 'object', key: 'key', count: '' }, [json({ k1: 'v1', k2: 2 })]),
    ...pair('join merged object', split, { ...auto, mode: 'custom', build: 'merged', count: '' }, [json([{ a: 1 }, { b: 2 }, { a: 3 }])]),
    ...pair('reduce to a sum', split, { ...auto, mode: 'reduce', reduceExp: '$A + payload', reduceInit: '0', reduceInitType: 'num', reduceFixup: '$A / $N', reduceRight: false }, [json([1, 2, 3, 4])]),
  ];
}

function functionFlows(): Node[] {
  const fn = (func: string, outputs = 1, extra: Node = {}) => ({ type: 'function', func, outputs, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...extra });
  const inputs = [json({ a: 1, list: [3, 1, 2] }), str('text'), json(7)];
  return [
    ...bench('function outputs', fn('if (typeof msg.payload === "number") return [msg, null];\nreturn [null, [msg, { payload: "extra" }]];', 2), inputs),
    ...bench('function util and buffer', fn([
      'const c = RED.util.cloneMessage(msg); c.payload = "clone";',
      // A missing parent throws in both; the messages differ on purpose (Redoubt names the expression).
      'try { msg.path = RED.util.getMessageProperty(msg, "payload.list[1]"); } catch (e) { msg.path = "threw"; }',
      'RED.util.setMessageProperty(msg, "deep.made.here", 1, true);',
      'msg.buf = Buffer.from(String(msg.payload)).toString("base64");',
      'msg.type = typeof msg.payload; msg.keys = Object.keys(msg).sort();',
      'node.send(c); return msg;',
    ].join('\n')), inputs),
    // What function nodes do with device bytes: registers, word swaps, range and bounds errors.
    ...bench('function bytes', fn([
      'const b = Buffer.from([0x42, 0xf6, 0xe6, 0x66, 0x00, 0x01, 0x86, 0xa0, 0xff, 0xfe]);',
      'const out = { f: b.readFloatBE(0), u: b.readUInt32BE(4), i48: b.readIntBE(2, 6), le: b.readUIntLE(0, 3) };',
      'out.sw = Buffer.from(b.subarray(0, 4)).swap16().toString("hex");',
      'out.last = b.lastIndexOf(0xff); out.idx = b.indexOf("f6", 0, "hex");',
      'try { Buffer.alloc(2).writeUInt8(300); out.range = "no error"; } catch (e) { out.range = e.name; }',
      'try { b.readUInt16BE(9); out.bounds = "no error"; } catch (e) { out.bounds = e.name; }',
      'out.text = Buffer.from([0x61, 0xe2, 0x28, 0xa1]).toString();',
      'out.b64 = Buffer.from(String(msg.payload)).toString("base64url"); out.hex = Buffer.from("12zz", "hex").length;',
      'msg.bytes = out; msg.raw = b.subarray(0, 4);',
      'return msg;',
    ].join('\n')), inputs),
    ...bench('function util paths', fn([
      'const m = { a: { "b c": 2, 0: "zero" }, topic: "x", list: [1, 2] };',
      'const r = {};',
      'for (const p of [\'a["b c"]\', "a[\'b c\']", "a[0]", "a.0", "list[1]", "a[msg.topic]", "a[1.5]", "é.ü"]) {',
      '  try { r[p] = RED.util.getMessageProperty(m, p); } catch (e) { r[p] = "threw"; }',
      '}',
      'try { r.norm = RED.util.normalisePropertyExpression("a[msg.topic].b"); } catch (e) { r.norm = "threw"; }',
      'r.cmp = [RED.util.compareObjects(NaN, NaN), RED.util.compareObjects(new Date(0), new Date(1)), RED.util.compareObjects({ a: [1] }, { a: [1] })];',
      'r.str = [RED.util.ensureString(null), RED.util.ensureString({ a: 1 }), RED.util.ensureBuffer("hi").length];',
      'r.type = RED.util.normaliseNodeTypeName("my-node type");',
      'r.enc = RED.util.encodeObject({ msg: [1, 2, 3] }, { maxLength: 2 });',
      'msg.util = r; return msg;',
    ].join('\n')), inputs),
    ...bench('function url', fn([
      'const u = new URL("/api/v1/x?a=1", "http://127.0.0.1:1880");',
      'u.searchParams.set("v", String(msg.payload)); u.searchParams.append("é", "a b");',
      'const q = new URLSearchParams({ k: "x/y", n: 1 }); q.sort();',
      'msg.url = { href: u.href, host: u.host, path: u.pathname, search: u.search, q: q.toString(), get: q.get("k") };',
      'try { new URL("no base"); msg.url.bad = "parsed"; } catch (e) { msg.url.bad = e.name; }',
      'return msg;',
    ].join('\n')), inputs),
    ...bench('function node util', fn([
      'class Reading { constructor(v) { this.v = v; this.at = new Date(0); } }',
      'msg.s = util.format("%s=%d %o", "v", 4.5, { list: [1, { b: Buffer.from("hi") }] });',
      'msg.i = util.inspect({ r: new Reading(msg.payload), m: new Map([[1, "x"]]), f: function named() {} }, { depth: 4 });',
      'msg.eq = [util.isDeepStrictEqual({ a: [1] }, { a: [1] }), util.types.isDate(new Date()), util.isArray([])];',
      'node.warn(util.format("%j", { p: msg.payload }));',
      'return msg;',
    ].join('\n')), inputs),
    ...bench('function context', fn([
      'const n = (context.get("n") || 0) + 1; context.set("n", n);',
      'flow.set("last", msg.payload); msg.n = n; msg.last = flow.get("last");',
      'msg.g = global.get("nothing"); msg.keys = context.keys();',
      'return msg;',
    ].join('\n')), inputs),
    ...bench('function errors', fn('if (msg.payload === 7) { node.error("seven", msg); return; }\nif (typeof msg.payload === "string") throw new Error("no strings");\nnode.warn("fine"); return msg;'), inputs),
    ...bench('function async', fn('await new Promise((r) => setTimeout(r, 5));\nmsg.later = true;\nreturn msg;'), inputs),
  ];
}

function routingFlows(): Node[] {
  // A change node that fails on strings (invalid JSON) and numbers (JSONata error), caught by
  // a catch node; complete and status nodes watching it.
  const nodes = bench('catch, complete, status', { type: 'change', rules: [{ t: 'set', p: 'out', pt: 'msg', to: '$number(payload) + $error(payload = 7 ? "seven" : "x")', tot: 'jsonata' }] }, [json(7), json(1), str('s')]);
  const tab = nodes[0]!.id as string;
  const target = nodes.find((n) => n.type === 'change')!.id as string;
  const sink = (name: string) => ({ id: id(), type: 'debug', z: tab, name, active: true, tosidebar: true, console: false, tostatus: false, complete: 'true', targetType: 'full', wires: [] });
  const caught = sink('caught');
  const completed = sink('completed');
  nodes.push(caught, completed);
  nodes.push({ id: id(), type: 'catch', z: tab, scope: [target], uncaught: false, wires: [[caught.id]] });
  nodes.push({ id: id(), type: 'complete', z: tab, scope: [target], uncaught: false, wires: [[completed.id]] });
  return nodes;
}

function injectAndSequenceFlows(): Node[] {
  const pass = { type: 'change', rules: [{ t: 'set', p: 'kind', pt: 'msg', to: '$type(payload)', tot: 'jsonata' }] };
  const typed = [
    { payload: '42', type: 'num' }, { payload: '0x1F', type: 'num' }, { payload: 'true', type: 'bool' }, { payload: '{"a":[1,"x"]}', type: 'json' },
    { payload: '[1,2,250]', type: 'bin' }, { payload: '$sum([1,2,3]) & "!"', type: 'jsonata' }, { payload: 'HOME_NOT_SET_REDOUBT', type: 'env' },
    { payload: '', type: 'date' }, { payload: 'iso', type: 'date' }, { payload: 'plain ${NOPE} text', type: 'str' },
  ];
  // A sequence made by a split, then sorted or batched.
  const after = (name: string, node: Node, payloads: Array<{ payload: string; type: string }>): Node[] => {
    const nodes = bench(name, { type: 'split', splt: ',', spltType: 'str', arraySplt: 1, arraySpltType: 'len', stream: false, addname: '' }, payloads);
    const splitNode = nodes.find((n) => n.type === 'split')!;
    const nextId = id();
    const next = { ...node, id: nextId, z: splitNode.z, wires: splitNode.wires };
    splitNode.wires = [[nextId]];
    return [...nodes, next];
  };
  return [
    ...bench('inject typed payloads', pass, typed),
    ...after('sort a sequence, numbers', { type: 'sort', order: 'ascending', as_num: true, target: '', targetType: 'seq', msgKey: 'payload', msgKeyType: 'elem', seqKey: 'payload', seqKeyType: 'msg' }, [json([10, 9, 100, 1]), str('b,a,c')]),
    ...after('sort a sequence by JSONata', { type: 'sort', order: 'descending', as_num: false, target: '', targetType: 'seq', msgKey: 'payload', msgKeyType: 'elem', seqKey: '$length(payload)', seqKeyType: 'jsonata' }, [str('ccc,a,bb')]),
    ...after('batch by count with overlap', { type: 'batch', mode: 'count', count: 3, overlap: 1, interval: 10, allowEmptySequence: false, topics: [] }, [json([1, 2, 3, 4, 5, 6])]),
  ];
}

/** Every flow, one tab per node configuration. */
export const CORE_NODE_FLOWS: ReadonlyArray<{ name: string; flows: Node[] }> = [
  { name: 'csv', flows: csvFlows() },
  { name: 'switch', flows: switchFlows() },
  { name: 'change', flows: changeFlows() },
  { name: 'range, split, sort, json', flows: rangeAndSequenceFlows() },
  { name: 'template, yaml, xml, html, filter', flows: converterFlows() },
  { name: 'split and join', flows: joinFlows() },
  { name: 'function', flows: functionFlows() },
  { name: 'catch and complete', flows: routingFlows() },
  { name: 'inject, sort, batch', flows: injectAndSequenceFlows() },
];
