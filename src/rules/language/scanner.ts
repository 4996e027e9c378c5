// The condition scanner: lexes one token at a time at the parser's request, reading characters as char
// codes. There is no token stream because the language is not context-free at the token level: `a,b` is
// one bare string after `=` but a list separator inside `(...)`, `[` starts an argument after a field
// name and is part of a bare string elsewhere, and some keywords need a following blank while others do
// not. So the parser asks "is there an X here?" and the scanner answers by advancing or not moving.
//
// Token shapes (the parser's header has the grammar that uses them):
//   blank         ' ' \t \b \r \n                  what the parser skips between tokens
//   space         ' ' \t \n \v \f \r                POSIX [[:space:]], used by `not` and bare strings
//   identifier    [a-zA-Z][a-zA-Z0-9_]*
//   field name    identifier ('.' identifier)+      longest match: `evt.arg.flags`
//   field arg     [^][\"' space]+                   bare text inside `[...]`
//   hex number    0[xX][0-9a-fA-F]+
//   number        [+-]?[0-9]+\.?[0-9]*([eE][+-][0-9]+)?
//   quoted string "..." or '...'                    ends at the first unescaped delimiter; see escaping.ts
//   bare string   [^()\"'=, space]+
//
// Each lexX() either consumes one token and returns true, or returns false without moving. Like libsinsp,
// the scanner remembers the last token it lexed (`lastToken`) because the "unexpected token after '...'"
// error quotes it; quoted strings are remembered by their value, keywords by their text.
import { unescapeQuoted } from "./escaping.js";

const TAB = 9;
const LF = 10;
const CR = 13;
const BS = 8;
const SPACE = 32;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const EQUALS = 61;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const UNDERSCORE = 95;

/** What the parser skips between tokens. Note \b is a blank but \v and \f are not (libsinsp's choice). */
export function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR || c === BS;
}

/** POSIX [[:space:]]: ends bare strings and field arguments, and separates `not` from its operand. */
export function isSpace(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CR);
}

export function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isWordChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === UNDERSCORE;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** A character of a bare string value. NaN (past the end) is not. */
export function isBareStringChar(c: number): boolean {
  switch (c) {
    case OPEN_PAREN:
    case CLOSE_PAREN:
    case DOUBLE_QUOTE:
    case SINGLE_QUOTE:
    case EQUALS:
    case COMMA:
      return false;
  }
  return c === c && !isSpace(c);
}

/** A character of a bare field argument (`proc.aname[2]`). */
export function isFieldArgChar(c: number): boolean {
  switch (c) {
    case OPEN_BRACKET:
    case CLOSE_BRACKET:
    case DOUBLE_QUOTE:
    case SINGLE_QUOTE:
      return false;
  }
  return c === c && !isSpace(c);
}

/** End of the number starting at `i` in `text`, or `i` when there is none. */
export function scanNumber(text: string, i: number): number {
  const start = i;
  let c = text.charCodeAt(i);
  if (c === PLUS || c === MINUS) c = text.charCodeAt(++i);
  if (!isDigit(c)) return start;
  while (isDigit(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === DOT) i++;
  while (isDigit(text.charCodeAt(i))) i++;
  c = text.charCodeAt(i);
  if (c === 101 || c === 69) {
    const sign = text.charCodeAt(i + 1);
    if ((sign === PLUS || sign === MINUS) && isDigit(text.charCodeAt(i + 2))) {
      i += 2;
      while (isDigit(text.charCodeAt(i))) i++;
    }
  }
  return i;
}

/** End of the hex number starting at `i` in `text`, or `i` when there is none. */
export function scanHexNumber(text: string, i: number): number {
  if (text.charCodeAt(i) !== 48) return i;
  const x = text.charCodeAt(i + 1);
  if (x !== 120 && x !== 88) return i;
  let j = i + 2;
  while (isHexDigit(text.charCodeAt(j))) j++;
  return j === i + 2 ? i : j;
}

/** End of the identifier starting at `i` in `text`, or `i` when there is none. */
export function scanIdentifier(text: string, i: number): number {
  if (!isLetter(text.charCodeAt(i))) return i;
  i++;
  while (isWordChar(text.charCodeAt(i))) i++;
  return i;
}

/** End of the dotted field name starting at `i` (at least two segments), or `i` when there is none. */
export function scanFieldName(text: string, i: number): number {
  let end = scanIdentifier(text, i);
  if (end === i) return i;
  let segments = 0;
  while (text.charCodeAt(end) === DOT && isLetter(text.charCodeAt(end + 1))) {
    end = scanIdentifier(text, end + 1);
    segments++;
  }
  return segments === 0 ? i : end;
}

/** A scanner position the parser can return to after looking ahead. */
export interface Mark {
  readonly pos: number;
  readonly lastToken: string;
  readonly tokenEnd: number;
}

export class Scanner {
  readonly text: string;
  /** Offset of the next character to read. */
  pos: number;
  /** The last token lexed (keywords by text, quoted strings by value), for error messages. */
  lastToken: string;
  /** End offset of the last token lexed; blanks after it are not included. Node spans end here. */
  tokenEnd: number;
  /** Set by lexQuotedString when the string was delimited but one of its escapes is invalid. */
  escapeError: string | undefined;

  constructor(text: string, start = 0) {
    this.text = text;
    this.pos = start;
    this.lastToken = "";
    this.tokenEnd = start;
    this.escapeError = undefined;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): number {
    return this.text.charCodeAt(this.pos);
  }

  mark(): Mark {
    return { pos: this.pos, lastToken: this.lastToken, tokenEnd: this.tokenEnd };
  }

  reset(mark: Mark): void {
    this.pos = mark.pos;
    this.lastToken = mark.lastToken;
    this.tokenEnd = mark.tokenEnd;
  }

  /** Skip blanks; true if there was at least one. The only lexer that leaves lastToken alone. */
  skipBlanks(): boolean {
    const start = this.pos;
    while (isBlank(this.text.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  /** Consume `literal` if the text continues with it (no boundary check: `andx` starts with `and`). */
  lexLiteral(literal: string): boolean {
    if (!this.text.startsWith(literal, this.pos)) return false;
    this.accept(literal, this.pos + literal.length);
    return true;
  }

  /** Consume `word` and the blanks after it; fails without moving if no blank follows. */
  lexWordAndBlank(word: string): boolean {
    if (!this.text.startsWith(word, this.pos) || !isBlank(this.text.charCodeAt(this.pos + word.length))) {
      return false;
    }
    this.accept(word, this.pos + word.length);
    this.skipBlanks();
    return true;
  }

  /** `not` followed by at least one POSIX space (which, unlike blanks, includes \v and \f but not \b). */
  lexNotAndSpace(): boolean {
    const text = this.text;
    if (!text.startsWith("not", this.pos) || !isSpace(text.charCodeAt(this.pos + 3))) return false;
    let end = this.pos + 4;
    while (isSpace(text.charCodeAt(end))) end++;
    this.lastToken = text.slice(this.pos, end);
    this.tokenEnd = this.pos + 3;
    this.pos = end;
    return true;
  }

  /** True when the text continues with `and`, `or` or `not` not followed by a letter or digit. */
  booleanKeywordFollows(): boolean {
    for (const keyword of BOOLEAN_KEYWORDS) {
      if (!this.text.startsWith(keyword, this.pos)) continue;
      const next = this.text.charCodeAt(this.pos + keyword.length);
      if (!(isLetter(next) || isDigit(next))) return true;
    }
    return false;
  }

  lexIdentifier(): boolean {
    return this.acceptSlice(scanIdentifier(this.text, this.pos));
  }

  lexFieldName(): boolean {
    return this.acceptSlice(scanFieldName(this.text, this.pos));
  }

  lexHexNumber(): boolean {
    return this.acceptSlice(scanHexNumber(this.text, this.pos));
  }

  lexNumber(): boolean {
    return this.acceptSlice(scanNumber(this.text, this.pos));
  }

  lexBareString(): boolean {
    let end = this.pos;
    while (isBareStringChar(this.text.charCodeAt(end))) end++;
    return this.acceptSlice(end);
  }

  lexFieldArg(): boolean {
    let end = this.pos;
    while (isFieldArgChar(this.text.charCodeAt(end))) end++;
    return this.acceptSlice(end);
  }

  /**
   * A quoted string: from a quote to the next same quote not preceded by a backslash. (So `"a\\"` is not
   * closed by its last quote: libsinsp looks only one character back.) NUL ends the scan, as in C.
   * On success lastToken is the unescaped value; if an escape is invalid the string is still consumed,
   * escapeError says why, and the caller must fail at the position after the closing quote.
   */
  lexQuotedString(): boolean {
    const text = this.text;
    const start = this.pos;
    const delimiter = text.charCodeAt(start);
    if (delimiter !== DOUBLE_QUOTE && delimiter !== SINGLE_QUOTE) return false;
    this.escapeError = undefined;
    let i = start + 1;
    let prev = delimiter;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c !== c || c === 0) {
        // Unterminated: libsinsp keeps the partial text as its last token; the caller fails anyway.
        this.lastToken = text.slice(start, i);
        return false;
      }
      if (c === delimiter && prev !== BACKSLASH) break;
      prev = c;
      i++;
    }
    const end = i + 1;
    const unescaped = unescapeQuoted(text, start, end);
    this.pos = end;
    this.tokenEnd = end;
    if (unescaped.ok) {
      this.lastToken = unescaped.value;
    } else {
      this.escapeError = unescaped.message;
    }
    return true;
  }

  private acceptSlice(end: number): boolean {
    if (end === this.pos) return false;
    this.accept(this.text.slice(this.pos, end), end);
    return true;
  }

  private accept(token: string, end: number): void {
    this.lastToken = token;
    this.pos = end;
    this.tokenEnd = end;
  }
}

const BOOLEAN_KEYWORDS = ["and", "or", "not"] as const;
