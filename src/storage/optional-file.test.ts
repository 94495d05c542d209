import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inTempDir } from '../testing/temp-dir.js';
import { readBytesIfPresent, readTextIfPresent, unlinkIfPresent } from './optional-file.js';

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

describe('readBytesIfPresent', () => {
  it('reads the bytes as they are, undefined for a missing file, read_failed naming anything else', async () => {
    await inTempDir('redoubt-optional-', async (dir) => {
      const bytes = Buffer.from([0xff, 0x00, 0xfe]);
      writeFileSync(join(dir, 'a.bin'), bytes);
      assert.deepEqual(await readBytesIfPresent(join(dir, 'a.bin')), bytes);
      assert.equal(await readBytesIfPresent(join(dir, 'missing.bin')), undefined);
      mkdirSync(join(dir, 'sub'));
      await assert.rejects(readBytesIfPresent(join(dir, 'sub')), (err: unknown) => (err as { code?: string }).code === 'read_failed');
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
