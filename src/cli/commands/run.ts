// Placeholder: `saker run`, the live agent. Grows with the capture and service issues.
import type { Command } from "commander";

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run the agent")
    .action(() => {
      process.stdout.write("saker: the agent is not built yet\n");
    });
}
