// The `regex` operator. libsinsp compiles each pattern with RE2::POSIX options (POSIX egrep syntax: no
// \d, \w, \b, (?:...) or non-greedy operators; ^ and $ match at line breaks; leftmost-longest) and tests
// it against the whole value (RE2::Match with ANCHOR_BOTH). re2js's public `compile` only offers Perl
// syntax, so we reach its RE2 class through a compiled object and compile with the POSIX flag set
// (RE2 parse flags: ClassNL only), which accepts and rejects exactly what RE2 C++ does for these options.
//
// Matching allocates one small input wrapper per call inside re2js; there is no allocation-free entry.
import { RE2JS } from "re2js";

type RE2 = ReturnType<RE2JS["re2"]>;
interface RE2Static {
  compileImpl(expr: string, mode: number, longest: boolean): RE2;
}

// RE2Flags.CLASS_NL: what RE2::Options::ParseFlags() yields for RE2::POSIX.
const POSIX_PARSE_FLAGS = 4;
const RE2Class = RE2JS.compile("").re2().constructor as unknown as RE2Static;

export type RegexResult =
  { readonly ok: true; readonly regex: RE2JS } | { readonly ok: false; readonly message: string };

/** Compile a `regex` operand. The error text is RE2's (`missing ]: [a`), as Falco prints it after
 *  "invalid regex pattern: ". */
export function compileRegex(pattern: string): RegexResult {
  try {
    const re = new RE2JS(pattern, 0);
    re.re2Input = RE2Class.compileImpl(pattern, POSIX_PARSE_FLAGS, true);
    return { ok: true, regex: re };
  } catch (e) {
    return { ok: false, message: re2ErrorText(e) };
  }
}

// re2js reports "error parsing regexp: <code text>: `<arg>`"; RE2 C++ says "<code text>: <arg>".
function re2ErrorText(e: unknown): string {
  const err = e as { error?: unknown; message?: unknown };
  const message = typeof err.message === "string" ? err.message : String(e);
  if (typeof err.error !== "string") return message;
  const prefix = `error parsing regexp: ${err.error}`;
  if (!message.startsWith(prefix)) return err.error;
  const rest = message.slice(prefix.length);
  if (rest.startsWith(": `") && rest.endsWith("`")) return `${err.error}: ${rest.slice(3, -1)}`;
  return err.error;
}

/** The whole value matches (libsinsp anchors both ends). */
export function regexMatches(re: RE2JS, value: string): boolean {
  return re.testExact(value);
}
