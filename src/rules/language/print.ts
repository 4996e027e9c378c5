// The canonical text of a condition tree, as `saker rules list` shows fully expanded conditions.
//
// The layout follows libsinsp's as_string (ast.cpp) so the text reads like what Falco prints: every
// and/or group in parentheses, `not ` before its operand, one blank around operators, `, ` between list
// items and `,` between transformer arguments. It differs where as_string does not read back to the
// same tree: a value is quoted whenever its bare form would lex differently (as_string leaves `a,b` or
// `(x)` bare), quoted values stay quoted, and names that the grammar would take as keywords are wrapped.
// The guarantee, tested on every corpus condition: parseCondition(printExpr(e)) equals e except for spans.
import type { CheckValue, Expr, FieldLike, TransformerArg, ValueExpr } from "./ast.js";
import { quoteString } from "./escaping.js";
import { isBareStringChar, isFieldArgChar, scanHexNumber, scanNumber } from "./scanner.js";

export function printExpr(expr: Expr): string {
  switch (expr.kind) {
    case "and":
    case "or":
      return "(" + expr.children.map(printExpr).join(` ${expr.kind} `) + ")";
    case "not":
      // `not not x` would read back as x (each `not` toggles), so a negated negation keeps its group.
      return expr.child.kind === "not" ? `not (${printExpr(expr.child)})` : "not " + printExpr(expr.child);
    case "identifier":
      // A macro named `not` followed by a blank would read as the keyword.
      return expr.name === "not" ? "(not)" : expr.name;
    case "unary":
      return printFieldLike(expr.left) + " " + expr.op;
    case "binary": {
      const op = expr.modifier === undefined ? expr.op : `${expr.op} ${expr.modifier}`;
      return `${printFieldLike(expr.left)} ${op} ${printCheckValue(expr.right, isNumericOperator(expr.op))}`;
    }
  }
}

export function printFieldLike(node: FieldLike): string {
  if (node.kind === "field") return node.name + printFieldArg(node.arg);
  return `${node.name}(${node.args.map(printTransformerArg).join(",")})${printFieldArg(node.arg)}`;
}

function printCheckValue(value: CheckValue, numeric: boolean): string {
  switch (value.kind) {
    case "value":
      return numeric ? printNumber(value) : printString(value);
    case "list":
      return "(" + value.items.map(printString).join(", ") + ")";
    case "field_value":
      if (value.field.kind === "transformer") return printFieldLike(value.field);
      return `val(${printFieldLike(value.field)})${printFieldArg(value.arg)}`;
  }
}

function printTransformerArg(arg: TransformerArg): string {
  switch (arg.kind) {
    case "value":
      return arg.quoted ? quoteString(arg.value) : printNumber(arg);
    case "transformer_list":
      return "(" + arg.items.map(printTransformerArg).join(",") + ")";
    default:
      return printFieldLike(arg);
  }
}

function printFieldArg(arg: string | undefined): string {
  if (arg === undefined) return "";
  return "[" + (isBare(arg, isFieldArgChar) ? arg : quoteString(arg)) + "]";
}

// A string value: bare when it was bare and still lexes as one bare string, quoted otherwise.
function printString(value: ValueExpr): string {
  return !value.quoted && isBare(value.value, isBareStringChar) ? value.value : quoteString(value.value);
}

// Where only numbers are allowed, a value that is not one can only be shown quoted (it will not parse).
function printNumber(value: ValueExpr): string {
  const text = value.value;
  const isNumber = scanHexNumber(text, 0) === text.length || scanNumber(text, 0) === text.length;
  return !value.quoted && text.length > 0 && isNumber ? text : quoteString(text);
}

// \b is a bare-string character but also a blank the parser skips before a value, so it forces quotes.
function isBare(text: string, isChar: (c: number) => boolean): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isChar(c) || c === 8) return false;
  }
  return true;
}

function isNumericOperator(op: string): boolean {
  return op === "<" || op === "<=" || op === ">" || op === ">=";
}
