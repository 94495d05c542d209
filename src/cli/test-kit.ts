/**
 * Test support for the command specs (imported by *.test.ts only; the build leaves it out).
 */
import type { CommandIo } from './command-io.js';

/** A CommandIo that keeps what a command writes, read back with `out()` and `err()`. */
export function captureIo(env: CommandIo['env'] = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env }, out: () => out.join(''), err: () => err.join('') };
}
