// Where sysdig 0.29.3's event table (falcosecurity/libs e5c53d64, March 2022) differs from the
// current one in ways that change what is printed. Captures name events by code, and codes are
// stable, but later libs appended exit parameters, retyped a few and renamed two; sysdig renders
// a capture with its own table. These are facts read from both tables (driver/event_table.c and
// driver/flags_table.c at the two revisions), kept as data.

import { ParamType, PrintFormat } from "../generated.js";

/** Event codes below this one are known to sysdig 0.29.3; it skips (and does not count) the rest. */
export const LEGACY_EVENT_MAX = 336;

/**
 * Parameter counts of sysdig 0.29.3's table where they are smaller than today's: sysdig loads and
 * prints min(table count, event count) parameters.
 */
// prettier-ignore
export const LEGACY_PARAM_COUNTS: readonly (readonly [code: number, count: number])[] = [
  [1, 1], [3, 5], [5, 1], [7, 2], [9, 2], [19, 1], [21, 2], [23, 2], [25, 1], [29, 2], [31, 2],
  [33, 2], [35, 3], [37, 1], [43, 5], [49, 2], [51, 0], [53, 4], [55, 0], [59, 4], [63, 1], [65, 1],
  [71, 1], [79, 1], [81, 2], [87, 1], [89, 1], [97, 1], [113, 2], [115, 2], [117, 3], [119, 2],
  [121, 3], [123, 2], [127, 1], [129, 1], [131, 1], [133, 1], [135, 1], [137, 1], [139, 1], [141, 3],
  [143, 3], [145, 5], [151, 1], [159, 4], [161, 4], [163, 4], [165, 4], [167, 1], [169, 3], [171, 1],
  [186, 4], [189, 2], [191, 14], [193, 1], [195, 1], [199, 1], [201, 1], [223, 20], [225, 20],
  [227, 20], [237, 1], [239, 1], [241, 1], [243, 1], [251, 8], [253, 1], [255, 2], [257, 4], [263, 1],
  [265, 2], [277, 2], [285, 1], [293, 20], [295, 1], [299, 1], [307, 6], [327, 6], [329, 1], [331, 20],
  [333, 3], [335, 20],
];

/** One parameter as sysdig 0.29.3 describes it (flags: a flag table name or null). */
export interface LegacyParam {
  readonly code: number;
  readonly index: number;
  readonly name: string;
  readonly type: ParamType;
  readonly fmt: PrintFormat;
  readonly flags: string | null;
}

/**
 * Parameters whose name, type or format differ. (FLAGS* parameters that became ENUMFLAGS* are not
 * listed: events sysdig knows are rendered with its flag algorithm whatever the flag type.)
 */
export const LEGACY_PARAM_OVERRIDES: readonly LegacyParam[] = [
  { code: 24, index: 1, name: "backlog", type: ParamType.UINT32, fmt: PrintFormat.DEC, flags: null },
  { code: 62, index: 1, name: "flags", type: ParamType.FLAGS32, fmt: PrintFormat.HEX, flags: null },
  { code: 126, index: 2, name: "flags", type: ParamType.FLAGS8, fmt: PrintFormat.HEX, flags: null },
  { code: 136, index: 1, name: "flags", type: ParamType.FLAGS8, fmt: PrintFormat.HEX, flags: null },
  { code: 138, index: 0, name: "flags", type: ParamType.FLAGS8, fmt: PrintFormat.HEX, flags: null },
  { code: 161, index: 0, name: "res", type: ParamType.UINT64, fmt: PrintFormat.HEX, flags: null },
  { code: 163, index: 0, name: "res", type: ParamType.UINT64, fmt: PrintFormat.HEX, flags: null },
  { code: 293, index: 16, name: "tty", type: ParamType.INT32, fmt: PrintFormat.DEC, flags: null },
  { code: 293, index: 17, name: "pgid", type: ParamType.PID, fmt: PrintFormat.DEC, flags: null },
  { code: 293, index: 18, name: "loginuid", type: ParamType.INT32, fmt: PrintFormat.DEC, flags: null },
  { code: 295, index: 0, name: "res", type: ParamType.PID, fmt: PrintFormat.DEC, flags: null },
  { code: 322, index: 0, name: "plugin ID", type: ParamType.UINT32, fmt: PrintFormat.DEC, flags: null },
  { code: 331, index: 16, name: "tty", type: ParamType.INT32, fmt: PrintFormat.DEC, flags: null },
  { code: 331, index: 17, name: "pgid", type: ParamType.PID, fmt: PrintFormat.DEC, flags: null },
  { code: 331, index: 18, name: "loginuid", type: ParamType.INT32, fmt: PrintFormat.DEC, flags: null },
];

/**
 * Flag tables whose entries changed. Most gained entries at the end (only bits newer drivers
 * set); fcntl_commands lost F_GETLK64/F_SETLK64/F_SETLKW64 and shutdown_how gained SHUT_UNKNOWN.
 * Order matters: sysdig's algorithm walks the table in order.
 */
export const LEGACY_FLAG_TABLES: Readonly<Record<string, readonly (readonly [string, number])[]>> = {
  file_flags: [
    ["O_LARGEFILE", 2048],
    ["O_DIRECTORY", 1024],
    ["O_DIRECT", 512],
    ["O_TRUNC", 256],
    ["O_SYNC", 128],
    ["O_NONBLOCK", 64],
    ["O_EXCL", 32],
    ["O_DSYNC", 16],
    ["O_APPEND", 8],
    ["O_CREAT", 4],
    ["O_RDWR", 3],
    ["O_WRONLY", 2],
    ["O_RDONLY", 1],
    ["O_CLOEXEC", 4096],
    ["O_NONE", 0],
    ["O_TMPFILE", 8192],
  ],
  clone_flags: [
    ["CLONE_FILES", 1],
    ["CLONE_FS", 2],
    ["CLONE_IO", 4],
    ["CLONE_NEWIPC", 8],
    ["CLONE_NEWNET", 16],
    ["CLONE_NEWNS", 32],
    ["CLONE_NEWPID", 64],
    ["CLONE_NEWUTS", 128],
    ["CLONE_PARENT", 256],
    ["CLONE_PARENT_SETTID", 512],
    ["CLONE_PTRACE", 1024],
    ["CLONE_SIGHAND", 2048],
    ["CLONE_SYSVSEM", 4096],
    ["CLONE_THREAD", 8192],
    ["CLONE_UNTRACED", 16384],
    ["CLONE_VM", 32768],
    ["CLONE_INVERTED", 65536],
    ["NAME_CHANGED", 131072],
    ["CLOSED", 262144],
    ["CLONE_NEWUSER", 1048576],
    ["CLONE_CHILD_CLEARTID", 8388608],
    ["CLONE_CHILD_SETTID", 16777216],
    ["CLONE_SETTLS", 33554432],
    ["CLONE_STOPPED", 67108864],
    ["CLONE_VFORK", 134217728],
    ["CLONE_NEWCGROUP", 268435456],
  ],
  shutdown_how: [
    ["SHUT_RDWR", 2],
    ["SHUT_WR", 1],
    ["SHUT_RD", 0],
  ],
  fcntl_commands: [
    ["F_GETPIPE_SZ", 29],
    ["F_SETPIPE_SZ", 28],
    ["F_NOTIFY", 27],
    ["F_DUPFD_CLOEXEC", 26],
    ["F_CANCELLK", 25],
    ["F_GETLEASE", 24],
    ["F_SETLEASE", 23],
    ["F_GETOWN_EX", 22],
    ["F_SETOWN_EX", 21],
    ["F_SETLKW64", 19],
    ["F_SETLK64", 18],
    ["F_GETLK64", 17],
    ["F_GETSIG", 15],
    ["F_SETSIG", 13],
    ["F_GETOWN", 12],
    ["F_SETOWN", 10],
    ["F_SETLKW", 9],
    ["F_SETLK", 8],
    ["F_GETLK", 6],
    ["F_SETFL", 5],
    ["F_GETFL", 4],
    ["F_SETFD", 3],
    ["F_GETFD", 2],
    ["F_DUPFD", 1],
    ["F_OFD_GETLK", 30],
    ["F_OFD_SETLK", 31],
    ["F_OFD_SETLKW", 32],
    ["UNKNOWN", 0],
  ],
  execve_flags: [["EXE_WRITABLE", 1]],
};

/** Syscall ids (PT_SYSCALLID values) sysdig 0.29.3 knows; it prints larger ones as "<unknown syscall>". */
export const LEGACY_SYSCALL_MAX = 329;

/** Syscall names sysdig 0.29.3 prints differently from today's table. */
export const LEGACY_SYSCALL_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "<unknown>"],
  [283, "newselect"],
  [292, "llseek"],
  [298, "sigreturn"],
  [305, "setuid"],
  [306, "getuid"],
  [307, "setgid"],
  [308, "geteuid"],
  [309, "getgid"],
  [310, "setresuid"],
  [311, "setresgid"],
  [312, "getresuid"],
  [313, "getresgid"],
]);
