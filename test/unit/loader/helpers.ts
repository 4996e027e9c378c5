// Shared helpers for the loader's tests: compact, comparable summaries of diagnostics and read steps.
import type { Diagnostic } from "../../../src/diagnostics/diagnostic.js";
import type { ReadStep } from "../../../src/rules/loader/items.js";
import { loadRules } from "../../../src/rules/loader/load.js";
import type { LoadOptions, LoadOutcome } from "../../../src/rules/loader/load.js";

/** "line:col CODE message" at the diagnostic's most precise location. */
export function brief(d: Diagnostic): string {
  const last = d.context[d.context.length - 1];
  return `${last.location.line}:${last.location.column} ${d.code} ${d.message}`;
}

/** The context chain as "type 'name'@line:col > ...", without the root frame. */
export function chain(d: Diagnostic): string {
  return d.context
    .slice(1)
    .map(
      (f) =>
        `${f.itemType}${f.itemName === "" ? "" : ` '${f.itemName}'`}@${f.location.line}:${f.location.column}`,
    )
    .join(" > ");
}

/** Reader steps as short strings: "list x", "rule_append y", "! 3:5 CODE message", "failed rule z". */
export function stepSummary(steps: readonly ReadStep[]): string[] {
  return steps.map((s) => {
    if (s.kind === "diagnostic") return `! ${brief(s.diagnostic)}`;
    if (s.kind === "failed") return `failed ${s.itemKind} ${s.name}`;
    const item = s.item;
    switch (item.kind) {
      case "engine_version":
        return `engine_version ${item.text}`;
      case "plugin_versions":
        return `plugin_versions ${item.alternatives.map((a) => `${a.name}@${a.version}`).join(",")}`;
      case "rule":
        return `rule ${item.rule.name}`;
      case "rule_append":
      case "rule_replace":
        return `${item.kind} ${item.update.name}`;
      default:
        return `${item.kind} ${item.name}`;
    }
  });
}

/** Load one text named "rules.yaml". */
export function loadText(text: string, options: LoadOptions = {}): LoadOutcome {
  return loadRules([{ name: "rules.yaml", text }], options);
}

/** All diagnostics of a load, briefly. */
export function allBrief(outcome: LoadOutcome): string[] {
  return outcome.files.flatMap((f) => f.diagnostics.map(brief));
}

/** A rule in YAML with the usual required keys; `extra` lines are appended (indented by the caller). */
export function rule(name: string, condition: string, extra = ""): string {
  return (
    `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: o=%proc.name\n  priority: INFO\n` +
    extra
  );
}
