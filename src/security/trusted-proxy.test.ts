import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { createTrustedProxy } from './trusted-proxy.js';

describe('createTrustedProxy', () => {
  it('ignores X-Forwarded-For and -Proto when no proxy is trusted', () => {
    const proxy = createTrustedProxy({ trustProxy: [] });
    const facts = { peer: '127.0.0.1', forwardedFor: '203.0.113.9', forwardedProto: 'https', encrypted: false };
    assert.equal(proxy.clientAddress(facts), '127.0.0.1');
    assert.equal(proxy.isSecure(facts), false);
    assert.equal(proxy.isEnabled, false);
  });
  it('ignores the headers from a peer that is not a trusted proxy', () => {
    const proxy = createTrustedProxy({ trustProxy: ['10.0.0.1'] });
    const facts = { peer: '10.0.0.2', forwardedFor: '192.168.1.5', forwardedProto: 'https', encrypted: false };
    assert.equal(proxy.clientAddress(facts), '10.0.0.2');
    assert.equal(proxy.isSecure(facts), false);
  });
  it('takes the nearest untrusted hop behind trusted proxies, not the leftmost (client-chosen) one', () => {
    const proxy = createTrustedProxy({ trustProxy: ['127.0.0.1', '10.0.0.0/8'] });
    // The client wrote "1.1.1.1" itself; 198.51.100.7 is who the outer proxy saw.
    assert.equal(proxy.clientAddress({ peer: '::ffff:127.0.0.1', forwardedFor: '1.1.1.1, 198.51.100.7, 10.0.0.3', encrypted: false }), '198.51.100.7');
    assert.equal(proxy.clientAddress({ peer: '127.0.0.1', forwardedFor: ['1.1.1.1', '198.51.100.7'], encrypted: false }), '198.51.100.7');
  });
  it('strips ports and brackets some proxies add', () => {
    const proxy = createTrustedProxy({ trustProxy: ['127.0.0.1'] });
    assert.equal(proxy.clientAddress({ peer: '127.0.0.1', forwardedFor: '[2001:db8::5]:443', encrypted: false }), '2001:db8::5');
    assert.equal(proxy.clientAddress({ peer: '127.0.0.1', forwardedFor: '203.0.113.5:5555', encrypted: false }), '203.0.113.5');
  });
  it('answers the garbage hop itself (which no allow-list matches), never the trusted proxy', () => {
    const proxy = createTrustedProxy({ trustProxy: ['127.0.0.1'] });
    assert.equal(proxy.clientAddress({ peer: '127.0.0.1', forwardedFor: 'not-an-ip', encrypted: false }), 'not-an-ip');
  });
  it('answers the proxy when it forwards nothing', () => {
    const proxy = createTrustedProxy({ trustProxy: ['127.0.0.1'] });
    assert.equal(proxy.clientAddress({ peer: '127.0.0.1', encrypted: false }), '127.0.0.1');
  });
  it('believes X-Forwarded-Proto only from a trusted proxy, and only its last value', () => {
    const proxy = createTrustedProxy({ trustProxy: ['127.0.0.1'] });
    assert.equal(proxy.isSecure({ peer: '127.0.0.1', forwardedProto: 'https', encrypted: false }), true);
    assert.equal(proxy.isSecure({ peer: '127.0.0.1', forwardedProto: 'https, http', encrypted: false }), false);
    assert.equal(proxy.isSecure({ peer: '127.0.0.2', encrypted: true }), true);
  });
  it('throws a ConfigError naming trustProxy for a bad CIDR', () => {
    assert.throws(() => createTrustedProxy({ trustProxy: ['proxy.lan'] }), (err: unknown) => err instanceof ConfigError && err.place.setting === 'trustProxy');
  });
});
