// The JSON schema (draft-07, checked with ajv 8) of Saker's configuration: the keys of falco.yaml, with
// the values Falco uses when a key is absent (`default`). Written from Falco's configuration reader and
// schema (userspace/falco/configuration.cpp, config_json_schema.h) as facts, in our own words.
//
// Beyond Falco's current schema it accepts the keys older Falco versions read (rules_file, outputs,
// grpc, grpc_output, modern_bpf, syscall_buf_size_preset, syscall_drop_failed_exit, container_engines,
// engine.ebpf, engine.gvisor); they are flagged `deprecated` and loading them warns
// (SAKER_CONFIG_DEPRECATED_KEY). Every object is closed (`additionalProperties: false`): an unknown key
// warns (SAKER_CONFIG_UNKNOWN_KEY) and is ignored, as Falco's validation does; a value of the wrong type
// is an error (SAKER_CONFIG_INVALID), where Falco would silently use the default.
//
// Two deliberate differences in defaults: `engine.kind` defaults to `modern_ebpf` (falco.yaml's value;
// Falco's code falls back to `kmod`, which Saker does not have), and lists such as `rules_files` have no
// default here because "absent" and "empty" differ for some of them (load_plugins).
//
// Only `type` (possibly a list), `properties`, `additionalProperties`, `items`, `required`, `enum`,
// `pattern`, `minimum`/`maximum`, `minProperties`/`maxProperties` and annotations are used, no `$ref` or
// `anyOf`: materialize.ts walks this same schema to type the YAML scalars.

export type JsonType = "object" | "array" | "string" | "boolean" | "integer" | "number" | "null";

export interface JsonSchema {
  type?: JsonType | JsonType[];
  description?: string;
  default?: unknown;
  deprecated?: boolean;
  examples?: unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  [annotation: string]: unknown;
}

const bool = (def: boolean, description: string): JsonSchema => ({
  type: "boolean",
  default: def,
  description,
});
const str = (def: string, description: string): JsonSchema => ({ type: "string", default: def, description });
const int = (def: number, description: string, minimum = 0, maximum?: number): JsonSchema => ({
  type: "integer",
  default: def,
  minimum,
  ...(maximum === undefined ? {} : { maximum }),
  description,
});
const oneOfWords = (def: string, words: readonly string[], description: string): JsonSchema => ({
  type: "string",
  enum: [...words],
  default: def,
  description,
});
/** A string matched case-insensitively against `words` (Falco compares priorities and rule_matching so). */
const wordIgnoringCase = (def: string, words: readonly string[], description: string): JsonSchema => ({
  type: "string",
  pattern: `^(${words.map((w) => [...w].map((c) => `[${c.toLowerCase()}${c.toUpperCase()}]`).join("")).join("|")})$`,
  examples: [...words],
  default: def,
  description,
});
/** Falco reads these with get_sequence: a list, or a single scalar meaning a one-entry list. */
const stringList = (description: string, itemEnum?: readonly string[]): JsonSchema => ({
  type: ["array", "string"],
  items: { type: "string", ...(itemEnum ? { enum: [...itemEnum] } : {}) },
  description,
});
const section = (
  description: string,
  properties: Record<string, JsonSchema>,
  extra: Partial<JsonSchema> = { default: {} },
): JsonSchema => ({
  type: "object",
  additionalProperties: false,
  properties,
  ...extra,
  description,
});
const deprecated = (schema: JsonSchema): JsonSchema => ({ ...schema, deprecated: true });

export const PRIORITY_NAMES = [
  "emergency",
  "alert",
  "critical",
  "error",
  "warning",
  "notice",
  "informational",
  "info",
  "debug",
] as const;
export const LOG_LEVELS = [
  "emergency",
  "alert",
  "critical",
  "error",
  "warning",
  "notice",
  "info",
  "debug",
] as const;
export const LIBS_SEVERITIES = [
  "fatal",
  "critical",
  "error",
  "warning",
  "notice",
  "info",
  "debug",
  "trace",
] as const;
export const ENGINE_KINDS = ["modern_ebpf", "kmod", "ebpf", "replay", "gvisor", "nodriver"] as const;
export const DROP_ACTIONS = ["ignore", "log", "alert", "exit"] as const;
export const MERGE_STRATEGIES = ["append", "override", "add-only"] as const;
export const CAPTURE_MODES = ["rules", "all_rules"] as const;

const bufSizePreset = int(
  4,
  "Size of the kernel ring buffer, as a preset from 1 (1 MiB) to 10 (512 MiB); 4 is 8 MiB.",
  1,
  10,
);
const dropFailedExit = bool(
  false,
  "Drop the exit events of failed syscalls in the kernel, before they reach Saker.",
);
const onOff = (def: boolean, description: string): JsonSchema =>
  section(description, { enabled: bool(def, "Whether this output is on.") });
const ruleSelector: JsonSchema = section(
  "Which rules: by name (`*` wildcards allowed) and/or by tag.",
  {
    rule: { type: "string", description: "Rule name; `*` matches any run of characters." },
    tag: { type: "string", description: "A tag the rules must have." },
  },
  { minProperties: 1 },
);

export const CONFIG_SCHEMA: JsonSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "Saker configuration",
  description:
    "The configuration file of Saker, with the keys and meanings of Falco's falco.yaml. Defaults are the " +
    "values used when a key is absent.",
  type: "object",
  additionalProperties: false,
  properties: {
    config_files: {
      type: ["array", "string"],
      default: [],
      description:
        "More config files or directories to merge into this one, in order. Relative paths are relative to " +
        "the working directory; missing ones are skipped; a directory contributes its files in name order.",
      items: {
        type: ["string", "object"],
        additionalProperties: false,
        required: ["path"],
        properties: {
          path: { type: "string", description: "File or directory." },
          strategy: {
            type: "string",
            enum: [...MERGE_STRATEGIES],
            default: "append",
            description:
              "How top-level keys merge: `append` adds list items and replaces other keys, `override` " +
              "replaces every key, `add-only` only sets keys not already present.",
          },
        },
      },
    },
    watch_config_files: bool(true, "Reload when a config or rules file changes."),
    rules_files: stringList(
      "Rules files and directories (their *.yaml/*.yml files, in name order), loaded in order.",
    ),
    rules_file: deprecated(stringList("Old name of rules_files (singular); cannot be combined with it.")),
    rules: {
      type: "array",
      default: [],
      description: "Enable or disable loaded rules by name or tag, applied in order after loading.",
      items: section(
        "One step: `enable:` or `disable:` with a `rule:` and/or `tag:`.",
        { enable: ruleSelector, disable: ruleSelector },
        { minProperties: 1 },
      ),
    },
    engine: section("How events are captured.", {
      kind: oneOfWords("modern_ebpf", ENGINE_KINDS, "The capture engine."),
      kmod: section("Kernel module engine.", {
        buf_size_preset: bufSizePreset,
        drop_failed_exit: dropFailedExit,
      }),
      ebpf: deprecated(
        section(
          "Legacy eBPF probe engine (dropped in Falco 0.43).",
          {
            probe: str("", "Path of the eBPF probe object file."),
            buf_size_preset: bufSizePreset,
            drop_failed_exit: dropFailedExit,
          },
          {},
        ),
      ),
      modern_ebpf: section("CO-RE eBPF probe engine.", {
        cpus_for_each_buffer: int(2, "How many CPUs share one ring buffer (0: one buffer for all CPUs)."),
        buf_size_preset: bufSizePreset,
        drop_failed_exit: dropFailedExit,
        disable_iterators: bool(false, "Do not use BPF iterators to read the initial process state."),
      }),
      replay: section("Replay engine: read events from a capture file.", {
        capture_file: str("", "The .scap file to read (required when kind is replay)."),
      }),
      gvisor: deprecated(
        section(
          "gVisor engine (dropped in Falco 0.43).",
          {
            config: str("", "gVisor configuration file (required when kind is gvisor)."),
            root: str("", "gVisor root directory."),
          },
          {},
        ),
      ),
    }),
    capture: section("Write events around alerts to capture files.", {
      enabled: bool(false, "Whether capture is on."),
      path_prefix: str("/tmp/falco", "Prefix of the capture file names."),
      mode: oneOfWords(
        "rules",
        CAPTURE_MODES,
        "`rules`: only rules that ask for it; `all_rules`: every rule.",
      ),
      default_duration: int(5000, "Capture duration in milliseconds when a rule gives none."),
      max_file_size_mb: int(0, "Largest capture file in MiB (0: no limit).", 0, 1048576),
    }),
    load_plugins: stringList("Names of the `plugins` entries to load, in this order; absent: all of them."),
    plugins: {
      type: "array",
      default: [],
      description: "Plugins that can be loaded.",
      items: section(
        "One plugin.",
        {
          name: { type: "string", description: "Plugin name, used by load_plugins." },
          library_path: { type: "string", description: "Shared library path." },
          init_config: {
            type: ["object", "string", "null"],
            description: "Initialisation configuration: a mapping (passed as JSON) or a string.",
          },
          open_params: {
            type: ["string", "null"],
            description: "Parameters to open the plugin's event source.",
          },
        },
        { required: ["name", "library_path"] },
      ),
    },
    plugins_hostinfo: bool(true, "Give plugins host information (needs /proc)."),
    time_format_iso_8601: bool(false, "Print times in ISO 8601 (UTC) instead of local time."),
    buffer_format_base64: bool(false, "Print data buffers base64-encoded."),
    priority: wordIgnoringCase(
      "debug",
      PRIORITY_NAMES,
      "Least severe priority of the rules that are loaded.",
    ),
    json_output: bool(false, "Alerts (and rules validation results) as JSON."),
    json_include_output_property: bool(true, "JSON alerts carry the formatted `output` text."),
    json_include_tags_property: bool(true, "JSON alerts carry the rule's `tags`."),
    json_include_message_property: bool(
      false,
      "JSON alerts carry `message`, the output without time and priority.",
    ),
    json_include_output_fields_property: bool(true, "JSON alerts carry `output_fields`."),
    buffered_outputs: bool(false, "Buffer alert outputs instead of flushing each alert."),
    rule_matching: wordIgnoringCase(
      "first",
      ["first", "all"],
      "Alert on the first matching rule, or on all of them.",
    ),
    outputs_queue: section("The queue between detection and outputs.", {
      capacity: int(0, "Most alerts waiting for the outputs; beyond it alerts are dropped (0: unbounded)."),
    }),
    outputs: deprecated(
      section(
        "Alert rate limiter (removed in Falco 0.37).",
        {
          rate: { type: "number", minimum: 0, default: 0, description: "Alerts per second (0: no limit)." },
          max_burst: int(1000, "Most alerts sent in a burst."),
        },
        {},
      ),
    ),
    append_output: {
      type: "array",
      default: [],
      description: "Text and fields appended to the output of matching rules.",
      items: section(
        "One addition.",
        {
          match: section(
            "Which rules (all when absent); every given condition must hold.",
            {
              source: { type: "string", description: "Event source." },
              tags: { type: "array", items: { type: "string" }, description: "Tags the rule must all have." },
              rule: { type: "string", description: "Rule name." },
            },
            {},
          ),
          extra_output: { type: "string", description: "Format text appended to the output." },
          extra_fields: {
            type: "array",
            description: "Fields added to output_fields: a field name, or `{name: format}`.",
            items: {
              type: ["string", "object"],
              additionalProperties: { type: "string" },
              minProperties: 1,
              maxProperties: 1,
            },
          },
          suggested_output: { type: "boolean", description: "Append the fields plugins suggest." },
        },
        {},
      ),
    },
    static_fields: {
      type: "object",
      additionalProperties: { type: "string" },
      default: {},
      description: "Constant fields added to every alert's output_fields.",
    },
    stdout_output: onOff(false, "Alerts to standard output."),
    syslog_output: section("Alerts to syslog (LOG_USER, the alert's priority as severity).", {
      enabled: bool(false, "Whether this output is on."),
      // Saker extension: Falco always writes to the local syslog (/dev/log).
      host: str("", "Saker: a remote syslog host; empty for the local syslog socket (/dev/log)."),
      port: int(514, "Saker: the remote syslog port (with host).", 1, 65535),
      protocol: oneOfWords("udp", ["udp", "tcp"], "Saker: the transport to the remote host."),
    }),
    file_output: section("Alerts appended to a file.", {
      enabled: bool(false, "Whether this output is on."),
      keep_alive: bool(false, "Keep the file open between alerts."),
      filename: str("", "The file (required when enabled)."),
    }),
    http_output: section("Alerts POSTed as JSON to a URL.", {
      enabled: bool(false, "Whether this output is on."),
      url: str("", "Where to POST (required when enabled)."),
      user_agent: str("falcosecurity/falco", "User-Agent header."),
      insecure: bool(false, "Do not verify the server certificate."),
      ca_cert: str("", "CA certificate file."),
      ca_bundle: str("", "CA bundle file."),
      ca_path: str("/etc/ssl/certs", "Directory of CA certificates."),
      mtls: bool(false, "Present a client certificate."),
      client_cert: str("/etc/ssl/certs/client.crt", "Client certificate for mTLS."),
      client_key: str("/etc/ssl/certs/client.key", "Client key for mTLS."),
      echo: bool(false, "Print the server's responses."),
      compress_uploads: bool(false, "Compress request bodies."),
      keep_alive: bool(false, "Reuse the connection."),
      max_consecutive_timeouts: int(5, "Timeouts in a row before an alert is given up.", 0, 255),
    }),
    program_output: section("Alerts piped to a program's standard input.", {
      enabled: bool(false, "Whether this output is on."),
      keep_alive: bool(false, "Keep the program running between alerts."),
      program: str("", "Shell command (required when enabled)."),
    }),
    grpc_output: deprecated(
      section(
        "Alerts over the gRPC API (dropped in Falco 0.43).",
        { enabled: bool(true, "Whether this output is on.") },
        {},
      ),
    ),
    grpc: deprecated(
      section(
        "gRPC server (dropped in Falco 0.43).",
        {
          enabled: bool(false, "Whether the server runs."),
          bind_address: str("0.0.0.0:5060", "Address, or unix:///path for a socket."),
          threadiness: int(0, "Worker threads (0: one per CPU)."),
          private_key: str("/etc/falco/certs/server.key", "Server key (network address)."),
          cert_chain: str("/etc/falco/certs/server.crt", "Server certificate (network address)."),
          root_certs: str("/etc/falco/certs/ca.crt", "CA certificates for clients (network address)."),
        },
        {},
      ),
    ),
    webserver: section("Embedded web server: health endpoint and Prometheus metrics.", {
      enabled: bool(false, "Whether the server runs."),
      threadiness: int(0, "Worker threads (0: one per CPU)."),
      listen_port: int(8765, "TCP port.", 0, 65535),
      listen_address: str("0.0.0.0", "IPv4 or IPv6 address to listen on."),
      k8s_healthz_endpoint: str("/healthz", "Path of the health endpoint."),
      prometheus_metrics_enabled: bool(false, "Serve /metrics for Prometheus (needs metrics.enabled)."),
      ssl_enabled: bool(false, "Serve HTTPS."),
      ssl_certificate: str("/etc/falco/falco.pem", "PEM file with the key and certificate."),
      k8s_audit_endpoint: deprecated({
        type: "string",
        description:
          "Path of the embedded Kubernetes audit webhook (Falco <= 0.31; now the k8saudit plugin).",
      }),
    }),
    log_stderr: bool(false, "Log to standard error."),
    log_syslog: bool(true, "Log to syslog."),
    log_level: oneOfWords("info", LOG_LEVELS, "Least severe log message written."),
    libs_logger: section("Logging of the capture libraries.", {
      enabled: bool(true, "Whether their messages are logged."),
      severity: oneOfWords("info", LIBS_SEVERITIES, "Least severe of their messages logged."),
    }),
    output_timeout: int(2000, "Milliseconds an output may block before it is reported as slow."),
    syscall_event_timeouts: section("Notice when the capture delivers no events.", {
      max_consecutives: int(1000, "Empty reads in a row before notifying.", 1),
    }),
    syscall_event_drops: section("What to do when the kernel drops events.", {
      threshold: {
        type: "number",
        minimum: 0,
        maximum: 1,
        default: 0.1,
        description: "Fraction of dropped events, in [0, 1], above which the actions run.",
      },
      actions: stringList("ignore, or any of log, alert, exit (no actions: ignore).", DROP_ACTIONS),
      rate: { type: "number", minimum: 0, default: 0.03333, description: "Actions per second allowed." },
      max_burst: int(1, "Most actions in a burst."),
      simulate_drops: bool(false, "Pretend events are dropped (for testing)."),
    }),
    metrics: section("Periodic internal metrics.", {
      enabled: bool(false, "Whether metrics are collected."),
      interval: str("5000", "Period as a Prometheus duration such as 15s, 1h30m or 500ms (at least 100ms)."),
      output_rule: bool(false, "Emit metrics as an internal alert."),
      output_file: str("", "Append metrics as JSON lines to this file."),
      rules_counters_enabled: bool(true, "Count matches per rule."),
      resource_utilization_enabled: bool(true, "CPU and memory usage."),
      state_counters_enabled: bool(true, "Thread and fd table counters."),
      kernel_event_counters_enabled: bool(true, "Kernel event and drop counters."),
      kernel_event_counters_per_cpu_enabled: bool(true, "Kernel counters per CPU."),
      libbpf_stats_enabled: bool(true, "Statistics of the eBPF programs."),
      plugins_metrics_enabled: bool(true, "Metrics exposed by plugins."),
      kernel_iter_event_counters_enabled: bool(true, "Counters of the BPF iterators."),
      jemalloc_stats_enabled: bool(true, "Allocator statistics."),
      convert_memory_to_mb: bool(true, "Report memory in MiB rather than KiB."),
      include_empty_values: bool(false, "Report metrics whose value is zero or empty."),
    }),
    base_syscalls: section("The syscalls captured besides those the rules need.", {
      custom_set: { ...stringList("Syscall names to add; `!name` removes one."), default: [] },
      repair: bool(false, "Add the syscalls state tracking needs for the rules' syscalls."),
      all: bool(false, "Capture every syscall."),
    }),
    falco_libs: section("Internal tables of the capture libraries.", {
      thread_table_size: int(262144, "Most threads tracked."),
      thread_table_auto_purging_interval_s: int(300, "Seconds between purges of dead threads."),
      thread_table_auto_purging_thread_timeout_s: int(
        300,
        "Seconds without events after which a thread is purged.",
      ),
      snaplen: int(0, "Bytes of I/O buffers captured (0: the libraries' default, 80)."),
    }),
    container_engines: deprecated(
      section(
        "Container runtimes queried for metadata (Falco 0.38 to 0.40; now the container plugin's init_config).",
        {
          docker: section("Docker.", { enabled: bool(true, "Whether it is queried.") }, {}),
          cri: section(
            "CRI runtimes (containerd, CRI-O).",
            {
              enabled: bool(true, "Whether they are queried."),
              sockets: { type: "array", items: { type: "string" }, default: [], description: "CRI sockets." },
              disable_async: bool(false, "Query synchronously."),
            },
            {},
          ),
          podman: section("Podman.", { enabled: bool(true, "Whether it is queried.") }, {}),
          lxc: section("LXC.", { enabled: bool(true, "Whether it is queried.") }, {}),
          libvirt_lxc: section("libvirt LXC.", { enabled: bool(true, "Whether it is queried.") }, {}),
          bpm: section("BOSH process manager.", { enabled: bool(true, "Whether it is queried.") }, {}),
        },
        {},
      ),
    ),
    metadata_download: deprecated(
      section(
        "Kubernetes metadata download limits of the old Kubernetes client (removed in Falco 0.37).",
        {
          max_mb: int(100, "Largest metadata download in MiB.", 0, 1024),
          chunk_wait_us: int(1000, "Microseconds between chunks."),
          watch_freq_sec: int(1, "Seconds between watch polls.", 1),
        },
        {},
      ),
    ),
    modern_bpf: deprecated(
      section(
        "Old modern eBPF settings (replaced by engine.modern_ebpf in Falco 0.38).",
        { cpus_for_each_syscall_buffer: int(2, "Old name of engine.modern_ebpf.cpus_for_each_buffer.") },
        {},
      ),
    ),
    syscall_buf_size_preset: deprecated(int(4, "Old name of engine.<kind>.buf_size_preset.", 1, 10)),
    syscall_drop_failed_exit: deprecated(bool(false, "Old name of engine.<kind>.drop_failed_exit.")),
  },
};

/** What replaced each deprecated key, for the SAKER_CONFIG_DEPRECATED_KEY warning. */
export const DEPRECATION_NOTES: Readonly<Record<string, string>> = {
  rules_file: "use rules_files (plural)",
  "engine.ebpf": "the legacy eBPF probe was dropped in Falco 0.43; use engine.kind modern_ebpf",
  "engine.gvisor": "the gVisor engine was dropped in Falco 0.43",
  outputs: "the alert rate limiter was removed in Falco 0.37; these values are kept but not applied",
  grpc_output: "the gRPC output was dropped in Falco 0.43; use http_output or program_output",
  grpc: "the gRPC server was dropped in Falco 0.43",
  container_engines: "configure container runtimes in the `container` plugin's init_config (Falco >= 0.41)",
  "webserver.k8s_audit_endpoint":
    "the embedded audit webhook was replaced by the k8saudit plugin in Falco 0.32",
  metadata_download:
    "the Kubernetes metadata client was removed in Falco 0.37; these values are kept but not applied",
  modern_bpf: "use engine.modern_ebpf.cpus_for_each_buffer",
  syscall_buf_size_preset: "use engine.<kind>.buf_size_preset",
  syscall_drop_failed_exit: "use engine.<kind>.drop_failed_exit",
};

/** The schema as printed by `saker config schema` / `--config-schema`. */
export function configSchemaText(): string {
  return JSON.stringify(CONFIG_SCHEMA, null, 2) + "\n";
}
