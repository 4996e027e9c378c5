// The periodic snapshot: JSON lines appended to output_file at the interval, the internal alert handed to
// the output_rule callback, a failing file logged and survived, snapshots that overrun skipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { MetricsConfig } from "../../../src/config/types.js";
import type { MetricsRecord } from "../../../src/service/metrics-record.js";
import { startMetricsSnapshots, type MetricsSnapshotTimer } from "../../../src/service/metrics-snapshot.js";
import { SakerMetrics } from "../../../src/service/metrics.js";
import { FakeSource, fixedProcess, metricsConfig } from "./fixture.js";

function setup(config: MetricsConfig, source = new FakeSource()) {
  const metrics = new SakerMetrics({
    config,
    source,
    hostname: "node-1",
    readProcess: async () => fixedProcess(),
  });
  const records: MetricsRecord[] = [];
  const logs: [number, string][] = [];
  const started = startMetricsSnapshots({
    config,
    read: () => metrics.read(),
    hostname: "node-1",
    onRecord: (r) => records.push(r),
    log: (level, message) => logs.push([level, message]),
  });
  if (!started.ok) assert.fail(started.error.message);
  return { timer: started.timer, records, logs, source };
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function lines(path: string): string[] {
  return existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l !== "")
    : [];
}

test("output_file receives one JSON line per snapshot at the interval", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-metrics-"));
  const file = join(dir, "metrics.jsonl");
  const { timer, source } = setup(metricsConfig({ interval: "50ms", intervalMs: 50, outputFile: file }));
  try {
    source.syscall!.nEvts = 10;
    await until("three lines", () => lines(file).length >= 3);
    await timer.stop();
    const parsed = lines(file).map(
      (l) => JSON.parse(l) as { sample: number; output_fields: Record<string, unknown> },
    );
    assert.deepEqual(
      parsed.map((p) => p.sample),
      parsed.map((_, i) => i + 1),
    );
    for (const p of parsed) {
      assert.equal(p.output_fields["evt.source"], "syscall");
      assert.equal(p.output_fields["evt.hostname"], "node-1");
      assert.equal(p.output_fields["scap.n_evts"], 10);
      assert.equal(typeof p.output_fields["evt.time"], "number");
    }
    assert.equal(parsed[1]!.output_fields["scap.n_evts_prev"], 10);
    // Stopped: no more lines.
    const n = lines(file).length;
    await sleep(150);
    assert.equal(lines(file).length, n);
  } finally {
    await timer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("output_rule hands each source's record to the callback as Falco's internal alert", async () => {
  const source = new FakeSource();
  source.snapshot_.k8sAudit = { evaluated: 5, rejected: {}, rejectedTotal: 0 };
  const { timer, records } = setup(metricsConfig({ outputRule: true }), source);
  await timer.tick();
  await timer.stop();
  assert.deepEqual(
    records.map((r) => [r.rule, r.message, r.priority, r.source, r.eventSource]),
    [
      ["Falco internal: metrics snapshot", "Falco metrics snapshot", 6, "internal", "syscall"],
      ["Falco internal: metrics snapshot", "Falco metrics snapshot", 6, "internal", "k8s_audit"],
    ],
  );
  assert.equal(records[1]!.fields["falco.num_evts"], 5);

  const off = setup(metricsConfig({ outputRule: false, outputFile: "" }));
  assert.equal(off.timer.active, false);
  await off.timer.tick();
  assert.equal(off.records.length, 0);
});

test("a file that cannot be written is logged once, counted, and the timer goes on", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-metrics-"));
  const file = join(dir, "no-such-dir", "metrics.jsonl");
  const { timer, logs, records } = setup(metricsConfig({ outputFile: file, outputRule: true }));
  try {
    await timer.tick();
    await timer.tick();
    assert.equal(timer.stats().writeFailures, 2);
    assert.equal(records.length, 2, "the alert still goes out");
    const errors = logs.filter(([level]) => level === 3);
    assert.equal(errors.length, 1);
    assert.match(errors[0]![1], /^SAKER_METRICS_OUTPUT_FILE: .*no-such-dir.*ENOENT/);
  } finally {
    await timer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a snapshot still running when the next is due is skipped, not stacked", async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const config = metricsConfig({ outputRule: true });
  const records: MetricsRecord[] = [];
  const source = new FakeSource();
  const started = startMetricsSnapshots({
    config,
    read: async () => {
      await gate;
      return { snapshot: source.snapshot(), process: fixedProcess() };
    },
    hostname: "h",
    onRecord: (r) => records.push(r),
    log: () => undefined,
  });
  assert.ok(started.ok);
  const timer: MetricsSnapshotTimer = started.timer;
  const first = timer.tick();
  void timer.tick();
  void timer.tick();
  release();
  await first;
  await timer.stop();
  assert.deepEqual(timer.stats(), { snapshots: 1, skipped: 2, writeFailures: 0 });
  assert.equal(records.length, 1);
});

test("an interval that is not a positive duration is SAKER_METRICS_BAD_INTERVAL", () => {
  for (const intervalMs of [0, -5, Number.NaN, 2 ** 31]) {
    const r = startMetricsSnapshots({
      config: metricsConfig({ interval: "bogus", intervalMs }),
      read: async () => assert.fail("never read"),
      hostname: "h",
      log: () => undefined,
    });
    assert.equal(!r.ok && r.error.code, "SAKER_METRICS_BAD_INTERVAL");
    assert.match(!r.ok ? r.error.message : "", /"bogus"/);
  }
});
