// The initial state of a live capture, read from /proc: every process and thread with its fds, the
// users and groups, the network interfaces and the machine, as the same records the scap reader yields
// from a capture's metadata blocks. Feed them to EventProcessor.onRecord (or a ScapWriter) in the
// order procScanRecords() gives: machine, interfaces, users and groups, processes, then each process's
// fds. Processes started before the agent are then attributed like the ones it sees start.
//
// What libscap reads (userspace/libscap/linux/scap_procs.c, scap_fds.c), read here the same way:
//   /proc/PID/task/TID/  cmdline (argv[0] is exe, the rest args), exe -> exepath, comm, environ, cwd,
//                        root, status (Tgid, PPid, effective Uid/Gid, CapInh/CapPrm/CapEff, VmSize/VmRSS/
//                        VmSwap, NSpid/NStgid/NSpgid), stat (pgid, sid, tty, minor/major faults),
//                        loginuid, cgroup, limits (open files), the exe's inode and times
//   /proc/PID/fd/N       stat() for the kind (fifo, file/char/block device, directory, socket, anon inode),
//                        readlink() for the name; fdinfo/N for a file's open flags
//   /proc/PID/net/{tcp,udp,raw,unix,netlink,tcp6,udp6,raw6}  socket tuples by inode, once per network
//                        namespace
//   /etc/passwd, /etc/group  users and groups
// Kernel threads (no cmdline and no exe link) are skipped, as libscap does.
//
// Bounded: at most `maxThreads` threads, `maxFdsPerProcess` fds per process, `maxUsers` users and groups,
// and a time budget after which the scan stops with what it has (`truncated`). Reads are capped at the
// scap format's sizes (4 KiB of args, 4 KiB of env, 1 KiB paths). A process or thread that exits during
// the scan is skipped and counted (`vanished`); any other unreadable file leaves its field at the value
// libscap gives it when the file is missing, and is counted by kind. Nothing throws for a vanished
// process.
//
// Deliberate differences from libscap, each one in the direction of what the kernel says:
// - vpgid is the pgid for processes of the host pid namespace (libscap leaves it 0 there), so
//   proc.is_vpgid_leader is right for processes started before the agent;
// - exe_from_memfd is set for executables whose link names a memfd (libscap's scan leaves it false);
// - exe_writable is decided from the executable's owner and mode bits against the process's effective
//   uid and gid, without switching credentials (libscap switches its thread's euid/egid and asks
//   faccessat); ACLs and supplementary groups are not considered;
// - O_TMPFILE and O_SYNC are reported only when all of their bits are set, as the probe reports them.
import { closeSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, statSync } from "node:fs";
import { networkInterfaces, totalmem, cpus, hostname as osHostname } from "node:os";
import {
  FdType,
  InterfaceType,
  MAX_ARGS_SIZE,
  MAX_CGROUPS_SIZE,
  MAX_CREDENTIALS_STR_LEN,
  MAX_ENV_SIZE,
  MAX_PATH_SIZE,
} from "../capture/scap/format.js";
import type {
  FdRecord,
  GroupRecord,
  InterfaceRecord,
  MachineInfoRecord,
  ProcessRecord,
  ScapRecord,
  UserRecord,
} from "../capture/scap/records.js";
import { ipv6String } from "../capture/scap/records.js";
import { L4Proto } from "./net.js";
import { CloneFlag } from "./threadinfo.js";

export interface ProcScanOptions {
  /** procfs mount (default "/proc"). Socket tables are read from PROC/PID/net/. */
  readonly procRoot?: string;
  /** Where passwd and group are read (default "/etc"). */
  readonly etcRoot?: string;
  /** Most threads kept (default 131072, libsinsp's thread table size). */
  readonly maxThreads?: number;
  /** Most fds kept per process (default 4096). */
  readonly maxFdsPerProcess?: number;
  /** Most users, and most groups, kept (default 65536). */
  readonly maxUsers?: number;
  /** Time budget in ms (default 10000); the scan stops with what it has when it runs out. */
  readonly timeoutMs?: number;
  /** Read fds (default true). */
  readonly withFds?: boolean;
  /** Read the threads of each process (default true). */
  readonly withThreads?: boolean;
  /** Wall clock in ns since the epoch (default Date.now()). */
  readonly nowNs?: () => bigint;
}

/** Things the scan could not read, counted by kind rather than logged. */
export interface ProcScanCounters {
  /** Processes or threads that exited while being read. */
  vanished: number;
  /** Kernel threads and zombies (no cmdline, no exe), skipped as libscap does. */
  kernelThreads: number;
  /** Threads not kept because `maxThreads` was reached. */
  threadsOverLimit: number;
  /** fds not kept because `maxFdsPerProcess` was reached. */
  fdsOverLimit: number;
  /** Sockets whose inode was in no socket table (kept as UNKNOWN fds are not; dropped). */
  unmatchedSockets: number;
  /** Files that exist but could not be read (permissions), by name. */
  unreadable: Record<string, number>;
}

export interface ProcScanResult {
  readonly machine: MachineInfoRecord;
  readonly interfaces: readonly InterfaceRecord[];
  readonly users: readonly UserRecord[];
  readonly groups: readonly GroupRecord[];
  /** Threads, each process's main thread before its other threads. */
  readonly processes: readonly ProcessRecord[];
  /** fds of main threads, grouped by tid in the order of `processes`. */
  readonly fds: readonly FdRecord[];
  readonly counters: ProcScanCounters;
  /** The time budget ran out or the thread limit was reached before every process was read. */
  readonly truncated: boolean;
  readonly elapsedMs: number;
}

const DEFAULT_MAX_THREADS = 131072;
const DEFAULT_MAX_FDS = 4096;
const DEFAULT_MAX_USERS = 65536;
const DEFAULT_TIMEOUT_MS = 10_000;

/** Read /proc into capture records. Never throws for processes that come and go. */
export function scanProc(options: ProcScanOptions = {}): ProcScanResult {
  const started = Date.now();
  const scan = new Scan(options);
  const users = readUsers(options.etcRoot ?? "/etc", options.maxUsers ?? DEFAULT_MAX_USERS, scan.counters);
  const groups = readGroups(options.etcRoot ?? "/etc", options.maxUsers ?? DEFAULT_MAX_USERS, scan.counters);
  scan.run();
  return {
    machine: machineRecord(options.procRoot ?? "/proc", options.nowNs),
    interfaces: interfaceRecords(),
    users,
    groups,
    processes: scan.processes,
    fds: scan.fds,
    counters: scan.counters,
    truncated: scan.truncated,
    elapsedMs: Date.now() - started,
  };
}

/** The records of a scan in the order a capture file holds them (and EventProcessor expects). */
export function* procScanRecords(scan: ProcScanResult): Generator<ScapRecord> {
  yield scan.machine;
  yield* scan.interfaces;
  yield* scan.users;
  yield* scan.groups;
  yield* scan.processes;
  yield* scan.fds;
}

// -------------------------------------------------------------------------------------------------
// Processes

class Vanished extends Error {}

/** A socket found in a socket table. */
interface SocketEntry {
  readonly type: FdType;
  readonly sip: string;
  readonly dip: string;
  readonly sport: number;
  readonly dport: number;
  readonly l4proto: number;
  readonly unixSource: bigint;
  readonly name: string;
}

class Scan {
  readonly processes: ProcessRecord[] = [];
  readonly fds: FdRecord[] = [];
  readonly counters: ProcScanCounters = {
    vanished: 0,
    kernelThreads: 0,
    threadsOverLimit: 0,
    fdsOverLimit: 0,
    unmatchedSockets: 0,
    unreadable: {},
  };
  truncated = false;
  private readonly proc: string;
  private readonly maxThreads: number;
  private readonly maxFds: number;
  private readonly deadline: number;
  private readonly withFds: boolean;
  private readonly withThreads: boolean;
  /** Socket tables per network namespace inode. */
  private readonly socketsByNs = new Map<string, Map<string, SocketEntry>>();
  /** ctime of the pid namespace init's cmdline, per root link (pidns_init_start_ts). */
  private readonly pidnsStart = new Map<string, bigint>();
  private readonly buf = Buffer.allocUnsafe(Math.max(MAX_ARGS_SIZE, MAX_ENV_SIZE) + 1);

  constructor(options: ProcScanOptions) {
    this.proc = options.procRoot ?? "/proc";
    this.maxThreads = options.maxThreads ?? DEFAULT_MAX_THREADS;
    this.maxFds = options.maxFdsPerProcess ?? DEFAULT_MAX_FDS;
    this.deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.withFds = options.withFds ?? true;
    this.withThreads = options.withThreads ?? true;
  }

  run(): void {
    let pids: number[];
    try {
      pids = numericEntries(this.proc);
    } catch {
      this.unreadable(this.proc);
      return;
    }
    for (const pid of pids) {
      if (Date.now() > this.deadline || this.processes.length >= this.maxThreads) {
        this.truncated = true;
        if (this.processes.length >= this.maxThreads) this.counters.threadsOverLimit++;
        return;
      }
      this.readProcess(pid);
    }
  }

  private readProcess(pid: number): void {
    const dir = `${this.proc}/${pid}`;
    let main: ProcessRecord | null;
    try {
      main = this.readThread(dir, pid, pid);
    } catch (e) {
      if (e instanceof Vanished) {
        this.counters.vanished++;
        return;
      }
      throw e;
    }
    if (main === null) return;
    this.processes.push(main);
    const fdStart = this.fds.length;
    if (this.withFds) {
      try {
        this.readFds(dir, pid);
      } catch (e) {
        if (!(e instanceof Vanished)) throw e;
        this.fds.length = fdStart; // a process gone mid-way keeps no half-read fd list
        this.counters.vanished++;
      }
    }
    if (!this.withThreads) return;
    let tids: number[];
    try {
      tids = numericEntries(`${dir}/task`);
    } catch {
      return; // gone, or no task directory
    }
    for (const tid of tids) {
      if (tid === pid) continue;
      if (this.processes.length >= this.maxThreads) {
        this.counters.threadsOverLimit++;
        this.truncated = true;
        return;
      }
      try {
        const t = this.readThread(`${dir}/task/${tid}`, tid, pid);
        if (t !== null) this.processes.push(t);
      } catch (e) {
        if (!(e instanceof Vanished)) throw e;
        this.counters.vanished++;
      }
    }
  }

  /** One thread's record; null for a kernel thread or zombie. Throws Vanished when it is gone. */
  private readThread(dir: string, tid: number, pid: number): ProcessRecord | null {
    const cmdline = this.readCapped(`${dir}/cmdline`, MAX_ARGS_SIZE, true);
    const exepath = this.link(`${dir}/exe`);
    if (cmdline.length === 0 && exepath === "") {
      this.counters.kernelThreads++;
      return null;
    }
    const argv = splitNulList(cmdline);
    const exe = argv.length > 0 ? argv[0]! : "";
    const args = argv.slice(1);
    const comm = this.text(`${dir}/comm`, true).replace(/\n$/, "");
    const env = splitNulList(this.readCapped(`${dir}/environ`, MAX_ENV_SIZE, false));
    const cwd = this.link(`${dir}/cwd`);
    const status = parseStatus(this.text(`${dir}/status`, true));
    const stat = parseStat(this.text(`${dir}/stat`, true));
    const root = this.link(`${dir}/root`);
    const loginuidText = this.text(`${dir}/loginuid`, false);
    const loginuid = loginuidText === "" ? 0xffffffff : Number.parseInt(loginuidText, 10) >>> 0;
    const fdlimit = parseOpenFilesLimit(this.text(`${dir}/limits`, false));
    const cgroups = fitList(parseCgroupFile(this.text(`${dir}/cgroup`, false)), MAX_CGROUPS_SIZE);
    const exeStat = exepath === "" ? undefined : statQuiet(`${dir}/exe`);
    const uid = status.uid;
    const gid = status.gid;
    const isThread = tid !== pid;
    const pgid = status.pgid >= 0 ? status.pgid : stat.pgid;
    return {
      kind: "process",
      blockOffset: 0,
      blockVersion: 9,
      tid,
      pid: status.tgid >= 0 ? status.tgid : pid,
      ptid: status.ppid,
      sid: stat.sid,
      vpgid: status.vpgid >= 0 ? status.vpgid : pgid,
      pgid,
      comm: fitString(comm, MAX_PATH_SIZE),
      exe: fitString(exe, MAX_PATH_SIZE),
      exepath: fitString(exepath, MAX_PATH_SIZE),
      args: fitList(args, MAX_ARGS_SIZE),
      cwd: fitString(cwd, MAX_PATH_SIZE),
      fdlimit,
      flags: isThread ? CloneFlag.CLONE_THREAD | CloneFlag.CLONE_FILES : 0,
      uid,
      gid,
      vmsizeKb: status.vmsize,
      vmrssKb: status.vmrss,
      vmswapKb: status.vmswap,
      pfmajor: stat.majflt,
      pfminor: stat.minflt,
      env: fitList(env, MAX_ENV_SIZE),
      vtid: status.vtid >= 0 ? status.vtid : tid,
      vpid: status.vpid >= 0 ? status.vpid : pid,
      cgroups,
      root: fitString(root, MAX_PATH_SIZE),
      pidnsInitStartTs: this.pidnsInitStart(dir, root),
      tty: stat.tty,
      loginuid,
      exeWritable: exeStat !== undefined && isWritableBy(exeStat, uid, gid),
      capInheritable: status.capInh,
      capPermitted: status.capPrm,
      capEffective: status.capEff,
      exeUpperLayer: false,
      exeLowerLayer: false,
      exeFromMemfd: exepath.startsWith("/memfd:"),
      exeIno: exeStat === undefined ? 0n : exeStat.ino,
      exeInoCtime: exeStat === undefined ? 0n : exeStat.ctimeNs,
      exeInoMtime: exeStat === undefined ? 0n : exeStat.mtimeNs,
    };
  }

  private pidnsInitStart(dir: string, root: string): bigint {
    const cached = this.pidnsStart.get(root);
    if (cached !== undefined) return cached;
    const st = statQuiet(`${dir}/root/proc/1/cmdline`);
    const ts = st === undefined ? 0n : st.ctimeNs;
    if (this.pidnsStart.size < 4096) this.pidnsStart.set(root, ts);
    return ts;
  }

  // -----------------------------------------------------------------------------------------------
  // fds

  private readFds(dir: string, pid: number): void {
    let names: string[];
    try {
      names = readdirSync(`${dir}/fd`);
    } catch (e) {
      if (isGone(e)) throw new Vanished();
      this.unreadable("fd");
      return;
    }
    let kept = 0;
    let netns: string | null = null;
    for (const name of names) {
      if (!/^[0-9]+$/.test(name)) continue;
      if (kept >= this.maxFds) {
        this.counters.fdsOverLimit++;
        continue;
      }
      const fd = Number(name);
      const path = `${dir}/fd/${name}`;
      const st = statQuiet(path);
      if (st === undefined) continue; // closed since the directory was listed
      let link: string;
      try {
        link = readlinkSync(path);
      } catch {
        continue;
      }
      let rec: FdRecord | null;
      switch (st.mode & S_IFMT) {
        case S_IFIFO:
          rec = fdRecord(pid, fd, FdType.FIFO, pipeInode(link, st.ino), link);
          break;
        case S_IFREG:
        case S_IFBLK:
        case S_IFCHR:
        case S_IFLNK:
          rec = link.startsWith("/memfd:")
            ? fdRecord(pid, fd, FdType.MEMFD, st.ino, link)
            : {
                ...fdRecord(pid, fd, FdType.FILE_V2, st.ino, link),
                openFlags: this.openFlags(dir, name),
                dev: st.dev,
              };
          break;
        case S_IFDIR:
          rec = fdRecord(pid, fd, FdType.DIRECTORY, st.ino, link);
          break;
        case S_IFSOCK: {
          netns ??= linkQuiet(`${dir}/ns/net`) ?? "host";
          rec = this.socketRecord(dir, pid, fd, link, netns);
          break;
        }
        default:
          rec = fdRecord(pid, fd, anonInodeType(link), st.ino, "");
          break;
      }
      if (rec === null) continue;
      this.fds.push(rec);
      kept++;
    }
  }

  private openFlags(dir: string, fd: string): number {
    const text = this.text(`${dir}/fdinfo/${fd}`, false);
    const m = /^flags:\s*([0-7]+)/m.exec(text);
    return m === null ? 0 : openFlagsToScap(Number.parseInt(m[1]!, 8));
  }

  private socketRecord(dir: string, pid: number, fd: number, link: string, netns: string): FdRecord | null {
    const m = /^socket:\[([0-9]+)\]$/.exec(link);
    if (m === null) return fdRecord(pid, fd, FdType.UNSUPPORTED, 0n, link);
    let table = this.socketsByNs.get(netns);
    if (table === undefined) {
      table = readSocketTables(`${dir}/net`);
      if (this.socketsByNs.size < 1024) this.socketsByNs.set(netns, table);
    }
    const s = table.get(m[1]!);
    if (s === undefined) {
      this.counters.unmatchedSockets++;
      return null;
    }
    return {
      kind: "fd",
      blockOffset: 0,
      tid: pid,
      fd,
      ino: BigInt(m[1]!),
      type: s.type,
      rawType: s.type,
      name: fitString(s.name, MAX_PATH_SIZE - 1),
      openFlags: 0,
      dev: 0,
      sip: s.sip,
      dip: s.dip,
      sport: s.sport,
      dport: s.dport,
      l4proto: s.l4proto,
      unixSource: s.unixSource,
      unixDest: 0n,
    };
  }

  // -----------------------------------------------------------------------------------------------
  // Reading files

  /** Whole small text file; "" if missing. `required`: a missing file means the thread is gone. */
  private text(path: string, required: boolean): string {
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      if (isGone(e)) {
        if (required) throw new Vanished();
        return "";
      }
      this.unreadable(baseName(path));
      return "";
    }
  }

  /** Up to `max` bytes of a file (cmdline, environ); throws Vanished if `required` and gone. */
  private readCapped(path: string, max: number, required: boolean): Buffer {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (e) {
      if (isGone(e) && required) throw new Vanished();
      if (!isGone(e)) this.unreadable(baseName(path));
      return Buffer.alloc(0);
    }
    try {
      let n = 0;
      while (n < max) {
        const r = readSync(fd, this.buf, n, max - n, null);
        if (r <= 0) break;
        n += r;
      }
      return Buffer.from(this.buf.subarray(0, n));
    } catch (e) {
      if (isGone(e) && required) throw new Vanished();
      return Buffer.alloc(0);
    } finally {
      closeSync(fd);
    }
  }

  private link(path: string): string {
    try {
      return readlinkSync(path);
    } catch (e) {
      if (!isGone(e)) this.unreadable(baseName(path));
      return "";
    }
  }

  private unreadable(what: string): void {
    const u = this.counters.unreadable;
    u[what] = (u[what] ?? 0) + 1;
  }
}

function fdRecord(tid: number, fd: number, type: FdType, ino: bigint, name: string): FdRecord {
  return {
    kind: "fd",
    blockOffset: 0,
    tid,
    fd,
    ino,
    type,
    rawType: type,
    name: fitString(name, MAX_PATH_SIZE - 1),
    openFlags: 0,
    dev: 0,
    sip: "",
    dip: "",
    sport: 0,
    dport: 0,
    l4proto: 0,
    unixSource: 0n,
    unixDest: 0n,
  };
}

function pipeInode(link: string, fallback: bigint): bigint {
  const m = /^pipe:\[([0-9]+)\]$/.exec(link);
  return m === null ? fallback : BigInt(m[1]!);
}

/** libscap's classification of anon_inode links (anything else: unsupported). */
export function anonInodeType(link: string): FdType {
  if (!link.startsWith("anon_inode:")) return FdType.UNSUPPORTED;
  switch (link.slice("anon_inode:".length)) {
    case "[eventfd]":
      return FdType.EVENT;
    case "[eventpoll]":
      return FdType.EVENTPOLL;
    case "inotify":
      return FdType.INOTIFY;
    case "[signalfd]":
      return FdType.SIGNALFD;
    case "[timerfd]":
      return FdType.TIMERFD;
    case "[io_uring]":
      return FdType.IOURING;
    case "[userfaultfd]":
      return FdType.USERFAULTFD;
    case "[pidfd]":
      return FdType.PIDFD;
    case "bpf-map":
    case "bpf-prog":
    case "bpf-link":
    case "bpf_iter":
      return FdType.BPF;
    default:
      return FdType.UNSUPPORTED;
  }
}

// x86_64 open(2) flag bits.
const O_WRONLY = 0o1;
const O_RDWR = 0o2;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;
const O_NONBLOCK = 0o4000;
const O_DSYNC = 0o10000;
const O_DIRECT = 0o40000;
const O_LARGEFILE = 0o100000;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;
const O_SYNC = 0o4010000;
const O_TMPFILE = 0o20200000;

// The event table's file_flags values (PPM_O_*).
const PPM_O_RDONLY = 1;
const PPM_O_WRONLY = 2;
const PPM_O_RDWR = 3;
const PPM_O_CREAT = 4;
const PPM_O_APPEND = 8;
const PPM_O_DSYNC = 16;
const PPM_O_EXCL = 32;
const PPM_O_NONBLOCK = 64;
const PPM_O_SYNC = 128;
const PPM_O_TRUNC = 256;
const PPM_O_DIRECT = 512;
const PPM_O_DIRECTORY = 1024;
const PPM_O_LARGEFILE = 2048;
const PPM_O_CLOEXEC = 4096;
const PPM_O_TMPFILE = 8192;

/** Kernel open flags (as /proc/PID/fdinfo prints them, octal) to the scap encoding. */
export function openFlagsToScap(flags: number): number {
  let r = 0;
  switch (flags & (O_WRONLY | O_RDWR)) {
    case O_WRONLY:
      r |= PPM_O_WRONLY;
      break;
    case O_RDWR:
      r |= PPM_O_RDWR;
      break;
    default:
      r |= PPM_O_RDONLY;
  }
  const all = (bits: number): boolean => (flags & bits) === bits;
  if (flags & O_CREAT) r |= PPM_O_CREAT;
  if (all(O_TMPFILE)) r |= PPM_O_TMPFILE;
  if (flags & O_APPEND) r |= PPM_O_APPEND;
  if (flags & O_DSYNC) r |= PPM_O_DSYNC;
  if (flags & O_EXCL) r |= PPM_O_EXCL;
  if (flags & O_NONBLOCK) r |= PPM_O_NONBLOCK;
  if (all(O_SYNC)) r |= PPM_O_SYNC;
  if (flags & O_TRUNC) r |= PPM_O_TRUNC;
  if (flags & O_DIRECT) r |= PPM_O_DIRECT;
  if (flags & O_DIRECTORY) r |= PPM_O_DIRECTORY;
  if (flags & O_LARGEFILE) r |= PPM_O_LARGEFILE;
  if (flags & O_CLOEXEC) r |= PPM_O_CLOEXEC;
  return r;
}

// -------------------------------------------------------------------------------------------------
// Socket tables

/** Every socket of a network namespace by inode (as text), from DIR/{tcp,udp,raw,unix,netlink,...6}. */
export function readSocketTables(netDir: string): Map<string, SocketEntry> {
  const out = new Map<string, SocketEntry>();
  const inet = (file: string, l4: L4Proto, v6: boolean): void => {
    const text = readQuiet(`${netDir}/${file}`);
    for (const line of text.split("\n").slice(1)) {
      const e = parseInetLine(line, l4, v6);
      if (e !== null) out.set(e[0], e[1]);
    }
  };
  inet("tcp", L4Proto.TCP, false);
  inet("udp", L4Proto.UDP, false);
  inet("raw", L4Proto.RAW, false);
  for (const line of readQuiet(`${netDir}/unix`).split("\n").slice(1)) {
    const e = parseUnixLine(line);
    if (e !== null) out.set(e[0], e[1]);
  }
  for (const line of readQuiet(`${netDir}/netlink`).split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
    if (f.length >= 10 && /^[0-9]+$/.test(f[9]!)) {
      out.set(f[9]!, {
        type: FdType.NETLINK,
        sip: "",
        dip: "",
        sport: 0,
        dport: 0,
        l4proto: 0,
        unixSource: 0n,
        name: "",
      });
    }
  }
  inet("tcp6", L4Proto.TCP, true);
  inet("udp6", L4Proto.UDP, true);
  inet("raw6", L4Proto.RAW, true);
  return out;
}

/**
 * One line of /proc/net/{tcp,udp,raw}[6]: "sl local rem st tx:rx tr:tm retrnsmt uid timeout inode ...".
 * Addresses are the kernel's 32-bit words in host (little-endian) order, ports in plain hex. A socket
 * without a remote address is a server socket.
 */
export function parseInetLine(line: string, l4: L4Proto, v6: boolean): [string, SocketEntry] | null {
  const f = line.trim().split(/\s+/);
  if (f.length < 10) return null;
  const local = parseInetAddress(f[1]!, v6);
  const remote = parseInetAddress(f[2]!, v6);
  const ino = f[9]!;
  if (local === null || remote === null || !/^[0-9]+$/.test(ino)) return null;
  const server = v6 ? remote.zero : remote.ip === "0.0.0.0";
  const type = v6
    ? server
      ? FdType.IPV6_SERVSOCK
      : FdType.IPV6_SOCK
    : server
      ? FdType.IPV4_SERVSOCK
      : FdType.IPV4_SOCK;
  return [
    ino,
    {
      type,
      sip: local.ip,
      dip: server ? "" : remote.ip,
      sport: local.port,
      dport: server ? 0 : remote.port,
      l4proto: l4,
      unixSource: 0n,
      name: "",
    },
  ];
}

function parseInetAddress(text: string, v6: boolean): { ip: string; port: number; zero: boolean } | null {
  const colon = text.indexOf(":");
  if (colon < 0) return null;
  const hex = text.slice(0, colon);
  const port = Number.parseInt(text.slice(colon + 1), 16);
  if (!Number.isInteger(port) || !/^[0-9A-Fa-f]+$/.test(hex)) return null;
  const bytes = Buffer.alloc(v6 ? 16 : 4);
  if (hex.length !== bytes.length * 2) return null;
  // Each 32-bit word was printed as a number: its bytes in memory (network order) are little-endian.
  for (let w = 0; w < bytes.length / 4; w++) {
    const word = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16);
    bytes.writeUInt32LE(word >>> 0, w * 4);
  }
  const zero = bytes.every((b) => b === 0);
  const ip = v6 ? ipv6String(bytes, 0) : `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  return { ip, port, zero };
}

/** One line of /proc/net/unix: "Num RefCount Protocol Flags Type St Inode [Path]". */
export function parseUnixLine(line: string): [string, SocketEntry] | null {
  const f = line.trim().split(/\s+/);
  if (f.length < 7) return null;
  const num = f[0]!.replace(/:$/, "");
  const ino = f[6]!;
  if (!/^[0-9A-Fa-f]+$/.test(num) || !/^[0-9]+$/.test(ino)) return null;
  return [
    ino,
    {
      type: FdType.UNIX_SOCK,
      sip: "",
      dip: "",
      sport: 0,
      dport: 0,
      l4proto: 0,
      unixSource: BigInt("0x" + num),
      name: f.length >= 8 ? f.slice(7).join(" ") : "",
    },
  ];
}

// -------------------------------------------------------------------------------------------------
// status, stat, limits, cgroup

interface Status {
  tgid: number;
  ppid: number;
  uid: number;
  gid: number;
  capInh: bigint;
  capPrm: bigint;
  capEff: bigint;
  vmsize: number;
  vmrss: number;
  vmswap: number;
  vtid: number;
  vpid: number;
  pgid: number;
  vpgid: number;
}

/** The /proc/PID/status lines libscap reads (effective uid and gid; the innermost namespace ids). */
export function parseStatus(text: string): Status {
  const s: Status = {
    tgid: -1,
    ppid: 0,
    uid: 0xffffffff,
    gid: 0xffffffff,
    capInh: 0n,
    capPrm: 0n,
    capEff: 0n,
    vmsize: 0,
    vmrss: 0,
    vmswap: 0,
    vtid: -1,
    vpid: -1,
    pgid: -1,
    vpgid: -1,
  };
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const v = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    const n = (i: number): number => Number.parseInt(v[i] ?? "", 10);
    const hex = (): bigint => (/^[0-9a-fA-F]+$/.test(v[0] ?? "") ? BigInt("0x" + v[0]) : 0n);
    switch (key) {
      case "Tgid":
        s.tgid = n(0);
        break;
      case "PPid":
        s.ppid = n(0);
        break;
      case "Uid":
        s.uid = n(1) >>> 0;
        break;
      case "Gid":
        s.gid = n(1) >>> 0;
        break;
      case "CapInh":
        s.capInh = hex();
        break;
      case "CapPrm":
        s.capPrm = hex();
        break;
      case "CapEff":
        s.capEff = hex();
        break;
      case "VmSize":
        s.vmsize = n(0);
        break;
      case "VmRSS":
        s.vmrss = n(0);
        break;
      case "VmSwap":
        s.vmswap = n(0);
        break;
      case "NSpid":
        s.vtid = n(v.length - 1);
        break;
      case "NStgid":
        s.vpid = n(v.length - 1);
        break;
      case "NSpgid":
        s.pgid = n(0);
        s.vpgid = n(v.length - 1);
        break;
      default:
        break;
    }
  }
  for (const k of ["tgid", "ppid", "vmsize", "vmrss", "vmswap", "vtid", "vpid", "pgid", "vpgid"] as const) {
    if (Number.isNaN(s[k])) s[k] = k === "ppid" || k.startsWith("vm") ? 0 : -1;
  }
  return s;
}

interface Stat {
  pgid: number;
  sid: number;
  tty: number;
  minflt: number;
  majflt: number;
}

/** /proc/PID/stat after the command name: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt. */
export function parseStat(text: string): Stat {
  const close = text.lastIndexOf(")");
  const f = close < 0 ? [] : text.slice(close + 2).split(" ");
  const n = (i: number): number => {
    const x = Number.parseInt(f[i] ?? "", 10);
    return Number.isNaN(x) ? 0 : x;
  };
  return { pgid: n(2), sid: n(3), tty: n(4) >>> 0, minflt: n(7), majflt: n(9) };
}

/** The soft "Max open files" limit (-1 when unlimited or unknown). */
export function parseOpenFilesLimit(text: string): number {
  const m = /^Max open files\s+(\S+)/m.exec(text);
  if (m === null || m[1] === "unlimited") return -1;
  const n = Number.parseInt(m[1]!, 10);
  return Number.isNaN(n) ? -1 : n;
}

/**
 * /proc/PID/cgroup as libscap lists it: "subsystem=path" per controller of each v1 hierarchy (a
 * named hierarchy keeps its name, "name=systemd=/"), and for the v2 line ("0::path") the controllers
 * enabled in that cgroup.
 */
export function parseCgroupFile(
  text: string,
  v2Controllers: (path: string) => string[] = readV2Controllers,
): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const a = line.indexOf(":");
    const b = a < 0 ? -1 : line.indexOf(":", a + 1);
    if (b < 0) continue;
    const id = line.slice(0, a);
    const subsys = line.slice(a + 1, b);
    const path = line.slice(b + 1);
    if (subsys === "") {
      if (id !== "0") continue;
      for (const c of v2Controllers(path)) out.push(`${c}=${path}`);
      continue;
    }
    for (const s of subsys.split(",")) out.push(`${s}=${path}`);
  }
  return out;
}

function readV2Controllers(path: string): string[] {
  for (const mount of ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]) {
    const text = readQuiet(`${mount}${path === "/" ? "" : path}/cgroup.controllers`);
    if (text !== "") return text.trim().split(/\s+/);
  }
  return [];
}

// -------------------------------------------------------------------------------------------------
// Users, groups, interfaces, machine

/** /etc/passwd: name:password:uid:gid:gecos:home:shell. */
export function parsePasswd(text: string, max: number): UserRecord[] {
  const out: UserRecord[] = [];
  const seen = new Set<number>();
  for (const line of text.split("\n")) {
    if (out.length >= max) break;
    if (line === "" || line.startsWith("#")) continue;
    const f = line.split(":");
    if (f.length < 7) continue;
    const uid = Number.parseInt(f[2]!, 10);
    const gid = Number.parseInt(f[3]!, 10);
    if (!Number.isInteger(uid) || !Number.isInteger(gid) || seen.has(uid)) continue;
    seen.add(uid);
    out.push({
      kind: "user",
      blockOffset: 0,
      uid: uid >>> 0,
      gid: gid >>> 0,
      name: fitString(f[0]!, MAX_CREDENTIALS_STR_LEN - 1),
      homedir: fitString(f[5]!, MAX_CREDENTIALS_STR_LEN - 1),
      shell: fitString(f[6]!, MAX_CREDENTIALS_STR_LEN - 1),
    });
  }
  return out;
}

/** /etc/group: name:password:gid:members. */
export function parseGroup(text: string, max: number): GroupRecord[] {
  const out: GroupRecord[] = [];
  const seen = new Set<number>();
  for (const line of text.split("\n")) {
    if (out.length >= max) break;
    if (line === "" || line.startsWith("#")) continue;
    const f = line.split(":");
    if (f.length < 3) continue;
    const gid = Number.parseInt(f[2]!, 10);
    if (!Number.isInteger(gid) || seen.has(gid)) continue;
    seen.add(gid);
    out.push({
      kind: "group",
      blockOffset: 0,
      gid: gid >>> 0,
      name: fitString(f[0]!, MAX_CREDENTIALS_STR_LEN - 1),
    });
  }
  return out;
}

function readUsers(etc: string, max: number, c: ProcScanCounters): UserRecord[] {
  const text = readQuiet(`${etc}/passwd`);
  if (text === "") c.unreadable.passwd = (c.unreadable.passwd ?? 0) + 1;
  return parsePasswd(text, max);
}

function readGroups(etc: string, max: number, c: ProcScanCounters): GroupRecord[] {
  const text = readQuiet(`${etc}/group`);
  if (text === "") c.unreadable.group = (c.unreadable.group ?? 0) + 1;
  return parseGroup(text, max);
}

function interfaceRecords(): InterfaceRecord[] {
  const out: InterfaceRecord[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    for (const a of addrs ?? []) {
      const v4 = a.family === "IPv4";
      const addr = v4 ? a.address : a.address.replace(/%.*$/, "");
      const bcast = v4 ? ipv4Broadcast(a.address, a.netmask) : "::";
      out.push({
        kind: "interface",
        blockOffset: 0,
        type: v4 ? InterfaceType.IPV4_NOLINKSPEED : InterfaceType.IPV6_NOLINKSPEED,
        family: v4 ? 4 : 6,
        name: fitString(name, MAX_PATH_SIZE - 1),
        addr,
        netmask: a.netmask,
        bcast,
        linkspeed: 0,
      });
    }
  }
  return out;
}

function ipv4Broadcast(addr: string, mask: string): string {
  const a = addr.split(".").map(Number);
  const m = mask.split(".").map(Number);
  return a.map((x, i) => (x | (~m[i]! & 0xff)) & 0xff).join(".");
}

function machineRecord(proc: string, nowNs?: () => bigint): MachineInfoRecord {
  const now = nowNs?.() ?? BigInt(Date.now()) * 1_000_000n;
  const uptime = Number.parseFloat(readQuiet(`${proc}/uptime`).split(" ")[0] ?? "");
  const boot = Number.isFinite(uptime) ? now - BigInt(Math.round(uptime * 1e9)) : 0n;
  const maxPid = Number.parseInt(readQuiet(`${proc}/sys/kernel/pid_max`).trim(), 10);
  return {
    kind: "machine",
    blockOffset: 0,
    numCpus: cpus().length,
    memorySizeBytes: BigInt(totalmem()),
    maxPid: BigInt(Number.isInteger(maxPid) ? maxPid : 0),
    hostname: fitString(osHostname(), 255),
    bootTsEpoch: boot,
    flags: 0n,
  };
}

// -------------------------------------------------------------------------------------------------
// Small helpers

const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFBLK = 0o060000;
const S_IFDIR = 0o040000;
const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;

interface FileStat {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly ino: bigint;
  readonly dev: number;
  readonly ctimeNs: bigint;
  readonly mtimeNs: bigint;
}

function statQuiet(path: string): FileStat | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return {
      mode: Number(s.mode),
      uid: Number(s.uid),
      gid: Number(s.gid),
      ino: s.ino,
      dev: Number(s.dev & 0xffffffffn),
      ctimeNs: s.ctimeNs,
      mtimeNs: s.mtimeNs,
    };
  } catch {
    return undefined;
  }
}

function isWritableBy(st: FileStat, uid: number, gid: number): boolean {
  if (st.uid === uid || uid === 0) return true;
  if (st.gid === gid) return (st.mode & 0o020) !== 0;
  return (st.mode & 0o002) !== 0;
}

function linkQuiet(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function readQuiet(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function numericEntries(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync(dir)) if (/^[0-9]+$/.test(name)) out.push(Number(name));
  return out.sort((a, b) => a - b);
}

function isGone(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ESRCH";
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** NUL-separated strings; the trailing empty string after a final NUL is dropped. */
function splitNulList(b: Buffer): string[] {
  if (b.length === 0) return [];
  const end = b[b.length - 1] === 0 ? b.length - 1 : b.length;
  return b.toString("utf8", 0, end).split("\0");
}

/** `s` cut so that its UTF-8 form is at most `max` bytes. */
function fitString(s: string, max: number): string {
  if (Buffer.byteLength(s, "utf8") <= max) return s;
  let out = Buffer.from(s, "utf8").subarray(0, max).toString("utf8");
  while (Buffer.byteLength(out, "utf8") > max) out = out.slice(0, -1);
  return out;
}

/** The leading elements of `list` whose NUL-terminated UTF-8 forms fit in `max` bytes. */
function fitList(list: readonly string[], max: number): string[] {
  const out: string[] = [];
  let n = 0;
  for (const s of list) {
    const k = Buffer.byteLength(s, "utf8") + 1;
    if (n + k > max) break;
    out.push(s);
    n += k;
  }
  return out;
}
