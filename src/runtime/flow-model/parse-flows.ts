/**
 * Reads a Node-RED `flows.json` (a plain array, or `{ flows, rev }`) into an indexed model and
 * returns every structural problem at once, each naming its place. Pure: no I/O, no node types.
 */
import { ValidationError, type ValidationIssue } from '../../errors/index.js';
import type { FlowConfigNode } from '../types.js';

export interface TabConfig extends FlowConfigNode {
  type: 'tab';
  label?: string;
  disabled?: boolean;
  env?: EnvEntry[];
}

export interface EnvEntry {
  name: string;
  value: unknown;
  type: string;
}

export interface SubflowPort {
  x?: number;
  y?: number;
  wires: Array<{ id: string; port?: number }>;
}

export interface SubflowDef extends FlowConfigNode {
  type: 'subflow';
  in: SubflowPort[];
  out: SubflowPort[];
  env?: EnvEntry[];
  status?: SubflowPort;
}

export interface FlowModel {
  rev?: string;
  /** Every entry in its saved order (what `GET /flows` gives back). */
  readonly all: readonly FlowConfigNode[];
  readonly byId: ReadonlyMap<string, FlowConfigNode>;
  readonly tabs: ReadonlyMap<string, TabConfig>;
  readonly subflows: ReadonlyMap<string, SubflowDef>;
  readonly groups: ReadonlyMap<string, FlowConfigNode>;
  /** Nodes (and config nodes) by the tab or subflow they sit on (`z`). */
  readonly nodesByParent: ReadonlyMap<string, FlowConfigNode[]>;
  /** Config nodes with no `z`: shared by all flows. */
  readonly globalNodes: readonly FlowConfigNode[];
}

const STRUCTURAL = new Set(['tab', 'subflow', 'group']);

/** Parses and validates; throws `ValidationError` (code `invalid_input`) listing every issue. */
export function parseFlows(input: unknown): FlowModel {
  const { model, issues } = inspectFlows(input);
  if (issues.length > 0 || !model) throw new ValidationError('Invalid flows', issues);
  return model;
}

export function inspectFlows(input: unknown): { model?: FlowModel; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  let data = input;
  if (typeof data === 'string' || Buffer.isBuffer(data)) {
    const text = data.toString();
    try {
      data = text.trim() === '' ? [] : JSON.parse(text);
    } catch (err) {
      return { issues: [{ code: 'invalid_json', message: `flows are not valid JSON (${describeJsonError(err, text)})` }] };
    }
  }
  let rev: string | undefined;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const wrapped = data as { flows?: unknown; rev?: unknown };
    if (!Array.isArray(wrapped.flows)) {
      return { issues: [{ code: 'not_an_array', message: 'flows must be an array, or an object with a "flows" array' }] };
    }
    rev = typeof wrapped.rev === 'string' ? wrapped.rev : undefined;
    data = wrapped.flows;
  }
  if (!Array.isArray(data)) {
    return { issues: [{ code: 'not_an_array', message: `flows must be an array, got ${data === null ? 'null' : typeof data}` }] };
  }

  // Plain indexed loops: this runs once per deploy over every node, mostly as cold code, where
  // callbacks and iterators cost more than the checks themselves.
  const all: FlowConfigNode[] = [];
  const byId = new Map<string, FlowConfigNode>();
  for (let index = 0; index < data.length; index++) {
    const entry: unknown = data[index];
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      if (index in data) issues.push({ code: 'invalid_node', path: `flows[${index}]`, message: 'each entry must be an object' });
      continue;
    }
    const node = entry as FlowConfigNode;
    if (typeof node.id !== 'string' || node.id === '') {
      issues.push({ code: 'missing_id', path: `flows[${index}]`, message: 'entry has no "id" string' });
      continue;
    }
    if (typeof node.type !== 'string' || node.type === '') {
      issues.push({ code: 'missing_type', nodeId: node.id, path: `flows[${index}]`, message: 'entry has no "type" string' });
      continue;
    }
    if (byId.has(node.id)) {
      issues.push({ code: 'duplicate_id', nodeId: node.id, path: `flows[${index}]`, message: `id '${node.id}' is used more than once` });
      continue;
    }
    byId.set(node.id, node);
    all.push(node);
  }

  const tabs = new Map<string, TabConfig>();
  const subflows = new Map<string, SubflowDef>();
  const groups = new Map<string, FlowConfigNode>();
  for (let i = 0; i < all.length; i++) {
    const node = all[i]!;
    if (node.type === 'tab') tabs.set(node.id, node as TabConfig);
    else if (node.type === 'subflow') subflows.set(node.id, normaliseSubflow(node));
    else if (node.type === 'group') groups.set(node.id, node);
  }

  const nodesByParent = new Map<string, FlowConfigNode[]>();
  const globalNodes: FlowConfigNode[] = [];
  for (let i = 0; i < all.length; i++) {
    const node = all[i]!;
    if (node.type === 'tab' || node.type === 'subflow') continue;
    if (node.z === undefined || node.z === '') {
      if (node.type !== 'group') globalNodes.push(node);
      continue;
    }
    if (typeof node.z !== 'string' || (!tabs.has(node.z) && !subflows.has(node.z))) {
      issues.push({ code: 'missing_flow', nodeId: node.id, message: `node '${node.id}' (${node.type}) is on flow '${String(node.z)}', which does not exist` });
      continue;
    }
    if (node.g !== undefined && node.g !== '' && !groups.has(String(node.g))) {
      issues.push({ code: 'missing_group', nodeId: node.id, message: `node '${node.id}' is in group '${String(node.g)}', which does not exist` });
    }
    if (STRUCTURAL.has(node.type)) continue;
    let list = nodesByParent.get(node.z);
    if (!list) nodesByParent.set(node.z, (list = []));
    list.push(node);
  }

  for (let i = 0; i < all.length; i++) checkWires(all[i]!, byId, issues);
  for (const def of subflows.values()) checkSubflowPorts(def, byId, issues);

  return { model: { rev, all, byId, tabs, subflows, groups, nodesByParent, globalNodes }, issues };
}

function checkWires(node: FlowConfigNode, byId: Map<string, FlowConfigNode>, issues: ValidationIssue[]): void {
  const wires = node.wires;
  if (wires === undefined) return;
  if (!Array.isArray(wires) || !wires.every(Array.isArray)) {
    issues.push({ code: 'invalid_wires', nodeId: node.id, property: 'wires', message: `node '${node.id}' has "wires" that is not an array of arrays of ids` });
    return;
  }
  for (let output = 0; output < wires.length; output++) {
    const port = wires[output]!;
    for (let k = 0; k < port.length; k++) {
      const target: unknown = port[k];
      if (typeof target !== 'string' || !byId.has(target)) {
        issues.push({
          code: 'missing_wire_target',
          nodeId: node.id,
          property: 'wires',
          message: `node '${node.id}' output ${output + 1} is wired to '${String(target)}', which does not exist`,
        });
      }
    }
  }
}

function checkSubflowPorts(def: SubflowDef, byId: Map<string, FlowConfigNode>, issues: ValidationIssue[]): void {
  const ports = [...def.in, ...def.out, ...(def.status ? [def.status] : [])];
  for (const port of ports) {
    for (const wire of port.wires) {
      if (wire.id === def.id) continue; // an input port wired straight to an output port
      if (!byId.has(wire.id)) {
        issues.push({ code: 'missing_wire_target', nodeId: def.id, property: 'wires', message: `subflow '${def.id}' has a port wired to '${wire.id}', which does not exist` });
      }
    }
  }
}

function normaliseSubflow(node: FlowConfigNode): SubflowDef {
  const port = (p: unknown): SubflowPort => {
    const wires = Array.isArray((p as SubflowPort | undefined)?.wires) ? (p as SubflowPort).wires : [];
    return { ...(p as object), wires: wires.filter((w) => w && typeof w.id === 'string') };
  };
  return {
    ...node,
    type: 'subflow',
    in: Array.isArray(node.in) ? node.in.map(port) : [],
    out: Array.isArray(node.out) ? node.out.map(port) : [],
    status: node.status ? port(node.status) : undefined,
    env: Array.isArray(node.env) ? (node.env as EnvEntry[]) : [],
  };
}

function describeJsonError(err: unknown, text: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const match = /position (\d+)/.exec(message);
  if (!match) return message;
  const pos = Number(match[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${message}; line ${line}, column ${column}`;
}
