// `saker run`: the live agent.
//
//   saker run [-c CONFIG] [-r RULES...] [-o key=value]... [-A] [-D substring]... [-T tag]... [-t tag]...
//             [--enable-source SRC]... [--disable-source SRC]... [--json] [-u USER] [--dry-run] [-v]
//
// Configuration: Saker's stock configuration (Falco's falco.yaml) or -c FILE, then each -o in order.
// Rules: -r paths, else rules_files, else the default rules/ directory. engine.kind picks the source:
//   modern_ebpf (default), kmod, ebpf   the live eBPF probe (Saker has one driver for the three);
//   replay                              engine.replay.capture_file through the rules, as `falco -e`;
//   nodriver                            no syscall source (the agent runs, nothing is captured);
//   gvisor                              not supported (SAKER_RUN_ENGINE).
// Event sources (agent/audit-sources.ts): `syscall` always, and `k8s_audit` when the configuration loads
// the k8saudit plugin (built in: library_path is not loaded). Its open_params is an audit file or directory
// (read once; with the syscall source disabled the run ends when it is done, as Falco with a file) or
// http[s]://[host]:port/path (the webhook). --enable-source/--disable-source select sources as Falco does.
// A run that ends because its input ended prints Falco's detection summary on stdout, where Falco prints
// it; a live run stopped by a signal keeps it on stderr, after the alert stream.
// Started as root, the agent spawns the probe loader with CAP_BPF + CAP_PERFMON only, reads /proc, then
// runs as -u USER (default nobody). SIGINT/SIGTERM stop it cleanly (queue flushed, summary on stderr);
// SIGHUP reloads the rules without restarting capture; SIGUSR2 prints one line of counters on stderr.
//
// Failures print `Error: <message> (<CODE>)` and exit 1; codes are AGENT_ERRORS' and RUN_CLI_ERRORS'.
import type { Command } from "commander";
import { falcoHostname } from "../../alerts/alert.js";
import {
  AGENT_ERRORS,
  Agent,
  type AgentError,
  type AgentOptions,
  type OutputChannel,
  type SourcePlan,
  StreamChannel,
  type TargetUser,
  agentSettingsFromConfig,
  formatAgentFigures,
  formatAgentStats,
  formatAgentSummary,
  resolveUser,
  runningAsRoot,
  planSources,
  selectSyscalls,
} from "../../agent/index.js";
import { formatDetectionSummary } from "../../alerts/summary.js";
import { type ReplayControl, replaySettingsFromConfig, runCaptureReplay } from "../../capture/replay.js";
import { FalcoLogger } from "../../capture/pipeline/logger.js";
import {
  DEFAULT_RULES_DIR,
  formatConfigDiagnostics,
  loadConfig,
  type SakerConfig,
} from "../../config/index.js";
import { buildDetector } from "../../engine/detector.js";
import { sourceWithStaticFields } from "../../fields/static.js";
import { syscallSource } from "../../fields/syscall/source.js";
import { loadRulesPaths } from "../../rules/loader/load.js";
import { formatResults } from "../../rules/loader/results.js";
import type { SelectionOptions } from "../../rules/selection.js";
import { SAKER_VERSION } from "../../version.js";
import { escapeControls, escapeText } from "../../alerts/escape.js";
import { type AgentServices, startAgentServices } from "../../agent/services.js";
import { buildSupportBundle } from "../../lifecycle/support.js";
import { SyslogChannel, outputChannelsFromConfig } from "../../outputs/index.js";
import { sakerVersions } from "../../service/index.js";

export { DEFAULT_RULES_DIR };

/** Errors of the command itself (the agent's are AGENT_ERRORS). Tests assert on the code. */
export const RUN_CLI_ERRORS = {
  /** The configuration (stock, -c file, -o options) has errors; they are printed before this line. */
  SAKER_RUN_CONFIG: "bad configuration",
  /** engine.kind names a driver Saker does not have. */
  SAKER_RUN_ENGINE: "engine kind not supported",
  /** engine.kind=replay without engine.replay.capture_file. */
  SAKER_RUN_REPLAY_FILE: "engine.replay.capture_file is not set",
  /** The -u user does not exist. */
  SAKER_RUN_USER: "unknown user",
} as const;

export type RunCliErrorCode = keyof typeof RUN_CLI_ERRORS;

export interface RunCliOptions {
  readonly config?: string;
  readonly rules?: readonly string[];
  readonly option?: readonly string[];
  readonly allEvents?: boolean;
  readonly disable?: readonly string[];
  readonly disableTag?: readonly string[];
  readonly enableTag?: readonly string[];
  /** --enable-source: only these event sources run. */
  readonly enableSource?: readonly string[];
  /** --disable-source: these event sources do not run. */
  readonly disableSource?: readonly string[];
  readonly json?: boolean;
  readonly user?: string;
  readonly dryRun?: boolean;
  /** --support: print the support bundle (versions, config, rules files and digests, system) and exit. */
  readonly support?: boolean;
  readonly verbose?: boolean;
}

export interface RunIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Where alerts go instead of fd 1 when stdout_output is enabled (tests running the command in process). */
  readonly alerts?: OutputChannel;
  /** Receives the exit status (default: process.exitCode). */
  exit?(code: number): void;
}

const processRunIo: RunIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

/** What `saker run` resolved from its options and configuration before starting anything. */
export interface RunPlan {
  readonly config: SakerConfig;
  readonly rulesPaths: readonly string[];
  readonly selection: SelectionOptions;
  readonly allEvents: boolean;
  /** The event sources loaded and enabled, and the k8s_audit source's settings. */
  readonly sources: SourcePlan;
  /** The configuration files read (main, then included; not the built-in defaults): digests, watching. */
  readonly configFiles: readonly string[];
  /** config_files directories (watched: a file added there is a change). */
  readonly configDirectories: readonly string[];
  /** The effective configuration in falco.yaml's shape (--support). */
  readonly effectiveConfig: Readonly<Record<string, unknown>>;
}

export type PlanResult = { ok: true; plan: RunPlan } | { ok: false; exitCode: number };

/** Load the configuration and resolve the rules paths and the selection (no side effects but `io`). */
export function planRun(options: RunCliOptions, io: RunIo = processRunIo): PlanResult {
  const overrides = [...(options.option ?? [])];
  if (options.json === true) overrides.push("json_output=true");
  const loaded = loadConfig({ file: options.config, overrides });
  if (!loaded.ok) {
    io.stderr(formatConfigDiagnostics([...loaded.errors, ...loaded.warnings]));
    io.stderr(`Error: ${RUN_CLI_ERRORS.SAKER_RUN_CONFIG} (SAKER_RUN_CONFIG)\n`);
    return { ok: false, exitCode: 1 };
  }
  if (loaded.warnings.length > 0) io.stderr(formatConfigDiagnostics(loaded.warnings));
  const config = loaded.config;
  const sources = planSources(config.loadedPlugins, {
    enable: options.enableSource,
    disable: options.disableSource,
  });
  if (!sources.ok) {
    io.stderr(`Error: ${sources.error.message} (${sources.error.code})\n`);
    return { ok: false, exitCode: 1 };
  }
  const rulesPaths =
    options.rules !== undefined && options.rules.length > 0
      ? options.rules
      : config.rulesFiles.length > 0
        ? config.rulesFiles
        : [DEFAULT_RULES_DIR];
  return {
    ok: true,
    plan: {
      config,
      rulesPaths,
      allEvents: options.allEvents === true,
      sources: sources.plan,
      configFiles: loaded.sources.filter((f) => f.role !== "defaults").map((f) => f.file),
      configDirectories: loaded.directories,
      effectiveConfig: loaded.effective,
      selection: {
        minPriority: config.priority,
        rules: config.rules,
        disabledSubstrings: options.disable,
        disabledTags: options.disableTag,
        enabledTags: options.enableTag,
      },
    },
  };
}

/**
 * --dry-run: load the rules as the agent would and print what it would capture, then exit (no probe, no
 * privileges needed). Exit status 1 when the rules do not load.
 */
export function dryRun(plan: RunPlan, io: RunIo = processRunIo): number {
  const settings = agentSettingsFromConfig(plan.config, "");
  const outcome = loadRulesPaths(plan.rulesPaths, {
    extraOutput: settings.extraOutput,
    extraFields: settings.extraFields,
    staticFields: settings.staticFields,
  });
  const problems = outcome.files.filter((f) => f.diagnostics.length > 0);
  if (problems.length > 0) io.stderr(formatResults(problems));
  if (!outcome.successful) {
    io.stderr(`Error: ${AGENT_ERRORS.SAKER_RUN_RULES} (SAKER_RUN_RULES)\n`);
    return 1;
  }
  const built = buildDetector(outcome.ruleset, sourceWithStaticFields(syscallSource, settings.staticFields), {
    matching: settings.matching,
    alertConfig: settings.alertConfig,
    selection: plan.selection,
  });
  if (!built.ok) {
    io.stderr(`Error: ${escapeText(built.error.message)} (${built.error.code})\n`);
    return 1;
  }
  const base = { ...plan.config.baseSyscalls, all: plan.config.baseSyscalls.all || plan.allEvents };
  const sel = selectSyscalls(built.detector.eventTypes(), base);
  const bySource = new Map<string, number>();
  for (const r of outcome.ruleset.rules)
    if (r.enabled) bySource.set(r.source, (bySource.get(r.source) ?? 0) + 1);
  const ruleSources = [...bySource].map(([s, n]) => `${n} ${s}`).join(", ") || "none";
  const sorted = (s: Iterable<string>): string => [...s].sort().join(" ");
  io.stdout(
    `Loaded ${outcome.ruleset.rules.length} rules from ${plan.rulesPaths.join(", ")} (enabled: ${ruleSources}).\n` +
      `Event sources enabled: ${plan.sources.enabled.join(", ")}\n` +
      `Syscall rules enabled: ${built.detector.rules.length}\n` +
      `Syscalls the rules need (${sel.rules.size}): ${sorted(sel.rules)}\n` +
      `Syscalls captured (${sel.selected.size}): ${sorted(sel.selected)}\n` +
      (sel.notActivated.length > 0 ? `Rule syscalls not captured (-A): ${sorted(sel.notActivated)}\n` : "") +
      (sel.nonSyscallTypes.length > 0
        ? `Rule event types no syscall produces: ${sorted(sel.nonSyscallTypes)}\n`
        : "") +
      (sel.everything ? "A rule matches every event type.\n" : ""),
  );
  return 0;
}

/** The whole command. Resolves with the exit status once the agent has stopped. */
export async function runCommand(options: RunCliOptions, io: RunIo = processRunIo): Promise<number> {
  const closers: (() => Promise<void>)[] = [];
  try {
    return await runAgentCommand(options, io, closers);
  } finally {
    for (const close of closers) await close();
  }
}

async function runAgentCommand(
  options: RunCliOptions,
  io: RunIo,
  closers: (() => Promise<void>)[],
): Promise<number> {
  const planned = planRun(options, io);
  if (!planned.ok) return planned.exitCode;
  const plan = planned.plan;
  if (options.dryRun === true) return dryRun(plan, io);
  if (options.support === true) {
    const bundle = buildSupportBundle({
      cmdline: process.argv.slice(1).join(" "),
      config: plan.effectiveConfig,
      rulesPaths: plan.rulesPaths,
      engineInfo: { ...sakerVersions() },
    });
    io.stdout(JSON.stringify(bundle) + "\n");
    return 0;
  }
  const config = plan.config;
  const hostname = falcoHostname();
  const settings = agentSettingsFromConfig(config, hostname);
  // log_syslog: Saker's own log lines to the local syslog too (its failures are not logged: they would
  // loop back here; the syslog output channel reports them).
  const syslogLog = config.log.syslog ? new SyslogChannel({ name: "log_syslog" }) : null;
  if (syslogLog !== null) closers.push(() => syslogLog.close());
  const logger = new FalcoLogger(
    {
      ...settings.logging,
      syslog:
        syslogLog === null
          ? undefined
          : (level, message) =>
              void syslogLog.write({
                time: BigInt(Date.now()) * 1_000_000n,
                priority: Math.min(7, Math.max(0, level)),
                rule: "",
                source: "internal",
                tags: [],
                line: escapeControls(message),
                alert: null,
              }),
    },
    (line) => io.stderr(line),
  );
  const log = (level: number, message: string): void => logger.log(level, message);
  const fatal = (e: AgentError | { code: string; message: string }): number => {
    if ("details" in e && e.details !== undefined) io.stderr(e.details + "\n");
    io.stderr(`Error: ${e.message} (${e.code})\n`);
    return 1;
  };

  log(6, `Saker version: ${SAKER_VERSION} (${process.arch === "x64" ? "x86_64" : process.arch})`);
  if (options.config !== undefined) {
    log(6, "Saker initialized with configuration files:");
    log(6, `   ${escapeText(options.config)}`);
  }
  const kind = config.engine.kind;
  // A capture file is replayed whatever the source flags say, as Falco ignores them with one.
  if (kind === "replay") return runReplay(plan, io);
  for (const note of plan.sources.notes) log(6, note);
  const syscall = plan.sources.syscall;
  if (syscall && kind === "gvisor") {
    return fatal({ code: "SAKER_RUN_ENGINE", message: `${RUN_CLI_ERRORS.SAKER_RUN_ENGINE}: gvisor` });
  }
  if (syscall && (kind === "kmod" || kind === "ebpf")) {
    log(6, `engine.kind ${kind}: Saker's only driver is its CO-RE eBPF probe, which is used instead`);
  }

  let user: TargetUser | null = null;
  if (runningAsRoot()) {
    const name = options.user ?? "nobody";
    if (name !== "root" && name !== "0") {
      user = resolveUser(name);
      if (user === null) {
        return fatal({
          code: "SAKER_RUN_USER",
          message: `${RUN_CLI_ERRORS.SAKER_RUN_USER}: ${escapeText(name)}`,
        });
      }
    }
  }

  // Signals received while starting are honoured as soon as the agent runs.
  let signal: NodeJS.Signals | null = null;
  let wake: (() => void) | null = null;
  const onTerm = (s: NodeJS.Signals): void => {
    signal ??= s;
    wake?.();
  };
  let agent: Agent | null = null;
  let keepAlive: NodeJS.Timeout | undefined;
  let services: AgentServices | null = null;
  // One reload at a time; a request arriving meanwhile runs once the current one is done.
  let reloading: Promise<void> | null = null;
  let reloadAgain = false;
  const reload = (why: string): void => {
    if (reloading !== null) {
      reloadAgain = true;
      return;
    }
    log(6, `${why}, reloading the rules...`);
    reloading = (async () => {
      const r = await agent?.reload();
      if (r?.ok === true) await services?.refresh();
    })().finally(() => {
      reloading = null;
      if (reloadAgain) {
        reloadAgain = false;
        reload(why);
      }
    });
  };
  const onHup = (): void => reload("SIGHUP received");
  // SIGUSR1: reopen the file output and respawn the program output (log rotation), as Falco.
  const onUsr1 = (): void => {
    log(6, "SIGUSR1 received, reopening outputs...");
    agent?.reopenOutputs();
  };
  // SIGUSR2: one line of counters on stderr (monitoring, the benchmark).
  const onUsr2 = (): void => {
    if (agent !== null) void agent.currentSummary().then((s) => io.stderr(formatAgentStats(s)));
  };
  process.on("SIGINT", onTerm);
  process.on("SIGTERM", onTerm);
  process.on("SIGHUP", onHup);
  process.on("SIGUSR1", onUsr1);
  process.on("SIGUSR2", onUsr2);
  try {
    const agentOptions: AgentOptions = {
      rulesPaths: plan.rulesPaths,
      alertConfig: settings.alertConfig,
      matching: settings.matching,
      selection: plan.selection,
      extraOutput: settings.extraOutput,
      extraFields: settings.extraFields,
      staticFields: settings.staticFields,
      baseSyscalls: { ...settings.baseSyscalls, all: settings.baseSyscalls.all || plan.allEvents },
      drops: settings.drops,
      state: settings.state,
      source: !syscall ? "disabled" : kind === "nodriver" ? "none" : "live",
      audit: plan.sources.audit,
      loadedSources: plan.sources.loaded,
      outputs: [
        ...(settings.stdout ? [io.alerts ?? new StreamChannel("stdout", 1, log)] : []),
        ...outputChannelsFromConfig(config, log, { skipStdout: true, hostname }),
      ],
      queueCapacity: settings.queueCapacity,
      outputTimeoutMs: settings.outputTimeoutMs,
      log,
      pluginLog: (line) => io.stderr(line),
      capture: { ringBufferMb: settings.ringBufferMb, snaplen: settings.snaplen },
      user,
      verbose: options.verbose,
    };
    const started = await Agent.start(agentOptions);
    if (!started.ok) return fatal(started.error);
    agent = started.agent;
    const svc = await startAgentServices({
      agent,
      config,
      hostname,
      log,
      rulesPaths: plan.rulesPaths,
      configFiles: [...plan.configFiles, ...plan.configDirectories],
      onFilesChanged: (changed) =>
        reload(`${changed.map((f) => escapeText(f)).join(", ")} changed (watch_config_files)`),
    });
    if (!svc.ok) {
      await agent.stop();
      return fatal(svc.error);
    }
    services = svc.services;
    log(6, "Saker is watching the system: alerts follow");
    // Without a driver nothing else keeps the process alive until a signal comes.
    keepAlive = setInterval(() => undefined, 1 << 30);
    const stopped = new Promise<void>((resolve) => {
      wake = resolve;
      if (signal !== null) resolve();
    });
    const ended = await Promise.race([
      agent.done.then((error) => ({ error, inputEnded: error === null })),
      stopped.then(() => ({ error: null, inputEnded: false })),
    ]);
    const error = ended.error;
    if (signal !== null && error === null && !ended.inputEnded) log(6, `${signal} received, exiting...`);
    const exit = await agent.stop();
    if (ended.inputEnded) {
      io.stdout(formatDetectionSummary(exit.summary));
      io.stderr(formatAgentFigures(exit.summary));
    } else {
      io.stderr(formatAgentSummary(exit.summary));
    }
    const err = error ?? exit.error;
    return err !== null ? fatal(err) : 0;
  } finally {
    if (keepAlive !== undefined) clearInterval(keepAlive);
    process.off("SIGINT", onTerm);
    process.off("SIGTERM", onTerm);
    process.off("SIGHUP", onHup);
    process.off("SIGUSR1", onUsr1);
    process.off("SIGUSR2", onUsr2);
    await services?.close();
  }
}

/** engine.kind=replay: the capture file through the rules, with the replay's output and summaries. */
async function runReplay(plan: RunPlan, io: RunIo): Promise<number> {
  const config = plan.config;
  const file = config.engine.replay.captureFile;
  if (file === "") {
    io.stderr(`Error: ${RUN_CLI_ERRORS.SAKER_RUN_REPLAY_FILE} (SAKER_RUN_REPLAY_FILE)\n`);
    return 1;
  }
  const s = replaySettingsFromConfig(config);
  // SIGHUP during the replay reloads the rules between two events, as in a live run.
  let control: ReplayControl | null = null;
  const onHup = (): void => void control?.reload();
  process.on("SIGHUP", onHup);
  const outcome = await runCaptureReplay(
    file,
    {
      onControl: (c) => (control = c),
      rulesPaths: plan.rulesPaths,
      alertConfig: s.alertConfig,
      matching: s.matching,
      selection: plan.selection,
      allEvents: plan.allEvents,
      logging: s.logging,
      drops: s.drops,
      state: s.state,
      rulesConfig: s.rulesConfig,
      writeAlerts: s.writeAlerts,
      outputChannels: s.outputChannels,
      outputQueue: s.outputQueue,
    },
    io,
  ).finally(() => process.off("SIGHUP", onHup));
  return outcome.exitCode;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerRunCommand(program: Command, io: RunIo = processRunIo): void {
  program
    .command("run")
    .description("run the agent: watch this host's syscalls with the rules (default: Saker's rules)")
    .option("-c, --config <file>", "falco.yaml-style configuration (default: Saker's stock configuration)")
    .option("-r, --rules <paths...>", "rules files or directories, loaded in order (default: rules_files)")
    .option("-o, --option <key=value>", "override a configuration key (repeatable)", collect, [])
    .option("-A, --all-events", "also capture the high-volume I/O syscalls (base_syscalls.all)")
    .option("-D, --disable <substring>", "disable rules whose name contains it (repeatable)", collect, [])
    .option("-T, --disable-tag <tag>", "disable rules having this tag (repeatable)", collect, [])
    .option("-t, --enable-tag <tag>", "run only rules having one of these tags (repeatable)", collect, [])
    .option("--enable-source <source>", "enable only these event sources (repeatable)", collect, [])
    .option("--disable-source <source>", "disable this event source (repeatable)", collect, [])
    .option("--json", "print alerts as JSON (json_output=true)")
    .option("-u, --user <name>", "the user the engine runs as once started as root (default nobody)")
    .option("--dry-run", "load the configuration and rules, print what would be captured, and exit")
    .option("--support", "print a JSON support bundle (versions, config, rules files, system) and exit")
    .option("-v, --verbose", "print rules-loading warnings in full")
    .action(async (opts: RunCliOptions) => {
      const code = await runCommand(opts, io);
      if (io.exit !== undefined) io.exit(code);
      else process.exitCode = code;
    });
}
