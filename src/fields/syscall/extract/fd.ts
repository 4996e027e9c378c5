// fd.* and fs.path.*: the fd an event acts on, and the paths of path-based syscalls. Values follow
// libsinsp's sinsp_filter_check_fd (0.29) and, for fs.path.*, current libsinsp's fspath checks.
//
// fd fields exist only for events that create, use or destroy an fd. The fd is the one the state
// engine attached to the event, else the thread's last event fd. A failed creator (an open that
// returned an error) still has an fd.name: the path it tried.
//
// Filter-only fields that match "either end" (fd.ip, fd.port, fd.net, fd.proto) yield both ends as a
// list; the engine matches a list value when any element matches, as libsinsp's compare_ip/net/port
// do for `=` and `in`.
import { renderParam, paramIndex as renderedParamIndex } from "../../../capture/events/render.js";
import { EventFlag, EventType } from "../../../capture/events/table.js";
import type { Extractor, FieldValue } from "../../../engine/source.js";
import type { SyscallEvent } from "../../../state/event.js";
import { type FdInfo, FdType, fdTypeChar, fdTypeName } from "../../../state/fdinfo.js";
import { L4Proto, ipv4Text } from "../../../state/net.js";
import { concatenatePaths, directoryOf, filenameOf } from "../../../state/paths.js";
import type { ThreadInfo } from "../../../state/threadinfo.js";
import type { ResolvedField } from "../../types.js";
import type { StateRenderContext } from "./context.js";
import { eventFlags, isEnter } from "./events.js";

type X = Extractor<SyscallEvent>;

const FD_EVENT = EventFlag.CREATES_FD | EventFlag.USES_FD | EventFlag.DESTROYS_FD;
const AT_FDCWD = -100;

/** The thread and fd of an fd event (libsinsp's extract_fd); `ok` false for other events. */
class FdTarget {
  ok = false;
  t: ThreadInfo | undefined = undefined;
  fdi: FdInfo | undefined = undefined;
}

const target = new FdTarget();

function resolve(e: SyscallEvent): FdTarget {
  const r = target;
  r.ok = false;
  r.t = undefined;
  r.fdi = undefined;
  if ((eventFlags(e.ev.type) & FD_EVENT) === 0) return r;
  const t = e.thread();
  if (t === undefined) return r;
  r.ok = true;
  r.t = t;
  let fdi = e.fdinfo;
  if (fdi === undefined && t.lastEventFd !== -1) fdi = e.state.fdTable(t)?.get(t.lastEventFd);
  r.fdi = fdi;
  return r;
}

/** A field of the event's fd; undefined for non-fd events and events without a known fd. */
function onFd(get: (fdi: FdInfo, t: ThreadInfo, e: SyscallEvent) => FieldValue): X {
  return (e) => {
    const r = resolve(e);
    if (!r.ok || r.fdi === undefined) return undefined;
    return get(r.fdi, r.t!, e);
  };
}

// ---------------------------------------------------------------------------------------------------
// Names of fds that failed to be created (extract_fdname_from_creator)

function nameFromCreator(e: SyscallEvent, ctx: StateRenderContext): string | undefined {
  const type = e.ev.type;
  if (isEnter(type)) return undefined;
  switch (type) {
    case EventType.SYSCALL_OPEN_X:
    case EventType.SOCKET_ACCEPT_X:
    case EventType.SOCKET_ACCEPT_5_X:
    case EventType.SOCKET_ACCEPT4_X:
    case EventType.SOCKET_ACCEPT4_5_X:
    case EventType.SOCKET_ACCEPT4_6_X:
    case EventType.SYSCALL_CREAT_X:
    case EventType.SOCKET_CONNECT_X:
      return renderParam(e.ev, 1, ctx.at(e));
    case EventType.SYSCALL_OPENAT_X:
    case EventType.SYSCALL_OPENAT_2_X:
    case EventType.SYSCALL_OPENAT2_X: {
      const old = type === EventType.SYSCALL_OPENAT_X;
      if (old && !e.hasEnter) return undefined;
      const src = old ? e.enter : e.ev;
      const name = src.paramString(old ? 1 : 2) ?? "";
      const dirfd = src.paramI64(old ? 0 : 1) ?? AT_FDCWD;
      const t = e.thread();
      let sdir: string;
      if (name.charCodeAt(0) === 47) sdir = ".";
      else if (t === undefined) sdir = "<UNKNOWN>";
      else if (dirfd === AT_FDCWD) sdir = e.state.cwd(t);
      else {
        const fdi = e.state.fdTable(t)?.get(dirfd);
        sdir = fdi === undefined ? "<UNKNOWN>" : fdi.name + "/";
      }
      return concatenatePaths(sdir, name);
    }
    default:
      return "";
  }
}

function nullFdTypechar(type: number): string {
  switch (type & ~1) {
    case EventType.SYSCALL_OPEN_E:
    case EventType.SYSCALL_OPENAT_E:
    case EventType.SYSCALL_OPENAT_2_E:
    case EventType.SYSCALL_OPENAT2_E:
    case EventType.SYSCALL_CREAT_E:
      return "f";
    case EventType.SOCKET_SOCKET_E:
    case EventType.SOCKET_ACCEPT_E:
    case EventType.SOCKET_ACCEPT_5_E:
    case EventType.SOCKET_ACCEPT4_E:
    case EventType.SOCKET_ACCEPT4_5_E:
    case EventType.SOCKET_ACCEPT4_6_E:
      return "4";
    case EventType.SYSCALL_PIPE_E:
    case EventType.SYSCALL_PIPE2_E:
      return "p";
    case EventType.SYSCALL_EVENTFD_E:
    case EventType.SYSCALL_EVENTFD2_E:
      return "e";
    case EventType.SYSCALL_SIGNALFD_E:
    case EventType.SYSCALL_SIGNALFD4_E:
      return "s";
    case EventType.SYSCALL_TIMERFD_CREATE_E:
      return "t";
    case EventType.SYSCALL_INOTIFY_INIT_E:
    case EventType.SYSCALL_INOTIFY_INIT1_E:
      return "i";
    default:
      return "o";
  }
}

/** A connect that failed names its fd by the attempted tuple, not by the fd. */
function failedConnect(e: SyscallEvent): boolean {
  return e.ev.type === EventType.SOCKET_CONNECT_X && (e.ev.paramI64(0) ?? 0) < 0;
}

function fdName(ctx: StateRenderContext, withContainer: boolean): X {
  return (e) => {
    const r = resolve(e);
    if (!r.ok) return undefined;
    const name = r.fdi === undefined || failedConnect(e) ? nameFromCreator(e, ctx) : r.fdi.name;
    if (name === undefined) return undefined;
    return withContainer ? r.t!.containerId + ":" + name : name;
  };
}

function fdDirectory(ctx: StateRenderContext, withContainer: boolean): X {
  return (e) => {
    const r = resolve(e);
    if (!r.ok) return undefined;
    let dir: string;
    if (r.fdi === undefined) {
      const name = nameFromCreator(e, ctx);
      if (name === undefined) return undefined;
      dir = directoryOf(name);
    } else {
      const fdi = r.fdi;
      if (!(fdi.isFile() || fdi.isDirectory())) return undefined;
      dir = fdi.isFile() ? fdi.directory() : fdi.name;
    }
    return withContainer ? r.t!.containerId + ":" + dir : dir;
  };
}

// ---------------------------------------------------------------------------------------------------
// Addresses and ports

function isV4(fdi: FdInfo): boolean {
  return fdi.type === FdType.IPV4_SOCK;
}

function clientIp(fdi: FdInfo): string | undefined {
  if (fdi.isRoleNone()) return undefined;
  if (fdi.type === FdType.IPV4_SOCK) return ipv4Text(fdi.sip);
  if (fdi.type === FdType.IPV6_SOCK) return fdi.sip6;
  return undefined;
}

function serverIp(fdi: FdInfo): string | undefined {
  switch (fdi.type) {
    case FdType.IPV4_SOCK:
      return fdi.isRoleNone() ? undefined : ipv4Text(fdi.dip);
    case FdType.IPV4_SERVSOCK:
      return ipv4Text(fdi.sip);
    case FdType.IPV6_SOCK:
      return fdi.isRoleNone() ? undefined : fdi.dip6;
    case FdType.IPV6_SERVSOCK:
      return fdi.sip6;
    default:
      return undefined;
  }
}

function serverPort(fdi: FdInfo): number | undefined {
  switch (fdi.type) {
    case FdType.IPV4_SOCK:
    case FdType.IPV6_SOCK:
      return fdi.isRoleNone() ? undefined : fdi.dport;
    case FdType.IPV4_SERVSOCK:
    case FdType.IPV6_SERVSOCK:
      return fdi.sport;
    default:
      return undefined;
  }
}

/** Whether the client end (sip) of a connection socket is this machine. */
function clientIsLocal(fdi: FdInfo, t: ThreadInfo, e: SyscallEvent): boolean {
  return isV4(fdi) ? e.state.isLocalIpv4(fdi.sip, t) : e.state.isLocalIpv6(fdi.sip6, t);
}

function localRemote(local: boolean, what: "ip" | "port"): X {
  return onFdAny((fdi, t, e) => {
    if (!fdi.isIpSocket() || fdi.isRoleNone()) return undefined;
    const clientLocal = clientIsLocal(fdi, t, e);
    const pickClient = clientLocal === local;
    if (what === "port") return pickClient ? fdi.sport : fdi.dport;
    if (isV4(fdi)) return ipv4Text(pickClient ? fdi.sip : fdi.dip);
    return pickClient ? fdi.sip6 : fdi.dip6;
  });
}

function onFdAny(get: (fdi: FdInfo, t: ThreadInfo, e: SyscallEvent) => FieldValue): X {
  return onFd(get);
}

/** Both ends of a socket, for the either-end filter fields. */
function bothIps(fdi: FdInfo): readonly string[] | undefined {
  switch (fdi.type) {
    case FdType.IPV4_SOCK:
      return [ipv4Text(fdi.sip), ipv4Text(fdi.dip)];
    case FdType.IPV6_SOCK:
      return [fdi.sip6, fdi.dip6];
    case FdType.IPV4_SERVSOCK:
      return [ipv4Text(fdi.sip)];
    case FdType.IPV6_SERVSOCK:
      return [fdi.sip6];
    default:
      return undefined;
  }
}

function bothPorts(fdi: FdInfo): readonly number[] | undefined {
  switch (fdi.type) {
    case FdType.IPV4_SOCK:
    case FdType.IPV6_SOCK:
      return [fdi.sport, fdi.dport];
    case FdType.IPV4_SERVSOCK:
    case FdType.IPV6_SERVSOCK:
      return [fdi.sport];
    default:
      return undefined;
  }
}

function l4protoName(fdi: FdInfo): string {
  switch (fdi.l4protoForFields()) {
    case L4Proto.TCP:
      return "tcp";
    case L4Proto.UDP:
      return "udp";
    case L4Proto.ICMP:
      return "icmp";
    case L4Proto.RAW:
      return "raw";
    default:
      return "<NA>";
  }
}

/** The extractor of an fd.* field; undefined when the name is not one of these. */
export function fdExtractor(field: ResolvedField, ctx: StateRenderContext): X | undefined {
  switch (field.info.name) {
    case "fd.num":
      return (e) => {
        const r = resolve(e);
        return r.ok ? r.t!.lastEventFd : undefined;
      };
    case "fd.type":
      return onFd((fdi) => fdTypeName(fdi.type));
    case "fd.typechar":
      return (e) => {
        const r = resolve(e);
        if (!r.ok) return undefined;
        return r.fdi === undefined ? nullFdTypechar(e.ev.type) : fdTypeChar(r.fdi.type);
      };
    case "fd.name":
      return fdName(ctx, false);
    case "fd.containername":
      return fdName(ctx, true);
    case "fd.directory":
      return fdDirectory(ctx, false);
    case "fd.containerdirectory":
      return fdDirectory(ctx, true);
    case "fd.filename":
      return onFd((fdi) => (fdi.isFile() ? filenameOf(fdi.name) : undefined));
    case "fd.nameraw":
      return onFd((fdi) => fdi.name);
    case "fd.cip":
    case "fd.cnet":
      return onFd(clientIp);
    case "fd.sip":
    case "fd.snet":
      return onFd(serverIp);
    case "fd.lip":
    case "fd.lnet":
      return localRemote(true, "ip");
    case "fd.rip":
    case "fd.rnet":
      return localRemote(false, "ip");
    case "fd.ip":
    case "fd.net":
      return onFd(bothIps);
    case "fd.port":
    case "fd.proto":
      return onFd(bothPorts);
    case "fd.cport":
      return onFd((fdi) => {
        if (fdi.isRoleNone()) return undefined;
        // libsinsp falls through to the protocol name here, whose empty text reads as port 0.
        return fdi.isIpSocket() ? fdi.sport : 0;
      });
    case "fd.sport":
      return onFd(serverPort);
    case "fd.lport":
      return localRemote(true, "port");
    case "fd.rport":
      return localRemote(false, "port");
    case "fd.cproto":
      return onFd((fdi) => (fdi.isRoleNone() ? undefined : fdi.isIpSocket() ? String(fdi.sport) : ""));
    case "fd.sproto":
      return onFd((fdi) => {
        const p = serverPort(fdi);
        if (p === undefined) return undefined;
        return fdi.isIpSocket() ? String(p) : "";
      });
    case "fd.lproto":
    case "fd.rproto": {
      const port = localRemote(field.info.name === "fd.lproto", "port");
      return (e) => {
        const p = port(e);
        return p === undefined ? undefined : String(p);
      };
    }
    case "fd.l4proto":
      return onFd(l4protoName);
    case "fd.sockfamily":
      return onFd((fdi) => {
        if (fdi.isIpSocket() || fdi.isIpServerSocket()) return "ip";
        if (fdi.type === FdType.UNIX_SOCK) return "unix";
        return undefined;
      });
    case "fd.is_server":
      return onFd((fdi, t, e) => {
        if (fdi.isIpServerSocket()) return true;
        if (fdi.type === FdType.IPV4_SOCK) return e.state.isLocalIpv4(fdi.dip, t);
        if (fdi.type === FdType.IPV6_SOCK) return e.state.isLocalIpv6(fdi.dip6, t);
        return false;
      });
    case "fd.uid":
      return (e) => {
        if (e.isContainerEvent()) return undefined;
        const r = resolve(e);
        return r.ok ? `${r.t!.tid}${r.t!.lastEventFd}` : undefined;
      };
    case "fd.connected":
      return onFd((fdi) => fdi.isConnected());
    case "fd.name_changed":
      return onFd((_fdi, _t, e) => e.fdNameChanged);
    case "fd.cip.name":
    case "fd.sip.name":
    case "fd.lip.name":
    case "fd.rip.name":
      // Names come from DNS lookups libsinsp makes on a live system; a capture records none.
      return () => undefined;
    case "fd.dev":
      return onFd((fdi) => fdi.dev);
    case "fd.dev.major":
      return onFd((fdi) => (fdi.dev >>> 8) & 0xfff);
    case "fd.dev.minor":
      return onFd((fdi) => (fdi.dev & 0xff) | ((fdi.dev >>> 12) & 0xfff00));
    case "fd.ino":
      return onFd((fdi) => fdi.ino);
    case "fd.is_upper_layer":
    case "fd.is_lower_layer":
      return onFd(() => false);
    case "fd.types":
      return fdTypes(field.arg);
    default:
      return undefined;
  }
}

function fdTypes(arg: string | undefined): X {
  const only = arg === undefined ? undefined : Number(arg);
  return (e) => {
    const t = e.thread();
    if (t === undefined) return undefined;
    const table = e.state.fdTable(t);
    if (table === undefined) return undefined;
    if (only !== undefined) {
      const fdi = table.get(only);
      return fdi === undefined ? undefined : [fdTypeName(fdi.type)];
    }
    const seen = new Set<string>();
    for (const fdi of table.map.values()) seen.add(fdTypeName(fdi.type));
    return [...seen];
  };
}

// ---------------------------------------------------------------------------------------------------
// fs.path.*

type PathSpec = { readonly param: string; readonly dirfd?: string } | "fd";

const PATH_EVENTS: ReadonlyMap<number, PathSpec> = new Map<number, PathSpec>([
  [EventType.SYSCALL_MKDIR_2_X, { param: "path" }],
  [EventType.SYSCALL_MKDIRAT_X, { param: "path", dirfd: "dirfd" }],
  [EventType.SYSCALL_RMDIR_2_X, { param: "path" }],
  [EventType.SYSCALL_UNLINK_2_X, { param: "path" }],
  [EventType.SYSCALL_UNLINKAT_2_X, { param: "name", dirfd: "dirfd" }],
  [EventType.SYSCALL_OPEN_X, { param: "name" }],
  [EventType.SYSCALL_OPENAT_2_X, { param: "name", dirfd: "dirfd" }],
  [EventType.SYSCALL_OPENAT2_X, { param: "name", dirfd: "dirfd" }],
  [EventType.SYSCALL_FCHMODAT_X, { param: "filename", dirfd: "dirfd" }],
  [EventType.SYSCALL_CHMOD_X, { param: "filename" }],
  [EventType.SYSCALL_FCHMOD_X, "fd"],
  [EventType.SYSCALL_CHOWN_X, { param: "path" }],
  [EventType.SYSCALL_LCHOWN_X, { param: "path" }],
  [EventType.SYSCALL_FCHOWN_X, "fd"],
  [EventType.SYSCALL_FCHOWNAT_X, { param: "pathname", dirfd: "dirfd" }],
  [EventType.SYSCALL_QUOTACTL_X, { param: "special" }],
  [EventType.SYSCALL_UMOUNT_1_X, { param: "name" }],
  [EventType.SYSCALL_UMOUNT2_X, { param: "name" }],
]);

/** [source, target] parameters of two-path syscalls (link's source is the new path). */
const SOURCE_TARGET: ReadonlyMap<number, readonly [PathSpec, PathSpec]> = new Map<
  number,
  readonly [PathSpec, PathSpec]
>([
  [EventType.SYSCALL_RENAME_X, [{ param: "oldpath" }, { param: "newpath" }]],
  [
    EventType.SYSCALL_RENAMEAT_X,
    [
      { param: "oldpath", dirfd: "olddirfd" },
      { param: "newpath", dirfd: "newdirfd" },
    ],
  ],
  [
    EventType.SYSCALL_RENAMEAT2_X,
    [
      { param: "oldpath", dirfd: "olddirfd" },
      { param: "newpath", dirfd: "newdirfd" },
    ],
  ],
  [EventType.SYSCALL_LINK_2_X, [{ param: "newpath" }, { param: "oldpath" }]],
  [
    EventType.SYSCALL_LINKAT_2_X,
    [
      { param: "newpath", dirfd: "newdir" },
      { param: "oldpath", dirfd: "olddir" },
    ],
  ],
  [EventType.SYSCALL_SYMLINK_X, [{ param: "linkpath" }, { param: "target" }]],
  [EventType.SYSCALL_SYMLINKAT_X, [{ param: "linkpath", dirfd: "linkdirfd" }, { param: "target" }]],
  [EventType.SYSCALL_MOUNT_X, [{ param: "dev" }, { param: "dir" }]],
]);

/** The syscall succeeded (res == 0, or an fd was returned for opens). */
function succeeded(e: SyscallEvent): boolean {
  const v = e.ev.paramI64(0);
  if (v === undefined) return false;
  const t = e.ev.type;
  if (
    t === EventType.SYSCALL_OPEN_X ||
    t === EventType.SYSCALL_OPENAT_2_X ||
    t === EventType.SYSCALL_OPENAT2_X
  ) {
    return v !== -1;
  }
  return v === 0;
}

function pathOf(e: SyscallEvent, spec: PathSpec, resolveIt: boolean): string | undefined {
  const t = e.thread();
  if (spec === "fd") {
    if (t === undefined) return undefined;
    const fdi = e.fdinfo ?? e.state.fdTable(t)?.get(t.lastEventFd);
    return fdi?.name;
  }
  const i = renderedParamIndex(e.ev, spec.param, true);
  if (i < 0) return undefined;
  const raw = e.ev.paramString(i) ?? "";
  if (!resolveIt || raw.charCodeAt(0) === 47) return resolveIt ? concatenatePaths("", raw) : raw;
  if (t === undefined) return "<UNKNOWN>";
  let dir = e.state.cwd(t);
  if (spec.dirfd !== undefined) {
    const di = renderedParamIndex(e.ev, spec.dirfd, true);
    const dirfd = di < 0 ? AT_FDCWD : (e.ev.paramI64(di) ?? AT_FDCWD);
    if (dirfd !== AT_FDCWD) {
      const fdi = e.state.fdTable(t)?.get(dirfd);
      if (fdi === undefined) return "<UNKNOWN>";
      dir = fdi.name.endsWith("/") ? fdi.name : fdi.name + "/";
    }
  }
  return concatenatePaths(dir, raw);
}

/** The extractor of an fs.path.* field; undefined when the name is not one of these. */
export function fsPathExtractor(field: ResolvedField): X | undefined {
  const name = field.info.name;
  if (!name.startsWith("fs.path.")) return undefined;
  const raw = name.endsWith("raw");
  const which = name.slice("fs.path.".length).replace(/raw$/, "");
  return (e) => {
    const type = e.ev.type;
    if (isEnter(type) || !succeeded(e)) return undefined;
    if (which === "name") {
      const spec = PATH_EVENTS.get(type);
      return spec === undefined ? undefined : pathOf(e, spec, !raw);
    }
    const pair = SOURCE_TARGET.get(type);
    if (pair === undefined) return undefined;
    return pathOf(e, which === "source" ? pair[0] : pair[1], !raw);
  };
}
