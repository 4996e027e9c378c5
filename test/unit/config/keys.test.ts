// Every key of the schema reaches the typed configuration: one row per key, giving a value different
// from the default and where it must show up in SakerConfig. Each row also checks that the default is
// something else (so the row would fail if the key were ignored), and a last test checks that the table
// covers every key of the schema, so a key added to the schema without a row fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CONFIG_SCHEMA } from "../../../src/config/index.js";
import type { JsonSchema } from "../../../src/config/schema.js";
import type { SakerConfig } from "../../../src/config/index.js";
import { Priority } from "../../../src/rules/priority.js";
import { expectLoaded, loadYaml } from "./helpers.js";

interface Row {
  readonly key: string;
  /** A YAML scalar or flow value for the key (nested under its path), or... */
  readonly value?: string;
  /** ...a whole YAML document when the key needs company. */
  readonly yaml?: string;
  readonly get: (c: SakerConfig) => unknown;
  readonly want: unknown;
}

function nest(path: string, value: string): string {
  const parts = path.split(".");
  return (
    parts.map((p, i) => `${"  ".repeat(i)}${p}:${i === parts.length - 1 ? ` ${value}` : ""}`).join("\n") +
    "\n"
  );
}

const ROWS: Row[] = [
  // files and rules
  {
    key: "config_files",
    value: "[conf.d, {path: x.yaml, strategy: override}]",
    get: (c) => c.configFiles,
    want: [
      { path: "conf.d", strategy: "append" },
      { path: "x.yaml", strategy: "override" },
    ],
  },
  { key: "watch_config_files", value: "false", get: (c) => c.watchConfigFiles, want: false },
  { key: "rules_files", value: "[/a.yaml, /b.d]", get: (c) => c.rulesFiles, want: ["/a.yaml", "/b.d"] },
  { key: "rules_file", value: "/old.yaml", get: (c) => c.rulesFiles, want: ["/old.yaml"] },
  {
    key: "rules",
    yaml: "rules:\n  - disable: {rule: 'Shell*'}\n  - enable: {tag: network}\n  - enable: {rule: r, tag: t}\n",
    get: (c) => c.rules,
    want: [
      { op: "disable", rule: "Shell*" },
      { op: "enable", tag: "network" },
      { op: "enable", rule: "r", tag: "t" },
    ],
  },
  // engine
  { key: "engine.kind", value: "nodriver", get: (c) => c.engine.kind, want: "nodriver" },
  { key: "engine.kmod.buf_size_preset", value: "6", get: (c) => c.engine.kmod.bufSizePreset, want: 6 },
  {
    key: "engine.kmod.drop_failed_exit",
    value: "true",
    get: (c) => c.engine.kmod.dropFailedExit,
    want: true,
  },
  { key: "engine.ebpf.probe", value: "/p.o", get: (c) => c.engine.ebpf?.probe, want: "/p.o" },
  { key: "engine.ebpf.buf_size_preset", value: "7", get: (c) => c.engine.ebpf?.bufSizePreset, want: 7 },
  {
    key: "engine.ebpf.drop_failed_exit",
    value: "true",
    get: (c) => c.engine.ebpf?.dropFailedExit,
    want: true,
  },
  {
    key: "engine.modern_ebpf.cpus_for_each_buffer",
    value: "0",
    get: (c) => c.engine.modernEbpf.cpusForEachBuffer,
    want: 0,
  },
  {
    key: "engine.modern_ebpf.buf_size_preset",
    value: "10",
    get: (c) => c.engine.modernEbpf.bufSizePreset,
    want: 10,
  },
  {
    key: "engine.modern_ebpf.drop_failed_exit",
    value: "true",
    get: (c) => c.engine.modernEbpf.dropFailedExit,
    want: true,
  },
  {
    key: "engine.modern_ebpf.disable_iterators",
    value: "true",
    get: (c) => c.engine.modernEbpf.disableIterators,
    want: true,
  },
  {
    key: "engine.replay.capture_file",
    value: "/t.scap",
    get: (c) => c.engine.replay.captureFile,
    want: "/t.scap",
  },
  { key: "engine.gvisor.config", value: "/g.json", get: (c) => c.engine.gvisor?.config, want: "/g.json" },
  { key: "engine.gvisor.root", value: "/run/runsc", get: (c) => c.engine.gvisor?.root, want: "/run/runsc" },
  // capture
  { key: "capture.enabled", value: "true", get: (c) => c.capture.enabled, want: true },
  { key: "capture.path_prefix", value: "/var/cap", get: (c) => c.capture.pathPrefix, want: "/var/cap" },
  { key: "capture.mode", value: "all_rules", get: (c) => c.capture.mode, want: "all_rules" },
  { key: "capture.default_duration", value: "750", get: (c) => c.capture.defaultDurationMs, want: 750 },
  { key: "capture.max_file_size_mb", value: "64", get: (c) => c.capture.maxFileSizeMb, want: 64 },
  // plugins
  {
    key: "load_plugins",
    yaml: "plugins:\n  - {name: a, library_path: a.so}\n  - {name: b, library_path: b.so}\nload_plugins: [b, a]\n",
    get: (c) => c.loadedPlugins.map((p) => p.name),
    want: ["b", "a"],
  },
  {
    key: "plugins",
    yaml: "plugins:\n  - name: k8saudit\n    library_path: libk8saudit.so\n    init_config:\n      maxEventSize: 262144\n      ssl: 'yes'\n    open_params: '  http://:9765/k8s-audit '\n",
    get: (c) => c.plugins,
    want: [
      {
        name: "k8saudit",
        libraryPath: "libk8saudit.so",
        initConfig: '{"maxEventSize":262144,"ssl":true}',
        initConfigValue: { maxEventSize: 262144, ssl: true },
        openParams: "http://:9765/k8s-audit",
      },
    ],
  },
  { key: "plugins_hostinfo", value: "false", get: (c) => c.pluginsHostinfo, want: false },
  // outputs, general
  { key: "time_format_iso_8601", value: "true", get: (c) => c.timeFormatIso8601, want: true },
  { key: "buffer_format_base64", value: "true", get: (c) => c.bufferFormatBase64, want: true },
  { key: "priority", value: "WARNING", get: (c) => c.priority, want: Priority.Warning },
  { key: "json_output", value: "true", get: (c) => c.json.output, want: true },
  {
    key: "json_include_output_property",
    value: "false",
    get: (c) => c.json.includeOutputProperty,
    want: false,
  },
  { key: "json_include_tags_property", value: "false", get: (c) => c.json.includeTagsProperty, want: false },
  {
    key: "json_include_message_property",
    value: "true",
    get: (c) => c.json.includeMessageProperty,
    want: true,
  },
  {
    key: "json_include_output_fields_property",
    value: "false",
    get: (c) => c.json.includeOutputFieldsProperty,
    want: false,
  },
  { key: "buffered_outputs", value: "true", get: (c) => c.bufferedOutputs, want: true },
  { key: "rule_matching", value: "All", get: (c) => c.ruleMatching, want: "all" },
  { key: "outputs_queue.capacity", value: "100", get: (c) => c.outputsQueueCapacity, want: 100 },
  { key: "outputs.rate", value: "2.5", get: (c) => c.outputsRateLimit?.rate, want: 2.5 },
  { key: "outputs.max_burst", value: "7", get: (c) => c.outputsRateLimit?.maxBurst, want: 7 },
  {
    key: "append_output",
    yaml:
      "append_output:\n  - match: {source: syscall, tags: [a, b], rule: R}\n    extra_output: 'on %proc.name'\n" +
      "    extra_fields: [proc.pid, {cmd: '%proc.cmdline'}]\n    suggested_output: true\n",
    get: (c) => c.appendOutput,
    want: [
      {
        match: { source: "syscall", tags: ["a", "b"], rule: "R" },
        extraOutput: "on %proc.name",
        formattedFields: { cmd: "%proc.cmdline" },
        rawFields: ["proc.pid"],
        suggestedOutput: true,
      },
    ],
  },
  {
    key: "static_fields",
    value: "{cluster: prod, zone: 3}",
    get: (c) => c.staticFields,
    want: { cluster: "prod", zone: "3" },
  },
  { key: "stdout_output.enabled", value: "true", get: (c) => c.outputs.stdout.enabled, want: true },
  { key: "syslog_output.enabled", value: "true", get: (c) => c.outputs.syslog.enabled, want: true },
  {
    key: "syslog_output.host",
    value: "logs.example",
    get: (c) => c.outputs.syslog.host,
    want: "logs.example",
  },
  { key: "syslog_output.port", value: "6514", get: (c) => c.outputs.syslog.port, want: 6514 },
  { key: "syslog_output.protocol", value: "tcp", get: (c) => c.outputs.syslog.protocol, want: "tcp" },
  {
    key: "file_output.enabled",
    yaml: "file_output: {enabled: true, filename: /tmp/x}\n",
    get: (c) => c.outputs.file.enabled,
    want: true,
  },
  { key: "file_output.keep_alive", value: "true", get: (c) => c.outputs.file.keepAlive, want: true },
  {
    key: "file_output.filename",
    value: "/var/log/a.txt",
    get: (c) => c.outputs.file.filename,
    want: "/var/log/a.txt",
  },
  {
    key: "http_output.enabled",
    yaml: "http_output: {enabled: true, url: 'http://x'}\n",
    get: (c) => c.outputs.http.enabled,
    want: true,
  },
  { key: "http_output.url", value: "https://h/p", get: (c) => c.outputs.http.url, want: "https://h/p" },
  { key: "http_output.user_agent", value: "saker/1", get: (c) => c.outputs.http.userAgent, want: "saker/1" },
  { key: "http_output.insecure", value: "true", get: (c) => c.outputs.http.insecure, want: true },
  { key: "http_output.ca_cert", value: "/ca.pem", get: (c) => c.outputs.http.caCert, want: "/ca.pem" },
  { key: "http_output.ca_bundle", value: "/b.pem", get: (c) => c.outputs.http.caBundle, want: "/b.pem" },
  { key: "http_output.ca_path", value: "/certs", get: (c) => c.outputs.http.caPath, want: "/certs" },
  { key: "http_output.mtls", value: "true", get: (c) => c.outputs.http.mtls, want: true },
  { key: "http_output.client_cert", value: "/c.crt", get: (c) => c.outputs.http.clientCert, want: "/c.crt" },
  { key: "http_output.client_key", value: "/c.key", get: (c) => c.outputs.http.clientKey, want: "/c.key" },
  { key: "http_output.echo", value: "true", get: (c) => c.outputs.http.echo, want: true },
  {
    key: "http_output.compress_uploads",
    value: "true",
    get: (c) => c.outputs.http.compressUploads,
    want: true,
  },
  { key: "http_output.keep_alive", value: "true", get: (c) => c.outputs.http.keepAlive, want: true },
  {
    key: "http_output.max_consecutive_timeouts",
    value: "9",
    get: (c) => c.outputs.http.maxConsecutiveTimeouts,
    want: 9,
  },
  {
    key: "program_output.enabled",
    yaml: "program_output: {enabled: true, program: cat}\n",
    get: (c) => c.outputs.program.enabled,
    want: true,
  },
  { key: "program_output.keep_alive", value: "true", get: (c) => c.outputs.program.keepAlive, want: true },
  { key: "program_output.program", value: "'jq .'", get: (c) => c.outputs.program.program, want: "jq ." },
  {
    key: "grpc_output.enabled",
    yaml: "grpc: {enabled: true}\ngrpc_output: {enabled: true}\n",
    get: (c) => c.outputs.grpc.enabled,
    want: true,
  },
  { key: "grpc.enabled", value: "true", get: (c) => c.grpc?.enabled, want: true },
  {
    key: "grpc.bind_address",
    value: "unix:///run/f.sock",
    get: (c) => c.grpc?.bindAddress,
    want: "unix:///run/f.sock",
  },
  { key: "grpc.threadiness", value: "8", get: (c) => c.grpc?.threadiness, want: 8 },
  { key: "grpc.private_key", value: "/k", get: (c) => c.grpc?.privateKey, want: "/k" },
  { key: "grpc.cert_chain", value: "/c", get: (c) => c.grpc?.certChain, want: "/c" },
  { key: "grpc.root_certs", value: "/r", get: (c) => c.grpc?.rootCerts, want: "/r" },
  // webserver
  { key: "webserver.enabled", value: "true", get: (c) => c.webserver.enabled, want: true },
  { key: "webserver.threadiness", value: "4", get: (c) => c.webserver.threadiness, want: 4 },
  { key: "webserver.listen_port", value: "0", get: (c) => c.webserver.listenPort, want: 0 },
  { key: "webserver.listen_address", value: "'::1'", get: (c) => c.webserver.listenAddress, want: "::1" },
  {
    key: "webserver.k8s_healthz_endpoint",
    value: "/ready",
    get: (c) => c.webserver.k8sHealthzEndpoint,
    want: "/ready",
  },
  {
    key: "webserver.prometheus_metrics_enabled",
    value: "true",
    get: (c) => c.webserver.prometheusMetricsEnabled,
    want: true,
  },
  { key: "webserver.ssl_enabled", value: "true", get: (c) => c.webserver.sslEnabled, want: true },
  {
    key: "webserver.ssl_certificate",
    value: "/s.pem",
    get: (c) => c.webserver.sslCertificate,
    want: "/s.pem",
  },
  {
    key: "webserver.k8s_audit_endpoint",
    value: "/audit",
    get: (c) => c.webserver.k8sAuditEndpoint,
    want: "/audit",
  },
  // logging
  { key: "log_stderr", value: "true", get: (c) => c.log.stderr, want: true },
  { key: "log_syslog", value: "false", get: (c) => c.log.syslog, want: false },
  { key: "log_level", value: "debug", get: (c) => c.log.level, want: "debug" },
  { key: "libs_logger.enabled", value: "false", get: (c) => c.libsLogger.enabled, want: false },
  { key: "libs_logger.severity", value: "trace", get: (c) => c.libsLogger.severity, want: "trace" },
  { key: "output_timeout", value: "500", get: (c) => c.outputTimeoutMs, want: 500 },
  // drops and timeouts
  {
    key: "syscall_event_timeouts.max_consecutives",
    value: "5",
    get: (c) => c.syscallEventTimeouts.maxConsecutives,
    want: 5,
  },
  { key: "syscall_event_drops.threshold", value: ".5", get: (c) => c.syscallEventDrops.threshold, want: 0.5 },
  {
    key: "syscall_event_drops.actions",
    value: "[log, alert, exit]",
    get: (c) => [...c.syscallEventDrops.actions],
    want: ["log", "alert", "exit"],
  },
  { key: "syscall_event_drops.rate", value: "2", get: (c) => c.syscallEventDrops.rate, want: 2 },
  { key: "syscall_event_drops.max_burst", value: "10", get: (c) => c.syscallEventDrops.maxBurst, want: 10 },
  {
    key: "syscall_event_drops.simulate_drops",
    value: "true",
    get: (c) => c.syscallEventDrops.simulateDrops,
    want: true,
  },
  // metrics
  {
    key: "metrics.enabled",
    yaml: "metrics: {enabled: true, interval: 15s, output_rule: true}\n",
    get: (c) => c.metrics.enabled,
    want: true,
  },
  {
    key: "metrics.interval",
    value: "1h30m",
    get: (c) => [c.metrics.interval, c.metrics.intervalMs],
    want: ["1h30m", 5_400_000],
  },
  { key: "metrics.output_rule", value: "true", get: (c) => c.metrics.outputRule, want: true },
  { key: "metrics.output_file", value: "/m.json", get: (c) => c.metrics.outputFile, want: "/m.json" },
  {
    key: "metrics.rules_counters_enabled",
    value: "false",
    get: (c) => c.metrics.rulesCountersEnabled,
    want: false,
  },
  {
    key: "metrics.resource_utilization_enabled",
    value: "false",
    get: (c) => c.metrics.resourceUtilizationEnabled,
    want: false,
  },
  {
    key: "metrics.state_counters_enabled",
    value: "false",
    get: (c) => c.metrics.stateCountersEnabled,
    want: false,
  },
  {
    key: "metrics.kernel_event_counters_enabled",
    value: "false",
    get: (c) => c.metrics.kernelEventCountersEnabled,
    want: false,
  },
  {
    key: "metrics.kernel_event_counters_per_cpu_enabled",
    value: "false",
    get: (c) => c.metrics.kernelEventCountersPerCpuEnabled,
    want: false,
  },
  {
    key: "metrics.libbpf_stats_enabled",
    value: "false",
    get: (c) => c.metrics.libbpfStatsEnabled,
    want: false,
  },
  {
    key: "metrics.plugins_metrics_enabled",
    value: "false",
    get: (c) => c.metrics.pluginsMetricsEnabled,
    want: false,
  },
  {
    key: "metrics.kernel_iter_event_counters_enabled",
    value: "false",
    get: (c) => c.metrics.kernelIterEventCountersEnabled,
    want: false,
  },
  {
    key: "metrics.jemalloc_stats_enabled",
    value: "false",
    get: (c) => c.metrics.jemallocStatsEnabled,
    want: false,
  },
  {
    key: "metrics.convert_memory_to_mb",
    value: "false",
    get: (c) => c.metrics.convertMemoryToMb,
    want: false,
  },
  {
    key: "metrics.include_empty_values",
    value: "true",
    get: (c) => c.metrics.includeEmptyValues,
    want: true,
  },
  // syscalls and libs
  {
    key: "base_syscalls.custom_set",
    value: "[clone, '!kill']",
    get: (c) => c.baseSyscalls.customSet,
    want: ["clone", "!kill"],
  },
  { key: "base_syscalls.repair", value: "true", get: (c) => c.baseSyscalls.repair, want: true },
  { key: "base_syscalls.all", value: "true", get: (c) => c.baseSyscalls.all, want: true },
  { key: "falco_libs.thread_table_size", value: "1000", get: (c) => c.falcoLibs.threadTableSize, want: 1000 },
  {
    key: "falco_libs.thread_table_auto_purging_interval_s",
    value: "60",
    get: (c) => c.falcoLibs.threadTableAutoPurgingIntervalS,
    want: 60,
  },
  {
    key: "falco_libs.thread_table_auto_purging_thread_timeout_s",
    value: "30",
    get: (c) => c.falcoLibs.threadTableAutoPurgingThreadTimeoutS,
    want: 30,
  },
  { key: "falco_libs.snaplen", value: "512", get: (c) => c.falcoLibs.snaplen, want: 512 },
  // container runtimes, the old key
  {
    key: "container_engines.docker.enabled",
    value: "false",
    get: (c) => c.container.engines.docker.enabled,
    want: false,
  },
  {
    key: "container_engines.cri.enabled",
    value: "false",
    get: (c) => c.container.engines.cri.enabled,
    want: false,
  },
  {
    key: "container_engines.cri.sockets",
    value: "[/c.sock]",
    get: (c) => c.container.engines.cri.sockets,
    want: ["/c.sock"],
  },
  {
    key: "container_engines.cri.disable_async",
    value: "true",
    get: (c) => c.container.engines.cri.disableAsync,
    want: true,
  },
  {
    key: "container_engines.podman.enabled",
    value: "false",
    get: (c) => c.container.engines.podman.enabled,
    want: false,
  },
  {
    key: "container_engines.lxc.enabled",
    value: "false",
    get: (c) => c.container.engines.lxc.enabled,
    want: false,
  },
  {
    key: "container_engines.libvirt_lxc.enabled",
    value: "false",
    get: (c) => c.container.engines.libvirtLxc.enabled,
    want: false,
  },
  {
    key: "container_engines.bpm.enabled",
    value: "false",
    get: (c) => c.container.engines.bpm.enabled,
    want: false,
  },
  // other old keys
  { key: "metadata_download.max_mb", value: "50", get: (c) => c.metadataDownload?.maxMb, want: 50 },
  {
    key: "metadata_download.chunk_wait_us",
    value: "10",
    get: (c) => c.metadataDownload?.chunkWaitUs,
    want: 10,
  },
  {
    key: "metadata_download.watch_freq_sec",
    value: "3",
    get: (c) => c.metadataDownload?.watchFreqSec,
    want: 3,
  },
  {
    key: "modern_bpf.cpus_for_each_syscall_buffer",
    value: "4",
    get: (c) => c.legacyEngine?.modernBpfCpusForEachSyscallBuffer,
    want: 4,
  },
  { key: "syscall_buf_size_preset", value: "5", get: (c) => c.legacyEngine?.syscallBufSizePreset, want: 5 },
  {
    key: "syscall_drop_failed_exit",
    value: "true",
    get: (c) => c.legacyEngine?.syscallDropFailedExit,
    want: true,
  },
];

const defaults = expectLoaded(loadYaml("")).config;

for (const row of ROWS) {
  test(`key ${row.key} reaches the typed configuration`, () => {
    const yaml = row.yaml ?? nest(row.key, row.value!);
    const loaded = expectLoaded(loadYaml(yaml));
    assert.deepEqual(row.get(loaded.config), row.want, yaml);
    assert.notDeepEqual(
      row.get(defaults),
      row.want,
      `the default of ${row.key} must differ from the test value`,
    );
  });
}

/** Leaf keys of the schema: mapping sections are walked, everything else is a key. */
function schemaKeys(schema: JsonSchema, prefix = ""): string[] {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length === 1 && types[0] === "object" && schema.properties) {
    return Object.entries(schema.properties).flatMap(([k, s]) =>
      schemaKeys(s, prefix === "" ? k : `${prefix}.${k}`),
    );
  }
  return [prefix];
}

test("the key table covers every key of the schema", () => {
  const keys = schemaKeys(CONFIG_SCHEMA).sort();
  assert.deepEqual([...new Set(ROWS.map((r) => r.key))].sort(), keys);
  assert.ok(keys.length > 100);
});

test("a file with no keys gets the values Falco uses for absent keys", () => {
  assert.equal(defaults.engine.kind, "modern_ebpf"); // Falco's code says kmod; Saker has no kernel module
  assert.deepEqual(defaults.rulesFiles, []);
  assert.equal(defaults.outputs.stdout.enabled, false);
  assert.equal(defaults.webserver.enabled, false);
  assert.equal(defaults.log.stderr, false);
  assert.equal(defaults.metrics.interval, "5000");
  assert.equal(defaults.outputsQueueCapacity, Infinity);
  assert.deepEqual([...defaults.syscallEventDrops.actions], ["ignore"]);
  assert.equal(defaults.loadPlugins, undefined);
  assert.equal(defaults.container.source, "defaults");
  assert.deepEqual(defaults.container.hooks, ["create"]);
});
