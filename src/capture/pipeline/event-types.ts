// What the replay pipeline needs to know about an event's type before rules see it, precomputed once
// per event code (and, for generic syscall events, per syscall id) so the per-event path does two
// array reads and no string work:
//
// - the event type name rules are indexed by (libsinsp's evt.type: the event table's name, and for the
//   generic "syscall" events the name of the syscall their ID parameter carries);
// - whether Falco <= 0.32 skipped the event when -A (all_events) was off: its "simple consumer" set
//   (current Falco evaluates every event of a capture file; see capture/replay.ts).
// - whether the event is internal (EC_INTERNAL: procinfo, drop, scap, cpu hotplug, ...), which `sysdig`
//   lists only with -D.
//
// The simple-consumer set, as Falco applied it to every event it read (sinsp_evt::simple_consumer_consider,
// Falco <= 0.32): events flagged EF_SKIPPARSERESET or EF_UNUSED, events whose table entry carried
// EF_DROP_SIMPLE_CONS, and generic events whose syscall carried that flag in libscap's syscall info table.
// The flag left the libraries in libs 96aa16867 (2022-09); the two lists below are its last values there
// (driver/event_table.c and userspace/libscap/syscall_info_table.c). Falco >= 0.33 applies the same idea
// (high-volume I/O syscalls, "-A" to keep them) only to the syscalls it asks a live driver for, and
// evaluates every event of a capture file; the replay applies this set only when asked to reproduce
// Falco <= 0.32 (CaptureReplayOptions.legacySimpleConsumer).
import { EVENT_TABLE, EVENT_TYPE_MAX, EventCategory, EventFlag, EventType } from "../events/table.js";
import { syscallIdName } from "../../fields/syscall/extract/events.js";
import { EVENT_FLAGS } from "../../state/params.js";

/** Event codes whose table entry carried EF_DROP_SIMPLE_CONS (libs 96aa16867^, driver/event_table.c). */
const SIMPLE_CONSUMER_DROP_CODES: readonly EventType[] = [
  EventType.SYSCALL_CLOSE_E,
  EventType.SYSCALL_CLOSE_X,
  EventType.SYSCALL_READ_E,
  EventType.SYSCALL_READ_X,
  EventType.SYSCALL_WRITE_E,
  EventType.SYSCALL_WRITE_X,
  EventType.SOCKET_SEND_E,
  EventType.SOCKET_SEND_X,
  EventType.SOCKET_RECV_E,
  EventType.SOCKET_RECV_X,
  EventType.SOCKET_SHUTDOWN_E,
  EventType.SOCKET_SHUTDOWN_X,
  EventType.SOCKET_GETSOCKNAME_E,
  EventType.SOCKET_GETSOCKNAME_X,
  EventType.SOCKET_GETPEERNAME_E,
  EventType.SOCKET_GETPEERNAME_X,
  EventType.SOCKET_GETSOCKOPT_E,
  EventType.SOCKET_GETSOCKOPT_X,
  EventType.SOCKET_SENDMMSG_E,
  EventType.SOCKET_SENDMMSG_X,
  EventType.SOCKET_RECVMMSG_E,
  EventType.SOCKET_RECVMMSG_X,
  EventType.SYSCALL_EVENTFD_E,
  EventType.SYSCALL_EVENTFD_X,
  EventType.SYSCALL_FUTEX_E,
  EventType.SYSCALL_FUTEX_X,
  EventType.SYSCALL_STAT_E,
  EventType.SYSCALL_STAT_X,
  EventType.SYSCALL_LSTAT_E,
  EventType.SYSCALL_LSTAT_X,
  EventType.SYSCALL_FSTAT_E,
  EventType.SYSCALL_FSTAT_X,
  EventType.SYSCALL_STAT64_E,
  EventType.SYSCALL_STAT64_X,
  EventType.SYSCALL_LSTAT64_E,
  EventType.SYSCALL_LSTAT64_X,
  EventType.SYSCALL_FSTAT64_E,
  EventType.SYSCALL_FSTAT64_X,
  EventType.SYSCALL_EPOLLWAIT_E,
  EventType.SYSCALL_EPOLLWAIT_X,
  EventType.SYSCALL_POLL_E,
  EventType.SYSCALL_POLL_X,
  EventType.SYSCALL_SELECT_E,
  EventType.SYSCALL_SELECT_X,
  EventType.SYSCALL_NEWSELECT_E,
  EventType.SYSCALL_NEWSELECT_X,
  EventType.SYSCALL_LSEEK_E,
  EventType.SYSCALL_LSEEK_X,
  EventType.SYSCALL_LLSEEK_E,
  EventType.SYSCALL_LLSEEK_X,
  EventType.SYSCALL_GETCWD_E,
  EventType.SYSCALL_GETCWD_X,
  EventType.SYSCALL_PREAD_E,
  EventType.SYSCALL_PREAD_X,
  EventType.SYSCALL_PWRITE_E,
  EventType.SYSCALL_PWRITE_X,
  EventType.SYSCALL_READV_E,
  EventType.SYSCALL_READV_X,
  EventType.SYSCALL_WRITEV_E,
  EventType.SYSCALL_WRITEV_X,
  EventType.SYSCALL_PREADV_E,
  EventType.SYSCALL_PREADV_X,
  EventType.SYSCALL_PWRITEV_E,
  EventType.SYSCALL_PWRITEV_X,
  EventType.SYSCALL_NANOSLEEP_E,
  EventType.SYSCALL_NANOSLEEP_X,
  EventType.SYSCALL_TIMERFD_CREATE_E,
  EventType.SYSCALL_TIMERFD_CREATE_X,
  EventType.SYSCALL_GETRLIMIT_E,
  EventType.SYSCALL_GETRLIMIT_X,
  EventType.SYSCALL_SETRLIMIT_E,
  EventType.SYSCALL_SETRLIMIT_X,
  EventType.SCHEDSWITCH_1_E,
  EventType.SYSCALL_FCNTL_E,
  EventType.SYSCALL_FCNTL_X,
  EventType.SCHEDSWITCH_6_E,
  EventType.SYSCALL_BRK_4_E,
  EventType.SYSCALL_BRK_4_X,
  EventType.SYSCALL_MMAP_E,
  EventType.SYSCALL_MMAP_X,
  EventType.SYSCALL_MMAP2_E,
  EventType.SYSCALL_MMAP2_X,
  EventType.SYSCALL_MUNMAP_E,
  EventType.SYSCALL_MUNMAP_X,
  EventType.SYSCALL_SPLICE_E,
  EventType.SYSCALL_SPLICE_X,
  EventType.SYSCALL_SENDFILE_E,
  EventType.SYSCALL_SENDFILE_X,
  EventType.SYSCALL_GETUID_E,
  EventType.SYSCALL_GETUID_X,
  EventType.SYSCALL_GETEUID_E,
  EventType.SYSCALL_GETEUID_X,
  EventType.SYSCALL_GETGID_E,
  EventType.SYSCALL_GETGID_X,
  EventType.SYSCALL_GETEGID_E,
  EventType.SYSCALL_GETEGID_X,
  EventType.SYSCALL_GETRESUID_E,
  EventType.SYSCALL_GETRESUID_X,
  EventType.SYSCALL_GETRESGID_E,
  EventType.SYSCALL_GETRESGID_X,
  EventType.SIGNALDELIVER_E,
  EventType.PROCINFO_E,
  EventType.SYSCALL_GETDENTS_E,
  EventType.SYSCALL_GETDENTS_X,
  EventType.SYSCALL_GETDENTS64_E,
  EventType.SYSCALL_GETDENTS64_X,
  EventType.SYSCALL_SEMOP_E,
  EventType.SYSCALL_SEMOP_X,
  EventType.SYSCALL_SEMCTL_E,
  EventType.SYSCALL_SEMCTL_X,
  EventType.SYSCALL_PPOLL_E,
  EventType.SYSCALL_PPOLL_X,
  EventType.SYSCALL_SEMGET_E,
  EventType.SYSCALL_SEMGET_X,
  EventType.SYSCALL_ACCESS_E,
  EventType.SYSCALL_ACCESS_X,
  EventType.PAGE_FAULT_E,
  EventType.SYSCALL_MPROTECT_E,
  EventType.SYSCALL_MPROTECT_X,
  EventType.SYSCALL_IO_URING_SETUP_E,
  EventType.SYSCALL_IO_URING_SETUP_X,
  EventType.SYSCALL_IO_URING_ENTER_E,
  EventType.SYSCALL_IO_URING_ENTER_X,
  EventType.SYSCALL_IO_URING_REGISTER_E,
  EventType.SYSCALL_IO_URING_REGISTER_X,
  EventType.SYSCALL_MLOCK_E,
  EventType.SYSCALL_MLOCK_X,
  EventType.SYSCALL_MUNLOCK_E,
  EventType.SYSCALL_MUNLOCK_X,
  EventType.SYSCALL_MLOCKALL_E,
  EventType.SYSCALL_MLOCKALL_X,
  EventType.SYSCALL_MUNLOCKALL_E,
  EventType.SYSCALL_MUNLOCKALL_X,
  EventType.SYSCALL_MLOCK2_E,
  EventType.SYSCALL_MLOCK2_X,
];

/**
 * Syscalls whose entry in libscap's syscall info table carried EF_DROP_SIMPLE_CONS (libs 96aa16867^,
 * userspace/libscap/syscall_info_table.c): the generic events Falco skipped without -A. Names as
 * evt.type shows them for generic events.
 */
const SIMPLE_CONSUMER_DROP_SYSCALLS: readonly string[] = (
  "read write close time stat lseek getpid alarm fstat pause access times brk fcntl umask ustat getppid " +
  "getpgrp setrlimit getrusage gettimeofday settimeofday lstat mmap munmap getpriority statfs fstatfs " +
  "setitimer getitimer uname wait4 fsync mprotect getpgid getdents select readv writev getsid fdatasync " +
  "mlock munlock mlockall munlockall sched_getparam sched_getscheduler sched_yield sched_get_priority_max " +
  "sched_get_priority_min nanosleep mremap poll rt_sigaction rt_sigprocmask rt_sigpending rt_sigtimedwait " +
  "rt_sigsuspend getcwd capget sendfile getrlimit getuid getgid geteuid getegid getgroups getresuid " +
  "getresgid mincore madvise gettid getxattr lgetxattr fgetxattr listxattr llistxattr flistxattr futex " +
  "sched_getaffinity get_thread_area io_setup io_destroy io_getevents io_submit io_cancel exit_group " +
  "epoll_create epoll_ctl epoll_wait remap_file_pages timer_create timer_settime timer_gettime " +
  "timer_getoverrun timer_delete clock_settime clock_gettime clock_getres clock_nanosleep mq_timedsend " +
  "mq_timedreceive mq_notify mq_getsetattr waitid ioprio_set ioprio_get pselect6 ppoll get_robust_list " +
  "splice tee vmsplice getcpu epoll_pwait signalfd timerfd_create eventfd timerfd_settime timerfd_gettime " +
  "signalfd4 eventfd2 epoll_create1 preadv pwritev getdents64 getsockname getpeername shutdown getsockopt " +
  "sendmmsg recvmmsg semop semget semctl msgsnd msgrcv msgget statfs64 fstatfs64 fstatat64 sendfile64 " +
  "ugetrlimit sigprocmask stat64 lstat64 fstat64 fcntl64 mmap2 newselect sgetmask sigpending olduname " +
  "llseek waitpid pread64 pwrite64 sigreturn newfstatat io_uring_setup io_uring_enter io_uring_register " +
  "mlock2"
).split(" ");

/**
 * Size of the per-syscall tables: above every syscall id the table knows. Larger ids (the parameter is
 * 16 bits wide) are looked up as id 0, which is "<unknown>" too and not skipped.
 */
export const SYSCALL_ID_LIMIT = 1024;

/** Per-code and per-syscall-id facts, built once (see the header). */
export interface EventTypeTables {
  /** evt.type of each event code (generic codes: "syscall", never used for them). */
  readonly nameByCode: readonly string[];
  /** evt.type of a generic event, by syscall id below SYSCALL_ID_LIMIT ("<unknown>" if unknown). */
  readonly nameBySyscall: readonly string[];
  /** 1 where Falco skips the event type without -A. */
  readonly skipByCode: Uint8Array;
  /** 1 where Falco skips a generic event of that syscall without -A. */
  readonly skipBySyscall: Uint8Array;
  /** 1 for EC_INTERNAL event types (listed by sysdig only with -D). */
  readonly internalByCode: Uint8Array;
}

let tables: EventTypeTables | undefined;

/** The tables (built on first use, shared). */
export function eventTypeTables(): EventTypeTables {
  if (tables !== undefined) return tables;
  const nameByCode: string[] = [];
  const skipByCode = new Uint8Array(EVENT_TYPE_MAX);
  const internalByCode = new Uint8Array(EVENT_TYPE_MAX);
  for (let code = 0; code < EVENT_TYPE_MAX; code++) {
    const info = EVENT_TABLE[code];
    nameByCode.push(info?.name ?? "NA");
    const flags = EVENT_FLAGS[code] ?? 0;
    if ((flags & (EventFlag.SKIPPARSERESET | EventFlag.UNUSED)) !== 0) skipByCode[code] = 1;
    if (((info?.category ?? 0) & EventCategory.INTERNAL) !== 0) internalByCode[code] = 1;
  }
  for (const code of SIMPLE_CONSUMER_DROP_CODES) skipByCode[code] = 1;
  const dropSyscalls = new Set(SIMPLE_CONSUMER_DROP_SYSCALLS);
  const nameBySyscall: string[] = [];
  const skipBySyscall = new Uint8Array(SYSCALL_ID_LIMIT);
  for (let id = 0; id < SYSCALL_ID_LIMIT; id++) {
    const name = syscallIdName(id);
    nameBySyscall.push(name);
    if (dropSyscalls.has(name)) skipBySyscall[id] = 1;
  }
  tables = { nameByCode, nameBySyscall, skipByCode, skipBySyscall, internalByCode };
  return tables;
}

/** True for the generic syscall events, named after the syscall in their first parameter. */
export function isGenericCode(code: number): boolean {
  return code === EventType.GENERIC_E || code === EventType.GENERIC_X;
}
