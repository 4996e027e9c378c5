// evt.* and syscall.type: the event itself. Values follow libsinsp's sinsp_filter_check_gen_event
// and sinsp_filter_check_event (0.29, the conformance oracle): times, type and direction, category,
// results, I/O flags, and parameters rendered by capture/events/render.ts.
import {
  argsCount,
  renderArgs,
  renderInfo,
  renderParam,
  renderParamByName,
  renderParamResolved,
  renderParamValue,
  renderRawParamByName,
  paramIndex as renderedParamIndex,
} from "../../../capture/events/render.js";
import { EVENT_TABLE, EventCategory, EventFlag, EventType } from "../../../capture/events/table.js";
import type { Extractor } from "../../../engine/source.js";
import type { SyscallEvent } from "../../../state/event.js";
import { FdType } from "../../../state/fdinfo.js";
import { concatenatePaths } from "../../../state/paths.js";
import type { ResolvedField } from "../../types.js";
import type { StateRenderContext } from "./context.js";
import {
  eventCategory,
  eventFlags,
  eventTypeName,
  genericId,
  isEnter,
  isGeneric,
  syscallIdCategory,
} from "./events.js";

type X = Extractor<SyscallEvent>;

const NS = 1_000_000_000;
const NS_BIG = 1_000_000_000n;
const O_RDONLY = 1;
const O_WRONLY = 2;
const O_CREAT = 1 << 2;
const O_TMPFILE = 1 << 13;
const O_F_CREATED = 1 << 14;
const EXEC_MODE = (1 << 0) | (1 << 3) | (1 << 6);
const AT_FDCWD = -100;

// ---------------------------------------------------------------------------------------------------
// Time text (sinsp_utils::ts_to_string / ts_to_iso_8601): local time of day for evt.time, UTC for
// ISO 8601. libsinsp takes the local offset once per call for "now"; so does this, per extractor.

function localOffsetSeconds(): number {
  return -new Date().getTimezoneOffset() * 60;
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : "0".repeat(width - s.length) + s;
}

function timeOfDay(sec: number, nsec: number, withNs: boolean, tz: number): string {
  const s = (((sec + tz) % 86400) + 86400) % 86400;
  let out = `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor((s % 3600) / 60), 2)}:${pad(s % 60, 2)}`;
  if (withNs) out += "." + pad(nsec, 9);
  return out;
}

function dateOf(sec: number): string {
  const d = new Date(sec * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** evt.time.iso8601 text of a timestamp given as seconds and nanoseconds. */
export function iso8601(sec: number, nsec: number): string {
  return `${dateOf(sec)}T${timeOfDay(sec, nsec, true, 0)}+0000`;
}

function timeField(kind: "time" | "time.s" | "datetime" | "datetime.s" | "iso"): X {
  const tz = localOffsetSeconds();
  return (e) => {
    const sec = e.ev.tsSeconds();
    const nsec = e.ev.tsNanos();
    switch (kind) {
      case "time":
        return timeOfDay(sec, nsec, true, tz);
      case "time.s":
        return timeOfDay(sec, nsec, false, tz);
      case "datetime":
        return `${dateOf(sec + tz)} ${timeOfDay(sec, nsec, true, tz)}`;
      case "datetime.s":
        return `${dateOf(sec + tz)} ${timeOfDay(sec, nsec, false, tz)}`;
      case "iso":
        return iso8601(sec, nsec);
    }
  };
}

// ---------------------------------------------------------------------------------------------------
// Results

/** Position of the result parameter: "res", or "fd" of an fd-creating exit event; -1 if none. */
function resultIndex(e: SyscallEvent): number {
  const ev = e.ev;
  const res = renderedParamIndex(ev, "res");
  if (res >= 0) return res;
  if ((eventFlags(ev.type) & EventFlag.CREATES_FD) !== 0 && !isEnter(ev.type)) {
    return renderedParamIndex(ev, "fd");
  }
  return -1;
}

/** The result as a signed number, or undefined when the event has none. */
function rawResult(e: SyscallEvent): number | undefined {
  const i = resultIndex(e);
  if (i < 0) return undefined;
  return e.ev.paramI64(i) ?? e.ev.paramInt(i);
}

function resultText(e: SyscallEvent, ctx: StateRenderContext): string | undefined {
  const i = resultIndex(e);
  if (i < 0) return undefined;
  const v = e.ev.paramI64(i) ?? e.ev.paramInt(i);
  if (v === undefined) return undefined;
  if (v >= 0) return "SUCCESS";
  const resolved = renderParamResolved(e.ev, i, ctx.at(e));
  return resolved !== "" ? resolved : renderParamValue(e.ev, i, ctx.at(e));
}

// ---------------------------------------------------------------------------------------------------
// Category (sinsp_evt::get_category and the names filterchecks give them)

const CATEGORY_NAMES: Readonly<Record<number, string>> = {
  [EventCategory.UNKNOWN]: "unknown",
  [EventCategory.OTHER]: "other",
  [EventCategory.FILE]: "file",
  [EventCategory.NET]: "net",
  [EventCategory.IPC]: "IPC",
  [EventCategory.MEMORY]: "memory",
  [EventCategory.PROCESS]: "process",
  [EventCategory.SLEEP]: "sleep",
  [EventCategory.SYSTEM]: "system",
  [EventCategory.SIGNAL]: "signal",
  [EventCategory.USER]: "user",
  [EventCategory.TIME]: "time",
  [EventCategory.PROCESSING]: "processing",
  [EventCategory.WAIT]: "wait",
  [EventCategory.SCHEDULER]: "scheduler",
};

/** The event's category value as libsinsp computes it (generic events: from the syscall id). */
export function categoryOf(e: SyscallEvent): number {
  const type = e.ev.type;
  return isGeneric(type) ? syscallIdCategory(genericId(e)) : eventCategory(type);
}

function ioSubcategory(e: SyscallEvent): string {
  const fdi = e.fdinfo;
  if (fdi === undefined) return "unknown";
  switch (fdi.type) {
    case FdType.FILE:
    case FdType.FILE_V2:
    case FdType.DIRECTORY:
      return "file";
    case FdType.IPV4_SOCK:
    case FdType.IPV6_SOCK:
    case FdType.IPV4_SERVSOCK:
    case FdType.IPV6_SERVSOCK:
      return "net";
    case FdType.FIFO:
    case FdType.UNIX_SOCK:
    case FdType.EVENT:
    case FdType.SIGNALFD:
    case FdType.INOTIFY:
      return "ipc";
    default:
      return "unknown";
  }
}

function categoryName(e: SyscallEvent): string {
  const c = categoryOf(e);
  if (c === EventCategory.IO_READ || c === EventCategory.IO_WRITE || c === EventCategory.IO_OTHER) {
    return isGeneric(e.ev.type) ? "unknown" : ioSubcategory(e);
  }
  return CATEGORY_NAMES[c] ?? "unknown";
}

function isIoCategory(e: SyscallEvent): boolean {
  return !isGeneric(e.ev.type) && (categoryOf(e) & 32) !== 0;
}

// ---------------------------------------------------------------------------------------------------
// Buffer lengths

function buflen(e: SyscallEvent): number | undefined {
  if (isEnter(e.ev.type)) return undefined;
  const res = e.ev.paramI64(0);
  return res !== undefined && res >= 0 ? res : undefined;
}

function buflenIf(test: (e: SyscallEvent) => boolean): X {
  return (e) => (e.fdinfo !== undefined && test(e) ? buflen(e) : undefined);
}

function isFileFd(e: SyscallEvent): boolean {
  const t = e.fdinfo?.type;
  return t === FdType.FILE || t === FdType.FILE_V2;
}

function isNetFd(e: SyscallEvent): boolean {
  const t = e.fdinfo?.type;
  return t !== undefined && t >= FdType.IPV4_SOCK && t <= FdType.IPV6_SERVSOCK;
}

// ---------------------------------------------------------------------------------------------------
// Error counts

function errorCount(e: SyscallEvent): number | undefined {
  const res = rawResult(e);
  return res !== undefined && res < 0 ? 1 : undefined;
}

const OPEN_EXITS: ReadonlySet<number> = new Set([
  EventType.SYSCALL_OPEN_X,
  EventType.SYSCALL_CREAT_X,
  EventType.SYSCALL_OPENAT_X,
  EventType.SYSCALL_OPENAT_2_X,
  EventType.SYSCALL_OPENAT2_X,
]);
const NET_CREATORS: ReadonlySet<number> = new Set([
  EventType.SOCKET_ACCEPT_X,
  EventType.SOCKET_ACCEPT_5_X,
  EventType.SOCKET_ACCEPT4_X,
  EventType.SOCKET_ACCEPT4_5_X,
  EventType.SOCKET_ACCEPT4_6_X,
  EventType.SOCKET_CONNECT_X,
]);

function fdIsFileLike(e: SyscallEvent): boolean {
  const t = e.fdinfo?.type;
  return t === FdType.FILE || t === FdType.FILE_V2 || t === FdType.DIRECTORY;
}

function fdIsSocket(e: SyscallEvent): boolean {
  const t = e.fdinfo?.type;
  return (t !== undefined && t >= FdType.IPV4_SOCK && t <= FdType.IPV6_SERVSOCK) || t === FdType.UNIX_SOCK;
}

// ---------------------------------------------------------------------------------------------------
// Open flags (evt.is_open_*)

/** Index of the flags parameter of an open event (its mode follows it), or -1. A number, not a pair:
 * this runs for every open event of the upstream rules' open_read/open_write macros. */
function openFlagsIndex(type: number): number {
  switch (type) {
    case EventType.SYSCALL_OPEN_X:
    case EventType.SYSCALL_OPENAT_E:
      return 2;
    case EventType.SYSCALL_OPENAT_2_X:
    case EventType.SYSCALL_OPENAT2_X:
      return 3;
    default:
      return -1;
  }
}

function isOpen(kind: "read" | "write" | "exec" | "create"): X {
  return (e) => {
    const ev = e.ev;
    const idx = openFlagsIndex(ev.type);
    if (idx >= 0) {
      const flags = ev.paramInt(idx) ?? 0;
      switch (kind) {
        case "read":
          return (flags & O_RDONLY) !== 0;
        case "write":
          return (flags & O_WRONLY) !== 0;
        case "create":
          return (flags & O_F_CREATED) !== 0;
        case "exec":
          return (flags & (O_TMPFILE | O_CREAT)) !== 0
            ? ((ev.paramInt(idx + 1) ?? 0) & EXEC_MODE) !== 0
            : false;
      }
    }
    if (ev.type === EventType.SYSCALL_CREAT_X) {
      if (kind === "exec") return ((ev.paramInt(2) ?? 0) & EXEC_MODE) !== 0;
      if (kind === "create") return true;
    }
    return false;
  };
}

// ---------------------------------------------------------------------------------------------------
// evt.abspath

const ABSPATH_ARGS: ReadonlyMap<
  number,
  readonly [readonly [string, string], readonly [string, string] | undefined]
> = new Map([
  [
    EventType.SYSCALL_RENAMEAT_X,
    [
      ["olddirfd", "oldpath"],
      ["newdirfd", "newpath"],
    ],
  ],
  [
    EventType.SYSCALL_RENAMEAT2_X,
    [
      ["olddirfd", "oldpath"],
      ["newdirfd", "newpath"],
    ],
  ],
  [EventType.SYSCALL_SYMLINKAT_X, [["linkdirfd", "linkpath"], undefined]],
  [EventType.SYSCALL_OPENAT_E, [["dirfd", "name"], undefined]],
  [EventType.SYSCALL_OPENAT_2_X, [["dirfd", "name"], undefined]],
  [EventType.SYSCALL_OPENAT2_X, [["dirfd", "name"], undefined]],
  [
    EventType.SYSCALL_LINKAT_E,
    [
      ["olddir", "oldpath"],
      ["newdir", "newpath"],
    ],
  ],
  [
    EventType.SYSCALL_LINKAT_2_X,
    [
      ["olddir", "oldpath"],
      ["newdir", "newpath"],
    ],
  ],
  [EventType.SYSCALL_UNLINKAT_E, [["dirfd", "name"], undefined]],
  [EventType.SYSCALL_UNLINKAT_2_X, [["dirfd", "name"], undefined]],
  [EventType.SYSCALL_MKDIRAT_X, [["dirfd", "path"], undefined]],
  [EventType.SYSCALL_FCHMODAT_X, [["dirfd", "filename"], undefined]],
]);

function abspath(which: string | undefined): X {
  return (e) => {
    const t = e.tinfo;
    if (t === undefined) return undefined;
    const args = ABSPATH_ARGS.get(e.ev.type);
    if (args === undefined) return undefined;
    const pair = which === "dst" ? args[1] : args[0];
    if (pair === undefined) return undefined;
    const names = EVENT_TABLE[e.ev.type]!.params;
    let di = -1;
    let pi = -1;
    for (let i = 0; i < e.ev.nparams && i < names.length; i++) {
      if (di < 0 && names[i]!.name === pair[0]) di = i;
      if (pi < 0 && names[i]!.name === pair[1]) pi = i;
    }
    if (di < 0 || pi < 0) return undefined;
    const dirfd = e.ev.paramI64(di) ?? AT_FDCWD;
    const path = e.ev.paramString(pi) ?? "";
    let sdir: string;
    if (path.charCodeAt(0) === 47) sdir = ".";
    else if (dirfd === AT_FDCWD) sdir = e.state.cwd(t);
    else {
      const fdi = e.state.getFd(t, dirfd);
      sdir = fdi === undefined ? "<UNKNOWN>/" : fdi.name + "/";
    }
    return concatenatePaths(sdir, path);
  };
}

// ---------------------------------------------------------------------------------------------------

/** libsinsp's format_time: a duration in the largest unit that fits, truncated. */
function latencyHuman(ns: number): string {
  const two = (n: number): string => pad(Math.floor(n), 2);
  if (ns >= 3600 * NS) return `${two(ns / (3600 * NS))}:${two((ns / (60 * NS)) % 60)}:${two((ns / NS) % 60)}`;
  if (ns >= 60 * NS) return `${Math.floor(ns / (60 * NS))}:${Math.floor(ns / NS) % 60}`;
  if (ns >= NS) return `${Math.floor(ns / NS)}.${two((ns % NS) / 1e7)}s`;
  if (ns >= NS / 100) return `${Math.floor(ns / 1e6)}ms`;
  if (ns >= NS / 1000) return `${Math.floor(ns / 1e6)}.${two((ns % 1e6) / 1e4)}ms`;
  if (ns >= NS / 100000) return `${Math.floor(ns / 1e3)}us`;
  if (ns >= NS / 1000000) return `${Math.floor(ns / 1e3)}.${two((ns % 1e3) / 10)}us`;
  return `${ns}ns`;
}

function latency(part: "all" | "s" | "ns" | "human" | "quantized"): X {
  return (e) => {
    const t = e.tinfo;
    if (t === undefined) return part === "quantized" ? undefined : part === "human" ? "" : 0;
    if ((categoryOf(e) & EventCategory.INTERNAL) !== 0) return undefined;
    const lat = t.latency;
    switch (part) {
      case "all":
        return lat;
      case "s":
        return Math.floor(lat / NS);
      case "ns":
        return lat % NS;
      case "human":
        return latencyHuman(lat);
      case "quantized":
        return lat === 0 ? undefined : Math.floor((Math.min(Math.log10(lat), 11) * 80) / 11) + 1;
    }
  };
}

function deltatime(part: "all" | "s" | "ns"): X {
  let prev = 0n;
  return (e) => {
    const ts = e.ev.ts;
    let d = 0n;
    if (prev !== 0n) d = ts - prev;
    prev = ts;
    if (part === "s") return Number(d / NS_BIG);
    if (part === "ns") return Number(d % NS_BIG);
    return Number(d);
  };
}

function typeIs(arg: string | undefined): X {
  let code = -1;
  if (arg !== undefined) {
    if (/^[0-9]+$/.test(arg)) code = Number(arg);
    else code = EVENT_TABLE.findIndex((ev) => ev.name === arg);
  }
  const numeric = arg !== undefined && /^[0-9]+$/.test(arg);
  return (e) => {
    const t = e.ev.type;
    return t === code || (!numeric && code >= 0 && t === code + 1) ? 1 : 0;
  };
}

/**
 * evt.arg[N] / evt.arg.NAME. sysdig 0.29.3 sees only the parameters its own (older) event table loads;
 * in compat mode we look as it does. Otherwise every parameter the event carries counts, by today's
 * names first: live events from Saker's probe carry the full current parameter list (ptrace's
 * `request`, socket's `domain`, ...), which the old table would hide.
 */
function argExtractor(arg: string | undefined, ctx: StateRenderContext, sysdigCompat: boolean): X {
  if (arg === undefined) return () => undefined;
  if (/^[+-]?[0-9]+$/.test(arg)) {
    const n = Number(arg);
    if (sysdigCompat)
      return (e) => (n < 0 || n >= argsCount(e.ev) ? undefined : renderParam(e.ev, n, ctx.at(e)));
    return (e) => (n < 0 || n >= e.ev.nparams ? undefined : renderParam(e.ev, n, ctx.at(e)));
  }
  if (sysdigCompat) return (e) => renderParamByName(e.ev, arg, ctx.at(e));
  return (e) => {
    const i = renderedParamIndex(e.ev, arg, true);
    return i < 0 ? undefined : renderParam(e.ev, i, ctx.at(e));
  };
}

/** The extractor of an evt.* or syscall.type field; undefined when the name is not one of these. */
export function evtExtractor(
  field: ResolvedField,
  ctx: StateRenderContext,
  sysdigCompat = false,
): X | undefined {
  const arg = field.arg;
  switch (field.info.name) {
    case "evt.num":
      return (e) => e.num;
    case "evt.time":
    case "evt.outputtime":
      return timeField("time");
    case "evt.time.s":
      return timeField("time.s");
    case "evt.time.iso8601":
      return timeField("iso");
    case "evt.datetime":
      return timeField("datetime");
    case "evt.datetime.s":
      return timeField("datetime.s");
    case "evt.rawtime":
      return (e) => e.ev.ts;
    case "evt.rawtime.s":
      return (e) => e.ev.tsSeconds();
    case "evt.rawtime.ns":
      return (e) => e.ev.tsNanos();
    case "evt.reltime":
      return (e) => e.ev.ts - e.state.firstEventTime;
    case "evt.reltime.s":
      return (e) => Number((e.ev.ts - e.state.firstEventTime) / NS_BIG);
    case "evt.reltime.ns":
      return (e) => Number((e.ev.ts - e.state.firstEventTime) % NS_BIG);
    case "evt.pluginname":
    case "evt.plugininfo":
    case "evt.asynctype":
    case "evt.around":
    case "evt.infra.docker.name":
    case "evt.infra.docker.container.id":
    case "evt.infra.docker.container.name":
    case "evt.infra.docker.container.image":
      return () => undefined;
    case "evt.source":
      return () => "syscall";
    case "evt.is_async":
      return () => false;
    case "evt.hostname":
      return (e) => (e.state.hostname === "" ? undefined : e.state.hostname);
    case "evt.latency":
      return latency("all");
    case "evt.latency.s":
      return latency("s");
    case "evt.latency.ns":
      return latency("ns");
    case "evt.latency.human":
      return latency("human");
    case "evt.latency.quantized":
      return latency("quantized");
    case "evt.deltatime":
      return deltatime("all");
    case "evt.deltatime.s":
      return deltatime("s");
    case "evt.deltatime.ns":
      return deltatime("ns");
    case "evt.dir":
      return (e) => (isEnter(e.ev.type) ? ">" : "<");
    case "evt.type":
      if (sysdigCompat) {
        return (e) => (e.ev.type === EventType.SCAPEVENT_E ? "sysdigevent" : eventTypeName(e));
      }
      return eventTypeName;
    case "evt.type.is":
      return typeIs(arg);
    case "syscall.type":
      return (e) => {
        const type = e.ev.type;
        if (type === EventType.SCHEDSWITCH_6_E || (eventFlags(type) & EventFlag.SKIPPARSERESET) !== 0)
          return undefined;
        return eventTypeName(e);
      };
    case "evt.category":
      return categoryName;
    case "evt.cpu":
      return (e) => e.ev.cpu;
    case "evt.args":
      return (e) => renderArgs(e.ev, ctx.at(e));
    case "evt.info":
      return (e) => renderInfo(e.ev, ctx.at(e));
    case "evt.arg":
      return argExtractor(arg, ctx, sysdigCompat);
    case "evt.rawarg":
      return arg === undefined ? () => undefined : (e) => renderRawParamByName(e.ev, arg);
    case "evt.buffer":
      return (e) => {
        const i = renderedParamIndex(e.ev, "data");
        return i < 0 ? undefined : (e.ev.paramBytes(i) ?? undefined);
      };
    case "evt.buflen":
      return buflenIf(isIoCategory);
    case "evt.buflen.in":
      return buflenIf((e) => categoryOf(e) === EventCategory.IO_READ);
    case "evt.buflen.out":
      return buflenIf((e) => categoryOf(e) === EventCategory.IO_WRITE);
    case "evt.buflen.file":
      return buflenIf((e) => isIoCategory(e) && isFileFd(e));
    case "evt.buflen.file.in":
      return buflenIf((e) => categoryOf(e) === EventCategory.IO_READ && isFileFd(e));
    case "evt.buflen.file.out":
      return buflenIf((e) => categoryOf(e) === EventCategory.IO_WRITE && isFileFd(e));
    case "evt.buflen.net":
      return buflenIf((e) => isIoCategory(e) && isNetFd(e));
    case "evt.buflen.net.in":
      return buflenIf((e) => categoryOf(e) === EventCategory.IO_READ && isNetFd(e));
    case "evt.buflen.net.out":
      return buflenIf((e) => categoryOf(e) === EventCategory.IO_WRITE && isNetFd(e));
    case "evt.res":
      return (e) => resultText(e, ctx);
    case "evt.rawres":
      return rawResult;
    case "evt.failed":
      return (e) => {
        const r = rawResult(e);
        return r !== undefined && r < 0;
      };
    case "evt.is_io":
      return (e) => (eventFlags(e.ev.type) & (EventFlag.READS_FROM_FD | EventFlag.WRITES_TO_FD)) !== 0;
    case "evt.is_io_read":
      return (e) => (eventFlags(e.ev.type) & EventFlag.READS_FROM_FD) !== 0;
    case "evt.is_io_write":
      return (e) => (eventFlags(e.ev.type) & EventFlag.WRITES_TO_FD) !== 0;
    case "evt.io_dir":
      return (e) => {
        const f = eventFlags(e.ev.type);
        if ((f & EventFlag.WRITES_TO_FD) !== 0) return "write";
        if ((f & EventFlag.READS_FROM_FD) !== 0) return "read";
        return undefined;
      };
    case "evt.is_wait":
      return (e) => (eventFlags(e.ev.type) & EventFlag.WAITS) !== 0;
    case "evt.wait_latency":
      return (e) =>
        (eventFlags(e.ev.type) & EventFlag.WAITS) !== 0 && !isEnter(e.ev.type)
          ? (e.tinfo?.latency ?? 0)
          : undefined;
    case "evt.is_syslog":
      return (e) =>
        (eventFlags(e.ev.type) & EventFlag.WRITES_TO_FD) !== 0 &&
        e.fdinfo !== undefined &&
        e.fdinfo.name.includes("/dev/log");
    case "evt.count":
      return () => 1;
    case "evt.count.error":
      return errorCount;
    case "evt.count.error.file":
      return (e) =>
        (e.fdinfo !== undefined ? fdIsFileLike(e) : OPEN_EXITS.has(e.ev.type)) ? errorCount(e) : undefined;
    case "evt.count.error.net":
      return (e) =>
        (e.fdinfo !== undefined ? fdIsSocket(e) : NET_CREATORS.has(e.ev.type)) ? errorCount(e) : undefined;
    case "evt.count.error.memory":
      return (e) => (categoryOf(e) === EventCategory.MEMORY ? errorCount(e) : undefined);
    case "evt.count.error.other":
      return (e) => {
        const other =
          e.fdinfo !== undefined
            ? !(fdIsFileLike(e) || fdIsSocket(e))
            : !(
                OPEN_EXITS.has(e.ev.type) ||
                NET_CREATORS.has(e.ev.type) ||
                categoryOf(e) === EventCategory.MEMORY
              );
        return other ? errorCount(e) : undefined;
      };
    case "evt.count.exit":
      return (e) => (isEnter(e.ev.type) ? undefined : 1);
    case "evt.count.procinfo":
      return (e) => {
        if (e.ev.type !== EventType.PROCINFO_E) return undefined;
        const t = e.thread();
        return t !== undefined && t.isMainThread() ? 1 : undefined;
      };
    case "evt.count.threadinfo":
      return (e) => (e.ev.type === EventType.PROCINFO_E ? 1 : undefined);
    case "evt.abspath":
      return abspath(arg);
    case "evt.is_open_read":
      return isOpen("read");
    case "evt.is_open_write":
      return isOpen("write");
    case "evt.is_open_exec":
      return isOpen("exec");
    case "evt.is_open_create":
      return isOpen("create");
    default:
      return undefined;
  }
}
