// File descriptors as libsinsp tracks them (fdinfo.h/.cpp): one FdInfo per open fd of a process, in
// an FdTable keyed by fd number. Sockets keep their addresses in a few plain fields shared by all
// socket kinds: (sip, sport) is the client or local end, (dip, dport) the server end; server sockets
// (bound with a port) keep their address in (sip, sport). IPv4 addresses are numbers, IPv6 addresses
// text (see net.ts).
import { FdType } from "../capture/scap/format.js";
import { IPV6_ANY, L4Proto } from "./net.js";
import { directoryOf } from "./paths.js";

export { FdType };

/** scap_fd_type's SCAP_FD_UNINITIALIZED. */
export const FD_UNINITIALIZED = -1;

/** libsinsp's CANCELED_FD_NUMBER: where a close-in-progress fd goes when its number is reused. */
export const CANCELED_FD = Number.MAX_SAFE_INTEGER;

/** sinsp_fdinfo flags. */
export const enum FdFlag {
  FROM_PROC = 1 << 0,
  ROLE_CLIENT = 1 << 2,
  ROLE_SERVER = 1 << 3,
  CLOSE_IN_PROGRESS = 1 << 4,
  CLOSE_CANCELED = 1 << 5,
  IS_SOCKET_PIPE = 1 << 6,
  IS_TRACER_FILE = 1 << 7,
  IS_TRACER_FD = 1 << 8,
  IS_NOT_TRACER_FD = 1 << 9,
  SOCKET_CONNECTED = 1 << 13,
  IS_CLONED = 1 << 14,
  CONNECTION_PENDING = 1 << 15,
  CONNECTION_FAILED = 1 << 16,
}

const ROLES = FdFlag.ROLE_CLIENT | FdFlag.ROLE_SERVER;

export class FdInfo {
  /** FdType, or FD_UNINITIALIZED. */
  type: number = FD_UNINITIALIZED;
  flags = 0;
  name = "";
  /** The name before the current event was parsed (fd.name_changed). */
  oldName = "";
  /** PPM_O_* flags the file was opened with. */
  openFlags = 0;
  dev = 0;
  ino = 0;
  mountId = 0;
  l4proto: number = L4Proto.UNKNOWN;
  /** IPv4: client/local (or server socket) address; the IPv6 counterpart is sip6. */
  sip = 0;
  dip = 0;
  sip6: string = IPV6_ANY;
  dip6: string = IPV6_ANY;
  sport = 0;
  dport = 0;
  /** Unix sockets: kernel addresses of both ends. */
  unixSource = 0n;
  unixDest = 0n;
  /** directoryOf(dirFor), kept while `name` stays dirFor: rules read fd.directory many times per event. */
  private dirFor = "";
  private dir = "/";

  /** Reset to a fresh fd of `type`. */
  reset(type: number): this {
    this.type = type;
    this.flags = 0;
    this.name = "";
    this.oldName = "";
    this.openFlags = 0;
    this.dev = 0;
    this.ino = 0;
    this.mountId = 0;
    this.l4proto = L4Proto.UNKNOWN;
    this.sip = 0;
    this.dip = 0;
    this.sip6 = IPV6_ANY;
    this.dip6 = IPV6_ANY;
    this.sport = 0;
    this.dport = 0;
    this.unixSource = 0n;
    this.unixDest = 0n;
    return this;
  }

  copyFrom(o: FdInfo): this {
    this.type = o.type;
    this.flags = o.flags;
    this.name = o.name;
    this.oldName = o.oldName;
    this.openFlags = o.openFlags;
    this.dev = o.dev;
    this.ino = o.ino;
    this.mountId = o.mountId;
    this.l4proto = o.l4proto;
    this.sip = o.sip;
    this.dip = o.dip;
    this.sip6 = o.sip6;
    this.dip6 = o.dip6;
    this.sport = o.sport;
    this.dport = o.dport;
    this.unixSource = o.unixSource;
    this.unixDest = o.unixDest;
    return this;
  }

  clone(): FdInfo {
    return new FdInfo().copyFrom(this);
  }

  isRoleServer(): boolean {
    return (this.flags & FdFlag.ROLE_SERVER) !== 0;
  }
  isRoleClient(): boolean {
    return (this.flags & FdFlag.ROLE_CLIENT) !== 0;
  }
  isRoleNone(): boolean {
    return (this.flags & ROLES) === 0;
  }
  setRoleServer(): void {
    this.flags |= FdFlag.ROLE_SERVER;
  }
  setRoleClient(): void {
    this.flags |= FdFlag.ROLE_CLIENT;
  }
  setConnected(): void {
    this.flags =
      (this.flags | FdFlag.SOCKET_CONNECTED) & ~(FdFlag.CONNECTION_PENDING | FdFlag.CONNECTION_FAILED);
  }
  isConnected(): boolean {
    return (this.flags & FdFlag.SOCKET_CONNECTED) !== 0;
  }

  /** fd.directory of a file's name (paths.ts directoryOf), computed once per name. */
  directory(): string {
    const name = this.name;
    if (name !== this.dirFor) {
      this.dir = directoryOf(name);
      this.dirFor = name;
    }
    return this.dir;
  }

  isFile(): boolean {
    return this.type === FdType.FILE || this.type === FdType.FILE_V2;
  }
  isDirectory(): boolean {
    return this.type === FdType.DIRECTORY;
  }
  isIpSocket(): boolean {
    return this.type === FdType.IPV4_SOCK || this.type === FdType.IPV6_SOCK;
  }
  isIpServerSocket(): boolean {
    return this.type === FdType.IPV4_SERVSOCK || this.type === FdType.IPV6_SERVSOCK;
  }
  isUnixSocket(): boolean {
    return this.type === FdType.UNIX_SOCK;
  }
  isTcpSocket(): boolean {
    return this.isIpSocket() && this.l4proto === L4Proto.TCP;
  }
  isUdpSocket(): boolean {
    return this.isIpSocket() && this.l4proto === L4Proto.UDP;
  }

  /** sinsp_fdinfo::get_l4proto: a connection socket with no role yet has no protocol. */
  l4protoForFields(): number {
    switch (this.type) {
      case FdType.IPV4_SOCK:
      case FdType.IPV6_SOCK:
        if (this.l4proto === L4Proto.RAW) return L4Proto.RAW;
        if (this.isRoleNone()) return L4Proto.NA;
        return this.l4proto;
      case FdType.IPV4_SERVSOCK:
      case FdType.IPV6_SERVSOCK:
        return this.l4proto;
      default:
        return L4Proto.NA;
    }
  }
}

/** fd.typechar of an fd type. */
export function fdTypeChar(type: number): string {
  switch (type) {
    case FdType.FILE:
    case FdType.FILE_V2:
      return "f";
    case FdType.IPV4_SOCK:
    case FdType.IPV4_SERVSOCK:
      return "4";
    case FdType.IPV6_SOCK:
    case FdType.IPV6_SERVSOCK:
      return "6";
    case FdType.DIRECTORY:
      return "d";
    case FdType.FIFO:
      return "p";
    case FdType.UNIX_SOCK:
      return "u";
    case FdType.EVENT:
      return "e";
    case FdType.UNKNOWN:
      return "o";
    case FdType.UNSUPPORTED:
      return "X";
    case FdType.SIGNALFD:
      return "s";
    case FdType.EVENTPOLL:
      return "l";
    case FdType.INOTIFY:
      return "i";
    case FdType.TIMERFD:
      return "t";
    case FdType.NETLINK:
      return "n";
    case FdType.BPF:
      return "b";
    case FdType.USERFAULTFD:
      return "u";
    case FdType.IOURING:
      return "r";
    case FdType.MEMFD:
      return "m";
    case FdType.PIDFD:
      return "P";
    default:
      return "?";
  }
}

/** fd.type of an fd type; "<NA>" for kinds libsinsp has no name for. */
export function fdTypeName(type: number): string {
  switch (type) {
    case FdType.FILE:
    case FdType.FILE_V2:
      return "file";
    case FdType.DIRECTORY:
      return "directory";
    case FdType.IPV4_SOCK:
    case FdType.IPV4_SERVSOCK:
      return "ipv4";
    case FdType.IPV6_SOCK:
    case FdType.IPV6_SERVSOCK:
      return "ipv6";
    case FdType.UNIX_SOCK:
      return "unix";
    case FdType.FIFO:
      return "pipe";
    case FdType.EVENT:
      return "event";
    case FdType.SIGNALFD:
      return "signalfd";
    case FdType.EVENTPOLL:
      return "eventpoll";
    case FdType.INOTIFY:
      return "inotify";
    case FdType.TIMERFD:
      return "timerfd";
    case FdType.NETLINK:
      return "netlink";
    case FdType.BPF:
      return "bpf";
    case FdType.USERFAULTFD:
      return "userfaultfd";
    case FdType.IOURING:
      return "io_uring";
    case FdType.MEMFD:
      return "memfd";
    case FdType.PIDFD:
      return "pidfd";
    default:
      return "<NA>";
  }
}

/** Where an fd table reports what it could not do. */
export interface FdTableCounters {
  /** fds not added because the table was full. */
  fdTableFull: number;
}

/**
 * The fds of one process. Bounded: past `maxSize` entries new fds are not added (libsinsp's
 * m_max_fdtable_size), and the caller counts the drop.
 */
export class FdTable {
  readonly map = new Map<number, FdInfo>();

  constructor(private readonly maxSize: number) {}

  get size(): number {
    return this.map.size;
  }

  get(fd: number): FdInfo | undefined {
    return fd < 0 ? undefined : this.map.get(fd);
  }

  /**
   * Put a copy of `info` at `fd` (sinsp_fdtable::add). An existing entry is overwritten in place;
   * if that entry was being closed, it moves to CANCELED_FD and the new one is marked so the pending
   * close exit leaves it alone. Returns the stored entry, or undefined when the table is full.
   */
  add(fd: number, info: FdInfo, counters: FdTableCounters): FdInfo | undefined {
    const existing = this.map.get(fd);
    if (existing === undefined) {
      if (this.map.size >= this.maxSize) {
        counters.fdTableFull++;
        return undefined;
      }
      const entry = info.clone();
      this.map.set(fd, entry);
      return entry;
    }
    if ((existing.flags & FdFlag.CLOSE_IN_PROGRESS) !== 0) {
      info.flags = (info.flags & ~FdFlag.CLOSE_IN_PROGRESS) | FdFlag.CLOSE_CANCELED;
      this.map.set(CANCELED_FD, existing.clone());
    }
    existing.copyFrom(info);
    return existing;
  }

  delete(fd: number): boolean {
    return this.map.delete(fd);
  }

  clear(): void {
    this.map.clear();
  }

  /** A copy of every entry, marked as cloned (what a forked child inherits). */
  copyInto(target: FdTable): void {
    target.map.clear();
    for (const [fd, info] of this.map) {
      const c = info.clone();
      c.flags |= FdFlag.IS_CLONED;
      target.map.set(fd, c);
    }
  }
}
