/**
 * What a deploy may do with nodes whose type belongs to a disabled node set. Such a node that is
 * deployed already and comes back unchanged (same id, same type, same settings and credentials;
 * position and wires aside, as Node-RED's deploy diff counts them) is kept: its tab goes on
 * waiting, and the rest of the deploy goes through, as in Node-RED.
 *
 * A node of a disabled type that the deploy adds or changes is refused, where Node-RED accepts it
 * and lets it wait. That is deliberate: disabling a set is how an operator takes its nodes out of
 * use, and a node written while the set is off would run, unreviewed, the day the set is enabled
 * again (an exec node's command changed behind the operator's back). So while a set is disabled
 * its nodes in the flows can be kept or deleted, never added or edited.
 */
import { deepEqual, sameIgnoringLayout } from '../../runtime/flow-model/index.js';
import type { ValidationIssue } from '../../errors/index.js';
import type { FlowConfigNode } from '../../runtime/types.js';
import type { Credentials } from './types.js';

export interface DisabledTypeCheck {
  /** The flows to deploy, without their credentials. */
  next: readonly FlowConfigNode[];
  /** The flows deployed now. */
  before: readonly FlowConfigNode[];
  /** Types of the disabled node sets. */
  disabled: ReadonlySet<string>;
  /** Credentials by node id, as stored now. */
  credentials: Credentials;
  /** A node's credentials as they would be after the deploy. */
  credentialsAfter(node: FlowConfigNode): Record<string, unknown> | undefined;
}

/**
 * One `type_disabled` issue per node of a disabled type that the deploy adds or changes.
 * @example
 * refuseDisabledChanges({ next, before: deployed, disabled: new Set(['exec']), credentials, credentialsAfter: (n) => merged[n.id] });
 * // [{ code: 'type_disabled', nodeId: 'n2', property: 'type', message: "node 'n2' (exec) is new, ..." }]
 */
export function refuseDisabledChanges(check: DisabledTypeCheck): ValidationIssue[] {
  const { next, disabled } = check;
  const issues: ValidationIssue[] = [];
  if (disabled.size === 0) return issues;
  let deployed: Map<string, FlowConfigNode> | undefined;
  for (const node of next) {
    if (node === null || typeof node !== 'object' || !disabled.has(node.type)) continue;
    deployed ??= new Map(check.before.map((n) => [n.id, n]));
    const running = deployed.get(node.id);
    const what = running === undefined || running.type !== node.type ? 'is new' : isUnchanged(running, node, check) ? undefined : 'was changed';
    if (what === undefined) continue;
    issues.push({
      code: 'type_disabled',
      nodeId: node.id,
      property: 'type',
      message: `node '${node.id}' (${node.type}) ${what}, and the node set of type '${node.type}' is disabled: its nodes can be kept as deployed or deleted, not added or changed, until the set is enabled`,
    });
  }
  return issues;
}

function isUnchanged(running: FlowConfigNode, node: FlowConfigNode, check: DisabledTypeCheck): boolean {
  return sameIgnoringLayout(running, node) && deepEqual(check.credentials[node.id], check.credentialsAfter(node));
}
