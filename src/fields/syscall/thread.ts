// thread.*: the thread that executed the syscall. libsinsp lists these in one class with proc.*
// ("process", see process.ts); they are kept apart here only to keep each table short.
// Facts follow libsinsp's sinsp_filtercheck_thread.cpp.
import { cgroupArg } from "../args.js";
import { sinspField as f } from "../define.js";
import type { FieldInfo } from "../types.js";

export const threadFields: readonly FieldInfo[] = [
  f("thread.cap_permitted", "CHARBUF", "Permitted capability set of the thread."),
  f("thread.cap_inheritable", "CHARBUF", "Inheritable capability set of the thread."),
  f("thread.cap_effective", "CHARBUF", "Effective capability set of the thread."),
  f("thread.pfmajor", "UINT64", "Major page faults of the thread since it started."),
  f("thread.pfminor", "UINT64", "Minor page faults of the thread since it started."),
  f("thread.tid", "INT64", "Id of the thread."),
  f("thread.ismain", "BOOL", "True for the main thread of the process."),
  f("thread.vtid", "INT64", "Id of the thread as seen in its own pid namespace."),
  f("thread.nametid", "CHARBUF", "Process name and thread id joined: one thread within one execve.", {
    hidden: true,
  }),
  f(
    "thread.exectime",
    "RELTIME",
    "CPU time the thread used in its last scheduling slice, in nanoseconds (switch events only).",
  ),
  f(
    "thread.totexectime",
    "RELTIME",
    "CPU time the thread used since the capture began, in nanoseconds (switch events only).",
  ),
  f("thread.cgroups", "CHARBUF", "All cgroups of the thread, joined into one string."),
  f(
    "thread.cgroup",
    "CHARBUF",
    "Cgroup of the thread for the subsystem named after the dot (thread.cgroup.cpuacct).",
    {
      arg: "key",
      argRequired: true,
      dottedArg: true,
      parseArg: cgroupArg,
    },
  ),
  f("thread.cpu", "DOUBLE", "CPU the thread used in the last second."),
  f("thread.cpu.user", "DOUBLE", "User-mode CPU the thread used in the last second."),
  f("thread.cpu.system", "DOUBLE", "Kernel-mode CPU the thread used in the last second."),
  f(
    "thread.vmsize",
    "UINT64",
    "For the main thread, the virtual memory size of the process in kB; 0 for other threads.",
  ),
  f(
    "thread.vmrss",
    "UINT64",
    "For the main thread, the resident memory of the process in kB; 0 for other threads.",
  ),
  f("thread.vmsize.b", "UINT64", "thread.vmsize in bytes.", { hidden: true }),
  f("thread.vmrss.b", "UINT64", "thread.vmrss in bytes.", { hidden: true }),
];
