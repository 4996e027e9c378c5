// `saker config schema|validate|show`: the printed schema is a valid JSON schema whose defaults satisfy
// it, validation reports with positions and exit codes, show prints the effective configuration.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { configShow, configValidate } from "../../../src/cli/commands/config.js";
import { configSchemaText } from "../../../src/config/index.js";
import { corpusPath } from "../../support/paths.js";
import { tempConfigDir } from "./helpers.js";

test("the printed schema compiles, and an empty config filled with its defaults is valid", () => {
  const schema = JSON.parse(configSchemaText()) as object;
  const ajv = new Ajv({ useDefaults: true, allowUnionTypes: true, strict: true });
  const validate = ajv.compile(schema);
  const config: Record<string, unknown> = {};
  assert.equal(validate(config), true, JSON.stringify(validate.errors));
  assert.equal((config.webserver as Record<string, unknown>).listen_port, 8765);
  assert.equal(validate({ webserver: { listen_port: "x" } }), false);
});

test("config validate: ok with warnings on stderr, exit 0", () => {
  const out = configValidate({ config: "psp.yaml" }, { cwd: corpusPath("confs"), env: {} });
  assert.equal(out.exitCode, 0);
  assert.match(out.stdout, /^psp\.yaml: ok \(3 warning\(s\)\); read psp\.yaml\n$/);
  assert.match(out.stderr, /^psp\.yaml:\d+:1: warning SAKER_CONFIG_DEPRECATED_KEY: rules_file: /m);
});

test("config validate: refused with file:line:col, exit 1", () => {
  const out = configValidate({ config: "drops_threshold_neg.yaml" }, { cwd: corpusPath("confs"), env: {} });
  assert.equal(out.exitCode, 1);
  assert.match(
    out.stderr,
    /^drops_threshold_neg\.yaml:2:14: error SAKER_CONFIG_INVALID: syscall_event_drops\.threshold: /m,
  );
});

test("config validate: -o options apply", () => {
  const out = configValidate({ option: ["webserver.listen_port=http"] }, { env: {} });
  assert.equal(out.exitCode, 1);
  assert.match(out.stderr, /^<-o #1>:1:23: error SAKER_CONFIG_INVALID: webserver\.listen_port: /m);
});

test("config show: the effective configuration, defaults filled, as YAML or JSON", () => {
  const dir = tempConfigDir({ "main.yaml": "json_output: yes\nwebserver:\n  listen_port: '9000'\n" });
  const yaml = configShow({ config: "main.yaml" }, { cwd: dir, env: {} });
  assert.equal(yaml.exitCode, 0);
  const shown = parse(yaml.stdout) as Record<string, Record<string, unknown>>;
  assert.equal(shown.json_output, true);
  assert.equal(shown.webserver.listen_port, 9000);
  assert.equal(shown.webserver.listen_address, "0.0.0.0");
  const json = configShow({ config: "main.yaml", json: true }, { cwd: dir, env: {} });
  assert.deepEqual(JSON.parse(json.stdout), shown);
});

test("config show --raw --origins: the merged files as written, each key with its file:line", () => {
  const dir = tempConfigDir({
    "main.yaml": "config_files: [inc.yaml]\njson_output: yes\n",
    "inc.yaml": "log_level: debug\n",
  });
  const out = configShow({ config: "main.yaml", raw: true, origins: true }, { cwd: dir, env: {} });
  assert.equal(out.exitCode, 0);
  assert.equal(
    out.stdout,
    "# main.yaml:1\nconfig_files:\n  - inc.yaml\n# main.yaml:2\njson_output: yes\n# inc.yaml:1\nlog_level: debug\n",
  );
});

test("config show without a file: Saker's stock configuration", () => {
  const out = configShow({}, { env: {}, defaultRulesDir: "/opt/saker/rules" });
  const shown = parse(out.stdout) as Record<string, unknown>;
  assert.deepEqual(shown.rules_files, ["/opt/saker/rules"]);
  assert.equal((shown.engine as Record<string, unknown>).kind, "modern_ebpf");
});

test("config show --raw --json: the merged files as plain JSON", () => {
  const dir = tempConfigDir({ "main.yaml": "json_output: yes\nwebserver:\n  listen_port: 8000\n" });
  const out = configShow({ config: "main.yaml", raw: true, json: true }, { cwd: dir, env: {} });
  assert.deepEqual(JSON.parse(out.stdout), { json_output: "yes", webserver: { listen_port: 8000 } });
});
