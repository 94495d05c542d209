/**
 * The CSV reader and cell quoting of the csv node's RFC 4180 mode. Written here rather than
 * taken from a CSV package because the node's output depends on this reader's exact choices,
 * which no general-purpose parser shares: an empty unquoted cell is null but an empty quoted one
 * is '', blank lines vanish, a quoted empty cell at the end of a line is dropped, numbers are
 * read with `+value` (hex, exponents) except for a leading `+` or zero, headers are generated
 * from the first row's width, and a lenient mode keeps stray quotes instead of failing.
 */
import { RedoubtError } from '../../errors/index.js';

export interface CsvParseOptions {
  /** Index into the input to start reading from. */
  cursor?: number;
  separator?: string;
  quote?: string;
  /** Stop after the first line and return its cells as headers. */
  headersOnly?: boolean;
  /** Headers to use; when given, the first row is data. */
  headers?: Array<string | null> | null;
  /** Take the first row as headers (when none are given). Default true. */
  dataHasHeaderRow?: boolean;
  /** Array output: put the header row first. Default true. */
  outputHeader?: boolean;
  parseNumeric?: boolean;
  includeNullValues?: boolean;
  /** Default true. */
  includeEmptyStrings?: boolean;
  outputStyle?: 'array' | 'object';
  /** Refuse a quote inside an unquoted cell, data after a closing quote, an unclosed quote. */
  strict?: boolean;
}

export interface CsvParseResult {
  headers: Array<string | null>;
  /** The non-empty headers, each quoted as needed, joined by commas. */
  header: string;
  data: unknown[];
  /** Array output only: whether `data[0]` is the header row. */
  firstRowIsHeader?: boolean;
  cursor: number;
}

export class CsvParseError extends RedoubtError {
  readonly cursor: number;
  constructor(message: string, cursor: number) {
    super('csv_parse_error', message);
    this.cursor = cursor;
  }
}

// A cell is left a string when it starts (after spaces) with '+' or a leading zero ("007").
const KEEP_AS_STRING = /^ *(\+|-0\d|0\d)/;

/**
 * Quotes a cell when it holds any of `quoteables` (default: quote, separator, CR, LF), doubling
 * embedded double quotes as RFC 4180 section 2.7 asks.
 */
export function quoteCsvCell(cell: string, options: { quote?: string; separator?: string; quoteables?: readonly string[] } = {}): string {
  const quote = options.quote ?? '"';
  const separator = options.separator ?? ',';
  const quoteables = options.quoteables ?? [quote, separator, '\r', '\n'];
  const body = cell.includes(quote) ? cell.replace(/"/g, '""') : cell;
  const wrap = quoteables.some((q) => cell.includes(q)) ? quote : '';
  return wrap + body + wrap;
}

/** Reads CSV text into rows (arrays) or records (objects); see CsvParseOptions. */
export function parseCsv(input: string, options: CsvParseOptions = {}): CsvParseResult {
  const separator = options.separator ?? ',';
  const quote = options.quote ?? '"';
  const headersOnly = options.headersOnly ?? false;
  const headers: Array<string | null> = Array.isArray(options.headers) ? options.headers : [];
  const headersSupplied = headers.length > 0;
  const dataHasHeaderRow = options.dataHasHeaderRow ?? true;
  const outputHeader = options.outputHeader ?? true;
  const strict = options.strict ?? false;
  const asArrays = options.outputStyle === 'array';

  const rows: Array<Array<string | null>> = [];
  let row: Array<string | null> = [];
  let cell = '';
  let cellHasChars = false;
  let newCell = true;
  let inQuote = false;
  let closed = false;
  let cursor = options.cursor ?? 0;
  const end = input.length;

  const finishCell = () => {
    row.push(cell || (newCell ? null : ''));
    cell = '';
    cellHasChars = false;
  };
  const finishRow = () => {
    // A cell that gathered nothing (an empty quoted cell last on its line) is not kept.
    if (cellHasChars) finishCell();
    if (row.length > 0) {
      rows.push(row);
      row = [];
    }
  };
  const append = (text: string) => {
    cell += text;
    cellHasChars = true;
  };

  while (cursor < end) {
    const ch = input[cursor]!;
    if (inQuote) {
      if (ch === quote && input[cursor + 1] === quote) {
        append(quote);
        cursor += 2;
        closed = false;
      } else if (ch === quote) {
        inQuote = false;
        closed = true;
        cursor += 1;
      } else {
        append(ch);
        closed = false;
        cursor += 1;
      }
      newCell = false;
      continue;
    }
    if (ch === separator) {
      finishCell();
      cursor += 1;
      newCell = true;
      closed = false;
    } else if (ch === quote) {
      if (newCell) {
        inQuote = true;
        newCell = false;
        closed = false;
        cursor += 1;
      } else if (strict) {
        throw new CsvParseError('Quote found in the middle of an unquoted field', cursor);
      } else {
        // Lenient: keep one quote unless it ends the cell; a doubled quote counts once.
        cursor += 1;
        const next = input[cursor];
        if (next !== undefined && next !== '\n' && next !== '\r' && next !== separator) {
          append(ch);
          if (next === quote) cursor += 1;
        }
      }
    } else if (ch === '\n' || ch === '\r') {
      finishRow();
      cursor += input[cursor + 1] === '\n' ? 2 : 1;
      newCell = true;
      closed = false;
      if (headersOnly) break;
    } else if (closed) {
      if (strict) throw new CsvParseError('Data found after closing quote', cursor);
      // Lenient: the closing quote was a literal one after all; the character is read next round.
      append(quote);
      closed = false;
    } else {
      append(ch);
      newCell = false;
      cursor += 1;
    }
  }
  if (strict && inQuote) throw new CsvParseError('Missing quote, unclosed cell', cursor);
  finishRow();

  let firstRowIsHeader = false;
  if (rows.length > 0 && !headersSupplied) {
    if (dataHasHeaderRow) {
      headers.push(...rows[0]!);
      firstRowIsHeader = true;
    } else {
      for (let i = 0; i < rows[0]!.length; i++) headers.push(`col${i + 1}`);
    }
  }
  const header = headers
    .filter((h): h is string => !!h)
    .map((h) => quoteCsvCell(h, { quote, separator: ',' }))
    .join(',');

  if (asArrays || headersOnly) {
    if (headersOnly) return { headers, header, data: [], cursor };
    let data: unknown[] = rows;
    if (!firstRowIsHeader && outputHeader && headers.length > 0) {
      data = [headers, ...rows];
      firstRowIsHeader = true;
    }
    if (firstRowIsHeader && !outputHeader) data = data.slice(1);
    return { headers, header, data, firstRowIsHeader, cursor };
  }

  const includeNull = options.includeNullValues ?? false;
  const includeEmpty = options.includeEmptyStrings ?? true;
  const parseNumeric = options.parseNumeric ?? false;
  const records: Array<Record<string, unknown>> = [];
  for (let r = firstRowIsHeader ? 1 : 0; r < rows.length; r++) {
    const record: Record<string, unknown> = {};
    let empty = true;
    for (let c = 0; c < headers.length; c++) {
      const name = headers[c];
      if (!name) continue;
      let value: unknown = rows[r]![c] ?? null;
      if (value === null && !includeNull) continue;
      if (value === '' && !includeEmpty) continue;
      if (parseNumeric && typeof value === 'string' && value && !KEEP_AS_STRING.test(value)) {
        const n = +value;
        if (!Number.isNaN(n)) value = n;
      }
      record[name] = value;
      empty = false;
    }
    if (!empty) records.push(record);
  }
  return { headers, header, data: records, cursor };
}
