/**
 * The nodes of the running flows left out for their invalid settings (`EngineState.invalidIn`,
 * filled by `validate-flows.ts` at a start from saved flows): how they are listed, and how the
 * engine and the importer say why.
 */
import { formatIssues, type ValidationIssue } from '../../errors/index.js';
import type { DeploymentType } from './deploy.js';
import type { EngineState } from './engine-state.js';

/** A node that does nothing until its settings are fixed, with why. */
export interface LeftOutNode {
  id: string;
  type: string;
  issues: readonly ValidationIssue[];
}

/**
 * The left-out nodes of the running flows, in the flows' order.
 * @example
 * leftOutNodes(state); // [{ id: 'c1', type: 'change', issues: [...] }]
 */
export function leftOutNodes(state: EngineState): LeftOutNode[] {
  const leftOut = state.invalidIn.get(state.model);
  if (!leftOut) return [];
  const out: LeftOutNode[] = [];
  for (const [id, issues] of leftOut) out.push({ id, type: state.model.byId.get(id)?.type ?? '', issues });
  return out;
}

/**
 * The issues of one node as a line says them after naming the node: without its id again.
 * @example
 * describeNodeIssues(issues); // "property 'rules': rule 1: Invalid JSONata expression ..."
 */
export function describeNodeIssues(issues: readonly ValidationIssue[]): string {
  return formatIssues(issues.map(({ nodeId: _, ...rest }) => rest));
}

/**
 * One line per deploy naming the left-out nodes: each was logged with its issues when it was
 * made, and this says, at every deploy, that they still do nothing.
 */
export function reportLeftOut(state: EngineState, type: DeploymentType): void {
  const nodes = leftOutNodes(state);
  if (nodes.length === 0) return;
  const listed = nodes.slice(0, 20).map((n) => `${n.id} (${n.type})`).join(', ') + (nodes.length > 20 ? `, and ${nodes.length - 20} more` : '');
  state.log('warn', undefined, `deployed (${type}); ${nodes.length === 1 ? '1 node does' : `${nodes.length} nodes do`} nothing until ${nodes.length === 1 ? 'its' : 'their'} invalid settings are fixed: ${listed}`);
}
