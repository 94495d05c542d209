/**
 * A parser's failure as the converters report it. Node-RED's json, yaml and html nodes pass on the
 * parser's message text, so a catch node's `msg.error.message` reads "Unexpected token ..."
 * without the "SyntaxError: " that the error object itself would give.
 */
import { RedoubtError } from '../../errors/index.js';

export function parseFailed(code: string, err: unknown): RedoubtError {
  return new RedoubtError(code, err instanceof Error ? err.message : String(err), { cause: err });
}
