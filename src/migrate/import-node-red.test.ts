import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { parse as parseYaml } from 'yaml';
import { createVault } from '../security/credential-vault.js';
import { createPasswordHasher } from '../security/passwords.js';
import { createAuditLog } from '../security/audit-log.js';
import { createAuditStore } from '../storage/audit-store.js';
import { openDatabase } from '../storage/database.js';
import { createUserStore } from '../storage/users-store.js';
import { runImportCommand } from '../cli/import-command.js';
import { importNodeRed } from './import-node-red.js';
import { formatImportSummary } from './import-report.js';
import { decryptWithSecret, openNodeRedCredentials } from './node-red-credentials.js';
import { loadNodeRedSettings, UncarriableValue } from './node-red-settings.js';
import { checksumDir, encryptLikeNodeRed } from './test-fixtures.js';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  roots.push(dir);
  return dir;
}

const hash = bcrypt.hashSync('correct horse battery', 8);
const flows = [
  { id: 't1', type: 'tab', label: 'Plant' },
  { id: 'req1', type: 'http request', z: 't1', method: 'GET', url: 'http://127.0.0.1:9/x', authType: 'basic', wires: [[]] },
  { id: 'ex1', type: 'exec', z: 't1', command: 'ls', wires: [[], [], []] },
];
const creds = { req1: { user: 'plant-user', password: 'pl@nt-pass' }, gone: { password: 'stale' } };

/** A Node-RED user dir made by hand (the real-Node-RED test is node-red-import.test.ts). */
function makeNodeRedDir(options: { settings?: string; secret?: string | false; runtimeSecret?: string; flowFile?: string } = {}): string {
  const dir = tempDir('nr-dir-');
  const flowFile = options.flowFile ?? 'flows.json';
  writeFileSync(join(dir, flowFile), JSON.stringify(flows, null, 4));
  const credFile = flowFile.replace(/\.json$/, '_cred.json');
  const secret = options.runtimeSecret ?? (typeof options.secret === 'string' ? options.secret : undefined);
  writeFileSync(join(dir, credFile), JSON.stringify(secret ? encryptLikeNodeRed(creds, secret) : creds));
  if (options.runtimeSecret) writeFileSync(join(dir, '.config.runtime.json'), JSON.stringify({ _credentialSecret: options.runtimeSecret }));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'node-red-project', dependencies: { 'node-red-contrib-foo': '~1.2.0' } }));
  mkdirSync(join(dir, 'context', 'global'), { recursive: true });
  writeFileSync(join(dir, 'context', 'global', 'global.json'), JSON.stringify({ count: 3 }));
  const secretLine = options.secret === undefined ? '' : `credentialSecret: ${JSON.stringify(options.secret)},`;
  writeFileSync(
    join(dir, 'settings.js'),
    options.settings ??
      `module.exports = {
        flowFile: ${JSON.stringify(flowFile)}, ${secretLine}
        uiPort: process.env.PORT || 1880,
        adminAuth: { type: 'credentials', users: [
          { username: 'ada', password: ${JSON.stringify(hash)}, permissions: '*' },
          { username: 'bob', password: ${JSON.stringify(hash)}, permissions: 'read' },
          { username: 'cy', password: ${JSON.stringify(hash)}, permissions: ['flows.read', 'flows.write'] },
        ], default: { permissions: 'read' } },
        httpNodeAuth: { user: 'hook', pass: ${JSON.stringify(hash)} },
        httpNodeMiddleware: function (req, res, next) { next(); },
        functionGlobalContext: { plant: 'north', limits: { max: 5 }, os: require('os') },
        contextStorage: { default: { module: 'localfilesystem' }, mem: { module: 'memory' } },
        globalFunctionTimeout: 2,
        functionTimeout: 5,
        logging: { console: { level: 'info' } },
      };`,
  );
  return dir;
}

const quiet = () => ({ out: [] as string[], err: [] as string[] });

describe('Node-RED credentials', () => {
  it('decrypts the $-form with the SHA-256 of the secret, and refuses a wrong secret', () => {
    const file = encryptLikeNodeRed(creds, 'right');
    assert.deepEqual(decryptWithSecret(file.$, 'right'), creds);
    assert.throws(() => openNodeRedCredentials(file, [{ secret: 'wrong', source: 'test' }], 'f.json'), { code: 'node_red_credential_secret_wrong' });
  });
  it('tries the candidates in order and says which one opened the file', () => {
    const file = encryptLikeNodeRed(creds, 'second');
    const opened = openNodeRedCredentials(file, [{ secret: 'first', source: 'a' }, { secret: 'second', source: 'b' }], 'f.json');
    assert.equal(opened.openedWith, 'b');
    assert.deepEqual(opened.credentials, creds);
  });
  it('refuses an encrypted file with no secret, naming where secrets are looked for', () => {
    assert.throws(() => openNodeRedCredentials(encryptLikeNodeRed(creds, 'x'), [], 'f.json'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'node_red_credential_secret_missing');
      assert.match(err.message, /credentialSecret/);
      return true;
    });
  });
  it('takes plaintext credentials as they are, and refuses a file of another shape', () => {
    assert.deepEqual(openNodeRedCredentials(creds, [], 'f.json').credentials, creds);
    assert.throws(() => openNodeRedCredentials([1, 2], [], 'f.json'), { code: 'node_red_credentials_invalid' });
  });
});

describe('loadNodeRedSettings (settings.js in a sandboxed child)', () => {
  it('returns plain data, marks functions and modules, and records files read for https', async () => {
    const dir = tempDir('nr-settings-');
    writeFileSync(join(dir, 'key.pem'), 'KEY');
    writeFileSync(join(dir, 'cert.pem'), 'CERT');
    writeFileSync(
      join(dir, 'settings.js'),
      `const fs = require('fs'); const path = require('path');
       module.exports = { a: 1, list: [1, 'x'], fn() {}, os: require('os'), when: new Date(0),
         https: { key: fs.readFileSync(path.join(__dirname, 'key.pem')), cert: fs.readFileSync(path.join(__dirname, 'cert.pem'), 'utf8') },
         secret: process.env.NODE_RED_SECRET, home: process.env.SOME_OTHER };`,
    );
    const loaded = await loadNodeRedSettings(join(dir, 'settings.js'), { env: { NODE_RED_SECRET: 's3', SOME_OTHER: 'hidden' } });
    assert.equal(loaded.values.a, 1);
    assert.deepEqual(loaded.values.list, [1, 'x']);
    assert.ok(loaded.values.fn instanceof UncarriableValue);
    assert.ok(loaded.values.when instanceof UncarriableValue);
    assert.match((loaded.values.when as UncarriableValue).what, /Date/);
    assert.ok(((loaded.values.os as Record<string, unknown>).hostname) instanceof UncarriableValue);
    assert.equal(loaded.files['https.key'], join(dir, 'key.pem'));
    assert.equal(loaded.files['https.cert'], join(dir, 'cert.pem'));
    assert.equal(loaded.values.secret, 's3', 'NODE_RED_* variables are passed');
    assert.equal(loaded.values.home, undefined, 'other variables are not');
    assert.ok(loaded.envUnset.includes('SOME_OTHER'));
  });
  it('cannot write files, start processes or open network connections', async () => {
    const dir = tempDir('nr-settings-');
    const target = join(dir, 'written.txt');
    writeFileSync(
      join(dir, 'settings.js'),
      `let w = 'ok', p = 'ok', n = 'ok';
       try { require('fs').writeFileSync(${JSON.stringify(target)}, 'x'); } catch (e) { w = e.code; }
       try { require('child_process').execSync('true'); } catch (e) { p = e.code; }
       try { require('net').connect(80, '127.0.0.1'); } catch (e) { n = e.message; }
       module.exports = { w, p, n };`,
    );
    const { values } = await loadNodeRedSettings(join(dir, 'settings.js'), { env: {} });
    assert.equal(values.w, 'ERR_ACCESS_DENIED');
    assert.equal(values.p, 'ERR_ACCESS_DENIED');
    assert.match(String(values.n), /network access is disabled/);
    assert.equal(existsSync(target), false);
  });
  it('stops a settings.js that never finishes, and reports one that throws', async () => {
    const dir = tempDir('nr-settings-');
    writeFileSync(join(dir, 'loop.js'), 'for (;;) {}');
    await assert.rejects(loadNodeRedSettings(join(dir, 'loop.js'), { env: {}, timeoutMs: 1500 }), { code: 'node_red_settings_timeout' });
    writeFileSync(join(dir, 'bad.js'), "throw new Error('broken settings')");
    await assert.rejects(loadNodeRedSettings(join(dir, 'bad.js'), { env: {} }), /broken settings/);
    writeFileSync(join(dir, 'num.js'), 'module.exports = 5');
    await assert.rejects(loadNodeRedSettings(join(dir, 'num.js'), { env: {} }), /must export an object/);
  });
});

describe('importNodeRed', () => {
  it('imports flows, credentials, users and settings, lists what it cannot carry, and leaves the Node-RED dir unchanged', async () => {
    const nr = makeNodeRedDir({ secret: 'nr-secret-1' });
    const before = checksumDir(nr);
    const userDir = join(tempDir('redoubt-'), 'home');
    const report = await importNodeRed({ from: nr, userDir, env: {}, clock: { now: () => 1_700_000_000_000 }, by: 'test' });
    assert.equal(checksumDir(nr), before);

    assert.deepEqual(JSON.parse(readFileSync(join(userDir, 'flows.json'), 'utf8')), flows);
    assert.deepEqual(await createVault({ userDir, env: {} }).load(), { req1: creds.req1 }, 'stale entries are left behind');
    assert.deepEqual(report.users, ['ada', 'bob', 'cy']);

    const db = openDatabase(join(userDir, 'redoubt.db'));
    try {
      const users = createUserStore(db);
      assert.equal(users.get('ada')?.role, 'admin');
      assert.equal(users.get('bob')?.role, 'viewer');
      assert.equal(users.get('cy')?.role, 'viewer', 'unknown permission sets are imported read-only');
      assert.equal(users.get('ada')?.passwordHash, hash);
      assert.equal((await createPasswordHasher().verify('correct horse battery', users.get('ada')!.passwordHash)).ok, true);
      const audit = createAuditLog({ store: createAuditStore(db) }, { clock: { now: Date.now } });
      const record = audit.list({ event: 'import.node-red' })[0];
      assert.ok(record);
      assert.equal(record.details?.nodes, 3);
      assert.equal(record.details?.encryptedNodes, 1);
      assert.doesNotMatch(JSON.stringify(audit.list()), /pl@nt-pass|nr-secret-1/);
    } finally {
      db.close();
    }

    const yaml = parseYaml(readFileSync(join(userDir, 'redoubt.yaml'), 'utf8')) as Record<string, unknown>;
    assert.equal(yaml.port, 1880);
    assert.equal(yaml.host, undefined, 'without uiHost Redoubt keeps loopback');
    assert.deepEqual(yaml.functionGlobalContext, { plant: 'north', limits: { max: 5 } });
    assert.deepEqual(yaml.contextStorage, { default: { module: 'localfilesystem' }, mem: { module: 'memory' } });
    assert.equal(yaml.functionTimeoutMs, 2000, "Node-RED's enforced globalFunctionTimeout, not the editor's functionTimeout");
    assert.deepEqual(JSON.parse(readFileSync(join(userDir, 'context', 'global', 'global.json'), 'utf8')), { count: 3 });

    const find = (subject: string) => report.items.find((i) => i.subject === subject);
    assert.equal(find('functionGlobalContext.os')?.kind, 'not-carried');
    assert.equal(find('httpNodeMiddleware')?.kind, 'not-carried');
    assert.equal(find('adminAuth.default')?.kind, 'not-carried');
    assert.equal(find('exec')?.kind, 'decision');
    assert.equal(find('functionTimeout')?.kind, 'info');
    assert.equal(find('uiHost')?.kind, 'decision');
    assert.equal(find('adminAuth.users[2]')?.kind, 'decision');
    assert.equal(find('package.json: node-red-contrib-foo')?.kind, 'not-carried');
    assert.ok(find('httpNodeAuth'), 'httpNodeAuth is accounted for (carried, or listed until redoubt.yaml has it)');
    assert.doesNotMatch(JSON.stringify(report), /pl@nt-pass|nr-secret-1/);
  });

  it('says which flows will not run as they are: tabs waiting for types not installed, nodes with settings Redoubt cannot use', async () => {
    const nr = makeNodeRedDir({ secret: 'nr-secret-4' });
    const mixed = [
      ...flows,
      { id: 't2', type: 'tab', label: 'Modbus' },
      { id: 'mb1', type: 'modbus-read', z: 't2', wires: [[]] },
      { id: 't3', type: 'tab', label: 'Broken' },
      { id: 'ch1', type: 'change', z: 't3', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '$round(', tot: 'jsonata' }], wires: [[]] },
      { id: 'sw1', type: 'switch', z: 't3', property: 'payload', propertyType: 'msg', rules: [{ t: 'regex', v: '([a-z', vt: 'str' }], outputs: 1, wires: [[]] },
      { id: 't4', type: 'tab', label: 'Off', disabled: true },
      { id: 'mb2', type: 'modbus-write', z: 't4', wires: [[]] },
    ];
    writeFileSync(join(nr, 'flows.json'), JSON.stringify(mixed));
    const userDir = tempDir('redoubt-');
    const report = await importNodeRed({ from: nr, userDir, env: {}, by: 'test' });
    assert.deepEqual(JSON.parse(readFileSync(join(userDir, 'flows.json'), 'utf8')), mixed, 'the flows are imported as they are');
    assert.deepEqual(report.flowsCheck, { leftOut: 2, waiting: 1, refused: false });
    const find = (subject: string) => report.items.find((i) => i.subject === subject);
    assert.match(find("flows.json: tab 'Modbus' (t2)")?.message ?? '', /will not start until these node types are installed: modbus-read$/);
    assert.equal(find("flows.json: tab 'Off' (t4)"), undefined, 'a disabled tab starts in neither runtime');
    assert.match(find('flows.json: node ch1 (change)')?.message ?? '', /^will do nothing until its settings are fixed: property 'rules': rule 1: Invalid JSONata expression/);
    assert.match(find('flows.json: node sw1 (switch)')?.message ?? '', /^will do nothing until its settings are fixed: property 'rules'/);
    assert.match(formatImportSummary(report), /not running as they are: 2 nodes will do nothing until their settings are fixed; 1 tab will wait for node types not installed/);

    const db = openDatabase(join(userDir, 'redoubt.db'));
    try {
      const audit = createAuditLog({ store: createAuditStore(db) }, { clock: { now: Date.now } });
      assert.deepEqual(audit.list({ event: 'import.node-red' })[0]?.details?.flowsCheck, { leftOut: 2, waiting: 1, refused: false });
    } finally {
      db.close();
    }

    // Flows Redoubt refuses whole are imported too, but the report says no flow will start.
    const dup = makeNodeRedDir({ secret: 'nr-secret-4' });
    writeFileSync(join(dup, 'flows.json'), JSON.stringify([...flows, { ...flows[1], z: 't1' }]));
    const refused = await importNodeRed({ from: dup, userDir: tempDir('redoubt-'), env: {}, by: 'test', dryRun: true });
    assert.equal(refused.flowsCheck.refused, true);
    assert.match(refused.items.find((i) => i.subject === 'flows.json')?.message ?? '', /Redoubt will start none of these flows until this is fixed: .*id 'req1' is used more than once/);
    assert.match(formatImportSummary(refused), /no flow will start until the flows file is fixed/);
  });

  it('uses the generated _credentialSecret of .config.runtime.json when settings.js has none', async () => {
    const nr = makeNodeRedDir({ runtimeSecret: 'f'.repeat(64) });
    const userDir = tempDir('redoubt-');
    const report = await importNodeRed({ from: nr, userDir, env: {}, by: 'test' });
    assert.deepEqual(await createVault({ userDir, env: {} }).load(), { req1: creds.req1 });
    assert.match(report.items.map((i) => i.message).join('\n'), /_credentialSecret/);
  });

  it('reads plaintext credentials when credentialSecret is false, and flows_<hostname>.json without flowFile', async () => {
    const nr = makeNodeRedDir({ secret: false, flowFile: 'flows_testhost.json' });
    writeFileSync(join(nr, 'settings.js'), 'module.exports = { credentialSecret: false };');
    const userDir = tempDir('redoubt-');
    const report = await importNodeRed({ from: nr, userDir, env: {}, hostname: 'testhost', by: 'test' });
    assert.equal(report.flowsFile, join(nr, 'flows_testhost.json'));
    assert.deepEqual(await createVault({ userDir, env: {} }).load(), { req1: creds.req1 });
    assert.deepEqual(report.users, []);
  });

  it('refuses a wrong or missing secret clearly and writes nothing', async () => {
    const wrong = makeNodeRedDir({ secret: 'right-secret' });
    writeFileSync(join(wrong, 'settings.js'), "module.exports = { flowFile: 'flows.json', credentialSecret: 'not-the-secret' };");
    const userDir = join(tempDir('redoubt-'), 'target');
    await assert.rejects(importNodeRed({ from: wrong, userDir, env: {}, by: 'test' }), { code: 'node_red_credential_secret_wrong' });
    assert.equal(existsSync(userDir), false);
    const missing = makeNodeRedDir({ secret: 'right-secret' });
    writeFileSync(join(missing, 'settings.js'), "module.exports = { flowFile: 'flows.json' };");
    await assert.rejects(importNodeRed({ from: missing, userDir, env: {}, by: 'test' }), { code: 'node_red_credential_secret_missing' });
    assert.equal(existsSync(userDir), false);
  });

  it('refuses a user dir with flows unless forced, and then backs the old files up first', async () => {
    const nr = makeNodeRedDir({ secret: 'nr-secret-2' });
    const userDir = tempDir('redoubt-');
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify([{ id: 'old', type: 'tab' }]));
    await assert.rejects(importNodeRed({ from: nr, userDir, env: {}, by: 'test' }), { code: 'import_target_not_empty' });
    assert.deepEqual(JSON.parse(readFileSync(join(userDir, 'flows.json'), 'utf8')), [{ id: 'old', type: 'tab' }]);
    assert.equal(existsSync(join(userDir, 'flows.cred')), false);

    const report = await importNodeRed({ from: nr, userDir, env: {}, force: true, by: 'test' });
    assert.ok(report.backup);
    assert.deepEqual(JSON.parse(readFileSync(join(report.backup, 'flows.json'), 'utf8')), [{ id: 'old', type: 'tab' }]);
    assert.deepEqual(JSON.parse(readFileSync(join(userDir, 'flows.json'), 'utf8')), flows);
  });

  it('writes nothing on a dry run, and refuses a target inside the Node-RED dir', async () => {
    const nr = makeNodeRedDir({ secret: 'nr-secret-3' });
    const userDir = join(tempDir('redoubt-'), 'dry');
    const report = await importNodeRed({ from: nr, userDir, env: {}, dryRun: true, by: 'test' });
    assert.equal(existsSync(userDir), false);
    assert.deepEqual(report.users, ['ada (admin)', 'bob (viewer)', 'cy (viewer)']);
    const before = checksumDir(nr);
    await assert.rejects(importNodeRed({ from: nr, userDir: join(nr, 'redoubt'), env: {}, by: 'test' }), { code: 'import_target_inside_source' });
    await assert.rejects(importNodeRed({ from: nr, userDir: nr, env: {}, by: 'test' }), { code: 'import_target_inside_source' });
    assert.equal(checksumDir(nr), before);
  });

  it('carries https as the certificate and key files Node-RED read, and a LAN uiHost as a decision', async () => {
    const nr = makeNodeRedDir({ secret: 'nr-secret-6' });
    writeFileSync(join(nr, 'server.key'), 'KEY');
    writeFileSync(join(nr, 'server.crt'), 'CERT');
    writeFileSync(
      join(nr, 'settings.js'),
      `const fs = require('fs');
       module.exports = { flowFile: 'flows.json', credentialSecret: 'nr-secret-6', uiHost: '192.168.1.20',
         https: { key: fs.readFileSync(__dirname + '/server.key'), cert: fs.readFileSync(__dirname + '/server.crt'), passphrase: 'x' } };`,
    );
    const userDir = tempDir('redoubt-');
    const report = await importNodeRed({ from: nr, userDir, env: {}, by: 'test' });
    const yaml = parseYaml(readFileSync(join(userDir, 'redoubt.yaml'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(yaml.https, { cert: join(nr, 'server.crt'), key: join(nr, 'server.key') });
    assert.equal(yaml.host, '192.168.1.20');
    assert.equal(yaml.profile, undefined, 'the profile is the user\'s choice');
    const host = report.items.find((i) => i.subject === 'uiHost');
    assert.equal(host?.kind, 'decision');
    assert.match(host?.message ?? '', /profile/);
    assert.equal(report.items.find((i) => i.subject === 'https.passphrase')?.kind, 'not-carried');
  });

  it('keeps an existing Redoubt user of the same name', async () => {
    const nr = makeNodeRedDir({ secret: 'nr-secret-4' });
    const userDir = tempDir('redoubt-');
    const db = openDatabase(join(userDir, 'redoubt.db'));
    createUserStore(db).create({ username: 'ADA', role: 'viewer', passwordHash: 'scrypt$x', createdAt: 0, passwordChangedAt: 0 });
    db.close();
    const report = await importNodeRed({ from: nr, userDir, env: {}, by: 'test' });
    assert.deepEqual(report.users, ['bob', 'cy']);
    const check = openDatabase(join(userDir, 'redoubt.db'));
    assert.equal(createUserStore(check).get('ada')?.passwordHash, 'scrypt$x');
    check.close();
  });
});

describe('redoubt import (command)', () => {
  it('prints a summary with the decisions, writes the report file, and prints it all with --report', async () => {
    const nr = makeNodeRedDir({ secret: 'nr-secret-5' });
    const userDir = tempDir('redoubt-');
    const io = quiet();
    const code = await runImportCommand(['--from-node-red', nr, '--user-dir', userDir, '--report'], {
      out: (t) => void io.out.push(t),
      err: (t) => void io.err.push(t),
      env: {},
    });
    assert.equal(code, 0, io.err.join(''));
    const out = io.out.join('');
    assert.match(out, /Needs your decision:/);
    assert.match(out, /exec node/);
    assert.match(out, /Not carried over:[\s\S]*functionGlobalContext\.os/);
    assert.doesNotMatch(out, /pl@nt-pass|nr-secret-5/);
    assert.ok(readdirSync(userDir).includes('node-red-import-report.txt'));
  });
  it('takes the secret from the variable named by --credential-secret-env, and refuses an unset one', async () => {
    const nr = makeNodeRedDir({ secret: 'from-env-secret' });
    writeFileSync(join(nr, 'settings.js'), "module.exports = { flowFile: 'flows.json' };");
    const io = { out: () => {}, err: () => {}, env: { MY_SECRET: 'from-env-secret' } };
    assert.equal(await runImportCommand(['--from-node-red', nr, '--user-dir', tempDir('redoubt-'), '--credential-secret-env', 'MY_SECRET'], io), 0);
    await assert.rejects(runImportCommand(['--from-node-red', nr, '--user-dir', tempDir('redoubt-'), '--credential-secret-env', 'UNSET_VAR'], io), { code: 'invalid_config' });
    assert.equal(await runImportCommand(['--user-dir', 'x'], io), 2);
  });
});
