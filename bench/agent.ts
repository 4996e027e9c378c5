// Question: what does running Saker cost the programs it watches, and does it keep up? Three workloads
// (open/close of a file, fork+exec of /bin/true, read/write on /dev/zero and /dev/null) run bare, with
// the probe attached and nothing selected, and with `saker run` watching under the three upstream
// syscall rules files. Ratios are against the bare run of the same workload in the same benchmark run.
// Also measured with the agent: events it handled per second while the workloads ran, drops (kernel
// ring buffer and output queue), the latency from an event to its alert line read on the agent's stdout
// (p50/p99, over alerts raised on purpose by opening /etc/shadow), and the agent's memory (RSS).
//
// The workload is a small C program compiled into a temporary directory with the system's cc. Each
// figure is the best of `repeats` runs. Then benchSustained: a fresh agent under a paced open/close load of
// 100,000 events/s for 60 s (zero drops is the goal). `node dist/bench/agent.js sustained [SECONDS]` runs
// only that part. Needs root and the built probe (scripts/build-probe.sh);
// skipped with a message otherwise. Run alone: `node dist/bench/agent.js`.
import { type ChildProcessWithoutNullStreams, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { defaultLoaderPath, startLiveCapture } from "../src/capture/live/capture.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const WORKLOAD_C = String.raw`
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* paced RATE SECONDS: open+close RATE times a second (2 events each) for SECONDS, in 1 ms ticks, catching
 * up when late; prints the iterations done, the seconds taken and the worst lateness (ms). */
static int paced(long rate, long seconds) {
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	double start = now(), worst = 0;
	long done = 0, ticks = seconds * 1000;
	for (long t = 1; t <= ticks; t++) {
		long due = rate * t / 1000;
		for (; done < due; done++) close(open("/etc/hostname", O_RDONLY));
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) { next.tv_nsec -= 1000000000; next.tv_sec++; }
		double late = now() - ((double)next.tv_sec * 1e9 + (double)next.tv_nsec);
		if (late > worst) worst = late;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, 0);
	}
	printf("%ld %.3f %.1f\n", done, (now() - start) / 1e9, worst / 1e6);
	return 0;
}

int main(int argc, char **argv) {
	if (argc == 4 && !strcmp(argv[1], "paced")) return paced(atol(argv[2]), atol(argv[3]));
	if (argc != 3) return 2;
	long n = atol(argv[2]);
	char buf[64];
	memset(buf, 'x', sizeof buf);
	double a = now();
	if (!strcmp(argv[1], "openclose")) {
		for (long i = 0; i < n; i++) close(open("/etc/hostname", O_RDONLY));
	} else if (!strcmp(argv[1], "forkexec")) {
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) { execl("/bin/true", "true", (char *)0); _exit(127); }
			waitpid(p, 0, 0);
		}
	} else if (!strcmp(argv[1], "readwrite")) {
		int z = open("/dev/zero", O_RDONLY), d = open("/dev/null", O_WRONLY);
		for (long i = 0; i < n; i++) { if (read(z, buf, sizeof buf) < 0 || write(d, buf, sizeof buf) < 0) return 1; }
	} else if (!strcmp(argv[1], "shadow")) {
		/* Alerts on purpose: an untrusted program reading /etc/shadow, every 5 ms. */
		struct timespec gap = { 0, 5000000 };
		for (long i = 0; i < n; i++) { close(open("/etc/shadow", O_RDONLY)); nanosleep(&gap, 0); }
	} else return 2;
	printf("%.1f\n", (now() - a) / (double)n);
	return 0;
}
`;

interface Workload {
  readonly name: string;
  readonly label: string;
  readonly n: number;
}

export interface AgentBenchRow {
  readonly workload: string;
  /** ns per iteration: bare, probe attached with nothing selected, saker run with the upstream rules. */
  readonly bare: number;
  readonly probe: number;
  readonly agent: number;
  /** Events the agent handled per second, and the kernel's drops, while this workload ran. */
  readonly eventsPerSecond: number;
  readonly drops: number;
}

export interface AgentBenchResult {
  readonly rows: readonly AgentBenchRow[];
  /** The most events per second the agent handled during a workload. */
  readonly eventsPerSecond: number;
  readonly probeDrops: number;
  readonly outputDrops: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly alerts: number;
  /** Agent resident memory at the end, and its peak (KiB). */
  readonly rssKb: number;
  readonly peakRssKb: number;
  readonly sustained: SustainedResult | null;
  readonly skipped: string | null;
}

function run(bin: string, mode: string, n: number): Promise<number> {
  return new Promise((res, rej) =>
    execFile(bin, [mode, String(n)], { encoding: "utf8" }, (err, stdout) =>
      err ? rej(err) : res(Number(stdout)),
    ),
  );
}

async function best(bin: string, w: Workload, repeats: number): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < repeats; i++) b = Math.min(b, await run(bin, w.name, w.n));
  return b;
}

/** `saker run` under the upstream rules, its stdout read line by line. */
class Agent {
  readonly child: ChildProcessWithoutNullStreams;
  stderr = "";
  readonly latencies: number[] = [];
  alerts = 0;

  constructor(rules: string[]) {
    this.child = spawn(
      process.execPath,
      [
        resolve(repo, "dist/src/cli/main.js"),
        "run",
        "-o",
        "json_output=true",
        // Only stdout: the webserver's port may be taken by another agent, /dev/log may be missing.
        "-o",
        "webserver.enabled=false",
        "-o",
        "syslog_output.enabled=false",
        "-r",
        ...rules,
      ],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    let buf = "";
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (d: string) => {
      const got = Date.now();
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        this.alerts++;
        const a = JSON.parse(line) as { rule: string; time: string };
        if (a.rule === "Read sensitive file untrusted") this.latencies.push(got - Date.parse(a.time));
      }
    });
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (d: string) => (this.stderr += d));
  }

  async ready(): Promise<void> {
    const until = Date.now() + 60_000;
    while (!this.stderr.includes("Saker is watching the system")) {
      if (Date.now() > until || this.child.exitCode !== null)
        throw new Error(`agent did not start:\n${this.stderr}`);
      await sleep(20);
    }
  }

  /** The agent's counters (SIGUSR2 line). */
  async stats(): Promise<Record<string, number>> {
    const before = this.stderr.length;
    this.child.kill("SIGUSR2");
    const until = Date.now() + 5000;
    for (;;) {
      const m = /Saker stats: (.*)\n/.exec(this.stderr.slice(before));
      if (m !== null) {
        const out: Record<string, number> = {};
        for (const kv of m[1]!.split(" ")) {
          const [k, v] = kv.split("=");
          out[k!] = Number(v);
        }
        return out;
      }
      if (Date.now() > until) throw new Error("no stats from the agent");
      await sleep(10);
    }
  }

  rss(): { rss: number; peak: number } {
    const s = readFileSync(`/proc/${this.child.pid}/status`, "utf8");
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? 0);
    return { rss: kb("VmRSS"), peak: kb("VmHWM") };
  }

  async stop(): Promise<void> {
    // "close", not "exit": the summary on stderr must have been read.
    const exited = new Promise((r) => this.child.on("close", r));
    this.child.kill("SIGTERM");
    await exited;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export interface SustainedResult {
  /** Events/s asked of the workload (2 per open+close), the seconds it ran and its worst lateness. */
  readonly rate: number;
  readonly seconds: number;
  readonly lateMs: number;
  /** Events the workload caused (2 per iteration done) and the agent handled in the window (all sources). */
  readonly offered: number;
  readonly handled: number;
  /** Kernel drops in the window, and by cause over the agent's whole run; output-queue drops. */
  readonly drops: number;
  readonly dropFull: number;
  readonly dropTooBig: number;
  readonly dropBusy: number;
  readonly outputDrops: number;
  /** CPU used in the window, in % of one core: the engine (node) and the probe loader. */
  readonly agentCpu: number;
  readonly loaderCpu: number | null;
  readonly rssKb: number;
  readonly peakRssKb: number;
}

/** utime + stime of a process, in seconds (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** The probe loader among the agent's children. */
function loaderPid(agentPid: number): number | null {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === agentPid && stat.includes("(saker-probe)")) return Number(name);
    } catch {
      // gone
    }
  }
  return null;
}

/**
 * Question: does the agent under the upstream rules keep up with `rate` events/s for `seconds` without
 * dropping any? A paced open/close workload offers the events; a fresh agent counts what it handled and
 * dropped (by cause, from its exit summary).
 */
export async function benchSustained(
  bin: string,
  rules: readonly string[],
  options: { rate?: number; seconds?: number; log?: (line: string) => void } = {},
): Promise<SustainedResult> {
  const log = options.log ?? ((l: string) => console.log(l));
  const rate = options.rate ?? 100_000;
  const seconds = options.seconds ?? 60;
  const agent = new Agent([...rules]);
  let summary = "";
  try {
    await agent.ready();
    const pid = agent.child.pid!;
    const loader = loaderPid(pid);
    const s0 = await agent.stats();
    const cpu0 = cpuSeconds(pid);
    const lcpu0 = loader === null ? 0 : cpuSeconds(loader);
    const t0 = Date.now();
    const out = await new Promise<string>((res, rej) =>
      execFile(bin, ["paced", String(rate / 2), String(seconds)], { encoding: "utf8" }, (err, stdout) =>
        err ? rej(err) : res(stdout),
      ),
    );
    // What was captured before the workload ended reaches the engine within a drain period or two.
    await sleep(200);
    const s1 = await agent.stats();
    const wall = (Date.now() - t0) / 1000;
    const cpu = cpuSeconds(pid) - cpu0;
    const lcpu = loader === null ? 0 : cpuSeconds(loader) - lcpu0;
    const mem = agent.rss();
    const before = agent.stderr.length;
    await agent.stop();
    summary = agent.stderr.slice(before);
    const [done, took, late] = out.trim().split(" ").map(Number);
    const by = /\((?:buffer full (\d+)), (?:too big (\d+)), (?:busy (\d+))\)/.exec(summary);
    const q = /Alerts: .* (\d+) dropped \(queue full\)/.exec(summary);
    const r: SustainedResult = {
      rate,
      seconds: took!,
      lateMs: late!,
      offered: 2 * done!,
      handled: s1.events! - s0.events!,
      drops: s1.probe_drops! - s0.probe_drops!,
      dropFull: Number(by?.[1] ?? NaN),
      dropTooBig: Number(by?.[2] ?? NaN),
      dropBusy: Number(by?.[3] ?? NaN),
      outputDrops: Number(q?.[1] ?? NaN),
      agentCpu: (100 * cpu) / wall,
      loaderCpu: loader === null ? null : (100 * lcpu) / wall,
      rssKb: mem.rss,
      peakRssKb: mem.peak,
    };
    const k = (n: number): string => `${(n / 1000).toFixed(1)}k`;
    log(
      `sustained load (saker run with the upstream rules; open+close paced at ${k(rate)} events/s for ${seconds} s)`,
    );
    log(
      `  offered ${r.offered} events by the workload in ${r.seconds.toFixed(1)} s (worst lateness ${r.lateMs.toFixed(1)} ms); ` +
        `handled ${r.handled} (${k(r.handled / wall)}/s, every source)`,
    );
    log(
      `  drops in the window: ${r.drops}; over the run by cause: buffer full ${r.dropFull}, too big ${r.dropTooBig}, ` +
        `busy ${r.dropBusy}; output queue ${r.outputDrops}`,
    );
    log(
      `  CPU: engine ${r.agentCpu.toFixed(0)}% of a core, loader ${r.loaderCpu === null ? "not found" : `${r.loaderCpu.toFixed(1)}%`}; ` +
        `engine memory ${(r.rssKb / 1024).toFixed(1)} MiB resident, peak ${(r.peakRssKb / 1024).toFixed(1)} MiB`,
    );
    return r;
  } finally {
    if (agent.child.exitCode === null) await agent.stop();
  }
}

export async function benchAgent(
  options: {
    repeats?: number;
    scale?: number;
    /** Seconds of the sustained-rate run (benchSustained); 0 leaves it out. */
    sustainSeconds?: number;
    /** Only the sustained-rate run. */
    sustainedOnly?: boolean;
    log?: (line: string) => void;
  } = {},
): Promise<AgentBenchResult> {
  const log = options.log ?? ((l: string) => console.log(l));
  const repeats = options.repeats ?? 3;
  const scale = options.scale ?? 1;
  const empty = (why: string | null): AgentBenchResult => {
    return {
      rows: [],
      eventsPerSecond: 0,
      probeDrops: 0,
      outputDrops: 0,
      latencyP50Ms: 0,
      latencyP99Ms: 0,
      alerts: 0,
      rssKb: 0,
      peakRssKb: 0,
      sustained: null,
      skipped: why,
    };
  };
  const skip = (why: string): AgentBenchResult => {
    log(`agent: skipped (${why})`);
    return empty(why);
  };
  if (process.getuid?.() !== 0) return skip("needs root");
  if (!existsSync(defaultLoaderPath())) return skip("run scripts/build-probe.sh first");
  const upstream = ["falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"].map((f) =>
    resolve(repo, "../shared/corpus/rules/upstream", f),
  );
  if (!upstream.every((f) => existsSync(f))) return skip("the upstream rules of the corpus are not there");

  const dir = mkdtempSync(join(tmpdir(), "saker-bench-agent-"));
  const src = join(dir, "workload.c");
  const bin = join(dir, "agent-load");
  writeFileSync(src, WORKLOAD_C);
  try {
    execFileSync("cc", ["-O2", "-o", bin, src]);
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return skip("no C compiler (cc) for the workload");
  }
  const workloads: Workload[] = [
    { name: "openclose", label: "open+close", n: Math.round(200_000 * scale) },
    { name: "forkexec", label: "fork+exec", n: Math.round(1_000 * scale) },
    { name: "readwrite", label: "read+write", n: Math.round(200_000 * scale) },
  ];
  try {
    const sustainSeconds = options.sustainSeconds ?? 60;
    if (options.sustainedOnly === true) {
      const sustained = await benchSustained(bin, upstream, { seconds: sustainSeconds, log });
      return { ...empty(null), sustained };
    }
    const bare: number[] = [];
    for (const w of workloads) bare.push(await best(bin, w, repeats));

    const live = await startLiveCapture({ onEvent: () => true }, { syscalls: [] });
    const probe: number[] = [];
    try {
      for (const w of workloads) probe.push(await best(bin, w, repeats));
    } finally {
      await live.stop();
    }

    const agent = new Agent(upstream);
    const withAgent: number[] = [];
    const rates: number[] = [];
    const drops: number[] = [];
    let probeDrops = 0;
    let outputDrops = 0;
    let mem = { rss: 0, peak: 0 };
    try {
      await agent.ready();
      for (const w of workloads) {
        const s0 = await agent.stats();
        const t0 = Date.now();
        withAgent.push(await best(bin, w, repeats));
        const ms = Date.now() - t0;
        const s1 = await agent.stats();
        rates.push(ms > 0 ? ((s1.events! - s0.events!) * 1000) / ms : 0);
        drops.push(s1.probe_drops! - s0.probe_drops!);
      }
      await run(bin, "shadow", Math.round(300 * Math.max(scale, 0.2)));
      await sleep(300);
      const s = await agent.stats();
      probeDrops = s.probe_drops!;
      outputDrops = s.alerts_dropped!;
      mem = agent.rss();
    } finally {
      await agent.stop();
    }
    const eventsPerSecond = Math.max(0, ...rates);

    const lat = [...agent.latencies].sort((a, b) => a - b);
    const rows = workloads.map((w, i) => ({
      workload: w.label,
      bare: bare[i]!,
      probe: probe[i]!,
      agent: withAgent[i]!,
      eventsPerSecond: rates[i]!,
      drops: drops[i]!,
    }));
    const ns = (v: number): string => `${v.toFixed(0).padStart(7)} ns`;
    const x = (v: number, ref: number): string => `${(v / ref).toFixed(2)}x`.padStart(6);
    log(`agent (saker run with the upstream rules; best of ${repeats}; ns per iteration)`);
    log(
      "  workload      bare          probe, nothing selected     saker run                  handled      kernel drops",
    );
    for (const r of rows) {
      log(
        `  ${r.workload.padEnd(12)}${ns(r.bare)}    ${ns(r.probe)} = ${x(r.probe, r.bare)}    ${ns(r.agent)} = ${x(r.agent, r.bare)}` +
          `    ${r.eventsPerSecond.toFixed(0).padStart(7)} ev/s    ${r.drops}`,
      );
    }
    log(`  drops in all: ${probeDrops} in the kernel ring buffer, ${outputDrops} in the output queue`);
    log(
      `  alert latency (event -> line on stdout), ${lat.length} alerts: p50 ${percentile(lat, 0.5).toFixed(0)} ms, ` +
        `p99 ${percentile(lat, 0.99).toFixed(0)} ms`,
    );
    log(
      `  agent memory: ${(mem.rss / 1024).toFixed(1)} MiB resident, peak ${(mem.peak / 1024).toFixed(1)} MiB`,
    );
    const sustained =
      sustainSeconds > 0 ? await benchSustained(bin, upstream, { seconds: sustainSeconds, log }) : null;
    return {
      rows,
      eventsPerSecond,
      probeDrops,
      outputDrops,
      latencyP50Ms: percentile(lat, 0.5),
      latencyP99Ms: percentile(lat, 0.99),
      alerts: agent.alerts,
      rssKb: mem.rss,
      peakRssKb: mem.peak,
      sustained,
      skipped: null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `node dist/bench/agent.js [sustained [SECONDS]]`
  const only = process.argv[2] === "sustained";
  const secs = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  benchAgent({ sustainedOnly: only, sustainSeconds: secs }).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
