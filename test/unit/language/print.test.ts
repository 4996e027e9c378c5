// printExpr: canonical text that reads back to the same tree (spans aside).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCondition } from "../../../src/rules/language/parser.js";
import { printExpr } from "../../../src/rules/language/print.js";
import type { Expr, ValueExpr } from "../../../src/rules/language/ast.js";
import { assertGolden } from "../../support/golden.js";
import { withoutSpans } from "./shape.js";

function parseOk(text: string): Expr {
  const result = parseCondition(text);
  if (!result.ok) assert.fail(`${JSON.stringify(text)}: ${result.error.message} at ${result.error.start}`);
  return result.expr;
}

// A value that is not a bare string has to be printed quoted, so hand-built trees may come back with
// `quoted: true` where they had false; `ignoreQuoted` compares them without that flag.
function assertRoundTrip(expr: Expr, label: string, ignoreQuoted = false): string {
  const printed = printExpr(expr);
  const reparsed = parseCondition(printed);
  if (!reparsed.ok)
    assert.fail(`${label}: printed ${JSON.stringify(printed)} does not parse: ${reparsed.error.message}`);
  const normal = (tree: Expr) => {
    const json = JSON.stringify(withoutSpans(tree));
    return ignoreQuoted ? json.replaceAll(',"quoted":true', "").replaceAll(',"quoted":false', "") : json;
  };
  assert.equal(normal(reparsed.expr), normal(expr), `${label}: ${printed}`);
  return printed;
}

// Inputs for the golden file, one per line of test/golden/language/print.txt.
const CONDITIONS = [
  "a",
  "a and b and c",
  "a.a=1 or b.b=2 and c",
  "(a or b) and not c",
  "not (a and b)",
  "not(not(a))",
  "not not a",
  "proc.name exists",
  "proc.name=cat",
  "proc.name = 'cat'",
  "fd.name in (/etc/passwd, '/etc/shadow', \"a b\", 3)",
  "proc.name in shell_binaries",
  "proc.name in ()",
  "fd.name pmatch (/etc, /usr/lib)",
  "evt.arg[0] contains /bin",
  "test.str['a aa'] = a",
  'test.str[""] = empty',
  "proc.aname[2]=nginx",
  "fd.num >= 0x1f and evt.count < -1.5e+3",
  "proc.name == oneof (cat, nginx)",
  "proc.name startswith anyof my_prefixes",
  "proc.name == anyof and fd.name exists",
  'getopt(proc.args, "nt:")[t] = value',
  "join('-', (fd.name, tolower(fd.directory), 1)) = /tmp",
  'concat(proc.name, ":", proc.pid) contains "a:1"',
  "some.field = val(test.field)",
  "len(proc.args) > val(proc.pid)",
  "tolower(proc.name) = toupper(proc.pname)",
  "x.y = val(a.b[1])[2]",
  'proc.cmdline contains "\\"quoted\\" and \\\\ back"',
  'proc.args contains "\\ "',
  'x.y = "tab\\there\\x01"',
  "macro and not_macro",
];

test("printed conditions are canonical and read back to the same tree", () => {
  const lines: string[] = [];
  for (const text of CONDITIONS) {
    const printed = assertRoundTrip(parseOk(text), text);
    assert.equal(printExpr(parseOk(printed)), printed, `printing is a fixed point for ${text}`);
    lines.push(`${text}\n  => ${printed}`);
  }
  assertGolden("language/print.txt", lines.join("\n") + "\n");
});

test("hand-built trees print so they parse back", () => {
  const span = { start: 0, end: 0 };
  const field = { kind: "field", name: "proc.name", arg: undefined, span } as const;
  const bare = (value: string): ValueExpr => ({ kind: "value", value, quoted: false, span });
  const id = (name: string): Expr => ({ kind: "identifier", name, span });
  const table: [Expr, string][] = [
    // Values from expanded lists arrive unquoted but may not be bare strings.
    [
      { kind: "binary", left: field, op: "=", modifier: undefined, right: bare("a b"), span },
      'proc.name = "a b"',
    ],
    [
      {
        kind: "binary",
        left: field,
        op: "in",
        modifier: undefined,
        right: { kind: "list", items: [bare("x,y"), bare("(z)"), bare("w"), bare("")], span },
        span,
      },
      'proc.name in ("x,y", "(z)", w, "")',
    ],
    [
      { kind: "binary", left: field, op: "=", modifier: undefined, right: bare("ends\\"), span },
      "proc.name = ends\\",
    ],
    [
      { kind: "binary", left: field, op: "=", modifier: undefined, right: bare("\bx"), span },
      'proc.name = "\\bx"',
    ],
    // Negated negations and macros named like keywords keep their meaning.
    [{ kind: "not", child: { kind: "not", child: id("a"), span }, span }, "not (not a)"],
    [{ kind: "not", child: id("not"), span }, "not (not)"],
    [{ kind: "and", children: [id("not"), id("and"), id("or")], span }, "((not) and and and or)"],
    [{ kind: "or", children: [id("or"), id("and")], span }, "(or or and)"],
  ];
  for (const [expr, expected] of table) {
    assert.equal(printExpr(expr), expected);
    assertRoundTrip(expr, expected, true);
  }
});
