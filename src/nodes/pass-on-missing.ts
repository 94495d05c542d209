/**
 * Node-RED's converters (json, xml, yaml, html, range) pass on, untouched, a message that lacks
 * the property they convert.
 */
import type { DoneFn, SendFn } from '../runtime/definition/index.js';
import type { Msg } from '../runtime/types.js';

/**
 * Passes `msg` on when `value`, its converted property, is undefined; says whether it did.
 *
 * @example
 * const value = path.get(msg);
 * if (passedOnWhenMissing(value, msg, send, done)) return;
 */
export function passedOnWhenMissing(value: unknown, msg: Msg, send: SendFn, done: DoneFn): boolean {
  if (value !== undefined) return false;
  send(msg);
  done();
  return true;
}
