// watch_config_files: one report per burst of changes, for the ways files really change (in-place
// write, editor rename-over, a new file in a rules directory, a ConfigMap-style symlink swap), and none
// for unrelated files next to the watched ones.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { watchFiles } from "../../../src/lifecycle/watch.js";

/** Collects reports; `next()` resolves with the next one, or null after `ms` without one. */
class Recorder {
  private queued: string[][] = [];
  private waiter: ((r: string[] | null) => void) | null = null;
  push = (changed: readonly string[]): void => {
    if (this.waiter !== null) {
      const w = this.waiter;
      this.waiter = null;
      w([...changed]);
    } else this.queued.push([...changed]);
  };
  next(ms = 3000): Promise<string[] | null> {
    const q = this.queued.shift();
    if (q !== undefined) return Promise.resolve(q);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, ms);
      this.waiter = (r) => {
        clearTimeout(t);
        resolve(r);
      };
    });
  }
}

test("watchFiles reports each kind of change once, and ignores neighbours", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-watch-"));
  const config = join(dir, "saker.yaml");
  const rulesDir = join(dir, "rules.d");
  mkdirSync(rulesDir);
  writeFileSync(config, "priority: debug\n");
  writeFileSync(join(rulesDir, "a.yaml"), "- list: a\n  items: []\n");
  const rec = new Recorder();
  const w = watchFiles([config, rulesDir], rec.push, { debounceMs: 100 });
  try {
    assert.deepEqual([...w.directories].sort(), [dir, rulesDir].sort());

    // in-place write, three times in a burst: one report
    writeFileSync(config, "priority: info\n");
    writeFileSync(config, "priority: notice\n");
    writeFileSync(config, "priority: warning\n");
    assert.deepEqual(await rec.next(), [config]);
    assert.equal(await rec.next(400), null, "the burst was reported once");

    // an editor's save: write a temp file, rename it over the config
    writeFileSync(join(dir, ".saker.yaml.swp"), "priority: error\n");
    renameSync(join(dir, ".saker.yaml.swp"), config);
    const saved = await rec.next();
    assert.ok(saved?.includes(config), `rename-over reported: ${JSON.stringify(saved)}`);
    // the watch still works after the inode changed
    writeFileSync(config, "priority: critical\n");
    assert.deepEqual(await rec.next(), [config]);

    // a new rules file in the watched directory
    writeFileSync(join(rulesDir, "b.yaml"), "- list: b\n  items: []\n");
    const added = await rec.next();
    assert.ok(added?.includes(join(rulesDir, "b.yaml")), `new file reported: ${JSON.stringify(added)}`);

    // an unrelated file next to the config: nothing
    writeFileSync(join(dir, "notes.txt"), "hello\n");
    assert.equal(await rec.next(400), null, "a neighbour is not a change");
  } finally {
    w.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a ConfigMap-style symlink swap is a change; close() stops reports", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-watch-"));
  // kubelet's layout: saker.yaml -> ..data/saker.yaml, ..data -> ..2026_v1
  mkdirSync(join(dir, "..2026_v1"));
  writeFileSync(join(dir, "..2026_v1", "saker.yaml"), "priority: debug\n");
  symlinkSync("..2026_v1", join(dir, "..data"));
  symlinkSync("..data/saker.yaml", join(dir, "saker.yaml"));
  const rec = new Recorder();
  const w = watchFiles([join(dir, "saker.yaml")], rec.push, { debounceMs: 100 });
  try {
    mkdirSync(join(dir, "..2026_v2"));
    writeFileSync(join(dir, "..2026_v2", "saker.yaml"), "priority: info\n");
    symlinkSync("..2026_v2", join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    const swapped = await rec.next();
    assert.ok(swapped !== null && swapped.length > 0, "the swap was reported");
    w.close();
    writeFileSync(join(dir, "..2026_v2", "saker.yaml"), "priority: notice\n");
    symlinkSync("..2026_v1", join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    assert.equal(await rec.next(400), null, "nothing after close");
  } finally {
    w.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a directory that cannot be watched is reported and skipped", () => {
  const errors: string[] = [];
  const w = watchFiles(["/nonexistent-saker-dir/x.yaml"], () => undefined, {
    onError: (p) => errors.push(p),
  });
  w.close();
  assert.deepEqual(errors, ["/nonexistent-saker-dir"]);
  assert.deepEqual(w.directories, []);
});
