/**
 * Checks request JSON before `JSON.parse` sees it: the syntax, with the position of the first
 * error (without echoing the input back), and the nesting depth, so a deeply nested document is
 * refused before it reaches the parser or the engine.
 */
import { RedoubtError } from '../../errors/index.js';

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * Throws `invalid_json` (naming the position) or `json_too_deep`; returns when `text` is one
 * valid JSON value nested at most `maxDepth` levels.
 *
 * @example scanJson('{"a":[1]}', 64); // ok
 */
export function scanJson(text: string, maxDepth: number): void {
  let i = 0;
  let depth = 0;
  const n = text.length;
  const fail = (what: string): never => {
    throw new RedoubtError('invalid_json', `Malformed JSON at position ${i}: ${i >= n ? 'unexpected end of input' : what}`);
  };
  const skipWs = () => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected character`);
  };
  const string = () => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('bad escape');
      } else i++;
    }
    fail('unterminated string');
  };
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0].length === 0) fail('unexpected character');
    i += m![0].length;
  };
  // Iterative so that depth itself cannot overflow the stack before it is counted.
  const stack: Array<'{' | '['> = [];
  /** Reads a scalar or an empty container (false), or opens a container and its first key (true). */
  const value = (): boolean => {
    skipWs();
    const c = text[i];
    if (c === '{' || c === '[') {
      depth++;
      if (depth > maxDepth) throw new RedoubtError('json_too_deep', `JSON nested more than ${maxDepth} levels deep at position ${i}`);
      i++;
      skipWs();
      if (text[i] === (c === '{' ? '}' : ']')) {
        i++;
        depth--;
        return false;
      }
      stack.push(c);
      if (c === '{') member();
      return true;
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail('unexpected character');
    return false;
  };
  const member = () => {
    skipWs();
    if (text[i] !== '"') fail('expected a property name in double quotes');
    string();
    skipWs();
    if (text[i] !== ':') fail("expected ':' after property name");
    i++;
  };
  let needValue = true;
  for (;;) {
    if (needValue) {
      needValue = value();
      continue;
    }
    if (stack.length === 0) break;
    const open = stack[stack.length - 1]!;
    const close = open === '{' ? '}' : ']';
    skipWs();
    if (text[i] === ',') {
      i++;
      if (open === '{') member();
      needValue = true;
    } else if (text[i] === close) {
      i++;
      stack.pop();
      depth--;
    } else fail(`expected ',' or '${close}'`);
  }
  skipWs();
  if (i < n) fail('unexpected data after the JSON value');
}

/**
 * `JSON.parse` behind the same checks as `scanJson`, at a fraction of its cost for the large
 * bodies of a deploy: the nesting depth is counted first (brackets outside strings; for valid
 * JSON that is its depth), so a too-deep document still never reaches the parser; the full scan
 * runs only to name what is wrong when the count or the parser refuses the text.
 *
 * @example parseCheckedJson('{"flows":[]}', 64); // { flows: [] }
 */
export function parseCheckedJson(text: string, maxDepth: number): unknown {
  if (bracketDepthExceeds(text, maxDepth)) {
    scanJson(text, maxDepth);
    // Not reached for any text the count rejects; kept so a miscount can only refuse.
    throw new RedoubtError('json_too_deep', `JSON nested more than ${maxDepth} levels deep`);
  }
  try {
    return JSON.parse(text);
  } catch {
    scanJson(text, maxDepth);
    throw new RedoubtError('invalid_json', 'Malformed JSON');
  }
}

/** Whether brackets outside strings ever nest deeper than `maxDepth`; an unterminated string ends the count. */
function bracketDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Jump to the closing quote: one preceded by an even number of backslashes.
      let end = text.indexOf('"', i + 1);
      while (end !== -1) {
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        if ((slashes & 1) === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (end === -1) return false;
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
