// SPDX-License-Identifier: Apache-2.0
/*
 * syscall-loop: the probe benchmark's workload. Issues one cheap syscall N times and prints the
 * mean cost in ns. `getppid` has no dedicated event (it becomes a generic event when selected);
 * `close` of an invalid fd has one (CLOSE_X) and fails at once.
 *
 *   syscall-loop getppid|close N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc != 3 || (strcmp(argv[1], "getppid") && strcmp(argv[1], "close"))) {
		fprintf(stderr, "usage: syscall-loop getppid|close N\n");
		return 2;
	}
	long nr = strcmp(argv[1], "close") == 0 ? SYS_close : SYS_getppid;
	long n = atol(argv[2]);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		syscall(nr, -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("%.1f\n", ns / (double)n);
	return 0;
}
