import type { ContextScope, NodeStatus } from '../../runtime/types.js';
import { urlOp } from './bridge-url.js';
import { utilOp } from './bridge-util.js';
import { errorText } from './errors.js';
import { resolveLibFunction } from './libs.js';
import type { LoadedLib } from './libs.js';
import { asMsgId, restore } from './transfer.js';
import type { MsgId, ThrownInfo } from './transfer.js';
import type { SandboxHost, SandboxLogLevel } from './types.js';

/** `[0, value]` returned, `[1, thrown]` threw, `[2]` still running (a promise). */
export type Outcome = [0, unknown] | [1, ThrownInfo] | [2];

/** The per-node operations the bridge hands over; everything else it answers itself. */
export interface BridgeTarget {
  host: SandboxHost;
  libs: readonly LoadedLib[];
  send(tag: number, msgid: MsgId, value: unknown): void;
  done(tag: number, error: ThrownInfo | null): void;
  error(info: ThrownInfo, msg: unknown, tag: number): void;
  status(status: NodeStatus | string): void;
  settle(token: number, outcome: Outcome): void;
  addTimer(id: number, ms: number, repeat: boolean, tag: number): void;
  clearTimer(id: number): void;
  /** Registers a host-side wait (context callback, lib promise) charged to `tag`; returns its id. */
  startWait(tag: number): number;
  /** Delivers the result of a wait into the isolate: `[null, ...values]` or `[message]`. */
  finishWait(id: number, args: unknown[]): void;
}

const LEVELS = new Set<SandboxLogLevel>(['info', 'warn', 'error', 'debug', 'trace']);

function asNumber(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function asThrown(v: unknown): ThrownInfo {
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
    return { name: str(o['name']), message: str(o['message']), stack: str(o['stack']), text: str(o['text']) };
  }
  return { text: String(v) };
}


/**
 * Answers the one callback each sandbox context holds. Every argument comes from untrusted
 * code, so each is checked before use; nothing but copies of plain data goes back.
 */
export function createHostBridge(target: BridgeTarget): (op: unknown, ...args: unknown[]) => unknown {
  const scopeOf = (name: unknown): ContextScope => {
    const ctx = target.host.context;
    if (name === 'flow') return ctx.flow;
    if (name === 'global') return ctx.global;
    return ctx;
  };

  const contextOp = (scopeName: unknown, op: unknown, rawArgs: unknown, waitId: unknown, tag: unknown): unknown => {
    const scope = scopeOf(scopeName);
    const args = Array.isArray(rawArgs) ? rawArgs : [];
    const keys = args[0] as string | string[];
    const storeArg = (i: number) => (typeof args[i] === 'string' ? (args[i] as string) : undefined);
    if (op !== 'get' && op !== 'set' && op !== 'keys') return { err: `unknown context operation ${String(op)}` };
    if (waitId === 0) {
      try {
        if (op === 'get') return { value: scope.get(keys, storeArg(1)) };
        if (op === 'set') { scope.set(keys, restore(args[1]), storeArg(2)); return { value: undefined }; }
        return { value: scope.keys(storeArg(0)) };
      } catch (err) {
        return { err: errorText(err) };
      }
    }
    let answered: { err?: string; values?: unknown[] } | null = null;
    let id = 0;
    const cb = (err: Error | null, ...values: unknown[]) => {
      const result = err ? { err: errorText(err) } : { values: op === 'set' ? [] : values };
      if (id === 0) answered = result;
      else target.finishWait(id, result.err !== undefined ? [result.err] : [null, ...(result.values ?? [])]);
    };
    try {
      if (op === 'get') scope.get(keys, storeArg(1), cb);
      else if (op === 'set') scope.set(keys, restore(args[1]), storeArg(2), cb);
      else scope.keys(storeArg(0), cb as (err: Error | null, keys?: string[]) => void);
    } catch (err) {
      return { err: errorText(err) };
    }
    if (answered !== null) return answered;
    id = target.startWait(asNumber(tag));
    return { pending: true, id };
  };

  const libOp = (index: unknown, path: unknown, rawArgs: unknown, tag: unknown): unknown => {
    const lib = target.libs[asNumber(index)];
    const found = lib === undefined ? null : resolveLibFunction(lib, path);
    if (lib === undefined || found === null) return { err: 'no such module function' };
    let result: unknown;
    try {
      result = found.fn.apply(found.self, (Array.isArray(rawArgs) ? rawArgs : []).map((a) => restore(a)));
    } catch (err) {
      return { err: errorText(err) };
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      const id = target.startWait(asNumber(tag));
      (result as PromiseLike<unknown>).then(
        (value) => target.finishWait(id, [null, value]),
        (err: unknown) => target.finishWait(id, [errorText(err)]),
      );
      return { pending: id };
    }
    return { value: result };
  };

  return (op, ...a) => {
    switch (op) {
      case 'send': return target.send(asNumber(a[0]), asMsgId(a[1]), restore(a[2]));
      case 'done': return target.done(asNumber(a[0]), a[1] === null ? null : asThrown(a[1]));
      case 'error': return target.error(asThrown(a[0]), a[1] === null ? undefined : restore(a[1]), asNumber(a[2]));
      case 'log': {
        const level = LEVELS.has(a[0] as SandboxLogLevel) ? (a[0] as SandboxLogLevel) : 'info';
        return target.host.log(level, restore(a[1]));
      }
      case 'status': return target.status((a[0] ?? {}) as NodeStatus | string);
      case 'ctx': return contextOp(a[0], a[1], a[2], a[3], a[4]);
      case 'env': return target.host.getEnv(String(a[0]));
      case 'timer': return target.addTimer(asNumber(a[0]), Math.max(0, asNumber(a[1])), a[2] === true, asNumber(a[3]));
      case 'clear': return target.clearTimer(asNumber(a[0]));
      case 'settle': return target.settle(asNumber(a[0]), (Array.isArray(a[1]) ? a[1] : [1, { text: 'bad outcome' }]) as Outcome);
      case 'lib': return libOp(a[0], a[1], a[2], a[3]);
      case 'url': return urlOp(a[0], a[1], a[2], a[3]);
      case 'util': return utilOp(a[0], a[1], a[2]);
      default: return undefined;
    }
  };
}
