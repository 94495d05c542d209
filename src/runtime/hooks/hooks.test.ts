import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, ValidationError } from '../../errors/index.js';
import { createHooks, MESSAGE_HOOKS, MODULE_HOOKS } from './index.js';

const quiet = () => createHooks({ log: () => undefined });

/** Triggers `name` with a fresh `{ order: [] }` and resolves with the outcome and the order. */
const run = (hooks: ReturnType<typeof createHooks>, name: string) =>
  new Promise<{ outcome: unknown; order: string[] }>((resolve) => {
    const event = { order: [] as string[] };
    hooks.trigger(name, event, (outcome) => resolve({ outcome, order: event.order }));
  });

describe('createHooks: adding and removing', () => {
  it('accepts every message and module hook, with and without a label', () => {
    const hooks = quiet();
    for (const name of [...MESSAGE_HOOKS, ...MODULE_HOOKS]) {
      assert.equal(hooks.has(name), false);
      hooks.add(name, (_e: unknown) => undefined);
      hooks.add(`${name}.mine`, (_e: unknown) => undefined);
      assert.equal(hooks.has(name), true);
      assert.equal(hooks.has(`${name}.mine`), true);
      assert.equal(hooks.has(`${name}.other`), false);
    }
  });

  it('refuses an unknown hook name, naming it and the valid ones', () => {
    const hooks = quiet();
    for (const id of ['foo', 'foo.label', 'onsend', '', '.label', 'onSendx']) {
      assert.throws(() => hooks.add(id, (_e: unknown) => undefined), (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.equal(err.issues[0]!.code, 'invalid_hook');
        assert.match(err.issues[0]!.message, /the hooks are onSend, preRoute/);
        return true;
      }, id);
    }
    assert.throws(() => hooks.add(42 as unknown as string, (_e: unknown) => undefined), ValidationError);
    assert.equal(hooks.has('foo'), false);
  });

  it('refuses something that is not a function', () => {
    const hooks = quiet();
    assert.throws(() => hooks.add('onSend.x', 'nope' as never), (err: unknown) => err instanceof ValidationError && err.issues[0]!.code === 'invalid_hook_function');
    assert.equal(hooks.has('onSend'), false);
  });

  it('refuses a second function under the same hook and label, but not under another hook or unlabelled', () => {
    const hooks = quiet();
    hooks.add('onSend.one', (_e: unknown) => undefined);
    assert.throws(() => hooks.add('onSend.one', (_e: unknown) => undefined), (err: unknown) => err instanceof ConflictError && err.code === 'hook_exists' && /onSend\.one/.test(err.message));
    hooks.add('preRoute.one', (_e: unknown) => undefined);
    hooks.add('onSend', (_e: unknown) => undefined);
    hooks.add('onSend', (_e: unknown) => undefined);
  });

  it('treats the part after a second dot as not part of the label, as Node-RED does', () => {
    const hooks = quiet();
    hooks.add('onSend.a.b', (_e: unknown) => undefined);
    assert.equal(hooks.has('onSend.a'), true);
    assert.throws(() => hooks.add('onSend.a.c', (_e: unknown) => undefined), ConflictError);
  });

  it('removes by label from one hook, or with *.<label> from every hook', async () => {
    const hooks = quiet();
    const push = (tag: string) => (e: { order: string[] }) => void e.order.push(tag);
    hooks.add('onSend.A', push('A'));
    hooks.add('onSend.B', push('B'));
    hooks.add('preRoute.A', push('C'));
    hooks.add('preRoute.B', push('D'));
    hooks.remove('onSend.A');
    assert.equal(hooks.has('onSend.A'), false);
    assert.deepEqual((await run(hooks, 'onSend')).order, ['B']);
    assert.deepEqual((await run(hooks, 'preRoute')).order, ['C', 'D']);
    hooks.remove('*.B');
    assert.equal(hooks.has('onSend'), false);
    assert.deepEqual((await run(hooks, 'preRoute')).order, ['C']);
    assert.equal(hooks.has('preRoute.A'), true);
  });

  it('refuses to remove without a label; removing what is not there does nothing', () => {
    const hooks = quiet();
    hooks.add('onSend', (_e: unknown) => undefined);
    assert.throws(() => hooks.remove('onSend'), (err: unknown) => err instanceof ValidationError && err.issues[0]!.code === 'hook_label_missing');
    hooks.remove('onSend.nobody');
    hooks.remove('noSuchHook.nobody');
    assert.equal(hooks.has('onSend'), true);
  });

  it('clear() takes out every function', () => {
    const hooks = quiet();
    hooks.add('onSend.a', (_e: unknown) => undefined);
    hooks.add('onComplete', (_e: unknown) => undefined);
    hooks.clear();
    assert.equal(hooks.has('onSend'), false);
    assert.equal(hooks.has('onComplete'), false);
    assert.equal(hooks.completing, false);
  });

  it('keeps the three flags of the message path in step with what is added', () => {
    const hooks = quiet();
    const flags = () => [hooks.routing, hooks.receiving, hooks.completing];
    assert.deepEqual(flags(), [false, false, false]);
    hooks.add('preInstall.p', (_e: unknown) => undefined);
    assert.deepEqual(flags(), [false, false, false]);
    for (const name of ['onSend', 'preRoute', 'preDeliver', 'postDeliver']) {
      hooks.add(`${name}.x`, (_e: unknown) => undefined);
      assert.deepEqual(flags(), [true, false, false], name);
      hooks.remove(`${name}.x`);
      assert.deepEqual(flags(), [false, false, false], name);
    }
    hooks.add('postReceive.x', (_e: unknown) => undefined);
    assert.deepEqual(flags(), [false, true, false]);
    hooks.add('onComplete.x', (_e: unknown) => undefined);
    assert.deepEqual(flags(), [false, true, true]);
    hooks.remove('*.x');
    assert.deepEqual(flags(), [false, false, false]);
  });

  it('warns that a function without parameters must call done', () => {
    const logged: string[] = [];
    const hooks = createHooks({ log: (level, m) => logged.push(`${level}: ${m}`) });
    hooks.add('onSend.lazy', () => undefined);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /^warn: hook 'onSend\.lazy' takes no parameters/);
  });
});

describe('createHooks: running a hook', () => {
  const push = (tag: string) => (e: { order: string[] }) => void e.order.push(tag);

  it('runs the functions in the order added and ends with undefined', async () => {
    const hooks = quiet();
    hooks.add('onSend', push('A'));
    hooks.add('onSend.b', push('B'));
    assert.deepEqual(await run(hooks, 'onSend'), { outcome: undefined, order: ['A', 'B'] });
  });

  it('ends at once with undefined when the hook has no function, synchronously', () => {
    const hooks = quiet();
    let outcome: unknown = 'not called';
    hooks.trigger('onSend', {}, (o) => (outcome = o));
    assert.equal(outcome, undefined);
  });

  it('finishes a chain of synchronous functions before trigger returns', () => {
    const hooks = quiet();
    hooks.add('onSend', push('A'));
    hooks.add('onSend', (e: { order: string[] }, done: () => void) => {
      e.order.push('B');
      done();
    });
    const event = { order: [] as string[] };
    let ended = false;
    hooks.trigger('onSend', event, () => (ended = true));
    assert.equal(ended, true);
    assert.deepEqual(event.order, ['A', 'B']);
  });

  it('halts on return false, done(false) or a promise of false', async () => {
    const halts = [
      (e: { order: string[] }) => (e.order.push('A'), false),
      (e: { order: string[] }, done: (o?: unknown) => void) => setTimeout(() => (e.order.push('A'), done(false)), 1),
      async (e: { order: string[] }) => (e.order.push('A'), false),
    ];
    for (const halt of halts) {
      const hooks = quiet();
      hooks.add('onSend.a', halt);
      hooks.add('onSend.b', push('B'));
      assert.deepEqual(await run(hooks, 'onSend'), { outcome: false, order: ['A'] });
    }
  });

  it('ends with the error on a throw, done(err) or a rejection', async () => {
    const failing = [
      (_e: unknown) => {
        throw new Error('thrown');
      },
      (_e: unknown, done: (o?: unknown) => void) => setTimeout(() => done(new Error('called back')), 1),
      async (_e: unknown) => {
        throw new Error('rejected');
      },
      async (_e: unknown, _done: unknown) => {
        throw new Error('rejected before done');
      },
    ];
    for (const fail of failing) {
      const hooks = quiet();
      hooks.add('onSend.a', fail);
      hooks.add('onSend.b', push('B'));
      const { outcome, order } = await run(hooks, 'onSend');
      assert.ok(outcome instanceof Error, String(outcome));
      assert.deepEqual(order, []);
    }
  });

  it('waits for a callback or a promise before the next function', async () => {
    const hooks = quiet();
    hooks.add('onSend.a', (e: { order: string[] }, done: () => void) => setTimeout(() => (e.order.push('A'), done()), 5));
    hooks.add('onSend.b', (e: { order: string[] }) => new Promise<void>((resolve) => setTimeout(() => (e.order.push('B'), resolve()), 1)));
    hooks.add('onSend.c', push('C'));
    assert.deepEqual(await run(hooks, 'onSend'), { outcome: undefined, order: ['A', 'B', 'C'] });
  });

  it('ends with any other value a promise resolves to or done is given, as Node-RED does', async () => {
    const hooks = quiet();
    hooks.add('onSend.a', async (_e: unknown) => 'stop here');
    hooks.add('onSend.b', push('B'));
    assert.deepEqual(await run(hooks, 'onSend'), { outcome: 'stop here', order: [] });
  });

  it('ignores a second call of done', async () => {
    const hooks = quiet();
    hooks.add('onSend.a', (_e: unknown, done: (o?: unknown) => void) => {
      done();
      done(new Error('late'));
    });
    hooks.add('onSend.b', push('B'));
    let ends = 0;
    await new Promise<void>((resolve) => {
      hooks.trigger('onSend', { order: [] }, () => {
        ends++;
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(ends, 1);
  });

  it('skips a function removed while the chain runs', async () => {
    const hooks = quiet();
    hooks.add('onSend.a', (_e: unknown, done: () => void) => setTimeout(done, 5));
    hooks.add('onSend.b', push('B'));
    const pending = run(hooks, 'onSend');
    hooks.remove('onSend.b');
    assert.deepEqual(await pending, { outcome: undefined, order: [] });
  });

  it('without a callback, resolves to undefined or false and rejects with an Error naming the hook', async () => {
    const hooks = quiet();
    assert.equal(await hooks.trigger('onSend', {}), undefined);
    hooks.add('preRoute.halt', (_e: unknown) => false);
    assert.equal(await hooks.trigger('preRoute', {}), false);
    hooks.add('preDeliver.fail', (_e: unknown, done: (o?: unknown) => void) => done('no way'));
    await assert.rejects(hooks.trigger('preDeliver', {})!, (err: unknown) => err instanceof Error && err.message === 'no way' && (err as { hook?: string }).hook === 'preDeliver');
  });
});
