// From the validated effective configuration (falco.yaml's shape, defaults filled) to SakerConfig, with
// the checks Falco makes when it loads a configuration beyond what a schema can say (an enabled output
// with nothing to write to, replay without a capture file, `ignore` combined with other drop actions,
// load_plugins naming an unknown plugin...). Either every check passes and a full SakerConfig comes
// back, or the errors do: no partial configuration.
import { isIP } from "node:net";
import type { Priority } from "../rules/priority.js";
import { parsePriority } from "../rules/priority.js";
import type { RuleSelectionEntry } from "../rules/selection.js";
import { containerFromLegacy, containerFromPlugin, defaultContainerConfig } from "./container.js";
import type { ConfigDiagnostic, ConfigErrorCode } from "./diagnostics.js";
import { configError } from "./diagnostics.js";
import { parsePrometheusDuration } from "./duration.js";
import type { Positions } from "./materialize.js";
import type { ConfigFileEntry } from "./merge.js";
import { parseStrategy } from "./merge.js";
import type {
  AppendOutputEntry,
  ContainerConfig,
  DropAction,
  EngineKind,
  LibsSeverity,
  LogLevel,
  PluginConfig,
  SakerConfig,
} from "./types.js";

type Obj = Record<string, unknown>;

export type BuildResult = { ok: true; config: SakerConfig } | { ok: false; errors: ConfigDiagnostic[] };

const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : typeof v === "string" ? [v] : []);
const strings = (v: unknown): string[] => list(v).map(String);

export function buildConfig(effective: Obj, positions: Positions): BuildResult {
  const errors: ConfigDiagnostic[] = [];
  const fail = (code: ConfigErrorCode, pointer: string, message: string, fallbackPath?: string): void => {
    const at = positions.get(pointer);
    errors.push(configError(code, at?.path ?? fallbackPath ?? pointer, message, at?.keyLoc ?? at?.loc));
  };
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(effective, key);

  // rules_files / rules_file
  if (has("rules_files") && has("rules_file")) {
    fail(
      "SAKER_CONFIG_CONFLICT",
      "/rules_file",
      "both 'rules_files' and 'rules_file' are set; keep rules_files",
    );
  }
  const rulesFiles = strings(has("rules_files") ? effective.rules_files : effective.rules_file);

  // rules:
  const rules: RuleSelectionEntry[] = [];
  list(effective.rules).forEach((raw, i) => {
    const item = obj(raw);
    const op = "enable" in item ? "enable" : "disable";
    const sel = obj(item[op]);
    const rule = typeof sel.rule === "string" ? sel.rule : "";
    const tag = typeof sel.tag === "string" ? sel.tag : "";
    if (rule === "" && tag === "") {
      fail(
        "SAKER_CONFIG_INVALID",
        `/rules/${i}`,
        `a rules entry needs a non-empty 'rule' or 'tag' under '${op}'`,
      );
      return;
    }
    rules.push({ op, ...(rule !== "" ? { rule } : {}), ...(tag !== "" ? { tag } : {}) });
  });

  // engine
  const engine = obj(effective.engine);
  const kind = engine.kind as EngineKind;
  const kmod = obj(engine.kmod);
  const modern = obj(engine.modern_ebpf);
  const replay = obj(engine.replay);
  if (kind === "replay" && replay.capture_file === "") {
    fail(
      "SAKER_CONFIG_MISSING",
      "/engine/kind",
      "engine.kind is 'replay' but engine.replay.capture_file is not set",
    );
  }
  const gvisor = engine.gvisor === undefined ? undefined : obj(engine.gvisor);
  if (kind === "gvisor" && (gvisor?.config ?? "") === "") {
    fail(
      "SAKER_CONFIG_MISSING",
      "/engine/kind",
      "engine.kind is 'gvisor' but engine.gvisor.config is not set",
    );
  }
  const ebpf = engine.ebpf === undefined ? undefined : obj(engine.ebpf);

  // capture
  const capture = obj(effective.capture);

  // plugins and load_plugins
  const plugins: PluginConfig[] = list(effective.plugins).map((raw) => pluginConfig(obj(raw)));
  const loadPlugins = has("load_plugins") ? strings(effective.load_plugins) : undefined;
  let loadedPlugins: PluginConfig[] = plugins;
  if (loadPlugins !== undefined) {
    loadedPlugins = [];
    for (const [i, name] of loadPlugins.entries()) {
      const found = plugins.find((p) => p.name === name);
      if (found) loadedPlugins.push(found);
      else {
        const pointer = Array.isArray(effective.load_plugins) ? `/load_plugins/${i}` : "/load_plugins";
        fail("SAKER_CONFIG_MISSING", pointer, `cannot load plugin '${name}': no plugins entry has that name`);
      }
    }
  }

  // priority, rule_matching (the schema checked the words)
  const priority = parsePriority(String(effective.priority)) as Priority;
  const ruleMatching = String(effective.rule_matching).toLowerCase() === "all" ? "all" : "first";

  // outputs
  const file = obj(effective.file_output);
  const syslog = obj(effective.syslog_output);
  if (file.enabled === true && file.filename === "") {
    fail(
      "SAKER_CONFIG_MISSING",
      "/file_output/enabled",
      "file_output is enabled but file_output.filename is not set",
    );
  }
  const program = obj(effective.program_output);
  if (program.enabled === true && program.program === "") {
    fail(
      "SAKER_CONFIG_MISSING",
      "/program_output/enabled",
      "program_output is enabled but program_output.program is not set",
    );
  }
  const http = obj(effective.http_output);
  if (http.enabled === true && http.url === "") {
    fail(
      "SAKER_CONFIG_MISSING",
      "/http_output/enabled",
      "http_output is enabled but http_output.url is not set",
    );
  }
  const grpc = effective.grpc === undefined ? undefined : obj(effective.grpc);
  const grpcOutput = effective.grpc_output === undefined ? undefined : obj(effective.grpc_output);

  // webserver
  const web = obj(effective.webserver);
  if (isIP(String(web.listen_address)) === 0) {
    fail(
      "SAKER_CONFIG_INVALID",
      "/webserver/listen_address",
      `'${String(web.listen_address)}' is not a valid IP address`,
    );
  }

  // syscall_event_drops
  const drops = obj(effective.syscall_event_drops);
  const actions = new Set<DropAction>();
  strings(drops.actions).forEach((action, i) => {
    const pointer = Array.isArray(drops.actions)
      ? `/syscall_event_drops/actions/${i}`
      : "/syscall_event_drops/actions";
    if (action === "ignore" || action === "exit") actions.add(action);
    else if (action === "log" || action === "alert") {
      if (actions.has("ignore")) {
        fail(
          "SAKER_CONFIG_CONFLICT",
          pointer,
          // Falco's wording, which users and scripts know.
          `syscall event drop action "${action}" does not make sense with the "ignore" action`,
        );
      }
      actions.add(action);
    } else {
      fail(
        "SAKER_CONFIG_INVALID",
        pointer,
        `must be one of 'ignore', 'log', 'alert', 'exit', not '${action}'`,
      );
    }
  });
  if (actions.size === 0) actions.add("ignore");

  // metrics
  const metrics = obj(effective.metrics);
  const interval = String(metrics.interval);
  const intervalMs = parsePrometheusDuration(interval);
  if (metrics.enabled === true) {
    if (/^\d+$/.test(interval.trim())) {
      fail(
        "SAKER_CONFIG_INVALID",
        "/metrics/interval",
        `'${interval}' has no time unit (e.g. 15s, 1h30m, 500ms)`,
      );
    } else if (intervalMs < 100) {
      fail(
        "SAKER_CONFIG_INVALID",
        "/metrics/interval",
        `'${interval}' must be a Prometheus duration of at least 100ms`,
      );
    }
    if (
      metrics.output_rule !== true &&
      metrics.output_file === "" &&
      web.prometheus_metrics_enabled !== true
    ) {
      fail(
        "SAKER_CONFIG_MISSING",
        "/metrics/enabled",
        "metrics are enabled with no output: set metrics.output_rule, metrics.output_file or webserver.prometheus_metrics_enabled",
      );
    }
  }

  // append_output
  const appendOutput: AppendOutputEntry[] = list(effective.append_output).map((raw, i) =>
    appendOutputEntry(obj(raw), i, fail),
  );

  // container
  const containerErrors: ConfigDiagnostic[] = [];
  let container: ContainerConfig = defaultContainerConfig();
  const containerIndex = plugins.findIndex((p) => p.name === "container");
  if (containerIndex >= 0) {
    container = containerFromPlugin(
      plugins[containerIndex].initConfigValue,
      `/plugins/${containerIndex}/init_config`,
      positions,
      containerErrors,
    );
  } else if (effective.container_engines !== undefined) {
    container = containerFromLegacy(obj(effective.container_engines));
  }
  errors.push(...containerErrors);

  if (errors.length > 0) return { ok: false, errors };

  const base = obj(effective.base_syscalls);
  const libs = obj(effective.falco_libs);
  const logger = obj(effective.libs_logger);
  const timeouts = obj(effective.syscall_event_timeouts);
  const queue = obj(effective.outputs_queue);
  const limiter = effective.outputs === undefined ? undefined : obj(effective.outputs);
  const metadata = effective.metadata_download === undefined ? undefined : obj(effective.metadata_download);
  const modernBpf = effective.modern_bpf === undefined ? undefined : obj(effective.modern_bpf);
  const legacyEngine = {
    ...(modernBpf
      ? { modernBpfCpusForEachSyscallBuffer: modernBpf.cpus_for_each_syscall_buffer as number }
      : {}),
    ...(has("syscall_buf_size_preset")
      ? { syscallBufSizePreset: effective.syscall_buf_size_preset as number }
      : {}),
    ...(has("syscall_drop_failed_exit")
      ? { syscallDropFailedExit: effective.syscall_drop_failed_exit as boolean }
      : {}),
  };

  const config: SakerConfig = {
    configFiles: configFileEntries(effective.config_files),
    watchConfigFiles: effective.watch_config_files as boolean,
    rulesFiles,
    rules,
    engine: {
      kind,
      kmod: {
        bufSizePreset: kmod.buf_size_preset as number,
        dropFailedExit: kmod.drop_failed_exit as boolean,
      },
      modernEbpf: {
        cpusForEachBuffer: modern.cpus_for_each_buffer as number,
        bufSizePreset: modern.buf_size_preset as number,
        dropFailedExit: modern.drop_failed_exit as boolean,
        disableIterators: modern.disable_iterators as boolean,
      },
      replay: { captureFile: replay.capture_file as string },
      ...(ebpf
        ? {
            ebpf: {
              probe: ebpf.probe as string,
              bufSizePreset: ebpf.buf_size_preset as number,
              dropFailedExit: ebpf.drop_failed_exit as boolean,
            },
          }
        : {}),
      ...(gvisor ? { gvisor: { config: gvisor.config as string, root: gvisor.root as string } } : {}),
    },
    capture: {
      enabled: capture.enabled as boolean,
      pathPrefix: capture.path_prefix as string,
      mode: capture.mode as "rules" | "all_rules",
      defaultDurationMs: capture.default_duration as number,
      maxFileSizeMb: capture.max_file_size_mb as number,
    },
    loadPlugins,
    plugins,
    loadedPlugins,
    pluginsHostinfo: effective.plugins_hostinfo as boolean,
    timeFormatIso8601: effective.time_format_iso_8601 as boolean,
    bufferFormatBase64: effective.buffer_format_base64 as boolean,
    priority,
    json: {
      output: effective.json_output as boolean,
      includeOutputProperty: effective.json_include_output_property as boolean,
      includeTagsProperty: effective.json_include_tags_property as boolean,
      includeMessageProperty: effective.json_include_message_property as boolean,
      includeOutputFieldsProperty: effective.json_include_output_fields_property as boolean,
    },
    bufferedOutputs: effective.buffered_outputs as boolean,
    ruleMatching,
    outputsQueueCapacity: queue.capacity === 0 ? Infinity : (queue.capacity as number),
    outputTimeoutMs: effective.output_timeout as number,
    appendOutput,
    staticFields: { ...(obj(effective.static_fields) as Record<string, string>) },
    outputs: {
      stdout: { enabled: obj(effective.stdout_output).enabled as boolean },
      syslog: {
        enabled: syslog.enabled as boolean,
        host: syslog.host as string,
        port: syslog.port as number,
        protocol: syslog.protocol as "udp" | "tcp",
      },
      file: {
        enabled: file.enabled as boolean,
        keepAlive: file.keep_alive as boolean,
        filename: file.filename as string,
      },
      program: {
        enabled: program.enabled as boolean,
        keepAlive: program.keep_alive as boolean,
        program: program.program as string,
      },
      http: {
        enabled: http.enabled as boolean,
        url: http.url as string,
        userAgent: http.user_agent as string,
        insecure: http.insecure as boolean,
        caCert: http.ca_cert as string,
        caBundle: http.ca_bundle as string,
        caPath: http.ca_path as string,
        mtls: http.mtls as boolean,
        clientCert: http.client_cert as string,
        clientKey: http.client_key as string,
        echo: http.echo as boolean,
        compressUploads: http.compress_uploads as boolean,
        keepAlive: http.keep_alive as boolean,
        maxConsecutiveTimeouts: http.max_consecutive_timeouts as number,
      },
      // Falco: the gRPC output runs only with the gRPC server; grpc_output.enabled defaults to true.
      grpc: { enabled: grpc?.enabled === true && (grpcOutput?.enabled ?? true) === true },
    },
    ...(limiter
      ? { outputsRateLimit: { rate: limiter.rate as number, maxBurst: limiter.max_burst as number } }
      : {}),
    ...(grpc
      ? {
          grpc: {
            enabled: grpc.enabled as boolean,
            bindAddress: grpc.bind_address as string,
            threadiness: grpc.threadiness as number,
            privateKey: grpc.private_key as string,
            certChain: grpc.cert_chain as string,
            rootCerts: grpc.root_certs as string,
          },
        }
      : {}),
    webserver: {
      enabled: web.enabled as boolean,
      threadiness: web.threadiness as number,
      listenPort: web.listen_port as number,
      listenAddress: web.listen_address as string,
      k8sHealthzEndpoint: web.k8s_healthz_endpoint as string,
      prometheusMetricsEnabled: web.prometheus_metrics_enabled as boolean,
      sslEnabled: web.ssl_enabled as boolean,
      sslCertificate: web.ssl_certificate as string,
      ...(typeof web.k8s_audit_endpoint === "string" ? { k8sAuditEndpoint: web.k8s_audit_endpoint } : {}),
    },
    log: {
      level: effective.log_level as LogLevel,
      stderr: effective.log_stderr as boolean,
      syslog: effective.log_syslog as boolean,
    },
    libsLogger: { enabled: logger.enabled as boolean, severity: logger.severity as LibsSeverity },
    syscallEventTimeouts: { maxConsecutives: timeouts.max_consecutives as number },
    syscallEventDrops: {
      threshold: drops.threshold as number,
      actions,
      rate: drops.rate as number,
      maxBurst: drops.max_burst as number,
      simulateDrops: drops.simulate_drops as boolean,
    },
    metrics: {
      enabled: metrics.enabled as boolean,
      interval,
      intervalMs,
      outputRule: metrics.output_rule as boolean,
      outputFile: metrics.output_file as string,
      rulesCountersEnabled: metrics.rules_counters_enabled as boolean,
      resourceUtilizationEnabled: metrics.resource_utilization_enabled as boolean,
      stateCountersEnabled: metrics.state_counters_enabled as boolean,
      kernelEventCountersEnabled: metrics.kernel_event_counters_enabled as boolean,
      kernelEventCountersPerCpuEnabled: metrics.kernel_event_counters_per_cpu_enabled as boolean,
      libbpfStatsEnabled: metrics.libbpf_stats_enabled as boolean,
      pluginsMetricsEnabled: metrics.plugins_metrics_enabled as boolean,
      kernelIterEventCountersEnabled: metrics.kernel_iter_event_counters_enabled as boolean,
      jemallocStatsEnabled: metrics.jemalloc_stats_enabled as boolean,
      convertMemoryToMb: metrics.convert_memory_to_mb as boolean,
      includeEmptyValues: metrics.include_empty_values as boolean,
    },
    baseSyscalls: {
      customSet: strings(base.custom_set),
      repair: base.repair as boolean,
      all: base.all as boolean,
    },
    falcoLibs: {
      threadTableSize: libs.thread_table_size as number,
      threadTableAutoPurgingIntervalS: libs.thread_table_auto_purging_interval_s as number,
      threadTableAutoPurgingThreadTimeoutS: libs.thread_table_auto_purging_thread_timeout_s as number,
      snaplen: libs.snaplen as number,
    },
    container,
    ...(metadata
      ? {
          metadataDownload: {
            maxMb: metadata.max_mb as number,
            chunkWaitUs: metadata.chunk_wait_us as number,
            watchFreqSec: metadata.watch_freq_sec as number,
          },
        }
      : {}),
    ...(Object.keys(legacyEngine).length > 0 ? { legacyEngine } : {}),
  };
  return { ok: true, config };
}

function configFileEntries(value: unknown): ConfigFileEntry[] {
  return list(value).map((item) =>
    typeof item === "string"
      ? { path: item, strategy: "append" }
      : { path: String(obj(item).path), strategy: parseStrategy(String(obj(item).strategy ?? "append")) },
  );
}

/** A plugins entry as Falco decodes it: a mapping init_config becomes JSON text, open_params is trimmed. */
function pluginConfig(p: Obj): PluginConfig {
  const init = p.init_config;
  const initConfig =
    init === undefined || init === null ? "" : typeof init === "string" ? init : JSON.stringify(init);
  const open = typeof p.open_params === "string" ? p.open_params.trim() : "";
  return {
    name: String(p.name),
    libraryPath: String(p.library_path),
    initConfig,
    initConfigValue: init === null ? undefined : init,
    openParams: open,
  };
}

function appendOutputEntry(
  entry: Obj,
  index: number,
  fail: (code: ConfigErrorCode, pointer: string, message: string) => void,
): AppendOutputEntry {
  const match = obj(entry.match);
  const formattedFields: Record<string, string> = {};
  const rawFields: string[] = [];
  list(entry.extra_fields).forEach((field, j) => {
    const pointer = `/append_output/${index}/extra_fields/${j}`;
    if (typeof field === "string") {
      if (field in formattedFields)
        fail("SAKER_CONFIG_INVALID", pointer, `extra field '${field}' is defined twice`);
      else if (!rawFields.includes(field)) rawFields.push(field);
      return;
    }
    const [name, format] = Object.entries(obj(field))[0] ?? ["", ""];
    if (name in formattedFields || rawFields.includes(name)) {
      fail("SAKER_CONFIG_INVALID", pointer, `extra field '${name}' is defined twice`);
    } else formattedFields[name] = String(format);
  });
  return {
    match: {
      ...(typeof match.source === "string" ? { source: match.source } : {}),
      tags: strings(match.tags),
      ...(typeof match.rule === "string" ? { rule: match.rule } : {}),
    },
    extraOutput: typeof entry.extra_output === "string" ? entry.extra_output : "",
    formattedFields,
    rawFields,
    suggestedOutput: entry.suggested_output === true,
  };
}
