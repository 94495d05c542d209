/**
 * Text encodings of the file nodes. Node-RED converts through iconv-lite; here Node's own
 * Buffer (utf8, ucs2, utf-16le, latin1/binary, ascii, base64, hex), byte swapping (utf-16be) and
 * the WHATWG TextDecoder (full ICU) do the same job without another dependency.
 *
 * Reading works for every encoding TextDecoder knows, which covers most of Node-RED's list.
 * Writing works for the Buffer encodings and the single-byte ones (Windows, ISO-8859, KOI8,
 * Mac, IBM 866), whose byte tables are read back from TextDecoder. Multi-byte East Asian
 * encodings (Shift_JIS, EUC-JP, GBK, GB18030, EUC-KR, Big5) can be read but not written, and a
 * few IBM/Mac code pages have no decoder at all: both fail with `unsupported_encoding`.
 */
import { StringDecoder } from 'node:string_decoder';
import { RedoubtError } from '../../errors/index.js';

const NATIVE: Record<string, BufferEncoding> = {
  utf8: 'utf8',
  'utf-8': 'utf8',
  ucs2: 'utf16le',
  'ucs-2': 'utf16le',
  'utf-16le': 'utf16le',
  utf16le: 'utf16le',
  ascii: 'ascii',
  binary: 'latin1',
  latin1: 'latin1',
  // TextDecoder reads ISO-8859-1 as windows-1252; iconv-lite (and so Node-RED) does not.
  'iso-8859-1': 'latin1',
  base64: 'base64',
  hex: 'hex',
};

// iconv-lite names that the WHATWG label list spells differently.
const ALIASES: Record<string, string> = {
  windows932: 'shift_jis',
  'windows-932': 'shift_jis',
  windows936: 'gbk',
  'euc-cn': 'gbk',
  ks_c_5601: 'euc-kr',
  windows949: 'euc-kr',
  windows950: 'big5',
  maccyrillic: 'x-mac-cyrillic',
  macukraine: 'x-mac-cyrillic',
  macroman: 'macintosh',
  tis620: 'windows-874',
  cp874: 'windows-874',
  'koi8-ru': 'koi8-u',
};

// Node's TextDecoder reads windows-1252 as latin1, so bytes 0x80-0x9F (euro sign, curly
// quotes...) come out as C1 controls. This is the real table for that range (0 = unassigned).
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

function decodeCp1252(chunk: Uint8Array): string {
  let out = '';
  for (const byte of chunk) {
    const high = byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80]! : 0;
    out += String.fromCharCode(high || byte);
  }
  return out;
}

/** A single-byte decoder for a WHATWG name, correcting windows-1252. */
function singleByteDecoder(name: string): (chunk: Uint8Array) => string {
  if (name === 'windows-1252') return decodeCp1252;
  const decoder = new TextDecoder(name);
  return (chunk) => decoder.decode(chunk);
}

const SINGLE_BYTE = /^(ibm866|iso-8859-\d+|koi8-[ru]|macintosh|windows-874|windows-125\d|x-mac-cyrillic)$/;

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

function unsupported(encoding: string, detail: string): RedoubtError {
  return new RedoubtError('unsupported_encoding', `Encoding '${encoding}' is not supported ${detail}`);
}

function whatwgName(encoding: string): string | undefined {
  const key = encoding.toLowerCase();
  try {
    return new TextDecoder(ALIASES[key] ?? key).encoding;
  } catch {
    // TextDecoder throws RangeError for a label it does not know: that is "unsupported".
    return undefined;
  }
}

/** One codec per node: it caches the byte tables it builds for writing single-byte encodings. */
export function createTextCodec(): TextCodec {
  const tables = new Map<string, Map<string, number>>();

  const tableFor = (name: string): Map<string, number> => {
    let table = tables.get(name);
    if (!table) {
      table = new Map();
      const decode = singleByteDecoder(name);
      for (let byte = 0; byte < 256; byte++) {
        const ch = decode(Uint8Array.of(byte));
        if (ch !== '\uFFFD' && !table.has(ch)) table.set(ch, byte);
      }
      tables.set(name, table);
    }
    return table;
  };

  return {
    encode(data, encoding) {
      const text = typeof data === 'string' ? data : data.toString('utf8');
      if (encoding === 'none') return Buffer.from(text);
      const key = encoding.toLowerCase();
      const native = NATIVE[key];
      if (native) return Buffer.from(text, native);
      if (key === 'utf-16be' || key === 'utf16be') return Buffer.from(text, 'utf16le').swap16();
      const name = whatwgName(encoding);
      if (!name) throw unsupported(encoding, '(unknown encoding)');
      if (name === 'utf-8') return Buffer.from(text);
      if (!SINGLE_BYTE.test(name)) throw unsupported(encoding, 'for writing');
      const table = tableFor(name);
      const out = Buffer.alloc(text.length * 2);
      let n = 0;
      for (const ch of text) out[n++] = table.get(ch) ?? 0x3f; // '?' for unmappable, as iconv-lite
      return out.subarray(0, n);
    },
    decode(data, encoding) {
      const d = this.decoder(encoding);
      return d.write(data) + d.end();
    },
    decoder(encoding) {
      if (encoding === 'none') return new StringDecoder('utf8');
      const key = encoding.toLowerCase();
      const native = NATIVE[key];
      if (native) return new StringDecoder(native);
      const name = key === 'utf16be' ? 'utf-16be' : whatwgName(encoding);
      if (!name) throw unsupported(encoding, '(unknown encoding)');
      if (SINGLE_BYTE.test(name)) {
        const decode = singleByteDecoder(name);
        return { write: (chunk) => decode(chunk), end: () => '' };
      }
      const decoder = new TextDecoder(name);
      return {
        write: (chunk) => decoder.decode(chunk, { stream: true }),
        end: () => decoder.decode(),
      };
    },
  };
}
