// The floor under idle memory: a server holding only what any Node-RED-compatible runtime with
// Redoubt's security must hold at idle, and nothing of a flow engine. It answers the benchmark's
// three calls as Redoubt and Node-RED do:
//   GET /settings     401 without a token, 200 with one;
//   POST /auth/token  the node-red-admin password grant, checked against a scrypt hash
//                     (N = 2^15, r = 8, Redoubt's default), recorded in an SQLite audit table;
// and holds a WebSocket server on /comms, as the editor's comms need.
//   node --expose-gc --require gc-preload.cjs floor-server.mjs <port> <userDir> [--express | --bare]
// With --express the routes are an express app, as Redoubt's admin API is. With --bare there is
// neither the WebSocket server nor the audit table: node:http and the login alone.
//
// Plain JavaScript, not TypeScript through tsx: tsx's loader would add its own memory to the
// number this file exists to measure. The admin password is read from `<userDir>/password`.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const [portText, userDir, ...flags] = process.argv.slice(2);
const useExpress = flags.includes('--express');
const bare = flags.includes('--bare');

const hash = (password, salt) =>
  new Promise((resolve, reject) =>
    scrypt(password, salt, 64, { N: 1 << 15, r: 8, p: 1, maxmem: 64 << 20 }, (err, key) => (err ? reject(err) : resolve(key))),
  );

const password = readFileSync(join(userDir, 'password'), 'utf8').trim();
const salt = randomBytes(16);
const stored = await hash(password, salt);

let db;
let audit = { run() {} };
if (!bare) {
  const Database = require('better-sqlite3');
  db = new Database(join(userDir, 'audit.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, event TEXT NOT NULL, who TEXT)');
  audit = db.prepare('INSERT INTO audit (at, event, who) VALUES (?, ?, ?)');
}

const tokens = new Set();
const authorised = (req) => {
  const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  return m !== null && tokens.has(m[1]);
};
const send = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const readJson = (req) =>
  new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(null);
      }
    });
  });
const login = async (body, res) => {
  const given = typeof body?.password === 'string' ? await hash(body.password, salt) : Buffer.alloc(64);
  const ok = body?.grant_type === 'password' && timingSafeEqual(given, stored);
  audit.run(new Date().toISOString(), ok ? 'login' : 'login.failed', String(body?.username ?? ''));
  if (!ok) return send(res, 401, { error: 'unauthorized' });
  const token = randomBytes(32).toString('base64url');
  tokens.add(token);
  send(res, 200, { access_token: token, expires_in: 604800, token_type: 'Bearer' });
};
const settings = (req, res) => (authorised(req) ? send(res, 200, { version: 'floor' }) : send(res, 401, { error: 'unauthorized' }));

let server;
if (useExpress) {
  const express = require('express');
  const app = express();
  app.use(express.json({ limit: '5mb' }));
  app.post('/auth/token', (req, res) => void login(req.body, res));
  app.get('/settings', settings);
  server = createServer(app);
} else {
  server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/auth/token') return void readJson(req).then((body) => login(body, res));
    if (req.method === 'GET' && req.url === '/settings') return settings(req, res);
    send(res, 404, { error: 'not found' });
  });
}
if (!bare) {
  const { WebSocketServer } = require('ws');
  new WebSocketServer({ server, path: '/comms' });
}
server.listen(Number(portText), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  db?.close();
  process.exit(0);
});
