// Question: how many alerts per second do the outputs take, end to end through their queues, and what
// does one alert cost? Two channels: file_output (JSON lines, batched appends; goal >= 100,000 alerts/s)
// and http_output to a local receiver (one POST per alert, as Falco's libcurl output does). The
// reference is the same alerts through an in-memory channel in the same process: the queue's own cost.
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ALERT_CONFIG } from "../src/alerts/alert.js";
import { FileChannel } from "../src/outputs/file.js";
import { HttpChannel } from "../src/outputs/http.js";
import { OutputQueue, type OutputChannel, type OutputMessage } from "../src/outputs/queue.js";
import { MemoryChannel } from "../src/outputs/stream.js";
import { replayCapture } from "../src/capture/replay.js";
import { openPairsCapture } from "../test/support/synthetic-capture.js";

function alerts(n: number): OutputMessage[] {
  const out: OutputMessage[] = [];
  for (let i = 0; i < n; i++) {
    const line =
      `{"hostname":"bench","output":"2024-01-01T00:00:00.000000000+0000: Warning Sensitive file opened for reading ` +
      `by non-trusted program (file=/etc/shadow gparent=systemd ggparent=<NA> evt_type=openat user=root ` +
      `user_uid=0 process=cat command=cat /etc/shadow) seq=${i}","priority":"Warning","rule":"Read sensitive file ` +
      `untrusted","source":"syscall","tags":["filesystem","host","maturity_stable"],"time":"2024-01-01T00:00:00.000000000Z"}`;
    out.push({ time: 0n, priority: 4, rule: "r", source: "syscall", tags: [], line, alert: null });
  }
  return out;
}

/** Push `msgs` in batches of 256 (the agent pushes between event batches), then wait for delivery. */
async function run(channel: OutputChannel, msgs: readonly OutputMessage[]): Promise<number> {
  const q = new OutputQueue([channel], { capacity: 65536 });
  const start = process.hrtime.bigint();
  for (let i = 0; i < msgs.length; i++) {
    q.push(msgs[i]!);
    if ((i & 255) === 255) {
      await new Promise((r) => setImmediate(r));
      if (q.stats.pending > 32768) await q.flush();
    }
  }
  await q.close(60_000);
  const s = q.stats.channels[0]!;
  if (s.dropped > 0 || s.delivered !== msgs.length) throw new Error(`${channel.name}: ${JSON.stringify(s)}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** `ref`: the reference's seconds per alert. */
function row(name: string, n: number, seconds: number, ref?: number): string {
  const rate = n / seconds;
  return (
    `  ${name.padEnd(28)} ${rate.toFixed(0).padStart(9)} alerts/s  ${((seconds / n) * 1e6).toFixed(2).padStart(8)} us/alert` +
    (ref === undefined ? "" : `  (${(seconds / n / ref).toFixed(1)}x the in-memory queue's cost)`)
  );
}

export async function benchOutputs(opts: { log: (line: string) => void }): Promise<void> {
  const { log } = opts;
  log("outputs: alerts/s through the output queues (JSON alerts, ~400 bytes each)");
  const n = 300_000;
  const msgs = alerts(n);
  const refSeconds = await run(new MemoryChannel(), msgs);
  log(row("memory (reference)", n, refSeconds));
  const ref = refSeconds / n;
  const dir = mkdtempSync(join(tmpdir(), "saker-bench-out-"));
  try {
    for (const keepAlive of [true, false]) {
      const path = join(dir, `events-${keepAlive}.txt`);
      const t = await run(new FileChannel({ filename: path, keepAlive }), msgs);
      log(
        row(`file keep_alive=${keepAlive}`, n, t, ref) + `  [${(statSync(path).size / 1e6).toFixed(0)} MB]`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  try {
    const port = (server.address() as AddressInfo).port;
    const hn = 5000;
    const url = `http://127.0.0.1:${port}/`;
    const config = { ...DEFAULT_ALERT_CONFIG, jsonOutput: true };
    const t = await run(new HttpChannel({ url, alertConfig: config }), msgs.slice(0, hn));
    log(row("http (local receiver)", hn, t, ref));
    const tz = await run(
      new HttpChannel({ url, alertConfig: config, compressUploads: true }),
      msgs.slice(0, hn),
    );
    log(row("http compress_uploads", hn, tz, ref));
    if (received !== 2 * hn) throw new Error(`receiver got ${received} of ${2 * hn}`);
    await benchDetectionWithHttpDown(log, url);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

/**
 * Question: does a dead http endpoint slow detection? A capture replays at full speed with one alert per
 * two events going to an http channel (queue capacity 10,000): once to the live local receiver, once to
 * a port where nothing listens (every attempt refused, retried with backoff). Detection throughput is the
 * replay's events/s; goal: the down run within 5% of the up run. Best of three runs each.
 */
async function benchDetectionWithHttpDown(log: (line: string) => void, upUrl: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "saker-bench-down-"));
  try {
    const capture = join(dir, "opens.scap");
    writeFileSync(capture, openPairsCapture(200_000));
    const rules = join(dir, "rules.yaml");
    writeFileSync(
      rules,
      "- rule: Passwd Open\n  desc: d\n  condition: evt.type = open and evt.dir = < and fd.name = /etc/passwd\n" +
        "  output: passwd opened %fd.name by %thread.tid\n  priority: WARNING\n",
    );
    const downUrl = "http://127.0.0.1:9/";
    const config = { ...DEFAULT_ALERT_CONFIG, jsonOutput: true };
    const once = async (url: string | null): Promise<{ eps: number; dropped: number }> => {
      const channels =
        url === null ? [] : [new HttpChannel({ url, alertConfig: config, maxBackoffMs: 2000 })];
      const q = new OutputQueue(channels, { capacity: 10_000 });
      const r = await replayCapture(capture, {
        rulesPaths: [rules],
        alertConfig: config,
        emit: (m) => void q.push(m),
      });
      if (r.exitCode !== 0 || r.summary === undefined) throw new Error(`replay failed: ${r.error?.message}`);
      const eps = r.summary.eventsPerSecond;
      await q.close(100);
      return { eps, dropped: q.stats.channels[0]?.dropped ?? 0 };
    };
    const best = async (url: string | null): Promise<{ eps: number; dropped: number }> => {
      let top = { eps: 0, dropped: 0 };
      for (let i = 0; i < 3; i++) {
        const r = await once(url);
        if (r.eps > top.eps) top = r;
      }
      return top;
    };
    const none = await best(null);
    const up = await best(upUrl);
    const down = await best(downUrl);
    log("outputs: detection throughput while http_output is down (400k events, 100k alerts, queue 10,000)");
    log(`  no outputs               ${none.eps.toFixed(0).padStart(9)} events/s`);
    log(
      `  http up (local receiver) ${up.eps.toFixed(0).padStart(9)} events/s  (${up.dropped} alerts dropped at the queue)`,
    );
    log(
      `  http down (refused)      ${down.eps.toFixed(0).padStart(9)} events/s  (${down.dropped} alerts dropped at the queue)` +
        `  down/up = ${(down.eps / up.eps).toFixed(3)} (goal >= 0.95)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
