/**
 * The escapes the split and join editors let users type into a separator field (`\n`, `\t`...),
 * turned into the characters they stand for.
 */

const ESCAPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\\n/g, '\n'],
  [/\\r/g, '\r'],
  [/\\t/g, '\t'],
  // Node-RED writes "\e" in a JS string, which is just "e": the escape yields the letter e.
  [/\\e/g, 'e'],
  [/\\f/g, '\f'],
  [/\\0/g, '\0'],
];

/**
 * Replaces the escape sequences Node-RED's split and join nodes accept in a separator.
 *
 * @example unescapeSeparator('\\n') // '\n'
 */
export function unescapeSeparator(text: string): string {
  let out = text;
  for (const [pattern, replacement] of ESCAPES) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Parses a `bin` separator (a JSON array of bytes, as the editor saves it).
 * Returns the byte list, or an error message naming what is wrong.
 */
export function parseByteArray(text: string): { bytes: number[] } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { error: `is not valid JSON: ${(err as Error).message}` };
  }
  if (!Array.isArray(parsed)) return { error: 'must be a JSON array of bytes, e.g. [10] or [13,10]' };
  return { bytes: parsed as number[] };
}
