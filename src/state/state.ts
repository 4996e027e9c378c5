// The system as the event stream describes it: threads with their fds, users and groups, network
// interfaces and containers, kept the way libsinsp's thread manager keeps them (threadinfo.cpp).
//
// Bounded: the thread table holds at most `maxThreads` entries and each fd table `maxFdsPerProcess`;
// what does not fit is dropped and counted. Dead threads go away: a thread that exits is removed at
// the next event (libsinsp's deferred removal), unless other threads of its process still point to it;
// a periodic scan then removes exited threads for good and, when `threadTimeoutNs` is set, threads
// idle for that long. Memory therefore follows the number of live threads, not the capture's length.
import type {
  FdRecord,
  GroupRecord,
  InterfaceRecord,
  ProcessRecord,
  UserRecord,
} from "../capture/scap/records.js";
import { ContainerStore, containerFromCgroups } from "./containers.js";
import { FdFlag, FdInfo, FdType, type FdTableCounters, type FdTable } from "./fdinfo.js";
import {
  IPV6_ANY,
  L4Proto,
  ipv4TupleText,
  ipv6Endpoint,
  ipv6TupleText,
  ipv4Endpoint,
  parseIpv4Text,
} from "./net.js";
import { resolveCwd } from "./paths.js";
import { CloneFlag, ThreadInfo, parseCgroups } from "./threadinfo.js";

export interface StateOptions {
  /** Largest number of threads kept (libsinsp: 131072). */
  readonly maxThreads?: number;
  /** Largest number of fds kept per process (libsinsp: 4096). */
  readonly maxFdsPerProcess?: number;
  /** Largest number of containers kept. */
  readonly maxContainers?: number;
  /** Largest number of users (and of groups) kept. */
  readonly maxUsers?: number;
  /**
   * Event-time interval between scans of the thread table for exited and idle threads (ns); 0
   * disables the scan. libsinsp: 1200 s, the first scan 30 s into the stream.
   */
  readonly scanIntervalNs?: number;
  /** Idle time after which a thread is dropped by the scan (ns); 0: never. libsinsp: 1800 s. */
  readonly threadTimeoutNs?: number;
}

export const DEFAULT_MAX_THREADS = 131072;
export const DEFAULT_MAX_FDS = 4096;
const DEFAULT_MAX_CONTAINERS = 16384;
const DEFAULT_MAX_USERS = 65536;
const SECOND = 1e9;

/** Things the state engine could not do, counted by kind rather than logged. */
export class StateCounters implements FdTableCounters {
  /** Threads not added because the thread table was full. */
  threadTableFull = 0;
  /** fds not added because an fd table was full. */
  fdTableFull = 0;
  /** Threads created out of thin air for a tid seen in an event but not in the table. */
  threadsInvented = 0;
  /** Exit events whose enter event was not the last one of their thread. */
  unpairedExits = 0;
  /** Exit events that needed their enter event's parameters but had none. */
  enterEventsMissing = 0;
  /** Threads removed (exit, scan). */
  threadsRemoved = 0;
  /** Events whose parameters did not have the layout their type says. */
  malformedEvents = 0;
  /** Container events whose JSON could not be read. */
  badContainerEvents = 0;
}

export interface UserInfo {
  readonly uid: number;
  readonly gid: number;
  readonly name: string;
  readonly homedir: string;
  readonly shell: string;
}

export interface GroupInfo {
  readonly gid: number;
  readonly name: string;
}

export interface Ipv4Interface {
  readonly addr: number;
  readonly netmask: number;
  readonly name: string;
}

export class SystemState {
  readonly threads = new Map<number, ThreadInfo>();
  readonly users = new Map<number, UserInfo>();
  readonly groups = new Map<number, GroupInfo>();
  readonly containers: ContainerStore;
  readonly ipv4Interfaces: Ipv4Interface[] = [];
  readonly ipv6Interfaces: string[] = [];
  readonly counters = new StateCounters();
  /** Ports of server sockets found in the initial fd lists. */
  readonly serverPorts = new Set<number>();
  readonly maxThreads: number;
  readonly maxFds: number;
  readonly maxUsers: number;
  private readonly scanIntervalNs: number;
  private readonly threadTimeoutNs: number;
  private nextScanTs = 0;
  /** Event time of the last event seen (ns). */
  lastEventTs = 0;
  /** Event time of the first event (ns); 0 before it. */
  firstEventTs = 0;
  /** The same, exact (evt.reltime). */
  firstEventTime = 0n;
  hostname = "";
  bootTs = 0n;

  constructor(options: StateOptions = {}) {
    this.maxThreads = options.maxThreads ?? DEFAULT_MAX_THREADS;
    this.maxFds = options.maxFdsPerProcess ?? DEFAULT_MAX_FDS;
    this.maxUsers = options.maxUsers ?? DEFAULT_MAX_USERS;
    this.containers = new ContainerStore(options.maxContainers ?? DEFAULT_MAX_CONTAINERS);
    this.scanIntervalNs = options.scanIntervalNs ?? 1200 * SECOND;
    this.threadTimeoutNs = options.threadTimeoutNs ?? 1800 * SECOND;
  }

  // ---------------------------------------------------------------------------------------------
  // Threads

  /** The thread with this tid, if known. */
  find(tid: number): ThreadInfo | undefined {
    return this.threads.get(tid);
  }

  /**
   * The thread with this tid, created when unknown (libsinsp get_thread_ref with query_os: a capture
   * has no /proc to ask, so the thread is a placeholder named "<NA>"). Undefined when the table is
   * full.
   */
  getOrInvent(tid: number): ThreadInfo | undefined {
    const t = this.threads.get(tid);
    if (t !== undefined) return t;
    if (this.threads.size >= this.maxThreads) {
      this.counters.threadTableFull++;
      return undefined;
    }
    const n = this.newThread();
    n.tid = tid;
    n.pid = tid;
    n.ptid = -1;
    n.comm = "<NA>";
    n.exe = "<NA>";
    n.uid = 0xffffffff;
    n.gid = 0xffffffff;
    n.loginuid = 0xffffffff;
    // A thread made up now is the main thread of every thread already claiming its pid.
    for (const other of this.threads.values()) if (other.pid === tid) n.nchilds++;
    this.counters.threadsInvented++;
    this.addThread(n, false);
    return n;
  }

  newThread(): ThreadInfo {
    return new ThreadInfo(this.maxFds);
  }

  /** Add a thread (libsinsp add_thread). False when the table is full. */
  addThread(t: ThreadInfo, fromProcList: boolean): boolean {
    if (this.threads.size >= this.maxThreads && !this.threads.has(t.tid)) {
      this.counters.threadTableFull++;
      return false;
    }
    if (!fromProcList) this.incrementMainThreadChildCount(t);
    t.lastAccessTs = this.lastEventTs;
    this.threads.set(t.tid, t);
    return true;
  }

  private incrementMainThreadChildCount(t: ThreadInfo): void {
    if ((t.flags & CloneFlag.CLONE_THREAD) === 0) return;
    const main = this.getOrInvent(t.pid);
    if (main !== undefined && main !== t) main.nchilds++;
  }

  /**
   * Remove a thread (libsinsp remove_thread): only when no other thread of its process refers to it,
   * unless `force`. A removed main thread takes its fds with it.
   */
  removeThread(tid: number, force: boolean): void {
    const t = this.threads.get(tid);
    if (t === undefined) return;
    const nchilds = t.nchilds;
    if (nchilds !== 0 && !force) return;
    if ((t.flags & CloneFlag.CLONE_THREAD) !== 0) {
      const main = this.threads.get(t.pid);
      if (main !== undefined && main.nchilds > 0) main.nchilds--;
    }
    if (t.isMainThread()) t.ownFds.clear();
    this.threads.delete(tid);
    this.counters.threadsRemoved++;
    if (nchilds !== 0) this.recreateChildDependencies();
  }

  /** Recount every process's non-main threads (after the table changed under them). */
  recreateChildDependencies(): void {
    for (const t of this.threads.values()) {
      t.nchilds = 0;
    }
    for (const t of this.threads.values()) {
      if ((t.flags & CloneFlag.CLONE_THREAD) !== 0) {
        const main = this.threads.get(t.pid);
        if (main !== undefined && main !== t) main.nchilds++;
      }
    }
  }

  /**
   * The main thread of `t`'s process: itself for a main thread, else the thread with its pid
   * (invented if missing, as libsinsp's lookup does).
   */
  mainThread(t: ThreadInfo): ThreadInfo | undefined {
    if (t.isMainThread()) return t;
    return this.threads.get(t.pid) ?? this.getOrInvent(t.pid);
  }

  /** The parent thread of `t` (by ptid), if known. */
  parent(t: ThreadInfo): ThreadInfo | undefined {
    return this.threads.get(t.ptid);
  }

  /** The fd table `t` uses: its own, or its main thread's when it shares files. */
  fdTable(t: ThreadInfo): FdTable | undefined {
    if ((t.flags & CloneFlag.CLONE_FILES) === 0) return t.ownFds;
    const m = this.mainThread(t);
    return m === undefined ? undefined : m.ownFds;
  }

  /** The fd `fd` of `t`'s process, remembering its current name as its old one (fd.name_changed). */
  getFd(t: ThreadInfo, fd: number): FdInfo | undefined {
    if (fd < 0) return undefined;
    const info = this.fdTable(t)?.get(fd);
    if (info !== undefined) info.oldName = info.name;
    return info;
  }

  /** Store a copy of `info` as fd `fd` of `t`'s process; it becomes the thread's last event fd. */
  addFd(t: ThreadInfo, fd: number, info: FdInfo): FdInfo | undefined {
    const table = this.fdTable(t);
    const res = table?.add(fd, info, this.counters);
    t.lastEventFd = fd;
    return res;
  }

  /** The working directory of `t`'s process. */
  cwd(t: ThreadInfo): string {
    const m = this.mainThread(t);
    return m === undefined ? "./" : m.cwdValue;
  }

  /** The environment of `t`'s process. */
  env(t: ThreadInfo): readonly string[] {
    const m = this.mainThread(t);
    return m === undefined ? t.envList : m.envList;
  }

  /** Call `visit` on each ancestor of `t` (parent first) until it returns false; loops stop it. */
  forEachAncestor(t: ThreadInfo, visit: (a: ThreadInfo) => boolean): void {
    let slow = this.parent(t);
    let fast = slow === undefined ? undefined : this.parent(slow);
    while (slow !== undefined && slow.tid !== -1) {
      if (!visit(slow)) return;
      slow = this.parent(slow);
      for (let i = 0; i < 2; i++) {
        fast = fast === undefined ? undefined : this.parent(fast);
        if (slow !== undefined && (slow === fast || slow.tid === slow.ptid)) return;
      }
    }
  }

  /** Set a thread's container from its cgroups. */
  resolveContainer(t: ThreadInfo): void {
    const found = containerFromCgroups(t.cgroups);
    if (found === undefined) {
      t.containerId = "";
      return;
    }
    t.containerId = found[0];
    this.containers.ensure(found[0], found[1]);
  }

  /**
   * Periodic scan (libsinsp remove_inactive_threads): exited threads are removed for good, idle ones
   * when a timeout is set. Called per event with the event time; does nothing between scans.
   */
  maybeScan(ts: number): void {
    if (this.scanIntervalNs <= 0) return;
    if (this.nextScanTs === 0) {
      this.nextScanTs = ts + Math.min(this.scanIntervalNs, 30 * SECOND);
      return;
    }
    if (ts <= this.nextScanTs) return;
    this.nextScanTs = ts + this.scanIntervalNs;
    const doomed: [number, boolean][] = [];
    for (const t of this.threads.values()) {
      const closed = (t.flags & CloneFlag.CLOSED) !== 0;
      const seen = t.lastAccessTs === 0 ? this.firstEventTs : t.lastAccessTs;
      if (closed || (this.threadTimeoutNs > 0 && ts > seen + this.threadTimeoutNs)) {
        doomed.push([t.tid, closed]);
      }
    }
    for (const [tid, force] of doomed) this.removeThread(tid, force);
    this.recreateChildDependencies();
  }

  // ---------------------------------------------------------------------------------------------
  // Initial state from capture records

  importProcess(r: ProcessRecord): void {
    if (this.threads.size >= this.maxThreads && !this.threads.has(r.tid)) {
      this.counters.threadTableFull++;
      return;
    }
    const t = this.newThread();
    t.tid = r.tid;
    t.pid = r.pid;
    t.ptid = r.ptid;
    t.sid = r.sid;
    t.vpgid = r.vpgid;
    t.pgid = r.pgid;
    t.comm = r.comm;
    t.exe = r.exe;
    t.exepath = r.exepath;
    t.exeWritable = r.exeWritable;
    t.exeUpperLayer = r.exeUpperLayer;
    t.exeLowerLayer = r.exeLowerLayer;
    t.exeFromMemfd = r.exeFromMemfd;
    t.setArgs(r.args);
    if (t.isMainThread()) {
      // libsinsp's set_env stops at an all-zero tail: trailing empty strings are padding.
      let n = r.env.length;
      while (n > 0 && r.env[n - 1] === "") n--;
      t.setEnv(n === r.env.length ? r.env : r.env.slice(0, n));
      t.cwdValue = resolveCwd("", r.cwd);
    }
    t.flags |= r.flags | CloneFlag.ACTIVE;
    t.fdlimit = r.fdlimit;
    t.uid = r.uid >>> 0;
    t.gid = r.gid >>> 0;
    t.vmsizeKb = r.vmsizeKb;
    t.vmrssKb = r.vmrssKb;
    t.vmswapKb = r.vmswapKb;
    t.pfmajor = r.pfmajor;
    t.pfminor = r.pfminor;
    t.vtid = r.vtid;
    t.vpid = r.vpid;
    t.tty = r.tty;
    t.loginuid = r.loginuid >>> 0;
    t.capInheritable = r.capInheritable;
    t.capPermitted = r.capPermitted;
    t.capEffective = r.capEffective;
    t.exeIno = Number(r.exeIno);
    t.exeInoCtime = r.exeInoCtime;
    t.exeInoMtime = r.exeInoMtime;
    t.pidnsInitStartTs = r.pidnsInitStartTs;
    t.cgroups = parseCgroups(r.cgroups);
    t.root = r.root;
    this.resolveContainer(t);
    this.addThread(t, true);
  }

  /** An fd of the initial fd lists (libsinsp add_fd_from_scap). */
  importFd(r: FdRecord): void {
    const t = this.threads.get(r.tid);
    if (t === undefined) return;
    const fdi = new FdInfo().reset(r.type);
    fdi.flags = FdFlag.FROM_PROC;
    fdi.ino = Number(r.ino);
    switch (r.type) {
      case FdType.IPV4_SOCK:
        fdi.sip = parseIpv4Text(r.sip);
        fdi.dip = parseIpv4Text(r.dip);
        fdi.sport = r.sport;
        fdi.dport = r.dport;
        fdi.l4proto = r.l4proto;
        if (r.l4proto === L4Proto.TCP) fdi.flags |= FdFlag.SOCKET_CONNECTED;
        fdi.name = ipv4TupleText(fdi.sip, fdi.sport, fdi.dip, fdi.dport);
        break;
      case FdType.IPV4_SERVSOCK:
        fdi.sip = parseIpv4Text(r.sip);
        fdi.sport = r.sport;
        fdi.l4proto = r.l4proto;
        fdi.name = ipv4Endpoint(fdi.sip, fdi.sport);
        this.serverPorts.add(r.sport);
        break;
      case FdType.IPV6_SOCK:
        if (isMappedText(r.sip) && isMappedText(r.dip)) {
          fdi.type = FdType.IPV4_SOCK;
          fdi.sip = mappedToIpv4(r.sip);
          fdi.dip = mappedToIpv4(r.dip);
          fdi.sport = r.sport;
          fdi.dport = r.dport;
          fdi.l4proto = r.l4proto;
          if (r.l4proto === L4Proto.TCP) fdi.flags |= FdFlag.SOCKET_CONNECTED;
          fdi.name = ipv4TupleText(fdi.sip, fdi.sport, fdi.dip, fdi.dport);
        } else {
          fdi.sip6 = r.sip;
          fdi.dip6 = r.dip;
          fdi.sport = r.sport;
          fdi.dport = r.dport;
          fdi.l4proto = r.l4proto;
          if (r.l4proto === L4Proto.TCP) fdi.flags |= FdFlag.SOCKET_CONNECTED;
          fdi.name = ipv6TupleText(fdi.sip6, fdi.sport, fdi.dip6, fdi.dport);
        }
        break;
      case FdType.IPV6_SERVSOCK:
        fdi.sip6 = r.sip;
        fdi.sport = r.sport;
        fdi.l4proto = r.l4proto;
        fdi.name = ipv6Endpoint(fdi.sip6, fdi.sport);
        this.serverPorts.add(r.sport);
        break;
      case FdType.UNIX_SOCK:
        fdi.unixSource = r.unixSource;
        fdi.unixDest = r.unixDest;
        fdi.name = r.name;
        if (r.name === "") fdi.setRoleClient();
        else fdi.setRoleServer();
        break;
      case FdType.FILE_V2:
        fdi.openFlags = r.openFlags;
        fdi.name = r.name;
        fdi.dev = r.dev;
        break;
      case FdType.UNKNOWN:
        return;
      default:
        fdi.name = r.name;
        break;
    }
    t.ownFds.add(r.fd, fdi, this.counters);
  }

  importUser(r: UserRecord): void {
    if (this.users.size >= this.maxUsers && !this.users.has(r.uid)) return;
    this.users.set(r.uid >>> 0, {
      uid: r.uid >>> 0,
      gid: r.gid >>> 0,
      name: r.name,
      homedir: r.homedir,
      shell: r.shell,
    });
  }

  importGroup(r: GroupRecord): void {
    if (this.groups.size >= this.maxUsers && !this.groups.has(r.gid)) return;
    this.groups.set(r.gid >>> 0, { gid: r.gid >>> 0, name: r.name });
  }

  importInterface(r: InterfaceRecord): void {
    if (r.family === 4) {
      this.ipv4Interfaces.push({
        addr: parseIpv4Text(r.addr),
        netmask: parseIpv4Text(r.netmask),
        name: r.name,
      });
    } else {
      this.ipv6Interfaces.push(r.addr);
    }
  }

  /**
   * After the initial records: count each process's threads and decide the direction of sockets
   * found in the fd lists (a local port some server socket listens on makes this end the server).
   */
  finishImport(): void {
    this.recreateChildDependencies();
    for (const t of this.threads.values()) {
      for (const fdi of t.ownFds.map.values()) {
        if (fdi.type !== FdType.IPV4_SOCK) continue;
        if (this.serverPorts.has(fdi.sport)) {
          const ip = fdi.sip;
          const port = fdi.sport;
          fdi.sip = fdi.dip;
          fdi.sport = fdi.dport;
          fdi.dip = ip;
          fdi.dport = port;
          fdi.name = ipv4TupleText(fdi.sip, fdi.sport, fdi.dip, fdi.dport);
          fdi.setRoleServer();
        } else {
          fdi.setRoleClient();
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Network interfaces (libsinsp sinsp_network_interfaces)

  /** An address of this machine that fits `dest`: the same, one in its subnet, or the first non-loopback one. */
  inferIpv4Address(dest: number): number {
    for (const i of this.ipv4Interfaces) if (i.addr === dest) return i.addr;
    for (const i of this.ipv4Interfaces)
      if ((i.addr & i.netmask) >>> 0 === (dest & i.netmask) >>> 0) return i.addr;
    for (const i of this.ipv4Interfaces) if (i.addr !== 0x7f000001) return i.addr;
    return 0;
  }

  /** Fill a missing end of an IPv4 tuple from the interfaces (update_fd for IPv4). */
  inferIpv4Endpoints(fdi: FdInfo): void {
    if (fdi.type !== FdType.IPV4_SOCK) return;
    if (fdi.sip !== 0 && fdi.dip !== 0) return;
    if (fdi.sip === 0) {
      const a = this.inferIpv4Address(fdi.dip);
      if (a === fdi.dip && fdi.sport === fdi.dport) return;
      fdi.sip = a;
    } else {
      const a = this.inferIpv4Address(fdi.sip);
      if (a === fdi.sip && fdi.sport === fdi.dport) return;
      fdi.dip = a;
    }
  }

  /** Fill a missing end of an IPv6 tuple from the interfaces (update_fd for IPv6). */
  inferIpv6Endpoints(fdi: FdInfo): void {
    if (fdi.type !== FdType.IPV6_SOCK) return;
    if (fdi.sip6 !== IPV6_ANY && fdi.dip6 !== IPV6_ANY) return;
    const infer = (dest: string): string => {
      for (const a of this.ipv6Interfaces) if (a === dest) return a;
      const prefix = ipv6Prefix64(dest);
      for (const a of this.ipv6Interfaces) if (ipv6Prefix64(a) === prefix) return a;
      for (const a of this.ipv6Interfaces) if (a !== "::1") return a;
      return IPV6_ANY;
    };
    if (fdi.sip6 === IPV6_ANY) {
      const a = infer(fdi.dip6);
      if (a === fdi.dip6 && fdi.sport === fdi.dport) return;
      fdi.sip6 = a;
    } else {
      const a = infer(fdi.sip6);
      if (a === fdi.sip6 && fdi.sport === fdi.dport) return;
      fdi.dip6 = a;
    }
  }

  /**
   * Whether an IPv4 address belongs to this machine from `t`'s point of view: its container's
   * address, or one of the host's interfaces.
   */
  isLocalIpv4(addr: number, t: ThreadInfo): boolean {
    if (t.containerId !== "") {
      const c = this.containers.get(t.containerId);
      if (c !== undefined) {
        if (c.ip !== 0) {
          if (addr === c.ip) return true;
        } else {
          for (const other of this.containers.map.values()) if (other.ip === addr) return true;
        }
      }
    }
    for (const i of this.ipv4Interfaces) if (i.addr === addr) return true;
    return false;
  }

  /**
   * Whether an IPv6 address belongs to this machine from `t`'s point of view: libsinsp compares the
   * first 64 bits with the host's interfaces (so the all-zero address matches ::1), and takes no
   * container address for IPv6.
   */
  isLocalIpv6(addr: string, t: ThreadInfo): boolean {
    if (t.containerId !== "") return false;
    const prefix = ipv6Prefix64(addr);
    for (const a of this.ipv6Interfaces) if (ipv6Prefix64(a) === prefix) return true;
    return false;
  }
}

// First 64 bits of IPv6 addresses, as text, for the interface subnet checks; interned.
const prefixes = new Map<string, string>();

/** The first four 16-bit groups of an IPv6 address in text form ("0:0:0:0" for "::1"). */
export function ipv6Prefix64(text: string): string {
  let p = prefixes.get(text);
  if (p !== undefined) return p;
  const [head = "", tail] = text.split("::");
  const h = head === "" ? [] : head.split(":");
  const tl = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined
      ? h
      : [...h, ...new Array<string>(Math.max(0, 8 - h.length - tl.length)).fill("0"), ...tl];
  p = groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(":");
  if (prefixes.size >= 4096) prefixes.clear();
  prefixes.set(text, p);
  return p;
}

function isMappedText(text: string): boolean {
  return text === IPV6_ANY || text.startsWith("::ffff:");
}

function mappedToIpv4(text: string): number {
  return text === IPV6_ANY ? 0 : parseIpv4Text(text.slice("::ffff:".length));
}
