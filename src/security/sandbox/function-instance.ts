import type ivm from 'isolated-vm';
import type { Msg, NodeStatus } from '../../runtime/types.js';
import { classifyCallError } from './call-errors.js';
import { FunctionCodeError } from './errors.js';
import { createHostBridge } from './host-bridge.js';
import type { Outcome } from './host-bridge.js';
import type { LoadedLib } from './libs.js';
import { asMsgId, describeThrown, normaliseOutput, normaliseSent, reattach, restore, setAside } from './transfer.js';
import type { Aside, MsgId, ThrownInfo } from './transfer.js';
import type { FunctionDef, RunResult, SandboxedFunction, SandboxHost, SandboxInput } from './types.js';
import type { ContextLease } from './user-code.js';
import { buildContext, codeFiles, nodeLabel } from './user-code.js';
import type { BuiltContext } from './user-code.js';


export interface InstanceDeps {
  timeoutMs: number;
  memoryMb: number;
  /** Finds room for one more context: an isolate with space, or a new one. */
  lease(): Promise<ContextLease>;
  /** The isolate died in a call made for `culprit`; the pool resets every function living in it. */
  onMemoryBlowup(culprit: FunctionInstance, error: Error, isolate: ivm.Isolate): void;
  onClosed(instance: FunctionInstance): void;
}

export interface FunctionInstance extends SandboxedFunction {
  readonly label: string;
  /** Has On Start code: its context is built at creation (and after a restart), not at first use. */
  readonly eager: boolean;
  /** The isolate holding the node's context, or null while it has none. */
  readonly isolate: ivm.Isolate | null;
  /** Builds the node's context (if it has none) and runs its On Start code; callers share one build. */
  start(): Promise<void>;
  /** Settles once the first start has run On Start code's synchronous part, or has ended. */
  readonly begun: Promise<void>;
  /**
   * The isolate is gone: fail what is pending with `error`, drop timers, forget the context. A
   * node whose On Start code blew the memory limit stays failed instead of restarting.
   */
  reset(error: Error, isCulprit: boolean): void;
}

interface Batch {
  results: RunResult[];
  remaining: number;
  resolve(): void;
}

interface Entry {
  input: SandboxInput | null;
  msgid: MsgId;
  aside: Aside;
  settled: boolean;
  holds: number;
  batch: Batch;
  index: number;
}

type Refs = BuiltContext;

/** A slice of a batch as the runtime returns it: values, codes (null when all returned), where it stopped. */
type Chunk = [unknown[], number[] | null, number];

const CALLS_DONE = /node\.done\s*\(\s*\)/;
const START_ATTEMPTS = 3;
const CROSSING = 1000;

export function createFunctionInstance(def: FunctionDef, host: SandboxHost, libs: readonly LoadedLib[], deps: InstanceDeps): FunctionInstance {
  const label = nodeLabel(def);
  const files = codeFiles(def);
  const eager = Boolean(def.initialize?.trim());
  // Node-RED calls done() itself unless the code looks like it does.
  const isDoneAutomatic = !CALLS_DONE.test(def.func);
  // A node's own limit (Node-RED's per-node timeout) may lower the pool's, never raise it.
  const timeoutMs = def.timeoutMs !== undefined && def.timeoutMs > 0 ? Math.min(def.timeoutMs, deps.timeoutMs) : deps.timeoutMs;
  const sliceMs = Math.max(1, Math.min(50, Math.floor(timeoutMs / 10)));
  const entries = new Map<number, Entry>();
  const timers = new Map<number, { handle: NodeJS.Timeout; repeat: boolean; tag: number }>();
  const waits = new Map<number, number>();
  let nextToken = 1;
  let nextWait = -1;
  let refs: Refs | null = null;
  let starting: Promise<void> | null = null;
  // Bumped on every reset: calls begun before it were failed by the reset and report nothing more.
  let generation = 0;
  let inSetup = false;
  let isBroken = false;
  let setupError: Error | null = null;
  let closed = false;
  let statusUsed = false;
  // Batches of one node go into the isolate one after another: a batch runs in several slices,
  // and the next batch's messages must neither overtake its rest nor replace it in the runtime.
  let lane: Promise<void> = Promise.resolve();
  let markBegun: () => void = () => undefined;
  const begun = new Promise<void>((resolve) => { markBegun = resolve; });

  const codeError = (code: string, info: ThrownInfo, file: string) => {
    const d = describeThrown(info, file);
    return new FunctionCodeError(code, d.message, def.nodeId, d.thrown);
  };
  const limitError = (kind: 'timeout' | 'memory') => kind === 'timeout'
    // Node-RED's wording (Node's vm): flows and catch nodes may look for it.
    ? new FunctionCodeError('function_timeout', `Script execution timed out after ${timeoutMs}ms`, def.nodeId, { message: 'timeout' })
    : new FunctionCodeError('function_memory_limit', `${label} used more than the sandbox memory limit of ${deps.memoryMb} MB; the sandbox was restarted`, def.nodeId, { message: 'memory limit' });
  // Node-RED logs a non-message as a plain error line, with no msg: catch nodes do not see it.
  const reject = (message: string) => host.log('error', message);
  const goneError = () => new FunctionCodeError('function_closed', `${label} is no longer running`, def.nodeId, { message: 'closed' });

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
  function finish(e: Entry, result: RunResult): void {
    e.batch.results[e.index] = result;
    if (--e.batch.remaining === 0) e.batch.resolve();
  }

  function fail(token: number, error: Error): void {
    const e = entries.get(token);
    if (e === undefined || e.settled) return;
    e.settled = true;
    e.input?.done(error);
    finish(e, { status: 'error', error });
    release(token);
  }

  function settleValue(token: number, code: number, value: unknown): void {
    const e = entries.get(token);
    if (e === undefined || e.settled || code === 2) return;
    if (code === 1) { fail(token, codeError('function_error', value as ThrownInfo, e.input ? files.body : files.setup)); return; }
    e.settled = true;
    let output = null;
    if (e.input !== null) {
      output = normaliseSent(restore(value), e.msgid, e.aside, reject);
      if (output !== null) e.input.send(output);
      if (isDoneAutomatic) e.input.done();
    }
    finish(e, { status: 'ok', output });
    release(token);
  }
  const settle = (token: number, outcome: Outcome) => settleValue(token, outcome[0], outcome[1]);

  function failForCall(err: unknown, tag: number, iso: ivm.Isolate, gen: number): void {
    if (gen !== generation) return;
    const kind = classifyCallError(err, iso.isDisposed);
    const error = kind === 'timeout' || kind === 'memory' ? limitError(kind) : new FunctionCodeError('function_error', `${label}: ${(err as Error).message}`, def.nodeId, { message: String((err as Error).message) });
    const e = entries.get(tag);
    if (e !== undefined && !e.settled) fail(tag, error);
    else if (kind !== 'disposed') host.error(error);
    if (kind === 'memory') deps.onMemoryBlowup(instance, error, iso);
  }

  async function call(r: Refs, args: unknown[], extraMs = 0): Promise<unknown> {
    return r.api.apply(undefined, args, { arguments: { copy: true }, result: { copy: true }, timeout: timeoutMs + extraMs });
  }

  async function fire(kind: 'timer' | 'cb', id: number, args: unknown[] | null, tag: number): Promise<void> {
    const r = refs;
    if (r === null) return;
    const gen = generation;
    try {
      await call(r, ['fire', kind, id, args]);
    } catch (err) {
      if (kind === 'timer') clearTimer(id);
      failForCall(err, tag, r.lease.isolate, gen);
    }
  }

  function clearTimer(id: number): void {
    const t = timers.get(id);
    if (t === undefined) return;
    timers.delete(id);
    if (t.repeat) clearInterval(t.handle); else clearTimeout(t.handle);
    hold(t.tag, -1);
  }

  // Made at the first build: a node that never gets a message never needs it.
  const makeBridge = () => createHostBridge({
    host,
    libs,
    send(tag, msgid, value) {
      const e = entries.get(tag);
      const output = normaliseOutput(value, { msgid, aside: e?.aside ?? null, reject });
      // A timer call already queued in the isolate when the node closed must not send.
      if (output === null || closed) return;
      if (e?.input) e.input.send(output); else host.send(output);
    },
    done(tag, thrown) {
      const e = entries.get(tag);
      if (e?.input === undefined || e.input === null) return;
      // Its own code: Node-RED hands what the code passed to done() on as it is, where a throw
      // also puts the Error on msg.error.
      e.input.done(thrown === null ? undefined : codeError('function_done_error', thrown, files.body));
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
  let bridge: ReturnType<typeof createHostBridge> | null = null;

  /** Builds in a leased place, trying again elsewhere if that isolate dies meanwhile. */
  async function buildSomewhere(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const gen = generation;
      const lease = await deps.lease();
      try {
        const built = await buildContext(lease, def, libs, bridge ??= makeBridge(), deps.timeoutMs);
        if (gen === generation && !closed) { refs = built; return; }
        built.context.release();
        lease.release();
        if (closed) return;
      } catch (err) {
        lease.release();
        const kind = classifyCallError(err, lease.isolate.isDisposed);
        if (kind === 'memory') deps.onMemoryBlowup(instance, limitError('memory'), lease.isolate);
        if ((kind !== 'disposed' && kind !== 'memory') || attempt >= START_ATTEMPTS) throw err;
      }
    }
  }

  async function runSetup(): Promise<void> {
    const r = refs;
    if (r === null || !eager) return;
    const token = nextToken++;
    const batch: Batch = { results: [], remaining: 1, resolve: () => undefined };
    const done = new Promise<void>((resolve) => { batch.resolve = resolve; });
    entries.set(token, { input: null, msgid: undefined, aside: null, settled: false, holds: 0, batch, index: 0 });
    const gen = generation;
    try {
      settle(token, (await call(r, ['initialize', token])) as Outcome);
    } catch (err) {
      failForCall(err, token, r.lease.isolate, gen);
    }
    markBegun();
    await done;
    const result = batch.results[0]!;
    if (result.status === 'error') {
      setupError = new FunctionCodeError('function_setup_failed', `${label}: On Start code failed: ${result.error.message}`, def.nodeId, { message: result.error.message });
      host.error(setupError);
    }
  }

  function settleChunk(first: number, from: number, chunk: Chunk): void {
    const [values, codes] = chunk;
    for (let k = 0; k < values.length; k++) settleValue(first + from + k, codes === null ? 0 : codes[k]!, values[k]);
  }

  /** What a stopped or uncopyable slice did: each outcome copied on its own, so one bad value fails one message. */
  async function salvage(r: Refs, first: number, from: number, stopped: number): Promise<void> {
    for (let i = from; i < stopped; i++) {
      try {
        const [code, value] = (await call(r, ['collect', i - from])) as [number, unknown];
        settleValue(first + i, code, value);
      } catch (inner) {
        settleValue(first + i, 1, { name: 'DataCloneError', message: `the value could not be copied out of the sandbox: ${(inner as Error).message}` });
      }
    }
  }

  // A batch crosses in parts of at most CROSSING messages: the copies made for the isolate and
  // for its answers then stay few at a time (a split can queue 20,000 messages in one tick), and
  // one crossing (tens of µs) spread over a thousand messages costs next to nothing each.
  async function execute(first: number, inside: Msg[]): Promise<void> {
    if (inside.length <= CROSSING) return executePart(first, inside);
    for (let off = 0; off < inside.length; off += CROSSING) await executePart(first + off, inside.slice(off, off + CROSSING));
  }

  // The part crosses in once; the runtime works through it in time slices and the host asks for
  // the next slice by index, so no message is copied in twice.
  async function executePart(first: number, inside: Msg[]): Promise<void> {
    const n = inside.length;
    const gen = generation;
    let from = 0;
    let args: unknown[] = ['run', inside, first, sliceMs];
    while (from < n) {
      const r = refs;
      if (r === null || gen !== generation) break;
      try {
        const chunk = (await call(r, args, sliceMs)) as Chunk;
        settleChunk(first, from, chunk);
        from = chunk[2];
      } catch (err) {
        if (gen !== generation) return;
        const kind = classifyCallError(err, r.lease.isolate.isDisposed);
        if (kind !== 'timeout' && kind !== 'copy') {
          for (let i = from; i < n; i++) failForCall(err, first + i, r.lease.isolate, gen);
          return;
        }
        try {
          const stopped = (await call(r, ['index'])) as number;
          await salvage(r, first, from, stopped);
          if (kind === 'timeout') fail(first + stopped, limitError('timeout'));
          from = kind === 'timeout' ? stopped + 1 : stopped;
        } catch (inner) {
          for (let i = from; i < n; i++) failForCall(inner, first + i, r.lease.isolate, gen);
          return;
        }
      }
      args = ['more', first, from, sliceMs];
    }
    if (from < n) for (let i = from; i < n; i++) fail(first + i, goneError());
  }

  function releaseContext(): void {
    const r = refs;
    refs = null;
    if (r === null) return;
    if (!r.lease.isolate.isDisposed) r.context.release();
    r.lease.release();
  }

  const instance: FunctionInstance = {
    nodeId: def.nodeId,
    label,
    eager,
    begun,
    get isolate() { return refs?.lease.isolate ?? null; },
    start() {
      // A context already built may still be running its On Start code: callers wait for that.
      if (starting !== null) return starting;
      if (refs !== null || isBroken || closed) return Promise.resolve();
      starting ??= (async () => {
        // An isolate that dies during On Start (another node's doing) takes this build with it:
        // build and run On Start again, unless this node was the one that blew it.
        for (;;) {
          const gen = generation;
          await buildSomewhere();
          if (refs === null) return;
          inSetup = true;
          setupError = null;
          await runSetup();
          inSetup = false;
          if (gen === generation || isBroken || closed) return;
        }
      })().finally(() => { inSetup = false; starting = null; markBegun(); });
      return starting;
    },
    reset(error, isCulprit) {
      generation++;
      if (isCulprit && inSetup) isBroken = true;
      else setupError = null;
      releaseContext();
      for (const t of [...timers.keys()]) clearTimer(t);
      waits.clear();
      for (const token of [...entries.keys()]) fail(token, error);
      entries.clear();
    },
    async run(inputs) {
      if (refs === null || starting !== null) {
        try {
          await instance.start();
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          const error = new FunctionCodeError('function_error', `${label} could not start: ${reason}`, def.nodeId, { message: reason });
          return inputs.map((input) => { input.done(error); return { status: 'error' as const, error }; });
        }
      }
      if (closed) return inputs.map(() => ({ status: 'closed' as const }));
      if (refs === null || setupError !== null) {
        const error = setupError ?? goneError();
        return inputs.map((input) => { input.done(error); return { status: 'error' as const, error }; });
      }
      if (inputs.length === 0) return [];
      const batch: Batch = { results: new Array<RunResult>(inputs.length), remaining: inputs.length, resolve: () => undefined };
      const all = new Promise<RunResult[]>((resolve) => { batch.resolve = () => resolve(batch.results); });
      const first = nextToken;
      nextToken += inputs.length;
      const inside = new Array<Msg>(inputs.length);
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i]!;
        const split = setAside(input.msg);
        inside[i] = split.inside;
        const msgid = asMsgId(input.msg._msgid);
        entries.set(first + i, { input, msgid, aside: split.aside, settled: false, holds: 0, batch, index: i });
      }
      const turn = lane.then(() => execute(first, inside));
      lane = turn.catch(() => undefined);
      await turn;
      return all;
    },
    async close() {
      if (closed) return;
      if (starting !== null) await starting.catch(() => undefined);
      // On Stop code runs even for a node that never needed its context until now.
      if (refs === null && !isBroken && def.finalize?.trim()) {
        try {
          await buildSomewhere();
        } catch (err) {
          host.error(new FunctionCodeError('function_error', `${label}: On Stop code could not run: ${(err as Error).message}`, def.nodeId, { message: (err as Error).message }));
        }
      }
      closed = true;
      const current = refs;
      if (current !== null) {
        const gen = generation;
        try {
          const errors = (await call(current, ['finalize'])) as ThrownInfo[];
          for (const info of errors) host.error(codeError('function_error', info, files.close));
        } catch (err) {
          failForCall(err, 0, current.lease.isolate, gen);
        }
      }
      for (const t of [...timers.keys()]) clearTimer(t);
      waits.clear();
      for (const e of entries.values()) if (!e.settled) { e.settled = true; finish(e, { status: 'closed' }); }
      entries.clear();
      releaseContext();
      if (statusUsed) host.status({});
      deps.onClosed(instance);
    },
  };
  return instance;
}
