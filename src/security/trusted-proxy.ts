/**
 * Which address is the client. The peer of the TCP connection, unless that peer is a proxy listed
 * in `trustProxy`: then the `X-Forwarded-For` chain is read from the right, hop by hop, for as long
 * as each hop is itself a trusted proxy, and the first untrusted hop is the client. Nothing else
 * in Redoubt reads `X-Forwarded-*`; without `trustProxy` those headers are ignored entirely, so a
 * client cannot pick its own address.
 */
import { compileCidrs } from './ip-allowlist.js';
import { inRange, parseIp } from './ip-address.js';

export interface ForwardedFacts {
  /** The peer of the connection (`socket.remoteAddress`). */
  peer: string | undefined;
  /** The `X-Forwarded-For` header(s) as received. */
  forwardedFor?: string | readonly string[];
  /** The `X-Forwarded-Proto` header(s) as received. */
  forwardedProto?: string | readonly string[];
  /** Whether the connection itself is TLS. */
  encrypted: boolean;
}

export interface TrustedProxy {
  /** Whether any proxy is trusted at all. */
  readonly isEnabled: boolean;
  isTrusted(address: string | undefined): boolean;
  /** The client's address: the peer, or the nearest untrusted hop behind trusted proxies. */
  clientAddress(facts: ForwardedFacts): string;
  /** Whether the client reached Redoubt over HTTPS: TLS here, or a trusted proxy says `https`. */
  isSecure(facts: ForwardedFacts): boolean;
}

function headerList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const joined = typeof value === 'string' ? value : value.join(',');
  return joined
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Strips the brackets and port some proxies add (`[2001:db8::1]:443`, `203.0.113.5:1234`). */
function bareAddress(hop: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed) return bracketed[1]!;
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(hop);
  return v4WithPort ? v4WithPort[1]! : hop;
}

/**
 * @example
 * const proxy = createTrustedProxy({ trustProxy: ['127.0.0.1/32'] });
 * proxy.clientAddress({ peer: '127.0.0.1', forwardedFor: '203.0.113.9', encrypted: false }); // '203.0.113.9'
 */
export function createTrustedProxy(options: { trustProxy: readonly string[]; setting?: string }): TrustedProxy {
  const ranges = compileCidrs(options.trustProxy, options.setting ?? 'trustProxy');
  const isTrusted = (address: string | undefined) => {
    const ip = address === undefined ? undefined : parseIp(address);
    return ip !== undefined && ranges.some((range) => inRange(ip, range));
  };
  return {
    isEnabled: ranges.length > 0,
    isTrusted,
    clientAddress(facts) {
      const peer = facts.peer ?? 'unknown';
      if (!isTrusted(peer)) return peer;
      const hops = headerList(facts.forwardedFor).map(bareAddress);
      let client = peer;
      for (let i = hops.length - 1; i >= 0; i--) {
        client = hops[i]!;
        // A hop that is not an address stays the answer: it matches no allow-list.
        if (!isTrusted(client)) break;
      }
      return client;
    },
    isSecure(facts) {
      if (facts.encrypted) return true;
      if (!isTrusted(facts.peer)) return false;
      // The nearest proxy appends last; only its word counts.
      const protos = headerList(facts.forwardedProto);
      return protos.length > 0 && protos[protos.length - 1]!.toLowerCase() === 'https';
    },
  };
}
