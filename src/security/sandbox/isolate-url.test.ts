/**
 * `URL` and `URLSearchParams` in the function sandbox (isolate/url.js) against the host's, Node's
 * own: one corpus of parses, setters and query edits, run inside a function node and on the host,
 * must give the same results and throw in the same places. Node-RED's function sandbox offers
 * both, and flows build request URLs and query strings with them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertSameLines, corpusInSandbox, corpusLines, runOnce, suitePool } from './sandbox-test-kit.js';

/** Every call of the corpus, described; sent into the sandbox as source, so it refers to nothing outside. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function urlCorpus(U: any, P: any): string[] {
  // Strict on both sides: the test module is, a function node's code is not (a getter-only set).
  'use strict';
  const { out, t } = corpusLines();
  const PARTS = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const parts = (u: any) => [...PARTS.map((p) => u[p]), [...u.searchParams], String(u), JSON.stringify({ u })];
  const inputs: Array<[string, string?]> = [
    ['https://user:pa ss@Example.COM:443/a/../b/./c?x=1&y=2#frag'], ['http://[::1]:8080/'], ['http://[2001:db8::7]/x'],
    ['http://ëxample.com/ü?q=é#ß'], ['file:///C:/x/y.txt'], ['mqtt://broker:1883'], ['opc.tcp://plc.local:4840/path'],
    ['relative/path', 'http://a.com/b/c'], ['../up?x', 'http://a.com/b/c/d'], ['//host/x', 'https://a'], ['?only', 'http://a.com/p?q#h'],
    ['#only', 'http://a.com/p?q'], ['not a url'], [''], ['http://'], ['http://256.0.0.1'], ['http://0x7f.1/'], ['http://1.2.3'],
    ['javascript:alert(1)'], ['data:text/plain,hi there'], ['http://a.com:99999'], ['HTTP://A.COM/%7e%41'], ['http://a.com/ sp ace'],
    ['http://a.com/?q=a b&c=%zz&d=é'], [' http://trim.com \n'], ['http://a.com\\b\\c'], ['modbus+tcp://10.0.0.1:502/unit/1'],
    ['ws://[::1]:1880/comms'], ['http://a.com/x', 'not a base'], ['x', 'mailto:a@b'], ['http://xn--nxasmq6b.com/'], ['http://a..b/'],
    ['https://a.com:443/'], ['http://user@/x'], ['blob:https://a.com/uuid'], ['http://a.com/\ud800'],
  ];
  for (const [input, base] of inputs) {
    t(`parse ${JSON.stringify(input)} ${base ?? ''}`, () => parts(base === undefined ? new U(input) : new U(input, base)));
    if (typeof U.canParse === 'function') t(`canParse ${JSON.stringify(input)} ${base ?? ''}`, () => U.canParse(input, base));
  }
  const setters: Array<[string, string]> = [
    ['protocol', 'http'], ['protocol', 'ftp:'], ['protocol', 'mailto'], ['protocol', '1bad'], ['host', 'b.com:81'], ['host', ''],
    ['hostname', 'c'], ['hostname', 'x y'], ['port', '8080'], ['port', 'abc'], ['port', ''], ['port', '443'], ['port', '70000'],
    ['pathname', 'a b/c'], ['pathname', '/%zz/ü'], ['search', 'q=1 2&é'], ['search', ''], ['search', '?'], ['hash', 'x y'], ['hash', ''],
    ['username', 'us er'], ['password', 'p@ss:w'], ['href', 'http://new.com/'], ['href', 'bad'], ['origin', 'http://x'],
  ];
  for (const [name, value] of setters) {
    t(`set ${name} ${JSON.stringify(value)}`, () => {
      const u = new U('https://a.com/p?x=1#h');
      u[name] = value;
      return parts(u);
    });
  }
  t('searchParams edits', () => {
    const u = new U('http://a.com/p?b=2&a=1#h');
    const steps: unknown[] = [];
    u.searchParams.append('c', 'x y');
    steps.push(u.href);
    u.searchParams.set('b', 'é');
    steps.push(u.href);
    u.searchParams.sort();
    steps.push(u.href);
    u.searchParams.delete('a');
    steps.push(u.href);
    u.searchParams.delete('b');
    u.searchParams.delete('c');
    steps.push(u.href, u.search);
    u.search = 'z=9&z=8';
    steps.push(u.searchParams.getAll('z'), u.searchParams === u.searchParams);
    u.href = 'http://b.com/?k=v';
    steps.push(u.searchParams.get('k'));
    return steps;
  });
  const inits: unknown[] = [
    '?a=1&b=2&a=3', 'a=%20+b&c=%zz&=x&y=&&z', '%E2%82%AC=%C3', '??x=1', { a: 1, b: 'x y', c: null }, [['a', '1'], ['b', 'é']],
    [['a']], [['a', 'b', 'c']], new Map([['m', 'n']]), 'a=1;b=2', '', undefined, 'é=ü&\ud800=x',
  ];
  inits.forEach((init, i) => {
    t(`URLSearchParams ${i} ${JSON.stringify(init)}`, () => {
      const p = new P(init);
      return [[...p], p.toString(), p.size, String(p)];
    });
  });
  t('URLSearchParams from URLSearchParams', () => [...new P(new P('a=1&b=2'))]);
  t('URLSearchParams methods', () => {
    const p = new P('a=1&b=2&a=3&c=');
    const r: unknown[] = [p.get('a'), p.get('x'), p.getAll('a'), p.has('c'), p.has('a', '3'), p.has('a', '4')];
    p.delete('a', '1');
    r.push(p.toString());
    p.set('a', 'z');
    r.push(p.toString());
    p.append('é', '~!*()\' 😀');
    r.push(p.toString());
    p.append('b', '0');
    p.sort();
    r.push(p.toString(), [...p.keys()], [...p.values()]);
    const seen: unknown[] = [];
    p.forEach((v: string, k: string) => seen.push(`${k}:${v}`));
    r.push(seen, p.size);
    return r;
  });
  t('URLSearchParams sort by code units', () => {
    const p = new P('z=1&a=2&é=3&A=4&😀=5&ﬀ=6&a=7');
    p.sort();
    return p.toString();
  });
  t('URLSearchParams append missing', () => new P().append('a'));
  t('URLSearchParams forEach bad', () => new P('a=1').forEach(1));
  return out;
}

describe('the function sandbox URL and URLSearchParams', () => {
  const pool = suitePool();

  it("answer every call of the corpus as Node's do", async () => {
    assertSameLines(urlCorpus(URL, URLSearchParams), await corpusInSandbox(pool(), 'url-corpus', [corpusLines, urlCorpus], 'urlCorpus(URL, URLSearchParams)'));
  });

  it('builds a request URL with a query as a flow does', async () => {
    const { sent: out } = await runOnce(pool(), {
      nodeId: 'url-build',
      func: [
        'const u = new URL("/api/v1/readings", "http://127.0.0.1:1880");',
        'u.searchParams.set("meter", msg.payload.meter);',
        'u.searchParams.set("from", msg.payload.from);',
        'msg.url = u.href;',
        'msg.query = Object.fromEntries(new URLSearchParams(u.search));',
        'return msg;',
      ].join('\n'),
    }, { payload: { meter: 'Zähler 7/B', from: '2026-11-28T00:00:00Z' } });
    const sent = out as { url: string; query: unknown };
    assert.equal(sent.url, 'http://127.0.0.1:1880/api/v1/readings?meter=Z%C3%A4hler+7%2FB&from=2026-11-28T00%3A00%3A00Z');
    assert.deepEqual(sent.query, { meter: 'Zähler 7/B', from: '2026-11-28T00:00:00Z' });
  });
});
