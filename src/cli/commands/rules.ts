// Placeholder until the rules loader lands: registers `saker rules`.
import type { Command } from "commander";

export function registerRulesCommand(program: Command): void {
  program
    .command("rules")
    .description("validate, list and describe rules files")
    .action(() => {
      throw new Error("the rules loader is not built yet");
    });
}
