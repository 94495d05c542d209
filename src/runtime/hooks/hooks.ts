/**
 * Node-RED's hooks (`RED.hooks`, @node-red/util `hooks`): functions that plugins and nodes add to
 * named points of the message path, to watch, change, hold or drop messages. One registry per
 * engine, shared by every `RED` object made for it; hooks stay across deploys, as in Node-RED.
 *
 * An id is `<hook>` or `<hook>.<label>`. A label lets the one who added a function take it out
 * again (`remove('onSend.tracer')`, or `remove('*.tracer')` for every hook); one hook takes one
 * function per label. Functions without a label stay until `clear()`.
 *
 * The engine reads three flags on every message (`routing`, `receiving`, `completing`): with no
 * hook added, the message path costs one boolean test per send, delivery and completion.
 */
import { ConflictError, ValidationError } from '../../errors/index.js';
import type { LogLevel } from '../types.js';
import { runHookChain, type HookEntry, type HookFunction } from './hook-chain.js';

/** The hooks of the message path, in the order a message meets them. */
export const MESSAGE_HOOKS = ['onSend', 'preRoute', 'preDeliver', 'postDeliver', 'onReceive', 'postReceive', 'onComplete'] as const;
/**
 * Node-RED's palette manager triggers these around installing and removing modules. Redoubt
 * installs no module at runtime, so it accepts functions for them (a plugin written for
 * Node-RED keeps loading) and never triggers them.
 */
export const MODULE_HOOKS = ['preInstall', 'postInstall', 'preUninstall', 'postUninstall'] as const;

export type MessageHookName = (typeof MESSAGE_HOOKS)[number];
export type HookName = MessageHookName | (typeof MODULE_HOOKS)[number];

const HOOK_NAMES: ReadonlySet<string> = new Set<string>([...MESSAGE_HOOKS, ...MODULE_HOOKS]);

/** What `RED.hooks` offers, as in Node-RED. */
export interface HooksApi {
  /** Adds `fn` to the hook named by `id` (`<hook>` or `<hook>.<label>`), after those already there. */
  add(id: string, fn: HookFunction): void;
  /** Takes out the function of `<hook>.<label>`, or with `*.<label>` that label's function on every hook. */
  remove(id: string): void;
  /** Whether a hook (`<hook>`) has any function, or a label (`<hook>.<label>`) is taken. */
  has(id: string): boolean;
  /** Takes out every function of every hook. */
  clear(): void;
  /**
   * Runs the hook's functions with `event`. With `done`, calls it with the outcome (`undefined`:
   * go on, `false`: halted, anything else: the error). Without, returns a promise that resolves
   * to `undefined` or `false`, and rejects with an `Error` (its `hook` the hook's name).
   */
  trigger(name: string, event: unknown, done?: (outcome: unknown) => void): Promise<unknown> | undefined;
}

export interface Hooks extends HooksApi {
  /** Whether onSend, preRoute, preDeliver or postDeliver has a function: sends take the hooked path. */
  readonly routing: boolean;
  /** Whether onReceive or postReceive has a function: deliveries take the hooked path. */
  readonly receiving: boolean;
  /** Whether onComplete has a function. */
  readonly completing: boolean;
}

export interface HooksDeps {
  log(level: LogLevel, message: string): void;
}

/**
 * @example
 * const hooks = createHooks({ log: (level, m) => console.log(level, m) });
 * hooks.add('onSend.tracer', (events) => { for (const e of events) trace(e.msg); });
 * hooks.remove('*.tracer');
 */
export function createHooks(deps: HooksDeps): Hooks {
  /** By hook name: the functions, replaced (copy on write) at each change; absent when none. */
  let lists = new Map<HookName, HookEntry[]>();

  const refreshFlags = () => {
    hooks.routing = lists.has('onSend') || lists.has('preRoute') || lists.has('preDeliver') || lists.has('postDeliver');
    hooks.receiving = lists.has('onReceive') || lists.has('postReceive');
    hooks.completing = lists.has('onComplete');
  };

  const takeOut = (name: HookName, entry: HookEntry) => {
    entry.removed = true;
    const kept = (lists.get(name) ?? []).filter((e) => e !== entry);
    if (kept.length > 0) lists.set(name, kept);
    else lists.delete(name);
  };

  const trigger = (name: string, event: unknown, done?: (outcome: unknown) => void): Promise<unknown> | undefined => {
    const entries = HOOK_NAMES.has(name) ? lists.get(name as HookName) : undefined;
    if (done) {
      if (entries) runHookChain(entries, event, done);
      else done(undefined);
      return undefined;
    }
    if (!entries) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      runHookChain(entries, event, (outcome) => {
        if (outcome === undefined || outcome === false) {
          resolve(outcome);
          return;
        }
        const err = outcome instanceof Error ? outcome : new Error(String(outcome));
        (err as Error & { hook?: string }).hook = name;
        reject(err);
      });
    });
  };

  // Flags first and never deleted, so the object keeps one shape for the message path to read.
  const hooks = {
    routing: false,
    receiving: false,
    completing: false,
    add(id: string, fn: HookFunction): void {
      const parsed = parseId(id, 'add');
      const name = parsed.name as HookName;
      const label = parsed.label;
      if (typeof fn !== 'function') {
        throw new ValidationError(`hook '${id}' not added`, [{ code: 'invalid_hook_function', message: `expected a function, got ${fn === null ? 'null' : typeof fn}` }]);
      }
      const current = lists.get(name) ?? [];
      if (label !== undefined && current.some((e) => e.label === label)) {
        throw new ConflictError('hook_exists', `hook '${name}.${label}' is already added; remove it first or use another label`);
      }
      if (fn.length === 0) {
        // Node-RED calls such a function with (event, done) and waits for `done`, so one that
        // ignores its arguments holds every message for good. Same here; the log says why.
        deps.log('warn', `hook '${id}' takes no parameters: it is called with (event, done) and messages wait until it calls done()`);
      }
      lists.set(name, [...current, { fn, label, removed: false }]);
      refreshFlags();
    },
    remove(id: string): void {
      const { name, label } = parseId(id, 'remove');
      if (label === undefined) {
        throw new ValidationError(`hook '${id}' not removed`, [{ code: 'hook_label_missing', message: 'only a labelled hook can be removed: use <hook>.<label> or *.<label>' }]);
      }
      for (const [hookName, list] of [...lists]) {
        if (name !== '*' && name !== hookName) continue;
        const entry = list.find((e) => e.label === label);
        if (entry) takeOut(hookName, entry);
      }
      refreshFlags();
    },
    has(id: string): boolean {
      if (typeof id !== 'string') return false;
      const { name, label } = splitId(id);
      const list = lists.get(name as HookName);
      if (!list) return false;
      return label === undefined || list.some((e) => e.label === label);
    },
    clear(): void {
      for (const list of lists.values()) for (const entry of list) entry.removed = true;
      lists = new Map();
      refreshFlags();
    },
    trigger,
  };
  return hooks;
}

/**
 * Splits `<hook>[.<label>]` as Node-RED does: at dots, the first part the hook, the second the
 * label (a third and more are ignored), an empty label as none.
 */
function splitId(id: string): { name: string; label: string | undefined } {
  const [name = '', label] = id.split('.');
  return { name, label: label ? label : undefined };
}

function parseId(id: unknown, action: 'add' | 'remove'): { name: string; label: string | undefined } {
  const verb = action === 'add' ? 'added' : 'removed';
  if (typeof id !== 'string') {
    throw new ValidationError(`hook not ${verb}`, [{ code: 'invalid_hook', message: `the hook id must be a string, got ${id === null ? 'null' : typeof id}` }]);
  }
  const parts = splitId(id);
  // Only `add` refuses an unknown hook, as in Node-RED: removing what was never added does nothing.
  if (action === 'remove' || HOOK_NAMES.has(parts.name)) return parts;
  throw new ValidationError(`hook '${id}' not ${verb}`, [
    { code: 'invalid_hook', message: `'${parts.name}' is not a hook; the hooks are ${[...HOOK_NAMES].join(', ')}` },
  ]);
}
