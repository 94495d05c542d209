import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';
import { ConfigError } from '../../errors/index.js';
import { FunctionCodeError } from './errors.js';
import { createFunctionInstance } from './function-instance.js';
import type { FunctionInstance } from './function-instance.js';
import { loadLibs } from './libs.js';
import type { CreateFunctionOptions, FunctionDef, SandboxedFunction, SandboxHost, SandboxPool, SandboxPoolOptions, SandboxPoolStats } from './types.js';
import { checkSyntax, SourceMemo } from './user-code.js';
import type { ContextLease } from './user-code.js';

/**
 * What one context costs in an isolate's heap, measured with isolated-vm 5.0.4 (Node 20): a bare
 * context is about 155 KB (V8's builtins, copied into every context), the runtime scripts add
 * about 15 KB. Used to decide how many contexts an isolate takes before the next one is opened.
 */
const CONTEXT_KB = 200;
/** Share of an isolate's memory limit that contexts may fill; the rest is for what user code keeps. */
const CONTEXT_SHARE = 0.5;
/** An isolate whose used heap passes this share of its limit takes no new contexts. */
const HEAP_FULL_SHARE = 0.6;
/** How often (in contexts placed) an isolate's heap is measured. */
const HEAP_CHECK_EVERY = 16;

function readRuntime(): string {
  const read = (name: string) => readFileSync(new URL(`./isolate/${name}.js`, import.meta.url), 'utf8');
  // One script whose value is the runtime's setup function: one run per context instead of one
  // per file.
  return `${read('buffer')}\n;${read('red-util')}\n;${read('url')}\n;${read('node-util')}\n;${read('runtime')}`;
}

// Syntax checks run in an isolate of their own that never runs user code, so they can compile
// synchronously (about 15 µs, against 40-60 µs for a round trip to an isolate's thread) without
// ever waiting for a function busy in a shard. It holds nothing of any runtime, so one serves
// every pool of the process: a runtime started again (a restart, each load of the test helper)
// does not wait ~3 ms for a new one before its first function node can run.
let sharedChecker: ivm.Isolate | null = null;
function syntaxChecker(memoryMb: number): ivm.Isolate {
  if (sharedChecker === null || sharedChecker.isDisposed) sharedChecker = new ivm.Isolate({ memoryLimit: memoryMb });
  return sharedChecker;
}

interface Shard {
  isolate: ivm.Isolate;
  runtime: Promise<ivm.Script>;
  contexts: number;
  placed: number;
  full: boolean;
  dead: boolean;
}

/**
 * Function nodes in isolated-vm isolates, one context per node.
 *
 * Measured (2,000 nodes, see bench-contexts.ts): a context costs about 170 KB of isolate heap
 * whatever the runtime does, so 1,000 nodes need ~170 MB, and building one costs about 1 ms
 * (V8 sets up its builtins in each new context; the runtime scripts are the smaller part).
 * Hence:
 * - Contexts are built lazily, at a node's first message, unless the node has On Start code
 *   (which must run at deploy). Most nodes of a large installation see few messages, and a deploy
 *   then only compiles each node's code without a context, which costs tens of microseconds and
 *   still reports syntax errors at creation.
 * - Contexts are spread over several isolates ("shards"), each with the configured memory limit:
 *   an isolate takes contexts until they would fill half its limit or its heap is over 60% full,
 *   then the next one is opened. Memory grows with the nodes in use instead of failing, and a
 *   node that exhausts the limit takes down only its own isolate's nodes, which restart.
 * - isolated-vm's startup snapshots were not used: its documentation marks them unstable, and a
 *   context made from one measured no smaller and barely faster than a fresh one.
 *
 * Calls into an isolate are asynchronous (it runs on its own thread), so a runaway loop uses that
 * thread until the time limit and never blocks the event loop. When user code exhausts the memory
 * limit, isolated-vm disposes that isolate: the pool fails what was pending there, and the nodes
 * that lived in it build new contexts elsewhere (at once when they have On Start code, which runs
 * again; otherwise at their next message).
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
  const source = readRuntime();
  const log = options.log ?? (() => undefined);
  const perShard = Math.max(1, Math.floor((options.memoryMb * 1024 * CONTEXT_SHARE) / CONTEXT_KB));
  const limitBytes = options.memoryMb * 1024 * 1024;
  const instances = new Set<FunctionInstance>();
  const shards: Shard[] = [];
  let restarts = 0;
  let isDisposed = false;

  function openShard(): Shard {
    const isolate = new ivm.Isolate({
      memoryLimit: options.memoryMb,
      onCatastrophicError: (message) => log('error', `sandbox isolate failed beyond recovery: ${message}`),
    });
    const runtime = isolate.compileScript(source, { filename: 'redoubt-sandbox:runtime.js' });
    // A failure here surfaces to whoever awaits the lease; this only keeps it from being unhandled.
    runtime.catch(() => undefined);
    const shard: Shard = { isolate, runtime, contexts: 0, placed: 0, full: false, dead: false };
    shards.push(shard);
    return shard;
  }

  const live = (s: Shard) => !s.dead && !s.isolate.isDisposed;

  function drop(shard: Shard): void {
    shard.dead = true;
    const at = shards.indexOf(shard);
    if (at >= 0) shards.splice(at, 1);
    if (!shard.isolate.isDisposed) shard.isolate.dispose();
  }

  /** The oldest isolate with room (filling old ones first keeps the count low), or a new one. */
  function place(): Shard {
    for (const s of [...shards]) if (!live(s)) retire(s, null, null);
    const shard = shards.find((s) => !s.full && s.contexts < perShard) ?? openShard();
    shard.contexts++;
    if (++shard.placed % HEAP_CHECK_EVERY === 0) {
      shard.isolate.getHeapStatistics().then(
        (h) => { if (h.used_heap_size > limitBytes * HEAP_FULL_SHARE) shard.full = true; },
        () => undefined,
      );
    }
    return shard;
  }

  function unplace(shard: Shard): void {
    shard.contexts--;
    if (shard.contexts > 0 || shard.dead) return;
    // An emptied isolate is given back (after a redeploy, say), but one is kept for the next node,
    // its heap measured afresh (what made it full went with its contexts).
    if (shards.filter(live).length > 1) drop(shard);
    else shard.full = false;
  }

  async function lease(): Promise<ContextLease> {
    if (isDisposed) throw new ConfigError('functionSandbox', 'the sandbox pool has been disposed');
    const shard = place();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      unplace(shard);
    };
    try {
      return { isolate: shard.isolate, runtime: await shard.runtime, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /**
   * An isolate is gone (memory limit): every node that lived in it is reset, the culprit with its
   * own error and the others with a restart notice, and nodes with On Start code rebuild at once.
   */
  function retire(shard: Shard, culprit: FunctionInstance | null, error: Error | null): void {
    if (shard.dead) return;
    drop(shard);
    restarts++;
    const who = culprit === null ? 'a function node' : culprit.label;
    const restarted = new FunctionCodeError(
      'function_sandbox_restarted',
      `the function sandbox was restarted because ${who} exceeded the memory limit of ${options.memoryMb} MB`,
      culprit?.nodeId ?? '',
      { message: 'sandbox restarted' },
    );
    const affected = [...instances].filter((inst) => inst.isolate === shard.isolate);
    for (const inst of affected) inst.reset(inst === culprit && error !== null ? error : restarted, inst === culprit);
    log('warn', restarted.message);
    for (const inst of affected) {
      if (!inst.eager || isDisposed) continue;
      inst.start().catch((err: unknown) => log('error', `${inst.label} could not be rebuilt after the sandbox restart: ${(err as Error).message}`));
    }
  }

  const deps = {
    timeoutMs: options.timeoutMs,
    memoryMb: options.memoryMb,
    lease,
    onMemoryBlowup(culprit: FunctionInstance, error: Error, isolate: ivm.Isolate): void {
      // Every pending call of the dead isolate reports in; only the first one counts.
      const shard = shards.find((s) => s.isolate === isolate);
      if (shard !== undefined && !isDisposed) retire(shard, culprit, error);
    },
    onClosed(instance: FunctionInstance): void {
      instances.delete(instance);
    },
  };

  const compiledBefore = new SourceMemo();
  function check(def: FunctionDef): void {
    checkSyntax(syntaxChecker(options.memoryMb), def, compiledBefore);
  }

  return {
    get restarts() { return restarts; },
    async createFunction(def: FunctionDef, host: SandboxHost, createOptions?: CreateFunctionOptions): Promise<SandboxedFunction> {
      if (isDisposed) throw new ConfigError('functionSandbox', 'the sandbox pool has been disposed');
      const libs = await loadLibs(def, options.externalModules);
      check(def);
      // The first node's first message would otherwise wait for an isolate and the runtime's
      // compile (about 5 ms); opened now, that happens while the deploy finishes. Half a MB.
      if (shards.length === 0) openShard();
      const inst = createFunctionInstance(def, host, libs, deps);
      instances.add(inst);
      if (inst.eager) {
        const started = inst.start();
        try {
          if (createOptions?.untilOnStartBegins === true) await Promise.race([started, inst.begun]);
          else await started;
        } catch (err) {
          instances.delete(inst);
          throw err;
        }
        // Still running when only its beginning was awaited: a later failure reaches the
        // messages (they wait for it through run), not an unhandled rejection.
        started.catch(() => undefined);
      }
      return inst;
    },
    async stats(): Promise<SandboxPoolStats> {
      const alive = shards.filter(live);
      const heaps = await Promise.all(alive.map((s) => s.isolate.getHeapStatistics().catch(() => null)));
      return {
        functions: instances.size,
        contexts: alive.reduce((n, s) => n + s.contexts, 0),
        isolates: alive.length,
        heapUsedBytes: heaps.reduce((n, h) => n + (h?.used_heap_size ?? 0), 0),
        cpuTimeUs: alive.reduce((n, s) => n + Number(s.isolate.cpuTime / 1000n), 0),
      };
    },
    async dispose() {
      if (isDisposed) return;
      for (const inst of [...instances]) await inst.close();
      isDisposed = true;
      for (const s of [...shards]) drop(s);
    },
  };
}
