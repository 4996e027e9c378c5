// ScapEvent: a reusable view over one event inside the reader's buffer. The reader repositions
// the same object for every event (no allocation per event); a view is valid only until the
// callback that received it returns. Header fields are decoded when the view is positioned
// (the decoder has to read them to validate the event anyway); parameter values are read on
// demand, strings decoded only when asked for.

import { readI64 } from "./records.js";

const EMPTY = Buffer.alloc(0);

export class ScapEvent {
  /** Buffer holding the event; valid during the callback only. */
  buf: Buffer = EMPTY;
  /** DataView over the same memory as `buf`. */
  dv: DataView = new DataView(EMPTY.buffer, EMPTY.byteOffset, 0);
  /** Offset of the event header in `buf`. */
  off = 0;
  /** Event type code (see EventType). Codes the table does not know are passed through. */
  type = 0;
  /** Thread id (signed 64-bit in the file; exact as a number up to 2^53). */
  tid = 0;
  /** Event length as libscap presents it (v2 header layout: header + length table + data). */
  len = 0;
  nparams = 0;
  /** CPU (device id) the event was captured on. */
  cpu = 0;
  /** Dump flags of EVENT_FLAGS blocks (0 otherwise). */
  flags = 0;
  /** 26, or 22 for events from version-1 blocks (no nparams field). */
  headerLen = 26;
  /** 2, or 4 for EF_LARGE_PAYLOAD events. */
  lenSize = 2;
  /** Block type the event came from. */
  blockType = 0;
  /** Offset of its block in the (decompressed) capture stream. */
  blockOffset = 0;
  /** 0-based index of the event in the capture. */
  index = 0;
  /** Absolute offsets and lengths of the parameters in `buf` (first `nparams` entries valid). */
  paramOff: Uint32Array = new Uint32Array(32);
  paramLength: Uint32Array = new Uint32Array(32);

  /** Timestamp, ns since epoch. */
  get ts(): bigint {
    return this.dv.getBigUint64(this.off, true);
  }

  /** Whole seconds of the timestamp, computed without BigInt. */
  tsSeconds(): number {
    return tsDivide(this.dv, this.off, true);
  }

  /** Nanoseconds part of the timestamp (0..999999999), computed without BigInt. */
  tsNanos(): number {
    return tsDivide(this.dv, this.off, false);
  }

  /** Length of parameter i, or -1 if the event has no parameter i. */
  paramLen(i: number): number {
    return i >= 0 && i < this.nparams ? this.paramLength[i]! : -1;
  }

  /** Offset of parameter i's value in `buf`, or -1 if absent. */
  paramOffset(i: number): number {
    return i >= 0 && i < this.nparams ? this.paramOff[i]! : -1;
  }

  /** The raw bytes of parameter i (a view, not a copy), or null if absent. */
  paramBytes(i: number): Buffer | null {
    if (i < 0 || i >= this.nparams) return null;
    const o = this.paramOff[i]!;
    return this.buf.subarray(o, o + this.paramLength[i]!);
  }

  /** Unsigned integer of 1, 2, 4 bytes; undefined if absent or of another size. */
  paramU8(i: number): number | undefined {
    return this.paramLen(i) === 1 ? this.buf[this.paramOff[i]!] : undefined;
  }
  paramU16(i: number): number | undefined {
    return this.paramLen(i) === 2 ? this.dv.getUint16(this.paramOff[i]!, true) : undefined;
  }
  paramU32(i: number): number | undefined {
    return this.paramLen(i) === 4 ? this.dv.getUint32(this.paramOff[i]!, true) : undefined;
  }
  paramI32(i: number): number | undefined {
    return this.paramLen(i) === 4 ? this.dv.getInt32(this.paramOff[i]!, true) : undefined;
  }
  /** Unsigned 64-bit value; undefined if absent or not 8 bytes. */
  paramU64(i: number): bigint | undefined {
    return this.paramLen(i) === 8 ? this.dv.getBigUint64(this.paramOff[i]!, true) : undefined;
  }
  /** Signed 64-bit value as a number (fds, pids, errno results); undefined if not 8 bytes. */
  paramI64(i: number): number | undefined {
    return this.paramLen(i) === 8 ? readI64(this.dv, this.paramOff[i]!) : undefined;
  }
  /**
   * Integer of any width (1, 2, 4 or 8 bytes, little-endian; 8-byte values signed) as a number;
   * undefined if absent or of another size.
   */
  paramInt(i: number): number | undefined {
    switch (this.paramLen(i)) {
      case 1:
        return this.buf[this.paramOff[i]!];
      case 2:
        return this.dv.getUint16(this.paramOff[i]!, true);
      case 4:
        return this.dv.getUint32(this.paramOff[i]!, true);
      case 8:
        return readI64(this.dv, this.paramOff[i]!);
      default:
        return undefined;
    }
  }

  /** Parameter i as UTF-8 text up to its first NUL; undefined if absent. */
  paramString(i: number): string | undefined {
    if (i < 0 || i >= this.nparams) return undefined;
    const o = this.paramOff[i]!;
    const end = o + this.paramLength[i]!;
    let z = o;
    const b = this.buf;
    while (z < end && b[z] !== 0) z++;
    return b.toString("utf8", o, z);
  }

  /** True if parameter i's text (up to NUL) equals `s` (ASCII compare, no decoding). */
  paramStringEquals(i: number, s: string): boolean {
    if (i < 0 || i >= this.nparams) return false;
    const o = this.paramOff[i]!;
    const len = this.paramLength[i]!;
    const n = s.length;
    if (n > len) return false;
    const b = this.buf;
    for (let k = 0; k < n; k++) if (b[o + k] !== s.charCodeAt(k)) return false;
    return n === len || b[o + n] === 0;
  }
}

/** Long division of the u64 at `off` by 1e9 in 16-bit digits (all steps stay below 2^53). */
function tsDivide(dv: DataView, off: number, quotient: boolean): number {
  const lo = dv.getUint32(off, true);
  const hi = dv.getUint32(off + 4, true);
  // Digits d3..d0 (most significant first); cur < 1e9 * 65536 < 2^53 at every step.
  let cur = hi >>> 16;
  let q = Math.floor(cur / 1e9);
  let r = cur - q * 1e9;
  cur = r * 65536 + (hi & 0xffff);
  let qd = Math.floor(cur / 1e9);
  r = cur - qd * 1e9;
  q = q * 65536 + qd;
  cur = r * 65536 + (lo >>> 16);
  qd = Math.floor(cur / 1e9);
  r = cur - qd * 1e9;
  q = q * 65536 + qd;
  cur = r * 65536 + (lo & 0xffff);
  qd = Math.floor(cur / 1e9);
  r = cur - qd * 1e9;
  q = q * 65536 + qd;
  return quotient ? q : r;
}
