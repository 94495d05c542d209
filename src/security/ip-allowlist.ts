/**
 * IP allow-lists: CIDR ranges, IPv4 and IPv6, compiled once at construction into value/mask pairs.
 * An IPv4 range also matches the same address seen as IPv4-mapped IPv6 (`::ffff:10.0.0.7`), which
 * is how a dual-stack listener reports IPv4 peers. A malformed entry stops the start with a
 * `ConfigError` naming the setting and the entry.
 */
import { ConfigError } from '../errors/index.js';
import { inRange, parseCidr, parseIp, type IpRange } from './ip-address.js';

export interface IpAllowList {
  /** The ranges as configured. */
  readonly rules: readonly string[];
  /** Whether the address falls in one of the ranges; anything that is not an IP literal is refused. */
  allows(address: string | undefined): boolean;
}

export interface IpAllowListOptions {
  /** CIDRs (`10.0.0.0/8`, `fd00::/8`) or single addresses. */
  cidrs: readonly string[];
  /** The setting the list came from, named in errors (e.g. `ipAllowList.editor`). */
  setting: string;
}

/** Compiles CIDR strings; throws a ConfigError naming `setting` and listing every bad entry. */
export function compileCidrs(cidrs: readonly string[], setting: string): IpRange[] {
  if (!Array.isArray(cidrs)) throw new ConfigError(setting, 'must be a list of CIDR ranges such as 192.168.1.0/24 or fd00::/8');
  const bad: string[] = [];
  const compiled: IpRange[] = [];
  for (const cidr of cidrs) {
    const range = typeof cidr === 'string' ? parseCidr(cidr) : undefined;
    if (range) compiled.push(range);
    else bad.push(String(cidr));
  }
  if (bad.length > 0) {
    throw new ConfigError(setting, `not a CIDR range: ${bad.map((b) => `'${b}'`).join(', ')} (write e.g. 192.168.1.0/24, 10.0.0.5 or fd00::/8)`);
  }
  return compiled;
}

/**
 * @example
 * const editor = createIpAllowList({ cidrs: ['192.168.1.0/24', 'fd00::/8'], setting: 'ipAllowList.editor' });
 * editor.allows('::ffff:192.168.1.20'); // true
 */
export function createIpAllowList(options: IpAllowListOptions): IpAllowList {
  const ranges = compileCidrs(options.cidrs, options.setting);
  if (ranges.length === 0) throw new ConfigError(options.setting, 'an empty allow-list would refuse everyone; leave the setting out to allow every address');
  return {
    rules: [...options.cidrs],
    allows(address) {
      const ip = address === undefined ? undefined : parseIp(address);
      return ip !== undefined && ranges.some((range) => inRange(ip, range));
    },
  };
}
