// Fuzzing the scap reader, the parameter renderer and the writer with mutated corpus captures.
//
// Seeds are small captures cut from the corpus once (the original section header, machine info,
// interface, user and fd list blocks and the first event blocks, byte for byte, so old layouts
// stay in; the process list re-encoded with a few entries in its original version). From them a
// fixed-seed PRNG derives 10,000+ variants: bit flips, byte overwrites in block headers and event
// headers, corrupted block and parameter lengths, truncation, duplicated, dropped, swapped and
// spliced blocks, and gzip-compressed (sometimes cut) variants. Each is read; every parameter of
// every delivered event is rendered (value, resolved form, raw value, evt.args, evt.info) under a
// state context, and every fourth variant is also written back and re-read.
//
// Properties: no exception escapes, no variant takes a second, memory stays bounded, and what
// the reader delivers the writer writes and the reader reads again identically. Outcome counts
// are printed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  BufferFormat,
  renderArgs,
  renderInfo,
  renderParam,
  renderParamResolved,
  renderRawParam,
  type RenderContext,
} from "../../../src/capture/events/render.js";
import { isEventBlock, proclistVersion } from "../../../src/capture/scap/format.js";
import { readScapBuffer, type ProcessRecord, type ScapEvent } from "../../../src/capture/scap/reader.js";
import { MemorySink, ScapWriter } from "../../../src/capture/scap/writer.js";
import { corpusPath } from "../../support/paths.js";

const VARIANTS = 10_500;
const SEED = 0x5a4b3c2d;

/** mulberry32: small, fast, good enough for choosing mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Block {
  type: number;
  bytes: Buffer;
}

/** Splits a well-formed stream into its blocks. */
function blocks(data: Buffer): Block[] {
  const out: Block[] = [];
  for (let p = 0; p + 8 <= data.length;) {
    const len = data.readUInt32LE(p + 4);
    out.push({ type: data.readUInt32LE(p), bytes: data.subarray(p, p + len) });
    p += len;
  }
  return out;
}

/** A small capture from a corpus file: original blocks, a shortened process list, N events. */
function makeSeed(file: string, events: number, procs: number): Buffer {
  let raw = readFileSync(corpusPath("captures", file));
  if (raw[0] === 0x1f) raw = gunzipSync(raw);
  const all = blocks(raw);
  const kept: Buffer[] = [];
  const procRecords: ProcessRecord[] = [];
  readScapBuffer(raw, {
    onEvent: () => false,
    onRecord(r) {
      if (r.kind === "process" && procRecords.length < procs) procRecords.push(r);
    },
  });
  let fdBlocks = 0;
  let nEvents = 0;
  let wroteProcs = false;
  for (const b of all) {
    const v = proclistVersion(b.type);
    if (v !== 0) {
      if (wroteProcs) continue;
      wroteProcs = true;
      const sink = new MemorySink();
      const w = new ScapWriter(sink);
      assert.equal(w.writeProcessList(procRecords, v), null);
      w.close();
      kept.push(
        ...blocks(sink.data())
          .slice(1)
          .map((x) => x.bytes),
      ); // without its section header
    } else if (isEventBlock(b.type)) {
      if (nEvents++ < events) kept.push(b.bytes);
    } else if (b.type === 0x203 || b.type === 0x218 || b.type === 0x8001abcd) {
      if (fdBlocks++ < 6) kept.push(b.bytes);
    } else if (b.bytes.length <= 16384) {
      kept.push(b.bytes);
    }
  }
  return Buffer.concat(kept);
}

const SEEDS: [string, number, number][] = [
  ["cat_write.scap", 140, 8],
  ["connect_localhost.scap", 120, 8],
  ["curl_google_comments.scap", 120, 6],
  ["empty_legacy.scap", 80, 8],
  ["sample.scap", 160, 8],
  ["test_ipv6_client.scap", 120, 8],
  ["single_ipv6_conn.scap", 120, 6],
  ["syscall.scap", 120, 6],
];

const INTERESTING = [
  0, 1, 2, 3, 4, 7, 8, 12, 16, 22, 26, 0x7f, 0x80, 0xff, 0xfffe, 0xffff, 0x10000, 0x7fffffff, 0xffffffff,
];

function mutate(seed: Buffer, others: Buffer[], rnd: () => number): { data: Buffer; kind: string } {
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const bl = blocks(seed);
  const blockAt = (): { off: number; b: Block; i: number } => {
    const i = int(bl.length);
    let off = 0;
    for (let k = 0; k < i; k++) off += bl[k]!.bytes.length;
    return { off, b: bl[i]!, i };
  };
  const data = Buffer.from(seed);
  const op = int(11);
  switch (op) {
    case 0: {
      const n = 1 + int(8);
      for (let k = 0; k < n; k++) {
        const p = int(data.length);
        data[p] = data[p]! ^ (1 << int(8));
      }
      return { data, kind: "bit flips" };
    }
    case 1: {
      // Block header: type or length, or the first bytes of the body.
      const { off, b } = blockAt();
      const p = off + int(Math.min(b.bytes.length, 40));
      data[p] = pick([0, 0xff, 0x7f, 0x80, int(256)]);
      return { data, kind: "header byte" };
    }
    case 2: {
      const { off, b } = blockAt();
      const v = pick([int(16), b.bytes.length + int(9) - 4, pick(INTERESTING), int(1 << 20)]);
      if (rnd() < 0.7) data.writeUInt32LE(v >>> 0, off + 4);
      if (rnd() < 0.5) data.writeUInt32LE(v >>> 0, off + b.bytes.length - 4);
      return { data, kind: "block length" };
    }
    case 3:
      return { data: data.subarray(0, int(data.length)), kind: "truncation" };
    case 4: {
      // An event's header fields (len, type, nparams) or its parameter lengths.
      const evs = bl.map((b, i) => ({ b, i })).filter((x) => isEventBlock(x.b.type));
      if (evs.length === 0) return { data, kind: "bit flips" };
      const { i } = pick(evs);
      let off = 0;
      for (let k = 0; k < i; k++) off += bl[k]!.bytes.length;
      const flags = bl[i]!.type === 0x208 || bl[i]!.type === 0x217 || bl[i]!.type === 0x222 ? 4 : 0;
      const ev = off + 8 + 2 + flags;
      const field = pick([16, 20, 22, 26, 28, 30, 32]);
      const v = pick(INTERESTING);
      if (ev + field + 4 <= data.length) {
        if (field === 20 || field >= 26) data.writeUInt16LE(v & 0xffff, ev + field);
        else data.writeUInt32LE(v >>> 0, ev + field);
      }
      return { data, kind: "event header" };
    }
    case 5: {
      const { b, i } = blockAt();
      const parts = bl.map((x) => x.bytes);
      parts.splice(i, 0, b.bytes);
      return { data: Buffer.concat(parts), kind: "duplicated block" };
    }
    case 6: {
      const parts = bl.map((x) => x.bytes);
      parts.splice(1 + int(parts.length - 1), 1);
      return { data: Buffer.concat(parts), kind: "dropped block" };
    }
    case 7: {
      const parts = bl.map((x) => x.bytes);
      const a = int(parts.length);
      const c = int(parts.length);
      [parts[a], parts[c]] = [parts[c]!, parts[a]!];
      return { data: Buffer.concat(parts), kind: "swapped blocks" };
    }
    case 8: {
      const other = pick(others);
      const a = int(data.length);
      const c = int(other.length);
      return {
        data: Buffer.concat([data.subarray(0, a), other.subarray(c, c + int(4096))]),
        kind: "spliced",
      };
    }
    case 9: {
      // Overwrite a run inside a block body with random bytes.
      const { off, b } = blockAt();
      const start = off + 8 + int(Math.max(1, b.bytes.length - 12));
      const n = 1 + int(16);
      for (let k = 0; k < n && start + k < data.length; k++) data[start + k] = int(256);
      return { data, kind: "random run" };
    }
    default: {
      const p = int(data.length);
      data[p] = data[p]! ^ (1 << int(8));
      const z = gzipSync(data, { level: 1 });
      return rnd() < 0.5
        ? { data: z, kind: "gzip" }
        : { data: z.subarray(0, int(z.length)), kind: "gzip cut" };
    }
  }
}

const FORMATS = [
  BufferFormat.NORMAL,
  BufferFormat.HEX,
  BufferFormat.HEXASCII,
  BufferFormat.EOLS,
  BufferFormat.BASE64,
  BufferFormat.JSON,
];

function contextFor(k: number): RenderContext {
  return {
    fdName: (fd) => (fd % 3 === 0 ? `/tmp/f${fd}\n` : fd % 3 === 1 ? "" : undefined),
    fdTypeChar: (fd) => (fd % 2 === 0 ? "f" : "4t"),
    cwd: () => (k % 2 === 0 ? "/home/user/" : undefined),
    threadComm: (tid) => (tid % 2 === 0 ? "comm" : undefined),
    userName: (uid) => (uid === 0 ? "root" : undefined),
    groupName: () => undefined,
    isDevLogWrite: () => k % 5 === 0,
    bufferFormat: FORMATS[k % FORMATS.length]!,
    maxBufferLength: k % 7 === 0 ? 0 : 80,
  };
}

/** Renders everything about an event; returns a number so the work is not optimised away. */
function renderAll(ev: ScapEvent, ctx: RenderContext): number {
  let n = renderArgs(ev, ctx).length + renderInfo(ev, ctx).length;
  for (let i = 0; i < ev.nparams; i++) {
    n += renderParam(ev, i, ctx).length + renderParamResolved(ev, i, ctx).length;
    const raw = renderRawParam(ev, i);
    n += raw === undefined ? 0 : String(raw).length;
  }
  return n;
}

test(`fuzz: ${VARIANTS} mutated captures through reader, renderer and writer`, (t) => {
  const seeds = SEEDS.map(([f, e, p]) => makeSeed(f, e, p));
  for (const s of seeds)
    assert.equal(readScapBuffer(s, { onEvent: () => {} }).error, null, "seeds are valid");
  const rnd = prng(SEED);
  const outcomes = new Map<string, number>();
  const kinds = new Map<string, number>();
  const failures: string[] = [];
  const rssStart = process.memoryUsage().rss;
  let rssMax = rssStart;
  let slowest = 0;
  let slowestWhat = "";
  let rendered = 0;
  let events = 0;
  let rewritten = 0;
  for (let k = 0; k < VARIANTS; k++) {
    const s = k % seeds.length;
    const { data, kind } = mutate(seeds[s]!, seeds, rnd);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const ctx = contextFor(k);
    const what = `variant ${k} (${SEEDS[s]![0]}, ${kind})`;
    const t0 = performance.now();
    try {
      const rewrite = k % 4 === 0;
      const sink = new MemorySink();
      const w = rewrite ? new ScapWriter(sink, { flushBytes: 4096 }) : null;
      const seen: string[] = [];
      const res = readScapBuffer(
        data,
        {
          onEvent(ev) {
            events++;
            rendered += renderAll(ev, ctx);
            if (w !== null && w.writeEvent(ev) === null) seen.push(eventKey(ev));
          },
          onRecord(r) {
            if (w !== null && r.kind !== "section") w.writeRecord(r);
          },
        },
        { maxBlockLength: 1 << 24 },
      );
      const outcome = res.error === null ? "ok" : res.error.code;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (w !== null) {
        const wr = w.close();
        assert.equal(wr.error, null);
        const again: string[] = [];
        const back = readScapBuffer(sink.data(), { onEvent: (ev) => void again.push(eventKey(ev)) });
        assert.equal(back.error, null, `${what}: rewritten copy reads`);
        assert.deepEqual(again, seen, `${what}: rewritten copy has the same events`);
        rewritten++;
      }
    } catch (e) {
      failures.push(`${what}: ${(e as Error).stack ?? String(e)}`);
      if (failures.length > 20) break;
    }
    const ms = performance.now() - t0;
    if (ms > slowest) {
      slowest = ms;
      slowestWhat = what;
    }
    if (k % 500 === 0) rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  const summary = [...outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([o, n]) => `${o} ${n}`);
  t.diagnostic(`outcomes: ${summary.join(", ")}`);
  t.diagnostic(`mutations: ${[...kinds.entries()].map(([o, n]) => `${o} ${n}`).join(", ")}`);
  t.diagnostic(
    `${events} events rendered (${rendered} chars), ${rewritten} variants rewritten and re-read; ` +
      `slowest ${slowest.toFixed(1)} ms (${slowestWhat}); rss ${(rssStart / 2 ** 20).toFixed(0)} -> ` +
      `${(rssMax / 2 ** 20).toFixed(0)} MiB`,
  );
  assert.deepEqual(failures, []);
  assert.ok(slowest < 1000, `slowest variant took ${slowest} ms`);
  assert.ok(rssMax - rssStart < 256 * 2 ** 20, "memory stays bounded");
  let total = 0;
  for (const n of outcomes.values()) total += n;
  assert.equal(total, VARIANTS);
  assert.ok(
    (outcomes.get("ok") ?? 0) > 0 && outcomes.size > 3,
    "mutations reach both clean reads and faults",
  );
});

function eventKey(ev: ScapEvent): string {
  let params = "";
  for (let i = 0; i < ev.nparams; i++) params += ev.paramBytes(i)!.toString("hex") + ",";
  return `${ev.ts}/${ev.tid}/${ev.type}/${ev.cpu}/${ev.flags}/${params}`;
}
