/**
 * What the runtime API (the services behind the admin routes) needs from the rest of Redoubt,
 * as narrow ports: who is calling, how to check a permission, where flows are stored. No HTTP here.
 */
import type { Role } from '../../security/types.js';
import type { FlowConfigNode } from '../../runtime/types.js';

/** The authenticated user a call is made for, and where from (for the audit log). */
export interface Caller {
  username: string;
  role: Role;
  address?: string;
}

/** `can(role, permission)` from `security/permissions.ts`. */
export type Can = (role: Role, permission: string) => boolean;

/** Decrypted credentials by node id. */
export type Credentials = Record<string, Record<string, unknown>>;

/** The flows file and the credentials file together. */
export interface FlowsStorage {
  /** `text`: the flows as stored (the file's bytes), when there are any; the rev is its hash. */
  load(): Promise<{ flows: FlowConfigNode[]; credentials: Credentials; text?: Uint8Array }>;
  /**
   * The flows as `save` stores them (compact or indented JSON); the caller makes this text once
   * per deploy for the save, the rev and the history. Without it, `JSON.stringify(flows)`.
   */
  serialise?(flows: readonly FlowConfigNode[]): string;
  /**
   * Writes both; when it throws, both files are as they were before the call (the implementation
   * restores whichever it had already replaced). `json`, when given, is `serialise(flows)` (or
   * `JSON.stringify(flows)`) as UTF-8, made once by the caller, and is stored as it is.
   */
  save(flows: FlowConfigNode[], credentials: Credentials, json?: Uint8Array): Promise<void>;
  /**
   * Writes the credentials alone, for those a node sets at run time (`RED.nodes.addCredentials`).
   * Without it they are kept in memory and written by the next deploy, as Node-RED does.
   */
  saveCredentials?(credentials: Credentials): Promise<void>;
}
