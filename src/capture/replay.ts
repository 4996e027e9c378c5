// Replaying a scap capture through the rules, as `falco -e capture.scap` does. The passes, per event:
//
//   decode   ScapParser hands a reused ScapEvent view over the current chunk (capture/scap);
//   state    EventProcessor updates threads/fds/users and returns the reused SyscallEvent (state/);
//   gate     events the state engine never shows (state-only dumps, initial container events) stop here;
//            the drop monitor looks at the event time; every other event is evaluated, internal ones
//            (procinfo, ...) included, as Falco does for a capture file (see "-A" below);
//   rules    the enabled syscall rules for the event's type, found by event code (generic syscall
//            events by their syscall id) in tables built once from the detector's rules, in load order;
//            the first match (rule_matching: first) or every match (all) becomes an alert;
//   alert    rendered as Falco prints it (text line or JSON, the event's own time), escaped, handed to
//            `write`; counted per rule and per priority.
//
// Enter and exit events are evaluated alike, as in Falco. Nothing is allocated per event unless a rule
// matches: the type name is an array read, the rule list another, the timestamp (a bigint) is read only
// for an alert. This is why the dispatch is done here rather than through Detector.process, which takes
// the event's type name and time up front; the detector still plans the rules and keeps the counts.
//
// -A (all_events): Falco >= 0.33 uses it only to choose the syscalls a live driver captures (it drops the
// high-volume I/O syscalls libsinsp's state does not need) and evaluates every event a capture file holds,
// -A or not. The corpus relies on that: `catchall_order` counts 6 alerts on the fstat, read and close
// events of /dev/null without -A. Falco <= 0.32 filtered in userspace instead (its "simple consumer" set,
// which holds those three); `legacySimpleConsumer` reproduces that for old expectations.
//
// Memory is bounded: one input chunk, the alerts of that chunk (handed out before the next one is read:
// `drain` is awaited between chunks, so a slow consumer slows the replay), and the state engine's
// bounded tables. A capture that ends in the middle of a block yields every event before the cut, then
// the reader's error (code and byte offset) and exit status 1, as Falco ends on a read error.
import { alertConfigFromConfig } from "../alerts/from-config.js";
import type { AlertConfig } from "../alerts/alert.js";
import { falcoHostname, internalAlertJson, internalAlertText } from "../alerts/alert.js";
import type { SakerConfig, LogLevel } from "../config/types.js";
import { buildDetector, type Detector, type PlannedRule } from "../engine/detector.js";
import { Ruleset } from "../engine/ruleset.js";
import { sourceWithStaticFields } from "../fields/static.js";
import { syscallSource } from "../fields/syscall/source.js";
import { rulesConfigFromConfig } from "../rules/loader/from-config.js";
import { formatResults } from "../rules/loader/results.js";
import {
  expandRulesPaths,
  loadRulesPaths,
  type LoadOutcome,
  type RulesConfig,
} from "../rules/loader/load.js";
import { Priority } from "../rules/priority.js";
import { selectionPlan, type SelectionOptions } from "../rules/selection.js";
import type { SyscallEvent } from "../state/event.js";
import { EventProcessor, type ProcessorOptions } from "../state/processor.js";
import { EVENT_TYPE_MAX } from "./events/table.js";
import { SyscallDropMonitor, formatDropStats, type DropMonitorSettings } from "./pipeline/drops.js";
import { SYSCALL_ID_LIMIT, eventTypeTables } from "./pipeline/event-types.js";
import { FalcoLogger, type LogSink } from "./pipeline/logger.js";
import { streamCapture } from "./scap/stream.js";
import type { ScapEvent } from "./scap/event.js";
import type { ScapError } from "./scap/errors.js";
import { ScapParser } from "./scap/parser.js";
import type { ScapRecord } from "./scap/records.js";
import { escapeControls, escapeText } from "../alerts/escape.js";
import { formatDetectionSummary } from "../alerts/summary.js";
import { outputChannelsFromConfig } from "../outputs/from-config.js";
import { OutputQueue, within, type OutputChannel, type OutputMessage } from "../outputs/queue.js";

/** Why a replay ended badly (exit status 1). Tests assert on the code, never on the wording. */
export const CAPTURE_REPLAY_ERRORS = {
  /** -D/-T combined with -t, or flags with a `rules:` section. */
  SAKER_CAPTURE_SELECTION: "conflicting rule selection",
  /** A rules file failed to load. */
  SAKER_CAPTURE_RULES: "rules failed to load",
  /** A loaded rule could not be planned against the syscall source (a bug). */
  SAKER_CAPTURE_DETECTOR: "rules could not be planned",
  /** The capture could not be read to its end (truncated, corrupt, unreadable): see readerError. */
  SAKER_CAPTURE_READ: "capture read error",
  /** The syscall event drop monitor's `exit` action stopped the replay. */
  SAKER_CAPTURE_DROPS_EXIT: "Drop manager internal error",
} as const;

export type CaptureReplayErrorCode = keyof typeof CAPTURE_REPLAY_ERRORS;

export interface CaptureReplayError {
  readonly code: CaptureReplayErrorCode;
  readonly message: string;
}

export interface CaptureReplayOptions {
  /** Rules files or directories, loaded in order (directories: their files, sorted). */
  readonly rulesPaths: readonly string[];
  /** Rules already loaded from rulesPaths (skips loading; benchmarks replay many times). */
  readonly loaded?: LoadOutcome;
  /** append_output and static_fields, for loading the rules and planning them. */
  readonly rulesConfig?: RulesConfig;
  readonly alertConfig: AlertConfig;
  /** rule_matching (default "first"). */
  readonly matching?: "first" | "all";
  /** Minimum priority, `rules:` section, -D/-T/-t. */
  readonly selection?: SelectionOptions;
  /** -A. For a capture file it changes nothing unless legacySimpleConsumer is set (see the header). */
  readonly allEvents?: boolean;
  /**
   * Falco <= 0.32: without -A, do not evaluate the "simple consumer" set of event types (high-volume I/O,
   * internal events). Off by default, as in current Falco.
   */
  readonly legacySimpleConsumer?: boolean;
  /** Alert lines (escaped, no newline). Absent: alerts are counted, not written (stdout_output off). */
  readonly write?: (line: string) => void;
  /**
   * Every alert as an output message (line as for `write`), for the configured output channels
   * (file_output, program_output, ...). Called after `write`.
   */
  readonly emit?: (message: OutputMessage) => void;
  /** Falco's log and error text for stderr (whole lines, newline included). Absent: discarded. */
  readonly log?: LogSink;
  /** Awaited after each input chunk: hand the batched output over here. */
  readonly drain?: () => void | Promise<void>;
  /** log_level / log_stderr (time_format_iso_8601 comes from alertConfig). */
  readonly logging?: { readonly level?: LogLevel; readonly stderr?: boolean };
  /** syscall_event_drops; absent or without simulate_drops: no drops are ever seen in a file. */
  readonly drops?: DropMonitorSettings;
  /** Also print rules-loading warnings (Falco's -v). */
  readonly verbose?: boolean;
  /** State engine limits (thread and fd tables). */
  readonly state?: ProcessorOptions;
  /** Monotonic nanoseconds, for events/s (default process.hrtime.bigint). */
  readonly now?: () => bigint;
  /** Wall clock (ms) for log line prefixes (default Date.now). */
  readonly clock?: () => number;
  /** File read size (default 1 MiB). */
  readonly chunkSize?: number;
  /** Told after every chunk how far through the file the replay is (for a progress bar). */
  readonly progress?: (bytesRead: number, fileBytes: number) => void;
  /** Receives the replay's control once the rules are planned (hot reload: SIGHUP, watched files). */
  readonly onControl?: (control: ReplayControl) => void;
}

/** What a running replay lets its owner do. */
export interface ReplayControl {
  /**
   * Load the rules again (the same paths unless given) and swap them in between two events: every
   * event is judged by exactly one rule set. A rules set that fails to load or plan leaves the running
   * one in place; the result says why.
   */
  reload(paths?: readonly string[]): ReplayReloadResult;
}

export type ReplayReloadResult =
  { readonly ok: true; readonly rules: number } | { readonly ok: false; readonly error: CaptureReplayError };

export interface CaptureReplaySummary {
  readonly path: string;
  /** Events the reader delivered (all of them reach the state engine). */
  readonly eventsRead: number;
  /** Events evaluated against the rules. */
  readonly eventsEvaluated: number;
  /** Events of the simple-consumer set not evaluated (legacySimpleConsumer without -A). */
  readonly eventsSkipped: number;
  /** Events the state engine keeps to itself (state-only dumps, initial container events). */
  readonly eventsHidden: number;
  /** Records (process, fd, user, group, interface entries) read. */
  readonly records: number;
  /** Bytes of the (decompressed) capture consumed. */
  readonly bytes: number;
  /** Time spent reading and evaluating (rules loading excluded). */
  readonly elapsedNs: bigint;
  readonly eventsPerSecond: number;
  readonly alertsTotal: number;
  /** Alerts per priority, indexed by Priority (0 = Emergency). */
  readonly alertsByPriority: readonly number[];
  /** Alerts per enabled syscall rule in load order, rules that never fired included. */
  readonly alertsByRule: ReadonlyMap<string, number>;
  /** Enabled syscall rules. */
  readonly rules: number;
  /** The fault that ended reading early (code, byte offset), or null at a clean end. */
  readonly readerError: ScapError | null;
  /** What the state engine could not do, by kind (thread table full, unpaired exits, ...). */
  readonly stateCounters: Readonly<Record<string, number>>;
  /** The drop monitor's totals (always reported, as Falco does for captures). */
  readonly drops: { readonly occurrences: number; readonly actionsTaken: number };
}

export interface CaptureReplayOutcome {
  /** 0, or 1 when `error` is set. */
  readonly exitCode: number;
  readonly error?: CaptureReplayError;
  /** Present once reading started (also when it ended with a read error or a drop-monitor exit). */
  readonly summary?: CaptureReplaySummary;
}

/** Replay one capture file. Never throws for bad input or bad rules: see CaptureReplayOutcome. */
export async function replayCapture(
  path: string,
  options: CaptureReplayOptions,
): Promise<CaptureReplayOutcome> {
  const logSink: LogSink = options.log ?? (() => undefined);
  const logger = new FalcoLogger(
    {
      level: options.logging?.level,
      stderr: options.logging?.stderr,
      iso8601: options.alertConfig.timeFormatIso8601,
      clock: options.clock,
    },
    logSink,
  );
  const fail = (code: CaptureReplayErrorCode, message: string): CaptureReplayOutcome => ({
    exitCode: 1,
    error: { code, message },
  });

  const plan = selectionPlan(options.selection ?? {});
  if (!plan.ok) return fail("SAKER_CAPTURE_SELECTION", plan.message);

  const rulesConfig = options.rulesConfig ?? {};
  const source = sourceWithStaticFields(syscallSource, rulesConfig.staticFields ?? {});
  let loaded = options.loaded;
  if (loaded === undefined) {
    for (const p of expandRulesPaths(options.rulesPaths))
      logger.log(6, `Loading rules from file ${escapeText(p)}`);
    loaded = loadRulesPaths(options.rulesPaths, rulesConfig);
  }
  const shown = loaded.files.filter((f) => (options.verbose === true ? f.diagnostics : f.errors).length > 0);
  if (shown.length > 0) logSink(escapeLines(formatResults(shown)));
  if (!loaded.successful) {
    return fail(
      "SAKER_CAPTURE_RULES",
      `${CAPTURE_REPLAY_ERRORS.SAKER_CAPTURE_RULES}: ${options.rulesPaths.join(", ")}`,
    );
  }
  const built = buildDetector(loaded.ruleset, source, {
    matching: options.matching ?? "first",
    alertConfig: options.alertConfig,
    selection: options.selection,
  });
  if (!built.ok) {
    return built.error.code === "SAKER_DETECTOR_SELECTION"
      ? fail("SAKER_CAPTURE_SELECTION", built.error.message)
      : fail("SAKER_CAPTURE_DETECTOR", built.error.message);
  }

  logger.log(6, `Reading system call events from file: ${escapeText(path)}`);
  const run = new CaptureRun(built.detector, options, logger);
  options.onControl?.({
    reload(paths = options.rulesPaths) {
      const again = loadRulesPaths(paths, rulesConfig);
      const problems = again.files.filter((f) => f.errors.length > 0);
      if (problems.length > 0) logSink(escapeLines(formatResults(problems)));
      const next = again.successful
        ? buildDetector(again.ruleset, source, {
            matching: options.matching ?? "first",
            alertConfig: options.alertConfig,
            selection: options.selection,
          })
        : null;
      if (next === null || !next.ok) {
        const error: CaptureReplayError =
          next === null
            ? {
                code: "SAKER_CAPTURE_RULES",
                message: `${CAPTURE_REPLAY_ERRORS.SAKER_CAPTURE_RULES}: ${paths.join(", ")}`,
              }
            : { code: "SAKER_CAPTURE_DETECTOR", message: next.error.message };
        logger.log(3, `Rules reload failed, keeping the current rules: ${escapeText(error.message)}`);
        return { ok: false, error };
      }
      run.swap(next.detector);
      logger.log(6, `Rules reloaded: ${next.detector.rules.length} syscall rules enabled`);
      return { ok: true, rules: next.detector.rules.length };
    },
  });
  const now = options.now ?? (() => process.hrtime.bigint());
  const started = now();
  const drain = options.drain;
  const res = await streamCapture(path, run.parser, {
    chunkSize: options.chunkSize,
    progress: options.progress,
    between:
      drain === undefined
        ? undefined
        : async () => {
            await drain();
            return true;
          },
  });
  if (drain !== undefined) await drain();
  const summary = run.summary(path, res.bytes, res.records, res.error, now() - started);
  if (run.exitRequested) {
    return {
      exitCode: 1,
      summary,
      error: { code: "SAKER_CAPTURE_DROPS_EXIT", message: CAPTURE_REPLAY_ERRORS.SAKER_CAPTURE_DROPS_EXIT },
    };
  }
  if (res.error !== null) {
    return {
      exitCode: 1,
      summary,
      error: { code: "SAKER_CAPTURE_READ", message: `${res.error.code}: ${res.error.message}` },
    };
  }
  return { exitCode: 0, summary };
}

/** Multi-line text (loader diagnostics) with each line's control characters escaped. */
function escapeLines(text: string): string {
  return text
    .split("\n")
    .map((line) => escapeControls(line))
    .join("\n");
}

type Rule = PlannedRule<SyscallEvent>;

const NO_SKIP_CODES = new Uint8Array(EVENT_TYPE_MAX);
const NO_SKIP_SYSCALLS = new Uint8Array(SYSCALL_ID_LIMIT);

/** One replay's state: the processor, the dispatch tables, the counters. */
class CaptureRun {
  readonly parser: ScapParser;
  exitRequested = false;
  private readonly processor: EventProcessor;
  // The rule tables are swapped as a whole by swap() (a reload), between two events.
  private detector: Detector<SyscallEvent>;
  private byCode: readonly (readonly Rule[])[] = [];
  private bySyscall: readonly (readonly Rule[])[] = [];
  /** Rules for codes beyond the table (their type name is "NA"). */
  private otherRules: readonly Rule[] = [];
  /** Alerts per rule name of the rule sets replaced by reloads. */
  private readonly pastCounts = new Map<string, number>();
  private readonly skipCode: Uint8Array;
  private readonly skipSyscall: Uint8Array;
  private readonly matchAll: boolean;
  private counts: Uint32Array;
  private readonly alertsByPriority = new Array<number>(8).fill(0);
  private readonly write: ((line: string) => void) | undefined;
  private readonly emit: ((message: OutputMessage) => void) | undefined;
  /** Only when drops are simulated: a capture file reports no driver drops, so nothing else can act. */
  private readonly drops: SyscallDropMonitor | null;
  private read = 0;
  private evaluated = 0;
  private skipped = 0;
  private hidden = 0;
  private alerts = 0;

  constructor(detector: Detector<SyscallEvent>, options: CaptureReplayOptions, logger: FalcoLogger) {
    const tables = eventTypeTables();
    this.detector = detector;
    this.counts = detector.counts;
    this.install(detector);
    const all = options.allEvents === true || options.legacySimpleConsumer !== true;
    this.skipCode = all ? NO_SKIP_CODES : tables.skipByCode;
    this.skipSyscall = all ? NO_SKIP_SYSCALLS : tables.skipBySyscall;
    this.matchAll = (options.matching ?? "first") === "all";
    this.write = options.write;
    this.emit = options.emit;
    this.processor = new EventProcessor(options.state);
    const alertConfig = options.alertConfig;
    const write = options.write;
    const emit = options.emit;
    const drops = options.drops;
    this.drops =
      drops === undefined || !drops.simulateDrops
        ? null
        : new SyscallDropMonitor(drops, {
            log: (level, message) => logger.log(level, message),
            alert: (time, rule, message, fields) => {
              if (write === undefined && emit === undefined) return;
              const line = escapeControls(
                alertConfig.jsonOutput
                  ? internalAlertJson(time, Priority.Debug, message, rule, fields, alertConfig.hostname)
                  : internalAlertText(time, Priority.Debug, message, fields, alertConfig.utcOffsetSeconds),
              );
              write?.(line);
              emit?.({
                time,
                priority: Priority.Debug,
                rule,
                source: "internal",
                tags: [],
                line,
                alert: null,
              });
            },
          });
    const processor = this.processor;
    this.parser = new ScapParser({
      onRecord: (rec: ScapRecord) => processor.onRecord(rec),
      onEvent: (ev: ScapEvent) => this.onEvent(ev),
    });
  }

  /** Replace the rule set (a reload); its counts carry over by rule name. */
  swap(detector: Detector<SyscallEvent>): void {
    for (const [name, n] of this.detector.countsByRule()) {
      if (n > 0) this.pastCounts.set(name, (this.pastCounts.get(name) ?? 0) + n);
    }
    this.detector = detector;
    this.counts = detector.counts;
    this.install(detector);
  }

  private install(detector: Detector<SyscallEvent>): void {
    const tables = eventTypeTables();
    const index = new Ruleset<SyscallEvent, Rule>(detector.rules);
    this.byCode = tables.nameByCode.map((name) => index.rulesFor(name));
    this.bySyscall = tables.nameBySyscall.map((name) => index.rulesFor(name));
    this.otherRules = index.rulesFor("NA");
  }

  private onEvent(ev: ScapEvent): boolean {
    const e = this.processor.process(ev);
    this.read++;
    if (!e.listed) {
      this.hidden++;
      return true;
    }
    const drops = this.drops;
    if (drops !== null && !drops.onEvent(ev)) {
      this.exitRequested = true;
      return false;
    }
    const type = ev.type;
    let rules: readonly Rule[];
    if (type <= 1) {
      // Generic syscall events: named (and skipped) by the syscall id in their first parameter.
      let id = ev.paramLen(0) === 2 ? ev.dv.getUint16(ev.paramOff[0]!, true) : 0;
      if (id >= SYSCALL_ID_LIMIT) id = 0;
      if (this.skipSyscall[id] === 1) {
        this.skipped++;
        return true;
      }
      rules = this.bySyscall[id]!;
    } else if (type < EVENT_TYPE_MAX) {
      if (this.skipCode[type] === 1) {
        this.skipped++;
        return true;
      }
      rules = this.byCode[type]!;
    } else {
      rules = this.otherRules;
    }
    this.evaluated++;
    const n = rules.length;
    for (let i = 0; i < n; i++) {
      const rule = rules[i]!;
      if (rule.predicate(e)) {
        this.fire(rule, e, ev);
        if (!this.matchAll) break;
      }
    }
    return true;
  }

  private fire(rule: Rule, e: SyscallEvent, ev: ScapEvent): void {
    const alert = rule.formatter.alert(e, ev.ts);
    this.counts[rule.index]++;
    this.alerts++;
    this.alertsByPriority[alert.priority]++;
    const write = this.write;
    const emit = this.emit;
    if (write === undefined && emit === undefined) return;
    const line = escapeControls(rule.formatter.render(alert));
    if (write !== undefined) write(line);
    if (emit !== undefined) {
      emit({
        time: alert.time,
        priority: alert.priority,
        rule: alert.rule,
        source: alert.source,
        tags: alert.tags,
        line,
        alert,
      });
    }
  }

  /** Alerts per rule: the current set's rules in load order, then rules only earlier sets had. */
  private countsByRule(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, n] of this.detector.countsByRule()) out.set(name, n + (this.pastCounts.get(name) ?? 0));
    for (const [name, n] of this.pastCounts) if (!out.has(name)) out.set(name, n);
    return out;
  }

  summary(
    path: string,
    bytes: number,
    records: number,
    readerError: ScapError | null,
    elapsedNs: bigint,
  ): CaptureReplaySummary {
    const seconds = Number(elapsedNs) / 1e9;
    const stateCounters: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.processor.state.counters)) {
      if (typeof v === "number") stateCounters[k] = v;
    }
    return {
      path,
      eventsRead: this.read,
      eventsEvaluated: this.evaluated,
      eventsSkipped: this.skipped,
      eventsHidden: this.hidden,
      records,
      bytes,
      elapsedNs,
      eventsPerSecond: seconds > 0 ? this.read / seconds : 0,
      alertsTotal: this.alerts,
      alertsByPriority: [...this.alertsByPriority],
      alertsByRule: this.countsByRule(),
      rules: this.detector.rules.length,
      readerError,
      stateCounters,
      drops: { occurrences: this.drops?.occurrences ?? 0, actionsTaken: this.drops?.actionsTaken ?? 0 },
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------------------------------

/**
 * The replay's statistics for stderr: Falco's drop-monitor lines (printed for every capture), then the
 * reading figures (in the spirit of Falco's verbose "Elapsed time ..., Captured Events ..., eps" line),
 * the state engine's problems by kind when there were any, and the reader's fault with its byte offset.
 */
export function formatReplaySummary(summary: CaptureReplaySummary): string {
  const seconds = Number(summary.elapsedNs) / 1e9;
  let out = formatDropStats(summary.drops.occurrences, summary.drops.actionsTaken);
  out +=
    `Events read: ${summary.eventsRead}, evaluated: ${summary.eventsEvaluated}, ` +
    `skipped: ${summary.eventsSkipped}, hidden: ${summary.eventsHidden}, ` +
    `elapsed time: ${seconds.toFixed(3)} s, ${summary.eventsPerSecond.toFixed(2)} events/s\n`;
  const problems = Object.entries(summary.stateCounters).filter(
    ([k, v]) => v > 0 && k !== "threadsRemoved" && k !== "threadsInvented" && k !== "unpairedExits",
  );
  if (problems.length > 0) out += `State engine: ${problems.map(([k, v]) => `${k}=${v}`).join(", ")}\n`;
  const e = summary.readerError;
  if (e !== null)
    out += `Capture read error: ${e.code} at byte offset ${e.offset}: ${escapeText(e.message)}\n`;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// From configuration, and the whole run as Falco prints it
// ---------------------------------------------------------------------------------------------------

/** What a replay takes from a loaded configuration (falco.yaml keys). */
export interface ConfigReplaySettings {
  readonly alertConfig: AlertConfig;
  readonly matching: "first" | "all";
  readonly selection: SelectionOptions;
  readonly drops: DropMonitorSettings;
  readonly logging: { readonly level: LogLevel; readonly stderr: boolean };
  /** stdout_output.enabled. */
  readonly writeAlerts: boolean;
  readonly rulesFiles: readonly string[];
  /** append_output and static_fields. */
  readonly rulesConfig: RulesConfig;
  readonly state: ProcessorOptions;
  /** The other configured outputs (file, program, syslog, http), built when the replay starts. */
  readonly outputChannels: ReplayOutputChannels;
  /** outputs_queue.capacity and output_timeout for those channels. */
  readonly outputQueue: { readonly capacity: number; readonly timeoutMs: number };
}

/** Builds a replay's output channels; `stdout` receives program output and http echo for the replay's stdout. */
export type ReplayOutputChannels = (sinks: {
  readonly log: (level: number, message: string) => void;
  readonly stdout: (text: string) => void;
}) => OutputChannel[];

/** The replay settings of a configuration; `hostname` defaults to Falco's (FALCO_HOSTNAME or the host's). */
export function replaySettingsFromConfig(
  config: SakerConfig,
  hostname: string = falcoHostname(),
): ConfigReplaySettings {
  return {
    alertConfig: alertConfigFromConfig(config, hostname),
    matching: config.ruleMatching,
    selection: { minPriority: config.priority, rules: config.rules },
    drops: config.syscallEventDrops,
    logging: { level: config.log.level, stderr: config.log.stderr },
    writeAlerts: config.outputs.stdout.enabled,
    rulesFiles: config.rulesFiles,
    rulesConfig: rulesConfigFromConfig(config),
    state: config.falcoLibs.threadTableSize > 0 ? { maxThreads: config.falcoLibs.threadTableSize } : {},
    // stdout_output is the replay's own batched `write`; the others go through the output queue.
    outputChannels: ({ log, stdout }) =>
      outputChannelsFromConfig(config, log, { skipStdout: true, stdout, hostname }),
    outputQueue: { capacity: config.outputsQueueCapacity, timeoutMs: config.outputTimeoutMs },
  };
}

/** Text output of a replay; a returned promise is awaited (that is how a full pipe slows the replay). */
export interface ReplayTextIo {
  stdout(text: string): void | Promise<void>;
  stderr(text: string): void | Promise<void>;
}

const OUTPUT_BATCH_CHARS = 64 * 1024;

/**
 * Everything `falco -e` prints for a capture: log lines and alerts as they come, then the drop monitor's
 * and Saker's statistics (stderr) and Falco's detection summary (stdout), and an `Error: ...` line with
 * exit status 1 when the run failed. Output is batched and written between input chunks. Resolves with
 * the outcome (its exitCode is the process's).
 */
export async function runCaptureReplay(
  path: string,
  options: Omit<CaptureReplayOptions, "write" | "log" | "drain" | "emit"> & {
    readonly writeAlerts?: boolean;
    readonly outputChannels?: ReplayOutputChannels;
    readonly outputQueue?: { readonly capacity: number; readonly timeoutMs: number };
  },
  io: ReplayTextIo,
): Promise<CaptureReplayOutcome> {
  let out = "";
  let err = "";
  // file_output, program_output, ...: behind the same bounded queues as the agent's. Program output and
  // http echo join the replay's stdout; channel log lines its stderr, formatted as Falco's log.
  const channelLog = new FalcoLogger(
    {
      level: options.logging?.level,
      stderr: options.logging?.stderr,
      iso8601: options.alertConfig.timeFormatIso8601,
      clock: options.clock,
    },
    (text) => void (err += text),
  );
  const channels =
    options.outputChannels?.({
      log: (level, message) => channelLog.log(level, message),
      stdout: (text) => void (out += text),
    }) ?? [];
  const timeoutMs = options.outputQueue?.timeoutMs ?? 2000;
  const queue =
    channels.length === 0
      ? null
      : new OutputQueue(channels, {
          capacity: options.outputQueue?.capacity,
          timeoutMs,
          log: (level, message) => channelLog.log(level, message),
        });
  const flush = async (force: boolean): Promise<void> => {
    if (err !== "") {
      const text = err;
      err = "";
      await io.stderr(text);
    }
    if (out !== "" && (force || out.length >= OUTPUT_BATCH_CHARS)) {
      const text = out;
      out = "";
      await io.stdout(text);
    }
  };
  const outcome = await replayCapture(path, {
    ...options,
    write: options.writeAlerts === false ? undefined : (line) => void (out += line + "\n"),
    emit: queue === null ? undefined : (message) => void queue.push(message),
    log: (text) => void (err += text),
    // A file replays faster than slow channels take alerts: wait for them between chunks (at most
    // output_timeout, so a dead endpoint slows the replay but cannot stop it) rather than drop.
    drain: async () => {
      if (queue !== null) await within(queue.flush(), timeoutMs);
      await flush(false);
    },
  });
  if (queue !== null) await queue.close(timeoutMs);
  await flush(true);
  if (outcome.summary !== undefined) {
    await io.stderr(formatReplaySummary(outcome.summary));
  }
  if (outcome.error !== undefined) {
    await io.stderr(`Error: ${escapeText(outcome.error.message)} (${outcome.error.code})\n`);
  }
  // Falco prints the detection summary whenever rules were loaded and events processing began.
  if (outcome.summary !== undefined) await io.stdout(formatDetectionSummary(outcome.summary));
  return outcome;
}
