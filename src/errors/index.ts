/**
 * Every error Redoubt throws on purpose. Each carries a stable snake_case `code`, a message a
 * user can act on, and where relevant the place (node id, property, setting). Nothing below
 * `server/` knows HTTP: the server maps codes to statuses in one table.
 */

export interface ErrorPlace {
  nodeId?: string;
  property?: string;
  flowId?: string;
  file?: string;
  line?: number;
  setting?: string;
}

export class RedoubtError extends Error {
  readonly code: string;
  readonly place: ErrorPlace;
  constructor(code: string, message: string, options: { cause?: unknown; place?: ErrorPlace } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.place = options.place ?? {};
  }

  /**
   * The message alone: catch nodes show `String(err)` as `msg.error.message`, and Node-RED's core
   * nodes report such problems as plain strings, without an error class name in front.
   */
  override toString(): string {
    return this.message;
  }
}

/** One problem found while validating input; validators return all of them, never the first. */
export interface ValidationIssue {
  code: string;
  message: string;
  nodeId?: string;
  property?: string;
  path?: string;
}

export class ValidationError extends RedoubtError {
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, issues: readonly ValidationIssue[], options: { cause?: unknown } = {}) {
    super('invalid_input', message + (issues.length ? `: ${formatIssues(issues)}` : ''), options);
    this.issues = issues;
  }
}

export class ConfigError extends RedoubtError {
  constructor(setting: string, message: string, options: { cause?: unknown } = {}) {
    super('invalid_config', `${setting}: ${message}`, { ...options, place: { setting } });
  }
}

export class NotFoundError extends RedoubtError {
  constructor(what: string, id: string) {
    super('not_found', `${what} '${id}' not found`);
  }
}

export class ConflictError extends RedoubtError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

export class AuthError extends RedoubtError {}

/** Raised when settings forbid something a flow asks for (exec, libs...). */
export class PermissionError extends RedoubtError {
  constructor(message: string, place: ErrorPlace = {}) {
    super('not_permitted', message, { place });
  }
}

export function formatIssues(issues: readonly ValidationIssue[], max = 10): string {
  const shown = issues.slice(0, max).map((i) => {
    const where = [i.nodeId && `node ${i.nodeId}`, i.property && `property '${i.property}'`, i.path]
      .filter(Boolean)
      .join(', ');
    return where ? `${where}: ${i.message}` : i.message;
  });
  const more = issues.length > max ? `; and ${issues.length - max} more` : '';
  return shown.join('; ') + more;
}
