/**
 * What of a Node-RED flows file Redoubt will not run as it stands, for the import report: tabs
 * that wait for node types Redoubt does not have (a contrib module not installed), nodes whose
 * settings it cannot use (they start doing nothing), and flows it refuses whole. Judged with
 * Redoubt's own node definitions and the engine's own rules, so the report says what the first
 * start will do.
 */
import { ValidationError, formatIssues } from '../errors/index.js';
import { coreNodes } from '../nodes/index.js';
import { createRegistry, describeNodeIssues, findInvalidNodes, findWaitingConfigs, missingTypesOf, parseFlows, type FlowModel } from '../runtime/index.js';
import type { ImportItem } from './import-report.js';

export interface FlowsCheck {
  /** One item per tab that waits, per node left out, or one for flows refused whole. */
  items: ImportItem[];
  /** Nodes that will do nothing until their settings are fixed. */
  leftOut: number;
  /** Tabs that will not start until the node types they use are installed. */
  waiting: number;
  /** Whether no flow will start: the file is refused whole (duplicate ids, say). */
  refused: boolean;
}

/**
 * Checks `flows` (as read from `file`) the way a start of Redoubt would.
 * @example
 * checkImportedFlows(flows, 'flows.json').items; // [{ kind: 'not-carried', subject: "flows.json: node c1 (change)", ... }]
 */
export function checkImportedFlows(flows: unknown, file: string): FlowsCheck {
  let model: FlowModel;
  try {
    model = parseFlows(flows);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const message = `Redoubt will start none of these flows until this is fixed: ${formatIssues(err.issues)}`;
    return { items: [{ kind: 'decision', subject: file, message }], leftOut: 0, waiting: 0, refused: true };
  }
  const registry = createRegistry();
  for (const def of coreNodes) registry.define(def, 'node-red');
  const items: ImportItem[] = [];
  const isRegistered = (type: string) => registry.has(type);
  const waitingConfigs = findWaitingConfigs(model, isRegistered);
  let waiting = 0;
  for (const [id, tab] of model.tabs) {
    if (tab.disabled === true) continue;
    const types = missingTypesOf(model, id, { isRegistered, waitingConfigs });
    if (types.length === 0) continue;
    waiting++;
    const label = typeof tab.label === 'string' && tab.label ? `'${tab.label}' (${id})` : id;
    items.push({ kind: 'not-carried', subject: `${file}: tab ${label}`, message: `will not start until these node types are installed: ${types.join(', ')}` });
  }
  const invalid = findInvalidNodes(registry, model);
  for (const [id, issues] of invalid) {
    const node = model.byId.get(id)!;
    items.push({ kind: 'not-carried', subject: `${file}: node ${id} (${node.type})`, message: `will do nothing until its settings are fixed: ${describeNodeIssues(issues)}` });
  }
  return { items, leftOut: invalid.size, waiting, refused: false };
}
