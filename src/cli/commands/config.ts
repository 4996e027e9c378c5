// `saker config`: the configuration's schema, validation and effective values.
//
//   saker config schema                          the JSON schema (also: saker --config-schema)
//   saker config validate [-c FILE] [-o k=v...]  load as `saker run` would; problems with file:line:col
//   saker config show [-c FILE] [-o k=v...]      the effective configuration (YAML; --json; --raw for the
//                                                merged files before defaults, --origins to annotate it)
// Without -c, Saker's stock configuration is used. Exit status: 0 valid, 1 invalid.
import type { Command } from "commander";
import {
  configSchemaText,
  effectiveConfigJson,
  effectiveConfigYaml,
  formatConfigDiagnostics,
  loadConfig,
  rawConfigJson,
  rawConfigYaml,
} from "../../config/index.js";
import type { LoadConfigOptions } from "../../config/index.js";

export interface CommandOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ConfigCommandOptions {
  readonly config?: string;
  readonly option?: readonly string[];
}

function loadOptions(options: ConfigCommandOptions, base: Partial<LoadConfigOptions>): LoadConfigOptions {
  return {
    ...base,
    ...(options.config === undefined ? {} : { file: options.config }),
    overrides: options.option ?? [],
  };
}

export function configValidate(
  options: ConfigCommandOptions,
  base: Partial<LoadConfigOptions> = {},
): CommandOutput {
  const result = loadConfig(loadOptions(options, base));
  const name = options.config ?? "<saker defaults>";
  if (!result.ok) {
    return {
      exitCode: 1,
      stdout: "",
      stderr: formatConfigDiagnostics([...result.errors, ...result.warnings]) + `${name}: invalid\n`,
    };
  }
  const files = result.sources.map((s) => s.file).join(", ");
  const warned = result.warnings.length === 0 ? "" : ` (${result.warnings.length} warning(s))`;
  return {
    exitCode: 0,
    stdout: `${name}: ok${warned}; read ${files}\n`,
    stderr: formatConfigDiagnostics(result.warnings),
  };
}

export interface ShowOptions extends ConfigCommandOptions {
  readonly json?: boolean;
  readonly raw?: boolean;
  readonly origins?: boolean;
}

export function configShow(options: ShowOptions, base: Partial<LoadConfigOptions> = {}): CommandOutput {
  const result = loadConfig(loadOptions(options, base));
  if (!result.ok) {
    return {
      exitCode: 1,
      stdout: "",
      stderr: formatConfigDiagnostics([...result.errors, ...result.warnings]),
    };
  }
  let stdout: string;
  if (options.raw || options.origins) {
    stdout = options.json ? rawConfigJson(result.raw) : rawConfigYaml(result.raw, options.origins === true);
  } else {
    stdout = options.json ? effectiveConfigJson(result.effective) : effectiveConfigYaml(result.effective);
  }
  return { exitCode: 0, stdout, stderr: formatConfigDiagnostics(result.warnings) };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function emit(out: CommandOutput): void {
  process.stderr.write(out.stderr);
  process.stdout.write(out.stdout);
  process.exitCode = out.exitCode;
}

/** Registers `saker config ...` and the top-level `--config-schema` flag. */
export function registerConfigCommand(program: Command): void {
  program.option("--config-schema", "print the JSON schema of the configuration file and exit");
  program.on("option:config-schema", () => {
    process.stdout.write(configSchemaText());
    process.exit(0);
  });

  const config = program
    .command("config")
    .description("inspect and check the configuration (falco.yaml keys)");
  config
    .command("schema")
    .description("print the JSON schema of the configuration file")
    .action(() => emit({ exitCode: 0, stdout: configSchemaText(), stderr: "" }));
  config
    .command("validate")
    .description("load the configuration as `saker run` would and report its problems")
    .option("-c, --config <file>", "configuration file (default: Saker's stock configuration)")
    .option("-o, --option <key=value>", "override a key, Falco's -o syntax (repeatable)", collect, [])
    .action((options: ConfigCommandOptions) => emit(configValidate(options)));
  config
    .command("show")
    .description("print the effective configuration, defaults included")
    .option("-c, --config <file>", "configuration file (default: Saker's stock configuration)")
    .option("-o, --option <key=value>", "override a key, Falco's -o syntax (repeatable)", collect, [])
    .option("--json", "as JSON instead of YAML")
    .option("--raw", "the merged files and -o options as read, before types and defaults")
    .option("--origins", "with --raw: annotate each top-level key with the file:line it came from")
    .action((options: ShowOptions) => emit(configShow(options)));
}
