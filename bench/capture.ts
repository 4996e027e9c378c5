// Question: how many events per second can the scap reader decode and hand out, and how much
// of that is decoding versus gunzip and file I/O?
//
// Three runs over every corpus capture, each repeated for a fixed time:
//   walk    – reference: follow block lengths in the decompressed bytes, decode nothing;
//   decode  – readScapBuffer over the decompressed bytes, touching type, tid and one parameter
//             of every event (what a consumer minimally does);
//   file    – readScapFile from disk (gunzip + I/O + decode), same touching.
// Ratios are printed against the walk reference of the same process.

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { type ScapEvent, readScapBuffer, readScapFile } from "../src/capture/scap/reader.js";

export interface DecodeBenchResult {
  /** Events per second for each run. */
  walk: number;
  decode: number;
  file: number;
  /** Events in one pass over the corpus. */
  eventsPerPass: number;
}

function defaultCorpus(): string {
  // Compiled to dist/bench/capture.js: the repository is two levels up; the corpus beside it.
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  return process.env.SAKER_CORPUS ?? resolve(repo, "../shared/corpus");
}

let sink = 0;
const consumer = {
  onEvent(ev: ScapEvent): void {
    sink += ev.type + ev.tid + (ev.paramInt(0) ?? 0);
  },
};

function walk(data: Buffer): number {
  let n = 0;
  for (let off = 0; off + 8 <= data.length;) {
    const t = data.readUInt32LE(off);
    if (t === 0x204 || t === 0x216) n++;
    off += data.readUInt32LE(off + 4);
  }
  return n;
}

async function timed(seconds: number, pass: () => Promise<number> | number): Promise<number> {
  let events = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  do {
    events += await pass();
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < limit);
  return events / (Number(elapsed) / 1e9);
}

export async function benchDecode(
  options: { seconds?: number; corpusDir?: string; log?: (line: string) => void } = {},
): Promise<DecodeBenchResult> {
  const seconds = options.seconds ?? 2;
  const log = options.log ?? ((l: string) => console.log(l));
  const dir = join(options.corpusDir ?? defaultCorpus(), "captures");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".scap"))
    .sort()
    .map((f) => join(dir, f));
  const plain = files.map((f) => {
    const raw = readFileSync(f);
    return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  });
  const eventsPerPass = plain.reduce((s, d) => s + readScapBuffer(d, consumer).events, 0);

  const walkRate = await timed(seconds, () => plain.reduce((s, d) => s + walk(d), 0));
  const decodeRate = await timed(seconds, () =>
    plain.reduce((s, d) => s + readScapBuffer(d, consumer).events, 0),
  );
  const fileRate = await timed(seconds, async () => {
    let n = 0;
    for (const f of files) n += (await readScapFile(f, consumer)).events;
    return n;
  });

  const fmt = (r: number): string => `${(r / 1e6).toFixed(2)} M events/s`;
  log(`capture decode (${files.length} corpus captures, ${eventsPerPass} events per pass)`);
  log(`  walk   (reference)   ${fmt(walkRate)}`);
  log(`  decode (buffer)      ${fmt(decodeRate)}  = ${(decodeRate / walkRate).toFixed(2)}x walk`);
  log(`  file   (gunzip+I/O)  ${fmt(fileRate)}  = ${(fileRate / walkRate).toFixed(2)}x walk`);
  if (sink === 0.5) log(""); // keep the consumer's work observable
  return { walk: walkRate, decode: decodeRate, file: fileRate, eventsPerPass };
}
