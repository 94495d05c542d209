/**
 * The csv node in legacy mode (saved nodes without `spec: 'rfc'`): Node-RED's original
 * character-by-character reader and writer, kept so that existing flows give the same output.
 * Its quirks are kept on purpose (see the comments); new nodes use the RFC 4180 mode.
 */
import type { NodeApi, NodeHandlers } from '../../runtime/definition/index.js';
import type { Msg } from '../../runtime/types.js';
import { ensureString, hasOwn, partsOf, sendRecords, type CsvSettings } from './csv-settings.js';

const QUOTE = '"';
// Legacy number test: optional minus, no leading zero, optional fraction and exponent.
const NUMERIC = /^[-]?(?!E)(?!0\d)\d*\.?\d*(E-?\+?)?\d+$/i;

function escapeForRegExp(text: string): string {
  return text.replace(/[-[\]{}()*+!<=:?./\\^$|#\s,]/g, '\\$&');
}

/** Splits on `sep` where it is followed by an even number of quotes, i.e. outside quotes. */
function splitterFor(sep: string): RegExp {
  return new RegExp(escapeForRegExp(sep) + '(?=(?:(?:[^"]*"){2})*[^"]*$)', 'g');
}

function quoteLegacy(cell: string, sep: string, newlineTest: string): string {
  if (cell.includes(QUOTE)) return QUOTE + cell.replace(/"/g, '""') + QUOTE;
  if (cell.includes(sep) || newlineTest.includes('\n')) return QUOTE + cell + QUOTE;
  return cell;
}

function columnsString(template: string[]): string {
  return template.map((v) => (v.includes(',') ? `"${v}"` : v)).join(',');
}

export function createLegacyCsv(s: CsvSettings, node: NodeApi): NodeHandlers {
  let goodTemplate = true;
  let hdrSent = false;
  let warnedNoTemplate = false;
  const pending: unknown[] = [];
  // Node-RED keeps the last separator used to read a column list and reuses it when none is given.
  let splitter = splitterFor(',');

  const clean = (columns: string, sep?: string): string[] => {
    if (sep !== undefined) splitter = splitterFor(sep);
    const cols = columns.trim().split(splitter).map((c) => c.replace(/"/g, '').trim());
    goodTemplate = !(cols.length === 1 && cols[0] === '');
    return cols;
  };
  let template = clean(s.template, ',');
  const noTemplate = template.length === 1 && template[0] === '';

  const toCsv = (msg: Msg): void => {
    const parts = partsOf(msg);
    if (!(noTemplate && parts && typeof parts.index === 'number' && parts.index > 0)) template = clean(s.template);
    const lines: string[] = [];
    if (!Array.isArray(msg.payload)) msg.payload = [msg.payload];
    let rows = msg.payload as unknown[];
    if (s.hdrout !== 'none' && !hdrSent) {
      if (template.length === 1 && template[0] === '') {
        template = hasOwn(msg, 'columns') ? clean(String(msg.columns || ''), ',') : Object.keys(rows[0] as object);
      }
      lines.push(template.map((v) => (v.includes(s.sep) ? `"${v}"` : v)).join(s.sep));
      if (s.hdrout === 'once') hdrSent = true;
    }
    for (let r = 0; r < rows.length; r++) {
      if (Array.isArray(rows[r]) || typeof rows[r] !== 'object') {
        // An array of plain values is one row.
        if (typeof rows[r] !== 'object') rows = msg.payload = [rows];
        const row = rows[r] as unknown[];
        for (let t = 0; t < row.length; t++) {
          if (row[t] === undefined) row[t] = '';
          // As Node-RED: a null cell fails the message (it calls toString on it).
          const text = (row[t] as { toString(): string }).toString();
          if (text.includes(QUOTE)) row[t] = QUOTE + text.replace(/"/g, '""') + QUOTE;
          else if (text.includes(s.sep) || text.includes('\n')) row[t] = QUOTE + text + QUOTE;
        }
        lines.push(row.join(s.sep));
        continue;
      }
      const record = rows[r] as Record<string, unknown>;
      if (template.length === 1 && template[0] === '' && hasOwn(msg, 'columns')) template = clean(String(msg.columns || ''), ',');
      if (template.length === 1 && template[0] === '') {
        if (!warnedNoTemplate) {
          node.warn('No columns template specified for object -> CSV.');
          warnedNoTemplate = true;
        }
        const out: string[] = [];
        for (const key in rows[0] as object) {
          if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
          const cell = record[key];
          if (typeof cell === 'object') continue;
          // Node-RED tests the key, not the value, for a newline here.
          out.push(quoteLegacy(cell === undefined ? '' : String(cell), s.sep, key));
        }
        lines.push(out.join(s.sep));
      } else {
        lines.push(
          template
            .map((key) => {
              if (key === '') return '';
              const cell = record[key];
              const text = ensureString(cell === undefined ? '' : cell);
              return quoteLegacy(text, s.sep, text);
            })
            .join(s.sep),
        );
      }
    }
    msg.payload = lines.join(s.ret) + s.ret;
    msg.columns = columnsString(template);
  };

  const fromCsv = (msg: Msg, line: string, send: (m: Msg) => void): void => {
    let outside = true;
    let j = 0;
    let cells: Array<string | number | null> = [''];
    let record: Record<string, unknown> = {};
    const records: Array<Record<string, unknown>> = [];
    let first = true;
    let last = false;
    let lineCount = 0;
    let headerText = '';
    const parts = partsOf(msg);
    if (parts) {
      lineCount = parts.index;
      if (parts.index > s.skip) first = false;
      if (hasOwn(parts as Msg, 'count') && parts.index + 1 >= (parts.count as number)) last = true;
    }
    const breaks = (line.match(/[\r\n]/g) ?? []).length;
    if (parts && s.multi === 'mult' && breaks > 1) first = true;

    const name = (col: number) => {
      if (!goodTemplate) template[col] = `col${col + 1}`;
      return template[col];
    };
    const commit = (col: number) => {
      const key = name(col);
      if (!key) return;
      let v = cells[col];
      if (v !== null && v !== undefined && s.parseStrings && NUMERIC.test(String(v).trim())) v = parseFloat(String(v).trim());
      if (s.includeNullValues && v === null) record[key] = v;
      if (s.includeEmptyStrings && v === '') record[key] = v;
      if (v !== null && v !== '' && v !== undefined) record[key] = v;
    };

    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      const prev = line[i - 1];
      if (first && lineCount < s.skip) {
        if (ch === '\n') lineCount += 1;
        continue;
      }
      if (s.hdrin && first) {
        if (ch === '\n' || ch === '\r' || line.length - i === 1) {
          if (line.length - i === 1) headerText += ch;
          template = clean(headerText, s.sep);
          first = false;
        } else headerText += ch;
        continue;
      }
      if (ch === QUOTE) {
        outside = !outside;
        // A doubled quote inside quotes is one literal quote.
        if (prev === QUOTE && !outside) cells[j] = `${cells[j]}"`;
      } else if (ch === s.sep && outside) {
        const key = name(j);
        // Nothing between separators, or a separator first on its line, reads as null. (Node-RED
        // throws for a separator at the very start of the input; here it is null like any other.)
        if (key && (prev === s.sep || prev === undefined || prev.includes('\n'))) cells[j] = null;
        commit(j);
        j += 1;
        // A separator last in the input leaves a null cell after it.
        cells[j] = line.length - 1 === i ? null : '';
      } else if ((ch === '\n' || ch === '\r') && outside) {
        if (name(j) && prev === s.sep) cells[j] = null;
        commit(j);
        if (Object.keys(record).length > 0) records.push(record);
        j = 0;
        cells = [''];
        record = {};
        outside = true;
      } else {
        cells[j] = `${cells[j] ?? ''}${ch}`;
      }
    }
    if (!outside) node.warn('Malformed CSV data - output probably corrupt.');
    commit(j);
    if (Object.keys(record).length > 0) records.push(record);

    const columns = template.map((v) => (v.includes(',') ? `"${v}"` : v)).filter((v) => v).join(',');
    if (s.multi !== 'one') {
      msg.payload = records;
      if (parts && breaks <= 1) {
        // Only the line's last record is kept: a line ending in a newline adds nothing (as Node-RED).
        if (Object.keys(record).length > 0) pending.push(record);
        if (parts.index + 1 === parts.count) {
          msg.payload = pending.splice(0);
          msg.columns = columns;
          delete msg.parts;
          send(msg);
        }
      } else {
        msg.columns = columns;
        send(msg);
      }
      return;
    }
    sendRecords(msg, records, { columns, settings: s, parts, last, send });
  };

  return {
    onInput(msg, send, done) {
      if (hasOwn(msg, 'reset')) hdrSent = false;
      if (!hasOwn(msg, 'payload')) {
        if (!hasOwn(msg, 'reset')) node.send(msg);
        done();
        return;
      }
      try {
        if (typeof msg.payload === 'object') {
          toCsv(msg);
          if ((msg.payload as unknown) !== '') send(msg);
        } else if (typeof msg.payload === 'string') {
          fromCsv(msg, msg.payload, send);
        } else {
          // Legacy mode warns rather than failing the message.
          node.warn('This node only handles CSV strings or js objects.');
        }
      } catch (err) {
        done(err);
        return;
      }
      done();
    },
  };
}
