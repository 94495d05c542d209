/**
 * Text or binary, as Node-RED tells them apart in the exec node's output and in http-in bodies
 * of an `application/*` type it does not know: with the `is-utf8` package, which accepts UTF-8
 * but no ASCII control byte other than tab, line feed and carriage return (nor DEL). Node's own
 * `isUtf8` accepts every valid sequence, so a body of `\x01\x02` would be text here and a Buffer
 * in Node-RED.
 */
import { isUtf8 } from 'node:buffer';

/**
 * @example isPrintableUtf8(Buffer.from('tab\tand é\n')); // true
 * @example isPrintableUtf8(Buffer.from([0x01, 0x41]));    // false: a control byte
 */
export function isPrintableUtf8(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) || byte === 0x7f) return false;
  }
  return isUtf8(data);
}
