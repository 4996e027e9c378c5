// Rule output format strings ("An open was seen (command=%proc.cmdline)"), compiled once per rule into
// closures, with libsinsp's sinsp_evt_formatter semantics:
//
//   Format   ::= '*'? ( Literal | Token )*
//   Token    ::= '%' Width? FieldLike            FieldLike as the condition grammar reads it
//   Width    ::= [0-9]+                          pad with spaces or cut to this many bytes; 0 = none
//
// - A leading '*' is dropped. Falco always formats that way, so a field with no value prints <NA>
//   (sysdig without '*' would skip the whole line; Saker has no such mode).
// - There is no escape for a literal '%': `%%` and `100% sure` are invalid tokens, as in Falco.
// - The field is the longest prefix of the token text that names a field: `%proc.namex` is proc.name
//   followed by the text "x" (libsinsp's longest-prefix lookup).
// - `%container.info` is Falco's alias, expanded when the caller gives its expansion (syscall rules;
//   see falcoOutputOptions for the `-p` forms).
// - A token may be a transformer expression, as in conditions: `%tolower(proc.name)`,
//   `%join(",", (proc.name, proc.pname))`, `%getopt(proc.args, "c:")[c]`. The engine plans it exactly
//   as it plans a condition's operand (checkFieldLike/compileFieldLike), so it type-checks and fails
//   with the same messages. Its text is the transformed value as libsinsp prints it: with the new type
//   but the print format of the field underneath (see transformedText).
// - Error messages are Falco's own; positions are offsets into the compiled text (`OutputFormat.text`).
//   A transformer that does not parse or check is reported with the message the condition parser or
//   compiler gives, at the offending part (libsinsp's formatter retries shorter prefixes of the token and
//   then reports only "unknown filter: unexpected token after '", which helps no one).
//
// output_fields (the JSON alert's map, and Falco's get_field_values) has one key per distinct field, as
// written (`proc.aname[2]`, `evt.arg.flags`), sorted, with the field's typed value: numbers for numeric
// fields, strings for text, null for <NA>. A transformer token adds the fields it reads, untransformed,
// under libsinsp's name for each (`%toupper(proc.aname[2])` adds `proc.aname[2]`), and never itself:
// libsinsp resolves transformed tokens only when asked to (set_resolve_transformed_fields), which Falco
// never does.
import {
  checkFieldLike,
  compileFieldLike,
  type CompileErrorCode,
  type FieldLikePlan,
} from "../engine/compile.js";
import type { EventSource, Extractor, FieldValue, SourceSchema } from "../engine/source.js";
import { TRANSFORMER_NAMES } from "../engine/transformers.js";
import type { FieldType, ResolvedField } from "../fields/types.js";
import type { Span, TransformerExpr } from "../rules/language/ast.js";
import { parseFieldLike } from "../rules/language/parser.js";
import { printFieldLike } from "../rules/language/print.js";
import { doubleJson, integerJson, quoteJson, type JsonDialect } from "./json.js";

/** Stable codes for format errors; tests and the loader match on these, never on wording. */
export type FormatErrorCode =
  /** "empty formatting token" */
  | "FMT_EMPTY"
  /** "invalid formatting syntax: formatting cannot end with a %" */
  | "FMT_TRAILING_PERCENT"
  /** "invalid formatting syntax: formatting cannot end with a number" */
  | "FMT_TRAILING_WIDTH"
  /** "invalid formatting token <rest>": no field by that name (skip-if-unknown-filter tolerates it) */
  | "FMT_UNKNOWN_FIELD"
  /** The field exists but its argument is wrong (the catalogue's message) */
  | "FMT_BAD_ARGUMENT"
  /** "<rest> is filter only and cannot be used as a display field" */
  | "FMT_FILTER_ONLY"
  /** A transformer token that does not parse, or whose types or arity are wrong (the engine's message) */
  | "FMT_TRANSFORMER";

export interface FormatError {
  readonly code: FormatErrorCode;
  /** Falco's message for the same mistake. */
  readonly message: string;
  /** Half-open range in `text`: from the '%' to the end of what could be read as the token. */
  readonly start: number;
  readonly end: number;
  /** The text the positions refer to: the format with its appended parts (see OutputFormat.text). */
  readonly text: string;
}

export type CompileFormatResult =
  { readonly ok: true; readonly format: OutputFormat } | { readonly ok: false; readonly error: FormatError };

export interface OutputFormatOptions {
  /**
   * The expansion of the `%container.info` alias, itself a format. Undefined: no alias, so
   * `%container.info` must be a field of the source. Falco expands it for syscall rules only.
   */
  readonly containerInfo?: string;
  /**
   * Formats appended to the output, each after one space: Falco's `-p` extra format and
   * `append_output` entries that match the rule. Their positions continue those of the output.
   */
  readonly append?: readonly string[];
}

/** What `%container.info` means when no `-p` option changes it (Falco <= 0.38). */
export const DEFAULT_CONTAINER_INFO = "%container.name (id=%container.id)";

export interface LiteralToken {
  readonly kind: "literal";
  readonly text: string;
  readonly span: Span;
}

export interface FieldToken {
  readonly kind: "field";
  /** The field as written, without '%' and width: the output_fields key. */
  readonly key: string;
  readonly field: ResolvedField;
  /** Byte width to pad or cut the value to; 0 for none. */
  readonly width: number;
  readonly span: Span;
}

/** A transformer expression over fields: `%toupper(proc.name)`, `%concat(proc.name, "@", fd.name)`. */
export interface TransformerToken {
  readonly kind: "transformer";
  /** libsinsp's name for the expression (`toupper(proc.name)`); not an output_fields key. */
  readonly key: string;
  readonly expr: TransformerExpr;
  /** The fields read inside, untransformed, keyed as libsinsp names them: output_fields entries. */
  readonly fields: readonly { readonly key: string; readonly field: ResolvedField }[];
  /** Byte width to pad or cut the value to; 0 for none. */
  readonly width: number;
  readonly span: Span;
}

export type FormatToken = LiteralToken | FieldToken | TransformerToken;

/** A checked format: what a rule keeps after loading. Bind it to an EventSource to format events. */
export interface OutputFormat {
  /** The compiled text: the format, then " " + each appended format. */
  readonly text: string;
  readonly tokens: readonly FormatToken[];
  /** output_fields entries, one per distinct key, sorted by key. */
  readonly fields: readonly { readonly key: string; readonly field: ResolvedField }[];
  bind<E>(source: EventSource<E>, options?: BindOptions): BoundOutputFormat<E>;
}

export interface BindOptions {
  /** How output_fields values are written; default "jsoncpp" (Falco <= 0.38). */
  readonly dialect?: JsonDialect;
  /**
   * A key whose output_fields value is the time passed to fieldsJson, merged in key order: Falco's
   * alert prefix adds `evt.time` or `evt.time.iso8601` this way, valued with the event timestamp.
   * (evt.time, evt.time.s, evt.time.iso8601, evt.datetime, evt.datetime.s and evt.outputtime in the
   * format itself are valued with that time too, as libsinsp writes them.)
   */
  readonly timeKey?: string;
  /**
   * `append_output` extra fields: output_fields entries that are not part of the message, merged in
   * key order, replacing a message field (or the time key) of the same name, as Falco assigns them last.
   */
  readonly extraFields?: readonly ExtraField[];
}

/**
 * An `append_output` extra field, compiled for one rule. `raw` (a field given by name, its format
 * `%name`): the field's typed value, as output_fields holds it, or null when the format has no field by
 * that key. Otherwise (`{key: format}`): the formatted text, a JSON string.
 */
export interface ExtraField {
  readonly key: string;
  readonly format: OutputFormat;
  readonly raw: boolean;
}

/** One output_fields entry, ready to write. */
export interface BoundField<E> {
  readonly key: string;
  /** The value as text, <NA> when missing (no width applied). */
  readonly text: (e: E) => string;
  /** The value as JSON text: number, string, boolean, array, or null when missing. */
  readonly json: (e: E) => string;
}

export interface BoundOutputFormat<E> {
  readonly format: OutputFormat;
  /** The formatted message. */
  readonly text: (e: E) => string;
  /** output_fields as a JSON object text, keys sorted (with BindOptions.timeKey valued `time`). */
  readonly fieldsJson: (e: E, time?: bigint) => string;
  /** Field name -> text, <NA> when missing: Falco's get_field_values (gRPC and program outputs). */
  readonly fieldStrings: (e: E) => Record<string, string>;
  readonly fields: readonly BoundField<E>[];
}

const PERCENT = 37;
// Fields whose JSON value is the event's timestamp in nanoseconds, though their text is a time.
const TIME_OF_EVENT_FIELDS: ReadonlySet<string> = new Set([
  "evt.time",
  "evt.time.s",
  "evt.time.iso8601",
  "evt.datetime",
  "evt.datetime.s",
  "evt.outputtime",
]);
const CONTAINER_INFO = "container.info";
const NA = "<NA>";

/** Check `format` against the fields of `schema`. Nothing is extracted until the result is bound. */
export function compileOutputFormat(
  format: string,
  schema: SourceSchema,
  options: OutputFormatOptions = {},
): CompileFormatResult {
  if (format.length === 0)
    return {
      ok: false,
      error: formatError("FMT_EMPTY", "empty formatting token", { start: 0, end: 0 }, format),
    };
  let text = format;
  for (const extra of options.append ?? []) text += " " + extra;
  // The leading '*' is not part of any token; offsets stay those of `text`.
  const begin = text.charCodeAt(0) === 42 ? 1 : 0;
  const tokens: FormatToken[] = [];
  const error = tokenize(text, begin, schema, options.containerInfo, tokens, undefined);
  if (error) return { ok: false, error };
  return { ok: true, format: makeFormat(text, mergeLiterals(tokens)) };
}

/**
 * The OutputFormatOptions Falco 0.38 and earlier derive from `-p` (`print_additional`): `c`/`container`,
 * `cg`, `k`/`kubernetes`, `kg` are presets that also replace `%container.info`; any other text is
 * appended as is. Only syscall rules get `%container.info` and the extra format.
 */
export function falcoOutputOptions(output: string, source: string, print?: string): OutputFormatOptions {
  if (source !== "syscall") return {};
  const preset = print === undefined ? undefined : PRINT_PRESETS[print];
  const extra = preset ?? print ?? "";
  if (preset !== undefined && output.includes("%" + CONTAINER_INFO)) return { containerInfo: extra };
  return { containerInfo: DEFAULT_CONTAINER_INFO, append: extra === "" ? [] : [extra] };
}

const CONTAINER_PRESET = "container=%container.name (id=%container.id)";
const K8S_PRESET = "k8s.ns=%k8s.ns.name k8s.pod=%k8s.pod.name container=%container.id";
const GVISOR_IDS = " vpid=%proc.vpid vtid=%thread.vtid";
const PRINT_PRESETS: Readonly<Record<string, string>> = {
  c: CONTAINER_PRESET,
  container: CONTAINER_PRESET,
  cg: CONTAINER_PRESET + GVISOR_IDS,
  "container-gvisor": CONTAINER_PRESET + GVISOR_IDS,
  k: K8S_PRESET,
  kubernetes: K8S_PRESET,
  kg: K8S_PRESET + GVISOR_IDS,
  "kubernetes-gvisor": K8S_PRESET + GVISOR_IDS,
};

// Reads tokens of `text` from `pos` to the end into `out`. `aliasSpan` is set while expanding
// %container.info: tokens then take the alias's span, and errors point at the alias.
function tokenize(
  text: string,
  pos: number,
  schema: SourceSchema,
  containerInfo: string | undefined,
  out: FormatToken[],
  aliasSpan: Span | undefined,
): FormatError | undefined {
  let literalStart = pos;
  let j = pos;
  const length = text.length;
  const flushLiteral = (end: number): void => {
    if (end > literalStart) {
      out.push({
        kind: "literal",
        text: text.slice(literalStart, end),
        span: aliasSpan ?? { start: literalStart, end },
      });
    }
  };
  while (j < length) {
    if (text.charCodeAt(j) !== PERCENT) {
      j++;
      continue;
    }
    flushLiteral(j);
    const percent = j;
    const at = (start: number, end: number): Span => aliasSpan ?? { start, end };
    if (j === length - 1) {
      return formatError(
        "FMT_TRAILING_PERCENT",
        "invalid formatting syntax: formatting cannot end with a %",
        at(percent, length),
        text,
      );
    }
    if (containerInfo !== undefined && text.startsWith(CONTAINER_INFO, j + 1)) {
      const end = j + 1 + CONTAINER_INFO.length;
      if (containerInfo.length > 0) {
        const error = tokenize(containerInfo, 0, schema, undefined, out, at(percent, end));
        if (error) return { ...error, start: percent, end, text };
      }
      j = end;
      literalStart = j;
      continue;
    }
    let k = j + 1;
    let width = 0;
    while (k < length && isDigit(text.charCodeAt(k))) {
      width = Math.min(width * 10 + (text.charCodeAt(k) - 48), 0x7fffffff);
      k++;
    }
    if (k === length) {
      return formatError(
        "FMT_TRAILING_WIDTH",
        "invalid formatting syntax: formatting cannot end with a number",
        at(percent, length),
        text,
      );
    }
    const token = readField(text, k, schema);
    if (!token.ok) {
      return formatError(token.code, token.message, at(token.start ?? percent, token.end), text);
    }
    const span = at(percent, token.end);
    if (token.kind === "field") {
      out.push({ kind: "field", key: token.key, field: token.field, width, span });
    } else {
      const { expr, fields } = token;
      out.push({ kind: "transformer", key: printFieldLike(expr), expr, fields, width, span });
    }
    j = token.end;
    literalStart = j;
  }
  flushLiteral(length);
  return undefined;
}

type FieldRead =
  | {
      readonly ok: true;
      readonly kind: "field";
      readonly key: string;
      readonly field: ResolvedField;
      readonly end: number;
    }
  | {
      readonly ok: true;
      readonly kind: "transformer";
      readonly expr: TransformerExpr;
      readonly fields: readonly { readonly key: string; readonly field: ResolvedField }[];
      readonly end: number;
    }
  | {
      readonly ok: false;
      readonly code: FormatErrorCode;
      readonly message: string;
      /** Where the problem starts; undefined: at the token's '%'. */
      readonly start?: number;
      readonly end: number;
    };

// A transformer's name and its '(' (no blank between), as the grammar opens a transformer.
const TRANSFORMER_OPENERS = TRANSFORMER_NAMES.map((name) => name + "(");

// One field or transformer at `start` (just after '%' and width). libsinsp quotes the whole rest of the
// format in its messages ("invalid formatting token not_a_real_field"), so these do too.
function readField(text: string, start: number, schema: SourceSchema): FieldRead {
  const rest = text.slice(start);
  const parsed = parseFieldLike(text, start);
  if (!parsed.ok) {
    const { message, start: at, end } = parsed.error;
    if (TRANSFORMER_OPENERS.some((opener) => text.startsWith(opener, start))) {
      // At least one character underlined, unless the text ended.
      const to = Math.max(end, Math.min(at + 1, text.length));
      return { ok: false, code: "FMT_TRANSFORMER", message, start: at, end: to };
    }
    return {
      ok: false,
      code: "FMT_UNKNOWN_FIELD",
      message: "invalid formatting token " + rest,
      end: wordEnd(text, start),
    };
  }
  const node = parsed.node;
  if (node.kind === "transformer") return readTransformer(node, parsed.end, schema);
  const { catalogue } = schema;
  let resolved = catalogue.resolve(node.name, node.arg);
  let end = parsed.end;
  if (!resolved.ok && resolved.reason === "bad_argument") {
    return { ok: false, code: "FMT_BAD_ARGUMENT", message: resolved.message, end };
  }
  // Longest prefix of the name that is a field: the rest of the token is literal text.
  for (let len = node.name.length - 1; !resolved.ok && len > 0; len--) {
    const attempt = catalogue.resolve(node.name.slice(0, len), undefined);
    if (attempt.ok) {
      resolved = attempt;
      end = start + len;
    }
  }
  if (!resolved.ok) {
    return { ok: false, code: "FMT_UNKNOWN_FIELD", message: "invalid formatting token " + rest, end };
  }
  if (resolved.field.info.filterOnly) {
    return {
      ok: false,
      code: "FMT_FILTER_ONLY",
      message: rest + " is filter only and cannot be used as a display field",
      end,
    };
  }
  return { ok: true, kind: "field", key: text.slice(start, end), field: resolved.field, end };
}

const FORMAT_CODE: Partial<Record<CompileErrorCode, FormatErrorCode>> = {
  unknown_field: "FMT_UNKNOWN_FIELD",
  bad_field_argument: "FMT_BAD_ARGUMENT",
};

// A transformer token, checked by the engine as a condition's operand would be. Its fields must be
// displayable, as a lone field must (libsinsp >= 0.24 no longer checks either; 0.17 to 0.23 did).
function readTransformer(expr: TransformerExpr, end: number, schema: SourceSchema): FieldRead {
  const checked = checkFieldLike(expr, schema);
  if (!checked.ok) {
    const e = checked.errors[0];
    const code = FORMAT_CODE[e.code] ?? "FMT_TRANSFORMER";
    return { ok: false, code, message: e.message, start: e.start, end: e.end };
  }
  const fields: { key: string; field: ResolvedField }[] = [];
  for (const { node, field } of checked.info.fields) {
    if (field.info.filterOnly) {
      return {
        ok: false,
        code: "FMT_FILTER_ONLY",
        message: printFieldLike(node) + " is filter only and cannot be used as a display field",
        start: node.span.start,
        end: node.span.end,
      };
    }
    fields.push({ key: printFieldLike(node), field });
  }
  return { ok: true, kind: "transformer", expr, fields, end };
}

function makeFormat(text: string, tokens: readonly FormatToken[]): OutputFormat {
  const byKey = new Map<string, ResolvedField>();
  const add = (key: string, field: ResolvedField): void => {
    if (!byKey.has(key)) byKey.set(key, field);
  };
  for (const t of tokens) {
    if (t.kind === "field") add(t.key, t.field);
    else if (t.kind === "transformer") for (const f of t.fields) add(f.key, f.field);
  }
  const fields = [...byKey.keys()].sort(compareKeys).map((key) => ({ key, field: byKey.get(key)! }));
  const format: OutputFormat = {
    text,
    tokens,
    fields,
    bind: <E>(source: EventSource<E>, options?: BindOptions) => bindFormat(format, source, options ?? {}),
  };
  return format;
}

function bindFormat<E>(
  format: OutputFormat,
  source: EventSource<E>,
  options: BindOptions,
): BoundOutputFormat<E> {
  const dialect = options.dialect ?? "jsoncpp";
  // One extractor per distinct field, shared by the message, transformers and output_fields.
  const extractors = new Map<string, Extractor<E>>();
  const extractorFor = (field: ResolvedField): Extractor<E> => {
    const key = field.arg === undefined ? field.info.name : `${field.info.name}[${field.arg}]`;
    let ex = extractors.get(key);
    if (ex === undefined) {
      ex = source.extractor(field);
      extractors.set(key, ex);
    }
    return ex;
  };
  // What transformers are planned against: the source, with the extractors above.
  const shared: EventSource<E> = {
    name: source.name,
    catalogue: source.catalogue,
    eventTypeNames: source.eventTypeNames,
    extractor: extractorFor,
    render: (field, value) => source.render(field, value),
  };

  // The message: literal, field, literal, field, ..., literal (literals possibly empty).
  const literals: string[] = [""];
  const parts: ((e: E) => string)[] = [];
  for (const t of format.tokens) {
    if (t.kind === "literal") {
      literals[literals.length - 1] += t.text;
      continue;
    }
    if (t.kind === "field") {
      parts.push(fieldText(t.field, extractorFor(t.field), source, t.width));
    } else {
      const planned = compileFieldLike(t.expr, shared);
      if (!planned.ok) {
        // The format was checked against this source's fields: only a different catalogue gets here.
        throw new Error(`output token %${t.key} does not plan: ${planned.errors[0].message}`);
      }
      parts.push(transformedText(planned.plan, source, t.width));
    }
    literals.push("");
  }
  const text = messageWriter(literals, parts);

  const fields: BoundField<E>[] = format.fields.map(({ key, field }) => {
    const ex = extractorFor(field);
    return { key, text: fieldText(field, ex, source, 0), json: fieldJson(field, ex, source, dialect) };
  });

  // Extra fields, each bound to the same extractors: a raw field writes its typed value, a formatted
  // one its text. The last entry for a key wins (the loader keeps one per key anyway).
  const extras = new Map<string, { json: (e: E) => string; text: (e: E) => string; isTime: boolean }>();
  for (const extra of options.extraFields ?? []) {
    const bound = bindFormat(extra.format, shared, { dialect });
    if (extra.raw) {
      const field = bound.fields.find((f) => f.key === extra.key);
      extras.set(extra.key, {
        json: field?.json ?? (() => "null"),
        text: bound.text,
        isTime: field !== undefined && TIME_OF_EVENT_FIELDS.has(extra.key),
      });
    } else {
      const formatted = bound.text;
      extras.set(extra.key, {
        json: (e) => quoteJson(formatted(e), dialect),
        text: formatted,
        isTime: false,
      });
    }
  }

  // output_fields with the optional time key and the extra fields merged in key order. Time-of-event
  // fields are valued with the event timestamp whatever their extractor yields (libsinsp's
  // extract_as_js), when the caller passes it.
  const timeKey = options.timeKey;
  const entries: { prefix: string; json: ((e: E) => string) | undefined; isTime: boolean }[] = [];
  const keys = fields.map((f) => f.key);
  if (timeKey !== undefined && !keys.includes(timeKey)) keys.push(timeKey);
  for (const key of extras.keys()) if (!keys.includes(key)) keys.push(key);
  keys.sort(compareKeys);
  keys.forEach((key, i) => {
    const prefix = (i === 0 ? "" : ",") + quoteJson(key, dialect) + ":";
    const extra = extras.get(key);
    if (extra !== undefined) {
      entries.push({ prefix, json: extra.json, isTime: extra.isTime });
      return;
    }
    const field = fields.find((f) => f.key === key);
    const isTime = key === timeKey || TIME_OF_EVENT_FIELDS.has(key);
    entries.push({ prefix, json: field?.json, isTime });
  });
  const fieldsJson = (e: E, time?: bigint): string => {
    let out = "{";
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      out += entry.prefix;
      if (entry.isTime && time !== undefined) out += time.toString();
      else out += entry.json === undefined ? "null" : entry.json(e);
    }
    return out + "}";
  };

  const fieldStrings = (e: E): Record<string, string> => {
    const values: Record<string, string> = {};
    for (const f of fields) values[f.key] = f.text(e);
    // Falco's control message takes every extra field as text.
    for (const [key, extra] of extras) values[key] = extra.text(e);
    return values;
  };

  return { format, text, fieldsJson, fieldStrings, fields };
}

function messageWriter<E>(
  literals: readonly string[],
  parts: readonly ((e: E) => string)[],
): (e: E) => string {
  const head = literals[0];
  switch (parts.length) {
    case 0:
      return () => head;
    case 1: {
      const [p0] = parts;
      const tail = literals[1];
      return (e) => head + p0(e) + tail;
    }
    case 2: {
      const [p0, p1] = parts;
      const [, l1, l2] = literals;
      return (e) => head + p0(e) + l1 + p1(e) + l2;
    }
    default:
      return (e) => {
        let out = head;
        for (let i = 0; i < parts.length; i++) {
          out += parts[i](e);
          out += literals[i + 1];
        }
        return out;
      };
  }
}

function fieldText<E>(
  field: ResolvedField,
  ex: Extractor<E>,
  source: EventSource<E>,
  width: number,
): (e: E) => string {
  if (width === 0) {
    return (e) => {
      const v = ex(e);
      return v === undefined ? NA : source.render(field, v);
    };
  }
  return (e) => {
    const v = ex(e);
    return fitWidth(v === undefined ? NA : source.render(field, v), width);
  };
}

// The transformed value's text. libsinsp prints it (sinsp_filter_check::tostring) with the value's type
// after transformers but the print format of the field underneath:
// - a transformer that keeps the field's type (tolower, toupper, basename, b64) prints as the field does;
// - len() yields a UINT64, and rawval_to_string has no text for an unsigned number under PF_NA, the
//   print format of libsinsp's string fields and of join/concat/getopt results: the token prints <NA>.
//   Plugin fields (every source but syscall here) are PF_DEC, as are the syscall fields below: their
//   len() prints as a number;
// - join/concat/getopt results are text, lists `(a,b)` cut to libsinsp's 1023-byte buffer.
function transformedText<E>(plan: FieldLikePlan<E>, source: EventSource<E>, width: number): (e: E) => string {
  const { read, field } = plan;
  let render: (v: Exclude<FieldValue, undefined>) => string;
  if (field !== undefined && plan.type === field.info.type && plan.isList === field.info.isList) {
    render = (v) => source.render(field, v);
  } else if (plan.type === "UINT64" && !plan.isList) {
    const decimal =
      field !== undefined && (source.name !== "syscall" || DECIMAL_STRING_FIELDS.has(field.info.name));
    render = decimal ? (v) => String(v) : () => NA;
  } else {
    render = (v) => (Array.isArray(v) ? cutUtf8("(" + v.join(",") + ")", LIST_TEXT_MAX_BYTES) : String(v));
  }
  if (width === 0) {
    return (e) => {
      const v = read(e);
      return v === undefined ? NA : render(v);
    };
  }
  return (e) => {
    const v = read(e);
    return fitWidth(v === undefined ? NA : render(v), width);
  };
}

// libsinsp's string fields of the syscall source whose print format is PF_DEC or PF_ID.
const DECIMAL_STRING_FIELDS: ReadonlySet<string> = new Set([
  "evt.res",
  "fd.type",
  "fd.typechar",
  "fd.types",
  "fdlist.nums",
  "fdlist.cports",
  "fdlist.sports",
]);
// libsinsp's STRPROPERTY_STORAGE_SIZE, less the NUL.
const LIST_TEXT_MAX_BYTES = 1023;

/** libsinsp's `resize(width, ' ')` on the UTF-8 bytes: pad with spaces or cut, whole characters only. */
export function fitWidth(text: string, width: number): string {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const size = utf8Size(text.charCodeAt(i));
    if (bytes + size > width) return text.slice(0, i) + " ".repeat(width - bytes);
    bytes += size;
    if (size === 4) i++;
  }
  return bytes === width ? text : text + " ".repeat(width - bytes);
}

// The longest prefix of `text` that fits `max` UTF-8 bytes, whole characters only.
function cutUtf8(text: string, max: number): string {
  if (text.length * 3 <= max) return text;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const size = utf8Size(text.charCodeAt(i));
    if (bytes + size > max) return text.slice(0, i);
    bytes += size;
    if (size === 4) i++;
  }
  return text;
}

// UTF-8 bytes of the character starting with UTF-16 code unit `c` (4 for a surrogate pair).
function utf8Size(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : 3;
}

// How libsinsp writes a value into output_fields, by the field's type (rawval_to_json): numbers for
// numeric types, true/false for BOOL, strings for text and addresses, and the rendered text for types
// whose meaning is in their rendering (flags, modes, errno, byte buffers). Text fields that a source
// extracts as a raw number (evt.time and friends) are numbers too, as libsinsp's extract_as_js makes
// them. Lists are arrays, and an empty list is null.
type JsonKind = "number" | "double" | "bool" | "rendered";

const JSON_KIND: Readonly<Record<FieldType, JsonKind>> = {
  CHARBUF: "number",
  FSPATH: "number",
  FSRELPATH: "number",
  DYNAMIC: "number",
  INT8: "number",
  INT16: "number",
  INT32: "number",
  INT64: "number",
  UINT8: "number",
  UINT16: "number",
  UINT32: "number",
  UINT64: "number",
  PID: "number",
  FD: "number",
  PORT: "number",
  L4PROTO: "number",
  RELTIME: "number",
  ABSTIME: "number",
  UID: "number",
  GID: "number",
  DOUBLE: "double",
  BOOL: "bool",
  BYTEBUF: "rendered",
  IPV4ADDR: "rendered",
  IPV4NET: "rendered",
  IPV6ADDR: "rendered",
  IPV6NET: "rendered",
  IPADDR: "rendered",
  IPNET: "rendered",
  ERRNO: "rendered",
  SOCKADDR: "rendered",
  SOCKTUPLE: "rendered",
  FLAGS8: "rendered",
  FLAGS16: "rendered",
  FLAGS32: "rendered",
  ENUMFLAGS8: "rendered",
  ENUMFLAGS16: "rendered",
  ENUMFLAGS32: "rendered",
  MODE: "rendered",
  SIGTYPE: "rendered",
  SYSCALLID: "rendered",
  SIGSET: "rendered",
};

function fieldJson<E>(
  field: ResolvedField,
  ex: Extractor<E>,
  source: EventSource<E>,
  dialect: JsonDialect,
): (e: E) => string {
  const kind = JSON_KIND[field.info.type] ?? "rendered";
  const scalar = (v: string | number | bigint | boolean | Uint8Array): string => {
    if (typeof v === "string") return quoteJson(v, dialect);
    if (typeof v === "boolean")
      return kind === "rendered" ? quoteJson(source.render(field, v), dialect) : String(v);
    if (v instanceof Uint8Array) return quoteJson(source.render(field, v), dialect);
    switch (kind) {
      case "number":
        return typeof v === "number" && !Number.isInteger(v) ? doubleJson(v, dialect) : integerJson(v);
      case "double":
        return typeof v === "bigint" ? v.toString() : doubleJson(v, dialect);
      case "bool":
        return v !== 0 && v !== 0n ? "true" : "false";
      default:
        return quoteJson(source.render(field, v), dialect);
    }
  };
  return (e) => {
    const v = ex(e);
    if (v === undefined) return "null";
    if (!Array.isArray(v)) return scalar(v as string | number | bigint | boolean | Uint8Array);
    if (v.length === 0) return "null";
    let out = "[";
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ",";
      out += scalar(v[i]);
    }
    return out + "]";
  };
}

function mergeLiterals(tokens: readonly FormatToken[]): FormatToken[] {
  const merged: FormatToken[] = [];
  for (const t of tokens) {
    const last = merged[merged.length - 1];
    if (t.kind === "literal" && last !== undefined && last.kind === "literal") {
      merged[merged.length - 1] = {
        kind: "literal",
        text: last.text + t.text,
        span: { start: Math.min(last.span.start, t.span.start), end: Math.max(last.span.end, t.span.end) },
      };
    } else {
      merged.push(t);
    }
  }
  return merged;
}

// std::map<std::string> order: byte-wise, which for field names is code-unit order.
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// Where an unreadable token ends, for underlining: the run of characters a field name could hold.
function wordEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && /[A-Za-z0-9_.[\]]/.test(text[end])) end++;
  return Math.max(end, Math.min(start + 1, text.length));
}

function formatError(code: FormatErrorCode, message: string, span: Span, text: string): FormatError {
  return { code, message, start: span.start, end: span.end, text };
}
