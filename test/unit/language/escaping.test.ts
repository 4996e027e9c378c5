// Quoted strings: libsinsp's escapes in, and a quoted form that reads back to the same value out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { quoteString, unescapeQuoted } from "../../../src/rules/language/escaping.js";

function unescape(literal: string): string {
  const result = unescapeQuoted(literal, 0, literal.length);
  if (!result.ok) assert.fail(`${literal}: ${result.message}`);
  return result.value;
}

test("unescaping quoted strings", () => {
  const table: [string, string][] = [
    ['""', ""],
    ["''", ""],
    ['"plain"', "plain"],
    ['"\\b\\f\\n\\r\\t"', "\b\f\n\r\t"],
    ['"\\\\ \\/"', "\\ /"],
    ['"a\\ b"', "a\\b"],
    ['"\\""', '"'],
    ["'\\''", "'"],
    ['"\\x41\\x7a"', "Az"],
    ['"\\x413"', "A3"],
    ['"\\xff\\xFE"', "\u00ff\u00fe"],
    ['"\\x00"', "\u0000"],
    ['"é\\n€"', "é\n€"],
  ];
  for (const [literal, value] of table) assert.equal(unescape(literal), value, literal);
});

test("invalid escapes give libsinsp's messages", () => {
  const table: [string, string][] = [
    ["'\\\"'", "invalid \\\" escape in '-quoted string"],
    ['"\\\'"', "invalid \\' escape in \"-quoted string"],
    ['"\\q"', "unsupported string escape sequence: \\q"],
    ['"\\x"', "truncated hex char escape sequence"],
    ['"\\xf"', "truncated hex char escape sequence"],
    ['"a\\xf"', "truncated hex char escape sequence"],
    ['"\\xgg"', "invalid hex char escape sequence: gg"],
    ['"\\xfg"', "invalid hex char escape sequence: fg"],
    ['"\\x g"', "invalid hex char escape sequence:  g"],
    ['"\\x+a"', "invalid hex char escape sequence: +a"],
  ];
  for (const [literal, message] of table) {
    assert.deepEqual(unescapeQuoted(literal, 0, literal.length), { ok: false, message }, literal);
  }
});

test("quoting reads back to the same value", () => {
  const table: [string, string][] = [
    ["", '""'],
    ["some string", '"some string"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["it's", '"it\'s"'],
    ["a\\b", '"a\\\\b"'],
    // A final backslash would hide the closing quote from the scanner.
    ["ends\\", '"ends\\x5c"'],
    ["\b\f\n\r\t", '"\\b\\f\\n\\r\\t"'],
    ["nul\u0000 del\u007f", '"nul\\x00 del\\x7f"'],
    ["é€", '"é€"'],
  ];
  for (const [value, quoted] of table) {
    assert.equal(quoteString(value), quoted, JSON.stringify(value));
    assert.equal(unescape(quoted), value, quoted);
  }
});
