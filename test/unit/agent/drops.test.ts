// The live syscall event drop monitor: Falco's per-second check over the probe's counters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LiveDropMonitor, dropFields } from "../../../src/agent/drops.js";
import type { LiveStats } from "../../../src/capture/live/protocol.js";

const S = 1e9;
const T0 = 1_700_000_000 * S;

function stats(sent: number, full = 0, tooBig = 0, busy = 0): LiveStats {
  return {
    sent,
    dropFull: full,
    dropTooBig: tooBig,
    dropBusy: busy,
    forwarded: sent,
    drops: full + tooBig + busy,
  };
}

function monitor(
  actions: string[],
  counters: () => LiveStats,
  extra: Partial<{ threshold: number; rate: number; maxBurst: number; simulateDrops: boolean }> = {},
) {
  const logs: [number, string][] = [];
  const alerts: { time: bigint; rule: string; message: string; fields: Record<string, string> }[] = [];
  const m = new LiveDropMonitor(
    {
      actions: new Set(actions as never[]),
      threshold: 0.1,
      rate: 1,
      maxBurst: 10,
      simulateDrops: false,
      ...extra,
    },
    {
      log: (l, msg) => logs.push([l, msg]),
      alert: (time, rule, message, fields) => alerts.push({ time, rule, message, fields: { ...fields } }),
    },
    counters,
  );
  return { m, logs, alerts };
}

test("drops above the threshold in a second raise the internal alert with the counters", () => {
  let cur = stats(0);
  const { m, alerts, logs } = monitor(["log", "alert"], () => cur);
  assert.equal(m.onEvent(T0), true); // first event: the first check is one second later
  cur = stats(800, 150, 40, 10);
  assert.equal(m.onEvent(T0 + 0.5 * S), true);
  assert.equal(alerts.length, 0, "no check before a second has passed");
  assert.equal(m.onEvent(T0 + 1.2 * S), true);
  assert.equal(m.occurrences, 1);
  assert.equal(m.actionsTaken, 1);
  assert.equal(alerts.length, 1);
  const a = alerts[0]!;
  assert.equal(a.rule, "Falco internal: syscall event drop");
  assert.equal(a.message, "Falco internal: syscall event drop. 200 system calls dropped in last second.");
  assert.equal(a.fields.n_evts, "1000"); // sent + dropped
  assert.equal(a.fields.n_drops, "200");
  assert.equal(a.fields.n_drops_buffer_total, "150");
  assert.equal(a.fields.n_drops_scratch_map, "50");
  assert.equal(a.fields.ebpf_enabled, "1");
  assert.ok(
    logs.some(([l, msg]) => l === 7 && msg === a.message),
    "the log action logs at debug level",
  );
});

test("drops at or below the threshold are no occurrence; counters are compared with the last check", () => {
  let cur = stats(0);
  const { m, alerts } = monitor(["alert"], () => cur);
  m.onEvent(T0);
  cur = stats(1000, 100); // ratio 100/1100 < 0.1
  m.onEvent(T0 + 1.1 * S);
  assert.equal(m.occurrences, 0);
  cur = stats(1000, 300); // +200 drops, +0 sent: ratio 1
  m.onEvent(T0 + 2.2 * S);
  assert.equal(m.occurrences, 1);
  assert.equal(alerts[0]!.fields.n_drops, "200");
  assert.equal(alerts[0]!.fields.n_evts, "200");
});

test("the token bucket limits actions, occurrences are still counted", () => {
  let n = 0;
  const { m, alerts, logs } = monitor(["alert"], () => stats(10, (n += 100)), { rate: 0.001, maxBurst: 1 });
  for (let i = 0; i <= 4; i++) m.onEvent(T0 + i * 1.01 * S);
  assert.equal(m.occurrences, 4);
  assert.equal(m.actionsTaken, 1);
  assert.equal(alerts.length, 1);
  assert.ok(logs.some(([, msg]) => msg.includes("token bucket depleted")));
});

test("the exit action stops the agent after two critical log lines", () => {
  let cur = stats(0);
  const { m, logs } = monitor(["exit"], () => cur);
  m.onEvent(T0);
  cur = stats(0, 5);
  assert.equal(m.onEvent(T0 + 2 * S), false);
  assert.deepEqual(
    logs.filter(([l]) => l === 2).map(([, msg]) => msg),
    ["Falco internal: syscall event drop. 5 system calls dropped in last second.", "Exiting."],
  );
});

test("simulate_drops adds a drop at every check with the threshold at 0; ignore does nothing", () => {
  const { m, alerts, logs } = monitor(["ignore"], () => stats(100), { simulateDrops: true });
  m.onEvent(T0);
  m.onEvent(T0 + 1.5 * S);
  assert.equal(m.occurrences, 1);
  assert.equal(alerts.length, 0);
  assert.ok(logs.some(([l, msg]) => l === 6 && msg === "Simulating syscall event drop"));
});

test("dropFields has current Falco's field set", () => {
  assert.deepEqual(
    Object.keys(dropFields(1, 1, 1, 0)).sort(),
    [
      "ebpf_enabled",
      "n_drops",
      "n_drops_buffer_clone_fork_exit",
      "n_drops_buffer_close_exit",
      "n_drops_buffer_connect_exit",
      "n_drops_buffer_dir_file_exit",
      "n_drops_buffer_execve_exit",
      "n_drops_buffer_open_exit",
      "n_drops_buffer_other_interest_exit",
      "n_drops_buffer_proc_exit",
      "n_drops_buffer_total",
      "n_drops_bug",
      "n_drops_page_faults",
      "n_drops_scratch_map",
      "n_evts",
    ].sort(),
  );
});
