/**
 * What of the running flows does not run: the missing node types of a tab and of all the flows
 * they wait for (over `missing-types.ts`, with this engine's registry and waiting config nodes),
 * the nodes left out for their invalid settings, and how the engine says so in its log.
 */
import type { ValidationIssue } from '../../errors/index.js';
import type { DeploymentType } from './deploy.js';
import type { EngineState } from './engine-state.js';
import { missingTypesOf } from './missing-types.js';

/**
 * Node types a tab (with the subflows and shared config nodes it uses) needs that are not registered, in the order first used.
 * @example
 * missingFor(state, 't1'); // ['exec'] while the exec node is disabled
 */
export function missingFor(state: EngineState, flowId: string): string[] {
  return missingTypesOf(state.model, flowId, { isRegistered: state.isRegistered, waitingConfigs: state.waitingConfigs });
}

/**
 * Every missing type the flows wait for: the tabs' and the shared config nodes'.
 * @example
 * state.missing = findMissing(state);
 */
export function findMissing(state: EngineState): string[] {
  const out = new Set<string>();
  for (const id of state.model.tabs.keys()) for (const type of missingFor(state, id)) out.add(type);
  for (const types of state.waitingConfigs.values()) for (const type of types) out.add(type);
  return [...out];
}

/**
 * The types as a log line lists them, a disabled one said to be so.
 * @example
 * describeTypes(state, ['exec', 'mqtt in']); // "exec (disabled), mqtt in"
 */
export function describeTypes(state: EngineState, types: readonly string[]): string {
  return types.map((t) => (state.registry.isDisabled(t) ? `${t} (disabled)` : t)).join(', ');
}

/**
 * One line per deploy naming what the flows still wait for: a 'flows' or 'nodes' deploy logs
 * the tabs it restarted, not the ones that went on waiting untouched.
 */
export function reportMissing(state: EngineState, type: DeploymentType): void {
  if (state.missing.length > 0) state.log('warn', undefined, `deployed (${type}); the flows wait for missing node types: ${describeTypes(state, state.missing)}`);
}

/**
 * The nodes of the running flows left out for their invalid settings, in the flows' order.
 * @example
 * leftOutNodes(state); // [{ id: 'c1', type: 'change', issues: [...] }]
 */
export function leftOutNodes(state: EngineState): { id: string; type: string; issues: readonly ValidationIssue[] }[] {
  const leftOut = state.invalidIn.get(state.model);
  if (!leftOut) return [];
  const out: { id: string; type: string; issues: readonly ValidationIssue[] }[] = [];
  for (const [id, issues] of leftOut) out.push({ id, type: state.model.byId.get(id)?.type ?? '', issues });
  return out;
}

/**
 * One line per deploy naming the nodes that do nothing for their invalid settings: each was
 * logged with its issues when it was made, and this says, at every deploy, that they still are.
 */
export function reportLeftOut(state: EngineState, type: DeploymentType): void {
  const nodes = leftOutNodes(state);
  if (nodes.length === 0) return;
  const listed = nodes.slice(0, 20).map((n) => `${n.id} (${n.type})`).join(', ') + (nodes.length > 20 ? `, and ${nodes.length - 20} more` : '');
  state.log('warn', undefined, `deployed (${type}); ${nodes.length === 1 ? '1 node does' : `${nodes.length} nodes do`} nothing until ${nodes.length === 1 ? 'its' : 'their'} invalid settings are fixed: ${listed}`);
}
