/**
 * Who an audit record names when a command is run on the machine rather than through the API:
 * `cli:<OS user>`. Offline commands (user, backup, restore, 2fa, import) have no session, so the
 * OS account is the only identity there is.
 */
import { userInfo } from 'node:os';

/** @example cliOperator() // 'cli:pi' */
export function cliOperator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch (error) {
    // No passwd entry for this uid (some containers): still recorded, as 'cli'.
    if (error instanceof Error) return 'cli';
    throw error;
  }
}
