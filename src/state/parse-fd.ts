// State changes of fd events: open/creat/openat, sockets (socket, bind, connect, accept, reads and
// writes that carry a tuple), pipes, dup, fcntl(F_DUPFD), eventfd/signalfd/timerfd/inotify/epoll/
// memfd/pidfd, close, and the working directory (chdir/fchdir/getcwd). Facts follow libsinsp's
// parsers.cpp; where an exit event of a newer driver carries what the enter event used to, it is
// read from the exit event.
import { EventFlag, EventType } from "../capture/events/table.js";
import type { ScapEvent } from "../capture/scap/event.js";
import type { SyscallEvent } from "./event.js";
import { CANCELED_FD, FdFlag, FdInfo, FdType } from "./fdinfo.js";
import {
  AddressFamily,
  IPV6_ANY,
  L4Proto,
  ipv4Text,
  ipv4TupleText,
  ipv6Text,
  ipv6TupleText,
  isIpv4MappedIpv6,
  readIpv4,
} from "./net.js";
import { EVENT_FLAGS, has, i64, int, paramIndex, sockaddrText, socktupleText, text } from "./params.js";
import { concatenatePaths, resolveCwd } from "./paths.js";
import type { EventProcessor } from "./processor.js";
import { CloneFlag, type ThreadInfo } from "./threadinfo.js";

const O_DIRECTORY = 1 << 10;
const O_CLOEXEC = 1 << 12;
const AT_FDCWD = -100;
const EINPROGRESS = 115;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_RAW = 3;
const IPPROTO_IP = 0;
const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_RAW = 255;
const F_DUPFD = 1;
const F_DUPFD_CLOEXEC = 26;
const RLIMIT_NOFILE = 7;
const CLOSE_RANGE_CLOEXEC = 1 << 1;
/** libsinsp's USER_EVT_DEVICE_NAME: writes to it are tracer events. */
const TRACER_DEVICE = "/dev/sysdig-events";

// One scratch FdInfo, filled and then copied into a table (tables store copies).
const scratch = new FdInfo();

/** Handle `type` if it is an fd event; false when it is not one of these. */
export function parseFdEvent(p: EventProcessor, ctx: SyscallEvent, type: number): boolean {
  switch (type) {
    case EventType.SOCKET_SENDTO_E:
      if (ctx.fdinfo === undefined && ctx.tinfo !== undefined) inferSendtoSocket(p, ctx);
      return true;
    case EventType.SYSCALL_READ_X:
    case EventType.SYSCALL_WRITE_X:
    case EventType.SOCKET_RECV_X:
    case EventType.SOCKET_SEND_X:
    case EventType.SOCKET_RECVFROM_X:
    case EventType.SOCKET_RECVMSG_X:
    case EventType.SOCKET_RECVMMSG_X:
    case EventType.SOCKET_SENDTO_X:
    case EventType.SOCKET_SENDMSG_X:
    case EventType.SOCKET_SENDMMSG_X:
    case EventType.SYSCALL_READV_X:
    case EventType.SYSCALL_WRITEV_X:
    case EventType.SYSCALL_PREAD_X:
    case EventType.SYSCALL_PWRITE_X:
    case EventType.SYSCALL_PREADV_X:
    case EventType.SYSCALL_PWRITEV_X:
      parseReadWriteExit(p, ctx, type);
      return true;
    case EventType.SYSCALL_OPEN_X:
    case EventType.SYSCALL_CREAT_X:
    case EventType.SYSCALL_OPENAT_X:
    case EventType.SYSCALL_OPENAT_2_X:
    case EventType.SYSCALL_OPENAT2_X:
    case EventType.SYSCALL_OPEN_BY_HANDLE_AT_X:
      parseOpenExit(p, ctx, type);
      return true;
    case EventType.SYSCALL_PIPE_X:
    case EventType.SYSCALL_PIPE2_X:
      parsePipeExit(p, ctx);
      return true;
    case EventType.SOCKET_SOCKET_X:
      parseSocketExit(p, ctx);
      return true;
    case EventType.SOCKET_BIND_X:
      parseBindExit(ctx);
      return true;
    case EventType.SOCKET_CONNECT_E:
      parseConnectEnter(ctx);
      return true;
    case EventType.SOCKET_CONNECT_X:
      parseConnectExit(ctx);
      return true;
    case EventType.SOCKET_ACCEPT_X:
    case EventType.SOCKET_ACCEPT_5_X:
    case EventType.SOCKET_ACCEPT4_X:
    case EventType.SOCKET_ACCEPT4_5_X:
    case EventType.SOCKET_ACCEPT4_6_X:
      parseAcceptExit(p, ctx);
      return true;
    case EventType.SYSCALL_CLOSE_E:
      if (ctx.tinfo !== undefined) {
        const fdi = p.state.getFd(ctx.tinfo, ctx.tinfo.lastEventFd);
        ctx.fdinfo = fdi;
        if (fdi !== undefined) fdi.flags |= FdFlag.CLOSE_IN_PROGRESS;
      }
      return true;
    case EventType.SYSCALL_CLOSE_X:
      parseCloseExit(p, ctx);
      return true;
    case EventType.SYSCALL_CLOSE_RANGE_X:
      parseCloseRangeExit(p, ctx);
      return true;
    case EventType.SYSCALL_FCNTL_X:
      parseFcntlExit(p, ctx);
      return true;
    case EventType.SYSCALL_EVENTFD_X:
    case EventType.SYSCALL_EVENTFD2_X:
      addSimpleFd(p, ctx, FdType.EVENT);
      return true;
    case EventType.SYSCALL_SIGNALFD_X:
    case EventType.SYSCALL_SIGNALFD4_X:
      addSimpleFd(p, ctx, FdType.SIGNALFD);
      return true;
    case EventType.SYSCALL_TIMERFD_CREATE_X:
      addSimpleFd(p, ctx, FdType.TIMERFD);
      return true;
    case EventType.SYSCALL_INOTIFY_INIT_X:
    case EventType.SYSCALL_INOTIFY_INIT1_X:
      addSimpleFd(p, ctx, FdType.INOTIFY);
      return true;
    case EventType.SYSCALL_EPOLL_CREATE_X:
    case EventType.SYSCALL_EPOLL_CREATE1_X:
      addSimpleFd(p, ctx, FdType.EVENTPOLL);
      return true;
    case EventType.SYSCALL_BPF_2_X:
      addSimpleFd(p, ctx, FdType.BPF);
      return true;
    case EventType.SYSCALL_USERFAULTFD_X:
      addSimpleFd(p, ctx, FdType.USERFAULTFD);
      return true;
    case EventType.SYSCALL_IO_URING_SETUP_X:
      addSimpleFd(p, ctx, FdType.IOURING);
      return true;
    case EventType.SYSCALL_MEMFD_CREATE_X:
      parseMemfdExit(p, ctx);
      return true;
    case EventType.SYSCALL_PIDFD_OPEN_X:
      parsePidfdOpenExit(p, ctx);
      return true;
    case EventType.SYSCALL_PIDFD_GETFD_X:
      parsePidfdGetfdExit(p, ctx);
      return true;
    case EventType.SYSCALL_CHDIR_X:
    case EventType.SYSCALL_GETCWD_X:
      if (ctx.tinfo !== undefined && i64(ctx.ev, 0, -1) >= 0) setCwd(p, ctx.tinfo, text(ctx.ev, 1));
      return true;
    case EventType.SYSCALL_FCHDIR_X:
      if (i64(ctx.ev, 0, -1) >= 0 && ctx.fdinfo !== undefined && ctx.tinfo !== undefined) {
        setCwd(p, ctx.tinfo, ctx.fdinfo.name);
      }
      return true;
    case EventType.SYSCALL_DUP_X:
    case EventType.SYSCALL_DUP_1_X:
    case EventType.SYSCALL_DUP2_X:
    case EventType.SYSCALL_DUP3_X:
      parseDupExit(p, ctx);
      return true;
    case EventType.SOCKET_SOCKETPAIR_X:
      parseSocketpairExit(p, ctx);
      return true;
    case EventType.SOCKET_GETSOCKOPT_X:
      if (ctx.ev.nparams > 1 && ctx.tinfo !== undefined) {
        const fd = i64(ctx.ev, 1, -1);
        const main = p.state.mainThread(ctx.tinfo);
        ctx.fdinfo = main === undefined ? undefined : p.state.getFd(main, fd);
        ctx.tinfo.lastEventFd = fd;
      }
      return true;
    case EventType.SYSCALL_GETRLIMIT_X:
    case EventType.SYSCALL_SETRLIMIT_X:
    case EventType.SYSCALL_PRLIMIT_X:
      parseRlimitExit(p, ctx, type);
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Working directory

/** set_cwd: resolve against the process's current directory; stored on the main thread. */
export function setCwd(p: EventProcessor, t: ThreadInfo, path: string): void {
  const main = p.state.mainThread(t);
  if (main === undefined) return;
  main.cwdValue = resolveCwd(main.cwdValue, path);
}

/**
 * parse_dirfd: the directory a relative path of an *at syscall is relative to. Looking up a dirfd
 * makes it the event's fd, as in libsinsp.
 */
export function dirOfDirfd(p: EventProcessor, ctx: SyscallEvent, name: string, dirfd: number): string {
  if (name.charCodeAt(0) === 47) return ".";
  const t = ctx.tinfo;
  if (t === undefined) return "<UNKNOWN>";
  if (dirfd === AT_FDCWD) return p.state.cwd(t);
  const fdi = p.state.getFd(t, dirfd);
  ctx.fdinfo = fdi;
  if (fdi === undefined) return "<UNKNOWN>";
  return fdi.name + "/";
}

// ---------------------------------------------------------------------------------------------------
// open, creat, openat, openat2, open_by_handle_at

function parseOpenExit(p: EventProcessor, ctx: SyscallEvent, type: number): void {
  const t = ctx.tinfo;
  if (t === undefined) return;
  const ev = ctx.ev;
  if (ev.paramLen(0) !== 8) {
    p.state.counters.malformedEvents++;
    return;
  }
  const gotEnter = p.retrieveEnter(ctx);
  const enter = ctx.enter;
  const fd = i64(ev, 0, -1);
  let name: string;
  let flags: number;
  let dev = 0;
  let sdir: string;
  switch (type) {
    case EventType.SYSCALL_OPEN_X: {
      name = text(ev, 1);
      flags = int(ev, 2);
      if (ev.nparams > 4) dev = int(ev, 4);
      if (gotEnter && enter.nparams >= 2) {
        const en = text(enter, 0);
        if (en.length !== 0 && en !== "(NULL)") {
          name = en;
          flags = int(enter, 1);
        }
      }
      sdir = p.state.cwd(t);
      break;
    }
    case EventType.SYSCALL_CREAT_X: {
      name = text(ev, 1);
      flags = 0;
      if (ev.nparams > 3) dev = int(ev, 3);
      if (gotEnter && enter.nparams >= 1) {
        const en = text(enter, 0);
        if (en.length !== 0 && en !== "(NULL)") name = en;
      }
      sdir = p.state.cwd(t);
      break;
    }
    case EventType.SYSCALL_OPENAT_X: {
      // The oldest openat exit carries only the fd: everything else is in the enter event.
      if (!gotEnter) return;
      name = text(enter, 1);
      flags = int(enter, 2);
      sdir = dirOfDirfd(p, ctx, name, i64(enter, 0, AT_FDCWD));
      break;
    }
    case EventType.SYSCALL_OPEN_BY_HANDLE_AT_X: {
      name = text(ev, 3);
      flags = int(ev, 2);
      dev = int(ev, 4);
      sdir = "";
      break;
    }
    default: {
      name = text(ev, 2);
      flags = int(ev, 3);
      let dirfd = i64(ev, 1, AT_FDCWD);
      const devIndex = paramIndex(type, "dev");
      if (devIndex >= 0 && ev.nparams > devIndex) dev = int(ev, devIndex);
      if (gotEnter && enter.nparams >= 3) {
        const en = text(enter, 1);
        if (en.length !== 0 && en !== "(NULL)") {
          name = en;
          flags = int(enter, 2);
          dirfd = i64(enter, 0, AT_FDCWD);
        }
      }
      sdir = dirOfDirfd(p, ctx, name, dirfd);
      break;
    }
  }
  const fullpath = concatenatePaths(sdir, name);
  if (fd < 0) return;
  const fdi = scratch.reset((flags & O_DIRECTORY) !== 0 ? FdType.DIRECTORY : FdType.FILE_V2);
  fdi.openFlags = flags;
  fdi.dev = dev;
  const inoIndex = paramIndex(type, "ino");
  if (inoIndex >= 0 && ev.paramLen(inoIndex) === 8) fdi.ino = i64(ev, inoIndex);
  fdi.name = fullpath;
  fdi.flags |= fullpath === TRACER_DEVICE ? FdFlag.IS_TRACER_FILE : FdFlag.IS_NOT_TRACER_FD;
  ctx.fdinfo = p.state.addFd(t, fd, fdi);
}

// ---------------------------------------------------------------------------------------------------
// Sockets

/** add_socket: a new socket fd of the given domain/type/protocol. Unknown kinds are not tracked. */
function addSocket(
  p: EventProcessor,
  ctx: SyscallEvent,
  fd: number,
  domain: number,
  type: number,
  proto: number,
): void {
  const t = ctx.tinfo;
  if (t === undefined) return;
  const fdi = scratch.reset(FdType.UNKNOWN);
  if (domain === AddressFamily.UNIX) {
    fdi.type = FdType.UNIX_SOCK;
  } else if (domain === AddressFamily.INET || domain === AddressFamily.INET6) {
    fdi.type = domain === AddressFamily.INET ? FdType.IPV4_SOCK : FdType.IPV6_SOCK;
    let l4: number = L4Proto.UNKNOWN;
    if (proto === IPPROTO_TCP) l4 = type === SOCK_RAW ? L4Proto.RAW : L4Proto.TCP;
    else if (proto === IPPROTO_UDP) l4 = type === SOCK_RAW ? L4Proto.RAW : L4Proto.UDP;
    else if (proto === IPPROTO_IP) {
      if ((type & 0xff) === SOCK_STREAM) l4 = L4Proto.TCP;
      else if ((type & 0xff) === SOCK_DGRAM) l4 = L4Proto.UDP;
    } else if (proto === IPPROTO_ICMP) l4 = type === SOCK_RAW ? L4Proto.RAW : L4Proto.ICMP;
    else if (proto === IPPROTO_RAW) l4 = L4Proto.RAW;
    fdi.l4proto = l4;
  } else if (domain === AddressFamily.NETLINK) {
    fdi.type = FdType.NETLINK;
  }
  if (fdi.type === FdType.UNKNOWN) return;
  ctx.fdinfo = p.state.addFd(t, fd, fdi);
}

function parseSocketExit(p: EventProcessor, ctx: SyscallEvent): void {
  const ev = ctx.ev;
  const fd = i64(ev, 0, -1);
  if (fd < 0 || ctx.tinfo === undefined) return;
  if (p.retrieveEnter(ctx)) {
    const e = ctx.enter;
    addSocket(p, ctx, fd, int(e, 0), int(e, 1), int(e, 2));
  } else if (ev.nparams >= 4) {
    addSocket(p, ctx, fd, int(ev, 1), int(ev, 2), int(ev, 3));
  }
}

/** A sendto on an fd never seen: taken for a UDP socket of the tuple's family. */
function inferSendtoSocket(p: EventProcessor, ctx: SyscallEvent): void {
  const ev = ctx.ev;
  const fd = i64(ev, 0, -1);
  if (fd < 0 || ev.paramLen(2) <= 0) return;
  const family = ev.buf[ev.paramOffset(2)]!;
  if (family === AddressFamily.INET || family === AddressFamily.INET6) {
    addSocket(p, ctx, fd, family, SOCK_DGRAM, IPPROTO_UDP);
  }
}

function parseBindExit(ctx: SyscallEvent): void {
  const fdi = ctx.fdinfo;
  if (fdi === undefined) return;
  const ev = ctx.ev;
  if (i64(ev, 0, -1) < 0) return;
  const len = ev.paramLen(1);
  if (len <= 0) return;
  const b = ev.buf;
  const o = ev.paramOffset(1);
  const family = b[o]!;
  if (family === AddressFamily.INET && len >= 7) {
    const port = ev.dv.getUint16(o + 5, true);
    if (port > 0) {
      fdi.type = FdType.IPV4_SERVSOCK;
      fdi.sip = readIpv4(b, o + 1);
      fdi.sport = port;
      fdi.setRoleServer();
    }
  } else if (family === AddressFamily.INET6 && len >= 19) {
    const port = ev.dv.getUint16(o + 17, true);
    if (port > 0) {
      if (isIpv4MappedIpv6(b, o + 1)) {
        fdi.type = FdType.IPV4_SERVSOCK;
        fdi.sip = readIpv4(b, o + 13);
      } else {
        fdi.type = FdType.IPV6_SERVSOCK;
        fdi.sip6 = ipv6Text(b, o + 1);
      }
      fdi.sport = port;
      fdi.setRoleServer();
    }
  }
  fdi.name = sockaddrText(ev, 1);
}

function parseConnectEnter(ctx: SyscallEvent): void {
  const fdi = ctx.fdinfo;
  const ev = ctx.ev;
  if (fdi === undefined || ev.nparams < 2) return;
  const len = ev.paramLen(1);
  if (len <= 0) return;
  const b = ev.buf;
  const o = ev.paramOffset(1);
  const family = b[o]!;
  if (family === AddressFamily.INET && len >= 7) {
    fdi.type = FdType.IPV4_SOCK;
    fdi.dip = readIpv4(b, o + 1);
    fdi.dport = ev.dv.getUint16(o + 5, true);
  } else if (family === AddressFamily.INET6 && len >= 19) {
    const port = ev.dv.getUint16(o + 17, true);
    if (isIpv4MappedIpv6(b, o + 1)) {
      fdi.type = FdType.IPV4_SOCK;
      fdi.dip = readIpv4(b, o + 13);
    } else {
      fdi.type = FdType.IPV6_SOCK;
      fdi.dip6 = ipv6Text(b, o + 1);
    }
    fdi.dport = port;
  } else {
    fdi.name = sockaddrText(ev, 1);
  }
}

function parseConnectExit(ctx: SyscallEvent): void {
  const fdi = ctx.fdinfo;
  if (fdi === undefined) return;
  const ev = ctx.ev;
  const res = i64(ev, 0, -1);
  if (res < 0 && res !== -EINPROGRESS) return;
  fdi.setConnected();
  if (ev.paramLen(1) <= 0) return;
  fillClientSocket(fdi, ev, 1);
}

/** fill_client_socket_info: the connecting end's view of a tuple. */
function fillClientSocket(fdi: FdInfo, ev: ScapEvent, i: number): void {
  const b = ev.buf;
  const o = ev.paramOffset(i);
  const len = ev.paramLen(i);
  const family = b[o]!;
  if ((family === AddressFamily.INET && len >= 13) || (family === AddressFamily.INET6 && len >= 37)) {
    let changed: boolean;
    if (family === AddressFamily.INET6) {
      if (!(isIpv4MappedIpv6(b, o + 1) && isIpv4MappedIpv6(b, o + 19))) {
        fdi.type = FdType.IPV6_SOCK;
        changed = setIpv6Tuple(fdi, ev, o);
      } else {
        fdi.type = FdType.IPV4_SOCK;
        changed = setIpv4Tuple(
          fdi,
          readIpv4(b, o + 13),
          ev.dv.getUint16(o + 17, true),
          readIpv4(b, o + 31),
          ev.dv.getUint16(o + 35, true),
        );
      }
    } else {
      fdi.type = FdType.IPV4_SOCK;
      changed = setIpv4Tuple(
        fdi,
        readIpv4(b, o + 1),
        ev.dv.getUint16(o + 5, true),
        readIpv4(b, o + 7),
        ev.dv.getUint16(o + 11, true),
      );
    }
    if (changed && fdi.isRoleServer() && fdi.isUdpSocket()) swapAddresses(fdi);
    fdi.name = sockinfoText(fdi);
  } else {
    fdi.name = socktupleText(ev, i);
    if (family === AddressFamily.UNIX && len >= 17) {
      fdi.unixSource = ev.dv.getBigUint64(o + 1, true);
      fdi.unixDest = ev.dv.getBigUint64(o + 9, true);
    }
  }
  if (fdi.isRoleNone()) fdi.setRoleClient();
}

function parseAcceptExit(p: EventProcessor, ctx: SyscallEvent): void {
  const t = ctx.tinfo;
  if (t === undefined) return;
  const ev = ctx.ev;
  const fd = i64(ev, 0, -1);
  if (fd < 0) return;
  t.lastEventFd = fd;
  const len = ev.paramLen(1);
  if (len <= 0) return;
  const b = ev.buf;
  const o = ev.paramOffset(1);
  const family = b[o]!;
  const fdi = scratch.reset(FD_NONE);
  if (family === AddressFamily.INET && len >= 13) {
    setIpv4Tuple(
      fdi,
      readIpv4(b, o + 1),
      ev.dv.getUint16(o + 5, true),
      readIpv4(b, o + 7),
      ev.dv.getUint16(o + 11, true),
    );
    fdi.type = FdType.IPV4_SOCK;
    fdi.l4proto = L4Proto.TCP;
  } else if (family === AddressFamily.INET6 && len >= 37) {
    if (isIpv4MappedIpv6(b, o + 1) && isIpv4MappedIpv6(b, o + 19)) {
      setIpv4Tuple(
        fdi,
        readIpv4(b, o + 13),
        ev.dv.getUint16(o + 17, true),
        readIpv4(b, o + 31),
        ev.dv.getUint16(o + 35, true),
      );
      fdi.type = FdType.IPV4_SOCK;
    } else {
      setIpv6Tuple(fdi, ev, o);
      fdi.type = FdType.IPV6_SOCK;
    }
    fdi.l4proto = L4Proto.TCP;
  } else if (family === AddressFamily.UNIX && len >= 17) {
    fdi.type = FdType.UNIX_SOCK;
    fdi.unixSource = ev.dv.getBigUint64(o + 1, true);
    fdi.unixDest = ev.dv.getBigUint64(o + 9, true);
  } else {
    return;
  }
  fdi.name = socktupleText(ev, 1);
  fdi.flags = FdFlag.ROLE_SERVER | FdFlag.SOCKET_CONNECTED;
  ctx.fdinfo = p.state.addFd(t, fd, fdi);
}

const FD_NONE = -1;

/** update_ipv4_addresses_and_ports: false when the tuple is the one the fd already has. */
function setIpv4Tuple(fdi: FdInfo, sip: number, sport: number, dip: number, dport: number): boolean {
  if (fdi.type === FdType.IPV4_SOCK) {
    if (
      (sip === fdi.sip && sport === fdi.sport && dip === fdi.dip && dport === fdi.dport) ||
      (dip === fdi.sip && dport === fdi.sport && sip === fdi.dip && sport === fdi.dport)
    ) {
      return false;
    }
  }
  let changed = false;
  if (fdi.sip !== sip) {
    fdi.sip = sip;
    changed = true;
  }
  if (fdi.sport !== sport) {
    fdi.sport = sport;
    changed = true;
  }
  if (fdi.dip === 0) {
    fdi.dip = dip;
    changed = true;
  }
  if (fdi.dport === 0) {
    fdi.dport = dport;
    changed = true;
  }
  return changed;
}

/** set_ipv6_addresses_and_ports, from a tuple at byte offset `o` of `ev`. */
function setIpv6Tuple(fdi: FdInfo, ev: ScapEvent, o: number): boolean {
  const sip = ipv6Text(ev.buf, o + 1);
  const sport = ev.dv.getUint16(o + 17, true);
  const dip = ipv6Text(ev.buf, o + 19);
  const dport = ev.dv.getUint16(o + 35, true);
  if (fdi.type === FdType.IPV6_SOCK) {
    if (
      (sip === fdi.sip6 && sport === fdi.sport && dip === fdi.dip6 && dport === fdi.dport) ||
      (dip === fdi.sip6 && dport === fdi.sport && sip === fdi.dip6 && sport === fdi.dport)
    ) {
      return false;
    }
  }
  let changed = false;
  if (fdi.sip6 !== sip) {
    fdi.sip6 = sip;
    changed = true;
  }
  if (fdi.sport !== sport) {
    fdi.sport = sport;
    changed = true;
  }
  if (fdi.dip6 === IPV6_ANY) {
    fdi.dip6 = dip;
    changed = true;
  }
  if (fdi.dport === 0) {
    fdi.dport = dport;
    changed = true;
  }
  return changed;
}

function swapAddresses(fdi: FdInfo): void {
  if (fdi.type === FdType.IPV4_SOCK) {
    const ip = fdi.sip;
    fdi.sip = fdi.dip;
    fdi.dip = ip;
  } else {
    const ip = fdi.sip6;
    fdi.sip6 = fdi.dip6;
    fdi.dip6 = ip;
  }
  const port = fdi.sport;
  fdi.sport = fdi.dport;
  fdi.dport = port;
}

/** sockinfo_to_str: the name of a connected IP socket. */
export function sockinfoText(fdi: FdInfo): string {
  const l4 = fdi.l4proto;
  if (fdi.type === FdType.IPV4_SOCK) {
    if (l4 === L4Proto.TCP || l4 === L4Proto.UDP)
      return ipv4TupleText(fdi.sip, fdi.sport, fdi.dip, fdi.dport);
    if (l4 === L4Proto.ICMP || l4 === L4Proto.RAW) return `${ipv4Text(fdi.sip)}->${ipv4Text(fdi.dip)}`;
    return "<unknown>";
  }
  if (fdi.type === FdType.IPV6_SOCK) {
    if (l4 === L4Proto.TCP || l4 === L4Proto.UDP)
      return ipv6TupleText(fdi.sip6, fdi.sport, fdi.dip6, fdi.dport);
    if (l4 === L4Proto.ICMP) return `${fdi.sip6}->${fdi.dip6}`;
    return "<unknown>";
  }
  return fdi.name;
}

/**
 * update_fd: a datagram's tuple (recvfrom/recvmsg, sendto/sendmsg) names the socket. False when
 * nothing changed.
 */
function updateFdFromTuple(p: EventProcessor, fdi: FdInfo, ev: ScapEvent, i: number): boolean {
  const len = ev.paramLen(i);
  if (len <= 0) return false;
  const b = ev.buf;
  const o = ev.paramOffset(i);
  const family = b[o]!;
  if (family === AddressFamily.INET) {
    if (len < 13) return false;
    fdi.type = FdType.IPV4_SOCK;
    if (
      !setIpv4Tuple(
        fdi,
        readIpv4(b, o + 1),
        ev.dv.getUint16(o + 5, true),
        readIpv4(b, o + 7),
        ev.dv.getUint16(o + 11, true),
      )
    ) {
      return false;
    }
  } else if (family === AddressFamily.INET6) {
    if (len < 37) return false;
    if (isIpv4MappedIpv6(b, o + 1) && isIpv4MappedIpv6(b, o + 19)) {
      fdi.type = FdType.IPV4_SOCK;
      if (
        !setIpv4Tuple(
          fdi,
          readIpv4(b, o + 13),
          ev.dv.getUint16(o + 17, true),
          readIpv4(b, o + 31),
          ev.dv.getUint16(o + 35, true),
        )
      ) {
        return false;
      }
    } else if (!setIpv6Tuple(fdi, ev, o)) {
      return false;
    }
  } else if (family === AddressFamily.UNIX) {
    if (len < 17) return false;
    fdi.type = FdType.UNIX_SOCK;
    fdi.unixSource = ev.dv.getBigUint64(o + 1, true);
    fdi.unixDest = ev.dv.getBigUint64(o + 9, true);
    let z = o + 17;
    const end = o + len;
    while (z < end && b[z] !== 0) z++;
    fdi.name = b.toString("utf8", o + 17, z);
    return true;
  }
  // A tuple that changes: not TCP, which would fail; take it for UDP.
  if ((fdi.type === FdType.IPV4_SOCK || fdi.type === FdType.IPV6_SOCK) && fdi.l4proto === L4Proto.UNKNOWN) {
    fdi.l4proto = L4Proto.UDP;
  }
  if (fdi.type === FdType.IPV4_SOCK) p.state.inferIpv4Endpoints(fdi);
  else if (fdi.type === FdType.IPV6_SOCK) p.state.inferIpv6Endpoints(fdi);
  return true;
}

/** set_net_role_by_guessing: the process owning the port is the server; else the first mover. */
function guessRole(p: EventProcessor, t: ThreadInfo, fdi: FdInfo, incoming: boolean): void {
  const table = p.state.fdTable(t);
  let bound = false;
  let usesClientPort = false;
  if (fdi.type === FdType.IPV4_SOCK && table !== undefined) {
    for (const other of table.map.values()) {
      if (other.type === FdType.IPV4_SOCK && other.dport === fdi.dport) bound = true;
      else if (other.type === FdType.IPV4_SERVSOCK && other.sport === fdi.dport) bound = true;
      if (other.type === FdType.IPV4_SOCK && other.sport === fdi.sport) usesClientPort = true;
    }
  }
  if (!bound) {
    fdi.setRoleClient();
    return;
  }
  if (!usesClientPort) {
    fdi.setRoleServer();
    return;
  }
  if (fdi.isRoleNone()) {
    if (incoming) fdi.setRoleServer();
    else fdi.setRoleClient();
  }
}

function parseReadWriteExit(p: EventProcessor, ctx: SyscallEvent, type: number): void {
  const fdi = ctx.fdinfo;
  const t = ctx.tinfo;
  if (fdi === undefined || t === undefined) return;
  const ev = ctx.ev;
  if (i64(ev, 0, -1) < 0) return;
  if (fdi.isIpSocket()) fdi.setConnected();
  const reads = ((EVENT_FLAGS[type] ?? 0) & EventFlag.READS_FROM_FD) !== 0;
  let tupleView: ScapEvent | undefined;
  let tupleIndex = -1;
  if (reads) {
    if (type === EventType.SOCKET_RECVFROM_X) tupleIndex = 2;
    else if (type === EventType.SOCKET_RECVMSG_X) tupleIndex = 3;
    else if (type === EventType.SOCKET_RECVMMSG_X) tupleIndex = paramIndex(type, "tuple");
    tupleView = ev;
  } else if (
    type === EventType.SOCKET_SENDTO_X ||
    type === EventType.SOCKET_SENDMSG_X ||
    type === EventType.SOCKET_SENDMMSG_X
  ) {
    tupleIndex = 2;
  }
  if (tupleIndex < 0 || !(fdi.name.length === 0 || !fdi.isTcpSocket())) return;
  if (!reads) {
    // The tuple of a send is in its enter event; newer drivers put it in the exit event too.
    if (p.retrieveEnter(ctx)) {
      tupleView = ctx.enter;
    } else {
      const own = paramIndex(type, "tuple");
      if (own < 0 || !has(ev, own)) return;
      tupleView = ev;
      tupleIndex = own;
    }
  }
  if (tupleView === undefined || !updateFdFromTuple(p, fdi, tupleView, tupleIndex)) return;
  if (fdi.type === FdType.IPV4_SOCK || fdi.type === FdType.IPV6_SOCK) {
    if (fdi.isRoleNone()) guessRole(p, t, fdi, reads);
    if (reads ? fdi.isRoleClient() : fdi.isRoleServer()) swapAddresses(fdi);
    fdi.name = sockinfoText(fdi);
  } else {
    fdi.name = socktupleText(tupleView, tupleIndex);
  }
}

// ---------------------------------------------------------------------------------------------------
// Pipes, socket pairs, dup, fcntl, single-fd creators

function parsePipeExit(p: EventProcessor, ctx: SyscallEvent): void {
  const t = ctx.tinfo;
  const ev = ctx.ev;
  if (t === undefined || i64(ev, 0, -1) < 0) return;
  const ino = ev.paramLen(3) === 8 ? i64(ev, 3) : 0;
  for (const i of [1, 2]) {
    const fdi = scratch.reset(FdType.FIFO);
    fdi.ino = ino;
    ctx.fdinfo = p.state.addFd(t, i64(ev, i, -1), fdi);
  }
}

function parseSocketpairExit(p: EventProcessor, ctx: SyscallEvent): void {
  const t = ctx.tinfo;
  const ev = ctx.ev;
  if (t === undefined || i64(ev, 0, -1) < 0) return;
  const fdi = scratch.reset(FdType.UNIX_SOCK);
  fdi.unixSource = ev.paramU64(3) ?? 0n;
  fdi.unixDest = ev.paramU64(4) ?? 0n;
  ctx.fdinfo = p.state.addFd(t, i64(ev, 1, -1), fdi);
  p.state.addFd(t, i64(ev, 2, -1), fdi);
}

function parseDupExit(p: EventProcessor, ctx: SyscallEvent): void {
  const t = ctx.tinfo;
  if (t === undefined) return;
  const res = i64(ctx.ev, 0, -1);
  if (res < 0) return;
  // A shell pipe: the new fd is stdin or stdout.
  if (res === 0) t.flags |= CloneFlag.PIPE_DST;
  if (res === 1) t.flags |= CloneFlag.PIPE_SRC;
  const src = ctx.fdinfo;
  if (src === undefined) return;
  ctx.fdinfo = p.state.addFd(t, res, scratch.copyFrom(src));
}

function parseFcntlExit(p: EventProcessor, ctx: SyscallEvent): void {
  const ev = ctx.ev;
  const t = ctx.tinfo;
  let cmd: number;
  if (p.retrieveEnter(ctx)) cmd = int(ctx.enter, 1, -1);
  else if (ev.nparams > 2) cmd = int(ev, 2, -1);
  else return;
  if (cmd !== F_DUPFD && cmd !== F_DUPFD_CLOEXEC) return;
  const res = i64(ev, 0, -1);
  const src = ctx.fdinfo;
  if (res < 0 || src === undefined || t === undefined) return;
  ctx.fdinfo = p.state.addFd(t, res, scratch.copyFrom(src));
}

function addSimpleFd(p: EventProcessor, ctx: SyscallEvent, type: FdType): void {
  const t = ctx.tinfo;
  const fd = i64(ctx.ev, 0, -1);
  if (t === undefined || fd < 0) return;
  ctx.fdinfo = p.state.addFd(t, fd, scratch.reset(type));
}

function parseMemfdExit(p: EventProcessor, ctx: SyscallEvent): void {
  const t = ctx.tinfo;
  const ev = ctx.ev;
  const fd = i64(ev, 0, -1);
  if (t === undefined || fd < 0) return;
  const fdi = scratch.reset(FdType.MEMFD);
  fdi.name = text(ev, 1);
  fdi.openFlags = int(ev, 2);
  ctx.fdinfo = p.state.addFd(t, fd, fdi);
}

function parsePidfdOpenExit(p: EventProcessor, ctx: SyscallEvent): void {
  const t = ctx.tinfo;
  const ev = ctx.ev;
  const fd = i64(ev, 0, -1);
  if (t === undefined || fd < 0) return;
  const fdi = scratch.reset(FdType.PIDFD);
  fdi.ino = i64(ev, 1);
  fdi.name = `/proc/${fdi.ino}`;
  fdi.openFlags = int(ev, 2);
  ctx.fdinfo = p.state.addFd(t, fd, fdi);
}

function parsePidfdGetfdExit(p: EventProcessor, ctx: SyscallEvent): void {
  const t = ctx.tinfo;
  const ev = ctx.ev;
  const fd = i64(ev, 0, -1);
  if (t === undefined || fd < 0) return;
  const pidfd = p.state.getFd(t, i64(ev, 1, -1));
  if (pidfd === undefined || pidfd.type !== FdType.PIDFD) return;
  // A pidfd keeps its process id in `ino` (see parsePidfdOpenExit).
  const owner = p.state.find(pidfd.ino);
  if (owner === undefined) return;
  const target = p.state.getFd(owner, i64(ev, 2, -1));
  if (target === undefined) return;
  const fdi = scratch.copyFrom(target);
  fdi.openFlags |= O_CLOEXEC;
  ctx.fdinfo = p.state.addFd(t, fd, fdi);
}

// ---------------------------------------------------------------------------------------------------
// close

function parseCloseExit(p: EventProcessor, ctx: SyscallEvent): void {
  const fdi = ctx.fdinfo;
  const t = ctx.tinfo;
  if (i64(ctx.ev, 0, -1) >= 0) {
    if (fdi === undefined || t === undefined) return;
    if ((fdi.flags & FdFlag.CLOSE_CANCELED) !== 0) {
      fdi.flags &= ~FdFlag.CLOSE_CANCELED;
      p.scheduleFdRemoval(t, CANCELED_FD);
    } else {
      p.scheduleFdRemoval(t, t.lastEventFd);
    }
  } else if (fdi !== undefined) {
    fdi.flags &= ~FdFlag.CLOSE_IN_PROGRESS;
  }
}

function parseCloseRangeExit(p: EventProcessor, ctx: SyscallEvent): void {
  const t = ctx.tinfo;
  const ev = ctx.ev;
  if (t === undefined || i64(ev, 0, -1) < 0) return;
  const table = p.state.fdTable(t);
  if (table === undefined) return;
  const first = int(ev, 1);
  const last = int(ev, 2);
  const cloexec = (int(ev, 3) & CLOSE_RANGE_CLOEXEC) !== 0;
  for (const [fd, info] of table.map) {
    if (fd < first || fd > last) continue;
    if (cloexec) info.openFlags |= O_CLOEXEC;
    else table.delete(fd);
  }
}

// ---------------------------------------------------------------------------------------------------
// rlimits: the fd limit of the process

function parseRlimitExit(p: EventProcessor, ctx: SyscallEvent, type: number): void {
  const t = ctx.tinfo;
  const ev = ctx.ev;
  if (t === undefined || i64(ev, 0, -1) < 0) return;
  const prlimit = type === EventType.SYSCALL_PRLIMIT_X;
  let resource: number;
  let pid = 0;
  if (p.retrieveEnter(ctx)) {
    resource = int(ctx.enter, prlimit ? 1 : 0, -1);
    if (prlimit) pid = int(ctx.enter, 0);
  } else {
    const ri = paramIndex(type, "resource");
    if (ri < 0 || !has(ev, ri)) return;
    resource = int(ev, ri, -1);
    if (prlimit) pid = int(ev, paramIndex(type, "pid"));
  }
  if (resource !== RLIMIT_NOFILE) return;
  const cur = i64(ev, 1, -1);
  if (cur === -1) return;
  const owner = prlimit && pid !== 0 ? p.state.getOrInvent(pid) : t;
  if (owner === undefined) return;
  const main = p.state.mainThread(owner);
  if (main !== undefined) main.fdlimit = cur;
}
