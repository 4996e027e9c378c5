// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scheduler hook family: a successful exec (sched_process_exec, where the new image's
 * arguments and the path the kernel resolved are at hand) and thread exit (sched_process_exit).
 * Both follow the same selection as the syscalls: exec reports as the execve or execveat exit
 * event, whichever syscall is running; exit only when procexit is switched on.
 */
#include "codes.h"
#include "task.h"

#define NR_EXECVEAT 322

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) {
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	__u64 nr = BPF_CORE_READ(regs, orig_ax);
	struct selection *sel = get_selection();
	if (!sel || nr >= SC_MAX || !sel->sc[nr & (SC_MAX - 1)] || is_self())
		return 0;
	bool at = nr == NR_EXECVEAT;
	struct scratch *s = at ? EV_BEGIN(execveat) : EV_BEGIN(execve);
	if (!s)
		return 0;
	ev_s64(s, 0);
	ev_exe_args_mm(s, BPF_CORE_READ(t, mm));
	ev_proc_info(s, t);
	ev_exec_tail(s, t, true);
	if (!at)
		ev_kstr(s, BPF_CORE_READ(bprm, filename), PATH_MAX_LEN);
	ev_submit(s);
	return 0;
}

/* The thread that inherits the exiting thread's children, when it can be told cheaply: none
 * without children, the namespace's init when the whole group is gone and no ancestor is a
 * subreaper; -1 (unknown, left to user space) otherwise. */
static __always_inline __s64 reaper_tid(struct task_struct *t) {
	struct list_head *head = &t->children;
	if (BPF_CORE_READ(t, children.next) == head)
		return 0;
	if (BPF_CORE_READ(t, signal, live.counter) != 0)
		return -1;
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	__u32 level = BPF_CORE_READ(pid, level);
	struct upid up = {};
	bpf_probe_read_kernel(&up, sizeof(up),
	                      (void *)pid + bpf_core_field_offset(struct pid, numbers) +
	                              (level & 63) * bpf_core_type_size(struct upid));
	struct task_struct *init = BPF_CORE_READ(up.ns, child_reaper);
	if (init == t || BPF_CORE_READ_BITFIELD_PROBED(t->signal, has_child_subreaper))
		return -1;
	return BPF_CORE_READ(init, pid);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_exit, struct task_struct *p) {
	struct selection *sel = get_selection();
	if (!sel || !(sel->tp & TP_PROCEXIT) || is_self())
		return 0;
	if (p->flags & PF_KTHREAD)
		return 0;
	struct scratch *s = EV_BEGIN(procexit);
	if (!s)
		return 0;
	__s32 status = p->exit_code;
	__u8 sig = status & 0x7f;
	ev_s64(s, status);
	ev_s64(s, (status >> 8) & 0xff);
	ev_u8(s, sig != 0 && sig != 0x7f ? sig : 0);
	ev_u8(s, (status & 0x80) != 0);
	ev_s64(s, reaper_tid(p));
	ev_submit(s);
	return 0;
}
