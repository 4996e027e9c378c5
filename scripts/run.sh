#!/usr/bin/env bash
# The main job on a fresh machine: install, build (the TypeScript engine and the eBPF probe), and start
# the live agent with its default rules. Needs root (the probe loader is given CAP_BPF and CAP_PERFMON
# only; the engine drops to an unprivileged user once the probe is attached). Extra arguments go to
# `saker run` (e.g. -r RULES, -c CONFIG, -o key=value).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh clang bpftool libbpf-dev libelf-dev zlib1g-dev make
npm run --silent build
bash scripts/build-probe.sh
exec node dist/src/cli/main.js run "$@"
