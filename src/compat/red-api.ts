/**
 * The `RED` object that unmodified Node-RED contrib nodes receive: `RED.nodes`, `RED.util`,
 * `RED.settings`, `RED.log`, `RED.events`, `RED.comms`, `RED.hooks`, `RED.auth`, `RED.httpAdmin`,
 * `RED._`. One per engine.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AuthError } from '../errors/index.js';
import type { CredentialDecl } from '../runtime/definition/index.js';
import type { Engine } from '../runtime/engine/engine.js';
import { adoptConstructor, initialiseContribNode } from '../runtime/engine/contrib-node.js';
import {
  cloneMessage,
  compareObjects,
  ensureBuffer,
  ensureString,
  evaluateJSONataExpression,
  evaluateNodeProperty,
  generateId,
  getMessageProperty,
  getObjectProperty,
  normaliseNodeTypeName,
  normalisePropertyExpression,
  parseContextStore,
  prepareJSONataExpression,
  setMessageProperty,
  setObjectProperty,
} from '../runtime/properties/index.js';
import type { HooksApi } from '../runtime/hooks/index.js';
import type { NodeConstructor, Registry } from '../runtime/registry.js';
import type { LogEntry, LogLevel, PropertyHost } from '../runtime/types.js';
import { encodeObject } from '../nodes/common/encode-object.js';
import { redEventsFor } from './red-events.js';

/** `RED.auth`: what contrib nodes put in front of their `RED.httpAdmin` routes. */
export interface RedAuth {
  /** Express middleware that lets the request on only if its user holds `permission` (Node-RED's `<area>.read` / `<area>.write`). */
  needsPermission(permission: string): RequestHandler;
}

/**
 * Without a server no admin route is ever served; a route registered anyway refuses, so nothing
 * mounted later by mistake is open.
 */
const NO_ADMIN_API: RedAuth = {
  needsPermission: (permission) =>
    function noAdminApi(_req: Request, _res: Response, next: NextFunction) {
      next(new AuthError('forbidden', `Permission '${permission}' cannot be granted: this process serves no admin API`));
    },
};

export interface RedApiOptions {
  engine: Engine;
  registry: Registry;
  /** Name of the module being loaded, recorded with the types it registers. */
  module?: string;
  version?: string;
  httpAdmin?: unknown;
  httpNode?: unknown;
  server?: unknown;
  /** Who may use the admin routes contrib nodes add; the server checks the caller's role. */
  auth?: RedAuth;
}

export function createRedApi(options: RedApiOptions) {
  const { engine, registry } = options;
  const hooks = engine.hooks;
  const settings = engine.services.settings;
  // Through the engine's log, as node.warn() is: to the runtime's log file or console (and the
  // test helper's log spy), not only to listeners of the engine's events.
  const emit = (level: LogLevel, msg: unknown) => engine.log({ level, msg });
  const log = {
    fatal: (m: unknown) => emit('fatal', m),
    error: (m: unknown) => emit('error', m),
    warn: (m: unknown) => emit('warn', m),
    info: (m: unknown) => emit('info', m),
    debug: (m: unknown) => emit('debug', m),
    trace: (m: unknown) => emit('trace', m),
    audit: (m: unknown) => emit('audit', m),
    metric: () => false,
    log: (entry: LogEntry) => engine.log(entry),
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
    // As Node-RED, from the credentials deployed rather than from a live node: a config node's
    // are there before it is created, and a node on a disabled tab still has its own.
    getCredentials: (id: string) => engine.getCredentials(id),
    // Node-RED keeps these in its credentials cache until the next deploy saves them; Redoubt's
    // server saves them at once (and audits it), so a token a node obtained survives a restart.
    addCredentials: async (id: string, creds: Record<string, unknown>) => engine.setNodeCredentials(id, creds),
    deleteCredentials: (id: string) => engine.setNodeCredentials(id, undefined),
    getType: (type: string) => registry.get(type),
    registerSubflow: () => {
      throw new Error('RED.nodes.registerSubflow is not supported by Redoubt yet');
    },
  };

  const util = {
    cloneMessage,
    // The debug sidebar's encoding of a value, for nodes that publish their own debug messages.
    encodeObject,
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
    ensureString,
    ensureBuffer,
    compareObjects,
    normaliseNodeTypeName,
  };

  return {
    nodes,
    util,
    log,
    settings,
    events: redEventsFor(engine),
    auth: options.auth ?? NO_ADMIN_API,
    // Node-RED's library of saved flows and function snippets for a node type: Redoubt's editor
    // offers none for contrib types, so registering one is accepted and has no effect.
    library: { register: (_type: string) => undefined },
    // Plugins (Node-RED 2+) are not loaded by Redoubt: none is found, and registering one fails loudly.
    plugins: {
      get: (_id: string) => undefined,
      getByType: (_type: string) => [] as unknown[],
      registerPlugin: (id: string) => {
        throw new Error(`RED.plugins.registerPlugin('${id}'): plugins are not supported by Redoubt`);
      },
    },
    comms: { publish: (topic: string, data: unknown) => engine.services.publish(topic, data) },
    httpAdmin: options.httpAdmin,
    httpNode: options.httpNode,
    server: options.server,
    version: () => options.version ?? '4.1.0-redoubt',
    _: (key: string) => key,
    require: (name: string) => {
      throw new Error(`RED.require('${name}') is not allowed: external modules are disabled`);
    },
    // Node-RED 4's ESM counterpart of RED.require, refused the same way.
    import: (name: string): Promise<never> => Promise.reject(new Error(`RED.import('${name}') is not allowed: external modules are disabled`)),
    // The engine's one registry, so every module's RED (and the test helper's) sees the same
    // hooks; the message path's flags stay off this object.
    hooks: { add: hooks.add, remove: hooks.remove, has: hooks.has, clear: hooks.clear, trigger: hooks.trigger } satisfies HooksApi,
  };
}

export type RedApi = ReturnType<typeof createRedApi>;
