/**
 * One runtime as a real server in a child process, driven the same way for Node-RED and Redoubt:
 * through its Admin API on loopback (see admin-client.ts), its console output (completion
 * markers, warnings), /proc (CPU, peak RSS) and a preloaded IPC hook that forces a GC before
 * memory is read (drivers/gc-preload.cjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createAdminClient, type AdminClient } from './admin-client.js';
import { cpuSeconds, peakRss } from './proc-stat.js';

export type RuntimeKind = 'node-red' | 'redoubt';
/**
 * What startServer can run: the two runtimes, and the idle-memory floor servers
 * (drivers/floor-server.mjs: node:http alone, with ws and SQLite, or with express too), measured
 * the same way.
 */
export type ServerKind = RuntimeKind | FloorKind;
export type FloorKind = 'floor-http' | 'floor' | 'floor-express';

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  peakRss: number | null;
  /**
   * Resident anonymous memory (RssAnon): what this process alone holds. RSS also counts the pages
   * of the node binary and shared libraries it has touched, which both runtimes share.
   */
  anonRss: number | null;
}

export interface Problems {
  /** Warning, error and fatal lines printed since the last take. */
  count: number;
  /** The first of them, at most 5. */
  samples: string[];
}

export interface ServerChild {
  kind: ServerKind;
  pid: number;
  port: number;
  admin: AdminClient;
  /** Spawn to the first answer of GET /settings (401 without a token: listening, auth in place). */
  startupMs: number;
  /** Spawn to the first 200 of GET /settings with a token (includes the login). */
  readyMs: number;
  /** The POST /auth/token round trip. */
  loginMs: number;
  /** CPU seconds the process had used when it was ready. */
  startupCpu: number;
  version: string;
  cpu(): number;
  peakRss(): number | null;
  mem(timeoutMs?: number): Promise<MemorySample>;
  /** Resolves when the console shows `done|<token>|...`, with the line from `done|` and when it arrived. */
  waitMarker(token: string, timeoutMs: number): Promise<{ text: string; at: number }>;
  takeProblems(): Problems;
  /** The last few KB the child printed, for error messages. */
  output(): string;
  /** SIGTERM, SIGKILL after 15 s, then the user directory is removed. */
  close(): Promise<void>;
}

/** The runtime cannot be started at all (e.g. Redoubt has not been built). */
export class RuntimeUnavailable extends Error {
  constructor(
    readonly kind: RuntimeKind,
    readonly reason: string,
  ) {
    super(`${kind} runtime not available: ${reason}`);
    this.name = 'RuntimeUnavailable';
  }
}

export interface ServerSpec {
  kind: ServerKind;
  /** Node arguments: script and its options (the harness adds --expose-gc and the preload). */
  args: string[];
  nodeFlags: string[];
  preload: string;
  cwd: string;
  port: number;
  userDir: string;
  credentials: { username: string; password: string };
  ticksPerSecond: number;
  readyTimeoutMs: number;
}

const MARKER = 'done|';
const PROBLEM = /\[(warn|error|fatal)\]/;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Splits a child's output into lines and hands each to `onLine`; keeps a tail for errors. */
export function createLineReader(onLine: (line: string) => void): { push(chunk: Buffer | string): void; tail(): string } {
  let partial = '';
  let tail = '';
  return {
    push(chunk) {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    tail: () => tail,
  };
}

/** The marker in a console line, from `done|` to the end of the line; null when there is none. */
export function markerOf(line: string): string | null {
  const at = line.indexOf(MARKER);
  return at === -1 ? null : line.slice(at).trim();
}

export async function startServer(spec: ServerSpec): Promise<ServerChild> {
  const t0 = performance.now();
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child: ChildProcess = spawn(process.execPath, [...spec.nodeFlags, '--expose-gc', '--require', spec.preload, ...spec.args], {
    cwd: spec.cwd,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env,
  });
  const markers = new Map<string, { text: string; at: number }>();
  const waiters = new Map<string, () => void>();
  let problems: Problems = { count: 0, samples: [] };
  const reader = createLineReader((line) => {
    const marker = markerOf(line);
    if (marker) {
      const token = marker.split('|')[1] ?? '';
      if (markers.has(token)) return;
      markers.set(token, { text: marker, at: Date.now() });
      waiters.get(token)?.();
      return;
    }
    if (PROBLEM.test(line)) {
      problems.count++;
      if (problems.samples.length < 5) problems.samples.push(line.trim().slice(0, 300));
    }
  });
  child.stdout?.on('data', (c: Buffer) => reader.push(c));
  child.stderr?.on('data', (c: Buffer) => reader.push(c));

  let exited: string | null = null;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited (${code ?? signal})`;
      resolve();
    });
  });
  const memWaiters = new Map<number, (m: MemorySample) => void>();
  let nextMemId = 1;
  child.on('message', (raw: unknown) => {
    const m = raw as { bench?: string; id?: number } & MemorySample;
    if (m.bench !== 'mem' || typeof m.id !== 'number') return;
    memWaiters.get(m.id)?.(m);
    memWaiters.delete(m.id);
  });

  const kill = async (): Promise<void> => {
    if (exited === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
      await exitedPromise;
      clearTimeout(timer);
    }
    rmSync(spec.userDir, { recursive: true, force: true });
  };

  const admin = createAdminClient(`http://127.0.0.1:${spec.port}/`);
  try {
    let startupMs = 0;
    const deadline = Date.now() + spec.readyTimeoutMs;
    for (;;) {
      if (exited !== null) throw new Error(`${spec.kind} ${exited} before it answered`);
      if (Date.now() > deadline) throw new Error(`${spec.kind} did not answer GET /settings within ${spec.readyTimeoutMs} ms`);
      const status = await admin.probe('/settings');
      if (status !== null) {
        startupMs = performance.now() - t0;
        if (status !== 401) throw new Error(`${spec.kind}: GET /settings without a token answered ${status}, expected 401 (authentication must be on)`);
        break;
      }
      await sleep(10);
    }
    const loginMs = await admin.login(spec.credentials.username, spec.credentials.password);
    const settings = await admin.getJson('/settings');
    if (settings.status !== 200) throw new Error(`${spec.kind}: GET /settings with a token answered ${settings.status}`);
    const readyMs = performance.now() - t0;
    const startupCpu = cpuSeconds(child.pid as number, spec.ticksPerSecond);
    const version = String((settings.body as { version?: unknown } | null)?.version ?? '?');
    // Start-up notices (no credentials file yet, projects disabled) are not about any benchmark.
    problems = { count: 0, samples: [] };
    const pid = child.pid as number;
    return {
      kind: spec.kind,
      pid,
      port: spec.port,
      admin,
      startupMs,
      readyMs,
      loginMs,
      startupCpu,
      version,
      cpu: () => cpuSeconds(pid, spec.ticksPerSecond),
      peakRss: () => peakRss(pid),
      mem(timeoutMs = 15000) {
        if (exited !== null) return Promise.reject(new Error(`${spec.kind} ${exited}`));
        const id = nextMemId++;
        return new Promise<MemorySample>((resolve, reject) => {
          const timer = setTimeout(() => {
            memWaiters.delete(id);
            reject(new Error(`${spec.kind}: no memory reading within ${timeoutMs} ms`));
          }, timeoutMs);
          memWaiters.set(id, (m) => {
            clearTimeout(timer);
            resolve(m);
          });
          child.send({ bench: 'mem', id });
        });
      },
      waitMarker(token, timeoutMs) {
        const seen = markers.get(token);
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters.delete(token);
            reject(new Error(`${spec.kind}: no completion marker for ${token} within ${timeoutMs} ms${exited ? ` (${exited})` : ''}`));
          }, timeoutMs);
          waiters.set(token, () => {
            clearTimeout(timer);
            waiters.delete(token);
            resolve(markers.get(token) as { text: string; at: number });
          });
        });
      },
      takeProblems() {
        const taken = problems;
        problems = { count: 0, samples: [] };
        return taken;
      },
      output: () => reader.tail(),
      close: kill,
    };
  } catch (err) {
    await kill();
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}\n--- ${spec.kind} output ---\n${reader.tail()}`, { cause: err });
  }
}
