#!/usr/bin/env bash
# Installs what Saker needs: npm packages (from the lock file), and the Debian packages the tests and
# the agent use. Idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
for pkg in "$@"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
