import type { ContextScope, Msg, NodeContext, NodeStatus } from '../../runtime/types.js';
import type { OutputMessages, SandboxHost, SandboxInput, SandboxLogLevel } from './types.js';

type Cb = (err: Error | null, ...values: unknown[]) => void;

/** A memory context scope with Node-RED's overloads; `asyncStore` answers its callbacks later. */
function memoryScope(asyncStore: string): ContextScope {
  const stores = new Map<string, Map<string, unknown>>();
  const data = (store?: string) => {
    const name = store ?? 'default';
    let m = stores.get(name);
    if (m === undefined) { m = new Map(); stores.set(name, m); }
    return m;
  };
  const answer = (store: string | undefined, cb: () => void) => (store === asyncStore ? setImmediate(cb) : cb());
  const split = (a: unknown, b: unknown): [string | undefined, Cb | undefined] =>
    typeof a === 'function' ? [undefined, a as Cb] : [a as string | undefined, b as Cb | undefined];
  const read = (keys: string | string[], store?: string) =>
    Array.isArray(keys) ? keys.map((k) => data(store).get(k)) : data(store).get(keys);
  const scope = {
    get(keys: string | string[], a?: unknown, b?: unknown): unknown {
      const [store, cb] = split(a, b);
      if (cb === undefined) return read(keys, store);
      answer(store, () => cb(null, ...(Array.isArray(keys) ? (read(keys, store) as unknown[]) : [read(keys, store)])));
      return undefined;
    },
    set(keys: string | string[], value: unknown, a?: unknown, b?: unknown): void {
      const [store, cb] = split(a, b);
      if (store === 'broken') throw new Error('store broken is not configured');
      if (Array.isArray(keys)) keys.forEach((k, i) => data(store).set(k, (value as unknown[])[i]));
      else data(store).set(keys, value);
      if (cb !== undefined) answer(store, () => cb(null));
    },
    keys(a?: unknown, b?: unknown): string[] | undefined {
      const [store, cb] = split(a, b);
      const keys = [...data(store).keys()];
      if (cb === undefined) return keys;
      answer(store, () => cb(null, keys));
      return undefined;
    },
  };
  return scope as unknown as ContextScope;
}

export interface FakeHost extends SandboxHost {
  sent: OutputMessages[];
  errors: Array<{ error: Error; msg?: Msg }>;
  logs: Array<{ level: SandboxLogLevel; message: unknown }>;
  statuses: Array<NodeStatus | string>;
  env: Record<string, unknown>;
}

/** A SandboxHost that records every call, for tests and the benchmark. */
export function createFakeHost(): FakeHost {
  const node = memoryScope('slow') as NodeContext;
  (node as { flow: ContextScope }).flow = memoryScope('slow');
  (node as { global: ContextScope }).global = memoryScope('slow');
  const host: FakeHost = {
    sent: [], errors: [], logs: [], statuses: [], env: {},
    send(output) { host.sent.push(output); },
    error(error, msg) { host.errors.push({ error, msg }); },
    log(level, message) { host.logs.push({ level, message }); },
    status(status) { host.statuses.push(status); },
    context: node,
    getEnv(name) { return host.env[name]; },
  };
  return host;
}

export interface RecordedInput extends SandboxInput {
  sends: OutputMessages[];
  dones: Array<Error | undefined>;
  finished: Promise<Error | undefined>;
}

/** An input whose send/done calls are recorded; `finished` resolves on the first done. */
export function recordedInput(msg: Msg): RecordedInput {
  let finish!: (e: Error | undefined) => void;
  const input: RecordedInput = {
    msg, sends: [], dones: [],
    finished: new Promise((r) => { finish = r; }),
    send(output) { input.sends.push(output); },
    done(error) { input.dones.push(error); finish(error); },
  };
  return input;
}
