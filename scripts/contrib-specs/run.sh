#!/bin/bash
# Runs contrib nodes' own specs, written for node-red-node-test-helper, against Redoubt with the one
# change a contrib author makes: require('node-red-node-test-helper') becomes
# require('redoubt/test-helper'). Each spec is copied next to itself with that line changed (so its
# relative requires still reach its node), run with mocha, and the copy removed.
#   scripts/contrib-specs/run.sh <checkout> <spec file relative to it>... [-- mocha args]
# e.g. scripts/contrib-specs/run.sh .cache/node-red-nodes test/function/random/random_spec.js
# The nodes' own dependencies must be installed in the checkout (npm install inside it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
src=${1:?usage: run.sh <checkout> <spec>... [-- mocha args]}
shift
specs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do specs+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#specs[@]} -gt 0 ] || { echo "run.sh: name at least one spec" >&2; exit 2; }
# CommonJS specs: without the checkout's own package.json, Redoubt's ("type": "module") would apply.
[ -f "$src/package.json" ] || { echo "run.sh: $src has no package.json; give a checkout of the nodes' repository" >&2; exit 2; }
# `redoubt` resolves to this checkout, and `should` to its copy, as an install of redoubt would give them.
link="$root/.cache/contrib-specs-path"
mkdir -p "$link"
ln -sfn "$root" "$link/redoubt"
copies=()
trap 'rm -f "${copies[@]}"' EXIT
for spec in "${specs[@]}"; do
  file="$src/$spec"
  [ -f "$file" ] || { echo "run.sh: no spec $file" >&2; exit 2; }
  grep -Eq "require\(['\"]node-red-node-test-helper['\"]\)" "$file" || { echo "run.sh: $spec does not require node-red-node-test-helper" >&2; exit 2; }
  copy="$(dirname "$file")/redoubt-$(basename "$file")"
  sed -E "s#require\(['\"]node-red-node-test-helper['\"]\)#require('redoubt/test-helper')#" "$file" > "$copy"
  copies+=("$copy")
done
NODE_PATH="$link:$root/node_modules" timeout "${TIMEOUT:-600}" \
  node --import "$root/node_modules/tsx/dist/esm/index.mjs" --require "$root/node_modules/tsx/dist/cjs/index.cjs" \
  "$root/node_modules/mocha/bin/mocha.js" --reporter "${REPORTER:-dot}" --timeout "${MOCHA_TIMEOUT:-5000}" --exit \
  "${copies[@]}" "$@"
