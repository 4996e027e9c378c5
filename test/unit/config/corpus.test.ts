// The corpus's real Falco configs (confs/*.yaml, confs/plugins/*.yaml): each loads, warning only about
// keys older Falco versions read (none unknown), except the three that Falco's own tests expect to be
// refused at startup (cases.json: monitor_syscall_drops_threshold_oor/_neg, ..._ignore_and_log), which
// give their documented codes at the right place. Plugin library paths (BUILD_DIR/...) do not matter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { loadConfig } from "../../../src/config/index.js";
import { corpusDir, corpusPath, requireCorpus } from "../../support/paths.js";
import { brief, expectLoaded } from "./helpers.js";

requireCorpus();

const REFUSED: Record<string, string[]> = {
  "drops_threshold_oor.yaml": [
    "SAKER_CONFIG_INVALID syscall_event_drops.threshold drops_threshold_oor.yaml:2:14",
  ],
  "drops_threshold_neg.yaml": [
    "SAKER_CONFIG_INVALID syscall_event_drops.threshold drops_threshold_neg.yaml:2:14",
  ],
  "drops_ignore_log.yaml": ["SAKER_CONFIG_CONFLICT syscall_event_drops.actions[1] drops_ignore_log.yaml:4:7"],
};

/** Deprecated keys each file uses (keys Falco read in the version the file was written for). */
const DEPRECATED: Record<string, string[]> = {
  "falco.yaml": [
    "rules_file",
    "outputs",
    "grpc_output",
    "grpc",
    "syscall_buf_size_preset",
    "syscall_drop_failed_exit",
    "modern_bpf",
    "metadata_download",
  ],
  "file_output.yaml": ["rules_file"],
  "program_output.yaml": ["rules_file"],
  "stdout_output.yaml": ["rules_file"],
  "psp.yaml": ["rules_file", "outputs", "webserver.k8s_audit_endpoint"],
  "grpc_unix_socket.yaml": ["grpc", "grpc_output"],
};

const files = [
  ...readdirSync(corpusPath("confs"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f),
  ...readdirSync(corpusPath("confs/plugins")).map((f) => `plugins/${f}`),
].sort();

test("the corpus has the config files this test expects", () => {
  assert.ok(files.length >= 20, `found ${files.length} files in ${corpusDir}/confs`);
  for (const name of [...Object.keys(REFUSED), ...Object.keys(DEPRECATED)])
    assert.ok(files.includes(name), name);
});

for (const name of files) {
  test(`corpus config ${name}`, () => {
    const result = loadConfig({ file: name, cwd: corpusPath("confs"), env: { HOME: "/home/saker" } });
    if (REFUSED[name]) {
      assert.equal(result.ok, false, "Falco refuses this config at startup");
      assert.deepEqual(!result.ok && result.errors.map(brief), REFUSED[name]);
      return;
    }
    const loaded = expectLoaded(result);
    assert.deepEqual(
      loaded.warnings.filter((w) => w.code !== "SAKER_CONFIG_DEPRECATED_KEY").map(brief),
      [],
      "only keys some Falco version knew",
    );
    assert.deepEqual(
      loaded.warnings.map((w) => w.path),
      DEPRECATED[name] ?? [],
    );
  });
}

test("cases.json: every config a case expects to start with loads, and the refused ones are refused", () => {
  const manifest = JSON.parse(readFileSync(corpusPath("cases.json"), "utf8")) as {
    cases: {
      id: string;
      options?: { config_file?: string };
      expected: { exit_status?: number; stderr_contains_regex?: string[] };
    }[];
  };
  let checked = 0;
  for (const c of manifest.cases) {
    const conf = c.options?.config_file;
    if (conf === undefined) continue;
    const name = conf.replace(/^confs\//, "");
    const result = loadConfig({ file: name, cwd: corpusPath("confs"), env: {} });
    const configRefusal = (c.expected.stderr_contains_regex ?? []).some((r) =>
      /threshold must be a double|does not make sense with the "ignore" action/.test(r),
    );
    if (configRefusal) assert.equal(result.ok, false, c.id);
    else assert.equal(result.ok, true, `${c.id} needs ${conf} to load`);
    checked++;
  }
  assert.ok(checked > 300, `checked ${checked} cases`);
});

test("corpus configs reach the typed configuration as Falco reads them", () => {
  const load = (name: string) =>
    expectLoaded(loadConfig({ file: name, cwd: corpusPath("confs"), env: {} })).config;

  const falco = load("falco.yaml");
  assert.deepEqual(falco.rulesFiles, [
    "/etc/falco/falco_rules.yaml",
    "/etc/falco/falco_rules.local.yaml",
    "/etc/falco/rules.d",
  ]);
  assert.deepEqual(falco.loadPlugins, []);
  assert.deepEqual(falco.loadedPlugins, []);
  assert.deepEqual(
    falco.plugins.map((p) => [p.name, p.initConfig, p.openParams]),
    [
      ["k8saudit", "", "http://:9765/k8s-audit"],
      ["cloudtrail", "", ""],
      ["json", "", ""],
    ],
  );
  assert.equal(falco.webserver.enabled, true);
  assert.equal(falco.webserver.listenPort, 8765);
  assert.deepEqual(falco.outputsRateLimit, { rate: 0, maxBurst: 1000 });
  assert.equal(falco.outputs.grpc.enabled, false);

  const k8s = load("plugins/k8s_audit.yaml");
  assert.deepEqual(
    k8s.loadedPlugins.map((p) => p.name),
    ["k8saudit", "json"],
  );
  assert.equal(k8s.outputs.stdout.enabled, true);
  assert.equal(k8s.outputs.syslog.enabled, false, "absent keys take Falco's built-in default");

  const grpc = load("grpc_unix_socket.yaml");
  assert.equal(grpc.grpc?.bindAddress, "unix:///tmp/falco/falco.sock");
  assert.equal(grpc.grpc?.threadiness, 8);
  assert.equal(grpc.outputs.grpc.enabled, true);
  assert.equal(grpc.outputs.stdout.enabled, false);

  assert.deepEqual([...load("drops_ignore.yaml").syscallEventDrops.actions], ["ignore"]);
  assert.deepEqual([...load("drops_alert.yaml").syscallEventDrops.actions], ["alert"]);
  const drops = load("drops_log.yaml");
  assert.equal(drops.syscallEventDrops.rate, 0.03333);
  assert.equal(drops.syscallEventDrops.maxBurst, 10);
  assert.equal(drops.syscallEventDrops.simulateDrops, true);
  assert.equal(drops.log.level, "debug");
  assert.equal(load("drops_none.yaml").syscallEventDrops.simulateDrops, false);

  const file = load("file_output.yaml");
  assert.deepEqual(file.rulesFiles, ["/etc/falco_rules.yaml"]);
  assert.equal(file.outputs.file.filename, "/tmp/falco_outputs/file_output.txt");
  assert.equal(
    load("program_output.yaml").outputs.program.program,
    "cat >> /tmp/falco_outputs/program_output.txt",
  );

  const psp = load("psp.yaml");
  assert.deepEqual(psp.rulesFiles, []);
  assert.equal(psp.webserver.k8sAuditEndpoint, "/k8s-audit");
  assert.deepEqual([...psp.syscallEventDrops.actions], ["log", "alert"]);
});
