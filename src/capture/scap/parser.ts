// A push parser for the scap block stream. Bytes arrive in chunks of any size (from a file, a
// gunzip stream, a socket); complete blocks are decoded as soon as they are buffered, events
// handed to the sink through one reused ScapEvent view, other blocks as records.
//
// Memory: the buffer holds the unparsed tail (at most one partial block) plus the current chunk,
// and grows only as data actually arrives, never to a length a block header merely claims;
// claimed lengths are checked against limits as soon as the 8-byte header is seen.
//
// Faults are values: the first one stops the parser and is reported with the stream offset and
// the block type; everything before it has been delivered.

import { EVENT_TABLE, EVENT_TYPE_MAX, EventFlag, EventType } from "../events/table.js";
import { ScapEvent } from "./event.js";
import { type ScapError, ScapErrorCode, scapError } from "./errors.js";
import {
  BLOCK_HEADER_SIZE,
  BLOCK_TRAILER_SIZE,
  BlockType,
  EVENT_BLOCK_CPU_SIZE,
  EVENT_BLOCK_FLAGS_SIZE,
  EVENT_HEADER_SIZE,
  EVENT_HEADER_SIZE_V1,
  EVT_OFF_LEN,
  EVT_OFF_NPARAMS,
  EVT_OFF_TID,
  EVT_OFF_TYPE,
  MAX_EVENT_BLOCK_READLEN,
  MIN_BLOCK_SIZE,
  MIN_SHB_SIZE,
  SCAP_MAJOR_VERSION,
  SHB_MAGIC,
  SHB_MAGIC_SWAPPED,
  isEventBlock,
  proclistVersion,
} from "./format.js";
import {
  type DecodeResult,
  type ScapRecord,
  decodeFdList,
  decodeIfList,
  decodeMachineInfo,
  decodeProcList,
  decodeSectionHeader,
  decodeUserList,
  readI64,
} from "./records.js";

export interface ScapSink {
  /** Called for every event, with a view valid only during the call. Return false to stop. */
  onEvent(ev: ScapEvent): boolean | void;
  /**
   * Called for every non-event record (section, machine, process, fd, user, ...). Without it,
   * metadata blocks are skipped by their length (framing checked, content not decoded).
   */
  onRecord?(rec: ScapRecord): boolean | void;
}

export interface ScapParserOptions {
  /**
   * Largest accepted total length of a metadata block or a large-payload event block (bytes).
   * Default 256 MiB. Ordinary event blocks are limited to 64 KiB as in libscap.
   */
  maxBlockLength?: number;
  /** Largest accepted parameter count of one event. Default 4096 (the table's maximum is 32). */
  maxParams?: number;
}

export interface ScapReadResult {
  /** Events delivered. */
  readonly events: number;
  /** Records delivered (process entries, fds, users, ... counted individually). */
  readonly records: number;
  /** Bytes of the (decompressed) stream consumed by complete blocks. */
  readonly bytes: number;
  /** True if the sink asked to stop. */
  readonly stopped: boolean;
  /** The fault that ended reading, or null at a clean end. */
  readonly error: ScapError | null;
}

export const DEFAULT_MAX_BLOCK_LENGTH = 256 * 1024 * 1024;
export const DEFAULT_MAX_PARAMS = 4096;
const INITIAL_CAPACITY = 1 << 16;

export class ScapParser {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  private dv: DataView = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  /** Unparsed data is buf[start, stop). */
  private start = 0;
  private stop = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  private sawSection = false;
  private readonly view = new ScapEvent();
  private readonly maxBlockLength: number;
  private readonly maxParams: number;
  private readonly emitRecord: (r: ScapRecord) => boolean;
  private readonly wantRecords: boolean;
  private nEvents = 0;
  private nRecords = 0;
  private stoppedBySink = false;
  private err: ScapError | null = null;
  private ended = false;

  constructor(
    private readonly sink: ScapSink,
    options: ScapParserOptions = {},
  ) {
    this.maxBlockLength = options.maxBlockLength ?? DEFAULT_MAX_BLOCK_LENGTH;
    this.maxParams = options.maxParams ?? DEFAULT_MAX_PARAMS;
    this.wantRecords = sink.onRecord !== undefined;
    this.emitRecord = (r: ScapRecord): boolean => {
      this.nRecords++;
      const onRecord = this.sink.onRecord;
      if (onRecord !== undefined && onRecord.call(this.sink, r) === false) {
        this.stoppedBySink = true;
        return false;
      }
      return true;
    };
  }

  /** True once a fault occurred, the sink stopped, or end() was called. */
  get done(): boolean {
    return this.err !== null || this.stoppedBySink || this.ended;
  }

  get error(): ScapError | null {
    return this.err;
  }

  /** Feeds bytes; parses every complete block. Returns false once the parser is done. */
  push(chunk: Uint8Array): boolean {
    if (this.done) return false;
    if (this.stop === this.start && chunk.length > 0) {
      // Nothing pending: parse the chunk in place, then keep only its incomplete tail.
      const ownBuf = this.buf;
      const ownDv = this.dv;
      this.base += this.start;
      this.buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      this.dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
      this.start = 0;
      this.stop = chunk.length;
      this.parse();
      const tail = this.start;
      this.buf = ownBuf;
      this.dv = ownDv;
      this.base += tail;
      this.start = 0;
      this.stop = 0;
      if (tail < chunk.length) this.append(chunk.subarray(tail));
    } else {
      this.append(chunk);
      this.parse();
    }
    return !this.done;
  }

  /** Ends the input: data left over is a truncated block. */
  end(): ScapReadResult {
    if (!this.ended) {
      if (this.err === null && !this.stoppedBySink) {
        const avail = this.stop - this.start;
        if (!this.sawSection && avail === 0) {
          this.fail(ScapErrorCode.TRUNCATED, "empty input: no section header block", this.base, -1, -1);
        } else if (avail > 0) {
          const bt = avail >= 4 ? this.dv.getUint32(this.start, true) : -1;
          const need = avail >= 8 ? this.dv.getUint32(this.start + 4, true) : BLOCK_HEADER_SIZE;
          this.fail(
            ScapErrorCode.TRUNCATED,
            `data ends inside a block (${avail} of ${need} bytes present)`,
            this.base + this.stop,
            this.base + this.start,
            bt,
          );
        }
      }
      this.ended = true;
    }
    return this.result();
  }

  /** Records a fault from outside the block stream (I/O, gzip) unless one is already set. */
  failExternal(code: ScapError["code"], detail: string): void {
    if (this.err !== null) return;
    const avail = this.stop - this.start;
    const bt = avail >= 4 ? this.dv.getUint32(this.start, true) : -1;
    this.fail(code, detail, this.base + this.stop, avail > 0 ? this.base + this.start : -1, bt);
  }

  /** True if bytes of an incomplete block are buffered. */
  get hasPartialBlock(): boolean {
    return this.stop > this.start;
  }

  result(): ScapReadResult {
    return {
      events: this.nEvents,
      records: this.nRecords,
      bytes: this.base + this.start,
      stopped: this.stoppedBySink,
      error: this.err,
    };
  }

  // -------------------------------------------------------------------------------------------

  private append(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    if (this.stop + n > this.buf.length) {
      const pending = this.stop - this.start;
      if (pending + n <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.stop);
      } else {
        let cap = this.buf.length * 2;
        while (cap < pending + n) cap *= 2;
        const nb = Buffer.allocUnsafe(cap);
        this.buf.copy(nb, 0, this.start, this.stop);
        this.buf = nb;
        this.dv = new DataView(nb.buffer, nb.byteOffset, nb.byteLength);
      }
      this.base += this.start;
      this.start = 0;
      this.stop = pending;
    }
    this.buf.set(chunk, this.stop);
    this.stop += n;
  }

  private fail(
    code: ScapError["code"],
    detail: string,
    offset: number,
    blockOffset: number,
    bt: number,
  ): void {
    if (this.err === null) this.err = scapError(code, detail, offset, blockOffset, bt);
  }

  private parse(): void {
    const dv = this.dv;
    while (!this.done) {
      const s = this.start;
      const avail = this.stop - s;
      if (avail < BLOCK_HEADER_SIZE) {
        if (!this.sawSection && avail >= 4 && dv.getUint32(s, true) !== BlockType.SECTION_HEADER) {
          this.fail(
            ScapErrorCode.BAD_MAGIC,
            "not a scap file (no section header block)",
            this.base + s,
            -1,
            -1,
          );
        }
        return;
      }
      const bt = dv.getUint32(s, true);
      const bl = dv.getUint32(s + 4, true);
      const at = this.base + s;
      if (!this.sawSection && bt !== BlockType.SECTION_HEADER) {
        this.fail(ScapErrorCode.BAD_MAGIC, "not a scap file (no section header block)", at, -1, -1);
        return;
      }
      if (bl < MIN_BLOCK_SIZE) {
        this.fail(ScapErrorCode.BAD_BLOCK_LENGTH, `block length ${bl} below the minimum`, at + 4, at, bt);
        return;
      }
      if (bl > this.maxBlockLength) {
        this.fail(
          ScapErrorCode.BAD_BLOCK_LENGTH,
          `block length ${bl} over the limit of ${this.maxBlockLength}`,
          at + 4,
          at,
          bt,
        );
        return;
      }
      if (avail < bl) return; // wait for the rest
      const trailer = dv.getUint32(s + bl - BLOCK_TRAILER_SIZE, true);
      if (trailer !== bl) {
        this.fail(
          ScapErrorCode.BAD_TRAILER,
          `block trailer ${trailer} does not match its length ${bl}`,
          at + bl - BLOCK_TRAILER_SIZE,
          at,
          bt,
        );
        return;
      }
      this.block(bt, s, bl);
      if (this.err !== null) return;
      this.start = s + bl;
    }
  }

  private block(bt: number, s: number, bl: number): void {
    const body = s + BLOCK_HEADER_SIZE;
    const bodyEnd = s + bl - BLOCK_TRAILER_SIZE;
    const at = this.base + s;
    let r: DecodeResult = null;
    // Metadata is decoded only for sinks that take records; others get framing checks only.
    if (!this.wantRecords && bt !== BlockType.SECTION_HEADER && !isEventBlock(bt)) return;
    switch (bt) {
      case BlockType.EVENT_V2:
      case BlockType.EVENT_V2_LARGE:
      case BlockType.EVENT_FLAGS_V2:
      case BlockType.EVENT_FLAGS_V2_LARGE:
      case BlockType.EVENT:
      case BlockType.EVENT_INT:
      case BlockType.EVENT_FLAGS:
        this.event(bt, s, bl);
        return;
      case BlockType.SECTION_HEADER: {
        if (bl < MIN_SHB_SIZE) {
          this.fail(
            ScapErrorCode.BAD_BLOCK_LENGTH,
            `section header length ${bl} below ${MIN_SHB_SIZE}`,
            at + 4,
            at,
            bt,
          );
          return;
        }
        const magic = this.dv.getUint32(body, true);
        if (magic === SHB_MAGIC_SWAPPED) {
          this.fail(ScapErrorCode.BYTE_SWAPPED, "capture written in big-endian byte order", at + 8, at, bt);
          return;
        }
        if (magic !== SHB_MAGIC) {
          this.fail(
            ScapErrorCode.BAD_MAGIC,
            `invalid byte-order magic 0x${magic.toString(16)}`,
            at + 8,
            at,
            bt,
          );
          return;
        }
        const rec = decodeSectionHeader(this.buf, this.dv, body, bodyEnd, at);
        if (rec.major > SCAP_MAJOR_VERSION) {
          this.fail(
            ScapErrorCode.UNSUPPORTED_VERSION,
            `capture format ${rec.major}.${rec.minor} is newer than ${SCAP_MAJOR_VERSION}.x`,
            at + 12,
            at,
            bt,
          );
          return;
        }
        this.sawSection = true;
        this.emitRecord(rec);
        return;
      }
      case BlockType.MACHINE_INFO:
      case BlockType.MACHINE_INFO_INT:
        this.emitRecord(decodeMachineInfo(this.buf, this.dv, body, bodyEnd, at));
        return;
      case BlockType.FDLIST:
      case BlockType.FDLIST_INT:
      case BlockType.FDLIST_V2:
        r = decodeFdList(this.buf, this.dv, body, bodyEnd, bt, at, this.emitRecord);
        break;
      case BlockType.USERLIST:
      case BlockType.USERLIST_INT:
      case BlockType.USERLIST_V2:
        r = decodeUserList(this.buf, this.dv, body, bodyEnd, bt, at, this.emitRecord);
        break;
      case BlockType.IFLIST:
      case BlockType.IFLIST_INT:
      case BlockType.IFLIST_V2:
        r = decodeIfList(this.buf, this.dv, body, bodyEnd, bt, at, this.emitRecord);
        break;
      default:
        if (proclistVersion(bt) !== 0) {
          r = decodeProcList(this.buf, this.dv, body, bodyEnd, bt, at, this.emitRecord);
        } else {
          this.emitRecord({ kind: "unknown", blockOffset: at, blockType: bt, length: bl });
        }
        break;
    }
    if (r !== null) {
      this.fail(ScapErrorCode.CORRUPT_BLOCK, r.detail, this.base + r.pos, at, bt);
    }
  }

  private event(bt: number, s: number, bl: number): void {
    const dv = this.dv;
    const at = this.base + s;
    const v2 =
      bt === BlockType.EVENT_V2 ||
      bt === BlockType.EVENT_V2_LARGE ||
      bt === BlockType.EVENT_FLAGS_V2 ||
      bt === BlockType.EVENT_FLAGS_V2_LARGE;
    const large = bt === BlockType.EVENT_V2_LARGE || bt === BlockType.EVENT_FLAGS_V2_LARGE;
    const withFlags =
      bt === BlockType.EVENT_FLAGS ||
      bt === BlockType.EVENT_FLAGS_V2 ||
      bt === BlockType.EVENT_FLAGS_V2_LARGE;
    const hdrLen = v2 ? EVENT_HEADER_SIZE : EVENT_HEADER_SIZE_V1;
    if (bl < BLOCK_HEADER_SIZE + hdrLen + BLOCK_TRAILER_SIZE) {
      this.fail(ScapErrorCode.BAD_BLOCK_LENGTH, `event block length ${bl} too short`, at + 4, at, bt);
      return;
    }
    if (!large && bl - BLOCK_HEADER_SIZE > MAX_EVENT_BLOCK_READLEN) {
      this.fail(
        ScapErrorCode.BAD_BLOCK_LENGTH,
        `event block length ${bl} over the ${MAX_EVENT_BLOCK_READLEN}-byte limit of non-large blocks`,
        at + 4,
        at,
        bt,
      );
      return;
    }
    const body = s + BLOCK_HEADER_SIZE;
    const bodyEnd = s + bl - BLOCK_TRAILER_SIZE;
    const prefix = EVENT_BLOCK_CPU_SIZE + (withFlags ? EVENT_BLOCK_FLAGS_SIZE : 0);
    const ev = body + prefix;
    const avail = bodyEnd - ev;
    if (avail < hdrLen) {
      this.fail(
        ScapErrorCode.CORRUPT_EVENT,
        `event header exceeds the block (${avail} bytes)`,
        this.base + ev,
        at,
        bt,
      );
      return;
    }
    const type = dv.getUint16(ev + EVT_OFF_TYPE, true);
    let len = dv.getUint32(ev + EVT_OFF_LEN, true);
    const info = type < EVENT_TYPE_MAX ? EVENT_TABLE[type] : undefined;
    const view = this.view;
    let nparams: number;
    let lenSize = 2;
    const lens = ev + hdrLen;
    if (v2) {
      nparams = dv.getUint32(ev + EVT_OFF_NPARAMS, true);
      if (len < EVENT_HEADER_SIZE || len > avail) {
        this.fail(
          ScapErrorCode.CORRUPT_EVENT,
          `event length ${len} outside [26, ${avail}]`,
          this.base + ev + EVT_OFF_LEN,
          at,
          bt,
        );
        return;
      }
      if (info !== undefined && (info.flags & EventFlag.LARGE_PAYLOAD) !== 0) lenSize = 4;
      if (nparams > this.maxParams || EVENT_HEADER_SIZE + nparams * lenSize > len) {
        this.fail(
          ScapErrorCode.CORRUPT_EVENT,
          `nparams ${nparams} does not fit in event length ${len}`,
          this.base + ev + EVT_OFF_NPARAMS,
          at,
          bt,
        );
        return;
      }
      this.ensureParams(nparams);
      const offs = view.paramOff;
      const plens = view.paramLength;
      let p = lens + nparams * lenSize;
      const evEnd = ev + len;
      for (let i = 0; i < nparams; i++) {
        const pl = lenSize === 2 ? dv.getUint16(lens + 2 * i, true) : dv.getUint32(lens + 4 * i, true);
        if (pl > evEnd - p) {
          this.fail(
            ScapErrorCode.CORRUPT_EVENT,
            `parameter ${i} length ${pl} exceeds event length ${len}`,
            this.base + lens + i * lenSize,
            at,
            bt,
          );
          return;
        }
        offs[i] = p;
        plens[i] = pl;
        p += pl;
      }
    } else {
      // Version-1 header: no nparams. As libscap does, count parameters down from the table's
      // number until the length table plus the values end exactly at the event's end.
      if (len < EVENT_HEADER_SIZE_V1 || len > avail) {
        this.fail(
          ScapErrorCode.CORRUPT_EVENT,
          `event length ${len} outside [22, ${avail}]`,
          this.base + ev + EVT_OFF_LEN,
          at,
          bt,
        );
        return;
      }
      // Old writers stored a length 3 bytes too long for these two events.
      if (
        (type === EventType.NOTIFICATION_E || type === EventType.INFRASTRUCTURE_EVENT_E) &&
        len >= EVENT_HEADER_SIZE_V1 + 3
      ) {
        len -= 3;
      }
      const evEnd = ev + len;
      let n = info !== undefined ? info.params.length : 32;
      let found = -1;
      for (; n >= 0; n--) {
        let p = lens + n * 2;
        if (p > evEnd) continue;
        for (let i = 0; i < n; i++) p += dv.getUint16(lens + 2 * i, true);
        if (p < evEnd) break; // shorter than any parameter count explains: corrupt
        if (p === evEnd) {
          found = n;
          break;
        }
      }
      if (found < 0) {
        this.fail(
          ScapErrorCode.CORRUPT_EVENT,
          "cannot derive the parameter count of a version-1 event from its length",
          this.base + ev,
          at,
          bt,
        );
        return;
      }
      nparams = found;
      this.ensureParams(nparams);
      const offs = view.paramOff;
      const plens = view.paramLength;
      let p = lens + nparams * 2;
      for (let i = 0; i < nparams; i++) {
        const pl = dv.getUint16(lens + 2 * i, true);
        offs[i] = p;
        plens[i] = pl;
        p += pl;
      }
      len += EVENT_HEADER_SIZE - EVENT_HEADER_SIZE_V1; // present it as libscap does (v2 layout)
    }
    view.buf = this.buf;
    view.dv = dv;
    view.off = ev;
    view.type = type;
    view.tid = readI64(dv, ev + EVT_OFF_TID);
    view.len = len;
    view.nparams = nparams;
    view.cpu = dv.getUint16(body, true);
    view.flags = withFlags ? dv.getUint32(body + EVENT_BLOCK_CPU_SIZE, true) : 0;
    view.headerLen = hdrLen;
    view.lenSize = lenSize;
    view.blockType = bt;
    view.blockOffset = at;
    view.index = this.nEvents;
    this.nEvents++;
    if (this.sink.onEvent(view) === false) this.stoppedBySink = true;
  }

  private ensureParams(n: number): void {
    const v = this.view;
    if (v.paramOff.length < n) {
      let cap = v.paramOff.length * 2;
      while (cap < n) cap *= 2;
      v.paramOff = new Uint32Array(cap);
      v.paramLength = new Uint32Array(cap);
    }
  }
}
