/**
 * The one table from RedoubtError codes to HTTP statuses. Below `server/` no error knows HTTP;
 * here every refusal becomes Node-RED's error body `{ code, message }` (plus `issues` for
 * validation errors). Anything not in the table is a bug: logged with its stack, answered 500 with
 * no detail.
 */
import { RedoubtError, ValidationError, type ValidationIssue } from '../errors/index.js';

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  invalid_input: 400,
  invalid_json: 400,
  json_too_deep: 400,
  invalid_request: 400,
  type_in_use: 400,
  invalid_setup: 400,
  path_traversal: 400,
  unsupported_grant_type: 400,
  invalid_client: 401,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_permitted: 403,
  setup_unavailable: 403,
  setup_done: 403,
  invalid_setup_token: 403,
  user_exists: 409,
  last_admin: 409,
  second_factor_enrolled: 409,
  no_pending_enrolment: 409,
  invalid_code: 400,
  not_found: 404,
  module_not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  version_mismatch: 409,
  conflict: 409,
  request_too_large: 413,
  unsupported_media_type: 415,
  locked: 429,
  rate_limited: 429,
  flows_not_saved: 500,
  history_not_saved: 500,
  nodes_not_saved: 500,
};

export interface ErrorResponse {
  status: number;
  body: { code: string; message: string; issues?: readonly ValidationIssue[] };
  /** Seconds, for 429 answers. */
  retryAfter?: number;
}

/** An error that carries how long the client should wait (login lockout). */
export class RetryLaterError extends RedoubtError {
  readonly retryAfterMs: number;
  constructor(code: string, message: string, retryAfterMs: number) {
    super(code, message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The status of a code; undefined when the code is not one the server knows how to answer. */
export function statusForCode(code: string): number | undefined {
  return STATUS_BY_CODE[code];
}

/**
 * Maps any thrown value to the response the client sees.
 *
 * @example const { status, body } = toErrorResponse(err, (e) => log.error(e)); res.status(status).json(body);
 */
export function toErrorResponse(err: unknown, logUnexpected: (err: unknown) => void): ErrorResponse {
  if (err instanceof RedoubtError) {
    const status = statusForCode(err.code);
    if (status !== undefined && status < 500) {
      const body: ErrorResponse['body'] = { code: err.code, message: err.message };
      if (err instanceof ValidationError && err.issues.length > 0) body.issues = err.issues;
      const response: ErrorResponse = { status, body };
      if (err instanceof RetryLaterError) response.retryAfter = Math.max(1, Math.ceil(err.retryAfterMs / 1000));
      return response;
    }
    if (status !== undefined) {
      // A known server-side failure: its code is safe to show, its message (paths, causes) is not.
      logUnexpected(err);
      return { status, body: { code: err.code, message: 'The request could not be completed' } };
    }
  }
  logUnexpected(err);
  return { status: 500, body: { code: 'unexpected_error', message: 'Unexpected error' } };
}
