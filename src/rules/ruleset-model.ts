// The loaded ruleset: what the rules loader produces and the engine, `saker rules list/describe` and
// the selection of enabled rules consume. Conditions are fully expanded (lists and macros substituted,
// exceptions appended), checked against their source's schema, and narrowed to event types.
import type { ExtraField, OutputFormat } from "../alerts/format.js";
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { Expr } from "./language/ast.js";
import type { Priority } from "./priority.js";

export interface CompiledRule {
  readonly name: string;
  readonly description: string;
  readonly priority: Priority;
  readonly source: string;
  /** Sorted, unique (Falco keeps tags in a std::set). */
  readonly tags: readonly string[];
  /** As the rules files leave it (`enabled:` and overrides); selection may change what runs. */
  readonly enabled: boolean;
  readonly capture: boolean;
  readonly captureDuration: number;
  readonly warnEvttypes: boolean;
  readonly skipIfUnknownFilter: boolean;
  /** The condition as written, after appends, before expansion. */
  readonly conditionSource: string;
  /** Lists and macros expanded, exceptions appended: what is evaluated. */
  readonly condition: Expr;
  /** Canonical text of `condition` (printExpr). */
  readonly conditionText: string;
  /** Event types the rule can match, or "all" when the condition does not narrow them. */
  readonly eventTypes: ReadonlySet<string> | "all";
  /** The output format as written (after appends), and as compiled (with appended extra formats). */
  readonly outputSource: string;
  readonly output: OutputFormat;
  /** `append_output` extra fields that match the rule, one per key, sorted by key. */
  readonly extraFields: readonly ExtraField[];
  readonly exceptionNames: readonly string[];
  /** Fields the exceptions test, sorted. */
  readonly exceptionFields: readonly string[];
  /** Macros and lists the condition refers to, directly or through other macros, sorted. */
  readonly macros: readonly string[];
  readonly lists: readonly string[];
  /** Where the rule was first defined. */
  readonly location: SourceLocation;
}

export interface CompiledMacro {
  readonly name: string;
  /** The condition as written, after appends. */
  readonly conditionSource: string;
  /** Expanded; undefined when the macro could not be compiled. */
  readonly conditionText: string | undefined;
  readonly used: boolean;
  readonly location: SourceLocation;
}

export interface CompiledList {
  readonly name: string;
  /** As written, after appends. */
  readonly items: readonly string[];
  /** With references to earlier lists expanded. */
  readonly itemsCompiled: readonly string[];
  readonly used: boolean;
  readonly location: SourceLocation;
}

export interface PluginVersionRequirement {
  readonly name: string;
  readonly version: string;
  readonly alternatives: readonly { readonly name: string; readonly version: string }[];
}

export interface Ruleset {
  /** In order of first definition, as Falco evaluates them. Rules of unknown sources are absent. */
  readonly rules: readonly CompiledRule[];
  readonly macros: readonly CompiledMacro[];
  readonly lists: readonly CompiledList[];
  /** The highest `required_engine_version` of the loaded files, as written. */
  readonly requiredEngineVersion: string | undefined;
  readonly requiredPluginVersions: readonly PluginVersionRequirement[];
}
