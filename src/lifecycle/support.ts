// --support: one JSON document to attach to a bug report, in the shape of Falco's (system_info, version,
// engine_info, cmdline, config, rules_files[].variants[].content), plus what Saker adds: each rules
// file's SHA-256 (so a report says which revision of a file ran without anyone diffing contents) and the
// host facts that decide whether the probe can load (CPUs, memory, BTF, Node's version).
//
// Built once, off any event path; reads every rules file whole (rules files are small by nature).
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, hostname, machine, release, totalmem, type, version } from "node:os";
import { expandRulesPaths } from "../rules/loader/load.js";
import { SAKER_VERSION } from "../version.js";

export interface SupportInput {
  /** The command line as typed (argv joined with spaces, as Falco's `cmdline`). */
  readonly cmdline: string;
  /** The effective configuration (defaults filled in), as `saker config show --json` prints it. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The rules paths the agent would load (files and directories). */
  readonly rulesPaths: readonly string[];
  /** The `/versions` document (engine_info). */
  readonly engineInfo: Readonly<Record<string, unknown>>;
}

export interface SupportRulesVariant {
  readonly content: string;
  readonly sha256: string;
  /** Why the file could not be read (then content is empty and sha256 that of nothing). */
  readonly error?: string;
}

export interface SupportBundle {
  readonly system_info: {
    readonly sysname: string;
    readonly nodename: string;
    readonly release: string;
    readonly version: string;
    readonly machine: string;
  };
  readonly version: string;
  readonly engine_info: Readonly<Record<string, unknown>>;
  readonly cmdline: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly rules_files: readonly {
    readonly name: string;
    readonly variants: readonly SupportRulesVariant[];
  }[];
  readonly host: {
    readonly cpus: number;
    readonly memory_total_bytes: number;
    readonly btf: boolean;
    readonly node_version: string;
  };
}

export function buildSupportBundle(input: SupportInput): SupportBundle {
  return {
    system_info: {
      sysname: type(),
      nodename: hostname(),
      release: release(),
      version: version(),
      machine: machine(),
    },
    version: SAKER_VERSION,
    engine_info: input.engineInfo,
    cmdline: input.cmdline,
    config: input.config,
    rules_files: expandRulesPaths(input.rulesPaths).map((name) => ({ name, variants: [readVariant(name)] })),
    host: {
      cpus: availableParallelism(),
      memory_total_bytes: totalmem(),
      btf: existsSync("/sys/kernel/btf/vmlinux"),
      node_version: process.version,
    },
  };
}

function readVariant(path: string): SupportRulesVariant {
  let content = "";
  let error: string | undefined;
  try {
    content = readFileSync(path, "utf8");
  } catch (e) {
    error = (e as Error).message;
  }
  const sha256 = createHash("sha256").update(content).digest("hex");
  return error === undefined ? { content, sha256 } : { content, sha256, error };
}
