/**
 * The start-time check of a deployment profile: a pure function of the settings, the machine's
 * interface list and a few facts, returning every refusal (the start stops) and every warning (a
 * recommendation not followed). Each names the setting that fixes it. No I/O: the caller reads
 * `os.networkInterfaces()`, resolves a host name, and knows which admins have a second factor.
 */
import { classifyAddress, type AddressClass } from '../ip-address.js';
import { PROFILES, type ProfileName } from './profile-table.js';

/** The shape of `os.networkInterfaces()`'s entries that matters here. */
export interface InterfaceAddress {
  address: string;
  family: 'IPv4' | 'IPv6' | 4 | 6;
  internal?: boolean;
}

export type InterfaceList = Readonly<Record<string, readonly InterfaceAddress[] | undefined>>;

export interface ProfileFacts {
  profile: ProfileName;
  /** The `host` setting as written. */
  host: string;
  /** The addresses `host` resolves to when it is a name; an IP literal needs none. */
  hostAddresses?: readonly string[];
  /** The machine's interfaces (`os.networkInterfaces()`). */
  interfaces: InterfaceList;
  /** Whether certificate and key are configured (`https`). */
  https: boolean;
  /** The `trustProxy` CIDRs. */
  trustProxy: readonly string[];
  /** The allow-lists configured (`ipAllowList.editor`, `ipAllowList.httpNode`). */
  allowList: { editor?: readonly string[]; httpNode?: readonly string[] };
  /** Admin accounts, and those among them without a second factor. */
  admins: { total: number; withoutSecondFactor: readonly string[] };
}

export interface ProfileFinding {
  /** The setting that fixes it, e.g. `host`, `https`, `ipAllowList.editor`. */
  setting: string;
  message: string;
}

export interface ProfileCheck {
  refusals: ProfileFinding[];
  warnings: ProfileFinding[];
}

interface ListenAddress {
  address: string;
  kind: AddressClass | 'unknown';
}

/**
 * What the server will really listen on: `0.0.0.0` means every IPv4 address of the machine, `::`
 * every address (dual stack), a name the addresses it resolves to, a literal itself.
 */
export function listeningAddresses(host: string, interfaces: InterfaceList, hostAddresses?: readonly string[]): ListenAddress[] {
  const all = Object.values(interfaces).flatMap((list) => list ?? []);
  const isV4 = (a: InterfaceAddress) => a.family === 'IPv4' || a.family === 4;
  const kind = classifyAddress(host);
  let addresses: string[];
  if (kind === 'unspecified') addresses = all.filter((a) => host.includes(':') || isV4(a)).map((a) => a.address);
  else if (kind !== undefined) addresses = [host];
  else if (host.toLowerCase() === 'localhost') addresses = hostAddresses?.length ? [...hostAddresses] : ['127.0.0.1'];
  else addresses = [...(hostAddresses ?? [])];
  return addresses.map((address) => ({ address, kind: classifyAddress(address) ?? 'unknown' }));
}

function describe(list: readonly ListenAddress[]): string {
  return list.map((a) => `${a.address} (${a.kind})`).join(', ');
}

/**
 * @example
 * const { refusals, warnings } = checkProfile({ profile: 'closed-lan', host: '0.0.0.0', interfaces: os.networkInterfaces(), ... });
 */
export function checkProfile(facts: ProfileFacts): ProfileCheck {
  const rules = PROFILES[facts.profile];
  const refusals: ProfileFinding[] = [];
  const warnings: ProfileFinding[] = [];
  const listening = listeningAddresses(facts.host, facts.interfaces, facts.hostAddresses);
  const unresolved = listening.length === 0;
  const allLoopback = !unresolved && listening.every((a) => a.kind === 'loopback');
  const httpsOrProxy = facts.https || (facts.trustProxy.length > 0 && allLoopback);
  const named = `profile '${facts.profile}'`;

  if (unresolved) {
    refusals.push({ setting: 'host', message: `'${facts.host}' resolves to no address; set host to an IP address of this machine` });
  } else if (rules.listen === 'loopback' && !allLoopback) {
    refusals.push({
      setting: 'host',
      message: `${named} listens on loopback only, but host '${facts.host}' listens on ${describe(listening.filter((a) => a.kind !== 'loopback'))}; set host to 127.0.0.1 or ::1, or choose another profile`,
    });
  } else if (rules.listen === 'private') {
    const exposed = listening.filter((a) => a.kind !== 'loopback' && a.kind !== 'private');
    if (exposed.length > 0) {
      refusals.push({
        setting: 'host',
        message: `${named} listens on private addresses only, but host '${facts.host}' listens on ${describe(exposed)}; set host to a private address of this machine, or choose profile 'public'`,
      });
    }
  }

  if (rules.https === 'required' && !httpsOrProxy) {
    const proxyNote = facts.trustProxy.length > 0 ? ` (trustProxy is set, but a TLS proxy counts only when host is loopback; host '${facts.host}' is not)` : '';
    refusals.push({
      setting: 'https',
      message: `${named} requires HTTPS: set https.cert and https.key, or run behind a TLS reverse proxy listed in trustProxy with host on loopback${proxyNote}`,
    });
  } else if (rules.https === 'recommended' && !httpsOrProxy) {
    warnings.push({ setting: 'https', message: `${named} recommends HTTPS: set https.cert and https.key (redoubt tls self-signed makes a certificate for LAN use)` });
  }

  const hasEditorList = (facts.allowList.editor?.length ?? 0) > 0;
  if (rules.editorAllowList === 'required' && !hasEditorList) {
    refusals.push({ setting: 'ipAllowList.editor', message: `${named} requires an IP allow-list for the editor and admin API: list the CIDRs allowed in ipAllowList.editor` });
  } else if (rules.editorAllowList === 'recommended' && !hasEditorList) {
    warnings.push({ setting: 'ipAllowList.editor', message: `${named} recommends an IP allow-list for the editor and admin API (ipAllowList.editor)` });
  }

  if (rules.adminSecondFactor === 'required') {
    if (facts.admins.withoutSecondFactor.length > 0) {
      refusals.push({
        setting: 'secondFactor',
        message: `${named} requires a second factor for admins; enrol TOTP for: ${facts.admins.withoutSecondFactor.join(', ')}`,
      });
    } else if (facts.admins.total === 0) {
      warnings.push({ setting: 'secondFactor', message: `${named} requires a second factor for admins: the first admin must enrol TOTP before the next start` });
    }
  }
  return { refusals, warnings };
}

/** The text of a finding as logged and shown to admins. */
export function formatFinding(finding: ProfileFinding): string {
  return `${finding.setting}: ${finding.message}`;
}
