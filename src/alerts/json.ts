// JSON text exactly as Falco's JSON libraries write it. Falco has used two, and they differ in the
// bytes users see:
// - "jsoncpp" (libsinsp's bundled jsoncpp FastWriter; every Falco up to 0.38 for the alert object and
//   every Falco for output_fields before re-parsing): control characters as \u00XX in upper-case hex,
//   non-ASCII written raw, doubles as printf "%.17g".
// - "nlohmann" (nlohmann::json::dump with error_handler replace; Falco >= 0.39 for the whole alert):
//   control characters as \u00xx in lower-case hex, invalid UTF-8 replaced by U+FFFD, doubles in the
//   shortest form that reads back, with ".0" on integral values and a two-digit exponent.
// Both write objects with their keys sorted and no whitespace. Values are encoded straight into the
// output string; nothing here builds an intermediate object.

export type JsonDialect = "jsoncpp" | "nlohmann";

/** A JSON scalar as alerts carry it; bigint is an integer beyond 2^53 (timestamps). */
export type JsonScalar = string | number | bigint | boolean | null;

// Characters that need escaping in either dialect: '"', '\\' and C0 controls.
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
// A lone surrogate: UTF-16 that has no UTF-8 form. nlohmann's "replace" handler writes U+FFFD for
// the invalid bytes such text would have come from.
const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const UPPER_HEX = "0123456789ABCDEF";
const LOWER_HEX = "0123456789abcdef";

/** `"text"` with the dialect's escapes. */
export function quoteJson(text: string, dialect: JsonDialect): string {
  if (dialect === "nlohmann" && SURROGATE.test(text)) text = text.replace(LONE_SURROGATES, "\ufffd");
  if (!NEEDS_ESCAPE.test(text)) return '"' + text + '"';
  const hex = dialect === "jsoncpp" ? UPPER_HEX : LOWER_HEX;
  let out = '"';
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let esc: string;
    if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = "\\\\";
    else if (c >= 0x20) continue;
    else if (c === 0x08) esc = "\\b";
    else if (c === 0x0c) esc = "\\f";
    else if (c === 0x0a) esc = "\\n";
    else if (c === 0x0d) esc = "\\r";
    else if (c === 0x09) esc = "\\t";
    else esc = "\\u00" + hex[c >> 4] + hex[c & 15];
    out += text.slice(run, i) + esc;
    run = i + 1;
  }
  return out + text.slice(run) + '"';
}

/** A double as jsoncpp writes it: C's "%.17g" ("0.10000000000000001", "1e+17"); NaN as null. */
export function jsoncppDouble(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "null" : x < 0 ? "-1e+9999" : "1e+9999";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const exp = x.toExponential(16);
  const e = exp.indexOf("e");
  const exponent = Number(exp.slice(e + 1));
  if (exponent < -4 || exponent >= 17) {
    return (
      stripFractionZeros(exp.slice(0, e)) + "e" + (exponent < 0 ? "-" : "+") + twoDigits(Math.abs(exponent))
    );
  }
  return stripFractionZeros(x.toFixed(16 - exponent));
}

/**
 * A double as Falco >= 0.39 writes it in output_fields: libsinsp writes "%.17g" with jsoncpp, Falco
 * re-parses that with nlohmann and dumps it again. Integral text stays an integer ("2"), anything else
 * becomes nlohmann's shortest float form ("0.1", "1e+17", "1.5e-07").
 */
export function nlohmannReparsedDouble(x: number): string {
  const first = jsoncppDouble(x);
  if (first === "null" || first.endsWith("e+9999")) return "null";
  if (!/[.e]/.test(first)) return first;
  return nlohmannDouble(x);
}

/** nlohmann::detail::to_chars: shortest round-trip digits, laid out with exponent limits -4 and 15. */
export function nlohmannDouble(x: number): string {
  if (!Number.isFinite(x)) return "null";
  let sign = "";
  if (x < 0 || Object.is(x, -0)) {
    sign = "-";
    x = -x;
  }
  if (x === 0) return sign + "0.0";
  const exp = x.toExponential();
  const e = exp.indexOf("e");
  const digits = exp[0] + (e > 1 ? exp.slice(2, e) : "");
  const k = digits.length;
  const n = Number(exp.slice(e + 1)) + 1; // position of the decimal point from the first digit
  if (k <= n && n <= 15) return sign + digits + "0".repeat(n - k) + ".0";
  if (0 < n && n <= 15) return sign + digits.slice(0, n) + "." + digits.slice(n);
  if (-4 < n && n <= 0) return sign + "0." + "0".repeat(-n) + digits;
  const mantissa = k === 1 ? digits : digits[0] + "." + digits.slice(1);
  const e10 = n - 1;
  const abs = Math.abs(e10);
  return sign + mantissa + "e" + (e10 < 0 ? "-" : "+") + (abs < 10 ? "0" + abs : String(abs));
}

/** A double-typed value (libsinsp PT_DOUBLE) in output_fields, as the dialect's Falco prints it. */
export function doubleJson(x: number, dialect: JsonDialect): string {
  return dialect === "jsoncpp" ? jsoncppDouble(x) : nlohmannReparsedDouble(x);
}

/** An integer-typed value: exact decimal digits, whatever its size. */
export function integerJson(n: number | bigint): string {
  if (typeof n === "bigint" || Math.abs(n) <= Number.MAX_SAFE_INTEGER) return n.toString();
  return Number.isFinite(n) ? BigInt(Math.trunc(n)).toString() : "null";
}

/** One scalar whose type is not known: integral numbers print as integers, others as doubles. */
export function scalarJson(value: JsonScalar, dialect: JsonDialect): string {
  switch (typeof value) {
    case "string":
      return quoteJson(value, dialect);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return Number.isInteger(value) ? integerJson(value) : doubleJson(value, dialect);
    default:
      return "null";
  }
}

function stripFractionZeros(text: string): string {
  if (text.indexOf(".") < 0) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 0x30) end--;
  if (text.charCodeAt(end - 1) === 0x2e) end--;
  return text.slice(0, end);
}

function twoDigits(n: number): string {
  return n < 10 ? "0" + n : String(n);
}
