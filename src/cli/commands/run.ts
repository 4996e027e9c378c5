// `saker run`: the agent. Today it loads the rules (the default set shipped in rules/, or those given
// with -r), reports every problem with its position, and prints the event types the loaded syscall rules
// need, which is the set the kernel probe will be asked to capture. Live capture (the eBPF probe) and the
// service around it (outputs, webserver) are the next stages; until they exist the command says so and
// stops rather than pretending to watch the host.
import type { Command } from "commander";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadRulesPaths } from "../../rules/loader/load.js";
import { formatResults } from "../../rules/loader/results.js";

/** rules/ of the installed package: dist/src/cli/commands/run.js is four levels below the root. */
export const DEFAULT_RULES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../rules");

export interface RunSummary {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function planRun(rulesPaths: readonly string[]): RunSummary {
  const paths = rulesPaths.length > 0 ? rulesPaths : [DEFAULT_RULES_DIR];
  const outcome = loadRulesPaths(paths);
  const problems = formatResults(outcome.files.filter((f) => f.diagnostics.length > 0));
  if (!outcome.successful) return { exitCode: 1, stdout: "", stderr: problems };

  const rules = outcome.ruleset.rules;
  const bySource = new Map<string, number>();
  const syscalls = new Set<string>();
  let unrestricted = 0;
  for (const rule of rules) {
    if (!rule.enabled) continue;
    bySource.set(rule.source, (bySource.get(rule.source) ?? 0) + 1);
    if (rule.source !== "syscall") continue;
    if (rule.eventTypes === "all") unrestricted++;
    else for (const t of rule.eventTypes) syscalls.add(t);
  }
  const sources = [...bySource].map(([s, n]) => `${n} ${s}`).join(", ") || "none";
  let out = `Loaded ${rules.length} rules from ${paths.join(", ")} (enabled: ${sources}).\n`;
  out += `Event types the syscall rules need (${syscalls.size}): ${[...syscalls].sort().join(" ")}\n`;
  if (unrestricted > 0) out += `${unrestricted} syscall rule(s) match every event type.\n`;
  out +=
    "Live capture is not available in this build yet: the eBPF probe and the agent service are the next " +
    "stages. Use `saker rules validate|list` to check rules meanwhile.\n";
  return { exitCode: 0, stdout: out, stderr: problems };
}

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run the agent with the default rules, or with the rules given by -r")
    .option("-r, --rules <path...>", "rules files or directories, loaded in order", [])
    .action((options: { rules: string[] }) => {
      const summary = planRun(options.rules);
      process.stderr.write(summary.stderr);
      process.stdout.write(summary.stdout);
      process.exitCode = summary.exitCode;
    });
}
