// Reload under load: rules swapped again and again while a capture replays at full speed. Two rule sets
// match the same events under different names; after the replay, the alerts of the two names add up to
// exactly the number of matching events (none judged twice, none by no rule set), several swaps really
// happened mid-stream, and the replay never stopped. A broken rules file in between leaves the running
// set in place.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ALERT_CONFIG } from "../../../src/alerts/alert.js";
import { type ReplayControl, replayCapture } from "../../../src/capture/replay.js";
import { openPairsCapture } from "../../support/synthetic-capture.js";

const OPENS = 200_000;

const ruleset = (name: string): string =>
  `- rule: ${name}\n  desc: d\n  condition: evt.type = open and evt.dir = < and fd.name = /etc/passwd\n` +
  `  output: ${name} %fd.name\n  priority: WARNING\n`;

test("rules swapped at full speed: every event judged by exactly one rule set", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-reload-"));
  try {
    const capture = join(dir, "big.scap");
    writeFileSync(capture, openPairsCapture(OPENS));
    const rules = join(dir, "rules.yaml");
    writeFileSync(rules, ruleset("Set 0"));
    // Atomic replacement, as an editor or a ConfigMap update does it.
    const put = (text: string): void => {
      writeFileSync(rules + ".tmp", text);
      renameSync(rules + ".tmp", rules);
    };

    let control: ReplayControl | null = null;
    let swaps = 0;
    let refused = 0;
    let generation = 0;
    // Between input chunks (the only place a timer can run), as fast as timers go.
    const timer = setInterval(() => {
      if (control === null) return;
      generation++;
      if (generation === 3) put("- rule: Broken\n  condition: evt.type =\n");
      else put(ruleset(`Set ${generation % 2}`));
      const r = control.reload();
      if (r.ok) swaps++;
      else refused++;
    }, 1);
    const alerts: string[] = [];
    let log = "";
    const outcome = await replayCapture(capture, {
      rulesPaths: [rules],
      alertConfig: DEFAULT_ALERT_CONFIG,
      chunkSize: 64 * 1024,
      write: (line) => alerts.push(line),
      log: (text) => (log += text),
      onControl: (c) => (control = c),
    }).finally(() => clearInterval(timer));

    assert.equal(outcome.exitCode, 0, log);
    const s = outcome.summary;
    assert.ok(s !== undefined);
    assert.equal(s.eventsRead, OPENS * 2, "the whole capture was read, in one run");
    const byRule = Object.fromEntries(s.alertsByRule);
    const matching = OPENS / 2;
    assert.equal((byRule["Set 0"] ?? 0) + (byRule["Set 1"] ?? 0), matching, JSON.stringify(byRule));
    assert.equal(s.alertsTotal, matching);
    assert.equal(alerts.length, matching, "every alert written once");
    assert.ok(swaps >= 2, `several swaps happened mid-replay (${swaps})`);
    console.log(`reload under load: ${swaps} swaps during ${s.eventsRead} events, ${JSON.stringify(byRule)}`);
    assert.ok((byRule["Set 0"] ?? 0) > 0 && (byRule["Set 1"] ?? 0) > 0, JSON.stringify(byRule));
    assert.equal(refused, 1, "the broken rules file was refused");
    assert.match(log, /Rules reload failed, keeping the current rules/);
    // Alerts are in event order whichever set raised them: their times never go back.
    const times = alerts.map((l) => l.slice(0, 18));
    assert.deepEqual(times, [...times].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
