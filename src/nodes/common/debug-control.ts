/**
 * The editor's debug button (Node-RED's `POST /debug/:id/enable|disable`) turns a debug node's
 * sidebar output on or off without a deploy; the server reaches live debug nodes through this
 * registry. Warnings and errors from the log also go to the sidebar, encoded like debug output.
 */
import type { RuntimeServices } from '../../runtime/definition/index.js';
import type { LogEntry } from '../../runtime/types.js';
import { encodeObject, type DebugMessage } from './encode-object.js';

export interface DebugControl {
  register(id: string, setActive: (isActive: boolean) => void): void;
  unregister(id: string, setActive: (isActive: boolean) => void): void;
  /** Returns false when `id` is not a running debug node (the server answers 404). */
  setActive(id: string, isActive: boolean): boolean;
}

function createDebugControl(): DebugControl {
  const nodes = new Map<string, (isActive: boolean) => void>();
  return {
    register: (id, setActive) => void nodes.set(id, setActive),
    unregister(id, setActive) {
      if (nodes.get(id) === setActive) nodes.delete(id);
    },
    setActive(id, isActive) {
      const set = nodes.get(id);
      if (!set) return false;
      set(isActive);
      return true;
    },
  };
}

/** The debug control of the runtime `runtime`, created on first use. */
export function debugControl(runtime: RuntimeServices): DebugControl {
  return runtime.facility('core:debug-control', createDebugControl);
}

/** Node-RED's numeric log levels, as the sidebar shows them. */
const LEVELS: Partial<Record<LogEntry['level'], number>> = { fatal: 10, error: 20, warn: 30 };

/**
 * What Node-RED publishes on topic `debug` for a warning or error logged by a node; undefined
 * for other levels, which stay out of the sidebar.
 *
 * @example const data = logEntryToDebug(entry, settings.debugMaxLength); if (data) publish('debug', data);
 */
export function logEntryToDebug(entry: LogEntry, maxLength?: number): DebugMessage | undefined {
  if (entry.level !== 'warn' && entry.level !== 'error') return undefined;
  const message: DebugMessage = { level: LEVELS[entry.level], id: entry.id, type: entry.type, name: entry.name, z: entry.z, path: entry.path, msg: entry.msg };
  const encoded = encodeObject(message, { maxLength });
  for (const key of Object.keys(encoded)) if (encoded[key] === undefined) delete encoded[key];
  return encoded;
}
