// Question: what does the live probe add to a syscall, when the syscall is not selected (the
// dispatcher's lookup only) and when it is (an event built, copied to the ring buffer, drained by
// the loader and decoded here)?
//
// Workload: probe/build/syscall-loop, a C loop of one cheap syscall: getppid (no dedicated event:
// a generic event when selected) and close(-1) (a dedicated CLOSE_X event). Each run is the best of
// several repeats, so noise from other work on the machine inflates nothing. Ratios are against
// the bare loop (no probe attached) of the same process. Needs root and the built probe; skipped
// with a message otherwise.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultLoaderPath, startLiveCapture } from "../src/capture/live/capture.js";
import type { ScapEvent } from "../src/capture/scap/event.js";

export interface LiveBenchRow {
  readonly syscall: string;
  /** ns per syscall: no probe, probe attached with nothing selected, with every syscall selected. */
  readonly bare: number;
  readonly none: number;
  readonly all: number;
}

export interface LiveBenchResult {
  readonly rows: readonly LiveBenchRow[];
  /** Events delivered and dropped while everything was selected. */
  readonly events: number;
  readonly drops: number;
  /** Why the benchmark did not run, or null. */
  readonly skipped: string | null;
}

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Runs the loop `repeats` times; asynchronously, so this process keeps draining the probe. */
async function loop(bin: string, syscall: string, n: number, repeats: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const out = await new Promise<string>((res, rej) =>
      execFile(bin, [syscall, String(n)], { encoding: "utf8" }, (err, stdout) =>
        err ? rej(err) : res(stdout),
      ),
    );
    best = Math.min(best, Number(out));
  }
  return best;
}

async function loops(bin: string, syscalls: string[], n: number, repeats: number): Promise<number[]> {
  const r: number[] = [];
  for (const s of syscalls) r.push(await loop(bin, s, n, repeats));
  return r;
}

export async function benchLive(
  options: { iterations?: number; repeats?: number; log?: (line: string) => void } = {},
): Promise<LiveBenchResult> {
  const log = options.log ?? ((l: string) => console.log(l));
  const n = options.iterations ?? 1_000_000;
  const repeats = options.repeats ?? 5;
  const bin = resolve(repo, "probe/build/syscall-loop");
  const skip = (why: string): LiveBenchResult => {
    log(`live probe: skipped (${why})`);
    return { rows: [], events: 0, drops: 0, skipped: why };
  };
  if (process.getuid?.() !== 0) return skip("needs root");
  if (!existsSync(defaultLoaderPath()) || !existsSync(bin)) return skip("run scripts/build-probe.sh first");

  const syscalls = ["getppid", "close"];
  const bare = await loops(bin, syscalls, n, repeats);
  let events = 0;
  const sink = {
    onEvent(ev: ScapEvent): void {
      if (ev.nparams >= 0) events++;
    },
  };
  const live = await startLiveCapture(sink, { syscalls: [] });
  let none: number[];
  let all: number[];
  let drops: number;
  try {
    none = await loops(bin, syscalls, n, repeats);
    await live.select("all");
    all = await loops(bin, syscalls, n, repeats);
    drops = (await live.sync()).stats.drops;
  } finally {
    await live.stop();
  }

  const rows = syscalls.map((syscall, i) => ({ syscall, bare: bare[i]!, none: none[i]!, all: all[i]! }));
  const ns = (v: number): string => `${v.toFixed(0).padStart(5)} ns`;
  const x = (v: number, ref: number): string => `${(v / ref).toFixed(2)}x`;
  log(`live probe (syscall loop, best of ${repeats} x ${n} calls)`);
  log("  syscall   bare        probe, none selected      probe, all selected");
  for (const r of rows) {
    log(
      `  ${r.syscall.padEnd(8)}  ${ns(r.bare)}    ${ns(r.none)} = ${x(r.none, r.bare)}       ${ns(r.all)} = ${x(r.all, r.bare)}`,
    );
  }
  log(`  events delivered with all selected: ${events}, drops: ${drops}`);
  return { rows, events, drops, skipped: null };
}
