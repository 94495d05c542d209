/** What a CLI subcommand writes to and reads from, so tests run it in process. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CommandIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    env: process.env,
  };
}

export function defaultUserDir(env: CommandIo['env']): string {
  return join(env.HOME && env.HOME !== '' ? env.HOME : homedir(), '.redoubt');
}
