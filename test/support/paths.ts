// Where tests find the repository and the shared conformance corpus. Tests run from dist/test/, so the
// repository root is three levels up from this compiled file. The corpus sits beside the clone
// (../shared/corpus), as it does on developer machines and in CI; SAKER_CORPUS overrides it.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export const corpusDir = process.env.SAKER_CORPUS ?? resolve(repoRoot, "../shared/corpus");

export function corpusPath(...parts: string[]): string {
  return resolve(corpusDir, ...parts);
}

export function requireCorpus(): void {
  if (!existsSync(resolve(corpusDir, "cases.json"))) {
    throw new Error(`conformance corpus not found at ${corpusDir} (set SAKER_CORPUS)`);
  }
}
