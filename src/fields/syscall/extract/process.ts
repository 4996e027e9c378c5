// proc.* and thread.*: the thread that executed the event, its process and ancestors. Values follow
// libsinsp's sinsp_filter_check_thread: an event whose thread is unknown has none of these fields
// (thread.tid excepted, which is the event's own tid).
//
// Fields that name "any ancestor" when written without an index (proc.aname, proc.apid, proc.aexe,
// proc.aexepath, proc.acmdline, proc.aargs, proc.aenv) yield the list of the ancestors' values; the
// engine compares such a value as libsinsp does, by matching any element.
import { EventType } from "../../../capture/events/table.js";
import type { Extractor, FieldValue } from "../../../engine/source.js";
import type { SyscallEvent } from "../../../state/event.js";
import type { SystemState } from "../../../state/state.js";
import { fdTypeName } from "../../../state/fdinfo.js";
import type { ThreadInfo } from "../../../state/threadinfo.js";
import type { ResolvedField } from "../../types.js";

type X = Extractor<SyscallEvent>;
type Get = (t: ThreadInfo, s: SystemState, e: SyscallEvent) => FieldValue;

/** A thread field: undefined when the event has no thread. */
function onThread(get: Get): X {
  return (e) => {
    const t = e.thread();
    return t === undefined ? undefined : get(t, e.state, e);
  };
}

/** The main thread of `t`'s process, for fields of the process. */
function mainOf(t: ThreadInfo, s: SystemState): ThreadInfo | undefined {
  return t.isMainThread() ? t : s.mainThread(t);
}

/** The level-`n` ancestor (0: the process itself), by the parent chain of main threads. */
function ancestor(t: ThreadInfo, s: SystemState, n: number): ThreadInfo | undefined {
  let mt = mainOf(t, s);
  for (let j = 0; j < n && mt !== undefined; j++) mt = s.parent(mt);
  return mt;
}

function env(t: ThreadInfo, s: SystemState): readonly string[] {
  return s.env(t);
}

function envValue(list: readonly string[], name: string): string | undefined {
  const n = name.length;
  for (const v of list) {
    if (v.length > n + 1 && v.charCodeAt(n) === 61 && v.startsWith(name)) {
      // libsinsp trims spaces around the value.
      const rest = v.slice(n + 1);
      const trimmed = rest.replace(/^ +/, "");
      return trimmed === "" ? "" : trimmed.replace(/ +$/, "");
    }
  }
  return undefined;
}

function exeline(t: ThreadInfo): string {
  return t.exe + " " + t.joinedArgs();
}

function cmdlineOf(t: ThreadInfo): string {
  return t.commandLine();
}

/** Per-ancestor field: `[N]` picks one; without an index, the list of all ancestors' values. */
function ancestors(
  arg: string | undefined,
  value: (a: ThreadInfo, s: SystemState) => string | number | undefined,
): X {
  if (arg !== undefined) {
    const n = Number(arg);
    return onThread((t, s) => {
      if (n < 0) return undefined;
      const a = ancestor(t, s, n);
      return a === undefined ? undefined : value(a, s);
    });
  }
  return onThread((t, s) => {
    const mt = mainOf(t, s);
    if (mt === undefined) return undefined;
    const out: (string | number)[] = [];
    s.forEachAncestor(mt, (a) => {
      const v = value(a, s);
      if (v !== undefined) out.push(v);
      return true;
    });
    return out;
  });
}

function stdioType(fd: number): X {
  return onThread((t, s) => {
    const fdi = s.fdTable(t)?.get(fd);
    return fdi === undefined ? undefined : fdTypeName(fdi.type);
  });
}

function stdioName(fd: number): X {
  return onThread((t, s) => s.fdTable(t)?.get(fd)?.name);
}

/** The session leader (proc.sname and friends): the thread with pid == sid, else the eldest ancestor in the session. */
function sessionLeader(t: ThreadInfo, s: SystemState): ThreadInfo | undefined {
  const leader = s.find(t.sid);
  if (leader !== undefined) return leader;
  let mt = mainOf(t, s);
  if (mt === undefined) return undefined;
  const sid = mt.sid;
  s.forEachAncestor(mt, (a) => {
    if (a.sid !== sid) return false;
    mt = a;
    return true;
  });
  return mt;
}

function groupLeader(t: ThreadInfo, s: SystemState, virtualId: boolean): ThreadInfo | undefined {
  const gid = virtualId ? t.vpgid : t.pgid;
  if (gid <= 0) return undefined;
  const mt = mainOf(t, s);
  if (mt === undefined) return undefined;
  if ((virtualId ? mt.vpid : mt.pid) === gid) return mt;
  let found: ThreadInfo | undefined;
  s.forEachAncestor(mt, (a) => {
    if ((virtualId ? a.vpid : a.pid) === gid) {
      found = a;
      return false;
    }
    return true;
  });
  return found;
}

function capText(v: bigint): string {
  if (v === 0n) return "";
  const out: string[] = [];
  for (let i = 0; i < CAPS.length; i++) if ((v & (1n << BigInt(i))) !== 0n) out.push(CAPS[i]!);
  return out.join(" ");
}

/** Linux capability names by bit. */
const CAPS = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
];

function loginShellId(t: ThreadInfo, s: SystemState): number | undefined {
  const mt = mainOf(t, s);
  if (mt === undefined) return undefined;
  let res: number | undefined;
  const check = (a: ThreadInfo): boolean => {
    const c = a.comm;
    if (c.length >= 2 && c.endsWith("sh")) res = a.pid;
    return true;
  };
  check(mt);
  s.forEachAncestor(mt, check);
  return res;
}

/**
 * thread.exectime / thread.totexectime (libsinsp extract_exectime): on scheduler switch events, the
 * time since the previous switch on the same CPU, as seen by this field; 0 on other events. The
 * total accumulates per thread.
 */
function exectime(total: boolean): X {
  const lastSwitch = new Map<number, bigint>();
  const totals = new WeakMap<ThreadInfo, number>();
  return (e) => {
    let v = 0;
    if (e.ev.type === EventType.SCHEDSWITCH_6_E || e.ev.type === EventType.SCHEDSWITCH_1_E) {
      const ts = e.ev.ts;
      const last = lastSwitch.get(e.ev.cpu);
      if (last !== undefined) v = Number(ts - last);
      lastSwitch.set(e.ev.cpu, ts);
    }
    if (!total) return v;
    const t = e.thread();
    if (t === undefined) return undefined;
    const sum = (totals.get(t) ?? 0) + v;
    totals.set(t, sum);
    return sum;
  };
}

/** The extractor of a proc.* or thread.* field; undefined when the name is not one of these. */
export function processExtractor(field: ResolvedField): X | undefined {
  const arg = field.arg;
  switch (field.info.name) {
    case "thread.tid":
      return (e) => e.ev.tid;
    case "proc.pid":
      return onThread((t) => t.pid);
    case "proc.sid":
      return onThread((t) => t.sid);
    case "proc.vpgid":
      return onThread((t) => t.vpgid);
    case "proc.pgid":
      return onThread((t) => t.pgid);
    case "proc.sname":
      return onThread((t, s) => sessionLeader(t, s)?.comm);
    case "proc.sid.exe":
      return onThread((t, s) => sessionLeader(t, s)?.exe);
    case "proc.sid.exepath":
      return onThread((t, s) => sessionLeader(t, s)?.exepath);
    case "proc.vpgid.name":
      return onThread((t, s) => groupLeader(t, s, true)?.comm);
    case "proc.vpgid.exe":
      return onThread((t, s) => groupLeader(t, s, true)?.exe);
    case "proc.vpgid.exepath":
      return onThread((t, s) => groupLeader(t, s, true)?.exepath);
    case "proc.pgid.name":
      return onThread((t, s) => groupLeader(t, s, false)?.comm);
    case "proc.pgid.exe":
      return onThread((t, s) => groupLeader(t, s, false)?.exe);
    case "proc.pgid.exepath":
      return onThread((t, s) => groupLeader(t, s, false)?.exepath);
    case "proc.is_sid_leader":
      return onThread((t) => t.sid === t.vpid);
    case "proc.is_vpgid_leader":
      return onThread((t) => t.vpgid === t.vpid);
    case "proc.is_pgid_leader":
      return onThread((t) => t.pgid === t.pid);
    case "proc.tty":
      return onThread((t) => t.tty);
    case "proc.name":
      return onThread((t) => t.comm);
    case "proc.exe":
      return onThread((t) => t.exe);
    case "proc.exepath":
      return onThread((t) => t.exepath);
    case "proc.args":
      if (arg !== undefined) {
        const n = Number(arg);
        return onThread((t) => (n >= 0 && n < t.args.length ? t.args[n] : undefined));
      }
      return onThread((t) => t.joinedArgs());
    case "proc.aargs":
      return ancestors(arg, (a) => a.joinedArgs());
    case "proc.env":
      if (arg !== undefined) return onThread((t, s) => envValue(env(t, s), arg) ?? "");
      return onThread((t, s) => env(t, s).join(" "));
    case "proc.aenv":
      if (arg !== undefined && !/^[0-9]+$/.test(arg)) {
        return onThread((t, s) => {
          const mt = mainOf(t, s);
          if (mt === undefined) return undefined;
          let found: string | undefined;
          s.forEachAncestor(mt, (a) => {
            found = envValue(s.env(a), arg);
            return found === undefined;
          });
          return found ?? "";
        });
      }
      return ancestors(arg, (a, s) => env(a, s).join(" "));
    case "proc.cmdline":
      return onThread(cmdlineOf);
    case "proc.exeline":
      return onThread(exeline);
    case "proc.cmdnargs":
      return onThread((t) => t.args.length);
    case "proc.cmdlenargs":
      return onThread((t) => t.args.reduce((n, a) => n + a.length, 0));
    case "proc.cwd":
      return onThread((t, s) => s.cwd(t));
    case "proc.nthreads":
      return onThread((t, s) => {
        const mt = mainOf(t, s);
        return mt === undefined ? undefined : mt.nchilds + 1;
      });
    case "proc.nchilds":
      return onThread((t) => t.nchilds);
    case "thread.ismain":
      return onThread((t) => t.isMainThread());
    case "thread.exectime":
      return exectime(false);
    case "thread.totexectime":
      return exectime(true);
    case "proc.ppid":
      return onThread((t, s) => mainOf(t, s)?.ptid);
    case "proc.pname":
      return onThread((t, s) => s.parent(t)?.comm);
    case "proc.pcmdline":
      return onThread((t, s) => {
        const p = s.parent(t);
        return p === undefined ? undefined : cmdlineOf(p);
      });
    case "proc.pexe":
      return onThread((t, s) => s.parent(t)?.exe);
    case "proc.pexepath":
      return onThread((t, s) => s.parent(t)?.exepath);
    case "proc.pvpid":
      return onThread((t, s) => {
        const p = s.parent(t);
        return p === undefined || p.vpid === -1 ? undefined : p.vpid;
      });
    case "proc.apid":
      return ancestors(arg, (a) => a.pid);
    case "proc.aname":
      return ancestors(arg, (a) => a.comm);
    case "proc.aexe":
      return ancestors(arg, (a) => a.exe);
    case "proc.aexepath":
      return ancestors(arg, (a) => a.exepath);
    case "proc.acmdline":
      return ancestors(arg, (a) => cmdlineOf(a));
    case "proc.loginshellid":
      return onThread(loginShellId);
    case "proc.duration":
      return onThread((t, _s, e) => (t.cloneTs !== 0n ? e.ev.ts - t.cloneTs : undefined));
    case "proc.ppid.duration":
      return onThread((t, s, e) => {
        const p = s.parent(t);
        return p === undefined || p.cloneTs === 0n ? undefined : e.ev.ts - p.cloneTs;
      });
    case "proc.pid.ts":
      return onThread((t) => (t.cloneTs !== 0n ? t.cloneTs : undefined));
    case "proc.ppid.ts":
      return onThread((t, s) => {
        const p = s.parent(t);
        return p === undefined || p.cloneTs === 0n ? undefined : p.cloneTs;
      });
    case "proc.fdopencount":
      return onThread((t, s) => mainOf(t, s)?.ownFds.size);
    case "proc.fdlimit":
      return onThread((t, s) => mainOf(t, s)?.fdlimit);
    case "proc.fdusage":
      return onThread((t, s) => {
        const mt = mainOf(t, s);
        if (mt === undefined) return undefined;
        if (mt.fdlimit <= 0) return 0;
        const n = mt.ownFds.size;
        return n <= mt.fdlimit ? (n * 100) / mt.fdlimit : 100;
      });
    case "proc.vmsize":
      return onThread((t) => t.vmsizeKb);
    case "proc.vmrss":
      return onThread((t) => t.vmrssKb);
    case "proc.vmswap":
      return onThread((t) => t.vmswapKb);
    case "thread.vmsize":
      return onThread((t) => (t.isMainThread() ? t.vmsizeKb : 0));
    case "thread.vmrss":
      return onThread((t) => (t.isMainThread() ? t.vmrssKb : 0));
    case "thread.vmsize.b":
      return onThread((t) => (t.isMainThread() ? t.vmsizeKb * 1024 : 0));
    case "thread.vmrss.b":
      return onThread((t) => (t.isMainThread() ? t.vmrssKb * 1024 : 0));
    case "thread.pfmajor":
      return onThread((t) => t.pfmajor);
    case "thread.pfminor":
      return onThread((t) => t.pfminor);
    case "thread.cgroups":
      return onThread((t) =>
        t.cgroups.length === 0 ? undefined : t.cgroups.map(([k, v]) => `${k}=${v}`).join(" "),
      );
    case "thread.cgroup":
      return onThread((t) => {
        for (const [k, v] of t.cgroups) if (k === arg) return v;
        return undefined;
      });
    case "thread.vtid":
      return onThread((t) => (t.vtid === -1 ? undefined : t.vtid));
    case "proc.vpid":
      return onThread((t) => (t.vpid === -1 ? undefined : t.vpid));
    case "thread.cpu":
    case "thread.cpu.user":
    case "thread.cpu.system":
      // CPU usage comes from procinfo events of a live system; a capture has no samples to rate.
      return () => undefined;
    case "thread.nametid":
      return onThread((t, _s, e) => t.comm + String(e.ev.tid));
    case "thread.cap_permitted":
      return onThread((t) => capText(t.capPermitted));
    case "thread.cap_inheritable":
      return onThread((t) => capText(t.capInheritable));
    case "thread.cap_effective":
      return onThread((t) => capText(t.capEffective));
    case "proc.is_exe_writable":
      return onThread((t) => t.exeWritable);
    case "proc.is_exe_upper_layer":
      return onThread((t) => t.exeUpperLayer);
    case "proc.is_exe_lower_layer":
      return onThread((t) => t.exeLowerLayer);
    case "proc.is_exe_from_memfd":
      return onThread((t) => t.exeFromMemfd);
    case "proc.is_container_healthcheck":
    case "proc.is_container_liveness_probe":
    case "proc.is_container_readiness_probe":
      return onThread(() => false);
    case "proc.exe_ino":
      return onThread((t) => (t.exeIno === 0 ? undefined : t.exeIno));
    case "proc.exe_ino.ctime":
      return onThread((t) => (t.exeInoCtime === 0n ? undefined : t.exeInoCtime));
    case "proc.exe_ino.mtime":
      return onThread((t) => (t.exeInoMtime === 0n ? undefined : t.exeInoMtime));
    case "proc.exe_ino.ctime_duration_proc_start":
      return onThread((t) =>
        t.exeInoCtime === 0n || t.cloneTs === 0n ? undefined : t.cloneTs - t.exeInoCtime,
      );
    case "proc.exe_ino.ctime_duration_pidns_start":
      return onThread((t) =>
        t.pidnsInitStartTs !== 0n && t.exeInoCtime > t.pidnsInitStartTs
          ? t.exeInoCtime - t.pidnsInitStartTs
          : undefined,
      );
    case "proc.pidns_init_start_ts":
      return onThread((t) => (t.pidnsInitStartTs === 0n ? undefined : t.pidnsInitStartTs));
    case "proc.stdin.type":
      return stdioType(0);
    case "proc.stdout.type":
      return stdioType(1);
    case "proc.stderr.type":
      return stdioType(2);
    case "proc.stdin.name":
      return stdioName(0);
    case "proc.stdout.name":
      return stdioName(1);
    case "proc.stderr.name":
      return stdioName(2);
    default:
      return undefined;
  }
}
