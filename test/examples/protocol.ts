/**
 * What the example harness and its two runtime children (node-red-child.cjs, redoubt-child.ts)
 * say to each other over Node IPC. Both children answer the same requests with the same shapes,
 * so one comparison serves both runtimes.
 */

/** One observation made while an example ran, before normalisation. */
export interface RawEntry {
  /**
   * `debug`: what a debug node sent to the sidebar (comms topic `debug`);
   * `status`: a node status update (comms topic `status/<id>`);
   * `log`: a log entry attributed to a node (warnings and errors that the editor shows in the
   * sidebar, and "system console" output of debug nodes).
   */
  channel: 'debug' | 'status' | 'log';
  /** Milliseconds since the run started; used to calibrate waits, never compared. */
  at: number;
  data: Record<string, unknown>;
}

export interface RunRequest {
  cmd: 'run';
  /** The example's flows, already prepared (tabs added, /tmp paths moved into a sandbox). */
  flows: unknown[];
  /**
   * Pause between the end of the deploy and the first trigger, as a user clicks after deploying
   * (file watchers, for one, start watching a moment after the node starts).
   */
  settleMs: number;
  /** Inject node ids, triggered in this order. */
  injects: string[];
  /** Pause between two triggers. */
  pauseMs: number;
  /** How long to keep collecting after the last trigger. */
  waitMs: number;
}

export interface StopRequest {
  cmd: 'stop';
}

export type Request = RunRequest | StopRequest;

export interface RunReply {
  ok: true;
  entries: RawEntry[];
  /** Node types the runtime does not know; the example cannot run there. */
  missingTypes: string[];
  /** Set when the deploy itself was refused (Redoubt validates at deploy). */
  deployError?: string;
}

export interface FailReply {
  ok: false;
  error: string;
}

export type Reply = RunReply | FailReply | { ok: true };

/** First message of a child: it is ready, or cannot run at all. */
export type Hello = { type: 'ready'; version: string } | { type: 'unavailable'; reason: string } | { type: 'failed'; error: string };
