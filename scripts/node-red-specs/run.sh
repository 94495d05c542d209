#!/bin/bash
# Runs Node-RED's own core-node specs against Redoubt's core nodes and test helper.
#   scripts/node-red-specs/run.sh <node-red checkout> <spec file or folder under test/nodes/core> [mocha args]
# e.g. scripts/node-red-specs/run.sh .cache/node-red-src function/15-change_spec.js --grep regex
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
src=${1:?usage: run.sh <node-red checkout> <spec> [mocha args]}
spec=${2:?usage: run.sh <node-red checkout> <spec> [mocha args]}
shift 2
# The specs are CommonJS: without the checkout's own package.json, Redoubt's ("type": "module") would apply.
[ -f "$src/package.json" ] || { echo "run.sh: $src has no package.json; give a checkout of Node-RED's repository" >&2; exit 2; }
# Node-RED's repository keeps its own nr-test-utils and helper in test/node_modules, which Node
# finds before NODE_PATH: the specs would then load Node-RED's runtime instead of Redoubt.
if [ -d "$src/test/node_modules" ]; then
  echo "run.sh: $src/test/node_modules would take the place of Redoubt's shims; move it aside first:" >&2
  echo "  mv $src/test/node_modules $src/test/node_modules.node-red" >&2
  exit 2
fi
deps="$root/.cache/node-red-specs-deps"
# What the specs require besides the helper, installed once next to the other caches.
if [ ! -d "$deps/node_modules/sinon" ]; then
  mkdir -p "$deps"
  npm install --prefix "$deps" --no-audit --no-fund --no-save sinon@18 fs-extra@11 should@13 supertest@7 ws@8 clone@2 iconv-lite@0.6 >/dev/null
fi
cd "$src"
REDOUBT_ROOT="$root" NODE_PATH="$here/shims:$deps/node_modules" timeout "${TIMEOUT:-600}" \
  node --import "$root/node_modules/tsx/dist/esm/index.mjs" --require "$root/node_modules/tsx/dist/cjs/index.cjs" \
  "$root/node_modules/mocha/bin/mocha.js" --require should --reporter "${REPORTER:-dot}" --timeout "${MOCHA_TIMEOUT:-3000}" \
  "test/nodes/core/$spec" "$@"
