// Replaying Kubernetes audit files through the rules: what `saker replay` does for audit input, as a
// function the command and the tests share. The passes:
//
//   inputs   each path is sniffed by content: JSON Lines audit log, one JSON document (an Event, an
//            EventList, or an array of them, possibly pretty-printed), or a scap capture (plain or gzip).
//            A directory stands for its regular files, oldest first (the k8saudit plugin's order).
//   rules    loaded in order (later files see earlier ones); only the k8s_audit rules are planned.
//   events   JSON Lines files are streamed in chunks and split into lines without holding the file;
//            each payload goes through parseAuditPayload, each event is numbered (evt.num) and evaluated.
//   alerts   rendered as Falco prints them (text line, or JSON with json_output), batched to stdout.
//   summary  Falco's end-of-run summary on stdout (events detected, counts by severity and by rule),
//            Saker's reading statistics on stderr (events read, rejected by code, events/s).
//
// Bad input never stops a replay: a payload or event that is not an audit event is counted under its
// code (K8SAUDIT_*), the first few of each code are reported on stderr with their file and line, and
// reading goes on, as the plugin logs and skips them (Falco still exits 0). Problems with the run itself
// (unreadable input, rules that fail to load, a disabled source) end it with a SAKER_REPLAY_* code and
// exit status 1. Text taken from events is escaped before it reaches a terminal.
import { open, readdir, stat } from "node:fs/promises";
import { constants as zc, gunzipSync } from "node:zlib";
import type { Alert, AlertConfig } from "../alerts/alert.js";
import { buildDetector, type Detector, type PlannedRule } from "../engine/detector.js";
import { formatResults } from "../rules/loader/results.js";
import { loadRulesPaths, type LoadOutcome, type RulesConfig } from "../rules/loader/load.js";
import { sourceWithStaticFields } from "../fields/static.js";
import type { SelectionOptions } from "../rules/selection.js";
import {
  DEFAULT_MAX_PAYLOAD_BYTES,
  K8S_AUDIT_ERRORS,
  type AuditEvent,
  type AuditParseOptions,
  type K8sAuditErrorCode,
} from "./event.js";
import { AuditFileReader, type AuditFileSink } from "./file-reader.js";
import { K8S_AUDIT_SOURCE_NAME } from "./schema.js";
import { k8sAuditSource } from "./source.js";
import { escapeControls, escapeText } from "../alerts/escape.js";
import { formatDetectionSummary } from "../alerts/summary.js";

/** Why a replay could not run (exit status 1). Tests assert on the code, never on the wording. */
export const REPLAY_ERRORS = {
  SAKER_REPLAY_NO_INPUT: "no input files given",
  SAKER_REPLAY_INPUT_READ: "cannot read input",
  SAKER_REPLAY_UNRECOGNIZED_INPUT: "input is neither Kubernetes audit JSON nor a scap capture",
  SAKER_REPLAY_SCAP_UNSUPPORTED: "replaying scap captures is not supported yet",
  SAKER_REPLAY_RULES: "rules failed to load",
  SAKER_REPLAY_UNKNOWN_SOURCE: "unknown event source",
  SAKER_REPLAY_SOURCE_NOT_LOADED: "event source not loaded",
  SAKER_REPLAY_SOURCE_DISABLED: "event source not enabled",
  SAKER_REPLAY_DETECTOR: "rules could not be planned",
  SAKER_REPLAY_OUTPUT: "cannot write output",
} as const;

export type ReplayErrorCode = keyof typeof REPLAY_ERRORS;

export interface ReplayError {
  readonly code: ReplayErrorCode;
  readonly message: string;
}

/** Sources `saker replay` knows; `syscall` is replayed from scap captures (not built yet). */
export const REPLAY_SOURCES = ["syscall", K8S_AUDIT_SOURCE_NAME] as const;

export interface AuditReplayOptions {
  /** Files or directories, replayed in order as one stream of events. */
  readonly inputs: readonly string[];
  /** Rules files or directories, loaded in order. */
  readonly rulesPaths: readonly string[];
  readonly alertConfig: AlertConfig;
  /** Falco's rule_matching (default "first"). */
  readonly matching?: "first" | "all";
  readonly selection?: SelectionOptions;
  /** --enable-source: only these sources run (default: every loaded one). */
  readonly enabledSources?: readonly string[];
  /** Sources the configuration loads (its plugins); default: every source Saker has. */
  readonly loadedSources?: readonly string[];
  /** stdout_output.enabled: write alert lines (default true). Counting and the summary happen anyway. */
  readonly writeAlerts?: boolean;
  /** Limits applied to input; maxPayloadBytes also bounds a single-document file. */
  readonly parse?: AuditParseOptions;
  /** How many rejections of each code are reported one by one on stderr (default 10). */
  readonly reportPerCode?: number;
  /** Also print rules-loading warnings. */
  readonly verbose?: boolean;
  /** append_output and static_fields, for loading the rules and planning them. */
  readonly rulesConfig?: RulesConfig;
}

/** Where a replay writes. A returned promise is awaited: that is how a slow stdout slows the replay. */
export interface ReplayIo {
  stdout(text: string): void | Promise<void>;
  stderr(text: string): void | Promise<void>;
  /** Monotonic nanoseconds, for events/s (default process.hrtime.bigint). */
  now?(): bigint;
}

export interface ReplaySummary {
  /** Input files read. */
  readonly files: number;
  /** JSON Lines lines and whole documents read (non-empty). */
  readonly payloads: number;
  /** Audit events parsed and evaluated against the rules. */
  readonly eventsRead: number;
  /** Payloads and events dropped, by code. A whole payload dropped counts once. */
  readonly rejected: ReadonlyMap<K8sAuditErrorCode, number>;
  readonly rejectedTotal: number;
  readonly alertsTotal: number;
  /** Alerts per priority, indexed by Priority (0 = Emergency). */
  readonly alertsByPriority: readonly number[];
  /** Alerts per k8s_audit rule in load order, rules that never fired included. */
  readonly alertsByRule: ReadonlyMap<string, number>;
  /** Time spent reading and evaluating (rules loading excluded). */
  readonly elapsedNs: bigint;
  readonly eventsPerSecond: number;
}

export interface ReplayOutcome {
  readonly exitCode: number;
  readonly error?: ReplayError;
  readonly summary?: ReplaySummary;
}

// ---------------------------------------------------------------------------------------------------
// Recognising inputs
// ---------------------------------------------------------------------------------------------------

export type InputKind = "audit-lines" | "audit-document" | "scap";

export interface SniffedInput {
  readonly path: string;
  readonly kind: InputKind;
  readonly size: number;
}

const SNIFF_BYTES = 64 * 1024;
/** pcap-ng section header block type, which opens every scap file. */
const SCAP_SHB = [0x0a, 0x0d, 0x0d, 0x0a];

function startsWith(head: Uint8Array, bytes: readonly number[]): boolean {
  return head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
}

/** Decide what `head` (the first bytes of a file of `size` bytes) is; undefined if nothing we know. */
export function sniffBytes(head: Uint8Array, size: number, maxDocumentBytes: number): InputKind | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    let inflated: Uint8Array;
    try {
      inflated = gunzipSync(head, { finishFlush: zc.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
    return startsWith(inflated, SCAP_SHB) ? "scap" : undefined;
  }
  if (startsWith(head, SCAP_SHB)) return "scap";
  let i = 0;
  if (startsWith(head, [0xef, 0xbb, 0xbf])) i = 3; // UTF-8 byte order mark
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d))
    i++;
  if (i >= head.length || (head[i] !== 0x7b /* { */ && head[i] !== 0x5b) /* [ */) return undefined;
  // JSON Lines when the first line is a complete JSON value on its own; otherwise one document.
  const nl = head.indexOf(0x0a, i);
  if (nl < 0) {
    if (head.length === size) return "audit-lines"; // one line, the whole file
    return size <= maxDocumentBytes ? "audit-document" : "audit-lines";
  }
  try {
    JSON.parse(Buffer.from(head.buffer, head.byteOffset + i, nl - i).toString("utf8"));
    return "audit-lines";
  } catch {
    return "audit-document";
  }
}

async function expandInputs(paths: readonly string[]): Promise<string[] | ReplayError> {
  const out: string[] = [];
  for (const path of paths) {
    let st;
    try {
      st = await stat(path);
    } catch (e) {
      return readError(path, e);
    }
    if (!st.isDirectory()) {
      out.push(path);
      continue;
    }
    let names: string[];
    try {
      names = await readdir(path);
    } catch (e) {
      return readError(path, e);
    }
    const files: { path: string; mtime: number }[] = [];
    for (const name of names) {
      const full = `${path.replace(/\/+$/, "")}/${name}`;
      try {
        const s = await stat(full);
        if (s.isFile()) files.push({ path: full, mtime: s.mtimeMs });
      } catch {
        // vanished meanwhile: not an input any more
      }
    }
    files.sort((a, b) => a.mtime - b.mtime || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    out.push(...files.map((f) => f.path));
  }
  return out;
}

/** Recognise every input (directories expanded). The first problem is returned as an error. */
export async function sniffInputs(
  paths: readonly string[],
  maxDocumentBytes = DEFAULT_MAX_PAYLOAD_BYTES,
): Promise<SniffedInput[] | ReplayError> {
  if (paths.length === 0)
    return { code: "SAKER_REPLAY_NO_INPUT", message: REPLAY_ERRORS.SAKER_REPLAY_NO_INPUT };
  const files = await expandInputs(paths);
  if (!Array.isArray(files)) return files;
  const out: SniffedInput[] = [];
  for (const path of files) {
    let head: Buffer;
    let size: number;
    try {
      const fh = await open(path, "r");
      try {
        size = (await fh.stat()).size;
        head = Buffer.alloc(Math.min(SNIFF_BYTES, size));
        const { bytesRead } = await fh.read(head, 0, head.length, 0);
        head = head.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    } catch (e) {
      return readError(path, e);
    }
    const kind = sniffBytes(head, size, maxDocumentBytes);
    if (kind === undefined) {
      return {
        code: "SAKER_REPLAY_UNRECOGNIZED_INPUT",
        message: `${escapeText(path)}: ${REPLAY_ERRORS.SAKER_REPLAY_UNRECOGNIZED_INPUT}`,
      };
    }
    out.push({ path, kind, size });
  }
  return out;
}

function readError(path: string, e: unknown): ReplayError {
  const why = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
  return { code: "SAKER_REPLAY_INPUT_READ", message: `cannot read ${escapeText(path)}: ${why}` };
}

// ---------------------------------------------------------------------------------------------------
// Replaying
// ---------------------------------------------------------------------------------------------------

/** Falco's source checks: known, loaded, enabled. */
export function checkSource(
  source: string,
  loaded: readonly string[] | undefined,
  enabled: readonly string[] | undefined,
): ReplayError | undefined {
  const known: readonly string[] = REPLAY_SOURCES;
  for (const s of enabled ?? []) {
    if (!known.includes(s) || (loaded !== undefined && !loaded.includes(s))) {
      return {
        code: "SAKER_REPLAY_UNKNOWN_SOURCE",
        message: `Attempted enabling an unknown event source: ${escapeText(s)}`,
      };
    }
  }
  if (loaded !== undefined && !loaded.includes(source)) {
    return {
      code: "SAKER_REPLAY_SOURCE_NOT_LOADED",
      message: `the ${source} source is not loaded by the configuration (its plugins do not provide it)`,
    };
  }
  if (enabled !== undefined && enabled.length > 0 && !enabled.includes(source)) {
    return {
      code: "SAKER_REPLAY_SOURCE_DISABLED",
      message: `the input holds ${source} events but only ${enabled.join(", ")} is enabled (--enable-source)`,
    };
  }
  return undefined;
}

/** Replay audit files through rules. Never throws for bad input or bad rules: see ReplayOutcome. */
export async function replayAudit(options: AuditReplayOptions, io: ReplayIo): Promise<ReplayOutcome> {
  const now = io.now ?? (() => process.hrtime.bigint());
  const fail = async (error: ReplayError, extra = ""): Promise<ReplayOutcome> => {
    await io.stderr(extra + `saker replay: ${error.code}: ${error.message}\n`);
    return { exitCode: 1, error };
  };

  const maxDocumentBytes = options.parse?.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const inputs = await sniffInputs(options.inputs, maxDocumentBytes);
  if (!Array.isArray(inputs)) return fail(inputs);
  const scap = inputs.find((i) => i.kind === "scap");
  if (scap !== undefined) {
    return fail({
      code: "SAKER_REPLAY_SCAP_UNSUPPORTED",
      message:
        `${escapeText(scap.path)} is a scap capture; ${REPLAY_ERRORS.SAKER_REPLAY_SCAP_UNSUPPORTED} ` +
        "(the syscall capture pipeline is being built)",
    });
  }
  const sourceError = checkSource(K8S_AUDIT_SOURCE_NAME, options.loadedSources, options.enabledSources);
  if (sourceError !== undefined) return fail(sourceError);

  const loaded: LoadOutcome = loadRulesPaths(options.rulesPaths, options.rulesConfig);
  const problems = loaded.files.filter(
    (f) => (options.verbose === true ? f.diagnostics : f.errors).length > 0,
  );
  const problemText = problems.length > 0 ? formatResults(problems) : "";
  if (!loaded.successful) {
    return fail(
      {
        code: "SAKER_REPLAY_RULES",
        message: `${REPLAY_ERRORS.SAKER_REPLAY_RULES}: ${options.rulesPaths.join(", ")}`,
      },
      problemText,
    );
  }
  if (problemText !== "") await io.stderr(problemText);

  const staticFields = options.rulesConfig?.staticFields ?? {};
  const built = buildDetector(loaded.ruleset, sourceWithStaticFields(k8sAuditSource, staticFields), {
    matching: options.matching ?? "first",
    alertConfig: options.alertConfig,
    selection: options.selection,
  });
  if (!built.ok) return fail({ code: "SAKER_REPLAY_DETECTOR", message: built.error.message });

  const run = new ReplayRun(built.detector, options, io);
  const started = now();
  for (const input of inputs) {
    const error = await run.replayFile(input);
    if (error !== undefined) return fail(error);
  }
  const flushed = await run.flush();
  if (flushed !== undefined) return fail(flushed);
  const summary = run.summary(now() - started);
  await io.stdout(formatDetectionSummary(summary));
  await io.stderr(run.suppressedText() + formatReadSummary(summary));
  return { exitCode: 0, summary };
}

const OUTPUT_BATCH_CHARS = 64 * 1024;

/** One replay's state: the file reader, the output batch, the counters. */
class ReplayRun implements AuditFileSink {
  private readonly reader: AuditFileReader;
  private readonly rejected = new Map<K8sAuditErrorCode, number>();
  private readonly alertsByPriority = new Array<number>(8).fill(0);
  private readonly reportPerCode: number;
  private readonly writeAlerts: boolean;
  private readonly emit: (alert: Alert, rule: PlannedRule<AuditEvent>) => void;
  private out = "";
  private err = "";
  private alerts = 0;

  constructor(
    private readonly detector: Detector<AuditEvent>,
    options: AuditReplayOptions,
    private readonly io: ReplayIo,
  ) {
    this.reader = new AuditFileReader(this, options.parse);
    this.reportPerCode = options.reportPerCode ?? 10;
    this.writeAlerts = options.writeAlerts ?? true;
    this.emit = (alert, rule) => {
      this.alerts++;
      this.alertsByPriority[alert.priority]++;
      if (this.writeAlerts) this.out += escapeControls(rule.formatter.render(alert)) + "\n";
    };
  }

  async replayFile(input: SniffedInput): Promise<ReplayError | undefined> {
    if (input.kind === "scap") return undefined; // refused before replaying starts
    try {
      await this.reader.read(input.path, input.kind, input.size);
    } catch (e) {
      return e instanceof OutputError ? e.replayError : readError(input.path, e);
    }
    return undefined;
  }

  event(ev: AuditEvent): void {
    this.detector.process(ev, "", ev.timestampNs(), this.emit);
  }

  async pause(): Promise<void> {
    const error = await this.drain();
    if (error !== undefined) throw new OutputError(error);
  }

  reject(path: string, line: number, code: K8sAuditErrorCode, detail?: string, message?: string): void {
    const seen = (this.rejected.get(code) ?? 0) + 1;
    this.rejected.set(code, seen);
    if (seen > this.reportPerCode) return;
    const text =
      message ?? (detail === undefined ? K8S_AUDIT_ERRORS[code] : `${K8S_AUDIT_ERRORS[code]}: ${detail}`);
    const where = line > 0 ? `${path}:${line}` : path;
    this.err += `saker replay: ${escapeText(where)}: ${code}: ${escapeText(text)}\n`;
  }

  /** Hand the batched output over once it is large enough (or when `force`). */
  private async drain(force = false): Promise<ReplayError | undefined> {
    try {
      if (this.err !== "") {
        const text = this.err;
        this.err = "";
        await this.io.stderr(text);
      }
      if (this.out !== "" && (force || this.out.length >= OUTPUT_BATCH_CHARS)) {
        const text = this.out;
        this.out = "";
        await this.io.stdout(text);
      }
    } catch (e) {
      return { code: "SAKER_REPLAY_OUTPUT", message: e instanceof Error ? e.message : String(e) };
    }
    return undefined;
  }

  flush(): Promise<ReplayError | undefined> {
    return this.drain(true);
  }

  suppressedText(): string {
    let out = "";
    for (const [code, n] of this.rejected) {
      if (n > this.reportPerCode) out += `saker replay: ${code}: ${n - this.reportPerCode} more not shown\n`;
    }
    return out;
  }

  summary(elapsedNs: bigint): ReplaySummary {
    let rejectedTotal = 0;
    for (const n of this.rejected.values()) rejectedTotal += n;
    const seconds = Number(elapsedNs) / 1e9;
    const events = this.reader.events;
    return {
      files: this.reader.files,
      payloads: this.reader.payloads,
      eventsRead: events,
      rejected: new Map(this.rejected),
      rejectedTotal,
      alertsTotal: this.alerts,
      alertsByPriority: [...this.alertsByPriority],
      alertsByRule: this.detector.countsByRule(),
      elapsedNs,
      eventsPerSecond: seconds > 0 ? events / seconds : 0,
    };
  }
}

class OutputError extends Error {
  constructor(readonly replayError: ReplayError) {
    super(replayError.message);
  }
}

// ---------------------------------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------------------------------

/** Saker's reading statistics (stderr), in the spirit of Falco's verbose "Elapsed time" line. */
export function formatReadSummary(summary: ReplaySummary): string {
  const seconds = Number(summary.elapsedNs) / 1e9;
  let out =
    `(k8s_audit) Files: ${summary.files}, payloads: ${summary.payloads}, events read: ${summary.eventsRead}, ` +
    `rejected: ${summary.rejectedTotal}, elapsed time: ${seconds.toFixed(3)} s, ` +
    `${summary.eventsPerSecond.toFixed(2)} events/s\n`;
  if (summary.rejectedTotal > 0) {
    out += "Rejected by reason:\n";
    const codes = [...summary.rejected.keys()].sort();
    for (const code of codes)
      out += `   ${code}: ${summary.rejected.get(code)} (${K8S_AUDIT_ERRORS[code]})\n`;
  }
  return out;
}
