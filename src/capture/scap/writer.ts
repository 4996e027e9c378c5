// Writing .scap captures: the section header, metadata blocks (machine info, process list, fd
// lists, users and groups, interfaces) encoded from the reader's records, and event blocks,
// either copied from an event view (pass-through, so a capture can be filtered into a new one) or
// built from fields. Output is plain or gzip-compressed.
//
//   const w = openScapWriter("out.scap", { gzip: true });
//   if ("code" in w) throw new Error(w.message);
//   await readScapFile("in.scap", {
//     onRecord: (r) => void w.writeRecord(r),
//     onEvent: (ev) => void (keep(ev) && w.writeEvent(ev)),
//   });
//   const res = w.close(); // { events, blocks, bytes, error }
//
// Layouts are the ones libscap writes today (section 1.2, event blocks v2, fd/user/interface
// lists v2, process list v9 with entry lengths), all readable by libscap since 2022 (sysdig
// 0.29.3). Records keep their process-list block version by default, so a rewritten capture
// carries the same fields; records read from one block are written back into one block (grouped
// by the block offset the reader gives them; hand-made records of one kind in a row share one).
//
// Blocks are encoded into one reused buffer and handed to a synchronous sink when it fills up
// (1 MiB by default): writing an event copies its bytes once and allocates nothing. Compressed
// output is a series of gzip members, one per flush, which gzip readers (zlib's gzread, Node's
// gunzip) read as one stream. Failures are values: a bad record or event is refused with an
// error and nothing written; an I/O failure is sticky and returned by every later call.

import { closeSync, openSync, writeSync } from "node:fs";
import { constants as zc, gzipSync } from "node:zlib";
import { EVENT_TABLE, EventFlag } from "../events/table.js";
import type { ScapEvent } from "./event.js";
import {
  BLOCK_HEADER_SIZE,
  BLOCK_TRAILER_SIZE,
  BlockType,
  EVENT_HEADER_SIZE,
  EVENT_HEADER_SIZE_V1,
  FdType,
  InterfaceType,
  MACHINE_INFO_HOSTNAME_SIZE,
  MACHINE_INFO_SIZE,
  MAX_ARGS_SIZE,
  MAX_CGROUPS_SIZE,
  MAX_CREDENTIALS_STR_LEN,
  MAX_ENV_SIZE,
  MAX_EVENT_BLOCK_READLEN,
  MAX_PATH_SIZE,
  SCAP_MAJOR_VERSION,
  SCAP_MINOR_VERSION,
  SHB_MAGIC,
  ShbOption,
  UserBlockEntry,
} from "./format.js";
import type {
  FdRecord,
  GroupRecord,
  InterfaceRecord,
  MachineInfoRecord,
  ProcessRecord,
  ScapRecord,
  ShbOptionValue,
  UserRecord,
} from "./records.js";

export const ScapWriteErrorCode = {
  /** Writing to the destination failed (sticky). */
  IO: "SCAP_WRITE_ERR_IO",
  /** A record cannot be encoded (string too long, bad address, unknown block, ...). */
  INVALID_RECORD: "SCAP_WRITE_ERR_INVALID_RECORD",
  /** An event cannot be encoded (parameter too long for its length field, block too big, ...). */
  INVALID_EVENT: "SCAP_WRITE_ERR_INVALID_EVENT",
  /** A section header after other blocks. */
  ORDER: "SCAP_WRITE_ERR_ORDER",
  /** The writer was closed. */
  CLOSED: "SCAP_WRITE_ERR_CLOSED",
} as const;
export type ScapWriteErrorCode = (typeof ScapWriteErrorCode)[keyof typeof ScapWriteErrorCode];

export interface ScapWriteError {
  readonly code: ScapWriteErrorCode;
  readonly message: string;
}

function writeError(code: ScapWriteErrorCode, message: string): ScapWriteError {
  return { code, message };
}

// ---------------------------------------------------------------------------------------------
// Sinks

/** Where encoded bytes go. `write` must consume the chunk before returning (it is reused). */
export interface ScapByteSink {
  write(chunk: Uint8Array): ScapWriteError | null;
  close(): ScapWriteError | null;
}

/** Collects the output in memory. */
export class MemorySink implements ScapByteSink {
  private readonly chunks: Buffer[] = [];
  write(chunk: Uint8Array): ScapWriteError | null {
    this.chunks.push(Buffer.from(chunk));
    return null;
  }
  close(): ScapWriteError | null {
    return null;
  }
  /** Everything written so far, as one buffer. */
  data(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Writes to a file descriptor with blocking writes; closes it on close() if it owns it. */
export class FileSink implements ScapByteSink {
  private fd: number;
  constructor(
    fd: number,
    private readonly owned: boolean,
    private readonly path = `fd ${fd}`,
  ) {
    this.fd = fd;
  }
  write(chunk: Uint8Array): ScapWriteError | null {
    try {
      let off = 0;
      while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
      return null;
    } catch (e) {
      return writeError(ScapWriteErrorCode.IO, `cannot write ${this.path}: ${(e as Error).message}`);
    }
  }
  close(): ScapWriteError | null {
    if (!this.owned || this.fd < 0) return null;
    const fd = this.fd;
    this.fd = -1;
    try {
      closeSync(fd);
      return null;
    } catch (e) {
      return writeError(ScapWriteErrorCode.IO, `cannot close ${this.path}: ${(e as Error).message}`);
    }
  }
}

/** Compresses every chunk into a gzip member and passes it on. */
export class GzipSink implements ScapByteSink {
  constructor(
    private readonly inner: ScapByteSink,
    private readonly level: number = zc.Z_DEFAULT_COMPRESSION,
  ) {}
  write(chunk: Uint8Array): ScapWriteError | null {
    let z: Buffer;
    try {
      z = gzipSync(chunk, { level: this.level });
    } catch (e) {
      return writeError(ScapWriteErrorCode.IO, `gzip failed: ${(e as Error).message}`);
    }
    return this.inner.write(z);
  }
  close(): ScapWriteError | null {
    return this.inner.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The writer

export interface ScapWriterOptions {
  /** Buffered bytes that trigger a write to the sink. Default 1 MiB. */
  flushBytes?: number;
  /**
   * Process list block version for writeRecord: "preserve" (default) writes each record in the
   * version it was read from; a number (1..9) converts every record to that version.
   */
  processListVersion?: "preserve" | number;
  /**
   * Tail of version-9 process entries. "current": every field libscap writes today (pidns start,
   * tty, loginuid, exe_writable, capabilities, exe layer and inode fields, pgid). "legacy": only
   * loginuid and exe_writable, the layout of libs < 0.10, which readers of that age (sysdig
   * 0.29.3) decode correctly. "auto" (default): legacy when every newer field has its default
   * value (nothing is lost), else current.
   */
  processTail?: "auto" | "current" | "legacy";
}

export interface ScapWriteResult {
  readonly events: number;
  readonly blocks: number;
  /** Bytes of uncompressed output. */
  readonly bytes: number;
  readonly error: ScapWriteError | null;
}

/** A section header's content; defaults: version 1.2, no options. */
export interface SectionHeaderFields {
  readonly major?: number;
  readonly minor?: number;
  readonly options?: readonly ShbOptionValue[];
}

/** An event to encode: header fields and raw parameter values. */
export interface EventFields {
  readonly ts: bigint;
  readonly tid: number | bigint;
  readonly type: number;
  readonly params: readonly Uint8Array[];
  readonly cpu?: number;
  /** Dump flags; when given (even 0) the event goes into a flags block. */
  readonly flags?: number;
}

type Family = "process" | "fd" | "user" | "interface";

const DEFAULT_FLUSH = 1 << 20;
const PROCLIST_TYPES: readonly number[] = [
  0,
  BlockType.PROCLIST_V1,
  BlockType.PROCLIST_V2,
  BlockType.PROCLIST_V3,
  BlockType.PROCLIST_V4,
  BlockType.PROCLIST_V5,
  BlockType.PROCLIST_V6,
  BlockType.PROCLIST_V7,
  BlockType.PROCLIST_V8,
  BlockType.PROCLIST_V9,
];

export class ScapWriter {
  private buf: Buffer;
  private dv: DataView;
  private pos = 0;
  private readonly flushBytes: number;
  private readonly procVersion: "preserve" | number;
  private readonly procTail: "auto" | "current" | "legacy";
  private sticky: ScapWriteError | null = null;
  private closed = false;
  private wroteAny = false;
  private nEvents = 0;
  private nBlocks = 0;
  private nBytes = 0;
  // Records waiting to be written as one block.
  private pendingFamily: Family | null = null;
  private pendingKey = 0;
  private pendingTid = 0;
  private pendingVersion = 0;
  private pending: ScapRecord[] = [];

  constructor(
    private readonly sink: ScapByteSink,
    options: ScapWriterOptions = {},
  ) {
    this.flushBytes = Math.max(1024, options.flushBytes ?? DEFAULT_FLUSH);
    this.procVersion = options.processListVersion ?? "preserve";
    this.procTail = options.processTail ?? "auto";
    this.buf = Buffer.allocUnsafe(this.flushBytes + (1 << 16));
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** The sticky I/O error, if any. */
  get error(): ScapWriteError | null {
    return this.sticky;
  }

  /** Writes the section header; must come first (other writes add a default one). */
  writeSectionHeader(fields: SectionHeaderFields = {}): ScapWriteError | null {
    const bad = this.check();
    if (bad !== null) return bad;
    if (this.wroteAny) return writeError(ScapWriteErrorCode.ORDER, "section header after other blocks");
    const options = fields.options ?? [];
    let optLen = 0;
    for (const o of options) {
      const n = Buffer.byteLength(o.value, "utf8");
      if (n > 0xffff || o.code < 0 || o.code > 0xffff) {
        return writeError(ScapWriteErrorCode.INVALID_RECORD, `section header option ${o.code} too long`);
      }
      optLen += 4 + pad4(n);
    }
    if (options.length > 0) optLen += 4;
    const start = this.begin(BlockType.SECTION_HEADER, 16 + optLen);
    this.u32(SHB_MAGIC);
    this.u16(fields.major ?? SCAP_MAJOR_VERSION);
    this.u16(fields.minor ?? SCAP_MINOR_VERSION);
    this.i64(-1);
    for (const o of options) {
      this.u16(o.code);
      const n = this.buf.write(o.value, this.pos + 2, "utf8");
      this.u16(n);
      this.pos += n;
      this.zeros(pad4(n) - n);
    }
    if (options.length > 0) {
      this.u16(ShbOption.END);
      this.u16(0);
    }
    return this.end(start);
  }

  /** Writes a machine info block. */
  writeMachineInfo(m: Omit<MachineInfoRecord, "kind" | "blockOffset">): ScapWriteError | null {
    const bad = this.prepare();
    if (bad !== null) return bad;
    const host = Buffer.from(m.hostname, "utf8");
    if (host.length >= MACHINE_INFO_HOSTNAME_SIZE) {
      return writeError(ScapWriteErrorCode.INVALID_RECORD, `hostname of ${host.length} bytes too long`);
    }
    const start = this.begin(BlockType.MACHINE_INFO, MACHINE_INFO_SIZE);
    this.u32(m.numCpus);
    this.u64(m.memorySizeBytes);
    this.u64(m.maxPid);
    host.copy(this.buf, this.pos);
    this.pos += host.length;
    this.zeros(MACHINE_INFO_HOSTNAME_SIZE - host.length);
    this.u64(m.bootTsEpoch);
    this.u64(m.flags);
    this.zeros(16); // reserved
    return this.end(start);
  }

  /** Writes one process list block of the given version (default 9). */
  writeProcessList(procs: readonly ProcessRecord[], version = 9): ScapWriteError | null {
    const bad = this.prepare();
    if (bad !== null) return bad;
    if (!Number.isInteger(version) || version < 1 || version > 9) {
      return writeError(ScapWriteErrorCode.INVALID_RECORD, `process list version ${version}`);
    }
    for (const p of procs) {
      const e = checkProcess(p);
      if (e !== null) return e;
    }
    let size = 0;
    for (const p of procs) size += this.processSize(p, version);
    const start = this.begin(PROCLIST_TYPES[version]!, size);
    for (const p of procs) this.processEntry(p, version);
    return this.end(start);
  }

  /** Writes the fd list block of thread `tid`. */
  writeFdList(tid: number, fds: readonly FdRecord[]): ScapWriteError | null {
    const bad = this.prepare();
    if (bad !== null) return bad;
    let size = 8;
    for (const f of fds) {
      const n = fdEntrySize(f);
      if (typeof n !== "number") return n;
      size += n;
    }
    const start = this.begin(BlockType.FDLIST_V2, size);
    this.i64(tid);
    for (const f of fds) this.fdEntry(f);
    return this.end(start);
  }

  /** Writes one user list block (users and groups, in the given order). */
  writeUserList(entries: readonly (UserRecord | GroupRecord)[]): ScapWriteError | null {
    const bad = this.prepare();
    if (bad !== null) return bad;
    let size = 0;
    for (const u of entries) {
      const strs = u.kind === "user" ? [u.name, u.homedir, u.shell] : [u.name];
      for (const s of strs) {
        if (Buffer.byteLength(s, "utf8") >= MAX_CREDENTIALS_STR_LEN) {
          return writeError(
            ScapWriteErrorCode.INVALID_RECORD,
            `${u.kind} string "${s.slice(0, 40)}" too long`,
          );
        }
      }
      size += userEntrySize(u);
    }
    const start = this.begin(BlockType.USERLIST_V2, size);
    for (const u of entries) {
      this.u32(userEntrySize(u));
      if (u.kind === "user") {
        this.u8(UserBlockEntry.USER);
        this.u32(u.uid);
        this.u32(u.gid);
        this.lstr(u.name);
        this.lstr(u.homedir);
        this.lstr(u.shell);
      } else {
        this.u8(UserBlockEntry.GROUP);
        this.u32(u.gid);
        this.lstr(u.name);
      }
    }
    return this.end(start);
  }

  /** Writes one interface list block. */
  writeInterfaceList(ifs: readonly InterfaceRecord[]): ScapWriteError | null {
    const bad = this.prepare();
    if (bad !== null) return bad;
    const addrs: Buffer[] = [];
    let size = 0;
    for (const f of ifs) {
      const v6 = f.type === InterfaceType.IPV6 || f.type === InterfaceType.IPV6_NOLINKSPEED;
      const v4 = f.type === InterfaceType.IPV4 || f.type === InterfaceType.IPV4_NOLINKSPEED;
      if (!v4 && !v6) return writeError(ScapWriteErrorCode.INVALID_RECORD, `interface type ${f.type}`);
      const parse = v6 ? parseIpv6 : parseIpv4;
      const a = [parse(f.addr), parse(f.netmask), parse(f.bcast)];
      if (a.some((x) => x === null)) {
        return writeError(ScapWriteErrorCode.INVALID_RECORD, `interface ${f.name}: bad address`);
      }
      if (Buffer.byteLength(f.name, "utf8") >= MAX_PATH_SIZE) {
        return writeError(ScapWriteErrorCode.INVALID_RECORD, `interface name too long`);
      }
      if (!Number.isSafeInteger(f.linkspeed) || f.linkspeed < 0) {
        return writeError(
          ScapWriteErrorCode.INVALID_RECORD,
          `interface ${f.name}: link speed ${f.linkspeed}`,
        );
      }
      addrs.push(...(a as Buffer[]));
      size += 4 + interfaceEntrySize(f);
    }
    const start = this.begin(BlockType.IFLIST_V2, size);
    ifs.forEach((f, k) => {
      this.u32(interfaceEntrySize(f));
      this.u16(f.type);
      const name = Buffer.from(f.name, "utf8");
      this.u16(name.length);
      for (let j = 0; j < 3; j++) this.bytes(addrs[3 * k + j]!);
      if (f.type === InterfaceType.IPV4 || f.type === InterfaceType.IPV6) this.u64(BigInt(f.linkspeed));
      this.bytes(name);
    });
    return this.end(start);
  }

  /**
   * Writes a record as the reader delivered it. Records of one block (same kind, same block
   * offset, and for fds the same thread) are gathered and written as one block when the next
   * record, an event or close() shows the block is complete.
   */
  writeRecord(rec: ScapRecord): ScapWriteError | null {
    const bad = this.check();
    if (bad !== null) return bad;
    switch (rec.kind) {
      case "section": {
        const e = this.flushPending();
        if (e !== null) return e;
        return this.writeSectionHeader(rec);
      }
      case "machine": {
        const e = this.flushPending();
        if (e !== null) return e;
        return this.writeMachineInfo(rec);
      }
      case "unknown":
        return writeError(
          ScapWriteErrorCode.INVALID_RECORD,
          `block type 0x${rec.blockType.toString(16)} at ${rec.blockOffset} has no content to write`,
        );
      case "process": {
        const v = this.procVersion === "preserve" ? rec.blockVersion : this.procVersion;
        return this.gather("process", rec, rec.blockOffset, 0, v);
      }
      case "fd":
        return this.gather("fd", rec, rec.blockOffset, rec.tid, 0);
      case "user":
      case "group":
        return this.gather("user", rec, rec.blockOffset, 0, 0);
      case "interface":
        return this.gather("interface", rec, rec.blockOffset, 0, 0);
    }
  }

  /**
   * Copies an event view into an event block of the same kind (flags, large payload); events from
   * version-1 blocks get the version-2 header (nparams) as libscap converts them on reading.
   */
  writeEvent(ev: ScapEvent): ScapWriteError | null {
    const bad = this.prepare();
    if (bad !== null) return bad;
    const bt = ev.blockType;
    const withFlags =
      bt === BlockType.EVENT_FLAGS ||
      bt === BlockType.EVENT_FLAGS_V2 ||
      bt === BlockType.EVENT_FLAGS_V2_LARGE;
    const large = bt === BlockType.EVENT_V2_LARGE || bt === BlockType.EVENT_FLAGS_V2_LARGE;
    const len = ev.len;
    if (len < EVENT_HEADER_SIZE) return writeError(ScapWriteErrorCode.INVALID_EVENT, `event length ${len}`);
    const e = this.eventBlockCheck(len, withFlags, large);
    if (e !== null) return e;
    const start = this.eventBlockStart(len, withFlags, large, ev.cpu, ev.flags);
    if (ev.headerLen === EVENT_HEADER_SIZE) {
      ev.buf.copy(this.buf, this.pos, ev.off, ev.off + len);
      this.pos += len;
    } else {
      ev.buf.copy(this.buf, this.pos, ev.off, ev.off + 16); // ts, tid
      this.pos += 16;
      this.u32(len);
      this.u16(ev.type);
      this.u32(ev.nparams);
      const from = ev.off + EVENT_HEADER_SIZE_V1;
      ev.buf.copy(this.buf, this.pos, from, from + len - EVENT_HEADER_SIZE);
      this.pos += len - EVENT_HEADER_SIZE;
    }
    this.nEvents++;
    return this.end(start);
  }

  /** Encodes an event from its fields (4-byte parameter lengths for large-payload event types). */
  writeEventFields(e: EventFields): ScapWriteError | null {
    const bad = this.prepare();
    if (bad !== null) return bad;
    if (!Number.isInteger(e.type) || e.type < 0 || e.type > 0xffff) {
      return writeError(ScapWriteErrorCode.INVALID_EVENT, `event type ${e.type}`);
    }
    const info = EVENT_TABLE[e.type];
    const large = info !== undefined && (info.flags & EventFlag.LARGE_PAYLOAD) !== 0;
    const lenSize = large ? 4 : 2;
    let len = EVENT_HEADER_SIZE + e.params.length * lenSize;
    for (const p of e.params) {
      if (!large && p.length > 0xffff) {
        return writeError(
          ScapWriteErrorCode.INVALID_EVENT,
          `parameter of ${p.length} bytes needs a large-payload event`,
        );
      }
      len += p.length;
    }
    if (len > 0xffffffff) return writeError(ScapWriteErrorCode.INVALID_EVENT, `event of ${len} bytes`);
    const withFlags = e.flags !== undefined;
    const bad2 = this.eventBlockCheck(len, withFlags, large);
    if (bad2 !== null) return bad2;
    const start = this.eventBlockStart(len, withFlags, large, e.cpu ?? 0, e.flags ?? 0);
    this.u64(e.ts);
    this.i64(e.tid);
    this.u32(len);
    this.u16(e.type);
    this.u32(e.params.length);
    for (const p of e.params) {
      if (large) this.u32(p.length);
      else this.u16(p.length);
    }
    for (const p of e.params) this.bytes(p);
    this.nEvents++;
    return this.end(start);
  }

  /** Flushes everything and closes the sink. Further writes return a CLOSED error. */
  close(): ScapWriteResult {
    if (!this.closed) {
      if (this.sticky === null) {
        const e = this.flushPending();
        if (e !== null && e.code === ScapWriteErrorCode.IO) this.sticky = e;
      }
      if (this.sticky === null && !this.wroteAny) this.writeSectionHeader();
      if (this.sticky === null) this.flush();
      const e = this.sink.close();
      if (this.sticky === null && e !== null) this.sticky = e;
      this.closed = true;
    }
    return { events: this.nEvents, blocks: this.nBlocks, bytes: this.nBytes, error: this.sticky };
  }

  // -------------------------------------------------------------------------------------------
  // Record batching

  private gather(
    family: Family,
    rec: ScapRecord,
    key: number,
    tid: number,
    version: number,
  ): ScapWriteError | null {
    if (
      this.pendingFamily !== family ||
      this.pendingKey !== key ||
      this.pendingTid !== tid ||
      this.pendingVersion !== version
    ) {
      const e = this.flushPending();
      if (e !== null) return e;
      this.pendingFamily = family;
      this.pendingKey = key;
      this.pendingTid = tid;
      this.pendingVersion = version;
    }
    this.pending.push(rec);
    return null;
  }

  private flushPending(): ScapWriteError | null {
    const family = this.pendingFamily;
    if (family === null) return null;
    const recs = this.pending;
    this.pending = [];
    this.pendingFamily = null;
    switch (family) {
      case "process":
        return this.writeProcessList(recs as ProcessRecord[], this.pendingVersion);
      case "fd":
        return this.writeFdList(this.pendingTid, recs as FdRecord[]);
      case "user":
        return this.writeUserList(recs as (UserRecord | GroupRecord)[]);
      case "interface":
        return this.writeInterfaceList(recs as InterfaceRecord[]);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Block framing

  private check(): ScapWriteError | null {
    if (this.closed) return writeError(ScapWriteErrorCode.CLOSED, "writer is closed");
    return this.sticky;
  }

  /** Common preamble of block writes: sticky errors, pending records, the default header. */
  private prepare(): ScapWriteError | null {
    const bad = this.check();
    if (bad !== null) return bad;
    if (this.pendingFamily !== null) {
      const e = this.flushPending();
      if (e !== null) return e;
    }
    if (!this.wroteAny) return this.writeSectionHeader();
    return null;
  }

  /** Reserves room for a block with `bodyLen` bytes of body and writes its header. */
  private begin(type: number, bodyLen: number): number {
    const total = BLOCK_HEADER_SIZE + pad4(bodyLen) + BLOCK_TRAILER_SIZE;
    this.reserve(total);
    const start = this.pos;
    this.u32(type);
    this.u32(total);
    return start;
  }

  /** Pads the body, writes the trailer, counts the block and flushes when the buffer is full. */
  private end(start: number): ScapWriteError | null {
    const total = this.dv.getUint32(start + 4, true);
    const bodyEnd = start + total - BLOCK_TRAILER_SIZE;
    this.zeros(bodyEnd - this.pos);
    this.u32(total);
    this.nBlocks++;
    this.nBytes += total;
    this.wroteAny = true;
    if (this.pos >= this.flushBytes) this.flush();
    return this.sticky;
  }

  private eventBlockCheck(len: number, withFlags: boolean, large: boolean): ScapWriteError | null {
    const body = 2 + (withFlags ? 4 : 0) + len;
    if (!large && pad4(body) + BLOCK_TRAILER_SIZE > MAX_EVENT_BLOCK_READLEN) {
      return writeError(
        ScapWriteErrorCode.INVALID_EVENT,
        `event of ${len} bytes too big for a non-large block`,
      );
    }
    if (BLOCK_HEADER_SIZE + pad4(body) + BLOCK_TRAILER_SIZE > 0xffffffff) {
      return writeError(ScapWriteErrorCode.INVALID_EVENT, `event of ${len} bytes too big`);
    }
    return null;
  }

  private eventBlockStart(
    len: number,
    withFlags: boolean,
    large: boolean,
    cpu: number,
    flags: number,
  ): number {
    const type = withFlags
      ? large
        ? BlockType.EVENT_FLAGS_V2_LARGE
        : BlockType.EVENT_FLAGS_V2
      : large
        ? BlockType.EVENT_V2_LARGE
        : BlockType.EVENT_V2;
    const start = this.begin(type, 2 + (withFlags ? 4 : 0) + len);
    this.u16(cpu);
    if (withFlags) this.u32(flags);
    return start;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = Buffer.allocUnsafe(n);
      this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
  }

  private flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.pos = 0;
    if (this.sticky !== null) return;
    const e = this.sink.write(chunk);
    if (e !== null) this.sticky = e;
  }

  // -------------------------------------------------------------------------------------------
  // Field encoders (room is reserved by begin())

  private u8(v: number): void {
    this.buf[this.pos++] = v & 0xff;
  }
  private u16(v: number): void {
    this.dv.setUint16(this.pos, v & 0xffff, true);
    this.pos += 2;
  }
  private u32(v: number): void {
    this.dv.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }
  private i64(v: number | bigint): void {
    if (typeof v === "bigint") {
      this.dv.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    } else {
      // Exact for integers within +-2^53, without a BigInt.
      const lo = v >>> 0;
      const hi = Math.floor((v - lo) / 4294967296);
      this.dv.setUint32(this.pos, lo, true);
      this.dv.setUint32(this.pos + 4, hi >>> 0, true);
    }
    this.pos += 8;
  }
  private u64(v: bigint): void {
    this.dv.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    this.pos += 8;
  }
  private zeros(n: number): void {
    if (n <= 0) return;
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }
  private bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** u16 length + UTF-8 bytes. */
  private lstr(s: string): void {
    const n = this.buf.write(s, this.pos + 2, "utf8");
    this.u16(n);
    this.pos += n;
  }
  /** u16 length + NUL-terminated strings. */
  private lstrs(list: readonly string[]): void {
    const at = this.pos;
    this.pos += 2;
    for (const s of list) {
      this.pos += this.buf.write(s, this.pos, "utf8");
      this.buf[this.pos++] = 0;
    }
    this.dv.setUint16(at, this.pos - at - 2, true);
  }

  // -------------------------------------------------------------------------------------------
  // Process entries

  private legacyTail(p: ProcessRecord): boolean {
    if (this.procTail !== "auto") return this.procTail === "legacy";
    return (
      p.pidnsInitStartTs === 0n &&
      p.tty === 0 &&
      p.capInheritable === 0n &&
      p.capPermitted === 0n &&
      p.capEffective === 0n &&
      !p.exeUpperLayer &&
      !p.exeLowerLayer &&
      !p.exeFromMemfd &&
      p.exeIno === 0n &&
      p.exeInoCtime === 0n &&
      p.exeInoMtime === 0n &&
      p.pgid === -1
    );
  }

  private processSize(p: ProcessRecord, v: number): number {
    let n = 24 + 2 + utf8Len(p.comm) + 2 + utf8Len(p.exe) + 2 + listLen(p.args) + 2 + utf8Len(p.cwd) + 8 + 12;
    if (v >= 6) n += 8; // sid
    if (v >= 8) n += 8; // vpgid
    if (v >= 7) n += 2 + utf8Len(p.exepath);
    if (v >= 2) n += 12 + 16; // vm sizes, page faults
    if (v >= 3) n += 2 + listLen(p.env);
    if (v >= 4) n += 16 + 2 + listLen(p.cgroups);
    if (v >= 5) n += 2 + utf8Len(p.root);
    if (v >= 9) n += 4 + (this.legacyTail(p) ? 5 : 8 + 4 + 4 + 1 + 24 + 1 + 24 + 1 + 1 + 8);
    return n;
  }

  private processEntry(p: ProcessRecord, v: number): void {
    if (v >= 9) this.u32(this.processSize(p, v));
    this.i64(p.tid);
    this.i64(p.pid);
    this.i64(p.ptid);
    if (v >= 6) this.i64(p.sid);
    if (v >= 8) this.i64(p.vpgid);
    this.lstr(p.comm);
    this.lstr(p.exe);
    if (v >= 7) this.lstr(p.exepath);
    this.lstrs(p.args);
    this.lstr(p.cwd);
    this.i64(p.fdlimit);
    this.u32(p.flags);
    this.u32(p.uid);
    this.u32(p.gid);
    if (v >= 2) {
      this.u32(p.vmsizeKb);
      this.u32(p.vmrssKb);
      this.u32(p.vmswapKb);
      this.i64(p.pfmajor);
      this.i64(p.pfminor);
    }
    if (v >= 3) this.lstrs(p.env);
    if (v >= 4) {
      this.i64(p.vtid);
      this.i64(p.vpid);
      this.lstrs(p.cgroups);
    }
    if (v >= 5) this.lstr(p.root);
    if (v >= 9) {
      if (this.legacyTail(p)) {
        this.u32(p.loginuid);
        this.u8(p.exeWritable ? 1 : 0);
      } else {
        this.u64(p.pidnsInitStartTs);
        this.u32(p.tty);
        this.u32(p.loginuid);
        this.u8(p.exeWritable ? 1 : 0);
        this.u64(p.capInheritable);
        this.u64(p.capPermitted);
        this.u64(p.capEffective);
        this.u8(p.exeUpperLayer ? 1 : 0);
        this.u64(p.exeIno);
        this.u64(p.exeInoCtime);
        this.u64(p.exeInoMtime);
        this.u8(p.exeFromMemfd ? 1 : 0);
        this.u8(p.exeLowerLayer ? 1 : 0);
        this.i64(p.pgid);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // fd entries

  private fdEntry(f: FdRecord): void {
    this.u32(fdEntrySize(f) as number);
    this.i64(f.fd);
    this.u64(f.ino);
    this.u8(f.type);
    switch (f.type) {
      case FdType.IPV4_SOCK:
        this.bytes(parseIpv4(f.sip)!);
        this.bytes(parseIpv4(f.dip)!);
        this.u16(f.sport);
        this.u16(f.dport);
        this.u8(f.l4proto);
        break;
      case FdType.IPV4_SERVSOCK:
        this.bytes(parseIpv4(f.sip)!);
        this.u16(f.sport);
        this.u8(f.l4proto);
        break;
      case FdType.IPV6_SOCK:
        this.bytes(parseIpv6(f.sip)!);
        this.bytes(parseIpv6(f.dip)!);
        this.u16(f.sport);
        this.u16(f.dport);
        this.u8(f.l4proto);
        break;
      case FdType.IPV6_SERVSOCK:
        this.bytes(parseIpv6(f.sip)!);
        this.u16(f.sport);
        this.u8(f.l4proto);
        break;
      case FdType.UNIX_SOCK:
        this.u64(f.unixSource);
        this.u64(f.unixDest);
        this.lstr(f.name);
        break;
      case FdType.FILE_V2:
        this.u32(f.openFlags);
        this.lstr(f.name);
        this.u32(f.dev);
        break;
      case FdType.UNKNOWN:
        break;
      default:
        this.lstr(f.name);
        break;
    }
  }
}

/** Opens `path` for writing (truncating it) and returns a writer, or the error. */
export function openScapWriter(
  path: string,
  options: ScapWriterOptions & { gzip?: boolean | { level?: number } } = {},
): ScapWriter | ScapWriteError {
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (e) {
    return writeError(ScapWriteErrorCode.IO, `cannot open ${path}: ${(e as Error).message}`);
  }
  const file = new FileSink(fd, true, path);
  const gz = options.gzip;
  const sink =
    gz === undefined || gz === false
      ? file
      : new GzipSink(
          file,
          typeof gz === "object" ? (gz.level ?? zc.Z_DEFAULT_COMPRESSION) : zc.Z_DEFAULT_COMPRESSION,
        );
  return new ScapWriter(sink, options);
}

// ---------------------------------------------------------------------------------------------
// Sizes, checks and address parsing

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function utf8Len(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Bytes of NUL-terminated strings. */
function listLen(list: readonly string[]): number {
  let n = 0;
  for (const s of list) n += utf8Len(s) + 1;
  return n;
}

function checkProcess(p: ProcessRecord): ScapWriteError | null {
  const limits: [string, number][] = [
    ["comm", utf8Len(p.comm) <= MAX_PATH_SIZE ? 0 : 1],
    ["exe", utf8Len(p.exe) <= MAX_PATH_SIZE ? 0 : 1],
    ["exepath", utf8Len(p.exepath) <= MAX_PATH_SIZE ? 0 : 1],
    ["cwd", utf8Len(p.cwd) <= MAX_PATH_SIZE ? 0 : 1],
    ["root", utf8Len(p.root) <= MAX_PATH_SIZE ? 0 : 1],
    ["args", listLen(p.args) <= MAX_ARGS_SIZE ? 0 : 1],
    ["env", listLen(p.env) <= MAX_ENV_SIZE ? 0 : 1],
    ["cgroups", listLen(p.cgroups) <= MAX_CGROUPS_SIZE ? 0 : 1],
  ];
  for (const [what, over] of limits) {
    if (over !== 0)
      return writeError(ScapWriteErrorCode.INVALID_RECORD, `process ${p.tid}: ${what} too long`);
  }
  return null;
}

function fdEntrySize(f: FdRecord): number | ScapWriteError {
  let n = 4 + 8 + 8 + 1;
  const bad = (what: string): ScapWriteError =>
    writeError(ScapWriteErrorCode.INVALID_RECORD, `fd ${f.fd} of thread ${f.tid}: ${what}`);
  const name = (): number | ScapWriteError => {
    const k = utf8Len(f.name);
    return k >= MAX_PATH_SIZE ? bad("name too long") : 2 + k;
  };
  switch (f.type) {
    case FdType.IPV4_SOCK:
      if (parseIpv4(f.sip) === null || parseIpv4(f.dip) === null) return bad("bad IPv4 address");
      return n + 13;
    case FdType.IPV4_SERVSOCK:
      if (parseIpv4(f.sip) === null) return bad("bad IPv4 address");
      return n + 7;
    case FdType.IPV6_SOCK:
      if (parseIpv6(f.sip) === null || parseIpv6(f.dip) === null) return bad("bad IPv6 address");
      return n + 37;
    case FdType.IPV6_SERVSOCK:
      if (parseIpv6(f.sip) === null) return bad("bad IPv6 address");
      return n + 19;
    case FdType.UNKNOWN:
      return n;
    default: {
      if (f.type < 0 || f.type > 0xff) return bad(`type ${f.type}`);
      const k = name();
      if (typeof k !== "number") return k;
      n += k;
      if (f.type === FdType.UNIX_SOCK) n += 16;
      if (f.type === FdType.FILE_V2) n += 8;
      return n;
    }
  }
}

function userEntrySize(u: UserRecord | GroupRecord): number {
  return u.kind === "user"
    ? 4 + 1 + 4 + 4 + 2 + utf8Len(u.name) + 2 + utf8Len(u.homedir) + 2 + utf8Len(u.shell)
    : 4 + 1 + 4 + 2 + utf8Len(u.name);
}

/** Size of an interface entry after its length field. */
function interfaceEntrySize(f: InterfaceRecord): number {
  const v6 = f.type === InterfaceType.IPV6 || f.type === InterfaceType.IPV6_NOLINKSPEED;
  const speed = f.type === InterfaceType.IPV4 || f.type === InterfaceType.IPV6 ? 8 : 0;
  return 4 + (v6 ? 48 : 12) + speed + utf8Len(f.name);
}

/** Dotted quad -> 4 bytes (network order), or null. */
export function parseIpv4(s: string): Buffer | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m === null) return null;
  const b = Buffer.alloc(4);
  for (let i = 0; i < 4; i++) {
    const v = Number(m[i + 1]);
    if (v > 255) return null;
    b[i] = v;
  }
  return b;
}

/** IPv6 text (with "::" and an optional dotted-quad tail) -> 16 bytes, or null. */
export function parseIpv6(s: string): Buffer | null {
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const words = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const items = part.split(":");
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (i === items.length - 1 && it.includes(".")) {
        const v4 = parseIpv4(it);
        if (v4 === null) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return null;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const b = Buffer.alloc(16);
  all.forEach((w, i) => b.writeUInt16BE(w, 2 * i));
  return b;
}
