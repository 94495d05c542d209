/**
 * Starting and stopping the running flows: all of them (the shared config nodes first), one tab,
 * and the tabs and config nodes that waited for node types now registered.
 */
import { Flow } from './flow.js';
import type { EngineState } from './engine-state.js';
import { describeTypes, findMissing, missingFor } from './missing-report.js';
import { findWaitingConfigs } from './missing-types.js';

/**
 * Starts the flows of `state.model`: the shared config nodes, then every tab that waits for no
 * missing type, then resolves their wires.
 * @example
 * await stopAll(state); state.model = next; await startAll(state);
 */
export async function startAll(state: EngineState, type?: string): Promise<void> {
  const { model, flows } = state;
  state.waitingConfigs = findWaitingConfigs(model, state.isRegistered);
  state.missing = findMissing(state);
  const globalConfig = model.globalNodes.find((n) => n.type === 'global-config');
  // A config node that waits is left out until its types come (`startReadyConfigs`).
  const shared = state.waitingConfigs.size === 0 ? [...model.globalNodes] : model.globalNodes.filter((n) => !state.waitingConfigs.has(n.id));
  const globals = new Flow(
    { id: 'global', kind: 'global', config: { id: 'global', type: 'global', env: globalConfig?.env }, nodes: shared, groups: model.groups },
    state.deps,
  );
  flows.set('global', globals);
  await globals.start();
  for (const id of state.model.tabs.keys()) await startFlow(state, id);
  rewire(state);
  state.started = true;
  state.events.emit('flows:started', { rev: state.rev, type });
  state.log('info', undefined, 'Started flows');
}

/**
 * Stops every running flow, the tabs before the shared config nodes they use, and drops the
 * messages still queued.
 * @example
 * await stopAll(state);
 */
export async function stopAll(state: EngineState): Promise<void> {
  const { flows } = state;
  // A full deploy stops before it starts, also when nothing ran yet; only a real stop is announced.
  const wasStarted = state.started;
  const all = [...flows.values()].reverse();
  await Promise.all(all.filter((f) => f.id !== 'global').map((f) => f.stop()));
  await globalFlow(state)?.stop();
  flows.clear();
  state.queue.clear();
  state.started = false;
  if (wasStarted) state.events.emit('flows:stopped');
  state.log('info', undefined, 'Stopped flows');
}

/**
 * Starts tab `id` of the model unless it is disabled or waits for a missing type (logged).
 * @example
 * await startFlow(state, 't1');
 */
export async function startFlow(state: EngineState, id: string): Promise<void> {
  const { model } = state;
  const tab = model.tabs.get(id);
  if (!tab || tab.disabled === true) return;
  const waiting = missingFor(state, id);
  if (waiting.length > 0) {
    // An installed type the operator disabled waits the same way, but says why.
    state.log('warn', undefined, `flow '${tab.label ?? id}' waits for missing node types: ${describeTypes(state, waiting)}`);
    return;
  }
  const flow = new Flow({ id, kind: 'tab', config: tab, nodes: model.nodesByParent.get(id) ?? [], groups: model.groups, parent: globalFlow(state) }, state.deps);
  state.flows.set(id, flow);
  await flow.start();
}

/**
 * Creates the shared config nodes that waited for types now registered, before the tabs that
 * use them start; the ids created.
 * @example
 * state.waitingConfigs = findWaitingConfigs(state.model, state.isRegistered);
 * await startReadyConfigs(state); // ['tls1']
 */
export async function startReadyConfigs(state: EngineState): Promise<string[]> {
  const globals = globalFlow(state);
  if (!globals) return [];
  const ready = state.model.globalNodes.filter((n) => n.d !== true && !globals.configs.has(n.id) && !state.waitingConfigs.has(n.id));
  if (ready.length === 0) return [];
  for (const node of ready) globals.configs.set(node.id, node);
  const ids = ready.map((n) => n.id);
  await globals.start(new Set(ids));
  globals.wire();
  return ids;
}

/**
 * Starts the tabs that waited for types now registered, leaving running tabs alone; the ids
 * started. A 'flows' deploy of unchanged flows would not do this: its diff is empty.
 * @example
 * registry.setDisabled('exec', false); await startWaiting(state); // ['t2']
 */
export async function startWaiting(state: EngineState): Promise<string[]> {
  if (!state.started) return [];
  const { flows } = state;
  state.waitingConfigs = findWaitingConfigs(state.model, state.isRegistered);
  await startReadyConfigs(state);
  const model = state.model;
  const ids = [...model.tabs.keys()].filter((id) => !flows.has(id) && model.tabs.get(id)!.disabled !== true && missingFor(state, id).length === 0);
  for (const id of ids) await startFlow(state, id);
  for (const id of ids) flows.get(id)?.wire();
  state.missing = findMissing(state);
  if (ids.length > 0) state.log('info', undefined, `Started flows that waited for node types: ${ids.map((id) => state.model.tabs.get(id)!.label ?? id).join(', ')}`);
  return ids;
}

function rewire(state: EngineState): void {
  globalFlow(state)?.wire();
  for (const flow of state.flows.values()) if (flow.id !== 'global') flow.wire();
}

function globalFlow(state: EngineState): Flow | undefined {
  return state.flows.get('global');
}
