// The pipe protocol between the privileged loader (probe/loader/saker-probe.c) and the engine.
// Both directions carry frames: u32 tag, u32 payload length, payload; little-endian, no padding.
// probe/README.md is the reference; this module holds the constants, the encoders of control
// messages and the decoders of the loader's small frames. Event frames are decoded elsewhere
// (records.ts): their payload is a run of raw scap event records.

/** Frames written by the loader. */
export const enum OutTag {
  /** Once, after every program is loaded and attached. */
  HELLO = 1,
  /** One or more scap event records, back to back. */
  EVENTS = 2,
  /** Drop and delivery counters, periodically and before every ACK of a SYNC. */
  STATS = 3,
  /** Reply to a control message: u32 seq, i32 status (0 or -errno). */
  ACK = 4,
  /** Fatal: u32 errno, message text. The loader exits after it. */
  ERROR = 5,
}

/** Frames read by the loader. */
export const enum InTag {
  /** u32 seq, u32 tracepoint flags, u32 n, u16 ppm_sc[n] indexed by syscall number (0 = off). */
  SELECT = 0x10,
  /** u32 seq: drain the ring buffer, send STATS, then ACK. */
  SYNC = 0x11,
}

export const FRAME_HEADER_SIZE = 8;
export const PROTOCOL_VERSION = 1;
/** Tracepoint flag bits of SELECT. */
export const TP_PROCEXIT = 1;

export interface Hello {
  readonly version: number;
  readonly ncpus: number;
  readonly ringBufferBytes: number;
  /** Size of the selection table (syscall numbers 0 .. scMax-1). */
  readonly scMax: number;
  /** Realtime minus boot time (ns) the probe adds to its timestamps. */
  readonly bootOffsetNs: bigint;
  /** Syscall numbers with a dedicated handler in the probe. */
  readonly handled: ReadonlySet<number>;
}

export function decodeHello(p: Buffer): Hello | null {
  if (p.length < 24) return null;
  const scMax = p.readUInt32LE(12);
  if (p.length < 24 + scMax / 8) return null;
  const handled = new Set<number>();
  for (let nr = 0; nr < scMax; nr++) if ((p[24 + (nr >> 3)]! >> (nr & 7)) & 1) handled.add(nr);
  return {
    version: p.readUInt32LE(0),
    ncpus: p.readUInt32LE(4),
    ringBufferBytes: p.readUInt32LE(8),
    scMax,
    bootOffsetNs: p.readBigUInt64LE(16),
    handled,
  };
}

/** The loader's counters. Kernel counters are summed over CPUs since the probe was loaded. */
export interface LiveStats {
  /** Events the probe wrote to the ring buffer. */
  readonly sent: number;
  /** Events lost because the ring buffer was full (the engine did not keep up). */
  readonly dropFull: number;
  /** Events lost because they exceeded 64 KiB. */
  readonly dropTooBig: number;
  /** Events lost because their CPU's scratch space was held by a preempted program. */
  readonly dropBusy: number;
  /** Events the loader forwarded to the pipe. */
  readonly forwarded: number;
  /** dropFull + dropTooBig + dropBusy. */
  readonly drops: number;
}

export const ZERO_STATS: LiveStats = {
  sent: 0,
  dropFull: 0,
  dropTooBig: 0,
  dropBusy: 0,
  forwarded: 0,
  drops: 0,
};

export function decodeStats(p: Buffer): LiveStats | null {
  if (p.length < 8) return null;
  const n = p.readUInt32LE(0);
  if (n < 5 || p.length < 8 + 8 * n) return null;
  const c = (i: number): number => Number(p.readBigUInt64LE(8 + 8 * i));
  const dropFull = c(1);
  const dropTooBig = c(2);
  const dropBusy = c(3);
  return {
    sent: c(0),
    dropFull,
    dropTooBig,
    dropBusy,
    forwarded: c(4),
    drops: dropFull + dropTooBig + dropBusy,
  };
}

export function encodeSelect(seq: number, tpFlags: number, table: Uint16Array): Buffer {
  const len = 12 + 2 * table.length;
  const b = Buffer.alloc(FRAME_HEADER_SIZE + len);
  b.writeUInt32LE(InTag.SELECT, 0);
  b.writeUInt32LE(len, 4);
  b.writeUInt32LE(seq, 8);
  b.writeUInt32LE(tpFlags, 12);
  b.writeUInt32LE(table.length, 16);
  for (let i = 0; i < table.length; i++) b.writeUInt16LE(table[i]!, 20 + 2 * i);
  return b;
}

export function encodeSync(seq: number): Buffer {
  const b = Buffer.alloc(FRAME_HEADER_SIZE + 4);
  b.writeUInt32LE(InTag.SYNC, 0);
  b.writeUInt32LE(4, 4);
  b.writeUInt32LE(seq, 8);
  return b;
}

/**
 * Splits a byte stream into frames. Chunks arrive in any size; a frame wholly inside a chunk is
 * handed out in place (no copy), others are assembled in one reused buffer that grows only to
 * the largest frame seen. The payload passed to `onFrame` is valid during the call only.
 */
export class FrameReader {
  private buf: Buffer = Buffer.allocUnsafe(1 << 16);
  private len = 0;

  constructor(
    private readonly onFrame: (tag: number, payload: Buffer) => void,
    /** Largest payload accepted; a longer one is a protocol fault. */
    private readonly maxPayload = 64 << 20,
  ) {}

  /** Feeds bytes; returns an error message on a protocol fault (the reader is then unusable). */
  push(chunk: Buffer): string | null {
    let off = 0;
    if (this.len > 0) {
      // Complete the pending frame from the chunk first: its header, then its payload.
      if (this.len < FRAME_HEADER_SIZE) {
        off = Math.min(FRAME_HEADER_SIZE - this.len, chunk.length);
        this.append(chunk, 0, off);
        if (this.len < FRAME_HEADER_SIZE) return null;
      }
      const plen = this.buf.readUInt32LE(4);
      if (plen > this.maxPayload) return `frame of ${plen} bytes over the limit`;
      const need = FRAME_HEADER_SIZE + plen;
      const take = Math.min(need - this.len, chunk.length - off);
      this.append(chunk, off, off + take);
      off += take;
      if (this.len < need) return null;
      this.len = 0;
      this.onFrame(this.buf.readUInt32LE(0), this.buf.subarray(FRAME_HEADER_SIZE, need));
    }
    while (chunk.length - off >= FRAME_HEADER_SIZE) {
      const plen = chunk.readUInt32LE(off + 4);
      if (plen > this.maxPayload) return `frame of ${plen} bytes over the limit`;
      const end = off + FRAME_HEADER_SIZE + plen;
      if (end > chunk.length) break;
      this.onFrame(chunk.readUInt32LE(off), chunk.subarray(off + FRAME_HEADER_SIZE, end));
      off = end;
    }
    if (off < chunk.length) this.append(chunk, off, chunk.length);
    return null;
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const n = to - from;
    if (this.len + n > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < this.len + n) cap *= 2;
      const nb = Buffer.allocUnsafe(cap);
      this.buf.copy(nb, 0, 0, this.len);
      this.buf = nb;
    }
    chunk.copy(this.buf, this.len, from, to);
    this.len += n;
  }
}
