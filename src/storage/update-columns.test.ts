import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from './database.js';
import { updateColumns } from './update-columns.js';

function table() {
  const db = openDatabase(':memory:');
  db.exec('CREATE TABLE t (username TEXT PRIMARY KEY, a TEXT, flag INTEGER)');
  db.prepare("INSERT INTO t VALUES ('ann', 'x', 0), ('bob', 'y', 0)").run();
  const rows = () => db.prepare('SELECT * FROM t ORDER BY username').all();
  return { db, rows };
}

const columns = { text: 'a', on: 'flag' } as const;

describe('updateColumns', () => {
  it("writes the patch's defined fields to that row only, encoded", () => {
    const { db, rows } = table();
    updateColumns(db, { table: 't', username: 'ann', columns, patch: { on: true, text: undefined }, encode: (f, v) => (f === 'on' ? (v ? 1 : 0) : v) });
    assert.deepEqual(rows(), [
      { username: 'ann', a: 'x', flag: 1 },
      { username: 'bob', a: 'y', flag: 0 },
    ]);
    updateColumns(db, { table: 't', username: 'bob', columns, patch: { text: 'z' } });
    assert.deepEqual(rows()[1], { username: 'bob', a: 'z', flag: 0 });
  });

  it('runs nothing for an empty patch', () => {
    const { db, rows } = table();
    const before = rows();
    updateColumns(db, { table: 'no_such_table', username: 'ann', columns, patch: {} });
    assert.deepEqual(rows(), before);
  });
});
