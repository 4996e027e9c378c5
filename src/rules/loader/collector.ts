// Stage 2 of loading: items, in file order, into the definitions in force (Falco's
// rule_loader::collector). Later definitions replace earlier ones in place (a rule keeps the position of
// its first definition), appends and overrides amend them, and every change records when it happened
// (`visibility`), because a list or macro may only refer to lists and macros defined before its latest
// change. Files loaded one after another share one collector: later files see earlier ones.
import type { ContextFrame, Diagnostic } from "../../diagnostics/diagnostic.js";
import type { ErrorCode, WarningCode } from "../../diagnostics/codes.js";
import { checkCondition } from "../../engine/compile.js";
import type { SourceSchema } from "../../engine/source.js";
import { parseCondition } from "../language/parser.js";
import type { Priority } from "../priority.js";
import type {
  EngineVersionItem,
  ExceptionEntry,
  ExceptionInfo,
  ListItem,
  MacroItem,
  PluginRequirement,
  RuleDefinition,
  RulesItem,
  RuleUpdate,
  SemVer,
  SourcedString,
} from "./items.js";
import { MappedText } from "./positions.js";
import { ALL_OPERATORS, LIST_OPERATORS, MODIFIABLE_OPERATORS } from "../language/vocabulary.js";

export interface CollectedList {
  readonly name: string;
  ctx: readonly ContextFrame[];
  items: SourcedString[];
  /** Position of the first definition; kept by redefinitions. */
  index: number;
  /** When the list last changed. */
  visibility: number;
}

export interface CollectedMacro {
  readonly name: string;
  ctx: readonly ContextFrame[];
  condition: MappedText;
  index: number;
  visibility: number;
}

export interface CollectedRule {
  readonly name: string;
  ctx: readonly ContextFrame[];
  condition: MappedText;
  output: MappedText;
  desc: string;
  priority: Priority;
  source: string;
  tags: string[];
  exceptions: ExceptionInfo[];
  enabled: boolean;
  capture: boolean;
  captureDuration: number;
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
  /** The rule's source has no schema: it is kept (appends may target it) but never compiled. */
  unknownSource: boolean;
  index: number;
  visibility: number;
}

export interface CollectorOptions {
  /** The schema of each known source; a rule of any other source is warned about and skipped. */
  readonly schemaFor: (source: string) => SourceSchema | undefined;
  /** The engine version rules files are checked against (`required_engine_version`). */
  readonly engineVersion: SemVer;
  /**
   * Is `text` a field that conditions may test, in `schema`? Asked for exception `fields:` entries
   * without a parenthesis; the collector checks the others (transformers) by compiling them.
   */
  readonly isValidField: (text: string, schema: SourceSchema) => boolean;
}

/** Operators a comparison may use (libsinsp's parser::supported_operators), and the list ones. */
export const SUPPORTED_OPERATORS: readonly string[] = ALL_OPERATORS;
export { LIST_OPERATORS };

const MODIFIABLE: ReadonlySet<string> = new Set(MODIFIABLE_OPERATORS);

/** `startswith oneof` and the like: a string operator with a list modifier. */
export function isOperatorWithModifier(op: string): boolean {
  const m = /^(\S+)\s+(oneof|anyof|allof)$/.exec(op);
  return m !== null && MODIFIABLE.has(m[1]);
}

export function isSupportedOperator(op: string): boolean {
  return SUPPORTED_OPERATORS.includes(op);
}

/** An error the collector raises against an item (Falco's rule_load_exception with LOAD_ERR_VALIDATE). */
class CollectError extends Error {
  constructor(
    message: string,
    readonly ctx: readonly ContextFrame[],
  ) {
    super(message);
  }
}

export class Collector {
  readonly lists = new Map<string, CollectedList>();
  readonly macros = new Map<string, CollectedMacro>();
  readonly rules = new Map<string, CollectedRule>();
  /** The highest required_engine_version seen, as written. */
  requiredEngineVersion: { version: SemVer; text: string } | undefined;
  readonly requiredPluginVersions: PluginRequirement[][] = [];
  private counter = 0;
  /** Names ("rule:x", ...) whose definition failed to read: appends to them are not reported again. */
  private readonly failed = new Set<string>();

  constructor(private readonly options: CollectorOptions) {}

  markFailed(kind: "list" | "macro" | "rule", name: string): void {
    this.failed.add(`${kind}:${name}`);
  }

  /** Did a definition by this name fail to read (so references to it are not reported again)? */
  hasFailed(kind: "list" | "macro" | "rule", name: string): boolean {
    return this.failed.has(`${kind}:${name}`);
  }

  /** Apply one item; problems are reported through `report`, in order. */
  collect(item: RulesItem, report: (d: Diagnostic) => void): void {
    try {
      switch (item.kind) {
        case "engine_version":
          return this.engineVersion(item);
        case "plugin_versions":
          return this.pluginVersions(item.alternatives, item.ctx);
        case "list":
          return this.list(item);
        case "macro":
          return this.macro(item);
        case "rule":
          return this.defineRule(item.rule, report);
        case "rule_append":
          return this.appendRule(item.update, item.via);
        case "rule_replace":
          return this.replaceRule(item.update);
        case "rule_enable":
          return this.enableRule(item.name, item.enabled, item.ctx);
      }
    } catch (e) {
      if (!(e instanceof CollectError)) throw e;
      report(diag("LOAD_ERR_VALIDATE", "error", e.message, e.ctx));
    }
  }

  private next(): number {
    return this.counter++;
  }

  private engineVersion(item: EngineVersionItem): void {
    const engine = this.options.engineVersion;
    const v = item.version;
    // Falco's sinsp_version::compatible_with: same major, and the engine at least as recent.
    if (v.major !== engine.major || compareSemVer(engine, v) < 0) {
      throw new CollectError(
        `Rules require engine version ${item.text}, but engine version is ${formatSemVer(engine)}`,
        item.ctx,
      );
    }
    if (
      this.requiredEngineVersion === undefined ||
      compareSemVer(this.requiredEngineVersion.version, v) < 0
    ) {
      this.requiredEngineVersion = { version: v, text: item.text };
    }
  }

  private pluginVersions(alternatives: readonly PluginRequirement[], ctx: readonly ContextFrame[]): void {
    const names = new Set<string>();
    for (const req of alternatives) {
      if (!/^\d+\.\d+\.\d+/.test(req.version)) {
        throw new CollectError(`Invalid required version '${req.version}' for plugin '${req.name}'`, ctx);
      }
      if (names.has(req.name)) {
        throw new CollectError(
          `Defined multiple alternative version requirements for plugin '${req.name}'`,
          ctx,
        );
      }
      names.add(req.name);
    }
    this.requiredPluginVersions.push([...alternatives]);
  }

  private list(item: ListItem): void {
    const prev = this.lists.get(item.name);
    if (item.append !== undefined) {
      if (prev === undefined) {
        if (this.failed.has(`list:${item.name}`)) return;
        throw new CollectError(
          item.append === "append"
            ? "List has 'append' key but no list by that name already exists"
            : "List uses 'override.items: append' but no list by that name already exists",
          item.ctx,
        );
      }
      prev.items = [...prev.items, ...item.items];
      prev.visibility = this.next();
      return;
    }
    const id = this.next();
    const entry: CollectedList = {
      name: item.name,
      ctx: item.ctx,
      items: [...item.items],
      index: prev?.index ?? id,
      visibility: id,
    };
    this.lists.set(item.name, entry);
  }

  private macro(item: MacroItem): void {
    const prev = this.macros.get(item.name);
    if (item.append !== undefined) {
      if (prev === undefined) {
        if (this.failed.has(`macro:${item.name}`)) return;
        throw new CollectError(
          item.append === "append"
            ? "Macro has 'append' key but no macro by that name already exists"
            : "Macro uses 'override.condition: append' but no macro by that name already exists",
          item.ctx,
        );
      }
      prev.condition = MappedText.concat([prev.condition, " ", item.condition]);
      prev.visibility = this.next();
      return;
    }
    const id = this.next();
    this.macros.set(item.name, {
      name: item.name,
      ctx: item.ctx,
      condition: item.condition,
      index: prev?.index ?? id,
      visibility: id,
    });
  }

  /** Falco's find_prev_rule: a rule may not change source once both sides name one. */
  private previousRule(
    name: string,
    source: string,
    ctx: readonly ContextFrame[],
  ): CollectedRule | undefined {
    const prev = this.rules.get(name);
    if (prev !== undefined && prev.source !== "" && source !== "" && prev.source !== source) {
      throw new CollectError("Rule has been re-defined with a different source", ctx);
    }
    return prev;
  }

  private defineRule(rule: RuleDefinition, report: (d: Diagnostic) => void): void {
    const prev = this.previousRule(rule.name, rule.source, rule.ctx);
    const schema = this.options.schemaFor(rule.source);
    if (schema === undefined) {
      report(diag("LOAD_UNKNOWN_SOURCE", "warning", `Unknown source ${rule.source}, skipping`, rule.ctx));
    }
    const exceptions: ExceptionInfo[] = [];
    for (const ex of rule.exceptions) {
      if (!entryValid(ex.fields)) {
        throw new CollectError("Rule exception item must have fields property with a list of fields", ex.ctx);
      }
      exceptions.push(this.validateException(ex, schema));
    }
    const id = this.next();
    this.rules.set(rule.name, {
      name: rule.name,
      ctx: rule.ctx,
      condition: rule.condition,
      output: rule.output,
      desc: rule.desc,
      priority: rule.priority,
      source: rule.source,
      tags: [...rule.tags],
      exceptions,
      enabled: rule.enabled,
      capture: rule.capture,
      captureDuration: rule.captureDuration,
      warnEvttypes: rule.warnEvttypes,
      skipIfUnknownFilter: rule.skipIfUnknownFilter,
      unknownSource: schema === undefined,
      index: prev?.index ?? id,
      visibility: id,
    });
  }

  private appendRule(update: RuleUpdate, via: "append" | "override"): void {
    const prev = this.previousRule(update.name, update.source, update.ctx);
    if (prev === undefined) {
      if (this.failed.has(`rule:${update.name}`)) return;
      throw new CollectError(
        via === "append"
          ? "Rule has 'append' key but no rule by that name already exists"
          : "Rule uses 'override.<key>: append' but no rule by that name already exists",
        update.ctx,
      );
    }
    if (!hasAnyValue(update)) {
      throw new CollectError("Appended rule must have exceptions or condition property", update.ctx);
    }
    const schema = prev.unknownSource ? undefined : this.options.schemaFor(prev.source);
    if (update.condition !== undefined && update.condition.text !== "") {
      prev.condition = MappedText.concat([prev.condition, " ", update.condition]);
    }
    if (update.output !== undefined && update.output.text !== "") {
      prev.output = MappedText.concat([prev.output, " ", update.output]);
    }
    if (update.desc !== undefined && update.desc !== "") prev.desc = `${prev.desc} ${update.desc}`;
    if (update.tags !== undefined) prev.tags = sortedUnique([...prev.tags, ...update.tags]);
    for (const ex of update.exceptions ?? []) {
      const i = prev.exceptions.findIndex((e) => e.name === ex.name);
      if (i < 0) {
        if (!entryValid(ex.fields)) {
          throw new CollectError("Rule exception must have fields property with a list of fields", ex.ctx);
        }
        if (ex.values.length === 0) {
          throw new CollectError("Rule exception must have values property with a list of values", ex.ctx);
        }
        prev.exceptions.push(this.validateException(ex, schema));
      } else {
        if (entryValid(ex.fields)) {
          throw new CollectError(
            "Can not append exception fields to existing exception, only values",
            ex.ctx,
          );
        }
        if (entryValid(ex.comps)) {
          throw new CollectError("Can not append exception comps to existing exception, only values", ex.ctx);
        }
        const old = prev.exceptions[i];
        prev.exceptions[i] = { ...old, values: [...old.values, ...ex.values] };
      }
    }
    prev.visibility = this.next();
  }

  private replaceRule(update: RuleUpdate): void {
    const prev = this.previousRule(update.name, update.source, update.ctx);
    if (prev === undefined) {
      if (this.failed.has(`rule:${update.name}`)) return;
      throw new CollectError(
        "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists",
        update.ctx,
      );
    }
    if (!hasAnyValue(update)) {
      throw new CollectError("The rule must have at least one field that can be replaced", update.ctx);
    }
    const schema = prev.unknownSource ? undefined : this.options.schemaFor(prev.source);
    if (update.condition !== undefined) prev.condition = update.condition;
    if (update.output !== undefined) prev.output = update.output;
    if (update.desc !== undefined) prev.desc = update.desc;
    if (update.tags !== undefined) prev.tags = [...update.tags];
    if (update.exceptions !== undefined) {
      // Falco does not re-check replaced exceptions; we do, as for a definition, so that a malformed
      // replacement is reported here rather than producing a broken condition later.
      const exceptions: ExceptionInfo[] = [];
      for (const ex of update.exceptions) {
        if (!entryValid(ex.fields)) {
          throw new CollectError(
            "Rule exception item must have fields property with a list of fields",
            ex.ctx,
          );
        }
        exceptions.push(this.validateException(ex, schema));
      }
      prev.exceptions = exceptions;
    }
    if (update.priority !== undefined) prev.priority = update.priority;
    if (update.capture !== undefined) prev.capture = update.capture;
    if (update.captureDuration !== undefined) prev.captureDuration = update.captureDuration;
    if (update.enabled !== undefined) prev.enabled = update.enabled;
    if (update.warnEvttypes !== undefined) prev.warnEvttypes = update.warnEvttypes;
    if (update.skipIfUnknownFilter !== undefined) prev.skipIfUnknownFilter = update.skipIfUnknownFilter;
    prev.visibility = this.next();
  }

  private enableRule(name: string, enabled: boolean, ctx: readonly ContextFrame[]): void {
    const prev = this.rules.get(name);
    if (prev === undefined) {
      if (this.failed.has(`rule:${name}`)) return;
      throw new CollectError("Rule has 'enabled' key but no rule by that name already exists", ctx);
    }
    prev.enabled = enabled;
  }

  /**
   * Falco's validate_exception_info: fields and comps agree in shape and length, every comp is an
   * operator, every field exists in the rule's source (when the source is known). Fills in default
   * comps: `=` for each of a list of fields, `in` for a single field.
   */
  private validateException(ex: ExceptionInfo, schema: SourceSchema | undefined): ExceptionInfo {
    const fields = ex.fields!;
    if (fields.isList) {
      let comps = ex.comps;
      if (!entryValid(comps)) {
        comps = {
          isList: true,
          items: fields.items.map(() => ({ isList: false, item: "=", source: undefined })),
        };
      }
      const compItems = comps!.isList ? comps!.items : [comps!];
      if (!comps!.isList || compItems.length !== fields.items.length) {
        throw new CollectError("Fields and comps lists must have equal length", ex.ctx);
      }
      const normalized: ExceptionEntry[] = [];
      for (const c of compItems) {
        const op = c.isList ? "" : c.item.trim();
        if (!isSupportedOperator(op) && !isOperatorWithModifier(op)) {
          throw new CollectError(`'${op}' is not a supported comparison operator`, ex.ctx);
        }
        normalized.push(c.isList ? c : { ...c, item: op });
      }
      if (schema !== undefined) {
        for (const f of fields.items) {
          const name = f.isList ? "" : f.item;
          if (!this.isValidLhsField(name, schema)) {
            throw new CollectError(`'${name}' is not a supported filter field`, ex.ctx);
          }
        }
      }
      return { ...ex, comps: { isList: true, items: normalized } };
    }
    let comps = ex.comps;
    if (!entryValid(comps)) comps = { isList: false, item: "in", source: undefined };
    if (comps!.isList) throw new CollectError("Fields and comps must both be strings", ex.ctx);
    const op = comps!.item.trim();
    if (op !== "in" && op !== "pmatch" && op !== "intersects" && !isOperatorWithModifier(op)) {
      throw new CollectError(
        "When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier " +
          "operator (e.g. startswith oneof)",
        ex.ctx,
      );
    }
    if (schema !== undefined && !this.isValidLhsField(fields.item, schema)) {
      throw new CollectError(`'${fields.item}' is not a supported filter field`, ex.ctx);
    }
    return { ...ex, comps: { ...comps!, item: op } };
  }

  /**
   * Falco's is_valid_lhs_field. An entry with a parenthesis may be a transformer over fields
   * (`tolower(proc.name)`): it is valid when the filter `<entry> exists` compiles, types and arity
   * checked; the event-type search that runs on rule conditions afterwards is not part of that. Any
   * other entry must name a field.
   */
  private isValidLhsField(text: string, schema: SourceSchema): boolean {
    if (!text.includes("(")) return this.options.isValidField(text, schema);
    const parsed = parseCondition(`${text} exists`);
    if (!parsed.ok) return false;
    const checked = checkCondition(parsed.expr, schema);
    return checked.ok || checked.errors.every((e) => e.code === "unsupported_evttype_check");
  }
}

/** Falco's entry::is_valid: a list, or a non-empty string. */
export function entryValid(e: ExceptionEntry | undefined): boolean {
  return e !== undefined && (e.isList || e.item !== "");
}

function hasAnyValue(u: RuleUpdate): boolean {
  return (
    u.condition !== undefined ||
    u.output !== undefined ||
    u.desc !== undefined ||
    u.tags !== undefined ||
    u.exceptions !== undefined ||
    u.priority !== undefined ||
    u.capture !== undefined ||
    u.captureDuration !== undefined ||
    u.enabled !== undefined ||
    u.warnEvttypes !== undefined ||
    u.skipIfUnknownFilter !== undefined
  );
}

export function compareSemVer(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function formatSemVer(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function diag(
  code: ErrorCode | WarningCode,
  severity: "error" | "warning",
  message: string,
  context: readonly ContextFrame[],
  length?: number,
): Diagnostic {
  return length === undefined
    ? { code, severity, message, context }
    : { code, severity, message, context, length };
}
