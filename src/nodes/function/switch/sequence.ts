/**
 * Message sequences in the switch node, as Node-RED's: buffering a whole sequence until its
 * count is known (needed by `tail` rules and by repair), and repair itself, which gives each
 * output its own new sequence (new `parts.id`, `index` renumbered from 0, `count` of what that
 * output sends).
 */
import { cloneMessage, generateId } from '../../../runtime/properties/index.js';
import type { Msg } from '../../../runtime/types.js';

/** An output row: one entry per output, the message or null. */
export type Onward = Array<Msg | null>;

interface InGroup {
  count: number | undefined;
  msgs: Msg[];
}

export interface SequenceBuffers {
  /**
   * Adds a message of a sequence; returns the whole sequence, in arrival order, once its count
   * is known and reached, else undefined. Returns 'overflow' (and drops every buffer) when more
   * than `maxKept` messages are held.
   */
  addIncoming(msg: Msg): Msg[] | undefined | 'overflow';
  /** Records the outputs of one message of a sequence; returns the repaired rows to send once the sequence is complete. */
  addOutgoing(onward: Onward, msg: Msg, ports: number): Onward[] | undefined | 'overflow';
  clear(): void;
}

interface Parts {
  id: string | number;
  index: number;
  count?: number;
}

/** `maxKept` is Node-RED's nodeMessageBufferMaxLength (0: unlimited). */
export function createSequenceBuffers(maxKept: number): SequenceBuffers {
  let pendingCount = 0;
  let incoming = new Map<unknown, InGroup>();
  let outgoing = new Map<unknown, { rows: Onward[]; received: number }>();

  const clear = () => {
    pendingCount = 0;
    incoming = new Map();
    outgoing = new Map();
  };
  const overflowed = () => maxKept > 0 && pendingCount > maxKept;

  return {
    addIncoming(msg) {
      const parts = msg.parts as Parts;
      let group = incoming.get(parts.id);
      if (!group) {
        group = { count: undefined, msgs: [] };
        incoming.set(parts.id, group);
      }
      group.msgs.push(msg);
      pendingCount++;
      if (overflowed()) {
        clear();
        return 'overflow';
      }
      if (parts.count !== undefined) group.count = parts.count;
      if (group.count !== group.msgs.length) return undefined;
      incoming.delete(parts.id);
      pendingCount -= group.msgs.length;
      for (const m of group.msgs) (m.parts as Parts).count = group.count;
      return group.msgs;
    },
    addOutgoing(onward, msg, ports) {
      const parts = msg.parts as Parts;
      let group = outgoing.get(parts.id);
      if (!group) {
        group = { rows: [], received: 0 };
        outgoing.set(parts.id, group);
      }
      group.received++;
      // Rows cut short by "stop at first match" still cover every output.
      const row = onward.slice();
      while (row.length < ports) row.push(null);
      group.rows.push(row);
      pendingCount++;
      if (group.received === parts.count) {
        outgoing.delete(parts.id);
        pendingCount -= group.rows.length;
        return repairRows(group.rows, ports);
      }
      if (overflowed()) {
        clear();
        return 'overflow';
      }
      return undefined;
    },
    clear,
  };
}

/** Renumbers each output's messages as a new sequence of its own. */
function repairRows(rows: Onward[], ports: number): Onward[] {
  const counts = new Array<number>(ports).fill(0);
  for (const row of rows) for (let j = 0; j < ports; j++) if (row[j]) counts[j]!++;
  const ids = Array.from({ length: ports }, () => generateId());
  const indexes = new Array<number>(ports).fill(0);
  return rows.map((row) =>
    row.map((m, j) => {
      if (!m) return null;
      const copy = cloneMessage(m);
      copy.parts = { ...(copy.parts as Parts), id: ids[j], index: indexes[j]!++, count: counts[j] };
      return copy;
    }),
  );
}
