// Stands in for Node-RED's nr-test-utils: `require("@node-red/nodes/core/...")` gives a module that
// registers nothing, so the types the specs load are Redoubt's own core nodes; the runtime's
// settings and context modules map onto the helper's settings.
const helper = require('node-red-node-test-helper');

const live = () => (helper.default && typeof helper.default.runtime === 'function' ? helper.default.runtime() : undefined);
// Node-RED's RED.settings is the running runtime's own object: a write reaches loaded nodes too.
const settings = new Proxy({}, {
  get(_t, key) { return helper.settings({})[key]; },
  set(_t, key, value) {
    helper.settings({ [key]: value });
    const rt = live();
    if (rt) rt.red.settings[key] = value;
    return true;
  },
  deleteProperty(_t, key) {
    helper.settings({ [key]: undefined });
    const rt = live();
    if (rt) delete rt.red.settings[key];
    return true;
  },
});
const RED = { settings, get util() { return live()?.red.util; } };

const Context = {
  init(config) {
    helper.initSinceUnload = true;
    helper.settings({ contextStorage: config.contextStorage });
  },
  load: () => helper.reloadLast(),
  clean: () => Promise.resolve(),
  close() {
    if (!helper.initSinceUnload) helper.settings({ contextStorage: undefined });
    return Promise.resolve();
  },
  delete: () => Promise.resolve(),
};

module.exports = {
  require(path) {
    if (path.startsWith('@node-red/nodes/core/')) return function coreNodeLoadedByRedoubt() {};
    if (path.startsWith('@node-red/runtime/lib/nodes/context')) return Context;
    if (path.startsWith('node-red/lib/red')) return RED;
    throw new Error(`node-red-specs shim: ${path} has no stand-in`);
  },
};
