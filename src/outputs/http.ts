// http_output: each alert POSTed to `url` as the outputs print it, as Falco does: the JSON object with
// Content-Type application/json when json_output is on (what falcosidekick and other webhook receivers
// expect), the text line as text/plain otherwise.
//
// Delivery is one request at a time, in order (the channel's queue waits on each write). While the
// endpoint is unreachable (connection refused or reset, TLS handshake refused, 5xx, 429) the same alert
// is retried with exponential backoff (100 ms doubling to 2 s), so alerts queue up behind it, bounded by
// the channel's queue: past that bound new alerts are dropped and counted for this channel only. A 4xx
// answer is final for that alert (counted, logged). Timeouts are retried up to max_consecutive_timeouts
// times, then the alert is given up, as Falco's libcurl loop does. Failures are logged once per streak.
//
// TLS: ca_cert, else ca_bundle, else the PEM files of ca_path (Node's bundled roots when it has none);
// mtls presents client_cert/client_key; insecure skips server verification. The connection is reused
// (libcurl reuses its handle's too); keep_alive turns on TCP keep-alive probes, as Falco's does.
// compress_uploads gzips the body (Content-Encoding: gzip) on libuv's thread pool.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzip as gzipCb } from "node:zlib";
import { Client, errors as undiciErrors } from "undici";
import type { AlertConfig } from "../alerts/alert.js";
import { escapeText } from "../alerts/escape.js";
import { OUTPUT_ERRORS, type OutputError, type OutputErrorCode } from "./errors.js";
import { LOG_ERR, LOG_INFO, type OutputChannel, type OutputMessage } from "./queue.js";

const gzip = promisify(gzipCb);
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2000;
/** How long one request may take before it counts as a timeout. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface HttpChannelOptions {
  readonly url: string;
  readonly userAgent?: string;
  readonly insecure?: boolean;
  readonly caCert?: string;
  readonly caBundle?: string;
  readonly caPath?: string;
  readonly mtls?: boolean;
  readonly clientCert?: string;
  readonly clientKey?: string;
  /** Print each response body. */
  readonly echo?: boolean;
  readonly compressUploads?: boolean;
  readonly keepAlive?: boolean;
  readonly maxConsecutiveTimeouts?: number;
  /** How alerts render as JSON (json_output off: the JSON is rendered here from the alert record). */
  readonly alertConfig: AlertConfig;
  readonly log?: (level: number, message: string) => void;
  /** Where echoed response bodies go (default: process stdout). */
  readonly stdout?: (text: string) => void;
  /** Longest wait between retries (default 2 s). */
  readonly maxBackoffMs?: number;
  readonly requestTimeoutMs?: number;
  readonly name?: string;
}

class RetryableStatus extends Error {}

export class HttpChannel implements OutputChannel {
  readonly name: string;
  /** Failed attempts (every refused, reset or timed-out request and every error status). */
  errors = 0;
  /** Alerts given up (4xx answers, too many timeouts, or a channel that cannot work). */
  rejected = 0;
  /** Alerts the server accepted (2xx/3xx). */
  accepted = 0;
  lastError: OutputError | null = null;
  private readonly options: HttpChannelOptions;
  private readonly log: (level: number, message: string) => void;
  private readonly client: Client | null = null;
  private readonly path: string = "/";
  private readonly headers: Record<string, string>;
  private failing = false;
  private closed = false;
  private inFlight = false;
  private wake: (() => void) | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;

  constructor(options: HttpChannelOptions) {
    this.options = options;
    this.name = options.name ?? "http";
    this.log = options.log ?? (() => undefined);
    this.headers = {
      "content-type": options.alertConfig.jsonOutput ? "application/json" : "text/plain",
      "user-agent": options.userAgent ?? "falcosecurity/falco",
      ...(options.compressUploads === true ? { "content-encoding": "gzip" } : {}),
    };
    let url: URL;
    try {
      url = new URL(unquote(options.url));
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`scheme ${url.protocol}`);
    } catch (e) {
      this.fail("SAKER_OUTPUT_HTTP_URL", `'${escapeText(options.url)}': ${(e as Error).message}`);
      return;
    }
    this.path = url.pathname + url.search;
    const tls = url.protocol === "https:" ? this.tlsOptions() : {};
    this.client = new Client(url.origin, {
      connect: {
        ...tls,
        ...(options.keepAlive === true ? { keepAlive: true, keepAliveInitialDelay: 30_000 } : {}),
      },
      headersTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      bodyTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    });
  }

  async write(message: OutputMessage): Promise<void> {
    const client = this.client;
    if (client === null) {
      this.rejected++;
      return;
    }
    const line = message.line;
    const body = this.options.compressUploads === true ? await gzip(line) : line;
    const maxTimeouts = this.options.maxConsecutiveTimeouts ?? 5;
    let backoff = FIRST_BACKOFF_MS;
    let timeouts = 0;
    while (!this.closed) {
      this.inFlight = true;
      try {
        const res = await client.request({ path: this.path, method: "POST", headers: this.headers, body });
        const text = await res.body.text();
        if (this.options.echo === true) (this.options.stdout ?? writeStdout)(escapeText(text) + "\n");
        if (res.statusCode >= 500 || res.statusCode === 429)
          throw new RetryableStatus(`status ${res.statusCode}`);
        if (res.statusCode >= 400) {
          this.errors++;
          this.rejected++;
          this.fail("SAKER_OUTPUT_HTTP_STATUS", `${this.options.url}: status ${res.statusCode}`);
          return;
        }
        this.accepted++;
        if (this.failing) this.log(LOG_INFO, `${this.name}: ${this.options.url} accepts alerts again`);
        this.failing = false;
        return;
      } catch (e) {
        this.errors++;
        const timedOut =
          e instanceof undiciErrors.HeadersTimeoutError ||
          e instanceof undiciErrors.BodyTimeoutError ||
          e instanceof undiciErrors.ConnectTimeoutError;
        const code: OutputErrorCode =
          e instanceof RetryableStatus ? "SAKER_OUTPUT_HTTP_STATUS" : "SAKER_OUTPUT_HTTP_REQUEST";
        this.fail(code, `${this.options.url}: ${describe(e)}; retrying`);
        if (timedOut && ++timeouts > maxTimeouts) {
          this.rejected++;
          this.log(
            LOG_ERR,
            `${this.name}: ${this.options.url}: ${timeouts} timeouts in a row, alert given up`,
          );
          return;
        }
      } finally {
        this.inFlight = false;
      }
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? MAX_BACKOFF_MS);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sleepTimer !== null) clearTimeout(this.sleepTimer);
    this.wake?.();
    if (this.client === null) return;
    // An in-flight request to a hung server would hold close() forever: cut it.
    if (this.inFlight) await this.client.destroy().catch(() => undefined);
    else await this.client.close().catch(() => undefined);
  }

  private tlsOptions(): Record<string, unknown> {
    const o = this.options;
    const read = (path: string): Buffer | undefined => {
      try {
        return readFileSync(path);
      } catch (e) {
        this.fail("SAKER_OUTPUT_HTTP_TLS_FILE", `${path}: ${(e as Error).message}`);
        return undefined;
      }
    };
    const tls: Record<string, unknown> = {};
    if (o.insecure === true) tls.rejectUnauthorized = false;
    if ((o.caCert ?? "") !== "") tls.ca = read(o.caCert!);
    else if ((o.caBundle ?? "") !== "") tls.ca = read(o.caBundle!);
    else if ((o.caPath ?? "") !== "") {
      const certs = pemFiles(o.caPath!);
      if (certs.length > 0) tls.ca = certs;
    }
    if (o.mtls === true) {
      tls.cert = read(o.clientCert ?? "");
      tls.key = read(o.clientKey ?? "");
    }
    return tls;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }

  private fail(code: OutputErrorCode, detail: string): void {
    this.lastError = { code, message: `${OUTPUT_ERRORS[code]}: ${detail}` };
    if (!this.failing) this.log(LOG_ERR, `${this.name}: ${this.lastError.message} (${code})`);
    this.failing = true;
  }
}

/** The certificates of a directory (CURLOPT_CAPATH): its *.pem and *.crt files; unreadable ones skipped. */
function pemFiles(dir: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: Buffer[] = [];
  for (const n of names) {
    if (!n.endsWith(".pem") && !n.endsWith(".crt")) continue;
    try {
      const p = join(dir, n);
      if (statSync(p).isFile()) out.push(readFileSync(p));
    } catch {
      // a dangling link or an unreadable file: not a certificate we can use
    }
  }
  return out;
}

/** Falco strips one pair of quotes around the URL. */
function unquote(url: string): string {
  if (url.length >= 2 && ((url[0] === '"' && url.endsWith('"')) || (url[0] === "'" && url.endsWith("'"))))
    return url.slice(1, -1);
  return url;
}

function describe(e: unknown): string {
  const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code;
  return escapeText((code !== undefined ? code + " " : "") + (err.message || (err.cause?.message ?? "")));
}

function writeStdout(text: string): void {
  process.stdout.write(text);
}
