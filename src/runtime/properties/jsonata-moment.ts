/**
 * JSONata's `$moment(...)`, as Node-RED 4 offers it: up to four arguments handed unchanged to
 * moment-timezone's `moment(input, format, locale, strict)`, no signature.
 *
 * Two things differ from a plain binding, both invisible to flows:
 *
 * - moment-timezone (with its zone data, a few megabytes once loaded) is required on the first
 *   call, not when an expression is prepared or when this module is imported, so an installation
 *   whose expressions never call `$moment` never loads it.
 * - jsonata 2.2 reads only own properties of objects (its guard against prototype access), so
 *   `$moment().tz("Europe/London").format()` would find no `tz` or `format` on a moment. Node-RED
 *   ran into this and moved to a patched jsonata; here instead each moment that `$moment` gives
 *   to an expression is wrapped so that moment's own methods (and only those: not `constructor`,
 *   not Object's) read as own properties, and a method that returns a moment returns it wrapped.
 */
import type momentTimezone from 'moment-timezone';
import { lazyRequire } from '../lazy-require.js';

type MomentApi = typeof momentTimezone;
type Moment = momentTimezone.Moment;
type Method = (this: Moment, ...args: unknown[]) => unknown;

const loadMoment = lazyRequire<MomentApi>('moment-timezone');

function methodOf(api: MomentApi, key: string | symbol): Method | undefined {
  if (typeof key !== 'string' || key === 'constructor') return undefined;
  const proto = api.fn as unknown as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(proto, key)) return undefined;
  const value = proto[key];
  return typeof value === 'function' ? (value as Method) : undefined;
}

function expose(api: MomentApi, moment: Moment): Moment {
  const call = (method: Method) =>
    function exposedMethod(...args: unknown[]): unknown {
      // jsonata calls with `this` set to the proxy; the real moment is used so its internals
      // never go through the traps, and returning `this` (most setters do) keeps the same proxy.
      const result = method.apply(moment, args);
      if (result === moment) return view;
      return api.isMoment(result) ? expose(api, result) : result;
    };
  const view: Moment = new Proxy(moment, {
    getOwnPropertyDescriptor(target, key) {
      const own = Reflect.getOwnPropertyDescriptor(target, key);
      if (own) return own;
      const method = methodOf(api, key);
      // Configurable, so the proxy invariants hold for a property the target itself lacks.
      return method && { value: call(method), writable: false, enumerable: false, configurable: true };
    },
    get(target, key) {
      const method = methodOf(api, key);
      return method ? call(method) : Reflect.get(target, key);
    },
  });
  return view;
}

/**
 * The `$moment` binding: `moment(arg1, arg2, arg3, arg4)` of moment-timezone, loaded on first call.
 *
 * @example await jsonata('$moment(t).tz("Asia/Tokyo").format("HH:mm")').evaluate(msg, { moment: callMoment })
 */
export function callMoment(arg1?: unknown, arg2?: unknown, arg3?: unknown, arg4?: unknown): Moment {
  const api = loadMoment();
  const create = api as unknown as (...args: unknown[]) => Moment;
  return expose(api, create(arg1, arg2, arg3, arg4));
}
