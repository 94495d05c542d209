'use strict';
// Runs Node-RED 4.1 embedded in this process and plays example flows for
// test/examples/examples.test.ts over Node IPC (protocol: test/examples/protocol.ts).
// Started as: node test/examples/node-red-child.cjs <node_modules/node-red>
//
// How the sidebar output is observed: a debug node calls RED.comms.publish('debug', ...), and the
// node API's comms.publish does nothing but emit a 'comms' event ({topic, data}) on the shared
// event bus of @node-red/util; the runtime's comms module is itself just a listener of that event
// that forwards to websocket connections. Adding one more listener on the same bus sees exactly
// what an editor would receive, without wrapping or patching anything. Status updates travel the
// same bus as 'node-status' events. A settings `logging` handler would only see log lines, not
// the sidebar messages.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const redDir = process.argv[2];
if (!redDir || typeof process.send !== 'function') {
  console.error('usage: node node-red-child.cjs <node_modules/node-red> (under IPC)');
  process.exit(2);
}

const LEVELS = { 10: 'fatal', 20: 'error', 30: 'warn', 40: 'info', 50: 'debug', 60: 'trace' };

let runStart = 0;
let collecting = false;
let entries = [];
let missing = [];

function record(channel, data) {
  if (collecting) entries.push({ channel, at: Date.now() - runStart, data });
}

function text(value) {
  // isNativeError also knows an Error made in another realm: Node-RED's function node runs user
  // code in a vm context, whose thrown Errors are not instances of this realm's Error.
  if (value instanceof Error || require('node:util').types.isNativeError(value)) return String(value);
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch (err) {
    return String(value);
  }
}

function logHandler() {
  return (entry) => {
    const message = text(entry.msg);
    if (/missing types/i.test(message)) {
      const found = /:\s*(.*)$/.exec(message);
      if (found) missing = found[1].split(',').map((s) => s.trim()).filter(Boolean);
    }
    // Only entries a node wrote: its warnings and errors reach the sidebar, its info lines are
    // what a debug node set to "system console" prints.
    if (!entry.id) return;
    const level = LEVELS[entry.level] || String(entry.level);
    if (level !== 'error' && level !== 'warn' && level !== 'info') return;
    record('log', { level, id: entry.id, type: entry.type, msg: message });
  };
}

const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'examples-node-red-'));
const RED = require(redDir);
const events = require(path.join(redDir, '..', '@node-red', 'util')).events;

events.on('comms', (event) => {
  if (event && event.topic === 'debug') record('debug', JSON.parse(JSON.stringify(event.data)));
});
events.on('node-status', (event) => {
  if (event && event.status) record('status', { id: event.id, status: JSON.parse(JSON.stringify(event.status)) });
});

let startedWaiter = null;
events.on('flows:started', () => {
  const w = startedWaiter;
  startedWaiter = null;
  if (w) w();
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function deploy(flows) {
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      startedWaiter = null;
      reject(new Error('flows did not start within 20 s' + (missing.length ? ` (missing types: ${missing.join(', ')})` : '')));
    }, 20000);
    startedWaiter = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  await RED.runtime.flows.setFlows({ flows: { flows }, deploymentType: 'full' });
  await started;
}

async function run(req) {
  // An empty deploy between examples stops the previous one and lets Node-RED drop the contexts
  // of its nodes (several examples reuse the same node ids).
  collecting = false;
  await deploy([]);
  entries = [];
  missing = [];
  runStart = Date.now();
  collecting = true;
  await deploy(req.flows);
  await sleep(req.settleMs);
  for (let i = 0; i < req.injects.length; i++) {
    if (i > 0) await sleep(req.pauseMs);
    const node = RED.nodes.getNode(req.injects[i]);
    if (node) node.receive();
  }
  await sleep(req.waitMs);
  collecting = false;
  return { entries, missingTypes: missing };
}

process.on('message', (req) => {
  const work = req.cmd === 'run' ? run(req) : req.cmd === 'stop' ? RED.stop().then(() => ({})) : Promise.reject(new Error(`unknown command ${req.cmd}`));
  work.then(
    (res) => ({ ok: true, ...res }),
    (err) => ({ ok: false, error: String((err && err.stack) || err) }),
  ).then((reply) => {
    if (req.cmd !== 'stop') {
      process.send(reply);
      return;
    }
    fs.rmSync(userDir, { recursive: true, force: true });
    // Node-RED may leave handles open after stop(); the parent is done with this process.
    process.send(reply, () => process.exit(0));
  });
});

async function main() {
  const settings = {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: 'examples-only-secret',
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    uiHost: '127.0.0.1',
    uiPort: 0,
    telemetry: { enabled: false, updateNotification: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    // The "Using external modules" example reads `os` from the global context, as the comment in
    // Node-RED's default settings.js suggests setting it up.
    functionGlobalContext: { os: require('node:os') },
    logging: { examples: { level: 'info', metrics: false, audit: false, handler: logHandler } },
    editorTheme: { projects: { enabled: false } },
  };
  const started = new Promise((resolve) => {
    startedWaiter = resolve;
  });
  RED.init(settings);
  await RED.start();
  await started;
  process.send({ type: 'ready', version: RED.version() });
}

main().catch((err) => {
  process.send({ type: 'failed', error: String((err && err.stack) || err) });
  process.exitCode = 1;
  process.disconnect();
});
