import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { describe, it } from 'node:test';
import { ConfigError } from '../../errors/index.js';
import { classifyAddress } from '../ip-address.js';
import type { AuditEvent } from '../types.js';
import { checkProfile, listeningAddresses, type InterfaceList, type ProfileFacts } from './check-profile.js';
import { enforceProfile, loginOptionsFor } from './enforce-profile.js';
import { PROFILE_NAMES } from './profile-table.js';

const lo = [
  { address: '127.0.0.1', family: 'IPv4' as const, internal: true },
  { address: '::1', family: 'IPv6' as const, internal: true },
];
/** A LAN box: private IPv4, ULA and link-local IPv6. */
const LAN: InterfaceList = { lo, eth0: [{ address: '192.168.1.20', family: 'IPv4' }, { address: 'fd00::20', family: 'IPv6' }, { address: 'fe80::1', family: 'IPv6' }] };
/** A modem on a private APN (CGNAT range) plus a LAN. */
const APN: InterfaceList = { lo, wwan0: [{ address: '100.72.3.4', family: 'IPv4' }], eth0: [{ address: '10.0.0.2', family: 'IPv4' }] };
/** A cloud VPS: a public IPv4 and a global IPv6 next to a private one. */
const VPS: InterfaceList = { lo, eth0: [{ address: '203.0.113.10', family: 'IPv4' }, { address: '2001:db8::10', family: 'IPv6' }], eth1: [{ address: '10.1.0.5', family: 'IPv4' }] };
/** Private IPv4 only, but a global IPv6 address on the same card. */
const V6_PUBLIC: InterfaceList = { lo, eth0: [{ address: '192.168.1.20', family: 'IPv4' }, { address: '2001:db8::20', family: 'IPv6' }] };

function facts(overrides: Partial<ProfileFacts>): ProfileFacts {
  return { profile: 'local', host: '127.0.0.1', interfaces: LAN, https: false, trustProxy: [], allowList: {}, admins: { total: 1, withoutSecondFactor: [] }, ...overrides };
}
const settingsOf = (list: Array<{ setting: string }>) => list.map((f) => f.setting);

describe('listeningAddresses', () => {
  it('expands 0.0.0.0 to every IPv4 address and :: to every address', () => {
    assert.deepEqual(listeningAddresses('0.0.0.0', VPS).map((a) => a.address), ['127.0.0.1', '203.0.113.10', '10.1.0.5']);
    assert.deepEqual(listeningAddresses('::', VPS).map((a) => a.address), ['127.0.0.1', '::1', '203.0.113.10', '2001:db8::10', '10.1.0.5']);
  });
  it('uses the resolved addresses of a name, and loopback for localhost', () => {
    assert.deepEqual(listeningAddresses('box.lan', LAN, ['192.168.1.20']).map((a) => a.kind), ['private']);
    assert.deepEqual(listeningAddresses('localhost', LAN).map((a) => a.kind), ['loopback']);
  });
});

describe('checkProfile: local', () => {
  it('passes on loopback with nothing else configured', () => {
    assert.deepEqual(checkProfile(facts({ host: '127.0.0.1' })), { refusals: [], warnings: [] });
    assert.deepEqual(checkProfile(facts({ host: '::1' })), { refusals: [], warnings: [] });
    assert.deepEqual(checkProfile(facts({ host: 'localhost' })), { refusals: [], warnings: [] });
  });
  for (const host of ['0.0.0.0', '::', '192.168.1.20']) {
    it(`refuses host ${host}, naming host and the profile`, () => {
      const { refusals } = checkProfile(facts({ host }));
      assert.deepEqual(settingsOf(refusals), ['host']);
      assert.match(refusals[0]!.message, /profile 'local' listens on loopback only/);
      assert.match(refusals[0]!.message, /192\.168\.1\.20 \(private\)/);
    });
  }
});

for (const profile of ['closed-lan', 'private-network'] as const) {
  describe(`checkProfile: ${profile}`, () => {
    it('passes on every interface of a machine whose addresses are all private (LAN, ULA, link-local)', () => {
      assert.deepEqual(checkProfile(facts({ profile, host: '::', interfaces: LAN, https: true, allowList: { editor: ['192.168.1.0/24'] } })).refusals, []);
    });
    it('passes on a private APN address (100.64.0.0/10)', () => {
      assert.deepEqual(checkProfile(facts({ profile, host: '0.0.0.0', interfaces: APN, https: true, allowList: { editor: ['10.0.0.0/8'] } })).refusals, []);
      assert.deepEqual(checkProfile(facts({ profile, host: '100.72.3.4', interfaces: APN, https: true, allowList: { editor: ['10.0.0.0/8'] } })).refusals, []);
    });
    it('refuses 0.0.0.0 on a machine with a public IPv4 address, naming host', () => {
      const { refusals } = checkProfile(facts({ profile, host: '0.0.0.0', interfaces: VPS }));
      assert.deepEqual(settingsOf(refusals), ['host']);
      assert.match(refusals[0]!.message, /203\.0\.113\.10 \(public\)/);
      assert.doesNotMatch(refusals[0]!.message, /10\.1\.0\.5/);
    });
    it('refuses :: when only an IPv6 address is public, and allows 0.0.0.0 there', () => {
      assert.deepEqual(settingsOf(checkProfile(facts({ profile, host: '::', interfaces: V6_PUBLIC })).refusals), ['host']);
      assert.deepEqual(settingsOf(checkProfile(facts({ profile, host: '0.0.0.0', interfaces: V6_PUBLIC })).refusals), []);
    });
    it('refuses a public address given directly, and a name resolving to one', () => {
      assert.deepEqual(settingsOf(checkProfile(facts({ profile, host: '203.0.113.10', interfaces: VPS })).refusals), ['host']);
      assert.deepEqual(settingsOf(checkProfile(facts({ profile, host: 'box.example', hostAddresses: ['203.0.113.10'], interfaces: VPS })).refusals), ['host']);
    });
    it('refuses a name that resolves to nothing', () => {
      assert.deepEqual(settingsOf(checkProfile(facts({ profile, host: 'nowhere.invalid', hostAddresses: [] })).refusals), ['host']);
    });
  });
}

describe('checkProfile: closed-lan recommendations', () => {
  it('has no warnings without HTTPS or an allow-list (both optional)', () => {
    assert.deepEqual(checkProfile(facts({ profile: 'closed-lan', host: '0.0.0.0' })).warnings, []);
  });
});

describe('checkProfile: private-network recommendations', () => {
  it('warns without HTTPS and without an editor allow-list, naming both settings', () => {
    const { refusals, warnings } = checkProfile(facts({ profile: 'private-network', host: '0.0.0.0' }));
    assert.deepEqual(refusals, []);
    assert.deepEqual(settingsOf(warnings), ['https', 'ipAllowList.editor']);
  });
  it('counts a trusted TLS proxy in front of a loopback listener as HTTPS', () => {
    const { warnings } = checkProfile(facts({ profile: 'private-network', host: '127.0.0.1', trustProxy: ['127.0.0.1'], allowList: { editor: ['10.0.0.0/8'] } }));
    assert.deepEqual(warnings, []);
  });
});

describe('checkProfile: public', () => {
  const ok = { profile: 'public' as const, host: '0.0.0.0', interfaces: VPS, https: true, allowList: { editor: ['198.51.100.0/24'] } };
  it('passes with TLS on a public address, an allow-list and admins with a second factor', () => {
    assert.deepEqual(checkProfile(facts(ok)), { refusals: [], warnings: [] });
  });
  it('passes on loopback behind a trusted TLS proxy', () => {
    assert.deepEqual(checkProfile(facts({ ...ok, https: false, host: '127.0.0.1', trustProxy: ['127.0.0.1'] })).refusals, []);
  });
  it('refuses without HTTPS, naming https', () => {
    assert.deepEqual(settingsOf(checkProfile(facts({ ...ok, https: false })).refusals), ['https']);
  });
  it('refuses a trusted proxy when the listener is not on loopback (the proxy could be bypassed)', () => {
    const { refusals } = checkProfile(facts({ ...ok, https: false, trustProxy: ['10.1.0.0/16'] }));
    assert.deepEqual(settingsOf(refusals), ['https']);
    assert.match(refusals[0]!.message, /only when host is loopback/);
  });
  it('refuses without an editor allow-list, naming ipAllowList.editor', () => {
    assert.deepEqual(settingsOf(checkProfile(facts({ ...ok, allowList: {} })).refusals), ['ipAllowList.editor']);
  });
  it('refuses while an admin has no second factor, naming the admins', () => {
    const { refusals } = checkProfile(facts({ ...ok, admins: { total: 2, withoutSecondFactor: ['ann'] } }));
    assert.deepEqual(settingsOf(refusals), ['secondFactor']);
    assert.match(refusals[0]!.message, /ann/);
  });
  it('warns (does not refuse) before the first admin exists, so setup can happen', () => {
    const { refusals, warnings } = checkProfile(facts({ ...ok, admins: { total: 0, withoutSecondFactor: [] } }));
    assert.deepEqual(refusals, []);
    assert.deepEqual(settingsOf(warnings), ['secondFactor']);
  });
  it('lists every refusal at once', () => {
    const { refusals } = checkProfile(facts({ profile: 'public', host: '0.0.0.0', interfaces: VPS, admins: { total: 1, withoutSecondFactor: ['root'] } }));
    assert.deepEqual(settingsOf(refusals), ['https', 'ipAllowList.editor', 'secondFactor']);
  });
});

describe('checkProfile on this machine (os.networkInterfaces())', () => {
  const real = networkInterfaces() as InterfaceList;
  const addresses = Object.values(real).flatMap((list) => list ?? []);
  const v4 = addresses.filter((a) => a.family === 'IPv4' || a.family === 4);
  const exposed = (list: typeof addresses) => list.filter((a) => !['loopback', 'private'].includes(classifyAddress(a.address) ?? 'public'));

  it('accepts loopback under every profile that allows it', () => {
    for (const profile of PROFILE_NAMES) {
      const result = checkProfile(facts({ profile, interfaces: real, host: '127.0.0.1', trustProxy: ['127.0.0.1'], allowList: { editor: ['127.0.0.1'] } }));
      assert.deepEqual(result.refusals, [], profile);
    }
  });
  it('refuses every interface under local when the machine has a non-loopback address', { skip: addresses.every((a) => classifyAddress(a.address) === 'loopback') }, () => {
    assert.deepEqual(settingsOf(checkProfile(facts({ profile: 'local', interfaces: real, host: '::' })).refusals), ['host']);
  });
  it('refuses or accepts 0.0.0.0 under closed-lan exactly as the machine\'s IPv4 addresses are public or not', () => {
    const result = checkProfile(facts({ profile: 'closed-lan', interfaces: real, host: '0.0.0.0' }));
    assert.deepEqual(settingsOf(result.refusals), exposed(v4).length > 0 ? ['host'] : []);
    for (const a of exposed(v4)) assert.ok(result.refusals[0]!.message.includes(a.address), a.address);
  });
  it('refuses or accepts :: under private-network exactly as any address is public or not', () => {
    const result = checkProfile(facts({ profile: 'private-network', interfaces: real, host: '::', https: true, allowList: { editor: ['10.0.0.0/8'] } }));
    assert.deepEqual(settingsOf(result.refusals), exposed(addresses).length > 0 ? ['host'] : []);
  });
});

describe('enforceProfile', () => {
  it('audits warnings and returns them as text', () => {
    const records: AuditEvent[] = [];
    const audit = { record: (e: AuditEvent) => (records.push(e), { ...e, seq: 0, at: 0, prevHash: '', hash: '' }) };
    const warnings = enforceProfile('private-network', checkProfile(facts({ profile: 'private-network', host: '0.0.0.0' })), { audit });
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /^https: /);
    assert.deepEqual(records.map((r) => [r.event, r.details?.setting]), [['profile.warning', 'https'], ['profile.warning', 'ipAllowList.editor']]);
  });
  it('audits refusals and throws one ConfigError naming the first setting and listing all', () => {
    const records: AuditEvent[] = [];
    const audit = { record: (e: AuditEvent) => (records.push(e), { ...e, seq: 0, at: 0, prevHash: '', hash: '' }) };
    const check = checkProfile(facts({ profile: 'public', host: '0.0.0.0', interfaces: VPS }));
    assert.throws(
      () => enforceProfile('public', check, { audit }),
      (err: unknown) => err instanceof ConfigError && err.place.setting === 'https' && /ipAllowList\.editor/.test(err.message),
    );
    assert.deepEqual(records.map((r) => r.event), ['profile.refused', 'profile.refused']);
  });
});

describe('loginOptionsFor', () => {
  it('tightens login limits under public and leaves other profiles alone', () => {
    const base = { maxFailures: 10, lockoutMs: 60_000 };
    assert.deepEqual(loginOptionsFor('closed-lan', base), base);
    const strict = loginOptionsFor('public', base);
    assert.equal(strict.maxFailures, 5);
    assert.equal(strict.lockoutMs, 30 * 60_000);
    assert.equal(strict.addressMaxFailures, 20);
    assert.equal(loginOptionsFor('public', { maxFailures: 3 }).maxFailures, 3);
  });
});
