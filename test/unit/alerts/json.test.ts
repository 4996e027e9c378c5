import { test } from "node:test";
import assert from "node:assert/strict";
import {
  doubleJson,
  integerJson,
  jsoncppDouble,
  nlohmannDouble,
  nlohmannReparsedDouble,
  quoteJson,
  scalarJson,
} from "../../../src/alerts/json.js";

test("strings: escapes per dialect", () => {
  const table: [string, string, string][] = [
    // text, jsoncpp, nlohmann
    ["cat /dev/null", '"cat /dev/null"', '"cat /dev/null"'],
    ['say "hi"\\', '"say \\"hi\\"\\\\"', '"say \\"hi\\"\\\\"'],
    ["a\nb\tc\rd\be\ff", '"a\\nb\\tc\\rd\\be\\ff"', '"a\\nb\\tc\\rd\\be\\ff"'],
    // Other controls: \u00XX, upper-case hex in jsoncpp, lower-case in nlohmann; NUL too.
    ["\u001b[0m\u0000", '"\\u001B[0m\\u0000"', '"\\u001b[0m\\u0000"'],
    // DEL, '/', and non-ASCII are written as they are.
    ["\u007f/é😀", '"\u007f/é😀"', '"\u007f/é😀"'],
    // A lone surrogate (no UTF-8 form) becomes U+FFFD with nlohmann's replace handler.
    ["a\ud800b", '"a\ud800b"', '"a\ufffdb"'],
  ];
  for (const [text, jsoncpp, nlohmann] of table) {
    assert.equal(quoteJson(text, "jsoncpp"), jsoncpp, JSON.stringify(text));
    assert.equal(quoteJson(text, "nlohmann"), nlohmann, JSON.stringify(text));
    // Both read back to the text (for well-formed input).
    if (!text.includes("\ud800")) assert.equal(JSON.parse(jsoncpp), text);
  }
});

test('doubles: jsoncpp prints C\'s "%.17g"', () => {
  // Expected values from printf("%.17g").
  const table: [number, string][] = [
    [0.1, "0.10000000000000001"],
    [1, "1"],
    [2.5, "2.5"],
    [1e17, "1e+17"],
    [1e16, "10000000000000000"],
    [123456789.123, "123456789.123"],
    [1.5e-7, "1.4999999999999999e-07"],
    [0.0001, "0.0001"],
    [0.00001, "1.0000000000000001e-05"],
    [-3.75, "-3.75"],
    [1 / 3, "0.33333333333333331"],
    [1e300, "1.0000000000000001e+300"],
    [5e-324, "4.9406564584124654e-324"],
    [12345678901234567890, "1.2345678901234567e+19"],
    [0, "0"],
    [-0, "-0"],
    [NaN, "null"],
    [Infinity, "1e+9999"],
  ];
  for (const [x, expected] of table) assert.equal(jsoncppDouble(x), expected, String(x));
});

test("doubles: nlohmann's shortest form, and what Falco >= 0.39 makes of jsoncpp's text", () => {
  const table: [number, string][] = [
    [0.1, "0.1"],
    [1, "1.0"],
    [-2.5, "-2.5"],
    [1e14, "100000000000000.0"],
    [1e15, "1e+15"],
    [1e20, "1e+20"],
    [123456.789, "123456.789"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [1.5e-100, "1.5e-100"],
    [0, "0.0"],
    [-0, "-0.0"],
  ];
  for (const [x, expected] of table) assert.equal(nlohmannDouble(x), expected, String(x));
  // Re-parsed: integral text ("%.17g" without '.' or 'e') stays an integer.
  assert.equal(nlohmannReparsedDouble(2), "2");
  assert.equal(nlohmannReparsedDouble(1e16), "10000000000000000");
  assert.equal(nlohmannReparsedDouble(1e17), "1e+17");
  assert.equal(nlohmannReparsedDouble(0.1), "0.1");
  assert.equal(nlohmannReparsedDouble(NaN), "null");
  assert.equal(doubleJson(0.1, "jsoncpp"), "0.10000000000000001");
  assert.equal(doubleJson(0.1, "nlohmann"), "0.1");
});

test("integers and scalars", () => {
  assert.equal(integerJson(42), "42");
  assert.equal(integerJson(-7), "-7");
  assert.equal(integerJson(1470327477881781397n), "1470327477881781397");
  assert.equal(integerJson(2 ** 60), "1152921504606846976");
  assert.equal(scalarJson(null, "jsoncpp"), "null");
  assert.equal(scalarJson(true, "jsoncpp"), "true");
  assert.equal(scalarJson(3, "nlohmann"), "3");
  assert.equal(scalarJson(0.5, "jsoncpp"), "0.5");
  assert.equal(scalarJson("x", "jsoncpp"), '"x"');
});
