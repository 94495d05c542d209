/** What the admin routers are built from: the services, the security modules and the limits. */
import type { RequestHandler } from 'express';
import type { AuditLog, AuthServiceWithUsers, SecondFactorService } from '../../security/index.js';
import type { FlowsService } from '../services/flows-service.js';
import type { NodesService } from '../services/nodes-service.js';
import type { RuntimeService } from '../services/runtime-service.js';
import type { Can } from '../services/types.js';

export interface AdminDeps {
  /** Logins, sessions and the first-admin setup (`completeSetup`). */
  auth: AuthServiceWithUsers;
  can: Can;
  audit: AuditLog;
  flows: FlowsService;
  nodes: NodesService;
  runtime: RuntimeService;
  /** Node-RED's `GET /settings` fields besides the user (httpNodeRoot, version, editorTheme...). */
  publicSettings: () => Record<string, unknown>;
  /** TOTP enrolment and login checks; absent when the installation has no second-factor key source. */
  secondFactor?: SecondFactorService;
  /** Profile warnings shown to admins (`redoubt.warnings`). */
  warnings?: () => string[];
}

/** The guards a route is built with. */
export interface Guards {
  /** Authenticated, any role. */
  signedIn: RequestHandler[];
  /** Authenticated and granted `permission`. */
  needs(permission: string): RequestHandler[];
  /** The JSON body reader (forms refused). */
  json: RequestHandler;
  /** The token route's reader (JSON or form-encoded). */
  jsonOrForm: RequestHandler;
}
