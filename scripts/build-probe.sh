#!/usr/bin/env bash
# Builds the live-capture probe into probe/build/: vmlinux.h from the running kernel's BTF, the
# BPF objects and their skeletons, and the loader (probe/build/saker-probe). Installs the Debian
# toolchain first if it is missing (needs root). Idempotent; a no-op when everything is up to
# date (make decides).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
command -v bpftool >/dev/null 2>&1 || [ -x /usr/sbin/bpftool ] || need+=(bpftool)
for pkg in libbpf-dev libelf-dev zlib1g-dev make; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "build-probe: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -r /sys/kernel/btf/vmlinux ]; then
  echo "build-probe: /sys/kernel/btf/vmlinux is missing: the kernel has no BTF (CONFIG_DEBUG_INFO_BTF)" >&2
  exit 1
fi

PATH="$PATH:/usr/sbin" make -s -C probe "$@"
