// Which loaded rules run: Falco's minimum priority, the `rules:` configuration section and the legacy
// -D/-T/-t flags, applied after loading (nothing is recompiled).
//
// - A rule starts as its rules files leave it (`enabled:` and overrides).
// - `rules:` entries apply in order: `{enable|disable: {rule: <wildcard>}}` matches names with `*`
//   (Falco's enable_rule_wildcard), `{enable|disable: {tag: <tag>}}` rules having that tag. An entry may
//   give both keys; the rule part applies first.
// - Then the flags, as Falco <= 0.38 applied them: each -D disables the rules whose name contains it;
//   -T disables the rules having any of the tags; -t disables every rule, then enables the rules having
//   any of its tags. -t cannot be combined with -D/-T, nor the flags with a `rules:` section.
// - A rule less severe than the minimum priority never runs (Falco does not load it).
import { matchesWildcard } from "../engine/ruleset.js";
import type { RuleSelector } from "../engine/ruleset.js";
import type { Priority } from "./priority.js";
import { meetsMinimum } from "./priority.js";

/** One entry of Falco's `rules:` configuration section. */
export interface RuleSelectionEntry {
  readonly op: "enable" | "disable";
  readonly rule?: string;
  readonly tag?: string;
}

export interface SelectionOptions {
  readonly minPriority?: Priority;
  /** Falco's `rules:` section, in order. */
  readonly rules?: readonly RuleSelectionEntry[];
  /** -D: disable rules whose name contains any of these. */
  readonly disabledSubstrings?: readonly string[];
  /** -T: disable rules having any of these tags. */
  readonly disabledTags?: readonly string[];
  /** -t: run only the rules having any of these tags. */
  readonly enabledTags?: readonly string[];
}

/** One enable/disable step, in the engine ruleset's terms (RuleSelector), in application order. */
export interface SelectionStep {
  readonly selector: RuleSelector;
  readonly enabled: boolean;
}

export type SelectionPlan =
  | { readonly ok: true; readonly steps: readonly SelectionStep[] }
  | { readonly ok: false; readonly code: "SAKER_SELECTION_CONFLICT"; readonly message: string };

/** The steps the options amount to, or the error Falco gives for a forbidden combination. */
export function selectionPlan(options: SelectionOptions): SelectionPlan {
  const disabling = (options.disabledSubstrings?.length ?? 0) + (options.disabledTags?.length ?? 0) > 0;
  const enabling = (options.enabledTags?.length ?? 0) > 0;
  if (disabling && enabling) {
    return {
      ok: false,
      code: "SAKER_SELECTION_CONFLICT",
      message: "You can not specify both disabled (-D/-T) and enabled (-t) rules",
    };
  }
  if ((disabling || enabling) && (options.rules?.length ?? 0) > 0) {
    return {
      ok: false,
      code: "SAKER_SELECTION_CONFLICT",
      message:
        'Specifying -D, -t, -T command line options together with "rules:" configuration or -o "rules..." ' +
        "is not supported.",
    };
  }
  const steps: SelectionStep[] = [];
  for (const entry of options.rules ?? []) {
    const enabled = entry.op === "enable";
    if (entry.rule !== undefined && entry.rule !== "") {
      steps.push({ selector: { name: entry.rule, match: "wildcard" }, enabled });
    }
    if (entry.tag !== undefined && entry.tag !== "") steps.push({ selector: { tags: [entry.tag] }, enabled });
  }
  for (const s of options.disabledSubstrings ?? []) {
    steps.push({ selector: { name: s, match: "substring" }, enabled: false });
  }
  if ((options.disabledTags?.length ?? 0) > 0) {
    steps.push({ selector: { tags: [...options.disabledTags!] }, enabled: false });
  }
  if (enabling) {
    steps.push({ selector: { name: "", match: "substring" }, enabled: false });
    steps.push({ selector: { tags: [...options.enabledTags!] }, enabled: true });
  }
  return { ok: true, steps };
}

/** What selection needs of a rule. */
export interface SelectableRule {
  readonly name: string;
  readonly tags: readonly string[];
  readonly priority: Priority;
  readonly enabled: boolean;
}

/** Does `selector` pick `rule`? (The engine ruleset's matching, for callers without a ruleset.) */
export function selectorMatches(selector: RuleSelector, rule: SelectableRule): boolean {
  if ("tags" in selector) return rule.tags.some((t) => selector.tags.includes(t));
  switch (selector.match ?? "exact") {
    case "exact":
      return selector.name === "" || selector.name === rule.name;
    case "substring":
      return rule.name.includes(selector.name);
    case "wildcard":
      return matchesWildcard(selector.name, rule.name);
  }
}

/** The names of the rules that run, in load order. */
export function selectRules<R extends SelectableRule>(
  rules: readonly R[],
  plan: readonly SelectionStep[],
  minPriority?: Priority,
): R[] {
  const state = rules.map((r) => r.enabled);
  for (const step of plan) {
    rules.forEach((r, i) => {
      if (selectorMatches(step.selector, r)) state[i] = step.enabled;
    });
  }
  return rules.filter(
    (r, i) => state[i] && (minPriority === undefined || meetsMinimum(r.priority, minPriority)),
  );
}

/**
 * Decode Falco's `rules:` section from parsed configuration: a sequence of `{enable: {...}}` or
 * `{disable: {...}}` mappings with a `rule` and/or `tag` string. Errors name the offending entry.
 */
export function decodeRulesSection(
  value: unknown,
): { ok: true; entries: RuleSelectionEntry[] } | { ok: false; message: string } {
  if (value === undefined || value === null) return { ok: true, entries: [] };
  if (!Array.isArray(value))
    return { ok: false, message: "rules: expected a sequence of enable/disable entries" };
  const entries: RuleSelectionEntry[] = [];
  for (const [i, item] of value.entries()) {
    const where = `rules[${i}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      return { ok: false, message: `${where}: expected a mapping with 'enable' or 'disable'` };
    }
    const record = item as Record<string, unknown>;
    const op = "enable" in record ? "enable" : "disable" in record ? "disable" : undefined;
    if (op === undefined) return { ok: false, message: `${where}: expected 'enable' or 'disable'` };
    const body = record[op];
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return { ok: false, message: `${where}.${op}: expected a mapping with 'rule' and/or 'tag'` };
    }
    const { rule, tag } = body as Record<string, unknown>;
    for (const [key, v] of [
      ["rule", rule],
      ["tag", tag],
    ] as const) {
      if (v !== undefined && typeof v !== "string")
        return { ok: false, message: `${where}.${op}.${key}: expected a string` };
    }
    if ((rule === undefined || rule === "") && (tag === undefined || tag === "")) {
      return { ok: false, message: `${where}.${op}: expected 'rule' or 'tag'` };
    }
    entries.push({
      op,
      ...(rule !== undefined ? { rule: rule as string } : {}),
      ...(tag !== undefined ? { tag: tag as string } : {}),
    });
  }
  return { ok: true, entries };
}
