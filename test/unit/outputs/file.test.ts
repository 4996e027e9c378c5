// file_output: lines batched into appends; rename + reopen() mid-stream loses and tears nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileChannel } from "../../../src/outputs/file.js";
import { OutputQueue } from "../../../src/outputs/queue.js";
import { jsonMessage, waitFor } from "./helpers.js";

for (const keepAlive of [true, false]) {
  test(`keep_alive ${keepAlive}: rename and reopen() while alerts stream: every line once, none torn`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "saker-file-"));
    try {
      const path = join(dir, "events.txt");
      const rotated = join(dir, "events.txt.1");
      const file = new FileChannel({ filename: path, keepAlive });
      const q = new OutputQueue([file], { capacity: 200_000 });
      const n = 60_000;
      let rotatedAt = -1;
      for (let i = 0; i < n; i++) {
        q.push(jsonMessage(i));
        if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
        if (i === n / 2) {
          // logrotate: rename the file, then signal (SIGUSR1 -> reopen()).
          await waitFor(() => q.stats.channels[0]!.delivered > 1000, 5000, "some lines written");
          renameSync(path, rotated);
          rotatedAt = i;
          void q.reopen();
        }
      }
      const stats = await q.close(10_000);
      assert.equal(stats.channels[0]!.dropped, 0);
      assert.equal(file.errors, 0);
      const old = readFileSync(rotated, "utf8");
      const cur = readFileSync(path, "utf8");
      assert.ok(old.endsWith("\n") && cur.endsWith("\n"), "each file ends on a whole line");
      const lines = (old + cur).split("\n").filter((l) => l !== "");
      const seen = new Set<number>();
      for (const l of lines) {
        const n2 = (JSON.parse(l) as { output_fields: { n: number } }).output_fields.n; // torn -> throws
        assert.ok(!seen.has(n2), `line ${n2} written twice`);
        seen.add(n2);
      }
      assert.equal(seen.size, n, "every line present");
      assert.ok(old.length > 0 && cur.length > 0, `both files hold lines (rotated at ${rotatedAt})`);
      // Order is kept within and across the files.
      const order = lines.map((l) => (JSON.parse(l) as { output_fields: { n: number } }).output_fields.n);
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("an unwritable file is logged once with its code and counted; the channel recovers", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-file-"));
  try {
    const path = join(dir, "sub", "events.txt"); // the folder does not exist yet
    const logs: string[] = [];
    const file = new FileChannel({ filename: path, keepAlive: false, log: (_l, m) => logs.push(m) });
    const q = new OutputQueue([file]);
    for (let i = 0; i < 10; i++) q.push(jsonMessage(i));
    await q.flush();
    await waitFor(() => file.errors === 10, 2000, "the failures counted");
    assert.equal(file.lastError?.code, "SAKER_OUTPUT_FILE");
    assert.equal(logs.filter((l) => l.includes("SAKER_OUTPUT_FILE")).length, 1, "one log line per streak");
    // Now make it work: create the folder; the next alerts land.
    mkdirSync(join(dir, "sub"));
    q.push(jsonMessage(10));
    await q.close(2000);
    assert.equal(readFileSync(path, "utf8"), jsonMessage(10).line + "\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
