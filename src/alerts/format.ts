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
// - Error messages are Falco's own; positions are offsets into the compiled text (`OutputFormat.text`).
//
// output_fields (the JSON alert's map, and Falco's get_field_values) has one key per distinct field, as
// written (`proc.aname[2]`, `evt.arg.flags`), sorted, with the field's typed value: numbers for numeric
// fields, strings for text, null for <NA>.
import type { EventSource, Extractor, SourceSchema } from "../engine/source.js";
import type { FieldType, ResolvedField } from "../fields/types.js";
import type { Span } from "../rules/language/ast.js";
import { parseFieldLike } from "../rules/language/parser.js";
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
  /** A field transformer (`%tolower(proc.name)`): not yet evaluable in outputs */
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

export type FormatToken = LiteralToken | FieldToken;

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
    if (!token.ok) return formatError(token.code, token.message, at(percent, token.end), text);
    out.push({ kind: "field", key: token.key, field: token.field, width, span: at(percent, token.end) });
    j = token.end;
    literalStart = j;
  }
  flushLiteral(length);
  return undefined;
}

type FieldRead =
  | { readonly ok: true; readonly key: string; readonly field: ResolvedField; readonly end: number }
  | { readonly ok: false; readonly code: FormatErrorCode; readonly message: string; readonly end: number };

// One field at `start` (just after '%' and width). libsinsp quotes the whole rest of the format in
// its messages ("invalid formatting token not_a_real_field"), so these do too.
function readField(text: string, start: number, schema: SourceSchema): FieldRead {
  const rest = text.slice(start);
  const parsed = parseFieldLike(text, start);
  if (!parsed.ok) {
    return {
      ok: false,
      code: "FMT_UNKNOWN_FIELD",
      message: "invalid formatting token " + rest,
      end: wordEnd(text, start),
    };
  }
  const node = parsed.node;
  if (node.kind === "transformer") {
    return {
      ok: false,
      code: "FMT_TRANSFORMER",
      message: `field transformer '${node.name}' is not supported in outputs`,
      end: parsed.end,
    };
  }
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
  return { ok: true, key: text.slice(start, end), field: resolved.field, end };
}

function makeFormat(text: string, tokens: readonly FormatToken[]): OutputFormat {
  const byKey = new Map<string, ResolvedField>();
  for (const t of tokens) if (t.kind === "field" && !byKey.has(t.key)) byKey.set(t.key, t.field);
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
  // One extractor per distinct field, shared by the message and output_fields.
  const extractors = new Map<string, Extractor<E>>();
  const extractorFor = (key: string, field: ResolvedField): Extractor<E> => {
    let ex = extractors.get(key);
    if (ex === undefined) {
      ex = source.extractor(field);
      extractors.set(key, ex);
    }
    return ex;
  };

  // The message: literal, field, literal, field, ..., literal (literals possibly empty).
  const literals: string[] = [""];
  const parts: ((e: E) => string)[] = [];
  for (const t of format.tokens) {
    if (t.kind === "literal") {
      literals[literals.length - 1] += t.text;
    } else {
      parts.push(fieldText(t.field, extractorFor(t.key, t.field), source, t.width));
      literals.push("");
    }
  }
  const text = messageWriter(literals, parts);

  const fields: BoundField<E>[] = format.fields.map(({ key, field }) => {
    const ex = extractorFor(key, field);
    return { key, text: fieldText(field, ex, source, 0), json: fieldJson(field, ex, source, dialect) };
  });

  // output_fields with the optional time key merged in key order. Time-of-event fields are valued
  // with the event timestamp whatever their extractor yields (libsinsp's extract_as_js), when the
  // caller passes it.
  const timeKey = options.timeKey;
  const entries: { prefix: string; json: ((e: E) => string) | undefined; isTime: boolean }[] = [];
  const keys = fields.map((f) => f.key);
  if (timeKey !== undefined && !keys.includes(timeKey)) keys.push(timeKey);
  keys.sort(compareKeys);
  keys.forEach((key, i) => {
    const prefix = (i === 0 ? "" : ",") + quoteJson(key, dialect) + ":";
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

/** libsinsp's `resize(width, ' ')` on the UTF-8 bytes: pad with spaces or cut, whole characters only. */
export function fitWidth(text: string, width: number): string {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : 3;
    if (bytes + size > width) return text.slice(0, i) + " ".repeat(width - bytes);
    bytes += size;
    if (size === 4) i++;
  }
  return bytes === width ? text : text + " ".repeat(width - bytes);
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
