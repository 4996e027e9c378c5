/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the probe reads about the current task: pids in the init and the task's own namespace,
 * credentials, tty, argv/envp, paths rebuilt from dentries, cgroup paths, files behind fds.
 * Pointers are walked with BPF_CORE_READ (fault-safe reads relocated to the running kernel's
 * layout), or, on the hot open/close path (fd_file, file_overlay), with direct CO-RE loads through
 * BTF pointers; the few layouts that changed name across kernels have a ___flavor below.
 */
#pragma once

#include "event.h"
#include "flags.h"

/* kernfs_node.parent was renamed __parent in 6.15. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

/* Before 6.2 mm->rss_stat was a struct of atomics. */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

/* ------------------------------------------------------------------------------------------ */
/* Pids */

/* The number of `pid` as seen from namespace level `level` (0 = the initial namespace). */
static __always_inline __s32 pid_nr_at(struct pid *pid, __u32 level) {
	if (!pid || level > BPF_CORE_READ(pid, level))
		return 0;
	struct upid up = {};
	bpf_probe_read_kernel(&up, sizeof(up),
	                      (void *)pid + bpf_core_field_offset(struct pid, numbers) +
	                              (level & 63) * bpf_core_type_size(struct upid));
	return up.nr;
}

static __always_inline __u32 task_ns_level(struct task_struct *t) {
	return BPF_CORE_READ(t, thread_pid, level);
}

static __always_inline __s32 task_pgid_at(struct task_struct *t, __u32 level) {
	return pid_nr_at(BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]), level);
}

/* ------------------------------------------------------------------------------------------ */
/* Files */

static __always_inline __u32 encode_dev(__u32 dev) {
	__u32 major = dev >> 20, minor = dev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* Turns a kernel address read as a plain value into a read-only BTF pointer of the given type:
 * its fields can then be loaded directly (fault-safe loads the JIT emits inline) instead of one
 * bpf_probe_read_kernel call per field. The verifier rewrites the call into a register move. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define RDONLY_CAST(type, p) ((type *)bpf_rdonly_cast((const void *)(p), bpf_core_type_id_kernel(type)))

/* The file behind `fd` in `t` (a BTF pointer), or NULL. Walked with direct loads. The fd array is
 * a pointer to pointers, which the verifier cannot index; its slot is read through a cast to a
 * struct whose only member is a pointer at offset 0 (llist_node), as fault-safely as the rest. */
static __always_inline struct file *fd_file(struct task_struct *t, __s64 fd) {
	if (fd < 0)
		return NULL;
	struct files_struct *files = t->files;
	if (!files)
		return NULL;
	struct fdtable *fdt = files->fdt;
	if (!fdt || fd >= fdt->max_fds)
		return NULL;
	struct file **fds = fdt->fd;
	struct file *f = (void *)RDONLY_CAST(struct llist_node, &fds[fd & 0xfffffff])->next;
	if (!f)
		return NULL;
	return RDONLY_CAST(struct file, f);
}

#define OVERLAYFS_SUPER_MAGIC 0x794c7630
enum overlay { OVL_NONE = 0, OVL_UPPER, OVL_LOWER };

/* overlayfs keeps the upper dentry right after the VFS inode in its own inode. `f` is a BTF
 * pointer or a plain address; the superblock's magic is tested before anything overlay-specific is read. */
static __always_inline enum overlay file_overlay(struct file *file) {
	struct file *f = RDONLY_CAST(struct file, file);
	struct dentry *d = f->f_path.dentry;
	if (!d)
		return OVL_NONE;
	struct super_block *sb = d->d_sb;
	if (!sb || sb->s_magic != OVERLAYFS_SUPER_MAGIC)
		return OVL_NONE;
	void *inode = d->d_inode;
	struct dentry *upper = NULL;
	bpf_probe_read_kernel(&upper, sizeof(upper), inode + bpf_core_type_size(struct inode));
	return upper && BPF_CORE_READ(upper, d_inode, i_ino) ? OVL_UPPER : OVL_LOWER;
}

/* ------------------------------------------------------------------------------------------ */
/* Path names: the components are collected leaf first into the scratch's temporary area, then
 * written root first. Loops run under bpf_loop, so the verifier checks each body once instead of
 * once per iteration. */

#define TMP_NAME(s, i) (*(__u64 *)&(s)->data[TMP_OFF + (((i) & (PATH_DEPTH - 1)) * 8)])

struct names_ctx {
	struct scratch *s;
	__u32 n;
};

static long write_name(__u64 i, void *arg) {
	struct names_ctx *c = arg;
	struct scratch *s = c->s;
	if (i >= c->n)
		return 1;
	s->data[s->pos & EV_MASK] = '/';
	s->pos++;
	long r = bpf_probe_read_kernel_str(&s->data[s->pos & EV_MASK], NAME_LEN,
	                                   (const void *)TMP_NAME(s, c->n - 1 - i));
	if (r > 1)
		s->pos += r - 1;
	return 0;
}

/* Writes "/c1/c2/...\0" from the n names collected; returns the bytes written. */
static __always_inline __u32 ev_write_names(struct scratch *s, __u32 n) {
	__u32 start = s->pos;
	struct names_ctx c = {.s = s, .n = n};
	bpf_loop(PATH_DEPTH, write_name, &c, 0);
	if (n == 0) {
		s->data[s->pos & EV_MASK] = '/';
		s->pos++;
	}
	s->data[s->pos & EV_MASK] = 0;
	s->pos++;
	return s->pos - start;
}

struct dwalk {
	struct scratch *s;
	struct dentry *d, *root_d;
	struct vfsmount *vm, *root_m;
	struct mount *m;
	__u64 mnt_off;
	__u32 n;
};

static long dwalk_step(__u64 i, void *arg) {
	struct dwalk *w = arg;
	struct dentry *d = w->d;
	struct vfsmount *vm = w->vm;
	struct mount *m = w->m;
	if (d == w->root_d && vm == w->root_m)
		return 1;
	struct dentry *mnt_root = BPF_CORE_READ(vm, mnt_root);
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	if (d == mnt_root || d == parent) {
		/* At the top of a mount: continue from its mount point in the parent mount. */
		struct mount *pm = BPF_CORE_READ(m, mnt_parent);
		if (d != mnt_root || pm == m)
			return 1;
		w->d = BPF_CORE_READ(m, mnt_mountpoint);
		w->m = pm;
		w->vm = (void *)pm + w->mnt_off;
		return 0;
	}
	if (w->n >= PATH_DEPTH)
		return 1;
	TMP_NAME(w->s, w->n) = (__u64)BPF_CORE_READ(d, d_name.name);
	w->n++;
	w->d = parent;
	return 0;
}

/* The path of (dentry, vfsmount) up to the task's root, crossing mount points. Over PATH_DEPTH
 * components the outermost ones are lost. */
static __always_inline void ev_dpath(struct scratch *s, struct dentry *d, struct vfsmount *vm,
                                     struct task_struct *t) {
	if (!d || !vm) {
		ev_empty(s);
		return;
	}
	struct dwalk w = {
		.s = s,
		.d = d,
		.vm = vm,
		.root_d = BPF_CORE_READ(t, fs, root.dentry),
		.root_m = BPF_CORE_READ(t, fs, root.mnt),
		.mnt_off = bpf_core_field_offset(struct mount, mnt),
	};
	w.m = (void *)vm - w.mnt_off;
	bpf_loop(2 * PATH_DEPTH, dwalk_step, &w, 0);
	ev_len(s, ev_write_names(s, w.n));
}

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn) {
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

struct knwalk {
	struct scratch *s;
	struct kernfs_node *kn;
	__u32 n;
};

static long knwalk_step(__u64 i, void *arg) {
	struct knwalk *w = arg;
	struct kernfs_node *kn = w->kn;
	struct kernfs_node *up = kn ? kn_parent(kn) : NULL;
	if (!up || w->n >= PATH_DEPTH) /* the root's name is empty: it is the leading '/' */
		return 1;
	TMP_NAME(w->s, w->n) = (__u64)BPF_CORE_READ(kn, name);
	w->n++;
	w->kn = up;
	return 0;
}

struct cgwalk {
	struct scratch *s;
	struct css_set *cs;
	struct kernfs_node *last_kn;
	__u64 subsys_off;
	__u32 nsub, last_off, last_len;
};

static long cgroup_step(__u64 i, void *arg) {
	struct cgwalk *c = arg;
	struct scratch *s = c->s;
	if (i >= c->nsub)
		return 1;
	struct cgroup_subsys_state *css = NULL;
	bpf_probe_read_kernel(&css, sizeof(css), (void *)c->cs + c->subsys_off + i * 8);
	if (!css)
		return 0;
	const char *name = BPF_CORE_READ(css, ss, name);
	struct kernfs_node *kn = BPF_CORE_READ(css, cgroup, kn);
	if (ev_str_raw(s, name, 32, false) == 0)
		return 0;
	s->data[(s->pos - 1) & EV_MASK] = '='; /* over the name's NUL */
	if (kn == c->last_kn && c->last_len) {
		__u32 n = c->last_len & (PATH_MAX_LEN - 1);
		bpf_probe_read_kernel(&s->data[s->pos & EV_MASK], n, &s->data[c->last_off & EV_MASK]);
		s->pos += n;
		return 0;
	}
	struct knwalk w = {.s = s, .kn = kn};
	bpf_loop(PATH_DEPTH, knwalk_step, &w, 0);
	c->last_kn = kn;
	c->last_off = s->pos;
	c->last_len = ev_write_names(s, w.n);
	return 0;
}

/* PT_BYTEBUF "subsys=path\0" for every cgroup subsystem of the task. Hierarchies shared by
 * several subsystems (all of them on cgroup v2) are walked once and their path copied. */
static __always_inline void ev_cgroups(struct scratch *s, struct task_struct *t) {
	__u32 start = s->pos;
	struct css_set *cs = BPF_CORE_READ(t, cgroups);
	if (!cs) {
		ev_empty(s);
		return;
	}
	struct cgwalk c = {
		.s = s,
		.cs = cs,
		.subsys_off = bpf_core_field_offset(cs->subsys),
		.nsub = bpf_core_field_size(cs->subsys) / sizeof(void *),
	};
	bpf_loop(16, cgroup_step, &c, 0);
	ev_len(s, s->pos - start);
}

/* ------------------------------------------------------------------------------------------ */
/* argv / envp */

/* exe (argv[0]) and args (the other strings, each NUL-terminated) from the arguments area of the
 * task's memory: right after exec, and in clone/fork (the child shares or copies it). */
static __always_inline void ev_exe_args_mm(struct scratch *s, struct mm_struct *mm) {
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	__u32 exe = ev_str_raw(s, (const void *)start, PATH_MAX_LEN, true);
	ev_len(s, exe);
	if (exe == 0 || start + exe >= end) {
		ev_empty(s);
		return;
	}
	ev_ubytes(s, start + exe, end - start - exe, ARGS_MAX_LEN);
}

static __always_inline void ev_env_mm(struct scratch *s, struct mm_struct *mm) {
	unsigned long start = BPF_CORE_READ(mm, env_start);
	unsigned long end = BPF_CORE_READ(mm, env_end);
	ev_ubytes(s, start, end > start ? end - start : 0, ARGS_MAX_LEN);
}

#define ARGV_MAX 64

struct argv_ctx {
	struct scratch *s;
	unsigned long argv;
	__u32 start;
};

static long argv_step(__u64 i, void *arg) {
	struct argv_ctx *c = arg;
	struct scratch *s = c->s;
	unsigned long p = 0;
	if (s->pos - c->start >= ARGS_MAX_LEN)
		return 1;
	if (bpf_probe_read_user(&p, sizeof(p), (void *)(c->argv + i * 8)) || !p)
		return 1;
	ev_str_raw(s, (const void *)p, ARGS_MAX_LEN, true);
	return 0;
}

/* exe and args from a user argv array (an execve that failed: the old image is still there). */
static __always_inline void ev_argv(struct scratch *s, unsigned long argv) {
	unsigned long p0 = 0;
	if (argv)
		bpf_probe_read_user(&p0, sizeof(p0), (void *)argv);
	ev_len(s, ev_str_raw(s, (const void *)p0, PATH_MAX_LEN, true));
	if (!p0) {
		ev_empty(s);
		return;
	}
	struct argv_ctx c = {.s = s, .argv = argv + 8, .start = s->pos};
	bpf_loop(ARGV_MAX, argv_step, &c, 0);
	ev_len(s, s->pos - c.start);
}

/* ------------------------------------------------------------------------------------------ */
/* The process parameters shared by execve, execveat and the clone family, after exe and args:
 * tid, pid, ptid, cwd, fdlimit, pgft_maj, pgft_min, vm_size, vm_rss, vm_swap, comm, cgroups. */
static __always_inline void ev_proc_info(struct scratch *s, struct task_struct *t) {
	ev_s64(s, BPF_CORE_READ(t, pid));
	ev_s64(s, BPF_CORE_READ(t, tgid));
	ev_s64(s, BPF_CORE_READ(t, real_parent, pid));
	ev_dpath(s, BPF_CORE_READ(t, fs, pwd.dentry), BPF_CORE_READ(t, fs, pwd.mnt), t);
	ev_u64(s, BPF_CORE_READ(t, signal, rlim[RLIMIT_NOFILE].rlim_cur));
	ev_u64(s, BPF_CORE_READ(t, maj_flt));
	ev_u64(s, BPF_CORE_READ(t, min_flt));
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	__s64 file = 0, anon = 0, swap = 0, shmem = 0;
	if (mm) {
		if (bpf_core_type_exists(struct mm_rss_stat___old)) {
			struct mm_struct___old *o = (void *)mm;
			file = BPF_CORE_READ(o, rss_stat.count[0].counter);
			anon = BPF_CORE_READ(o, rss_stat.count[1].counter);
			swap = BPF_CORE_READ(o, rss_stat.count[2].counter);
			shmem = BPF_CORE_READ(o, rss_stat.count[3].counter);
		} else {
			file = BPF_CORE_READ(mm, rss_stat[0].count);
			anon = BPF_CORE_READ(mm, rss_stat[1].count);
			swap = BPF_CORE_READ(mm, rss_stat[2].count);
			shmem = BPF_CORE_READ(mm, rss_stat[3].count);
		}
	}
	__s64 rss = file + anon + shmem;
	ev_u32(s, mm ? BPF_CORE_READ(mm, total_vm) << (PAGE_SHIFT - 10) : 0);
	ev_u32(s, rss > 0 ? rss << (PAGE_SHIFT - 10) : 0);
	ev_u32(s, swap > 0 ? swap << (PAGE_SHIFT - 10) : 0);
	ev_kstr(s, &t->comm, sizeof(t->comm));
	ev_cgroups(s, t);
}

static __always_inline __u32 task_tty(struct task_struct *t) {
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	if (!tty)
		return 0;
	__u32 major = BPF_CORE_READ(tty, driver, major);
	__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return encode_dev((major << 20) | minor);
}

static __always_inline __u64 cap_bits(kernel_cap_t c) {
	return c.val;
}

/* execve_flags of the task's executable. */
static __always_inline __u32 exe_flags(struct file *exe) {
	__u32 flags = 0;
	if (!exe)
		return 0;
	enum overlay ol = file_overlay(exe);
	if (ol == OVL_UPPER)
		flags |= PPM_EXE_UPPER_LAYER;
	else if (ol == OVL_LOWER)
		flags |= PPM_EXE_LOWER_LAYER;
	/* memfd files live unlinked at the root of their mount, named "memfd:..." */
	struct dentry *d = BPF_CORE_READ(exe, f_path.dentry);
	if (d && BPF_CORE_READ(d, d_parent) == d) {
		char name[7] = {};
		bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(d, d_name.name));
		if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
		    name[4] == 'd' && name[5] == ':')
			flags |= PPM_EXE_FROM_MEMFD;
	}
	return flags;
}

static __always_inline __u64 ts_ns(__s64 sec, __u32 nsec) {
	return sec < 0 ? 0 : (__u64)sec * 1000000000ull + nsec;
}

/* execve / execveat exit parameters 16 to 30: env, tty, vpgid, loginuid, flags, capabilities,
 * exe inode and times, uid, trusted_exepath, pgid, gid. The env comes from the new image
 * (success) or is left empty (failure). */
static __always_inline void ev_exec_tail(struct scratch *s, struct task_struct *t, bool success) {
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	if (success && mm)
		ev_env_mm(s, mm);
	else
		ev_empty(s);
	ev_u32(s, task_tty(t));
	ev_s64(s, task_pgid_at(t, task_ns_level(t)));
	ev_u32(s, BPF_CORE_READ(t, loginuid.val));
	struct file *exe = mm ? BPF_CORE_READ(mm, exe_file) : NULL;
	ev_u32(s, exe_flags(exe));
	ev_u64(s, cap_bits(BPF_CORE_READ(t, cred, cap_inheritable)));
	ev_u64(s, cap_bits(BPF_CORE_READ(t, cred, cap_permitted)));
	ev_u64(s, cap_bits(BPF_CORE_READ(t, cred, cap_effective)));
	struct inode *ino = exe ? BPF_CORE_READ(exe, f_inode) : NULL;
	if (ino) {
		ev_u64(s, BPF_CORE_READ(ino, i_ino));
		/* The times have had this layout since 6.11; older kernels get them empty. */
		if (bpf_core_field_exists(ino->i_ctime_sec)) {
			ev_u64(s, ts_ns(BPF_CORE_READ(ino, i_ctime_sec), BPF_CORE_READ(ino, i_ctime_nsec)));
			ev_u64(s, ts_ns(BPF_CORE_READ(ino, i_mtime_sec), BPF_CORE_READ(ino, i_mtime_nsec)));
		} else {
			ev_empty(s);
			ev_empty(s);
		}
	} else {
		ev_empty(s);
		ev_empty(s);
		ev_empty(s);
	}
	ev_u32(s, BPF_CORE_READ(t, cred, euid.val));
	if (exe)
		ev_dpath(s, BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt), t);
	else
		ev_empty(s);
	ev_s64(s, task_pgid_at(t, 0));
	ev_u32(s, BPF_CORE_READ(t, cred, egid.val));
}
