// The live agent: rules -> detector -> the syscalls it needs -> probe -> state -> rules -> alerts.
//
// Start-up, in this order (each step's failure is a value with a stable code, never a crash):
//   1. rules load and the selection (minimum priority, `rules:`, -D/-T/-t) is applied; the detector plans
//      the syscall rules once;
//   2. the syscalls to capture are the rules' plus the state engine's (syscalls.ts, base_syscalls, -A);
//   3. the probe loader starts (privileges.ts: reduced to CAP_BPF + CAP_PERFMON when we are root) and the
//      selection is applied: from here on the kernel records events. Until the initial state is in,
//      events are copied into a bounded start-up buffer, so nothing that happens during the /proc scan
//      is lost or seen out of order;
//   4. /proc is scanned into the state engine (processes, fds, users, groups, interfaces);
//   5. the engine drops its privileges (setgroups, setgid, setuid);
//   6. the buffered events are processed, then live ones as they come.
//
// Per event (the hot path, no allocation unless a rule matches):
//   state     EventProcessor.process updates threads/fds and returns the reused SyscallEvent;
//   drops     the drop monitor compares the event time with its next check (drops.ts);
//   dispatch  the rules for the event's code (generic events: for its syscall id), from tables built
//             once per rule set; first match (rule_matching: first) or all;
//   alert     the rule's formatter captures the alert and renders the line (JSON or text, escaped),
//             which is pushed into the bounded output queue (outputs.ts) and handled off this path.
//
// reload(paths) loads rules again and swaps the detector and the dispatch tables between two events, then
// sends the probe the new selection: capture is never restarted. SIGHUP calls it (see cli/commands/run.ts).
//
// The k8s_audit source (audit-source.ts: a file read once, or the webhook) runs beside the syscall source
// when the configuration loads the k8saudit plugin. Rules load once; each rule is planned by its source's
// detector; both sources' alerts go into the same output queue and the same counters, and reload swaps
// both detectors. The audit path never touches the syscall hot path: it has its own detector and runs on
// its own turns of the event loop. The agent ends on its own once every enabled source has ended (a file
// source alone, as Falco ends with a file), besides errors.
import { type Alert, type AlertConfig, internalAlertJson, internalAlertText } from "../alerts/alert.js";
import type { AuditEvent } from "../k8saudit/event.js";
import { k8sAuditSource } from "../k8saudit/source.js";
import type { Ruleset as LoadedRuleset } from "../rules/ruleset-model.js";
import {
  AUDIT_SOURCE_ERRORS,
  type AuditSource,
  type AuditSourceStats,
  openAuditSource,
} from "./audit-source.js";
import type { AuditSourceSpec } from "./audit-sources.js";
import { dropPrivileges } from "./privileges.js";
import { EVENT_TYPE_MAX } from "../capture/events/table.js";
import type { LiveCaptureOptions, LiveResult, LiveStats, Selection } from "../capture/live/capture.js";
import { ZERO_STATS } from "../capture/live/protocol.js";
import { SYSCALL_ID_LIMIT, eventTypeTables } from "../capture/pipeline/event-types.js";
import type { ScapEvent } from "../capture/scap/event.js";
import type { ScapRecord } from "../capture/scap/records.js";
import { type Detector, type PlannedRule, buildDetector } from "../engine/detector.js";
import { Ruleset } from "../engine/ruleset.js";
import { syscallSource } from "../fields/syscall/source.js";
import type { ExtraOutputField, ExtraOutputFormat } from "../rules/loader/compiler.js";
import { sourceWithStaticFields, type StaticFields } from "../fields/static.js";
import { loadRulesPaths } from "../rules/loader/load.js";
import { formatResults } from "../rules/loader/results.js";
import { Priority } from "../rules/priority.js";
import type { SelectionOptions } from "../rules/selection.js";
import type { SyscallEvent } from "../state/event.js";
import { type ProcScanOptions, type ProcScanResult, procScanRecords } from "../state/proc-scan.js";
import { EventProcessor, type ProcessorOptions } from "../state/processor.js";
import { type DropMonitorSettings, LiveDropMonitor, formatDropStats } from "./drops.js";
import { type OutputChannel, OutputQueue, type OutputQueueStats } from "../outputs/index.js";
import type { TargetUser } from "./privileges.js";
import { LiveSession } from "./session.js";
import { type BaseSyscalls, type SyscallSelection, selectSyscalls } from "./syscalls.js";
import { escapeControls, escapeText } from "../alerts/escape.js";
import type { JsonScalar } from "../alerts/json.js";
import { formatDetectionSummary } from "../alerts/summary.js";

/** Why the agent could not start, or stopped with an error (exit status 1). Tests assert on the code. */
export const AGENT_ERRORS = {
  /** -D/-T combined with -t, or flags with a `rules:` section. */
  SAKER_RUN_SELECTION: "conflicting rule selection",
  /** A rules file failed to load. */
  SAKER_RUN_RULES: "rules failed to load",
  /** A loaded rule could not be planned against the syscall source (a bug). */
  SAKER_RUN_DETECTOR: "rules could not be planned",
  /** The kernel has no BTF (/sys/kernel/btf/vmlinux): the CO-RE probe cannot load. */
  SAKER_RUN_NO_BTF: "the kernel has no BTF, the probe cannot be loaded",
  /** The probe loader binary is missing (scripts/build-probe.sh builds it). */
  SAKER_RUN_PROBE_MISSING: "the probe loader is not built",
  /** Loading the probe was refused: not root, or no CAP_BPF + CAP_PERFMON. */
  SAKER_RUN_NOT_PERMITTED: "not permitted to load the probe (run as root, or with CAP_BPF and CAP_PERFMON)",
  /** The probe could not be loaded or attached for another reason. */
  SAKER_RUN_PROBE_FAILED: "the probe could not be loaded",
  /** The engine could not give up its privileges (it refuses to run privileged). */
  SAKER_RUN_PRIVILEGES: "could not drop privileges",
  /** The probe loader stopped while the agent was running. */
  SAKER_RUN_CAPTURE_LOST: "the probe stopped while capturing",
  /** The syscall event drop monitor's `exit` action stopped the agent. */
  SAKER_RUN_DROPS_EXIT: "Drop manager internal error",
  ...AUDIT_SOURCE_ERRORS,
} as const;

export type AgentErrorCode = keyof typeof AGENT_ERRORS;

export interface AgentError {
  readonly code: AgentErrorCode;
  readonly message: string;
  /**
   * Multi-line text that explains the error (the rules' load errors, escaped), printed before the
   * error line: Falco prints a rules failure in full on stderr whatever its log settings say.
   */
  readonly details?: string;
}

/** Syslog levels of Falco's logger. */
const LOG_ERR = 3;
const LOG_WARNING = 4;
const LOG_INFO = 6;
const LOG_DEBUG = 7;

export interface AgentOptions {
  /** Rules files or directories, loaded in order. */
  readonly rulesPaths: readonly string[];
  readonly alertConfig: AlertConfig;
  /** rule_matching (default "first"). */
  readonly matching?: "first" | "all";
  /** Minimum priority, `rules:`, -D/-T/-t. */
  readonly selection?: SelectionOptions;
  /** append_output entries with an extra output format (suggested formats included). */
  readonly extraOutput?: readonly ExtraOutputFormat[];
  /** append_output extra_fields. */
  readonly extraFields?: readonly ExtraOutputField[];
  /** static_fields: `static.<name>` fields of every source. */
  readonly staticFields?: StaticFields;
  /** base_syscalls (`all` also set by -A). */
  readonly baseSyscalls?: BaseSyscalls;
  /** syscall_event_drops. */
  readonly drops?: DropMonitorSettings;
  /** State engine limits. */
  readonly state?: ProcessorOptions;
  /**
   * The syscall source. "live": the probe; "none": enabled without a driver (engine.kind nodriver);
   * "disabled": not enabled (--enable-source/--disable-source).
   */
  readonly source: "live" | "none" | "disabled";
  /** The k8s_audit source, when the k8saudit plugin is loaded and the source enabled. */
  readonly audit?: AuditSourceSpec | null;
  /** Loaded event sources, for the start-up log (default: the syscall source, and k8s_audit with `audit`). */
  readonly loadedSources?: readonly string[];
  /** Where alerts go (stdout_output.enabled -> a StreamChannel on fd 1). */
  readonly outputs: readonly OutputChannel[];
  /** outputs_queue.capacity (Infinity: bounded to DEFAULT_QUEUE_BOUND). */
  readonly queueCapacity?: number;
  /** output_timeout, ms. */
  readonly outputTimeoutMs?: number;
  /** Falco's log (syslog level, message). */
  readonly log: (level: number, message: string) => void;
  /** The k8saudit plugin's own log lines (stderr, whatever log_stderr says); default: `log` at warning. */
  readonly pluginLog?: (line: string) => void;
  /** Loader options (path, ring buffer size, snaplen). */
  readonly capture?: LiveCaptureOptions;
  /** The user the engine (and the loader) run as once started as root; null keeps root (not advised). */
  readonly user?: TargetUser | null;
  /** /proc scan options. */
  readonly procScan?: ProcScanOptions;
  /** Also log rules-loading warnings in full. */
  readonly verbose?: boolean;
  /** Most bytes of events held while the initial state is read (default 64 MiB). */
  readonly startupBufferBytes?: number;
}

/** Figures of a run, for the end summary and the benchmark. */
export interface AgentSummary {
  readonly elapsedMs: number;
  /** Syscall events processed by the state engine and the rules. */
  readonly events: number;
  /**
   * Events evaluated per enabled source ("syscall", "k8s_audit"). Always set by the agent; optional so
   * summaries built elsewhere (tests, other consumers) need not name sources: absent means syscall only.
   */
  readonly eventsBySource?: Readonly<Record<string, number>>;
  /** The k8s_audit source's figures (null or absent when it does not run). */
  readonly audit?: AuditSourceStats | null;
  readonly eventsPerSecond: number;
  /** The probe's last counters (sent, drops by cause). */
  readonly probe: LiveStats;
  /** Events lost from the start-up buffer (it was full). */
  readonly startupDropped: number;
  readonly alertsTotal: number;
  /** Alerts per priority, indexed by Priority. */
  readonly alertsByPriority: readonly number[];
  /** Alerts per rule name, every rule loaded so far (also rules that never fired). */
  readonly alertsByRule: ReadonlyMap<string, number>;
  readonly drops: { readonly occurrences: number; readonly actionsTaken: number };
  readonly outputs: OutputQueueStats;
  /** Events whose processing threw (a bug; counted, never fatal). */
  readonly faults: number;
  readonly stateCounters: Readonly<Record<string, number>>;
  /** Kernel-to-queue latency of alerts (ms): now minus event time when the alert was queued. */
  readonly alertLatencyMs: {
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
    readonly n: number;
  };
  readonly scan: { readonly processes: number; readonly fds: number; readonly elapsedMs: number } | null;
}

export interface AgentExit {
  /** Null for a clean stop. */
  readonly error: AgentError | null;
  readonly summary: AgentSummary;
}

export interface ReloadResult {
  readonly ok: boolean;
  readonly error?: AgentError;
  /** Syscalls now captured that were not, and the reverse. */
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly rules: number;
}

type Rule = PlannedRule<SyscallEvent>;

/** The detectors and the syscall dispatch tables: swapped as one on reload. */
interface RuleTables {
  readonly detector: Detector<SyscallEvent>;
  /** The k8s_audit rules, when that source runs. */
  readonly audit: Detector<AuditEvent> | null;
  /** Every loaded rule's name in load order: the summary lists rules in this order, as Falco. */
  readonly ruleOrder: readonly string[];
  readonly byCode: readonly (readonly Rule[])[];
  readonly bySyscall: readonly (readonly Rule[])[];
  readonly other: readonly Rule[];
  readonly selection: SyscallSelection;
}

type Built = { ok: true; tables: RuleTables } | { ok: false; error: AgentError };

const LATENCY_SAMPLES = 4096;
/** Queued alerts above which a file source waits for the outputs (a file has no deadline; capture has). */
const AUDIT_QUEUE_MARK = 4096;

export class Agent {
  private tables: RuleTables;
  private readonly processor: EventProcessor;
  private readonly queue: OutputQueue;
  private readonly ruleInfoCache = new WeakMap<
    RuleTables,
    Map<string, { priority: number; source: string; tags: readonly string[] }>
  >();
  private readonly matchAll: boolean;
  private readonly alertConfig: AlertConfig;
  private session: LiveSession | null = null;
  private auditSource: AuditSource | null = null;
  private dropMonitor: LiveDropMonitor | null = null;
  private nEvents = 0;
  private faults = 0;
  private alerts = 0;
  private readonly byPriority = new Array<number>(8).fill(0);
  /** Counts of rules from earlier rule sets (reload), by name. */
  private readonly pastCounts = new Map<string, number>();
  private readonly latency = new Float64Array(LATENCY_SAMPLES);
  private latencyN = 0;
  private stopping = false;
  private exitError: AgentError | null = null;
  private readonly startedMs = Date.now();
  private scanInfo: AgentSummary["scan"] = null;
  private finished: ((exit: AgentError | null) => void) | null = null;
  /** Resolves when the agent must stop on its own (probe lost, drop monitor exit). */
  readonly done: Promise<AgentError | null>;

  private constructor(
    private readonly options: AgentOptions,
    built: RuleTables,
  ) {
    this.tables = built;
    this.processor = new EventProcessor(options.state);
    this.matchAll = (options.matching ?? "first") === "all";
    this.alertConfig = options.alertConfig;
    this.queue = new OutputQueue(options.outputs, {
      capacity: options.queueCapacity,
      timeoutMs: options.outputTimeoutMs,
      log: options.log,
    });
    this.done = new Promise((resolve) => {
      this.finished = resolve;
    });
  }

  /** Start the agent (see the header for the order). Resolves once events flow, or with the error. */
  static async start(
    options: AgentOptions,
  ): Promise<{ ok: true; agent: Agent } | { ok: false; error: AgentError }> {
    const log = options.log;
    const built = buildTables(options, options.rulesPaths);
    if (!built.ok) return built;
    const agent = new Agent(options, built.tables);
    const syscall = options.source !== "disabled";
    const audit = options.audit ?? null;
    if (syscall) logSelection(log, built.tables.selection);
    const loaded = options.loadedSources ?? (audit !== null ? ["syscall", "k8s_audit"] : ["syscall"]);
    const enabled = [...(syscall ? ["syscall"] : []), ...(audit !== null ? ["k8s_audit"] : [])];
    log(LOG_INFO, `Loaded event sources: ${loaded.join(", ")}`);
    log(LOG_INFO, `Enabled event sources: ${enabled.join(", ")}`);
    // The audit source opens first: a webhook port below 1024 is bound while we may still be root.
    if (audit !== null) {
      const err = await agent.startAudit(audit);
      if (err !== null) return { ok: false, error: err };
    }
    if (options.source === "none") log(LOG_INFO, "Opening 'syscall' source with no driver");
    if (options.source === "live") {
      const err = await agent.startLive();
      if (err !== null) {
        await agent.auditSource?.stop();
        return { ok: false, error: err };
      }
    } else if (audit?.input.kind === "webhook" && options.user !== undefined && options.user !== null) {
      // No probe to hand privileges to: give them up once the webhook listens, as the live start does.
      const dropped = dropPrivileges(options.user);
      if (!dropped.ok) {
        await agent.auditSource?.stop();
        return { ok: false, error: { code: "SAKER_RUN_PRIVILEGES", message: dropped.message } };
      }
      log(LOG_INFO, `Running as ${escapeText(dropped.user.name)} (uid ${dropped.user.uid})`);
    }
    return { ok: true, agent };
  }

  private async startAudit(spec: AuditSourceSpec): Promise<AgentError | null> {
    const opened = await openAuditSource(spec, {
      detector: () => this.tables.audit!,
      alert: (alert, text) => this.auditAlert(alert, text),
      // A file waits while the output queue holds more than a few thousand alerts.
      room: () => (this.queue.stats.pending > AUDIT_QUEUE_MARK ? this.queue.flush() : Promise.resolve()),
      log: this.options.log,
      pluginLog: this.options.pluginLog ?? ((line) => this.options.log(LOG_WARNING, line.trimEnd())),
    });
    if (!opened.ok) return opened.error;
    const source = opened.source;
    this.auditSource = source;
    void source.done.then((error) => {
      if (error !== null) this.fail(error);
      else if (this.options.source === "disabled" && !this.stopping) this.finished?.(null);
    });
    return null;
  }

  private async startLive(): Promise<AgentError | null> {
    const o = this.options;
    const log = o.log;
    const ringMb = o.capture?.ringBufferMb ?? 8;
    log(LOG_INFO, `The chosen syscall buffer dimension is: ${ringMb * 1024 * 1024} bytes (${ringMb} MBs)`);
    log(LOG_INFO, "Opening 'syscall' source with modern BPF probe.");
    let stats: () => LiveStats = () => ZERO_STATS;
    this.dropMonitor = new LiveDropMonitor(
      o.drops ?? {
        actions: new Set(["ignore"]),
        threshold: 0.1,
        rate: 0.03333,
        maxBurst: 1,
        simulateDrops: false,
      },
      {
        log: (level, message) => log(level, message),
        alert: (time, rule, message, fields) => this.internalAlert(time, rule, message, fields),
      },
      () => stats(),
    );
    const opened = await LiveSession.open(
      {
        onScan: (scan) => this.importScan(scan),
        onEvent: (ev) => this.handle(ev),
        onOwnStartupEvent: (ev) => {
          this.nEvents++;
          try {
            this.processor.process(ev);
          } catch {
            this.faults++;
          }
        },
      },
      this.tables.selection.selected,
      {
        log,
        capture: { ...o.capture, ringBufferMb: ringMb },
        user: o.user ?? null,
        procScan: { maxThreads: o.state?.maxThreads, ...o.procScan },
        startupBufferBytes: o.startupBufferBytes,
      },
    );
    if (!opened.ok) return opened.error;
    const session = opened.start.session;
    this.session = session;
    stats = () => session.live.stats;
    this.logProbeSelection(this.tables.selection, opened.start.selection);
    void session.done.then((r) => this.captureEnded(r));
    return null;
  }

  /**
   * Hand one event to the pipeline as if the probe had delivered it (tests, benchmarks, other sources).
   * Returns false when the agent asks to stop.
   */
  feed(ev: ScapEvent): boolean {
    return this.handle(ev);
  }

  /** Hand the pipeline initial-state records (process, fd, user, ... as the scap reader yields them). */
  feedRecord(rec: ScapRecord): void {
    this.processor.onRecord(rec);
  }

  private importScan(scan: ProcScanResult): void {
    for (const rec of procScanRecords(scan)) this.processor.onRecord(rec);
    this.processor.state.finishImport();
    this.scanInfo = { processes: scan.processes.length, fds: scan.fds.length, elapsedMs: scan.elapsedMs };
  }

  // -----------------------------------------------------------------------------------------------
  // The hot path

  private handle(ev: ScapEvent): boolean {
    this.nEvents++;
    try {
      const e = this.processor.process(ev);
      if (this.dropMonitor !== null && !this.dropMonitor.onEvent(e.tsNs)) {
        this.fail({ code: "SAKER_RUN_DROPS_EXIT", message: AGENT_ERRORS.SAKER_RUN_DROPS_EXIT });
        return false;
      }
      const t = this.tables;
      const type = ev.type;
      let rules: readonly Rule[];
      if (type <= 1) {
        let id = ev.paramLen(0) === 2 ? ev.dv.getUint16(ev.paramOff[0]!, true) : 0;
        if (id >= SYSCALL_ID_LIMIT) id = 0;
        rules = t.bySyscall[id]!;
      } else {
        rules = type < EVENT_TYPE_MAX ? t.byCode[type]! : t.other;
      }
      const n = rules.length;
      for (let i = 0; i < n; i++) {
        const rule = rules[i]!;
        if (rule.predicate(e)) {
          this.fire(rule, e, ev, t.detector);
          if (!this.matchAll) break;
        }
      }
    } catch {
      this.faults++;
    }
    return true;
  }

  private fire(rule: Rule, e: SyscallEvent, ev: ScapEvent, detector: Detector<SyscallEvent>): void {
    const alert: Alert = rule.formatter.alert(e, ev.ts);
    detector.counts[rule.index]++;
    this.alerts++;
    this.byPriority[alert.priority]++;
    const rendered = rule.formatter.render(alert);
    this.queue.push({
      time: alert.time,
      priority: alert.priority,
      rule: rule.name,
      source: "syscall",
      tags: alert.tags,
      line: this.alertConfig.jsonOutput ? rendered : escapeControls(rendered),
      alert,
    });
    const lagMs = Date.now() - Number(alert.time / 1_000_000n);
    this.latency[this.latencyN++ % LATENCY_SAMPLES] = lagMs;
  }

  /** An alert of the k8s_audit source (the detector counted it per rule already). */
  private auditAlert(alert: Alert, text: string): void {
    this.alerts++;
    this.byPriority[alert.priority]++;
    this.queue.push({
      time: alert.time,
      priority: alert.priority,
      rule: alert.rule,
      source: alert.source,
      tags: alert.tags,
      line: this.alertConfig.jsonOutput ? text : escapeControls(text),
      alert,
    });
  }

  private internalAlert(
    time: bigint,
    rule: string,
    message: string,
    fields: Readonly<Record<string, string>>,
  ): void {
    this.emitInternal(time, Priority.Debug, rule, message, fields);
  }

  /** Queue one of the agent's own alerts (source "internal"): drops, metrics snapshots. */
  emitInternal(
    time: bigint,
    priority: Priority,
    rule: string,
    message: string,
    fields: Readonly<Record<string, JsonScalar>>,
  ): void {
    const c = this.alertConfig;
    const line = c.jsonOutput
      ? internalAlertJson(time, priority, message, rule, fields, c.hostname)
      : escapeControls(internalAlertText(time, priority, message, fields, c.utcOffsetSeconds));
    this.queue.push({
      time,
      priority,
      rule,
      source: "internal",
      tags: [],
      line,
      alert: null,
    });
  }

  /** SIGUSR1: reopen the file output, respawn the program output (log rotation). */
  reopenOutputs(): void {
    this.queue.reopen();
  }

  /** A loaded rule's priority, source and tags (the labels of the rule metrics); undefined if unknown. */
  ruleInfo(name: string): { priority: number; source: string; tags: readonly string[] } | undefined {
    let byName = this.ruleInfoCache.get(this.tables);
    if (byName === undefined) {
      byName = new Map();
      for (const d of [this.tables.detector, this.tables.audit]) {
        for (const r of d?.rules ?? []) {
          byName.set(r.name, { priority: r.rule.priority, source: r.rule.source, tags: r.tags });
        }
      }
      this.ruleInfoCache.set(this.tables, byName);
    }
    return byName.get(name);
  }

  // -----------------------------------------------------------------------------------------------
  // Rules reload, selection

  /** Load rules again (the same paths unless given) and apply them without restarting capture. */
  async reload(paths: readonly string[] = this.options.rulesPaths): Promise<ReloadResult> {
    const log = this.options.log;
    const built = buildTables(this.options, paths);
    if (!built.ok) {
      const uid = process.getuid?.();
      const hint =
        uid !== undefined && uid !== 0
          ? ` (the engine runs as uid ${uid}: rules files must be readable by it)`
          : "";
      if (built.error.details !== undefined) log(LOG_ERR, built.error.details);
      log(LOG_ERR, `Rules reload failed, keeping the current rules: ${built.error.message}${hint}`);
      return {
        ok: false,
        error: built.error,
        added: [],
        removed: [],
        rules: this.tables.detector.rules.length,
      };
    }
    const before = this.tables.selection.selected;
    for (const [name, n] of this.currentCounts()) {
      this.pastCounts.set(name, (this.pastCounts.get(name) ?? 0) + n);
    }
    this.tables = built.tables;
    if (built.tables.audit !== null) this.auditSource?.setDetector(built.tables.audit);
    const after = built.tables.selection.selected;
    const added = [...after].filter((n) => !before.has(n)).sort();
    const removed = [...before].filter((n) => !after.has(n)).sort();
    if (this.options.source !== "disabled") logSelection(log, built.tables.selection);
    if (this.session !== null && !this.stopping) {
      try {
        this.logProbeSelection(
          built.tables.selection,
          await this.session.select(built.tables.selection.selected),
        );
      } catch (e) {
        log(LOG_ERR, `Could not apply the new syscall selection: ${escapeText((e as Error).message)}`);
      }
    }
    const auditRules = built.tables.audit !== null ? `, ${built.tables.audit.rules.length} k8s_audit` : "";
    log(
      LOG_INFO,
      `Rules reloaded: ${built.tables.detector.rules.length} syscall${auditRules} rules enabled; ` +
        `syscalls added: ${added.join(", ") || "none"}; removed: ${removed.join(", ") || "none"}`,
    );
    return { ok: true, added, removed, rules: built.tables.detector.rules.length };
  }

  private logProbeSelection(sel: SyscallSelection, result: Selection): void {
    const log = this.options.log;
    const unsupportedRules = result.unsupported.filter((n) => sel.rules.has(n));
    if (unsupportedRules.length > 0) {
      log(
        LOG_WARNING,
        "Rules need syscalls the probe does not capture yet; rules on them will not fire: " +
          unsupportedRules.sort().join(", "),
      );
    }
    const unsupportedState = result.unsupported.filter((n) => !sel.rules.has(n));
    if (unsupportedState.length > 0) {
      log(LOG_DEBUG, `State syscalls the probe does not capture yet: ${unsupportedState.sort().join(", ")}`);
    }
    log(
      LOG_DEBUG,
      `Probe selection: ${result.dedicated.length} syscalls with their own events, ` +
        `${result.generic.length} as generic events`,
    );
  }

  // -----------------------------------------------------------------------------------------------
  // Stopping

  /** The summary figures with the probe's counters brought up to date (everything captured so far delivered). */
  async currentSummary(): Promise<AgentSummary> {
    if (this.session !== null && !this.stopping) await this.session.sync();
    return this.summary();
  }

  /** The latest summary figures (also while running). */
  summary(): AgentSummary {
    const elapsedMs = Date.now() - this.startedMs;
    // Falco lists rules in load order, whatever their source: the current rule set's order first, then
    // rules only earlier rule sets had.
    const byRule = new Map<string, number>();
    const current = this.currentCounts();
    for (const name of this.tables.ruleOrder) {
      const n = (current.get(name) ?? 0) + (this.pastCounts.get(name) ?? 0);
      if (current.has(name) || this.pastCounts.has(name)) byRule.set(name, n);
    }
    for (const [name, n] of this.pastCounts) if (!byRule.has(name)) byRule.set(name, n);
    const stateCounters: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.processor.state.counters)) {
      if (typeof v === "number") stateCounters[k] = v;
    }
    const n = Math.min(this.latencyN, LATENCY_SAMPLES);
    const lat = Array.from(this.latency.subarray(0, n)).sort((a, b) => a - b);
    const pct = (p: number): number => (n === 0 ? 0 : lat[Math.min(n - 1, Math.floor(p * n))]!);
    const audit = this.auditSource?.stats() ?? null;
    const eventsBySource: Record<string, number> = {};
    if (this.options.source !== "disabled") eventsBySource.syscall = this.nEvents;
    if (audit !== null) eventsBySource.k8s_audit = audit.events;
    return {
      elapsedMs,
      events: this.nEvents,
      eventsBySource,
      audit,
      eventsPerSecond: elapsedMs > 0 ? (this.nEvents * 1000) / elapsedMs : 0,
      probe: this.session?.live.stats ?? ZERO_STATS,
      startupDropped: this.session?.startupDropped ?? 0,
      alertsTotal: this.alerts,
      alertsByPriority: [...this.byPriority],
      alertsByRule: byRule,
      drops: {
        occurrences: this.dropMonitor?.occurrences ?? 0,
        actionsTaken: this.dropMonitor?.actionsTaken ?? 0,
      },
      outputs: this.queue.stats,
      faults: this.faults,
      stateCounters,
      alertLatencyMs: { p50: pct(0.5), p99: pct(0.99), max: n === 0 ? 0 : lat[n - 1]!, n },
      scan: this.scanInfo,
    };
  }

  /**
   * Stop: the probe is detached (every event it delivered is processed first), the output queue is
   * flushed (at most output_timeout), the channels closed. Resolves with the summary.
   */
  async stop(): Promise<AgentExit> {
    if (!this.stopping) {
      this.stopping = true;
      const session = this.session;
      if (session !== null) {
        await session.sync(); // deliver what the kernel holds
        await session.stop();
      }
      // Accepted audit events are evaluated before the queue closes, so their alerts are delivered.
      await this.auditSource?.stop();
      await this.queue.close(this.options.outputTimeoutMs ?? 2000);
      this.finished?.(this.exitError);
    }
    return { error: this.exitError, summary: this.summary() };
  }

  /** Alerts per rule of the rule set in force, both sources. */
  private currentCounts(): Map<string, number> {
    const counts = this.tables.detector.countsByRule();
    if (this.tables.audit !== null)
      for (const [name, n] of this.tables.audit.countsByRule()) counts.set(name, n);
    return counts;
  }

  private captureEnded(r: LiveResult): void {
    if (this.stopping || this.exitError !== null) return;
    const why = r.error?.message ?? "the probe loader exited";
    this.fail({
      code: "SAKER_RUN_CAPTURE_LOST",
      message: `${AGENT_ERRORS.SAKER_RUN_CAPTURE_LOST}: ${escapeText(why)}`,
    });
  }

  private fail(error: AgentError): void {
    if (this.exitError !== null) return;
    this.exitError = error;
    this.finished?.(error);
  }
}

// -------------------------------------------------------------------------------------------------
// Rules

function buildTables(options: AgentOptions, paths: readonly string[]): Built {
  const log = options.log;
  log(LOG_INFO, "Loading rules from:");
  for (const p of paths) log(LOG_INFO, `   ${escapeText(p)}`);
  const staticFields = options.staticFields ?? {};
  const loaded = loadRulesPaths(paths, {
    extraOutput: options.extraOutput,
    extraFields: options.extraFields,
    staticFields,
  });
  const withErrors = loaded.files.filter((f) => f.errors.length > 0);
  const withWarnings = loaded.files.filter((f) => f.warnings.length > 0);
  if (!loaded.successful) {
    return {
      ok: false,
      error: {
        code: "SAKER_RUN_RULES",
        message: `${AGENT_ERRORS.SAKER_RUN_RULES}: ${escapeText(paths.join(", "))}`,
        details: escapeLines(formatResults(withErrors)),
      },
    };
  }
  if (withWarnings.length > 0) {
    if (options.verbose === true) log(LOG_WARNING, escapeLines(formatResults(withWarnings)));
    else {
      const n = withWarnings.reduce((a, f) => a + f.warnings.length, 0);
      log(LOG_WARNING, `Rules loaded with ${n} warning(s) (-v shows them)`);
    }
  }
  const detectorOptions = {
    matching: options.matching ?? "first",
    alertConfig: options.alertConfig,
    selection: options.selection,
  };
  // A disabled syscall source plans no rule (the selection is still checked).
  const syscallRules: LoadedRuleset =
    options.source === "disabled" ? { ...loaded.ruleset, rules: [] } : loaded.ruleset;
  const built = buildDetector(
    syscallRules,
    sourceWithStaticFields(syscallSource, staticFields),
    detectorOptions,
  );
  if (!built.ok) return { ok: false, error: detectorError(built.error) };
  let audit: Detector<AuditEvent> | null = null;
  if (options.audit !== undefined && options.audit !== null) {
    const a = buildDetector(
      loaded.ruleset,
      sourceWithStaticFields(k8sAuditSource, staticFields),
      detectorOptions,
    );
    if (!a.ok) return { ok: false, error: detectorError(a.error) };
    audit = a.detector;
  }
  for (const e of options.selection?.rules ?? []) {
    const verb = e.op === "enable" ? "Enabling" : "Disabling";
    if (e.rule !== undefined && e.rule !== "")
      log(LOG_INFO, `${verb} rules with name: ${escapeText(e.rule)}`);
    if (e.tag !== undefined && e.tag !== "") log(LOG_INFO, `${verb} rules with tag: ${escapeText(e.tag)}`);
  }
  const detector = built.detector;
  const tables = eventTypeTables();
  const index = new Ruleset<SyscallEvent, Rule>(detector.rules);
  const selection = selectSyscalls(
    detector.eventTypes(),
    options.baseSyscalls ?? { customSet: [], repair: false, all: false },
  );
  return {
    ok: true,
    tables: {
      detector,
      audit,
      ruleOrder: loaded.ruleset.rules.map((r) => r.name),
      byCode: tables.nameByCode.map((name) => index.rulesFor(name)),
      bySyscall: tables.nameBySyscall.map((name) => index.rulesFor(name)),
      other: index.rulesFor("NA"),
      selection,
    },
  };
}

function detectorError(e: { code: string; message: string }): AgentError {
  const code = e.code === "SAKER_DETECTOR_SELECTION" ? "SAKER_RUN_SELECTION" : "SAKER_RUN_DETECTOR";
  return { code, message: e.message };
}

/** Multi-line text from input (diagnostics quote rules files): each line escaped on its own. */
function escapeLines(text: string): string {
  return text.trimEnd().split("\n").map(escapeControls).join("\n");
}

function logSelection(log: (level: number, message: string) => void, sel: SyscallSelection): void {
  const list = (names: Iterable<string>): string => [...names].sort().join(", ");
  if (sel.everything) {
    log(LOG_WARNING, "A rule matches every event type: every syscall the probe supports is captured");
  }
  log(LOG_DEBUG, `(${sel.rules.size}) syscalls the rules need: ${list(sel.rules)}`);
  if (sel.stateAdded.length > 0) {
    log(LOG_DEBUG, `+(${sel.stateAdded.length}) syscalls the state engine needs: ${list(sel.stateAdded)}`);
  }
  if (sel.removed.length > 0) {
    log(LOG_DEBUG, `-(${sel.removed.length}) syscalls removed by base_syscalls: ${list(sel.removed)}`);
  }
  if (sel.ignored.length > 0) {
    log(
      LOG_DEBUG,
      `-(${sel.ignored.length}) high-volume I/O syscalls left out (-A keeps them): ${list(sel.ignored)}`,
    );
  }
  if (sel.repaired.length > 0) {
    log(LOG_INFO, `+(${sel.repaired.length}) syscalls added by base_syscalls.repair: ${list(sel.repaired)}`);
  }
  for (const bad of sel.invalidCustom) {
    log(LOG_WARNING, `base_syscalls.custom_set: '${escapeText(bad)}' is no syscall name, ignored`);
  }
  if (sel.notActivated.length > 0) {
    log(
      LOG_WARNING,
      `Rules match syscalls that are not captured with this configuration (-A, base_syscalls): ` +
        list(sel.notActivated),
    );
  }
  log(LOG_DEBUG, `(${sel.selected.size}) syscalls selected in total: ${list(sel.selected)}`);
}

// -------------------------------------------------------------------------------------------------
// Summary text

/** One line of counters (SIGUSR2): stable keys, for monitoring and the benchmark. */
export function formatAgentStats(s: AgentSummary): string {
  const p = s.probe;
  const audit = s.audit
    ? ` k8s_audit_events=${s.audit.events} k8s_audit_rejected=${s.audit.rejectedTotal}`
    : "";
  return (
    `Saker stats: events=${s.events} probe_sent=${p.sent} probe_drops=${p.drops} alerts=${s.alertsTotal} ` +
    `alerts_dropped=${s.outputs.dropped} latency_p50_ms=${s.alertLatencyMs.p50} latency_p99_ms=${s.alertLatencyMs.p99} ` +
    `elapsed_ms=${s.elapsedMs}${audit}\n`
  );
}

/** Falco's end-of-run lines (detections, drop monitor), then Saker's figures of the run. */
export function formatAgentSummary(s: AgentSummary): string {
  return formatDetectionSummary(s) + formatAgentFigures(s);
}

/** Everything of the summary after Falco's detection counts (drop monitor, Saker's figures per source). */
export function formatAgentFigures(s: AgentSummary): string {
  let out = "";
  const bySource = s.eventsBySource ?? { syscall: s.events };
  if (bySource.syscall !== undefined) out += formatDropStats(s.drops.occurrences, s.drops.actionsTaken);
  const sources = Object.entries(bySource)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
  out += `Events by source: ${sources || "none"}\n`;
  if (s.audit) out += formatAuditFigures(s.audit);
  if (bySource.syscall === undefined) return formatOutputFigures(s, out);
  const p = s.probe;
  out +=
    `Events processed: ${s.events} in ${(s.elapsedMs / 1000).toFixed(3)} s (${s.eventsPerSecond.toFixed(2)} events/s); ` +
    `probe: ${p.sent} sent, ${p.drops} dropped (buffer full ${p.dropFull}, too big ${p.dropTooBig}, ` +
    `busy ${p.dropBusy})` +
    (s.startupDropped > 0 ? `, ${s.startupDropped} lost at start-up` : "") +
    "\n";
  return formatOutputFigures(s, out);
}

function formatOutputFigures(s: AgentSummary, text: string): string {
  let out = text;
  const o = s.outputs;
  const latency =
    s.alertLatencyMs.n > 0
      ? `; kernel-to-queue latency p50 ${s.alertLatencyMs.p50.toFixed(1)} ms, ` +
        `p99 ${s.alertLatencyMs.p99.toFixed(1)} ms`
      : "";
  out +=
    `Alerts: ${o.enqueued} queued, ${o.delivered} delivered, ${o.dropped} dropped (queue full), ` +
    `${o.discarded} discarded at exit${latency}\n`;
  if (s.faults > 0) out += `Events whose processing failed: ${s.faults}\n`;
  return out;
}

/** The k8s_audit source's line: events, refusals by code, and the webhook's evaluation latency. */
function formatAuditFigures(a: AuditSourceStats): string {
  const codes = Object.keys(a.rejected).sort();
  const by = codes.length > 0 ? ` (${codes.map((c) => `${c} ${a.rejected[c]}`).join(", ")})` : "";
  let out = `k8s_audit (${a.mode}): ${a.events} events evaluated, ${a.rejectedTotal} rejected${by}`;
  const w = a.webhook;
  if (w !== null) {
    out +=
      `; ${w.acceptedRequests}/${w.requests} requests accepted, ` +
      `evaluation latency p50 ${w.latency.p50Ms.toFixed(1)} ms, p99 ${w.latency.p99Ms.toFixed(1)} ms`;
  }
  return out + "\n";
}
