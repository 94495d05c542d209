import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inTempDir } from '../testing/temp-dir.js';
import { acquireRunLock, readRunLock, runLockPath } from './run-lock.js';

describe('acquireRunLock', () => {
  it('writes the pid to <userDir>/.redoubt.lock and removes it on release', async () => {
    await inTempDir('redoubt-lock-', async (dir) => {
      const lock = await acquireRunLock(dir);
      assert.equal(lock.path, join(dir, '.redoubt.lock'));
      assert.equal(readFileSync(lock.path, 'utf8').trim(), String(process.pid));
      assert.deepEqual(await readRunLock(dir), { pid: process.pid });
      await lock.release();
      assert.equal(existsSync(lock.path), false);
      assert.equal(await readRunLock(dir), undefined);
    });
  });

  it('refuses while another live process holds the lock', async () => {
    await inTempDir('redoubt-lock-', async (dir) => {
      await acquireRunLock(dir, { pid: 4242, isAlive: () => true });
      await assert.rejects(acquireRunLock(dir, { pid: 5000, isAlive: () => true }), (err: Error & { code?: string }) => err.code === 'already_running' && /pid 4242/.test(err.message));
      assert.equal(readFileSync(runLockPath(dir), 'utf8').trim(), '4242');
    });
  });

  it('takes over a stale lock left by a process that died', async () => {
    await inTempDir('redoubt-lock-', async (dir) => {
      writeFileSync(runLockPath(dir), '999999\n');
      const lock = await acquireRunLock(dir, { pid: 5000, isAlive: (pid) => pid === 5000 });
      assert.equal(readFileSync(lock.path, 'utf8').trim(), '5000');
      assert.equal(await readRunLock(dir, { isAlive: () => false }), undefined);
    });
  });

  it('does not remove a lock another process has taken since', async () => {
    await inTempDir('redoubt-lock-', async (dir) => {
      const lock = await acquireRunLock(dir, { pid: 5000, isAlive: () => false });
      writeFileSync(runLockPath(dir), '6000\n');
      await lock.release();
      assert.equal(readFileSync(runLockPath(dir), 'utf8').trim(), '6000');
    });
  });
});

describe('readRunLock', () => {
  it('names the lock file when it cannot be read (a directory in its place)', async () => {
    await inTempDir('redoubt-lock-', async (dir) => {
      mkdirSync(runLockPath(dir));
      await assert.rejects(readRunLock(dir), (err: unknown) => {
        const e = err as { code?: string; place?: { file?: string } };
        return e.code === 'read_failed' && e.place?.file === runLockPath(dir);
      });
    });
  });
});
