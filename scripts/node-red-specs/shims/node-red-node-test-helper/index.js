// Stands in for node-red-node-test-helper when Node-RED's own core-node specs run against Redoubt
// (see ../../README.md). It is Redoubt's helper, plus what those specs reach for in Node-RED itself:
// they configure context stores after `helper.load`, so the last load is remembered and replayed.
const root = process.env.REDOUBT_ROOT;
if (!root) throw new Error('REDOUBT_ROOT must name the Redoubt checkout (run.sh sets it)');
const h = require(`${root}/src/compat/test-helper.ts`);

let last;
const wrapper = { ...h };
wrapper.load = function (nodes, flow, creds, cb) {
  last = [nodes, flow, typeof creds === 'function' ? {} : creds];
  return h.load(nodes, flow, creds, cb);
};
// Specs run unload -> Context.clean -> Context.close in afterEach without waiting, so that close
// can land after the next test's Context.init: it must then leave the new stores alone.
wrapper.unload = function () {
  wrapper.initSinceUnload = false;
  return h.unload();
};
wrapper.reloadLast = async function () {
  if (!last) return;
  await h.unload();
  await h.load(last[0], last[1], last[2]);
};
module.exports = wrapper;
