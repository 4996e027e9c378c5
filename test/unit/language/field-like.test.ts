// parseFieldLike: one field or transformer at a given offset, as output format strings use them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFieldLike } from "../../../src/rules/language/parser.js";
import { fieldShape, spans } from "./shape.js";

test("fields and transformers inside format strings", () => {
  const table: [string, number, string, number][] = [
    ["%proc.name rest", 1, "proc.name", 10],
    ["%proc.aname[2]x", 1, 'proc.aname["2"]', 14],
    ["%evt.arg.flags", 1, "evt.arg.flags", 14],
    ["%10proc.name", 3, "proc.name", 12],
    ['%jevt.value["/a b"] ', 1, 'jevt.value["/a b"]', 19],
    ["%tolower(proc.name)", 1, "tolower(proc.name)", 19],
    ["%tolower( proc.name ) and", 1, "tolower(proc.name)", 21],
    ['%getopt(proc.args, "-c:")[c] y', 1, 'getopt(proc.args, "-c:")["c"]', 28],
    ['%join(",", (proc.name, proc.pid))', 1, 'join(",", tlist(proc.name, proc.pid))', 33],
    // The field ends where the grammar does: a trailing `.` or `:` is left for the format string.
    ["%proc.name.", 1, "proc.name", 10],
    ["%proc.name:%fd.name", 12, "fd.name", 19],
  ];
  for (const [text, start, expected, end] of table) {
    const result = parseFieldLike(text, start);
    if (!result.ok) assert.fail(`${text}: ${result.error.message}`);
    assert.equal(fieldShape(result.node), expected, text);
    assert.equal(result.end, end, text);
  }
  const located = parseFieldLike("x %proc.aname[1]", 3);
  assert.ok(located.ok);
  assert.equal(spans(located.node), "field@3-16");
});

test("format fields that do not parse", () => {
  const table: [string, number, string, number][] = [
    // libsinsp's message is cut short like this.
    ["% proc.name", 1, "unexpected token after '", 1],
    ["%val(proc.name)", 1, "unexpected token after '", 1],
    ["%proc", 1, "unexpected token after '", 1],
    ["%proc.name[", 1, "expected a valid field argument: a quoted string or a bare string", 11],
    ["%proc.name[x", 1, "expected a ']' token", 12],
    ["%tolower(proc.name", 1, "expected a ')' token closing the transformer", 18],
    ["%tolower(1, 'a')[", 1, "expected a valid field argument: a quoted string or a bare string", 17],
  ];
  for (const [text, start, message, at] of table) {
    const result = parseFieldLike(text, start);
    assert.ok(!result.ok, text);
    assert.equal(result.error.message, message, text);
    assert.equal(result.error.start, at, text);
  }
  // Output fields use libsinsp's default depth limit of 100.
  const deep = parseFieldLike("%" + "tolower(".repeat(1000) + "proc.name" + ")".repeat(1000), 1);
  assert.ok(!deep.ok && deep.error.message === "exceeded max depth limit of 100");
});
