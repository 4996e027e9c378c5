// config_files: other config files merged into the main one, with Falco's order and semantics
// (falco_configuration::merge_config_files, yaml_helper::include_config_file):
//
// - entries are read in order; each is a path, or `{path, strategy}` with strategy `append` (the
//   default; also used for an unknown strategy, which validation then reports), `override` or `add-only`;
// - relative paths are relative to the working directory, not to the main file;
// - a path that does not exist is skipped silently; a directory contributes its regular files (any
//   name, symlinks followed, subdirectories ignored) sorted by path;
// - naming the main file is an error, and so is a `config_files` key in an included file (no nesting);
// - merging works on top-level keys only, file by file:
//     append:   a list is appended to the current list (or becomes it); anything else replaces the key
//     override: the key is replaced, lists included
//     add-only: the key is set only if the main config (so far) does not have it
//   A replaced mapping is replaced whole: `webserver: {enabled: false}` in config.d drops the main
//   file's other webserver keys (they fall back to defaults).
// Every included file goes through `${VAR}` expansion as the main file does.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { ConfigDiagnostic } from "./diagnostics.js";
import { configError } from "./diagnostics.js";
import type { Env } from "./env.js";
import { expandTree } from "./env.js";
import type { CMap, CNode } from "./tree.js";
import { getEntry, getValue, parseYamlTree, seqNode, setValue } from "./tree.js";

export type MergeStrategy = "append" | "override" | "add-only";

export interface ConfigFileEntry {
  readonly path: string;
  readonly strategy: MergeStrategy;
}

/** One file that contributed to the configuration, in the order it was read. */
export interface ConfigSource {
  readonly file: string;
  readonly role: "main" | "include" | "defaults";
  /** For included files: the strategy they were merged with. */
  readonly strategy?: MergeStrategy;
  /** For files found in a config_files directory: that directory. */
  readonly directory?: string;
}

export interface MergeResult {
  readonly sources: ConfigSource[];
  /** Directories named in config_files that exist (to watch them, as Falco does). */
  readonly directories: string[];
  readonly diagnostics: ConfigDiagnostic[];
}

export function parseStrategy(text: string): MergeStrategy {
  return text === "override" || text === "add-only" ? text : "append";
}

/** The config_files entries as Falco reads them (a single scalar counts as a one-entry list). */
export function configFileEntries(node: CNode | undefined): ConfigFileEntry[] {
  if (node === undefined) return [];
  const items = node.kind === "seq" ? node.items : [node];
  const out: ConfigFileEntry[] = [];
  for (const item of items) {
    if (item.kind === "scalar") {
      if (!item.isNull) out.push({ path: item.text, strategy: "append" });
    } else if (item.kind === "map") {
      const path = getValue(item, "path");
      const strategy = getValue(item, "strategy");
      if (path?.kind !== "scalar" || path.isNull) continue;
      out.push({
        path: path.text,
        strategy: strategy?.kind === "scalar" ? parseStrategy(strategy.text) : "append",
      });
    }
  }
  return out;
}

export interface ReadTreeResult {
  readonly root: CMap | undefined;
  readonly diagnostics: ConfigDiagnostic[];
}

/** Read one config file: parse, check it is a mapping (or empty), expand `${VAR}`s. */
export function readConfigTree(file: string, displayName: string, env: Env): ReadTreeResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return {
      root: undefined,
      diagnostics: [configError("SAKER_CONFIG_FILE_READ", "", (err as Error).message, at(displayName))],
    };
  }
  return treeFromText(text, displayName, env);
}

export function treeFromText(text: string, displayName: string, env: Env): ReadTreeResult {
  const parsed = parseYamlTree(text, displayName);
  const diagnostics = [...parsed.diagnostics];
  if (diagnostics.some((d) => d.severity === "error")) return { root: undefined, diagnostics };
  const root = parsed.root;
  if (root === undefined || (root.kind === "scalar" && root.isNull)) {
    return { root: { kind: "map", entries: [], loc: at(displayName) }, diagnostics };
  }
  if (root.kind !== "map") {
    diagnostics.push(
      configError(
        "SAKER_CONFIG_YAML_PARSE",
        "",
        `the top level of a config file must be a mapping of keys, not a ${root.kind === "seq" ? "list" : "scalar"}`,
        root.loc,
      ),
    );
    return { root: undefined, diagnostics };
  }
  expandTree(root, env, "", diagnostics);
  return { root, diagnostics };
}

function at(file: string): { file: string; line: number; column: number; offset: number } {
  return { file, line: 1, column: 1, offset: 0 };
}

/** Include every config_files entry of `root` into it, in place. */
export function mergeConfigFiles(
  root: CMap,
  mainFile: string | undefined,
  cwd: string,
  env: Env,
): MergeResult {
  const sources: ConfigSource[] = [];
  const directories: string[] = [];
  const diagnostics: ConfigDiagnostic[] = [];
  const configFilesNode = getValue(root, "config_files");
  const mainAbs = mainFile === undefined ? undefined : resolve(cwd, mainFile);

  for (const entry of configFileEntries(configFilesNode)) {
    const abs = resolve(cwd, entry.path);
    if (mainAbs !== undefined && abs === mainAbs) {
      diagnostics.push(
        configError(
          "SAKER_CONFIG_INCLUDE",
          "config_files",
          `config_files tries to include the main config file itself (${entry.path})`,
          locOfEntry(configFilesNode, entry.path),
        ),
      );
      continue;
    }
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      continue; // Falco skips config_files entries that do not exist
    }
    if (stat.isFile()) {
      includeFile(root, abs, entry.path, entry.strategy, env, diagnostics);
      sources.push({ file: entry.path, role: "include", strategy: entry.strategy });
    } else if (stat.isDirectory()) {
      directories.push(entry.path);
      for (const file of regularFilesIn(abs, entry.path)) {
        includeFile(root, file.abs, file.display, entry.strategy, env, diagnostics);
        sources.push({
          file: file.display,
          role: "include",
          strategy: entry.strategy,
          directory: entry.path,
        });
      }
    }
  }
  return { sources, directories, diagnostics };
}

function locOfEntry(node: CNode | undefined, path: string) {
  if (node === undefined) return undefined;
  const items = node.kind === "seq" ? node.items : [node];
  for (const item of items) {
    if (item.kind === "scalar" && item.text === path) return item.loc;
    if (item.kind === "map") {
      const p = getValue(item, "path");
      if (p?.kind === "scalar" && p.text === path) return p.loc;
    }
  }
  return node.loc;
}

/** Regular files of a directory (symlinks followed), sorted by path as Falco sorts them. */
function regularFilesIn(dirAbs: string, dirDisplay: string): { abs: string; display: string }[] {
  let names: string[];
  try {
    names = readdirSync(dirAbs);
  } catch {
    return [];
  }
  const sep = dirDisplay.endsWith("/") ? "" : "/";
  const files = names
    .map((name) => ({ abs: resolve(dirAbs, name), display: `${dirDisplay}${sep}${name}` }))
    .filter((f) => {
      try {
        return statSync(f.abs).isFile();
      } catch {
        return false;
      }
    });
  files.sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
  return files;
}

function includeFile(
  root: CMap,
  abs: string,
  display: string,
  strategy: MergeStrategy,
  env: Env,
  diagnostics: ConfigDiagnostic[],
): void {
  const read = readConfigTree(abs, display, env);
  diagnostics.push(...read.diagnostics);
  if (read.root === undefined) return;
  for (const entry of read.root.entries) {
    if (entry.key === "config_files") {
      diagnostics.push(
        configError(
          "SAKER_CONFIG_INCLUDE",
          "config_files",
          "an included config file cannot have its own config_files",
          entry.keyLoc,
        ),
      );
      continue;
    }
    const current = getEntry(root, entry.key);
    switch (strategy) {
      case "append":
        if (entry.value.kind === "seq") {
          const existing = current?.value;
          if (existing === undefined || (existing.kind === "scalar" && existing.isNull)) {
            setValue(root, entry.key, entry.keyLoc, seqNode(entry.value.loc, [...entry.value.items]));
          } else if (existing.kind === "seq") {
            existing.items.push(...entry.value.items);
          } else {
            diagnostics.push(
              configError(
                "SAKER_CONFIG_MERGE",
                entry.key,
                `cannot append a list to '${entry.key}', which is a ${existing.kind === "map" ? "mapping" : "scalar"} ` +
                  `(${existing.loc.file}:${existing.loc.line}:${existing.loc.column})`,
                entry.value.loc,
              ),
            );
          }
          break;
        }
        setValue(root, entry.key, entry.keyLoc, entry.value);
        break;
      case "override":
        setValue(root, entry.key, entry.keyLoc, entry.value);
        break;
      case "add-only":
        if (current === undefined) setValue(root, entry.key, entry.keyLoc, entry.value);
        break;
    }
  }
}
