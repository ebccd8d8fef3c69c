#!/usr/bin/env bash
# Set-up for pointwatch on Debian 12 with Node 20, 22 or 24: Debian packages (installed with apt-get
# when run as root, otherwise the exact command is printed), npm dependencies, and the compiled build
# (dist/, what bin/pointwatch.js runs). Safe to run again: each step only when it is missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."

# command -> Debian package
declare -A NEED=(
  [influxd]=influxdb [influx]=influxdb-client [snmpd]=snmpd [snmpget]=snmp [snmpsimd]=snmpsim
  [fping]=fping [ip]=iproute2 [iptables]=iptables [chromium]=chromium
  [prometheus-snmp-exporter]=prometheus-snmp-exporter [busybox]=busybox [openssl]=openssl
)
missing=()
for cmd in "${!NEED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || [ -x "/usr/bin/$cmd" ] || missing+=("${NEED[$cmd]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: $pkgs" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d: do not start the packaged services; pointwatch starts its own on loopback ports.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq $pkgs >/dev/null
    rm -f /usr/sbin/policy-rc.d
  else
    echo "setup: missing Debian packages. Run as root:" >&2
    echo "  apt-get update && apt-get install -y $pkgs" >&2
    exit 1
  fi
fi

# The Node lines package.json's engines names (20, 22, 24 LTS)
node -e 'const r = require("./package.json").engines.node; const [a, b] = process.versions.node.split(".").map(Number);
  const ok = r.split("||").some((x) => { const m = /\^(\d+)\.(\d+)/.exec(x.trim()); return m && a === +m[1] && b >= +m[2]; });
  if (!ok) { console.error(`setup: Node ${process.version} is not supported: engines.node is "${r}"`); process.exit(1); }'

# npm dependencies: exactly the locked versions; again only when the lock changed.
stamp=node_modules/.pointwatch-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
node -e "require('better-sqlite3')(':memory:').close()" 2>/dev/null || { echo "setup: rebuilding better-sqlite3" >&2; npm rebuild better-sqlite3 --loglevel=error; }
# The compiled CLI: again when any source, build setting or the lock is newer than the last build.
if [ ! -f dist/.built ] || [ -n "$(find src dashboards tsconfig.json tsconfig.build.json package-lock.json -newer dist/.built -not -path 'dashboards/json/*' -print -quit)" ]; then
  echo "setup: npm run build" >&2
  npm run build --silent
fi
echo "setup: ok" >&2
