// --support: Falco's keys, every rules file behind a directory with its content and digest, and an
// unreadable file reported in place rather than failing the bundle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, release } from "node:os";
import { join } from "node:path";
import { buildSupportBundle } from "../../../src/lifecycle/support.js";
import { SAKER_VERSION } from "../../../src/version.js";

test("the support bundle carries Falco's keys, the rules files and their digests", () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-support-"));
  try {
    mkdirSync(join(dir, "rules.d"));
    const b = "- list: b\n  items: [x]\n";
    writeFileSync(join(dir, "rules.d", "b.yaml"), b);
    writeFileSync(join(dir, "rules.d", "a.yaml"), "- list: a\n  items: []\n");
    const bundle = buildSupportBundle({
      cmdline: "saker run --support -r rules.d",
      config: { priority: "debug" },
      rulesPaths: [join(dir, "rules.d"), join(dir, "missing.yaml")],
      engineInfo: { engine_version_semver: "0.63.0" },
    });
    // Round-trips through JSON as printed.
    const doc = JSON.parse(JSON.stringify(bundle)) as typeof bundle;
    assert.deepEqual(Object.keys(doc).slice(0, 6), [
      "system_info",
      "version",
      "engine_info",
      "cmdline",
      "config",
      "rules_files",
    ]);
    assert.equal(doc.system_info.sysname, "Linux");
    assert.equal(doc.system_info.release, release());
    assert.equal(doc.version, SAKER_VERSION);
    assert.equal(doc.cmdline, "saker run --support -r rules.d");
    assert.deepEqual(doc.config, { priority: "debug" });
    assert.deepEqual(
      doc.rules_files.map((f) => f.name),
      [join(dir, "rules.d", "a.yaml"), join(dir, "rules.d", "b.yaml"), join(dir, "missing.yaml")],
      "directory expanded in name order, as the loader reads it",
    );
    const bv = doc.rules_files[1]!.variants[0]!;
    assert.equal(bv.content, b);
    assert.equal(bv.sha256, createHash("sha256").update(b).digest("hex"));
    const missing = doc.rules_files[2]!.variants[0]!;
    assert.equal(missing.content, "");
    assert.match(missing.error ?? "", /ENOENT/);
    assert.ok(doc.host.cpus >= 1 && doc.host.memory_total_bytes > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
