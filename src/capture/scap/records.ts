// Non-event blocks of a scap file, decoded into typed records: section header, machine info,
// process list entries (all block versions), fd list entries, users, groups and interfaces.
// These blocks are few (usually one of each at the start of a capture), so records are plain
// objects allocated per entry; the per-event path lives in event.ts.

import {
  BlockType,
  FdType,
  InterfaceType,
  MACHINE_INFO_HOSTNAME_SIZE,
  MAX_ARGS_SIZE,
  MAX_CGROUPS_SIZE,
  MAX_CREDENTIALS_STR_LEN,
  MAX_ENV_SIZE,
  MAX_PATH_SIZE,
  SHB_BODY_SIZE,
  ShbOption,
  UserBlockEntry,
  proclistVersion,
} from "./format.js";

export interface ShbOptionValue {
  readonly code: number;
  /** The option value as text (UTF-8, trailing NULs dropped). */
  readonly value: string;
}

export interface SectionHeaderRecord {
  readonly kind: "section";
  readonly blockOffset: number;
  readonly major: number;
  readonly minor: number;
  /** -1n when unspecified (as scap writers always do). */
  readonly sectionLength: bigint;
  /** pcapng options after the SHB body (e.g. opt_comment), in file order. */
  readonly options: readonly ShbOptionValue[];
  /** The opt_comment values among the options. */
  readonly comments: readonly string[];
}

export interface MachineInfoRecord {
  readonly kind: "machine";
  readonly blockOffset: number;
  readonly numCpus: number;
  readonly memorySizeBytes: bigint;
  readonly maxPid: bigint;
  readonly hostname: string;
  /** Host boot time, ns since epoch (0n when not recorded). */
  readonly bootTsEpoch: bigint;
  readonly flags: bigint;
}

/** One process (thread) of a process list block. Fields a block version lacks keep their defaults. */
export interface ProcessRecord {
  readonly kind: "process";
  readonly blockOffset: number;
  /** Process list block version (1..9). */
  readonly blockVersion: number;
  readonly tid: number;
  readonly pid: number;
  readonly ptid: number;
  /** Session id (v6+), -1 if absent. */
  readonly sid: number;
  /** Virtual process group id (v8+), -1 if absent. */
  readonly vpgid: number;
  /** Process group id (newest entries), -1 if absent. */
  readonly pgid: number;
  readonly comm: string;
  readonly exe: string;
  /** Full executable path (v7+), "" if absent. */
  readonly exepath: string;
  /** Arguments after argv[0]. */
  readonly args: readonly string[];
  readonly cwd: string;
  readonly fdlimit: number;
  readonly flags: number;
  readonly uid: number;
  readonly gid: number;
  readonly vmsizeKb: number;
  readonly vmrssKb: number;
  readonly vmswapKb: number;
  readonly pfmajor: number;
  readonly pfminor: number;
  /** Environment (v3+), "NAME=value" strings. */
  readonly env: readonly string[];
  /** Thread/process id in its pid namespace (v4+), -1 if absent. */
  readonly vtid: number;
  readonly vpid: number;
  /** cgroup memberships (v4+), "subsystem=/path" strings. */
  readonly cgroups: readonly string[];
  /** Root directory (v5+), "" if absent. */
  readonly root: string;
  readonly pidnsInitStartTs: bigint;
  readonly tty: number;
  /** Login uid (audit uid), 0xffffffff if absent. */
  readonly loginuid: number;
  readonly exeWritable: boolean;
  readonly capInheritable: bigint;
  readonly capPermitted: bigint;
  readonly capEffective: bigint;
  readonly exeUpperLayer: boolean;
  readonly exeLowerLayer: boolean;
  readonly exeFromMemfd: boolean;
  readonly exeIno: bigint;
  readonly exeInoCtime: bigint;
  readonly exeInoMtime: bigint;
}

/** One file descriptor of an fd list block (all fields present; unused ones keep defaults). */
export interface FdRecord {
  readonly kind: "fd";
  readonly blockOffset: number;
  /** Thread the fd table belongs to. */
  readonly tid: number;
  readonly fd: number;
  readonly ino: bigint;
  /** FdType code (unknown codes from newer writers become UNSUPPORTED). */
  readonly type: FdType;
  /** The type code as written. */
  readonly rawType: number;
  /** File name / unix socket path / description; "" for network sockets. */
  readonly name: string;
  /** FILE_V2: open flags (PPM_O_*), else 0. */
  readonly openFlags: number;
  /** FILE_V2: device number, else 0. */
  readonly dev: number;
  /** Sockets: addresses as text ("" if not a socket); server sockets set only sip/sport. */
  readonly sip: string;
  readonly dip: string;
  readonly sport: number;
  readonly dport: number;
  readonly l4proto: number;
  /** UNIX sockets: kernel addresses of the two ends. */
  readonly unixSource: bigint;
  readonly unixDest: bigint;
}

export interface UserRecord {
  readonly kind: "user";
  readonly blockOffset: number;
  readonly uid: number;
  readonly gid: number;
  readonly name: string;
  readonly homedir: string;
  readonly shell: string;
}

export interface GroupRecord {
  readonly kind: "group";
  readonly blockOffset: number;
  readonly gid: number;
  readonly name: string;
}

export interface InterfaceRecord {
  readonly kind: "interface";
  readonly blockOffset: number;
  readonly type: InterfaceType;
  readonly family: 4 | 6;
  readonly name: string;
  readonly addr: string;
  readonly netmask: string;
  readonly bcast: string;
  /** 0 for the NOLINKSPEED entry kinds. */
  readonly linkspeed: number;
}

/** A block of a type we do not decode; skipped by its length. */
export interface UnknownBlockRecord {
  readonly kind: "unknown";
  readonly blockOffset: number;
  readonly blockType: number;
  readonly length: number;
}

export type ScapRecord =
  | SectionHeaderRecord
  | MachineInfoRecord
  | ProcessRecord
  | FdRecord
  | UserRecord
  | GroupRecord
  | InterfaceRecord
  | UnknownBlockRecord;

// ---------------------------------------------------------------------------------------------
// Decoding. A Cursor reads little-endian fields inside [pos, end) of a buffer and flags an
// overrun instead of throwing; decoders check `ok` and report the first failure position.

/** Decoding failure inside a block: local buffer position and detail. */
export interface DecodeFailure {
  readonly pos: number;
  readonly detail: string;
}

class Cursor {
  ok = true;
  failPos = 0;
  failDetail = "";
  constructor(
    readonly buf: Buffer,
    readonly dv: DataView,
    public pos: number,
    public end: number,
  ) {}

  private need(n: number): boolean {
    if (!this.ok) return false;
    if (this.pos + n > this.end) {
      this.fail(`need ${n} bytes, ${this.end - this.pos} left`);
      return false;
    }
    return true;
  }
  fail(detail: string): void {
    if (this.ok) {
      this.ok = false;
      this.failPos = this.pos;
      this.failDetail = detail;
    }
  }
  u8(): number {
    if (!this.need(1)) return 0;
    return this.buf[this.pos++]!;
  }
  u16(): number {
    if (!this.need(2)) return 0;
    const v = this.dv.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    if (!this.need(4)) return 0;
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** Signed 64-bit as a number (exact within +-2^53). */
  i64(): number {
    if (!this.need(8)) return 0;
    const v = readI64(this.dv, this.pos);
    this.pos += 8;
    return v;
  }
  u64(): bigint {
    if (!this.need(8)) return 0n;
    const v = this.dv.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  i64big(): bigint {
    if (!this.need(8)) return 0n;
    const v = this.dv.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }
  bytes(n: number): Buffer {
    if (!this.need(n)) return EMPTY;
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  skip(n: number): void {
    if (this.need(n)) this.pos += n;
  }
  /** u16 length + bytes, length checked against `max` (inclusive unless `exclusive`). */
  lstring(max: number, what: string, exclusive = false): Buffer {
    const at = this.pos;
    const n = this.u16();
    if (!this.ok) return EMPTY;
    if (exclusive ? n >= max : n > max) {
      this.pos = at;
      this.fail(`invalid ${what} length ${n}`);
      return EMPTY;
    }
    return this.bytes(n);
  }
  failure(): DecodeFailure {
    return { pos: this.failPos, detail: this.failDetail };
  }
}

const EMPTY: Buffer = Buffer.alloc(0);

/** Signed little-endian 64-bit integer at `off` as a number, without allocating a BigInt. */
export function readI64(dv: DataView, off: number): number {
  return dv.getInt32(off + 4, true) * 4294967296 + dv.getUint32(off, true);
}

/** Unsigned little-endian 64-bit integer at `off` as a number (inexact above 2^53). */
export function readU64Number(dv: DataView, off: number): number {
  return dv.getUint32(off + 4, true) * 4294967296 + dv.getUint32(off, true);
}

/** Text up to the first NUL (or the end). */
export function cstring(b: Buffer): string {
  const z = b.indexOf(0);
  return b.toString("utf8", 0, z < 0 ? b.length : z);
}

/** NUL-separated strings; a trailing empty element is dropped. */
export function splitNul(b: Buffer): string[] {
  const out: string[] = [];
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0) {
      out.push(b.toString("utf8", s, i));
      s = i + 1;
    }
  }
  if (s < b.length) out.push(b.toString("utf8", s, b.length));
  return out;
}

export function ipv4String(b: Buffer, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952 text of a 16-byte IPv6 address (IPv4-mapped addresses in dotted form). */
export function ipv6String(b: Buffer, off: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!);
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) {
    return `::ffff:${ipv4String(b, off + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(w);
  return `${hex(w.slice(0, bestStart))}::${hex(w.slice(bestStart + bestLen))}`;
}

export type DecodeResult = DecodeFailure | null;

/** SHB body + options. `start` is the body start, `end` the trailer position. */
export function decodeSectionHeader(
  buf: Buffer,
  dv: DataView,
  start: number,
  end: number,
  blockOffset: number,
): SectionHeaderRecord {
  const options: ShbOptionValue[] = [];
  const comments: string[] = [];
  let p = start + SHB_BODY_SIZE;
  // pcapng options: code u16, length u16, value padded to 4 bytes; code 0 ends the list.
  while (p + 4 <= end) {
    const code = dv.getUint16(p, true);
    const len = dv.getUint16(p + 2, true);
    if (code === ShbOption.END) break;
    const vEnd = p + 4 + len;
    if (vEnd > end) break; // malformed options are ignored, as libscap skips them wholesale
    const value = cstring(buf.subarray(p + 4, vEnd));
    options.push({ code, value });
    if (code === ShbOption.COMMENT) comments.push(value);
    p = vEnd + ((4 - (len & 3)) & 3);
  }
  return {
    kind: "section",
    blockOffset,
    major: dv.getUint16(start + 4, true),
    minor: dv.getUint16(start + 6, true),
    sectionLength: dv.getBigInt64(start + 8, true),
    options,
    comments,
  };
}

/** Machine info body; fields beyond the block's length keep zero defaults. */
export function decodeMachineInfo(
  buf: Buffer,
  dv: DataView,
  start: number,
  end: number,
  blockOffset: number,
): MachineInfoRecord {
  const has = (off: number, n: number): boolean => start + off + n <= end;
  const u64 = (off: number): bigint => (has(off, 8) ? dv.getBigUint64(start + off, true) : 0n);
  return {
    kind: "machine",
    blockOffset,
    numCpus: has(0, 4) ? dv.getUint32(start, true) : 0,
    memorySizeBytes: u64(4),
    maxPid: u64(12),
    hostname: has(20, MACHINE_INFO_HOSTNAME_SIZE)
      ? cstring(buf.subarray(start + 20, start + 20 + MACHINE_INFO_HOSTNAME_SIZE))
      : "",
    bootTsEpoch: u64(148),
    flags: u64(156),
  };
}

/**
 * Process list block body [start, end). Emits one record per entry; returns a failure or null.
 */
export function decodeProcList(
  buf: Buffer,
  dv: DataView,
  start: number,
  end: number,
  blockType: number,
  blockOffset: number,
  emit: (r: ProcessRecord) => boolean,
): DecodeResult {
  const v = proclistVersion(blockType);
  const c = new Cursor(buf, dv, start, end);
  while (end - c.pos >= 4) {
    const entryStart = c.pos;
    const subLen = v >= 9 ? c.u32() : 0;
    const entryEnd = subLen !== 0 ? entryStart + subLen : end;
    if (subLen !== 0 && entryEnd > end) {
      c.pos = entryStart;
      c.fail(`process entry length ${subLen} overruns the block`);
      return c.failure();
    }
    // With an entry length, fields are read only within the entry.
    const saveEnd = c.end;
    c.end = entryEnd;
    const tid = c.i64();
    const pid = c.i64();
    const ptid = c.i64();
    const sid = v >= 6 ? c.i64() : -1;
    const vpgid = v >= 8 ? c.i64() : -1;
    const comm = c.lstring(MAX_PATH_SIZE, "comm");
    const exe = c.lstring(MAX_PATH_SIZE, "exe");
    const exepath = v >= 7 ? c.lstring(MAX_PATH_SIZE, "exepath") : EMPTY;
    const args = c.lstring(MAX_ARGS_SIZE, "args");
    const cwd = c.lstring(MAX_PATH_SIZE, "cwd");
    const fdlimit = c.i64();
    const flags = c.u32();
    const uid = c.u32();
    const gid = c.u32();
    let vmsizeKb = 0;
    let vmrssKb = 0;
    let vmswapKb = 0;
    let pfmajor = 0;
    let pfminor = 0;
    let env = EMPTY;
    let vtid = -1;
    let vpid = -1;
    let cgroups = EMPTY;
    let root = EMPTY;
    if (v >= 2) {
      vmsizeKb = c.u32();
      vmrssKb = c.u32();
      vmswapKb = c.u32();
      pfmajor = c.i64();
      pfminor = c.i64();
      if (v >= 3) env = c.lstring(MAX_ENV_SIZE, "env");
      if (v >= 4) {
        vtid = c.i64();
        vpid = c.i64();
        cgroups = c.lstring(MAX_CGROUPS_SIZE, "cgroups");
        if (v >= 5) root = c.lstring(MAX_PATH_SIZE, "root");
      }
    }
    if (!c.ok) return c.failure();

    // Fields appended in later library versions, present only if the entry length has room.
    // Entries written by libs < 0.10 lack pidns_init_start_ts and tty, which newer writers put
    // before loginuid; libscap tells them apart by the size left (<= 29 bytes: the old layout).
    const room = (n: number): boolean => subLen !== 0 && c.pos - entryStart + n <= subLen;
    const left = subLen - (c.pos - entryStart);
    const pre010 = subLen !== 0 && left >= 0 && left <= 29;
    let pidnsInitStartTs = 0n;
    let tty = 0;
    if (!pre010) {
      if (room(8)) pidnsInitStartTs = c.u64();
      if (room(4)) tty = c.u32();
    }
    const loginuid = room(4) ? c.u32() : 0xffffffff;
    const exeWritable = room(1) ? c.u8() !== 0 : false;
    const capInheritable = room(8) ? c.u64() : 0n;
    const capPermitted = room(8) ? c.u64() : 0n;
    const capEffective = room(8) ? c.u64() : 0n;
    const exeUpperLayer = room(1) ? c.u8() !== 0 : false;
    const exeIno = room(8) ? c.u64() : 0n;
    const exeInoCtime = room(8) ? c.u64() : 0n;
    const exeInoMtime = room(8) ? c.u64() : 0n;
    const exeFromMemfd = room(1) ? c.u8() !== 0 : false;
    const exeLowerLayer = room(1) ? c.u8() !== 0 : false;
    const pgid = room(8) ? c.i64() : -1;
    if (!c.ok) return c.failure();

    c.end = saveEnd;
    if (subLen !== 0) c.pos = entryEnd; // skip fields newer than ours

    const rec: ProcessRecord = {
      kind: "process",
      blockOffset,
      blockVersion: v,
      tid,
      pid,
      ptid,
      sid,
      vpgid,
      pgid,
      comm: comm.toString("utf8"),
      exe: exe.toString("utf8"),
      exepath: exepath.toString("utf8"),
      args: splitNul(args),
      cwd: cwd.toString("utf8"),
      fdlimit,
      flags,
      uid,
      gid,
      vmsizeKb,
      vmrssKb,
      vmswapKb,
      pfmajor,
      pfminor,
      env: splitNul(env),
      vtid,
      vpid,
      cgroups: splitNul(cgroups),
      root: root.toString("utf8"),
      pidnsInitStartTs,
      tty,
      loginuid,
      exeWritable,
      capInheritable,
      capPermitted,
      capEffective,
      exeUpperLayer,
      exeLowerLayer,
      exeFromMemfd,
      exeIno,
      exeInoCtime,
      exeInoMtime,
    };
    if (!emit(rec)) return null;
  }
  return null;
}

/** fd list block body [start, end): tid, then fd entries. */
export function decodeFdList(
  buf: Buffer,
  dv: DataView,
  start: number,
  end: number,
  blockType: number,
  blockOffset: number,
  emit: (r: FdRecord) => boolean,
): DecodeResult {
  const c = new Cursor(buf, dv, start, end);
  const tid = c.i64();
  if (!c.ok) return c.failure();
  const v2 = blockType === BlockType.FDLIST_V2;
  while (end - c.pos >= 4) {
    const entryStart = c.pos;
    const subLen = v2 ? c.u32() : 0;
    if (subLen !== 0 && entryStart + subLen > end) {
      c.pos = entryStart;
      c.fail(`fd entry length ${subLen} overruns the block`);
      return c.failure();
    }
    const saveEnd = c.end;
    if (subLen !== 0) c.end = entryStart + subLen;
    const fd = c.i64();
    const ino = c.u64();
    const rawType = c.u8();
    let type = rawType as FdType;
    let name = "";
    let openFlags = 0;
    let dev = 0;
    let sip = "";
    let dip = "";
    let sport = 0;
    let dport = 0;
    let l4proto = 0;
    let unixSource = 0n;
    let unixDest = 0n;
    switch (rawType) {
      case FdType.IPV4_SOCK: {
        const a = c.bytes(8);
        if (c.ok) {
          sip = ipv4String(a, 0);
          dip = ipv4String(a, 4);
        }
        sport = c.u16();
        dport = c.u16();
        l4proto = c.u8();
        break;
      }
      case FdType.IPV4_SERVSOCK: {
        const a = c.bytes(4);
        if (c.ok) sip = ipv4String(a, 0);
        sport = c.u16();
        l4proto = c.u8();
        break;
      }
      case FdType.IPV6_SOCK: {
        const a = c.bytes(32);
        if (c.ok) {
          sip = ipv6String(a, 0);
          dip = ipv6String(a, 16);
        }
        sport = c.u16();
        dport = c.u16();
        l4proto = c.u8();
        break;
      }
      case FdType.IPV6_SERVSOCK: {
        const a = c.bytes(16);
        if (c.ok) sip = ipv6String(a, 0);
        sport = c.u16();
        l4proto = c.u8();
        break;
      }
      case FdType.UNIX_SOCK:
        unixSource = c.u64();
        unixDest = c.u64();
        name = c.lstring(MAX_PATH_SIZE, "fd name", true).toString("utf8");
        break;
      case FdType.FILE_V2:
        openFlags = c.u32();
        name = c.lstring(MAX_PATH_SIZE, "fd name", true).toString("utf8");
        if (subLen !== 0 && c.pos - entryStart + 4 <= subLen) dev = c.u32();
        break;
      case FdType.FIFO:
      case FdType.FILE:
      case FdType.DIRECTORY:
      case FdType.UNSUPPORTED:
      case FdType.EVENT:
      case FdType.SIGNALFD:
      case FdType.EVENTPOLL:
      case FdType.INOTIFY:
      case FdType.TIMERFD:
      case FdType.NETLINK:
      case FdType.BPF:
      case FdType.USERFAULTFD:
      case FdType.IOURING:
      case FdType.MEMFD:
      case FdType.PIDFD:
        name = c.lstring(MAX_PATH_SIZE, "fd name", true).toString("utf8");
        break;
      case FdType.UNKNOWN:
        break;
      default:
        // A type from a newer writer: libscap keeps it as "unsupported" with a marker name.
        type = FdType.UNSUPPORTED;
        name = `unknown-type:[${rawType}]`;
        break;
    }
    if (!c.ok) return c.failure();
    c.end = saveEnd;
    if (subLen !== 0) c.pos = entryStart + subLen;
    const rec: FdRecord = {
      kind: "fd",
      blockOffset,
      tid,
      fd,
      ino,
      type,
      rawType,
      name,
      openFlags,
      dev,
      sip,
      dip,
      sport,
      dport,
      l4proto,
      unixSource,
      unixDest,
    };
    if (!emit(rec)) return null;
  }
  return null;
}

/** User list block body [start, end): users and groups. */
export function decodeUserList(
  buf: Buffer,
  dv: DataView,
  start: number,
  end: number,
  blockType: number,
  blockOffset: number,
  emit: (r: UserRecord | GroupRecord) => boolean,
): DecodeResult {
  const c = new Cursor(buf, dv, start, end);
  const v2 = blockType === BlockType.USERLIST_V2;
  while (end - c.pos >= 4) {
    const entryStart = c.pos;
    const subLen = v2 ? c.u32() : 0;
    if (subLen !== 0 && entryStart + subLen > end) {
      c.pos = entryStart;
      c.fail(`user entry length ${subLen} overruns the block`);
      return c.failure();
    }
    const saveEnd = c.end;
    if (subLen !== 0) c.end = entryStart + subLen;
    const kind = c.u8();
    let rec: UserRecord | GroupRecord;
    if (kind === UserBlockEntry.USER) {
      const uid = c.u32();
      const gid = c.u32();
      const name = c.lstring(MAX_CREDENTIALS_STR_LEN, "user name", true);
      const homedir = c.lstring(MAX_CREDENTIALS_STR_LEN, "user homedir", true);
      const shell = c.lstring(MAX_CREDENTIALS_STR_LEN, "user shell", true);
      rec = {
        kind: "user",
        blockOffset,
        uid,
        gid,
        name: name.toString("utf8"),
        homedir: homedir.toString("utf8"),
        shell: shell.toString("utf8"),
      };
    } else {
      const gid = c.u32();
      const name = c.lstring(MAX_CREDENTIALS_STR_LEN, "group name", true);
      rec = { kind: "group", blockOffset, gid, name: name.toString("utf8") };
    }
    if (!c.ok) return c.failure();
    c.end = saveEnd;
    if (subLen !== 0) c.pos = entryStart + subLen;
    if (!emit(rec)) return null;
  }
  return null;
}

/** Interface list block body [start, end). */
export function decodeIfList(
  buf: Buffer,
  dv: DataView,
  start: number,
  end: number,
  blockType: number,
  blockOffset: number,
  emit: (r: InterfaceRecord) => boolean,
): DecodeResult {
  const c = new Cursor(buf, dv, start, end);
  const v2 = blockType === BlockType.IFLIST_V2;
  while (end - c.pos >= 4) {
    const at = c.pos;
    // v2 entries start with their size, not counting the size field itself.
    const entrySize = v2 ? c.u32() : 0;
    const entryStart = c.pos;
    if (v2 && entryStart + entrySize > end) {
      c.pos = at;
      c.fail(`interface entry size ${entrySize} overruns the block`);
      return c.failure();
    }
    const type = c.u16() as InterfaceType;
    const nameLen = c.u16();
    if (!c.ok) return c.failure();
    if (nameLen >= MAX_PATH_SIZE) {
      c.pos = at;
      c.fail(`invalid interface name length ${nameLen}`);
      return c.failure();
    }
    let rec: InterfaceRecord;
    if (type === InterfaceType.IPV4 || type === InterfaceType.IPV4_NOLINKSPEED) {
      const a = c.bytes(12);
      const linkspeed = type === InterfaceType.IPV4 ? readU64OrZero(c) : 0;
      const name = c.bytes(nameLen);
      if (!c.ok) return c.failure();
      rec = {
        kind: "interface",
        blockOffset,
        type,
        family: 4,
        name: cstring(name),
        addr: ipv4String(a, 0),
        netmask: ipv4String(a, 4),
        bcast: ipv4String(a, 8),
        linkspeed,
      };
    } else if (type === InterfaceType.IPV6 || type === InterfaceType.IPV6_NOLINKSPEED) {
      const a = c.bytes(48);
      const linkspeed = type === InterfaceType.IPV6 ? readU64OrZero(c) : 0;
      const name = c.bytes(nameLen);
      if (!c.ok) return c.failure();
      rec = {
        kind: "interface",
        blockOffset,
        type,
        family: 6,
        name: cstring(name),
        addr: ipv6String(a, 0),
        netmask: ipv6String(a, 16),
        bcast: ipv6String(a, 32),
        linkspeed,
      };
    } else {
      c.pos = at;
      c.fail(`unknown interface type ${type as number}`);
      return c.failure();
    }
    if (v2 && entrySize !== 0) {
      if (c.pos > entryStart + entrySize) {
        c.pos = at;
        c.fail(`interface entry overruns its size ${entrySize}`);
        return c.failure();
      }
      c.pos = entryStart + entrySize;
    }
    if (!emit(rec)) return null;
  }
  return null;
}

function readU64OrZero(c: Cursor): number {
  const v = c.u64();
  return Number(v);
}
