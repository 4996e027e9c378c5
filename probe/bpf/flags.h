/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel flag values -> the scap encodings of the event table's flag tables (FLAG_TABLE_DATA in
 * src/capture/events/generated.ts). Where the two agree (mode bits, AT_*, MFD_*, MNT_*, module
 * flags, bpf commands, prctl options) the value passes through unchanged and needs no code here.
 */
#pragma once

#include "probe.h"

#define REMAP(in, kbit, pbit) ((in) & (kbit) ? (pbit) : 0)

/* file_flags */
#define PPM_O_RDONLY 1
#define PPM_O_WRONLY 2
#define PPM_O_RDWR 3
#define PPM_O_CREAT 4
#define PPM_O_APPEND 8
#define PPM_O_DSYNC 16
#define PPM_O_EXCL 32
#define PPM_O_NONBLOCK 64
#define PPM_O_SYNC 128
#define PPM_O_TRUNC 256
#define PPM_O_DIRECT 512
#define PPM_O_DIRECTORY 1024
#define PPM_O_LARGEFILE 2048
#define PPM_O_CLOEXEC 4096
#define PPM_O_TMPFILE 8192
#define PPM_O_F_CREATED 16384

static __always_inline __u32 open_flags(__u32 f) {
	__u32 r;
	switch (f & (O_WRONLY | O_RDWR)) {
	case O_WRONLY:
		r = PPM_O_WRONLY;
		break;
	case O_RDWR:
		r = PPM_O_RDWR;
		break;
	default:
		r = PPM_O_RDONLY;
	}
	r |= REMAP(f, O_CREAT, PPM_O_CREAT) | REMAP(f, O_APPEND, PPM_O_APPEND) |
	     REMAP(f, O_DSYNC, PPM_O_DSYNC) | REMAP(f, O_EXCL, PPM_O_EXCL) |
	     REMAP(f, O_NONBLOCK, PPM_O_NONBLOCK) | REMAP(f, O_TRUNC, PPM_O_TRUNC) |
	     REMAP(f, O_DIRECT, PPM_O_DIRECT) | REMAP(f, O_LARGEFILE, PPM_O_LARGEFILE) |
	     REMAP(f, O_CLOEXEC, PPM_O_CLOEXEC);
	/* O_SYNC and O_TMPFILE are multi-bit: all their bits must be set. */
	if ((f & O_SYNC) == O_SYNC)
		r |= PPM_O_SYNC;
	if ((f & O_TMPFILE) == O_TMPFILE)
		r |= PPM_O_TMPFILE;
	else if (f & O_DIRECTORY)
		r |= PPM_O_DIRECTORY;
	return r;
}

/* The mode argument means something only when a file may be created; the scap mode bits are
 * the kernel's. */
static __always_inline __u32 open_mode(__u32 flags, __u32 mode) {
	if (!(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE)
		return 0;
	return mode & 07777;
}

/* openat2_flags (resolve) */
static __always_inline __u32 openat2_resolve(__u64 f) {
	return REMAP(f, 0x08, 1) /* BENEATH */ | REMAP(f, 0x10, 2) /* IN_ROOT */ |
	       REMAP(f, 0x02, 4) /* NO_MAGICLINKS */ | REMAP(f, 0x04, 8) /* NO_SYMLINKS */ |
	       REMAP(f, 0x01, 16) /* NO_XDEV */ | REMAP(f, 0x20, 32) /* CACHED */;
}

/* SOCK_NONBLOCK / SOCK_CLOEXEC (socket type, accept4, also O_* for pipe2/dup3) */
static __always_inline __u32 sock_flags(__u32 f) {
	return REMAP(f, O_NONBLOCK, PPM_O_NONBLOCK) | REMAP(f, O_CLOEXEC, PPM_O_CLOEXEC);
}

static __always_inline __u32 pipe2_flags(__s32 f) {
	if (f < 0)
		return 0;
	return sock_flags(f) | REMAP(f, O_DIRECT, PPM_O_DIRECT);
}

/* socket_families: the scap values are the kernel's for every family the table names. */
static __always_inline __u32 sock_family(__u32 family) {
	return family <= 39 && family != 27 && family != 28 ? family : 0;
}

/* fchownat_flags: AT_SYMLINK_NOFOLLOW moves, AT_EMPTY_PATH stays. */
static __always_inline __u32 fchownat_flags(__u32 f) {
	return REMAP(f, 0x100, 1024) | REMAP(f, 0x1000, 4096);
}

/* clone_flags (also setns / unshare namespace types) */
#define PPM_CL_CHILD_IN_PIDNS (1u << 29)
static __always_inline __u32 clone_flags(__u64 f) {
	return REMAP(f, 0x400, 1) /* FILES */ | REMAP(f, 0x200, 2) /* FS */ |
	       REMAP(f, 0x80000000ull, 4) /* IO */ | REMAP(f, 0x08000000, 8) /* NEWIPC */ |
	       REMAP(f, 0x40000000, 16) /* NEWNET */ | REMAP(f, 0x20000, 32) /* NEWNS */ |
	       REMAP(f, 0x20000000, 64) /* NEWPID */ | REMAP(f, 0x04000000, 128) /* NEWUTS */ |
	       REMAP(f, 0x8000, 256) /* PARENT */ | REMAP(f, 0x100000, 512) /* PARENT_SETTID */ |
	       REMAP(f, 0x2000, 1024) /* PTRACE */ | REMAP(f, 0x800, 2048) /* SIGHAND */ |
	       REMAP(f, 0x40000, 4096) /* SYSVSEM */ | REMAP(f, 0x10000, 8192) /* THREAD */ |
	       REMAP(f, 0x800000, 16384) /* UNTRACED */ | REMAP(f, 0x100, 32768) /* VM */ |
	       REMAP(f, 0x10000000, 1u << 20) /* NEWUSER */ |
	       REMAP(f, 0x200000, 1u << 23) /* CHILD_CLEARTID */ |
	       REMAP(f, 0x1000000, 1u << 24) /* CHILD_SETTID */ |
	       REMAP(f, 0x80000, 1u << 25) /* SETTLS */ | REMAP(f, 0x4000, 1u << 27) /* VFORK */ |
	       REMAP(f, 0x02000000, 1u << 28) /* NEWCGROUP */;
}

/* ptrace_requests: scap numbers them in its own order. */
static __always_inline __u16 ptrace_request(__u64 req) {
	switch (req) {
	case 0: return 1;       /* TRACEME */
	case 1: return 2;       /* PEEKTEXT */
	case 2: return 3;       /* PEEKDATA */
	case 3: return 4;       /* PEEKUSR */
	case 4: return 5;       /* POKETEXT */
	case 5: return 6;       /* POKEDATA */
	case 6: return 7;       /* POKEUSR */
	case 7: return 8;       /* CONT */
	case 8: return 9;       /* KILL */
	case 9: return 10;      /* SINGLESTEP */
	case 12: return 26;     /* GETREGS */
	case 13: return 27;     /* SETREGS */
	case 14: return 28;     /* GETFPREGS */
	case 15: return 29;     /* SETFPREGS */
	case 16: return 11;     /* ATTACH */
	case 17: return 12;     /* DETACH */
	case 18: return 30;     /* GETFPXREGS */
	case 19: return 31;     /* SETFPXREGS */
	case 21: return 32;     /* OLDSETOPTIONS */
	case 24: return 13;     /* SYSCALL */
	case 25: return 33;     /* GET_THREAD_AREA */
	case 26: return 34;     /* SET_THREAD_AREA */
	case 30: return 35;     /* ARCH_PRCTL */
	case 31: return 36;     /* SYSEMU */
	case 32: return 37;     /* SYSEMU_SINGLESTEP */
	case 33: return 38;     /* SINGLEBLOCK */
	case 0x4200: return 14; /* SETOPTIONS */
	case 0x4201: return 15; /* GETEVENTMSG */
	case 0x4202: return 16; /* GETSIGINFO */
	case 0x4203: return 17; /* SETSIGINFO */
	case 0x4204: return 18; /* GETREGSET */
	case 0x4205: return 19; /* SETREGSET */
	case 0x4206: return 20; /* SEIZE */
	case 0x4207: return 21; /* INTERRUPT */
	case 0x4208: return 22; /* LISTEN */
	case 0x4209: return 23; /* PEEKSIGINFO */
	case 0x420a: return 24; /* GETSIGMASK */
	case 0x420b: return 25; /* SETSIGMASK */
	default: return 0;      /* UNKNOWN */
	}
}

/* execve_flags */
#define PPM_EXE_UPPER_LAYER 2
#define PPM_EXE_FROM_MEMFD 4
#define PPM_EXE_LOWER_LAYER 8
