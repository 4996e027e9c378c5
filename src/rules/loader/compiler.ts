// Stage 3 of loading: collected definitions -> checked, expanded rules (Falco's rule_loader::compiler).
//
//   lists     each list's references to lists defined before its latest change are expanded (one level)
//   macros    each condition parsed, list references replaced by the lists' items, then references to
//             macros defined before the macro's latest change substituted, recursively, loops detected
//   rules     exceptions turned into condition text as Falco writes it, output checked, condition parsed,
//             lists and macros expanded (all macros visible), checked against the source's schema,
//             narrowed to event types
//
// Lists are substituted in the tree, not in the text as Falco does, with the same outcome for every
// condition that Falco accepts: an unquoted value naming a list becomes the list's items, where the items
// are read by the condition parser exactly as Falco's text substitution would have them read, and a list
// whose items name later lists is expanded again by those (Falco's substitution order).
//
// Every node keeps a span into one "virtual" text per condition: the rule's own text, then each macro
// body it pulled in, separated by newlines. A MappedText for that virtual text maps any span back to the
// file and the item it was written in, so an error inside a macro body points into the macro.
import { compileOutputFormat, falcoOutputOptions } from "../../alerts/format.js";
import type { ExtraField, OutputFormat } from "../../alerts/format.js";
import type { WarningCode } from "../../diagnostics/codes.js";
import type { ContextFrame, Diagnostic } from "../../diagnostics/diagnostic.js";
import type { SourceSchema } from "../../engine/source.js";
import type { BinaryCheckExpr, Expr, Span, ValueExpr } from "../language/ast.js";
import { parseCondition } from "../language/parser.js";
import { printExpr } from "../language/print.js";
import type { CompiledList, CompiledMacro, CompiledRule, Ruleset } from "../ruleset-model.js";
import { mapBinaryChecks, replaceIdentifiers, shiftExpr } from "./ast-utils.js";
import type { CollectedRule, Collector } from "./collector.js";
import { diag, LIST_OPERATORS, isOperatorWithModifier } from "./collector.js";
import type { ExceptionEntry, SourcedString } from "./items.js";
import { ItemType } from "./items.js";
import { MappedText } from "./positions.js";

/** A problem the engine found in an expanded condition; offsets index the condition's text. */
export interface ConditionProblem {
  /** For warnings: the code to report them under. */
  readonly code?: WarningCode;
  readonly message: string;
  readonly start: number;
  readonly end: number;
  /** An unknown field or event type: `skip-if-unknown-filter: true` turns it into a warning. */
  readonly unknownFilter: boolean;
}

/** What the compiler needs from the engine: checking a condition and narrowing it to event types. */
export interface ConditionChecker {
  check(
    expr: Expr,
    schema: SourceSchema,
  ): { errors: readonly ConditionProblem[]; warnings: readonly ConditionProblem[] };
  eventTypes(expr: Expr, schema: SourceSchema): ReadonlySet<string> | "all";
  /** Falco's LOAD_NO_EVTTYPE criterion for a rule of this source. */
  tooManyEventTypes(types: ReadonlySet<string> | "all", schema: SourceSchema): boolean;
}

/** Falco's `append_output` entry: a format appended to the output of the rules it matches. */
export interface ExtraOutputFormat {
  readonly format: string;
  readonly source?: string;
  /** The rule must have all of these tags. */
  readonly tags?: readonly string[];
  readonly rule?: string;
}

/**
 * Falco's `append_output` `extra_fields` entry: an output_fields entry for the rules it matches, never
 * part of the message. `raw`: a field given by name (`key` is the field, its format `%key`); otherwise
 * `format` is formatted as text under `key`.
 */
export interface ExtraOutputField {
  readonly key: string;
  readonly format: string;
  readonly raw: boolean;
  readonly source?: string;
  /** The rule must have all of these tags. */
  readonly tags?: readonly string[];
  readonly rule?: string;
}

export interface CompileOptions {
  readonly schemaFor: (source: string) => SourceSchema | undefined;
  readonly checker: ConditionChecker;
  readonly extraOutput?: readonly ExtraOutputFormat[];
  readonly extraFields?: readonly ExtraOutputField[];
  /** Stop at the first error, as Falco does; otherwise compile every item and report every problem. */
  readonly stopAtFirstError: boolean;
}

export interface CompileResult {
  readonly ruleset: Ruleset;
  readonly diagnostics: readonly Diagnostic[];
}

const NO_EVTTYPE_MESSAGE =
  "Rule matches too many evt.type values. This has a significant performance penalty.";

/** Raised to stop compiling at the first error (Falco's behaviour, when asked for). */
class Stop extends Error {}

interface ListEntry {
  readonly name: string;
  readonly order: number;
  readonly items: readonly SourcedString[];
  readonly compiled: readonly string[];
  /** The items as the condition parser reads them once substituted. */
  values: readonly ValueExpr[] | undefined;
  used: boolean;
}

/** A condition tree with the virtual text its spans index. */
interface Tree {
  readonly expr: Expr;
  readonly text: MappedText;
}

interface MacroEntry {
  readonly name: string;
  readonly index: number;
  readonly visibility: number;
  readonly ctx: readonly ContextFrame[];
  readonly source: MappedText;
  /** Parsed, lists expanded; replaced by the resolved tree once macros are resolved. */
  tree: Tree | undefined;
  broken: boolean;
  used: boolean;
  /** Macros and lists the resolved tree depends on. */
  readonly macros: Set<string>;
  readonly lists: Set<string>;
}

/** Appends texts to a virtual text and hands back each one's base offset. */
class VirtualText {
  private readonly parts: (MappedText | string)[] = [];
  private length = 0;

  add(text: MappedText): number {
    if (this.length > 0) {
      this.parts.push("\n");
      this.length += 1;
    }
    const base = this.length;
    this.parts.push(text);
    this.length += text.length;
    return base;
  }

  build(): MappedText {
    return MappedText.concat(this.parts);
  }
}

class Compilation {
  readonly diagnostics: Diagnostic[] = [];
  private errors = 0;
  readonly lists = new Map<string, ListEntry>();
  readonly macros = new Map<string, MacroEntry>();

  constructor(
    private readonly col: Collector,
    private readonly options: CompileOptions,
  ) {}

  private report(d: Diagnostic): void {
    this.diagnostics.push(d);
    if (d.severity === "error") {
      this.errors++;
      if (this.options.stopAtFirstError) throw new Stop();
    }
  }

  run(): CompileResult {
    const rules: CompiledRule[] = [];
    try {
      this.compileLists();
      this.compileMacros();
      for (const r of this.col.rules.values()) {
        const compiled = this.compileRule(r);
        if (compiled !== undefined) rules.push(compiled);
      }
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
    }
    if (this.errors === 0) this.warnUnused();
    return { ruleset: this.ruleset(rules), diagnostics: this.diagnostics };
  }

  // ---- lists ---------------------------------------------------------------------------------------

  private compileLists(): void {
    let order = 0;
    const usedByLists: string[] = [];
    for (const list of this.col.lists.values()) {
      const items: SourcedString[] = [];
      for (const item of list.items) {
        const ref = this.col.lists.get(item.value);
        if (ref !== undefined && ref.index < list.visibility) {
          usedByLists.push(ref.name);
          items.push(...ref.items);
        } else {
          items.push(item);
        }
      }
      this.lists.set(list.name, {
        name: list.name,
        order: order++,
        items: list.items,
        compiled: items.map((i) => i.value),
        values: undefined,
        used: false,
      });
    }
    for (const name of usedByLists) this.lists.get(name)!.used = true;
  }

  /** The items of a list as the parser reads them after Falco's text substitution (quote_item). */
  private listValues(entry: ListEntry): readonly ValueExpr[] {
    if (entry.values !== undefined) return entry.values;
    let values: ValueExpr[] = [];
    if (entry.compiled.length > 0) {
      const parsed = parseCondition(`x in (${entry.compiled.map(quoteItem).join(", ")})`);
      if (parsed.ok && parsed.expr.kind === "binary" && parsed.expr.right.kind === "list") {
        values = [...parsed.expr.right.items];
      } else {
        values = entry.compiled.map((v) => {
          const quoted = v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0]);
          return { kind: "value", value: quoted ? v.slice(1, -1) : v, quoted, span: { start: 0, end: 0 } };
        });
      }
    }
    entry.values = values;
    return values;
  }

  /**
   * Replace unquoted values naming a list by the list's items (each taking the reference's span).
   * Reports a list used where one value is expected; returns undefined after such an error.
   */
  private expandLists(
    tree: Tree,
    ctxFrames: readonly ContextFrame[],
    usedLists: Set<string>,
  ): Expr | undefined {
    let failed = false;
    const expr = mapBinaryChecks(tree.expr, (check: BinaryCheckExpr): BinaryCheckExpr => {
      const right = check.right;
      if (right.kind === "list") {
        const items = this.expandItems(right.items, usedLists);
        return items === right.items ? check : { ...check, right: { ...right, items } };
      }
      if (right.kind !== "value" || right.quoted) return check;
      const entry = this.lists.get(right.value);
      if (entry === undefined) return check;
      entry.used = true;
      usedLists.add(entry.name);
      const values = this.listValues(entry);
      if (values.length === 1) return { ...check, right: { ...values[0], span: right.span } };
      failed = true;
      this.conditionError(
        "LOAD_ERR_COMPILE_CONDITION",
        `list '${entry.name}' has ${values.length} items and cannot stand for the single value of '${check.op}'`,
        ctxFrames,
        tree.text,
        right.span,
      );
      return check;
    });
    return failed ? undefined : expr;
  }

  private expandItems(items: readonly ValueExpr[], usedLists: Set<string>): readonly ValueExpr[] {
    const names = (vs: readonly ValueExpr[]) => vs.filter((v) => !v.quoted && this.lists.has(v.value));
    if (names(items).length === 0) return items;
    let current = items;
    let last = -1;
    for (;;) {
      let next: ListEntry | undefined;
      for (const v of names(current)) {
        const entry = this.lists.get(v.value)!;
        if (entry.order > last && (next === undefined || entry.order < next.order)) next = entry;
      }
      if (next === undefined) return current;
      const entry = next;
      const values = this.listValues(entry);
      current = current.flatMap((v) =>
        !v.quoted && v.value === entry.name ? values.map((x) => ({ ...x, span: v.span })) : [v],
      );
      entry.used = true;
      usedLists.add(entry.name);
      last = entry.order;
    }
  }

  // ---- macros --------------------------------------------------------------------------------------

  private compileMacros(): void {
    for (const m of this.col.macros.values()) {
      const entry: MacroEntry = {
        name: m.name,
        index: m.index,
        visibility: m.visibility,
        ctx: m.ctx,
        source: m.condition,
        tree: undefined,
        broken: false,
        used: false,
        macros: new Set(),
        lists: new Set(),
      };
      this.macros.set(m.name, entry);
      const frames = textFrames(m.condition, m.ctx);
      const parsed = this.parse(m.condition, frames);
      if (parsed === undefined) {
        entry.broken = true;
        continue;
      }
      const expr = this.expandLists(parsed, frames, entry.lists);
      if (expr === undefined) entry.broken = true;
      else entry.tree = { expr, text: parsed.text };
    }
    // In definition order, each macro sees the macros defined before its latest change; a macro resolved
    // earlier is pulled in resolved, one not yet resolved is resolved in the referring macro's scope.
    for (const entry of this.macros.values()) {
      if (entry.tree === undefined) continue;
      const visible = (name: string) => {
        const m = this.macros.get(name);
        return m !== undefined && m.index < entry.visibility ? m : undefined;
      };
      const resolved = this.resolveMacros(entry.tree, visible, entry.ctx, entry.macros, entry.lists);
      if (resolved === undefined) {
        entry.broken = true;
        entry.tree = undefined;
      } else {
        entry.tree = resolved;
      }
    }
  }

  /**
   * Substitute macro references in `tree`. Falco's filter_macro_resolver: a reference is replaced by a
   * copy of the macro's current tree, which is itself resolved in the same scope; a macro met again on
   * the way down is a loop. Reports the first problem (a loop first, else the first unknown name).
   */
  private resolveMacros(
    tree: Tree,
    visible: (name: string) => MacroEntry | undefined,
    ctx: readonly ContextFrame[],
    usedMacros: Set<string>,
    usedLists: Set<string>,
  ): Tree | undefined {
    const virtual = new VirtualText();
    virtual.add(tree.text);
    const loops: { name: string; span: Span }[] = [];
    const unknown: { name: string; span: Span }[] = [];
    let broken = false;
    const resolved: string[] = [];
    const path: string[] = [];
    const visit = (expr: Expr): Expr =>
      replaceIdentifiers(expr, (name, span) => {
        const m = visible(name);
        if (m === undefined && this.col.hasFailed("macro", name)) {
          // A macro whose definition failed to read: already reported there.
          broken = true;
          return undefined;
        }
        if (m === undefined) {
          unknown.push({ name, span });
          return undefined;
        }
        if (m.broken || m.tree === undefined) {
          // Already reported where the macro is defined.
          broken = true;
          return undefined;
        }
        if (path.includes(name)) {
          loops.push({ name, span });
          unknown.push({ name, span });
          return undefined;
        }
        path.push(name);
        const base = virtual.add(m.tree.text);
        const body = visit(shiftExpr(m.tree.expr, base));
        path.pop();
        resolved.push(name);
        for (const n of m.macros) usedMacros.add(n);
        for (const n of m.lists) usedLists.add(n);
        return body;
      });
    const expr = visit(tree.expr);
    const text = virtual.build();
    const problem = loops[0] ?? unknown[0];
    if (problem !== undefined) {
      const message =
        loops.length > 0
          ? `reference loop in macro '${problem.name}'`
          : `Undefined macro '${problem.name}' used in filter.`;
      this.conditionError("LOAD_ERR_VALIDATE", message, ctx, text, problem.span);
      return undefined;
    }
    if (broken) return undefined;
    for (const name of resolved) {
      this.macros.get(name)!.used = true;
      usedMacros.add(name);
    }
    return { expr, text };
  }

  // ---- rules ---------------------------------------------------------------------------------------

  private compileRule(r: CollectedRule): CompiledRule | undefined {
    if (r.unknownSource) return undefined;
    const schema = this.options.schemaFor(r.source);
    if (schema === undefined) return undefined;
    const condFrames = textFrames(r.condition, r.ctx);

    const exceptionFields = new Set<string>();
    let condition = r.condition;
    if (r.exceptions.length > 0) {
      const built = this.exceptionsCondition(r, exceptionFields);
      if (built === undefined) return undefined;
      condition = built;
    }

    // The output first, as Falco does.
    const output = this.compileOutput(r, schema);
    if (output === undefined) return undefined;
    const extraFields = this.compileExtraFields(r, schema);
    if (extraFields === undefined) return undefined;

    const parsed = this.parse(condition, condFrames);
    if (parsed === undefined) return undefined;
    const usedMacros = new Set<string>();
    const usedLists = new Set<string>();
    const expanded = this.expandLists(parsed, condFrames, usedLists);
    if (expanded === undefined) return undefined;
    const resolved = this.resolveMacros(
      { expr: expanded, text: parsed.text },
      (name) => this.macros.get(name),
      condFrames,
      usedMacros,
      usedLists,
    );
    if (resolved === undefined) return undefined;

    const checked = this.options.checker.check(resolved.expr, schema);
    for (const w of checked.warnings) {
      this.conditionError(w.code ?? "LOAD_COMPILE_CONDITION", w.message, condFrames, resolved.text, w);
    }
    const err = checked.errors[0];
    if (err !== undefined) {
      if (err.unknownFilter && r.skipIfUnknownFilter) {
        this.conditionError("LOAD_UNKNOWN_FILTER", err.message, condFrames, resolved.text, err);
        return undefined;
      }
      for (const e of this.options.stopAtFirstError ? [err] : checked.errors) {
        this.conditionError("LOAD_ERR_COMPILE_CONDITION", e.message, condFrames, resolved.text, e);
      }
      return undefined;
    }

    const eventTypes = this.options.checker.eventTypes(resolved.expr, schema);
    if (r.warnEvttypes && this.options.checker.tooManyEventTypes(eventTypes, schema)) {
      this.report(diag("LOAD_NO_EVTTYPE", "warning", NO_EVTTYPE_MESSAGE, r.ctx));
    }

    return {
      name: r.name,
      description: r.desc,
      priority: r.priority,
      source: r.source,
      tags: r.tags,
      enabled: r.enabled,
      capture: r.capture,
      captureDuration: r.captureDuration,
      warnEvttypes: r.warnEvttypes,
      skipIfUnknownFilter: r.skipIfUnknownFilter,
      conditionSource: r.condition.text,
      condition: resolved.expr,
      conditionText: printExpr(resolved.expr),
      eventTypes,
      outputSource: r.output.text,
      output,
      extraFields,
      exceptionNames: r.exceptions.map((e) => e.name),
      exceptionFields: [...exceptionFields].sort(),
      macros: [...usedMacros].sort(),
      lists: [...usedLists].sort(),
      location: r.ctx[r.ctx.length - 1].location,
    };
  }

  private compileOutput(r: CollectedRule, schema: SourceSchema): OutputFormat | undefined {
    const extras: string[] = [];
    for (const extra of this.options.extraOutput ?? []) {
      if (appliesTo(extra, r)) extras.push(extra.format);
    }
    const base = falcoOutputOptions(r.output.text, r.source);
    const result = compileOutputFormat(r.output.text, schema, {
      ...base,
      append: [...(base.append ?? []), ...extras],
    });
    if (result.ok) return result.format;
    const frames = textFrames(r.output, r.ctx);
    const e = result.error;
    const unknown = e.code === "FMT_UNKNOWN_FIELD";
    const code = unknown && r.skipIfUnknownFilter ? "LOAD_UNKNOWN_FILTER" : "LOAD_ERR_COMPILE_OUTPUT";
    this.positionedError(code, e.message, frames, r.output, e, ItemType.RULE_OUTPUT_EXPRESSION);
    return undefined;
  }

  /**
   * The `extra_fields` entries that match the rule, one per key (a later entry replaces an earlier one,
   * as in Falco's map), each format checked against the source like the output. A bad one is a
   * LOAD_ERR_COMPILE_OUTPUT error at the rule's output, whatever `skip-if-unknown-filter` says (Falco).
   */
  private compileExtraFields(r: CollectedRule, schema: SourceSchema): ExtraField[] | undefined {
    const byKey = new Map<string, ExtraOutputField>();
    for (const extra of this.options.extraFields ?? []) {
      if (appliesTo(extra, r)) byKey.set(extra.key, extra);
    }
    const out: ExtraField[] = [];
    for (const key of [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const extra = byKey.get(key)!;
      // Falco skips an empty format when it formats the alert.
      if (extra.format === "") continue;
      const result = compileOutputFormat(extra.format, schema);
      if (!result.ok) {
        const message = `append_output extra field '${key}': ${result.error.message}`;
        this.report(diag("LOAD_ERR_COMPILE_OUTPUT", "error", message, textFrames(r.output, r.ctx)));
        return undefined;
      }
      out.push({ key, format: result.format, raw: extra.raw });
    }
    return out;
  }

  /**
   * Falco's build_rule_exception_infos: `(condition) and not (exception) and not ...`, each exception
   * an `or` of its value tuples, each tuple an `and` of `field comp value`. Values are quoted when they
   * contain a blank, and parenthesised after a list operator.
   */
  private exceptionsCondition(r: CollectedRule, exceptionFields: Set<string>): MappedText | undefined {
    const parts: (MappedText | string)[] = ["(", r.condition, ")"];
    for (const ex of r.exceptions) {
      const fields = ex.fields!;
      const comps = ex.comps!;
      const icond: (MappedText | string)[] = [];
      if (!fields.isList) {
        const field = entryText(fields);
        const comp = entryText(comps);
        for (const val of ex.values) {
          if (val.isList) {
            this.report(
              diag(
                "LOAD_ERR_VALIDATE",
                "error",
                "Expected values array to contain a list of strings",
                ex.ctx,
              ),
            );
            return undefined;
          }
          icond.push(icond.length === 0 ? MappedText.concat(["(", field, " ", comp, " ("]) : ", ");
          exceptionFields.add(fields.item);
          icond.push(quoted(val));
        }
        if (icond.length > 0) icond.push("))");
      } else {
        const compItems = comps.isList ? comps.items : [comps];
        let tuples = 0;
        icond.push("(");
        for (const values of ex.values) {
          const valueItems = values.isList ? values.items : [];
          if (fields.items.length !== valueItems.length) {
            this.report(
              diag("LOAD_ERR_VALIDATE", "error", "Fields and values lists must have equal length", ex.ctx),
            );
            return undefined;
          }
          icond.push(tuples++ === 0 ? "(" : " or (");
          fields.items.forEach((field, k) => {
            const comp = compItems[k];
            const value = valueItems[k];
            let rhs: MappedText;
            if (value.isList) {
              const inner: (MappedText | string)[] = ["("];
              value.items.forEach((v, i) => inner.push(...(i > 0 ? [", "] : []), quoted(v)));
              inner.push(")");
              rhs = MappedText.concat(inner);
            } else {
              const op = comp.isList ? "" : comp.item;
              rhs = isOperatorForList(op) ? parenthesised(value) : quoted(value);
            }
            icond.push(k === 0 ? " " : " and ", entryText(field), " ", entryText(comp), " ", rhs);
            if (!field.isList) exceptionFields.add(field.item);
          });
          icond.push(")");
        }
        icond.push(")");
        if (tuples === 0) icond.length = 0;
      }
      if (icond.length > 0) parts.push(" and not ", ...icond);
    }
    return MappedText.concat(parts);
  }

  // ---- shared --------------------------------------------------------------------------------------

  private parse(text: MappedText, frames: readonly ContextFrame[]): Tree | undefined {
    const parsed = parseCondition(text.text);
    if (parsed.ok) return { expr: parsed.expr, text };
    const { message, start, end } = parsed.error;
    this.conditionError("LOAD_ERR_COMPILE_CONDITION", message, frames, text, { start, end });
    return undefined;
  }

  private conditionError(
    code: Diagnostic["code"],
    message: string,
    frames: readonly ContextFrame[],
    text: MappedText,
    span: { start: number; end: number },
  ): void {
    this.positionedError(code, message, frames, text, span, ItemType.CONDITION_EXPRESSION);
  }

  /**
   * Report at the file position of `span` in `text`: the host's frames, then (when the text there came
   * from another item: a macro, an appended condition, an exception) that item's frames, then a frame
   * for the exact position.
   */
  private positionedError(
    code: Diagnostic["code"],
    message: string,
    frames: readonly ContextFrame[],
    text: MappedText,
    span: { start: number; end: number },
    positionType: string,
  ): void {
    const severity = code.startsWith("LOAD_ERR_") ? "error" : "warning";
    const at = text.locate(span.start);
    if (at === undefined) {
      this.report(diag(code, severity, message, frames));
      return;
    }
    // Text written in the host item itself: its own chain; text from elsewhere (a macro body, an
    // appended condition): the host's chain, then that item's.
    const own = at.source.frames;
    const sameItem = own.length > 1 && frames.length > 1 && sameFrame(own[1], frames[1]);
    const chain = sameItem ? [...own] : [...frames, ...own.slice(1)];
    const location = at.source.file.location(at.fileOffset);
    chain.push({ itemType: positionType, itemName: "", location });
    let length = 1;
    if (span.end > span.start) {
      const endAt = text.locate(span.end - 1);
      if (endAt !== undefined && endAt.source === at.source && endAt.fileOffset >= at.fileOffset) {
        const slice = at.source.file.text.slice(at.fileOffset, endAt.fileOffset + 1);
        if (!slice.includes("\n")) length = slice.length;
      }
    }
    this.report(diag(code, severity, message, chain, length));
  }

  private warnUnused(): void {
    for (const m of this.macros.values()) {
      if (!m.used) {
        this.report(
          diag("LOAD_UNUSED_MACRO", "warning", "Macro not referred to by any other rule/macro", m.ctx),
        );
      }
    }
    for (const l of this.lists.values()) {
      if (!l.used) {
        const ctx = this.col.lists.get(l.name)!.ctx;
        this.report(diag("LOAD_UNUSED_LIST", "warning", "List not referred to by any other rule/macro", ctx));
      }
    }
  }

  private ruleset(rules: CompiledRule[]): Ruleset {
    const macros: CompiledMacro[] = [...this.macros.values()].map((m) => ({
      name: m.name,
      conditionSource: m.source.text,
      conditionText: m.tree === undefined ? undefined : printExpr(m.tree.expr),
      used: m.used,
      location: last(m.ctx).location,
    }));
    const lists: CompiledList[] = [...this.lists.values()].map((l) => ({
      name: l.name,
      items: l.items.map((i) => i.value),
      itemsCompiled: l.compiled,
      used: l.used,
      location: last(this.col.lists.get(l.name)!.ctx).location,
    }));
    return {
      rules,
      macros,
      lists,
      requiredEngineVersion: this.col.requiredEngineVersion?.text,
      requiredPluginVersions: this.col.requiredPluginVersions.map((alts) => ({
        name: alts[0].name,
        version: alts[0].version,
        alternatives: alts.slice(1),
      })),
    };
  }
}

/** Compile what `collector` holds. */
export function compileRules(collector: Collector, options: CompileOptions): CompileResult {
  return new Compilation(collector, options).run();
}

/** Falco's append_output matching: the source, all the tags, the rule name; an empty criterion matches all. */
function appliesTo(
  extra: { readonly source?: string; readonly tags?: readonly string[]; readonly rule?: string },
  r: CollectedRule,
): boolean {
  if (extra.source !== undefined && extra.source !== "" && extra.source !== r.source) return false;
  if (extra.tags !== undefined && !extra.tags.every((t) => r.tags.includes(t))) return false;
  return extra.rule === undefined || extra.rule === "" || extra.rule === r.name;
}

function last<T>(xs: readonly T[]): T {
  return xs[xs.length - 1];
}

function sameFrame(a: ContextFrame, b: ContextFrame): boolean {
  return (
    a.itemType === b.itemType &&
    a.itemName === b.itemName &&
    a.location.file === b.location.file &&
    a.location.offset === b.location.offset
  );
}

/**
 * The context chain a condition or output is reported under: the frames of the text's first piece
 * when it was written in the item itself (item -> rule condition), else the item's own frames.
 */
function textFrames(text: MappedText, ctx: readonly ContextFrame[]): readonly ContextFrame[] {
  const first = text.segments.find((s) => s.source !== undefined)?.source;
  if (
    first !== undefined &&
    first.frames.length > 1 &&
    ctx.length > 1 &&
    sameFrame(first.frames[1], ctx[1])
  ) {
    return first.frames.slice(0, 3);
  }
  return ctx;
}

/** Falco's quote_item: wrap in double quotes a value with a blank that is not already quoted. */
export function quoteItem(v: string): string {
  return v.includes(" ") && v[0] !== '"' && v[0] !== "'" ? `"${v}"` : v;
}

function isOperatorForList(op: string): boolean {
  return (LIST_OPERATORS as readonly string[]).includes(op) || isOperatorWithModifier(op);
}

function entryText(e: ExceptionEntry): MappedText {
  if (e.isList) return MappedText.of("");
  return MappedText.of(e.item, e.source);
}

function quoted(e: ExceptionEntry): MappedText {
  if (e.isList) return MappedText.of("");
  const text = MappedText.of(e.item, e.source);
  return quoteItem(e.item) === e.item ? text : MappedText.concat(['"', text, '"']);
}

function parenthesised(e: ExceptionEntry): MappedText {
  if (e.isList) return MappedText.of("");
  const text = MappedText.of(e.item, e.source);
  return e.item.startsWith("(") ? text : MappedText.concat(["(", text, ")"]);
}
