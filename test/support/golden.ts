// Golden files: what users read (expanded conditions, error messages, formatted alerts) is pinned in
// test/golden/ and changes only through `npm run golden:update` (SAKER_UPDATE_GOLDEN=1).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import assert from "node:assert/strict";
import { repoRoot } from "./paths.js";

export function assertGolden(name: string, actual: string): void {
  const file = resolve(repoRoot, "test/golden", name);
  if (process.env.SAKER_UPDATE_GOLDEN === "1") {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `golden file ${name} is missing: run npm run golden:update`);
  assert.equal(actual, readFileSync(file, "utf8"), `output differs from golden file ${name}`);
}
