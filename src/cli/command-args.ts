/**
 * The options of a `redoubt` subcommand, read the same way by every command: strictly (an
 * unknown option or a missing value is refused), with positionals allowed.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandIo } from './command-io.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `args`; a bad option throws node's parse error (`main` reports it and exits 1).
 *
 * @example
 * const { values, positionals } = parseCommandArgs(args, { 'user-dir': { type: 'string' } });
 */
export function parseCommandArgs<O extends OptionsConfig>(args: string[], options: O) {
  return parseArgs({ args, allowPositionals: true, strict: true, options });
}

/**
 * `parseCommandArgs` for the commands that answer a bad option with their usage: writes
 * `redoubt <command>: <why>` and the usage to `io.err` and returns undefined (exit code 2).
 *
 * @example
 * const parsed = parseCommandArgsOrUsage(args, options, io, { command: 'user', usage: USER_USAGE });
 * if (!parsed) return 2;
 */
export function parseCommandArgsOrUsage<O extends OptionsConfig>(args: string[], options: O, io: CommandIo, usage: { command: string; usage: string }) {
  try {
    return parseCommandArgs(args, options);
  } catch (error) {
    io.err(`redoubt ${usage.command}: ${error instanceof Error ? error.message : String(error)}\n${usage.usage}`);
    return undefined;
  }
}
