/**
 * What an import did and did not do. Every Node-RED setting, user, file or node that was read is
 * accounted for by one item, so the user can see what needs their attention.
 */

/**
 * - `carried`: now in the Redoubt user dir with the same effect;
 * - `decision`: imported in the safe form, or not at all, because Redoubt's default differs and
 *   only the user can choose (exec nodes, listening on the network, permissions);
 * - `not-carried`: had an effect in Node-RED and has none in Redoubt;
 * - `info`: read and used for the import only, or without effect.
 */
export type ImportItemKind = 'carried' | 'decision' | 'not-carried' | 'info';

export interface ImportItem {
  kind: ImportItemKind;
  /** The Node-RED setting or file (`uiHost`, `adminAuth.users[1]`, `package.json`). */
  subject: string;
  message: string;
}

export interface ImportReport {
  from: string;
  to: string;
  flowsFile: string;
  nodes: number;
  /** Ids of the nodes whose credentials were imported. */
  credentialNodes: number;
  users: string[];
  /** What the first start will not run (`flows-check.ts`); each node or tab is an item too. */
  flowsCheck: { leftOut: number; waiting: number; refused: boolean };
  /** Where the previous files of the target were kept (with --force). */
  backup?: string;
  items: ImportItem[];
}

const HEADINGS: Record<ImportItemKind, string> = {
  decision: 'Needs your decision',
  'not-carried': 'Not carried over',
  carried: 'Carried over',
  info: 'Notes',
};

/** A few lines: counts, then every decision (those always need reading). */
export function formatImportSummary(report: ImportReport): string {
  const count = (kind: ImportItemKind) => report.items.filter((item) => item.kind === kind).length;
  const lines = [
    `imported ${report.from} into ${report.to}`,
    `  flows: ${report.nodes} nodes from ${report.flowsFile}; credentials of ${report.credentialNodes} nodes re-encrypted into the vault`,
    `  users: ${report.users.length === 0 ? 'none' : report.users.join(', ')}`,
    `  settings: ${count('carried')} carried over, ${count('not-carried')} not carried over, ${count('decision')} need your decision`,
  ];
  const { leftOut, waiting, refused } = report.flowsCheck;
  if (leftOut > 0 || waiting > 0) {
    const parts = [
      leftOut > 0 ? `${leftOut} node${leftOut === 1 ? '' : 's'} will do nothing until ${leftOut === 1 ? 'its' : 'their'} settings are fixed` : '',
      waiting > 0 ? `${waiting} tab${waiting === 1 ? '' : 's'} will wait for node types not installed` : '',
    ];
    lines.push(`  not running as they are: ${parts.filter(Boolean).join('; ')} (listed under "${HEADINGS['not-carried']}")`);
  }
  if (refused) lines.push('  not running: no flow will start until the flows file is fixed (see below)');
  if (report.backup) lines.push(`  previous files kept in ${report.backup}`);
  const decisions = report.items.filter((item) => item.kind === 'decision');
  if (decisions.length > 0) {
    lines.push('', `${HEADINGS.decision}:`);
    for (const item of decisions) lines.push(`  - ${item.subject}: ${item.message}`);
  }
  return lines.join('\n') + '\n';
}

/** Every item, grouped by kind. */
export function formatImportReport(report: ImportReport): string {
  const lines: string[] = [];
  for (const kind of ['decision', 'not-carried', 'carried', 'info'] as const) {
    const items = report.items.filter((item) => item.kind === kind);
    if (items.length === 0) continue;
    lines.push(`${HEADINGS[kind]}:`);
    for (const item of items) lines.push(`  - ${item.subject}: ${item.message}`);
    lines.push('');
  }
  return lines.join('\n');
}
