// proc.*: the process that executed the syscall, its parent and ancestors. With thread.* (thread.ts)
// this is libsinsp's "process" class; facts follow sinsp_filtercheck_thread.cpp.
import { ancestorIndexArg, envArg } from "../args.js";
import { sinspField as f, type FieldFlags } from "../define.js";
import type { FieldClass, FieldInfo } from "../types.js";
import { threadFields } from "./thread.js";

// proc.aname[2], proc.args[0]: an optional number in brackets.
const INDEX: FieldFlags = { arg: "index", parseArg: ancestorIndexArg };
// proc.env[HOME], proc.aenv[2]: an optional name, or a number for an ancestor level.
const ENV: FieldFlags = { arg: "index_or_key", parseArg: envArg };

const processFields: readonly FieldInfo[] = [
  f(
    "proc.exe",
    "CHARBUF",
    "First command-line argument (argv[0]): usually the executable's name, but the caller may pass any string.",
  ),
  f("proc.pexe", "CHARBUF", "proc.exe of the parent process."),
  f(
    "proc.aexe",
    "CHARBUF",
    "proc.exe of an ancestor by level: [1] the parent, [2] the grandparent, [0] the process itself; without an index, a condition matches any ancestor.",
    INDEX,
  ),
  f("proc.exepath", "CHARBUF", "Full path of the executable file, symlinks resolved."),
  f("proc.pexepath", "CHARBUF", "proc.exepath of the parent process."),
  f(
    "proc.aexepath",
    "CHARBUF",
    "proc.exepath of an ancestor by level ([1] the parent); without an index, a condition matches any ancestor.",
    INDEX,
  ),
  f(
    "proc.name",
    "CHARBUF",
    "Name of the process as the kernel keeps it (comm, at most 16 characters); may differ from the executable's name.",
  ),
  f("proc.pname", "CHARBUF", "proc.name of the parent process."),
  f(
    "proc.aname",
    "CHARBUF",
    "proc.name of an ancestor by level: [1] the parent, [2] the grandparent, [0] the process itself; without an index, a condition matches any ancestor.",
    INDEX,
  ),
  f(
    "proc.args",
    "CHARBUF",
    "Command-line arguments after argv[0], joined by spaces; proc.args[N] picks one, counting from 0.",
    INDEX,
  ),
  f(
    "proc.aargs",
    "CHARBUF",
    "proc.args of an ancestor by level ([1] the parent); without an index, a condition matches any ancestor.",
    INDEX,
  ),
  f("proc.cmdline", "CHARBUF", "proc.name followed by proc.args."),
  f("proc.pcmdline", "CHARBUF", "proc.cmdline of the parent process."),
  f(
    "proc.acmdline",
    "CHARBUF",
    "proc.cmdline of an ancestor by level ([1] the parent); without an index, a condition matches any ancestor.",
    INDEX,
  ),
  f("proc.cmdnargs", "UINT64", "Number of command-line arguments in proc.args."),
  f(
    "proc.cmdlenargs",
    "UINT64",
    "Total length of the command-line arguments, not counting the spaces between them.",
  ),
  f("proc.exeline", "CHARBUF", "proc.exe followed by proc.args."),
  f(
    "proc.env",
    "CHARBUF",
    "Environment of the process as NAME=value pairs joined by spaces; proc.env[NAME] gives the value of one variable.",
    ENV,
  ),
  f(
    "proc.aenv",
    "CHARBUF",
    "Experimental. Environment of the ancestors: alone, a condition matches any ancestor's; [N] is the level-N ancestor's; [NAME] the nearest ancestor's value of NAME.",
    ENV,
  ),
  f("proc.cwd", "CHARBUF", "Current working directory of the process."),
  f(
    "proc.loginshellid",
    "INT64",
    "Pid of the oldest shell among the ancestors, which tells user sessions apart.",
  ),
  f("proc.tty", "UINT32", "Controlling terminal of the process; 0 if it has none."),
  f("proc.pid", "INT64", "Id of the process."),
  f("proc.ppid", "INT64", "Id of the parent process."),
  f(
    "proc.apid",
    "INT64",
    "Pid of an ancestor by level ([1] the parent); without an index, a condition matches any ancestor.",
    INDEX,
  ),
  f("proc.vpid", "INT64", "Id of the process as seen in its own pid namespace."),
  f("proc.pvpid", "INT64", "Id of the parent process as seen in its pid namespace."),
  f("proc.sid", "INT64", "Session id of the process."),
  f(
    "proc.sname",
    "CHARBUF",
    "Name of the session leader: the process whose pid is proc.sid, else the eldest ancestor in the same session.",
  ),
  f("proc.sid.exe", "CHARBUF", "proc.exe of the session leader."),
  f("proc.sid.exepath", "CHARBUF", "proc.exepath of the session leader."),
  f("proc.vpgid", "INT64", "Process group id as seen in the process's pid namespace."),
  f("proc.vpgid.name", "CHARBUF", "Name of the leader of the process group proc.vpgid."),
  f("proc.vpgid.exe", "CHARBUF", "proc.exe of the leader of the process group proc.vpgid."),
  f("proc.vpgid.exepath", "CHARBUF", "proc.exepath of the leader of the process group proc.vpgid."),
  f("proc.pgid", "INT64", "Process group id as seen from the host."),
  f("proc.pgid.name", "CHARBUF", "Name of the leader of the process group proc.pgid."),
  f("proc.pgid.exe", "CHARBUF", "proc.exe of the leader of the process group proc.pgid."),
  f("proc.pgid.exepath", "CHARBUF", "proc.exepath of the leader of the process group proc.pgid."),
  f("proc.duration", "RELTIME", "Nanoseconds since the process started."),
  f("proc.ppid.duration", "RELTIME", "Nanoseconds since the parent process started."),
  f("proc.pid.ts", "RELTIME", "Start time of the process, in nanoseconds since the epoch."),
  f("proc.ppid.ts", "RELTIME", "Start time of the parent process, in nanoseconds since the epoch."),
  f(
    "proc.is_exe_writable",
    "BOOL",
    "True if the user that started the process can write its executable file.",
  ),
  f(
    "proc.is_exe_upper_layer",
    "BOOL",
    "True if the executable file is in the upper (writable) layer of an overlayfs.",
  ),
  f("proc.is_exe_lower_layer", "BOOL", "True if the executable file is in a lower layer of an overlayfs."),
  f(
    "proc.is_exe_from_memfd",
    "BOOL",
    "True if the executable is a memory-only file (memfd_create) run through its fd: code that never touched the disk.",
  ),
  f("proc.is_sid_leader", "BOOL", "True if the process leads its session (proc.sid equals proc.vpid)."),
  f(
    "proc.is_vpgid_leader",
    "BOOL",
    "True if the process leads its process group (proc.vpgid equals proc.vpid): typically a command typed in a shell rather than a script's child.",
  ),
  f(
    "proc.is_pgid_leader",
    "BOOL",
    "True if the process leads its process group (proc.pgid equals proc.pid).",
  ),
  f("proc.exe_ino", "INT64", "Inode number of the executable file (compare with fd.ino)."),
  f(
    "proc.exe_ino.ctime",
    "ABSTIME",
    "Last status change (ctime) of the executable file, in nanoseconds since the epoch.",
  ),
  f(
    "proc.exe_ino.mtime",
    "ABSTIME",
    "Last content change (mtime) of the executable file, in nanoseconds since the epoch.",
  ),
  f(
    "proc.exe_ino.ctime_duration_proc_start",
    "ABSTIME",
    "Nanoseconds from the executable file's last status change to the start of this process.",
  ),
  f(
    "proc.exe_ino.ctime_duration_pidns_start",
    "ABSTIME",
    "Nanoseconds from the start of the pid namespace to the executable file's last status change, if the namespace is older.",
  ),
  f(
    "proc.pidns_init_start_ts",
    "UINT64",
    "Start time of the process's pid namespace, in nanoseconds since the epoch.",
  ),
  f("proc.fdopencount", "UINT64", "Number of fds the process has open."),
  f("proc.fdlimit", "INT64", "Number of fds the process may open at most."),
  f("proc.fdusage", "DOUBLE", "Open fds as a fraction of the fd limit."),
  f("proc.vmsize", "UINT64", "Virtual memory size of the process, in kB."),
  f("proc.vmrss", "UINT64", "Resident (not swapped) memory of the process, in kB."),
  f("proc.vmswap", "UINT64", "Swapped-out memory of the process, in kB."),
  f(
    "proc.nthreads",
    "UINT64",
    "Live threads of the process, counting the leader (when known; else equal to proc.nchilds).",
  ),
  f("proc.nchilds", "UINT64", "Live threads of the process other than the leader."),
  f("proc.stdin.type", "CHARBUF", "Type of fd 0 (stdin) of the process."),
  f("proc.stdout.type", "CHARBUF", "Type of fd 1 (stdout) of the process."),
  f("proc.stderr.type", "CHARBUF", "Type of fd 2 (stderr) of the process."),
  f("proc.stdin.name", "CHARBUF", "Name of fd 0 (stdin) of the process."),
  f("proc.stdout.name", "CHARBUF", "Name of fd 1 (stdout) of the process."),
  f("proc.stderr.name", "CHARBUF", "Name of fd 2 (stderr) of the process."),
];

export const processClass: FieldClass = {
  name: "process",
  description: "The process and thread that executed the syscall.",
  fields: [...processFields, ...threadFields],
};
