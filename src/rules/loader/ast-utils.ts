// Tree rewrites the compiler needs: shifting spans (so that nodes copied from a macro body point into
// the macro's text, placed after the rule's in one virtual text), and replacing checks' values and
// macro references. Trees are immutable; every rewrite returns a new tree, sharing untouched nodes.
import type {
  CheckValue,
  Expr,
  FieldLike,
  Span,
  TransformerArg,
  TransformerListExpr,
  BinaryCheckExpr,
} from "../language/ast.js";

function shiftSpan(span: Span, delta: number): Span {
  return { start: span.start + delta, end: span.end + delta };
}

/** The same tree with every span moved by `delta`. */
export function shiftExpr(expr: Expr, delta: number): Expr {
  if (delta === 0) return expr;
  switch (expr.kind) {
    case "and":
    case "or":
      return {
        kind: expr.kind,
        children: expr.children.map((c) => shiftExpr(c, delta)),
        span: shiftSpan(expr.span, delta),
      };
    case "not":
      return { kind: "not", child: shiftExpr(expr.child, delta), span: shiftSpan(expr.span, delta) };
    case "identifier":
      return { kind: "identifier", name: expr.name, span: shiftSpan(expr.span, delta) };
    case "unary":
      return {
        kind: "unary",
        left: shiftField(expr.left, delta),
        op: expr.op,
        span: shiftSpan(expr.span, delta),
      };
    case "binary":
      return {
        kind: "binary",
        left: shiftField(expr.left, delta),
        op: expr.op,
        modifier: expr.modifier,
        right: shiftValue(expr.right, delta),
        span: shiftSpan(expr.span, delta),
      };
  }
}

function shiftField(node: FieldLike, delta: number): FieldLike {
  if (node.kind === "field") return { ...node, span: shiftSpan(node.span, delta) };
  return { ...node, args: node.args.map((a) => shiftArg(a, delta)), span: shiftSpan(node.span, delta) };
}

function shiftArg(arg: TransformerArg, delta: number): TransformerArg {
  switch (arg.kind) {
    case "value":
      return { ...arg, span: shiftSpan(arg.span, delta) };
    case "transformer_list":
      return {
        ...arg,
        items: arg.items.map((i) =>
          i.kind === "value" ? { ...i, span: shiftSpan(i.span, delta) } : shiftField(i, delta),
        ),
        span: shiftSpan(arg.span, delta),
      } satisfies TransformerListExpr;
    default:
      return shiftField(arg, delta);
  }
}

function shiftValue(value: CheckValue, delta: number): CheckValue {
  switch (value.kind) {
    case "value":
      return { ...value, span: shiftSpan(value.span, delta) };
    case "list":
      return {
        ...value,
        items: value.items.map((i) => ({ ...i, span: shiftSpan(i.span, delta) })),
        span: shiftSpan(value.span, delta),
      };
    case "field_value":
      return { ...value, field: shiftField(value.field, delta), span: shiftSpan(value.span, delta) };
  }
}

/** Rewrite every binary check with `f` (returning the check unchanged keeps the node). */
export function mapBinaryChecks(expr: Expr, f: (check: BinaryCheckExpr) => BinaryCheckExpr): Expr {
  switch (expr.kind) {
    case "and":
    case "or": {
      const children = expr.children.map((c) => mapBinaryChecks(c, f));
      return children.every((c, i) => c === expr.children[i]) ? expr : { ...expr, children };
    }
    case "not": {
      const child = mapBinaryChecks(expr.child, f);
      return child === expr.child ? expr : { ...expr, child };
    }
    case "binary":
      return f(expr);
    default:
      return expr;
  }
}

/** Replace identifiers: `f` returns the replacement, or undefined to keep the identifier. */
export function replaceIdentifiers(expr: Expr, f: (name: string, span: Span) => Expr | undefined): Expr {
  switch (expr.kind) {
    case "and":
    case "or": {
      const children = expr.children.map((c) => replaceIdentifiers(c, f));
      return children.every((c, i) => c === expr.children[i]) ? expr : { ...expr, children };
    }
    case "not": {
      const child = replaceIdentifiers(expr.child, f);
      return child === expr.child ? expr : { ...expr, child };
    }
    case "identifier":
      return f(expr.name, expr.span) ?? expr;
    default:
      return expr;
  }
}
