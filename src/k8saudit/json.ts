// JSON as the k8saudit and json plugins see it. Those plugins parse with Go's fastjson and turn every
// non-string value back into text with fastjson's marshaller (json.obj additionally re-indents that text
// with Go's encoding/json). Rules compare against that text (`ka.req.configmap.obj contains ...`,
// `ka.req.pod.containers.privileged intersects (true)`), so this module reproduces it: lookups with
// fastjson's rules (numeric keys index arrays, first level only), strings quoted the way Go's strconv
// quotes them when they need escaping, and Go's indentation layout.
//
// Values come from JSON.parse (native, fast, iterative: deep input cannot overflow its stack). Before
// parsing, `checkJsonDepth` rejects input nested deeper than fastjson accepts, so everything here may
// recurse: the depth is bounded by MAX_JSON_DEPTH.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** fastjson's MaxDepth: a value nested deeper than this (counting the top-level value as 1) fails to parse. */
export const MAX_JSON_DEPTH = 300;

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Nesting check on raw JSON text, without building anything: true when no value sits deeper than
 * MAX_JSON_DEPTH. Strings are skipped (brackets inside them do not count). Malformed text is left for
 * JSON.parse to reject.
 */
export function checkJsonDepth(text: string): boolean {
  const n = text.length;
  if (n <= MAX_JSON_DEPTH) return true; // cannot hold MAX_JSON_DEPTH + 1 openers
  let open = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      if (open >= MAX_JSON_DEPTH) return false; // a key or value inside a container at the limit
      // Jump to the closing quote: the next '"' preceded by an even number of backslashes.
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return true; // unterminated: JSON.parse will reject it
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c /* \ */) k--;
        if ((j - 1 - k) % 2 === 0) break;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (open >= MAX_JSON_DEPTH) return false;
      open++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (open > 0) open--;
    } else if (open >= MAX_JSON_DEPTH && c > 0x20 && c !== 0x2c /* , */ && c !== 0x3a /* : */) {
      return false; // a scalar one level too deep
    }
  }
  return true;
}

/** fastjson's array index for a key: strconv.Atoi semantics (optional sign, decimal digits). */
function arrayIndex(key: string): number {
  const n = key.length;
  if (n === 0) return -1;
  let i = 0;
  let neg = false;
  const c0 = key.charCodeAt(0);
  if (c0 === 0x2b /* + */ || c0 === 0x2d /* - */) {
    neg = c0 === 0x2d;
    i = 1;
    if (n === 1) return -1;
  }
  let v = 0;
  for (; i < n; i++) {
    const d = key.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
    if (v > Number.MAX_SAFE_INTEGER) return -1;
  }
  return neg ? (v === 0 ? 0 : -1) : v;
}

/**
 * One step of a fastjson lookup: an object member (first level, own properties only, so "constructor"
 * or "__proto__" never reach Object.prototype), or an array element when the key is a number.
 */
export function getKey(v: JsonValue | undefined, key: string): JsonValue | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  if (Array.isArray(v)) {
    const idx = arrayIndex(key);
    return idx >= 0 && idx < v.length ? v[idx] : undefined;
  }
  return Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
}

/** A multi-key fastjson lookup (`v.Get(k1, k2, ...)`). */
export function getPath(v: JsonValue | undefined, keys: readonly string[]): JsonValue | undefined {
  let cur = v;
  for (let i = 0; i < keys.length && cur !== undefined; i++) cur = getKey(cur, keys[i]);
  return cur;
}

/**
 * Parse the argument of json.value/jevt.value the way the json plugin does: an optional leading "/",
 * then "/"-separated keys with "~1" -> "/" and "~0" -> "~". Done once at plan time.
 */
export function parseJsonPointer(arg: string): readonly string[] {
  const body = arg.startsWith("/") ? arg.slice(1) : arg;
  return body.split("/").map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"));
}

// --- text forms -------------------------------------------------------------------------------------

/** fastjson escapes a string only when it holds '"', '\\' or a control character. */
function needsQuoting(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return true;
  }
  return false;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's unicode.IsPrint. */
function isGoPrint(cp: number, ch: string): boolean {
  if (cp < 0x100) return (cp >= 0x20 && cp < 0x7f) || (cp >= 0xa1 && cp !== 0xad);
  return PRINTABLE.test(ch);
}

function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, "0");
}

/**
 * Go's strconv.Quote, which fastjson uses for strings that need escaping. `valid` is cleared when the
 * result is not valid JSON (Go writes \a, \v and \xNN escapes), which makes json.obj unavailable.
 */
function goQuote(s: string, state: { valid: boolean }): string {
  let out = '"';
  for (const ch of s) {
    let cp = ch.codePointAt(0) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // lone surrogate: not valid UTF-8 text
    if (cp === 0x22 || cp === 0x5c) {
      out += "\\" + ch;
      continue;
    }
    if (isGoPrint(cp, ch)) {
      out += cp === 0xfffd ? "\ufffd" : ch;
      continue;
    }
    switch (cp) {
      case 0x07:
        out += "\\a";
        state.valid = false;
        break;
      case 0x08:
        out += "\\b";
        break;
      case 0x0c:
        out += "\\f";
        break;
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x0b:
        out += "\\v";
        state.valid = false;
        break;
      default:
        if (cp < 0x20 || cp === 0x7f) {
          out += "\\x" + hex(cp, 2);
          state.valid = false;
        } else if (cp < 0x10000) out += "\\u" + hex(cp, 4);
        else {
          out += "\\U" + hex(cp, 8);
          state.valid = false;
        }
    }
  }
  return out + '"';
}

function quoteString(s: string, state: { valid: boolean }): string {
  return needsQuoting(s) ? goQuote(s, state) : '"' + s + '"';
}

function numberText(n: number): string {
  // fastjson keeps a number's source text; JSON.parse keeps only its value. Integers and ordinary
  // decimals print the same; exotic spellings (1.0, 1E3, -0) come out in JavaScript's form.
  return Number.isFinite(n) ? String(n) : n > 0 ? "1e999" : "-1e999";
}

function compactInto(v: JsonValue, state: { valid: boolean }): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return quoteString(v, state);
    case "number":
      return numberText(v);
    case "boolean":
      return v ? "true" : "false";
  }
  if (Array.isArray(v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ",";
      out += compactInto(v[i], state);
    }
    return out + "]";
  }
  let out = "{";
  let first = true;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    if (!first) out += ",";
    first = false;
    out += quoteString(k, state) + ":" + compactInto(v[k], state);
  }
  return out + "}";
}

/** fastjson's MarshalTo: the compact text of a value. */
export function marshalCompact(v: JsonValue): string {
  return compactInto(v, { valid: true });
}

/** The text a plugin reports for a value: strings as they are, everything else marshalled. */
export function valueAsString(v: JsonValue): string {
  return typeof v === "string" ? v : compactInto(v, { valid: true });
}

function indentInto(v: JsonValue, pad: string, state: { valid: boolean }): string {
  if (v === null || typeof v !== "object") return compactInto(v, state);
  const inner = pad + "  ";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    let out = "[";
    for (let i = 0; i < v.length; i++) out += (i > 0 ? ",\n" : "\n") + inner + indentInto(v[i], inner, state);
    return out + "\n" + pad + "]";
  }
  let out = "{";
  let first = true;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    out += (first ? "\n" : ",\n") + inner + quoteString(k, state) + ": " + indentInto(v[k], inner, state);
    first = false;
  }
  return first ? "{}" : out + "\n" + pad + "}";
}

/**
 * json.obj: the marshalled event re-indented by Go's json.Indent (two spaces, `": "`, empty containers
 * kept as `{}`/`[]`). Undefined when the marshalled text is not valid JSON, as Indent then fails.
 */
export function marshalIndented(v: JsonValue): string | undefined {
  const state = { valid: true };
  const out = indentInto(v, "", state);
  return state.valid ? out : undefined;
}
