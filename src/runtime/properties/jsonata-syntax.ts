/**
 * A quick check that a JSONata expression is valid, for the plain shapes most flows use:
 * arithmetic, comparison and concatenation of numbers, strings, dotted paths, variables and
 * function calls (`$random() * 20`, `payload.value > 5`, `"site-" & $string(id)`).
 *
 * It answers "certainly valid" or "cannot tell", never "invalid": whatever it does not recognise
 * goes to jsonata's own parser, which names the error. It exists because jsonata builds its whole
 * parser (symbol table and all) for every expression it parses, so a deploy of thousands of
 * distinct expressions spends most of its time there; an expression this check accepts can be
 * parsed when it is first evaluated instead. The grammar below is a strict subset of JSONata's.
 */

const MAX_LENGTH = 512;
const MAX_DEPTH = 16;
/** More digits than a double holds exactly could overflow to Infinity, which jsonata refuses (S0102). */
const MAX_DIGITS = 15;
/** Words jsonata reads as operators or literals rather than names. */
const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Whether `source` is one of the plain expressions jsonata certainly parses.
 *
 * @example isPlainlyValidJSONata('$random() * 17'); // true
 * @example isPlainlyValidJSONata('payload[0]'); // false: valid, but not a shape this check knows
 */
export function isPlainlyValidJSONata(source: string): boolean {
  const n = source.length;
  if (n === 0 || n > MAX_LENGTH) return false;
  let i = 0;

  const skipSpace = () => {
    while (i < n) {
      const c = source.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };

  /** A name that jsonata reads as a name; false for reserved words and anything unusual. */
  const name = (): boolean => {
    const start = i;
    if (i >= n || !isLetter(source.charCodeAt(i))) return false;
    i++;
    while (i < n && (isLetter(source.charCodeAt(i)) || isDigit(source.charCodeAt(i)))) i++;
    return !RESERVED.has(source.slice(start, i));
  };

  const number = (): boolean => {
    const start = i;
    if (source.charCodeAt(i) === 48) i++;
    else while (i < n && isDigit(source.charCodeAt(i))) i++;
    if (source.charCodeAt(i) === 46 && isDigit(source.charCodeAt(i + 1))) {
      i++;
      while (i < n && isDigit(source.charCodeAt(i))) i++;
    }
    return i - start <= MAX_DIGITS + 1;
  };

  /** A quoted string without escapes (escapes are left to jsonata). */
  const string = (): boolean => {
    const quote = source.charCodeAt(i);
    i++;
    while (i < n) {
      const c = source.charCodeAt(i);
      if (c === quote) {
        i++;
        return true;
      }
      if (c === 92) return false;
      i++;
    }
    return false;
  };

  /** A binary operator: consumed and true; at `)`, `,` or the end: undefined (the caller decides); anything else: false. */
  const operator = (): boolean | undefined => {
    if (i >= n) return undefined;
    const c = source.charCodeAt(i);
    if (c === 41 || c === 44) return undefined; // ) ,
    if (c === 43 || c === 45 || c === 42 || c === 47 || c === 37 || c === 38 || c === 61) {
      i++; // + - * / % & =
      return true;
    }
    if (c === 60 || c === 62) {
      i += source.charCodeAt(i + 1) === 61 ? 2 : 1; // < <= > >=
      return true;
    }
    if (c === 33 && source.charCodeAt(i + 1) === 61) {
      i += 2; // !=
      return true;
    }
    return false;
  };

  const term = (depth: number): boolean => {
    skipSpace();
    if (source.charCodeAt(i) === 45) {
      i++; // one unary minus
      skipSpace();
    }
    if (i >= n) return false;
    const c = source.charCodeAt(i);
    if (isDigit(c)) return number();
    if (c === 34 || c === 39) return string();
    if (c === 40) {
      if (depth >= MAX_DEPTH) return false;
      i++;
      if (!expression(depth + 1)) return false;
      skipSpace();
      if (source.charCodeAt(i) !== 41) return false;
      i++;
      return true;
    }
    if (c === 36) {
      i++;
      if (!name()) return false;
      if (source.charCodeAt(i) !== 40) return true; // a variable
      if (depth >= MAX_DEPTH) return false;
      i++; // a function call's arguments
      skipSpace();
      if (source.charCodeAt(i) === 41) {
        i++;
        return true;
      }
      for (;;) {
        if (!expression(depth + 1)) return false;
        skipSpace();
        const next = source.charCodeAt(i);
        i++;
        if (next === 41) return true;
        if (next !== 44) return false;
      }
    }
    if (!name()) return false;
    while (source.charCodeAt(i) === 46) {
      i++;
      if (!name()) return false;
    }
    return true;
  };

  const expression = (depth: number): boolean => {
    if (!term(depth)) return false;
    for (;;) {
      skipSpace();
      const op = operator();
      if (op === undefined) return true;
      if (!op || !term(depth)) return false;
    }
  };

  if (!expression(0)) return false;
  skipSpace();
  return i === n;
}
