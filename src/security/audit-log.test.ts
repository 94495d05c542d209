import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { openDatabase } from '../storage/database.js';
import { createAuditStore } from '../storage/audit-store.js';
import { createAuditLog, canonicalJson, redactDetails, GENESIS_HASH } from './audit-log.js';

function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

function withFileLog(fn: (ctx: { path: string; log: ReturnType<typeof createAuditLog>; close: () => void }) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-audit-'));
  const path = join(dir, 'redoubt.db');
  const db = openDatabase(path);
  const clock = fakeClock();
  const log = createAuditLog({ store: createAuditStore(db) }, { clock });
  for (let i = 1; i <= 5; i++) {
    clock.advance(1000);
    log.record({ event: i % 2 ? 'auth.login' : 'flows.deploy', username: `user${i}`, address: '127.0.0.1', details: { n: i } });
  }
  try {
    fn({ path, log, close: () => db.close() });
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens the file as an attacker would: a second connection, with the append-only triggers dropped. */
function tamper(path: string, sql: string) {
  const raw = new Database(path);
  raw.exec('DROP TRIGGER IF EXISTS audit_log_append_only_u; DROP TRIGGER IF EXISTS audit_log_append_only_d;');
  raw.exec(sql);
  raw.close();
}

describe('createAuditLog', () => {
  it('chains each record to the previous one by hash, starting from the genesis hash', () => {
    const log = createAuditLog({ store: createAuditStore(openDatabase(':memory:')) }, { clock: fakeClock() });
    const a = log.record({ event: 'auth.login', username: 'ada', address: '10.0.0.1' });
    const b = log.record({ event: 'auth.logout', username: 'ada' });
    assert.equal(a.seq, 1);
    assert.equal(a.prevHash, GENESIS_HASH);
    assert.equal(b.seq, 2);
    assert.equal(b.prevHash, a.hash);
    assert.match(b.hash, /^[0-9a-f]{64}$/);
    assert.deepEqual(log.head(), { seq: 2, hash: b.hash });
    assert.deepEqual(log.verify(), { ok: true, count: 2 });
  });

  it('reports an empty log as ok with the genesis head', () => {
    const log = createAuditLog({ store: createAuditStore(openDatabase(':memory:')) }, { clock: fakeClock() });
    assert.deepEqual(log.verify(), { ok: true, count: 0 });
    assert.deepEqual(log.head(), { seq: 0, hash: GENESIS_HASH });
  });

  it('strips secret-looking keys from details at any depth', () => {
    const log = createAuditLog({ store: createAuditStore(openDatabase(':memory:')) }, { clock: fakeClock() });
    const rec = log.record({
      event: 'user.create',
      username: 'admin',
      details: { target: 'bob', password: 'hunter2', role: 'editor', nested: { apiKey: 'k', accessToken: 't', keep: 1 }, list: [{ clientSecret: 's', ok: true }] },
    });
    assert.deepEqual(rec.details, { target: 'bob', role: 'editor', nested: { keep: 1 }, list: [{ ok: true }] });
    const stored = log.list()[0];
    assert.doesNotMatch(JSON.stringify(stored), /hunter2|"k"|"t"|"s"/);
  });

  it('refuses a record without an event name', () => {
    const log = createAuditLog({ store: createAuditStore(openDatabase(':memory:')) }, { clock: fakeClock() });
    assert.throws(() => log.record({ event: '' }), { code: 'invalid_audit_event' });
  });

  it('lists by event, by prefix, after a seq, newest first and limited', () => {
    const log = createAuditLog({ store: createAuditStore(openDatabase(':memory:')) }, { clock: fakeClock() });
    for (const event of ['auth.login', 'auth.login.failed', 'flows.deploy', 'auth.login', 'user.create']) log.record({ event });
    assert.deepEqual(log.list({ event: 'auth.login' }).map((r) => r.seq), [1, 4]);
    assert.deepEqual(log.list({ event: 'auth.*' }).map((r) => r.seq), [1, 2, 4]);
    assert.deepEqual(log.list({ afterSeq: 3 }).map((r) => r.seq), [4, 5]);
    assert.deepEqual(log.list({ order: 'desc', limit: 2 }).map((r) => r.seq), [5, 4]);
  });

  it('refuses UPDATE and DELETE through SQL while the triggers are in place', () => {
    const db = openDatabase(':memory:');
    const log = createAuditLog({ store: createAuditStore(db) }, { clock: fakeClock() });
    log.record({ event: 'auth.login' });
    assert.throws(() => db.exec("UPDATE audit_log SET event = 'x'"), /append-only/);
    assert.throws(() => db.exec('DELETE FROM audit_log'), /append-only/);
    assert.deepEqual(log.verify(), { ok: true, count: 1 });
  });

  it('verify detects a record edited in the SQLite file', () => {
    withFileLog(({ path, log }) => {
      assert.deepEqual(log.verify(), { ok: true, count: 5 });
      tamper(path, "UPDATE audit_log SET username = 'mallory' WHERE seq = 3");
      const result = log.verify();
      assert.equal(result.ok, false);
      assert.equal(result.ok === false && result.seq, 3);
      assert.match(result.ok === false ? result.problem : '', /edited/);
    });
  });

  it('verify detects edited details', () => {
    withFileLog(({ path, log }) => {
      tamper(path, `UPDATE audit_log SET details = '{"n":99}' WHERE seq = 2`);
      const result = log.verify();
      assert.deepEqual(result.ok === false && [result.seq, /edited/.test(result.problem)], [2, true]);
    });
  });

  it('verify detects a record deleted from the middle and from the start', () => {
    withFileLog(({ path, log }) => {
      tamper(path, 'DELETE FROM audit_log WHERE seq = 4');
      const result = log.verify();
      assert.equal(result.ok, false);
      assert.equal(result.ok === false && result.seq, 4);
      assert.match(result.ok === false ? result.problem : '', /record 4 was removed/);
      tamper(path, 'DELETE FROM audit_log WHERE seq = 1');
      const again = log.verify();
      assert.equal(again.ok === false && again.seq, 1);
    });
  });

  it('verify detects two records swapped', () => {
    withFileLog(({ path, log }) => {
      tamper(
        path,
        `CREATE TEMP TABLE t AS SELECT * FROM audit_log WHERE seq IN (2, 4);
         UPDATE audit_log SET at = (SELECT at FROM t WHERE seq = 4), event = (SELECT event FROM t WHERE seq = 4), username = (SELECT username FROM t WHERE seq = 4),
           address = (SELECT address FROM t WHERE seq = 4), details = (SELECT details FROM t WHERE seq = 4), prev_hash = (SELECT prev_hash FROM t WHERE seq = 4), hash = (SELECT hash FROM t WHERE seq = 4) WHERE seq = 2;
         UPDATE audit_log SET at = (SELECT at FROM t WHERE seq = 2), event = (SELECT event FROM t WHERE seq = 2), username = (SELECT username FROM t WHERE seq = 2),
           address = (SELECT address FROM t WHERE seq = 2), details = (SELECT details FROM t WHERE seq = 2), prev_hash = (SELECT prev_hash FROM t WHERE seq = 2), hash = (SELECT hash FROM t WHERE seq = 2) WHERE seq = 4;`,
      );
      const result = log.verify();
      assert.equal(result.ok, false);
      assert.equal(result.ok === false && result.seq, 2);
      assert.match(result.ok === false ? result.problem : '', /out of order: it was written as record 4/);
    });
  });

  it('verify detects a record replaced with a freshly hashed forgery by the broken link', () => {
    withFileLog(({ path, log }) => {
      const forged = log.list({ afterSeq: 2, limit: 1 })[0]!;
      // The forger rehashes record 3 with new contents, but cannot fix record 4's prevHash without rewriting the rest.
      const fake = { ...forged, username: 'nobody' };
      const raw = new Database(path);
      raw.exec('DROP TRIGGER audit_log_append_only_u');
      const hash = createHash('sha256')
        .update(JSON.stringify([fake.seq, fake.at, fake.event, fake.username, fake.address, canonicalJson(fake.details), fake.prevHash]))
        .digest('hex');
      raw.prepare('UPDATE audit_log SET username = ?, hash = ? WHERE seq = 3').run('nobody', hash);
      raw.close();
      const result = log.verify();
      assert.equal(result.ok === false && result.seq, 4);
      assert.match(result.ok === false ? result.problem : '', /does not follow record 3/);
    });
  });

  it('verify with an exported head detects records cut off the end', () => {
    withFileLog(({ path, log }) => {
      const head = log.head();
      assert.deepEqual(log.verify({ head }), { ok: true, count: 5 });
      tamper(path, 'DELETE FROM audit_log WHERE seq >= 4');
      assert.deepEqual(log.verify(), { ok: true, count: 3 });
      const result = log.verify({ head });
      assert.equal(result.ok, false);
      assert.match(result.ok === false ? result.problem : '', /removed from the end/);
    });
  });

  it('keeps the chain across reopening the database', () => {
    withFileLog(({ path, close }) => {
      close();
      const db = openDatabase(path);
      const log = createAuditLog({ store: createAuditStore(db) }, { clock: fakeClock() });
      const rec = log.record({ event: 'auth.logout' });
      assert.equal(rec.seq, 6);
      assert.deepEqual(log.verify(), { ok: true, count: 6 });
      db.close();
    });
  });
});

describe('redactDetails and canonicalJson', () => {
  it('keeps plain values and turns dates into ISO text', () => {
    assert.deepEqual(redactDetails({ when: new Date(0), n: 1, s: 'x', f: () => 1, u: undefined, token: 'x' }), { when: '1970-01-01T00:00:00.000Z', n: 1, s: 'x' });
  });
  it('serialises with sorted keys at every level', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 0 }], c: null } }), '{"a":{"c":null,"d":[2,{"y":0,"z":1}]},"b":1}');
  });
});
