/**
 * Node-RED's function node. The user's code runs in the isolated-vm sandbox
 * (`security/sandbox/`), never in this process's heap: isolates shared by function nodes (more
 * are added as they fill), one context per node made at its first message unless it has On Start
 * code, a time and memory limit per call. Messages arriving in one engine tick are queued and
 * handed over in a single call, because one crossing into the isolate costs more than the work of
 * a typical function (see docs/PERFORMANCE.md).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PermissionError } from '../../errors/index.js';
import { code, defineNode, json, number, string, type NodeApi, type NodeHandlers, type RuntimeSettings } from '../../runtime/definition/index.js';
import type { Msg } from '../../runtime/types.js';
import { FunctionCodeError } from '../../security/sandbox/errors.js';
import type { SandboxedFunction, SandboxInput, SandboxPool } from '../../security/sandbox/index.js';

interface Lib {
  var: string;
  module: string;
}

const POOL = 'function-sandbox';

/**
 * The runtime's sandbox pool, created at the first function node. isolated-vm is imported then,
 * not at start-up, so flows without function nodes do not load it.
 */
function sandboxPool(node: NodeApi): Promise<SandboxPool> {
  const settings: RuntimeSettings = node.runtime.settings;
  const userDir = node.runtime.userDir;
  const holder = node.runtime.facility(POOL, () => {
    const pool = import('../../security/sandbox/index.js').then(({ createSandboxPool }) =>
      createSandboxPool({
        memoryMb: settings.functionMemoryMb ?? 64,
        timeoutMs: settings.functionTimeoutMs ?? 1000,
        externalModules: {
          enabled: settings.functionExternalModules === true,
          allow: Array.isArray(settings.functionExternalModulesAllow) ? (settings.functionExternalModulesAllow as string[]) : undefined,
          // Modules come from the user directory's node_modules, as Node-RED installs them there.
          load: (name) => createRequire(join(userDir, 'package.json'))(name),
        },
        log: (level, message) => node.runtime.publish('notification/function-sandbox', { level, message }),
      }),
    );
    // The engine closes facilities when it stops.
    return { pool, close: async () => (await pool).dispose() };
  });
  return holder.pool;
}

export const functionNode = defineNode({
  type: 'function',
  category: 'function',
  inputs: 1,
  outputs: (config) => config.outputs,
  properties: {
    name: string(),
    func: code({ language: 'javascript', default: '\nreturn msg;' }),
    outputs: number({ default: 1, min: 0, integer: true }),
    // Node-RED 3+ saves a per-node timeout in seconds (0: none); it lowers the sandbox's limit
    // for this node's calls, which stays the ceiling.
    timeout: number({ default: 0, min: 0 }),
    noerr: number({ default: 0 }),
    initialize: code({ language: 'javascript', default: '' }),
    finalize: code({ language: 'javascript', default: '' }),
    libs: json<Lib[]>({
      default: [],
      check: (v) => (Array.isArray(v) && v.every((l) => l && typeof l.var === 'string' && typeof l.module === 'string') ? undefined : 'must be a list of { var, module }'),
    }),
  },
  create(config, node) {
    if (config.libs.length > 0 && node.runtime.settings.functionExternalModules !== true) {
      throw new PermissionError(
        `function node uses module${config.libs.length > 1 ? 's' : ''} ${config.libs.map((l) => `'${l.module}'`).join(', ')}, but external modules are disabled (set functionExternalModules: true in redoubt.yaml)`,
        { nodeId: node.id, property: 'libs' },
      );
    }
    // Node-RED's function node keeps its output count as `node.outputs`; specs and flows that
    // inspect the node read it there.
    (node as unknown as { outputs: number }).outputs = config.outputs;
    // Messages wait for this; the deploy waits for part of it (see the end).
    const ready: Promise<SandboxedFunction> = sandboxPool(node).then((pool) => pool.createFunction(
      {
        nodeId: node.id,
        name: config.name || undefined,
        func: config.func,
        initialize: config.initialize || undefined,
        finalize: config.finalize || undefined,
        outputs: config.outputs,
        libs: config.libs,
        path: String(node.getEnv('NR_NODE_PATH') ?? node.id),
        timeoutMs: config.timeout > 0 ? Math.round(config.timeout * 1000) : undefined,
      },
      {
        send: (output) => node.send(output),
        error: (err, msg) => node.error(asNodeRedError(err), msg),
        log: (level, message) => {
          if (level === 'warn') node.warn(message);
          else if (level === 'error') node.error(message);
          else if (level === 'debug') node.debug(message);
          else if (level === 'trace') node.trace(message);
          else node.log(message);
        },
        status: (s) => node.status(s),
        // Read when the code first touches context: most nodes never do, and a deploy of
        // thousands of function nodes then makes no context object for them.
        get context() {
          return node.context();
        },
        getEnv: (name) => node.getEnv(name),
      },
      { untilOnStartBegins: true },
    ));
    let failed: unknown;
    ready.catch((err: unknown) => {
      failed = err;
      node.error(err instanceof Error ? err.message : String(err));
      node.status({ fill: 'red', shape: 'dot', text: 'error' });
    });

    let pending: SandboxInput[] = [];
    const flush = async () => {
      const batch = pending;
      pending = [];
      let fn: SandboxedFunction;
      try {
        fn = await ready;
      } catch (err) {
        for (const input of batch) input.done(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      // Each input ends through its own send/done; the batch promise only reports the sandbox itself failing.
      fn.run(batch).catch((err: unknown) => {
        for (const input of batch) input.done(err instanceof Error ? err : new Error(String(err)));
      });
    };
    const handlers: NodeHandlers = {
      onInput(msg: Msg, send, done) {
        if (failed !== undefined) {
          done(failed);
          return;
        }
        if (pending.length === 0) queueMicrotask(() => void flush());
        pending.push({ msg, send: (output) => send(output), done: (err) => (err ? done(nodeRedDoneError(err, msg)) : done()) });
      },
      async onClose() {
        const fn = await ready.catch(() => undefined);
        await fn?.close();
      },
    };
    // Node-RED runs On Start code as it creates the node, so for a node with On Start code the
    // deploy waits until its synchronous part has run (what it logs or sets is there when the
    // deploy ends); a promise it returns goes on after the deploy, and messages wait for it.
    // A node without On Start code is not waited for: waiting on every node's sandbox set-up made
    // a 10,000-node deploy 40 % slower and 17 MB bigger, and its first message waits anyway.
    // A failure here is already reported (above) and leaves the node in place, answering with it.
    if (config.initialize.trim() === '') return handlers;
    return ready.then(() => handlers, () => handlers);
  },
});

/**
 * Node-RED 4's function node puts a thrown Error on `msg.error` and reports that same Error (its
 * message replaced by "ReferenceError: ... (line N, col M)" for a ReferenceError), so catch nodes
 * see its `toString()`, its stack, and the Error again as `msg._error`; a thrown string is
 * reported as it is.
 */
function nodeRedDoneError(reported: Error, msg: Msg): unknown {
  const err = asCodeError(reported);
  if (err === null) return reported;
  // Node-RED passes vm's timeout Error itself on, without setting msg.error.
  if (err.code === 'function_timeout') return err;
  // node.done(err) from the code: passed on as it is (a string stays a string), msg untouched.
  if (err.code === 'function_done_error') return asNodeRedError(err);
  if (err.code !== 'function_error') return err.message;
  const thrown = err.thrown;
  if (thrown.name === undefined && thrown.stack === undefined) return thrown.message;
  const error = toError(thrown);
  if (thrown.name === 'ReferenceError') error.message = err.message;
  msg.error = error;
  return error;
}

/** `node.error(x, msg)` from user code: Node-RED passes x on as it is (a string stays a string). */
function asNodeRedError(reported: Error): unknown {
  const err = asCodeError(reported);
  if (err === null) return reported;
  const thrown = err.thrown;
  if (thrown.name === undefined && thrown.stack === undefined) return thrown.message;
  return err.code === 'function_error' || err.code === 'function_done_error' ? toError(thrown) : err.message;
}

/**
 * The sandbox's FunctionCodeError, recognised by its shape too: the sandbox is loaded with
 * import(), and a CommonJS host (mocha with tsx's require hook, as Node-RED's specs run) can then
 * hold a second copy of its module, whose class `instanceof` does not see.
 */
function asCodeError(err: Error): FunctionCodeError | null {
  if (err instanceof FunctionCodeError) return err;
  const e = err as Partial<FunctionCodeError>;
  return err.name === 'FunctionCodeError' && typeof e.code === 'string' && typeof e.thrown === 'object' && e.thrown !== null ? (err as FunctionCodeError) : null;
}

function toError(thrown: { name?: string; message: string; stack?: string }): Error {
  const e = new Error(thrown.message);
  if (thrown.name) e.name = thrown.name;
  e.stack = thrown.stack;
  return e;
}
