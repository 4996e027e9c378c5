// The Prometheus metrics the webserver serves on /metrics, under Falco's names and labels where Falco has
// the metric (falcosecurity_falco_*, falcosecurity_scap_*, falcosecurity_evt_*, HELP text Falco's docs
// link) and saker_* for Saker's own. A dedicated prom-client Registry; each metric's collect() callback
// reads the figures `render()` gathered for this scrape: one MetricsSource.snapshot() and one read of the
// process figures (/proc, with fs promises), so every metric of one scrape agrees with the others.
//
// Families follow the `metrics` keys as Falco does: rules_counters_enabled (rules_matches),
// resource_utilization_enabled (CPU, memory, host figures), state_counters_enabled (thread/fd tables),
// kernel_event_counters_enabled (n_evts, n_drops). Version, rules files, outputs queue drops, timestamps,
// host name and engine name are always there. Label values (rule names, tags, host names) go through
// prom-client's escaping.
//
// Allocates per scrape: the snapshot, the process figures, prom-client's label maps and the text. Nothing
// here runs per event.
import { Counter, Gauge, Registry } from "prom-client";
import type { MetricsConfig } from "../config/types.js";
import { SAKER_VERSION } from "../version.js";
import type { MetricsSnapshot, MetricsSource, RuleMatchCount } from "./metrics-source.js";
import { readProcessStats, type ProcessStats } from "./process-stats.js";

/** The HELP text libs writes for every Falco metric. */
export const FALCO_METRICS_HELP = "https://falco.org/docs/metrics/";

/** What one scrape or one snapshot reads. */
export interface MetricsReading {
  readonly snapshot: MetricsSnapshot;
  readonly process: ProcessStats;
}

export interface SakerMetricsOptions {
  readonly config: MetricsConfig;
  readonly source: MetricsSource;
  /** Falco's evt.hostname (FALCO_HOSTNAME or the machine's name). */
  readonly hostname: string;
  /** Default SAKER_VERSION. */
  readonly version?: string;
  /** Default: /proc of this process (tests substitute fixed figures). */
  readonly readProcess?: () => Promise<ProcessStats>;
}

type Labels = Record<string, string>;
type Emit = (labels: Labels, value: number) => void;
type Read = (r: MetricsReading, emit: Emit) => void;

const NO_LABELS: Labels = {};
const FILE_LABELS = ["file_name", "sha256"];
const RULES_MATCHES = "falcosecurity_falco_rules_matches_total";

export class SakerMetrics {
  readonly registry = new Registry();
  readonly contentType: string = Registry.PROMETHEUS_CONTENT_TYPE;
  private current: MetricsReading | null = null;
  private rulesCounter: Counter | null = null;
  private rulesCounterLabels = "";
  private readonly readProcess: () => Promise<ProcessStats>;

  constructor(private readonly options: SakerMetricsOptions) {
    this.readProcess = options.readProcess ?? (() => readProcessStats());
    this.define();
  }

  /** The snapshot and process figures, read now. */
  async read(): Promise<MetricsReading> {
    const process = await this.readProcess();
    return { snapshot: this.options.source.snapshot(), process };
  }

  /** The Prometheus text of one scrape. */
  async render(): Promise<string> {
    const reading = await this.read();
    if (this.options.config.rulesCountersEnabled)
      this.prepareRulesCounter(reading.snapshot.rules?.matches ?? []);
    // prom-client runs every collect() synchronously at the start of metrics(), so the reading set here is
    // the one all of them see, even with scrapes overlapping.
    this.current = reading;
    try {
      return dropEmptyFamilies(await this.registry.metrics());
    } finally {
      this.current = null;
    }
  }

  private define(): void {
    const c = this.options.config;
    const version = this.options.version ?? SAKER_VERSION;
    const hostname = this.options.hostname;
    const info = (name: string, labelNames: string[], read: Read): void => {
      this.gauge(name, FALCO_METRICS_HELP, read, labelNames);
    };

    // Always there, as Falco's wrapper metrics.
    info("falcosecurity_falco_version_info", ["version"], (_r, emit) => emit({ version }, 1));
    info("falcosecurity_falco_sha256_rules_files_info", FILE_LABELS, (r, emit) => {
      for (const f of r.snapshot.rulesFiles) emit({ file_name: baseName(f.path), sha256: f.sha256 }, 1);
    });
    info("falcosecurity_falco_sha256_config_files_info", FILE_LABELS, (r, emit) => {
      for (const f of r.snapshot.configFiles) emit({ file_name: baseName(f.path), sha256: f.sha256 }, 1);
    });
    info("falcosecurity_scap_engine_name_info", ["engine_name", "evt_source"], (r, emit) => {
      if (r.snapshot.syscall) emit({ engine_name: r.snapshot.syscall.engineName, evt_source: "syscall" }, 1);
      if (r.snapshot.k8sAudit) emit({ engine_name: "source_plugin", evt_source: "k8s_audit" }, 1);
    });
    info("falcosecurity_falco_kernel_release_info", ["kernel_release"], (r, emit) =>
      emit({ kernel_release: r.process.kernelRelease }, 1),
    );
    info("falcosecurity_evt_hostname_info", ["hostname"], (_r, emit) => emit({ hostname }, 1));
    this.counter("falcosecurity_falco_outputs_queue_num_drops_total", FALCO_METRICS_HELP, (r, emit) => {
      if (r.snapshot.outputs) emit(NO_LABELS, r.snapshot.outputs.dropped);
    });
    const gaugeF = (name: string, read: (r: MetricsReading) => number | undefined): void => {
      this.gauge(name, FALCO_METRICS_HELP, (r, emit) => {
        const v = read(r);
        if (v !== undefined) emit(NO_LABELS, v);
      });
    };
    gaugeF("falcosecurity_falco_reload_timestamp_nanoseconds", (r) => Number(r.snapshot.reloadTsNs));
    gaugeF("falcosecurity_falco_start_timestamp_nanoseconds", (r) => Number(r.process.startTsNs));
    this.counter("falcosecurity_falco_duration_seconds_total", FALCO_METRICS_HELP, (r, emit) =>
      emit(NO_LABELS, durationSec(r.process)),
    );
    gaugeF("falcosecurity_falco_host_boot_timestamp_nanoseconds", (r) => Number(r.process.hostBootTsNs));
    gaugeF("falcosecurity_falco_host_num_cpus_total", (r) => r.process.hostNumCpus);

    if (c.resourceUtilizationEnabled) {
      // libsinsp's percentages become ratios and KiB become bytes in Prometheus, as Falco converts them.
      gaugeF("falcosecurity_falco_cpu_usage_ratio", (r) => r.process.cpuUsagePerc / 100);
      gaugeF("falcosecurity_falco_memory_rss_bytes", (r) => r.process.memoryRssKb * 1024);
      gaugeF("falcosecurity_falco_memory_vsz_bytes", (r) => r.process.memoryVszKb * 1024);
      gaugeF("falcosecurity_falco_memory_pss_bytes", (r) => r.process.memoryPssKb * 1024);
      gaugeF("falcosecurity_falco_container_memory_used_bytes", (r) => r.process.containerMemoryUsedBytes);
      gaugeF("falcosecurity_falco_host_cpu_usage_ratio", (r) => r.process.hostCpuUsagePerc / 100);
      gaugeF("falcosecurity_falco_host_memory_used_bytes", (r) => r.process.hostMemoryUsedKb * 1024);
      gaugeF("falcosecurity_falco_host_procs_running_total", (r) => r.process.hostProcsRunning);
      gaugeF("falcosecurity_falco_host_open_fds_total", (r) => r.process.hostOpenFds);
    }

    if (c.stateCountersEnabled) {
      gaugeF("falcosecurity_scap_n_threads_total", (r) => r.snapshot.syscall?.threads);
      gaugeF("falcosecurity_scap_n_fds_total", (r) => r.snapshot.syscall?.fds);
      const stateCounter = (name: string, key: string): void => {
        this.counter(name, FALCO_METRICS_HELP, (r, emit) => {
          const v = r.snapshot.syscall?.stateCounters[key];
          if (v !== undefined) emit(NO_LABELS, v);
        });
      };
      stateCounter("falcosecurity_scap_n_removed_threads_total", "threadsRemoved");
      stateCounter("falcosecurity_scap_n_drops_full_threadtable_total", "threadTableFull");
      // Saker's other state counters have no Falco counterpart: one labelled family.
      this.counter(
        "saker_state_counter_total",
        "State engine counters that Falco does not have (by counter)",
        (r, emit) => {
          const counters = r.snapshot.syscall?.stateCounters;
          if (!counters) return;
          for (const key in counters) {
            if (!FALCO_STATE_COUNTERS.has(key)) emit({ counter: key }, counters[key]!);
          }
        },
        ["counter"],
      );
    }

    if (c.kernelEventCountersEnabled) {
      this.counter("falcosecurity_scap_n_evts_total", FALCO_METRICS_HELP, (r, emit) => {
        if (r.snapshot.syscall) emit(NO_LABELS, r.snapshot.syscall.nEvts);
      });
      this.counter("falcosecurity_scap_n_drops_total", FALCO_METRICS_HELP, (r, emit) => {
        if (r.snapshot.syscall) emit(NO_LABELS, r.snapshot.syscall.nDrops);
      });
      this.counter("falcosecurity_scap_n_drops_scratch_map_total", FALCO_METRICS_HELP, (r, emit) => {
        if (r.snapshot.syscall) emit(NO_LABELS, r.snapshot.syscall.dropsScratchBusy);
      });
      this.counter(
        "saker_probe_drops_total",
        "Events the probe lost, by cause",
        (r, emit) => {
          const s = r.snapshot.syscall;
          if (!s) return;
          emit({ cause: "buffer_full" }, s.dropsBufferFull);
          emit({ cause: "too_big" }, s.dropsTooBig);
          emit({ cause: "scratch_busy" }, s.dropsScratchBusy);
          emit({ cause: "startup_buffer" }, s.startupDropped);
        },
        ["cause"],
      );
    }

    this.defineSakerOwn();
  }

  // Figures Falco has no metric for: events processed, faults, the outputs queue, the audit webhook.
  private defineSakerOwn(): void {
    const counter = (name: string, help: string, read: (s: MetricsSnapshot) => number | undefined): void => {
      this.counter(name, help, (r, emit) => {
        const v = read(r.snapshot);
        if (v !== undefined) emit(NO_LABELS, v);
      });
    };
    const gauge = (name: string, help: string, read: (s: MetricsSnapshot) => number | undefined): void => {
      this.gauge(name, help, (r, emit) => {
        const v = read(r.snapshot);
        if (v !== undefined) emit(NO_LABELS, v);
      });
    };
    this.counter(
      "saker_events_processed_total",
      "Events evaluated against the rules, by source",
      (r, emit) => {
        if (r.snapshot.syscall) emit({ source: "syscall" }, r.snapshot.syscall.eventsProcessed);
        if (r.snapshot.k8sAudit) emit({ source: "k8s_audit" }, r.snapshot.k8sAudit.evaluated);
      },
      ["source"],
    );
    counter(
      "saker_event_faults_total",
      "Events whose processing failed (counted, never fatal)",
      (s) => s.syscall?.faults,
    );
    counter(
      "saker_syscall_event_drops_total",
      "Times syscall_event_drops noticed lost events",
      (s) => s.syscall?.dropAlerts.occurrences,
    );
    this.gauge(
      "saker_alert_latency_milliseconds",
      "Event-to-queue latency of recent alerts",
      (r, emit) => {
        const l = r.snapshot.syscall?.alertLatencyMs;
        if (!l) return;
        emit({ quantile: "0.5" }, l.p50);
        emit({ quantile: "0.99" }, l.p99);
        emit({ quantile: "1" }, l.max);
      },
      ["quantile"],
    );
    counter(
      "saker_outputs_queue_enqueued_total",
      "Messages accepted into the outputs queue",
      (s) => s.outputs?.enqueued,
    );
    counter(
      "saker_outputs_queue_delivered_total",
      "Messages handed to every output",
      (s) => s.outputs?.delivered,
    );
    counter(
      "saker_outputs_queue_discarded_total",
      "Messages discarded at shutdown",
      (s) => s.outputs?.discarded,
    );
    counter(
      "saker_outputs_timeouts_total",
      "Times an output stayed busy past output_timeout",
      (s) => s.outputs?.timeouts,
    );
    gauge("saker_outputs_queue_pending", "Messages waiting in the outputs queue", (s) => s.outputs?.pending);

    counter(
      "saker_k8saudit_requests_total",
      "Requests to the audit webhook",
      (s) => s.k8sAudit?.webhook?.requests,
    );
    counter(
      "saker_k8saudit_accepted_events_total",
      "Audit events the webhook queued",
      (s) => s.k8sAudit?.webhook?.acceptedEvents,
    );
    this.counter(
      "saker_k8saudit_rejected_total",
      "Audit webhook requests refused, by code",
      (r, emit) => {
        const rejected = r.snapshot.k8sAudit?.rejected;
        if (rejected) for (const code in rejected) emit({ code }, rejected[code]!);
      },
      ["code"],
    );
    counter(
      "saker_k8saudit_alerts_total",
      "Alerts from webhook audit events",
      (s) => s.k8sAudit?.webhook?.alerts,
    );
    gauge(
      "saker_k8saudit_queue_depth",
      "Audit events waiting for evaluation",
      (s) => s.k8sAudit?.webhook?.queueDepth,
    );
    gauge(
      "saker_k8saudit_queue_capacity",
      "Audit events the webhook queue holds at most",
      (s) => s.k8sAudit?.webhook?.queueCapacity,
    );
  }

  // The rules counter's label names depend on the loaded rules' tags; prom-client wants them up front, so
  // the counter is made again when the set changes (on a reload, not per scrape).
  private prepareRulesCounter(matches: readonly RuleMatchCount[]): void {
    const tagLabels = new Set<string>();
    for (const m of matches) if (m.count > 0) for (const t of m.tags) tagLabels.add(tagLabel(t));
    const names = ["priority", "rule_name", "source", ...[...tagLabels].sort()];
    const key = names.join(",");
    if (this.rulesCounter !== null && key === this.rulesCounterLabels) return;
    if (this.rulesCounter !== null) this.registry.removeSingleMetric(RULES_MATCHES);
    this.rulesCounterLabels = key;
    this.rulesCounter = this.counter(
      RULES_MATCHES,
      FALCO_METRICS_HELP,
      (r, emit) => {
        // Falco lists rules that matched at least once, labels sorted (a std::map).
        for (const m of r.snapshot.rules?.matches ?? []) {
          if (m.count <= 0) continue;
          const labels: Labels = { priority: String(m.priority), rule_name: m.rule, source: m.source };
          for (const t of [...m.tags].sort()) {
            const label = tagLabel(t);
            if (!(label in labels)) labels[label] = "true";
          }
          emit(labels, m.count);
        }
      },
      names,
    );
  }

  private gauge(name: string, help: string, read: Read, labelNames: string[] = []): Gauge {
    const reading = (): MetricsReading | null => this.current;
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        let emitted = false;
        const r = reading();
        if (r !== null) {
          read(r, (labels, v) => {
            emitted = true;
            this.set(labels, finite(v));
          });
        }
        // prom-client gives an unlabelled metric a 0 sample on reset; a figure the source lacks has none.
        if (!emitted && labelNames.length === 0) this.remove({});
      },
    });
  }

  private counter(name: string, help: string, read: Read, labelNames: string[] = []): Counter {
    const reading = (): MetricsReading | null => this.current;
    return new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        // A counter's value is the source's running total: set it by starting from zero.
        this.reset();
        let emitted = false;
        const r = reading();
        if (r !== null) {
          read(r, (labels, v) => {
            emitted = true;
            this.inc(labels, Math.max(0, finite(v)));
          });
        }
        if (!emitted && labelNames.length === 0) this.remove({});
      },
    });
  }
}

/** Saker state counters published under Falco's names. */
const FALCO_STATE_COUNTERS = new Set(["threadsRemoved", "threadTableFull"]);

/** `tag_<tag>` with characters Prometheus labels cannot hold made "_", runs of "_" collapsed (as libs). */
export function tagLabel(tag: string): string {
  return ("tag_" + tag).replace(/[^a-zA-Z0-9_]/g, "_").replace(/_+/g, "_");
}

export function durationSec(p: ProcessStats): number {
  return Number((p.nowNs - p.startTsNs) / 1_000_000_000n);
}

function baseName(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? path : path.slice(i + 1);
}

function finite(v: number): number {
  return Number.isFinite(v) ? v : 0;
}

// prom-client writes HELP and TYPE even for a metric without samples (a part the source does not have);
// Falco writes nothing for those, so such blocks are left out.
function dropEmptyFamilies(text: string): string {
  const blocks = text.split("\n\n");
  const kept = blocks.filter((b) => b.split("\n").some((line) => line !== "" && !line.startsWith("#")));
  return kept.length === 0 ? "" : kept.join("\n\n").replace(/\n*$/, "\n");
}
