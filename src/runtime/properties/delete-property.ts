/**
 * `delete obj[key]` that keeps a plain object's fast layout.
 *
 * V8 keeps an object in its compact, shared-shape form when the property deleted is the last
 * one added, and turns it into a per-object hash table otherwise: about 450 bytes more per
 * message, slower to read, and several times slower to clone or `Object.assign` from. A change
 * node deleting `msg.parts` after a split hits exactly that (`_msgid` comes after `parts`), and
 * every later node pays for it. So the few properties added after `key` are taken off, last
 * first, `key` is deleted while it is last, and they are put back in their order.
 *
 * Nothing observable differs from `delete`: the same keys in the same order with the same
 * values. The detour is taken only when that is certain: a plain, extensible, non-proxy object
 * whose trailing properties are ordinary data properties; otherwise it is a plain `delete`.
 */
import { types } from 'node:util';

/** Past this many trailing properties the detour costs more than the hash table it avoids. */
const MAX_TRAILING = 8;

const objectProto = Object.prototype;
const getDescriptor = Object.getOwnPropertyDescriptor;

function isOrdinaryData(d: PropertyDescriptor | undefined): d is PropertyDescriptor {
  return d !== undefined && 'value' in d && d.writable === true && d.enumerable === true && d.configurable === true;
}

/**
 * Deletes `obj[key]` as the `delete` operator does in strict code (a non-configurable property
 * throws a TypeError).
 *
 * @example deleteProperty(msg, 'parts') // msg keeps its shape; Object.keys(msg) as after delete
 */
export function deleteProperty(obj: object, key: string | number): void {
  const target = obj as Record<string | number, unknown>;
  if (!shapeKeepingDelete(target, key)) delete target[key];
}

function shapeKeepingDelete(obj: Record<string | number, unknown>, key: string | number): boolean {
  // Array-index keys live apart from the named properties; deleting one never changes the shape.
  if (typeof key !== 'string' || key.length === 0 || (key.charCodeAt(0) >= 48 && key.charCodeAt(0) <= 57)) return false;
  if (types.isProxy(obj)) return false;
  const proto = Object.getPrototypeOf(obj);
  if ((proto !== objectProto && proto !== null) || !Object.isExtensible(obj)) return false;
  // Non-enumerable names too: one among the trailing ones must keep its place, so it stops the detour.
  const keys = Object.getOwnPropertyNames(obj);
  const at = keys.indexOf(key);
  const trailing = keys.length - 1 - at;
  if (at === -1 || trailing === 0 || trailing > MAX_TRAILING) return false;
  if (getDescriptor(obj, key)?.configurable !== true) return false;
  const values = new Array<unknown>(trailing);
  for (let i = 0; i < trailing; i++) {
    const d = getDescriptor(obj, keys[at + 1 + i]!);
    if (!isOrdinaryData(d)) return false;
    values[i] = d.value;
  }
  for (let i = trailing; i >= 1; i--) delete obj[keys[at + i]!];
  delete obj[key];
  for (let i = 0; i < trailing; i++) obj[keys[at + 1 + i]!] = values[i];
  return true;
}
