// The Prometheus registry and the snapshot record: Falco's metric names, labels and types; values that
// follow the source; families switched by the metrics.*_enabled keys; the JSON record's fields as Falco's
// stats_writer names them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { internalAlertJson } from "../../../src/alerts/alert.js";
import type { AgentSummary } from "../../../src/agent/agent.js";
import { fromAgentSummary, fromWebhookStats } from "../../../src/service/metrics-source.js";
import { MetricsRecorder, metricsFileLine, sanitizeName } from "../../../src/service/metrics-record.js";
import { FALCO_METRICS_HELP, SakerMetrics, tagLabel } from "../../../src/service/metrics.js";
import { readProcessStats } from "../../../src/service/process-stats.js";
import { FakeSource, fixedProcess, metricsConfig, parseExposition, sample } from "./fixture.js";

function metricsWith(source: FakeSource, config = metricsConfig()) {
  return new SakerMetrics({ config, source, hostname: "node-1", readProcess: async () => fixedProcess() });
}

test("counters follow the source from one scrape to the next", async () => {
  const source = new FakeSource();
  const m = metricsWith(source);
  const first = parseExposition(await m.render());
  assert.equal(sample(first, "falcosecurity_scap_n_evts_total")?.value, 0);

  source.syscall!.nEvts = 1234;
  source.syscall!.nDrops = 7;
  source.syscall!.dropsBufferFull = 5;
  source.syscall!.dropsScratchBusy = 2;
  source.snapshot_.outputs = { ...source.snapshot_.outputs!, dropped: 3 };
  const second = parseExposition(await m.render());
  assert.equal(sample(second, "falcosecurity_scap_n_evts_total")?.value, 1234);
  assert.equal(sample(second, "falcosecurity_scap_n_drops_total")?.value, 7);
  assert.equal(sample(second, "falcosecurity_scap_n_drops_scratch_map_total")?.value, 2);
  assert.equal(sample(second, "saker_probe_drops_total", { cause: "buffer_full" })?.value, 5);
  assert.equal(sample(second, "falcosecurity_falco_outputs_queue_num_drops_total")?.value, 3);
  assert.equal(second.types.get("falcosecurity_scap_n_evts_total"), "counter");
  assert.equal(second.help.get("falcosecurity_scap_n_evts_total"), FALCO_METRICS_HELP);
  // One snapshot per scrape, however many metrics read it.
  assert.equal(source.reads, 2);
});

test("wrapper and resource metrics carry Falco's names, units and labels", async () => {
  const e = parseExposition(await metricsWith(new FakeSource()).render());
  assert.equal(sample(e, "falcosecurity_falco_version_info")?.labels.version, "0.1.0");
  assert.deepEqual(sample(e, "falcosecurity_falco_sha256_rules_files_info")?.labels, {
    file_name: "falco_rules.yaml",
    sha256: "ab".repeat(32),
  });
  assert.equal(sample(e, "falcosecurity_falco_sha256_config_files_info")?.labels.file_name, "falco.yaml");
  assert.deepEqual(sample(e, "falcosecurity_scap_engine_name_info")?.labels, {
    engine_name: "modern_bpf",
    evt_source: "syscall",
  });
  assert.equal(sample(e, "falcosecurity_falco_kernel_release_info")?.labels.kernel_release, "6.1.0-test");
  assert.equal(sample(e, "falcosecurity_evt_hostname_info")?.labels.hostname, "node-1");
  assert.equal(sample(e, "falcosecurity_falco_cpu_usage_ratio")?.value, 0.125);
  assert.equal(sample(e, "falcosecurity_falco_memory_rss_bytes")?.value, 2048 * 1024);
  assert.equal(sample(e, "falcosecurity_falco_memory_vsz_bytes")?.value, 4096 * 1024);
  assert.equal(sample(e, "falcosecurity_falco_host_cpu_usage_ratio")?.value, 0.4);
  assert.equal(sample(e, "falcosecurity_falco_host_num_cpus_total")?.value, 2);
  assert.equal(sample(e, "falcosecurity_falco_duration_seconds_total")?.value, 90);
  assert.equal(e.types.get("falcosecurity_falco_duration_seconds_total"), "counter");
  assert.equal(e.types.get("falcosecurity_falco_memory_rss_bytes"), "gauge");
  assert.equal(sample(e, "falcosecurity_falco_start_timestamp_nanoseconds")?.value, 1.7e18);
  assert.equal(sample(e, "falcosecurity_falco_host_boot_timestamp_nanoseconds")?.value, 1.6e18);
  assert.equal(sample(e, "falcosecurity_scap_n_threads_total")?.value, 10);
  assert.equal(sample(e, "falcosecurity_scap_n_fds_total")?.value, 20);
  assert.equal(sample(e, "saker_state_counter_total", { counter: "malformedEvents" })?.value, 0);
  // Falco's own state counters are not repeated under Saker's family.
  assert.equal(sample(e, "saker_state_counter_total", { counter: "threadsRemoved" }), undefined);
});

test("rule counters: only rules that matched, labelled as Falco (priority number, source, tag_*)", async () => {
  const source = new FakeSource();
  source.snapshot_.rules = {
    matches: [
      {
        rule: "Terminal shell in container",
        priority: 5,
        source: "syscall",
        tags: ["shell", "mitre.execution"],
        count: 3,
      },
      { rule: 'Evil "rule"\nname', priority: 4, source: "syscall", tags: ["T1059"], count: 1 },
      { rule: "Never fired", priority: 2, source: "syscall", tags: ["x"], count: 0 },
    ],
  };
  const m = metricsWith(source);
  const text = await m.render();
  const e = parseExposition(text);
  const shell = sample(e, "falcosecurity_falco_rules_matches_total", {
    rule_name: "Terminal shell in container",
  });
  assert.deepEqual(shell?.labels, {
    priority: "5",
    rule_name: "Terminal shell in container",
    source: "syscall",
    tag_mitre_execution: "true",
    tag_shell: "true",
  });
  assert.equal(shell?.value, 3);
  // A hostile rule name stays inside its label: escaped, one sample line.
  assert.equal(
    sample(e, "falcosecurity_falco_rules_matches_total", { rule_name: 'Evil "rule"\nname' })?.value,
    1,
  );
  assert.equal(sample(e, "falcosecurity_falco_rules_matches_total", { rule_name: "Never fired" }), undefined);
  assert.equal(e.types.get("falcosecurity_falco_rules_matches_total"), "counter");

  // A reload brings other tags: the counter follows.
  source.snapshot_.rules = {
    matches: [{ rule: "New rule", priority: 1, source: "k8s_audit", tags: ["k8s"], count: 9 }],
  };
  const after = parseExposition(await m.render());
  assert.deepEqual(sample(after, "falcosecurity_falco_rules_matches_total")?.labels, {
    priority: "1",
    rule_name: "New rule",
    source: "k8s_audit",
    tag_k8s: "true",
  });
  assert.equal(after.samples.filter((s) => s.name === "falcosecurity_falco_rules_matches_total").length, 1);
  assert.equal(tagLabel("mitre.privilege-escalation"), "tag_mitre_privilege_escalation");
});

test("families switched off are absent; parts the source lacks write nothing", async () => {
  const source = new FakeSource();
  source.syscall = undefined;
  source.snapshot_.rules = { matches: [{ rule: "R", priority: 4, source: "syscall", tags: [], count: 2 }] };
  const config = metricsConfig({
    rulesCountersEnabled: false,
    resourceUtilizationEnabled: false,
    kernelEventCountersEnabled: false,
  });
  const text = await metricsWith(source, config).render();
  const e = parseExposition(text);
  const names = new Set(e.samples.map((s) => s.name));
  for (const absent of [
    "falcosecurity_falco_rules_matches_total",
    "falcosecurity_falco_cpu_usage_ratio",
    "falcosecurity_scap_n_evts_total",
    "falcosecurity_scap_n_threads_total",
    "falcosecurity_scap_engine_name_info",
  ]) {
    assert.equal(names.has(absent), false, absent);
    assert.equal(text.includes(`# TYPE ${absent} `), false, `no empty HELP/TYPE block for ${absent}`);
  }
  assert.ok(names.has("falcosecurity_falco_version_info"));
});

test("k8s audit part: engine name, events and refusals by code", async () => {
  const source = new FakeSource();
  source.syscall = undefined;
  source.snapshot_.k8sAudit = fromWebhookStats({
    requests: 5,
    acceptedRequests: 4,
    acceptedEvents: 40,
    rejected: { SAKER_WEBHOOK_UNAUTHORIZED: 1 },
    rejectedTotal: 1,
    rejectedEvents: {},
    evaluated: 38,
    alerts: 2,
    alertSinkErrors: 0,
    queueDepth: 2,
    queueHighWater: 10,
    queueCapacity: 100,
    latency: { count: 38, p50Ms: 1, p99Ms: 2, maxMs: 3 },
  });
  const e = parseExposition(await metricsWith(source).render());
  assert.deepEqual(sample(e, "falcosecurity_scap_engine_name_info")?.labels, {
    engine_name: "source_plugin",
    evt_source: "k8s_audit",
  });
  assert.equal(sample(e, "saker_events_processed_total", { source: "k8s_audit" })?.value, 38);
  assert.equal(sample(e, "saker_k8saudit_rejected_total", { code: "SAKER_WEBHOOK_UNAUTHORIZED" })?.value, 1);
  assert.equal(sample(e, "saker_k8saudit_queue_depth")?.value, 2);
  assert.equal(sample(e, "saker_k8saudit_requests_total")?.value, 5);
  // No syscall source: none of its metrics.
  assert.equal(sample(e, "falcosecurity_scap_n_evts_total"), undefined);

  const [record] = new MetricsRecorder({ config: metricsConfig(), hostname: "h" }).records({
    snapshot: source.snapshot(),
    process: fixedProcess(),
  });
  assert.equal(record?.fields["evt.source"], "k8s_audit");
  assert.equal(record?.fields["scap.engine_name"], "source_plugin");
  assert.equal(record?.fields["falco.num_evts"], 38);
  assert.equal(record?.fields["scap.n_evts"], undefined);
});

test("the AgentSummary adapter maps the probe's counters and the rule counts", () => {
  const summary = {
    elapsedMs: 1000,
    events: 500,
    eventsPerSecond: 500,
    probe: { sent: 600, dropFull: 3, dropTooBig: 1, dropBusy: 2, forwarded: 594, drops: 6 },
    startupDropped: 4,
    alertsTotal: 2,
    alertsByPriority: [0, 0, 0, 0, 2, 0, 0, 0],
    alertsByRule: new Map([
      ["A", 2],
      ["B", 0],
    ]),
    drops: { occurrences: 1, actionsTaken: 1 },
    outputs: { enqueued: 2, delivered: 2, dropped: 0, discarded: 0, pending: 0, timeouts: 0, channels: [] },
    faults: 0,
    stateCounters: { threadsRemoved: 8 },
    alertLatencyMs: { p50: 1, p99: 2, max: 3, n: 2 },
    scan: null,
  };
  const part = fromAgentSummary(summary as unknown as AgentSummary, (name) =>
    name === "A" ? { priority: 4, source: "syscall", tags: ["t"] } : undefined,
  );
  assert.equal(part.syscall?.nEvts, 600);
  assert.equal(part.syscall?.nDrops, 6);
  assert.equal(part.syscall?.dropsBufferFull, 3);
  assert.equal(part.syscall?.eventsProcessed, 500);
  assert.equal(part.syscall?.startupDropped, 4);
  assert.deepEqual(part.rules?.matches, [
    { rule: "A", count: 2, priority: 4, source: "syscall", tags: ["t"] },
    { rule: "B", count: 0, priority: 7, source: "syscall", tags: [] },
  ]);
});

test("snapshot record: Falco's field names, MiB conversion, empty values left out, rates", () => {
  const source = new FakeSource();
  source.syscall!.nEvts = 1000;
  source.syscall!.eventsProcessed = 900;
  source.snapshot_.rules = {
    matches: [
      { rule: "Read sensitive file untrusted", priority: 4, source: "syscall", tags: [], count: 2 },
      { rule: "Quiet rule", priority: 4, source: "syscall", tags: [], count: 0 },
    ],
  };
  const rec = new MetricsRecorder({ config: metricsConfig(), hostname: "node-1" });
  const [first] = rec.records({ snapshot: source.snapshot(), process: fixedProcess() });
  assert.ok(first);
  const f = first.fields;
  assert.equal(first.rule, "Falco internal: metrics snapshot");
  assert.equal(first.message, "Falco metrics snapshot");
  assert.equal(first.priority, 6);
  assert.equal(f["evt.source"], "syscall");
  assert.equal(f["evt.hostname"], "node-1");
  assert.equal(f["falco.version"], "0.1.0");
  assert.equal(f["scap.engine_name"], "modern_bpf");
  assert.equal(f["falco.duration_sec"], 90);
  assert.equal(f["falco.num_evts"], 900);
  assert.equal(f["scap.n_evts"], 1000);
  assert.equal(f["scap.n_drops"], 0, "drop count is written even when zero");
  assert.equal(f["falco.memory_rss_mb"], 2);
  assert.equal(f["falco.container_memory_used_mb"], 3);
  assert.equal(f["falco.memory_rss_kb"], undefined);
  assert.equal(f["falco.memory_pss_mb"], undefined, "zero left out");
  assert.equal(f["falco.cpu_usage_perc"], 12.5);
  assert.equal(f["falco.rules.Read_sensitive_file_untrusted"], 2);
  assert.equal(f["falco.rules.Quiet_rule"], undefined);
  assert.equal(f["falco.rules.matches_total"], 2);
  assert.equal(f["falco.sha256_rules_file.falco_rules.yaml"], undefined);
  assert.equal(f["falco.sha256_rules_file.falco_rules_yaml"], "ab".repeat(32));
  assert.equal(f["falco.evts_rate_sec"], undefined, "no rate before a previous snapshot");

  source.syscall!.nEvts = 3000;
  source.syscall!.nDrops = 100;
  source.syscall!.eventsProcessed = 1900;
  const [second] = rec.records({
    snapshot: source.snapshot(),
    process: fixedProcess({ nowNs: 1_700_000_100_000_000_000n }),
  });
  assert.ok(second);
  assert.equal(second.sample, 2);
  assert.equal(second.fields["scap.n_evts_prev"], 1000);
  assert.equal(second.fields["scap.evts_rate_sec"], 200);
  assert.equal(second.fields["scap.evts_drop_rate_sec"], 10);
  assert.equal(second.fields["scap.n_drops_perc"], 5);
  assert.equal(second.fields["falco.evts_rate_sec"], 100);
  assert.equal(second.fields["falco.num_evts_prev"], 900);

  const raw = new MetricsRecorder({
    config: metricsConfig({ convertMemoryToMb: false, includeEmptyValues: true }),
    hostname: "h",
  }).records({ snapshot: source.snapshot(), process: fixedProcess() })[0]!.fields;
  assert.equal(raw["falco.memory_rss_kb"], 2048);
  assert.equal(raw["falco.container_memory_used_bytes"], 3 * 1048576);
  assert.equal(raw["falco.memory_pss_kb"], 0);
  assert.equal(raw["falco.rules.Quiet_rule"], 0);
});

test("the file line and the internal alert have Falco's JSON layout", () => {
  const source = new FakeSource();
  const [record] = new MetricsRecorder({ config: metricsConfig(), hostname: "node-1" }).records({
    snapshot: source.snapshot(),
    process: fixedProcess(),
  });
  assert.ok(record);
  const line = metricsFileLine(record);
  assert.match(line, /^\{"output_fields":\{"evt\.hostname":"node-1",.*\},"sample":1\}$/);
  const parsed = JSON.parse(line) as { output_fields: Record<string, unknown>; sample: number };
  assert.deepEqual(Object.keys(parsed), ["output_fields", "sample"]);
  const keys = Object.keys(parsed.output_fields);
  assert.deepEqual(keys, [...keys].sort());
  // Nanosecond timestamps are written as exact integers, not rounded doubles.
  assert.ok(line.includes('"falco.start_ts":1700000000000000000'));

  const alert = internalAlertJson(
    record.time,
    record.priority,
    record.message,
    record.rule,
    record.fields,
    "node-1",
  );
  const a = JSON.parse(alert) as Record<string, unknown>;
  assert.deepEqual(Object.keys(a), [
    "hostname",
    "output",
    "output_fields",
    "priority",
    "rule",
    "source",
    "time",
  ]);
  assert.equal(a.output, "Falco metrics snapshot");
  assert.equal(a.priority, "Informational");
  assert.equal(a.rule, "Falco internal: metrics snapshot");
  assert.equal(a.source, "internal");
  assert.equal(a.time, "2023-11-14T22:14:50.000000000Z");
  assert.equal((a.output_fields as Record<string, unknown>)["falco.host_num_cpus"], 2);
});

test("sanitizeName is Falco's sanitize_rule_name", () => {
  assert.equal(sanitizeName("Write below etc"), "Write_below_etc");
  assert.equal(sanitizeName("a -- b!"), "a_b");
  assert.equal(sanitizeName("ns:rule"), "ns:rule");
});

test("process figures come from /proc and are plausible", async () => {
  const p = await readProcessStats();
  assert.ok(p.memoryRssKb > 1000, `rss ${p.memoryRssKb} KiB`);
  assert.ok(p.memoryVszKb >= p.memoryRssKb);
  assert.ok(p.hostNumCpus >= 1);
  assert.ok(p.startTsNs <= p.nowNs);
  assert.ok(p.hostBootTsNs < p.startTsNs);
  assert.ok(p.cpuUsagePerc >= 0);
});
