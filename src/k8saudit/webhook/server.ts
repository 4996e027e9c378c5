// The audit webhook: the Kubernetes API server's webhook backend POSTs audit events here
// (`audit.k8s.io/v1` Event or EventList JSON), and they flow into the detector.
//
//   request ─> auth (bearer token / client certificate) ─> body (application/json, bounded)
//           ─> parseAuditPayload ─> bounded queue (whole payload or nothing) ─> 200
//   queue   ─> drained in batches on later turns of the event loop ─> detector ─> onAlert
//
// Request handling never waits on evaluation: a request is answered as soon as its events are queued,
// and the queue is drained in batches between I/O callbacks, so a burst of alerts cannot stall intake and
// a hostile client cannot stall the others. Every refusal has a 4xx status and a stable code, and is
// counted by that code: malformed HTTP, wrong method or path, missing or bad credentials, a content type
// other than JSON, a body over the limit (413, checked against Content-Length before reading), input that
// is not audit JSON (K8SAUDIT_* codes), a full queue (429), and clients too slow to send their headers or
// body (408 from Node's header and request timers). Nothing is logged per request.
//
// Unlike the k8saudit plugin, which answers 200 before parsing, the body is parsed before answering, so
// the API server learns that a payload was refused; parsing is linear in the body, which the body limit
// bounds.
import { createHash, timingSafeEqual } from "node:crypto";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import type { TLSSocket } from "node:tls";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Alert } from "../../alerts/alert.js";
import type { Detector, PlannedRule } from "../../engine/detector.js";
import {
  AuditEventSequence,
  DEFAULT_MAX_EVENT_SIZE,
  DEFAULT_MAX_PAYLOAD_BYTES,
  K8S_AUDIT_ERRORS,
  parseAuditPayload,
  type AuditEvent,
  type K8sAuditErrorCode,
} from "../event.js";
import { LatencyHistogram } from "./latency.js";
import { BoundedQueue } from "./queue.js";

/** Why the webhook refused a request (besides the K8SAUDIT_* codes of the payload itself). */
export const WEBHOOK_ERRORS = {
  SAKER_WEBHOOK_BAD_HTTP: "malformed HTTP request",
  SAKER_WEBHOOK_TIMEOUT: "request not received in time",
  SAKER_WEBHOOK_NOT_FOUND: "no such path",
  SAKER_WEBHOOK_METHOD: "method not allowed; use POST",
  SAKER_WEBHOOK_UNAUTHORIZED: "missing or invalid credentials",
  SAKER_WEBHOOK_CONTENT_TYPE: "content type must be application/json",
  SAKER_WEBHOOK_CONTENT_ENCODING: "content encoding not supported",
  SAKER_WEBHOOK_BODY_TOO_LARGE: "request body larger than the limit",
  SAKER_WEBHOOK_ABORTED: "client went away before the body was read",
  SAKER_WEBHOOK_NO_EVENTS: "no event of the payload could be read",
  SAKER_WEBHOOK_QUEUE_FULL: "too many events waiting for evaluation; retry later",
  SAKER_WEBHOOK_TLS: "TLS handshake failed",
  SAKER_WEBHOOK_TOO_MANY_CONNECTIONS: "connection refused: too many open connections",
  SAKER_WEBHOOK_INTERNAL: "internal error",
} as const;

export type WebhookErrorCode = keyof typeof WEBHOOK_ERRORS;
export type RejectionCode = WebhookErrorCode | K8sAuditErrorCode;

export interface WebhookTlsOptions {
  /** PEM private key and certificate of the server. */
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  /** PEM CA bundle that client certificates must chain to (needed for requireClientCert). */
  readonly ca?: string | Buffer;
  /** Refuse requests (401) whose connection presented no certificate signed by `ca`. */
  readonly requireClientCert?: boolean;
  /** With requireClientCert: accept only these subject common names or DNS alt names. */
  readonly allowedClientNames?: readonly string[];
}

export interface AuditWebhookOptions {
  readonly detector: Detector<AuditEvent>;
  /** Interface to listen on (default "0.0.0.0": the API server is usually another host). */
  readonly host?: string;
  /** Port (default 9765; 0 picks a free one). */
  readonly port?: number;
  /** Path of the endpoint (default "/k8s-audit"). */
  readonly path?: string;
  readonly tls?: WebhookTlsOptions;
  /** Accept only requests carrying `Authorization: Bearer <one of these>`. */
  readonly bearerTokens?: readonly string[];
  /** Largest request body in bytes (default 12 MiB, the plugin's webhookMaxBatchSize). */
  readonly maxBodyBytes?: number;
  /** Largest single event in bytes (default 262144, the plugin's maxEventSize). */
  readonly maxEventSize?: number;
  /** Events waiting for evaluation at most (default 65536). A payload that does not fit gets 429. */
  readonly queueCapacity?: number;
  /** Events evaluated per turn of the event loop (default 512). */
  readonly batchSize?: number;
  /** Time a client has to send its request headers, ms (default 10000). */
  readonly headersTimeoutMs?: number;
  /** Time a client has to send its whole request, ms (default 30000). */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open, ms (default 65000). */
  readonly keepAliveTimeoutMs?: number;
  /** How often the header/request timers are checked, ms (default 1000). */
  readonly timerCheckIntervalMs?: number;
  /** Open connections at most (default 1024); more are dropped on accept. */
  readonly maxConnections?: number;
  /** Each alert, with its text as Falco's outputs write it. Called on the evaluation turn; keep it quick. */
  readonly onAlert?: (alert: Alert, text: string) => void;
}

export interface WebhookStats {
  /** HTTP requests that reached a handler or a timer (refused ones included). */
  readonly requests: number;
  readonly acceptedRequests: number;
  /** Events queued for evaluation. */
  readonly acceptedEvents: number;
  /** Requests (or connections) refused, by code. */
  readonly rejected: Readonly<Record<string, number>>;
  readonly rejectedTotal: number;
  /** Events dropped from otherwise accepted payloads (e.g. without stageTimestamp), by code. */
  readonly rejectedEvents: Readonly<Record<string, number>>;
  readonly evaluated: number;
  readonly alerts: number;
  readonly alertSinkErrors: number;
  readonly queueDepth: number;
  readonly queueHighWater: number;
  readonly queueCapacity: number;
  /** From the request's arrival to the event's evaluation. */
  readonly latency: {
    readonly count: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
  };
}

export interface WebhookAddress {
  readonly host: string;
  readonly port: number;
  /** The endpoint's URL (http or https). */
  readonly url: string;
}

const STATUS: Readonly<Record<WebhookErrorCode, number>> = {
  SAKER_WEBHOOK_BAD_HTTP: 400,
  SAKER_WEBHOOK_TIMEOUT: 408,
  SAKER_WEBHOOK_NOT_FOUND: 404,
  SAKER_WEBHOOK_METHOD: 405,
  SAKER_WEBHOOK_UNAUTHORIZED: 401,
  SAKER_WEBHOOK_CONTENT_TYPE: 415,
  SAKER_WEBHOOK_CONTENT_ENCODING: 415,
  SAKER_WEBHOOK_BODY_TOO_LARGE: 413,
  SAKER_WEBHOOK_ABORTED: 400,
  SAKER_WEBHOOK_NO_EVENTS: 400,
  SAKER_WEBHOOK_QUEUE_FULL: 429,
  SAKER_WEBHOOK_TLS: 400,
  SAKER_WEBHOOK_TOO_MANY_CONNECTIONS: 503,
  SAKER_WEBHOOK_INTERNAL: 500,
};

/**
 * Refusals answered before the body is read: the connection is closed after the answer, so a client that
 * is not allowed to send cannot make the server read (and discard) what it sends anyway.
 */
const CLOSE_AFTER: ReadonlySet<RejectionCode> = new Set<RejectionCode>([
  "SAKER_WEBHOOK_UNAUTHORIZED",
  "SAKER_WEBHOOK_CONTENT_TYPE",
  "SAKER_WEBHOOK_CONTENT_ENCODING",
  "SAKER_WEBHOOK_BODY_TOO_LARGE",
]);

const OTHER_METHODS = ["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;
/** Marks a socket whose failure was already counted (a timeout also aborts the request in progress). */
const COUNTED = Symbol("saker.webhook.counted");

export class AuditWebhook {
  private readonly options: AuditWebhookOptions;
  private readonly path: string;
  private readonly queue: BoundedQueue<AuditEvent>;
  private readonly sequence = new AuditEventSequence();
  private readonly latency = new LatencyHistogram();
  private readonly arrival = new WeakMap<IncomingMessage, number>();
  private readonly tokenDigests: readonly Buffer[] | undefined;
  private readonly emit: (alert: Alert, rule: PlannedRule<AuditEvent>) => void;
  private readonly evaluateOne: (event: AuditEvent, receivedAt: number) => void;
  private detector: Detector<AuditEvent>;
  private app: FastifyInstance | undefined;
  private drainScheduled = false;
  private idleWaiters: (() => void)[] = [];

  private requests = 0;
  private acceptedRequests = 0;
  private acceptedEvents = 0;
  private readonly rejected = new Map<string, number>();
  private readonly rejectedEvents = new Map<string, number>();
  private evaluated = 0;
  private alerts = 0;
  private alertSinkErrors = 0;

  constructor(options: AuditWebhookOptions) {
    this.options = options;
    this.path = options.path ?? "/k8s-audit";
    if (!this.path.startsWith("/")) throw new RangeError(`webhook path must start with '/': ${this.path}`);
    this.queue = new BoundedQueue<AuditEvent>(options.queueCapacity ?? 65536);
    this.tokenDigests = options.bearerTokens?.map(digest);
    if (options.tls?.requireClientCert === true && options.tls.ca === undefined) {
      throw new RangeError("requireClientCert needs a CA (tls.ca) to verify client certificates against");
    }
    const onAlert = options.onAlert;
    this.emit = (alert, rule) => {
      this.alerts++;
      if (onAlert === undefined) return;
      try {
        onAlert(alert, rule.formatter.render(alert));
      } catch {
        this.alertSinkErrors++;
      }
    };
    this.detector = options.detector;
    this.evaluateOne = (event, receivedAt) => {
      this.sequence.stamp(event);
      this.detector.process(event, "", event.timestampNs(), this.emit);
      this.evaluated++;
      this.latency.record(performance.now() - receivedAt);
    };
  }

  /**
   * Evaluate events with another detector from now on (a rules reload). Events already queued are
   * evaluated with it too: the swap happens between two events, never during one.
   */
  setDetector(detector: Detector<AuditEvent>): void {
    this.detector = detector;
  }

  /** Listen; resolves with the bound address (use port 0 in tests). */
  async start(): Promise<WebhookAddress> {
    if (this.app !== undefined) throw new Error("webhook already started");
    const app = this.build();
    this.app = app;
    const host = this.options.host ?? "0.0.0.0";
    await app.listen({ host, port: this.options.port ?? 9765 });
    const addr = app.server.address() as AddressInfo;
    const scheme = this.options.tls === undefined ? "http" : "https";
    const urlHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
    return { host: addr.address, port: addr.port, url: `${scheme}://${urlHost}:${addr.port}${this.path}` };
  }

  /** Stop listening, close every connection, then evaluate what is still queued. */
  async stop(): Promise<void> {
    const app = this.app;
    if (app === undefined) return;
    this.app = undefined;
    await app.close();
    this.drainAll();
  }

  /** Resolves once the queue is empty (every accepted event evaluated). */
  idle(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): WebhookStats {
    let rejectedTotal = 0;
    for (const n of this.rejected.values()) rejectedTotal += n;
    return {
      requests: this.requests,
      acceptedRequests: this.acceptedRequests,
      acceptedEvents: this.acceptedEvents,
      rejected: Object.fromEntries(this.rejected),
      rejectedTotal,
      rejectedEvents: Object.fromEntries(this.rejectedEvents),
      evaluated: this.evaluated,
      alerts: this.alerts,
      alertSinkErrors: this.alertSinkErrors,
      queueDepth: this.queue.length,
      queueHighWater: this.queue.highWater,
      queueCapacity: this.queue.capacity,
      latency: {
        count: this.latency.count,
        p50Ms: this.latency.quantile(0.5),
        p99Ms: this.latency.quantile(0.99),
        maxMs: this.latency.maxMs,
      },
    };
  }

  // -------------------------------------------------------------------------------------------------

  private count(map: Map<string, number>, code: string, n = 1): void {
    map.set(code, (map.get(code) ?? 0) + n);
  }

  private build(): FastifyInstance {
    const o = this.options;
    const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    const parseOptions = { maxEventSize: o.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE, maxPayloadBytes: maxBody };

    const app = Fastify({
      logger: false,
      bodyLimit: maxBody,
      forceCloseConnections: true,
      serverFactory: (handler) => this.createServer(handler),
      clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => this.onClientError(err, socket),
    });

    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      "application/json",
      { parseAs: "buffer", bodyLimit: maxBody },
      (_req, body, done) => done(null, body),
    );

    app.addHook("onRequest", async (request, reply) => {
      this.requests++;
      this.arrival.set(request.raw, performance.now());
      if (!this.authorized(request)) {
        reply.header("www-authenticate", "Bearer");
        return this.refuse(reply, "SAKER_WEBHOOK_UNAUTHORIZED");
      }
      const encoding = request.headers["content-encoding"];
      if (encoding !== undefined && encoding.toLowerCase() !== "identity") {
        return this.refuse(reply, "SAKER_WEBHOOK_CONTENT_ENCODING");
      }
      return undefined;
    });

    app.post(this.path, async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body)) return this.refuse(reply, "SAKER_WEBHOOK_CONTENT_TYPE");
      const result = parseAuditPayload(body, parseOptions);
      if (!result.ok) return this.refuse(reply, result.error.code, 400);
      for (const e of result.eventErrors) this.count(this.rejectedEvents, e.code);
      const events = result.events;
      if (events.length === 0 && result.eventErrors.length > 0) {
        return this.refuse(reply, "SAKER_WEBHOOK_NO_EVENTS");
      }
      if (events.length > this.queue.free()) {
        this.count(this.rejectedEvents, "SAKER_WEBHOOK_QUEUE_FULL", events.length);
        reply.header("retry-after", "1");
        return this.refuse(reply, "SAKER_WEBHOOK_QUEUE_FULL");
      }
      const receivedAt = this.arrival.get(request.raw) ?? performance.now();
      for (const ev of events) this.queue.push(ev, receivedAt);
      this.acceptedRequests++;
      this.acceptedEvents += events.length;
      this.scheduleDrain();
      return reply.code(200).send({ accepted: events.length, rejected: result.eventErrors.length });
    });
    app.route({
      method: [...OTHER_METHODS],
      url: this.path,
      handler: async (_request, reply) => {
        reply.header("allow", "POST");
        return this.refuse(reply, "SAKER_WEBHOOK_METHOD");
      },
    });
    app.setNotFoundHandler(async (_request, reply) => this.refuse(reply, "SAKER_WEBHOOK_NOT_FOUND"));
    app.setErrorHandler(async (error: Error & { code?: string; statusCode?: number }, request, reply) => {
      const socket = request.raw.socket as Socket & { [COUNTED]?: boolean };
      const code: WebhookErrorCode =
        error.code === "FST_ERR_CTP_BODY_TOO_LARGE"
          ? "SAKER_WEBHOOK_BODY_TOO_LARGE"
          : error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
            ? "SAKER_WEBHOOK_CONTENT_TYPE"
            : error.code === "FST_ERR_CTP_INVALID_CONTENT_LENGTH" || error.code === "FST_ERR_CTP_EMPTY_TYPE"
              ? "SAKER_WEBHOOK_BAD_HTTP"
              : error.code === "ECONNRESET" || error.message === "aborted" || socket.destroyed
                ? "SAKER_WEBHOOK_ABORTED"
                : "SAKER_WEBHOOK_INTERNAL";
      if (socket[COUNTED] === true) {
        // the socket's failure (a timeout) was counted where it was detected
        socket.destroy();
        return reply;
      }
      return this.refuse(reply, code);
    });
    return app;
  }

  private createServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
    const o = this.options;
    const common = {
      headersTimeout: o.headersTimeoutMs ?? 10_000,
      requestTimeout: o.requestTimeoutMs ?? 30_000,
      keepAliveTimeout: o.keepAliveTimeoutMs ?? 65_000,
      connectionsCheckingInterval: o.timerCheckIntervalMs ?? 1000,
    };
    const tls = o.tls;
    const server: Server =
      tls === undefined
        ? createHttpServer(common, handler)
        : createHttpsServer(
            {
              ...common,
              key: tls.key,
              cert: tls.cert,
              ca: tls.ca,
              // Verify here, refuse per request with a counted 401 rather than a bare handshake failure.
              requestCert: tls.requireClientCert === true,
              rejectUnauthorized: false,
            },
            handler,
          );
    // The timer fields are read from options at creation in Node 20; set them again for older minors.
    server.headersTimeout = common.headersTimeout;
    server.requestTimeout = common.requestTimeout;
    server.keepAliveTimeout = common.keepAliveTimeout;
    server.maxConnections = o.maxConnections ?? 1024;
    server.on("drop", () => this.count(this.rejected, "SAKER_WEBHOOK_TOO_MANY_CONNECTIONS"));
    server.on("tlsClientError", () => this.count(this.rejected, "SAKER_WEBHOOK_TLS"));
    return server;
  }

  /** Errors on a connection before or outside a request: timeouts and malformed HTTP. */
  private onClientError(err: NodeJS.ErrnoException, socket: Socket & { [COUNTED]?: boolean }): void {
    if (err.code === "ECONNRESET" || socket.destroyed) return; // the client left: nothing to answer
    const code: WebhookErrorCode =
      err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "SAKER_WEBHOOK_TIMEOUT" : "SAKER_WEBHOOK_BAD_HTTP";
    if (socket[COUNTED] !== true) {
      socket[COUNTED] = true;
      this.requests++;
      this.count(this.rejected, code);
    }
    const status = code === "SAKER_WEBHOOK_TIMEOUT" ? 408 : err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
    const body = JSON.stringify({ code, message: WEBHOOK_ERRORS[code] });
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${status === 408 ? "Request Timeout" : status === 431 ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
          `Connection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  }

  private authorized(request: FastifyRequest): boolean {
    const tls = this.options.tls;
    if (tls?.requireClientCert === true) {
      const socket = request.raw.socket as TLSSocket;
      if (!socket.authorized) return false;
      const allowed = tls.allowedClientNames;
      if (allowed !== undefined && !certificateNames(socket).some((n) => allowed.includes(n))) return false;
    }
    const digests = this.tokenDigests;
    if (digests !== undefined) {
      const header = request.headers.authorization;
      const m = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
      if (m === null) return false;
      const given = digest(m[1]);
      let ok = false;
      for (const d of digests) ok = timingSafeEqual(given, d) || ok; // look at every token: constant time
      if (!ok) return false;
    }
    return true;
  }

  private refuse(reply: FastifyReply, code: RejectionCode, status?: number): FastifyReply {
    this.count(this.rejected, code);
    if (CLOSE_AFTER.has(code)) reply.header("connection", "close");
    const message =
      code in WEBHOOK_ERRORS
        ? WEBHOOK_ERRORS[code as WebhookErrorCode]
        : K8S_AUDIT_ERRORS[code as K8sAuditErrorCode];
    return reply
      .code(status ?? STATUS[code as WebhookErrorCode] ?? 400)
      .header("content-type", "application/json")
      .send({ code, message });
  }

  // -------------------------------------------------------------------------------------------------
  // Evaluation

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.drainBatch());
  }

  private drainBatch(): void {
    this.drainScheduled = false;
    const batch = this.options.batchSize ?? 512;
    for (let i = 0; i < batch && this.queue.shift(this.evaluateOne); i++);
    if (this.queue.length > 0) this.scheduleDrain();
    else this.wakeIdle();
  }

  private drainAll(): void {
    while (this.queue.shift(this.evaluateOne));
    this.wakeIdle();
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** Subject CN and DNS alt names of the client certificate. */
function certificateNames(socket: TLSSocket): string[] {
  const cert = socket.getPeerCertificate();
  const names: string[] = [];
  const cn = cert.subject?.CN;
  if (typeof cn === "string") names.push(cn);
  else if (Array.isArray(cn)) names.push(...(cn as string[]));
  for (const part of (cert.subjectaltname ?? "").split(",")) {
    const p = part.trim();
    if (p.startsWith("DNS:")) names.push(p.slice(4));
  }
  return names;
}
