// The output queue: bounded, never blocking the event path, order kept, drops counted, flush at exit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_QUEUE_BOUND,
  MemoryChannel,
  OutputQueue,
  StreamChannel,
  type OutputChannel,
  type OutputMessage,
} from "../../../src/outputs/index.js";

function msg(i: number): OutputMessage {
  return {
    time: BigInt(i),
    priority: 4,
    rule: "r",
    source: "syscall",
    tags: [],
    line: `alert ${i}`,
    alert: null,
  };
}

/** A channel that stays busy until released. */
class Gate implements OutputChannel {
  readonly name = "gate";
  readonly got: string[] = [];
  private release: (() => void) | null = null;
  private open = false;
  write(m: OutputMessage): void | Promise<void> {
    this.got.push(m.line);
    if (this.open) return;
    return new Promise((r) => {
      this.release = r;
    });
  }
  openGate(): void {
    this.open = true;
    this.release?.();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

test("messages reach every channel in order, off the caller's path", async () => {
  const a = new MemoryChannel("a");
  const b = new MemoryChannel("b");
  const q = new OutputQueue([a, b]);
  for (let i = 0; i < 5; i++) assert.equal(q.push(msg(i)), true);
  assert.equal(a.messages.length, 0, "push never delivers synchronously");
  await q.flush();
  assert.deepEqual(
    a.messages.map((m) => m.line),
    ["alert 0", "alert 1", "alert 2", "alert 3", "alert 4"],
  );
  assert.deepEqual(
    b.messages.map((m) => m.line),
    a.messages.map((m) => m.line),
  );
  const { channels, ...totals } = q.stats;
  assert.deepEqual(totals, { enqueued: 5, delivered: 5, dropped: 0, discarded: 0, pending: 0, timeouts: 0 });
  const each = { enqueued: 5, delivered: 5, dropped: 0, discarded: 0, pending: 0, timeouts: 0, errors: 0 };
  assert.deepEqual(channels, [
    { name: "a", ...each },
    { name: "b", ...each },
  ]);
});

test("a blocked channel fills the queue; then new messages are dropped and counted, with one log line", async () => {
  const gate = new Gate();
  const logs: string[] = [];
  const q = new OutputQueue([gate], { capacity: 3, log: (_l, m) => logs.push(m) });
  let accepted = 0;
  for (let i = 0; i < 10; i++) if (q.push(msg(i))) accepted++;
  assert.equal(accepted, 3);
  assert.equal(q.stats.dropped, 7);
  assert.deepEqual(logs, ["Outputs queue out of memory. Drop event and continue on ..."]);
  gate.openGate();
  await q.flush();
  assert.deepEqual(gate.got, ["alert 0", "alert 1", "alert 2"]);
  assert.equal(q.stats.delivered, 3);
});

test("a channel busy past output_timeout is reported; the queue keeps the order and waits", async () => {
  const gate = new Gate();
  const logs: string[] = [];
  const q = new OutputQueue([gate], { timeoutMs: 30, log: (_l, m) => logs.push(m) });
  q.push(msg(1));
  q.push(msg(2));
  await new Promise((r) => setTimeout(r, 80));
  assert.ok(logs.includes('"gate" output timeout, all output channels are blocked'));
  assert.equal(q.stats.timeouts, 1);
  assert.deepEqual(gate.got, ["alert 1"]);
  gate.openGate();
  await q.flush();
  assert.deepEqual(gate.got, ["alert 1", "alert 2"]);
});

test("close() delivers what is queued; with channels still blocked it discards the rest after the timeout", async () => {
  const mem = new MemoryChannel();
  const q1 = new OutputQueue([mem]);
  for (let i = 0; i < 3; i++) q1.push(msg(i));
  const s1 = await q1.close(1000);
  assert.equal(mem.messages.length, 3);
  assert.equal(s1.discarded, 0);
  assert.equal(q1.push(msg(9)), false, "a closed queue accepts nothing");

  const gate = new Gate();
  const logs: string[] = [];
  const q2 = new OutputQueue([gate], { log: (_l, m) => logs.push(m) });
  for (let i = 0; i < 4; i++) q2.push(msg(i));
  const s2 = await q2.close(50);
  assert.equal(s2.discarded, 3);
  assert.ok(logs.includes("output channels still blocked, discarding all remaining notifications"));
});

test("capacity 0/Infinity (Falco: unbounded) is bounded all the same", async () => {
  const gate = new Gate();
  const q = new OutputQueue([gate], { capacity: Infinity });
  let accepted = 0;
  for (let i = 0; i < DEFAULT_QUEUE_BOUND + 10; i++) if (q.push(msg(i))) accepted++;
  assert.equal(accepted, DEFAULT_QUEUE_BOUND);
  gate.openGate();
  await q.flush();
  assert.equal(gate.got.length, DEFAULT_QUEUE_BOUND);
});

test("the stream channel writes one line per message to its file descriptor", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-out-"));
  const path = join(dir, "alerts.txt");
  const fd = openSync(path, "w");
  const q = new OutputQueue([new StreamChannel("file", fd)]);
  for (let i = 0; i < 3; i++) q.push(msg(i));
  await q.close(2000);
  closeSync(fd);
  assert.equal(readFileSync(path, "utf8"), "alert 0\nalert 1\nalert 2\n");
});
