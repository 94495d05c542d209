/**
 * The `scope` of catch, status and complete nodes as Node-RED saves it: null (every node on the
 * flow), 'group' (the nodes of the node's group), or a list of node ids.
 */
import { json, type InputHandler } from '../../runtime/definition/index.js';

export type Scope = null | 'group' | string[];

export function scopeProperty(fallback: Scope) {
  return json<Scope>({
    default: fallback,
    check: (v) =>
      v === 'group' || (Array.isArray(v) && v.every((id) => typeof id === 'string')) ? undefined : "must be null, 'group' or a list of node ids",
  });
}

/**
 * What catch, status and complete nodes do with what the engine hands them: pass it on. The
 * engine has already applied the scope, and left out of a status or complete node's scope the
 * nodes it sends to (Node-RED's guard against a watcher looping through what it watches).
 */
export const passOn: InputHandler = (msg, send, done) => {
  send(msg);
  done();
};
