import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { createRefusalRecorder } from './refusal-recorder.js';
import type { AuditEvent } from './types.js';

function setup(options = {}) {
  let now = 1_000_000;
  const records: AuditEvent[] = [];
  const clock = { now: () => now };
  const audit = { record: (e: AuditEvent) => (records.push(e), { ...e, seq: records.length, at: now, prevHash: '', hash: '' }) };
  const recorder = createRefusalRecorder(options, { clock, audit });
  return { recorder, records, advance: (ms: number) => void (now += ms) };
}

describe('createRefusalRecorder', () => {
  it('records the first refusal of an address, counts a flood, and records once more after a minute with the folded count', () => {
    const { recorder, records, advance } = setup();
    for (let i = 0; i < 500; i++) recorder.refused({ address: '203.0.113.9', reason: 'ip_not_allowed', route: 'GET /flows' });
    assert.equal(records.length, 1);
    assert.deepEqual(records[0], { event: 'request.refused', address: '203.0.113.9', details: { code: 'ip_not_allowed', route: 'GET /flows' } });
    assert.deepEqual(recorder.stats(), { total: 500, byReason: { ip_not_allowed: 500 } });
    advance(60_000);
    recorder.refused({ address: '203.0.113.9', reason: 'ip_not_allowed' });
    assert.equal(records.length, 2);
    assert.equal(records[1]!.details!.refusedSinceLastRecord, 499);
  });
  it('records each address on its own', () => {
    const { recorder, records } = setup();
    recorder.refused({ address: '203.0.113.1', reason: 'bad_tls' });
    recorder.refused({ address: '203.0.113.2', reason: 'bad_tls' });
    assert.deepEqual(records.map((r) => r.address), ['203.0.113.1', '203.0.113.2']);
  });
  it('forgets the oldest address beyond maxAddresses', () => {
    const { recorder, records } = setup({ maxAddresses: 2 });
    recorder.refused({ address: 'a', reason: 'x' });
    recorder.refused({ address: 'b', reason: 'x' });
    recorder.refused({ address: 'c', reason: 'x' });
    recorder.refused({ address: 'a', reason: 'x' });
    assert.equal(records.length, 4);
  });
  it('refuses a window that is not positive', () => {
    assert.throws(() => setup({ windowMs: 0 }), ConfigError);
  });
});
