// SPDX-License-Identifier: GPL-2.0-only
/*
 * attach: the programs of the attachment benchmark (bench/live.ts), not part of the probe. It asks
 * what it costs a syscall that no rule needs, and one that is selected, to reach (or not reach) a
 * BPF program, depending on how programs are attached:
 *
 *   raw_empty     tp_btf sys_exit, returns at once: the floor of any raw sys_exit design
 *   raw_select    tp_btf sys_exit, the probe's dispatcher prologue: syscall number -> selection map
 *                 lookup, return when unselected, else the "work" below
 *   tp_openat,    classic syscall tracepoints (syscalls/sys_exit_<name>), attached only for the
 *   tp_close      selected syscalls, each doing the same "work"
 *
 * The "work" of a selected syscall is a per-CPU counter increment, so both designs do the same
 * thing once the syscall is known to be wanted: what differs is only how it got there.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define SC_MAX 512

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SC_MAX);
	__type(key, __u32);
	__type(value, __u8);
} wanted SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline int work(void) {
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&hits, &zero);
	if (n)
		*n += 1;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(raw_empty, struct pt_regs *regs, long ret) {
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(raw_select, struct pt_regs *regs, long ret) {
	__u32 nr = regs->orig_ax;
	if (nr >= SC_MAX)
		return 0;
	__u8 *on = bpf_map_lookup_elem(&wanted, &nr);
	if (!on || !*on)
		return 0;
	return work();
}

SEC("tracepoint/syscalls/sys_exit_openat")
int tp_openat(void *ctx) {
	return work();
}

SEC("tracepoint/syscalls/sys_exit_close")
int tp_close(void *ctx) {
	return work();
}

char LICENSE[] SEC("license") = "GPL";
