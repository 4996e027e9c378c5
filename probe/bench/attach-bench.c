// SPDX-License-Identifier: Apache-2.0
/*
 * attach-bench: loads probe/bench/attach.bpf.c and attaches one design, for bench/live.ts.
 *
 *   attach-bench raw-empty|raw-select|per-syscall
 *
 * raw-select and per-syscall select openat and close (the open/close loop's syscalls); read and
 * write stay unselected. Prints "ready" once attached, then waits for stdin to close, prints the
 * number of selected syscalls the programs saw, detaches and exits. Needs root (tracefs mounted
 * at /sys/kernel/tracing for per-syscall).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.skel.h"

static int fail(const char *what, int err) {
	fprintf(stderr, "attach-bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

int main(int argc, char **argv) {
	if (argc != 2 || (strcmp(argv[1], "raw-empty") && strcmp(argv[1], "raw-select") &&
			  strcmp(argv[1], "per-syscall"))) {
		fprintf(stderr, "usage: attach-bench raw-empty|raw-select|per-syscall\n");
		return 2;
	}
	const char *mode = argv[1];
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = "/sys/kernel/btf/vmlinux");
	struct attach_bpf *obj = attach_bpf__open_opts(&opts);
	if (!obj)
		return fail("open", -errno);
	/* Load only the programs of this design. */
	bpf_program__set_autoload(obj->progs.raw_empty, !strcmp(mode, "raw-empty"));
	bpf_program__set_autoload(obj->progs.raw_select, !strcmp(mode, "raw-select"));
	bpf_program__set_autoload(obj->progs.tp_openat, !strcmp(mode, "per-syscall"));
	bpf_program__set_autoload(obj->progs.tp_close, !strcmp(mode, "per-syscall"));
	int err = attach_bpf__load(obj);
	if (err)
		return fail("load", err);
	__u8 on = 1;
	__u32 nrs[] = {SYS_openat, SYS_close};
	for (unsigned i = 0; i < sizeof nrs / sizeof nrs[0]; i++)
		bpf_map__update_elem(obj->maps.wanted, &nrs[i], sizeof nrs[i], &on, sizeof on, BPF_ANY);
	err = attach_bpf__attach(obj);
	if (err)
		return fail("attach", err);
	printf("ready\n");
	fflush(stdout);
	char buf[64];
	while (read(0, buf, sizeof buf) > 0) {
	}
	int ncpu = libbpf_num_possible_cpus();
	__u64 per[ncpu > 0 ? ncpu : 1], total = 0;
	__u32 zero = 0;
	if (ncpu > 0 && !bpf_map__lookup_elem(obj->maps.hits, &zero, sizeof zero, per, sizeof per, 0))
		for (int i = 0; i < ncpu; i++)
			total += per[i];
	printf("%llu\n", (unsigned long long)total);
	attach_bpf__destroy(obj);
	return 0;
}
