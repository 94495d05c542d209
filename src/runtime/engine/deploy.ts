/**
 * One deploy with Node-RED's deployment types: 'full' and 'reload' restart everything, 'flows'
 * restarts the tabs that changed, 'nodes' only the nodes that changed (and what depends on them).
 * A refused deploy changes nothing: the running flows stay as they were.
 */
import { ValidationError } from '../../errors/index.js';
import { diffFlows, parseFlows, type FlowDiff, type FlowModel } from '../flow-model/index.js';
import { setCredentials, type EngineState } from './engine-state.js';
import type { Flow } from './flow.js';
import { startAll, startFlow, startReadyConfigs, stopAll } from './flow-lifecycle.js';
import { reportLeftOut } from './left-out-nodes.js';
import { findMissing, missingFor, reportMissing } from './missing-report.js';
import { findWaitingConfigs } from './missing-types.js';
import { revOf, revOfText } from './flows-rev.js';
import { takeValidated, validateNodes, type InvalidNodes } from './validate-flows.js';

export type DeploymentType = 'full' | 'flows' | 'nodes' | 'reload';

export interface SetFlowsOptions {
  deploymentType?: DeploymentType;
  /** Decrypted credentials by node id. */
  credentials?: Record<string, Record<string, unknown>>;
  /**
   * The input as JSON text (UTF-8), when the caller has it: the text the flows were read from, or
   * the one they are saved as (the server's flows file, compact or indented). The rev is its
   * hash, so the same saved flows keep one rev across restarts and the flows need not be
   * serialised again. Without it, the rev is the hash of `JSON.stringify` of the flows.
   */
  serialised?: Uint8Array;
  /**
   * A node whose settings are invalid refuses the deploy ('refuse', the default), or is kept but
   * does nothing, logged as an error ('leave-out'): for flows that were saved already, the flows
   * file at start above all, which Node-RED starts without its broken nodes rather than not at
   * all. Either way a node left out before stays left out while its settings are as they were
   * (moving or rewiring it is no change).
   */
  invalidNodes?: InvalidNodes;
}

/**
 * Validates `input` (unless `validate` just accepted this very input) and runs it in place of
 * the running flows; the new rev. Deploys must not overlap: the caller serialises them.
 * @example
 * const { rev } = await deploy(state, flows, { deploymentType: 'nodes', serialised: text });
 */
export async function deploy(state: EngineState, input: unknown, opts: SetFlowsOptions): Promise<{ rev: string }> {
  const known = takeValidated(state, input);
  const next = known ?? parseFlows(input);
  const issues = known ? [] : validateNodes(state, next, true, opts.invalidNodes);
  if (issues.length > 0) throw new ValidationError('Deploy refused: the flows have invalid nodes', issues);
  const type = opts.deploymentType ?? 'full';
  const previous = state.model;
  const nextCredentials = opts.credentials ? { ...state.credentials, ...opts.credentials } : state.credentials;
  const nextRev = opts.serialised !== undefined ? revOfText(opts.serialised) : revOf(next.all);
  if (type === 'full' || type === 'reload' || !state.started) {
    await stopAll(state);
    state.model = next;
    setCredentials(state, nextCredentials);
    state.rev = nextRev;
    await startAll(state, type);
    reportMissing(state, type);
    reportLeftOut(state, type);
    return { rev: state.rev };
  }
  const diff = diffFlows(previous, next);
  state.model = next;
  setCredentials(state, nextCredentials);
  state.rev = nextRev;
  if (diff.flows.has('global')) {
    // Config nodes without a tab are shared: restart everything that could use them.
    await stopAll(state);
    await startAll(state, type);
    reportMissing(state, type);
    reportLeftOut(state, type);
    return { rev: state.rev };
  }
  // The shared config nodes did not change, but a type may have come since they were checked.
  state.waitingConfigs = findWaitingConfigs(state.model, state.isRegistered);
  await startReadyConfigs(state);
  const { flows } = state;
  if (type === 'flows') {
    for (const id of diff.flows) {
      await flows.get(id)?.stop();
      flows.delete(id);
      await startFlow(state, id);
    }
  } else {
    for (const id of diff.flows) {
      const flow = flows.get(id);
      const tabChanged = diff.changed.has(id) || diff.added.has(id) || diff.removed.has(id);
      if (!flow || tabChanged || missingFor(state, id).length > 0) {
        await flow?.stop();
        flows.delete(id);
        await startFlow(state, id);
        continue;
      }
      await redeployNodes(flow, diff, next);
    }
  }
  state.missing = findMissing(state);
  // Wires leave their tab only into the global scope (links go through link nodes), and a change
  // there restarted everything above, so only the tabs touched here have anything to resolve again.
  for (const id of diff.flows) flows.get(id)?.wire();
  state.events.emit('flows:started', { rev: state.rev, type, diff });
  reportMissing(state, type);
  reportLeftOut(state, type);
  return { rev: state.rev };
}

/**
 * A 'nodes' deploy of one running tab whose own config did not change: restarts its changed and
 * removed nodes, starts the added ones, and gives the rewired ones their new wires in place.
 */
async function redeployNodes(flow: Flow, diff: FlowDiff, next: FlowModel): Promise<void> {
  const id = flow.id;
  const restart = new Set([...diff.changed, ...diff.removed].filter((n) => flow.nodes.has(n)));
  await flow.stop(restart, diff.removed);
  for (const id2 of [...restart, ...diff.added]) {
    const cfg = next.byId.get(id2);
    if (cfg && cfg.z === id) flow.configs.set(id2, cfg);
    else flow.configs.delete(id2);
  }
  for (const id2 of diff.removed) flow.configs.delete(id2);
  for (const id2 of diff.rewired) {
    const cfg = next.byId.get(id2);
    const live = flow.nodes.get(id2);
    if (cfg && live) {
      live.updateWires(Array.isArray(cfg.wires) ? cfg.wires : []);
      flow.configs.set(id2, cfg);
    }
  }
  const toStart = new Set([...restart, ...diff.added].filter((n) => next.byId.get(n)?.z === id));
  await flow.start(toStart);
}
