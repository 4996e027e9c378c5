// Quoted strings in conditions: turning the text between the quotes into a value, and back.
//
// The accepted escapes are libsinsp's (filter/escaping.cpp), so a rule that loads in Falco loads here with
// the same values: \b \f \n \r \t \\ \/, the quote that delimits the string (\" inside "...", \' inside
// '...'), \xHH for one byte, and "\ " which reads as a lone backslash (old rules depend on that). Anything
// else after a backslash is an error, with libsinsp's wording.
//
// libsinsp works on bytes, we work on UTF-16: \xHH becomes the code unit HH, so \x41 is "A" but \xff is
// U+00FF, not the byte 0xff. Bytes >= 0x80 therefore do not compare equal to raw bytes in event data.

const BACKSLASH = 92;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;

export type Unescaped =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly message: string };

/** Resolve the escapes of the quoted string text[start, end), delimiters included. */
export function unescapeQuoted(text: string, start: number, end: number): Unescaped {
  const delimiter = text.charCodeAt(start);
  const bodyEnd = end - 1;
  // Fast path: most quoted strings in rules have no backslash at all.
  const firstBackslash = text.indexOf("\\", start + 1);
  if (firstBackslash < 0 || firstBackslash >= bodyEnd)
    return { ok: true, value: text.slice(start + 1, bodyEnd) };

  const parts: string[] = [];
  let runStart = start + 1;
  let i = firstBackslash;
  while (i < bodyEnd) {
    if (text.charCodeAt(i) !== BACKSLASH) {
      i++;
      continue;
    }
    if (i > runStart) parts.push(text.slice(runStart, i));
    // The closing quote is never preceded by a backslash, so an escape always has a character after it.
    const c = text.charCodeAt(i + 1);
    let width = 2;
    switch (c) {
      case 98 /* b */:
        parts.push("\b");
        break;
      case 102 /* f */:
        parts.push("\f");
        break;
      case 110 /* n */:
        parts.push("\n");
        break;
      case 114 /* r */:
        parts.push("\r");
        break;
      case 116 /* t */:
        parts.push("\t");
        break;
      case 32 /* space */:
      case BACKSLASH:
        parts.push("\\");
        break;
      case 47 /* / */:
        parts.push("/");
        break;
      case DOUBLE_QUOTE:
        if (delimiter !== DOUBLE_QUOTE)
          return { ok: false, message: "invalid \\\" escape in '-quoted string" };
        parts.push('"');
        break;
      case SINGLE_QUOTE:
        if (delimiter !== SINGLE_QUOTE)
          return { ok: false, message: "invalid \\' escape in \"-quoted string" };
        parts.push("'");
        break;
      case 120 /* x */: {
        if (i + 3 >= bodyEnd) return { ok: false, message: "truncated hex char escape sequence" };
        const hi = hexValue(text.charCodeAt(i + 2));
        const lo = hexValue(text.charCodeAt(i + 3));
        if (hi < 0 || lo < 0) {
          return { ok: false, message: "invalid hex char escape sequence: " + text.slice(i + 2, i + 4) };
        }
        parts.push(String.fromCharCode(hi * 16 + lo));
        width = 4;
        break;
      }
      default:
        return { ok: false, message: "unsupported string escape sequence: \\" + text.charAt(i + 1) };
    }
    i += width;
    runStart = i;
  }
  if (bodyEnd > runStart) parts.push(text.slice(runStart, bodyEnd));
  return { ok: true, value: parts.join("") };
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The double-quoted form of `value` that unescapeQuoted reads back to `value`. */
export function quoteString(value: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // The quoted-string scan ends at a quote not preceded by a backslash, so a final `\\` would hide
    // the closing quote; the final backslash is written as \x5c instead.
    const escape = c === BACKSLASH && i === value.length - 1 ? "\\x5c" : escapeFor(c);
    if (escape === undefined) continue;
    out += value.slice(runStart, i) + escape;
    runStart = i + 1;
  }
  return out + value.slice(runStart) + '"';
}

function escapeFor(c: number): string | undefined {
  switch (c) {
    case DOUBLE_QUOTE:
      return '\\"';
    case BACKSLASH:
      return "\\\\";
    case 8:
      return "\\b";
    case 9:
      return "\\t";
    case 10:
      return "\\n";
    case 12:
      return "\\f";
    case 13:
      return "\\r";
  }
  // Other control characters print as \xHH so the text stays readable; NUL must be escaped because
  // libsinsp's quoted-string scan stops at it.
  if (c < 32 || c === 127) return "\\x" + (c < 16 ? "0" : "") + c.toString(16);
  return undefined;
}
