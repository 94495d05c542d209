/**
 * Deploy-time validation: every node of a flows configuration read against its type's declared
 * properties and checked by the type's `validate`, every issue returned at once. What was read
 * is kept for the deploy that follows, so nothing is read twice.
 */
import { ValidationError, type ValidationIssue } from '../../errors/index.js';
import { readProperties, type NodeDefinition } from '../definition/index.js';
import { parseFlows, sameIgnoringLayout, sameNode, type FlowModel } from '../flow-model/index.js';
import type { Registry } from '../registry.js';
import type { FlowConfigNode } from '../types.js';
import type { EngineState } from './engine-state.js';
import { mayReferToEnv, nodeUsesEnv } from './env-references.js';

/**
 * Validates without deploying: every issue in the flows, or none. An input without issues is
 * remembered for `takeValidated`.
 * @example
 * validate(state, flows, text); // [] or [{ code: 'required', nodeId: 'n1', property: 'topic', ... }]
 */
export function validate(state: EngineState, input: unknown, serialised?: string): ValidationIssue[] {
  let next: FlowModel;
  try {
    next = parseFlows(input);
  } catch (err) {
    if (err instanceof ValidationError) return [...err.issues];
    throw err;
  }
  const issues = validateNodes(state, next, serialised === undefined || mayReferToEnv(serialised));
  // The server validates before saving, then deploys the same array: keep the work for it.
  state.lastValidated = issues.length === 0 ? { input, model: next } : undefined;
  return issues;
}

/**
 * The model of `input` when `validate` accepted this very input last, or undefined; either way
 * it is forgotten, so only the next deploy may use it.
 * @example
 * const next = takeValidated(state, input) ?? parseFlows(input);
 */
export function takeValidated(state: EngineState, input: unknown): FlowModel | undefined {
  const last = state.lastValidated;
  state.lastValidated = undefined;
  return last && isSameInput(last, input) ? last.model : undefined;
}

/** What of an engine's state validation reads and writes. */
type ValidationState = Pick<EngineState, 'registry' | 'model' | 'acceptedWith' | 'invalidIn' | 'validatedConfigs'>;

/**
 * The nodes of `model` a start would leave out for their settings, with why, judged by the
 * definitions of `registry` outside any engine: what the importer reports before a first start.
 * @example
 * findInvalidNodes(registry, parseFlows(flows)); // Map { 'c1' => [{ code: 'invalid_jsonata', property: 'rules', ... }] }
 */
export function findInvalidNodes(registry: Registry, model: FlowModel): ReadonlyMap<string, readonly ValidationIssue[]> {
  const state: ValidationState = { registry, model: parseFlows([]), acceptedWith: new WeakMap(), invalidIn: new WeakMap(), validatedConfigs: new Map() };
  validateNodes(state, model, true, 'leave-out');
  return state.invalidIn.get(model) ?? new Map();
}

/**
 * What a validation does with a node whose settings are invalid: 'refuse' the flows (a deploy),
 * or 'leave-out' the node, kept in the model but doing nothing, as Node-RED starts flows that were
 * already saved (the flows file at start).
 */
export type InvalidNodes = 'refuse' | 'leave-out';

/**
 * Reads and checks every node of `next` whose type has a definition; the issues found. The
 * typed configs read are kept in `state.validatedConfigs` for node creation, unless any issue
 * was found. `mayUseEnv` false says no node refers to env vars, so none need be searched.
 * A running node left out for its settings stays left out, not an issue, while its settings
 * are as they run (moved or rewired aside); with `invalid` 'leave-out', every node found invalid
 * now is left out too, and no issue is returned for it.
 * @example
 * const issues = validateNodes(state, parseFlows(input));
 */
export function validateNodes(state: ValidationState, next: FlowModel, mayUseEnv = true, invalid: InvalidNodes = 'refuse'): ValidationIssue[] {
  const { registry, model, acceptedWith } = state;
  const issues: ValidationIssue[] = [];
  const validatedConfigs = new Map<FlowConfigNode, Record<string, unknown>>();
  state.validatedConfigs = validatedConfigs;
  const runningDefs = acceptedWith.get(model);
  const runningInvalid = state.invalidIn.get(model);
  const leftOut = new Map<string, readonly ValidationIssue[]>();
  const accepted = new Map<string, NodeDefinition<any>>();
  acceptedWith.set(next, accepted);
  const all = next.all;
  const isOff = notMadeTest(next);
  const wasOff = notMadeTest(model);
  for (let i = 0; i < all.length; i++) {
    const node = all[i]!;
    const entry = registry.get(node.type);
    if (!entry || entry.kind !== 'definition') continue;
    // A disabled node, one of a disabled tab, or one of a subflow that no enabled instance uses,
    // is never made (as in Node-RED), so it has nothing to be checked for: disabling a broken
    // node is how one deploys around it, and a library subflow nobody placed holds no surprise.
    // It is checked once it will be made, unchanged or not, since no check of it was kept.
    if (isOff(node)) continue;
    const def = entry.def;
    const running = runningDefs && model.byId.get(node.id);
    if (running && runningDefs.get(running.type) === def && !wasOff(running)) {
      // Judged under this very definition before, and left as it was: accepted then, accepted
      // now; left out then, left out now, even moved or rewired (a node is judged on its settings).
      const why = runningInvalid?.get(node.id);
      if (sameNode(running, node) || (why && sameIgnoringLayout(running, node))) {
        accepted.set(node.type, def);
        if (why) leftOut.set(node.id, why);
        continue;
      }
    }
    const before = issues.length;
    let migrated: FlowConfigNode;
    try {
      migrated = def.migrate ? def.migrate(node) : node;
    } catch (err) {
      issues.push({ code: 'invalid_node', nodeId: node.id, message: `cannot read node '${node.id}' (${node.type}): ${(err as Error).message}` });
      continue;
    }
    // Values filled from ${ENV} at start are checked when the node starts, not here.
    const usesEnv = mayUseEnv && nodeUsesEnv(migrated);
    const checkable = usesEnv
      ? Object.fromEntries(Object.entries(migrated).map(([k, v]) => [k, typeof v === 'string' && v.includes('${') ? undefined : v]))
      : migrated;
    // A copy made by `migrate` or for the check above is this read's own to fill in.
    const { config, issues: found } = readProperties(def.properties, checkable, node.id, checkable !== node);
    for (let k = 0; k < found.length; k++) issues.push(found[k]!);
    // Node creation reuses what was read here rather than migrating and reading it again.
    if (!usesEnv && found.length === 0) validatedConfigs.set(node, config);
    if (found.length === 0 && def.validate) {
      try {
        const more = def.validate(config as never);
        for (let k = 0; k < more.length; k++) issues.push(more[k]!);
      } catch (err) {
        issues.push({ code: 'invalid_node', nodeId: node.id, message: `node '${node.id}' (${node.type}): ${(err as Error).message}` });
      }
    }
    if (issues.length === before) {
      accepted.set(node.type, def);
    } else if (invalid === 'leave-out') {
      // Judged under `def`: a later deploy that keeps the node as it is need not judge it again.
      accepted.set(node.type, def);
      leftOut.set(node.id, issues.splice(before));
    }
  }
  if (leftOut.size > 0) state.invalidIn.set(next, leftOut);
  else state.invalidIn.delete(next);
  // A refused set is never created: nothing of it is kept.
  if (issues.length > 0) state.validatedConfigs = new Map();
  return issues;
}

/**
 * Whether a node of `model` will not be made: disabled itself, on a disabled tab, or in a subflow
 * template that no made instance uses (directly or through other subflows). Cheap when no tab is
 * disabled and there are no subflows.
 */
function notMadeTest(model: FlowModel): (node: FlowConfigNode) => boolean {
  let offTabs: Set<string> | undefined;
  for (const tab of model.tabs.values()) if (tab.disabled === true) (offTabs ??= new Set()).add(tab.id);
  const unused = unusedSubflows(model, offTabs);
  if (!offTabs && !unused) return (node) => node.d === true;
  const off = new Set([...(offTabs ?? []), ...(unused ?? [])]);
  return (node) => node.d === true || (typeof node.z === 'string' && off.has(node.z));
}

/** The subflow templates of `model` that no enabled instance reaches from an enabled tab; undefined when none. */
function unusedSubflows(model: FlowModel, offTabs: ReadonlySet<string> | undefined): Set<string> | undefined {
  if (model.subflows.size === 0) return undefined;
  // Instances by where they sit: a tab, or another subflow's template.
  const placed = new Map<string, string[]>();
  for (const node of model.all) {
    if (node.d === true || typeof node.z !== 'string' || !node.type.startsWith('subflow:')) continue;
    const list = placed.get(node.z);
    const target = node.type.slice(8);
    if (list) list.push(target);
    else placed.set(node.z, [target]);
  }
  const used = new Set<string>();
  const reach = (parent: string): void => {
    for (const id of placed.get(parent) ?? []) {
      if (used.has(id) || !model.subflows.has(id)) continue;
      used.add(id);
      reach(id);
    }
  };
  for (const tab of model.tabs.keys()) if (!offTabs?.has(tab)) reach(tab);
  if (used.size === model.subflows.size) return undefined;
  return new Set([...model.subflows.keys()].filter((id) => !used.has(id)));
}

/** The very array `validate` saw, holding the very node objects it read (nothing swapped since). */
function isSameInput(last: { input: unknown; model: FlowModel }, input: unknown): boolean {
  if (last.input !== input || !Array.isArray(input) || input.length !== last.model.all.length) return false;
  for (let i = 0; i < input.length; i++) if (input[i] !== last.model.all[i]) return false;
  return true;
}
