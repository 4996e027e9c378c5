// Truncated and corrupt captures: every fault is an error value naming the offset and the block,
// delivered after all complete events before it; never an exception, a hang, or a buffer sized
// by an attacker-controlled length.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { EventType } from "../../../src/capture/events/table.js";
import { BlockType, isEventBlock } from "../../../src/capture/scap/format.js";
import {
  ScapErrorCode,
  type ScapReadResult,
  readScapBuffer,
  readScapFile,
} from "../../../src/capture/scap/reader.js";
import { corpusPath } from "../../support/paths.js";
import { block, cstr, eventV2, lstr, sectionHeader, u16, u32, u64 } from "./scap-builder.js";

function plain(file: string): Buffer {
  const raw = readFileSync(corpusPath("captures", file));
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

interface BlockSpan {
  offset: number;
  length: number;
  type: number;
}

/** Block spans found by walking the lengths (independent of the reader). */
function spans(data: Buffer): BlockSpan[] {
  const out: BlockSpan[] = [];
  for (let off = 0; off + 8 <= data.length;) {
    const length = data.readUInt32LE(off + 4);
    out.push({ offset: off, length, type: data.readUInt32LE(off) });
    off += length;
  }
  return out;
}

function read(data: Buffer): ScapReadResult {
  return readScapBuffer(data, { onEvent() {}, onRecord() {} });
}

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

for (const file of ["cat_write.scap", "empty.scap", "empty_legacy.scap", "sample.scap"]) {
  test(`${file}: truncation at many offsets gives TRUNCATED at the cut, after every earlier event`, () => {
    const data = plain(file);
    const blocks = spans(data);
    const rand = rng(data.length);
    const cuts = new Set<number>();
    for (const b of blocks) {
      cuts.add(b.offset + 1);
      cuts.add(b.offset + 7);
      cuts.add(b.offset + Math.floor(b.length / 2));
      cuts.add(b.offset + b.length - 1);
    }
    for (let i = 0; i < 100; i++) cuts.add(1 + Math.floor(rand() * (data.length - 1)));
    const starts = new Set(blocks.map((b) => b.offset));
    const sampled = [...cuts].filter((c) => c > 0 && c < data.length && !starts.has(c)).sort((a, b) => a - b);
    // Keep the test quick on big files: every boundary of the first 60 blocks, then a sample.
    const chosen = sampled.filter(
      (c, i) => c < blocks[Math.min(60, blocks.length - 1)]!.offset || i % 5 === 0,
    );
    for (const cut of chosen) {
      const res = read(data.subarray(0, cut));
      const inBlock = blocks.find((b) => b.offset <= cut && cut < b.offset + b.length)!;
      const eventsBefore = blocks.filter((b) => b.offset + b.length <= cut && isEventBlock(b.type)).length;
      assert.ok(res.error !== null, `cut ${cut}: an error`);
      assert.equal(res.error.code, ScapErrorCode.TRUNCATED, `cut ${cut}: ${res.error.message}`);
      assert.equal(res.error.offset, cut, `cut ${cut}: offset`);
      assert.equal(res.error.blockOffset, inBlock.offset, `cut ${cut}: block offset`);
      assert.equal(
        res.error.blockType,
        cut - inBlock.offset >= 4 ? inBlock.type : -1,
        `cut ${cut}: block type`,
      );
      assert.equal(res.events, eventsBefore, `cut ${cut}: events delivered`);
      assert.equal(res.bytes, inBlock.offset);
    }
    // A cut exactly at a block boundary is a shorter, valid capture.
    const boundary = blocks[Math.floor(blocks.length / 2)]!.offset;
    assert.equal(read(data.subarray(0, boundary)).error, null);
  });
}

test("truncated gzip files: streaming read reports an error after the events it could inflate", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-trunc-"));
  try {
    for (const file of ["curl_google.scap", "empty.scap"]) {
      const raw = readFileSync(corpusPath("captures", file));
      const full = read(plain(file)).events;
      const rand = rng(raw.length);
      const cuts = [0, 1, 2, 10, 100, raw.length - 1, raw.length - 8];
      for (let i = 0; i < 12; i++) cuts.push(Math.floor(rand() * raw.length));
      for (const cut of cuts) {
        const path = join(dir, `cut-${cut}.scap`);
        writeFileSync(path, raw.subarray(0, cut));
        let seen = 0;
        const res = await readScapFile(path, {
          onEvent() {
            seen++;
          },
        });
        assert.ok(res.error !== null, `${file} cut ${cut}: an error`);
        assert.ok(
          [ScapErrorCode.TRUNCATED, ScapErrorCode.GZIP].includes(res.error.code as never),
          `${file} cut ${cut}: ${res.error.code}`,
        );
        assert.equal(seen, res.events);
        assert.ok(res.events <= full);
        const buf = readScapBuffer(raw.subarray(0, cut), { onEvent() {} });
        assert.ok(buf.error !== null, `${file} cut ${cut}: buffer read error`);
        assert.equal(buf.events, res.events, `${file} cut ${cut}: same events either way`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("random corruption never throws and always terminates", () => {
  const base = [plain("cat_write.scap").subarray(0, 40000), plain("empty.scap").subarray(0, 60000)];
  const rand = rng(12345);
  for (let iter = 0; iter < 300; iter++) {
    const data = Buffer.from(base[iter % base.length]!);
    const flips = 1 + Math.floor(rand() * 8);
    for (let k = 0; k < flips; k++) {
      const at = Math.floor(rand() * data.length);
      data[at] = rand() < 0.5 ? Math.floor(rand() * 256) : data[at]! ^ 0xff;
    }
    const res = read(data);
    if (res.error !== null) {
      assert.ok(res.error.offset >= 0 && res.error.offset <= data.length, res.error.message);
      assert.ok(res.error.code.startsWith("SCAP_ERR_"));
    }
  }
});

const shb = sectionHeader();
const okEvent = eventV2({ ts: 1n, tid: 1, type: EventType.SYSCALL_CLOSE_E, params: [u64(3)] });

interface FaultCase {
  name: string;
  data: Buffer;
  code: string;
  /** Expected error offset. */
  offset: number;
  blockType: number;
  events: number;
}

function patched(b: Buffer, at: number, bytes: Buffer): Buffer {
  const c = Buffer.from(b);
  bytes.copy(c, at);
  return c;
}

const FAULTS: FaultCase[] = [
  {
    name: "not a scap file",
    data: Buffer.from("hello world, this is text"),
    code: ScapErrorCode.BAD_MAGIC,
    offset: 0,
    blockType: -1,
    events: 0,
  },
  {
    name: "empty input",
    data: Buffer.alloc(0),
    code: ScapErrorCode.TRUNCATED,
    offset: 0,
    blockType: -1,
    events: 0,
  },
  {
    name: "byte-swapped section header",
    data: patched(shb, 8, Buffer.from([0x1a, 0x2b, 0x3c, 0x4d])),
    code: ScapErrorCode.BYTE_SWAPPED,
    offset: 8,
    blockType: BlockType.SECTION_HEADER,
    events: 0,
  },
  {
    name: "future major version",
    data: sectionHeader([], 2, 0),
    code: ScapErrorCode.UNSUPPORTED_VERSION,
    offset: 12,
    blockType: BlockType.SECTION_HEADER,
    events: 0,
  },
  {
    name: "block length 0 (would loop forever if trusted)",
    data: Buffer.concat([shb, okEvent, u32(BlockType.EVENT_V2), u32(0)]),
    code: ScapErrorCode.BAD_BLOCK_LENGTH,
    offset: shb.length + okEvent.length + 4,
    blockType: BlockType.EVENT_V2,
    events: 1,
  },
  {
    name: "block length of 4 GiB with 8 bytes of data",
    data: Buffer.concat([shb, okEvent, u32(BlockType.PROCLIST_V9), u32(0xfffffff0)]),
    code: ScapErrorCode.BAD_BLOCK_LENGTH,
    offset: shb.length + okEvent.length + 4,
    blockType: BlockType.PROCLIST_V9,
    events: 1,
  },
  {
    name: "non-large event block over 64 KiB",
    data: Buffer.concat([shb, block(BlockType.EVENT_V2, Buffer.alloc(70000))]),
    code: ScapErrorCode.BAD_BLOCK_LENGTH,
    offset: shb.length + 4,
    blockType: BlockType.EVENT_V2,
    events: 0,
  },
  {
    name: "trailer differs from header",
    data: Buffer.concat([shb, okEvent, patched(okEvent, okEvent.length - 4, u32(8))]),
    code: ScapErrorCode.BAD_TRAILER,
    offset: shb.length + 2 * okEvent.length - 4,
    blockType: BlockType.EVENT_V2,
    events: 1,
  },
  {
    name: "parameter length beyond the event",
    // close_e with one param: lengths table at block+8+2+26; set it to 0x1000.
    data: Buffer.concat([shb, okEvent, patched(okEvent, 8 + 2 + 26, u16(0x1000))]),
    code: ScapErrorCode.CORRUPT_EVENT,
    offset: shb.length + okEvent.length + 8 + 2 + 26,
    blockType: BlockType.EVENT_V2,
    events: 1,
  },
  {
    name: "nparams that cannot fit",
    data: Buffer.concat([shb, patched(okEvent, 8 + 2 + 22, u32(0x7fffffff))]),
    code: ScapErrorCode.CORRUPT_EVENT,
    offset: shb.length + 8 + 2 + 22,
    blockType: BlockType.EVENT_V2,
    events: 0,
  },
  {
    name: "event length larger than its block",
    data: Buffer.concat([shb, patched(okEvent, 8 + 2 + 16, u32(5000))]),
    code: ScapErrorCode.CORRUPT_EVENT,
    offset: shb.length + 8 + 2 + 16,
    blockType: BlockType.EVENT_V2,
    events: 0,
  },
  {
    name: "process entry with an over-long comm",
    data: Buffer.concat([
      shb,
      block(BlockType.PROCLIST_V5, Buffer.concat([u64(1), u64(1), u64(0), u16(5000), Buffer.alloc(5000)])),
    ]),
    code: ScapErrorCode.CORRUPT_BLOCK,
    offset: shb.length + 8 + 24,
    blockType: BlockType.PROCLIST_V5,
    events: 0,
  },
  {
    name: "v9 process entry whose length overruns its block",
    data: Buffer.concat([shb, block(BlockType.PROCLIST_V9, Buffer.concat([u32(900), u64(1), lstr("x")]))]),
    code: ScapErrorCode.CORRUPT_BLOCK,
    offset: shb.length + 8,
    blockType: BlockType.PROCLIST_V9,
    events: 0,
  },
  {
    name: "fd entry cut short inside its block",
    data: Buffer.concat([
      shb,
      block(
        BlockType.FDLIST,
        Buffer.concat([u64(1), u64(3), u64(9), Buffer.from([1]), u16(200), cstr("ab")]),
      ),
    ]),
    code: ScapErrorCode.CORRUPT_BLOCK,
    offset: shb.length + 8 + 8 + 17 + 2,
    blockType: BlockType.FDLIST,
    events: 0,
  },
];

for (const f of FAULTS) {
  test(`fault: ${f.name}`, () => {
    const res = read(f.data);
    assert.ok(res.error !== null, "an error");
    assert.equal(res.error.code, f.code, res.error.message);
    assert.equal(res.error.offset, f.offset, res.error.message);
    assert.equal(res.error.blockType, f.blockType, res.error.message);
    assert.equal(res.events, f.events);
    assert.match(res.error.message, /byte offset \d+/);
  });
}

test("the block length limit is configurable and checked before the body arrives", () => {
  const data = Buffer.concat([shb, u32(BlockType.PROCLIST_V9), u32(300 * 1024 * 1024)]);
  const res = readScapBuffer(data, { onEvent() {} });
  assert.equal(res.error?.code, ScapErrorCode.BAD_BLOCK_LENGTH);
  const small = readScapBuffer(Buffer.concat([shb, okEvent]), { onEvent() {} }, { maxBlockLength: 16 });
  assert.equal(small.error?.code, ScapErrorCode.BAD_BLOCK_LENGTH);
});

test("missing file gives an IO error value", async () => {
  const res = await readScapFile("/nonexistent/nowhere.scap", { onEvent() {} });
  assert.equal(res.error?.code, ScapErrorCode.IO);
});
