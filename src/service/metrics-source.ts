// What the metrics read: a MetricsSource hands out one MetricsSnapshot per scrape (Prometheus) or per
// interval (the metrics snapshot), as plain figures. The parts are optional so that every kind of agent can
// feed it: the live syscall agent fills `syscall`, `outputs` and `rules`; an audit-only agent fills
// `k8sAudit` (and `rules`); one running both fills all of them.
//
// The adapters below turn the agent's AgentSummary and the webhook's WebhookStats into those parts. They
// run once per scrape or interval, never per event, and allocate the snapshot they return.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { AgentSummary } from "../agent/agent.js";
import type { WebhookStats } from "../k8saudit/webhook/server.js";

/** A loaded rules or configuration file and the sha256 of its content (hex). */
export interface FileDigest {
  readonly path: string;
  readonly sha256: string;
}

/** A rule's match counter with what Falco labels it with. */
export interface RuleMatchCount {
  readonly rule: string;
  /** Falco's numeric priority: 0 Emergency .. 7 Debug. */
  readonly priority: number;
  readonly source: string;
  readonly tags: readonly string[];
  readonly count: number;
}

export interface RulesMetrics {
  /** Every loaded rule (also those that never matched). */
  readonly matches: readonly RuleMatchCount[];
}

/** The syscall source: the probe's counters and the engine's own. */
export interface SyscallMetrics {
  /** The driver in Falco's terms (scap.engine_name): "modern_bpf" for Saker's CO-RE ring-buffer probe. */
  readonly engineName: string;
  /** Events the probe wrote to the ring buffer (scap.n_evts). */
  readonly nEvts: number;
  /** Events the probe lost, all causes (scap.n_drops). */
  readonly nDrops: number;
  /** Lost because the ring buffer was full. */
  readonly dropsBufferFull: number;
  /** Lost because they exceeded the largest event size. */
  readonly dropsTooBig: number;
  /** Lost because their CPU's scratch space was busy. */
  readonly dropsScratchBusy: number;
  /** Events lost from the start-up buffer. */
  readonly startupDropped: number;
  /** Events processed by the state engine and the rules (falco.num_evts). */
  readonly eventsProcessed: number;
  /** Events whose processing threw (counted, never fatal). */
  readonly faults: number;
  /** syscall_event_drops: times drops were noticed, and actions taken. */
  readonly dropAlerts: { readonly occurrences: number; readonly actionsTaken: number };
  /** The state engine's counters, by their Saker names (threadTableFull, threadsRemoved, ...). */
  readonly stateCounters: Readonly<Record<string, number>>;
  /** Threads and fds in the tables now, when known. */
  readonly threads?: number;
  readonly fds?: number;
  /** Event-to-queue latency of alerts, ms. */
  readonly alertLatencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

/** The outputs queue's totals (the agent's OutputQueueStats has these and more). */
export interface OutputsMetrics {
  readonly enqueued: number;
  readonly delivered: number;
  /** Dropped because the queue was full (falco.outputs_queue_num_drops). */
  readonly dropped: number;
  readonly discarded: number;
  readonly pending: number;
  readonly timeouts: number;
}

/** The k8s_audit source: read from a file or received by the webhook. */
export interface K8sAuditMetrics {
  /** Audit events evaluated against the rules. */
  readonly evaluated: number;
  /** Requests, payloads and events refused, by code. */
  readonly rejected: Readonly<Record<string, number>>;
  readonly rejectedTotal: number;
  /** The webhook's figures; absent when events come from a file. */
  readonly webhook?: {
    readonly requests: number;
    readonly acceptedEvents: number;
    readonly alerts: number;
    readonly queueDepth: number;
    readonly queueCapacity: number;
  };
}

export interface MetricsSnapshot {
  /** Last (re)load of the rules and configuration, ns since the epoch (falco.reload_ts). */
  readonly reloadTsNs: bigint;
  readonly rulesFiles: readonly FileDigest[];
  readonly configFiles: readonly FileDigest[];
  readonly syscall?: SyscallMetrics;
  readonly k8sAudit?: K8sAuditMetrics;
  readonly outputs?: OutputsMetrics;
  readonly rules?: RulesMetrics;
}

/** Called once per scrape and once per snapshot interval; must be synchronous and quick. */
export interface MetricsSource {
  snapshot(): MetricsSnapshot;
}

/** What Falco labels a rule's counter with, looked up by rule name. */
export interface RuleInfo {
  readonly priority: number;
  readonly source: string;
  readonly tags: readonly string[];
}

/**
 * The parts an AgentSummary holds (`agent.summary()` is synchronous): the syscall source when it runs,
 * the k8s_audit source when it runs, the outputs queue and the rule counters.
 */
export function fromAgentSummary(
  summary: AgentSummary,
  ruleInfo: (name: string) => RuleInfo | undefined,
): Pick<MetricsSnapshot, "syscall" | "k8sAudit" | "outputs" | "rules"> {
  const p = summary.probe;
  const audit = summary.audit ?? null;
  // Older summaries have no per-source figures: the syscall source ran.
  const bySource = summary.eventsBySource ?? { syscall: summary.events };
  return {
    k8sAudit:
      audit === null
        ? undefined
        : audit.webhook !== null
          ? fromWebhookStats(audit.webhook)
          : { evaluated: audit.events, rejected: audit.rejected, rejectedTotal: audit.rejectedTotal },
    syscall:
      bySource.syscall === undefined
        ? undefined
        : {
            engineName: "modern_bpf",
            nEvts: p.sent,
            nDrops: p.drops,
            dropsBufferFull: p.dropFull,
            dropsTooBig: p.dropTooBig,
            dropsScratchBusy: p.dropBusy,
            startupDropped: summary.startupDropped,
            eventsProcessed: summary.events,
            faults: summary.faults,
            dropAlerts: summary.drops,
            stateCounters: summary.stateCounters,
            alertLatencyMs: summary.alertLatencyMs,
          },
    outputs: summary.outputs,
    rules: { matches: ruleMatches(summary.alertsByRule, ruleInfo, "syscall") },
  };
}

/** The k8s_audit part from a webhook's figures (an audit-only agent running the webhook alone). */
export function fromWebhookStats(w: WebhookStats): K8sAuditMetrics {
  return {
    evaluated: w.evaluated,
    rejected: w.rejected,
    rejectedTotal: w.rejectedTotal,
    webhook: {
      requests: w.requests,
      acceptedEvents: w.acceptedEvents,
      alerts: w.alerts,
      queueDepth: w.queueDepth,
      queueCapacity: w.queueCapacity,
    },
  };
}

/** Rule counters from a name -> count map; rules the lookup does not know get `defaultSource`, priority 7. */
export function ruleMatches(
  byRule: ReadonlyMap<string, number>,
  ruleInfo: (name: string) => RuleInfo | undefined,
  defaultSource: string,
): RuleMatchCount[] {
  const out: RuleMatchCount[] = [];
  for (const [rule, count] of byRule) {
    const info = ruleInfo(rule);
    out.push({
      rule,
      count,
      priority: info?.priority ?? 7,
      source: info?.source ?? defaultSource,
      tags: info?.tags ?? [],
    });
  }
  return out;
}

/** sha256 of each file, read off the event loop; a file that cannot be read is left out. */
export async function fileDigests(paths: readonly string[]): Promise<FileDigest[]> {
  const results = await Promise.all(
    paths.map(async (path) => {
      try {
        const data = await readFile(path);
        return { path, sha256: createHash("sha256").update(data).digest("hex") };
      } catch {
        return null;
      }
    }),
  );
  return results.filter((r): r is FileDigest => r !== null);
}
