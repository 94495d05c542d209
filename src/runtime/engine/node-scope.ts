/**
 * Knows which node is running, across its timers, callbacks and promises, so that an exception
 * thrown later (a contrib node's setTimeout, a rejected promise nobody awaited) is attributed to
 * that node and handled as its error instead of taking the process down.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Msg } from '../types.js';

export interface NodeScopeEntry {
  node: { error(err: unknown, msg?: Msg): void; id: string; type: string };
  msg?: Msg;
}

export interface NodeScope {
  run<T>(entry: NodeScopeEntry, fn: () => T): T;
  /**
   * `fn.call(self, a, b, c)` inside `entry`: what `run` does, without a closure or an argument
   * list per call, for the per-message path (one input handler call per delivery).
   */
  call<S, A, B, C, R>(entry: NodeScopeEntry, fn: (this: S, a: A, b: B, c: C) => R, self: S, a: A, b: B, c: C): R;
  current(): NodeScopeEntry | undefined;
}

export function createNodeScope(): NodeScope {
  const storage = new AsyncLocalStorage<NodeScopeEntry>();
  return {
    run: (entry, fn) => storage.run(entry, fn),
    call(entry, fn, self, a, b, c) {
      // enterWith on the current async resource, put back afterwards, is what `run` does inside.
      const previous = storage.getStore();
      storage.enterWith(entry);
      try {
        return fn.call(self, a, b, c);
      } finally {
        storage.enterWith(previous as NodeScopeEntry);
      }
    },
    current: () => storage.getStore(),
  };
}

export interface ProcessGuard {
  uninstall(): void;
}

/**
 * Routes uncaught exceptions and unhandled rejections raised inside a node's scope to that node's
 * `error` (so catch nodes see them). One that no node owns is a fault of the runtime itself:
 * reported through `onUnowned`, which decides (the CLI logs it and exits, as Node would).
 */
export function installProcessGuard(scopes: NodeScope[], onUnowned: (err: unknown) => void): ProcessGuard {
  const handle = (err: unknown) => {
    for (const scope of scopes) {
      const entry = scope.current();
      if (entry) {
        entry.node.error(err, entry.msg);
        return;
      }
    }
    onUnowned(err);
  };
  process.on('uncaughtException', handle);
  process.on('unhandledRejection', handle);
  return {
    uninstall() {
      process.off('uncaughtException', handle);
      process.off('unhandledRejection', handle);
    },
  };
}
