// The AST of a condition in Falco's filter language (libsinsp's grammar; see parser.ts for the EBNF).
// Every node carries the span of its text in the condition string, so compile errors can point at
// the exact column. Nodes are plain readonly objects; passes build new trees rather than mutate.

/** Half-open range [start, end) of UTF-16 offsets into the condition text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type Expr = AndExpr | OrExpr | NotExpr | IdentifierExpr | UnaryCheckExpr | BinaryCheckExpr;

export interface AndExpr {
  readonly kind: "and";
  readonly children: readonly Expr[];
  readonly span: Span;
}

export interface OrExpr {
  readonly kind: "or";
  readonly children: readonly Expr[];
  readonly span: Span;
}

export interface NotExpr {
  readonly kind: "not";
  readonly child: Expr;
  readonly span: Span;
}

/** A bare identifier in check position: a macro reference, resolved by the loader. */
export interface IdentifierExpr {
  readonly kind: "identifier";
  readonly name: string;
  readonly span: Span;
}

export type UnaryOperator = "exists";

export type BinaryOperator =
  | "="
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "contains"
  | "icontains"
  | "bcontains"
  | "startswith"
  | "bstartswith"
  | "endswith"
  | "glob"
  | "iglob"
  | "regex"
  | "in"
  | "intersects"
  | "pmatch";

/** `oneof`/`anyof`/`allof` between a string operator and a list: `fd.name startswith anyof (a, b)`. */
export type OperatorModifier = "oneof" | "anyof" | "allof";

export interface UnaryCheckExpr {
  readonly kind: "unary";
  readonly left: FieldLike;
  readonly op: UnaryOperator;
  readonly span: Span;
}

export interface BinaryCheckExpr {
  readonly kind: "binary";
  readonly left: FieldLike;
  readonly op: BinaryOperator;
  readonly modifier: OperatorModifier | undefined;
  readonly right: CheckValue;
  readonly span: Span;
}

export type FieldLike = FieldExpr | TransformerExpr;

/** `proc.aname[2]`, `evt.arg.name` (name "evt.arg.name", resolved by the catalogue), `jevt.value[/a/b]`. */
export interface FieldExpr {
  readonly kind: "field";
  /** The dotted name exactly as written, e.g. "proc.aname" or "evt.arg.flags". */
  readonly name: string;
  /** The bracket argument with quotes removed, or undefined when there is no bracket. */
  readonly arg: string | undefined;
  readonly span: Span;
}

export type TransformerName =
  "tolower" | "toupper" | "b64" | "basename" | "len" | "join" | "concat" | "getopt";

export interface TransformerExpr {
  readonly kind: "transformer";
  readonly name: TransformerName;
  readonly args: readonly TransformerArg[];
  /** Optional `[arg]` after the closing parenthesis (e.g. `getopt(proc.args)[-c]`). */
  readonly arg: string | undefined;
  readonly span: Span;
}

export type TransformerArg = FieldLike | ValueExpr | TransformerListExpr;

export interface TransformerListExpr {
  readonly kind: "transformer_list";
  readonly items: readonly (FieldLike | ValueExpr)[];
  readonly span: Span;
}

/** A literal. `quoted` tells `"=x"` from `=x`; the value has escapes already resolved. */
export interface ValueExpr {
  readonly kind: "value";
  readonly value: string;
  readonly quoted: boolean;
  readonly span: Span;
}

/** `(a, "b", 3)`. Items that name a list are expanded by the loader before compilation. */
export interface ListExpr {
  readonly kind: "list";
  readonly items: readonly ValueExpr[];
  readonly span: Span;
}

/** Right-hand side taken from another field: `val(proc.pname)` or a transformer `tolower(proc.name)`. */
export interface FieldValueExpr {
  readonly kind: "field_value";
  readonly field: FieldLike;
  /** `val(proc.name)[x]`: the grammar accepts a bracket after `val(...)` but libsinsp's compiler rejects
   *  it ("transformer 'val' does not support field arguments"), so it is kept for the compiler to report.
   *  Always undefined when `field` is a transformer (its own `arg` holds the bracket). */
  readonly arg?: string | undefined;
  readonly span: Span;
}

/** What a binary check compares against. A bare identifier after `in` parses as a one-item ListExpr
 *  whose item may name a list. */
export type CheckValue = ValueExpr | ListExpr | FieldValueExpr;

export type Node = Expr | FieldLike | ValueExpr | ListExpr | FieldValueExpr | TransformerListExpr;
