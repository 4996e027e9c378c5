// SPDX-License-Identifier: Apache-2.0
/*
 * saker-probe: the only privileged part of Saker's live capture. It loads and attaches the BPF
 * objects, then loops: drain the ring buffer on a timer, write batches of scap event records to
 * stdout, apply control messages read from stdin, report the drop counters. It interprets no
 * event: the unprivileged engine at the other end of the pipes does.
 *
 * Framing, both directions, little-endian: u32 tag, u32 payload length, payload (probe/README.md).
 * Closing stdin (or SIGTERM/SIGINT) detaches everything and exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sched.skel.h"
#include "syscalls.skel.h"

#define PROTOCOL_VERSION 1
#define SC_MAX 512
#define CNT_MAX 4

enum out_tag { OUT_HELLO = 1, OUT_EVENTS = 2, OUT_STATS = 3, OUT_ACK = 4, OUT_ERROR = 5 };
enum in_tag { IN_SELECT = 0x10, IN_SYNC = 0x11 };

/* Must match struct selection in probe/bpf/probe.h. */
struct selection {
	uint16_t sc[SC_MAX];
	uint32_t tp;
};

static struct {
	unsigned ringbuf_mb, drain_ms, stats_ms, snaplen, batch_kb;
	int self_filter, verbose;
} opt = {8, 20, 1000, 80, 1024, 1, 0};

static volatile sig_atomic_t stop;
static int ncpus;

/* Output batch: an EVENTS frame being filled; its 8-byte header is written at flush time. */
static uint8_t *batch;
static size_t batch_len, batch_cap;
static uint64_t forwarded;

static void on_signal(int sig) {
	(void)sig;
	stop = 1;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap) {
	if (level == LIBBPF_DEBUG && !opt.verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void write_all(const void *p, size_t n) {
	const uint8_t *b = p;
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, b, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			/* The reader went away: nothing left to do. */
			exit(errno == EPIPE ? 0 : 1);
		}
		b += w;
		n -= (size_t)w;
	}
}

static void put_u32(uint8_t *p, uint32_t v) {
	memcpy(p, &v, 4);
}

static void send_frame(uint32_t tag, const void *payload, uint32_t len) {
	uint8_t hdr[8];
	put_u32(hdr, tag);
	put_u32(hdr + 4, len);
	write_all(hdr, 8);
	if (len)
		write_all(payload, len);
}

static void fail(int code, const char *fmt, ...) {
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	fprintf(stderr, "saker-probe: %s\n", msg);
	uint8_t buf[4 + sizeof(msg)];
	put_u32(buf, (uint32_t)code);
	memcpy(buf + 4, msg, (size_t)n);
	send_frame(OUT_ERROR, buf, 4 + (uint32_t)n);
	exit(3);
}

static void flush_batch(void) {
	if (batch_len <= 8)
		return;
	put_u32(batch, OUT_EVENTS);
	put_u32(batch + 4, (uint32_t)(batch_len - 8));
	write_all(batch, batch_len);
	batch_len = 8;
}

static int on_event(void *ctx, void *data, size_t size) {
	(void)ctx;
	if (batch_len + size > batch_cap)
		flush_batch();
	if (8 + size > batch_cap) /* cannot happen: events are at most 64 KiB */
		return 0;
	memcpy(batch + batch_len, data, size);
	batch_len += size;
	forwarded++;
	return 0;
}

static void send_stats(int counters_fd) {
	/* u32 count, u32 reserved, then u64 counters: sent, drop_full, drop_too_big, drop_busy (summed
	 * over CPUs, kernel side), forwarded (loader side). */
	uint64_t percpu[ncpus][CNT_MAX];
	uint64_t sum[CNT_MAX + 1] = {0};
	uint32_t zero = 0;
	if (bpf_map_lookup_elem(counters_fd, &zero, percpu) == 0)
		for (int c = 0; c < ncpus; c++)
			for (int i = 0; i < CNT_MAX; i++)
				sum[i] += percpu[c][i];
	sum[CNT_MAX] = forwarded;
	uint8_t buf[8 + sizeof(sum)];
	put_u32(buf, CNT_MAX + 1);
	put_u32(buf + 4, 0);
	memcpy(buf + 8, sum, sizeof(sum));
	send_frame(OUT_STATS, buf, sizeof(buf));
}

static void send_ack(uint32_t seq, int32_t status) {
	uint8_t buf[8];
	put_u32(buf, seq);
	memcpy(buf + 4, &status, 4);
	send_frame(OUT_ACK, buf, 8);
}

static uint64_t now_ns(clockid_t clk) {
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(void) {
	fprintf(stderr,
	        "usage: saker-probe [--ringbuf-mb N] [--drain-ms N] [--stats-ms N] [--snaplen N]\n"
	        "                   [--batch-kb N] [--capture-self] [--verbose]\n");
	exit(2);
}

static void parse_args(int argc, char **argv) {
	static const struct option longopts[] = {
	        {"ringbuf-mb", required_argument, 0, 'r'}, {"drain-ms", required_argument, 0, 'd'},
	        {"stats-ms", required_argument, 0, 's'},   {"snaplen", required_argument, 0, 'n'},
	        {"batch-kb", required_argument, 0, 'b'},   {"capture-self", no_argument, 0, 'c'},
	        {"verbose", no_argument, 0, 'v'},          {0, 0, 0, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		unsigned v = optarg ? (unsigned)strtoul(optarg, NULL, 10) : 0;
		switch (c) {
		case 'r': opt.ringbuf_mb = v; break;
		case 'd': opt.drain_ms = v; break;
		case 's': opt.stats_ms = v; break;
		case 'n': opt.snaplen = v; break;
		case 'b': opt.batch_kb = v; break;
		case 'c': opt.self_filter = 0; break;
		case 'v': opt.verbose = 1; break;
		default: usage();
		}
	}
	/* The ring buffer size must be a power of two pages. */
	if (optind != argc || opt.ringbuf_mb == 0 || (opt.ringbuf_mb & (opt.ringbuf_mb - 1)) ||
	    opt.drain_ms == 0 || opt.stats_ms == 0 || opt.snaplen > 4096 || opt.batch_kb < 64)
		usage();
}

/* Control input: frames accumulate in `in` until complete. */
static uint8_t in[8 + sizeof(struct selection) + 64];
static size_t in_len;

static void drain(struct ring_buffer *rb) {
	ring_buffer__consume(rb);
	flush_batch();
}

static void handle_frame(uint32_t tag, const uint8_t *p, uint32_t len, int sel_fd,
                         int counters_fd, struct ring_buffer *rb) {
	uint32_t seq = 0;
	if (len >= 4)
		memcpy(&seq, p, 4);
	if (tag == IN_SELECT && len >= 12) {
		/* u32 seq, u32 tracepoint flags, u32 n, u16 ppm_sc[n] indexed by syscall number */
		struct selection sel = {0};
		uint32_t n;
		memcpy(&sel.tp, p + 4, 4);
		memcpy(&n, p + 8, 4);
		if (n > SC_MAX || len != 12 + 2 * n) {
			send_ack(seq, -EINVAL);
			return;
		}
		memcpy(sel.sc, p + 12, 2 * n);
		uint32_t zero = 0;
		int err = bpf_map_update_elem(sel_fd, &zero, &sel, BPF_ANY);
		drain(rb);
		send_ack(seq, err ? -errno : 0);
	} else if (tag == IN_SYNC) {
		drain(rb);
		send_stats(counters_fd);
		send_ack(seq, 0);
	} else {
		send_ack(seq, -ENOTSUP);
	}
}

/* Returns 0 at end of input. */
static int read_control(int sel_fd, int counters_fd, struct ring_buffer *rb) {
	ssize_t r = read(STDIN_FILENO, in + in_len, sizeof(in) - in_len);
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (r == 0)
		return 0;
	in_len += (size_t)r;
	size_t off = 0;
	while (in_len - off >= 8) {
		uint32_t tag, len;
		memcpy(&tag, in + off, 4);
		memcpy(&len, in + off + 4, 4);
		if (len > sizeof(in) - 8)
			fail(EPROTO, "control frame of %u bytes is too long", len);
		if (in_len - off < 8 + len)
			break;
		handle_frame(tag, in + off + 8, len, sel_fd, counters_fd, rb);
		off += 8 + len;
	}
	memmove(in, in + off, in_len - off);
	in_len -= off;
	return 1;
}

int main(int argc, char **argv) {
	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	libbpf_set_print(libbpf_log);

	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		fail(-ncpus, "cannot count the possible CPUs");
	batch_cap = (size_t)opt.batch_kb * 1024;
	batch = malloc(batch_cap);
	if (!batch)
		fail(ENOMEM, "out of memory");
	batch_len = 8;

	uint64_t boot_offset = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_BOOTTIME);
	uint32_t self = opt.self_filter ? (uint32_t)getpid() : 0;

	/* CO-RE against the kernel's own BTF only: looking through module BTFs for types the kernel
	 * lacks (the ___old flavors) would need CAP_SYS_ADMIN. */
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = "/sys/kernel/btf/vmlinux");
	struct syscalls_bpf *sys = syscalls_bpf__open_opts(&open_opts);
	if (!sys)
		fail(errno, "cannot open the syscalls object: %s", strerror(errno));
	sys->rodata->boot_offset = boot_offset;
	sys->rodata->self_tgid = self;
	sys->rodata->snaplen = opt.snaplen;
	bpf_map__set_max_entries(sys->maps.scratch, (uint32_t)ncpus);
	bpf_map__set_max_entries(sys->maps.events, opt.ringbuf_mb << 20);
	int err = syscalls_bpf__load(sys);
	if (err)
		fail(-err, "cannot load the syscalls programs: %s", strerror(-err));

	struct sched_bpf *sch = sched_bpf__open_opts(&open_opts);
	if (!sch)
		fail(errno, "cannot open the sched object: %s", strerror(errno));
	sch->rodata->boot_offset = boot_offset;
	sch->rodata->self_tgid = self;
	sch->rodata->snaplen = opt.snaplen;
	if (bpf_map__reuse_fd(sch->maps.selection, bpf_map__fd(sys->maps.selection)) ||
	    bpf_map__reuse_fd(sch->maps.events, bpf_map__fd(sys->maps.events)) ||
	    bpf_map__reuse_fd(sch->maps.scratch, bpf_map__fd(sys->maps.scratch)) ||
	    bpf_map__reuse_fd(sch->maps.counters, bpf_map__fd(sys->maps.counters)))
		fail(errno, "cannot share maps with the sched object: %s", strerror(errno));
	err = sched_bpf__load(sch);
	if (err)
		fail(-err, "cannot load the sched programs: %s", strerror(-err));

	/* Attach the hooks only; the handlers are reached by tail calls. */
	struct bpf_link *links[3] = {
	        bpf_program__attach(sys->progs.sys_exit),
	        bpf_program__attach(sch->progs.sched_exec),
	        bpf_program__attach(sch->progs.sched_exit),
	};
	for (int i = 0; i < 3; i++)
		if (!links[i])
			fail(errno, "cannot attach hook %d: %s", i, strerror(errno));

	struct ring_buffer *rb =
	        ring_buffer__new(bpf_map__fd(sys->maps.events), on_event, NULL, NULL);
	if (!rb)
		fail(errno, "cannot map the ring buffer: %s", strerror(errno));

	/* HELLO: u32 version, u32 ncpus, u32 ring buffer bytes, u32 SC_MAX, u64 boot offset, then a
	 * bitmap of the syscall numbers that have a dedicated handler (others become generic). */
	uint8_t hello[24 + SC_MAX / 8] = {0};
	put_u32(hello, PROTOCOL_VERSION);
	put_u32(hello + 4, (uint32_t)ncpus);
	put_u32(hello + 8, opt.ringbuf_mb << 20);
	put_u32(hello + 12, SC_MAX);
	memcpy(hello + 16, &boot_offset, 8);
	int handlers_fd = bpf_map__fd(sys->maps.handlers);
	for (uint32_t nr = 0; nr < SC_MAX; nr++) {
		uint32_t prog_id;
		if (bpf_map_lookup_elem(handlers_fd, &nr, &prog_id) == 0)
			hello[24 + nr / 8] |= (uint8_t)(1u << (nr % 8));
	}
	send_frame(OUT_HELLO, hello, sizeof(hello));

	int sel_fd = bpf_map__fd(sys->maps.selection);
	int counters_fd = bpf_map__fd(sys->maps.counters);
	uint64_t next_stats = now_ns(CLOCK_MONOTONIC) + (uint64_t)opt.stats_ms * 1000000ull;
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	int input_open = 1;
	while (!stop && input_open) {
		int n = poll(&pfd, 1, (int)opt.drain_ms);
		if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			input_open = read_control(sel_fd, counters_fd, rb);
		drain(rb);
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		if (now >= next_stats) {
			send_stats(counters_fd);
			next_stats = now + (uint64_t)opt.stats_ms * 1000000ull;
		}
	}

	for (int i = 0; i < 3; i++)
		bpf_link__destroy(links[i]);
	drain(rb);
	send_stats(counters_fd);
	ring_buffer__free(rb);
	sched_bpf__destroy(sch);
	syscalls_bpf__destroy(sys);
	return 0;
}
