/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Socket parameters in their scap encodings (ports in host order, addresses in network order):
 *
 *   PT_SOCKADDR   family u8, then  INET: addr[4] port u16 | INET6: addr[16] port u16 |
 *                                   UNIX: path\0
 *   PT_SOCKTUPLE  family u8, then  INET: src[4] sport dst[4] dport | INET6: the same with [16] |
 *                                   UNIX: u64 src, u64 dst (kernel socket addresses), path\0
 *
 * A sockaddr comes from the caller's memory; a tuple from the kernel socket behind the fd, with
 * the caller's address as a fallback for unconnected (UDP) sockets.
 */
#pragma once

#include "task.h"

#define UNIX_PATH_LEN 108

enum direction { OUTBOUND, INBOUND };

static __always_inline void put_u8(struct scratch *s, __u8 v) {
	s->data[s->pos & EV_MASK] = v;
	s->pos += 1;
}
static __always_inline void put_u16(struct scratch *s, __u16 v) {
	st_u16(&s->data[s->pos & EV_MASK], v);
	s->pos += 2;
}
static __always_inline void put_u32(struct scratch *s, __u32 v) {
	st_u32(&s->data[s->pos & EV_MASK], v);
	s->pos += 4;
}
static __always_inline void put_u64(struct scratch *s, __u64 v) {
	st_u64(&s->data[s->pos & EV_MASK], v);
	s->pos += 8;
}
static __always_inline void put_16(struct scratch *s, const void *addr16) {
	__builtin_memcpy(&s->data[s->pos & EV_MASK], addr16, 16);
	s->pos += 16;
}

/* A unix socket path: abstract names (leading NUL) lose that NUL, as in libscap. */
static __always_inline void put_unix_path(struct scratch *s, const char *path, bool user) {
	char c = 0;
	if (!path) {
		put_u8(s, 0);
		return;
	}
	if (user)
		bpf_probe_read_user(&c, 1, path);
	else
		bpf_probe_read_kernel(&c, 1, path);
	if (c == 0)
		path++;
	if (!ev_str_raw(s, path, UNIX_PATH_LEN, user))
		put_u8(s, 0);
}

/* PT_SOCKADDR from a user pointer and its length. */
static __always_inline void ev_sockaddr(struct scratch *s, unsigned long uaddr, __u32 addrlen) {
	__u32 start = s->pos;
	__u16 family = 0;
	if (!uaddr || addrlen < 2 || bpf_probe_read_user(&family, 2, (void *)uaddr)) {
		ev_empty(s);
		return;
	}
	if (family == AF_INET) {
		struct sockaddr_in in = {};
		bpf_probe_read_user(&in, sizeof(in), (void *)uaddr);
		put_u8(s, AF_INET);
		put_u32(s, in.sin_addr.s_addr);
		put_u16(s, bpf_ntohs(in.sin_port));
	} else if (family == AF_INET6) {
		struct sockaddr_in6 in6 = {};
		bpf_probe_read_user(&in6, sizeof(in6), (void *)uaddr);
		put_u8(s, AF_INET6);
		put_16(s, &in6.sin6_addr);
		put_u16(s, bpf_ntohs(in6.sin6_port));
	} else if (family == AF_UNIX) {
		put_u8(s, AF_UNIX);
		put_unix_path(s, (const char *)uaddr + 2, true);
	} else {
		ev_empty(s);
		return;
	}
	ev_len(s, s->pos - start);
}

/* The socket behind an fd of the current task, or NULL. */
static __always_inline struct sock *fd_sock(struct task_struct *t, __s64 fd) {
	struct file *f = fd_file(t, fd);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

/* PT_SOCKTUPLE of the socket behind `fd`. `uaddr` (may be 0) is the peer address the caller
 * passed (sendto, connect) or received (recvfrom). */
static __always_inline void ev_socktuple(struct scratch *s, struct task_struct *t, __s64 fd,
                                         enum direction dir, unsigned long uaddr) {
	__u32 start = s->pos;
	struct sock *sk = fd_sock(t, fd);
	if (!sk) {
		ev_empty(s);
		return;
	}
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family == AF_INET) {
		struct inet_sock *inet = (void *)sk;
		__u32 laddr = BPF_CORE_READ(inet, inet_saddr);
		__u16 lport = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
		__u32 raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (rport == 0 && uaddr) {
			struct sockaddr_in in = {};
			bpf_probe_read_user(&in, sizeof(in), (void *)uaddr);
			raddr = in.sin_addr.s_addr;
			rport = bpf_ntohs(in.sin_port);
		}
		put_u8(s, AF_INET);
		put_u32(s, dir == OUTBOUND ? laddr : raddr);
		put_u16(s, dir == OUTBOUND ? lport : rport);
		put_u32(s, dir == OUTBOUND ? raddr : laddr);
		put_u16(s, dir == OUTBOUND ? rport : lport);
	} else if (family == AF_INET6) {
		struct inet_sock *inet = (void *)sk;
		struct in6_addr laddr = BPF_CORE_READ(inet, pinet6, saddr);
		struct in6_addr raddr = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);
		__u16 lport = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
		__u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (rport == 0 && uaddr) {
			struct sockaddr_in6 in6 = {};
			bpf_probe_read_user(&in6, sizeof(in6), (void *)uaddr);
			raddr = in6.sin6_addr;
			rport = bpf_ntohs(in6.sin6_port);
		}
		put_u8(s, AF_INET6);
		put_16(s, dir == OUTBOUND ? &laddr : &raddr);
		put_u16(s, dir == OUTBOUND ? lport : rport);
		put_16(s, dir == OUTBOUND ? &raddr : &laddr);
		put_u16(s, dir == OUTBOUND ? rport : lport);
	} else if (family == AF_UNIX) {
		struct unix_sock *us = (void *)sk;
		struct unix_sock *peer = (void *)BPF_CORE_READ(us, peer);
		put_u8(s, AF_UNIX);
		if (dir == OUTBOUND) {
			put_u64(s, (__u64)peer);
			put_u64(s, (__u64)us);
			if (!peer && uaddr) {
				put_unix_path(s, (const char *)uaddr + 2, true);
			} else {
				struct unix_address *a = BPF_CORE_READ(peer, addr);
				put_unix_path(s, a ? (const char *)&a->name[0].sun_path : NULL, false);
			}
		} else {
			put_u64(s, (__u64)us);
			put_u64(s, (__u64)peer);
			struct unix_address *a = BPF_CORE_READ(us, addr);
			put_unix_path(s, a ? (const char *)&a->name[0].sun_path : NULL, false);
		}
	} else {
		ev_empty(s);
		return;
	}
	ev_len(s, s->pos - start);
}
