// String primitives with libsinsp's C semantics, written over char codes so the per-event path allocates
// nothing: case folding is ASCII only (strcasestr, tolower and fnmatch in the C locale), `glob` is
// fnmatch(3) with no flags (`*` crosses '/', backslash escapes, bracket expressions with `!`/`^`, ranges
// and [:classes:]), and lengths are UTF-8 byte counts, as strlen sees them.

const STAR = 42; // *
const QUESTION = 63; // ?
const BACKSLASH = 92; // \
const OPEN_BRACKET = 91; // [
const CLOSE_BRACKET = 93; // ]
const BANG = 33; // !
const CARET = 94; // ^
const DASH = 45; // -
const COLON = 58; // :

function lowerCode(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function upperCode(c: number): number {
  return c >= 97 && c <= 122 ? c - 32 : c;
}

/** ASCII lower-casing (C tolower); returns the same string when nothing changes. */
export function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

/** ASCII upper-casing (C toupper); returns the same string when nothing changes. */
export function asciiUpper(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
  }
  return s;
}

/** strcasestr(hay, needle) != NULL, ASCII case folding. */
export function includesIgnoreCase(hay: string, needle: string): boolean {
  const n = needle.length;
  const last = hay.length - n;
  outer: for (let i = 0; i <= last; i++) {
    for (let j = 0; j < n; j++) {
      if (lowerCode(hay.charCodeAt(i + j)) !== lowerCode(needle.charCodeAt(j))) continue outer;
    }
    return true;
  }
  return false;
}

/** Length in UTF-8 bytes (strlen of the encoded string). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

// POSIX character classes, each with its closing ":]" so a lookup is one startsWith at an offset.
const CLASS_NAMES = [
  "alpha:]",
  "digit:]",
  "alnum:]",
  "upper:]",
  "lower:]",
  "space:]",
  "blank:]",
  "xdigit:]",
  "punct:]",
  "print:]",
  "graph:]",
  "cntrl:]",
] as const;

function classAt(pattern: string, pos: number): number {
  for (let i = 0; i < CLASS_NAMES.length; i++) if (pattern.startsWith(CLASS_NAMES[i], pos)) return i;
  return -1;
}

function inClass(cls: number, c: number): boolean {
  switch (cls) {
    case 0:
      return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    case 1:
      return c >= 48 && c <= 57;
    case 2:
      return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    case 3:
      return c >= 65 && c <= 90;
    case 4:
      return c >= 97 && c <= 122;
    case 5:
      return c === 32 || (c >= 9 && c <= 13);
    case 6:
      return c === 32 || c === 9;
    case 7:
      return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
    case 8:
      return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
    case 9:
      return c >= 32 && c <= 126;
    case 10:
      return c >= 33 && c <= 126;
    default:
      return c < 32 || c === 127;
  }
}

// Result of matching one bracket expression: the pattern index after it, NO_MATCH, or NOT_A_BRACKET when
// the '[' has no closing ']' and so stands for itself.
const NO_MATCH = -1;
const NOT_A_BRACKET = -2;

function matchBracket(pattern: string, open: number, c: number, fold: boolean): number {
  const len = pattern.length;
  let p = open + 1;
  let negate = false;
  if (p < len && (pattern.charCodeAt(p) === BANG || pattern.charCodeAt(p) === CARET)) {
    negate = true;
    p++;
  }
  const lc = fold ? lowerCode(c) : c;
  const uc = fold ? upperCode(c) : c;
  let matched = false;
  let first = true;
  while (true) {
    if (p >= len) return NOT_A_BRACKET;
    let pc = pattern.charCodeAt(p);
    if (pc === CLOSE_BRACKET && !first) {
      p++;
      break;
    }
    first = false;
    if (pc === OPEN_BRACKET && p + 1 < len && pattern.charCodeAt(p + 1) === COLON) {
      const cls = classAt(pattern, p + 2);
      if (cls >= 0) {
        if (inClass(cls, c) || inClass(cls, lc) || inClass(cls, uc)) matched = true;
        p += 2 + CLASS_NAMES[cls].length;
        continue;
      }
    }
    if (pc === BACKSLASH) {
      p++;
      if (p >= len) return NOT_A_BRACKET;
      pc = pattern.charCodeAt(p);
    }
    p++;
    if (p + 1 < len && pattern.charCodeAt(p) === DASH && pattern.charCodeAt(p + 1) !== CLOSE_BRACKET) {
      let hi = pattern.charCodeAt(p + 1);
      p += 2;
      if (hi === BACKSLASH) {
        if (p >= len) return NOT_A_BRACKET;
        hi = pattern.charCodeAt(p);
        p++;
      }
      if ((c >= pc && c <= hi) || (lc >= pc && lc <= hi) || (uc >= pc && uc <= hi)) matched = true;
      continue;
    }
    if (pc === c || (fold && lowerCode(pc) === lc)) matched = true;
  }
  return matched !== negate ? p : NO_MATCH;
}

/**
 * fnmatch(pattern, text, fold ? FNM_CASEFOLD : 0) == 0, on text[from, to). Backtracks only to the last
 * `*`, which is enough for fnmatch without FNM_PATHNAME: time is O(pattern * text) at worst.
 */
export function globMatch(pattern: string, text: string, fold: boolean, from = 0, to = text.length): boolean {
  const plen = pattern.length;
  const tlen = to;
  let p = 0;
  let t = from;
  let starP = -1;
  let starT = 0;
  while (t < tlen) {
    if (p < plen) {
      const pc = pattern.charCodeAt(p);
      if (pc === STAR) {
        p++;
        starP = p;
        starT = t;
        continue;
      }
      const c = text.charCodeAt(t);
      let next = NO_MATCH;
      if (pc === QUESTION) next = p + 1;
      else if (pc === BACKSLASH) {
        // A trailing backslash matches nothing.
        if (p + 1 < plen) {
          const q = pattern.charCodeAt(p + 1);
          if (q === c || (fold && lowerCode(q) === lowerCode(c))) next = p + 2;
        }
      } else if (pc === OPEN_BRACKET) {
        next = matchBracket(pattern, p, c, fold);
        if (next === NOT_A_BRACKET) next = c === OPEN_BRACKET ? p + 1 : NO_MATCH;
      } else if (pc === c || (fold && lowerCode(pc) === lowerCode(c))) next = p + 1;
      if (next >= 0) {
        p = next;
        t++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP;
    starT++;
    t = starT;
  }
  while (p < plen && pattern.charCodeAt(p) === STAR) p++;
  return p === plen;
}
