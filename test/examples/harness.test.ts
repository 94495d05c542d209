/**
 * The example harness's own pieces: flow preparation, normalisation and comparison. These decide
 * whether examples.test.ts can tell two runtimes apart, so they are tested without any runtime.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listExamples } from './catalogue.js';
import { difference, nodeInfo, normaliseText, observe } from './normalise.js';
import { prepareExample } from './prepare-flow.js';
import type { RawEntry } from './protocol.js';

const SANDBOX = '/tmp/rdt-example-abc123';

describe('prepareExample', () => {
  it('adds a tab for nodes whose tab is not in the file, once per tab', () => {
    const { flows } = prepareExample(
      [
        { id: 'a', type: 'inject', z: 't1', x: 1, y: 1, wires: [] },
        { id: 'b', type: 'debug', z: 't1', wires: [] },
      ],
      SANDBOX,
    );
    assert.deepEqual(
      flows.filter((n) => n.type === 'tab').map((n) => n.id),
      ['t1'],
    );
    assert.equal(flows.length, 3);
  });

  it('keeps tabs that the file has and adds none for them', () => {
    const { flows } = prepareExample([{ id: 't', type: 'tab' }, { id: 'a', type: 'debug', z: 't', wires: [] }], SANDBOX);
    assert.equal(flows.filter((n) => n.type === 'tab').length, 1);
  });

  it('moves /tmp paths into the sandbox but leaves other paths alone', () => {
    const { flows } = prepareExample(
      [
        { id: 'f', type: 'file', z: 't', filename: '/tmp/hello.txt', wires: [] },
        { id: 'w', type: 'watch', z: 't', files: '/tmp/HG', wires: [] },
        { id: 'e', type: 'exec', z: 't', command: '/tmpfoo/x /bin/tmp', wires: [] },
      ],
      SANDBOX,
    );
    const byId = new Map(flows.map((n) => [n.id, n]));
    assert.equal(byId.get('f')!.filename, `${SANDBOX}/hello.txt`);
    assert.equal(byId.get('w')!.files, `${SANDBOX}/HG`);
    assert.equal(byId.get('e')!.command, '/tmpfoo/x /bin/tmp');
  });

  it('orders injects tab by tab, top to bottom, then left to right, and leaves out disabled ones', () => {
    const { injects } = prepareExample(
      [
        { id: 't2', type: 'tab' },
        { id: 't1', type: 'tab' },
        { id: 'low', type: 'inject', z: 't2', x: 0, y: 200, wires: [] },
        { id: 'right', type: 'inject', z: 't2', x: 300, y: 100, wires: [] },
        { id: 'left', type: 'inject', z: 't2', x: 100, y: 100, wires: [] },
        { id: 'other', type: 'inject', z: 't1', x: 0, y: 0, wires: [] },
        { id: 'off', type: 'inject', z: 't2', x: 0, y: 0, d: true, wires: [] },
      ],
      SANDBOX,
    );
    assert.deepEqual(injects, ['left', 'right', 'low', 'other']);
  });

  it('refuses a file that is not an array of nodes', () => {
    assert.throws(() => prepareExample({ id: 'x' }, SANDBOX), /JSON array/);
  });
});

describe('normaliseText', () => {
  it('masks the sandbox, timestamps, ISO dates and process ids', () => {
    const text = `${SANDBOX}/a.txt at 1795832594742 on 2026-11-28T02:09:00.123Z pid:24436`;
    assert.equal(normaliseText(text, SANDBOX), '<tmp>/a.txt at <timestamp> on <date> pid:<pid>');
  });

  it('leaves ordinary numbers alone', () => {
    assert.equal(normaliseText('1024 and 2.5024437927663734', SANDBOX), '1024 and 2.5024437927663734');
  });
});

const debugEntry = (data: Record<string, unknown>, at = 0): RawEntry => ({ channel: 'debug', at, data });
const statusEntry = (id: string, status: Record<string, unknown>, at: number): RawEntry => ({ channel: 'status', at, data: { id, status } });
const nodes = nodeInfo([
  { id: 'd1', type: 'debug' },
  { id: 'd2', type: 'debug', console: 'true' },
  { id: 'f1', type: 'function' },
  { id: 'x1', type: 'delay' },
]);

describe('observe', () => {
  it('compares object messages as data: key order, _msgid, parts.id and stacks do not count', () => {
    const a = observe([debugEntry({ id: 'd1', format: 'Object', msg: '{"_msgid":"1","payload":1,"parts":{"id":"p1","index":0},"error":{"stack":"x"}}' })], nodes, SANDBOX);
    const b = observe([debugEntry({ id: 'd1', format: 'Object', msg: '{"error":{"stack":"y"},"parts":{"index":0,"id":"p2"},"payload":1,"_msgid":"2"}' })], nodes, SANDBOX);
    assert.deepEqual(a.map((o) => o.line), b.map((o) => o.line));
  });

  it('tells different values, properties and formats apart', () => {
    const base = { id: 'd1', property: 'payload', format: 'string[5]', msg: 'hello' };
    const line = (d: Record<string, unknown>) => observe([debugEntry(d)], nodes, SANDBOX)[0]!.line;
    assert.notEqual(line(base), line({ ...base, msg: 'HELLO' }));
    assert.notEqual(line(base), line({ ...base, property: 'topic' }));
    assert.notEqual(line(base), line({ ...base, format: 'string[6]' }));
    assert.notEqual(line(base), line({ ...base, id: 'd2' }));
  });

  it('drops the sidebar copies of log entries and keeps warnings, errors and debug console lines', () => {
    const out = observe(
      [
        debugEntry({ level: 20, id: 'x1', msg: 'boom' }),
        { channel: 'log', at: 0, data: { level: 'error', id: 'x1', type: 'delay', msg: 'boom' } },
        { channel: 'log', at: 0, data: { level: 'info', id: 'f1', type: 'function', msg: 'just info' } },
        { channel: 'log', at: 0, data: { level: 'info', id: 'd2', type: 'debug', msg: 'console line' } },
        { channel: 'log', at: 0, data: { level: 'info', id: 'd1', type: 'debug', msg: 'not a console debug' } },
      ],
      nodes,
      SANDBOX,
    );
    assert.deepEqual(
      out.map((o) => o.shape),
      ['log error x1', 'log info d2'],
    );
  });

  it('keeps status of debug and function nodes only, as the editor shows it', () => {
    const out = observe(
      [
        statusEntry('d1', { fill: 'grey', shape: 'ring' }, 0),
        statusEntry('d1', { fill: '', shape: '', text: '' }, 1), // clears the ring at once: neither is seen
        statusEntry('f1', {}, 100), // nothing shown yet: nothing to clear
        statusEntry('f1', { fill: 'red', shape: 'ring', text: 'down' }, 200),
        statusEntry('f1', {}, 400),
        statusEntry('x1', { fill: 'blue', shape: 'dot', text: '3' }, 500),
        statusEntry('d1', { fill: 'grey', shape: 'dot', text: 'hi' }, 600),
      ],
      nodes,
      SANDBOX,
    );
    assert.deepEqual(
      out.map((o) => JSON.parse(o.line)),
      [{ status: 'f1', fill: 'red', shape: 'ring', text: 'down' }, { status: 'f1' }, { status: 'd1', fill: 'grey', shape: 'dot', text: 'hi' }],
    );
  });
});

describe('difference', () => {
  it('is empty for the same lines in any order', () => {
    assert.deepEqual(difference(['a', 'b', 'a'], ['a', 'a', 'b']), { missing: [], unexpected: [] });
  });

  it('counts repeated lines', () => {
    assert.deepEqual(difference(['a', 'a', 'b'], ['a', 'c']), { missing: ['a', 'b'], unexpected: ['c'] });
  });
});

describe('listExamples', () => {
  it('lists files under group folders, marks network out of scope and strips .json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdt-examples-list-'));
    try {
      mkdirSync(join(dir, 'common', 'inject'), { recursive: true });
      mkdirSync(join(dir, 'network', 'http'), { recursive: true });
      writeFileSync(join(dir, 'common', 'inject', '01 - A.json'), '[]');
      writeFileSync(join(dir, 'network', 'http', '01 - B.json'), '[]');
      const list = listExamples(dir);
      assert.deepEqual(
        list.map((e) => [e.name, e.group, Boolean(e.skip)]),
        [
          ['common/inject/01 - A', 'common', false],
          ['network/http/01 - B', 'network', true],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
