import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { inTempDir } from '../testing/temp-dir.js';
import { flowsBackupPath, readFlowsFile, restoreFlowsFile, writeFlowsFile } from './flows-file.js';

const flows = [{ id: 'a', type: 'inject', wires: [['b']] }, { id: 'b', type: 'debug', wires: [] }];

/** The real file system but for `call`, which fails with `code`. */
function failingFs(call: 'rename' | 'link', code: string) {
  const fail = async () => {
    throw Object.assign(new Error(`injected ${code}`), { code });
  };
  return { open: fsp.open, unlink: fsp.unlink, rename: fsp.rename, link: fsp.link, [call]: fail };
}

describe('readFlowsFile', () => {
  it('reads a missing or empty file as no flows', async () => {
    await inTempDir('redoubt-flows-', async (dir) => {
      assert.deepEqual(await readFlowsFile(join(dir, 'flows.json')), []);
      writeFileSync(join(dir, 'flows.json'), '  \n');
      assert.deepEqual(await readFlowsFile(join(dir, 'flows.json')), []);
    });
  });

  it('refuses a file that is not JSON or not an array, naming the file', async () => {
    await inTempDir('redoubt-flows-', async (dir) => {
      const path = join(dir, 'flows.json');
      writeFileSync(path, '[{"id":');
      await assert.rejects(readFlowsFile(path), (err: Error & { code?: string }) => err.code === 'flows_file_invalid' && err.message.includes(path));
      writeFileSync(path, '"text"');
      await assert.rejects(readFlowsFile(path), { code: 'flows_file_invalid' });
    });
  });
});

describe('writeFlowsFile', () => {
  it('writes compact by default and four-space indented when pretty, like flowFilePretty', async () => {
    await inTempDir('redoubt-flows-', async (dir) => {
      const path = join(dir, 'flows.json');
      await writeFlowsFile(path, flows);
      assert.equal(readFileSync(path, 'utf8'), JSON.stringify(flows));
      await writeFlowsFile(path, flows, { pretty: true });
      assert.equal(readFileSync(path, 'utf8'), JSON.stringify(flows, null, 4));
      assert.deepEqual(await readFlowsFile(path), flows);
    });
  });

  it('keeps the previous file as .flows.json.backup', async () => {
    await inTempDir('redoubt-flows-', async (dir) => {
      const path = join(dir, 'flows.json');
      await writeFlowsFile(path, flows);
      assert.equal(existsSync(flowsBackupPath(path)), false);
      await writeFlowsFile(path, []);
      assert.equal(flowsBackupPath(path), join(dir, '.flows.json.backup'));
      assert.equal(readFileSync(flowsBackupPath(path), 'utf8'), JSON.stringify(flows));
      assert.equal(readFileSync(path, 'utf8'), '[]');
    });
  });

  it('writes the JSON bytes it is given for the compact form, and can undo a write from its backup', async () => {
    await inTempDir('redoubt-flows-', async (dir) => {
      const path = join(dir, 'flows.json');
      assert.deepEqual(await writeFlowsFile(path, flows), { backedUp: false });
      const next = [{ id: 'c', type: 'comment' }];
      const written = await writeFlowsFile(path, next, { json: Buffer.from(JSON.stringify(next)) });
      assert.deepEqual(written, { backedUp: true });
      assert.equal(readFileSync(path, 'utf8'), JSON.stringify(next));
      await restoreFlowsFile(path, written);
      assert.equal(readFileSync(path, 'utf8'), JSON.stringify(flows));
      await restoreFlowsFile(path, { backedUp: false });
      assert.equal(existsSync(path), false);
    });
  });

  it('leaves the old file intact when the write fails', async () => {
    await inTempDir('redoubt-flows-', async (dir) => {
      const path = join(dir, 'flows.json');
      await writeFlowsFile(path, flows);
      await assert.rejects(writeFlowsFile(path, [], { fs: failingFs('rename', 'EIO') }), { code: 'write_failed' });
      assert.deepEqual(await readFlowsFile(path), flows);
    });
  });

  it('keeps the backup as a file of its own: editing flows.json in place afterwards leaves it as it was', async () => {
    await inTempDir('redoubt-flows-', async (dir) => {
      const path = join(dir, 'flows.json');
      await writeFlowsFile(path, flows);
      await writeFlowsFile(path, [{ id: 'c', type: 'comment' }]);
      const backup = flowsBackupPath(path);
      assert.notEqual(statSync(backup).ino, statSync(path).ino);
      assert.equal(statSync(backup).nlink, 1);
      // An editor that rewrites the file in place, as some do.
      writeFileSync(path, '[]');
      assert.equal(readFileSync(backup, 'utf8'), JSON.stringify(flows));
      // And the next deploy replaces the backup with what flows.json held.
      await writeFlowsFile(path, flows);
      assert.equal(readFileSync(backup, 'utf8'), '[]');
    });
  });

  it('copies the data where the file system refuses a hard link, and for a flows.json that is a symlink', async () => {
    await inTempDir('redoubt-flows-', async (dir) => {
      const path = join(dir, 'flows.json');
      await writeFlowsFile(path, flows);
      await writeFlowsFile(path, [], { fs: failingFs('link', 'EPERM') });
      assert.equal(readFileSync(flowsBackupPath(path), 'utf8'), JSON.stringify(flows));
      assert.equal(readFileSync(path, 'utf8'), '[]');

      // Any other failure of the link is the deploy's error, and flows.json stays as it was.
      await assert.rejects(writeFlowsFile(path, flows, { fs: failingFs('link', 'EIO') }), (err: Error & { code?: string }) => err.code === 'write_failed' && err.message.includes('could not back up'));
      assert.equal(readFileSync(path, 'utf8'), '[]');

      const target = join(dir, 'real-flows.json');
      writeFileSync(target, JSON.stringify(flows));
      const linked = join(dir, 'linked.json');
      symlinkSync(target, linked);
      await writeFlowsFile(linked, []);
      const linkedBackup = flowsBackupPath(linked);
      assert.equal(lstatSync(linkedBackup).isSymbolicLink(), false);
      assert.equal(readFileSync(linkedBackup, 'utf8'), JSON.stringify(flows));
    });
  });
});
