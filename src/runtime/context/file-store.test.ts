import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEntry } from '../types.js';
import type { FileStoreTimers } from './file-store.js';
import { createFileStore } from './file-store.js';

function fakeTimers(): FileStoreTimers & { run(): void; count(): number } {
  let pending: Array<() => void> = [];
  return {
    setTimeout: (fn) => {
      pending.push(fn);
      return pending.length;
    },
    clearTimeout: () => {
      pending = [];
    },
    run() {
      const fns = pending;
      pending = [];
      for (const fn of fns) fn();
    },
    count: () => pending.length,
  };
}

describe('createFileStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'redoubt-ctx-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('survives a restart: set, close, reopen a new store, get', async () => {
    const first = createFileStore({ dir });
    await first.open();
    first.set('global', 'g', { deep: [1, 2] });
    first.set('f1', 'count', 3);
    first.set('n1:f1', 'a.b', 'x');
    await first.close();

    const second = createFileStore({ dir });
    await second.open();
    assert.deepEqual(second.get('global', 'g'), { deep: [1, 2] });
    assert.equal(second.get('f1', 'count'), 3);
    assert.equal(second.get('n1:f1', 'a.b'), 'x');
    await second.close();
  });

  it("writes Node-RED's layout", async () => {
    const store = createFileStore({ dir });
    await store.open();
    store.set('global', 'g', 1);
    store.set('f1', 'f', 2);
    store.set('n1:f1', 'n', 3);
    await store.close();
    const base = join(dir, 'context');
    assert.deepEqual((await readdir(base)).sort(), ['f1', 'global']);
    assert.deepEqual((await readdir(join(base, 'f1'))).sort(), ['flow.json', 'n1.json']);
    assert.deepEqual(JSON.parse(await readFile(join(base, 'global', 'global.json'), 'utf8')), { g: 1 });
    assert.equal((await stat(join(base, 'f1', 'n1.json'))).mode & 0o777, 0o600);
  });

  it('flushes changed scopes when the interval elapses, leaving no temp files', async () => {
    const timers = fakeTimers();
    const store = createFileStore({ dir, flushInterval: 5, timers });
    await store.open();
    store.set('f1', 'a', 1);
    store.set('f1', 'b', 2);
    assert.equal(timers.count(), 1);
    const file = join(dir, 'context', 'f1', 'flow.json');
    await assert.rejects(stat(file), { code: 'ENOENT' });
    timers.run();
    await store.flush();
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { a: 1, b: 2 });
    assert.deepEqual(await readdir(join(dir, 'context', 'f1')), ['flow.json']);
    await store.close();
  });

  it('reports a corrupt file with its path, moves it aside and keeps working', async () => {
    const flowDir = join(dir, 'context', 'f1');
    await mkdir(flowDir, { recursive: true });
    await writeFile(join(flowDir, 'flow.json'), '{"a": 1,');
    await writeFile(join(flowDir, 'n1.json'), '{"ok": true}');
    const logs: LogEntry[] = [];
    const store = createFileStore({ dir, log: { log: (e) => logs.push(e) } });
    await store.open();
    const corrupt = store.corruptFiles();
    assert.equal(corrupt.length, 1);
    assert.equal(corrupt[0].file, join(flowDir, 'flow.json'));
    assert.ok(logs.some((e) => e.level === 'error' && String(e.msg).includes(join(flowDir, 'flow.json'))));
    assert.equal(store.get('n1:f1', 'ok'), true);
    assert.equal(store.get('f1', 'a'), undefined);
    store.set('f1', 'a', 2);
    await store.close();
    const names = await readdir(flowDir);
    assert.ok(names.some((n) => n.startsWith('flow.json.corrupt-')));
  });

  it('saves circular values with a marker and a warning', async () => {
    const logs: LogEntry[] = [];
    const store = createFileStore({ dir, log: { log: (e) => logs.push(e) } });
    await store.open();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    store.set('f1', 'loop', loop);
    await store.close();
    const saved = JSON.parse(await readFile(join(dir, 'context', 'f1', 'flow.json'), 'utf8'));
    assert.deepEqual(saved, { loop: { name: 'loop', self: '[Circular]' } });
    assert.ok(logs.some((e) => e.level === 'warn'));
  });

  it('deletes a scope and cleans inactive flows and nodes, keeping global', async () => {
    const store = createFileStore({ dir });
    await store.open();
    for (const scope of ['global', 'f1', 'n1:f1', 'n2:f1', 'f2', 'n3:f2']) store.set(scope, 'v', 1);
    await store.flush();
    await store.clean(['f1', 'n1']);
    const base = join(dir, 'context');
    assert.deepEqual((await readdir(base)).sort(), ['f1', 'global']);
    assert.deepEqual((await readdir(join(base, 'f1'))).sort(), ['flow.json', 'n1.json']);
    await store.delete('n1:f1');
    assert.deepEqual(await readdir(join(base, 'f1')), ['flow.json']);
    assert.equal(store.get('n1:f1', 'v'), undefined);
    await store.close();
  });

  it('refuses a scope that would escape the context folder', async () => {
    const store = createFileStore({ dir });
    await store.open();
    assert.throws(() => store.set('../../etc', 'v', 1), { code: 'invalid_context_scope' });
    assert.throws(() => store.set('n1:..', 'v', 1), { code: 'invalid_context_scope' });
    await store.close();
  });

  describe('without cache', () => {
    it('refuses synchronous reads and works through callbacks', async () => {
      const store = createFileStore({ dir, cache: false });
      await store.open();
      assert.throws(() => store.get('f1', 'a'), { code: 'context_store_async_only' });
      assert.throws(() => store.keys('f1'), { code: 'context_store_async_only' });
      await new Promise<void>((resolve, reject) => store.set('f1', 'a.b', 5, (err) => (err ? reject(err) : resolve())));
      const value = await new Promise((resolve, reject) => store.get('f1', 'a.b', (err, v) => (err ? reject(err) : resolve(v))));
      assert.equal(value, 5);
      const keys = await new Promise((resolve, reject) => store.keys('f1', (err, k) => (err ? reject(err) : resolve(k))));
      assert.deepEqual(keys, ['a']);
      await store.close();
    });

    it('passes a corrupt file error to the callback', async () => {
      await mkdir(join(dir, 'context', 'f1'), { recursive: true });
      await writeFile(join(dir, 'context', 'f1', 'flow.json'), 'not json');
      const store = createFileStore({ dir, cache: false });
      await store.open();
      const err = await new Promise<Error | null>((resolve) => store.get('f1', 'a', (e) => resolve(e)));
      assert.equal((err as { code?: string }).code, 'context_file_corrupt');
      assert.match(err!.message, /flow\.json/);
      await store.close();
    });
  });
});
