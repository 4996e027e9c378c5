// Process and host figures for the metrics, as libsinsp's resource-utilization collector and scap's agent
// and machine info define them: cpu_usage_perc is the process's CPU time over its lifetime (what `ps`
// shows), memory figures come from /proc/self/status and /proc/self/smaps_rollup in KiB, host figures from
// /proc/stat, /proc/meminfo and /proc/sys/fs/file-nr.
//
// Everything is read with fs promises, a few small files per scrape or snapshot (never per event); a file
// that cannot be read (no /proc, a container without smaps_rollup) leaves its figures at 0, as libsinsp
// does. The boot time and kernel release never change and are read once.
import { readFile } from "node:fs/promises";
import os from "node:os";
import { performance } from "node:perf_hooks";

export interface ProcessStats {
  /** CPU time of this process over its lifetime, percent of one CPU, one decimal. */
  readonly cpuUsagePerc: number;
  readonly memoryRssKb: number;
  readonly memoryVszKb: number;
  readonly memoryPssKb: number;
  /** Memory of the whole container (cgroup), bytes; 0 outside one or when unreadable. */
  readonly containerMemoryUsedBytes: number;
  /** Share of all CPUs' time since boot that was not idle, percent, one decimal. */
  readonly hostCpuUsagePerc: number;
  readonly hostMemoryUsedKb: number;
  readonly hostProcsRunning: number;
  readonly hostOpenFds: number;
  readonly hostNumCpus: number;
  /** ns since the epoch. */
  readonly hostBootTsNs: bigint;
  readonly kernelRelease: string;
  /** When this process started, ns since the epoch. */
  readonly startTsNs: bigint;
  /** When these figures were read, ns since the epoch. */
  readonly nowNs: bigint;
}

/** Where the figures are read from: tests point it at a fake /proc. */
export interface ProcessStatsOptions {
  readonly procRoot?: string;
  readonly cgroupRoot?: string;
}

const MS_TO_NS = 1_000_000n;

let bootTsCache: bigint | null = null;

/** Nanoseconds since the epoch, now. */
export function nowNs(): bigint {
  return BigInt(Date.now()) * MS_TO_NS;
}

/** When this process started (its time origin), ns since the epoch. */
export function processStartNs(): bigint {
  return BigInt(Math.round(performance.timeOrigin)) * MS_TO_NS;
}

export async function readProcessStats(options: ProcessStatsOptions = {}): Promise<ProcessStats> {
  const proc = options.procRoot ?? "/proc";
  const cgroup = options.cgroupRoot ?? "/sys/fs/cgroup";
  const [status, smaps, stat, meminfo, fileNr, cgroupMem] = await Promise.all([
    readText(`${proc}/self/status`),
    readText(`${proc}/self/smaps_rollup`),
    readText(`${proc}/stat`),
    readText(`${proc}/meminfo`),
    readText(`${proc}/sys/fs/file-nr`),
    readCgroupMemory(cgroup),
  ]);
  const startTsNs = processStartNs();
  const now = nowNs();
  const cpu = process.cpuUsage();
  const elapsedUs = Number(now - startTsNs) / 1000;
  const cpuUsagePerc = elapsedUs > 0 ? round1((100 * (cpu.user + cpu.system)) / elapsedUs) : 0;

  const cpuLine = stat === null ? null : /^cpu +(\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/m.exec(stat);
  let hostCpuUsagePerc = 0;
  if (cpuLine !== null) {
    const jiffies = cpuLine.slice(1, 8).map(Number);
    const sum = jiffies.reduce((a, b) => a + b, 0);
    if (sum > 0) hostCpuUsagePerc = round1(100 - (jiffies[3]! * 100) / sum);
  }
  const memTotal = kbField(meminfo, "MemTotal");
  const memUsed =
    memTotal - kbField(meminfo, "MemFree") - kbField(meminfo, "Buffers") - kbField(meminfo, "Cached");
  if (bootTsCache === null) {
    const btime = stat === null ? null : /^btime (\d+)$/m.exec(stat);
    bootTsCache =
      btime !== null
        ? BigInt(btime[1]!) * 1_000_000_000n
        : BigInt(Math.round(Date.now() - os.uptime() * 1000)) * MS_TO_NS;
  }
  return {
    cpuUsagePerc,
    memoryRssKb: status === null ? Math.round(process.memoryUsage.rss() / 1024) : kbField(status, "VmRSS"),
    memoryVszKb: kbField(status, "VmSize"),
    memoryPssKb: kbField(smaps, "Pss"),
    containerMemoryUsedBytes: cgroupMem,
    hostCpuUsagePerc,
    hostMemoryUsedKb: memUsed > 0 ? memUsed : 0,
    hostProcsRunning: numberAfter(stat, /^procs_running (\d+)$/m),
    hostOpenFds: numberAfter(fileNr, /^(\d+)/),
    hostNumCpus: os.availableParallelism(),
    hostBootTsNs: bootTsCache,
    kernelRelease: os.release(),
    startTsNs,
    nowNs: now,
  };
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, "latin1");
  } catch {
    return null;
  }
}

// cgroup v2's memory.current (inside a container), else the v1 file libsinsp reads by default.
async function readCgroupMemory(root: string): Promise<number> {
  const v2 = await readText(`${root}/memory.current`);
  const text = v2 ?? (await readText(`${root}/memory/memory.usage_in_bytes`));
  if (text === null) return 0;
  const n = Number.parseInt(text, 10);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

// "Name:   1234 kB" lines of /proc/self/status, /proc/meminfo and smaps_rollup.
function kbField(text: string | null, name: string): number {
  if (text === null) return 0;
  const at = text.indexOf(`\n${name}:`);
  const start = at >= 0 ? at + 1 : text.startsWith(`${name}:`) ? 0 : -1;
  if (start < 0) return 0;
  const n = Number.parseInt(text.slice(start + name.length + 1).trimStart(), 10);
  return Number.isFinite(n) ? n : 0;
}

function numberAfter(text: string | null, pattern: RegExp): number {
  if (text === null) return 0;
  const m = pattern.exec(text);
  return m === null ? 0 : Number(m[1]);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
