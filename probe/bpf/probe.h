/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by every Saker BPF object: kernel types (vmlinux.h, CO-RE), libbpf helpers, the uapi
 * constants BTF does not carry (x86_64 values), the maps every object uses and the settings the
 * loader fills before load.
 *
 * Each object defines its own copy of the maps below; the loader creates them once (with the
 * syscalls object) and hands the same fds to the other objects (bpf_map__reuse_fd), as Tetragon
 * shares its maps between programs loaded one object at a time.
 */
#pragma once

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* Syscall numbers of the architecture (the uapi header of the build machine). */
#include <asm/unistd.h>

/* ------------------------------------------------------------------------------------------ */
/* Sizes */

/* Syscall numbers covered by the selection table (x86_64 tops out below 470). */
#define SC_MAX 512
/* Largest event sent (header + lengths + params), as in libscap: 64 KiB. */
#define EV_MAX 65536
#define EV_MASK (EV_MAX - 1)
/* Scratch per CPU: one event, the largest single write past its end, and a temporary area. */
#define SCRATCH_SIZE (2 * EV_MAX)
#define TMP_OFF (EV_MAX + EV_MAX / 2)
/* Paths and strings read from the syscall's arguments. */
#define PATH_MAX_LEN 4096
/* Bytes of argv / envp kept per process. */
#define ARGS_MAX_LEN 4096
/* Directory levels walked when rebuilding a path from dentries or kernfs nodes. */
#define PATH_DEPTH 32
#define NAME_LEN 256

/* ------------------------------------------------------------------------------------------ */
/* uapi constants (not in BTF) */

#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define O_DIRECT 00040000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_CLOEXEC 02000000
#define O_SYNC 04010000
#define O_TMPFILE 020200000
#define FMODE_CREATED 0x100000

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define EINPROGRESS 115

#define S_IFMT 00170000
#define S_IFSOCK 0140000

#define PF_KTHREAD 0x00200000
#define TS_COMPAT 0x0002
#define RLIMIT_NOFILE 7
#define PAGE_SHIFT 12

/* ------------------------------------------------------------------------------------------ */
/* Settings: fixed at load time by the loader (read-only data, folded by the verifier). */

/* Realtime minus boot time, ns: added to bpf_ktime_get_boot_ns() to get epoch timestamps. */
const volatile __u64 boot_offset = 0;
/* Events of this process (the loader) are not captured; 0 disables the filter. */
const volatile __u32 self_tgid = 0;
/* Bytes of I/O buffers kept by sendto/recvfrom. */
const volatile __u32 snaplen = 80;

/* ------------------------------------------------------------------------------------------ */
/* Maps */

/* Selection, changed at run time by the loader: for each syscall number 0 (off) or the ppm_sc
 * code to report for it; tracepoint switches in `tp`. */
#define TP_PROCEXIT 1
struct selection {
	__u16 sc[SC_MAX];
	__u32 tp;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct selection);
} selection SEC(".maps");

/* The stream to user space. Its size is set by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

/* Where an event is built before it is copied to the ring buffer: one slot per CPU (a per-CPU
 * array cannot hold values this large). `busy` (the boot time the slot was taken, 0 when free)
 * guards against a second program on the same CPU (tracepoint programs can be preempted) reusing a
 * half-built event; a slot held for over a millisecond is taken over, so a missed release cannot
 * silence a CPU. */
struct scratch {
	__u8 data[SCRATCH_SIZE] __attribute__((aligned(8)));
	__u32 pos;  /* next parameter byte */
	__u32 lpos; /* next slot of the length array */
	__u64 busy;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* set to the number of possible CPUs by the loader */
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* Per-CPU counters, read and summed by the loader. */
enum counter {
	CNT_SENT = 0,     /* events written to the ring buffer */
	CNT_DROP_FULL,    /* ring buffer full */
	CNT_DROP_TOO_BIG, /* event over EV_MAX */
	CNT_DROP_BUSY,    /* scratch of this CPU in use by a preempted program */
	CNT_MAX,
};

struct counters {
	__u64 n[CNT_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counters);
} counters SEC(".maps");

static __always_inline void count(enum counter c) {
	__u32 zero = 0;
	struct counters *cs = bpf_map_lookup_elem(&counters, &zero);
	if (cs && c < CNT_MAX)
		cs->n[c]++;
}

static __always_inline struct selection *get_selection(void) {
	__u32 zero = 0;
	return bpf_map_lookup_elem(&selection, &zero);
}

/* True for events the loader asked not to see (its own). */
static __always_inline bool is_self(void) {
	return self_tgid != 0 && (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

char LICENSE[] SEC("license") = "GPL";
