#!/usr/bin/env bash
# The test command: installs everything the suite needs on a fresh machine (Debian 12, Node 20, root),
# then builds, lints, checks formatting and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh sysdig clang bpftool libbpf-dev libelf-dev zlib1g-dev make netcat-traditional strace rsyslog jq curl openssl
npm test
