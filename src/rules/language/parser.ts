// The condition parser: Falco's filter language (libsinsp filter/parser.cpp) by recursive descent.
//
// Rules written for Falco must parse here to the same tree, and fail with the same message at the same
// offset, so the productions, the order in which alternatives are tried, where blanks are skipped and
// where the depth guard counts all follow libsinsp's behaviour, quirks included (they are noted below).
//
// Grammar (EBNF). Quoted literals match as written, with no word boundary after them unless one is
// shown: `andx` starts with 'and'. `_` is optional blanks, `__` is at least one blank (scanner.ts).
//
//   Condition       ::= Or _ EOF                      (an empty text is its own error)
//   Or              ::= _ And _ ( 'or' OrOperand _ )*
//   OrOperand       ::= __ And | '(' Embedded         `a or(b)` is fine; `a orb` is an error
//   And             ::= _ Not _ ( 'and' AndOperand _ )*
//   AndOperand      ::= __ Not | '(' Embedded
//   Not             ::= _ ( 'not' Space+ )* ( 'not(' Embedded | Check )
//                                                     each `not` toggles; an even number leaves no node
//   Embedded        ::= _ Or _ ')'                    the rest of a parenthesised expression
//   Check           ::= _ ( '(' Embedded
//                         | FieldName FieldArg? Comparison
//                         | TransformerOpen _ TransformerRest Comparison
//                         | Identifier )              a macro reference
//   FieldArg        ::= '[' ( QuotedString | FieldArgText ) ']'
//   TransformerOpen ::= 'tolower(' | 'toupper(' | 'b64(' | 'basename(' | 'len(' | 'join(' | 'concat('
//                     | 'getopt('                     no blank allowed before '('
//   TransformerRest ::= _ TransformerArg _ ( ',' TransformerArg _ )* _ ')' FieldArg?
//   TransformerArg  ::= _ ( HexNumber | Number | QuotedString | '(' TransformerList
//                         | TransformerOpen TransformerRest | FieldName FieldArg? )
//   TransformerList ::= _ ( ')' | TransformerItem _ ( ',' _ TransformerItem _ )* ')' )
//   TransformerItem ::= FieldName FieldArg? | TransformerOpen _ TransformerRest | QuotedString
//                     | HexNumber | Number
//   Comparison      ::= _ 'exists'
//                     | _ NumOperator NumRhs
//                     | _ StrOperator ( _ Modifier ListValue | StrRhs )
//                     | _ ListOperator ListRhs
//   NumRhs          ::= _ ( FieldValue | HexNumber | Number )
//   StrRhs          ::= _ ( FieldValue | QuotedString | BareString )
//   ListRhs         ::= _ ( InlineList | FieldValue | Identifier )
//   ListValue       ::= _ ( InlineList | Identifier )
//   InlineList      ::= '(' _ ( StrValue _ ( ',' StrValue _ )* )? ')'
//   StrValue        ::= _ ( QuotedString | BareString )
//   FieldValue      ::= 'val(' _ FieldName FieldArg? _ ')' FieldArg? | TransformerOpen _ TransformerRest
//   NumOperator     ::= '<=' | '<' | '>=' | '>'
//   StrOperator     ::= '==' | '=' | '!='
//                     | ( 'glob' | 'iglob' | 'contains' | 'icontains' | 'bcontains' | 'startswith'
//                       | 'bstartswith' | 'endswith' | 'regex' ) __
//   Modifier        ::= ( 'oneof' | 'anyof' | 'allof' ) __
//   ListOperator    ::= 'intersects' | 'in' | 'pmatch'   no blank needed: `x in(a)`, even `x inlist`
//
// A Modifier is taken only when a blank separates it from the operator, a '(' or an identifier follows
// it, and that identifier is not a whole word `and`/`or`/`not`; otherwise the word is the bare string
// value (`proc.name == anyof and x` compares with "anyof").
//
// Token shapes are in scanner.ts. Errors are values at the API; inside, a failure unwinds by throwing a
// Failure (never an Error: no stack trace is captured), because libsinsp recovers from one failure in one
// place (an inline list whose first item does not parse is taken as empty) and unwinding keeps every
// production free of error plumbing.
import type {
  BinaryOperator,
  CheckValue,
  Expr,
  FieldExpr,
  FieldLike,
  FieldValueExpr,
  ListExpr,
  OperatorModifier,
  Span,
  TransformerArg,
  TransformerExpr,
  TransformerListExpr,
  TransformerName,
  ValueExpr,
} from "./ast.js";
import {
  ALL_OPERATORS as OPERATORS_IN_ORDER,
  LIST_OPERATORS,
  NUMERIC_OPERATORS as NUM_OPERATORS,
  OPERATOR_MODIFIERS as MODIFIERS,
  STRING_SYMBOL_OPERATORS as STR_SYMBOL_OPERATORS,
  STRING_WORD_OPERATORS as STR_WORD_OPERATORS,
  TRANSFORMER_NAMES as TRANSFORMERS,
} from "./vocabulary.js";
import { isBareStringChar, Scanner } from "./scanner.js";

export interface ParseError {
  readonly message: string;
  /** Offset where libsinsp's parser stood when it gave up (Falco reports this position). */
  readonly start: number;
  /** End of the offending token, for underlining; equals start at the end of the text. */
  readonly end: number;
}

export type ParseResult =
  { readonly ok: true; readonly expr: Expr } | { readonly ok: false; readonly error: ParseError };

export type FieldLikeResult =
  | { readonly ok: true; readonly node: FieldLike; readonly end: number }
  | { readonly ok: false; readonly error: ParseError };

export interface ParseOptions {
  /** Recursion limit. libsinsp's default is 100; Falco raises it to 1000 for rule conditions. */
  readonly maxDepth?: number;
}

/** Falco's limit when it parses rule and macro conditions (rule_loader_compiler.cpp). */
export const CONDITION_MAX_DEPTH = 1000;
/** libsinsp's default limit, which output format fields are parsed with. */
export const FIELD_MAX_DEPTH = 100;

// The same names with their '(' (no blank is allowed between), in the order libsinsp tries them.
const TRANSFORMER_OPENERS = TRANSFORMERS.map((name) => name + "(");

function quotedList(items: readonly string[]): string {
  return items.map((item) => `'${item}'`).join(", ");
}

const ALL_OPERATORS = quotedList(OPERATORS_IN_ORDER);
const ALL_TRANSFORMERS = quotedList(["val", ...TRANSFORMERS]);

/** Parse a whole condition (a rule's or macro's `condition`). */
export function parseCondition(text: string, options: ParseOptions = {}): ParseResult {
  if (text.length === 0)
    return { ok: false, error: { message: "filter input string is empty", start: 0, end: 0 } };
  const parser = new Parser(text, 0, options.maxDepth ?? CONDITION_MAX_DEPTH);
  try {
    return { ok: true, expr: parser.parseConditionText() };
  } catch (e) {
    if (e instanceof Failure) return { ok: false, error: parseError(text, e) };
    throw e;
  }
}

/**
 * Parse one field or transformer starting at `start`, as output format strings use them (`%proc.name`,
 * `%proc.aname[2]`, `%tolower(proc.name)`): no blanks before it, and whatever follows it is left alone.
 * `end` is the offset just after it.
 */
export function parseFieldLike(text: string, start: number, options: ParseOptions = {}): FieldLikeResult {
  const parser = new Parser(text, start, options.maxDepth ?? FIELD_MAX_DEPTH);
  try {
    const node = parser.parseFieldLikeText();
    return { ok: true, node, end: parser.s.pos };
  } catch (e) {
    if (e instanceof Failure) return { ok: false, error: parseError(text, e) };
    throw e;
  }
}

/** How a parse gives up: thrown inside the parser, turned into a ParseError at the API. */
class Failure {
  constructor(
    readonly message: string,
    readonly at: number,
  ) {}
}

function parseError(text: string, failure: Failure): ParseError {
  return { message: failure.message, start: failure.at, end: offendingTokenEnd(text, failure.at) };
}

// The parser stops at the start of what it could not use; underline that word, or that one character.
function offendingTokenEnd(text: string, at: number): number {
  if (at >= text.length) return at;
  let end = at;
  while (isBareStringChar(text.charCodeAt(end))) end++;
  return end > at ? end : at + 1;
}

class Parser {
  readonly s: Scanner;
  private readonly maxDepth: number;
  private depth = 0;

  constructor(text: string, start: number, maxDepth: number) {
    this.s = new Scanner(text, start);
    this.maxDepth = maxDepth;
  }

  // Condition ::= Or _ EOF
  parseConditionText(): Expr {
    const expr = this.parseOr();
    // Only reachable when a depth failure was swallowed by an inline list (see parseInlineList).
    if (this.depth > 0) this.fail("parser fatal error: recursion is unbalanced");
    if (!this.s.atEnd()) this.fail(`unexpected token after '${this.s.lastToken}', expecting 'or', 'and'`);
    return expr;
  }

  // The entry point for output fields: FieldName FieldArg? | TransformerOpen _ TransformerRest
  parseFieldLikeText(): FieldLike {
    this.enter();
    try {
      const start = this.s.pos;
      if (this.s.lexFieldName()) return this.parseFieldRest(this.s.lastToken, start);
      const transformer = this.lexTransformerOpen();
      if (transformer !== undefined) {
        this.s.skipBlanks();
        return this.parseTransformerRest(transformer, start);
      }
      // libsinsp's message really is cut short like this (no closing quote, nothing after it).
      this.fail("unexpected token after '" + this.s.lastToken);
    } finally {
      this.leave();
    }
  }

  // Or ::= _ And _ ( 'or' OrOperand _ )*
  private parseOr(): Expr {
    this.enter();
    try {
      const s = this.s;
      s.skipBlanks();
      const start = s.pos;
      const children = [this.parseAnd()];
      s.skipBlanks();
      while (s.lexLiteral("or")) {
        children.push(this.parseOperandAfterKeyword("or", () => this.parseAnd()));
        s.skipBlanks();
      }
      if (children.length === 1) return children[0];
      return { kind: "or", children, span: this.spanFrom(start) };
    } finally {
      this.leave();
    }
  }

  // And ::= _ Not _ ( 'and' AndOperand _ )*
  private parseAnd(): Expr {
    this.enter();
    try {
      const s = this.s;
      s.skipBlanks();
      const start = s.pos;
      const children = [this.parseNot()];
      s.skipBlanks();
      while (s.lexLiteral("and")) {
        children.push(this.parseOperandAfterKeyword("and", () => this.parseNot()));
        s.skipBlanks();
      }
      if (children.length === 1) return children[0];
      return { kind: "and", children, span: this.spanFrom(start) };
    } finally {
      this.leave();
    }
  }

  // OrOperand ::= __ And | '(' Embedded      AndOperand ::= __ Not | '(' Embedded
  private parseOperandAfterKeyword(keyword: string, parseNext: () => Expr): Expr {
    if (this.s.skipBlanks()) return parseNext();
    if (this.s.lexLiteral("(")) return this.parseEmbedded();
    this.fail(`expected blank or '(' after '${keyword}'`);
  }

  // Not ::= _ ( 'not' Space+ )* ( 'not(' Embedded | Check )
  private parseNot(): Expr {
    this.enter();
    try {
      const s = this.s;
      s.skipBlanks();
      const start = s.pos;
      let negate = false;
      while (s.lexNotAndSpace()) negate = !negate;
      let child: Expr;
      if (s.lexLiteral("not(")) {
        negate = !negate;
        child = this.parseEmbedded();
      } else {
        child = this.parseCheck();
      }
      return negate ? { kind: "not", child, span: this.spanFrom(start) } : child;
    } finally {
      this.leave();
    }
  }

  // Embedded ::= _ Or _ ')'
  private parseEmbedded(): Expr {
    this.enter();
    try {
      this.s.skipBlanks();
      const child = this.parseOr();
      this.s.skipBlanks();
      if (!this.s.lexLiteral(")")) this.fail("expected a ')' token");
      return child;
    } finally {
      this.leave();
    }
  }

  // Check ::= _ ( '(' Embedded | FieldName FieldArg? Comparison
  //             | TransformerOpen _ TransformerRest Comparison | Identifier )
  private parseCheck(): Expr {
    this.enter();
    try {
      const s = this.s;
      s.skipBlanks();
      const start = s.pos;
      if (s.lexLiteral("(")) return this.parseEmbedded();
      if (s.lexFieldName()) {
        const left = this.parseFieldRest(s.lastToken, start);
        return this.parseComparison(left, start);
      }
      const transformer = this.lexTransformerOpen();
      if (transformer !== undefined) {
        s.skipBlanks();
        const left = this.parseTransformerRest(transformer, start);
        return this.parseComparison(left, start);
      }
      if (s.lexIdentifier()) return { kind: "identifier", name: s.lastToken, span: this.spanFrom(start) };
      this.fail("expected a '(' token, a field check, or an identifier");
    } finally {
      this.leave();
    }
  }

  // The rest of a field once its name is lexed: FieldArg?
  private parseFieldRest(name: string, start: number): FieldExpr {
    this.enter();
    try {
      const arg = this.parseFieldArg();
      return { kind: "field", name, arg, span: this.spanFrom(start) };
    } finally {
      this.leave();
    }
  }

  // FieldArg ::= '[' ( QuotedString | FieldArgText ) ']'       (optional: undefined when absent)
  private parseFieldArg(): string | undefined {
    const s = this.s;
    if (!s.lexLiteral("[")) return undefined;
    if (!this.lexQuotedString() && !s.lexFieldArg()) {
      this.fail("expected a valid field argument: a quoted string or a bare string");
    }
    const arg = s.lastToken;
    if (!s.lexLiteral("]")) this.fail("expected a ']' token");
    return arg;
  }

  // TransformerRest ::= _ TransformerArg _ ( ',' TransformerArg _ )* _ ')' FieldArg?
  private parseTransformerRest(name: TransformerName, start: number): TransformerExpr {
    this.enter();
    try {
      const s = this.s;
      s.skipBlanks();
      const args: TransformerArg[] = [];
      do {
        args.push(this.parseTransformerArg());
        s.skipBlanks();
      } while (s.lexLiteral(","));
      s.skipBlanks();
      if (!s.lexLiteral(")")) this.fail("expected a ')' token closing the transformer");
      const arg = this.parseFieldArg();
      return { kind: "transformer", name, args, arg, span: this.spanFrom(start) };
    } finally {
      this.leave();
    }
  }

  // TransformerArg ::= _ ( HexNumber | Number | QuotedString | '(' TransformerList
  //                      | TransformerOpen TransformerRest | FieldName FieldArg? )
  private parseTransformerArg(): TransformerArg {
    this.enter();
    try {
      const s = this.s;
      s.skipBlanks();
      const start = s.pos;
      if (s.lexHexNumber() || s.lexNumber()) return this.valueFrom(start, false);
      if (this.lexQuotedString()) return this.valueFrom(start, true);
      if (s.lexLiteral("(")) return this.parseTransformerList(start);
      const transformer = this.lexTransformerOpen();
      if (transformer !== undefined) return this.parseTransformerRest(transformer, start);
      if (s.lexFieldName()) return this.parseFieldRest(s.lastToken, start);
      this.fail(
        "expected field transformer argument: field, transformer, quoted string, number, or transformer list",
      );
    } finally {
      this.leave();
    }
  }

  // TransformerList ::= _ ( ')' | TransformerItem _ ( ',' _ TransformerItem _ )* ')' )
  private parseTransformerList(start: number): TransformerListExpr {
    const s = this.s;
    const items: (FieldLike | ValueExpr)[] = [];
    s.skipBlanks();
    if (!s.lexLiteral(")")) {
      items.push(this.parseTransformerItem());
      s.skipBlanks();
      while (s.lexLiteral(",")) {
        s.skipBlanks();
        items.push(this.parseTransformerItem());
        s.skipBlanks();
      }
      if (!s.lexLiteral(")")) this.fail("expected ')'");
    }
    return { kind: "transformer_list", items, span: this.spanFrom(start) };
  }

  // TransformerItem ::= FieldName FieldArg? | TransformerOpen _ TransformerRest | QuotedString
  //                   | HexNumber | Number
  private parseTransformerItem(): FieldLike | ValueExpr {
    const s = this.s;
    const start = s.pos;
    if (s.lexFieldName()) return this.parseFieldRest(s.lastToken, start);
    const transformer = this.lexTransformerOpen();
    if (transformer !== undefined) {
      s.skipBlanks();
      return this.parseTransformerRest(transformer, start);
    }
    if (this.lexQuotedString()) return this.valueFrom(start, true);
    if (s.lexHexNumber() || s.lexNumber()) return this.valueFrom(start, false);
    this.fail("expected transformer list argument: field, transformer, quoted string, or number");
  }

  // Comparison ::= _ 'exists' | _ NumOperator NumRhs | _ StrOperator ( _ Modifier ListValue | StrRhs )
  //              | _ ListOperator ListRhs
  private parseComparison(left: FieldLike, start: number): Expr {
    this.enter();
    try {
      const s = this.s;
      s.skipBlanks();
      if (s.lexLiteral("exists")) return { kind: "unary", left, op: "exists", span: this.spanFrom(start) };
      s.skipBlanks();
      let op: BinaryOperator | undefined = this.lexOperator(NUM_OPERATORS, false);
      let modifier: OperatorModifier | undefined;
      let right: CheckValue;
      if (op !== undefined) {
        right = this.parseNumRhs();
      } else if (
        (op = this.lexOperator(STR_SYMBOL_OPERATORS, false) ?? this.lexOperator(STR_WORD_OPERATORS, true))
      ) {
        // Word operators already consumed their blank; after a symbol the blank is optional, but a
        // modifier is only recognised when there was one (`==oneof (a)` compares with "oneof").
        const hadBlank = isWordOperator(op) || s.skipBlanks();
        const mark = s.mark();
        modifier = hadBlank ? this.lexModifier() : undefined;
        if (modifier !== undefined && this.listValueFollows() && !s.booleanKeywordFollows()) {
          right = this.parseListValue();
        } else {
          modifier = undefined;
          s.reset(mark);
          right = this.parseStrRhs();
        }
      } else if ((op = this.lexOperator(LIST_OPERATORS, false))) {
        right = this.parseListRhs();
      } else {
        this.fail("expected a valid check operator: one of " + ALL_OPERATORS);
      }
      return { kind: "binary", left, op, modifier, right, span: this.spanFrom(start) };
    } finally {
      this.leave();
    }
  }

  // NumRhs ::= _ ( FieldValue | HexNumber | Number )
  private parseNumRhs(): CheckValue {
    this.enter();
    try {
      const s = this.s;
      s.skipBlanks();
      const start = s.pos;
      const fieldValue = this.parseFieldValue();
      if (fieldValue !== undefined) return fieldValue;
      if (s.lexHexNumber() || s.lexNumber()) return this.valueFrom(start, false);
      this.fail("expected a number value or a field with a valid transformer: " + ALL_TRANSFORMERS);
    } finally {
      this.leave();
    }
  }

  // StrRhs ::= _ ( FieldValue | QuotedString | BareString )
  private parseStrRhs(): CheckValue {
    this.enter();
    try {
      this.s.skipBlanks();
      const start = this.s.pos;
      const fieldValue = this.parseFieldValue();
      if (fieldValue !== undefined) return fieldValue;
      const value = this.lexStrValue(start);
      if (value !== undefined) return value;
      this.fail("expected a string value or a field with a valid transformer: " + ALL_TRANSFORMERS);
    } finally {
      this.leave();
    }
  }

  // StrValue ::= _ ( QuotedString | BareString )          (an item of an inline list)
  private parseStrValue(): ValueExpr {
    this.enter();
    try {
      this.s.skipBlanks();
      const value = this.lexStrValue(this.s.pos);
      if (value !== undefined) return value;
      this.fail("expected a string value");
    } finally {
      this.leave();
    }
  }

  private lexStrValue(start: number): ValueExpr | undefined {
    if (this.lexQuotedString()) return this.valueFrom(start, true);
    if (this.s.lexBareString()) return this.valueFrom(start, false);
    return undefined;
  }

  // InlineList ::= '(' _ ( StrValue _ ( ',' StrValue _ )* )? ')'       (undefined when no '(' is here)
  private parseInlineList(): ListExpr | undefined {
    const s = this.s;
    const start = s.pos;
    if (!s.lexLiteral("(")) return undefined;
    s.skipBlanks();
    const items: ValueExpr[] = [];
    let first: ValueExpr | undefined;
    try {
      first = this.parseStrValue();
    } catch (e) {
      // libsinsp takes any failure of the first item (no value, a bad escape, even the depth limit) to
      // mean an empty list, and goes on to expect ')' wherever that attempt left the scanner.
      if (!(e instanceof Failure)) throw e;
    }
    if (first !== undefined) {
      items.push(first);
      s.skipBlanks();
      while (s.lexLiteral(",")) {
        items.push(this.parseStrValue());
        s.skipBlanks();
      }
    }
    if (!s.lexLiteral(")")) this.fail("expected a ')' token");
    return { kind: "list", items, span: this.spanFrom(start) };
  }

  // ListValue ::= _ ( InlineList | Identifier )            (after a modifier)
  private parseListValue(): ListExpr {
    this.enter();
    try {
      this.s.skipBlanks();
      const list = this.parseInlineList() ?? this.lexListName();
      if (list !== undefined) return list;
      this.fail("expected a list or an identifier");
    } finally {
      this.leave();
    }
  }

  // ListRhs ::= _ ( InlineList | FieldValue | Identifier )
  private parseListRhs(): CheckValue {
    this.enter();
    try {
      this.s.skipBlanks();
      const value = this.parseInlineList() ?? this.parseFieldValue() ?? this.lexListName();
      if (value !== undefined) return value;
      this.fail("expected a list, an identifier, or a field with a valid transformer: " + ALL_TRANSFORMERS);
    } finally {
      this.leave();
    }
  }

  // A bare identifier where a list is expected names a list; it becomes a one-item list.
  private lexListName(): ListExpr | undefined {
    const start = this.s.pos;
    if (!this.s.lexIdentifier()) return undefined;
    const span = this.spanFrom(start);
    return { kind: "list", items: [{ kind: "value", value: this.s.lastToken, quoted: false, span }], span };
  }

  // FieldValue ::= 'val(' _ FieldName FieldArg? _ ')' FieldArg? | TransformerOpen _ TransformerRest
  // (undefined when neither opener is here)
  private parseFieldValue(): FieldValueExpr | undefined {
    this.enter();
    try {
      const s = this.s;
      s.skipBlanks();
      const start = s.pos;
      if (s.lexLiteral("val(")) {
        s.lastToken = "val";
        s.skipBlanks();
        const fieldStart = s.pos;
        if (!s.lexFieldName()) this.fail("expected a field within 'val' transformer");
        const field = this.parseFieldRest(s.lastToken, fieldStart);
        s.skipBlanks();
        if (!s.lexLiteral(")")) this.fail("expected a ')' token closing the transformer");
        const arg = this.parseFieldArg();
        return { kind: "field_value", field, arg, span: this.spanFrom(start) };
      }
      const transformer = this.lexTransformerOpen();
      if (transformer === undefined) return undefined;
      s.skipBlanks();
      const field = this.parseTransformerRest(transformer, start);
      return { kind: "field_value", field, arg: undefined, span: field.span };
    } finally {
      this.leave();
    }
  }

  // TransformerOpen: the transformer's name, with lastToken set to it (without its '(').
  private lexTransformerOpen(): TransformerName | undefined {
    for (let i = 0; i < TRANSFORMER_OPENERS.length; i++) {
      if (this.s.lexLiteral(TRANSFORMER_OPENERS[i])) {
        this.s.lastToken = TRANSFORMERS[i];
        return TRANSFORMERS[i];
      }
    }
    return undefined;
  }

  private lexOperator<T extends BinaryOperator>(operators: readonly T[], needsBlank: boolean): T | undefined {
    for (const op of operators) {
      if (needsBlank ? this.s.lexWordAndBlank(op) : this.s.lexLiteral(op)) return op;
    }
    return undefined;
  }

  private lexModifier(): OperatorModifier | undefined {
    for (const modifier of MODIFIERS) if (this.s.lexWordAndBlank(modifier)) return modifier;
    return undefined;
  }

  // A modifier needs a list after it: '(' or an identifier (looked at, not consumed).
  private listValueFollows(): boolean {
    const s = this.s;
    if (s.peek() === 40 /* ( */) return true;
    const mark = s.mark();
    const found = s.lexIdentifier();
    s.reset(mark);
    return found;
  }

  private lexQuotedString(): boolean {
    if (!this.s.lexQuotedString()) return false;
    if (this.s.escapeError !== undefined) this.fail(this.s.escapeError);
    return true;
  }

  private valueFrom(start: number, quoted: boolean): ValueExpr {
    return { kind: "value", value: this.s.lastToken, quoted, span: this.spanFrom(start) };
  }

  private spanFrom(start: number): Span {
    return { start, end: this.s.tokenEnd };
  }

  // The depth guard, counted in the same productions as libsinsp's. A failure to enter leaves the count
  // raised (as libsinsp's guard does when its constructor throws); see parseConditionText.
  private enter(): void {
    if (++this.depth >= this.maxDepth) this.fail(`exceeded max depth limit of ${this.maxDepth}`);
  }

  private leave(): void {
    this.depth--;
  }

  private fail(message: string): never {
    throw new Failure(message, this.s.pos);
  }
}

function isWordOperator(op: BinaryOperator): boolean {
  const c = op.charCodeAt(0);
  return c >= 97 && c <= 122;
}
