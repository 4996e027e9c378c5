// State changes of process events: clone/fork/vfork/clone3 (new threads and processes), execve/
// execveat (a new program), procexit, credential changes, chroot, setsid, capset, memory figures of
// scheduler switches and brk/mmap/munmap, container metadata events and user/group events. Facts
// follow libsinsp's parsers.cpp (parse_clone_exit, parse_execve_exit, ...), reading parameters by name
// so every version of an event goes through the same code.
import { EventType } from "../capture/events/table.js";
import type { ScapEvent } from "../capture/scap/event.js";
import { ContainerInfo, ContainerType, containerFromJson } from "./containers.js";
import type { SyscallEvent } from "./event.js";
import { has, i64, int, paramIndex, text } from "./params.js";
import { concatenatePaths } from "./paths.js";
import { dirOfDirfd } from "./parse-fd.js";
import type { EventProcessor } from "./processor.js";
import { CloneFlag, ThreadInfo, parseCgroups, splitArgs, splitEnv } from "./threadinfo.js";

const EXE_WRITABLE = 1 << 0;
const EXE_UPPER_LAYER = 1 << 1;
const EXE_FROM_MEMFD = 1 << 2;
const EXE_LOWER_LAYER = 1 << 3;
const EXVAT_AT_EMPTY_PATH = 1 << 0;
/** libsinsp: a child entry older than this at the child's own clone exit is a stale leftover. */
const CLONE_STALE_TIME_NS = 2e9;

/** Handle `type` if it is a process event. */
/** The exit events of clone, clone3, fork and vfork, every version. */
export function isCloneExit(t: number): boolean {
  switch (t) {
    case EventType.SYSCALL_CLONE_11_X:
    case EventType.SYSCALL_CLONE_16_X:
    case EventType.SYSCALL_CLONE_17_X:
    case EventType.SYSCALL_CLONE_20_X:
    case EventType.SYSCALL_FORK_X:
    case EventType.SYSCALL_FORK_17_X:
    case EventType.SYSCALL_FORK_20_X:
    case EventType.SYSCALL_VFORK_X:
    case EventType.SYSCALL_VFORK_17_X:
    case EventType.SYSCALL_VFORK_20_X:
    case EventType.SYSCALL_CLONE3_X:
      return true;
    default:
      return false;
  }
}

export function parseProcessEvent(p: EventProcessor, ctx: SyscallEvent, type: number): void {
  if (isCloneExit(type)) {
    parseCloneExit(p, ctx, type);
    return;
  }
  switch (type) {
    case EventType.SYSCALL_EXECVE_8_X:
    case EventType.SYSCALL_EXECVE_13_X:
    case EventType.SYSCALL_EXECVE_14_X:
    case EventType.SYSCALL_EXECVE_15_X:
    case EventType.SYSCALL_EXECVE_16_X:
    case EventType.SYSCALL_EXECVE_17_X:
    case EventType.SYSCALL_EXECVE_18_X:
    case EventType.SYSCALL_EXECVE_19_X:
    case EventType.SYSCALL_EXECVEAT_X:
      parseExecveExit(p, ctx, type);
      break;
    case EventType.PROCEXIT_E:
    case EventType.PROCEXIT_1_E:
      if (ctx.tinfo !== undefined) {
        ctx.tinfo.flags |= CloneFlag.CLOSED;
        p.scheduleThreadRemoval(ctx.ev.tid);
      }
      break;
    case EventType.SCHEDSWITCH_6_E:
      parseContextSwitch(p, ctx);
      break;
    case EventType.SYSCALL_BRK_4_X:
    case EventType.SYSCALL_MMAP_X:
    case EventType.SYSCALL_MMAP2_X:
    case EventType.SYSCALL_MUNMAP_X: {
      const t = ctx.tinfo;
      const ev = ctx.ev;
      if (t !== undefined && ev.nparams >= 4) {
        t.vmsizeKb = int(ev, 1);
        t.vmrssKb = int(ev, 2);
        t.vmswapKb = int(ev, 3);
      }
      break;
    }
    case EventType.SYSCALL_SETRESUID_X:
    case EventType.SYSCALL_SETREUID_X:
      setCredential(p, ctx, type, "euid", 1, true);
      break;
    case EventType.SYSCALL_SETRESGID_X:
    case EventType.SYSCALL_SETREGID_X:
      setCredential(p, ctx, type, "egid", 1, false);
      break;
    case EventType.SYSCALL_SETUID_X:
      setCredential(p, ctx, type, "uid", 0, true);
      break;
    case EventType.SYSCALL_SETGID_X:
      setCredential(p, ctx, type, "gid", 0, false);
      break;
    case EventType.SYSCALL_CHROOT_X:
      if (i64(ctx.ev, 0, -1) === 0 && ctx.tinfo !== undefined) {
        ctx.tinfo.root = text(ctx.ev, 1);
        p.state.resolveContainer(ctx.tinfo);
      }
      break;
    case EventType.SYSCALL_SETSID_X: {
      const res = i64(ctx.ev, 0, -1);
      if (res >= 0 && ctx.tinfo !== undefined) ctx.tinfo.sid = res;
      break;
    }
    case EventType.SYSCALL_CAPSET_X: {
      const t = ctx.tinfo;
      const ev = ctx.ev;
      if (t !== undefined && i64(ev, 0, -1) >= 0 && ev.nparams >= 4) {
        t.capInheritable = ev.paramU64(1) ?? t.capInheritable;
        t.capPermitted = ev.paramU64(2) ?? t.capPermitted;
        t.capEffective = ev.paramU64(3) ?? t.capEffective;
      }
      break;
    }
    case EventType.CONTAINER_E:
      parseOldContainerEvent(p, ctx);
      break;
    case EventType.CONTAINER_JSON_E:
    case EventType.CONTAINER_JSON_2_E:
      parseContainerJsonEvent(p, ctx);
      break;
    case EventType.USER_ADDED_E:
      p.state.importUser({
        kind: "user",
        blockOffset: 0,
        uid: int(ctx.ev, 0),
        gid: int(ctx.ev, 1),
        name: text(ctx.ev, 2),
        homedir: text(ctx.ev, 3),
        shell: text(ctx.ev, 4),
      });
      break;
    case EventType.USER_DELETED_E:
      p.state.users.delete(int(ctx.ev, 0));
      break;
    case EventType.GROUP_ADDED_E:
      p.state.importGroup({ kind: "group", blockOffset: 0, gid: int(ctx.ev, 0), name: text(ctx.ev, 1) });
      break;
    case EventType.GROUP_DELETED_E:
      p.state.groups.delete(int(ctx.ev, 0));
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------------------------------------------
// clone, fork, vfork, clone3

function parseCloneExit(p: EventProcessor, ctx: SyscallEvent, type: number): void {
  const s = p.state;
  const ev = ctx.ev;
  // Every version carries the result, exe, args, tid, pid, ptid, cwd, fdlimit and flags.
  if (ev.nparams < 9 || ev.paramLen(0) !== 8 || ev.paramLen(4) !== 8) {
    s.counters.malformedEvents++;
    return;
  }
  let tid = ev.tid;
  let childTid = i64(ev, 0, -1);
  const flags = int(ev, paramIndex(type, "flags"));
  if (childTid < 0) return;
  let vtid = tid;
  let vpid = -1;
  const vtidIndex = paramIndex(type, "vtid");
  if (vtidIndex >= 0) {
    vtid = i64(ev, vtidIndex, tid);
    vpid = i64(ev, paramIndex(type, "vpid"), -1);
  }
  const inContainer = (flags & CloneFlag.CHILD_IN_PIDNS) !== 0 || tid !== vtid;
  let inverted = false;
  let collision = false;

  if (childTid === 0) {
    // The child's side of the clone.
    let self = ctx.tinfo;
    if (self !== undefined && self.cloneTs !== 0n && Number(ev.ts - self.cloneTs) > CLONE_STALE_TIME_NS) {
      s.removeThread(tid, true);
      self = undefined;
      ctx.tinfo = undefined;
    }
    const parentTid = i64(ev, (flags & CloneFlag.CLONE_THREAD) !== 0 ? 4 : 5, -1);
    if (self === undefined) {
      // The child returned before its parent (or the parent's exit was lost, or ran in a pid
      // namespace): the child creates its own entry.
      inverted = true;
      childTid = tid;
      tid = parentTid;
    } else {
      if (inContainer) {
        self.vtid = vtid;
        self.vpid = vpid;
      }
      return;
    }
  } else if (inContainer) {
    // The parent in a pid namespace sees the child's namespaced tid: wait for the child's own exit.
    return;
  }

  let parent = s.getOrInvent(tid);
  if (parent === undefined) return;
  let validParent = !(parent.comm === "<NA>" && parent.uid === 0xffffffff);

  const existing = s.find(childTid);
  if (existing !== undefined) {
    if ((existing.flags & CloneFlag.CLONE_INVERTED) !== 0) return;
    // A leftover entry whose exit we missed.
    s.removeThread(childTid, true);
    collision = true;
  }

  const child = s.newThread();
  child.tid = childTid;
  child.ptid = tid;
  if (validParent) {
    copyFromParent(child, parent, flags);
  } else {
    // A placeholder parent: try again (a capture has nothing better), then take the event's data.
    s.removeThread(tid, true);
    collision = true;
    const again = s.getOrInvent(tid);
    if (again === undefined) return;
    parent = again;
    validParent = !(parent.comm === "<NA>" && parent.uid === 0xffffffff);
    if (validParent) {
      copyFromParent(child, parent, flags);
    } else {
      child.exe = text(ev, 1);
      child.setComm(commOf(ev, type, child.exe));
      child.setArgs(splitArgs(ev.paramBytes(2)));
      parent.setComm(child.comm);
      parent.exe = child.exe;
      parent.exepath = child.exepath;
      parent.setArgs(child.args);
    }
  }

  child.pid = i64(ev, 4, -1);
  child.flags = flags;
  if ((flags & CloneFlag.CLONE_THREAD) === 0) {
    // A new process: its own pid, a copy of the parent's fds, the parent's working directory.
    child.pid = childTid;
    const table = s.fdTable(parent);
    if (table !== undefined) table.copyInto(child.ownFds);
    child.cwdValue = s.cwd(parent);
  }
  if (inverted) child.flags |= CloneFlag.CLONE_INVERTED;

  child.exe = text(ev, 1);
  child.setComm(commOf(ev, type, child.exe));
  child.setArgs(splitArgs(ev.paramBytes(2)));
  child.fdlimit = i64(ev, 7, -1);
  const pfIndex = paramIndex(type, "pgft_maj");
  if (pfIndex >= 0) {
    child.pfmajor = i64(ev, pfIndex);
    child.pfminor = i64(ev, pfIndex + 1);
    child.vmsizeKb = int(ev, pfIndex + 2);
    child.vmrssKb = int(ev, pfIndex + 3);
    child.vmswapKb = int(ev, pfIndex + 4);
  }
  child.uid = int(ev, paramIndex(type, "uid"), 0xffffffff) >>> 0;
  child.gid = int(ev, paramIndex(type, "gid"), 0xffffffff) >>> 0;
  if (inContainer) {
    child.vtid = vtid;
    child.vpid = vpid;
  } else {
    child.vtid = child.tid;
    child.vpid = child.pid;
  }
  const cgIndex = paramIndex(type, "cgroups");
  if (cgIndex >= 0 && has(ev, cgIndex)) {
    child.cgroups = parseCgroups(splitArgs(ev.paramBytes(cgIndex)));
    s.resolveContainer(child);
  } else {
    child.cgroups = parent.cgroups;
    child.containerId = parent.containerId;
  }
  const nsIndex = paramIndex(type, "pidns_init_start_ts");
  if (nsIndex >= 0 && ev.paramLen(nsIndex) === 8) child.pidnsInitStartTs = ev.paramU64(nsIndex) ?? 0n;
  child.cloneTs = ev.ts;
  const added = s.addThread(child, false);
  if (collision && added) {
    // The event's own thread may have been the one replaced.
    ctx.tinfo = s.getOrInvent(ev.tid);
  }
}

function copyFromParent(child: ThreadInfo, parent: ThreadInfo, flags: number): void {
  child.setComm(parent.comm);
  child.exe = parent.exe;
  child.exepath = parent.exepath;
  child.exeWritable = parent.exeWritable;
  child.exeUpperLayer = parent.exeUpperLayer;
  child.exeLowerLayer = parent.exeLowerLayer;
  child.exeFromMemfd = parent.exeFromMemfd;
  child.setArgs(parent.args);
  child.root = parent.root;
  child.sid = parent.sid;
  child.vpgid = parent.vpgid;
  child.pgid = parent.pgid;
  child.tty = parent.tty;
  child.loginuid = parent.loginuid;
  child.capInheritable = parent.capInheritable;
  child.capPermitted = parent.capPermitted;
  child.capEffective = parent.capEffective;
  child.exeIno = parent.exeIno;
  child.exeInoCtime = parent.exeInoCtime;
  child.exeInoMtime = parent.exeInoMtime;
  child.pidnsInitStartTs = parent.pidnsInitStartTs;
  if ((flags & CloneFlag.CLONE_THREAD) === 0) child.setEnv(parent.envList);
}

/** comm of a clone/execve exit: its own parameter where the version has one, else the exe. */
function commOf(ev: ScapEvent, type: number, exe: string): string {
  const i = paramIndex(type, "comm");
  return i >= 0 && i < ev.nparams ? text(ev, i) : exe;
}

// ---------------------------------------------------------------------------------------------------
// execve, execveat

function parseExecveExit(p: EventProcessor, ctx: SyscallEvent, type: number): void {
  const s = p.state;
  const ev = ctx.ev;
  const t = ctx.tinfo;
  const n = ev.nparams;
  if (n < 8 || ev.paramLen(0) !== 8) {
    s.counters.malformedEvents++;
    return;
  }
  if (i64(ev, 0, -1) < 0 || t === undefined) return;
  t.exe = text(ev, 1);
  t.setComm(commOf(ev, type, t.exe));
  t.setArgs(splitArgs(ev.paramBytes(2)));
  t.pid = i64(ev, 4, t.pid);
  if (t.ptid === -1) t.ptid = i64(ev, 5, -1);
  t.fdlimit = i64(ev, 7, t.fdlimit);
  if (n > 12) {
    t.pfmajor = i64(ev, 8);
    t.pfminor = i64(ev, 9);
    t.vmsizeKb = int(ev, 10);
    t.vmrssKb = int(ev, 11);
    t.vmswapKb = int(ev, 12);
  }
  const envIndex = paramIndex(type, "env");
  if (envIndex >= 0 && envIndex < n) t.setEnv(splitEnv(ev.paramBytes(envIndex)));
  const cgIndex = paramIndex(type, "cgroups");
  if (cgIndex >= 0 && cgIndex < n) {
    t.cgroups = parseCgroups(splitArgs(ev.paramBytes(cgIndex)));
    s.resolveContainer(t);
  }
  const ttyIndex = paramIndex(type, "tty");
  if (ttyIndex >= 0 && ttyIndex < n) t.tty = int(ev, ttyIndex);

  // The executable's path: newer drivers give it; older captures have it built from the enter event.
  const trusted = paramIndex(type, "trusted_exepath");
  if (trusted >= 0 && has(ev, trusted)) {
    t.exepath = text(ev, trusted);
  } else if (
    type === EventType.SYSCALL_EXECVE_18_X ||
    type === EventType.SYSCALL_EXECVE_19_X ||
    type === EventType.SYSCALL_EXECVEAT_X
  ) {
    exepathFromEnter(p, ctx, t);
  }
  const vpgid = paramIndex(type, "vpgid");
  if (vpgid >= 0 && vpgid < n) t.vpgid = i64(ev, vpgid, t.vpgid);
  if (n > 18) t.loginuid = int(ev, 18) >>> 0;
  if (n > 19) {
    const f = int(ev, 19);
    t.exeWritable = (f & EXE_WRITABLE) !== 0;
    t.exeUpperLayer = (f & EXE_UPPER_LAYER) !== 0;
    t.exeFromMemfd = (f & EXE_FROM_MEMFD) !== 0;
    t.exeLowerLayer = (f & EXE_LOWER_LAYER) !== 0;
  }
  if (n > 22 && has(ev, 22)) {
    t.capInheritable = ev.paramU64(20) ?? 0n;
    t.capPermitted = ev.paramU64(21) ?? 0n;
    t.capEffective = ev.paramU64(22) ?? 0n;
  }
  if (n > 25 && has(ev, 25)) {
    t.exeIno = i64(ev, 23);
    t.exeInoCtime = ev.paramU64(24) ?? 0n;
    t.exeInoMtime = ev.paramU64(25) ?? 0n;
  }
  if (n > 26 && has(ev, 26)) t.uid = int(ev, 26) >>> 0;
  if (n > 28 && has(ev, 28)) t.pgid = i64(ev, 28, -1);
  if (n > 29 && has(ev, 29)) t.gid = int(ev, 29) >>> 0;

  const keep =
    t.flags & (CloneFlag.PIPE_SRC | CloneFlag.PIPE_DST | CloneFlag.IS_MAIN_THREAD | CloneFlag.CLONE_INVERTED);
  t.flags = CloneFlag.ACTIVE | keep | CloneFlag.NAME_CHANGED;
}

function exepathFromEnter(p: EventProcessor, ctx: SyscallEvent, t: ThreadInfo): void {
  if (!p.retrieveEnter(ctx)) return;
  const e = ctx.enter;
  if (e.type === EventType.SYSCALL_EXECVEAT_E) {
    const dirfd = i64(e, 0, -100);
    let pathname = text(e, 1);
    if (pathname === "<NA>") {
      t.exepath = "<NA>";
      return;
    }
    const flags = int(e, 2);
    const sdir = dirOfDirfd(p, ctx, pathname, dirfd);
    if ((flags & EXVAT_AT_EMPTY_PATH) !== 0 && pathname.length === 0) pathname = sdir;
    t.exepath = concatenatePaths(sdir, pathname);
    return;
  }
  const filename = text(e, 0);
  t.exepath = filename.startsWith("<NA>") ? "<NA>" : concatenatePaths(t.cwdValue, filename);
}

// ---------------------------------------------------------------------------------------------------
// Credentials, scheduler, containers

function setCredential(
  p: EventProcessor,
  ctx: SyscallEvent,
  type: number,
  name: string,
  enterIndex: number,
  isUser: boolean,
): void {
  const t = ctx.tinfo;
  const ev = ctx.ev;
  if (t === undefined || i64(ev, 0, -1) < 0) return;
  let value: number | undefined;
  if (p.retrieveEnter(ctx)) {
    value = ctx.enter.paramInt(enterIndex);
  } else {
    const i = paramIndex(type, name);
    if (i >= 0 && has(ev, i)) value = ev.paramInt(i);
  }
  if (value === undefined) return;
  value = value >>> 0;
  // setres[ug]id with -1 leaves the id alone.
  if (enterIndex === 1 && value === 0xffffffff) return;
  if (isUser) t.uid = value;
  else t.gid = value;
}

function parseContextSwitch(p: EventProcessor, ctx: SyscallEvent): void {
  const t = ctx.tinfo;
  const ev = ctx.ev;
  if (t === undefined || ev.nparams < 6) return;
  t.pfmajor = i64(ev, 1);
  t.pfminor = i64(ev, 2);
  const main = p.state.mainThread(t);
  if (main !== undefined) {
    main.vmsizeKb = int(ev, 3);
    main.vmrssKb = int(ev, 4);
    main.vmswapKb = int(ev, 5);
  }
}

/** The made-up thread container events belong to (libsinsp's sinsp_container_info::get_tinfo). */
function containerThread(p: EventProcessor, id: string): ThreadInfo {
  const t = p.state.newThread();
  t.tid = -1;
  t.pid = -1;
  t.vtid = -2;
  t.vpid = -2;
  t.comm = "container:" + id;
  t.containerId = id;
  t.uid = 0;
  t.gid = 0;
  t.loginuid = 0;
  return t;
}

function parseContainerJsonEvent(p: EventProcessor, ctx: SyscallEvent): void {
  const info = containerFromJson(text(ctx.ev, 0));
  if (info === undefined) {
    p.state.counters.badContainerEvents++;
    return;
  }
  ctx.tinfo = containerThread(p, info.id);
  p.state.containers.put(info);
}

function parseOldContainerEvent(p: EventProcessor, ctx: SyscallEvent): void {
  const ev = ctx.ev;
  const info = new ContainerInfo();
  info.id = text(ev, 0);
  info.type = int(ev, 1, ContainerType.DOCKER);
  info.name = text(ev, 2);
  info.image = text(ev, 3);
  p.state.containers.put(info);
}
