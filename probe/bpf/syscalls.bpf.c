// SPDX-License-Identifier: GPL-2.0-only
/*
 * The syscall hook family: one program on raw sys_exit (the dispatcher) and one tail-called
 * handler per syscall with a dedicated event. Exit events carry every parameter (the current
 * versions of the event table), so nothing is needed on sys_enter: the arguments are still in
 * the saved registers at exit.
 *
 * An unselected syscall costs one array lookup. A selected one without a handler becomes a
 * generic event (GENERIC_X: ppm_sc id, syscall number). Successful execve/execveat are reported
 * by sched.bpf.c (the new image's arguments are only readable there); here only failures.
 */
#include "codes.h"
#include "net.h"

#define A0 (regs->di)
#define A1 (regs->si)
#define A2 (regs->dx)
#define A3 (regs->r10)
#define A4 (regs->r8)
#define A5 (regs->r9)

/* fds and dirfds are C ints: sign-extend the register's low half. */
#define FD(x) ((__s64)(__s32)(x))

#define HANDLER(name) \
	SEC("tp_btf/sys_exit") int BPF_PROG(x_##name, struct pt_regs *regs, long ret)

/* Starts the handler's event (returns if the CPU's scratch is unavailable). */
#define BEGIN(name)                         \
	struct scratch *s = EV_BEGIN(name); \
	if (!s)                             \
	return 0

#define SUBMIT()      \
	ev_submit(s); \
	return 0

/* ------------------------------------------------------------------------------------------ */
/* Dispatcher */

struct handlers_map {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SC_MAX);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
};
extern struct handlers_map handlers SEC(".maps");

/* The two syscalls every capture selects (the state engine needs them) and the most frequent:
 * handled in the dispatcher itself, without the tail call (an indirect jump through a retpoline
 * on this kind of CPU). Their handler programs stay in the table and do the same. */
static __always_inline int do_openat(struct pt_regs *regs, long ret, struct task_struct *t);
static __always_inline int do_close(struct pt_regs *regs, long ret, struct task_struct *t);

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret) {
	__u64 nr = regs->orig_ax;
	if (nr >= SC_MAX)
		return 0;
	struct selection *sel = get_selection();
	if (!sel)
		return 0;
	__u16 ppm_sc = sel->sc[nr];
	if (!ppm_sc)
		return 0;
	/* 32-bit syscalls number differently: not captured. */
	struct task_struct *task = bpf_get_current_task_btf();
	if (task->thread_info.status & TS_COMPAT)
		return 0;
	if (self_tgid != 0 && task->tgid == self_tgid) /* is_self(), from the task already held */
		return 0;
	if (nr == __NR_close)
		return do_close(regs, ret, task);
	if (nr == __NR_openat)
		return do_openat(regs, ret, task);
	bpf_tail_call(ctx, &handlers, nr);

	struct scratch *s = ev_begin(SE_generic, SE_generic_N);
	if (!s)
		return 0;
	ev_u16(s, ppm_sc);
	ev_u16(s, nr);
	ev_submit(s);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Files */

/* dev and ino of the file an fd refers to (fd_file); 0 when the syscall failed (as libscap sends
 * them). */
static __always_inline void ev_dev_ino(struct scratch *s, struct file *f) {
	struct inode *i = f ? f->f_inode : NULL;
	ev_u32(s, i ? encode_dev(i->i_sb->s_dev) : 0);
	ev_u64(s, i ? i->i_ino : 0);
}

/* scap flags of an open: the request, plus what happened (created, overlay layer). */
static __always_inline __u32 opened_flags(__u32 kflags, struct file *f) {
	__u32 r = open_flags(kflags);
	if (f && (f->f_mode & FMODE_CREATED))
		r |= PPM_O_F_CREATED;
	enum overlay ol = f ? file_overlay(f) : OVL_NONE;
	if (ol == OVL_UPPER)
		r |= 32768; /* FD_UPPER_LAYER */
	else if (ol == OVL_LOWER)
		r |= 65536; /* FD_LOWER_LAYER */
	return r;
}

HANDLER(open) {
	BEGIN(open);
	struct task_struct *t = bpf_get_current_task_btf();
	struct file *f = fd_file(t, ret);
	ev_s64(s, ret);
	ev_ustr(s, A0);
	ev_u32(s, opened_flags(A1, f));
	ev_u32(s, open_mode(A1, A2));
	ev_dev_ino(s, f);
	SUBMIT();
}

static __always_inline int do_openat(struct pt_regs *regs, long ret, struct task_struct *t) {
	struct scratch *s = EV_BEGIN_T(openat, t);
	if (!s)
		return 0;
	struct file *f = fd_file(t, ret);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_ustr(s, A1);
	ev_u32(s, opened_flags(A2, f));
	ev_u32(s, open_mode(A2, A3));
	ev_dev_ino(s, f);
	SUBMIT();
}

HANDLER(openat) {
	return do_openat(regs, ret, bpf_get_current_task_btf());
}

HANDLER(openat2) {
	BEGIN(openat2);
	struct task_struct *t = bpf_get_current_task_btf();
	struct open_how how = {};
	bpf_probe_read_user(&how, sizeof(how), (void *)A2);
	struct file *f = fd_file(t, ret);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_ustr(s, A1);
	ev_u32(s, opened_flags(how.flags, f));
	ev_u32(s, open_mode(how.flags, how.mode));
	ev_u32(s, openat2_resolve(how.resolve));
	ev_dev_ino(s, f);
	SUBMIT();
}

HANDLER(creat) {
	BEGIN(creat);
	struct task_struct *t = bpf_get_current_task_btf();
	struct file *f = fd_file(t, ret);
	ev_s64(s, ret);
	ev_ustr(s, A0);
	ev_u32(s, open_mode(O_CREAT, A1));
	ev_dev_ino(s, f);
	enum overlay ol = f ? file_overlay(f) : OVL_NONE;
	ev_u16(s, ol == OVL_UPPER ? 1 : ol == OVL_LOWER ? 2 : 0);
	SUBMIT();
}

/* Fixed size: written in place in the ring buffer (event.h, ev_fix_begin). */
static __always_inline int do_close(struct pt_regs *regs, long ret, struct task_struct *t) {
	__u8 *e = ev_fix_begin(SE_close, SE_close_N, FIX_LEN(SE_close_N), (__u32)t->pid);
	if (!e)
		return 0;
	*(__u16 *)&e[HDR_LEN] = 8;
	*(__u16 *)&e[HDR_LEN + 2] = 8;
	*(__s64 *)&e[FIX_PARAM(SE_close_N, 0)] = ret;
	*(__s64 *)&e[FIX_PARAM(SE_close_N, 1)] = FD(A0);
	ev_fix_submit(e);
	return 0;
}

HANDLER(close) {
	return do_close(regs, ret, bpf_get_current_task_btf());
}

HANDLER(dup) {
	BEGIN(dup);
	ev_s64(s, FD(ret));
	ev_s64(s, FD(A0));
	SUBMIT();
}

HANDLER(dup2) {
	BEGIN(dup2);
	ev_s64(s, FD(ret));
	ev_s64(s, FD(A0));
	ev_s64(s, FD(A1));
	SUBMIT();
}

HANDLER(dup3) {
	BEGIN(dup3);
	ev_s64(s, FD(ret));
	ev_s64(s, FD(A0));
	ev_s64(s, FD(A1));
	ev_u32(s, REMAP(A2, O_CLOEXEC, PPM_O_CLOEXEC));
	SUBMIT();
}

static __always_inline void ev_pipe_fds(struct scratch *s, struct task_struct *t,
                                        unsigned long ufds) {
	__s32 fds[2] = {-1, -1};
	bpf_probe_read_user(fds, sizeof(fds), (void *)ufds);
	ev_s64(s, fds[0]);
	ev_s64(s, fds[1]);
	struct file *f = fd_file(t, fds[0]);
	ev_u64(s, f ? BPF_CORE_READ(f, f_inode, i_ino) : 0);
}

HANDLER(pipe) {
	BEGIN(pipe);
	struct task_struct *t = bpf_get_current_task_btf();
	ev_s64(s, ret);
	ev_pipe_fds(s, t, A0);
	SUBMIT();
}

HANDLER(pipe2) {
	BEGIN(pipe2);
	struct task_struct *t = bpf_get_current_task_btf();
	ev_s64(s, ret);
	ev_pipe_fds(s, t, A0);
	ev_u32(s, pipe2_flags(A1));
	SUBMIT();
}

/* res, path */
#define PATH1(name)             \
	HANDLER(name) {         \
		BEGIN(name); \
		ev_s64(s, ret); \
		ev_ustr(s, A0); \
		SUBMIT();       \
	}
PATH1(unlink)
PATH1(rmdir)
PATH1(chdir)

/* res, path, path */
#define PATH2(name)             \
	HANDLER(name) {         \
		BEGIN(name); \
		ev_s64(s, ret); \
		ev_ustr(s, A0); \
		ev_ustr(s, A1); \
		SUBMIT();       \
	}
PATH2(rename)
PATH2(link)
PATH2(symlink)

HANDLER(unlinkat) {
	BEGIN(unlinkat);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_ustr(s, A1);
	ev_u32(s, A2 & 0x200); /* AT_REMOVEDIR */
	SUBMIT();
}

HANDLER(renameat) {
	BEGIN(renameat);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_ustr(s, A1);
	ev_s64(s, FD(A2));
	ev_ustr(s, A3);
	SUBMIT();
}

HANDLER(renameat2) {
	BEGIN(renameat2);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_ustr(s, A1);
	ev_s64(s, FD(A2));
	ev_ustr(s, A3);
	ev_u32(s, A4);
	SUBMIT();
}

HANDLER(mkdir) {
	BEGIN(mkdir);
	ev_s64(s, ret);
	ev_ustr(s, A0);
	ev_u32(s, A1);
	SUBMIT();
}

HANDLER(mkdirat) {
	BEGIN(mkdirat);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_ustr(s, A1);
	ev_u32(s, A2);
	SUBMIT();
}

HANDLER(linkat) {
	BEGIN(linkat);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_ustr(s, A1);
	ev_s64(s, FD(A2));
	ev_ustr(s, A3);
	ev_u32(s, A4 & 0x1400); /* AT_SYMLINK_FOLLOW | AT_EMPTY_PATH */
	SUBMIT();
}

HANDLER(symlinkat) {
	BEGIN(symlinkat);
	ev_s64(s, ret);
	ev_ustr(s, A0);
	ev_s64(s, FD(A1));
	ev_ustr(s, A2);
	SUBMIT();
}

HANDLER(fchdir) {
	BEGIN(fchdir);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	SUBMIT();
}

HANDLER(chmod) {
	BEGIN(chmod);
	ev_s64(s, ret);
	ev_ustr(s, A0);
	ev_u32(s, A1 & 07777);
	SUBMIT();
}

HANDLER(fchmod) {
	BEGIN(fchmod);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_u32(s, A1 & 07777);
	SUBMIT();
}

HANDLER(fchmodat) {
	BEGIN(fchmodat);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_ustr(s, A1);
	ev_u32(s, A2 & 07777);
	SUBMIT();
}

/* res, path, uid, gid */
#define CHOWN(name)             \
	HANDLER(name) {         \
		BEGIN(name); \
		ev_s64(s, ret); \
		ev_ustr(s, A0); \
		ev_u32(s, A1);  \
		ev_u32(s, A2);  \
		SUBMIT();       \
	}
CHOWN(chown)
CHOWN(lchown)

HANDLER(fchown) {
	BEGIN(fchown);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_u32(s, A1);
	ev_u32(s, A2);
	SUBMIT();
}

HANDLER(fchownat) {
	BEGIN(fchownat);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_ustr(s, A1);
	ev_u32(s, A2);
	ev_u32(s, A3);
	ev_u32(s, fchownat_flags(A4));
	SUBMIT();
}

HANDLER(memfd_create) {
	BEGIN(memfd_create);
	ev_s64(s, ret);
	ev_ustr(s, A0);
	ev_u32(s, A1 & 7);
	SUBMIT();
}

HANDLER(mount) {
	BEGIN(mount);
	ev_s64(s, ret);
	ev_ustr(s, A0);
	ev_ustr(s, A1);
	ev_ustr(s, A2);
	ev_u32(s, A3);
	SUBMIT();
}

HANDLER(umount2) {
	BEGIN(umount2);
	ev_s64(s, ret);
	ev_ustr(s, A0);
	ev_u32(s, A1 & 0xf);
	SUBMIT();
}

/* ------------------------------------------------------------------------------------------ */
/* Network */

HANDLER(socket) {
	BEGIN(socket);
	ev_s64(s, ret);
	ev_u32(s, sock_family(A0));
	ev_u32(s, A1);
	ev_u32(s, A2);
	ev_u32(s, sock_flags(A1));
	SUBMIT();
}

HANDLER(connect) {
	BEGIN(connect);
	struct task_struct *t = bpf_get_current_task_btf();
	ev_s64(s, ret);
	if (ret == 0 || ret == -EINPROGRESS)
		ev_socktuple(s, t, FD(A0), OUTBOUND, A1);
	else
		ev_empty(s);
	ev_s64(s, FD(A0));
	ev_sockaddr(s, A1, A2);
	SUBMIT();
}

HANDLER(bind) {
	BEGIN(bind);
	ev_s64(s, ret);
	ev_sockaddr(s, A1, A2);
	ev_s64(s, FD(A0));
	SUBMIT();
}

HANDLER(listen) {
	BEGIN(listen);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_u32(s, A1);
	SUBMIT();
}

/* fd, tuple, queuepct, queuelen, queuemax: the queue of the listening socket after accepting. */
static __always_inline void ev_accepted(struct scratch *s, struct task_struct *t, long ret,
                                        __s64 lfd) {
	ev_s64(s, ret);
	if (ret >= 0)
		ev_socktuple(s, t, ret, INBOUND, 0);
	else
		ev_empty(s);
	struct sock *lsk = fd_sock(t, lfd);
	__u32 qlen = lsk ? BPF_CORE_READ(lsk, sk_ack_backlog) : 0;
	__u32 qmax = lsk ? BPF_CORE_READ(lsk, sk_max_ack_backlog) : 0;
	ev_u8(s, qmax ? (qlen * 100) / qmax : 0);
	ev_u32(s, qlen);
	ev_u32(s, qmax);
}

HANDLER(accept) {
	BEGIN(accept);
	struct task_struct *t = bpf_get_current_task_btf();
	ev_accepted(s, t, ret, FD(A0));
	SUBMIT();
}

HANDLER(accept4) {
	BEGIN(accept4);
	struct task_struct *t = bpf_get_current_task_btf();
	ev_accepted(s, t, ret, FD(A0));
	ev_u32(s, sock_flags(A3));
	SUBMIT();
}

/* The first bytes of an I/O buffer: what was transferred, at most snaplen. */
static __always_inline void ev_iobuf(struct scratch *s, unsigned long buf, long ret) {
	__u32 n = ret > 0 ? (ret < snaplen ? ret : snaplen) : 0;
	ev_ubytes(s, buf, n, 4096);
}

HANDLER(sendto) {
	BEGIN(sendto);
	struct task_struct *t = bpf_get_current_task_btf();
	ev_s64(s, ret);
	ev_iobuf(s, A1, ret);
	ev_s64(s, FD(A0));
	ev_u32(s, A2);
	if (ret >= 0)
		ev_socktuple(s, t, FD(A0), OUTBOUND, A4);
	else
		ev_empty(s);
	SUBMIT();
}

HANDLER(recvfrom) {
	BEGIN(recvfrom);
	struct task_struct *t = bpf_get_current_task_btf();
	ev_s64(s, ret);
	ev_iobuf(s, A1, ret);
	if (ret >= 0)
		ev_socktuple(s, t, FD(A0), INBOUND, A4);
	else
		ev_empty(s);
	ev_s64(s, FD(A0));
	ev_u32(s, A2);
	SUBMIT();
}

/* ------------------------------------------------------------------------------------------ */
/* Processes, credentials, namespaces, modules */

/* execve / execveat that failed (successes come from sched_process_exec). One program for both:
 * the syscall number tells them apart. */
SEC("tp_btf/sys_exit")
int BPF_PROG(x_exec, struct pt_regs *regs, long ret) {
	if (ret == 0)
		return 0;
	bool at = regs->orig_ax == __NR_execveat;
	struct scratch *s = at ? EV_BEGIN(execveat) : EV_BEGIN(execve);
	if (!s)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	ev_s64(s, ret);
	ev_argv(s, at ? A2 : A1);
	ev_proc_info(s, t);
	ev_exec_tail(s, t, false);
	if (!at)
		ev_ustr(s, A0);
	ev_submit(s);
	return 0;
}

static __always_inline struct pid_namespace *task_pid_ns(struct task_struct *t) {
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	__u32 level = BPF_CORE_READ(pid, level);
	struct upid up = {};
	bpf_probe_read_kernel(&up, sizeof(up),
	                      (void *)pid + bpf_core_field_offset(struct pid, numbers) +
	                              (level & 63) * bpf_core_type_size(struct upid));
	return up.ns;
}

/* The clone family's exit, in the parent (ret = child tid) and in the child (ret = 0). One
 * program for clone, clone3, fork and vfork: the syscall number tells them apart. */
SEC("tp_btf/sys_exit")
int BPF_PROG(x_clone, struct pt_regs *regs, long ret) {
	__u64 nr = regs->orig_ax;
	__u16 code;
	__u64 kflags = 0;
	if (nr == __NR_clone) {
		code = SE_clone;
		kflags = A0;
	} else if (nr == __NR_clone3) {
		code = SE_clone3;
		bpf_probe_read_user(&kflags, sizeof(kflags), (void *)A0); /* clone_args.flags */
	} else if (nr == __NR_fork) {
		code = SE_fork;
	} else {
		code = SE_vfork;
		kflags = 0x4000 | 0x100; /* CLONE_VFORK | CLONE_VM */
	}
	struct scratch *s = ev_begin(code, SE_clone_N);
	if (!s)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	ev_s64(s, ret);
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	if (mm) {
		ev_exe_args_mm(s, mm);
	} else {
		ev_empty(s);
		ev_empty(s);
	}
	ev_proc_info(s, t);
	__u32 level = task_ns_level(t);
	struct pid_namespace *ns = task_pid_ns(t);
	__u32 flags = clone_flags(kflags);
	if (level != 0 || BPF_CORE_READ(t, nsproxy, pid_ns_for_children) != ns)
		flags |= PPM_CL_CHILD_IN_PIDNS;
	ev_u32(s, flags);
	ev_u32(s, BPF_CORE_READ(t, cred, euid.val));
	ev_u32(s, BPF_CORE_READ(t, cred, egid.val));
	ev_s64(s, pid_nr_at(BPF_CORE_READ(t, thread_pid), level));
	ev_s64(s, pid_nr_at(BPF_CORE_READ(t, group_leader, thread_pid), level));
	ev_u64(s, ret == 0 ? BPF_CORE_READ(ns, child_reaper, start_time) : 0);
	ev_submit(s);
	return 0;
}

/* res, id */
#define ID1(name)               \
	HANDLER(name) {         \
		BEGIN(name); \
		ev_s64(s, ret); \
		ev_u32(s, A0);  \
		SUBMIT();       \
	}
/* res, id, id */
#define ID2(name)               \
	HANDLER(name) {         \
		BEGIN(name); \
		ev_s64(s, ret); \
		ev_u32(s, A0);  \
		ev_u32(s, A1);  \
		SUBMIT();       \
	}
/* res, id, id, id */
#define ID3(name)               \
	HANDLER(name) {         \
		BEGIN(name); \
		ev_s64(s, ret); \
		ev_u32(s, A0);  \
		ev_u32(s, A1);  \
		ev_u32(s, A2);  \
		SUBMIT();       \
	}
ID1(setuid)
ID1(setgid)
ID2(setreuid)
ID2(setregid)
ID3(setresuid)
ID3(setresgid)

/* ptrace addr and data are PT_DYN: a type index byte (0: u64, 1: signal), then the value. */
static __always_inline void ev_dyn_u64(struct scratch *s, __u64 v) {
	put_u8(s, 0);
	put_u64(s, v);
	ev_len(s, 9);
}

HANDLER(ptrace) {
	BEGIN(ptrace);
	__u16 req = ptrace_request(A0);
	ev_s64(s, ret);
	ev_dyn_u64(s, A2);
	if (ret >= 0 && req >= 2 && req <= 4) { /* PEEK*: the word read was stored at data */
		__u64 word = 0;
		bpf_probe_read_user(&word, sizeof(word), (void *)A3);
		ev_dyn_u64(s, word);
	} else if (req == 8 || req == 10 || req == 12 || req == 13 || req >= 36) {
		put_u8(s, 1); /* CONT, SINGLESTEP, DETACH, SYSCALL, SYSEMU*, SINGLEBLOCK: a signal */
		put_u8(s, A3);
		ev_len(s, 2);
	} else {
		ev_dyn_u64(s, A3);
	}
	ev_u16(s, req);
	ev_s64(s, FD(A1));
	SUBMIT();
}

HANDLER(prctl) {
	BEGIN(prctl);
	ev_s64(s, ret);
	ev_u32(s, A0);
	if (A0 == 15 || A0 == 16) { /* PR_SET_NAME / PR_GET_NAME */
		ev_ustr(s, A1);
		ev_s64(s, 0);
	} else if (A0 == 37) { /* PR_GET_CHILD_SUBREAPER: the value stored */
		__s32 v = 0;
		bpf_probe_read_user(&v, sizeof(v), (void *)A1);
		ev_empty(s);
		ev_s64(s, v);
	} else {
		ev_empty(s);
		ev_s64(s, A1);
	}
	SUBMIT();
}

HANDLER(setns) {
	BEGIN(setns);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_u32(s, clone_flags(A1));
	SUBMIT();
}

HANDLER(unshare) {
	BEGIN(unshare);
	ev_s64(s, ret);
	ev_u32(s, clone_flags(A0));
	SUBMIT();
}

HANDLER(bpf) {
	BEGIN(bpf);
	ev_s64(s, ret);
	ev_u32(s, A0);
	SUBMIT();
}

HANDLER(init_module) {
	BEGIN(init_module);
	ev_s64(s, ret);
	ev_ubytes(s, A0, A1 < snaplen ? A1 : snaplen, 4096);
	ev_u64(s, A1);
	ev_ustr(s, A2);
	SUBMIT();
}

HANDLER(finit_module) {
	BEGIN(finit_module);
	ev_s64(s, ret);
	ev_s64(s, FD(A0));
	ev_ustr(s, A1);
	ev_u32(s, A2 & 7);
	SUBMIT();
}

/* ------------------------------------------------------------------------------------------ */

#define H(name) [__NR_##name] = (void *)&x_##name
/* Syscalls sharing a program with others of their family. */
#define HS(name, prog) [__NR_##name] = (void *)&x_##prog
struct handlers_map handlers SEC(".maps") = {
	.values =
		{
			H(open),      H(openat),    H(openat2),  H(creat),     H(close),
			H(dup),       H(dup2),      H(dup3),     H(pipe),      H(pipe2),
			H(unlink),    H(unlinkat),  H(rename),   H(renameat),  H(renameat2),
			H(mkdir),     H(mkdirat),   H(rmdir),    H(link),      H(linkat),
			H(symlink),   H(symlinkat), H(chdir),    H(fchdir),    H(chmod),
			H(fchmod),    H(fchmodat),  H(chown),    H(lchown),    H(fchown),
			H(fchownat),  H(memfd_create), H(mount),  H(umount2),  H(socket),
			H(connect),   H(bind),      H(listen),   H(accept),    H(accept4),
			H(sendto),    H(recvfrom),  HS(execve, exec), HS(execveat, exec), HS(clone, clone),
			HS(clone3, clone), HS(fork, clone), HS(vfork, clone),    H(setuid),    H(setgid),
			H(setreuid),  H(setregid),  H(setresuid), H(setresgid), H(ptrace),
			H(prctl),     H(setns),     H(unshare),  H(bpf),       H(init_module),
			H(finit_module),
		},
};
