/**
 * The end of every admin request that failed: one mapping from error to response
 * (`error-map.ts`), and an audit record for each refusal (who, from where, which route; never a
 * token, never the query string).
 */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { RedoubtError } from '../../errors/index.js';
import type { AuditLog } from '../../security/types.js';
import { toErrorResponse } from '../error-map.js';
import type { Caller } from '../services/types.js';
import { clientAddress, routeOf } from './request-context.js';

const AUDITED_STATUSES = new Set([401, 403, 413, 415, 429]);
const AUDITED_CODES = new Set(['path_traversal']);

export interface ErrorHandlerDeps {
  audit: Pick<AuditLog, 'record'>;
  /** Unexpected errors, with their stack. */
  logError: (err: unknown) => void;
}

/** Records `request.refused` for a refusal. */
export function auditRefusal(audit: Pick<AuditLog, 'record'>, req: Request, res: Response, status: number, code: string): void {
  const caller = res.locals.caller as Caller | undefined;
  audit.record({ event: 'request.refused', username: caller?.username, address: clientAddress(req), details: { route: routeOf(req), status, code } });
}

/** @example app.use(errorHandler({ audit, logError })); */
export function errorHandler(deps: ErrorHandlerDeps): ErrorRequestHandler {
  return function answerError(err: unknown, req: Request, res: Response, _next: NextFunction) {
    // express 5's own parser errors (bad URL encoding) carry a status; they are client errors.
    const known = !(err instanceof RedoubtError) && typeof (err as { status?: unknown })?.status === 'number' && (err as { status: number }).status < 500
      ? new RedoubtError('invalid_request', 'The request is malformed')
      : err;
    const { status, body, retryAfter } = toErrorResponse(known, deps.logError);
    if (AUDITED_STATUSES.has(status) || AUDITED_CODES.has(body.code)) {
      try {
        auditRefusal(deps.audit, req, res, status, body.code);
      } catch (auditErr) {
        deps.logError(auditErr);
      }
    }
    if (res.headersSent) return void res.destroy();
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(status).json(body);
  };
}

/** The JSON 404 for paths no route, node endpoint or file answers. */
export function notFound(): RequestHandler {
  return function answerNotFound(_req: Request, res: Response) {
    res.status(404).json({ code: 'not_found', message: 'Not found' });
  };
}
