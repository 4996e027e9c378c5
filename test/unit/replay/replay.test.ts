// replayCapture: the capture -> state -> rules -> alerts pipeline, on corpus captures and on small
// captures written here. Each test states the Falco behaviour it pins.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DEFAULT_ALERT_CONFIG, type AlertConfig } from "../../../src/alerts/alert.js";
import { EventType } from "../../../src/capture/events/table.js";
import { eventTypeTables } from "../../../src/capture/pipeline/event-types.js";
import { formatDetectionSummary } from "../../../src/alerts/summary.js";
import {
  formatReplaySummary,
  replayCapture,
  runCaptureReplay,
  type CaptureReplayOptions,
  type CaptureReplaySummary,
} from "../../../src/capture/replay.js";
import { readScapBuffer } from "../../../src/capture/scap/reader.js";
import { MemorySink, ScapWriter } from "../../../src/capture/scap/writer.js";
import { Priority } from "../../../src/rules/priority.js";
import { corpusPath, requireCorpus } from "../../support/paths.js";

const ALERTS: AlertConfig = { ...DEFAULT_ALERT_CONFIG, hostname: "h", timeFormatIso8601: true };

function options(rules: string[], extra: Partial<CaptureReplayOptions> = {}): CaptureReplayOptions {
  return { rulesPaths: rules.map((r) => corpusPath("rules", r)), alertConfig: ALERTS, ...extra };
}

async function replayLines(
  capture: string,
  rules: string[],
  extra: Partial<CaptureReplayOptions> = {},
): Promise<{ lines: string[]; log: string; summary: CaptureReplaySummary; exitCode: number; code?: string }> {
  const lines: string[] = [];
  let log = "";
  const outcome = await replayCapture(capture, {
    ...options(rules, extra),
    write: (l) => void lines.push(l),
    log: (t) => void (log += t),
  });
  assert.ok(outcome.summary, `no summary: ${outcome.error?.code} ${outcome.error?.message}`);
  return { lines, log, summary: outcome.summary, exitCode: outcome.exitCode, code: outcome.error?.code };
}

const byRule = (s: CaptureReplaySummary): Record<string, number> => Object.fromEntries(s.alertsByRule);

test("alerts: Falco's text lines, event time, one per match of enter and exit events alike", async () => {
  requireCorpus();
  const r = await replayLines(corpusPath("captures/cat_write.scap"), ["falco-tests/single_rule.yaml"]);
  const want = readFileSync(corpusPath("expected/outputs/single_rule_with_cat_write.txt"), "utf8")
    .trim()
    .split("\n");
  assert.deepEqual(r.lines, want);
  assert.equal(r.summary.alertsTotal, 8);
  assert.equal(r.summary.alertsByPriority[Priority.Warning], 8);
  assert.equal(r.summary.eventsRead, 345);
  assert.equal(r.exitCode, 0);
});

test("matching: first (default) stops at the first rule, all fires every matching rule", async () => {
  requireCorpus();
  const capture = corpusPath("captures/cat_write.scap");
  const first = await replayLines(capture, ["falco-tests/catchall_order.yaml"]);
  assert.deepEqual(byRule(first.summary), { open_dev_null: 1, dev_null: 6 });
  const all = await replayLines(capture, ["falco-tests/catchall_order.yaml"], { matching: "all" });
  assert.deepEqual(byRule(all.summary), { open_dev_null: 1, dev_null: 7 });
});

test("-A: every event of a capture is evaluated; the legacy simple-consumer set skips madvise", async () => {
  requireCorpus();
  const capture = corpusPath("captures/syscall.scap");
  const rules = ["falco-tests/syscalls.yaml"];
  const plain = await replayLines(capture, rules);
  // madvise has no event of its own: these are generic events named after their syscall id.
  assert.deepEqual(byRule(plain.summary), { detect_madvise: 2, detect_open: 2 });
  assert.equal(plain.summary.eventsSkipped, 0);
  const legacy = await replayLines(capture, rules, { legacySimpleConsumer: true });
  assert.deepEqual(byRule(legacy.summary), { detect_madvise: 0, detect_open: 2 });
  assert.ok(legacy.summary.eventsSkipped > 0);
  const legacyA = await replayLines(capture, rules, { legacySimpleConsumer: true, allEvents: true });
  assert.deepEqual(byRule(legacyA.summary), { detect_madvise: 2, detect_open: 2 });
});

test("event type tables: names and the legacy skip set, generic events by syscall id", () => {
  const t = eventTypeTables();
  const cases: [string, string, number][] = [
    ["open exit", t.nameByCode[EventType.SYSCALL_OPEN_X]!, 0],
    ["procinfo", t.nameByCode[EventType.PROCINFO_E]!, 1],
    ["read exit", t.nameByCode[EventType.SYSCALL_READ_X]!, 1],
    ["execve exit", t.nameByCode[EventType.SYSCALL_EXECVE_19_X]!, 0],
  ];
  const skips = [
    t.skipByCode[EventType.SYSCALL_OPEN_X],
    t.skipByCode[EventType.PROCINFO_E],
    t.skipByCode[EventType.SYSCALL_READ_X],
    t.skipByCode[EventType.SYSCALL_EXECVE_19_X],
  ];
  assert.deepEqual(
    cases.map(([, name]) => name),
    ["open", "procinfo", "read", "execve"],
  );
  assert.deepEqual(
    skips,
    cases.map(([, , s]) => s),
  );
  assert.equal(t.nameBySyscall[139], "madvise");
  assert.equal(t.skipBySyscall[139], 1);
  assert.equal(t.nameBySyscall[0], "<unknown>");
  assert.equal(t.internalByCode[EventType.PROCINFO_E], 1);
  assert.equal(t.internalByCode[EventType.SYSCALL_OPEN_X], 0);
});

test("a truncated capture: every event before the cut is processed, then the error with its offset", async () => {
  requireCorpus();
  const whole = gunzipSync(readFileSync(corpusPath("captures/cat_write.scap")));
  // The offset of the last event block, from a full read.
  let lastBlock = -1;
  let total = 0;
  readScapBuffer(whole, {
    onEvent: (ev) => {
      lastBlock = ev.blockOffset;
      total++;
    },
  });
  const cut = lastBlock + 20; // inside the last block
  const dir = mkdtempSync(join(tmpdir(), "saker-replay-"));
  try {
    const file = join(dir, "cut.scap");
    writeFileSync(file, whole.subarray(0, cut));
    const r = await replayLines(file, ["falco-tests/single_rule.yaml"]);
    assert.equal(r.exitCode, 1);
    assert.equal(r.code, "SAKER_CAPTURE_READ");
    assert.equal(r.summary.eventsRead, total - 1);
    assert.equal(r.summary.alertsTotal, 8, "the opens before the cut still alert");
    const e = r.summary.readerError;
    assert.ok(e !== null);
    assert.equal(e.code, "SCAP_ERR_TRUNCATED");
    assert.equal(e.offset, cut);
    assert.equal(e.blockOffset, lastBlock);
    assert.match(formatReplaySummary(r.summary), new RegExp(`SCAP_ERR_TRUNCATED at byte offset ${cut}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("errors are values with stable codes", async () => {
  requireCorpus();
  const conflict = await replayCapture(corpusPath("captures/cat_write.scap"), {
    ...options(["falco-tests/single_rule.yaml"]),
    selection: { disabledTags: ["a"], enabledTags: ["a"] },
  });
  assert.equal(conflict.exitCode, 1);
  assert.equal(conflict.error?.code, "SAKER_CAPTURE_SELECTION");
  assert.equal(conflict.summary, undefined);

  let log = "";
  const badRules = await replayCapture(corpusPath("captures/cat_write.scap"), {
    ...options(["falco-tests/invalid_macro_without_condition.yaml"]),
    log: (t) => void (log += t),
  });
  assert.equal(badRules.error?.code, "SAKER_CAPTURE_RULES");
  assert.match(log, /Loading rules from file .*invalid_macro_without_condition\.yaml\n/);
  assert.match(log, /\n.*LOAD_ERR_YAML_VALIDATE.*\n/, "the loader's diagnostics keep their lines");

  const notScap = await replayCapture(corpusPath("cases.json"), options(["falco-tests/single_rule.yaml"]));
  assert.equal(notScap.error?.code, "SAKER_CAPTURE_READ");
  assert.equal(notScap.summary?.readerError?.code, "SCAP_ERR_BAD_MAGIC");

  const missing = await replayCapture(
    join(tmpdir(), "no-such-capture.scap"),
    options(["falco-tests/single_rule.yaml"]),
  );
  assert.equal(missing.summary?.readerError?.code, "SCAP_ERR_IO");
});

const DROPS = { threshold: 0.1, rate: 0.03333, maxBurst: 10, simulateDrops: true } as const;

test("simulated drops: one per second of event time, token bucket, actions", async () => {
  requireCorpus();
  const capture = corpusPath("captures/ping_sendto.scap");
  const rules = ["falco-tests/single_rule.yaml"];
  const alert = await replayLines(capture, rules, { drops: { ...DROPS, actions: new Set(["alert"]) } });
  assert.deepEqual(alert.summary.drops, { occurrences: 9, actionsTaken: 9 });
  const internal = alert.lines.filter((l) => l.includes("Falco internal: syscall event drop"));
  assert.equal(internal.length, 9);
  assert.match(
    internal[0]!,
    /: Debug Falco internal: syscall event drop\. 1 system calls dropped in last second\. \(ebpf_enabled=/,
  );

  const burst = await replayLines(capture, rules, {
    drops: { ...DROPS, maxBurst: 1, rate: 0, actions: new Set(["alert"]) },
  });
  assert.deepEqual(burst.summary.drops, { occurrences: 9, actionsTaken: 1 });

  const log = await replayLines(capture, rules, {
    drops: { ...DROPS, actions: new Set(["log"]) },
    logging: { level: "debug" },
  });
  assert.equal(log.log.match(/Falco internal: syscall event drop/g)?.length, 9);
  assert.equal(log.lines.length, 0);

  const exit = await replayLines(capture, rules, { drops: { ...DROPS, actions: new Set(["exit"]) } });
  assert.equal(exit.exitCode, 1);
  assert.equal(exit.code, "SAKER_CAPTURE_DROPS_EXIT");
  assert.deepEqual(exit.summary.drops, { occurrences: 1, actionsTaken: 1 });
  assert.match(exit.log, /Falco internal: syscall event drop.*\n.*Exiting\.\n/);
  assert.ok(exit.summary.eventsRead < 1526, "reading stopped at the exit");

  const none = await replayLines(capture, rules, {
    drops: { ...DROPS, simulateDrops: false, actions: new Set(["alert"]) },
  });
  assert.deepEqual(none.summary.drops, { occurrences: 0, actionsTaken: 0 });
});

/** A capture of one open (enter and exit) whose path is `name`, by thread 42. */
function openCapture(name: string): Buffer {
  const sink = new MemorySink();
  const w = new ScapWriter(sink);
  const u32 = (n: number): Uint8Array => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const i64 = (n: number): Uint8Array => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(n));
    return b;
  };
  const path = Buffer.from(name + "\0", "utf8");
  const ts = 1_700_000_000_000_000_000n;
  assert.equal(
    w.writeEventFields({ ts, tid: 42, type: EventType.SYSCALL_OPEN_E, params: [path, u32(0), u32(0)] }),
    null,
  );
  assert.equal(
    w.writeEventFields({
      ts: ts + 1000n,
      tid: 42,
      type: EventType.SYSCALL_OPEN_X,
      params: [i64(3), path, u32(0), u32(0), u32(0), i64(0)],
    }),
    null,
  );
  assert.equal(w.close().error, null);
  return sink.data();
}

test("event content cannot forge lines or send terminal escapes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-replay-"));
  try {
    const capture = join(dir, "evil.scap");
    writeFileSync(capture, openCapture("/tmp/x\n00:00:00.000000000: Critical forged\u001b[31m\u2028"));
    const rules = join(dir, "rules.yaml");
    writeFileSync(
      rules,
      "- rule: any open\n  desc: d\n  condition: evt.type=open and evt.dir=<\n" +
        "  output: opened %evt.rawarg.name\n  priority: WARNING\n",
    );
    for (const jsonOutput of [false, true]) {
      let out = "";
      const outcome = await runCaptureReplay(
        capture,
        { rulesPaths: [rules], alertConfig: { ...ALERTS, jsonOutput } },
        { stdout: (t) => void (out += t), stderr: () => undefined },
      );
      assert.equal(outcome.exitCode, 0);
      assert.equal(outcome.summary?.alertsTotal, 1);
      const alertLines = out.split("\n").filter((l) => l.includes("opened"));
      assert.equal(alertLines.length, 1, out);
      assert.doesNotMatch(alertLines[0]!, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      assert.doesNotMatch(out, /^00:00:00\.000000000: Critical forged/m);
      // The raw parameter keeps its newline: escaped in the text line, a JSON escape in the object.
      if (jsonOutput) assert.match(JSON.parse(alertLines[0]!).output as string, /\n00:00:00/);
      else
        assert.match(
          alertLines[0]!,
          /opened \/tmp\/x\\u000a00:00:00\.000000000: Critical forged\\u001b\[31m\\u2028$/,
        );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("output is handed over between input chunks (bounded), and the summaries read as Falco's", async () => {
  requireCorpus();
  let drains = 0;
  let pending = 0;
  let maxPending = 0;
  const outcome = await replayCapture(corpusPath("captures/cat_write.scap"), {
    ...options(["falco-tests/catchall_order.yaml"], { matching: "all" }),
    chunkSize: 1024,
    write: () => {
      pending++;
      maxPending = Math.max(maxPending, pending);
    },
    drain: () => {
      drains++;
      pending = 0;
    },
  });
  assert.ok(drains > 5, `drain called ${drains} times`);
  assert.ok(maxPending < 8, `at most one chunk's alerts wait (${maxPending})`);
  const s = outcome.summary!;
  assert.equal(
    formatDetectionSummary(s),
    "Events detected: 8\nRule counts by severity:\n   INFO: 8\nTriggered rules by rule name:\n" +
      "   open_dev_null: 1\n   dev_null: 7\n",
  );
  const text = formatReplaySummary(s);
  assert.match(
    text,
    /^Syscall event drop monitoring:\n {3}- event drop detected: 0 occurrences\n {3}- num times actions taken: 0\n/,
  );
  assert.match(text, /Events read: 345, evaluated: 345, skipped: 0, hidden: 0, elapsed time: \d+\.\d{3} s/);
});
