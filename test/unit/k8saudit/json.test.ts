// The fastjson/Go text forms values are compared as, JSON pointer parsing, and Go's URL query rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkJsonDepth,
  getKey,
  marshalCompact,
  marshalIndented,
  parseJsonPointer,
  type JsonValue,
} from "../../../src/k8saudit/json.js";
import { parseQuery, rawQueryOf } from "../../../src/k8saudit/uri.js";

test("compact marshalling (fastjson MarshalTo with Go's string quoting)", () => {
  const rows: [JsonValue, string][] = [
    [null, "null"],
    [true, "true"],
    [0, "0"],
    [-12.5, "-12.5"],
    [1e21, "1e+21"],
    ["plain", '"plain"'],
    ["", '""'],
    ["é ü 日本", '"é ü 日本"'], // no escaping needed: copied as is
    ["<&>", '"<&>"'], // no HTML escaping
    ['say "hi"', '"say \\"hi\\""'],
    ["a\\b", '"a\\\\b"'],
    ["line\nbreak\ttab\r", '"line\\nbreak\\ttab\\r"'],
    ["\u0001", '"\\x01"'], // Go's \x form
    ["\u0007\u000b", '"\\a\\v"'],
    ["\u007f\n", '"\\x7f\\n"'], // DEL only escaped when the string needs quoting at all
    ["\u007f", '"\u007f"'],
    ['"\u00a0\u00ad\u2028', '"\\"\\u00a0\\u00ad\\u2028"'], // non-printable runes once quoting
    ['"\u{e0001}', '"\\"\\U000e0001"'],
    [[], "[]"],
    [{}, "{}"],
    [[1, [2, {}], { a: null }], '[1,[2,{}],{"a":null}]'],
    [{ b: 1, a: 2 }, '{"b":1,"a":2}'], // member order kept
    [{ 'k"': "v" }, '{"k\\"":"v"}'],
  ];
  for (const [value, text] of rows) assert.equal(marshalCompact(value), text, JSON.stringify(value));
});

test("indented form (Go's json.Indent), unavailable when the text is not JSON", () => {
  const v: JsonValue = { a: [1, { b: [] }], c: {}, d: "x" };
  assert.equal(marshalIndented(v), JSON.stringify(v, null, 2));
  assert.equal(marshalIndented([]), "[]");
  assert.equal(marshalIndented("s"), '"s"');
  assert.equal(marshalIndented({ a: '"\u0001' }), undefined);
  assert.equal(marshalIndented({ a: "\u0001" }), undefined);
  assert.equal(marshalIndented({ a: '"\u00a0' }), '{\n  "a": "\\"\\u00a0"\n}');
});

test("lookups and JSON pointers", () => {
  const doc: JsonValue = JSON.parse(
    '{"a":{"b/c":[10,20],"~x":1,"":{"":"empty"}},"__proto__":5}',
  ) as JsonValue;
  const rows: [string, JsonValue | undefined][] = [
    ["/a/b~1c/1", 20],
    ["a/b~1c/0", 10],
    ["/a/~0x", 1],
    ["/a/b~1c/01", 20], // Atoi accepts leading zeros
    ["/a/b~1c/+0", 10], // and a sign
    ["/a/b~1c/2", undefined],
    ["/a/b~1c/x", undefined],
    ["/a/b~1c/", undefined],
    ["/a//", "empty"],
    ["/__proto__", 5],
    ["/toString", undefined],
    ["/a/hasOwnProperty", undefined],
  ];
  for (const [ptr, expected] of rows) {
    let cur: JsonValue | undefined = doc;
    for (const k of parseJsonPointer(ptr)) cur = getKey(cur, k);
    assert.deepEqual(cur, expected, ptr);
  }
  assert.deepEqual(parseJsonPointer("/"), [""]);
  assert.deepEqual(parseJsonPointer("/a~01"), ["a~1"], "~1 is replaced before ~0");
});

test("depth pre-check", () => {
  assert.ok(checkJsonDepth("[]"));
  assert.ok(checkJsonDepth("[".repeat(300) + "]".repeat(300)));
  assert.ok(!checkJsonDepth("[".repeat(301) + "]".repeat(301)));
  assert.ok(!checkJsonDepth('{"a":'.repeat(300) + "1" + "}".repeat(300)));
  assert.ok(checkJsonDepth('{"a":'.repeat(299) + "1" + "}".repeat(299)));
  assert.ok(checkJsonDepth(`"${"[".repeat(500)}"`));
  assert.ok(checkJsonDepth(`["\\\\", "${"{".repeat(400)}"]`), "an escaped backslash ends before the quote");
});

test("Go URL query rules", () => {
  const uri: [string, string | undefined][] = [
    ["/api/v1/pods?watch=true", "watch=true"],
    ["/api/v1/pods", ""],
    ["/api/v1/pods?", ""],
    ["/a?b?c", "b?c"],
    ["/a#frag?x=1", ""],
    ["/a?x=1#frag", "x=1"],
    ["https://host:6443/api?x=1", "x=1"],
    ["*", ""],
    ["/p%41th?x=1", "x=1"],
    ["/p%4?x=1", undefined],
    ["/a?x=1#%zz", undefined],
    ["a:b/c?x=1", "x=1"], // a scheme
    ["1a:b?x=1", undefined], // colon in the first segment of a relative path
    [":x?y=1", undefined], // missing scheme
    ["/a\u0000?x=1", undefined],
    ["/a?x=1\u007f", undefined],
  ];
  for (const [u, raw] of uri) assert.equal(rawQueryOf(u), raw, u);
  const q: [string, Record<string, string[]> | undefined][] = [
    ["a=1&b=2&a=3", { a: ["1", "3"], b: ["2"] }],
    ["a", { a: [""] }],
    ["a=", { a: [""] }],
    ["=v", { "": ["v"] }],
    ["&&a=1&", { a: ["1"] }],
    ["a=x%3Dy&b=%E2%9C%93", { a: ["x=y"], b: ["✓"] }],
    ["a+b=c+d", { "a b": ["c d"] }],
    ["a=1;b=2", undefined],
    ["a=%", undefined],
    ["a=%g1&b=2", undefined],
    ["k=é", { k: ["é"] }],
  ];
  for (const [raw, expected] of q) {
    const got = parseQuery(raw);
    assert.deepEqual(got === undefined ? undefined : Object.fromEntries(got), expected, raw);
  }
});
