/**
 * Credentials travel inside posted nodes (`node.credentials`) as Node-RED's editor sends them, but
 * are stored apart from the flows and never read back: a password reads as `has_<name>`, and the
 * editor's `__PWRD__` placeholder means "unchanged".
 */
import type { FlowConfigNode } from '../../runtime/types.js';
import type { Credentials } from './types.js';

/** Node-RED's placeholder for "keep the stored password". */
export const UNCHANGED_PASSWORD = '__PWRD__';

/** Copies of the nodes without `credentials`, and the credentials they carried by node id. */
export function extractCredentials(flows: readonly FlowConfigNode[]): { flows: FlowConfigNode[]; posted: Credentials } {
  const posted: Credentials = {};
  const stripped = flows.map((node) => {
    if (node === null || typeof node !== 'object' || !('credentials' in node)) return node;
    const { credentials, ...rest } = node as FlowConfigNode & { credentials?: unknown };
    if (credentials && typeof credentials === 'object' && !Array.isArray(credentials) && typeof node.id === 'string') {
      posted[node.id] = credentials as Record<string, unknown>;
    }
    return rest as FlowConfigNode;
  });
  return { flows: stripped, posted };
}

/**
 * The credentials after a deploy: kept for nodes still present, updated with what was posted
 * (`__PWRD__` keeps the old value, an empty string removes it), dropped for removed nodes.
 */
export function mergeCredentials(previous: Credentials, posted: Credentials, flows: readonly FlowConfigNode[]): Credentials {
  const out: Credentials = {};
  // No credentials kept and none posted: nothing to look up for each of the nodes.
  if (Object.keys(previous).length === 0 && Object.keys(posted).length === 0) return out;
  for (const node of flows) {
    const id = node.id;
    const kept = previous[id];
    const sent = posted[id];
    // Most nodes have no credentials at all: nothing to copy for them.
    if (kept === undefined && sent === undefined) continue;
    const merged: Record<string, unknown> = { ...(kept ?? {}) };
    for (const [key, value] of Object.entries(sent ?? {})) {
      if (value === UNCHANGED_PASSWORD) continue;
      if (value === '' || value === undefined || value === null) delete merged[key];
      else merged[key] = value;
    }
    if (Object.keys(merged).length > 0) out[id] = merged;
  }
  return out;
}

/**
 * What `GET /credentials/:type/:id` may show: text credentials as stored, password credentials
 * only as `has_<name>`; undeclared credentials are treated as passwords.
 */
export function redactCredentials(declared: Record<string, { type: 'text' | 'password' }> | undefined, stored: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = new Set([...Object.keys(declared ?? {}), ...Object.keys(stored ?? {})]);
  for (const name of names) {
    const value = stored?.[name];
    if (declared?.[name]?.type === 'text') {
      if (value !== undefined) out[name] = value;
    } else {
      out[`has_${name}`] = value !== undefined && value !== '';
    }
  }
  return out;
}
