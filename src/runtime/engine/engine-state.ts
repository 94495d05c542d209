/**
 * What the parts of one engine (deploy, validation, node creation, starting and stopping flows)
 * share: the engine's own services and the state each deploy leaves for the next. `createEngine`
 * makes one per engine and the parts are functions taking it, so no part keeps module state.
 */
import type { EventEmitter } from 'node:events';
import type { ValidationIssue } from '../../errors/index.js';
import type { NodeDefinition } from '../definition/index.js';
import { parseFlows, type FlowModel } from '../flow-model/index.js';
import type { Registry } from '../registry.js';
import type { FlowConfigNode } from '../types.js';
import type { Flow, FlowDeps } from './flow.js';
import { revOf } from './flows-rev.js';
import type { IsRegistered } from './missing-types.js';
import type { NodeScope } from './node-scope.js';
import type { RunQueue } from './run-queue.js';

export interface EngineState {
  readonly registry: Registry;
  readonly isRegistered: IsRegistered;
  readonly events: EventEmitter;
  readonly queue: RunQueue;
  readonly scope: NodeScope;
  /** What every flow of this engine is built with; its `createNode` is `createNode` of this state. */
  readonly deps: FlowDeps;
  readonly log: FlowDeps['log'];
  /** The running flows by id: the tabs, and 'global' for the config nodes without a tab. */
  readonly flows: Map<string, Flow>;
  model: FlowModel;
  /** Decrypted credentials by node id; set only through `setCredentials`. */
  credentials: Record<string, Record<string, unknown>>;
  /**
   * Whether any node has credentials: nearly no node of a large flow does, and looking each of
   * 10,000 ids up in an empty object still costs a string-table probe per id.
   */
  anyCredentials: boolean;
  rev: string;
  /** Node types used by the flows that are not registered; their flows wait. */
  missing: string[];
  /**
   * Config nodes without a tab that wait for a missing type, with the types; not created until
   * those types are registered. Found again whenever the model or the registered types may
   * have changed (a start, a deploy, `startWaiting`).
   */
  waitingConfigs: ReadonlyMap<string, string[]>;
  started: boolean;
  /**
   * Typed configs read at the last validation, by the saved node object, for node creation to
   * reuse; dropped when that deploy ends. A Map, not a WeakMap: 10,000 ephemeron entries cost
   * every garbage collection during the deploy, and the entries live no longer than it anyway.
   */
  validatedConfigs: Map<FlowConfigNode, Record<string, unknown>>;
  /**
   * The last input `validate` accepted, by identity. A deploy of that same array (the server
   * validates, saves, then deploys) skips parsing and validating it again; any other input,
   * including a copy, is validated in full.
   */
  lastValidated: { input: unknown; model: FlowModel } | undefined;
  /**
   * The definition each node type was accepted with. Reading and checking a node depends only on
   * its config and its definition, so a running node saved again unchanged, under the same
   * definition, is not checked again: a 'nodes' deploy that edits one node of 10,000 does not
   * re-read the other 9,999. By type, not by node: in a model that runs, every enabled node of
   * a declared type was accepted or left out for its settings (`invalidIn`), and one validation
   * sees one definition per type. Disabled nodes are not checked, so one enabled again is
   * checked in full, unchanged or not.
   */
  readonly acceptedWith: WeakMap<FlowModel, Map<string, NodeDefinition<any>>>;
  /**
   * The nodes of a model that are kept but do nothing, with why: nodes whose settings were
   * invalid in flows that were already saved (the flows file at start), which start, as in
   * Node-RED, without the broken nodes rather than not at all. A later deploy keeps one so only
   * while it leaves its settings as they are (moving or rewiring it is no change); no entry for a
   * model without such nodes.
   */
  readonly invalidIn: WeakMap<FlowModel, ReadonlyMap<string, readonly ValidationIssue[]>>;
}

/** The engine's services a state is made with; the rest starts empty. */
export type EngineParts = Pick<EngineState, 'registry' | 'events' | 'queue' | 'scope' | 'deps' | 'log' | 'flows'>;

/**
 * The state of an engine with no flows, stopped.
 * @example
 * const state = createEngineState({ registry, events, queue, scope, deps, log, flows: new Map() });
 */
export function createEngineState(parts: EngineParts): EngineState {
  const { registry } = parts;
  return {
    ...parts,
    isRegistered: (type) => registry.has(type),
    model: parseFlows([]),
    credentials: {},
    anyCredentials: false,
    rev: revOf([]),
    missing: [],
    waitingConfigs: new Map(),
    started: false,
    validatedConfigs: new Map(),
    lastValidated: undefined,
    acceptedWith: new WeakMap(),
    invalidIn: new WeakMap(),
  };
}

/** Replaces the credentials, keeping `anyCredentials` true to them. */
export function setCredentials(state: EngineState, next: Record<string, Record<string, unknown>>): void {
  state.credentials = next;
  state.anyCredentials = Object.keys(next).length > 0;
}
