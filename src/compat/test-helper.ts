/**
 * node-red-node-test-helper's API on Redoubt: a contrib node author moves existing specs by
 * changing the `require` line. Each `load` starts a fresh runtime in a temporary user dir with
 * the core node types, the modules under test, and `helper` nodes that emit `input` for every
 * message they receive.
 */
import express, { type Express } from 'express';
import sinon, { type SinonSandbox, type SinonSpy } from 'sinon';
import supertest from 'supertest';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedoubt, type Redoubt } from '../index.js';
import { createHttpNodeRouter, httpNodeRouterOptions, type HttpNodeRouter } from '../server/http-node/index.js';
import { defineNode } from '../runtime/definition/index.js';
import { RuntimeNode, type RuntimeSettings } from '../runtime/index.js';
import type { LogEntry } from '../runtime/types.js';
import type { RedApi, RedAuth } from './red-api.js';
import { createTestComms } from './test-comms.js';
import { debugControl } from '../nodes/common/debug-control.js';

type NodeModule = ((red: RedApi) => unknown) | { default?: (red: RedApi) => unknown };
type Callback = (err?: unknown) => void;
export type HelperLogEntry = Omit<LogEntry, 'level'> & { level: number; timestamp?: number };

/** Node-RED's numeric log levels, which specs compare against (`evt[0].level == 30`). */
const LEVELS: Record<string, number> = { fatal: 10, error: 20, warn: 30, info: 40, debug: 50, trace: 60, audit: 98, metric: 99 };

/**
 * A log entry as Node-RED's log spy records it: numeric level, a timestamp, and no fields its
 * node lacks (no `name` for an unnamed node), so specs can compare whole entries.
 */
function helperLogEntry(entry: LogEntry): HelperLogEntry {
  const out: HelperLogEntry = { ...entry, level: LEVELS[entry.level] ?? 40, timestamp: Date.now() };
  for (const key of ['id', 'type', 'name', 'z', 'path'] as const) if (out[key] === undefined) delete out[key];
  return out;
}

const helperNode = defineNode({
  type: 'helper',
  category: 'common',
  inputs: 1,
  outputs: 1,
  properties: {},
  // Receives only: specs attach their own `input` listeners to it.
  create() {},
});

/** The node methods Node-RED's helper spies on while a flow is loaded, and announces as `call:<method>` events. */
const ANNOUNCED = ['log', 'status', 'warn', 'error', 'debug', 'trace', 'send'] as const;
/** What a `call:<method>` listener receives: sinon's record of the call (these are the parts specs read). */
export interface AnnouncedCall {
  args: unknown[];
  firstArg: unknown;
  lastArg: unknown;
  thisValue: RuntimeNode;
  returnValue: unknown;
}
let announcingLoads = 0;
let spies: SinonSandbox | undefined;

/**
 * Node-RED's helper replaces these methods on its Node prototype with sinon spies while a flow is
 * loaded, and specs read them two ways: as spies (`n1.status.should.be.calledOnce()`,
 * `n1.error.lastCall.args[0]`; one spy per method, shared by every node, as there) and as events
 * (`node.on('call:error', call => ...)`, on the next tick, so a listener added right after
 * `receive()` still hears it). Here the same is done to RuntimeNode's prototype, and only while
 * some helper has a flow loaded, so a runtime outside tests never pays for it.
 */
function startAnnouncing(): void {
  if (announcingLoads++ > 0) return;
  extendShouldIfLoaded();
  const proto = RuntimeNode.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  spies = sinon.createSandbox();
  for (const name of ANNOUNCED) {
    const spy = spies.spy(proto, name);
    proto[name] = new Proxy(spy, {
      apply(target, thisArg: RuntimeNode, args: unknown[]) {
        const returnValue: unknown = Reflect.apply(target, thisArg, args);
        const call = spy.lastCall as unknown as AnnouncedCall;
        process.nextTick(() => thisArg.emit(`call:${name}`, call));
        return returnValue;
      },
    });
  }
}

function stopAnnouncing(): void {
  if (announcingLoads === 0 || --announcingLoads > 0 || !spies) return;
  spies.restore();
  spies = undefined;
}

const requireHere = createRequire(import.meta.url);

/**
 * should-sinon gives `should` its spy assertions (`calledOnce()`, `calledWith()`), as
 * node-red-node-test-helper loads it for its specs. Loaded only once a spec has loaded `should`
 * itself: `should` adds a getter to Object.prototype, which a process that never asked for it
 * should not get from the helper.
 */
function extendShouldIfLoaded(): void {
  let path: string;
  try {
    path = requireHere.resolve('should');
  } catch {
    return;
  }
  if (requireHere.cache[path] !== undefined) requireHere('should-sinon');
}

/**
 * Node-RED creates a tab for any `z` that names none, and specs rely on it (`z: 'f1'` with no tab).
 * Deploys through the API refuse such flows; the helper adds the tabs, as Node-RED's runtime would.
 */
function withImplicitTabs(flow: unknown): unknown {
  if (!Array.isArray(flow)) return flow;
  const known = new Set(flow.filter((n) => n && (n.type === 'tab' || n.type === 'subflow')).map((n) => n.id));
  const missing = new Set<string>();
  for (const n of flow) if (n && typeof n.z === 'string' && n.z && !known.has(n.z)) missing.add(n.z);
  return [...[...missing].map((id) => ({ id, type: 'tab', label: id })), ...withoutDanglingWires(flow)];
}

/**
 * Node-RED's runtime drops a wire to a node that is not in the flow; specs rely on it (a node
 * under test wired to a helper the spec never adds). Deploys through the API refuse such flows, so
 * the helper drops those wires first, on copies: the spec's own flow objects stay as written.
 */
function withoutDanglingWires(flow: unknown[]): unknown[] {
  const ids = new Set(flow.map((n) => (n && typeof n === 'object' ? (n as { id?: unknown }).id : undefined)));
  return flow.map((n) => {
    const wires = n && typeof n === 'object' ? (n as { wires?: unknown }).wires : undefined;
    if (!Array.isArray(wires) || wires.every((port) => !Array.isArray(port) || port.every((id) => ids.has(id)))) return n;
    return { ...(n as object), wires: wires.map((port) => (Array.isArray(port) ? port.filter((id) => ids.has(id)) : port)) };
  });
}

/**
 * The helper's admin app has no users, as Node-RED's has none: every permission is granted.
 * Only the helper's own server (127.0.0.1, test only) serves these routes.
 */
const GRANT_ALL: RedAuth = {
  needsPermission: () => (_req, _res, next) => next(),
};

/**
 * A fresh `RED.httpAdmin` per load, parsing JSON and form bodies as Node-RED's helper does. An
 * express app, not a router, so that routes get express's `res.json` and `req.params`.
 */
function createHelperAdmin(runtime: Redoubt): Express {
  const admin = express();
  admin.disable('x-powered-by');
  admin.use(express.json({ limit: '5mb' }), express.urlencoded({ limit: '5mb', extended: true }));
  // Node-RED's inject node adds the editor's button route here; specs press it with request().
  admin.post('/inject/:id', (req, res) => {
    const node = runtime.engine.getNode(String(req.params.id));
    if (!node || node.type !== 'inject') {
      res.sendStatus(404);
      return;
    }
    const props = (req.body as Record<string, unknown> | undefined)?.__user_inject_props__;
    node.receive(props ? { __user_inject_props__: props } : undefined);
    res.sendStatus(200);
  });
  // And the debug node's sidebar button, one node or several: 200 to enable, 201 to disable.
  const debug = debugControl(runtime.engine.services);
  const debugState = (state: string): boolean | undefined => (state === 'enable' ? true : state === 'disable' ? false : undefined);
  admin.post('/debug/:id/:state', (req, res) => {
    const active = debugState(String(req.params.state));
    if (active === undefined || !debug.setActive(String(req.params.id), active)) {
      res.sendStatus(404);
      return;
    }
    res.sendStatus(active ? 200 : 201);
  });
  admin.post('/debug/:state', (req, res) => {
    const active = debugState(String(req.params.state));
    const nodes = (req.body as { nodes?: unknown } | undefined)?.nodes;
    if (active === undefined) {
      res.sendStatus(404);
      return;
    }
    if (!Array.isArray(nodes)) {
      res.sendStatus(400);
      return;
    }
    for (const id of nodes) debug.setActive(String(id), active);
    res.sendStatus(active ? 200 : 201);
  });
  return admin;
}

/** The level numbers, as on Node-RED's log spy: specs compare `entry.level` with `helper.log().ERROR`. */
const LEVEL_NUMBERS = { FATAL: 10, ERROR: 20, WARN: 30, INFO: 40, DEBUG: 50, TRACE: 60, AUDIT: 98, METRIC: 99 } as const;

/**
 * What `helper.log()` returns, as Node-RED's helper does: a sinon spy called once per log entry
 * of the current load (`args`, `calledWithMatch({ level: 20 })`...), with the level numbers.
 */
export type LogSpy = SinonSpy<[HelperLogEntry], void> & typeof LEVEL_NUMBERS;

function createLogSpy(): LogSpy {
  return Object.assign(sinon.spy() as SinonSpy<[HelperLogEntry], void>, LEVEL_NUMBERS);
}

export function createTestHelper() {
  let runtime: Redoubt | undefined;
  let userDir: string | undefined;
  let settings: RuntimeSettings = {};
  let server: Server | undefined;
  let httpNode: HttpNodeRouter | undefined;
  let httpAdmin: Express | undefined;
  let port = 0;
  let logSpy = createLogSpy();
  let announcing = false;
  // One for the helper's life: specs connect once (after startServer) and load many flows.
  const comms = createTestComms();
  let loads = 0;

  // As Node-RED's helper: an assertion that throws in the callback comes back to it as the error,
  // so the spec fails with that assertion instead of waiting for its timeout.
  const withCallback = <T>(promise: Promise<T>, cb?: Callback): Promise<T> => {
    if (cb) {
      promise.then(
        () => {
          try {
            cb();
          } catch (err) {
            cb(err);
          }
        },
        (err) => cb(err),
      );
    }
    return promise;
  };

  const notFound = (res: ServerResponse) => {
    res.statusCode = 404;
    res.end();
  };
  const toAdmin = (req: IncomingMessage, res: ServerResponse) => {
    if (!httpAdmin) return notFound(res);
    httpAdmin(req as express.Request, res as express.Response, (err?: unknown) => {
      if (!err) return notFound(res);
      // A body parser's refusal carries its status (400 for bad JSON, 413 for too large).
      const status = (err as { status?: unknown }).status;
      res.statusCode = typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
      res.end(err instanceof Error ? err.message : String(err));
    });
  };
  // One port for both: the http-in endpoints first (they parse their own bodies, with their own
  // limits), then the admin routes of the current load.
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    if (httpNode) httpNode.handler(req, res, () => toAdmin(req, res));
    else toAdmin(req, res);
  };
  /** The helper's server, on 127.0.0.1 only: its admin routes grant every permission. */
  const listen = () =>
    new Promise<Server>((resolve, reject) => {
      const created = createServer(dispatch);
      server = created;
      created.on('upgrade', (req, socket, head) => {
        if (!httpNode?.handleUpgrade(req, socket, head) && !comms.handleUpgrade(req, socket, head)) socket.destroy();
      });
      created.once('error', reject);
      created.listen(0, '127.0.0.1', () => {
        const address = created.address();
        port = typeof address === 'object' && address ? address.port : 0;
        resolve(created);
      });
    });
  /** Closes the helper's server, if there is one; resolves once it has closed. */
  const closeServer = (): Promise<void> => {
    const previous = server;
    if (!previous) return Promise.resolve();
    server = undefined;
    const closed = new Promise<void>((resolve) => previous.close(() => resolve()));
    previous.closeAllConnections();
    return closed;
  };

  const api = {
    /** Node-RED's helper takes the node-red path here; Redoubt is the runtime, so only settings count. */
    init(_runtimePath?: string, userSettings?: RuntimeSettings) {
      settings = { ...(userSettings ?? {}) };
    },
    settings(userSettings: RuntimeSettings) {
      settings = { ...settings, ...userSettings };
      // Node-RED's loaded nodes read the helper's settings object when they use a setting (a file
      // node's fileWorkingDirectory at each message), so a spec may change one after `load`.
      if (runtime) Object.assign(runtime.engine.services.settings, userSettings);
      return settings;
    },
    load(testNode: NodeModule | NodeModule[], testFlow: unknown, testCredentials?: Record<string, Record<string, unknown>> | Callback, cb?: Callback): Promise<void> {
      if (typeof testCredentials === 'function') {
        cb = testCredentials;
        testCredentials = undefined;
      }
      const credentials = testCredentials;
      // A runtime still stopping when the next load starts (specs unload without waiting) may
      // log late; its lines belong to the spec before and stay out of this load's log.
      const load = ++loads;
      const run = async () => {
        if (runtime) await api.unload();
        const spy = (logSpy = createLogSpy());
        if (!announcing) {
          announcing = true;
          startAnnouncing();
        }
        userDir = await mkdtemp(join(tmpdir(), 'redoubt-test-'));
        runtime = await createRedoubt({
          userDir,
          settings,
          log: (entry) => {
            if (load === loads) spy(helperLogEntry(entry));
          },
        });
        // Nodes loaded after startServer serve their endpoints on it, as RED.httpNode does.
        if (httpNode) runtime.engine.services.http = httpNode.endpoints;
        // Contrib nodes add their admin routes at load (`RED.httpAdmin.get(...)`); `request()` reaches them.
        httpAdmin = createHelperAdmin(runtime);
        Object.assign(runtime.red, { httpAdmin, auth: GRANT_ALL });
        // request() needs a server with an address at once (supertest takes it synchronously);
        // one the spec did not ask for must not keep the process alive.
        if (!server) (await listen()).unref();
        runtime.events.on('publish', (topic: string, data: unknown) => comms.publish(topic, data));
        runtime.registry.define(helperNode, 'test-helper');
        for (const mod of Array.isArray(testNode) ? testNode : [testNode]) {
          const init = typeof mod === 'function' ? mod : mod?.default;
          if (typeof init === 'function') await runtime.loadNodeModule(init, 'node-under-test');
        }
        await runtime.setFlows(withImplicitTabs(testFlow), { credentials });
      };
      return withCallback(run(), cb);
    },
    getNode(id: string): RuntimeNode | null {
      return runtime?.engine.getNode(id) ?? null;
    },
    unload(): Promise<void> {
      const current = runtime;
      const dir = userDir;
      runtime = undefined;
      userDir = undefined;
      httpAdmin = undefined;
      return (async () => {
        await current?.stop();
        if (announcing && !runtime) {
          announcing = false;
          stopAnnouncing();
        }
        if (dir) await rm(dir, { recursive: true, force: true });
      })();
    },
    /** Deploys `testFlow` to the loaded runtime as `type` ('full', 'flows' or 'nodes'), as Node-RED's helper does. */
    setFlows(testFlow: unknown, type?: string | Callback, testCredentials?: Record<string, Record<string, unknown>> | Callback, cb?: Callback): Promise<void> {
      if (typeof type === 'function') {
        cb = type;
        type = undefined;
      }
      if (typeof testCredentials === 'function') {
        cb = testCredentials;
        testCredentials = undefined;
      }
      const deploymentType = type === 'flows' || type === 'nodes' ? type : 'full';
      const credentials = testCredentials;
      const run = async () => {
        if (!runtime) throw new Error('helper.setFlows: load a flow first');
        await runtime.setFlows(withImplicitTabs(testFlow), { deploymentType, credentials });
      };
      return withCallback(run(), cb);
    },
    clearFlows(): Promise<void> {
      return runtime ? runtime.setFlows([]).then(() => undefined) : Promise.resolve();
    },
    startServer(done?: Callback): Promise<void> {
      // A server the helper started for request() gives way to the one the spec asks for.
      void closeServer();
      // Built from the settings of `init`/`settings`, so specs can test httpNodeRoot, httpNodeAuth...
      const options = httpNodeRouterOptions(settings);
      httpNode = options ? createHttpNodeRouter(options) : undefined;
      return withCallback(listen().then(() => undefined), done);
    },
    stopServer(done?: Callback): Promise<void> {
      if (server) comms.close();
      const stop = closeServer();
      httpNode = undefined;
      return withCallback(api.unload().then(() => stop), done);
    },
    url(): string {
      return `http://127.0.0.1:${port}`;
    },
    /**
     * supertest on the helper's server, as Node-RED's helper gives supertest on its admin app:
     * `.expect('Content-Type', /json/)`, `.type('form').send(...)`, `.query()`... all work.
     */
    request(): ReturnType<typeof supertest> {
      if (!server?.address()) throw new Error('helper.request(): load a flow (or call helper.startServer()) first; the routes to request come with the load');
      return supertest(server);
    },
    log(): LogSpy {
      return logSpy;
    },
    /** The runtime of the current `load`, for specs that need more than Node-RED's helper offers. */
    runtime(): Redoubt | undefined {
      return runtime;
    },
  };
  return api;
}

export type TestHelper = ReturnType<typeof createTestHelper>;

/** The shared instance specs import, as they `require('node-red-node-test-helper')`. */
export const helper: TestHelper = createTestHelper();
// A default export and each method by name: ESM specs `import helper from`, CommonJS specs
// `const helper = require(...)` get the module namespace, whose named members must be the API.
export default helper;
export const { init, settings, load, getNode, unload, setFlows, clearFlows, startServer, stopServer, url, request, log } = helper;
