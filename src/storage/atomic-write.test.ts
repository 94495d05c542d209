import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { inTempDir } from '../testing/temp-dir.js';
import { writeFileAtomic, type AtomicFs } from './atomic-write.js';

describe('writeFileAtomic', () => {
  it('creates and replaces a file, leaving no temporary file behind', async () => {
    await inTempDir('redoubt-atomic-', async (dir) => {
      const path = join(dir, 'flows.json');
      await writeFileAtomic(path, 'one');
      await writeFileAtomic(path, 'two');
      assert.equal(readFileSync(path, 'utf8'), 'two');
      assert.deepEqual(readdirSync(dir), ['flows.json']);
    });
  });

  it('gives a secret file exactly mode 0600 whatever the umask', async () => {
    await inTempDir('redoubt-atomic-', async (dir) => {
      const path = join(dir, 'secret');
      writeFileSync(path, 'old', { mode: 0o644 });
      await writeFileAtomic(path, 'new', { mode: 0o600 });
      assert.equal(statSync(path).mode & 0o777, 0o600);
    });
  });

  it('leaves the old file intact when the rename fails', async () => {
    await inTempDir('redoubt-atomic-', async (dir) => {
      const path = join(dir, 'flows.json');
      writeFileSync(path, 'old');
      const failing: AtomicFs = {
        open: fsp.open,
        unlink: fsp.unlink,
        rename: async () => {
          throw Object.assign(new Error('injected EIO'), { code: 'EIO' });
        },
      };
      await assert.rejects(writeFileAtomic(path, 'new', { fs: failing }), (err: Error & { code?: string }) => err.code === 'write_failed' && /injected EIO/.test(err.message));
      assert.equal(readFileSync(path, 'utf8'), 'old');
      assert.deepEqual(readdirSync(dir), ['flows.json']);
    });
  });

  it('leaves the old file intact when writing the data fails part way', async () => {
    await inTempDir('redoubt-atomic-', async (dir) => {
      const path = join(dir, 'flows.json');
      writeFileSync(path, 'old');
      const failing: AtomicFs = {
        rename: fsp.rename,
        unlink: fsp.unlink,
        open: (async (p: string, flags: string, mode?: number) => {
          const handle = await fsp.open(p, flags, mode);
          if (flags !== 'wx') return handle;
          return Object.assign(Object.create(handle), {
            writeFile: async () => {
              await handle.write('ne');
              throw Object.assign(new Error('injected ENOSPC'), { code: 'ENOSPC' });
            },
            close: () => handle.close(),
          });
        }) as AtomicFs['open'],
      };
      await assert.rejects(writeFileAtomic(path, 'new', { fs: failing }), /injected ENOSPC/);
      assert.equal(readFileSync(path, 'utf8'), 'old');
      assert.deepEqual(readdirSync(dir), ['flows.json']);
    });
  });

  it('leaves the old file intact when the directory is read-only', { skip: process.getuid?.() === 0 ? 'root ignores directory modes' : false }, async () => {
    await inTempDir('redoubt-atomic-', async (dir) => {
      const path = join(dir, 'flows.json');
      writeFileSync(path, 'old');
      chmodSync(dir, 0o500);
      try {
        await assert.rejects(writeFileAtomic(path, 'new'), { code: 'write_failed' });
        assert.equal(readFileSync(path, 'utf8'), 'old');
      } finally {
        chmodSync(dir, 0o700); // or the directory could not be removed
      }
    });
  });
});
