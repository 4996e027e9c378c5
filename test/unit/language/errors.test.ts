// The parse errors users read, pinned in test/golden/language/errors.txt: for each bad condition, the
// message and a caret under the offsets. The inputs are libsinsp's rejected inputs (filter_parser.ut.cpp)
// plus a few of our own; parser.test.ts checks a hand-verified subset message by message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCondition } from "../../../src/rules/language/parser.js";
import { assertGolden } from "../../support/golden.js";

const BAD_CONDITIONS: readonly string[] = [
  "",
  "   ",
  "a andb",
  "aand b",
  "a and b and",
  "a and b or",
  "a and b not",
  "and a",
  "or a",
  "a or b and",
  "a not b and",
  "a orb",
  "aor b",
  "a and or b",
  "a andor b",
  "a not b",
  "a notb",
  "anot b",
  "a andnot b",
  "(a)andnot(b)",
  "a ornot b",
  "evt.arg[] contains /bin",
  "a.b = b = 1",
  "(a.b = 1",
  "a.a invalidoperator xxx",
  "macro > 12",
  "a.g in ( 1 ,, , b)",
  "#a and b; a and b",
  "fd.name=/var/lo);g/httpd.log",
  "test.str = a,",
  "test.str = a=",
  "test.str = a('\")",
  "test.str = '",
  "test.str = \"'",
  "test.str = missing start quote",
  "test.str = 'missing end quote",
  'test.str = "broken escape double quote""',
  'test.str = "mixed \\\'"',
  "test.str = 'mixed \\\"'",
  'test.str = "\\q"',
  'test.str = "\\x4"',
  'test.str = "\\xzz"',
  "test.str[0a!@#456:/\\.;!$%^&*[]{}] = testval",
  "test.str[[] = testval",
  "test.str['''] = a",
  "test.str[   test   ] = testval",
  "test.str] = testval",
  "test.num > !0.1222e+10",
  "test.num < 0xAAA.1",
  "test.num >= 0aaaaa",
  "test.num <= a",
  "test.list in (",
  "test.list in )",
  "test.list in (value,)",
  "test.list in (,   ,)",
  "test.list startswith (value)",
  "test.op ExIsTs",
  "test.op exists something",
  "test.op ===",
  "test.op startswithvalue",
  "test.op >",
  "test.op in",
  "val(test.field) exists",
  "b64(val(test.field)) exists",
  "b64(test.field [1]) exists",
  "b64 (test.field) exists",
  "b64(testfield)) exists",
  "b64(test.field exists",
  "(test.field) exists",
  "some.field = val(val(test.field))",
  "some.field = (b64(test.field))",
  "some.field = b64(test.field))",
  "some.field in (a, b64(test.field))",
  'join("-", (fd.name, fd.directory) = /tmp',
  'join("-", (,)) = /tmp',
  'join("-", ((fd.name))) = /tmp',
  "proc.name == oneof (cat,)",
  "proc.name ==oneof (cat, nginx)",
  "proc.name == oneof(cat, nginx)",
  "proc.num > oneof (1, 2)",
  "proc.name in oneof (cat)",
  "evt.type=execve foo",
  "evt.type in (open, openat) and\n  fd.name startswith /etc and\n  proc.name = cat dog",
  "(".repeat(100_000),
];

// One entry per input: the input (JSON-quoted when it has control characters, elided when huge), the
// input's line with a caret under the error, and the message with its offsets.
function describe(text: string): string {
  const result = parseCondition(text);
  assert.ok(!result.ok, `${JSON.stringify(text)} should not parse`);
  const { message, start, end } = result.error;
  const shown =
    text.length > 200 ? JSON.stringify(text.slice(0, 20)) + ` ... (${text.length} characters)` : text;
  const lines = [`input:  ${/[\u0000-\u001f]/.test(shown) ? JSON.stringify(shown) : shown}`];
  if (shown === text && !/[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    // Show the line that holds the error, with the caret under its column.
    const lineStart = text.lastIndexOf("\n", start - 1) + 1;
    const lineEnd = text.indexOf("\n", lineStart);
    const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
    const width = Math.max(1, Math.min(end, lineStart + line.length) - start);
    if (text.includes("\n")) lines.push(`line:   ${line}`);
    lines.push(`        ${" ".repeat(start - lineStart)}${"^".repeat(width)}`);
  }
  lines.push(`error:  ${message} (offsets ${start}-${end})`);
  return lines.join("\n");
}

test("parse error messages and positions (golden)", () => {
  assertGolden("language/errors.txt", BAD_CONDITIONS.map(describe).join("\n\n") + "\n");
});
