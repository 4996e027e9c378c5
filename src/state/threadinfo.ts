// One thread as libsinsp tracks it (threadinfo.h/.cpp). Every field is set in the constructor so all
// ThreadInfo objects share one shape. Process-wide state (cwd, environment, fd table) lives on the
// process's main thread and is reached through `mainThread`, as libsinsp does; a non-main thread that
// shares its parent's files (CLONE_FILES) uses the main thread's fd table.
import { ScapEvent } from "../capture/scap/event.js";
import { FdTable } from "./fdinfo.js";

/** PPM_CL_* clone flags, and the libsinsp-specific bits kept in the same word. */
export const enum CloneFlag {
  CLONE_FILES = 1 << 0,
  CLONE_FS = 1 << 1,
  CLONE_NEWPID = 1 << 6,
  CLONE_PARENT = 1 << 8,
  CLONE_THREAD = 1 << 13,
  CLONE_VM = 1 << 15,
  CLONE_INVERTED = 1 << 16,
  NAME_CHANGED = 1 << 17,
  CLOSED = 1 << 18,
  ACTIVE = 1 << 19,
  CLONE_NEWUSER = 1 << 20,
  PIPE_SRC = 1 << 21,
  PIPE_DST = 1 << 22,
  CLONE_VFORK = 1 << 27,
  CHILD_IN_PIDNS = 1 << 29,
  IS_MAIN_THREAD = 1 << 30,
}

/** Initial size of the per-thread copy of the last stored enter event. */
const ENTER_BUFFER_INITIAL = 256;
const EMPTY_ARGS: readonly string[] = [];

export class ThreadInfo {
  tid = -1;
  pid = -1;
  ptid = -1;
  sid = -1;
  vpgid = -1;
  pgid = -1;
  comm = "";
  exe = "";
  exepath = "";
  args: readonly string[] = EMPTY_ARGS;
  /** Environment; meaningful on the main thread (see env()). */
  envList: readonly string[] = EMPTY_ARGS;
  /** Working directory, ending in '/'; meaningful on the main thread (see cwd()). */
  cwdValue = "";
  root = "";
  flags: number = CloneFlag.NAME_CHANGED;
  fdlimit = -1;
  uid = 0xffffffff;
  gid = 0xffffffff;
  loginuid = 0xffffffff;
  vmsizeKb = 0;
  vmrssKb = 0;
  vmswapKb = 0;
  pfmajor = 0;
  pfminor = 0;
  vtid = -1;
  vpid = -1;
  /** Creation time (ns since epoch), 0n when unknown. */
  cloneTs = 0n;
  tty = 0;
  /** [subsystem, path] pairs. */
  cgroups: readonly (readonly [string, string])[] = [];
  /** Short container id; "" for the host. */
  containerId = "";
  /** Threads of this process other than the main one (on the main thread). */
  nchilds = 0;
  exeWritable = false;
  exeUpperLayer = false;
  exeLowerLayer = false;
  exeFromMemfd = false;
  capInheritable = 0n;
  capPermitted = 0n;
  capEffective = 0n;
  exeIno = 0;
  exeInoCtime = 0n;
  exeInoMtime = 0n;
  pidnsInitStartTs = 0n;

  // Per-event parsing state (libsinsp's m_lastevent_*).
  lastEventFd = 0;
  lastEventType = -1;
  lastEventDataValid = false;
  latency = 0;
  /** Time of the last enter event, split into whole seconds and nanoseconds (exact); 0 when none. */
  lastEnterSec = 0;
  lastEnterNsec = 0;
  /** Event time of the last event of this thread (ns, as a number): used to purge idle threads. */
  lastAccessTs = 0;

  /** Copy of the parameters of the last stored enter event; created on first use, then reused. */
  enterView: ScapEvent | null = null;
  /** Type of that enter event, -1 when none. */
  enterType = -1;

  /** This thread's own fd table; threads sharing files use the main thread's (see fdTable()). */
  readonly ownFds: FdTable;

  // Strings derived from args, computed on first use after a change.
  argsJoined: string | undefined = undefined;
  cmdline: string | undefined = undefined;
  envJoined: string | undefined = undefined;

  constructor(maxFds: number) {
    this.ownFds = new FdTable(maxFds);
  }

  isMainThread(): boolean {
    return this.tid === this.pid || (this.flags & CloneFlag.IS_MAIN_THREAD) !== 0;
  }

  setArgs(args: readonly string[]): void {
    this.args = args;
    this.argsJoined = undefined;
    this.cmdline = undefined;
  }

  setComm(comm: string): void {
    this.comm = comm;
    this.cmdline = undefined;
  }

  setEnv(env: readonly string[]): void {
    this.envList = env;
    this.envJoined = undefined;
  }

  /** proc.args: the arguments joined by spaces. */
  joinedArgs(): string {
    if (this.argsJoined === undefined) this.argsJoined = this.args.join(" ");
    return this.argsJoined;
  }

  /** proc.cmdline: comm, then each argument after a space. */
  commandLine(): string {
    if (this.cmdline === undefined) {
      let s = this.comm;
      for (const a of this.args) s += " " + a;
      this.cmdline = s;
    }
    return this.cmdline;
  }

  /** The view holding the stored enter event, its buffer able to hold `len` bytes of parameters. */
  enterStorage(len: number): ScapEvent {
    let v = this.enterView;
    if (v === null) {
      v = new ScapEvent();
      this.enterView = v;
    }
    if (v.buf.length < len) {
      const buf = Buffer.alloc(Math.max(len, ENTER_BUFFER_INITIAL, v.buf.length * 2));
      v.buf = buf;
      v.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return v;
  }
}

/** Split NUL-separated strings as libsinsp's set_args does (a trailing NUL ends the last one). */
export function splitArgs(b: Buffer | null): string[] {
  const out: string[] = [];
  if (b === null) return out;
  let s = 0;
  const n = b.length;
  while (s < n) {
    let z = s;
    while (z < n && b[z] !== 0) z++;
    out.push(b.toString("utf8", s, z));
    s = z + 1;
  }
  return out;
}

/**
 * Split an environment block as libsinsp's set_env does: like args, but an all-zero tail (the
 * driver pads the block) ends the list.
 */
export function splitEnv(b: Buffer | null): string[] {
  const out: string[] = [];
  if (b === null) return out;
  let s = 0;
  const n = b.length;
  while (s < n) {
    if (b[s] === 0) {
      let allZero = true;
      for (let k = s; k < n; k++) {
        if (b[k] !== 0) {
          allZero = false;
          break;
        }
      }
      if (allZero) return out;
    }
    let z = s;
    while (z < n && b[z] !== 0) z++;
    out.push(b.toString("utf8", s, z));
    s = z + 1;
  }
  return out;
}

/** libsinsp's set_cgroups: "subsys=path" strings, subsystem names normalised. */
export function parseCgroups(entries: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const e of entries) {
    const sep = e.lastIndexOf("=");
    if (sep < 0) break;
    let subsys = e.slice(0, sep);
    const path = e.slice(sep + 1);
    const pos = subsys.indexOf("_cgroup");
    if (pos >= 0) subsys = subsys.slice(0, pos) + subsys.slice(pos + "_cgroup".length);
    if (subsys === "perf") subsys = "perf_event";
    else if (subsys === "mem") subsys = "memory";
    else if (subsys === "io") subsys = "blkio";
    out.push([subsys, path]);
  }
  return out;
}
