import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';
import { ConfigError } from '../../errors/index.js';
import { FunctionCodeError } from './errors.js';
import { createFunctionInstance } from './function-instance.js';
import type { FunctionInstance, IsolateHandle } from './function-instance.js';
import { loadLibs } from './libs.js';
import type { FunctionDef, SandboxedFunction, SandboxHost, SandboxPool, SandboxPoolOptions } from './types.js';

const SCRIPT_FILES = ['buffer', 'util', 'runtime'] as const;

function readScripts(): Record<(typeof SCRIPT_FILES)[number], string> {
  const read = (name: string) => readFileSync(new URL(`./isolate/${name}.js`, import.meta.url), 'utf8');
  return { buffer: read('buffer'), util: read('util'), runtime: read('runtime') };
}

/**
 * One isolated-vm isolate shared by many function nodes, each in a context of its own: an isolate
 * costs megabytes, a context far less. Calls into it are asynchronous (the isolate runs on its own
 * thread), so a runaway loop uses that thread until the time limit and never blocks the event
 * loop. When user code exhausts the memory limit, isolated-vm disposes the whole isolate: the pool
 * then fails what was pending, builds a new isolate and rebuilds every live function in it
 * (running its On Start code again).
 *
 * @example
 * const pool = createSandboxPool({ memoryMb: 64, timeoutMs: 1000 });
 * const fn = await pool.createFunction({ nodeId: 'n1', func: 'msg.payload += 1; return msg;', outputs: 1 }, host);
 * await fn.run([{ msg: { _msgid: 'm1', payload: 1 }, send: (out) => deliver(out), done: (err) => finish(err) }]);
 */
export function createSandboxPool(options: SandboxPoolOptions): SandboxPool {
  if (!Number.isFinite(options.memoryMb) || options.memoryMb < 8) {
    throw new ConfigError('functionMemoryLimit', 'the sandbox memory limit must be at least 8 MB');
  }
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs < 1) {
    throw new ConfigError('functionTimeout', 'the sandbox time limit must be at least 1 ms');
  }
  const sources = readScripts();
  const log = options.log ?? (() => undefined);
  const instances = new Set<FunctionInstance>();
  let handle: Promise<IsolateHandle> | null = null;
  let rebuilding: Promise<void> | null = null;
  let restarts = 0;
  let isDisposed = false;

  async function newHandle(): Promise<IsolateHandle> {
    const isolate = new ivm.Isolate({
      memoryLimit: options.memoryMb,
      onCatastrophicError: (message) => log('error', `sandbox isolate failed beyond recovery: ${message}`),
    });
    const compile = (name: (typeof SCRIPT_FILES)[number]) => isolate.compileScript(sources[name], { filename: `redoubt-sandbox:${name}.js` });
    const [buffer, util, runtime] = await Promise.all(SCRIPT_FILES.map(compile));
    return { isolate, scripts: { buffer: buffer!, util: util!, runtime: runtime! } };
  }

  const current = (): Promise<IsolateHandle> => (handle ??= newHandle());

  async function rebuild(): Promise<void> {
    handle = newHandle();
    const h = await handle;
    for (const inst of instances) {
      try {
        await inst.start(h);
      } catch (err) {
        log('error', `${inst.label} could not be rebuilt after the sandbox restart: ${(err as Error).message}`);
      }
    }
  }

  const deps = {
    timeoutMs: options.timeoutMs,
    memoryMb: options.memoryMb,
    onMemoryBlowup(culprit: FunctionInstance, error: Error, isolate: ivm.Isolate): void {
      // Every pending call of the dead isolate reports in; only the first one rebuilds.
      if (rebuilding !== null || isDisposed || handle === null) return;
      void handle.then((h) => {
        if (h.isolate !== isolate || rebuilding !== null) return;
        restarts++;
        const restarted = new FunctionCodeError(
          'function_sandbox_restarted',
          `the function sandbox was restarted because ${culprit.label} exceeded the memory limit of ${options.memoryMb} MB`,
          culprit.nodeId,
          { message: 'sandbox restarted' },
        );
        for (const inst of instances) inst.reset(inst === culprit ? error : restarted, inst === culprit);
        log('warn', restarted.message);
        rebuilding = rebuild().finally(() => { rebuilding = null; });
      });
    },
    onClosed(instance: FunctionInstance): void {
      instances.delete(instance);
    },
  };

  return {
    get restarts() { return restarts; },
    async createFunction(def: FunctionDef, host: SandboxHost): Promise<SandboxedFunction> {
      if (isDisposed) throw new ConfigError('functionSandbox', 'the sandbox pool has been disposed');
      const libs = await loadLibs(def, options.externalModules);
      if (rebuilding !== null) await rebuilding;
      const h = await current();
      const inst = createFunctionInstance(def, host, libs, deps);
      instances.add(inst);
      try {
        await inst.start(h);
      } catch (err) {
        instances.delete(inst);
        throw err;
      }
      return inst;
    },
    async dispose() {
      if (isDisposed) return;
      for (const inst of [...instances]) await inst.close();
      isDisposed = true;
      if (handle !== null) {
        const h = await handle;
        if (!h.isolate.isDisposed) h.isolate.dispose();
      }
    },
  };
}
