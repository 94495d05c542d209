/**
 * The node sets an operator disabled (`node-red-admin disable`), in `redoubt.db`, so that a
 * restart does not quietly switch a set back on (Node-RED keeps them in `.config.nodes.json`).
 * Backups carry them (`node-sets.json`), so a restore does not switch them back on either.
 */
import type { Db } from './database.js';

export interface DisabledNodeSet {
  /** `module/set`, e.g. `node-red/exec`. */
  id: string;
  /** Epoch ms. */
  disabledAt: number;
  disabledBy: string;
}

export interface NodeSetsStore {
  /** Every disabled set, oldest first. */
  disabled(): DisabledNodeSet[];
  /** Records the sets as disabled (keeping the first time and user) or enables them; all or none. */
  setDisabled(ids: readonly string[], disabled: boolean, by: { username: string; at: number }): void;
  /** Makes `sets` the disabled ones, replacing all others (a restore); call inside the restore's transaction. */
  replaceAll(sets: readonly DisabledNodeSet[]): void;
}

interface Row {
  set_id: string;
  disabled_at: number;
  disabled_by: string;
}

/**
 * Builds the store on an open database, creating its table if needed.
 * @example
 * const nodeSets = createNodeSetsStore(openDatabase(':memory:'));
 * nodeSets.setDisabled(['node-red/exec'], true, { username: 'ada', at: Date.now() });
 */
export function createNodeSetsStore(db: Db): NodeSetsStore {
  db.exec(`CREATE TABLE IF NOT EXISTS disabled_node_sets (
    set_id TEXT PRIMARY KEY,
    disabled_at INTEGER NOT NULL,
    disabled_by TEXT NOT NULL
  );`);
  const selectAll = db.prepare<[], Row>('SELECT * FROM disabled_node_sets ORDER BY disabled_at, set_id');
  // A set disabled again keeps who first switched it off and when.
  const insert = db.prepare<[string, number, string]>('INSERT OR IGNORE INTO disabled_node_sets (set_id, disabled_at, disabled_by) VALUES (?, ?, ?)');
  const remove = db.prepare<[string]>('DELETE FROM disabled_node_sets WHERE set_id = ?');
  const apply = db.transaction((ids: readonly string[], disabled: boolean, username: string, at: number) => {
    for (const id of ids) {
      if (disabled) insert.run(id, at, username);
      else remove.run(id);
    }
  });

  return {
    disabled: () => selectAll.all().map((row) => ({ id: row.set_id, disabledAt: row.disabled_at, disabledBy: row.disabled_by })),
    setDisabled(ids, disabled, by) {
      apply(ids, disabled, by.username, by.at);
    },
    replaceAll(sets) {
      db.exec('DELETE FROM disabled_node_sets');
      for (const s of sets) insert.run(s.id, s.disabledAt, s.disabledBy);
    },
  };
}
