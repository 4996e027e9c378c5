// Placeholder until the field catalogue lands: registers `saker fields`.
import type { Command } from "commander";

export function registerFieldsCommand(program: Command): void {
  program
    .command("fields")
    .description("list the fields of an event source")
    .action(() => {
      throw new Error("the field catalogue is not built yet");
    });
}
