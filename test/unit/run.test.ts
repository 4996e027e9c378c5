import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planRun } from "../../src/cli/commands/run.js";

test("saker run loads the default rules cleanly and names the syscalls they need", () => {
  const summary = planRun([]);
  assert.equal(summary.exitCode, 0, summary.stderr);
  assert.equal(summary.stderr, "", "the default rules must load without warnings");
  assert.match(summary.stdout, /Loaded \d+ rules/);
  for (const t of ["execve", "openat", "ptrace", "socket", "symlinkat", "linkat"]) {
    assert.match(summary.stdout, new RegExp(`\\b${t}\\b`), t);
  }
  assert.doesNotMatch(summary.stdout, /match every event type/);
});

test("saker run refuses broken rules with a positioned error", () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-run-"));
  const file = join(dir, "bad.yaml");
  writeFileSync(
    file,
    "- rule: r\n  desc: d\n  condition: evt.type = open and\n  output: o\n  priority: INFO\n",
  );
  const summary = planRun([file]);
  assert.equal(summary.exitCode, 1);
  assert.match(summary.stderr, /bad\.yaml:3:\d+: error LOAD_ERR_COMPILE_CONDITION/);
});
