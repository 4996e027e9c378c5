// The engine side of the pipe protocol without a kernel: frame splitting at every chunk boundary,
// the loader's small frames, raw event records, and syscall selection.

import { test } from "node:test";
import assert from "node:assert/strict";
import { EventType, SYSCALL_IDS_BY_NAME } from "../../../src/capture/events/table.js";
import {
  FrameReader,
  InTag,
  TP_PROCEXIT,
  decodeHello,
  decodeStats,
  encodeSelect,
  encodeSync,
} from "../../../src/capture/live/protocol.js";
import { LiveErrorCode, startLiveCapture } from "../../../src/capture/live/capture.js";
import { liveEventView, positionEvent } from "../../../src/capture/live/records.js";
import { SYSCALL_NUMBERS, buildSelection } from "../../../src/capture/live/selection.js";

function frame(tag: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32LE(tag, 0);
  h.writeUInt32LE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

/** A raw event record: header, u16 lengths, params. */
function record(type: number, tid: number, params: Buffer[]): Buffer {
  const h = Buffer.alloc(26 + 2 * params.length);
  const len = h.length + params.reduce((s, p) => s + p.length, 0);
  h.writeBigUInt64LE(123456789n, 0);
  h.writeBigUInt64LE(BigInt(tid), 8);
  h.writeUInt32LE(len, 16);
  h.writeUInt16LE(type, 20);
  h.writeUInt32LE(params.length, 22);
  params.forEach((p, i) => h.writeUInt16LE(p.length, 26 + 2 * i));
  return Buffer.concat([h, ...params]);
}

const i64 = (v: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
};

test("FrameReader yields the same frames whatever the chunking", () => {
  const frames = [
    frame(2, Buffer.from("a".repeat(100))),
    frame(3, Buffer.alloc(0)),
    frame(4, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])),
    frame(2, Buffer.alloc(70_000, 7)), // larger than the reader's initial buffer
    frame(9, Buffer.from("z")),
  ];
  const stream = Buffer.concat(frames);
  const want = frames.map((f) => `${f.readUInt32LE(0)}:${f.subarray(8).toString("hex")}`);
  for (const size of [1, 3, 7, 8, 9, 64, 1000, 65536, stream.length]) {
    const got: string[] = [];
    const r = new FrameReader((tag, p) => got.push(`${tag}:${p.toString("hex")}`));
    for (let i = 0; i < stream.length; i += size) {
      assert.equal(r.push(stream.subarray(i, Math.min(stream.length, i + size))), null);
    }
    assert.deepEqual(got, want, `chunk size ${size}`);
  }
});

test("FrameReader refuses a frame over its limit", () => {
  const r = new FrameReader(() => {}, 1000);
  assert.match(r.push(frame(2, Buffer.alloc(1001))) ?? "", /over the limit/);
});

test("HELLO and STATS decode; SELECT and SYNC encode as the loader reads them", () => {
  const hello = Buffer.alloc(24 + 64);
  hello.writeUInt32LE(1, 0);
  hello.writeUInt32LE(2, 4);
  hello.writeUInt32LE(8 << 20, 8);
  hello.writeUInt32LE(512, 12);
  hello.writeBigUInt64LE(42n, 16);
  hello[24 + (257 >> 3)]! |= 1 << (257 & 7);
  hello[24] = 0b101;
  const h = decodeHello(hello)!;
  assert.deepEqual(
    [h.version, h.ncpus, h.ringBufferBytes, h.scMax, h.bootOffsetNs],
    [1, 2, 8 << 20, 512, 42n],
  );
  assert.deepEqual(
    [...h.handled].sort((a, b) => a - b),
    [0, 2, 257],
  );
  assert.equal(decodeHello(Buffer.alloc(10)), null);

  const stats = Buffer.alloc(8 + 5 * 8);
  stats.writeUInt32LE(5, 0);
  [100, 3, 1, 2, 99].forEach((v, i) => stats.writeBigUInt64LE(BigInt(v), 8 + 8 * i));
  assert.deepEqual(decodeStats(stats), {
    sent: 100,
    dropFull: 3,
    dropTooBig: 1,
    dropBusy: 2,
    forwarded: 99,
    drops: 6,
  });

  const table = new Uint16Array(512);
  table[257] = 0x1234;
  const sel = encodeSelect(7, TP_PROCEXIT, table);
  assert.deepEqual(
    [
      sel.readUInt32LE(0),
      sel.readUInt32LE(4),
      sel.readUInt32LE(8),
      sel.readUInt32LE(12),
      sel.readUInt32LE(16),
    ],
    [InTag.SELECT, 12 + 1024, 7, TP_PROCEXIT, 512],
  );
  assert.equal(sel.readUInt16LE(20 + 2 * 257), 0x1234);
  assert.equal(sel.length, 8 + 12 + 1024);
  assert.deepEqual([...encodeSync(9)], [0x11, 0, 0, 0, 4, 0, 0, 0, 9, 0, 0, 0]);
});

test("positionEvent points the ScapEvent view at raw records and rejects broken ones", () => {
  const a = record(EventType.SYSCALL_CLOSE_X, 4242, [i64(0), i64(5)]);
  const b = record(EventType.SYSCALL_OPENAT_2_X, 7, [i64(3), i64(-100), Buffer.from("/etc/hosts\0")]);
  const run = Buffer.concat([a, b]);
  const dv = new DataView(run.buffer, run.byteOffset, run.length);
  const v = liveEventView();
  assert.equal(positionEvent(v, run, dv, 0, run.length), a.length);
  assert.deepEqual(
    [v.type, v.tid, v.nparams, v.paramI64(0), v.paramI64(1)],
    [EventType.SYSCALL_CLOSE_X, 4242, 2, 0, 5],
  );
  assert.equal(v.tsNanos(), 123456789);
  assert.equal(positionEvent(v, run, dv, a.length, run.length), b.length);
  assert.deepEqual(
    [v.type, v.paramI64(1), v.paramString(2)],
    [EventType.SYSCALL_OPENAT_2_X, -100, "/etc/hosts"],
  );

  assert.match(String(positionEvent(v, run, dv, 0, 20)), /header cut/);
  assert.match(String(positionEvent(v, run, dv, 0, a.length - 1)), /event length/);
  const bad = Buffer.from(a);
  bad.writeUInt16LE(200, 26); // first parameter claims more than the event holds
  const bdv = new DataView(bad.buffer, bad.byteOffset, bad.length);
  assert.match(String(positionEvent(v, bad, bdv, 0, bad.length)), /parameter 0 length/);
  bad.writeUInt32LE(1000, 22);
  assert.match(String(positionEvent(v, bad, bdv, 0, bad.length)), /nparams/);
});

test("buildSelection: dedicated handlers, generic syscalls, unsupported and unknown names", () => {
  const openat = SYSCALL_NUMBERS.get("openat")!;
  const getppid = SYSCALL_NUMBERS.get("getppid")!;
  const sel = buildSelection(
    ["openat", "getppid", "read", "procexit", "nosuchcall", "openat"],
    new Set([openat]),
    512,
  );
  assert.equal(openat, 257);
  assert.equal(sel.table[openat], SYSCALL_IDS_BY_NAME.get("openat"));
  assert.equal(sel.table[getppid], SYSCALL_IDS_BY_NAME.get("getppid"));
  assert.equal(sel.table[SYSCALL_NUMBERS.get("read")!], 0);
  assert.equal(sel.tpFlags, TP_PROCEXIT);
  assert.deepEqual(sel.dedicated, ["openat", "procexit"]);
  assert.deepEqual(sel.generic, ["getppid"]);
  assert.deepEqual(sel.unsupported, ["read"]);
  assert.deepEqual(sel.unknown, ["nosuchcall"]);
  assert.equal(sel.table.filter((x) => x !== 0).length, 2);

  const all = buildSelection("all", new Set([openat]), 512);
  assert.ok(all.generic.length > 150);
  assert.equal(all.tpFlags, TP_PROCEXIT);
  assert.deepEqual(
    buildSelection([], new Set(), 512).table.some((x) => x !== 0),
    false,
  );
});

test("starting fails with a coded error when the loader is missing or dies before attaching", async () => {
  const sink = { onEvent: (): void => {} };
  await assert.rejects(startLiveCapture(sink, { loaderPath: "/nonexistent/saker-probe" }), {
    code: LiveErrorCode.LOADER_MISSING,
  });
  await assert.rejects(startLiveCapture(sink, { loaderPath: "/bin/false" }), {
    code: LiveErrorCode.START_FAILED,
  });
});
