// Shared pieces of the output tests: messages, waiting, a local receiver, and the http fault scenario
// (also run for 30 s by test/load/outputs-http-fault.test.ts).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { HttpChannel } from "../../../src/outputs/http.js";
import { OutputQueue, type ChannelStats, type OutputMessage } from "../../../src/outputs/queue.js";
import { MemoryChannel } from "../../../src/outputs/stream.js";
import { DEFAULT_ALERT_CONFIG } from "../../../src/alerts/alert.js";

/** A JSON alert line as Falco writes it (json_output: true), numbered by `i`. */
export function jsonMessage(i: number, priority = 4, output = `alert number ${i}`): OutputMessage {
  const line = JSON.stringify({
    hostname: "h",
    output: `2024-01-01T00:00:00.000000000+0000: Warning ${output}`,
    priority: "Warning",
    rule: "r",
    source: "syscall",
    tags: [],
    time: "2024-01-01T00:00:00.000000000Z",
    output_fields: { n: i },
  });
  return {
    time: 1_704_067_200_000_000_000n,
    priority,
    rule: "r",
    source: "syscall",
    tags: [],
    line,
    alert: null,
  };
}

/** Poll `cond` every 20 ms until it holds; fail after `ms`. */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Received {
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  /** The body, gunzipped when it came gzip-encoded. */
  readonly body: string;
}

/** Read a request's body, gunzipping it when it says so. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
}

/** A plain HTTP receiver on 127.0.0.1 (port 0 unless given), recording every request. */
export async function startReceiver(port = 0): Promise<{ server: Server; port: number; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      got.push({ path: req.url ?? "", headers: req.headers, body });
      res.end("ok\n");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port, got };
}

export function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port with nothing listening on it (taken from the kernel, then released). */
export async function freePort(): Promise<number> {
  const { server, port } = await startReceiver();
  await stopServer(server);
  return port;
}

export interface FaultOutcome {
  /** Alert numbers the endpoint received, in arrival order. */
  readonly arrived: number[];
  /** Alert numbers the memory channel received. */
  readonly memory: number[];
  readonly http: ChannelStats;
  readonly mem: ChannelStats;
  readonly pushed: number;
  readonly logs: string[];
}

/**
 * The http endpoint is down (nothing listening) for `downMs` while alerts keep coming (`pushed` in
 * bursts across the outage), then comes back. Returns what each side saw once the queue has drained.
 */
export async function httpFaultScenario(
  downMs: number,
  capacity: number,
  pushed: number,
): Promise<FaultOutcome> {
  const port = await freePort();
  const logs: string[] = [];
  const log = (_l: number, m: string): void => void logs.push(m);
  const http = new HttpChannel({
    url: `http://127.0.0.1:${port}/alerts`,
    alertConfig: { ...DEFAULT_ALERT_CONFIG, jsonOutput: true },
    maxBackoffMs: 250,
    log,
  });
  const mem = new MemoryChannel("memory");
  const q = new OutputQueue([http, mem], { capacity, timeoutMs: 1000, log });
  const bursts = 5;
  for (let b = 0; b < bursts; b++) {
    for (let i = (b * pushed) / bursts; i < ((b + 1) * pushed) / bursts; i++) q.push(jsonMessage(i));
    await new Promise((r) => setTimeout(r, downMs / bursts));
  }
  const receiver = await startReceiver(port);
  try {
    await waitFor(() => q.stats.channels[0]!.pending === 0, 10_000, "the http queue to drain");
    await q.close(2000);
  } finally {
    await stopServer(receiver.server);
  }
  const number = (body: string): number =>
    (JSON.parse(body) as { output_fields: { n: number } }).output_fields.n;
  return {
    arrived: receiver.got.map((r) => number(r.body)),
    memory: mem.messages.map((m) => number(m.line)),
    http: q.stats.channels[0]!,
    mem: q.stats.channels[1]!,
    pushed,
    logs,
  };
}
