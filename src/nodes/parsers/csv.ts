/**
 * csv: CSV text to objects and back. Two modes, as in Node-RED 4: RFC 4180 (`spec: 'rfc'`, what
 * the editor gives new nodes) and legacy (any other `spec`, including none: nodes saved before
 * Node-RED 4 keep their old output).
 */
import { defineNode } from '../../runtime/definition/index.js';
import { boolean, number, select, string } from '../../runtime/definition/property-kinds.js';
import type { FlowConfigNode } from '../../runtime/types.js';
import { createLegacyCsv } from './csv-legacy-mode.js';
import { createRfcCsv } from './csv-rfc-mode.js';
import type { CsvSettings } from './csv-settings.js';

function unescape(text: string): string {
  return text.replace(/\\t/g, '\t').replace(/\\n/g, '\n').replace(/\\r/g, '\r');
}

function migrateCsv(raw: FlowConfigNode): FlowConfigNode {
  const out: FlowConfigNode = { ...raw };
  if (out.hdrout === true) out.hdrout = 'all';
  if (out.hdrout === false) out.hdrout = 'none';
  return out;
}

export const csvNode = defineNode({
  type: 'csv',
  category: 'parser',
  inputs: 1,
  outputs: 1,
  properties: {
    // 'rfc' for new nodes; a saved node without it (or with '') predates the RFC mode and stays
    // legacy. A string kind, because it reads a missing value as '' rather than as the default.
    spec: string({ default: 'rfc', label: 'Parser' }),
    // One or two characters; `\t` stands for a tab. Node-RED's editor checks the length, its runtime does not.
    sep: string({ default: ',', label: 'Separator' }),
    hdrin: boolean({ default: false, label: 'First row contains column names' }),
    hdrout: select(['none', 'all', 'once'] as const, { default: 'none', label: 'Output column names' }),
    // Anything but 'one' gives one array; Node-RED's own tests save 'yes'.
    multi: select(['one', 'mult'] as const, { default: 'one', label: 'Output', lenient: true }),
    // Empty or missing: CRLF in RFC mode, LF in legacy mode.
    ret: string({ default: '\\r\\n', label: 'Newline' }),
    temp: string({ default: '', label: 'Columns' }),
    skip: number({ default: 0, label: 'Skip first lines' }),
    strings: boolean({ default: true, label: 'Parse numerical values' }),
    include_empty_strings: boolean({ default: false, label: 'Include empty strings' }),
    include_null_values: boolean({ default: false, label: 'Include null values' }),
  },
  migrate: migrateCsv,
  editor: { color: '#DEBD5C', icon: 'parser-csv.svg' },
  create(config, node) {
    const rfc = config.spec === 'rfc';
    const settings: CsvSettings = {
      template: config.temp || '',
      sep: unescape(config.sep || ','),
      ret: unescape(config.ret || (rfc ? '\r\n' : '\n')),
      multi: config.multi || 'one',
      hdrin: config.hdrin === true,
      hdrout: config.hdrout as CsvSettings['hdrout'],
      skip: Math.max(0, Math.trunc(config.skip)) || 0,
      parseStrings: config.strings,
      includeEmptyStrings: config.include_empty_strings,
      includeNullValues: config.include_null_values,
    };
    node.status({});
    return rfc ? createRfcCsv(settings, node) : createLegacyCsv(settings, node);
  },
});
