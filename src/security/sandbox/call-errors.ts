/** What went wrong with a call into the isolate, read from isolated-vm's error. */
export type CallFailure = 'timeout' | 'memory' | 'disposed' | 'copy' | 'other';

export function classifyCallError(err: unknown, isDisposed: boolean): CallFailure {
  const message = err instanceof Error ? err.message : String(err);
  if (/execution timed out/i.test(message)) return 'timeout';
  if (/memory limit/i.test(message) && isDisposed) return 'memory';
  if (/disposed/i.test(message) || isDisposed) return 'disposed';
  if (/could not be cloned|DataCloneError|not transferable|non-transferable/i.test(message)) return 'copy';
  return 'other';
}
