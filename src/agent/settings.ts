// What the agent takes from a loaded configuration (falco.yaml keys), in one place, so `saker run` and
// `saker capture` read the same keys the same way.
import { DEFAULT_ALERT_CONFIG, type AlertConfig } from "../alerts/alert.js";
import type { LogLevel, SakerConfig } from "../config/types.js";
import type { StaticFields } from "../fields/static.js";
import type { ExtraOutputField, ExtraOutputFormat } from "../rules/loader/compiler.js";
import { rulesConfigFromConfig } from "../rules/loader/from-config.js";
import type { SelectionOptions } from "../rules/selection.js";
import type { ProcessorOptions } from "../state/processor.js";
import type { DropMonitorSettings } from "./drops.js";
import type { BaseSyscalls } from "./syscalls.js";

export interface AgentSettings {
  readonly alertConfig: AlertConfig;
  readonly matching: "first" | "all";
  readonly selection: SelectionOptions;
  /** append_output: extra_output and suggested formats, extra_fields. */
  readonly extraOutput: readonly ExtraOutputFormat[];
  readonly extraFields: readonly ExtraOutputField[];
  /** static_fields. */
  readonly staticFields: StaticFields;
  readonly baseSyscalls: BaseSyscalls;
  readonly drops: DropMonitorSettings;
  readonly state: ProcessorOptions;
  readonly logging: { readonly level: LogLevel; readonly stderr: boolean; readonly iso8601: boolean };
  /** stdout_output.enabled. */
  readonly stdout: boolean;
  readonly queueCapacity: number;
  readonly outputTimeoutMs: number;
  /** Ring buffer size from the engine's buf_size_preset (MiB, a power of two). */
  readonly ringBufferMb: number;
  /** falco_libs.snaplen (0: the probe's default). */
  readonly snaplen: number;
}

/** Falco's buf_size_preset table: 1 -> 1 MiB ... 4 -> 8 MiB ... 10 -> 512 MiB. */
export function ringBufferMbForPreset(preset: number): number {
  const p = Number.isInteger(preset) && preset >= 1 && preset <= 10 ? preset : 4;
  return 2 ** (p - 1);
}

export function agentSettingsFromConfig(config: SakerConfig, hostname: string): AgentSettings {
  const preset =
    config.engine.kind === "kmod" ? config.engine.kmod.bufSizePreset : config.engine.modernEbpf.bufSizePreset;
  const libs = config.falcoLibs;
  const rules = rulesConfigFromConfig(config);
  return {
    alertConfig: {
      ...DEFAULT_ALERT_CONFIG,
      hostname,
      timeFormatIso8601: config.timeFormatIso8601,
      jsonOutput: config.json.output,
      jsonIncludeOutputProperty: config.json.includeOutputProperty,
      jsonIncludeTagsProperty: config.json.includeTagsProperty,
      jsonIncludeMessageProperty: config.json.includeMessageProperty,
      jsonIncludeOutputFieldsProperty: config.json.includeOutputFieldsProperty,
      // The live agent writes what current Falco writes (output_fields in its sorted place).
      jsonLayout: "current",
    },
    matching: config.ruleMatching,
    selection: { minPriority: config.priority, rules: config.rules },
    extraOutput: rules.extraOutput,
    extraFields: rules.extraFields,
    staticFields: rules.staticFields,
    baseSyscalls: config.baseSyscalls,
    drops: config.syscallEventDrops,
    state: {
      maxThreads: libs.threadTableSize > 0 ? libs.threadTableSize : undefined,
      scanIntervalNs:
        libs.threadTableAutoPurgingIntervalS > 0 ? libs.threadTableAutoPurgingIntervalS * 1e9 : undefined,
      // Idle threads are never purged live: libsinsp re-reads a purged thread from /proc when it shows up
      // again, which the engine cannot do once it has dropped its privileges. Exited threads still go,
      // and the table stays bounded by maxThreads.
      threadTimeoutNs: 0,
    },
    logging: { level: config.log.level, stderr: config.log.stderr, iso8601: config.timeFormatIso8601 },
    stdout: config.outputs.stdout.enabled,
    queueCapacity: config.outputsQueueCapacity,
    outputTimeoutMs: config.outputTimeoutMs,
    ringBufferMb: ringBufferMbForPreset(preset),
    snaplen: libs.snaplen > 0 ? libs.snaplen : 80,
  };
}
