/**
 * The script that runs inside the child process evaluating a Node-RED `settings.js`. It is plain
 * CommonJS source (a string) given to `node -e`, so it needs no build step and imports nothing of
 * Redoubt. It turns `module.exports` into JSON the parent can trust the shape of:
 * - a value that is not plain data (a function, a class instance, a module, a Buffer, a cycle)
 *   becomes `{ [marker]: "<what it was>" }`, `marker` being a random key the parent chose, so it
 *   cannot be confused with the user's own data;
 * - a Buffer or string that came from `fs.readFileSync` is noted with its file path (that is how
 *   `https: { key: fs.readFileSync('privkey.pem') }` becomes a path Redoubt can read itself);
 * - environment variables the file reads are noted, so the report can say which were unset.
 * Network use is refused by replacing the connect functions before the file runs; the process is
 * also started under Node's permission model (no writes, no child processes, no workers).
 *
 * argv: [settingsPath, marker]. The result is written as one JSON text to fd 3.
 */
export const SETTINGS_CHILD_SCRIPT = String.raw`
'use strict';
const fs = require('fs');
const [settingsPath, marker] = process.argv.slice(1);
const refuse = (what) => () => { throw new Error('network access is disabled while reading settings.js (' + what + ')'); };
const net = require('net');
net.Socket.prototype.connect = refuse('net');
net.connect = net.createConnection = refuse('net');
require('dns').lookup = refuse('dns');
require('dns').resolve = refuse('dns');
for (const m of ['http', 'https']) { const mod = require(m); mod.request = mod.get = refuse(m); }
if (typeof globalThis.fetch === 'function') globalThis.fetch = refuse('fetch');

const origins = new Map();
const textOrigins = new Map();
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  const data = readFileSync.call(fs, file, ...rest);
  if (typeof file === 'string' || file instanceof URL) {
    const path = require('path').resolve(String(file instanceof URL ? require('url').fileURLToPath(file) : file));
    if (Buffer.isBuffer(data)) origins.set(data, path);
    else if (typeof data === 'string' && data.length > 0) textOrigins.set(data, path);
  }
  return data;
};

const envRead = new Set();
const realEnv = process.env;
process.env = new Proxy(realEnv, {
  get(target, key) { if (typeof key === 'string') envRead.add(key); return target[key]; },
  has(target, key) { if (typeof key === 'string') envRead.add(key); return key in target; },
});

const files = {};
const seen = new Set();
function mark(what) { return { [marker]: what }; }
function walk(value, path, depth) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    if (typeof value === 'string' && textOrigins.has(value)) files[path] = textOrigins.get(value);
    return value;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : mark('a non-finite number');
  if (typeof value === 'undefined') return undefined;
  if (typeof value === 'function') return mark('a function');
  if (typeof value === 'bigint' || typeof value === 'symbol') return mark('a ' + typeof value);
  if (Buffer.isBuffer(value)) {
    if (origins.has(value)) { files[path] = origins.get(value); return mark('file contents'); }
    return mark('binary data');
  }
  if (depth > 32) return mark('a structure nested too deeply');
  if (seen.has(value)) return mark('a circular reference');
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    const name = proto && proto.constructor && proto.constructor.name;
    return mark(name ? 'an object of class ' + name : 'an object that is not plain data');
  }
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item, i) => { const out = walk(item, path + '[' + i + ']', depth + 1); return out === undefined ? null : out; });
    const out = {};
    for (const key of Object.keys(value)) {
      let item;
      try { item = value[key]; } catch (err) { out[key] = mark('a property that throws when read'); continue; }
      const child = walk(item, path === '' ? key : path + '.' + key, depth + 1);
      if (child !== undefined) out[key] = child;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

let result;
try {
  const exported = require(settingsPath);
  result = { ok: true, settings: walk(exported, '', 0), files, envRead: [...envRead], envUnset: [...envRead].filter((k) => realEnv[k] === undefined) };
} catch (err) {
  result = { ok: false, error: String(err && err.message || err).split('\n')[0] };
}
fs.writeSync(3, JSON.stringify(result));
process.exit(0);
`;
