// Falco's LOAD_UNSAFE_NA_CHECK ("Unsafe <NA> comparison in condition"), from its
// filter_warning_resolver: a `ka.*` or `jevt.*` field compared for equality (=, ==, !=, in,
// intersects, pmatch) with the literal "<NA>". Those plugin fields render a missing value as "<NA>",
// but a check on a missing value is false, so the comparison does not do what it reads as; `exists`
// is the safe form.
import type { Expr, FieldLike, Span } from "../rules/language/ast.js";

const NA_TEXT = "<NA>";
const EQUALITY_OPERATORS: ReadonlySet<string> = new Set(["=", "==", "!=", "in", "intersects", "pmatch"]);

function isUnsafeField(node: FieldLike): boolean {
  if (node.kind === "field") return node.name.startsWith("ka.") || node.name.startsWith("jevt.");
  // The last field visited inside a transformer decides, as in Falco's visitor.
  for (let i = node.args.length - 1; i >= 0; i--) {
    const a = node.args[i];
    if (a.kind === "field" || a.kind === "transformer") return isUnsafeField(a);
  }
  return false;
}

/** The spans of every `<NA>` value compared unsafely in `expr`, in text order (empty when none). */
export function unsafeNaComparisons(expr: Expr): Span[] {
  const out: Span[] = [];
  const visit = (node: Expr): void => {
    switch (node.kind) {
      case "and":
      case "or":
        for (const c of node.children) visit(c);
        return;
      case "not":
        visit(node.child);
        return;
      case "binary": {
        // With a modifier Falco's operator text is "= anyof", which is not an equality operator to it.
        if (node.modifier !== undefined || !EQUALITY_OPERATORS.has(node.op) || !isUnsafeField(node.left))
          return;
        const r = node.right;
        if (r.kind === "value" && r.value === NA_TEXT) out.push(r.span);
        else if (r.kind === "list") for (const v of r.items) if (v.value === NA_TEXT) out.push(v.span);
        return;
      }
      default:
        return;
    }
  };
  visit(expr);
  return out;
}
