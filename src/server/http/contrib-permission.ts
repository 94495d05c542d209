/**
 * `RED.auth.needsPermission` for the admin routes contrib nodes add through `RED.httpAdmin`.
 *
 * Contrib nodes name permissions as Node-RED does, `<area>.read` or `<area>.write`, for areas
 * Redoubt does not know (`serial.read`, `modbus.write`...). They are mapped onto the roles: a
 * read needs any signed-in user, the two operator buttons Node-RED's own nodes use need an
 * operator, and any other permission (a write, or a name without a verb) needs an editor, as
 * such a route can change what the flows do. The routes sit behind the bearer check
 * (server/app.ts), so a caller is always known here; a refusal goes through the error handler,
 * which answers 403 and records it in the audit log.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RedAuth } from '../../compat/red-api.js';
import { AuthError } from '../../errors/index.js';
import { roleRank } from '../../security/permissions.js';
import type { Role } from '../../security/types.js';
import { callerOf } from './request-context.js';

const OPERATOR_PERMISSIONS = new Set(['inject.write', 'debug.write']);

/** The weakest role that may use a contrib route guarded by `permission`. */
export function roleForContribPermission(permission: string): Role {
  if (permission.endsWith('.read')) return 'viewer';
  if (OPERATOR_PERMISSIONS.has(permission)) return 'operator';
  return 'editor';
}

/**
 * @example RED.httpAdmin.get('/serialports', RED.auth.needsPermission('serial.read'), listPorts)
 */
export function contribAuth(): RedAuth {
  return {
    needsPermission(permission: string): RequestHandler {
      const needed = roleForContribPermission(String(permission));
      return function contribPermission(_req: Request, res: Response, next: NextFunction) {
        try {
          if (roleRank(callerOf(res).role) < roleRank(needed)) {
            return next(new AuthError('forbidden', `Permission '${permission}' is required`));
          }
          next();
        } catch (err) {
          next(err);
        }
      };
    },
  };
}
