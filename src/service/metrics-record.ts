// The metrics snapshot as Falco writes it (stats_writer): one record per event source per interval, its
// `output_fields` keyed by metric name in Falco's field classes (`falco.*`, `scap.*`, `evt.*`), plus
// `saker.*` for figures Falco does not have. The record becomes
//   - the internal alert "Falco internal: metrics snapshot" (priority Informational, source "internal",
//     message "Falco metrics snapshot") when metrics.output_rule is on, and
//   - the line {"output_fields":{...},"sample":N} appended to metrics.output_file.
//
// As Falco: zero values are left out unless include_empty_values (the event and drop counts and rates are
// always there), memory is in MiB with one decimal (`*_mb`) when convert_memory_to_mb, else in the unit
// libsinsp reports (`*_kb`, `*_bytes`); rates come from the previous snapshot of the same source.
//
// Allocates per snapshot: the field objects and the rendered text. Runs once per interval.
import type { JsonScalar } from "../alerts/json.js";
import { integerJson, nlohmannDouble, quoteJson } from "../alerts/json.js";
import { Priority } from "../rules/priority.js";
import type { MetricsConfig } from "../config/types.js";
import { SAKER_VERSION } from "../version.js";
import type { MetricsReading } from "./metrics.js";
import { durationSec } from "./metrics.js";

export const METRICS_SNAPSHOT_RULE = "Falco internal: metrics snapshot";
export const METRICS_SNAPSHOT_MESSAGE = "Falco metrics snapshot";

/** One source's snapshot: what the internal alert and the output_file line are made from. */
export interface MetricsRecord {
  /** ns since the epoch (also output_fields["evt.time"]). */
  readonly time: bigint;
  readonly priority: Priority;
  readonly rule: string;
  readonly message: string;
  readonly source: "internal";
  /** The event source the figures are about (output_fields["evt.source"]). */
  readonly eventSource: string;
  /** Snapshots taken so far by this recorder (the file line's "sample"). */
  readonly sample: number;
  readonly fields: Readonly<Record<string, JsonScalar>>;
}

export interface RecorderOptions {
  readonly config: MetricsConfig;
  readonly hostname: string;
  /** Default SAKER_VERSION. */
  readonly version?: string;
}

interface Previous {
  nowNs: bigint;
  numEvts: number;
  nEvts: number;
  nDrops: number;
}

/** Builds the snapshot records, remembering the last counts per source for the rates. */
export class MetricsRecorder {
  private samples = 0;
  private readonly previous = new Map<string, Previous>();

  constructor(private readonly options: RecorderOptions) {}

  /** One record per event source present in the reading (syscall first). */
  records(reading: MetricsReading): MetricsRecord[] {
    this.samples++;
    const out: MetricsRecord[] = [];
    const s = reading.snapshot;
    if (s.syscall) out.push(this.record(reading, "syscall", s.syscall.eventsProcessed));
    if (s.k8sAudit) out.push(this.record(reading, "k8s_audit", s.k8sAudit.evaluated));
    return out;
  }

  private record(r: MetricsReading, src: string, numEvts: number): MetricsRecord {
    const c = this.options.config;
    const p = r.process;
    const s = r.snapshot;
    const now = p.nowNs;
    const prev = this.previous.get(src) ?? { nowNs: 0n, numEvts: 0, nEvts: 0, nDrops: 0 };
    const deltaSec = prev.nowNs === 0n ? 0 : Number(now - prev.nowNs) / 1e9;
    const f: Record<string, JsonScalar> = {};
    const put = (key: string, value: number): void => {
      if (value !== 0 || c.includeEmptyValues) f[key] = value;
    };
    const memory = (name: string, kb: number): void => {
      if (c.convertMemoryToMb) put(`falco.${name}_mb`, round1(kb / 1024));
      else put(`falco.${name}_kb`, kb);
    };

    // Wrapper fields, always there.
    f["evt.time"] = now;
    f["evt.source"] = src;
    f["evt.hostname"] = this.options.hostname;
    f["falco.version"] = this.options.version ?? SAKER_VERSION;
    f["falco.reload_ts"] = s.reloadTsNs;
    f["falco.start_ts"] = p.startTsNs;
    f["falco.duration_sec"] = durationSec(p);
    f["falco.kernel_release"] = p.kernelRelease;
    f["falco.host_boot_ts"] = p.hostBootTsNs;
    f["falco.host_num_cpus"] = p.hostNumCpus;
    f["falco.outputs_queue_num_drops"] = s.outputs?.dropped ?? 0;
    for (const file of s.rulesFiles)
      f[`falco.sha256_rules_file.${sanitizeName(baseName(file.path))}`] = file.sha256;
    for (const file of s.configFiles)
      f[`falco.sha256_config_file.${sanitizeName(baseName(file.path))}`] = file.sha256;
    f["scap.engine_name"] = src === "syscall" ? (s.syscall?.engineName ?? "modern_bpf") : "source_plugin";
    if (prev.numEvts !== 0 && deltaSec > 0)
      f["falco.evts_rate_sec"] = round1((numEvts - prev.numEvts) / deltaSec);
    f["falco.num_evts"] = numEvts;
    f["falco.num_evts_prev"] = prev.numEvts;
    const next: Previous = { nowNs: now, numEvts, nEvts: prev.nEvts, nDrops: prev.nDrops };

    if (c.rulesCountersEnabled && s.rules) {
      let total = 0;
      for (const m of s.rules.matches) {
        total += m.count;
        if (m.count !== 0 || c.includeEmptyValues) f[`falco.rules.${sanitizeName(m.rule)}`] = m.count;
      }
      f["falco.rules.matches_total"] = total;
    }

    if (c.resourceUtilizationEnabled) {
      put("falco.cpu_usage_perc", p.cpuUsagePerc);
      memory("memory_rss", p.memoryRssKb);
      memory("memory_vsz", p.memoryVszKb);
      memory("memory_pss", p.memoryPssKb);
      if (c.convertMemoryToMb)
        put("falco.container_memory_used_mb", round1(p.containerMemoryUsedBytes / 1048576));
      else put("falco.container_memory_used_bytes", p.containerMemoryUsedBytes);
      put("falco.host_cpu_usage_perc", p.hostCpuUsagePerc);
      memory("host_memory_used", p.hostMemoryUsedKb);
      put("falco.host_procs_running", p.hostProcsRunning);
      put("falco.host_open_fds", p.hostOpenFds);
    }

    const sys = src === "syscall" ? s.syscall : undefined;
    if (sys && c.stateCountersEnabled) {
      if (sys.threads !== undefined) put("falco.n_threads", sys.threads);
      if (sys.fds !== undefined) put("falco.n_fds", sys.fds);
      put("falco.n_removed_threads", sys.stateCounters.threadsRemoved ?? 0);
      put("falco.n_drops_full_threadtable", sys.stateCounters.threadTableFull ?? 0);
    }
    if (sys && c.kernelEventCountersEnabled) {
      // Always written, even when zero, as Falco does for these.
      const evtsDelta = sys.nEvts - prev.nEvts;
      const dropsDelta = sys.nDrops - prev.nDrops;
      f["scap.n_evts"] = sys.nEvts;
      f["scap.n_evts_prev"] = prev.nEvts;
      f["scap.evts_rate_sec"] = evtsDelta !== 0 && deltaSec > 0 ? round1(evtsDelta / deltaSec) : 0;
      f["scap.n_drops"] = sys.nDrops;
      f["scap.n_drops_prev"] = prev.nDrops;
      f["scap.evts_drop_rate_sec"] = dropsDelta !== 0 && deltaSec > 0 ? round1(dropsDelta / deltaSec) : 0;
      f["scap.n_drops_perc"] = evtsDelta > 0 ? (100 * dropsDelta) / evtsDelta : 0;
      put("scap.n_drops_scratch_map", sys.dropsScratchBusy);
      put("saker.probe.n_drops_buffer_full", sys.dropsBufferFull);
      put("saker.probe.n_drops_too_big", sys.dropsTooBig);
      put("saker.probe.n_drops_startup", sys.startupDropped);
      next.nEvts = sys.nEvts;
      next.nDrops = sys.nDrops;
    }
    if (sys) {
      put("saker.faults", sys.faults);
      put("saker.syscall_event_drops", sys.dropAlerts.occurrences);
    }
    const audit = src === "k8s_audit" ? s.k8sAudit : undefined;
    if (audit) {
      put("saker.k8saudit.rejected", audit.rejectedTotal);
      if (audit.webhook) {
        put("saker.k8saudit.requests", audit.webhook.requests);
        put("saker.k8saudit.accepted_events", audit.webhook.acceptedEvents);
        put("saker.k8saudit.queue_depth", audit.webhook.queueDepth);
      }
    }
    if (s.outputs) put("saker.outputs_queue_pending", s.outputs.pending);
    this.previous.set(src, next);

    return {
      time: now,
      priority: Priority.Informational,
      rule: METRICS_SNAPSHOT_RULE,
      message: METRICS_SNAPSHOT_MESSAGE,
      source: "internal",
      eventSource: src,
      sample: this.samples,
      fields: f,
    };
  }
}

/** The output_file line: {"output_fields":{...},"sample":N}, keys sorted as nlohmann writes them. */
export function metricsFileLine(record: MetricsRecord): string {
  const keys = Object.keys(record.fields).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let out = '{"output_fields":{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    out += (i === 0 ? "" : ",") + quoteJson(key, "nlohmann") + ":" + scalar(record.fields[key]!);
  }
  return out + '},"sample":' + record.sample + "}";
}

function scalar(v: JsonScalar): string {
  if (typeof v === "number") return Number.isInteger(v) ? integerJson(v) : nlohmannDouble(v);
  if (typeof v === "string") return quoteJson(v, "nlohmann");
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  return "null";
}

/** Falco's sanitize_rule_name: characters outside [a-zA-Z0-9_:] become "_", runs collapse, no trailing "_". */
export function sanitizeName(name: string): string {
  return name
    .replace(/[^a-zA-Z0-9_:]/g, "_")
    .replace(/_+/g, "_")
    .replace(/_$/, "");
}

function baseName(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? path : path.slice(i + 1);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
