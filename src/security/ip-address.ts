/**
 * IP addresses as 128-bit numbers, so one comparison serves IPv4 and IPv6 alike: an IPv4 address
 * is held as its IPv4-mapped IPv6 form (`::ffff:a.b.c.d`), which is also how a dual-stack socket
 * reports an IPv4 peer. Plus the classes the deployment profiles reason about.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** An address as a number in the IPv6 space; IPv4 sits in `::ffff:0:0/96`. */
export interface ParsedIp {
  readonly value: bigint;
  /** The family it was written in (a mapped `::ffff:10.0.0.1` counts as 4). */
  readonly family: 4 | 6;
}

const MAPPED_PREFIX = 0xffffn << 32n;
const ALL_ONES = (1n << 128n) - 1n;

function ipv4ToNumber(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToNumber(text: string): bigint {
  let hex = text;
  // An embedded dotted quad at the end (`::ffff:10.0.0.1`) stands for the last two groups.
  if (hex.includes('.')) {
    const cut = hex.lastIndexOf(':');
    const v4 = ipv4ToNumber(hex.slice(cut + 1));
    hex = `${hex.slice(0, cut + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => BigInt(parseInt(g, 16))));
  const double = hex.indexOf('::');
  const all =
    double === -1
      ? groups(hex)
      : (() => {
          const left = groups(hex.slice(0, double));
          const right = groups(hex.slice(double + 2));
          return [...left, ...Array<bigint>(8 - left.length - right.length).fill(0n), ...right];
        })();
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses an IPv4 or IPv6 literal (a `%zone` suffix is dropped); undefined when it is not one. */
export function parseIp(text: string): ParsedIp | undefined {
  if (typeof text !== 'string') return undefined;
  const address = text.replace(/%[^%]*$/, '');
  if (isIPv4(address)) return { value: MAPPED_PREFIX | ipv4ToNumber(address), family: 4 };
  if (!isIPv6(address)) return undefined;
  const value = ipv6ToNumber(address.toLowerCase());
  return { value, family: value >> 32n === 0xffffn ? 4 : 6 };
}

/** A prefix as value and mask; `bits` counts in the family it was written in. */
export interface IpRange {
  readonly base: bigint;
  readonly mask: bigint;
}

/** `10.0.0.0/8`, `fd00::/8`, or a single address. Undefined when malformed. */
export function parseCidr(text: string): IpRange | undefined {
  if (typeof text !== 'string') return undefined;
  const [address, bitsText, extra] = text.trim().split('/');
  if (extra !== undefined || address === undefined) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const width = ip.family === 4 ? 32 : 128;
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (bits > width) return undefined;
  const bits128 = ip.family === 4 ? 96 + bits : bits;
  const mask = bits128 === 0 ? 0n : (ALL_ONES << BigInt(128 - bits128)) & ALL_ONES;
  return { base: ip.value & mask, mask };
}

export function inRange(ip: ParsedIp | bigint, range: IpRange): boolean {
  const value = typeof ip === 'bigint' ? ip : ip.value;
  return (value & range.mask) === range.base;
}

function ranges(list: readonly string[]): IpRange[] {
  return list.map((cidr) => {
    const range = parseCidr(cidr);
    if (!range) throw new TypeError(`bad built-in range ${cidr}`);
    return range;
  });
}

const LOOPBACK = ranges(['127.0.0.0/8', '::1/128']);
const UNSPECIFIED = ranges(['0.0.0.0/32', '::/128']);
/**
 * Private: not reachable from the internet by its own address. RFC 1918; 100.64.0.0/10 (RFC 6598
 * shared address space, used by carrier-grade NAT and by private APNs of mobile operators, where
 * the SIM's address is reachable only inside the operator's private network); link-local
 * (169.254/16, fe80::/10); IPv6 unique local addresses fc00::/7.
 */
const PRIVATE = ranges(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', 'fc00::/7', 'fe80::/10']);

export type AddressClass = 'loopback' | 'private' | 'public' | 'unspecified';

/**
 * The class of an address literal. Everything that is neither loopback, private nor the
 * unspecified address counts as public, documentation ranges included: the safe side.
 *
 * @example classifyAddress('192.168.1.10') // 'private'
 */
export function classifyAddress(address: string): AddressClass | undefined {
  const ip = parseIp(address);
  if (!ip) return undefined;
  if (LOOPBACK.some((r) => inRange(ip, r))) return 'loopback';
  if (UNSPECIFIED.some((r) => inRange(ip, r))) return 'unspecified';
  if (PRIVATE.some((r) => inRange(ip, r))) return 'private';
  return 'public';
}
