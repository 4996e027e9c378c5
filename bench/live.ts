// Question: what does the live probe add to a syscall, when the syscall is not selected (the
// dispatcher's lookup only) and when it is (an event built, copied to the ring buffer, drained by
// the loader and decoded here)?
//
// Workload: probe/build/syscall-loop, a C loop of one cheap syscall: getppid (no dedicated event:
// a generic event when selected) and close(-1) (a dedicated CLOSE_X event). Each run is the best of
// several repeats, so noise from other work on the machine inflates nothing. Ratios are against
// the bare loop (no probe attached) of the same process. Needs root and the built probe; skipped
// with a message otherwise. Then benchAttach (below): raw sys_exit against per-syscall tracepoints.

import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
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
  /** Per-syscall attachment against raw sys_exit (benchAttach). */
  readonly attach: AttachBenchResult | null;
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
    return { rows: [], events: 0, drops: 0, attach: null, skipped: why };
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
  log("");
  const attach = await benchAttach({ log, iterations: n });
  return { rows, events, drops, attach, skipped: null };
}

export interface AttachBenchRow {
  readonly design: string;
  /** ns per iteration of the read/write loop (unselected syscalls) and the open/close loop (selected). */
  readonly readwrite: number;
  readonly openclose: number;
}

export interface AttachBenchResult {
  readonly rows: readonly AttachBenchRow[];
  readonly skipped: string | null;
}

const DESIGNS = [
  { design: "bare", label: "bare (nothing attached)" },
  { design: "raw-empty", label: "raw sys_exit, empty program" },
  { design: "raw-select", label: "raw sys_exit + selection map" },
  { design: "per-syscall", label: "syscalls/sys_exit_<name> tracepoints" },
  { design: "probe", label: "the probe, nothing selected" },
  { design: "probe-openclose", label: "the probe, openat+close selected" },
] as const;

/** Attaches one design (probe/build/attach-bench, or the real probe); resolves with a detach function. */
async function attachDesign(design: string): Promise<() => Promise<void>> {
  if (design === "bare") return async () => undefined;
  if (design === "probe" || design === "probe-openclose") {
    // probe-openclose: the probe's whole cost on a selected syscall, with a consumer that does nothing.
    const syscalls = design === "probe" ? [] : ["openat", "close"];
    const live = await startLiveCapture({ onEvent: () => true }, { syscalls });
    return async () => void (await live.stop());
  }
  const child = spawn(resolve(repo, "probe/build/attach-bench"), [design], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d: string) => (out += d));
  const closed = new Promise<number | null>((r) => child.on("close", r));
  const until = Date.now() + 10_000;
  while (!out.includes("ready\n")) {
    if (child.exitCode !== null || Date.now() > until)
      throw new Error(`attach-bench ${design} did not attach`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return async () => {
    child.stdin.end();
    await closed;
  };
}

/**
 * Question: for a syscall no rule needs, is it cheaper to attach one program per selected syscall
 * (classic syscalls/sys_exit_<name> tracepoints) than one raw sys_exit program that looks the syscall
 * up in a selection map? And what does each design cost a selected syscall on its way to the program?
 * Both designs do the same trivial work once a syscall is selected (openat and close are): only the
 * dispatch differs. The last row is the probe with openat and close selected: its whole cost on
 * a selected syscall (event built and written to the ring buffer; the consumer does nothing). Rounds interleave the designs so drift from other work on the machine hits all
 * of them; each figure is the best over the rounds.
 */
export async function benchAttach(
  options: { iterations?: number; rounds?: number; log?: (line: string) => void } = {},
): Promise<AttachBenchResult> {
  const log = options.log ?? ((l: string) => console.log(l));
  const n = options.iterations ?? 1_000_000;
  const rounds = options.rounds ?? 5;
  const bin = resolve(repo, "probe/build/syscall-loop");
  const attach = resolve(repo, "probe/build/attach-bench");
  const skip = (why: string): AttachBenchResult => {
    log(`attachment: skipped (${why})`);
    return { rows: [], skipped: why };
  };
  if (process.getuid?.() !== 0) return skip("needs root");
  if (!existsSync(bin) || !existsSync(attach) || !existsSync(defaultLoaderPath()))
    return skip("run scripts/build-probe.sh first");
  // Classic tracepoints are attached by id, which libbpf reads from tracefs.
  if (!readFileSync("/proc/mounts", "utf8").includes(" /sys/kernel/tracing tracefs ")) {
    try {
      execFileSync("mount", ["-t", "tracefs", "nodev", "/sys/kernel/tracing"]);
    } catch {
      return skip("tracefs could not be mounted on /sys/kernel/tracing");
    }
  }
  const best = DESIGNS.map(() => ({ readwrite: Infinity, openclose: Infinity }));
  for (let r = 0; r < rounds; r++) {
    for (let d = 0; d < DESIGNS.length; d++) {
      const detach = await attachDesign(DESIGNS[d]!.design);
      try {
        best[d]!.readwrite = Math.min(best[d]!.readwrite, await loop(bin, "readwrite", n, 1));
        best[d]!.openclose = Math.min(
          best[d]!.openclose,
          await loop(bin, "openclose", Math.max(1, Math.round(n / 2)), 1),
        );
      } finally {
        await detach();
      }
    }
  }
  const rows = DESIGNS.map((d, i) => ({ design: d.design, ...best[i]! }));
  const ns = (v: number): string => `${v.toFixed(0).padStart(5)} ns`;
  const x = (v: number, ref: number): string => `${(v / ref).toFixed(2)}x`;
  log(`syscall attachment (best of ${rounds} interleaved rounds; ns per loop iteration, 2 syscalls each)`);
  log("  design                                   read+write (unselected)    open+close (selected)");
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    log(
      `  ${DESIGNS[i]!.label.padEnd(39)}  ${ns(r.readwrite)} = ${x(r.readwrite, rows[0]!.readwrite)}` +
        `        ${ns(r.openclose)} = ${x(r.openclose, rows[0]!.openclose)}`,
    );
  }
  return { rows, skipped: null };
}
