import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nodeToHelper, sendAndReceive } from '../test-kit.js';

afterEach(() => {
  helper.settings({ contextStorage: undefined });
  return helper.unload();
});

const tab = { id: 'f', type: 'tab', env: [{ name: 'TAB_NAME', value: 'my tab', type: 'str' }] };

async function load(node: Record<string, unknown>): Promise<void> {
  await helper.load([], nodeToHelper({ id: 't1', type: 'template', ...node }, { tab }));
}

/** Sends `msg`; resolves with what h1 receives, or undefined after `waitMs`. */
const send = (msg: Record<string, unknown>, waitMs?: number): Promise<any> => sendAndReceive(msg, { to: 't1', waitMs });

const ctx = () => helper.getNode('t1')!.context();
const setAsync = (scope: 'flow' | 'global', key: string, value: unknown, store: string) =>
  new Promise<void>((resolve, reject) => ctx()[scope].set(key, value, store, (err) => (err ? reject(err) : resolve())));
const getAsync = (scope: 'flow' | 'global', key: string, store: string) =>
  new Promise<unknown>((resolve, reject) => ctx()[scope].get(key, store, (err, v) => (err ? reject(err) : resolve(v))));

describe('template: mustache', () => {
  it('renders the message into msg.payload, HTML-escaping {{ }} but not {{{ }}}', async () => {
    await load({ template: 'payload={{payload}} raw={{{payload}}} t={{topic}}' });
    const m = await send({ payload: '<b>', topic: 'x' });
    assert.equal(m.payload, 'payload=&lt;b&gt; raw=<b> t=x');
  });

  it('renders to another message property, keeping the payload', async () => {
    const m = await (async () => {
      await load({ field: 'out.text', fieldType: 'msg', template: '{{payload}}!' });
      return send({ payload: 'hi' });
    })();
    assert.equal(m.out.text, 'hi!');
    assert.equal(m.payload, 'hi');
  });

  it('uses msg.template only when the node template is empty', async () => {
    await load({ template: '' });
    assert.equal((await send({ payload: 'p', template: 'from msg {{payload}}' })).payload, 'from msg p');
    await helper.unload();
    await load({ template: 'node {{payload}}' });
    assert.equal((await send({ payload: 'p', template: 'from msg {{payload}}' })).payload, 'node p');
  });

  it('reads env vars, from the process and the tab', async () => {
    process.env.REDOUBT_TEMPLATE_TEST = 'proc';
    try {
      await load({ template: '{{env.REDOUBT_TEMPLATE_TEST}}/{{env.TAB_NAME}}' });
      assert.equal((await send({})).payload, 'proc/my tab');
    } finally {
      delete process.env.REDOUBT_TEMPLATE_TEST;
    }
  });

  it('reads flow and global context, deep keys and missing ones', async () => {
    await load({ template: '{{flow.a}} {{global.b.c}} [{{flow.missing}}]' });
    ctx().flow.set('a', 'A');
    ctx().global.set('b', { c: 'C' });
    assert.equal((await send({})).payload, 'A C []');
  });

  it('reads named context stores, including an async (file) store', async () => {
    helper.settings({ contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } } });
    await load({ template: '{{flow[file].x}}-{{global[file].y}}-{{flow[default].z}}' });
    await setAsync('flow', 'x', 'fx', 'file');
    await setAsync('global', 'y', 'gy', 'file');
    ctx().flow.set('z', 'dz');
    assert.equal((await send({})).payload, 'fx-gy-dz');
  });

  it('handles sections and nested context inside them', async () => {
    await load({ template: '{{#payload}}{{name}}:{{topic}};{{/payload}}{{^none}}none{{/none}}' });
    const m = await send({ topic: 'T', payload: [{ name: 'a' }, { name: 'b' }] });
    assert.equal(m.payload, 'a:T;b:T;none');
  });

  it('renders flow context inside a section', async () => {
    await load({ template: '{{#payload}}{{flow.value}}{{/payload}}' });
    ctx().flow.set('value', 'V');
    assert.equal((await send({ payload: { set: true } })).payload, 'V');
  });

  it('reports a bad msg.template through done(err)', async () => {
    await load({ template: '' });
    assert.equal(await send({ template: '{{#a}} unclosed', payload: 1 }, 100), undefined);
    assert.ok(helper.log().args.some(([e]) => e.id === 't1' && e.level === 20));
  });
});

describe('template: output', () => {
  it('parses JSON output, escaping message strings so it stays valid', async () => {
    await load({ template: '{"text":"{{payload}}","n":{{n}}}', output: 'json' });
    const m = await send({ payload: 'line1\nline2\t"ok"\\', n: 3 });
    // {{ }} HTML-escapes the quote; the control characters are escaped for JSON.
    assert.deepEqual(m.payload, { text: 'line1\nline2\t&quot;ok&quot;\\', n: 3 });
  });

  it('parses YAML output', async () => {
    await load({ template: 'name: {{payload}}\nlist:\n  - 1\n  - two\n', output: 'yaml' });
    assert.deepEqual((await send({ payload: 'x' })).payload, { name: 'x', list: [1, 'two'] });
  });

  it('reports invalid JSON output through done(err) and sends nothing', async () => {
    await load({ template: '{ not json {{payload}}', output: 'json' });
    assert.equal(await send({ payload: 1 }, 100), undefined);
    const err = helper.log().args.find(([e]) => e.id === 't1' && e.level === 20);
    assert.ok(err);
    assert.match(String((err[0].msg as Error).message ?? err[0].msg), /JSON/);
  });

  it('passes plain text through untouched', async () => {
    await load({ syntax: 'plain', template: 'keep {{payload}} as is' });
    assert.equal((await send({ payload: 'x' })).payload, 'keep {{payload}} as is');
  });

  it('parses plain text as JSON when asked', async () => {
    await load({ syntax: 'plain', template: '{"a":[1]}', output: 'json' });
    assert.deepEqual((await send({})).payload, { a: [1] });
  });

  it('writes to flow and global context, with #:(store)::, and passes the message on', async () => {
    helper.settings({ contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } } });
    await load({ field: 'out', fieldType: 'flow', template: 'f {{payload}}' });
    const m = await send({ payload: 'p' });
    assert.equal(m.payload, 'p');
    assert.equal(ctx().flow.get('out'), 'f p');
    await helper.unload();
    await load({ field: '#:(file)::out', fieldType: 'global', template: 'g {{payload}}' });
    await send({ payload: 'q' });
    assert.equal(await getAsync('global', 'out', 'file'), 'g q');
  });
});

describe('template: refused at deploy', () => {
  it('refuses a template that does not parse, naming node and property', async () => {
    await assert.rejects(load({ template: 'Hello {{#section}} never closed' }), /node t1, property 'template': Invalid mustache template/);
  });

  it('accepts the same text in plain mode', async () => {
    await load({ syntax: 'plain', template: 'Hello {{#section}} never closed' });
    assert.equal((await send({})).payload, 'Hello {{#section}} never closed');
  });

  it('refuses a malformed msg field path', async () => {
    await assert.rejects(load({ field: 'a..b', fieldType: 'msg' }), /node t1, property 'field'/);
  });
});
