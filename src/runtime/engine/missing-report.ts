/**
 * What the running engine waits for: the missing node types of a tab and of all the flows (over
 * `missing-types.ts`, with this engine's registry and waiting config nodes), and how the engine
 * says so in its log.
 */
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
