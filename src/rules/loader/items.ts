// What the reader hands the collector: one value per rules-file item, already decoded and validated for
// shape, each carrying its context chain (file -> item -> value) so later stages can report against it.
import type { ContextFrame, Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Priority } from "../priority.js";
import type { MappedText, SourceFile, TextSource } from "./positions.js";

/** Falco's item types as they appear in context chains and in `-V` JSON ("item_type"). */
export const ItemType = {
  VALUE_FOR: "value for",
  EXCEPTIONS: "exceptions",
  EXCEPTION: "exception",
  EXCEPTION_VALUES: "exception values",
  EXCEPTION_VALUE: "exception value",
  RULES_CONTENT: "rules content",
  RULES_CONTENT_ITEM: "rules content item",
  REQUIRED_ENGINE_VERSION: "required_engine_version",
  REQUIRED_PLUGIN_VERSIONS: "required plugin versions",
  REQUIRED_PLUGIN_VERSIONS_ENTRY: "required plugin versions entry",
  REQUIRED_PLUGIN_VERSIONS_ALTERNATIVE: "required plugin versions alternative",
  LIST: "list",
  LIST_ITEM: "list item",
  MACRO: "macro",
  MACRO_CONDITION: "macro condition",
  RULE: "rule",
  RULE_CONDITION: "rule condition",
  CONDITION_EXPRESSION: "condition expression",
  RULE_OUTPUT: "rule output",
  RULE_OUTPUT_EXPRESSION: "rule output expression",
  RULE_PRIORITY: "rule priority",
  OVERRIDE: "overrides",
} as const;

/** A string read from a scalar, with the map back into the file. */
export interface SourcedString {
  readonly value: string;
  readonly source: TextSource;
}

/** An exception's `fields`, `comps` or one of its `values`: a string or a (nested) list of them. */
export type ExceptionEntry =
  | { readonly isList: false; readonly item: string; readonly source: TextSource | undefined }
  | { readonly isList: true; readonly items: readonly ExceptionEntry[] };

export interface ExceptionInfo {
  readonly name: string;
  readonly ctx: readonly ContextFrame[];
  /** Undefined when the key is absent (allowed when appending). */
  readonly fields: ExceptionEntry | undefined;
  readonly comps: ExceptionEntry | undefined;
  readonly values: readonly ExceptionEntry[];
}

export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export interface EngineVersionItem {
  readonly kind: "engine_version";
  readonly ctx: readonly ContextFrame[];
  readonly version: SemVer;
  /** As written: "17" (legacy integer) or "0.57.0". */
  readonly text: string;
}

export interface PluginRequirement {
  readonly name: string;
  readonly version: string;
}

export interface PluginVersionsItem {
  readonly kind: "plugin_versions";
  readonly ctx: readonly ContextFrame[];
  /** The first entry is the requirement; the rest are its accepted alternatives. */
  readonly alternatives: readonly PluginRequirement[];
}

export interface ListItem {
  readonly kind: "list";
  readonly name: string;
  readonly ctx: readonly ContextFrame[];
  readonly items: readonly SourcedString[];
  /** undefined: define; "append": legacy `append: true`; "override": `override: {items: append}`. */
  readonly append: "append" | "override" | undefined;
}

export interface MacroItem {
  readonly kind: "macro";
  readonly name: string;
  readonly ctx: readonly ContextFrame[];
  readonly condition: MappedText;
  readonly append: "append" | "override" | undefined;
}

export interface RuleDefinition {
  readonly name: string;
  readonly ctx: readonly ContextFrame[];
  readonly condition: MappedText;
  readonly output: MappedText;
  readonly desc: string;
  readonly priority: Priority;
  readonly source: string;
  readonly tags: readonly string[];
  readonly exceptions: readonly ExceptionInfo[];
  readonly enabled: boolean;
  readonly capture: boolean;
  readonly captureDuration: number;
  readonly warnEvttypes: boolean;
  readonly skipIfUnknownFilter: boolean;
}

export interface RuleItem {
  readonly kind: "rule";
  readonly rule: RuleDefinition;
}

/** Keys given by an append (legacy or override) or a selective replace; absent keys are undefined. */
export interface RuleUpdate {
  readonly name: string;
  readonly ctx: readonly ContextFrame[];
  /** "" when not given. */
  readonly source: string;
  readonly condition?: MappedText;
  readonly output?: MappedText;
  readonly desc?: string;
  readonly tags?: readonly string[];
  readonly exceptions?: readonly ExceptionInfo[];
  readonly priority?: Priority;
  readonly capture?: boolean;
  readonly captureDuration?: number;
  readonly enabled?: boolean;
  readonly warnEvttypes?: boolean;
  readonly skipIfUnknownFilter?: boolean;
}

export interface RuleAppendItem {
  readonly kind: "rule_append";
  readonly update: RuleUpdate;
  readonly via: "append" | "override";
}

export interface RuleReplaceItem {
  readonly kind: "rule_replace";
  readonly update: RuleUpdate;
}

/** A rule item with only `rule:` and `enabled:` (Falco's legacy way to enable/disable a rule). */
export interface RuleEnableItem {
  readonly kind: "rule_enable";
  readonly name: string;
  readonly ctx: readonly ContextFrame[];
  readonly enabled: boolean;
}

export type RulesItem =
  | EngineVersionItem
  | PluginVersionsItem
  | ListItem
  | MacroItem
  | RuleItem
  | RuleAppendItem
  | RuleReplaceItem
  | RuleEnableItem;

/**
 * The reader's output, in file order: items and the diagnostics found while reading them, interleaved
 * in the order Falco would produce them (so stopping at the first error reproduces Falco's result).
 * `failed` names an item whose reading ended in an error; the collector uses it to avoid reporting
 * follow-on errors ("append to an unknown rule") caused by the failed item.
 */
export type ReadStep =
  | { readonly kind: "item"; readonly item: RulesItem }
  | { readonly kind: "diagnostic"; readonly diagnostic: Diagnostic }
  | { readonly kind: "failed"; readonly itemKind: "list" | "macro" | "rule"; readonly name: string };

export interface ReadResult {
  readonly file: SourceFile;
  readonly steps: readonly ReadStep[];
}
