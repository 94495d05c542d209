/**
 * One long-lived child process per runtime; examples are played in it one after the other
 * (each with a full deploy), which keeps the whole suite to a few minutes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Hello, Reply, RunReply, RunRequest } from './protocol.js';

export type RuntimeKind = 'node-red' | 'redoubt';

export interface RuntimeProcess {
  readonly kind: RuntimeKind;
  readonly version: string;
  run(req: Omit<RunRequest, 'cmd'>): Promise<RunReply>;
  close(): Promise<void>;
}

/** The runtime cannot run here at all (install missing, engine does not load). */
export class RuntimeUnavailableError extends Error {
  constructor(
    readonly kind: RuntimeKind,
    readonly reason: string,
  ) {
    super(`${kind} is not available: ${reason}`);
    this.name = 'RuntimeUnavailableError';
  }
}

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

export function startRuntimeProcess(kind: RuntimeKind, options: { nodeRedPackageDir?: string; cwd: string }): Promise<RuntimeProcess> {
  const args =
    kind === 'node-red'
      ? [here('./node-red-child.cjs'), options.nodeRedPackageDir ?? '']
      : ['--import', 'tsx', here('./redoubt-child.ts')];
  const child = spawn(process.execPath, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  // Replies come back in request order: the child handles one request at a time.
  const waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];

  return new Promise<RuntimeProcess>((resolve, reject) => {
    const readyTimer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind} child did not start within 120 s\n${output}`));
    }, 120000);

    child.on('exit', (code, signal) => {
      exited = true;
      clearTimeout(readyTimer);
      const err = new Error(`${kind} child exited (${code ?? signal})\n${output}`);
      for (const w of waiting.splice(0)) w.reject(err);
      reject(err);
    });

    child.on('message', (raw: unknown) => {
      const hello = raw as Hello;
      if ('type' in (raw as object)) {
        clearTimeout(readyTimer);
        if (hello.type === 'ready') resolve(handle(child, hello.version));
        else if (hello.type === 'unavailable') reject(new RuntimeUnavailableError(kind, hello.reason));
        else reject(new Error(`${kind} child failed to start: ${hello.error}\n${output}`));
        return;
      }
      waiting.shift()?.resolve(raw as Reply);
    });
  });

  function request(req: unknown): Promise<Reply> {
    if (exited) return Promise.reject(new Error(`${kind} child has exited\n${output}`));
    return new Promise<Reply>((resolve, reject) => {
      waiting.push({ resolve, reject });
      child.send(req as object);
    });
  }

  function handle(proc: ChildProcess, version: string): RuntimeProcess {
    return {
      kind,
      version,
      async run(req) {
        const reply = await request({ cmd: 'run', ...req });
        if (!reply.ok) throw new Error(`${kind}: ${(reply as { error: string }).error}`);
        return reply as RunReply;
      },
      async close() {
        if (exited) return;
        const gone = new Promise<void>((res) => proc.once('exit', () => res()));
        const killer = setTimeout(() => proc.kill('SIGKILL'), 15000);
        try {
          await request({ cmd: 'stop' });
        } catch (err) {
          // A child that cannot stop cleanly is killed by the timer above; say why.
          process.stderr.write(`${kind} child did not stop cleanly: ${String(err)}\n`);
        }
        await gone;
        clearTimeout(killer);
      },
    };
  }
}
