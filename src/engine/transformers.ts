// Field transformers in conditions: `tolower(x)`, `toupper(x)`, `b64(x)`, `basename(x)`, `len(x)` take
// one argument and change its value (and for `len`, its type); `join(sep, list)`, `concat(a, b, ...)` and
// `getopt(args, optstring)[c]` combine several. Types are checked at plan time with libsinsp's rules and
// messages (sinsp_filter_transformer*.cpp, sinsp_filtercheck_multivalue_transformer.cpp). At run time a
// transformer is the one place a check may allocate: a new string or list per event.
import type { FieldType } from "../fields/types.js";
import type { TransformerName } from "../rules/language/ast.js";
import { TRANSFORMER_NAMES } from "../rules/language/vocabulary.js";
import type { Extractor, FieldValue } from "./source.js";
import { asciiLower, asciiUpper, utf8Length } from "./text.js";

export type SingleTransformer = "tolower" | "toupper" | "b64" | "basename" | "len";
export type MultiTransformer = "join" | "concat" | "getopt";

export { TRANSFORMER_NAMES };

export function isSingleTransformer(name: TransformerName): name is SingleTransformer {
  return name === "tolower" || name === "toupper" || name === "b64" || name === "basename" || name === "len";
}

export interface ValueType {
  readonly type: FieldType;
  readonly isList: boolean;
}

/** The type `name` turns `input` into, or undefined when libsinsp refuses that input type. */
export function transformedType(name: SingleTransformer, input: ValueType): ValueType | undefined {
  const t = input.type;
  switch (name) {
    case "tolower":
    case "toupper":
    case "basename":
      return t === "CHARBUF" || t === "FSPATH" || t === "FSRELPATH" ? input : undefined;
    case "b64":
      return t === "CHARBUF" || t === "BYTEBUF" ? input : undefined;
    case "len":
      if (input.isList) return { type: "UINT64", isList: false };
      return t === "CHARBUF" || t === "BYTEBUF" || t === "FSPATH" || t === "FSRELPATH"
        ? { type: "UINT64", isList: false }
        : undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// base64 (libsinsp Base64::decodeWithoutPadding: standard alphabet, up to two '=' at the end, and the
// unused bits of the last character must be zero)

const B64 = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++)
  B64["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;

function b64Length(n: number): number {
  return Math.floor(n / 4) * 3 + (n % 4 === 3 ? 2 : n % 4 === 2 ? 1 : 0);
}

/** Decode `n` base64 characters read through `at`; undefined when malformed. */
function b64Decode(n0: number, at: (i: number) => number): Uint8Array | undefined {
  let n = n0;
  if (n === 0) return new Uint8Array(0);
  if (at(n - 1) === 61) {
    n--;
    if (n > 0 && at(n - 1) === 61) n--;
  }
  if (n === 0 || n % 4 === 1) return undefined;
  const out = new Uint8Array(b64Length(n));
  let o = 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const c = at(i);
    const v = c < 128 ? B64[c] : -1;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    if (i % 4 === 3) {
      out[o++] = (acc >> 16) & 0xff;
      out[o++] = (acc >> 8) & 0xff;
      out[o++] = acc & 0xff;
      acc = 0;
    }
  }
  const rest = n % 4;
  if (rest === 2) {
    if ((acc & 0xf) !== 0) return undefined;
    out[o++] = (acc >> 4) & 0xff;
  } else if (rest === 3) {
    if ((acc & 0x3) !== 0) return undefined;
    out[o++] = (acc >> 10) & 0xff;
    out[o++] = (acc >> 2) & 0xff;
  }
  return out;
}

const utf8 = new TextDecoder();

function b64String(s: string): string | undefined {
  // Trailing NULs are not part of the text (libsinsp strips them before decoding).
  let n = s.length;
  while (n > 0 && s.charCodeAt(n - 1) === 0) n--;
  const bytes = b64Decode(n, (i) => s.charCodeAt(i));
  if (bytes === undefined) return undefined;
  // The result is a C string: it ends at the first NUL.
  const nul = bytes.indexOf(0);
  return utf8.decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
}

function b64Bytes(b: Uint8Array): Uint8Array | undefined {
  let n = b.length;
  while (n > 0 && b[n - 1] === 0) n--;
  return b64Decode(n, (i) => b[i]);
}

// ---------------------------------------------------------------------------------------------------
// Single-value transformers at run time

function mapScalar(v: FieldValue, f: (x: string) => string | undefined): FieldValue {
  if (typeof v === "string") return f(v);
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const x of v) {
      const y = typeof x === "string" ? f(x) : undefined;
      if (y === undefined) return undefined;
      out.push(y);
    }
    return out;
  }
  return undefined;
}

function basename(s: string): string {
  const slash = s.lastIndexOf("/");
  return slash < 0 ? s : s.slice(slash + 1);
}

/** Wrap `read` with the transformer `name`; <NA> stays <NA>, a value that cannot be transformed becomes <NA>. */
export function applySingle<E>(name: SingleTransformer, read: Extractor<E>): Extractor<E> {
  switch (name) {
    case "tolower":
      return (e) => mapScalar(read(e), asciiLower);
    case "toupper":
      return (e) => mapScalar(read(e), asciiUpper);
    case "basename":
      return (e) => mapScalar(read(e), basename);
    case "b64":
      return (e) => {
        const v = read(e);
        if (v instanceof Uint8Array) return b64Bytes(v);
        return mapScalar(v, b64String);
      };
    case "len":
      return (e) => {
        const v = read(e);
        if (v === undefined) return undefined;
        if (typeof v === "string") return utf8Length(v);
        if (v instanceof Uint8Array) return v.length;
        if (Array.isArray(v)) return v.length;
        return undefined;
      };
  }
}

// ---------------------------------------------------------------------------------------------------
// Multi-value transformers at run time

function text(x: string | number | bigint): string {
  return typeof x === "string" ? x : String(x);
}

export function applyJoin<E>(separator: Extractor<E>, list: Extractor<E>): Extractor<E> {
  return (e) => {
    const sep = separator(e);
    if (typeof sep !== "string") return undefined;
    const items = list(e);
    if (!Array.isArray(items)) return undefined;
    let out = "";
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out += sep;
      out += text(items[i]);
    }
    return out;
  };
}

export function applyConcat<E>(parts: readonly Extractor<E>[]): Extractor<E> {
  return (e) => {
    let out = "";
    for (const p of parts) {
      const v = p(e);
      if (typeof v !== "string") return undefined;
      out += v;
    }
    return out;
  };
}

/** getopt(3) optstring: which option characters exist and which take an argument. */
export class OptString {
  readonly valid = new Set<string>();
  readonly withArgument = new Set<string>();

  constructor(optstring: string) {
    let i = optstring.startsWith(":") ? 1 : 0;
    for (; i < optstring.length; i++) {
      const c = optstring[i];
      if (c === ":") continue;
      this.valid.add(c);
      if (optstring[i + 1] === ":") {
        this.withArgument.add(c);
        i++;
      }
    }
  }
}

/**
 * Scan `args` as getopt(3) would with `opts`: stop at "--" or the first non-option, skip long options,
 * expand clusters (-abc), take an option's argument from the rest of the token or the next one. Without
 * a selector the result is the stream of option letters and arguments ("?" for an unknown option, ""
 * for a missing argument); with one, the last value of that option (its argument, or the letter), or
 * <NA> when it is absent.
 */
export function getopt(
  args: readonly (string | number | bigint)[],
  opts: OptString,
  selector: string | undefined,
): FieldValue {
  const out: string[] = [];
  let selected: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const arg = text(args[k]);
    if (arg === "--") break;
    if (arg.length > 2 && arg.startsWith("--")) continue;
    if (arg.length < 2 || arg[0] !== "-") break;
    for (let i = 1; i < arg.length; i++) {
      const opt = arg[i];
      if (opt === ":" || !opts.valid.has(opt)) {
        if (selector === undefined) out.push("?");
        continue;
      }
      const match = selector === undefined || opt === selector;
      if (!opts.withArgument.has(opt)) {
        if (match) {
          if (selector === undefined) out.push(opt);
          else selected = opt;
        }
        continue;
      }
      let value: string | undefined;
      if (i + 1 < arg.length) value = arg.slice(i + 1);
      else if (k + 1 < args.length) value = text(args[++k]);
      if (match) {
        if (selector !== undefined) selected = value ?? "";
        else if (value === undefined) out.push("");
        else out.push(opt, value);
      }
      break;
    }
  }
  if (selector !== undefined) return selected;
  return out;
}

export function applyGetopt<E>(
  args: Extractor<E>,
  optstring: Extractor<E> | OptString,
  selector: string | undefined,
): Extractor<E> {
  if (optstring instanceof OptString) {
    return (e) => {
      const list = args(e);
      return Array.isArray(list) ? getopt(list, optstring, selector) : undefined;
    };
  }
  // An optstring read from the event: re-parsed only when it changes.
  let lastText: string | undefined;
  let last: OptString | undefined;
  return (e) => {
    const o = optstring(e);
    if (typeof o !== "string") return undefined;
    if (o !== lastText || last === undefined) {
      last = new OptString(o);
      lastText = o;
    }
    const list = args(e);
    return Array.isArray(list) ? getopt(list, last, selector) : undefined;
  };
}
