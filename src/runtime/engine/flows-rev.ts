/**
 * The rev of a flows configuration: a hash of its JSON text, so the same saved flows keep one rev
 * across restarts. Pure.
 */
import { createHash } from 'node:crypto';
import type { FlowConfigNode } from '../types.js';

/**
 * The rev of flows the caller has no JSON text of.
 * @example
 * revOf([]); // the rev of '[]'
 */
export function revOf(all: readonly FlowConfigNode[]): string {
  return revOfText(JSON.stringify(all));
}

/**
 * The rev of flows as saved (UTF-8 JSON, compact or indented): the text is hashed as it is.
 * @example
 * revOfText(readFileSync('flows.json')); // 32 hex digits
 */
export function revOfText(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
