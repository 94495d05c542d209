/**
 * Redoubt as a library: a runtime with the core node types, context stores and the `RED`
 * compatibility object, without any server. `cli/` and `server/` compose this.
 *
 * @example
 * const rt = await createRedoubt({ userDir: '/tmp/r' });
 * await rt.setFlows(JSON.parse(flowsJson));
 */
import { mkdir } from 'node:fs/promises';
import { createRedApi, type RedApi, type RedAuth } from './compat/red-api.js';
import { coreNodes } from './nodes/index.js';
import { createContextManager, type ContextManager } from './runtime/context/index.js';
import { createEngine, createRegistry, type Engine, type Registry, type RuntimeSettings, type SetFlowsOptions } from './runtime/index.js';
import type { LogEntry } from './runtime/types.js';

export interface RedoubtOptions {
  userDir: string;
  settings?: RuntimeSettings & { contextStorage?: Record<string, unknown> };
  /** Receives every log entry; default: warnings and errors to stderr. */
  log?: (entry: LogEntry) => void;
}

export interface Redoubt {
  readonly engine: Engine;
  readonly registry: Registry;
  readonly contexts: ContextManager;
  readonly red: RedApi;
  readonly events: Engine['events'];
  setFlows(flows: unknown, options?: SetFlowsOptions): Promise<{ rev: string }>;
  /** Loads a Node-RED node module (`module.exports = function (RED) {...}`). */
  loadNodeModule(init: (red: RedApi) => unknown, moduleName?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function createRedoubt(options: RedoubtOptions): Promise<Redoubt> {
  // `userDir` as Node-RED's settings carry it: contrib nodes keep their files under
  // `RED.settings.userDir`, and `path.join` throws on the undefined it was.
  const settings: RuntimeSettings = { ...(options.settings ?? {}), userDir: options.userDir };
  await mkdir(options.userDir, { recursive: true });
  const log = options.log ?? defaultLog;
  const contexts = createContextManager({
    userDir: options.userDir,
    contextStorage: settings.contextStorage as never,
    functionGlobalContext: settings.functionGlobalContext,
    log: { log },
  });
  await contexts.load();
  const registry = createRegistry();
  for (const def of coreNodes) registry.define(def, 'node-red');
  const engine = createEngine({ registry, settings, userDir: options.userDir, contexts, log });
  // Debug nodes set to "system console" write through the log, as Node-RED's do.
  const red = createRedApi({ engine, registry });
  return {
    engine,
    registry,
    contexts,
    red,
    events: engine.events,
    setFlows: (flows, opts) => engine.setFlows(flows, opts),
    async loadNodeModule(init, moduleName = 'contrib') {
      // Same engine and HTTP apps as `red` (the server sets those on it), but types recorded under this module.
      const shared = red as { httpAdmin?: unknown; httpNode?: unknown; server?: unknown; auth: RedAuth };
      const scoped = createRedApi({ engine, registry, module: moduleName, httpAdmin: shared.httpAdmin, httpNode: shared.httpNode, server: shared.server, auth: shared.auth });
      await init(scoped);
    },
    async stop() {
      await engine.close();
      await contexts.close();
    },
  };
}

function defaultLog(entry: LogEntry): void {
  if (entry.level !== 'error' && entry.level !== 'warn' && entry.level !== 'fatal' && entry.level !== 'info') return;
  const who = entry.type ? `[${entry.type}:${entry.name || entry.id}] ` : '';
  const text = entry.msg instanceof Error ? entry.msg.message : typeof entry.msg === 'string' ? entry.msg : JSON.stringify(entry.msg);
  process.stderr.write(`${new Date().toISOString()} [${entry.level}] ${who}${text}\n`);
}

export type { RuntimeSettings } from './runtime/index.js';
export type { LogEntry, Msg, FlowConfigNode } from './runtime/types.js';
