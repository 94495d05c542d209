/**
 * Runs Redoubt's engine in this process and plays example flows for examples.test.ts over Node
 * IPC, answering the same requests as node-red-child.cjs (protocol.ts).
 * Started as: node --import tsx test/examples/redoubt-child.ts
 *
 * Sidebar output is the engine's 'publish' event on topic `debug` (what the server forwards to
 * the editor's comms), status is topic `status/<id>`, and node warnings, errors and console lines
 * are the log entries that carry a node id.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as os from 'node:os';
import { join } from 'node:path';
import type { LogEntry, Msg } from '../../src/index.js';
import type { RawEntry, Reply, Request, RunRequest } from './protocol.js';

type RedoubtModule = typeof import('../../src/index.js');

const send = (m: unknown, then?: () => void): void => {
  if (process.send) process.send(m as object, undefined, undefined, then);
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let runStart = 0;
let collecting = false;
let entries: RawEntry[] = [];

function record(channel: RawEntry['channel'], data: Record<string, unknown>): void {
  if (collecting) entries.push({ channel, at: Date.now() - runStart, data });
}

function text(value: unknown): string {
  if (value instanceof Error) return value.toString();
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Plain data only: IPC would drop Buffers and functions in its own way. */
function plain(value: unknown): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(value ?? {})) as Record<string, unknown>;
  } catch (err) {
    return { unserialisable: String(err) };
  }
}

function onLog(entry: LogEntry): void {
  if (!entry.id) return;
  if (entry.level !== 'error' && entry.level !== 'warn' && entry.level !== 'info') return;
  record('log', { level: entry.level, id: entry.id, type: entry.type, msg: text(entry.msg) });
}

async function main(): Promise<void> {
  let mod: RedoubtModule;
  try {
    mod = (await import('../../src/index.js')) as RedoubtModule;
  } catch (err) {
    send({ type: 'unavailable', reason: err instanceof Error ? err.message.split('\n')[0] : String(err) });
    process.disconnect?.();
    return;
  }
  const userDir = mkdtempSync(join(tmpdir(), 'examples-redoubt-'));
  const rt = await mod.createRedoubt({
    userDir,
    settings: {
      // Node-RED runs exec nodes without asking; here it is an opt-in the examples need.
      execEnabled: true,
      functionGlobalContext: { os },
    },
    log: onLog,
  });
  rt.events.on('publish', (topic: string, data: unknown) => {
    if (topic === 'debug') record('debug', plain(data));
    else if (topic.startsWith('status/')) record('status', { id: topic.slice(7), status: plain(data) });
  });

  const run = async (req: RunRequest): Promise<Record<string, unknown>> => {
    collecting = false;
    await rt.setFlows([], { deploymentType: 'full' });
    entries = [];
    runStart = Date.now();
    collecting = true;
    try {
      await rt.setFlows(req.flows, { deploymentType: 'full' });
    } catch (err) {
      collecting = false;
      const issues = (err as { issues?: unknown }).issues;
      return { entries, missingTypes: [], deployError: `${text(err)}${issues ? ' ' + text(issues) : ''}` };
    }
    const missingTypes = rt.engine.missingTypes();
    await sleep(req.settleMs);
    for (let i = 0; i < req.injects.length; i++) {
      if (i > 0) await sleep(req.pauseMs);
      rt.engine.getNode(req.injects[i])?.receive({} as Msg);
    }
    await sleep(req.waitMs);
    collecting = false;
    return { entries, missingTypes };
  };

  process.on('message', (raw: unknown) => {
    const req = raw as Request;
    const work = req.cmd === 'run' ? run(req) : req.cmd === 'stop' ? rt.stop().then(() => ({})) : Promise.reject(new Error('unknown command'));
    work
      .then(
        (res): Reply => ({ ok: true, ...res }) as Reply,
        (err: unknown): Reply => ({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      )
      .then((reply) => {
        if (req.cmd !== 'stop') return send(reply);
        rmSync(userDir, { recursive: true, force: true });
        send(reply, () => process.exit(0));
      }, (err: unknown) => process.stderr.write(`redoubt child: reply failed: ${String(err)}\n`));
  });

  const pkg = (await import('../../package.json', { with: { type: 'json' } })) as { default: { version?: string } };
  send({ type: 'ready', version: pkg.default.version ?? '?' });
}

main().catch((err: unknown) => {
  send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  process.disconnect?.();
});
