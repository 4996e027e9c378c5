// Builds small synthetic scap streams for reader tests: block framing, section header (with
// options), event blocks of every layout, and simple metadata blocks.

import { BlockType, SHB_MAGIC } from "../../../src/capture/scap/format.js";

export function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}
export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}
export function u64(v: bigint | number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
}
export function lstr(s: string): Buffer {
  const body = Buffer.from(s, "utf8");
  return Buffer.concat([u16(body.length), body]);
}

/** A whole block: header, body, padding to 4, trailer. */
export function block(type: number, body: Buffer): Buffer {
  const pad = (4 - (body.length % 4)) % 4;
  const total = 8 + body.length + pad + 4;
  return Buffer.concat([u32(type), u32(total), body, Buffer.alloc(pad), u32(total)]);
}

export function sectionHeader(options: [number, string][] = [], major = 1, minor = 2): Buffer {
  const opts: Buffer[] = [];
  for (const [code, value] of options) {
    const v = Buffer.from(value + "\0", "utf8");
    opts.push(u16(code), u16(v.length), v, Buffer.alloc((4 - (v.length % 4)) % 4));
  }
  if (options.length > 0) opts.push(u16(0), u16(0));
  return block(
    BlockType.SECTION_HEADER,
    Buffer.concat([u32(SHB_MAGIC), u16(major), u16(minor), u64(-1n), ...opts]),
  );
}

export interface SynthEvent {
  ts: bigint;
  tid: number;
  type: number;
  params: Buffer[];
  cpu?: number;
  /** EVENT_FLAGS* blocks: the flags word. */
  flags?: number;
  /** 4-byte parameter lengths and a *_LARGE block. */
  large?: boolean;
}

/** Event block, version 2 (nparams in the header). */
export function eventV2(e: SynthEvent): Buffer {
  const lenSize = e.large ? 4 : 2;
  const lens = Buffer.concat(e.params.map((p) => (lenSize === 4 ? u32(p.length) : u16(p.length))));
  const data = Buffer.concat(e.params);
  const len = 26 + lens.length + data.length;
  const hdr = Buffer.concat([u64(e.ts), u64(e.tid), u32(len), u16(e.type), u32(e.params.length)]);
  const prefix = e.flags !== undefined ? Buffer.concat([u16(e.cpu ?? 0), u32(e.flags)]) : u16(e.cpu ?? 0);
  const type =
    e.flags !== undefined
      ? e.large
        ? BlockType.EVENT_FLAGS_V2_LARGE
        : BlockType.EVENT_FLAGS_V2
      : e.large
        ? BlockType.EVENT_V2_LARGE
        : BlockType.EVENT_V2;
  return block(type, Buffer.concat([prefix, hdr, lens, data]));
}

/** Event block, version 1 (no nparams; 2-byte lengths). */
export function eventV1(e: SynthEvent): Buffer {
  const lens = Buffer.concat(e.params.map((p) => u16(p.length)));
  const data = Buffer.concat(e.params);
  const len = 22 + lens.length + data.length;
  const hdr = Buffer.concat([u64(e.ts), u64(e.tid), u32(len), u16(e.type)]);
  const prefix = e.flags !== undefined ? Buffer.concat([u16(e.cpu ?? 0), u32(e.flags)]) : u16(e.cpu ?? 0);
  return block(
    e.flags !== undefined ? BlockType.EVENT_FLAGS : BlockType.EVENT,
    Buffer.concat([prefix, hdr, lens, data]),
  );
}

/** NUL-terminated string parameter. */
export function cstr(s: string): Buffer {
  return Buffer.from(s + "\0", "utf8");
}
