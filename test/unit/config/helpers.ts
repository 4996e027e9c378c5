// Shared helpers for the configuration tests: throwaway directories of config files, and loading with
// a fixed environment and working directory so the tests do not depend on the machine.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import assert from "node:assert/strict";
import type {
  ConfigDiagnostic,
  ConfigLoaded,
  LoadConfigOptions,
  LoadConfigResult,
} from "../../../src/config/index.js";
import { formatConfigDiagnostics, loadConfig } from "../../../src/config/index.js";

/** A fresh directory holding `files` (relative path -> content); returns its path. */
export function tempConfigDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "saker-config-"));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

/** Load `main.yaml` with `content` (plus other files) from a fresh directory. */
export function loadYaml(
  content: string,
  options: Omit<LoadConfigOptions, "file" | "cwd"> & { files?: Record<string, string> } = {},
): LoadConfigResult {
  const dir = tempConfigDir({ "main.yaml": content, ...(options.files ?? {}) });
  return loadConfig({ env: {}, ...options, file: "main.yaml", cwd: dir });
}

export function expectLoaded(result: LoadConfigResult): ConfigLoaded {
  if (!result.ok)
    assert.fail(`expected the configuration to load:\n${formatConfigDiagnostics(result.errors)}`);
  return result;
}

export function expectErrors(result: LoadConfigResult): readonly ConfigDiagnostic[] {
  if (result.ok) assert.fail("expected the configuration to be refused");
  return result.errors;
}

/** `code path file:line:col` of a diagnostic, the shape the tables compare. */
export function brief(d: ConfigDiagnostic): string {
  const at = d.location ? ` ${d.location.file}:${d.location.line}:${d.location.column}` : "";
  return `${d.code} ${d.path}${at}`;
}
