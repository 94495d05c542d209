/**
 * A parser's failure as the converters report it. Node-RED's json, yaml and html nodes report the
 * parser's message as text: the log line and a catch node's `msg.error.message` read "Unexpected
 * token ...", not the "SyntaxError: Unexpected token ..." of the error object itself.
 */
export function parseFailure(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
