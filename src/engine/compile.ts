// Conditions to closures. One walk serves both uses: `checkCondition` validates a condition against a
// source's schema (fields exist, operators suit their types, constants parse, transformers type-check),
// and `compileCondition` does the same walk with the source's extractors at hand and also plans each
// check into a closure. Everything is decided here, once: fields are resolved to extractors, constants
// parsed, `in` lists turned into Sets, `pmatch` lists into a prefix tree, regexes compiled. The closures
// only read values and compare; they create no closures and, outside transformers and regex, allocate
// nothing per event.
//
// The planning of one operand, a field or a transformer chain over fields, is also what output formats
// need (`%tolower(proc.name)`): `checkFieldLike` and `compileFieldLike` expose it alone, so a transformer
// means, checks and fails the same way in a condition and in an output.
//
// Semantics are libsinsp's (filter.cpp, sinsp_filtercheck.cpp): a check on a field that has no value
// for the event (<NA>) is false, whatever the operator, `!=` included; `not` negates the result, so
// `not proc.name = x` holds on <NA>; `exists` is true when the field has a value. `and`/`or`
// short-circuit left to right. Error messages are libsinsp's where it has one, so Falco users see what
// Falco says.
//
// One deliberate difference: an operator libsinsp refuses on a list field (`ka.req.role.rules.resources
// contains "pods/exec"`) is accepted, with the warning "list_element_comparison", when it applies to the
// element type; it holds when some element satisfies it (`!=`: when no element equals). Older
// falcosecurity rules files use it, and Falco loaded them until libs 6f774a41a.
//
// A field the source marks as standing for several values (SourceSchema.anyOf: proc.aname, fd.ip, ...)
// yields its candidates as a list. Its checks are planned as the ordinary check on one candidate, read
// from a slot, wrapped in a loop that puts each candidate in the slot in turn and stops at the first
// that decides (libsinsp's compare_full_aname, compare_ip/net/port). Transformers apply per candidate.
import type { FieldType, ResolvedField } from "../fields/types.js";
import type {
  BinaryCheckExpr,
  Expr,
  FieldExpr,
  FieldLike,
  FieldValueExpr,
  Span,
  TransformerArg,
  TransformerExpr,
  TransformerListExpr,
  UnaryCheckExpr,
  ValueExpr,
} from "../rules/language/ast.js";
import type { RE2JS } from "re2js";
import { constantCheck, listElementCheck, pairTest } from "./compare.js";
import {
  type CheckOperator,
  type Constant,
  LIST_OPERATORS,
  TYPE_FAMILY,
  isListElementComparison,
  operatorError,
  operatorName,
  parseConstant,
} from "./operators.js";
import { compileRegex } from "./regex.js";
import type { AnyOfMode, EventSource, Extractor, FieldValue, SourceSchema } from "./source.js";
import {
  OptString,
  TRANSFORMER_NAMES,
  applyConcat,
  applyGetopt,
  applyJoin,
  applySingle,
  isSingleTransformer,
  transformedType,
} from "./transformers.js";
import { printExpr, printFieldLike } from "../rules/language/print.js";

export type CompileErrorCode =
  /** The field does not exist in the source ("filter_check called with nonexistent field x"). */
  | "unknown_field"
  /** The field exists but its argument is malformed. */
  | "bad_field_argument"
  /** The operator (or modifier) does not apply to the field's type, or to a field on the right. */
  | "bad_operator"
  /** A constant does not parse for the field's type (number, bool, IP, hex, regex, ...). */
  | "bad_value"
  /** `evt.type` compared with a name the source does not know. */
  | "unknown_evttype"
  /** A bare identifier: a macro the loader did not expand. */
  | "unresolved_macro"
  /** A transformer with the wrong arity, argument types or bracket argument. */
  | "bad_transformer"
  /** `val(...)` of another type, or on a type that does not allow a field on the right. */
  | "type_mismatch"
  /** An `evt.type` check the event-type index cannot read (transformers, or a field on the right). */
  | "unsupported_evttype_check";

export interface CompileError {
  readonly code: CompileErrorCode;
  readonly message: string;
  /** Offsets into the condition text, half-open. */
  readonly start: number;
  readonly end: number;
}

export type CompileWarningCode =
  /** `regex` with a pattern that `=`, `contains`, `startswith` or `endswith` could express. */
  | "regex_simplifiable"
  /** A constant that names a field: `proc.name = proc.pname` instead of `val(proc.pname)`. */
  | "field_as_value"
  /** A constant that looks like a transformer call: `proc.name = 'tolower(x)'`. */
  | "transformer_as_value"
  /** Saker's own: an operator libsinsp refuses on a list field, applied to each element instead. */
  | "list_element_comparison";

/** libsinsp's compiler warnings, which Falco reports as LOAD_COMPILE_CONDITION, and Saker's own. */
export interface CompileWarning {
  readonly code: CompileWarningCode;
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

export interface CompileOptions {
  /** Stop collecting errors after this many (default 100). */
  readonly maxErrors?: number;
  /**
   * Sub-conditions shared by several conditions planned against the same source (the rules of one
   * detector): each is evaluated once per event. Without it every condition is planned on its own.
   */
  readonly shared?: SharedConditions;
}

/**
 * The `and`/`or` groups that occur more than once in a set of conditions (macros expanded into many
 * rules: `open_read`, `open_write`, `spawned_process`), keyed by their canonical text, which reads back
 * to the same tree. Planned once, and remembered per event: the source's `eventStamp` tells one event
 * from the next, so a group that several rules of an event reach is computed for the first and read by
 * the others. Rule predicates are pure functions of the event and the state, which does not change
 * while the rules of one event run.
 */
export class SharedConditions {
  private readonly counts = new Map<string, number>();
  /** Predicates of the groups planned so far (one source per instance). */
  readonly plans = new Map<string, Predicate<never>>();

  constructor(conditions: readonly Expr[]) {
    for (const c of conditions) this.count(c);
  }

  private count(node: Expr): void {
    if (node.kind === "and" || node.kind === "or") {
      const key = printExpr(node);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      for (const c of node.children) this.count(c);
    } else if (node.kind === "not") this.count(node.child);
  }

  /** The key of a group worth sharing, or undefined. */
  keyOf(node: Expr): string | undefined {
    const key = printExpr(node);
    return (this.counts.get(key) ?? 0) > 1 ? key : undefined;
  }
}

export type Predicate<E> = (event: E) => boolean;

export type CheckResult =
  | { readonly ok: true; readonly warnings: readonly CompileWarning[] }
  | {
      readonly ok: false;
      readonly errors: readonly CompileError[];
      readonly warnings: readonly CompileWarning[];
    };

export type CompileResult<E> =
  | { readonly ok: true; readonly predicate: Predicate<E>; readonly warnings: readonly CompileWarning[] }
  | {
      readonly ok: false;
      readonly errors: readonly CompileError[];
      readonly warnings: readonly CompileWarning[];
    };

/** Validate `expr` against `schema` without extractors: what `saker rules validate` needs. */
export function checkCondition(expr: Expr, schema: SourceSchema, options: CompileOptions = {}): CheckResult {
  const planner = new Planner<never>(schema, undefined, options);
  planner.expr(expr);
  const warnings = planner.sortedWarnings();
  if (planner.errors.length > 0) return { ok: false, errors: planner.sortedErrors(), warnings };
  return { ok: true, warnings };
}

/** Validate `expr` and plan it into a predicate over events of `source`. */
export function compileCondition<E>(
  expr: Expr,
  source: EventSource<E>,
  options: CompileOptions = {},
): CompileResult<E> {
  const planner = new Planner<E>(source, source, options);
  const predicate = planner.expr(expr);
  const warnings = planner.sortedWarnings();
  if (planner.errors.length > 0 || predicate === undefined) {
    return { ok: false, errors: planner.sortedErrors(), warnings };
  }
  return { ok: true, predicate, warnings };
}

/** A field read inside a field or transformer expression, as written and as resolved. */
export interface FieldRead {
  readonly node: FieldExpr;
  readonly field: ResolvedField;
}

/** What a field or transformer expression yields, as far as its users need to know. */
export interface FieldLikeInfo {
  /** The type of the value after transformers, and whether it is a list. */
  readonly type: FieldType;
  readonly isList: boolean;
  /**
   * The field under single-value transformers (`proc.name` in `len(tolower(proc.name))`), whose print
   * format libsinsp renders the value with; undefined for join/concat/getopt, which have their own.
   */
  readonly field: ResolvedField | undefined;
  /** Every field read inside, in the order written (a field read twice is listed twice). */
  readonly fields: readonly FieldRead[];
}

/** A field or transformer expression planned against a source: its value for an event. */
export interface FieldLikePlan<E> extends FieldLikeInfo {
  /** The value after transformers; undefined (<NA>) when a field is missing or a transformer fails. */
  readonly read: Extractor<E>;
}

export type FieldLikeCheck =
  | { readonly ok: true; readonly info: FieldLikeInfo }
  | { readonly ok: false; readonly errors: readonly CompileError[] };

export type FieldLikeResult<E> =
  | { readonly ok: true; readonly plan: FieldLikePlan<E> }
  | { readonly ok: false; readonly errors: readonly CompileError[] };

/**
 * Check a field or transformer expression (an output format token) against `schema`:
 * the same resolution, type and arity checks, with the same messages and spans, as in conditions.
 */
export function checkFieldLike(node: FieldLike, schema: SourceSchema): FieldLikeCheck {
  const planner = new Planner<never>(schema, undefined, {});
  const operand = planner.fieldLike(node);
  if (operand === undefined || planner.errors.length > 0) {
    return { ok: false, errors: planner.sortedErrors() };
  }
  return { ok: true, info: operandInfo(operand, planner.fields) };
}

/** Check a field or transformer expression and plan it into an extractor over events of `source`. */
export function compileFieldLike<E>(node: FieldLike, source: EventSource<E>): FieldLikeResult<E> {
  const planner = new Planner<E>(source, source, {});
  const operand = planner.fieldLike(node);
  if (operand === undefined || operand.read === undefined || planner.errors.length > 0) {
    return { ok: false, errors: planner.sortedErrors() };
  }
  return { ok: true, plan: { ...operandInfo(operand, planner.fields), read: operand.read as Extractor<E> } };
}

function operandInfo(operand: Operand, fields: readonly FieldRead[]): FieldLikeInfo {
  return { type: operand.type, isList: operand.isList, field: operand.field, fields };
}

// ---------------------------------------------------------------------------------------------------

/** What the left (or right) side of a check reads, as far as planning needs to know. */
interface Operand {
  /** The type of the value compared (after transformers). */
  readonly type: FieldType;
  readonly isList: boolean;
  /** The type of the underlying field before transformers (libsinsp's get_field_info()), which
   *  join/concat/getopt check their arguments against. */
  readonly declaredType: FieldType;
  readonly declaredList: boolean;
  /** The name libsinsp prints for this operand: the field's name, "NA" for literals and join/concat/getopt. */
  readonly name: string;
  /** The field under single-value transformers, by resolved name ("evt.type"), for event-type checks. */
  readonly base: string | undefined;
  /** A bare `evt.type`/`syscall.type` appears somewhere inside. */
  readonly evttypeInside: boolean;
  /** The text of a literal argument. */
  readonly literal: string | undefined;
  readonly field: ResolvedField | undefined;
  /** Undefined in check-only mode. */
  readonly read: Extractor<unknown> | undefined;
  /** For a field that stands for several values (and single-value transformers of one): how to check
   *  its candidates one at a time. Undefined for ordinary operands and in check-only mode. */
  readonly candidates: Candidates | undefined;
}

/** The candidate a check on an any-of field is looking at. One per field reference, reused per event. */
class Slot {
  value: FieldValue = undefined;
}

/** An any-of operand planned for checking one candidate at a time. */
interface Candidates {
  readonly mode: AnyOfMode;
  /** The field's candidates for an event: a list, a single value, or undefined (<NA>). */
  readonly list: Extractor<unknown>;
  readonly slot: Slot;
  /** The candidate in `slot`, through the transformers applied to the field. */
  readonly read: Extractor<unknown>;
}

const NA_NAME = "NA";
const DEFAULT_MAX_ERRORS = 100;

// libsinsp's names for operators in "operator 'X' doesn't support right-hand side fields".
const OPERATOR_ENUM_NAME: Partial<Record<CheckOperator, string>> = { pmatch: "PMATCH", regex: "REGEX" };

// What a constant that looks like a transformer call may be meant as: `val(...)` or a transformer.
const CALL_NAMES: readonly string[] = ["val", ...TRANSFORMER_NAMES];
const REGEX_SPECIAL = ".+*?^$()[]{}|\\";

function isEvttypeField(node: FieldLike): boolean {
  return (
    node.kind === "field" &&
    node.arg === undefined &&
    (node.name === "evt.type" || node.name === "syscall.type")
  );
}

function isNetworkType(type: FieldType): boolean {
  return type === "IPNET" || type === "IPV4NET" || type === "IPV6NET";
}

/** libsinsp's heuristic: a regex whose only special characters are anchors or a leading/trailing `.*`. */
export function regexMayBeSimpler(v: string): boolean {
  const len = v.length;
  for (let i = 0; i < len; i++) {
    const c = v[i];
    if ((i === 0 && c === "^") || (i === len - 1 && c === "$")) continue;
    if (((i === 0 && len > 1) || i === len - 2) && c === "." && "+*?".includes(v[i + 1])) {
      i++;
      continue;
    }
    if (REGEX_SPECIAL.includes(c)) return false;
  }
  return true;
}

const utf8 = new TextDecoder();

function plainText(v: FieldValue): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) {
    const nul = v.indexOf(0);
    return utf8.decode(nul >= 0 ? v.subarray(0, nul) : v);
  }
  return String(v);
}

class Planner<E> {
  readonly errors: CompileError[] = [];
  readonly warnings: CompileWarning[] = [];
  /** Every field resolved so far, in planning order. */
  readonly fields: FieldRead[] = [];
  private readonly maxErrors: number;
  private readonly shared: SharedConditions | undefined;

  constructor(
    private readonly schema: SourceSchema,
    private readonly source: EventSource<E> | undefined,
    options: CompileOptions,
  ) {
    this.maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
    this.shared = options.shared;
  }

  sortedErrors(): CompileError[] {
    return [...this.errors].sort((a, b) => a.start - b.start || a.end - b.end);
  }

  sortedWarnings(): CompileWarning[] {
    return [...this.warnings].sort((a, b) => a.start - b.start || a.end - b.end);
  }

  private error(code: CompileErrorCode, message: string, span: Span): undefined {
    if (this.errors.length < this.maxErrors)
      this.errors.push({ code, message, start: span.start, end: span.end });
    return undefined;
  }

  private warn(code: CompileWarningCode, message: string, span: Span): void {
    this.warnings.push({ code, message, start: span.start, end: span.end });
  }

  /** The key of `node` when it is a group shared with other conditions and sharing is on. */
  private sharedKey(node: Expr): string | undefined {
    if (this.shared === undefined || this.source?.eventStamp === undefined) return undefined;
    if (node.kind !== "and" && node.kind !== "or") return undefined;
    return this.shared.keyOf(node);
  }

  /** `planned`, or the predicate of the same group planned for an earlier condition, once per event. */
  private share(node: Expr, planned: Predicate<E>): Predicate<E> {
    const shared = this.shared;
    const stamp = this.source?.eventStamp;
    const key = this.sharedKey(node);
    if (shared === undefined || stamp === undefined || key === undefined) return planned;
    const known = shared.plans.get(key) as Predicate<E> | undefined;
    if (known !== undefined) return known;
    const once = oncePerEvent(planned, stamp);
    shared.plans.set(key, once as Predicate<never>);
    return once;
  }

  /** The predicate for `node`; undefined in check-only mode or when `node` has errors. */
  expr(node: Expr): Predicate<E> | undefined {
    switch (node.kind) {
      case "and":
      case "or": {
        const parts: Expr[] = [];
        // A nested group of the same kind is merged in, unless it is shared: then it stays one
        // (memoized) operand.
        flatten(node.kind, node, parts, (n) => n !== node && this.sharedKey(n) !== undefined);
        const preds: Predicate<E>[] = [];
        let complete = true;
        for (const p of parts) {
          const pred = this.expr(p);
          if (pred === undefined) complete = false;
          else preds.push(pred);
        }
        if (!complete) return undefined;
        const planned = node.kind === "and" ? all(preds) : any(preds);
        return this.share(node, planned);
      }
      case "not": {
        const child = this.expr(node.child);
        if (child === undefined) return undefined;
        return (e) => !child(e);
      }
      case "identifier":
        return this.error(
          "unresolved_macro",
          `filter error: unexpected identifier '${node.name}'`,
          node.span,
        );
      case "unary":
        return this.unary(node);
      case "binary":
        return this.binary(node);
    }
  }

  private unary(node: UnaryCheckExpr): Predicate<E> | undefined {
    const left = this.fieldLike(node.left);
    if (left === undefined) return undefined;
    if (this.schema.eventTypeNames !== undefined && node.left.kind === "transformer" && left.evttypeInside) {
      return this.error(
        "unsupported_evttype_check",
        "event code search does not support `evt.type` checks with transformers",
        node.left.span,
      );
    }
    const read = left.read;
    if (read === undefined) return undefined;
    const c = left.candidates;
    if (c !== undefined && c.mode === "any") {
      const one = c.read;
      return overCandidates(c, false, (e) => one(e) !== undefined);
    }
    return (e) => read(e) !== undefined;
  }

  private binary(node: BinaryCheckExpr): Predicate<E> | undefined {
    const left = this.fieldLike(node.left);
    if (left === undefined) return undefined;
    const { op, modifier, right } = node;
    const opError = operatorError(op, modifier, left.type, left.isList);
    // Refused by libsinsp on a list field, but with a per-element reading Saker accepts with a warning.
    const perElement =
      opError !== undefined &&
      left.isList &&
      right.kind !== "field_value" &&
      isListElementComparison(op, modifier, left.type);
    if (opError !== undefined && !perElement) return this.error("bad_operator", opError, node.span);
    if (perElement) {
      const name = operatorName(op);
      const reading = op === "!=" ? "no element equals" : "any element matches";
      this.warn(
        "list_element_comparison",
        `'${name}' on list field ${printFieldLike(node.left)}: true when ${reading} (current Falco refuses this; use intersects or a per-element field)`,
        node.span,
      );
    }

    // What the event-type index (evttypes.ts) cannot read, libsinsp refuses for syscall rules.
    const evttypeOperator =
      modifier === undefined && (op === "=" || op === "==" || op === "!=" || op === "in");
    if (this.schema.eventTypeNames !== undefined && evttypeOperator) {
      if (node.left.kind === "transformer" && left.evttypeInside) {
        return this.error(
          "unsupported_evttype_check",
          "event code search does not support `evt.type` checks with transformers",
          node.left.span,
        );
      }
      if (isEvttypeField(node.left) && right.kind === "field_value") {
        return this.error(
          "unsupported_evttype_check",
          "right-hand side field comparisons on `evt.type`/`syscall.type` checks are not supported by event code search",
          right.span,
        );
      }
    }

    if (right.kind === "field_value") return this.fieldComparison(node, left, right);

    let items: readonly ValueExpr[];
    if (right.kind === "list") {
      if (modifier === undefined && !LIST_OPERATORS.has(op)) {
        return this.error(
          "bad_value",
          `filter error: '${operatorName(op)}' compares with a single value, not a list`,
          right.span,
        );
      }
      items = right.items;
    } else {
      if (modifier !== undefined) {
        return this.error(
          "bad_value",
          `filter error: '${modifier}' must be followed by a list of values`,
          right.span,
        );
      }
      items = [right];
    }

    const names = this.schema.eventTypeNames;
    const constants: Constant[] = [];
    const regexes: RE2JS[] = [];
    let failed = false;
    for (const item of items) {
      this.valueWarnings(op, item);
      const parsed = parseConstant(item.value, left.type, op);
      if (!parsed.ok) {
        failed = true;
        this.error("bad_value", parsed.message, item.span);
        continue;
      }
      if (left.base === "evt.type" && names !== undefined && !names.has(item.value)) {
        failed = true;
        this.error("unknown_evttype", `unknown event type ${item.value}`, item.span);
        continue;
      }
      if (op === "regex") {
        const re = compileRegex(item.value);
        if (!re.ok) {
          failed = true;
          this.error("bad_value", `invalid regex pattern: ${re.message}`, item.span);
          continue;
        }
        regexes.push(re.regex);
      }
      constants.push(parsed.value);
    }
    const read = left.read;
    if (failed || read === undefined) return undefined;
    const c = left.candidates;
    const check = <T>(r: Extractor<T>): Predicate<T> =>
      perElement
        ? listElementCheck(r, op, modifier, left.type, constants, regexes)
        : constantCheck(r, op, modifier, left.type, left.isList, constants, regexes);
    if (c === undefined) {
      const general = check(read);
      const planned =
        perElement || modifier !== undefined || node.left.kind !== "field" || left.field === undefined
          ? undefined
          : this.source?.planCheck?.(left.field, op, constants, general);
      return planned ?? general;
    }
    return overCandidates(c, c.mode === "either" && op === "!=", check(c.read));
  }

  private fieldComparison(
    node: BinaryCheckExpr,
    left: Operand,
    right: FieldValueExpr,
  ): Predicate<E> | undefined {
    if (right.arg !== undefined) {
      return this.error(
        "bad_transformer",
        "filter error: transformer 'val' does not support field arguments",
        right.span,
      );
    }
    const rhs = this.fieldLike(right.field);
    if (rhs === undefined) return undefined;
    const { op, modifier } = node;
    const enumName = OPERATOR_ENUM_NAME[op];
    if (enumName !== undefined) {
      return this.error(
        "bad_operator",
        `operator '${enumName}' doesn't support right-hand side fields`,
        node.span,
      );
    }
    if (modifier !== undefined) {
      return this.error(
        "bad_value",
        `filter error: '${modifier}' must be followed by a list of values`,
        right.span,
      );
    }
    if (isNetworkType(left.type)) {
      return this.error(
        "type_mismatch",
        "field type 'IPNET' doesn't support right-hand side fields",
        node.span,
      );
    }
    if (left.type !== rhs.type || left.isList !== rhs.isList) {
      const lt = `${left.type}${left.isList ? " (list)" : ""}`;
      const rt = `${rhs.type}${rhs.isList ? " (list)" : ""}`;
      return this.error(
        "type_mismatch",
        `field '${left.name}' has type '${lt}' while the right-hand side field '${rhs.name}' has incompatible type '${rt}'`,
        node.span,
      );
    }
    if (left.read === undefined || rhs.read === undefined) return undefined;
    // An any-of operand on either side is read one candidate at a time; the right side's loop runs
    // inside the left side's.
    const readLeft = left.candidates?.read ?? left.read;
    const readRight = rhs.candidates?.read ?? rhs.read;
    const test = pairTest(op, left.type, left.isList);
    let check: Predicate<E> = (e) => {
      const a = readLeft(e);
      if (a === undefined) return false;
      const b = readRight(e);
      return b !== undefined && test(a, b);
    };
    for (const c of [rhs.candidates, left.candidates]) {
      if (c !== undefined) check = overCandidates(c, c.mode === "either" && op === "!=", check);
    }
    return check;
  }

  // libsinsp's sinsp_filter_compiler::check_value_and_add_warnings.
  private valueWarnings(op: CheckOperator, item: ValueExpr): void {
    const v = item.value;
    const compact = v.replace(/[ \t\n\v\f\r]/g, "");
    if (op === "regex" && regexMayBeSimpler(v)) {
      this.warn(
        "regex_simplifiable",
        `regex check with '${v}' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'`,
        item.span,
      );
    }
    if (/^[A-Za-z]/.test(compact) && this.schema.catalogue.resolve(compact, undefined).ok) {
      this.warn("field_as_value", `'${v}' may be a valid field misused as a const string value`, item.span);
    }
    for (const t of CALL_NAMES) {
      if (
        compact.length >= t.length + 2 &&
        compact.startsWith(t) &&
        compact[t.length] === "(" &&
        compact.endsWith(")")
      ) {
        this.warn(
          "transformer_as_value",
          `'${v}' may be a valid field transformer misused as a const string value`,
          item.span,
        );
      }
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Operands

  fieldLike(node: FieldLike): Operand | undefined {
    return node.kind === "field" ? this.field(node) : this.transformer(node);
  }

  private field(node: FieldExpr): Operand | undefined {
    const resolved = this.schema.catalogue.resolve(node.name, node.arg);
    if (!resolved.ok) {
      if (resolved.reason === "unknown") {
        const written = node.arg === undefined ? node.name : `${node.name}[${node.arg}]`;
        return this.error(
          "unknown_field",
          `filter_check called with nonexistent field ${written}`,
          node.span,
        );
      }
      return this.error("bad_field_argument", resolved.message, node.span);
    }
    const { info } = resolved.field;
    this.fields.push({ node, field: resolved.field });
    const read = this.source?.extractor(resolved.field) as Extractor<unknown> | undefined;
    const mode = read === undefined ? undefined : this.schema.anyOf?.(resolved.field);
    let candidates: Candidates | undefined;
    if (read !== undefined && mode !== undefined) {
      const slot = new Slot();
      candidates = { mode, list: read, slot, read: () => slot.value };
    }
    return {
      type: info.type,
      isList: info.isList,
      declaredType: info.type,
      declaredList: info.isList,
      name: info.name,
      base: info.name,
      evttypeInside: isEvttypeField(node),
      literal: undefined,
      field: resolved.field,
      read,
      candidates,
    };
  }

  private literal(node: ValueExpr): Operand {
    const text = node.value;
    return {
      type: "CHARBUF",
      isList: false,
      declaredType: "CHARBUF",
      declaredList: false,
      name: NA_NAME,
      base: undefined,
      evttypeInside: false,
      literal: text,
      field: undefined,
      read: this.source === undefined ? undefined : () => text,
      candidates: undefined,
    };
  }

  private transformerArg(node: TransformerArg): Operand | undefined {
    switch (node.kind) {
      case "value":
        return this.literal(node);
      case "transformer_list":
        return this.transformerList(node);
      default:
        return this.fieldLike(node);
    }
  }

  // `(a, "b", proc.pid)` inside a transformer: a list of strings. Numbers are rendered as text the way
  // the field prints them; a list field contributes all its elements; any <NA> makes the list <NA>.
  private transformerList(node: TransformerListExpr): Operand | undefined {
    const items: Operand[] = [];
    let complete = true;
    for (const item of node.items) {
      const op = item.kind === "value" ? this.literal(item) : this.fieldLike(item);
      if (op === undefined) complete = false;
      else items.push(op);
    }
    if (!complete) return undefined;
    let read: Extractor<unknown> | undefined;
    const source = this.source;
    if (source !== undefined) {
      const reads = items.map((i) => i.read as Extractor<unknown>);
      const texts = items.map((i): ((v: FieldValue) => string) => {
        const field = i.field;
        const family = TYPE_FAMILY[i.type];
        if (field !== undefined && i.type === field.info.type && family !== "string" && family !== "buffer") {
          return (v) => source.render(field, v);
        }
        return plainText;
      });
      read = (e) => {
        const out: string[] = [];
        for (let i = 0; i < reads.length; i++) {
          const v = reads[i](e);
          if (v === undefined) return undefined;
          if (Array.isArray(v)) for (const x of v) out.push(plainText(x));
          else out.push(texts[i](v));
        }
        return out;
      };
    }
    return {
      type: "CHARBUF",
      isList: true,
      declaredType: "CHARBUF",
      declaredList: true,
      name: NA_NAME,
      base: undefined,
      evttypeInside: items.some((i) => i.evttypeInside),
      literal: undefined,
      field: undefined,
      read,
      candidates: undefined,
    };
  }

  private transformer(node: TransformerExpr): Operand | undefined {
    const args: Operand[] = [];
    let complete = true;
    for (const a of node.args) {
      const op = this.transformerArg(a);
      if (op === undefined) complete = false;
      else args.push(op);
    }
    if (!complete) return undefined;
    const evttypeInside = args.some((a) => a.evttypeInside);

    if (args.length === 1) {
      const name = node.name;
      if (!isSingleTransformer(name)) {
        return this.error("bad_transformer", `unknown field transfomer '${name}'`, node.span);
      }
      if (node.arg !== undefined) {
        return this.error(
          "bad_transformer",
          `filter error: transformer '${name}' does not support field arguments`,
          node.span,
        );
      }
      const input = args[0];
      const out = transformedType(name, input);
      if (out === undefined) {
        return this.error(
          "bad_transformer",
          `can't add field transformer: type '${input.type}' is not supported by '${name}' transformer applied on ${
            input.isList ? "list " : ""
          }field '${input.name}'`,
          node.span,
        );
      }
      const c = input.candidates;
      return {
        ...input,
        type: out.type,
        isList: out.isList,
        literal: undefined,
        read: input.read === undefined ? undefined : applySingle(name, input.read),
        candidates: c === undefined ? undefined : { ...c, read: applySingle(name, c.read) },
      };
    }

    const result = (isList: boolean, read: Extractor<unknown> | undefined): Operand => ({
      type: "CHARBUF",
      isList,
      declaredType: "CHARBUF",
      declaredList: false,
      name: NA_NAME,
      base: undefined,
      evttypeInside,
      literal: undefined,
      field: undefined,
      read,
      candidates: undefined,
    });
    const fail = (message: string) => this.error("bad_transformer", message, node.span);
    const live = this.source !== undefined;

    switch (node.name) {
      case "join": {
        if (args.length !== 2) return fail("join() requires exactly 2 arguments: separator and list");
        if (args[0].declaredList)
          return fail("join() first argument (separator) must be a single value, not a list");
        if (!args[1].declaredList) return fail("join() second argument must be a list");
        if (node.arg !== undefined) return fail("transformer 'join' does not support field arguments");
        return result(false, live ? applyJoin(args[0].read!, args[1].read!) : undefined);
      }
      case "concat": {
        if (args.length < 2) return fail("concat() requires at least 2 arguments");
        if (args.some((a) => a.declaredType !== "CHARBUF" || a.declaredList)) {
          return fail("concat() arguments must be strings");
        }
        if (node.arg !== undefined) return fail("transformer 'concat' does not support field arguments");
        return result(false, live ? applyConcat(args.map((a) => a.read!)) : undefined);
      }
      case "getopt": {
        if (args.length !== 2) return fail("getopt() requires exactly 2 arguments: args list and optstring");
        if (!args[0].declaredList) return fail("getopt() first argument must be a list");
        if (args[1].declaredList) return fail("getopt() second argument (optstring) must be a single value");
        if (args[0].declaredType !== "CHARBUF" || args[1].declaredType !== "CHARBUF") {
          return fail("getopt() arguments must be strings");
        }
        if (node.arg !== undefined && node.arg.length !== 1) {
          return fail("getopt() field argument must be a single option character");
        }
        if (!live) return result(node.arg === undefined, undefined);
        // A literal optstring is parsed once, here.
        const optstring = args[1].literal !== undefined ? new OptString(args[1].literal) : args[1].read!;
        return result(node.arg === undefined, applyGetopt(args[0].read!, optstring, node.arg));
      }
      default:
        return fail("unknown multivalue transformer");
    }
  }
}

/**
 * A check on an any-of operand: `check` on each candidate in turn (put in the operand's slot), holding
 * when it holds for some candidate, or with `every`, for all of them (and there is at least one).
 */
function overCandidates<E>(c: Candidates, every: boolean, check: Predicate<E>): Predicate<E> {
  const { list, slot } = c;
  return (e) => {
    const v = list(e);
    if (v === undefined) return false;
    let held: boolean;
    if (!Array.isArray(v)) {
      slot.value = v;
      held = check(e);
    } else {
      const n = v.length;
      held = every && n > 0;
      for (let i = 0; i < n; i++) {
        slot.value = (v as readonly FieldValue[])[i];
        if (check(e) !== every) {
          held = !every;
          break;
        }
      }
    }
    slot.value = undefined;
    return held;
  };
}

/** `p`, computed once per event: the value is kept for the event object and stamp it was computed for. */
function oncePerEvent<E>(p: Predicate<E>, stamp: (event: E) => number): Predicate<E> {
  let last: E | undefined = undefined;
  let at = -1;
  let value = false;
  return (e) => {
    const s = stamp(e);
    if (s === at && e === last) return value;
    value = p(e);
    last = e;
    at = s;
    return value;
  };
}

function flatten(kind: "and" | "or", node: Expr, out: Expr[], keep: (node: Expr) => boolean): void {
  if (node.kind === kind && !keep(node)) for (const c of node.children) flatten(kind, c, out, keep);
  else out.push(node);
}

// `and`/`or` of n predicates. Every call site below always calls the same closure, so V8 can inline
// them; a loop over an array of closures would make one megamorphic call site. Long chains split in
// halves (depth log n).
function all<E>(preds: readonly Predicate<E>[]): Predicate<E> {
  switch (preds.length) {
    case 0:
      return () => true;
    case 1:
      return preds[0];
    case 2: {
      const [a, b] = preds;
      return (e) => a(e) && b(e);
    }
    case 3: {
      const [a, b, c] = preds;
      return (e) => a(e) && b(e) && c(e);
    }
    case 4: {
      const [a, b, c, d] = preds;
      return (e) => a(e) && b(e) && c(e) && d(e);
    }
    default: {
      const half = Math.ceil(preds.length / 2);
      const a = all(preds.slice(0, half));
      const b = all(preds.slice(half));
      return (e) => a(e) && b(e);
    }
  }
}

function any<E>(preds: readonly Predicate<E>[]): Predicate<E> {
  switch (preds.length) {
    case 0:
      return () => false;
    case 1:
      return preds[0];
    case 2: {
      const [a, b] = preds;
      return (e) => a(e) || b(e);
    }
    case 3: {
      const [a, b, c] = preds;
      return (e) => a(e) || b(e) || c(e);
    }
    case 4: {
      const [a, b, c, d] = preds;
      return (e) => a(e) || b(e) || c(e) || d(e);
    }
    default: {
      const half = Math.ceil(preds.length / 2);
      const a = any(preds.slice(0, half));
      const b = any(preds.slice(half));
      return (e) => a(e) || b(e);
    }
  }
}
