// The load generator of the audit webhook load test, run in a worker thread (its own event loop, so it
// competes with the server for CPU as a separate client process would, not for the same loop). It posts
// audit events at a fixed rate over keep-alive connections for a fixed time, mixes hostile requests in,
// and stops by itself; then it reports what it sent and what the server answered.
//
// Imported outside a worker (e.g. picked up by a test runner) it does nothing.
import { Agent, request } from "node:http";
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { isMainThread, parentPort, workerData } from "node:worker_threads";

export interface LoadClientConfig {
  readonly url: string;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Valid audit events (one JSON object each); the report counts accepted events per template. */
  readonly templates: readonly string[];
  /** Bodies larger than the server's limit are built from this size. */
  readonly maxBodyBytes: number;
  /** Keep-alive connections for the valid traffic. */
  readonly connections: number;
}

/** Hostile requests sent per second, by kind. */
export const HOSTILE_PER_SECOND = {
  malformed: 10,
  notAudit: 5,
  tooDeep: 2,
  wrongType: 5,
  wrongMethod: 2,
  oversize: 2,
  /** Connections that dribble their headers and never finish them. */
  slowHeaders: 1,
  /** Connections that send headers and part of the body, then stall. */
  halfBody: 1,
} as const;

export type HostileKind = keyof typeof HOSTILE_PER_SECOND;

export interface LoadClientReport {
  readonly elapsedMs: number;
  readonly eventsSent: number;
  readonly requestsSent: number;
  /** Valid events the server accepted (from 200 answers), per template index. */
  readonly acceptedPerTemplate: readonly number[];
  /** Events inside accepted lists the server dropped (the planted ones without timestamp). */
  readonly plantedBadEvents: number;
  readonly plantedBadEventsRefused: number;
  /** Answers by HTTP status, valid traffic and hostile requests apart. */
  readonly validStatus: Readonly<Record<string, number>>;
  readonly hostileStatus: Readonly<Record<string, number>>;
  readonly hostileSent: Readonly<Record<HostileKind, number>>;
  /** Slow connections that the server closed, and those still open when the run ended. */
  readonly slowClosed: number;
  readonly slowOpen: number;
  readonly errors: readonly string[];
  /** Request round trips of the valid traffic, ms. */
  readonly rttP50Ms: number;
  readonly rttP99Ms: number;
  readonly rttMaxMs: number;
  /** Valid requests answered after more than a second. */
  readonly rttOver1s: number;
}

const NO_TIMESTAMP_EVENT = '{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","auditID":"planted"}';

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export async function runLoadClient(cfg: LoadClientConfig): Promise<LoadClientReport> {
  const u = new URL(cfg.url);
  const agent = new Agent({ keepAlive: true, maxSockets: cfg.connections });
  const acceptedPerTemplate = new Array<number>(cfg.templates.length).fill(0);
  const validStatus: Record<string, number> = {};
  const hostileStatus: Record<string, number> = {};
  const hostileSent = Object.fromEntries(Object.keys(HOSTILE_PER_SECOND).map((k) => [k, 0])) as Record<
    HostileKind,
    number
  >;
  const errors: string[] = [];
  const rtts: number[] = [];
  let eventsSent = 0;
  let requestsSent = 0;
  let planted = 0;
  let plantedRefused = 0;
  let inFlight = 0;
  let slowClosed = 0;
  const slowSockets = new Map<Socket, HostileKind>();
  let next = 0; // round-robin over templates

  const bump = (m: Record<string, number>, k: string | number) => (m[k] = (m[k] ?? 0) + 1);
  const note = (e: unknown) => {
    if (errors.length < 20) errors.push(e instanceof Error ? e.message : String(e));
  };

  function send(
    body: string,
    headers: Record<string, string>,
    onDone: (status: number, text: string) => void,
    opts: { method?: string; hostile?: boolean } = {},
  ): void {
    inFlight++;
    requestsSent++;
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: opts.method ?? "POST",
        agent: opts.hostile === true ? false : agent,
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          inFlight--;
          onDone(res.statusCode ?? 0, text);
        });
        res.on("error", (e) => {
          inFlight--;
          note(e);
        });
      },
    );
    req.on("error", (e: NodeJS.ErrnoException) => {
      inFlight--;
      // an oversize body may be cut off by the server's early 413 and connection close
      if (opts.hostile === true && (e.code === "EPIPE" || e.code === "ECONNRESET"))
        bump(hostileStatus, e.code);
      else note(e);
    });
    req.end(body);
  }

  const json = { "content-type": "application/json" };

  function sendValid(count: number): void {
    const items: number[] = [];
    for (let i = 0; i < count; i++) {
      items.push(next);
      next = (next + 1) % cfg.templates.length;
    }
    // every tenth list carries one planted event without stageTimestamp
    const plant = count > 1 && requestsSent % 10 === 0;
    const bodies = items.map((i) => cfg.templates[i]);
    if (plant) bodies.push(NO_TIMESTAMP_EVENT);
    const body =
      count === 1
        ? bodies[0]
        : `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${bodies.join(",")}]}`;
    eventsSent += count;
    const started = performance.now();
    send(body, json, (status, text) => {
      rtts.push(performance.now() - started);
      bump(validStatus, status);
      if (status !== 200) return;
      for (const i of items) acceptedPerTemplate[i]++;
      if (plant) {
        planted++;
        const r = JSON.parse(text) as { rejected: number };
        plantedRefused += r.rejected;
      }
    });
  }

  function sendHostile(kind: HostileKind): void {
    hostileSent[kind]++;
    const done = (status: number) => bump(hostileStatus, `${kind}:${status}`);
    switch (kind) {
      case "malformed":
        return send('{"kind":"Event","verb":', json, done, { hostile: true });
      case "notAudit":
        return send('{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x"}}', json, done, {
          hostile: true,
        });
      case "tooDeep":
        return send("[".repeat(1000) + "]".repeat(1000), json, done, { hostile: true });
      case "wrongType":
        return send(cfg.templates[0], { "content-type": "text/plain" }, done, { hostile: true });
      case "wrongMethod":
        return send("", {}, done, { method: "PUT", hostile: true });
      case "oversize":
        return send(`{"kind":"Event","pad":"${"z".repeat(cfg.maxBodyBytes)}"}`, json, done, {
          hostile: true,
        });
      case "slowHeaders":
      case "halfBody": {
        const s = connect(Number(u.port), u.hostname);
        slowSockets.set(s, kind);
        s.on("error", () => undefined);
        s.resume(); // read the server's answer, so its closing the connection is seen
        s.on("close", () => {
          if (slowSockets.delete(s)) slowClosed++;
        });
        s.on("connect", () => {
          if (kind === "halfBody") {
            s.write(
              `POST ${u.pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"kind":`,
            );
            return;
          }
          s.write(`POST ${u.pathname} HTTP/1.1\r\n`);
          const drip = setInterval(() => {
            if (s.destroyed) clearInterval(drip);
            else s.write("X");
          }, 200);
          s.on("close", () => clearInterval(drip));
        });
        return;
      }
    }
  }

  // Valid traffic: request sizes cycle through 1, 1, 5, 20, 50 events (mean 15.4).
  const SIZES = [1, 1, 5, 20, 50];
  let sizeAt = 0;
  const start = performance.now();
  const endAt = start + cfg.seconds * 1000;
  let hostileDue = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const elapsed = Math.min(now, endAt) - start;
      let due = Math.floor((elapsed / 1000) * cfg.eventsPerSecond) - eventsSent;
      while (due > 0) {
        const n = Math.min(due, SIZES[sizeAt]);
        sizeAt = (sizeAt + 1) % SIZES.length;
        sendValid(n);
        due -= n;
      }
      const secondsDone = Math.floor(elapsed / 1000) + 1;
      while (hostileDue < secondsDone && elapsed < cfg.seconds * 1000) {
        hostileDue++;
        for (const [kind, n] of Object.entries(HOSTILE_PER_SECOND) as [HostileKind, number][]) {
          for (let i = 0; i < n; i++) sendHostile(kind);
        }
      }
      if (now >= endAt) resolve();
      else setTimeout(tick, 5);
    };
    tick();
  });
  const elapsedMs = performance.now() - start;
  // let the answers in flight arrive
  const drainUntil = performance.now() + 10_000;
  while (inFlight > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 10));
  // give the server's header/request timers a chance to close the slow connections
  const slowUntil = performance.now() + 8_000;
  while (slowSockets.size > 0 && performance.now() < slowUntil) await new Promise((r) => setTimeout(r, 50));
  const slowOpen = slowSockets.size;
  for (const [s, kind] of slowSockets) {
    note(`${kind} connection still open after the run`);
    s.destroy();
  }
  agent.destroy();
  if (inFlight > 0) note(`${inFlight} requests still unanswered`);
  rtts.sort((a, b) => a - b);
  return {
    elapsedMs,
    eventsSent,
    requestsSent,
    acceptedPerTemplate,
    plantedBadEvents: planted,
    plantedBadEventsRefused: plantedRefused,
    validStatus,
    hostileStatus,
    hostileSent,
    slowClosed,
    slowOpen,
    errors,
    rttP50Ms: quantile(rtts, 0.5),
    rttP99Ms: quantile(rtts, 0.99),
    rttMaxMs: rtts.length === 0 ? 0 : rtts[rtts.length - 1],
    rttOver1s: rtts.filter((t) => t > 1000).length,
  };
}

if (
  !isMainThread &&
  parentPort !== null &&
  (workerData as { role?: string } | null)?.role === "k8saudit-load"
) {
  const port = parentPort;
  runLoadClient((workerData as { config: LoadClientConfig }).config).then(
    (report) => port.postMessage({ ok: true, report }),
    (e: unknown) => port.postMessage({ ok: false, error: e instanceof Error ? e.stack : String(e) }),
  );
}
