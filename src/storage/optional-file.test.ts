import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inTempDir } from '../testing/temp-dir.js';
import { readTextIfPresent, unlinkIfPresent } from './optional-file.js';

describe('readTextIfPresent', () => {
  it('reads the text of a file, and undefined for a missing one', async () => {
    await inTempDir('redoubt-optional-', async (dir) => {
      writeFileSync(join(dir, 'a.txt'), 'héllo');
      assert.equal(await readTextIfPresent(join(dir, 'a.txt')), 'héllo');
      assert.equal(await readTextIfPresent(join(dir, 'missing.txt')), undefined);
    });
  });

  it('refuses what cannot be read with read_failed naming the file', async () => {
    await inTempDir('redoubt-optional-', async (dir) => {
      const path = join(dir, 'sub');
      mkdirSync(path);
      await assert.rejects(readTextIfPresent(path), (err: unknown) => {
        const e = err as { code?: string; place?: { file?: string }; message?: string };
        return e.code === 'read_failed' && e.place?.file === path && e.message!.includes(path);
      });
    });
  });
});

describe('unlinkIfPresent', () => {
  it('removes a file, and accepts one already gone', async () => {
    await inTempDir('redoubt-optional-', async (dir) => {
      const path = join(dir, 'a.txt');
      writeFileSync(path, 'x');
      await unlinkIfPresent(path);
      assert.equal(existsSync(path), false);
      await unlinkIfPresent(path);
    });
  });

  it('throws other failures as they came', async () => {
    await inTempDir('redoubt-optional-', async (dir) => {
      const path = join(dir, 'sub');
      mkdirSync(path);
      await assert.rejects(unlinkIfPresent(path), (err: unknown) => ['EISDIR', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? ''));
    });
  });
});
