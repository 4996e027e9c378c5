// The progress hook behind `saker replay`'s terminal progress bar: told after every chunk, monotonic,
// ending at the file's size, for plain and gzip captures alike.
import { test } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { DEFAULT_ALERT_CONFIG } from "../../../src/alerts/alert.js";
import { replayCapture } from "../../../src/capture/replay.js";
import { corpusPath } from "../../support/paths.js";

for (const name of ["cat_write.scap", "psp_run_as_user_0_container.scap"]) {
  test(`replay progress on ${name}: monotonic, ends at the file size`, async () => {
    const path = corpusPath("captures", name);
    const seen: [number, number][] = [];
    const outcome = await replayCapture(path, {
      rulesPaths: [corpusPath("rules/falco-tests/single_rule.yaml")],
      alertConfig: { ...DEFAULT_ALERT_CONFIG, hostname: "h" },
      chunkSize: 4096,
      progress: (read, total) => void seen.push([read, total]),
    });
    assert.equal(outcome.exitCode, 0);
    const size = statSync(path).size;
    assert.ok(seen.length > 1, `progress was reported ${seen.length} time(s)`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i][0] >= seen[i - 1][0], "bytes read never go back");
    assert.ok(seen.every(([, total]) => total === size));
    assert.equal(seen[seen.length - 1][0], size);
  });
}
