/**
 * The bearer-token guard of every admin route but login, token and setup. The token is read from
 * the `Authorization` header only; a token in the query string is refused (it would end up in
 * proxy logs and browser history).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AuthError } from '../../errors/index.js';
import type { AuthService } from '../../security/types.js';
import type { Can } from '../services/types.js';
import { callerOf, clientAddress, setCaller } from './request-context.js';

const QUERY_TOKEN_NAMES = ['access_token', 'token', 'bearer', 'auth'];

/** Refuses any request that carries a token-like query parameter, authenticated or not. */
export function refuseQueryTokens(): RequestHandler {
  return function refuseQueryToken(req: Request, _res: Response, next: NextFunction) {
    const query = (req.originalUrl ?? req.url).split('?')[1];
    if (query) {
      const params = new URLSearchParams(query);
      if (QUERY_TOKEN_NAMES.some((name) => params.has(name))) {
        return next(new AuthError('unauthorized', 'Tokens are accepted in the Authorization header only'));
      }
    }
    next();
  };
}

/**
 * @example router.get('/flows', authenticate(auth), requirePermission(can, 'flows.read'), handler);
 */
export function authenticate(auth: Pick<AuthService, 'authenticate'>): RequestHandler {
  return function authenticateBearer(req: Request, res: Response, next: NextFunction) {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(header.trim()) : null;
    if (!match) return next(new AuthError('unauthorized', 'Authentication required'));
    const session = auth.authenticate(match[1]!);
    if (!session) return next(new AuthError('unauthorized', 'Authentication required'));
    setCaller(res, { username: session.username, role: session.role, address: clientAddress(req) }, match[1]!);
    next();
  };
}

/** Refuses with `forbidden` unless the caller's role grants `permission`. */
export function requirePermission(can: Can, permission: string): RequestHandler {
  return function checkPermission(_req: Request, res: Response, next: NextFunction) {
    try {
      const caller = callerOf(res);
      if (!can(caller.role, permission)) return next(new AuthError('forbidden', `Permission '${permission}' is required`));
      next();
    } catch (err) {
      next(err);
    }
  };
}
