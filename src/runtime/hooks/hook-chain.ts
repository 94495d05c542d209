/**
 * Runs the functions added to one hook, in the order they were added, with Node-RED's rules for
 * what each returns:
 *
 * - a function of one parameter is called with the event: returning `false` halts, a promise is
 *   waited for (resolving to `undefined` goes on, to anything else ends the chain with that
 *   value), any other return goes on;
 * - a function of any other arity is called with the event and a `done` callback: `done()` goes
 *   on, `done(value)` ends the chain with that value;
 * - a throw or a rejection ends the chain with the error.
 *
 * The value the chain ends with is the outcome the caller reads: `undefined` (or another falsy
 * value but `false`) lets the message go on, `false` halts it quietly, anything else is an error.
 * A chain of synchronous functions finishes before `runHookChain` returns, so a message whose
 * hooks are all synchronous keeps the ordering of the path without hooks.
 */

/** A function added to a hook; see the file comment for what its arity and result mean. */
export type HookFunction = (event: any, done: HookDone) => unknown;
export type HookDone = (outcome?: unknown) => void;

/** One added function; `removed` is set when it is taken out, so a chain already running skips it. */
export interface HookEntry {
  readonly fn: HookFunction;
  readonly label: string | undefined;
  removed: boolean;
}

/**
 * Calls `entries` in order with `event`, then `finish` once with the chain's outcome. `entries`
 * is the list as it was when the message reached the hook: the registry replaces, never edits,
 * a list, so a function added meanwhile waits for the next message.
 */
export function runHookChain(entries: readonly HookEntry[], event: unknown, finish: (outcome: unknown) => void): void {
  let index = 0;
  let finished = false;
  const end = (outcome: unknown) => {
    if (finished) return;
    finished = true;
    finish(outcome);
  };
  const resume = (outcome: unknown) => {
    if (outcome === undefined) next();
    else end(outcome);
  };
  // A loop, not a recursion, over synchronous functions: a long chain does not grow the stack.
  const next = (): void => {
    while (index < entries.length) {
      const entry = entries[index++]!;
      if (entry.removed) continue;
      const fn = entry.fn;
      if (fn.length === 1) {
        let result: unknown;
        try {
          result = (fn as (event: unknown) => unknown)(event);
        } catch (err) {
          end(err);
          return;
        }
        if (result === false) {
          end(false);
          return;
        }
        if (isThenable(result)) {
          result.then(resume, (err: unknown) => end(err ?? new Error('a hook rejected without a reason')));
          return;
        }
        continue;
      }
      // Callback style. `done` called during the call continues this loop; called later, it resumes it.
      let calledBack = false;
      let inCall = true;
      let syncOutcome: unknown;
      const done: HookDone = (outcome) => {
        if (calledBack) return;
        calledBack = true;
        if (inCall) syncOutcome = outcome;
        else resume(outcome);
      };
      try {
        const result = fn(event, done);
        // An async function that also takes `done`: a rejection before `done` is the chain's
        // error instead of an unhandled rejection (Node-RED leaves it unhandled). After `done`
        // the message has moved on, so a rejection has nothing left to stop.
        if (isThenable(result)) {
          result.then(undefined, (err: unknown) => {
            if (calledBack) return;
            calledBack = true;
            end(err ?? new Error('a hook rejected without a reason'));
          });
        }
      } catch (err) {
        calledBack = true;
        end(err);
        return;
      }
      inCall = false;
      if (!calledBack) return;
      if (syncOutcome !== undefined) {
        end(syncOutcome);
        return;
      }
    }
    end(undefined);
  };
  next();
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}
