import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../errors/index.js';
import type { LogEntry } from '../types.js';
import { createContextManager } from './context-manager.js';
import { createMemoryStore } from './memory-store.js';

function getAsync(scope: { get: (...a: any[]) => unknown }, key: string | string[], store?: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    scope.get(key, store, (err: Error | null, ...values: unknown[]) => (err ? reject(err) : resolve(values)));
  });
}

describe('createContextManager', () => {
  let userDir: string;
  beforeEach(async () => {
    userDir = await mkdtemp(join(tmpdir(), 'redoubt-ctxm-'));
  });
  afterEach(async () => {
    await rm(userDir, { recursive: true, force: true });
  });

  it('keeps node, flow and global scopes apart', async () => {
    const ctx = createContextManager({ userDir });
    await ctx.load();
    const a = ctx.getNodeContext('a', 'f1');
    const b = ctx.getNodeContext('b', 'f1');
    a.set('x', 1);
    b.set('x', 2);
    a.flow.set('x', 3);
    a.global.set('x', 4);
    assert.equal(a.get('x'), 1);
    assert.equal(b.get('x'), 2);
    assert.equal(b.flow.get('x'), 3);
    assert.equal(ctx.getFlowContext('f1').get('x'), 3);
    assert.equal(ctx.getGlobalContext().get('x'), 4);
    assert.equal(ctx.getNodeContext('a', 'f1'), a);
    assert.deepEqual(ctx.storeNames(), ['memory']);
  });

  it('offers the callback API and several keys at once', async () => {
    const ctx = createContextManager({ userDir });
    await ctx.load();
    const node = ctx.getNodeContext('n', 'f');
    await new Promise<void>((resolve, reject) => node.set(['a', 'b'], [1, 2], (err) => (err ? reject(err) : resolve())));
    assert.deepEqual(await getAsync(node, ['a', 'b']), [1, 2]);
    assert.deepEqual(node.get(['a', 'b']), [1, 2]);
    const keys = await new Promise((resolve) => node.keys((_err, k) => resolve(k)));
    assert.deepEqual(keys, ['a', 'b']);
  });

  it('refuses an empty key', async () => {
    const ctx = createContextManager({ userDir });
    const node = ctx.getNodeContext('n', 'f');
    assert.throws(() => node.get(''), { code: 'invalid_context_key' });
    assert.throws(() => node.set([], 1), { code: 'invalid_context_key' });
    await assert.rejects(getAsync(node, ''), { code: 'invalid_context_key' });
  });

  it('seeds global context from functionGlobalContext', async () => {
    const ctx = createContextManager({ userDir, functionGlobalContext: { os: { name: 'linux' }, n: 1 } });
    await ctx.load();
    const g = ctx.getGlobalContext();
    assert.equal(g.get('os.name'), 'linux');
    g.set('n', 2);
    assert.equal(g.get('n'), 2);
    assert.deepEqual(g.keys().sort(), ['n', 'os']);
    assert.deepEqual(await getAsync(g, ['os.name', 'missing']), ['linux', undefined]);
  });

  it('resolves $parent keys of subflow flow contexts, and reads undefined above the top', async () => {
    const ctx = createContextManager({ userDir });
    await ctx.load();
    const outer = ctx.getFlowContext('tab1');
    const sub = ctx.getFlowContext('sub1', 'tab1');
    const inner = ctx.getFlowContext('sub2', 'sub1');
    outer.set('level', 'tab');
    sub.set('$parent.fromSub', 'set-by-sub');
    assert.equal(sub.get('$parent.level'), 'tab');
    assert.equal(inner.get('$parent.$parent.level'), 'tab');
    assert.equal(outer.get('fromSub'), 'set-by-sub');
    assert.equal(outer.get('$parent.level'), undefined);
    assert.deepEqual(await getAsync(sub, '$parent.level'), ['tab']);
  });

  it('uses named stores, the default alias, and #:(store):: keys', async () => {
    const ctx = createContextManager({
      userDir,
      contextStorage: { default: 'mem', mem: { module: 'memory' }, file: { module: 'localfilesystem' } },
    });
    await ctx.load();
    assert.deepEqual(ctx.storeNames(), ['mem', 'file']);
    assert.equal(ctx.defaultStoreName(), 'mem');
    const node = ctx.getNodeContext('n1', 'f1');
    node.set('k', 'in-file', 'file');
    node.set('#:(mem)::k', 'in-mem');
    assert.equal(node.get('k'), 'in-mem');
    assert.equal(node.get('k', 'file'), 'in-file');
    assert.equal(node.get('#:(file)::k'), 'in-file');
    await ctx.close();

    const again = createContextManager({ userDir, contextStorage: { default: { module: 'localfilesystem' } } });
    await again.load();
    assert.equal(again.getNodeContext('n1', 'f1').get('k'), 'in-file');
    await again.close();
  });

  it('picks the first store as default when none is named default', async () => {
    const ctx = createContextManager({ userDir, contextStorage: { a: { module: 'memory' }, b: { module: 'memory' } } });
    await ctx.load();
    assert.equal(ctx.defaultStoreName(), 'a');
    ctx.getGlobalContext().set('x', 1);
    assert.equal(ctx.getGlobalContext().get('x', 'a'), 1);
    assert.equal(ctx.getGlobalContext().get('x', 'b'), undefined);
  });

  it('falls back to the default store for an unknown store name, warning once', async () => {
    const logs: LogEntry[] = [];
    const ctx = createContextManager({ userDir, contextStorage: { default: { module: 'memory' } }, log: { log: (e) => logs.push(e) } });
    await ctx.load();
    const g = ctx.getGlobalContext();
    g.set('x', 1, 'nosuch');
    assert.equal(g.get('x'), 1);
    assert.equal(g.get('x', 'nosuch'), 1);
    const warnings = logs.filter((e) => e.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0].msg), /nosuch/);
  });

  it('refuses a synchronous read from an async-only store', async () => {
    const ctx = createContextManager({
      userDir,
      contextStorage: { default: { module: 'memory' }, disk: { module: 'localfilesystem', config: { cache: false } } },
    });
    await ctx.load();
    const flow = ctx.getFlowContext('f1');
    assert.throws(() => flow.get('a', 'disk'), { code: 'context_store_async_only' });
    await new Promise<void>((resolve, reject) => flow.set('a', 1, 'disk', (err) => (err ? reject(err) : resolve())));
    assert.deepEqual(await getAsync(flow, 'a', 'disk'), [1]);
    await ctx.close();
  });

  const badSettings: Array<[string, Record<string, any>, string]> = [
    ['a bad store name', { 'bad-name': { module: 'memory' } }, 'contextStorage.bad-name'],
    ['a default alias to a missing store', { default: 'nope' }, 'contextStorage.default'],
    ['a store without module', { s: { config: {} } }, 'contextStorage.s'],
    ['an unknown module', { s: { module: 'redis' } }, 'contextStorage.s.module'],
  ];
  for (const [what, contextStorage, setting] of badSettings) {
    it(`refuses ${what}, naming the setting`, async () => {
      const ctx = createContextManager({ userDir, contextStorage });
      await assert.rejects(ctx.load(), (err: unknown) => err instanceof ConfigError && err.place.setting === setting);
    });
  }

  it('accepts a custom store factory', async () => {
    let opened = false;
    const ctx = createContextManager({
      userDir,
      contextStorage: {
        custom: {
          module: (config) => {
            assert.equal(config.userDir, userDir);
            const store = createMemoryStore();
            return { ...store, open: async () => void (opened = true) };
          },
        },
      },
    });
    await ctx.load();
    assert.equal(opened, true);
    assert.deepEqual(ctx.storeNames(), ['custom']);
  });

  it('deletes global context everywhere and keeps seed values', async () => {
    const ctx = createContextManager({ userDir, functionGlobalContext: { seed: 1 } });
    await ctx.load();
    ctx.getGlobalContext().set('x', 1);
    await ctx.deleteContext('global');
    assert.equal(ctx.getGlobalContext().get('x'), undefined);
    assert.equal(ctx.getGlobalContext().get('seed'), 1);
  });

  it('deletes node context only when no store is configured, as Node-RED', async () => {
    const plain = createContextManager({ userDir });
    await plain.load();
    plain.getNodeContext('n', 'f').set('x', 1);
    await plain.deleteContext('n', 'f');
    assert.equal(plain.getNodeContext('n', 'f').get('x'), undefined);

    const configured = createContextManager({ userDir, contextStorage: { default: { module: 'memory' } } });
    await configured.load();
    configured.getNodeContext('n', 'f').set('x', 1);
    await configured.deleteContext('n', 'f');
    assert.equal(configured.getNodeContext('n', 'f').get('x'), 1);
  });

  it('cleans context of nodes and flows that are gone', async () => {
    const ctx = createContextManager({ userDir });
    await ctx.load();
    ctx.getNodeContext('keep', 'f1').set('x', 1);
    ctx.getNodeContext('gone', 'f1').set('x', 1);
    ctx.getFlowContext('f2').set('x', 1);
    ctx.getGlobalContext().set('x', 1);
    await ctx.clean(new Set(['keep', 'f1']));
    assert.equal(ctx.getNodeContext('keep', 'f1').get('x'), 1);
    assert.equal(ctx.getNodeContext('gone', 'f1').get('x'), undefined);
    assert.equal(ctx.getFlowContext('f2').get('x'), undefined);
    assert.equal(ctx.getGlobalContext().get('x'), 1);
  });
});
