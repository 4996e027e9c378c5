// The periodic metrics snapshot (Falco's stats_writer): every metrics.interval, read the figures once,
// build one record per event source, hand each to `onRecord` when metrics.output_rule is on (the caller
// routes it to the outputs queue as the internal alert "Falco internal: metrics snapshot"), and append one
// JSON line per record to metrics.output_file when it is set.
//
// The timer is unref'd (it never keeps the process alive). The file is appended with fs promises, off the
// event loop; a write failure is logged (once, and again when writes work again) and never stops the
// timer. A snapshot still running when the next is due makes that one skipped and counted, so slow /proc
// reads or a slow disk cannot pile snapshots up.
//
// Allocates per interval: the reading, the records and their text.
import { appendFile } from "node:fs/promises";
import { escapeText } from "../alerts/escape.js";
import type { MetricsConfig } from "../config/types.js";
import { metricsFileLine, MetricsRecorder, type MetricsRecord } from "./metrics-record.js";
import type { MetricsReading } from "./metrics.js";

export const METRICS_SNAPSHOT_ERRORS = {
  SAKER_METRICS_BAD_INTERVAL: "metrics.interval must be a positive duration (e.g. 1h, 15m, 30s)",
  SAKER_METRICS_OUTPUT_FILE: "cannot append the metrics snapshot to metrics.output_file",
  SAKER_METRICS_OUTPUT_RULE: "the metrics snapshot alert could not be queued",
} as const;

export type MetricsSnapshotErrorCode = keyof typeof METRICS_SNAPSHOT_ERRORS;

export interface MetricsSnapshotError {
  readonly code: MetricsSnapshotErrorCode;
  readonly message: string;
}

const LOG_ERR = 3;
const LOG_NOTICE = 5;

export interface MetricsSnapshotOptions {
  readonly config: MetricsConfig;
  /** Reads the figures once per interval (SakerMetrics.read). */
  readonly read: () => Promise<MetricsReading>;
  /** evt.hostname of the records. */
  readonly hostname: string;
  /** Default SAKER_VERSION. */
  readonly version?: string;
  /** Each record, when metrics.output_rule is on. Keep it quick (push to a queue). */
  readonly onRecord?: (record: MetricsRecord) => void;
  /** Falco's log (syslog level, message). */
  readonly log: (level: number, message: string) => void;
}

export interface MetricsSnapshotStats {
  readonly snapshots: number;
  readonly skipped: number;
  readonly writeFailures: number;
}

export class MetricsSnapshotTimer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly recorder: MetricsRecorder;
  private snapshots = 0;
  private skipped = 0;
  private writeFailures = 0;
  private failing = false;

  constructor(private readonly options: MetricsSnapshotOptions) {
    this.recorder = new MetricsRecorder({
      config: options.config,
      hostname: options.hostname,
      version: options.version,
    });
  }

  /** Whether snapshots go anywhere (output_rule or output_file). */
  get active(): boolean {
    const c = this.options.config;
    return c.enabled && (c.outputRule || c.outputFile !== "");
  }

  start(): void {
    if (this.timer !== null || !this.active) return;
    this.timer = setInterval(() => this.tick(), this.options.config.intervalMs);
    this.timer.unref();
  }

  /** Take one snapshot now (the timer calls this); resolves when its outputs are done. */
  tick(): Promise<void> {
    if (this.running !== null) {
      this.skipped++;
      return this.running;
    }
    this.running = this.snapshot().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stop the timer and wait for a snapshot in progress. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.running !== null) await this.running;
  }

  stats(): MetricsSnapshotStats {
    return { snapshots: this.snapshots, skipped: this.skipped, writeFailures: this.writeFailures };
  }

  private async snapshot(): Promise<void> {
    const c = this.options.config;
    const records = this.recorder.records(await this.options.read());
    this.snapshots++;
    if (c.outputRule && this.options.onRecord) {
      for (const record of records) {
        try {
          this.options.onRecord(record);
        } catch (e) {
          this.options.log(LOG_ERR, describe("SAKER_METRICS_OUTPUT_RULE", e));
        }
      }
    }
    if (c.outputFile !== "" && records.length > 0) {
      let text = "";
      for (const record of records) text += metricsFileLine(record) + "\n";
      try {
        await appendFile(c.outputFile, text);
        if (this.failing) {
          this.failing = false;
          this.options.log(LOG_NOTICE, `metrics: writing to ${quote(c.outputFile)} works again`);
        }
      } catch (e) {
        this.writeFailures++;
        if (!this.failing) {
          this.failing = true;
          this.options.log(LOG_ERR, describe("SAKER_METRICS_OUTPUT_FILE", e, c.outputFile));
        }
      }
    }
  }
}

export type StartMetricsSnapshotResult =
  | { readonly ok: true; readonly timer: MetricsSnapshotTimer }
  | { readonly ok: false; readonly error: MetricsSnapshotError };

/** Check the interval and start the timer (a timer with nowhere to write stays idle). */
export function startMetricsSnapshots(options: MetricsSnapshotOptions): StartMetricsSnapshotResult {
  const ms = options.config.intervalMs;
  // setInterval cannot wait more than 2^31-1 ms (about 24.8 days).
  if (!Number.isFinite(ms) || ms <= 0 || ms > 2 ** 31 - 1) {
    const code = "SAKER_METRICS_BAD_INTERVAL";
    return {
      ok: false,
      error: { code, message: `${METRICS_SNAPSHOT_ERRORS[code]}; got ${quote(options.config.interval)}` },
    };
  }
  const timer = new MetricsSnapshotTimer(options);
  timer.start();
  return { ok: true, timer };
}

function describe(code: MetricsSnapshotErrorCode, e: unknown, path?: string): string {
  const detail = e instanceof Error ? e.message : String(e);
  return `${code}: ${METRICS_SNAPSHOT_ERRORS[code]}${path === undefined ? "" : ` ${quote(path)}`}: ${escapeText(detail)}`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}
