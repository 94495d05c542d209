/**
 * Text encodings of the file nodes, through iconv-lite as in Node-RED: the same names (Node's
 * own, the Windows, ISO, IBM, Mac and East Asian code pages...) and the same bytes, both ways.
 * 'none' is UTF-8 through Node's Buffer, as Node-RED does without iconv-lite.
 *
 * iconv-lite is loaded by the first file node that uses an encoding, and loads each code page's
 * table only when a name asks for it (why it stays out of the bundle: scripts/bundle.mjs).
 */
import { StringDecoder } from 'node:string_decoder';
import type * as Iconv from 'iconv-lite';
import { RedoubtError } from '../../errors/index.js';
import { lazyRequire } from '../../runtime/lazy-require.js';

const iconv = lazyRequire<typeof Iconv>('iconv-lite');

/** A streaming decoder: feed chunks, then `end()`; characters split across chunks are kept whole. */
export interface ChunkDecoder {
  write(chunk: Buffer): string;
  end(): string;
}

export interface TextCodec {
  /** Text to bytes. A Buffer is read as UTF-8 first, as iconv-lite does. */
  encode(data: string | Buffer, encoding: string): Buffer;
  decode(data: Buffer, encoding: string): string;
  decoder(encoding: string): ChunkDecoder;
}

/** Node-RED lets iconv-lite throw its own "Encoding not recognized"; this names the setting too. */
function known(encoding: string): typeof Iconv {
  const lib = iconv();
  if (!lib.encodingExists(encoding)) {
    throw new RedoubtError('unsupported_encoding', `Encoding '${encoding}' is not supported: set the node's encoding to one from its list`);
  }
  return lib;
}

const codec: TextCodec = {
  encode(data, encoding) {
    const text = typeof data === 'string' ? data : data.toString('utf8');
    if (encoding === 'none') return Buffer.from(text);
    return known(encoding).encode(text, encoding);
  },
  decode(data, encoding) {
    if (encoding === 'none') return data.toString('utf8');
    return known(encoding).decode(data, encoding);
  },
  decoder(encoding) {
    if (encoding === 'none') return new StringDecoder('utf8');
    const decoder = known(encoding).getDecoder(encoding);
    return { write: (chunk) => decoder.write(chunk), end: () => decoder.end() ?? '' };
  },
};

/** The codec of a file node. Stateless: iconv-lite caches its code pages itself. */
export function createTextCodec(): TextCodec {
  return codec;
}
