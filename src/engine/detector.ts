// The detector: a loaded ruleset planned against one runtime source. It is what every event source
// (capture replay, live capture, audit files, the audit webhook) feeds: per event, the index picks the
// rules for the event's type, the first (or every) matching rule's alert is captured and handed on.
//
// Planning happens once here: each enabled rule's expanded condition becomes a closure against the
// source's extractors, and its output format is bound to the same source. Per event nothing is
// allocated unless a rule matches (then the alert record and its text).
import type { Alert, AlertConfig, AlertFormatter } from "../alerts/alert.js";
import { compileAlertFormatter } from "../alerts/alert.js";
import type { CompiledRule, Ruleset as LoadedRuleset } from "../rules/ruleset-model.js";
import type { SelectionOptions } from "../rules/selection.js";
import { selectRules, selectionPlan } from "../rules/selection.js";
import { SharedConditions, compileCondition } from "./compile.js";
import type { EventTypes } from "./evttypes.js";
import { Ruleset } from "./ruleset.js";
import type { EventSource } from "./source.js";

export interface DetectorOptions {
  /** Falco's `rule_matching`: "first" (default) stops at the first matching rule in load order. */
  readonly matching?: "first" | "all";
  readonly alertConfig: AlertConfig;
  readonly selection?: SelectionOptions;
}

/** One enabled rule, planned for the source. */
export interface PlannedRule<E> {
  readonly name: string;
  readonly tags: readonly string[];
  readonly eventTypes: EventTypes;
  readonly predicate: (event: E) => boolean;
  readonly rule: CompiledRule;
  readonly formatter: AlertFormatter<E>;
  /** Position in `Detector.rules`, for per-rule counters. */
  readonly index: number;
}

export interface DetectorError {
  readonly code: "SAKER_DETECTOR_SELECTION" | "SAKER_DETECTOR_PLAN";
  readonly message: string;
}

export type BuildDetectorResult<E> =
  | { readonly ok: true; readonly detector: Detector<E> }
  | { readonly ok: false; readonly error: DetectorError };

/** Plan the rules of `source.name` from a loaded ruleset. Rules of other sources are left out. */
export function buildDetector<E>(
  loaded: LoadedRuleset,
  source: EventSource<E>,
  options: DetectorOptions,
): BuildDetectorResult<E> {
  const plan = selectionPlan(options.selection ?? {});
  if (!plan.ok) return { ok: false, error: { code: "SAKER_DETECTOR_SELECTION", message: plan.message } };
  const selected = selectRules(loaded.rules, plan.steps, options.selection?.minPriority);
  const planned: PlannedRule<E>[] = [];
  const ours = selected.filter((r) => r.source === source.name);
  const shared =
    source.eventStamp === undefined ? undefined : new SharedConditions(ours.map((r) => r.condition));
  for (const rule of ours) {
    const compiled = compileCondition(rule.condition, source, { shared });
    if (!compiled.ok) {
      // The loader checked this condition against the same schema; failing here means the runtime
      // source disagrees with its schema, which is a bug worth stopping for.
      const why = compiled.errors.map((e) => e.message).join("; ");
      return { ok: false, error: { code: "SAKER_DETECTOR_PLAN", message: `rule '${rule.name}': ${why}` } };
    }
    planned.push({
      name: rule.name,
      tags: rule.tags,
      eventTypes: rule.eventTypes,
      predicate: compiled.predicate,
      rule,
      formatter: compileAlertFormatter(rule, source, options.alertConfig),
      index: planned.length,
    });
  }
  return { ok: true, detector: new Detector(planned, options.matching ?? "first") };
}

export class Detector<E> {
  readonly rules: readonly PlannedRule<E>[];
  /** Alerts raised per rule, indexed like `rules`. */
  readonly counts: Uint32Array;
  private readonly index: Ruleset<E, PlannedRule<E>>;
  private readonly matchAll: boolean;
  private readonly matched: PlannedRule<E>[] = [];

  constructor(rules: readonly PlannedRule<E>[], matching: "first" | "all") {
    this.rules = rules;
    this.counts = new Uint32Array(rules.length);
    this.index = new Ruleset<E, PlannedRule<E>>(rules);
    this.matchAll = matching === "all";
  }

  /** The event types some rule needs, or "all": what a capture source should deliver. */
  eventTypes(): EventTypes {
    return this.index.enabledEventTypes();
  }

  /**
   * Evaluate `event` (of event type `typeName`; "" for sources without event types) and pass each
   * alert to `emit`. Returns how many rules matched.
   */
  process(
    event: E,
    typeName: string,
    time: bigint,
    emit: (alert: Alert, rule: PlannedRule<E>) => void,
  ): number {
    if (!this.matchAll) {
      const rule = this.index.match(event, typeName, "first");
      if (rule === undefined) return 0;
      this.counts[rule.index]++;
      emit(rule.formatter.alert(event, time), rule);
      return 1;
    }
    const matched = this.matched;
    matched.length = 0;
    this.index.matchAll(event, typeName, matched);
    for (const rule of matched) {
      this.counts[rule.index]++;
      emit(rule.formatter.alert(event, time), rule);
    }
    return matched.length;
  }

  /** Alerts per rule name, rules that never fired included (as Falco's summary lists them). */
  countsByRule(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.rules) out.set(r.name, this.counts[r.index]);
    return out;
  }
}
