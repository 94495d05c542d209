import ivm from 'isolated-vm';
import type { Msg, NodeStatus } from '../../runtime/types.js';
import { classifyCallError } from './call-errors.js';
import { FunctionCodeError, FunctionSyntaxError } from './errors.js';
import { createHostBridge } from './host-bridge.js';
import type { Outcome } from './host-bridge.js';
import type { LoadedLib } from './libs.js';
import { describeThrown, normaliseOutput, reattach, restore, setAside } from './transfer.js';
import type { Aside, ThrownInfo } from './transfer.js';
import type { FunctionDef, RunResult, SandboxedFunction, SandboxHost, SandboxInput } from './types.js';

/** The isolate as the pool hands it to each function: rebuilt with new scripts after a blow-up. */
export interface IsolateHandle {
  isolate: ivm.Isolate;
  scripts: { buffer: ivm.Script; util: ivm.Script; runtime: ivm.Script };
}

export interface InstanceDeps {
  timeoutMs: number;
  memoryMb: number;
  /** The isolate died in a call made for `culprit`; the pool resets every function and rebuilds. */
  onMemoryBlowup(culprit: FunctionInstance, error: Error, isolate: ivm.Isolate): void;
  onClosed(instance: FunctionInstance): void;
}

export interface FunctionInstance extends SandboxedFunction {
  readonly label: string;
  /** Builds the node's context in `handle`'s isolate and runs its On Start code. */
  start(handle: IsolateHandle): Promise<void>;
  /**
   * The isolate is gone: fail what is pending with `error`, drop timers, hold new messages until
   * `start`. A node whose On Start code blew the memory limit stays failed instead of restarting.
   */
  reset(error: Error, isCulprit: boolean): void;
}

interface Entry {
  input: SandboxInput | null;
  inside: Msg;
  msgid: string | undefined;
  aside: Aside;
  settled: boolean;
  holds: number;
  resolve(result: RunResult): void;
}

interface Refs {
  context: ivm.Context;
  runBatch: ivm.Reference;
  progress: ivm.Reference;
  collect: ivm.Reference;
  initialize: ivm.Reference;
  finalize: ivm.Reference;
  fire: ivm.Reference;
}

const ASYNC_BODY = /\bawait\b/;
const CALLS_DONE = /node\.done\s*\(\s*\)/;

export function createFunctionInstance(def: FunctionDef, host: SandboxHost, libs: readonly LoadedLib[], deps: InstanceDeps): FunctionInstance {
  const label = def.name ? `function node '${def.name}' (${def.nodeId})` : `function node (${def.nodeId})`;
  const files = { body: `Function node:${def.nodeId}`, setup: `Function node setup:${def.nodeId}`, close: `Function node cleanup:${def.nodeId}` };
  // Node-RED calls done() itself unless the code looks like it does.
  const autoDone = !CALLS_DONE.test(def.func);
  const sliceMs = Math.max(1, Math.min(50, Math.floor(deps.timeoutMs / 10)));
  const entries = new Map<number, Entry>();
  const timers = new Map<number, { handle: NodeJS.Timeout; repeat: boolean; tag: number }>();
  const waits = new Map<number, number>();
  let nextToken = 1;
  let nextWait = -1;
  let refs: Refs | null = null;
  let isolate: ivm.Isolate | null = null;
  let ready: Promise<void> | null = null;
  let markReady: (() => void) | null = null;
  let inSetup = false;
  let isBroken = false;
  let setupError: Error | null = null;
  let closed = false;
  let statusUsed = false;

  const codeError = (code: string, info: ThrownInfo, file: string) => {
    const d = describeThrown(info, file);
    return new FunctionCodeError(code, d.message, def.nodeId, d.thrown);
  };
  const limitError = (kind: 'timeout' | 'memory') => kind === 'timeout'
    ? new FunctionCodeError('function_timeout', `${label} ran longer than ${deps.timeoutMs} ms`, def.nodeId, { message: 'timeout' })
    : new FunctionCodeError('function_memory_limit', `${label} used more than the sandbox memory limit of ${deps.memoryMb} MB; the sandbox was restarted`, def.nodeId, { message: 'memory limit' });

  function release(token: number): void {
    const e = entries.get(token);
    if (e !== undefined && e.settled && e.holds <= 0) entries.delete(token);
  }
  function hold(tag: number, delta: number): void {
    const e = entries.get(tag);
    if (e === undefined) return;
    e.holds += delta;
    release(tag);
  }

  function fail(token: number, error: Error): void {
    const e = entries.get(token);
    if (e === undefined || e.settled) return;
    e.settled = true;
    e.input?.done(error);
    e.resolve({ status: 'error', error });
    release(token);
  }

  function settle(token: number, outcome: Outcome): void {
    const e = entries.get(token);
    if (e === undefined || e.settled || outcome[0] === 2) return;
    if (outcome[0] === 1) { fail(token, codeError('function_error', outcome[1], e.input ? files.body : files.setup)); return; }
    e.settled = true;
    let output = null;
    if (e.input !== null) {
      output = normaliseOutput(restore(outcome[1]), { msgid: e.msgid, aside: e.aside, reject: (m) => host.error(new Error(m)) });
      if (output !== null) e.input.send(output);
      if (autoDone) e.input.done();
    }
    e.resolve({ status: 'ok', output });
    release(token);
  }

  function failForCall(err: unknown, tag: number): void {
    const kind = classifyCallError(err, isolate?.isDisposed ?? true);
    const error = kind === 'timeout' || kind === 'memory' ? limitError(kind) : new FunctionCodeError('function_error', `${label}: ${(err as Error).message}`, def.nodeId, { message: String((err as Error).message) });
    const e = entries.get(tag);
    if (e !== undefined && !e.settled) fail(tag, error);
    else if (kind !== 'disposed') host.error(error);
    if (kind === 'memory' && isolate !== null) deps.onMemoryBlowup(instance, error, isolate);
  }

  async function call(ref: ivm.Reference, args: unknown[], extraMs = 0): Promise<unknown> {
    return ref.apply(undefined, args, { arguments: { copy: true }, result: { copy: true }, timeout: deps.timeoutMs + extraMs });
  }

  async function fire(kind: 'timer' | 'cb', id: number, args: unknown[] | null, tag: number): Promise<void> {
    if (refs === null) return;
    try {
      await call(refs.fire, [kind, id, args]);
    } catch (err) {
      if (kind === 'timer') clearTimer(id);
      failForCall(err, tag);
    }
  }

  function clearTimer(id: number): void {
    const t = timers.get(id);
    if (t === undefined) return;
    timers.delete(id);
    if (t.repeat) clearInterval(t.handle); else clearTimeout(t.handle);
    hold(t.tag, -1);
  }

  const bridge = createHostBridge({
    host,
    libs,
    send(tag, msgid, value) {
      const e = entries.get(tag);
      const output = normaliseOutput(value, { msgid, aside: e?.aside ?? null, reject: (m) => host.error(new Error(m)) });
      // A timer call already queued in the isolate when the node closed must not send.
      if (output === null || closed) return;
      if (e?.input) e.input.send(output); else host.send(output);
    },
    done(tag, thrown) {
      const e = entries.get(tag);
      if (e?.input === undefined || e.input === null) return;
      e.input.done(thrown === null ? undefined : codeError('function_error', thrown, files.body));
    },
    error(info, msg, tag) {
      const d = describeThrown(info, files.body);
      const error = new FunctionCodeError('function_error', d.message, def.nodeId, d.thrown);
      if (msg !== null && typeof msg === 'object') reattach(msg as Msg, entries.get(tag)?.aside ?? null);
      host.error(error, msg !== null && typeof msg === 'object' ? (msg as Msg) : undefined);
    },
    status(s: NodeStatus | string) { statusUsed = true; host.status(s); },
    settle,
    addTimer(id, ms, repeat, tag) {
      if (closed || timers.has(id)) return;
      const run = () => {
        if (!repeat) { timers.delete(id); }
        void fire('timer', id, null, tag).finally(() => { if (!repeat) hold(tag, -1); });
      };
      const handle = repeat ? setInterval(run, ms) : setTimeout(run, ms);
      timers.set(id, { handle, repeat, tag });
      hold(tag, 1);
    },
    clearTimer,
    startWait(tag) {
      const id = nextWait--;
      waits.set(id, tag);
      hold(tag, 1);
      return id;
    },
    finishWait(id, args) {
      const tag = waits.get(id);
      if (tag === undefined) return;
      waits.delete(id);
      void fire('cb', id, args, tag).finally(() => hold(tag, -1));
    },
  });

  async function compile(iso: ivm.Isolate, file: string, params: string, code: string, isAsync: boolean, property: string): Promise<ivm.Script> {
    const source = `(${isAsync ? 'async ' : ''}function (${params}) {\n${code}\n})`;
    try {
      return await iso.compileScript(source, { filename: file, lineOffset: -1 });
    } catch (err) {
      throw new FunctionSyntaxError(`${label}: ${(err as Error).message}`, def.nodeId, property);
    }
  }

  async function build(handle: IsolateHandle): Promise<void> {
    const iso = handle.isolate;
    const scripts = {
      body: await compile(iso, files.body, 'msg, node', def.func, ASYNC_BODY.test(def.func), 'func'),
      setup: def.initialize?.trim() ? await compile(iso, files.setup, 'node', def.initialize, true, 'initialize') : null,
      close: def.finalize?.trim() ? await compile(iso, files.close, 'node', def.finalize, false, 'finalize') : null,
    };
    const context = await iso.createContext();
    await handle.scripts.buffer.run(context, { timeout: deps.timeoutMs });
    await handle.scripts.util.run(context, { timeout: deps.timeoutMs });
    const setup = (await handle.scripts.runtime.run(context, { reference: true, timeout: deps.timeoutMs })) as ivm.Reference;
    const cfg = { id: def.nodeId, name: def.name ?? '', outputs: def.outputs, libs: libs.map((l) => ({ var: l.var, shape: l.shape })) };
    const api = (await setup.apply(undefined, [new ivm.Callback(bridge), new ivm.ExternalCopy(cfg).copyInto()], { result: { reference: true }, timeout: deps.timeoutMs })) as ivm.Reference;
    const get = (name: string) => api.get(name, { reference: true }) as Promise<ivm.Reference>;
    const setCode = await get('setCode');
    for (const kind of ['body', 'setup', 'close'] as const) {
      const script = scripts[kind];
      if (script === null) continue;
      const fn = (await script.run(context, { reference: true, timeout: deps.timeoutMs })) as ivm.Reference;
      await setCode.apply(undefined, [kind, fn.derefInto()], { timeout: deps.timeoutMs });
    }
    refs = {
      context, runBatch: await get('runBatch'), progress: await get('progress'), collect: await get('collect'),
      initialize: await get('initialize'), finalize: await get('finalize'), fire: await get('fire'),
    };
    isolate = iso;
  }

  async function runSetup(): Promise<void> {
    if (refs === null || !def.initialize?.trim()) return;
    const token = nextToken++;
    const result = new Promise<RunResult>((resolve) => {
      entries.set(token, { input: null, inside: {}, msgid: undefined, aside: null, settled: false, holds: 0, resolve });
    });
    try {
      settle(token, (await call(refs.initialize, [token])) as Outcome);
    } catch (err) {
      failForCall(err, token);
    }
    const r = await result;
    if (r.status === 'error') {
      setupError = new FunctionCodeError('function_setup_failed', `${label}: On Start code failed: ${r.error.message}`, def.nodeId, { message: r.error.message });
      host.error(setupError);
    }
  }

  async function execute(batch: Array<{ token: number; entry: Entry }>): Promise<void> {
    let rest = batch;
    while (rest.length > 0 && refs !== null) {
      const first = rest[0]!.token;
      let outcomes: Outcome[];
      try {
        outcomes = (await call(refs.runBatch, [rest.map((r) => r.entry.inside), first, sliceMs], sliceMs)) as Outcome[];
      } catch (err) {
        const kind = classifyCallError(err, isolate?.isDisposed ?? true);
        if (kind === 'timeout' && refs !== null) {
          const p = (await call(refs.progress, [])) as { index: number; results: Outcome[] };
          p.results.forEach((o, i) => settle(first + i, o));
          fail(first + p.index, limitError('timeout'));
          rest = rest.slice(p.index + 1);
          continue;
        }
        if (kind === 'copy' && refs !== null) {
          outcomes = [];
          for (let i = 0; i < rest.length; i++) {
            try {
              outcomes.push((await call(refs.collect, [i])) as Outcome);
            } catch (inner) {
              outcomes.push([1, { name: 'DataCloneError', message: `the value could not be copied out of the sandbox: ${(inner as Error).message}` }]);
            }
          }
        } else {
          for (const r of rest) failForCall(err, r.token);
          return;
        }
      }
      outcomes.forEach((o, i) => settle(first + i, o));
      rest = rest.slice(outcomes.length);
    }
    const gone = new FunctionCodeError('function_closed', `${label} is no longer running`, def.nodeId, { message: 'closed' });
    for (const r of rest) fail(r.token, gone);
  }

  const instance: FunctionInstance = {
    nodeId: def.nodeId,
    label,
    async start(handle) {
      if (markReady === null) ready = new Promise<void>((resolve) => { markReady = resolve; });
      try {
        if (!isBroken) {
          await build(handle);
          inSetup = true;
          await runSetup();
        }
      } finally {
        inSetup = false;
        ready = null;
        markReady?.();
        markReady = null;
      }
    },
    reset(error, isCulprit) {
      refs = null;
      if (isCulprit && inSetup) {
        isBroken = true;
      } else {
        setupError = null;
        if (markReady === null) ready = new Promise<void>((resolve) => { markReady = resolve; });
      }
      for (const t of [...timers.keys()]) clearTimer(t);
      waits.clear();
      for (const token of [...entries.keys()]) fail(token, error);
      entries.clear();
    },
    async run(inputs) {
      if (ready !== null) await ready;
      if (closed) return inputs.map(() => ({ status: 'closed' as const }));
      const batch = inputs.map((input) => {
        const token = nextToken++;
        const { inside, aside } = setAside(input.msg);
        let resolve!: (r: RunResult) => void;
        const promise = new Promise<RunResult>((r) => { resolve = r; });
        const entry: Entry = { input, inside, msgid: typeof input.msg._msgid === 'string' ? input.msg._msgid : undefined, aside, settled: false, holds: 0, resolve };
        entries.set(token, entry);
        return { token, entry, promise };
      });
      if (setupError !== null) for (const b of batch) fail(b.token, setupError);
      else await execute(batch);
      return Promise.all(batch.map((b) => b.promise));
    },
    async close() {
      if (closed) return;
      if (ready !== null) await ready;
      closed = true;
      const current = refs;
      if (current !== null) {
        try {
          const errors = (await call(current.finalize, [])) as ThrownInfo[];
          for (const info of errors) host.error(codeError('function_error', info, files.close));
        } catch (err) {
          failForCall(err, 0);
        }
      }
      for (const t of [...timers.keys()]) clearTimer(t);
      waits.clear();
      for (const e of entries.values()) if (!e.settled) { e.settled = true; e.resolve({ status: 'closed' }); }
      entries.clear();
      refs = null;
      if (current !== null && isolate !== null && !isolate.isDisposed) current.context.release();
      if (statusUsed) host.status({});
      deps.onClosed(instance);
    },
  };
  return instance;
}
