/**
 * The runtime API for flows: what the admin routes call once they have read the request. Each
 * call checks the caller's permission; deploys are serialised, validated before anything is
 * written, saved (flows and credentials) before the engine runs them, kept in the flow history and
 * audited. A deploy that cannot be saved leaves the running flows and the files as they were.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, RedoubtError, ValidationError, type ValidationIssue } from '../../errors/index.js';
import type { DeploymentType, Engine } from '../../runtime/engine/engine.js';
import type { FlowConfigNode } from '../../runtime/types.js';
import type { AuditLog, FlowHistory, FlowVersion } from '../../security/types.js';
import { assertCan } from './access.js';
import { refuseDisabledChanges } from './disabled-types.js';
import { extractCredentials, mergeCredentials } from './flow-credentials.js';
import { addFlow, exportFlow, removeFlow, replaceFlow, summariseChanges, type FlowTab } from './flow-tabs.js';
import type { Can, Caller, Credentials, FlowsStorage } from './types.js';

export type FlowsEngine = Pick<Engine, 'setFlows' | 'getFlows' | 'validate' | 'startFlows' | 'stopFlows' | 'state' | 'missingTypes' | 'leftOutNodes' | 'events' | 'log'>;

export interface FlowsServiceDeps {
  engine: FlowsEngine;
  storage: FlowsStorage;
  audit: AuditLog;
  can: Can;
  history?: FlowHistory;
  /**
   * Node types of disabled node sets: a deploy may keep their nodes as deployed, not add or
   * change one (see `disabled-types.ts`).
   */
  disabledTypes?: () => ReadonlySet<string>;
}

export interface DeployRequest {
  flows: unknown;
  deploymentType?: DeploymentType;
  /** v2: the rev the client started from; a different current rev is a conflict. */
  rev?: string;
}

export interface FlowsService {
  /** Loads the stored flows and credentials into the engine at start. */
  start(): Promise<{ rev: string }>;
  getFlows(caller: Caller): { flows: FlowConfigNode[]; rev: string };
  setFlows(caller: Caller, request: DeployRequest): Promise<{ rev: string }>;
  getFlow(caller: Caller, id: string): FlowTab;
  addFlow(caller: Caller, body: Record<string, unknown>): Promise<{ id: string }>;
  updateFlow(caller: Caller, id: string, body: Record<string, unknown>): Promise<{ id: string }>;
  deleteFlow(caller: Caller, id: string): Promise<void>;
  getState(caller: Caller): { state: 'start' | 'stop' };
  setState(caller: Caller, state: string): Promise<{ state: 'start' | 'stop' }>;
  /** Stored credentials of a node, for `redactCredentials`; never sent as they are. */
  credentialsOf(caller: Caller, id: string): Record<string, unknown> | undefined;
  listVersions(caller: Caller, limit?: number): FlowVersion[];
  getVersion(caller: Caller, version: number): { version: FlowVersion; flows: unknown[] };
  diffVersions(caller: Caller, from: number, to: number): { added: string[]; removed: string[]; changed: string[] };
  rollback(caller: Caller, version: number): Promise<{ rev: string; version: number }>;
}

const DEPLOYMENT_TYPES: readonly DeploymentType[] = ['full', 'flows', 'nodes', 'reload'];

/**
 * @example
 * const flows = createFlowsService({ engine, storage, audit, can, history });
 * await flows.start();
 * await flows.setFlows(caller, { flows: body, deploymentType: 'full' });
 */
export function createFlowsService(deps: FlowsServiceDeps): FlowsService {
  const { engine, storage, audit, can, history } = deps;
  let credentials: Credentials = {};
  let lock: Promise<unknown> = Promise.resolve();

  // One deploy at a time: each reads the flows the previous one left.
  const serialise = <T>(task: () => Promise<T>): Promise<T> => {
    const run = lock.then(task);
    lock = run.catch(() => undefined);
    return run;
  };

  /** Nodes of disabled types the deploy adds or changes, measured against what runs now. */
  const disabledChanges = (next: FlowConfigNode[], credentialsAfter: (node: FlowConfigNode) => Record<string, unknown> | undefined): ValidationIssue[] => {
    const disabled = deps.disabledTypes?.();
    if (!disabled || disabled.size === 0) return [];
    return refuseDisabledChanges({ next, before: engine.getFlows().flows, disabled, credentials, credentialsAfter });
  };

  /** Throws the issues as a refused deploy, recorded in the audit log. */
  const refuseIf = (caller: Caller, type: DeploymentType, issues: ValidationIssue[]) => {
    if (issues.length === 0) return;
    audit.record({ event: 'flows.deploy.refused', username: caller.username, address: caller.address, details: { deploymentType: type, issues: issues.length } });
    throw new ValidationError('Deploy refused', issues);
  };

  /**
   * What of the deployed flows does not run, for a deploy's audit record: the missing types they
   * wait for, and the nodes left out for their invalid settings (by id, not the settings).
   */
  const waitingDetail = (): { waiting?: string[]; leftOut?: string[] } => {
    const waiting = engine.missingTypes();
    const leftOut = engine.leftOutNodes().map((n) => n.id);
    return { ...(waiting.length > 0 ? { waiting } : {}), ...(leftOut.length > 0 ? { leftOut } : {}) };
  };

  const deploy = async (caller: Caller, next: FlowConfigNode[], posted: Credentials, type: DeploymentType, extra: Record<string, unknown> = {}) => {
    const before = engine.getFlows().flows;
    // Serialised once, as the storage saves it, before validation, which reads from the text
    // whether any node uses env vars: the flows file, the engine's rev (so the same after a
    // restart, from the file) and the history version are these bytes too.
    const text = storage.serialise ? storage.serialise(next) : JSON.stringify(next);
    // One node's merge at a time: the list may hold entries that are not nodes until validation refuses them.
    const credentialsAfter = (node: FlowConfigNode) => mergeCredentials(credentials, posted, [node])[node.id];
    refuseIf(caller, type, [...engine.validate(next, text), ...disabledChanges(next, credentialsAfter)]);
    const nextCredentials = mergeCredentials(credentials, posted, next);
    const json = Buffer.from(text, 'utf8');
    // Compressed on the thread pool while the file is written and the flows start.
    const version = history?.prepare ? history.prepare(json) : undefined;
    try {
      await storage.save(next, nextCredentials, json);
    } catch (err) {
      throw new RedoubtError('flows_not_saved', 'The flows could not be saved; nothing was deployed', { cause: err });
    }
    let result: { rev: string };
    try {
      result = await engine.setFlows(next, { deploymentType: type, credentials: nextCredentials, serialised: json });
    } catch (err) {
      // The engine refused after the save: put the files back so they match what runs.
      await storage.save(before, credentials).catch((restoreErr: unknown) => {
        throw new RedoubtError('flows_not_saved', 'The deploy failed and the previous flows could not be restored to disk', { cause: restoreErr });
      });
      throw err;
    }
    // From here the new flows run and are on disk: a failure to record them must not put the old files back.
    credentials = nextCredentials;
    const changes = summariseChanges(before, next);
    const summary = `${changes.added.length} added, ${changes.changed.length} changed, ${changes.removed.length} removed (deployment type: ${type})`;
    const meta = { username: caller.username, summary, rev: result.rev };
    let historyFailure: unknown;
    try {
      if (version) await version.add(meta);
      else history?.add(next, meta);
    } catch (err) {
      historyFailure = err;
    }
    audit.record({
      event: 'flows.deploy',
      username: caller.username,
      address: caller.address,
      details: {
        ...extra,
        deploymentType: type,
        rev: result.rev,
        added: changes.added.length,
        changed: changes.changed.length,
        removed: changes.removed.length,
        ...waitingDetail(),
        ...(historyFailure === undefined ? {} : { historyNotSaved: true }),
      },
    });
    if (historyFailure !== undefined) {
      throw new RedoubtError('history_not_saved', 'The flows were deployed and saved, but their history version was not recorded', { cause: historyFailure });
    }
    return result;
  };

  // Credentials a node sets or deletes at run time (RED.nodes.addCredentials): taken into the
  // set the next deploy merges from, and saved at once, after any deploy in progress (which may be
  // the one whose node set them). They name the node, never the values.
  engine.events.on('credentials', (change: { id: string; credentials: Record<string, unknown> | undefined }) => {
    void serialise(async () => {
      const next = { ...credentials };
      if (change.credentials === undefined) delete next[change.id];
      else next[change.id] = change.credentials;
      credentials = next;
      const removed = change.credentials === undefined;
      try {
        await storage.saveCredentials?.(next);
      } catch (err) {
        audit.record({ event: 'credentials.node.failed', details: { nodeId: change.id, removed } });
        engine.log({
          level: 'error',
          id: change.id,
          msg: `Could not save the credentials node ${change.id} set: ${(err as Error).message}; they are kept in memory and the next deploy saves them`,
        });
        return;
      }
      audit.record({ event: 'credentials.node', details: { nodeId: change.id, removed } });
    });
  });

  const asList = (input: unknown): FlowConfigNode[] => {
    if (!Array.isArray(input)) throw new ValidationError('Deploy refused', [{ code: 'invalid_flows', message: 'flows must be an array of nodes' }]);
    return input as FlowConfigNode[];
  };

  const requireVersion = (version: number) => {
    if (!history) throw new RedoubtError('not_found', 'flow history is not kept');
    const found = history.get(version);
    if (!found) throw new RedoubtError('not_found', `version ${version} not found`);
    return found;
  };

  return {
    async start() {
      const loaded = await storage.load();
      credentials = loaded.credentials;
      // Saved flows, Node-RED's above all, start without a node whose settings are invalid
      // rather than not at all; a deploy that brings such a node is refused instead.
      return engine.setFlows(loaded.flows, { deploymentType: 'full', credentials, serialised: loaded.text, invalidNodes: 'leave-out' });
    },
    getFlows(caller) {
      assertCan(can, caller, 'flows.read');
      const { flows, rev } = engine.getFlows();
      return { flows: extractCredentials(flows).flows, rev };
    },
    setFlows(caller, request) {
      assertCan(can, caller, 'flows.write');
      const type = request.deploymentType ?? 'full';
      if (!DEPLOYMENT_TYPES.includes(type)) throw new RedoubtError('invalid_request', `unknown deployment type '${String(type)}'; use full, flows, nodes or reload`);
      return serialise(async () => {
        if (request.rev !== undefined && request.rev !== engine.getFlows().rev) {
          throw new ConflictError('version_mismatch', 'The flows were changed since they were read (rev mismatch)');
        }
        if (type === 'reload') {
          const loaded = await storage.load();
          // What the file holds is measured against what runs, as a deploy's flows are: a reload
          // is not a way round the disabled-set rule.
          refuseIf(caller, type, Array.isArray(loaded.flows) ? disabledChanges(loaded.flows, (node) => loaded.credentials[node.id]) : []);
          const result = await engine.setFlows(loaded.flows, { deploymentType: 'reload', credentials: loaded.credentials, serialised: loaded.text });
          // Only once the engine took them: a refused reload leaves the credentials in use as they were.
          credentials = loaded.credentials;
          audit.record({ event: 'flows.reload', username: caller.username, address: caller.address, details: { rev: result.rev, ...waitingDetail() } });
          return result;
        }
        const { flows, posted } = extractCredentials(asList(request.flows));
        return deploy(caller, flows, posted, type);
      });
    },
    getFlow(caller, id) {
      assertCan(can, caller, 'flows.read');
      return exportFlow(extractCredentials(engine.getFlows().flows).flows, id);
    },
    addFlow(caller, body) {
      assertCan(can, caller, 'flows.write');
      return serialise(async () => {
        const id = typeof body.id === 'string' && body.id ? body.id : randomBytes(8).toString('hex');
        const { flows, posted } = extractCredentials(addFlow(engine.getFlows().flows, id, body));
        await deploy(caller, flows, posted, 'flows');
        return { id };
      });
    },
    updateFlow(caller, id, body) {
      assertCan(can, caller, 'flows.write');
      return serialise(async () => {
        const { flows, posted } = extractCredentials(replaceFlow(engine.getFlows().flows, id, body));
        await deploy(caller, flows, posted, 'flows');
        return { id };
      });
    },
    deleteFlow(caller, id) {
      assertCan(can, caller, 'flows.write');
      return serialise(async () => {
        await deploy(caller, removeFlow(engine.getFlows().flows, id), {}, 'flows');
      });
    },
    getState(caller) {
      assertCan(can, caller, 'flows.read');
      return { state: engine.state() };
    },
    setState(caller, state) {
      assertCan(can, caller, 'flows.write');
      if (state !== 'start' && state !== 'stop') throw new RedoubtError('invalid_request', "state must be 'start' or 'stop'");
      return serialise(async () => {
        if (state === 'start') await engine.startFlows();
        else await engine.stopFlows();
        audit.record({ event: `flows.${state}`, username: caller.username, address: caller.address });
        return { state: engine.state() };
      });
    },
    credentialsOf(caller, id) {
      assertCan(can, caller, 'flows.read');
      return credentials[id];
    },
    listVersions(caller, limit) {
      assertCan(can, caller, 'history.read');
      return history?.list(limit) ?? [];
    },
    getVersion(caller, version) {
      assertCan(can, caller, 'history.read');
      const found = requireVersion(version);
      return { version: found.version, flows: extractCredentials(found.flows as FlowConfigNode[]).flows };
    },
    diffVersions(caller, from, to) {
      assertCan(can, caller, 'history.read');
      requireVersion(from);
      requireVersion(to);
      return history!.diff(from, to);
    },
    rollback(caller, version) {
      assertCan(can, caller, 'history.rollback');
      return serialise(async () => {
        const found = requireVersion(version);
        const { flows } = extractCredentials(asList(found.flows));
        const result = await deploy(caller, flows, {}, 'full', { rollbackTo: version });
        return { rev: result.rev, version };
      });
    },
  };
}
