// Compact forms of condition trees for table-driven tests (in the spirit of cel-go's debug printer), so an
// expected tree fits on one line: `(and (= proc.name cat) (not m))`.
//
//   and / or / not   (and A B ...)  (or A B ...)  (not A)
//   identifier       its name
//   checks           (exists LHS)   (OP LHS RHS)   (OP MODIFIER LHS RHS)
//   field            name, or name["arg"] (the argument JSON-quoted)
//   transformer      name(A, B)["arg"]; a transformer list is tlist(A, B)
//   values           bare: as written; quoted: JSON-quoted; lists: [A B]; val(field)["arg"]
//
// `spans` prints every node with its span instead, for the position tests.
import type { CheckValue, Expr, FieldLike, Node, TransformerArg } from "../../../src/rules/language/ast.js";

export function shape(expr: Expr): string {
  switch (expr.kind) {
    case "and":
    case "or":
      return `(${expr.kind} ${expr.children.map(shape).join(" ")})`;
    case "not":
      return `(not ${shape(expr.child)})`;
    case "identifier":
      return expr.name;
    case "unary":
      return `(${expr.op} ${fieldShape(expr.left)})`;
    case "binary": {
      const op = expr.modifier === undefined ? expr.op : `${expr.op} ${expr.modifier}`;
      return `(${op} ${fieldShape(expr.left)} ${valueShape(expr.right)})`;
    }
  }
}

export function fieldShape(node: FieldLike): string {
  const arg = node.arg === undefined ? "" : `[${JSON.stringify(node.arg)}]`;
  if (node.kind === "field") return node.name + arg;
  return `${node.name}(${node.args.map(argShape).join(", ")})${arg}`;
}

function argShape(node: TransformerArg): string {
  switch (node.kind) {
    case "value":
      return node.quoted ? JSON.stringify(node.value) : node.value;
    case "transformer_list":
      return `tlist(${node.items.map(argShape).join(", ")})`;
    default:
      return fieldShape(node);
  }
}

function valueShape(node: CheckValue): string {
  switch (node.kind) {
    case "value":
      return node.quoted ? JSON.stringify(node.value) : node.value;
    case "list":
      return `[${node.items.map((item) => valueShape(item)).join(" ")}]`;
    case "field_value":
      if (node.field.kind === "transformer") return fieldShape(node.field);
      return `val(${fieldShape(node.field)})${node.arg === undefined ? "" : `[${JSON.stringify(node.arg)}]`}`;
  }
}

/** Every node as `kind@start-end`, depth first, children in brackets. */
export function spans(node: Node): string {
  const own = `${node.kind}@${node.span.start}-${node.span.end}`;
  const children = childrenOf(node);
  return children.length === 0 ? own : `${own}[${children.map(spans).join(" ")}]`;
}

function childrenOf(node: Node): readonly Node[] {
  switch (node.kind) {
    case "and":
    case "or":
      return node.children;
    case "not":
      return [node.child];
    case "unary":
      return [node.left];
    case "binary":
      return [node.left, node.right];
    case "transformer":
      return node.args;
    case "transformer_list":
    case "list":
      return node.items;
    case "field_value":
      return [node.field];
    default:
      return [];
  }
}

/** A deep copy without spans, for comparing trees parsed from differently laid out text. */
export function withoutSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpans);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) if (key !== "span") out[key] = withoutSpans(child);
  return out;
}
