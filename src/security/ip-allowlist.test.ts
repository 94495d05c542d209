import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { classifyAddress, parseCidr, parseIp } from './ip-address.js';
import { createIpAllowList } from './ip-allowlist.js';

describe('parseIp', () => {
  it('reads IPv4, IPv6 (compressed, full, embedded dotted quad, zone) and refuses the rest', () => {
    assert.equal(parseIp('10.0.0.1')?.value, parseIp('::ffff:10.0.0.1')?.value);
    assert.equal(parseIp('::ffff:10.0.0.1')?.family, 4);
    assert.equal(parseIp('::1')?.value, 1n);
    assert.equal(parseIp('1:2:3:4:5:6:7:8')?.value, 0x00010002000300040005000600070008n);
    assert.equal(parseIp('fe80::1%eth0')?.value, parseIp('fe80::1')?.value);
    assert.equal(parseIp('64:ff9b::1.2.3.4')?.value, 0x0064ff9b000000000000000001020304n);
    for (const bad of ['', 'localhost', '10.0.0.256', '1::2::3', '10.0.0.1/8', ' 10.0.0.1']) assert.equal(parseIp(bad), undefined, bad);
  });
});

describe('classifyAddress', () => {
  const cases: Array<[string, string]> = [
    ['127.0.0.1', 'loopback'], ['127.8.9.10', 'loopback'], ['::1', 'loopback'], ['::ffff:127.0.0.1', 'loopback'],
    ['0.0.0.0', 'unspecified'], ['::', 'unspecified'],
    ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.0.9', 'private'],
    ['100.64.0.1', 'private'], ['100.127.255.254', 'private'], ['169.254.1.1', 'private'], ['fd12::1', 'private'], ['fc00::1', 'private'], ['fe80::1%2', 'private'],
    ['::ffff:192.168.1.1', 'private'],
    ['172.32.0.1', 'public'], ['100.128.0.1', 'public'], ['8.8.8.8', 'public'], ['192.0.2.2', 'public'], ['2001:db8::1', 'public'], ['2a00:1450::1', 'public'],
  ];
  for (const [address, kind] of cases) {
    it(`classes ${address} as ${kind}`, () => assert.equal(classifyAddress(address), kind));
  }
  it('answers undefined for a name', () => assert.equal(classifyAddress('example.org'), undefined));
});

describe('parseCidr', () => {
  it('refuses prefixes longer than the family allows and malformed ones', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/-1', '10.0.0.0/8/8', 'abc/8', '10.0.0.0/', '10.0.0.0/1x']) assert.equal(parseCidr(bad), undefined, bad);
    assert.ok(parseCidr('0.0.0.0/0'));
    assert.ok(parseCidr('::/0'));
  });
});

describe('createIpAllowList', () => {
  it('allows addresses inside IPv4 and IPv6 ranges and refuses those outside', () => {
    const list = createIpAllowList({ cidrs: ['192.168.1.0/24', '10.0.0.5', 'fd00:1::/32'], setting: 'ipAllowList.editor' });
    assert.equal(list.allows('192.168.1.200'), true);
    assert.equal(list.allows('192.168.2.1'), false);
    assert.equal(list.allows('10.0.0.5'), true);
    assert.equal(list.allows('10.0.0.6'), false);
    assert.equal(list.allows('fd00:1:ffff::9'), true);
    assert.equal(list.allows('fd00:2::9'), false);
  });
  it('matches an IPv4 range against the IPv4-mapped IPv6 form a dual-stack socket reports', () => {
    const list = createIpAllowList({ cidrs: ['127.0.0.1/32'], setting: 's' });
    assert.equal(list.allows('::ffff:127.0.0.1'), true);
    assert.equal(list.allows('::ffff:127.0.0.2'), false);
  });
  it('does not let an IPv4 /0 admit IPv6 addresses, while ::/0 admits everything', () => {
    assert.equal(createIpAllowList({ cidrs: ['0.0.0.0/0'], setting: 's' }).allows('2001:db8::1'), false);
    assert.equal(createIpAllowList({ cidrs: ['::/0'], setting: 's' }).allows('203.0.113.1'), true);
  });
  it('refuses anything that is not an IP literal', () => {
    const list = createIpAllowList({ cidrs: ['::/0'], setting: 's' });
    for (const bad of [undefined, '', 'unknown', 'localhost', '1.2.3.4, 5.6.7.8']) assert.equal(list.allows(bad), false);
  });
  it('throws a ConfigError naming the setting and every bad entry', () => {
    assert.throws(
      () => createIpAllowList({ cidrs: ['10.0.0.0/8', '10.0.0.0/40', 'lan'], setting: 'ipAllowList.httpNode' }),
      (err: unknown) => err instanceof ConfigError && err.place.setting === 'ipAllowList.httpNode' && /10\.0\.0\.0\/40/.test(err.message) && /'lan'/.test(err.message),
    );
  });
  it('refuses an empty list rather than locking everyone out', () => {
    assert.throws(() => createIpAllowList({ cidrs: [], setting: 'ipAllowList.editor' }), ConfigError);
  });
});
