/**
 * Reads a size setting the way Node-RED's `apiMaxLength` is written: a number of bytes, or a
 * string such as '5mb', '100kb', '1.5gb'.
 */
import { ConfigError } from '../../errors/index.js';

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseByteSize(value: string | number, setting: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return Math.floor(value);
    throw new ConfigError(setting, `must be a size in bytes or a string such as '5mb', got ${value}`);
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
  if (!match) throw new ConfigError(setting, `must be a size in bytes or a string such as '5mb', got '${value}'`);
  return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]!);
}
