// `${VAR}` expansion: Falco's rules, case by case (the table follows Falco's own env-var tests), then
// through config files: expansion happens before typing, so `${B}` can be a boolean.
import { test } from "node:test";
import assert from "node:assert/strict";
import { expandEnv } from "../../../src/config/index.js";
import { brief, expectErrors, expectLoaded, loadYaml } from "./helpers.js";

const ENV = {
  ENV_VAR: "envVarValue",
  ENV_VAR_EMBEDDED: "${ENV_VAR}",
  ENV_VAR_BOOL: "true",
  ENV_VAR_INT: "12",
  ENV_VAR_EMPTY: "",
  DOLLAR: "$x ${ENV_VAR}",
};

const EXPANSIONS: [string, string][] = [
  ["my_string", "my_string"],
  ["${ENV_VAR}", "envVarValue"],
  ["$ENV_VAR", "$ENV_VAR"],
  ["$${ENV_VAR}", "${ENV_VAR}"],
  ["$$ENV_VAR", "$$ENV_VAR"],
  ["$${ENV_VAR}$${ENV_VAR}", "${ENV_VAR}${ENV_VAR}"],
  ["$${${ENV_VAR}}", "${envVarValue}"],
  ["$${ENV_VAR}${ENV_VAR}", "${ENV_VAR}envVarValue"],
  ["${UNSET_XX_X_X_VAR}", ""],
  [" ${ENV_VAR}", " envVarValue"],
  ["${ENV_VAR} ", "envVarValue "],
  ["${ENV_VAR}/foo", "envVarValue/foo"],
  ["/foo/${ENV_VAR}/", "/foo/envVarValue/"],
  ["/${ENV_VAR}/${ENV_VAR}${ENV_VAR}/foo", "/envVarValue/envVarValueenvVarValue/foo"],
  ["${ENV_VAR_EMBEDDED}/foo", "envVarValue/foo"],
  ["${ENV_VAR_EMPTY}", ""],
  ["a ${ENV_VAR", "a ${ENV_VAR"],
  ["$${ENV_VAR", "$${ENV_VAR"],
  ["$HOME ${ENV_VAR}", "$HOME ${ENV_VAR}"],
  ["${DOLLAR}", "$x ${ENV_VAR}"],
  ["${}", ""],
];

for (const [input, want] of EXPANSIONS) {
  test(`expandEnv(${JSON.stringify(input)})`, () => {
    assert.equal(expandEnv(input, ENV), want);
  });
}

test("a variable that expands to itself is reported, not looped on", () => {
  assert.equal(expandEnv("${LOOP}", { LOOP: "${LOOP}" }), undefined);
  const errors = expectErrors(loadYaml("log_level: ${LOOP}\n", { env: { LOOP: "${LOOP}" } }));
  assert.deepEqual(errors.map(brief), ["SAKER_CONFIG_ENV log_level main.yaml:1:12"]);
});

test("expanded values are typed by their key, quoted or not", () => {
  const loaded = expectLoaded(
    loadYaml(
      "json_output: ${ENV_VAR_BOOL}\n" +
        "webserver:\n  listen_port: '${ENV_VAR_INT}'\n" +
        "plugins:\n  - name: k8saudit\n    library_path: /foo/${ENV_VAR}/libk8saudit.so\n    open_params: ${ENV_VAR_INT}\n" +
        "rules_files:\n  - ${ENV_VAR}/rules.yaml\n  - $${ENV_VAR}/literal.yaml\n",
      { env: ENV },
    ),
  );
  const c = loaded.config;
  assert.equal(c.json.output, true);
  assert.equal(c.webserver.listenPort, 12);
  assert.equal(c.plugins[0].libraryPath, "/foo/envVarValue/libk8saudit.so");
  assert.equal(c.plugins[0].openParams, "12");
  assert.deepEqual(c.rulesFiles, ["envVarValue/rules.yaml", "${ENV_VAR}/literal.yaml"]);
});

test("an unset variable for a boolean key leaves the default, with a warning", () => {
  const loaded = expectLoaded(loadYaml("webserver:\n  enabled: ${UNSET}\n", { env: {} }));
  assert.equal(loaded.config.webserver.enabled, false);
  assert.deepEqual(loaded.warnings.map(brief), ["SAKER_CONFIG_EMPTY_VALUE webserver.enabled main.yaml:2:3"]);
});

test("keys are not expanded", () => {
  const loaded = expectLoaded(loadYaml("${K}: 1\n", { env: { K: "json_output" } }));
  assert.equal(loaded.config.json.output, false);
  assert.deepEqual(loaded.warnings.map(brief), ["SAKER_CONFIG_UNKNOWN_KEY ${K} main.yaml:1:1"]);
});

test("included config files are expanded too", () => {
  const loaded = expectLoaded(
    loadYaml("config_files: [extra.yaml]\n", {
      env: { LEVEL: "debug" },
      files: { "extra.yaml": "log_level: ${LEVEL}\n" },
    }),
  );
  assert.equal(loaded.config.log.level, "debug");
});

test("a value that expands to something invalid is reported where the ${VAR} was written", () => {
  const errors = expectErrors(loadYaml("\nwebserver:\n  listen_port: ${PORT}\n", { env: { PORT: "http" } }));
  assert.deepEqual(errors.map(brief), ["SAKER_CONFIG_INVALID webserver.listen_port main.yaml:3:16"]);
});
