// SPDX-License-Identifier: Apache-2.0
/*
 * syscall-loop: the probe benchmarks' workload. Runs one loop N times and prints the mean cost of
 * an iteration in ns.
 *
 *   getppid    no dedicated event (a generic event when selected)
 *   close      close(-1): a dedicated event (CLOSE_X), fails at once
 *   readwrite  read 64 bytes of /dev/zero, write them to /dev/null: syscalls no rule needs
 *   openclose  open /etc/hostname and close it: syscalls the state engine always needs
 *
 *   syscall-loop getppid|close|readwrite|openclose N
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
	const char *mode = argc == 3 ? argv[1] : "";
	if (strcmp(mode, "getppid") && strcmp(mode, "close") && strcmp(mode, "readwrite") &&
	    strcmp(mode, "openclose")) {
		fprintf(stderr, "usage: syscall-loop getppid|close|readwrite|openclose N\n");
		return 2;
	}
	long n = atol(argv[2]);
	char buf[64];
	int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
	if (zero < 0 || null < 0)
		return 1;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (!strcmp(mode, "readwrite")) {
		for (long i = 0; i < n; i++)
			if (read(zero, buf, sizeof buf) < 0 || write(null, buf, sizeof buf) < 0)
				return 1;
	} else if (!strcmp(mode, "openclose")) {
		for (long i = 0; i < n; i++)
			close(open("/etc/hostname", O_RDONLY));
	} else {
		long nr = strcmp(mode, "close") == 0 ? SYS_close : SYS_getppid;
		for (long i = 0; i < n; i++)
			syscall(nr, -1);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("%.1f\n", ns / (double)n);
	return 0;
}
