#!/usr/bin/env node
// The `saker` command: one binary, a subcommand per role. Each subcommand lives in its own module under
// src/cli/commands and registers itself here.
import { Command } from "commander";
import { registerFieldsCommand } from "./commands/fields.js";
import { registerConfigCommand } from "./commands/config.js";
import { registerRulesCommand } from "./commands/rules.js";
import { registerRunCommand } from "./commands/run.js";
import { registerReplayCommand } from "./commands/replay.js";
import { registerInspectCommand } from "./commands/inspect.js";
import { registerCaptureCommand } from "./commands/capture.js";
import { SAKER_VERSION } from "../version.js";

export function buildProgram(): Command {
  const program = new Command("saker")
    .description(
      "Runtime security for Linux hosts, containers and Kubernetes, speaking Falco's rule language",
    )
    .version(SAKER_VERSION)
    .showHelpAfterError();
  registerRunCommand(program);
  registerRulesCommand(program);
  registerFieldsCommand(program);
  registerConfigCommand(program);
  registerReplayCommand(program);
  registerInspectCommand(program);
  registerCaptureCommand(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`saker: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
