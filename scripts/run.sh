#!/usr/bin/env bash
# The main job on a fresh machine: install, build, and start the agent with its default rules.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
npm run --silent build
exec node dist/src/cli/main.js run "$@"
