// `saker replay`: run rules over recorded events, as `falco -e`/`open_params` replays do.
//
//   saker replay FILE... [-r RULES...] [-c CONFIG] [-o key=value]... [--json] [-A]
//                [-D substring]... [-T tag]... [-t tag]... [--enable-source SOURCE]... [-v]
//
// Inputs are recognised by content: Kubernetes audit JSON (JSON Lines or one JSON document) replays
// through the k8s_audit rules; a scap capture (one, alone) goes through the syscall rules as `falco -e`. Without -r the default rules directory is loaded (as `saker run`).
//
// Configuration comes from the configuration module (src/config): Saker's stock configuration, or the
// file given with -c, then each -o key=value in order (Falco's rules: unknown keys warn and are ignored,
// wrong values are errors naming the key and its position), then --json. A replay reads json_output and
// the json_include_* keys, time_format_iso_8601, priority, rule_matching, the rules: section,
// stdout_output.enabled, rules_files (when no -r is given) and which plugins load: a configuration that
// loads plugins but not k8saudit has no k8s_audit source, as in Falco.
//
// The command body is `replayCommand`, a plain function over injectable I/O: the CLI and the conformance
// test run the very same code.
import type { Command } from "commander";
import { Presets, SingleBar } from "cli-progress";
import { falcoHostname } from "../../alerts/alert.js";
import {
  DEFAULT_RULES_DIR,
  formatConfigDiagnostics,
  loadConfig,
  type SakerConfig,
} from "../../config/index.js";
import { replayAudit, sniffInputs, type ReplayIo, type ReplayOutcome } from "../../k8saudit/replay.js";
import { replaySettingsFromConfig, runCaptureReplay } from "../../capture/replay.js";
import { alertConfigFromConfig } from "../../alerts/from-config.js";
import { rulesConfigFromConfig } from "../../rules/loader/from-config.js";

export const REPLAY_CLI_ERRORS = {
  /** The configuration (stock, -c file, -o options) has errors; they are printed before this line. */
  SAKER_REPLAY_CONFIG: "bad configuration",
  /** A scap capture is replayed alone (as `falco -e` takes one), not with other inputs. */
  SAKER_REPLAY_MIXED_INPUT: "give one scap capture, or audit event files, not both",
} as const;

export type ReplayCliErrorCode = keyof typeof REPLAY_CLI_ERRORS;

/**
 * The sources a configuration makes available. Saker has the k8s_audit source built in; a configuration
 * that loads plugins stands for Falco's, where that source exists only when the k8saudit plugin loads.
 */
export function sourcesOf(config: SakerConfig): string[] | undefined {
  const loaded = config.loadedPlugins.map((p) => p.name);
  if (loaded.length === 0) return undefined;
  return loaded.includes("k8saudit") ? ["syscall", "k8s_audit"] : ["syscall"];
}

export interface ReplayCliOptions {
  readonly rules?: readonly string[];
  readonly config?: string;
  readonly option?: readonly string[];
  readonly json?: boolean;
  readonly allEvents?: boolean;
  readonly disable?: readonly string[];
  readonly disableTag?: readonly string[];
  readonly enableTag?: readonly string[];
  readonly enableSource?: readonly string[];
  readonly verbose?: boolean;
}

export interface CommandIo extends ReplayIo {
  exit(code: number): void;
  /** A progress display for a long replay, when there is someone to see it (stderr is a terminal). */
  progress?(): ProgressDisplay | undefined;
}

export interface ProgressDisplay {
  update(bytesRead: number, fileBytes: number): void;
  stop(): void;
}

/** A cli-progress bar on stderr, in MiB of the capture file read. */
function terminalProgress(): ProgressDisplay | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: "replay [{bar}] {percentage}% | {value}/{total} MiB | ETA {eta}s",
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  const mib = (n: number): number => Math.round((n / (1 << 20)) * 10) / 10;
  return {
    update(bytesRead, fileBytes) {
      if (!started) {
        bar.start(mib(fileBytes), 0);
        started = true;
      }
      bar.update(mib(bytesRead));
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** `saker replay`: the whole command, over injectable I/O. Resolves with the outcome (exit status set). */
export async function replayCommand(
  files: readonly string[],
  options: ReplayCliOptions,
  io: CommandIo,
  context: { readonly hostname?: string; readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<ReplayOutcome> {
  const loaded = loadConfig({
    file: options.config,
    overrides: options.option,
    cwd: context.cwd,
    env: context.env,
  });
  if (!loaded.ok) {
    const error = { code: "SAKER_REPLAY_CONFIG" as const, message: REPLAY_CLI_ERRORS.SAKER_REPLAY_CONFIG };
    await io.stderr(
      formatConfigDiagnostics([...loaded.errors, ...loaded.warnings]) +
        `saker replay: ${error.code}: ${error.message}\n`,
    );
    io.exit(1);
    return { exitCode: 1 };
  }
  if (loaded.warnings.length > 0) await io.stderr(formatConfigDiagnostics(loaded.warnings));
  const config = loaded.config;
  const hostname = context.hostname ?? falcoHostname(context.env);
  const alertConfig = alertConfigFromConfig(config, hostname);
  const rulesPaths =
    options.rules !== undefined && options.rules.length > 0
      ? options.rules
      : config.rulesFiles.length > 0
        ? config.rulesFiles
        : [DEFAULT_RULES_DIR];
  const sniffed = await sniffInputs(files);
  const captures = Array.isArray(sniffed) ? sniffed.filter((i) => i.kind === "scap") : [];
  if (captures.length > 0) {
    if (captures.length !== (sniffed as readonly unknown[]).length || captures.length > 1) {
      const error = {
        code: "SAKER_REPLAY_MIXED_INPUT" as const,
        message: REPLAY_CLI_ERRORS.SAKER_REPLAY_MIXED_INPUT,
      };
      await io.stderr(`saker replay: ${error.code}: ${error.message}\n`);
      io.exit(1);
      return { exitCode: 1 };
    }
    const settings = replaySettingsFromConfig(config, hostname);
    const bar = io.progress?.();
    const outcome = await runCaptureReplay(
      captures[0].path,
      {
        ...settings,
        rulesPaths,
        alertConfig:
          options.json === true ? { ...settings.alertConfig, jsonOutput: true } : settings.alertConfig,
        selection: {
          ...settings.selection,
          disabledSubstrings: options.disable,
          disabledTags: options.disableTag,
          enabledTags: options.enableTag,
        },
        allEvents: options.allEvents,
        verbose: options.verbose,
        progress: bar?.update,
      },
      io,
    );
    bar?.stop();
    io.exit(outcome.exitCode);
    return { exitCode: outcome.exitCode };
  }
  // -A widens the syscall events evaluated; audit events are all evaluated anyway.
  const outcome = await replayAudit(
    {
      inputs: files,
      rulesPaths,
      alertConfig: options.json === true ? { ...alertConfig, jsonOutput: true } : alertConfig,
      matching: config.ruleMatching,
      selection: {
        minPriority: config.priority,
        rules: config.rules,
        disabledSubstrings: options.disable,
        disabledTags: options.disableTag,
        enabledTags: options.enableTag,
      },
      enabledSources: options.enableSource,
      loadedSources: sourcesOf(config),
      writeAlerts: config.outputs.stdout.enabled,
      verbose: options.verbose,
      rulesConfig: rulesConfigFromConfig(config),
    },
    io,
  );
  io.exit(outcome.exitCode);
  return outcome;
}

/** stdout/stderr of this process, waiting for 'drain' when a pipe is full. */
export function processIo(): CommandIo {
  const write = (stream: NodeJS.WriteStream, text: string): void | Promise<void> => {
    if (stream.write(text)) return;
    return new Promise((resolve, reject) => {
      const done = (err?: Error): void => {
        stream.off("drain", done);
        stream.off("error", done);
        if (err) reject(err);
        else resolve();
      };
      stream.once("drain", done);
      stream.once("error", done);
    });
  };
  return {
    stdout: (text) => write(process.stdout, text),
    stderr: (text) => write(process.stderr, text),
    exit: (code) => {
      process.exitCode = code;
    },
    progress: terminalProgress,
  };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerReplayCommand(program: Command, io: CommandIo = processIo()): void {
  program
    .command("replay")
    .description(
      "run rules over recorded events: a scap capture, or Kubernetes audit logs (JSON / JSON Lines)",
    )
    .argument("<files...>", "input files or directories (recognised by content)")
    .option(
      "-r, --rules <paths...>",
      "rules files or directories, loaded in order (default: the default rules)",
    )
    .option("-c, --config <file>", "falco.yaml-style configuration (only the keys a replay uses are read)")
    .option(
      "-o, --option <key=value>",
      "override a configuration key (repeatable), e.g. -o priority=notice",
      collect,
      [],
    )
    .option("--json", "print alerts as JSON (json_output=true)")
    .option("-A, --all-events", "evaluate every syscall event (no effect on audit events, which all are)")
    .option("-D, --disable <substring>", "disable rules whose name contains it (repeatable)", collect, [])
    .option("-T, --disable-tag <tag>", "disable rules having this tag (repeatable)", collect, [])
    .option("-t, --enable-tag <tag>", "run only rules having one of these tags (repeatable)", collect, [])
    .option("--enable-source <source>", "enable only these event sources (repeatable)", collect, [])
    .option("-v, --verbose", "also print rules-loading warnings")
    .action(async (files: string[], opts: ReplayCliOptions) => {
      await replayCommand(files, opts, io);
    });
}
