// Shared pieces of the service tests: config objects as falco.yaml's defaults would build them, a
// MetricsSource whose figures the test moves by hand, fixed process figures, and a Prometheus text parser.
import type { MetricsConfig, WebserverConfig } from "../../../src/config/types.js";
import type { MetricsSnapshot, MetricsSource, SyscallMetrics } from "../../../src/service/metrics-source.js";
import type { ProcessStats } from "../../../src/service/process-stats.js";

export function metricsConfig(overrides: Partial<MetricsConfig> = {}): MetricsConfig {
  return {
    enabled: true,
    interval: "1h",
    intervalMs: 3_600_000,
    outputRule: true,
    outputFile: "",
    rulesCountersEnabled: true,
    resourceUtilizationEnabled: true,
    stateCountersEnabled: true,
    kernelEventCountersEnabled: true,
    kernelEventCountersPerCpuEnabled: false,
    libbpfStatsEnabled: true,
    pluginsMetricsEnabled: true,
    kernelIterEventCountersEnabled: true,
    jemallocStatsEnabled: false,
    convertMemoryToMb: true,
    includeEmptyValues: false,
    ...overrides,
  };
}

export function webserverConfig(overrides: Partial<WebserverConfig> = {}): WebserverConfig {
  return {
    enabled: true,
    threadiness: 0,
    listenPort: 0,
    listenAddress: "127.0.0.1",
    k8sHealthzEndpoint: "/healthz",
    prometheusMetricsEnabled: true,
    sslEnabled: false,
    sslCertificate: "",
    ...overrides,
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A source whose figures the test sets; every snapshot() is a copy of them at that moment. */
export class FakeSource implements MetricsSource {
  syscall: Mutable<SyscallMetrics> | undefined = {
    engineName: "modern_bpf",
    nEvts: 0,
    nDrops: 0,
    dropsBufferFull: 0,
    dropsTooBig: 0,
    dropsScratchBusy: 0,
    startupDropped: 0,
    eventsProcessed: 0,
    faults: 0,
    dropAlerts: { occurrences: 0, actionsTaken: 0 },
    stateCounters: { threadsRemoved: 0, threadTableFull: 0, malformedEvents: 0 },
    threads: 10,
    fds: 20,
    alertLatencyMs: { p50: 1, p99: 2, max: 3 },
  };
  snapshot_: Mutable<Omit<MetricsSnapshot, "syscall">> = {
    reloadTsNs: 1_700_000_000_000_000_000n,
    rulesFiles: [{ path: "/etc/falco/falco_rules.yaml", sha256: "ab".repeat(32) }],
    configFiles: [{ path: "/etc/falco/falco.yaml", sha256: "cd".repeat(32) }],
    outputs: { enqueued: 0, delivered: 0, dropped: 0, discarded: 0, pending: 0, timeouts: 0 },
    rules: { matches: [] },
  };
  reads = 0;

  snapshot(): MetricsSnapshot {
    this.reads++;
    const s = structuredClone(this.snapshot_);
    return this.syscall === undefined ? s : { ...s, syscall: structuredClone(this.syscall) };
  }
}

export function fixedProcess(overrides: Partial<ProcessStats> = {}): ProcessStats {
  return {
    cpuUsagePerc: 12.5,
    memoryRssKb: 2048,
    memoryVszKb: 4096,
    memoryPssKb: 0,
    containerMemoryUsedBytes: 3 * 1048576,
    hostCpuUsagePerc: 40,
    hostMemoryUsedKb: 1024 * 1024,
    hostProcsRunning: 3,
    hostOpenFds: 999,
    hostNumCpus: 2,
    hostBootTsNs: 1_600_000_000_000_000_000n,
    kernelRelease: "6.1.0-test",
    startTsNs: 1_700_000_000_000_000_000n,
    nowNs: 1_700_000_090_000_000_000n,
    ...overrides,
  };
}

export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: Sample[];
  /** TYPE per metric name. */
  readonly types: Map<string, string>;
  readonly help: Map<string, string>;
}

/** Prometheus text format 0.0.4, line by line; throws on a line it cannot read. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    let m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      (m[1] === "HELP" ? help : types).set(m[2]!, m[3]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unreadable exposition line: ${JSON.stringify(line)}`);
    samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? ""), value: Number(m[3]) });
  }
  return { samples, types, help };
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text)) !== null) {
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    end = re.lastIndex;
  }
  if (end !== text.length) throw new Error(`unreadable labels: ${JSON.stringify(text)}`);
  return labels;
}

/** The one sample of `name` whose labels include `labels`. */
export function sample(e: Exposition, name: string, labels: Record<string, string> = {}): Sample | undefined {
  return e.samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}
