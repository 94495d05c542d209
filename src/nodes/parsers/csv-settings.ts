/** The csv node's settings once read from its config, shared by its two modes. */
import type { Msg } from '../../runtime/types.js';

export interface CsvSettings {
  /** Column template as typed (`temp`). */
  template: string;
  /** Separator with `\t`, `\n`, `\r` escapes resolved. */
  sep: string;
  /** Line ending of generated CSV, escapes resolved. */
  ret: string;
  /** 'one' (a message per record) or anything else (one array); 'mult' also re-reads headers in each multi-line part. */
  multi: string;
  hdrin: boolean;
  hdrout: 'none' | 'all' | 'once';
  skip: number;
  parseStrings: boolean;
  includeEmptyStrings: boolean;
  includeNullValues: boolean;
}

/** Node-RED's `RED.util.ensureString`. */
export function ensureString(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString();
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'string') return value;
  return String(value);
}

export function hasOwn(msg: Msg, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(msg, key);
}

export interface MsgParts {
  id?: unknown;
  index: number;
  count?: number;
  [key: string]: unknown;
}

/** The parts of a message split upstream, when it has them. */
export function partsOf(msg: Msg): MsgParts | undefined {
  return hasOwn(msg, 'parts') && msg.parts !== null && typeof msg.parts === 'object' ? (msg.parts as MsgParts) : undefined;
}
