// Per-channel queues: a stuck channel costs only its own alerts, and push() never waits for it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OutputQueue, type OutputChannel, type OutputMessage } from "../../../src/outputs/queue.js";
import { MemoryChannel } from "../../../src/outputs/stream.js";
import { jsonMessage, waitFor } from "./helpers.js";

/** A channel whose every write hangs until the test ends it. */
class Stuck implements OutputChannel {
  readonly name = "stuck";
  writes = 0;
  private release: (() => void)[] = [];
  write(_m: OutputMessage): Promise<void> {
    this.writes++;
    return new Promise((r) => this.release.push(r));
  }
  unblock(): void {
    for (const r of this.release) r();
    this.release = [];
  }
  close(): Promise<void> {
    this.unblock();
    return Promise.resolve();
  }
}

test("a dead channel never blocks push(); it drops only its own alerts, the other channel gets all", async () => {
  const stuck = new Stuck();
  const mem = new MemoryChannel();
  const logs: string[] = [];
  const q = new OutputQueue([stuck, mem], { capacity: 100, timeoutMs: 50, log: (_l, m) => logs.push(m) });
  const n = 5000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    q.push(jsonMessage(i));
    // Let the queues drain between bursts, as the agent does between event batches.
    if (i % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  const pushMs = Number(process.hrtime.bigint() - started) / 1e6;
  await waitFor(() => mem.messages.length === n, 5000, "the memory channel to get every alert");
  await new Promise((r) => setTimeout(r, 80));
  const [s, m] = q.stats.channels;
  assert.equal(stuck.writes, 1, "the stuck channel is still on its first alert");
  assert.equal(m!.delivered, n, "the memory channel got every alert");
  assert.equal(mem.messages.length, n);
  assert.deepEqual(
    mem.messages.map((x) => x.line),
    Array.from({ length: n }, (_, i) => jsonMessage(i).line),
  );
  assert.equal(s!.enqueued, 100);
  assert.equal(s!.dropped, n - 100);
  assert.equal(m!.dropped, 0);
  assert.equal(q.stats.dropped, n - 100, "messages some channel lost");
  assert.equal(q.stats.enqueued, n);
  assert.ok(
    q.stats.timeouts >= 1 && logs.includes('"stuck" output timeout, all output channels are blocked'),
  );
  assert.ok(pushMs < 2000, `5000 pushes took ${pushMs} ms`);
  const final = await q.close(50);
  assert.equal(
    final.channels[0]!.discarded,
    99,
    "the queued rest is discarded at close; the in-flight one is not",
  );
  assert.ok(logs.includes("output channels still blocked, discarding all remaining notifications"));
});

test("a single push returns at once while a channel is stuck", async () => {
  const stuck = new Stuck();
  const q = new OutputQueue([stuck], { capacity: 4 });
  q.push(jsonMessage(0));
  await new Promise((r) => setImmediate(r));
  assert.equal(stuck.writes, 1);
  for (let i = 1; i < 1000; i++) {
    const t = process.hrtime.bigint();
    q.push(jsonMessage(i));
    const us = Number(process.hrtime.bigint() - t) / 1000;
    assert.ok(us < 50_000, `push ${i} took ${us} us`);
  }
  assert.equal(q.stats.channels[0]!.dropped, 1000 - 4);
  await q.close(10);
});
