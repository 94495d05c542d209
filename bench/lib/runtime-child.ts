import { spawn, type ChildProcess } from 'node:child_process';
import { cpuSeconds, peakRss } from './proc-stat.js';

export type RuntimeKind = 'node-red' | 'redoubt';

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  peakRss: number | null;
}

export interface Reply {
  id: number;
  ok: boolean;
  error?: string;
  log?: string[];
  /** Warnings and errors the runtime logged while handling the request. */
  warnings?: string[];
  /** How many warnings and errors the runtime logged while handling it (warnings holds at most 50). */
  problemCount?: number;
  ms?: number;
  deployMs?: number;
  marker?: string;
  mem?: MemorySample;
}

export type Request =
  | { cmd: 'deploy'; flows: unknown[]; type: 'full' | 'nodes' | 'flows'; timeoutMs?: number }
  | { cmd: 'run'; flows: unknown[]; type: 'full' | 'nodes' | 'flows'; token: string; timeoutMs?: number }
  | { cmd: 'mem'; timeoutMs?: number }
  | { cmd: 'stop'; timeoutMs?: number };

export interface RuntimeChild {
  kind: RuntimeKind;
  pid: number;
  /** Spawn to "ready" (runtime started with empty flows), measured by the harness. */
  startupMs: number;
  version: string;
  request(req: Request): Promise<Reply>;
  cpu(): number;
  peakRss(): number | null;
  /** Asks the runtime to stop, and kills it if it does not exit in time. */
  close(): Promise<void>;
}

/** The runtime could not be started at all (e.g. Redoubt's engine is not there yet). */
export class RuntimeUnavailable extends Error {
  constructor(
    readonly kind: RuntimeKind,
    readonly reason: string,
  ) {
    super(`${kind} runtime not available: ${reason}`);
    this.name = 'RuntimeUnavailable';
  }
}

export interface SpawnSpec {
  kind: RuntimeKind;
  args: string[];
  cwd: string;
  ticksPerSecond: number;
  readyTimeoutMs: number;
}

/** Keeps the last lines a child printed, for error messages. */
function tail(child: ChildProcess): () => string {
  let buf = '';
  const keep = (chunk: Buffer): void => {
    buf = (buf + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => buf;
}

export function startRuntime(spec: SpawnSpec): Promise<RuntimeChild> {
  const spawnedAt = Date.now();
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, spec.args, {
    cwd: spec.cwd,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, BENCH_SPAWNED_AT: String(spawnedAt) },
  });
  const output = tail(child);
  const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  let exited = false;

  const failAll = (why: string): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`${spec.kind}: ${why}\n${output()}`));
      pending.delete(id);
    }
  };

  return new Promise<RuntimeChild>((resolve, reject) => {
    const readyTimer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${spec.kind} did not become ready within ${spec.readyTimeoutMs} ms\n${output()}`));
    }, spec.readyTimeoutMs);

    child.on('exit', (code, signal) => {
      exited = true;
      clearTimeout(readyTimer);
      failAll(`exited (${code ?? signal})`);
      reject(new Error(`${spec.kind} exited before ready (${code ?? signal})\n${output()}`));
    });

    child.on('message', (raw: unknown) => {
      const m = raw as { type?: string; id?: number; version?: string; reason?: string; error?: string } & Reply;
      if (m.type === 'ready') {
        clearTimeout(readyTimer);
        const startupMs = Number(process.hrtime.bigint() - t0) / 1e6;
        resolve(handle(startupMs, m.version ?? '?'));
        return;
      }
      if (m.type === 'unavailable') {
        clearTimeout(readyTimer);
        reject(new RuntimeUnavailable(spec.kind, m.reason ?? 'unknown reason'));
        return;
      }
      if (m.type === 'failed') {
        clearTimeout(readyTimer);
        reject(new Error(`${spec.kind} failed to start: ${m.error}\n${output()}`));
        return;
      }
      if (typeof m.id === 'number') {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        clearTimeout(p.timer);
        p.resolve(m);
      }
    });

    function handle(startupMs: number, version: string): RuntimeChild {
      const pid = child.pid as number;
      const request = (req: Request): Promise<Reply> => {
        if (exited) return Promise.reject(new Error(`${spec.kind} has exited\n${output()}`));
        const id = nextId++;
        // The child enforces req.timeoutMs itself; this one catches a child that hangs outright.
        const limit = (req.timeoutMs ?? 60000) + 15000;
        return new Promise<Reply>((res, rej) => {
          const timer = setTimeout(() => {
            pending.delete(id);
            rej(new Error(`${spec.kind}: no reply to ${req.cmd} within ${limit} ms`));
          }, limit);
          pending.set(id, { resolve: res, reject: rej, timer });
          child.send({ id, ...req });
        });
      };
      const close = async (): Promise<void> => {
        if (exited) return;
        const gone = new Promise<void>((res) => child.once('exit', () => res()));
        try {
          await request({ cmd: 'stop', timeoutMs: 10000 });
        } catch (err) {
          if (process.env.BENCH_DEBUG) console.error(`${spec.kind} stop failed:`, err);
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(timer);
      };
      return {
        kind: spec.kind,
        pid,
        startupMs,
        version,
        request,
        cpu: () => cpuSeconds(pid, spec.ticksPerSecond),
        peakRss: () => peakRss(pid),
        close,
      };
    }
  });
}
