/**
 * The `scope` of catch, status and complete nodes as Node-RED saves it: null (every node on the
 * flow), 'group' (the nodes of the node's group), or a list of node ids.
 */
import { json } from '../../runtime/definition/index.js';

export type Scope = null | 'group' | string[];

export function scopeProperty(fallback: Scope) {
  return json<Scope>({
    default: fallback,
    check: (v) =>
      v === 'group' || (Array.isArray(v) && v.every((id) => typeof id === 'string')) ? undefined : "must be null, 'group' or a list of node ids",
  });
}

/**
 * Node-RED drops from a status or complete node's scope the nodes it is wired to, so that a node
 * reporting back into its own watcher does not loop. Returns the ids to ignore.
 */
export function directlyWiredInScope(scope: Scope, wires: readonly string[][]): Set<string> {
  if (!Array.isArray(scope)) return new Set();
  const wired = new Set(wires.flat());
  return new Set(scope.filter((id) => wired.has(id)));
}
