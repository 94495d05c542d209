/**
 * The runtime API for live flows: press an inject node's button, switch a debug node's sidebar
 * output, read and delete context. Each call checks the caller's permission and changes are
 * audited.
 */
import { NotFoundError, RedoubtError } from '../../errors/index.js';
import { debugControl } from '../../nodes/common/debug-control.js';
import { encodeObject } from '../../nodes/common/encode-object.js';
import type { Engine } from '../../runtime/engine/engine.js';
import type { ContextManager } from '../../runtime/context/index.js';
import type { ContextScope } from '../../runtime/types.js';
import type { AuditLog } from '../../security/types.js';
import { assertCan } from './access.js';
import type { Can, Caller } from './types.js';

export interface RuntimeServiceDeps {
  engine: Pick<Engine, 'getNode' | 'services'>;
  contexts: Pick<ContextManager, 'getGlobalContext' | 'getFlowContext' | 'storeNames' | 'defaultStoreName'>;
  audit: AuditLog;
  can: Can;
  debugMaxLength?: number;
}

export type ContextTarget = { scope: 'global' } | { scope: 'flow' | 'node'; id: string };

export interface RuntimeService {
  inject(caller: Caller, id: string, body: unknown): void;
  setDebugActive(caller: Caller, ids: readonly string[], isActive: boolean): void;
  getContext(caller: Caller, target: ContextTarget, options: { key?: string; store?: string }): Promise<unknown>;
  deleteContext(caller: Caller, target: ContextTarget, options: { key?: string; store?: string }): Promise<void>;
}

const promised = <T>(call: (cb: (err: Error | null, value?: T) => void) => void): Promise<T | undefined> =>
  new Promise((resolve, reject) => call((err, value) => (err ? reject(err) : resolve(value))));

/**
 * @example const rt = createRuntimeService({ engine, contexts, audit, can }); rt.inject(caller, 'n1', {});
 */
export function createRuntimeService(deps: RuntimeServiceDeps): RuntimeService {
  const { engine, contexts, audit, can } = deps;

  const scopeOf = (target: ContextTarget): ContextScope | undefined => {
    if (target.scope === 'global') return contexts.getGlobalContext();
    if (target.scope === 'flow') return contexts.getFlowContext(target.id);
    return engine.getNode(target.id)?.context();
  };

  const checkStore = (store: string | undefined) => {
    if (store !== undefined && !contexts.storeNames().includes(store)) throw new NotFoundError('context store', store);
  };

  const encode = (value: unknown) => encodeObject({ msg: value }, { maxLength: deps.debugMaxLength });

  return {
    inject(caller, id, body) {
      assertCan(can, caller, 'inject');
      const node = engine.getNode(id);
      if (!node || node.type !== 'inject') throw new NotFoundError('inject node', id);
      const props = body && typeof body === 'object' && '__user_inject_props__' in body ? (body as Record<string, unknown>) : undefined;
      audit.record({ event: 'flows.inject', username: caller.username, address: caller.address, details: { id } });
      node.receive(props ? { __user_inject_props__: props.__user_inject_props__ } : undefined);
    },
    setDebugActive(caller, ids, isActive) {
      assertCan(can, caller, 'debug.toggle');
      const control = debugControl(engine.services);
      const missing = ids.filter((id) => !control.setActive(id, isActive));
      if (ids.length === 1 && missing.length === 1) throw new NotFoundError('debug node', ids[0]!);
    },
    async getContext(caller, target, { key, store }) {
      assertCan(can, caller, 'context.read');
      checkStore(store);
      const ctx = scopeOf(target);
      if (!ctx) return {};
      if (key !== undefined) {
        const chosen = store ?? contexts.defaultStoreName();
        const value = await promised<unknown>((cb) => ctx.get(key, chosen, cb));
        const encoded: Record<string, unknown> = encode(value);
        if (chosen !== contexts.defaultStoreName()) encoded.store = chosen;
        return encoded;
      }
      const result: Record<string, Record<string, unknown>> = {};
      for (const name of store ? [store] : contexts.storeNames()) {
        const keys = (await promised<string[]>((cb) => ctx.keys(name, cb))) ?? [];
        const entries: Record<string, unknown> = {};
        for (const k of keys) entries[k] = encode(await promised<unknown>((cb) => ctx.get(k, name, cb)));
        result[name] = entries;
      }
      return result;
    },
    async deleteContext(caller, target, { key, store }) {
      assertCan(can, caller, 'context.write');
      checkStore(store);
      if (key === undefined) throw new RedoubtError('not_found', 'deleting a whole context is not supported; name a key');
      const ctx = scopeOf(target);
      if (!ctx) return;
      const chosen = store ?? contexts.defaultStoreName();
      await promised<void>((cb) => ctx.set(key, undefined, chosen, (err) => cb(err)));
      audit.record({ event: 'context.delete', username: caller.username, address: caller.address, details: { scope: target.scope, id: 'id' in target ? target.id : undefined, store: chosen, key } });
    },
  };
}
