/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building one scap event in the CPU's scratch slot, then copying it to the ring buffer.
 *
 * Layout (libscap's, little-endian, packed):
 *
 *   0  u64 ts        ns since the epoch
 *   8  u64 tid       thread id (init namespace)
 *  16  u32 len       whole event, header included
 *  20  u16 type      event code (codes.h)
 *  22  u32 nparams
 *  26  u16 len[nparams]
 *      params, back to back
 *
 * Every parameter is pushed in table order: its bytes at `pos`, its length in the next slot of
 * the length array. A value the probe cannot read is pushed empty (length 0), as the modern probe
 * does. Offsets are masked with EV_MASK so the verifier can bound every write; an event that grows
 * past EV_MAX is dropped at submit time (the masked writes stayed inside the scratch slot).
 * Events made only of fixed-size values skip the scratch slot (ev_fix_begin, below).
 */
#pragma once

#include "probe.h"

#define HDR_LEN 26

/* Stores at a variable offset of the scratch slot. Written as plain casts, clang (not knowing the
 * offset's alignment) splits them into byte stores, 8 instructions for a u64; the BPF store
 * instruction itself has no alignment requirement on x86_64 (the verifier checks alignment only
 * in strict mode), so one store of the full width is emitted here. */
#define ST_N(width, p, v) \
	asm volatile("*(" #width " *)(%[ptr] + 0) = %[val]" ::[ptr] "r"(p), [val] "r"(v) : "memory")
static __always_inline void st_u16(void *p, __u16 v) {
	ST_N(u16, p, v);
}
static __always_inline void st_u32(void *p, __u32 v) {
	ST_N(u32, p, v);
}
static __always_inline void st_u64(void *p, __u64 v) {
	ST_N(u64, p, v);
}

static __always_inline struct scratch *ev_begin_tid(__u16 type, __u32 nparams, __u64 tid) {
	__u32 cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch, &cpu);
	if (!s)
		return NULL;
	__u64 now = bpf_ktime_get_boot_ns();
	if (s->busy && now - s->busy < 1000000) {
		count(CNT_DROP_BUSY);
		return NULL;
	}
	s->busy = now;
	*(__u64 *)&s->data[0] = now + boot_offset;
	*(__u64 *)&s->data[8] = tid;
	*(__u16 *)&s->data[20] = type;
	*(__u32 *)&s->data[22] = nparams;
	s->lpos = HDR_LEN;
	s->pos = HDR_LEN + 2 * nparams;
	return s;
}

static __always_inline struct scratch *ev_begin(__u16 type, __u32 nparams) {
	return ev_begin_tid(type, nparams, bpf_get_current_pid_tgid() & 0xffffffff);
}

/* The same for a handler that already holds the current task (a BTF pointer): its pid is the
 * tid bpf_get_current_pid_tgid() would return, without the helper call. */
#define EV_BEGIN_T(name, t) ev_begin_tid(SE_##name, SE_##name##_N, (__u32)(t)->pid)

/* Begin the exit event of syscall `name` (codes.h: SE_name and its parameter count SE_name_N). */
#define EV_BEGIN(name) ev_begin(SE_##name, SE_##name##_N)

static __always_inline void ev_len(struct scratch *s, __u32 len) {
	st_u16(&s->data[s->lpos & EV_MASK], len);
	s->lpos += 2;
}

static __always_inline void ev_empty(struct scratch *s) {
	ev_len(s, 0);
}

static __always_inline void ev_u8(struct scratch *s, __u8 v) {
	s->data[s->pos & EV_MASK] = v;
	s->pos += 1;
	ev_len(s, 1);
}

static __always_inline void ev_u16(struct scratch *s, __u16 v) {
	st_u16(&s->data[s->pos & EV_MASK], v);
	s->pos += 2;
	ev_len(s, 2);
}

static __always_inline void ev_u32(struct scratch *s, __u32 v) {
	st_u32(&s->data[s->pos & EV_MASK], v);
	s->pos += 4;
	ev_len(s, 4);
}

static __always_inline void ev_u64(struct scratch *s, __u64 v) {
	st_u64(&s->data[s->pos & EV_MASK], v);
	s->pos += 8;
	ev_len(s, 8);
}

/* Signed values (fds, errnos, pids) travel as 64-bit two's complement. */
static __always_inline void ev_s64(struct scratch *s, __s64 v) {
	ev_u64(s, (__u64)v);
}

/* A NUL-terminated string from user (user=true) or kernel memory, at most `max` bytes with the
 * NUL; empty if the pointer is NULL or unreadable. Returns the bytes written. */
static __always_inline __u32 ev_str_raw(struct scratch *s, const void *p, __u32 max, bool user) {
	if (!p)
		return 0;
	long n = user ? bpf_probe_read_user_str(&s->data[s->pos & EV_MASK], max, p)
	              : bpf_probe_read_kernel_str(&s->data[s->pos & EV_MASK], max, p);
	if (n <= 0)
		return 0;
	s->pos += n;
	return n;
}

static __always_inline void ev_ustr(struct scratch *s, unsigned long p) {
	ev_len(s, ev_str_raw(s, (const void *)p, PATH_MAX_LEN, true));
}

static __always_inline void ev_kstr(struct scratch *s, const void *p, __u32 max) {
	ev_len(s, ev_str_raw(s, p, max, false));
}

/* `len` bytes (capped at `max`, a constant) from user memory; empty if unreadable. */
static __always_inline __u32 ev_ubytes_raw(struct scratch *s, unsigned long p, __u64 len,
                                           __u32 max) {
	if (!p || len == 0)
		return 0;
	if (len > max)
		len = max;
	__u32 n = len;
	barrier_var(n); /* keep the mask below: it bounds the helper's size argument */
	n &= EV_MAX - 1;
	if (n == 0 || bpf_probe_read_user(&s->data[s->pos & EV_MASK], n, (const void *)p))
		return 0;
	s->pos += n;
	return n;
}

static __always_inline void ev_ubytes(struct scratch *s, unsigned long p, __u64 len, __u32 max) {
	ev_len(s, ev_ubytes_raw(s, p, len, max));
}

static __always_inline void ev_abort(struct scratch *s) {
	s->busy = 0;
}

/* Events whose parameters are all fixed-size values (FIX_LEN(n) bytes for n 8-byte parameters) are
 * written straight into a ring-buffer reservation: no scratch slot, no copy. The header and
 * lengths are the same as above; parameters sit at FIX_PARAM(nparams, i). */
#define FIX_LEN(nparams) (HDR_LEN + 2 * (nparams) + 8 * (nparams))
#define FIX_PARAM(nparams, i) (HDR_LEN + 2 * (nparams) + 8 * (i))

static __always_inline __u8 *ev_fix_begin(__u16 type, __u32 nparams, __u32 len, __u64 tid) {
	__u8 *e = bpf_ringbuf_reserve(&events, len, 0);
	if (!e) {
		count(CNT_DROP_FULL);
		return NULL;
	}
	*(__u64 *)&e[0] = bpf_ktime_get_boot_ns() + boot_offset;
	*(__u64 *)&e[8] = tid;
	*(__u32 *)&e[16] = len;
	*(__u16 *)&e[20] = type;
	*(__u32 *)&e[22] = nparams;
	return e;
}

static __always_inline void ev_fix_submit(__u8 *e) {
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	count(CNT_SENT);
}

/* Finish the header and copy the event to the ring buffer (no wake-up: the loader drains on a
 * timer). */
static __always_inline void ev_submit(struct scratch *s) {
	__u32 len = s->pos;
	if (len > EV_MAX) {
		count(CNT_DROP_TOO_BIG);
	} else {
		*(__u32 *)&s->data[16] = len;
		/* Restate the bound on the register passed to the helper (clang may test a copy). */
		barrier_var(len);
		len &= SCRATCH_SIZE - 1;
		if (bpf_ringbuf_output(&events, s->data, len, BPF_RB_NO_WAKEUP))
			count(CNT_DROP_FULL);
		else
			count(CNT_SENT);
	}
	s->busy = 0;
}
