/**
 * The `RED` object that unmodified Node-RED contrib nodes receive: `RED.nodes`, `RED.util`,
 * `RED.settings`, `RED.log`, `RED.events`, `RED.comms`, `RED.hooks`, `RED._`. One per engine.
 */
import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import type { CredentialDecl } from '../runtime/definition/index.js';
import type { Engine } from '../runtime/engine/engine.js';
import { adoptConstructor, initialiseContribNode } from '../runtime/engine/contrib-node.js';
import {
  cloneMessage,
  evaluateJSONataExpression,
  evaluateNodeProperty,
  generateId,
  getMessageProperty,
  getObjectProperty,
  normalisePropertyExpression,
  parseContextStore,
  prepareJSONataExpression,
  setMessageProperty,
  setObjectProperty,
} from '../runtime/properties/index.js';
import type { HooksApi } from '../runtime/hooks/index.js';
import type { NodeConstructor, Registry } from '../runtime/registry.js';
import type { LogEntry, LogLevel, PropertyHost } from '../runtime/types.js';

export interface RedApiOptions {
  engine: Engine;
  registry: Registry;
  /** Name of the module being loaded, recorded with the types it registers. */
  module?: string;
  version?: string;
  httpAdmin?: unknown;
  httpNode?: unknown;
  server?: unknown;
}

export function createRedApi(options: RedApiOptions) {
  const { engine, registry } = options;
  const hooks = engine.hooks;
  const settings = engine.services.settings;
  const emit = (level: LogLevel, msg: unknown) => engine.events.emit('log', { level, msg } satisfies LogEntry);
  const log = {
    fatal: (m: unknown) => emit('fatal', m),
    error: (m: unknown) => emit('error', m),
    warn: (m: unknown) => emit('warn', m),
    info: (m: unknown) => emit('info', m),
    debug: (m: unknown) => emit('debug', m),
    trace: (m: unknown) => emit('trace', m),
    audit: (m: unknown) => emit('audit', m),
    metric: () => false,
    log: (entry: LogEntry) => engine.events.emit('log', entry),
    _: (key: string) => key,
    FATAL: 10, ERROR: 20, WARN: 30, INFO: 40, DEBUG: 50, TRACE: 60, AUDIT: 98, METRIC: 99,
  };

  const nodes = {
    registerType(type: string, ctor: NodeConstructor, opts: { credentials?: Record<string, CredentialDecl>; settings?: Record<string, unknown> } = {}) {
      adoptConstructor(ctor);
      registry.registerConstructor(type, ctor, { module: options.module ?? 'contrib', credentials: opts.credentials, settings: opts.settings });
    },
    createNode(node: object, config: Record<string | symbol, unknown>) {
      initialiseContribNode(node, config);
    },
    getNode: (id: string) => engine.getNode(id) ?? null,
    eachNode: (cb: (n: unknown) => void) => engine.eachNode(cb),
    getCredentials: (id: string) => engine.getNode(id)?.credentials,
    getType: (type: string) => registry.get(type),
    registerSubflow: () => {
      throw new Error('RED.nodes.registerSubflow is not supported by Redoubt yet');
    },
  };

  const util = {
    cloneMessage,
    generateId,
    getMessageProperty,
    setMessageProperty,
    getObjectProperty,
    setObjectProperty,
    evaluateNodeProperty,
    normalisePropertyExpression,
    prepareJSONataExpression,
    evaluateJSONataExpression,
    parseContextStore,
    getSetting: (node: PropertyHost | undefined, name: string) => (node ? node.getEnv(name) : process.env[name]),
    ensureString: (o: unknown) => (Buffer.isBuffer(o) ? o.toString() : typeof o === 'object' && o !== null ? JSON.stringify(o) : typeof o === 'string' ? o : String(o)),
    ensureBuffer: (o: unknown) => (Buffer.isBuffer(o) ? o : Buffer.from(typeof o === 'object' && o !== null ? JSON.stringify(o) : String(o))),
    compareObjects: (a: unknown, b: unknown) => isDeepStrictEqual(a, b),
    normaliseNodeTypeName: (name: string) => name.replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^./, (c) => c.toLowerCase()),
  };

  const events = new EventEmitter();
  return {
    nodes,
    util,
    log,
    settings,
    events,
    comms: { publish: (topic: string, data: unknown) => engine.services.publish(topic, data) },
    httpAdmin: options.httpAdmin,
    httpNode: options.httpNode,
    server: options.server,
    version: () => options.version ?? '4.1.0-redoubt',
    _: (key: string) => key,
    require: (name: string) => {
      throw new Error(`RED.require('${name}') is not allowed: external modules are disabled`);
    },
    // The engine's one registry, so every module's RED (and the test helper's) sees the same
    // hooks; the message path's flags stay off this object.
    hooks: { add: hooks.add, remove: hooks.remove, has: hooks.has, clear: hooks.clear, trigger: hooks.trigger } satisfies HooksApi,
  };
}

export type RedApi = ReturnType<typeof createRedApi>;
