/**
 * The csv node in RFC 4180 mode (`spec: 'rfc'`, the default for new nodes): strict templates,
 * a real CSV reader (csv-parse.ts), CRLF line endings by default, errors reported to catch nodes.
 */
import { RedoubtError } from '../../errors/index.js';
import type { NodeApi, NodeHandlers } from '../../runtime/definition/index.js';
import type { Msg } from '../../runtime/types.js';
import { parseCsv, quoteCsvCell } from './csv-parse.js';
import { ensureString, hasOwn, partsOf, sendRecords, type CsvSettings } from './csv-settings.js';

type Template = Array<string | null>;

const QUOTE = '"';
const BAD_TEMPLATE = 'Malformed columns template.';

function hasTemplate(t: Template | null | undefined): t is Template {
  return !!t && t.length > 0 && !(t.length === 1 && t[0] === '');
}

/** Returns the handlers, or undefined when the template is malformed (the node then ignores input, as in Node-RED). */
export function createRfcCsv(s: CsvSettings, node: NodeApi): NodeHandlers | undefined {
  const quoteables = [s.sep, QUOTE, '\n', '\r'];
  const strictQuoteables = [',', QUOTE, '\n', '\r'];
  const sendHeaders = s.hdrout === 'once' || s.hdrout === 'all';
  let goodTemplate = true;
  let hdrSent = false;
  let warnedNoTemplate = false;
  let store: unknown[] = [];

  const addQuotes = (cell: string, separator = s.sep, q: readonly string[] = quoteables) =>
    quoteCsvCell(cell, { quote: QUOTE, separator, quoteables: q });

  // Column lists are read strictly (quotes as RFC 4180), always with commas in msg.columns.
  const columnsToTemplate = (columns: string, separator: string): Template | null => {
    const parsed = parseCsv(columns, { separator, quote: QUOTE, outputStyle: 'array', strict: true });
    goodTemplate = parsed.data.length === 1;
    return goodTemplate ? (parsed.data[0] as Template) : null;
  };
  const templateToColumns = (t: Template | null, keepEmpty = false, separator = ',', q: readonly string[] = strictQuoteables): string => {
    if (keepEmpty && t) return t.map((h) => addQuotes(h || '', separator, q)).join(separator);
    // Empty columns are left out here, kept above: Node-RED 4 is inconsistent the same way.
    return (t ?? [])
      .filter((h): h is string => !!h)
      .map((h) => quoteCsvCell(h, { quote: QUOTE, separator: ',' }))
      .join(',');
  };

  let template: Template | null;
  try {
    template = columnsToTemplate(s.template, ',') ?? [''];
  } catch {
    node.warn(BAD_TEMPLATE);
    node.status({ fill: 'red', shape: 'dot', text: BAD_TEMPLATE });
    return undefined;
  }
  const noTemplate = !hasTemplate(template);

  const toCsv = (msg: Msg): void => {
    let input = msg.payload as unknown;
    let arrays = Array.isArray(input) && input.length > 0 && Array.isArray(input[0]);
    if (!Array.isArray(input)) {
      input = [input];
    } else if (input.length > 0 && typeof input[0] !== 'object') {
      // An array of plain values is one row.
      input = [input];
      arrays = true;
    }
    const rows = input as unknown[];
    const lines: string[] = [];
    const parts = partsOf(msg);
    if (!(noTemplate && parts && typeof parts.index === 'number' && parts.index > 0)) {
      template = columnsToTemplate(s.template, ',') ?? [''];
    }
    if (sendHeaders && !hdrSent) {
      if (!hasTemplate(template)) {
        template = hasOwn(msg, 'columns')
          ? (columnsToTemplate(String(msg.columns || ''), ',') ?? [''])
          : Object.keys(rows[0] as object);
      }
      lines.push(templateToColumns(template, true, s.sep, quoteables));
      if (s.hdrout === 'once') hdrSent = true;
    }
    for (const row of rows) {
      if (arrays) {
        const withTemplate = hasTemplate(template);
        const cells = row as unknown[];
        const width = withTemplate ? template!.length : cells.length;
        const out: string[] = [];
        for (let t = 0; t < width; t++) {
          const cell = cells[t] === undefined ? '' : cells[t];
          out[t] = !withTemplate || template![t] ? addQuotes(ensureString(cell)) : '';
        }
        lines.push(out.join(s.sep));
        continue;
      }
      if (!hasTemplate(template) && hasOwn(msg, 'columns')) template = columnsToTemplate(String(msg.columns || ''), ',');
      const record = row as Record<string, unknown>;
      if (!hasTemplate(template)) {
        if (!warnedNoTemplate) {
          node.warn('No columns template specified for object -> CSV.');
          warnedNoTemplate = true;
        }
        template = Object.keys(record);
        const out: string[] = [];
        // Columns follow the first row's keys; nested objects and nulls are left out.
        for (const key in rows[0] as object) {
          if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
          const cell = record[key];
          if (typeof cell !== 'object') out.push(addQuotes(cell === undefined ? '' : String(cell)));
        }
        lines.push(out.join(s.sep));
      } else {
        lines.push(
          template!
            .map((key) => {
              if (!key) return '';
              const cell = record[key];
              return addQuotes(ensureString(cell === undefined ? '' : cell));
            })
            .join(s.sep),
        );
      }
    }
    msg.payload = lines.join(s.ret) + s.ret;
    msg.columns = templateToColumns(template);
  };

  const fromCsv = (msg: Msg, text: string, send: (m: Msg | Msg[]) => void): void => {
    const parts = partsOf(msg);
    let firstLine = true;
    let last = false;
    let lineCount = 0;
    if (parts) {
      lineCount = parts.index;
      if (parts.index > s.skip) firstLine = false;
      if (hasOwn(parts as Msg, 'count') && parts.index + 1 >= (parts.count as number)) last = true;
    }
    let cursor = 0;
    if (s.skip > 0 && lineCount < s.skip) {
      // As Node-RED 4, CR and LF each count as a line here, so CRLF input skips fewer lines than asked.
      for (; cursor < text.length; cursor++) {
        if (!(firstLine && lineCount < s.skip)) break;
        if (text[cursor] === '\r' || text[cursor] === '\n') lineCount += 1;
      }
      // Node-RED 4 returns here without done(); the caller completes the message instead.
      if (cursor >= text.length) return;
    }
    const breaks = ((cursor ? text.slice(cursor) : text).match(/[\r\n]/g) ?? []).length;
    if (parts && s.multi === 'mult' && breaks > 1) firstLine = true;
    if (firstLine && s.hdrin) {
      try {
        const head = parseCsv(text, { cursor, separator: s.sep, quote: QUOTE, dataHasHeaderRow: true, headersOnly: true, outputStyle: 'array', strict: true });
        template = head.headers;
        cursor = head.cursor;
      } catch (err) {
        node.status({ fill: 'red', shape: 'dot', text: BAD_TEMPLATE });
        throw err;
      }
    }
    const result = parseCsv(text, {
      cursor,
      separator: s.sep,
      quote: QUOTE,
      dataHasHeaderRow: false,
      headers: hasTemplate(template) ? template : null,
      outputStyle: 'object',
      includeNullValues: s.includeNullValues,
      includeEmptyStrings: s.includeEmptyStrings,
      parseNumeric: s.parseStrings,
      strict: false,
    });
    const data = result.data;
    const columns = templateToColumns(result.headers);
    if (s.multi !== 'one') {
      if (parts && breaks <= 1) {
        store.push(...data);
        if (parts.index + 1 === parts.count) {
          msg.payload = store;
          msg.columns = columns;
          delete msg.parts;
          send(msg);
          store = [];
        }
      } else {
        msg.columns = columns;
        msg.payload = data;
        send(msg);
      }
      return;
    }
    sendRecords(msg, data, { columns, settings: s, parts, last, send });
  };

  return {
    onInput(msg, send, done) {
      node.status({});
      if (hasOwn(msg, 'reset')) hdrSent = false;
      if (!hasOwn(msg, 'payload')) {
        if (!hasOwn(msg, 'reset')) node.send(msg);
        done();
        return;
      }
      const payload = msg.payload;
      try {
        if (typeof payload === 'object') {
          toCsv(msg);
          if (msg.payload !== '') send(msg);
        } else if (typeof payload === 'string') {
          fromCsv(msg, payload, send);
        } else {
          const err = new RedoubtError('csv_unsupported_payload', 'This node only handles CSV strings or js objects.');
          node.status({ fill: 'red', shape: 'dot', text: err.message });
          done(err);
          return;
        }
      } catch (err) {
        done(err);
        return;
      }
      done();
    },
  };
}
