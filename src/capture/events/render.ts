// Parameter rendering, as sysdig 0.29.3 prints it (falcosecurity/libs e5c53d64, the oracle of
// the conformance corpus): the text of one parameter (`evt.arg.NAME`, `evt.arg[N]`), its raw value
// (`evt.rawarg.NAME`), the `name=value(resolved) ` list of `evt.args`, `evt.info`, `evt.res` and
// `evt.rawres`.
//
// Every parameter has a printed value and, for some types, a resolved form: an fd's type and
// name (`3` -> `<f>/etc/passwd`), an errno name (`-2` -> `ENOENT`), flag names, a signal, a
// user. `evt.arg.*` shows the resolved form when there is one, `evt.args` shows both as
// `value(resolved)`. Resolutions that need state (fd table, thread table, users, working
// directory) come from a RenderContext; everything else is computed from the event's bytes.
//
// sysdig renders a capture with its own event table; where today's table differs (parameters
// appended, retyped or renamed since 2022) the differences are applied from render/legacy.ts, so
// output matches sysdig for the events it knows. Events it does not know are rendered with
// today's table and libsinsp's current rules for the types it added.
//
// Where sysdig's output depends on memory it should not read, we print something defined
// instead: parameters shorter than their type print <NA> (sysdig reads past them), a string or
// path without a NUL stops at its end, an empty path prints "" (sysdig repeats earlier text), and
// fd lists stop at 1023 characters (sysdig's storage may have grown). Strings are decoded as
// UTF-8, so invalid sequences come out as U+FFFD where sysdig writes the raw bytes.
//
// Rendering allocates only the resulting string: values are read in place from the event view,
// byte-level text is built in a shared scratch buffer (render/text.ts), and the two parts of a
// parameter are passed through module-level variables rather than result objects.

import type { ScapEvent } from "../scap/event.js";
import { readI64 } from "../scap/records.js";
import {
  EVENT_TABLE,
  EventFlag,
  EventType,
  type FlagTable,
  type NameValue,
  type ParamInfo,
  ParamType,
  PrintFormat,
  SYSCALL_NAMES,
  flagTable,
} from "./table.js";
import {
  LEGACY_EVENT_MAX,
  LEGACY_FLAG_TABLES,
  LEGACY_PARAM_COUNTS,
  LEGACY_PARAM_OVERRIDES,
  LEGACY_SYSCALL_MAX,
  LEGACY_SYSCALL_NAMES,
} from "./render/legacy.js";
import {
  bufferAsciiOnly,
  bufferBase64,
  bufferDots,
  bufferHex,
  cString,
  errnoName,
  formatG,
  ipv4Text,
  ipv6Text,
  isIpv4Mapped,
  pathValue,
  resolveRelativePath,
  sanitizeString,
  sanitizedCString,
  signalName,
} from "./render/text.js";

/** How byte buffers are printed: sysdig's `param_fmt` bits (-A, -x, -X, -b, -j). */
export const BufferFormat = {
  /** Printable bytes, '.' for the rest, cut to maxBufferLength with "..." (default). */
  NORMAL: 1 << 0,
  JSON: 1 << 1,
  /** No fd type characters: `3(<>/etc/passwd)`. */
  SIMPLE: 1 << 2,
  /** -x: hex rows. */
  HEX: 1 << 3,
  /** -X: hex rows with the printable bytes. */
  HEXASCII: 1 << 4,
  /** -A: printable bytes and line ends only, starting on a new line. */
  EOLS: 1 << 5,
  /** -A without the leading line end. */
  EOLS_COMPACT: 1 << 6,
  /** -b: base64. */
  BASE64: 1 << 7,
  JSONEOLS: 1 << 8,
  JSONHEX: 1 << 9,
  JSONHEXASCII: 1 << 10,
  JSONBASE64: 1 << 11,
} as const;
export type BufferFormat = (typeof BufferFormat)[keyof typeof BufferFormat];

/** sysdig prints at most this many characters of a buffer unless run with -v. */
export const SYSDIG_MAX_BUFFER_LENGTH = 80;

/**
 * What rendering needs from the state engine. All lookups are about the thread of the event being
 * rendered; every method may answer undefined ("not known"), which renders as sysdig renders an
 * event whose thread or fd it has no record of.
 */
export interface RenderContext {
  /** Name of `fd` in the event thread's fd table, or undefined if the fd (or thread) is unknown. */
  fdName(fd: number): string | undefined;
  /**
   * The characters sysdig puts between `<>` for `fd`: its type character (`f`, `d`, `4`, `6`,
   * `u`, `p`, `e`, `s`, `l`, `i`, `t`, `n`, ...), followed for IPv4/IPv6 sockets by the protocol
   * character (`t`, `u`, `i`, `r`) when known, e.g. "4t".
   */
  fdTypeChar(fd: number): string | undefined;
  /**
   * The event thread's working directory as libsinsp keeps it (ending in '/'), or undefined when
   * the thread is unknown. Relative paths are resolved against it; fd lists need a known thread.
   */
  cwd?(): string | undefined;
  /** Command name (comm) of thread `tid`, for pid parameters. */
  threadComm?(tid: number): string | undefined;
  /** User name of `uid` from the capture's user table. */
  userName?(uid: number): string | undefined;
  /** Group name of `gid`. */
  groupName?(gid: number): string | undefined;
  /**
   * True when the event writes to an fd carrying sysdig's syslog decoder (a /dev/log socket, with
   * syslog decoding enabled); evt.info then shows the decoded message.
   */
  isDevLogWrite?(): boolean;
  /** Buffer style; default BufferFormat.NORMAL. */
  readonly bufferFormat?: BufferFormat;
  /**
   * Longest printed buffer in NORMAL style; longer ones end in "...". Default 80 (sysdig without
   * -v); 0 prints buffers whole (libsinsp's default, what Falco does).
   */
  readonly maxBufferLength?: number;
}

/** A context that knows nothing: fds print as numbers, paths stay as written, users as <NA>. */
export const NO_STATE: RenderContext = {
  fdName: () => undefined,
  fdTypeChar: () => undefined,
};

// ---------------------------------------------------------------------------------------------
// The effective table: today's, with sysdig 0.29.3's differences applied to the events it knows.

const PARAM_COUNT: readonly number[] = (() => {
  const a = EVENT_TABLE.map((e) => e.params.length);
  for (const [code, n] of LEGACY_PARAM_COUNTS) a[code] = n;
  return a;
})();

function legacyFlags(t: FlagTable | null): FlagTable | null {
  if (t === null) return null;
  const rows = LEGACY_FLAG_TABLES[t.name];
  return rows === undefined ? t : { name: t.name, entries: rows.map(([name, value]) => ({ name, value })) };
}

const PARAMS: readonly (readonly ParamInfo[])[] = EVENT_TABLE.map((e, code) => {
  if (code >= LEGACY_EVENT_MAX) return e.params;
  return e.params.map((p, index) => {
    const o = LEGACY_PARAM_OVERRIDES.find((x) => x.code === code && x.index === index);
    if (o === undefined) return p.flags === null ? p : { ...p, flags: legacyFlags(p.flags) };
    return {
      ...p,
      name: o.name,
      type: o.type,
      fmt: o.fmt,
      flags: o.flags === null ? null : legacyFlags(flagTable(o.flags) ?? null),
    };
  });
});

/** How parameter `index` of an event of type `code` is rendered (name, type, format, flags). */
export function renderedParamInfo(code: number, index: number): ParamInfo | undefined {
  return PARAMS[code]?.[index];
}

/**
 * The number of parameters sysdig loads for this event: min(event count, its table's count).
 * `evt.arg[N]` and `evt.arg.NAME` see only these; `evt.args` lists them.
 */
export function argsCount(ev: ScapEvent): number {
  const n = PARAM_COUNT[ev.type];
  return n === undefined ? 0 : Math.min(n, ev.nparams);
}

/**
 * Index of the parameter called `name`, or -1. By default as sysdig 0.29.3 looks it up: among the
 * parameters it loads, by its names (today's names are accepted where a parameter was renamed).
 * With `all`, every parameter of the event is searched, today's names first.
 */
export function paramIndex(ev: ScapEvent, name: string, all = false): number {
  const params = PARAMS[ev.type];
  if (params === undefined) return -1;
  const current = EVENT_TABLE[ev.type]!.params;
  const n = all ? Math.min(ev.nparams, params.length) : argsCount(ev);
  const first = all ? current : params;
  const second = all ? params : current;
  for (let i = 0; i < n; i++) if (first[i]!.name === name) return i;
  for (let i = 0; i < n; i++) if (second[i]!.name === name) return i;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Public rendering

/**
 * `evt.arg[N]` / `evt.arg.NAME`: the resolved form of parameter `index` when it has one, else its
 * value. "" if the event has no such parameter (callers map that to <NA> using argsCount).
 */
export function renderParam(ev: ScapEvent, index: number, ctx: RenderContext): string {
  if (!format(ev, index, ctx)) return "";
  return outResolved !== "" ? outResolved : outValue;
}

/** The printed value of parameter `index` without its resolved form (e.g. "3", "-2", "4097"). */
export function renderParamValue(ev: ScapEvent, index: number, ctx: RenderContext): string {
  return format(ev, index, ctx) ? outValue : "";
}

/** The resolved form alone ("<f>/etc/passwd", "ENOENT", "O_RDONLY|O_CLOEXEC"), or "". */
export function renderParamResolved(ev: ScapEvent, index: number, ctx: RenderContext): string {
  return format(ev, index, ctx) ? outResolved : "";
}

/** `evt.arg.NAME`; undefined if sysdig would print <NA> (no such parameter in this event). */
export function renderParamByName(ev: ScapEvent, name: string, ctx: RenderContext): string | undefined {
  const i = paramIndex(ev, name);
  return i < 0 ? undefined : renderParam(ev, i, ctx);
}

/**
 * `evt.args`: `name=value ` or `name=value(resolved) ` for each parameter sysdig loads (trailing
 * space included); "" for generic syscall events, whose parameters sysdig keeps internal.
 */
export function renderArgs(ev: ScapEvent, ctx: RenderContext): string {
  if (ev.type === EventType.GENERIC_E || ev.type === EventType.GENERIC_X) return "";
  const n = argsCount(ev);
  const params = PARAMS[ev.type]!;
  let s = "";
  for (let i = 0; i < n; i++) {
    format(ev, i, ctx);
    s += params[i]!.name + "=" + outValue;
    s += outResolved === "" ? " " : "(" + outResolved + ") ";
  }
  return s;
}

/**
 * `evt.info`: the decoded syslog line for writes to /dev/log (when the context says the decoder is
 * attached and the data parses as a syslog message), otherwise the same text as evt.args.
 */
export function renderInfo(ev: ScapEvent, ctx: RenderContext): string {
  if (ctx.isDevLogWrite?.() === true) {
    const i = paramIndex(ev, "data");
    if (i >= 0) {
      const line = syslogLine(ev.buf, ev.paramOff[i]!, ev.paramOff[i]! + ev.paramLength[i]!);
      if (line !== undefined) return line;
    }
  }
  return renderArgs(ev, ctx);
}

/**
 * `evt.res`: "SUCCESS" for a non-negative result, else its errno name (or its value when it has
 * none). The result is the "res" parameter, or for exit events of fd-creating syscalls without
 * one, the "fd" parameter. Undefined for events with neither (sysdig prints <NA>).
 */
export function renderResult(ev: ScapEvent, ctx: RenderContext): string | undefined {
  const i = resultIndex(ev);
  if (i < 0) return undefined;
  const off = ev.paramOff[i]!;
  const negative = ev.paramLength[i]! >= 8 ? ev.dv.getInt32(off + 4, true) < 0 : false;
  return negative ? renderParam(ev, i, ctx) : "SUCCESS";
}

/** `evt.rawres`: the result parameter (see renderResult) as a signed 64-bit number. */
export function renderRawResult(ev: ScapEvent): number | bigint | undefined {
  const i = resultIndex(ev);
  if (i < 0 || ev.paramLength[i]! < 8) return undefined;
  const off = ev.paramOff[i]!;
  const hi = ev.dv.getInt32(off + 4, true);
  return hi >= -0x200000 && hi < 0x200000 ? readI64(ev.dv, off) : ev.dv.getBigInt64(off, true);
}

function resultIndex(ev: ScapEvent): number {
  const i = paramIndex(ev, "res");
  if (i >= 0) return i;
  const info = EVENT_TABLE[ev.type];
  if (info === undefined || (ev.type & 1) === 0 || (info.flags & EventFlag.CREATES_FD) === 0) return -1;
  return paramIndex(ev, "fd");
}

/**
 * `evt.rawarg.NAME`-style raw value of parameter `index`: integers as numbers (64-bit ones as
 * bigint when beyond 2^53), strings and buffers as their text up to the first NUL, a dynamic
 * parameter as its selected value; addresses, tuples and fd lists (which have no raw form) as
 * their stateless rendering. Undefined if absent or of the wrong size.
 */
export function renderRawParam(ev: ScapEvent, index: number): string | number | bigint | undefined {
  const info = index < ev.nparams ? PARAMS[ev.type]?.[index] : undefined;
  if (info === undefined) return undefined;
  let type = info.type;
  let off = ev.paramOff[index]!;
  let len = ev.paramLength[index]!;
  if (type === ParamType.DYN) {
    const dyn = info.dynamic;
    if (dyn === null || len === 0 || ev.buf[off]! >= dyn.length) return undefined;
    type = dyn[ev.buf[off]!]!.type;
    off++;
    len--;
  }
  const dv = ev.dv;
  switch (type) {
    case ParamType.INT8:
      return len >= 1 ? dv.getInt8(off) : undefined;
    case ParamType.INT16:
      return len >= 2 ? dv.getInt16(off, true) : undefined;
    case ParamType.INT32:
    case ParamType.FD32:
    case ParamType.PID32:
      return len >= 4 ? dv.getInt32(off, true) : undefined;
    case ParamType.UINT8:
    case ParamType.FLAGS8:
    case ParamType.ENUMFLAGS8:
    case ParamType.SIGTYPE:
    case ParamType.L4PROTO:
      return len >= 1 ? dv.getUint8(off) : undefined;
    case ParamType.UINT16:
    case ParamType.FLAGS16:
    case ParamType.ENUMFLAGS16:
    case ParamType.SYSCALLID:
    case ParamType.PORT:
      return len >= 2 ? dv.getUint16(off, true) : undefined;
    case ParamType.UINT32:
    case ParamType.FLAGS32:
    case ParamType.ENUMFLAGS32:
    case ParamType.MODE:
    case ParamType.UID:
    case ParamType.GID:
    case ParamType.SIGSET:
    case ParamType.BOOL:
      return len >= 4 ? dv.getUint32(off, true) : undefined;
    case ParamType.INT64:
    case ParamType.FD:
    case ParamType.PID:
    case ParamType.ERRNO: {
      if (len < 8) return undefined;
      const hi = dv.getInt32(off + 4, true);
      return hi >= -0x200000 && hi < 0x200000 ? readI64(dv, off) : dv.getBigInt64(off, true);
    }
    case ParamType.UINT64:
    case ParamType.RELTIME:
    case ParamType.ABSTIME: {
      if (len < 8) return undefined;
      const hi = dv.getUint32(off + 4, true);
      return hi < 0x200000 ? hi * 4294967296 + dv.getUint32(off, true) : dv.getBigUint64(off, true);
    }
    case ParamType.CHARBUF:
    case ParamType.FSPATH:
    case ParamType.FSRELPATH:
    case ParamType.BYTEBUF:
      return cString(ev.buf, off, off + len);
    default:
      return format(ev, index, NO_STATE) ? outValue : undefined;
  }
}

/** `evt.rawarg.NAME`; undefined if absent. */
export function renderRawParamByName(ev: ScapEvent, name: string): string | number | bigint | undefined {
  const i = paramIndex(ev, name);
  return i < 0 ? undefined : renderRawParam(ev, i);
}

// ---------------------------------------------------------------------------------------------
// The renderer proper. format() leaves the two parts of the parameter in outValue / outResolved.

let outValue = "";
let outResolved = "";

const NA = "<NA>";

function format(ev: ScapEvent, index: number, ctx: RenderContext): boolean {
  outValue = "";
  outResolved = "";
  if (index < 0 || index >= ev.nparams) return false;
  const info = PARAMS[ev.type]?.[index];
  if (info === undefined) return false;
  const off = ev.paramOff[index]!;
  const len = ev.paramLength[index]!;
  let type = info.type;
  if (type === ParamType.DYN) {
    const dyn = info.dynamic;
    const sel = len > 0 ? ev.buf[off]! : 0;
    if (dyn === null || len === 0 || sel >= dyn.length) {
      outValue = "INVALID DYNAMIC PARAMETER";
      return true;
    }
    type = dyn[sel]!.type;
    formatTyped(ev, info, type, off + 1, len - 1, ctx);
    return true;
  }
  formatTyped(ev, info, type, off, len, ctx);
  return true;
}

function formatTyped(
  ev: ScapEvent,
  info: ParamInfo,
  type: ParamType,
  off: number,
  len: number,
  ctx: RenderContext,
): void {
  const dv = ev.dv;
  const buf = ev.buf;
  const fmt = info.fmt;
  switch (type) {
    case ParamType.INT8:
      outValue = len >= 1 ? formatInt32(dv.getInt8(off), fmt) : NA;
      return;
    case ParamType.INT16:
      outValue = len >= 2 ? formatInt32(dv.getInt16(off, true), fmt) : NA;
      return;
    case ParamType.INT32:
      outValue = len >= 4 ? formatInt32(dv.getInt32(off, true), fmt) : NA;
      return;
    case ParamType.UINT8:
      outValue = len >= 1 ? formatUint32(dv.getUint8(off), fmt, false) : NA;
      return;
    case ParamType.UINT16:
      outValue = len >= 2 ? formatUint32(dv.getUint16(off, true), fmt, false) : NA;
      return;
    case ParamType.UINT32:
      // libsinsp prints unsigned 32-bit values with %d: above 2^31 they come out negative.
      outValue = len >= 4 ? formatUint32(dv.getUint32(off, true), fmt, true) : NA;
      return;
    case ParamType.INT64:
    case ParamType.UINT64:
      // Both go through int64_t: decimal output is signed, hex and octal show the bit pattern.
      outValue = len >= 8 ? formatInt64(dv, off, fmt) : NA;
      return;
    case ParamType.FD:
    case ParamType.FD32: {
      const size = type === ParamType.FD ? 8 : 4;
      if (len < size) {
        outValue = NA;
        return;
      }
      const fd = size === 8 ? readI64(dv, off) : dv.getInt32(off, true);
      outValue = size === 8 ? i64Dec(dv, off) : String(fd);
      outResolved = fdResolved(fd, size === 8 ? dv.getInt32(off, true) : fd, ctx);
      return;
    }
    case ParamType.PID:
    case ParamType.PID32: {
      const size = type === ParamType.PID ? 8 : 4;
      if (len < size) {
        outValue = NA;
        return;
      }
      outValue = size === 8 ? i64Dec(dv, off) : String(dv.getInt32(off, true));
      const comm = ctx.threadComm?.(size === 8 ? readI64(dv, off) : dv.getInt32(off, true));
      if (comm !== undefined) outResolved = comm;
      return;
    }
    case ParamType.ERRNO:
      if (len < 8) {
        outValue = NA;
        return;
      }
      outValue = i64Dec(dv, off);
      if (dv.getInt32(off + 4, true) < 0) outResolved = errnoName(dv.getInt32(off, true));
      return;
    case ParamType.CHARBUF:
      outValue = cString(buf, off, off + len);
      return;
    case ParamType.FSPATH:
    case ParamType.FSRELPATH:
      formatPath(ev, info, type, off, len, ctx);
      return;
    case ParamType.BYTEBUF:
      outValue = formatBuffer(buf, off, off + len, ctx);
      return;
    case ParamType.SOCKADDR:
      outValue = formatSockaddr(buf, dv, off, len);
      return;
    case ParamType.SOCKTUPLE:
      outValue = formatSocktuple(buf, dv, off, len);
      return;
    case ParamType.FDLIST:
      outValue = formatFdList(dv, off, len, ctx);
      return;
    case ParamType.SYSCALLID: {
      if (len < 2) {
        outValue = NA;
        return;
      }
      const id = dv.getUint16(off, true);
      const max = ev.type < LEGACY_EVENT_MAX ? LEGACY_SYSCALL_MAX : SYSCALL_NAMES.length;
      if (id >= max) {
        outValue = "<unknown syscall>";
        return;
      }
      outValue = String(id);
      outResolved =
        (ev.type < LEGACY_EVENT_MAX ? LEGACY_SYSCALL_NAMES.get(id) : undefined) ?? SYSCALL_NAMES[id]!;
      return;
    }
    case ParamType.SIGTYPE:
      if (len < 1) {
        outValue = NA;
        return;
      }
      outValue = String(buf[off]!);
      outResolved = signalName(buf[off]!);
      return;
    case ParamType.RELTIME: {
      if (len < 8) {
        outValue = NA;
        return;
      }
      const lo = dv.getUint32(off, true);
      const hi = dv.getUint32(off + 4, true);
      if (lo === 0xffffffff && hi === 0xffffffff) {
        outValue = "none";
        return;
      }
      outValue = u64Dec(dv, off);
      outResolved = formatG((hi * 4294967296 + lo) / 1e9) + "s";
      return;
    }
    case ParamType.ABSTIME:
      outValue = len >= 8 ? formatAbsTime(dv, off) : NA;
      return;
    case ParamType.FLAGS8:
    case ParamType.FLAGS16:
    case ParamType.FLAGS32:
    case ParamType.ENUMFLAGS8:
    case ParamType.ENUMFLAGS16:
    case ParamType.ENUMFLAGS32: {
      const size =
        type === ParamType.FLAGS8 || type === ParamType.ENUMFLAGS8
          ? 1
          : type === ParamType.FLAGS16 || type === ParamType.ENUMFLAGS16
            ? 2
            : 4;
      if (len < size) {
        outValue = NA;
        return;
      }
      const v = size === 1 ? buf[off]! : size === 2 ? dv.getUint16(off, true) : dv.getUint32(off, true);
      outValue = String(v);
      const exact =
        ev.type >= LEGACY_EVENT_MAX &&
        (type === ParamType.ENUMFLAGS8 || type === ParamType.ENUMFLAGS16 || type === ParamType.ENUMFLAGS32);
      outResolved =
        info.flags === null
          ? ""
          : exact
            ? enumNames(info.flags.entries, v)
            : flagNames(info.flags.entries, v);
      return;
    }
    case ParamType.MODE: {
      if (len < 4) {
        outValue = NA;
        return;
      }
      const v = dv.getUint32(off, true);
      outValue = formatUint32(v, fmt, true);
      outResolved = info.flags === null ? "" : flagNames(info.flags.entries, v);
      return;
    }
    case ParamType.UID:
    case ParamType.GID: {
      if (len < 4) {
        outValue = NA;
        return;
      }
      const v = dv.getUint32(off, true);
      if (v === 0xffffffff) {
        outValue = "-1";
        outResolved = "<NONE>";
        return;
      }
      outValue = String(v | 0);
      const name = type === ParamType.UID ? ctx.userName?.(v) : ctx.groupName?.(v);
      outResolved = name === undefined || name === "" ? NA : sanitizeString(name);
      return;
    }
    case ParamType.CHARBUFARRAY:
      outValue = joinStrings(buf, off, off + len, false);
      return;
    case ParamType.CHARBUF_PAIR_ARRAY:
      outValue = joinStrings(buf, off, off + len, true);
      return;
    case ParamType.SIGSET: {
      if (len < 4) {
        outValue = NA;
        return;
      }
      const v = dv.getUint32(off, true);
      let s = "";
      for (let sig = 0; sig < 32; sig++) {
        if ((v & (1 << sig)) !== 0) {
          const name = signalName(sig + 1);
          if (name !== "") s += s === "" ? name : " " + name;
        }
      }
      outValue = s;
      return;
    }
    // Types libsinsp never prints for a parameter (they are field types); only events that
    // sysdig does not know use them, and a readable form beats libsinsp's "(n.a.)".
    case ParamType.PORT:
      outValue = len >= 2 ? String(dv.getUint16(off, true)) : NA;
      return;
    case ParamType.L4PROTO:
      outValue = len >= 1 ? String(buf[off]!) : NA;
      return;
    case ParamType.IPV4ADDR:
      outValue = len >= 4 ? ipv4Text(buf, off) : NA;
      return;
    case ParamType.IPV6ADDR:
      outValue = len >= 16 ? ipv6Text(buf, off) : NA;
      return;
    case ParamType.IPADDR:
      outValue = len === 4 ? ipv4Text(buf, off) : len === 16 ? ipv6Text(buf, off) : NA;
      return;
    default:
      outValue = "(n.a.)";
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Numbers

function octal(v: number | bigint): string {
  return v === 0 || v === 0n ? "0" : "0" + v.toString(8);
}

function pad09(s: string): string {
  if (s.startsWith("-")) return "-" + s.slice(1).padStart(8, "0");
  return s.padStart(9, "0");
}

/** A signed 8/16/32-bit value printed as libsinsp does (promoted to int for hex and octal). */
function formatInt32(v: number, fmt: PrintFormat): string {
  switch (fmt) {
    case PrintFormat.OCT:
      return octal(v >>> 0);
    case PrintFormat.HEX:
      // %X of a (promoted) int: negative 8/16-bit values show all 32 bits.
      return (v >>> 0).toString(16).toUpperCase();
    case PrintFormat._10_PADDED_DEC:
      return pad09(String(v));
    default:
      return String(v);
  }
}

/** An unsigned value printed with libsinsp's formats (%d for decimal: `signed32` wraps). */
function formatUint32(v: number, fmt: PrintFormat, signed32: boolean): string {
  switch (fmt) {
    case PrintFormat.OCT:
      return octal(v);
    case PrintFormat.HEX:
      return v.toString(16).toUpperCase();
    case PrintFormat._10_PADDED_DEC:
      return pad09(String(signed32 ? v | 0 : v));
    default:
      return String(signed32 ? v | 0 : v);
  }
}

/** Signed decimal of the 64-bit value at `off` (no BigInt unless beyond 2^53). */
function i64Dec(dv: DataView, off: number): string {
  const hi = dv.getInt32(off + 4, true);
  if (hi >= -0x200000 && hi < 0x200000) return String(readI64(dv, off));
  return dv.getBigInt64(off, true).toString();
}

/** Unsigned decimal of the 64-bit value at `off`. */
function u64Dec(dv: DataView, off: number): string {
  const hi = dv.getUint32(off + 4, true);
  if (hi < 0x200000) return String(hi * 4294967296 + dv.getUint32(off, true));
  return dv.getBigUint64(off, true).toString();
}

function formatInt64(dv: DataView, off: number, fmt: PrintFormat): string {
  switch (fmt) {
    case PrintFormat.OCT:
      return octal(dv.getBigUint64(off, true));
    case PrintFormat.HEX: {
      const hi = dv.getUint32(off + 4, true);
      const lo = dv.getUint32(off, true);
      if (hi === 0) return lo.toString(16).toUpperCase();
      return (hi.toString(16) + lo.toString(16).padStart(8, "0")).toUpperCase();
    }
    case PrintFormat._10_PADDED_DEC:
      return pad09(i64Dec(dv, off));
    default:
      return i64Dec(dv, off);
  }
}

function formatAbsTime(dv: DataView, off: number): string {
  // libsinsp: local time, "%Y-%m-%d %H:%M:%S." and nine digits of nanoseconds (the "%z" it asks
  // for is overwritten by the terminating NUL of the nanoseconds).
  const ns = dv.getBigUint64(off, true);
  const d = new Date(Number(ns / 1000000000n) * 1000);
  const p2 = (n: number): string => (n < 10 ? "0" : "") + n;
  return (
    `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.` +
    String(ns % 1000000000n).padStart(9, "0")
  );
}

// ---------------------------------------------------------------------------------------------
// Flags

/**
 * sysdig's flag rendering: walk the table; an entry whose bits are all set is named and its bits
 * cleared (a 0 entry only for a 0 value); the walk stops at an entry equal to the whole value,
 * which is named last.
 */
function flagNames(entries: readonly NameValue[], initial: number): string {
  let val = initial;
  let s = "";
  let i = 0;
  for (; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.value === initial) break;
    if (
      (e.value === 0 && initial === 0) ||
      (e.value !== 0 && (val & e.value) >>> 0 === e.value && val !== 0)
    ) {
      s += s === "" ? e.name : "|" + e.name;
      val = (val & ~e.value) >>> 0;
    }
  }
  if (i < entries.length) s += s === "" ? entries[i]!.name : "|" + entries[i]!.name;
  return s;
}

/** Current libsinsp for ENUMFLAGS of events sysdig 0.29.3 does not know: every exact match. */
function enumNames(entries: readonly NameValue[], v: number): string {
  let s = "";
  for (const e of entries) if (e.value === v) s += s === "" ? e.name : "|" + e.name;
  return s;
}

// ---------------------------------------------------------------------------------------------
// fds and paths

function fdResolved(fd: number, low32: number, ctx: RenderContext): string {
  if (fd >= 0) {
    const name = ctx.fdName(fd);
    if (name === undefined) return "";
    const simple = ((ctx.bufferFormat ?? BufferFormat.NORMAL) & BufferFormat.SIMPLE) !== 0;
    const tag = simple ? "" : (ctx.fdTypeChar(fd) ?? "");
    return "<" + tag + ">" + sanitizeString(name);
  }
  if (fd === -100) return "AT_FDCWD";
  return errnoName(low32);
}

function formatPath(
  ev: ScapEvent,
  info: ParamInfo,
  type: ParamType,
  off: number,
  len: number,
  ctx: RenderContext,
): void {
  const buf = ev.buf;
  outValue = pathValue(buf, off, off + len);
  const cwd = ctx.cwd?.();
  if (cwd === undefined || len === 0) return;
  if (
    len >= 4 &&
    buf[off] === 0x3c &&
    buf[off + 1] === 0x4e &&
    buf[off + 2] === 0x41 &&
    buf[off + 3] === 0x3e
  ) {
    return; // "<NA>"
  }
  let base = cwd.endsWith("/") ? cwd : cwd + "/";
  if (type === ParamType.FSRELPATH) {
    const d = info.dirfdParam;
    const dinfo = d >= 0 ? PARAMS[ev.type]![d] : undefined;
    if (dinfo !== undefined && dinfo.type === ParamType.FD && d < ev.nparams && ev.paramLength[d]! >= 8) {
      const dirfd = readI64(ev.dv, ev.paramOff[d]!);
      if (dirfd !== -100) {
        // libsinsp would look the directory up in /proc of the machine reading the capture when
        // the fd is not in the table; we leave the path relative.
        const name = ctx.fdName(dirfd);
        base = name === undefined || name === "" ? "" : sanitizeString(name) + "/";
      }
    }
  }
  outResolved = resolveRelativePath(base, buf, off, off + len);
}

/** "fd:Tflags" per entry, space separated; T is the fd's type character or '?'. */
function formatFdList(dv: DataView, off: number, len: number, ctx: RenderContext): string {
  if (ctx.cwd?.() === undefined || len < 2) return "";
  const n = dv.getUint16(off, true);
  let s = "";
  let p = off + 2;
  for (let j = 0; j < n && p + 10 <= off + len; j++, p += 10) {
    const fd = readI64(dv, p);
    const tc = ctx.fdTypeChar(fd);
    const flags = dv.getInt16(p + 8, true) >>> 0;
    const fdText = fd >= 0 ? String(fd) : dv.getBigUint64(p, true).toString();
    const item = fdText + ":" + (tc === undefined || tc === "" ? "?" : tc[0]) + flags.toString(16);
    if (s.length + item.length + 1 >= 1023) {
      // libsinsp's storage (1024 bytes) cuts the list.
      s = (s + (j > 0 ? " " : "") + item).slice(0, 1023);
      break;
    }
    s += j > 0 ? " " + item : item;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Buffers

function formatBuffer(buf: Buffer, start: number, end: number, ctx: RenderContext): string {
  if (end <= start) return "";
  const f: number = ctx.bufferFormat ?? BufferFormat.NORMAL;
  if ((f & (BufferFormat.HEX | BufferFormat.HEXASCII)) !== 0) {
    return bufferHex(buf, start, end, (f & BufferFormat.HEXASCII) !== 0);
  }
  if ((f & BufferFormat.BASE64) !== 0) return bufferBase64(buf, start, end);
  if ((f & (BufferFormat.JSONHEX | BufferFormat.JSONHEXASCII)) !== 0) {
    return bufferHex(buf, start, end, (f & BufferFormat.JSONHEXASCII) !== 0);
  }
  if ((f & BufferFormat.JSONEOLS) !== 0) return bufferAsciiOnly(buf, start, end, true);
  if ((f & BufferFormat.JSONBASE64) !== 0) return bufferBase64(buf, start, end);
  if ((f & BufferFormat.JSON) !== 0) return bufferDots(buf, start, end);
  if ((f & (BufferFormat.EOLS | BufferFormat.EOLS_COMPACT)) !== 0) {
    return bufferAsciiOnly(buf, start, end, f !== BufferFormat.EOLS_COMPACT);
  }
  const max = ctx.maxBufferLength ?? SYSDIG_MAX_BUFFER_LENGTH;
  const n = end - start;
  if (max > 0 && n > max && f === BufferFormat.NORMAL) {
    return max > 3 ? bufferDots(buf, start, start + max - 3) + "..." : bufferDots(buf, start, start + max);
  }
  return bufferDots(buf, start, end);
}

/** NUL-separated strings joined with '.' (or, as pairs, "a:b" joined with ','). */
function joinStrings(buf: Buffer, start: number, end: number, pairs: boolean): string {
  let s = "";
  let p = start;
  let k = 0;
  while (p < end) {
    let z = p;
    while (z < end && buf[z] !== 0) z++;
    const item = buf.toString("utf8", p, z);
    if (pairs) s += k === 0 ? item : k % 2 === 1 ? ":" + item : "," + item;
    else s += k === 0 ? item : "." + item;
    k++;
    p = z + 1;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Socket addresses

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;

function port(dv: DataView, off: number): string {
  return String(dv.getUint16(off, true));
}

function formatSockaddr(buf: Buffer, dv: DataView, off: number, len: number): string {
  if (len === 0) return "NULL";
  const family = buf[off]!;
  if (family === AF_UNIX) return sanitizedCString(buf, off + 1, off + len);
  if (family === AF_INET) {
    return len === 7 ? ipv4Text(buf, off + 1) + ":" + port(dv, off + 5) : "INVALID IPv4";
  }
  if (family === AF_INET6) {
    return len === 19 ? ipv6Text(buf, off + 1) + ":" + port(dv, off + 17) : "INVALID IPv6";
  }
  return "family " + dv.getInt8(off);
}

function formatSocktuple(buf: Buffer, dv: DataView, off: number, len: number): string {
  if (len === 0) return "NULL";
  const family = buf[off]!;
  if (family === AF_INET) {
    if (len !== 13) return "INVALID IPv4";
    return `${ipv4Text(buf, off + 1)}:${port(dv, off + 5)}->${ipv4Text(buf, off + 7)}:${port(dv, off + 11)}`;
  }
  if (family === AF_INET6) {
    if (len !== 37) return "INVALID IPv6";
    if (isIpv4Mapped(buf, off + 1) && isIpv4Mapped(buf, off + 19)) {
      return `${ipv4Text(buf, off + 13)}:${port(dv, off + 17)}->${ipv4Text(buf, off + 31)}:${port(dv, off + 35)}`;
    }
    return `${ipv6Text(buf, off + 1)}:${port(dv, off + 17)}->${ipv6Text(buf, off + 19)}:${port(dv, off + 35)}`;
  }
  if (family === AF_UNIX) {
    // Two kernel pointers in lowercase hex, then the path (missing bytes read as zero).
    const u64 = (o: number): string => {
      if (o + 8 <= off + len) return dv.getBigUint64(o, true).toString(16);
      let v = 0n;
      for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(o + k < off + len ? buf[o + k]! : 0);
      return v.toString(16);
    };
    return `${u64(off + 1)}->${u64(off + 9)} ${len > 17 ? sanitizedCString(buf, off + 17, off + len) : ""}`;
  }
  return "family " + dv.getInt8(off);
}

// ---------------------------------------------------------------------------------------------
// Syslog (evt.info)

const SYSLOG_SEVERITIES = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"];
const PRI_BUF_SIZE = 16;

/** sysdig's syslog decoder: "<PRI>message" -> "syslog sev=SEVERITY msg=MESSAGE". */
export function syslogLine(buf: Uint8Array, start: number, end: number): string | undefined {
  let p = start + 1;
  let digits = 0;
  while (p < end && buf[p] !== 0x3e && buf[p] !== 0 && digits < PRI_BUF_SIZE - 1) {
    p++;
    digits++;
  }
  const len = end - start;
  if (len < digits + 2 || digits === 0) return undefined;
  let pri = 0; // an int32, wrapping as libsinsp's does
  for (let k = start + 1; k < start + 1 + digits; k++) {
    const c = buf[k]!;
    if (c < 0x30 || c > 0x39) return undefined;
    pri = (pri * 10 + (c - 0x30)) | 0;
  }
  if (pri === -1) return undefined;
  const sev = SYSLOG_SEVERITIES[pri & 7]!;
  return "syslog sev=" + sev + " msg=" + cString(buf, start + digits + 2, end);
}
