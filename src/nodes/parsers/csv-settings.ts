/** The csv node's settings once read from its config, shared by its two modes. */
import { cloneMessage } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';

export interface CsvSettings {
  /** Column template as typed (`temp`). */
  template: string;
  /** Separator with `\t`, `\n`, `\r` escapes resolved. */
  sep: string;
  /** Line ending of generated CSV, escapes resolved. */
  ret: string;
  /** 'one' (a message per record) or anything else (one array); 'mult' also re-reads headers in each multi-line part. */
  multi: string;
  hdrin: boolean;
  hdrout: 'none' | 'all' | 'once';
  skip: number;
  parseStrings: boolean;
  includeEmptyStrings: boolean;
  includeNullValues: boolean;
}

export { ensureString } from '../../runtime/properties/index.js';

export function hasOwn(msg: Msg, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(msg, key);
}

export interface MsgParts {
  id?: unknown;
  index: number;
  count?: number;
  [key: string]: unknown;
}

/** The parts of a message split upstream, when it has them. */
export function partsOf(msg: Msg): MsgParts | undefined {
  return hasOwn(msg, 'parts') && msg.parts !== null && typeof msg.parts === 'object' ? (msg.parts as MsgParts) : undefined;
}

/**
 * Sends one message per parsed record (both csv modes' "one message per row"): each a copy of
 * `msg` with the record, the columns and `parts`. When the input was itself a part of a sequence
 * of lines, the line numbers counted skipped lines and the header line; records do not.
 */
export function sendRecords(
  msg: Msg,
  records: unknown[],
  opts: { columns: string; settings: CsvSettings; parts: MsgParts | undefined; last: boolean; send: (m: Msg) => void },
): void {
  const { columns, settings: s, parts, last, send } = opts;
  records.forEach((record, index) => {
    const m = cloneMessage(msg);
    m.columns = columns;
    m.payload = record;
    if (!parts) {
      m.parts = { id: msg._msgid, index, count: records.length };
    } else {
      const p = m.parts as { index: number; count: number };
      const shift = s.skip + (s.hdrin ? 1 : 0);
      p.index -= shift;
      p.count -= shift;
    }
    if (last) m.complete = true;
    send(m);
  });
  if (parts && last && records.length === 0) send({ complete: true });
}
