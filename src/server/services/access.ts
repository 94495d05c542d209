/** The permission check every runtime API call starts with. */
import { AuthError } from '../../errors/index.js';
import type { Can, Caller } from './types.js';

/**
 * Throws `forbidden` unless the caller's role grants `permission`.
 *
 * @example assertCan(can, caller, 'flows.write');
 */
export function assertCan(can: Can, caller: Caller, permission: string): void {
  if (!can(caller.role, permission)) {
    throw new AuthError('forbidden', `Permission '${permission}' is required`);
  }
}
