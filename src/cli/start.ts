/**
 * `redoubt start`: loads the settings and flows of a user directory and runs them until SIGINT or
 * SIGTERM, then stops gracefully: flows closed, context flushed, nothing half-written.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createRedoubt, type LogEntry } from '../index.js';
import { installProcessGuard } from '../runtime/engine/node-scope.js';
import { RedoubtError, ValidationError } from '../errors/index.js';
import { loadSettingsFile } from './settings-file.js';

export interface StartOptions {
  userDir: string;
  configPath?: string;
  /** Where log lines go; stderr by default. */
  write?: (line: string) => void;
}

export interface Started {
  stop(): Promise<void>;
}

export async function startRedoubt(options: StartOptions): Promise<Started> {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const userDir = resolve(options.userDir);
  const settings = await loadSettingsFile(options.configPath ?? join(userDir, 'redoubt.yaml'));
  const runtime = await createRedoubt({ userDir, settings, log: (entry) => write(formatLog(entry)) });
  const guard = installProcessGuard([runtime.engine.scope], (err) => {
    write(formatLog({ level: 'fatal', msg: err }));
    process.exitCode = 1;
    void stop().finally(() => process.exit(1));
  });

  const flowPath = join(userDir, settings.flowFile);
  let flows: string;
  try {
    flows = await readFile(flowPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    flows = '[]';
    write(formatLog({ level: 'info', msg: `no flows file at ${flowPath}: starting with no flows` }));
  }
  try {
    await runtime.setFlows(flows);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    // A bad flows file does not stop the runtime: it says what is wrong and waits for a good deploy.
    write(formatLog({ level: 'error', msg: `${flowPath}: ${err.message}` }));
  }
  write(formatLog({ level: 'info', msg: `Redoubt running flows from ${flowPath}` }));

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await runtime.stop();
      guard.uninstall();
    })();
    return stopping;
  };
  return { stop };
}

export function formatLog(entry: LogEntry): string {
  const who = entry.type ? `[${entry.type}:${entry.name || entry.id}] ` : '';
  const msg = entry.msg;
  const text = msg instanceof RedoubtError ? `${msg.message} (${msg.code})` : msg instanceof Error ? msg.message : typeof msg === 'string' ? msg : JSON.stringify(msg);
  return `${new Date().toISOString()} [${entry.level}] ${who}${text}`;
}
