// The k8s_audit source inside the agent: audit events from a file (read once, then the source is finished,
// as Falco's file-backed plugin source ends) or from the webhook (src/k8saudit/webhook), evaluated with the
// agent's current k8s_audit detector, alerts handed to the agent (which queues them with the syscall
// source's alerts).
//
// This path is separate from the syscall hot path: nothing here runs per syscall event. The file is read
// in chunks; after each one the reader waits for the output queue to drain below a mark (a file has no
// deadline, so it waits rather than drops) and yields to the event loop, so probe batches, webhook requests
// and signals keep their turns. Events that are not audit events are counted by code and the first few of
// each code are logged, as the plugin logs them; they never stop the source.
import { readFileSync } from "node:fs";
import type { Alert } from "../alerts/alert.js";
import { escapeText } from "../alerts/escape.js";
import type { Detector, PlannedRule } from "../engine/detector.js";
import { K8S_AUDIT_ERRORS, type AuditEvent, type K8sAuditErrorCode } from "../k8saudit/event.js";
import { AuditFileReader, type AuditFileSink } from "../k8saudit/file-reader.js";
import { sniffInputs, type SniffedInput } from "../k8saudit/replay.js";
import { AuditWebhook, type WebhookStats } from "../k8saudit/webhook/index.js";
import type { AuditSourceSpec } from "./audit-sources.js";

/** Why the k8s_audit source could not open, or failed while reading (merged into AGENT_ERRORS). */
export const AUDIT_SOURCE_ERRORS = {
  /** The open_params file or directory cannot be read, or is not audit JSON. */
  SAKER_RUN_AUDIT_OPEN: "cannot open the k8s_audit input",
  /** The https webhook's sslCertificate cannot be read or used. */
  SAKER_RUN_AUDIT_TLS: "cannot use the k8saudit sslCertificate",
  /** The webhook cannot listen on its address. */
  SAKER_RUN_AUDIT_LISTEN: "the k8s_audit webhook cannot listen",
  /** Reading the audit file failed part way. */
  SAKER_RUN_AUDIT_READ: "reading the k8s_audit input failed",
} as const;

export type AuditSourceErrorCode = keyof typeof AUDIT_SOURCE_ERRORS;

export interface AuditSourceError {
  readonly code: AuditSourceErrorCode;
  readonly message: string;
}

const LOG_INFO = 6;

/** How many rejections of each code are logged one by one. */
const REPORT_PER_CODE = 10;

export interface AuditSourceHooks {
  /** The k8s_audit detector in force now (it changes on reload). */
  detector(): Detector<AuditEvent>;
  /** One alert with its rendered text (JSON or text line, not yet escaped). */
  alert(alert: Alert, text: string): void;
  /** Awaited between file chunks: resolves when the consumer has room (backpressure). */
  room(): Promise<void>;
  log(level: number, message: string): void;
  /**
   * The plugin's own log: the k8saudit plugin writes what it drops to stderr with Go's logger, whatever
   * Falco's log settings say (a full line, see pluginLogLine).
   */
  pluginLog(line: string): void;
}

/** A line as the plugin's Go logger writes it: `2006/01/02 15:04:05 [k8saudit] message` (UTC). */
export function pluginLogLine(message: string, nowMs: number = Date.now()): string {
  const iso = new Date(nowMs).toISOString(); // 2006-01-02T15:04:05.000Z
  return `${iso.slice(0, 10).replaceAll("-", "/")} ${iso.slice(11, 19)} [k8saudit] ${message}\n`;
}

export interface AuditSourceStats {
  readonly mode: "file" | "webhook";
  /** Audit events evaluated. */
  readonly events: number;
  /** Payloads, events and requests refused, by code. */
  readonly rejected: Readonly<Record<string, number>>;
  readonly rejectedTotal: number;
  /** The webhook's own figures (null for a file). */
  readonly webhook: WebhookStats | null;
}

export type AuditSourceOpen = { ok: true; source: AuditSource } | { ok: false; error: AuditSourceError };

/** A stop was asked for: the reader's pause throws this to end the file early. */
class Stopped extends Error {}

export interface AuditSource {
  /** Resolves when the source has ended: the file read to its end (or failed), or the source stopped. */
  readonly done: Promise<AuditSourceError | null>;
  stats(): AuditSourceStats;
  /** Switch to the detector of a reloaded rule set (between two events). */
  setDetector(detector: Detector<AuditEvent>): void;
  stop(): Promise<void>;
}

/** Open the input (file checked and recognised, or the webhook listening); events flow from here on. */
export async function openAuditSource(
  spec: AuditSourceSpec,
  hooks: AuditSourceHooks,
): Promise<AuditSourceOpen> {
  hooks.log(LOG_INFO, "Opening 'k8s_audit' source with plugin 'k8saudit'");
  return spec.input.kind === "file"
    ? AuditFileSource.open(spec, hooks)
    : AuditWebhookSource.open(spec, hooks);
}

class AuditFileSource implements AuditSource, AuditFileSink {
  readonly done: Promise<AuditSourceError | null>;
  private readonly reader: AuditFileReader;
  private readonly rejected = new Map<string, number>();
  private readonly emit: (alert: Alert, rule: PlannedRule<AuditEvent>) => void;
  private current: Detector<AuditEvent>;
  private stopping = false;
  /** Resolves when a stop is asked for: a reader waiting for room (a blocked output) gives up then. */
  private readonly stopAsked: Promise<void>;
  private askStop: () => void = () => undefined;

  static async open(spec: AuditSourceSpec, hooks: AuditSourceHooks): Promise<AuditSourceOpen> {
    const path = spec.input.kind === "file" ? spec.input.path : "";
    const inputs = await sniffInputs([path], spec.maxBodyBytes);
    if (!Array.isArray(inputs)) {
      return { ok: false, error: { code: "SAKER_RUN_AUDIT_OPEN", message: inputs.message } };
    }
    const scap = inputs.find((i) => i.kind === "scap");
    if (scap !== undefined) {
      return {
        ok: false,
        error: {
          code: "SAKER_RUN_AUDIT_OPEN",
          message: `${AUDIT_SOURCE_ERRORS.SAKER_RUN_AUDIT_OPEN}: ${escapeText(scap.path)} is a scap capture`,
        },
      };
    }
    return { ok: true, source: new AuditFileSource(spec, hooks, inputs) };
  }

  private constructor(
    spec: AuditSourceSpec,
    private readonly hooks: AuditSourceHooks,
    inputs: readonly SniffedInput[],
  ) {
    this.reader = new AuditFileReader(this, {
      maxEventSize: spec.maxEventSize,
      maxPayloadBytes: spec.maxBodyBytes,
    });
    this.current = hooks.detector();
    this.emit = (alert, rule) => hooks.alert(alert, rule.formatter.render(alert));
    this.stopAsked = new Promise((resolve) => {
      this.askStop = resolve;
    });
    this.done = this.readAll(inputs);
  }

  private async readAll(inputs: readonly SniffedInput[]): Promise<AuditSourceError | null> {
    // Start on a later turn: the agent finishes starting before the first alert.
    await new Promise((resolve) => setImmediate(resolve));
    for (const input of inputs) {
      if (input.kind === "scap") continue; // refused at open
      try {
        await this.reader.read(input.path, input.kind, input.size);
      } catch (e) {
        if (e instanceof Stopped) return null;
        const why = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
        return {
          code: "SAKER_RUN_AUDIT_READ",
          message: `${AUDIT_SOURCE_ERRORS.SAKER_RUN_AUDIT_READ}: ${escapeText(input.path)}: ${escapeText(why)}`,
        };
      }
    }
    this.hooks.log(
      LOG_INFO,
      `k8s_audit: end of input: ${this.reader.events} events read, ${this.rejectedTotal()} rejected`,
    );
    return null;
  }

  event(ev: AuditEvent): void {
    this.current.process(ev, "", ev.timestampNs(), this.emit);
  }

  reject(path: string, line: number, code: K8sAuditErrorCode, detail?: string, message?: string): void {
    const seen = (this.rejected.get(code) ?? 0) + 1;
    this.rejected.set(code, seen);
    if (seen > REPORT_PER_CODE) return;
    const text =
      message ?? (detail === undefined ? K8S_AUDIT_ERRORS[code] : `${K8S_AUDIT_ERRORS[code]}: ${detail}`);
    const where = line > 0 ? `${path}:${line}` : path;
    const more = seen === REPORT_PER_CODE ? " (further ones of this kind are only counted)" : "";
    this.hooks.pluginLog(pluginLogLine(`${escapeText(where)}: ${escapeText(text)} (${code})${more}`));
  }

  async pause(): Promise<void> {
    if (this.stopping) throw new Stopped();
    await Promise.race([this.hooks.room(), this.stopAsked]);
    await new Promise((resolve) => setImmediate(resolve));
    if (this.stopping) throw new Stopped();
  }

  setDetector(detector: Detector<AuditEvent>): void {
    this.current = detector;
  }

  stats(): AuditSourceStats {
    return {
      mode: "file",
      events: this.reader.events,
      rejected: Object.fromEntries(this.rejected),
      rejectedTotal: this.rejectedTotal(),
      webhook: null,
    };
  }

  private rejectedTotal(): number {
    let n = 0;
    for (const v of this.rejected.values()) n += v;
    return n;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.askStop();
    await this.done;
  }
}

class AuditWebhookSource implements AuditSource {
  readonly done: Promise<AuditSourceError | null>;
  private ended: ((e: AuditSourceError | null) => void) | null = null;

  static async open(spec: AuditSourceSpec, hooks: AuditSourceHooks): Promise<AuditSourceOpen> {
    const input = spec.input;
    if (input.kind !== "webhook") throw new Error("not a webhook input");
    let tls: { key: Buffer; cert: Buffer } | undefined;
    if (input.tls) {
      // The plugin hands the one PEM file to Go as both certificate and key; so does this.
      let pem: Buffer;
      try {
        pem = readFileSync(spec.sslCertificate);
      } catch (e) {
        const why = (e as NodeJS.ErrnoException).code ?? String(e);
        return {
          ok: false,
          error: {
            code: "SAKER_RUN_AUDIT_TLS",
            message: `${AUDIT_SOURCE_ERRORS.SAKER_RUN_AUDIT_TLS} ${escapeText(spec.sslCertificate)}: ${why}`,
          },
        };
      }
      tls = { key: pem, cert: pem };
    }
    let webhook: AuditWebhook;
    try {
      webhook = new AuditWebhook({
        detector: hooks.detector(),
        host: input.host,
        port: input.port,
        path: input.path,
        tls,
        maxBodyBytes: spec.maxBodyBytes,
        maxEventSize: spec.maxEventSize,
        onAlert: (alert, text) => hooks.alert(alert, text),
      });
    } catch (e) {
      return {
        ok: false,
        error: { code: "SAKER_RUN_AUDIT_LISTEN", message: escapeText((e as Error).message) },
      };
    }
    try {
      const address = await webhook.start();
      hooks.log(LOG_INFO, `k8s_audit: webhook listening on ${address.url}`);
    } catch (e) {
      await webhook.stop().catch(() => undefined);
      const err = e as NodeJS.ErrnoException;
      // A certificate or key that does not parse fails here, when the TLS server is created.
      const tlsProblem =
        input.tls &&
        (String(err.code ?? "").startsWith("ERR_OSSL") || /PEM|private key|certificate/i.test(err.message));
      const code: AuditSourceErrorCode = tlsProblem ? "SAKER_RUN_AUDIT_TLS" : "SAKER_RUN_AUDIT_LISTEN";
      return {
        ok: false,
        error: { code, message: `${AUDIT_SOURCE_ERRORS[code]}: ${escapeText(err.code ?? err.message)}` },
      };
    }
    return { ok: true, source: new AuditWebhookSource(webhook) };
  }

  private constructor(private readonly webhook: AuditWebhook) {
    this.done = new Promise((resolve) => {
      this.ended = resolve;
    });
  }

  setDetector(detector: Detector<AuditEvent>): void {
    this.webhook.setDetector(detector);
  }

  stats(): AuditSourceStats {
    const w = this.webhook.stats();
    // Requests refused by code, plus events dropped from accepted payloads (K8SAUDIT_* codes); events
    // of a payload refused whole (queue full) are already counted once as its request.
    const rejected: Record<string, number> = { ...w.rejected };
    for (const [code, n] of Object.entries(w.rejectedEvents)) {
      if (code.startsWith("K8SAUDIT_")) rejected[code] = (rejected[code] ?? 0) + n;
    }
    let total = 0;
    for (const n of Object.values(rejected)) total += n;
    return { mode: "webhook", events: w.evaluated, rejected, rejectedTotal: total, webhook: w };
  }

  /** Stop listening, evaluate what was accepted; resolves `done`. */
  async stop(): Promise<void> {
    await this.webhook.stop();
    this.ended?.(null);
  }
}
