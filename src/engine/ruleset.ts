// The compiled rules of one source, indexed by event type. For each event type name the index holds, in
// load order, the enabled rules whose event types include it; rules that cannot be narrowed ("all")
// are merged into every list at their load position, so one walk of one array answers an event. This is
// what Falco's evttype_index_ruleset amounts to (its "all" rules carry every event code). Enabling and
// disabling (Falco's `rules:` selection, -D/-t/-T) rebuilds the index; nothing is recompiled.
//
// Falco appends a rule re-enabled after loading to the end of each list (and orders rules enabled
// together by pointer address); here a rule keeps its load position whenever it is enabled.
import type { EventTypes } from "./evttypes.js";

/** What the ruleset needs of a compiled rule. Callers may carry more (output, priority, ...). */
export interface RulesetEntry<E> {
  readonly name: string;
  readonly tags: readonly string[];
  readonly eventTypes: EventTypes;
  readonly predicate: (event: E) => boolean;
}

/** How a rule name is matched when enabling or disabling by name (Falco's match_type). */
export type NameMatch = "exact" | "substring" | "wildcard";

export type RuleSelector =
  | { readonly name: string; readonly match?: NameMatch }
  /** Rules having at least one of these tags. */
  | { readonly tags: readonly string[] };

export interface RulesetOptions<R> {
  /** Initial state of each rule (default: all enabled). */
  readonly enabled?: (rule: R) => boolean;
}

/**
 * falco::utils::matches_wildcard: `*` matches any run of characters, matched greedily left to right
 * without backtracking (so `*ab` does not match "xabab"), as Falco does.
 */
export function matchesWildcard(pattern: string, s: string): boolean {
  const star = pattern.indexOf("*");
  if (star < 0) return pattern === s;
  if (star === 0) {
    let next = 0;
    while (next < pattern.length && pattern[next] === "*") next++;
    if (next === pattern.length) return true;
    const rest = pattern.slice(next);
    const nextStar = rest.indexOf("*");
    const literal = nextStar < 0 ? rest : rest.slice(0, nextStar);
    const at = s.indexOf(literal);
    if (at < 0) return false;
    return matchesWildcard(rest.slice(literal.length), s.slice(at + literal.length));
  }
  if (pattern.slice(0, star) !== s.slice(0, star)) return false;
  return matchesWildcard(pattern.slice(star), s.slice(star));
}

function selects<E>(selector: RuleSelector, rule: RulesetEntry<E>): boolean {
  if ("tags" in selector) return rule.tags.some((t) => selector.tags.includes(t));
  const { name } = selector;
  switch (selector.match ?? "exact") {
    case "exact":
      return name === "" || name === rule.name;
    case "substring":
      return name === "" || rule.name.includes(name);
    case "wildcard":
      return matchesWildcard(name, rule.name);
  }
}

export class Ruleset<E, R extends RulesetEntry<E> = RulesetEntry<E>> {
  private readonly rules: readonly R[];
  private readonly enabled: Uint8Array;
  private byType = new Map<string, R[]>();
  /** Enabled rules that apply to every event type: all an event of an unindexed type can match. */
  private anyType: R[] = [];
  private enabledCount = 0;

  constructor(rules: readonly R[], options: RulesetOptions<R> = {}) {
    this.rules = rules;
    this.enabled = new Uint8Array(rules.length);
    const initial = options.enabled;
    rules.forEach((r, i) => {
      this.enabled[i] = initial === undefined || initial(r) ? 1 : 0;
    });
    this.rebuild();
  }

  /** All rules, enabled or not, in load order. */
  get all(): readonly R[] {
    return this.rules;
  }

  get size(): number {
    return this.enabledCount;
  }

  isEnabled(name: string): boolean {
    return this.rules.some((r, i) => r.name === name && this.enabled[i] === 1);
  }

  /** Enable or disable the rules `selector` picks; returns how many it picked. */
  setEnabled(selector: RuleSelector, enabled: boolean): number {
    let picked = 0;
    this.rules.forEach((r, i) => {
      if (selects(selector, r)) {
        this.enabled[i] = enabled ? 1 : 0;
        picked++;
      }
    });
    if (picked > 0) this.rebuild();
    return picked;
  }

  /** The enabled rules an event of `typeName` is checked against, in order. */
  rulesFor(typeName: string): readonly R[] {
    return this.byType.get(typeName) ?? this.anyType;
  }

  /** The event types some enabled rule needs ("all" when one cannot be narrowed): what to capture. */
  enabledEventTypes(): EventTypes {
    if (this.anyType.length > 0) return "all";
    return new Set(this.byType.keys());
  }

  /**
   * The first enabled rule (in load order) matching `event` of type `typeName`, or undefined: Falco's
   * default. Allocates nothing.
   */
  match(event: E, typeName: string, mode: "first"): R | undefined;
  /** Every enabled rule matching `event`, in load order (Falco with `rule_matching: all`). */
  match(event: E, typeName: string, mode: "all"): R[];
  match(event: E, typeName: string, mode: "first" | "all"): R | undefined | R[] {
    if (mode === "all") {
      const out: R[] = [];
      this.matchAll(event, typeName, out);
      return out;
    }
    const list = this.byType.get(typeName) ?? this.anyType;
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      if (r.predicate(event)) return r;
    }
    return undefined;
  }

  /** Append every matching rule to `out` (which the caller may reuse); returns how many matched. */
  matchAll(event: E, typeName: string, out: R[]): number {
    const list = this.byType.get(typeName) ?? this.anyType;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      if (r.predicate(event)) {
        out.push(r);
        n++;
      }
    }
    return n;
  }

  private rebuild(): void {
    const byType = new Map<string, R[]>();
    const anyType: R[] = [];
    let count = 0;
    // First every type some enabled rule names, so "all" rules can be merged at their load position.
    this.rules.forEach((r, i) => {
      if (this.enabled[i] === 0 || r.eventTypes === "all") return;
      for (const t of r.eventTypes) if (!byType.has(t)) byType.set(t, []);
    });
    this.rules.forEach((r, i) => {
      if (this.enabled[i] === 0) return;
      count++;
      if (r.eventTypes === "all") {
        anyType.push(r);
        for (const list of byType.values()) list.push(r);
      } else {
        for (const t of r.eventTypes) byType.get(t)?.push(r);
      }
    });
    this.byType = byType;
    this.anyType = anyType;
    this.enabledCount = count;
  }
}
