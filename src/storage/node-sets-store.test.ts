import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from './database.js';
import { createNodeSetsStore } from './node-sets-store.js';

describe('createNodeSetsStore', () => {
  it('keeps disabled sets in the database file across a reopen, with who disabled them first and when', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'redoubt-nodesets-')), 'redoubt.db');
    const db = openDatabase(path);
    const store = createNodeSetsStore(db);
    store.setDisabled(['node-red/exec', 'node-red/file'], true, { username: 'ada', at: 1000 });
    store.setDisabled(['node-red/exec'], true, { username: 'bob', at: 2000 });
    db.close();

    const reopened = openDatabase(path);
    const again = createNodeSetsStore(reopened);
    assert.deepEqual(again.disabled(), [
      { id: 'node-red/exec', disabledAt: 1000, disabledBy: 'ada' },
      { id: 'node-red/file', disabledAt: 1000, disabledBy: 'ada' },
    ]);
    again.setDisabled(['node-red/exec'], false, { username: 'bob', at: 3000 });
    assert.deepEqual(again.disabled().map((s) => s.id), ['node-red/file']);
    reopened.close();
  });

  it('changes all the sets of one call or none', () => {
    const db = openDatabase(':memory:');
    const store = createNodeSetsStore(db);
    // A trigger stands in for a write that fails half way (disk full, I/O error).
    db.exec(`CREATE TRIGGER refuse_bad BEFORE INSERT ON disabled_node_sets WHEN NEW.set_id = 'm/bad' BEGIN SELECT RAISE(ABORT, 'refused'); END;`);
    assert.throws(() => store.setDisabled(['m/good', 'm/bad'], true, { username: 'ada', at: 1 }), /refused/);
    assert.deepEqual(store.disabled(), []);
  });
});
