// The scap writer on hand-made records and events: block layouts read back by our reader, event
// blocks of every kind, section header options, process entry tails, gzip output, and errors as
// values (refused records and events, sticky I/O failures, order, use after close).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { EventType } from "../../../src/capture/events/table.js";
import { BlockType, FdType, InterfaceType } from "../../../src/capture/scap/format.js";
import { cstr, eventV1, sectionHeader } from "./scap-builder.js";
import {
  readScapBuffer,
  type FdRecord,
  type ProcessRecord,
  type ScapEvent,
  type ScapRecord,
} from "../../../src/capture/scap/reader.js";
import {
  GzipSink,
  MemorySink,
  ScapWriteErrorCode,
  ScapWriter,
  openScapWriter,
  parseIpv6,
  type ScapByteSink,
  type ScapWriteError,
} from "../../../src/capture/scap/writer.js";

function readAll(data: Buffer): {
  records: ScapRecord[];
  events: string[];
  blocks: number[];
  error: unknown;
} {
  const records: ScapRecord[] = [];
  const events: string[] = [];
  const blocks: number[] = [];
  const res = readScapBuffer(data, {
    onRecord: (r) => void records.push(r),
    onEvent(ev: ScapEvent) {
      const ps: string[] = [];
      for (let i = 0; i < ev.nparams; i++) ps.push(ev.paramBytes(i)!.toString("hex"));
      events.push(`${ev.ts}/${ev.tid}/${ev.type}/${ev.cpu}/${ev.flags}/${ps.join(",")}`);
      blocks.push(ev.blockType);
    },
  });
  return { records, events, blocks, error: res.error };
}

const PROC: ProcessRecord = {
  kind: "process",
  blockOffset: 0,
  blockVersion: 9,
  tid: 100,
  pid: 100,
  ptid: 1,
  sid: 100,
  vpgid: 100,
  pgid: -1,
  comm: "bash",
  exe: "/bin/bash",
  exepath: "/usr/bin/bash",
  args: ["-c", "echo \u00e9", ""],
  cwd: "/root/",
  fdlimit: 1024,
  flags: 0,
  uid: 0,
  gid: 0,
  vmsizeKb: 100,
  vmrssKb: 50,
  vmswapKb: 0,
  pfmajor: 2 ** 40,
  pfminor: 7,
  env: ["A=1", "B=2"],
  vtid: 100,
  vpid: 100,
  cgroups: ["cpu=/"],
  root: "/",
  pidnsInitStartTs: 0n,
  tty: 0,
  loginuid: 0xffffffff,
  exeWritable: true,
  capInheritable: 0n,
  capPermitted: 0n,
  capEffective: 0n,
  exeUpperLayer: false,
  exeLowerLayer: false,
  exeFromMemfd: false,
  exeIno: 0n,
  exeInoCtime: 0n,
  exeInoMtime: 0n,
};

const FD_BASE = {
  kind: "fd",
  blockOffset: 0,
  tid: 100,
  ino: 0n,
  name: "",
  openFlags: 0,
  dev: 0,
  sip: "",
  dip: "",
  sport: 0,
  dport: 0,
  l4proto: 0,
  unixSource: 0n,
  unixDest: 0n,
} as const;

const FDS: FdRecord[] = [
  {
    ...FD_BASE,
    fd: 0,
    type: FdType.FILE_V2,
    rawType: FdType.FILE_V2,
    name: "/dev/pts/0",
    openFlags: 2,
    dev: 0x88,
    ino: 5n,
  },
  {
    ...FD_BASE,
    fd: 3,
    type: FdType.IPV4_SOCK,
    rawType: FdType.IPV4_SOCK,
    sip: "10.0.0.1",
    dip: "8.8.8.8",
    sport: 5000,
    dport: 53,
    l4proto: 2,
  },
  {
    ...FD_BASE,
    fd: 4,
    type: FdType.IPV6_SERVSOCK,
    rawType: FdType.IPV6_SERVSOCK,
    sip: "::",
    sport: 80,
    l4proto: 1,
  },
  {
    ...FD_BASE,
    fd: 5,
    type: FdType.IPV6_SOCK,
    rawType: FdType.IPV6_SOCK,
    sip: "::ffff:1.2.3.4",
    dip: "2001:db8::1",
    sport: 1,
    dport: 2,
    l4proto: 1,
  },
  {
    ...FD_BASE,
    fd: 6,
    type: FdType.UNIX_SOCK,
    rawType: FdType.UNIX_SOCK,
    name: "/run/s",
    unixSource: 0xffff8880deadbeefn,
    unixDest: 1n,
  },
  {
    ...FD_BASE,
    fd: 7,
    type: FdType.IPV4_SERVSOCK,
    rawType: FdType.IPV4_SERVSOCK,
    sip: "0.0.0.0",
    sport: 22,
    l4proto: 1,
  },
  { ...FD_BASE, fd: 8, type: FdType.EVENTPOLL, rawType: FdType.EVENTPOLL, name: "" },
  { ...FD_BASE, fd: 9, type: FdType.UNKNOWN, rawType: FdType.UNKNOWN },
];

const strip = (r: ScapRecord): unknown => ({ ...r, blockOffset: 0 });

test("metadata blocks read back as the records written", () => {
  const sink = new MemorySink();
  const w = new ScapWriter(sink);
  assert.equal(
    w.writeSectionHeader({
      options: [
        { code: 1, value: "a comment" },
        { code: 4, value: "saker" },
      ],
    }),
    null,
  );
  const machine = {
    numCpus: 8,
    memorySizeBytes: 1n << 34n,
    maxPid: 4194304n,
    hostname: "host-\u00e9",
    bootTsEpoch: 1_600_000_000_000_000_000n,
    flags: 3n,
  };
  assert.equal(w.writeMachineInfo(machine), null);
  assert.equal(
    w.writeProcessList([PROC, { ...PROC, tid: 101, pgid: 100, tty: 34816, capEffective: 1n << 40n }]),
    null,
  );
  assert.equal(w.writeFdList(100, FDS), null);
  const users: ScapRecord[] = [
    { kind: "user", blockOffset: 0, uid: 0, gid: 0, name: "root", homedir: "/root", shell: "/bin/bash" },
    { kind: "group", blockOffset: 0, gid: 0, name: "root" },
    { kind: "user", blockOffset: 0, uid: 65534, gid: 65534, name: "nobody", homedir: "/", shell: "" },
  ];
  assert.equal(w.writeUserList(users as never), null);
  const ifs: ScapRecord[] = [
    {
      kind: "interface",
      blockOffset: 0,
      type: InterfaceType.IPV4,
      family: 4,
      name: "lo",
      addr: "127.0.0.1",
      netmask: "255.0.0.0",
      bcast: "127.0.0.1",
      linkspeed: 0,
    },
    {
      kind: "interface",
      blockOffset: 0,
      type: InterfaceType.IPV6_NOLINKSPEED,
      family: 6,
      name: "eth0",
      addr: "fe80::1",
      netmask: "ffff:ffff:ffff:ffff::",
      bcast: "::",
      linkspeed: 0,
    },
    {
      kind: "interface",
      blockOffset: 0,
      type: InterfaceType.IPV4_NOLINKSPEED,
      family: 4,
      name: "eth1",
      addr: "10.1.2.3",
      netmask: "255.255.255.0",
      bcast: "10.1.2.255",
      linkspeed: 0,
    },
  ];
  assert.equal(w.writeInterfaceList(ifs as never), null);
  const res = w.close();
  assert.equal(res.error, null);
  assert.equal(res.blocks, 6);
  assert.equal(res.bytes, sink.data().length);

  const back = readAll(sink.data());
  assert.equal(back.error, null);
  const [shb, mi, ...rest] = back.records;
  assert.equal(shb!.kind, "section");
  if (shb!.kind === "section") {
    assert.deepEqual([shb!.major, shb!.minor, shb!.sectionLength], [1, 2, -1n]);
    assert.deepEqual(shb!.comments, ["a comment"]);
    assert.deepEqual(
      shb!.options.map((o) => [o.code, o.value]),
      [
        [1, "a comment"],
        [4, "saker"],
      ],
    );
  }
  assert.deepEqual(strip(mi!), { kind: "machine", blockOffset: 0, ...machine });
  assert.deepEqual(rest.slice(0, 2).map(strip), [
    PROC,
    { ...PROC, tid: 101, pgid: 100, tty: 34816, capEffective: 1n << 40n },
  ]);
  assert.deepEqual(rest.slice(2, 2 + FDS.length).map(strip), FDS);
  assert.deepEqual(rest.slice(2 + FDS.length, 5 + FDS.length).map(strip), users);
  assert.deepEqual(rest.slice(5 + FDS.length).map(strip), ifs);
});

test("process entries in every block version keep the fields their version has", () => {
  for (let v = 1; v <= 9; v++) {
    const sink = new MemorySink();
    const w = new ScapWriter(sink);
    assert.equal(w.writeProcessList([{ ...PROC, blockVersion: v }], v), null);
    w.close();
    const back = readAll(sink.data());
    assert.equal(back.error, null, `v${v}`);
    const p = back.records[1]!;
    assert.equal(p.kind, "process");
    if (p.kind !== "process") continue;
    assert.equal(p.blockVersion, v);
    assert.equal(p.comm, "bash");
    assert.deepEqual(p.args, PROC.args);
    assert.equal(p.sid, v >= 6 ? 100 : -1, `v${v} sid`);
    assert.equal(p.exepath, v >= 7 ? "/usr/bin/bash" : "", `v${v} exepath`);
    assert.equal(p.vpgid, v >= 8 ? 100 : -1, `v${v} vpgid`);
    assert.deepEqual(p.env, v >= 3 ? PROC.env : [], `v${v} env`);
    assert.equal(p.root, v >= 5 ? "/" : "", `v${v} root`);
    assert.equal(p.exeWritable, v >= 9, `v${v} exe_writable`);
  }
});

test("version-9 process tails: legacy when nothing newer is set, current otherwise, or as asked", () => {
  const tailLength = (proc: ProcessRecord, tail?: "auto" | "current" | "legacy"): number => {
    const sink = new MemorySink();
    const w = new ScapWriter(sink, tail === undefined ? {} : { processTail: tail });
    w.writeProcessList([proc]);
    w.close();
    const data = sink.data();
    const plStart = 28; // after the section header block
    assert.equal(data.readUInt32LE(plStart), BlockType.PROCLIST_V9);
    const entryLen = data.readUInt32LE(plStart + 8);
    const back = readAll(data).records[1]!;
    assert.deepEqual(strip(back), proc, `${tail} round trip`);
    return entryLen;
  };
  const legacy = tailLength(PROC);
  const current = tailLength({ ...PROC, pgid: 100 });
  assert.equal(current - legacy, 71, "current tail is 76 bytes, legacy 5");
  assert.equal(tailLength(PROC, "current"), current);
  assert.equal(tailLength(PROC, "legacy"), legacy);
});

test("events: built from fields, every block kind, read back byte for byte", () => {
  const sink = new MemorySink();
  const w = new ScapWriter(sink);
  const open = [
    Buffer.from("0300000000000000", "hex"),
    Buffer.from("/etc/passwd\0"),
    Buffer.from([1, 0, 0, 0]),
  ];
  assert.equal(
    w.writeEventFields({ ts: 5n, tid: 7, type: EventType.SYSCALL_OPEN_X, params: open, cpu: 3 }),
    null,
  );
  assert.equal(
    w.writeEventFields({
      ts: 6n,
      tid: -1,
      type: EventType.SYSCALL_CLOSE_E,
      params: [Buffer.alloc(8)],
      flags: 1,
    }),
    null,
  );
  // A large-payload type: 4-byte parameter lengths, a parameter over 64 KiB, a large block.
  const big = Buffer.alloc(70000, 0x61);
  assert.equal(
    w.writeEventFields({ ts: 7n, tid: 2n ** 60n, type: EventType.CONTAINER_JSON_2_E, params: [big] }),
    null,
    "container json events carry EF_LARGE_PAYLOAD",
  );
  assert.equal(w.writeEventFields({ ts: 8n, tid: 1, type: 65000, params: [] }), null, "unknown types pass");
  const res = w.close();
  assert.equal(res.error, null);
  assert.equal(res.events, 4);
  const back = readAll(sink.data());
  assert.equal(back.error, null);
  assert.deepEqual(back.events, [
    `5/7/${EventType.SYSCALL_OPEN_X}/3/0/${open.map((p) => p.toString("hex")).join(",")}`,
    `6/-1/${EventType.SYSCALL_CLOSE_E}/0/1/0000000000000000`,
    `7/${2 ** 60}/${EventType.CONTAINER_JSON_2_E}/0/0/${big.toString("hex")}`,
    `8/1/65000/0/0/`,
  ]);
  assert.deepEqual(back.blocks, [
    BlockType.EVENT_V2,
    BlockType.EVENT_FLAGS_V2,
    BlockType.EVENT_V2_LARGE,
    BlockType.EVENT_V2,
  ]);

  // Pass-through keeps each event's block kind.
  const sink2 = new MemorySink();
  const w2 = new ScapWriter(sink2);
  readScapBuffer(sink.data(), { onEvent: (ev) => void assert.equal(w2.writeEvent(ev), null) });
  w2.close();
  assert.deepEqual(readAll(sink2.data()), back);
});

test("events from version-1 blocks are written with the version-2 header libscap gives them", () => {
  const v1 = Buffer.concat([
    sectionHeader(),
    eventV1({
      ts: 1n,
      tid: 2,
      type: EventType.SYSCALL_OPEN_E,
      params: [cstr("/x"), Buffer.alloc(4), Buffer.alloc(4)],
    }),
    eventV1({
      ts: 2n,
      tid: 2,
      type: EventType.SYSCALL_CLOSE_X,
      params: [Buffer.alloc(8, 0xff)],
      flags: 4,
      cpu: 1,
    }),
  ]);
  const orig = readAll(v1);
  assert.equal(orig.error, null);
  assert.deepEqual(orig.blocks, [BlockType.EVENT, BlockType.EVENT_FLAGS]);
  const sink = new MemorySink();
  const w = new ScapWriter(sink);
  readScapBuffer(v1, { onEvent: (ev) => void assert.equal(w.writeEvent(ev), null) });
  assert.equal(w.close().error, null);
  const back = readAll(sink.data());
  assert.deepEqual(back.events, orig.events);
  assert.deepEqual(back.blocks, [BlockType.EVENT_V2, BlockType.EVENT_FLAGS_V2]);
});

test("gzip output is a series of members that gzip readers take as one stream", () => {
  const sink = new MemorySink();
  const w = new ScapWriter(new GzipSink(sink), { flushBytes: 1024 });
  for (let i = 0; i < 200; i++) {
    w.writeEventFields({
      ts: BigInt(i),
      tid: i,
      type: EventType.SYSCALL_CLOSE_X,
      params: [Buffer.alloc(8, i)],
    });
  }
  assert.equal(w.close().error, null);
  const gz = sink.data();
  assert.equal(gz[0], 0x1f);
  let members = 0;
  for (let i = 0; i + 2 < gz.length; i++)
    if (gz[i] === 0x1f && gz[i + 1] === 0x8b && gz[i + 2] === 8) members++;
  assert.ok(members > 3, `${members} members`);
  const back = readAll(gz);
  assert.equal(back.error, null);
  assert.equal(back.events.length, 200);
  assert.equal(gunzipSync(gz).length > 200 * 40, true);
});

test("openScapWriter writes a file, and reports an unopenable path as an I/O error", () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-writer-"));
  try {
    const path = join(dir, "x.scap");
    const w = openScapWriter(path, { gzip: { level: 1 } });
    assert.ok(!("code" in w));
    w.writeEventFields({ ts: 1n, tid: 1, type: EventType.SYSCALL_CLOSE_X, params: [Buffer.alloc(8)] });
    assert.equal(w.close().error, null);
    assert.equal(readAll(readFileSync(path)).events.length, 1);
    const bad = openScapWriter(join(dir, "missing", "x.scap"));
    assert.ok("code" in bad && bad.code === ScapWriteErrorCode.IO);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("refused input is an error value and writes nothing", () => {
  const long = "x".repeat(1100);
  const cases: [string, (w: ScapWriter) => ScapWriteError | null, string][] = [
    [
      "comm too long",
      (w) => w.writeProcessList([{ ...PROC, comm: long }]),
      ScapWriteErrorCode.INVALID_RECORD,
    ],
    [
      "env too long",
      (w) => w.writeProcessList([{ ...PROC, env: [long.repeat(4)] }]),
      ScapWriteErrorCode.INVALID_RECORD,
    ],
    ["process list version", (w) => w.writeProcessList([PROC], 10), ScapWriteErrorCode.INVALID_RECORD],
    [
      "fd name too long",
      (w) => w.writeFdList(1, [{ ...FDS[0]!, name: long }]),
      ScapWriteErrorCode.INVALID_RECORD,
    ],
    [
      "bad IPv4",
      (w) => w.writeFdList(1, [{ ...FDS[1]!, sip: "10.0.0.256" }]),
      ScapWriteErrorCode.INVALID_RECORD,
    ],
    [
      "bad IPv6",
      (w) => w.writeFdList(1, [{ ...FDS[3]!, dip: "1::2::3" }]),
      ScapWriteErrorCode.INVALID_RECORD,
    ],
    [
      "user name too long",
      (w) => w.writeUserList([{ kind: "group", blockOffset: 0, gid: 1, name: "g".repeat(256) }]),
      ScapWriteErrorCode.INVALID_RECORD,
    ],
    [
      "hostname too long",
      (w) =>
        w.writeMachineInfo({
          numCpus: 1,
          memorySizeBytes: 0n,
          maxPid: 0n,
          hostname: long,
          bootTsEpoch: 0n,
          flags: 0n,
        }),
      ScapWriteErrorCode.INVALID_RECORD,
    ],
    [
      "unknown block",
      (w) => w.writeRecord({ kind: "unknown", blockOffset: 9, blockType: 0x999, length: 12 }),
      ScapWriteErrorCode.INVALID_RECORD,
    ],
    [
      "parameter over 64 KiB for a normal event",
      (w) =>
        w.writeEventFields({ ts: 0n, tid: 0, type: EventType.SYSCALL_OPEN_X, params: [Buffer.alloc(70000)] }),
      ScapWriteErrorCode.INVALID_EVENT,
    ],
    [
      "event too big for a normal block",
      (w) =>
        w.writeEventFields({
          ts: 0n,
          tid: 0,
          type: EventType.SYSCALL_OPEN_X,
          params: [Buffer.alloc(40000), Buffer.alloc(40000)],
        }),
      ScapWriteErrorCode.INVALID_EVENT,
    ],
    [
      "event type",
      (w) => w.writeEventFields({ ts: 0n, tid: 0, type: 70000, params: [] }),
      ScapWriteErrorCode.INVALID_EVENT,
    ],
  ];
  for (const [what, write, code] of cases) {
    const sink = new MemorySink();
    const w = new ScapWriter(sink);
    assert.equal(w.writeSectionHeader(), null);
    const e = write(w);
    assert.equal(e?.code, code, what);
    const res = w.close();
    assert.equal(res.error, null, `${what}: not sticky`);
    assert.equal(res.blocks, 1, `${what}: nothing written`);
    assert.equal(readAll(sink.data()).error, null, what);
  }
});

test("order and lifecycle: header first, nothing after close, I/O failures stick", () => {
  const w = new ScapWriter(new MemorySink());
  assert.equal(w.writeEventFields({ ts: 0n, tid: 0, type: EventType.SYSCALL_CLOSE_X, params: [] }), null);
  assert.equal(w.writeSectionHeader()?.code, ScapWriteErrorCode.ORDER);
  w.close();
  assert.equal(w.writeEventFields({ ts: 0n, tid: 0, type: 1, params: [] })?.code, ScapWriteErrorCode.CLOSED);
  assert.equal(
    w.writeRecord({ kind: "group", blockOffset: 0, gid: 1, name: "g" })?.code,
    ScapWriteErrorCode.CLOSED,
  );

  let writes = 0;
  const failing: ScapByteSink = {
    write: () => (++writes > 1 ? { code: ScapWriteErrorCode.IO, message: "disk full" } : null),
    close: () => null,
  };
  const f = new ScapWriter(failing, { flushBytes: 1024 });
  let first: ScapWriteError | null = null;
  for (let i = 0; i < 100 && first === null; i++) {
    first = f.writeEventFields({
      ts: 0n,
      tid: 0,
      type: EventType.SYSCALL_CLOSE_X,
      params: [Buffer.alloc(200)],
    });
  }
  assert.equal(first?.code, ScapWriteErrorCode.IO);
  assert.equal(f.writeEventFields({ ts: 0n, tid: 0, type: 1, params: [] })?.message, "disk full");
  assert.equal(f.close().error?.message, "disk full");
});

test("writeRecord groups records of one block and starts a block when the block changes", () => {
  const sink = new MemorySink();
  const w = new ScapWriter(sink);
  const recs: ScapRecord[] = [
    { ...PROC, blockOffset: 100 },
    { ...PROC, tid: 101, blockOffset: 100 },
    { ...FDS[0]!, tid: 100, blockOffset: 200 },
    { ...FDS[1]!, tid: 100, blockOffset: 200 },
    { ...FDS[2]!, tid: 101, blockOffset: 200 }, // another thread: another block
    { kind: "group", blockOffset: 300, gid: 0, name: "root" },
    { ...PROC, tid: 102, blockOffset: 400, blockVersion: 5 },
  ];
  for (const r of recs) assert.equal(w.writeRecord(r), null);
  w.writeEventFields({ ts: 0n, tid: 0, type: EventType.SYSCALL_CLOSE_X, params: [Buffer.alloc(8)] });
  const res = w.close();
  // header + process block + 2 fd blocks + user block + v5 process block + event
  assert.equal(res.blocks, 7);
  const back = readAll(sink.data());
  assert.equal(back.records.length, 1 + recs.length);
  const offsets = back.records.slice(1).map((r) => r.blockOffset);
  assert.equal(offsets[0], offsets[1]);
  assert.equal(offsets[2], offsets[3]);
  assert.notEqual(offsets[3], offsets[4]);
  const last = back.records[recs.length]!;
  assert.ok(last.kind === "process" && last.blockVersion === 5 && last.tid === 102);
});

test("IPv6 text parsing is the inverse of the reader's formatting", () => {
  const cases: [string, string | null][] = [
    ["::", "00000000000000000000000000000000"],
    ["::1", "00000000000000000000000000000001"],
    ["::ffff:1.2.3.4", "00000000000000000000ffff01020304"],
    ["2001:db8::8:800:200c:417a", "20010db80000000000080800200c417a"],
    ["fe80::", "fe800000000000000000000000000000"],
    ["1:2:3:4:5:6:7:8", "00010002000300040005000600070008"],
    ["1:2:3:4:5:6:7", null],
    ["1::2::3", null],
    ["12345::", null],
    ["::1.2.3", null],
  ];
  for (const [text, hex] of cases) assert.equal(parseIpv6(text)?.toString("hex") ?? null, hex, text);
});
