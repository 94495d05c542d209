'use strict';
// Runs Node-RED 4.1 embedded in this process and answers the benchmark harness over Node IPC.
// The protocol is the one bench/drivers/redoubt-driver.ts speaks, so both runtimes are driven
// the same way: deploy, run (deploy + wait for the completion marker), mem, stop.
//
// Started as: node --expose-gc bench/drivers/node-red-driver.cjs <node-red package dir>

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const spawnedAt = Number(process.env.BENCH_SPAWNED_AT || Date.now());
const redDir = process.argv[2];
if (!redDir || typeof process.send !== 'function') {
  console.error('usage: node --expose-gc node-red-driver.cjs <node_modules/node-red> (under IPC)');
  process.exit(2);
}

// The completion marker a flow prints through a console debug node: "done|token|...".
const MARKER = 'done|';
const markers = new Map();
const markerWaiters = new Map();

function onMarker(text) {
  const at = Date.now();
  const fields = text.split('|');
  const token = fields[1];
  if (markers.has(token)) return;
  markers.set(token, { text, at });
  const waiter = markerWaiters.get(token);
  if (waiter) {
    markerWaiters.delete(token);
    waiter();
  }
}

function waitMarker(token, timeoutMs) {
  if (markers.has(token)) return Promise.resolve(markers.get(token));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      markerWaiters.delete(token);
      reject(new Error(`no completion marker for ${token} within ${timeoutMs} ms`));
    }, timeoutMs);
    markerWaiters.set(token, () => {
      clearTimeout(timer);
      resolve(markers.get(token));
    });
  });
}

const logged = [];
// Warnings and errors logged since the last reply: a deploy with failed nodes is not comparable.
let problemCount = 0;
function logHandler() {
  return (entry) => {
    const text = typeof entry.msg === 'string' ? entry.msg : '';
    if (entry.type === 'debug' && text.startsWith(MARKER)) {
      onMarker(text.trim());
      return;
    }
    // Node-RED does not start flows whose node types are missing; fail the deploy at once.
    if (/missing types/i.test(text) && startedWaiter) {
      startedFailer(new Error(`flows not started: ${text}`));
    }
    // Warnings and errors are kept so a broken benchmark flow can be diagnosed from the reply.
    if (entry.level <= 30) problemCount++;
    if (entry.level <= 30 && logged.length < 50) {
      logged.push(`${entry.type || ''}${entry.id ? ':' + entry.id : ''} ${String(entry.msg)}`);
    }
  };
}

const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-node-red-'));
const RED = require(redDir);
// The runtime's event bus is in @node-red/util, a sibling package in the same node_modules.
const events = require(path.join(redDir, '..', '@node-red', 'util')).events;

let startedWaiter = null;
let startedFailer = null;
events.on('flows:started', () => {
  if (startedWaiter) {
    const w = startedWaiter;
    startedWaiter = null;
    w();
  }
});

function nextStart(timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      startedWaiter = null;
      reject(new Error(`flows did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    startedWaiter = () => {
      clearTimeout(timer);
      resolve();
    };
    startedFailer = (err) => {
      clearTimeout(timer);
      startedWaiter = null;
      reject(err);
    };
  });
}

async function deploy(flows, type, timeoutMs) {
  const started = nextStart(timeoutMs);
  const t0 = process.hrtime.bigint();
  await RED.runtime.flows.setFlows({ flows: { flows }, deploymentType: type });
  await started;
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function memory() {
  global.gc();
  global.gc();
  const m = process.memoryUsage();
  let hwm = null;
  const status = fs.readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+) kB/);
  if (status) hwm = Number(status[1]) * 1024;
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, peakRss: hwm };
}

async function handle(req) {
  const timeoutMs = req.timeoutMs || 60000;
  switch (req.cmd) {
    case 'deploy':
      return { ms: await deploy(req.flows, req.type || 'full', timeoutMs) };
    case 'run': {
      const wait = waitMarker(req.token, timeoutMs);
      wait.catch(() => undefined);
      const deployMs = await deploy(req.flows, req.type || 'full', timeoutMs);
      const marker = await wait;
      const fields = marker.text.split('|');
      const t0 = Number(fields[fields.length - 1]);
      return { ms: marker.at - t0, deployMs, marker: marker.text };
    }
    case 'mem':
      return { mem: memory() };
    case 'stop':
      await RED.stop();
      return {};
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

process.on('message', (req) => {
  handle(req).then(
    (res) => {
      process.send({ id: req.id, ok: true, ...res, warnings: logged.splice(0), problemCount });
      problemCount = 0;
    },
    (err) => process.send({ id: req.id, ok: false, error: String(err && err.stack || err), log: logged.splice(0) }),
  ).then(() => {
    if (req.cmd === 'stop') {
      fs.rmSync(userDir, { recursive: true, force: true });
      process.disconnect();
    }
  });
});

// BENCH_NODE_RED_STORAGE=memory keeps flows in memory instead of writing flows.json on every
// deploy, for an engine-only comparison with a Redoubt build whose setFlows does not persist.
function memoryStorage() {
  let flows = [];
  let credentials = {};
  let runtimeSettings = {};
  let sessions = {};
  return {
    init: async () => {},
    getFlows: async () => flows,
    saveFlows: async (f) => { flows = f; },
    getCredentials: async () => credentials,
    saveCredentials: async (c) => { credentials = c; },
    getSettings: async () => runtimeSettings,
    saveSettings: async (s) => { runtimeSettings = s; },
    getSessions: async () => sessions,
    saveSessions: async (s) => { sessions = s; },
    getLibraryEntry: async () => [],
    saveLibraryEntry: async () => {},
  };
}

async function main() {
  const settings = {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: 'bench-only-secret',
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    uiHost: '127.0.0.1',
    uiPort: 0,
    telemetry: { enabled: false, updateNotification: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    functionExternalModules: false,
    logging: { bench: { level: 'info', metrics: false, audit: false, handler: logHandler } },
    editorTheme: { projects: { enabled: false } },
  };
  if (process.env.BENCH_NODE_RED_STORAGE === 'memory') settings.storageModule = memoryStorage();
  const started = nextStart(120000);
  RED.init(settings);
  await RED.start();
  await started;
  // Start-up notices (projects disabled, no credentials file) are not about any benchmark.
  logged.length = 0;
  problemCount = 0;
  process.send({ type: 'ready', ms: Date.now() - spawnedAt, runtime: 'node-red', version: RED.version() });
}

main().catch((err) => {
  process.send({ type: 'failed', error: String(err && err.stack || err) });
  process.exitCode = 1;
  process.disconnect();
});
