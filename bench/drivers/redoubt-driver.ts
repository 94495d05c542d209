/**
 * Runs Redoubt's engine in this process and answers the benchmark harness over Node IPC with the
 * protocol node-red-driver.cjs speaks: deploy, run (deploy + wait for the completion marker), mem,
 * stop. Started as: node --import tsx --expose-gc bench/drivers/redoubt-driver.ts
 *
 * The engine is imported by path at run time rather than statically, so this file type-checks and
 * reports "redoubt runtime not available" while src/index.ts does not exist or does not load.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type DeploymentType = 'full' | 'flows' | 'nodes';

interface LogEntryLike {
  level?: unknown;
  msg?: unknown;
  type?: unknown;
  id?: unknown;
}

/** The slice of Redoubt's public API this driver uses (src/index.ts, createRedoubt). */
interface RedoubtRuntime {
  setFlows(flows: unknown[], options: { deploymentType: DeploymentType }): Promise<unknown>;
  events?: { on(event: string, listener: (data: unknown) => void): unknown };
  start?: () => Promise<unknown>;
  engine?: { missingTypes?: () => string[] };
  stop(): Promise<unknown>;
}

interface RedoubtModule {
  createRedoubt(options: {
    userDir: string;
    settings?: Record<string, unknown>;
    log?: (entry: LogEntryLike) => void;
  }): Promise<RedoubtRuntime>;
}

interface Request {
  id: number;
  cmd: string;
  flows?: unknown[];
  type?: DeploymentType;
  token?: string;
  timeoutMs?: number;
}

const send = (m: unknown): void => {
  if (process.send) process.send(m);
};

const MARKER = 'done|';
const markers = new Map<string, { text: string; at: number }>();
const waiters = new Map<string, () => void>();
const logged: string[] = [];
// Warnings and errors logged since the last reply: a deploy with failed nodes is not comparable.
let problemCount = 0;

function markerIn(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const at = value.indexOf(MARKER);
  return at === -1 ? null : value.slice(at).trim();
}

function onMarker(text: string): void {
  const at = Date.now();
  const token = text.split('|')[1] ?? '';
  if (markers.has(token)) return;
  markers.set(token, { text, at });
  const w = waiters.get(token);
  if (w) {
    waiters.delete(token);
    w();
  }
}

function waitMarker(token: string, timeoutMs: number): Promise<{ text: string; at: number }> {
  const seen = markers.get(token);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(token);
      reject(new Error(`no completion marker for ${token} within ${timeoutMs} ms`));
    }, timeoutMs);
    waiters.set(token, () => {
      clearTimeout(timer);
      const m = markers.get(token);
      if (m) resolve(m);
    });
  });
}

function onLog(entry: LogEntryLike): void {
  const text = entry.type === 'debug' ? markerIn(entry.msg) : null;
  if (text) {
    onMarker(text);
    return;
  }
  const level = entry.level;
  const serious = level === 'fatal' || level === 'error' || level === 'warn' || (typeof level === 'number' && level <= 30);
  if (serious) problemCount++;
  if (serious && logged.length < 50) logged.push(`${String(entry.type ?? '')}${entry.id ? ':' + String(entry.id) : ''} ${String(entry.msg)}`);
}

/** Debug events carry the marker too when the engine reports console output that way. */
function onDebugEvent(data: unknown): void {
  if (data === null || typeof data !== 'object') return;
  const d = data as Record<string, unknown>;
  const text = markerIn(d.msg) ?? markerIn(d.payload);
  if (text) onMarker(text);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function memory(): Record<string, number | null> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  const hwm = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    peakRss: hwm ? Number(hwm[1]) * 1024 : null,
  };
}

async function main(): Promise<void> {
  const userDir = mkdtempSync(join(tmpdir(), 'bench-redoubt-'));
  let mod: RedoubtModule;
  try {
    const entry = new URL('../../src/index.js', import.meta.url).href;
    mod = (await import(entry)) as RedoubtModule;
    if (typeof mod.createRedoubt !== 'function') throw new Error('src/index.ts does not export createRedoubt');
  } catch (err) {
    send({ type: 'unavailable', reason: err instanceof Error ? err.message.split('\n')[0] : String(err) });
    rmSync(userDir, { recursive: true, force: true });
    process.disconnect?.();
    return;
  }

  const rt = await mod.createRedoubt({ userDir, settings: {}, log: onLog });
  rt.events?.on('debug', onDebugEvent);
  if (typeof rt.start === 'function') await rt.start();

  const deploy = async (flows: unknown[], type: DeploymentType, timeoutMs: number): Promise<number> => {
    const t0 = process.hrtime.bigint();
    await withTimeout(rt.setFlows(flows, { deploymentType: type }), timeoutMs, `${type} deploy`);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    // A flow waiting for missing node types deploys in no time without running: not a result.
    const missing = rt.engine?.missingTypes?.() ?? [];
    if (missing.length > 0) throw new Error(`flows not started, missing node types: ${missing.join(', ')}`);
    return ms;
  };

  const handle = async (req: Request): Promise<Record<string, unknown>> => {
    const timeoutMs = req.timeoutMs ?? 60000;
    switch (req.cmd) {
      case 'deploy':
        return { ms: await deploy(req.flows ?? [], req.type ?? 'full', timeoutMs) };
      case 'run': {
        const token = req.token ?? '';
        const wait = waitMarker(token, timeoutMs);
        wait.catch(() => undefined);
        const deployMs = await deploy(req.flows ?? [], req.type ?? 'full', timeoutMs);
        const marker = await wait;
        const fields = marker.text.split('|');
        const t0 = Number(fields[fields.length - 1]);
        return { ms: marker.at - t0, deployMs, marker: marker.text };
      }
      case 'mem':
        return { mem: memory() };
      case 'stop':
        await withTimeout(rt.stop(), timeoutMs, 'stop');
        return {};
      default:
        throw new Error(`unknown command ${req.cmd}`);
    }
  };

  process.on('message', (raw: unknown) => {
    const req = raw as Request;
    handle(req)
      .then(
        (res) => {
          send({ id: req.id, ok: true, ...res, warnings: logged.splice(0), problemCount });
          problemCount = 0;
        },
        (err: unknown) => send({ id: req.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err), log: logged.splice(0) }),
      )
      .then(() => {
        if (req.cmd === 'stop') {
          rmSync(userDir, { recursive: true, force: true });
          process.disconnect?.();
        }
      }, (err: unknown) => {
        console.error('redoubt driver: reply failed', err);
      });
  });

  logged.length = 0;
  problemCount = 0;
  send({ type: 'ready', runtime: 'redoubt', version: await packageVersion() });
}

async function packageVersion(): Promise<string> {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version?: string }).version ?? '?';
}

main().catch((err: unknown) => {
  send({ type: 'failed', error: err instanceof Error ? err.stack ?? err.message : String(err) });
  process.exitCode = 1;
  process.disconnect?.();
});
