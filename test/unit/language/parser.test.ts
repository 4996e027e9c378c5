// Condition parser: input -> tree shape (see shape.ts) or -> error message and offset. Expected errors
// and offsets are libsinsp's (filter/parser.cpp, checked by hand against its control flow); accepted
// inputs come largely from libsinsp's filter_parser.ut.cpp and are re-run with other whitespace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCondition, type ParseOptions } from "../../../src/rules/language/parser.js";
import type { Expr } from "../../../src/rules/language/ast.js";
import { shape, spans, withoutSpans } from "./shape.js";

function parseOk(text: string, options?: ParseOptions): Expr {
  const result = parseCondition(text, options);
  if (!result.ok) assert.fail(`${JSON.stringify(text)}: ${result.error.message} at ${result.error.start}`);
  return result.expr;
}

// libsinsp's test_accept: the input, the input padded with spaces, then every space as \n, then as \t.
function layouts(text: string): string[] {
  const padded = ` ${text} `;
  return [text, padded, padded.replaceAll(" ", "\n"), padded.replaceAll(" ", "\t")];
}

// Quoted strings and field arguments may hold blanks, which the layouts would change.
function layoutInsensitive(text: string): boolean {
  return !/["'[]/.test(text);
}

function assertAccepts(table: readonly (readonly [string, string])[]): void {
  for (const [text, expected] of table) {
    const tree = parseOk(text);
    assert.equal(shape(tree), expected, JSON.stringify(text));
    if (!layoutInsensitive(text)) continue;
    for (const layout of layouts(text).slice(1)) {
      assert.deepEqual(withoutSpans(parseOk(layout)), withoutSpans(tree), JSON.stringify(layout));
    }
  }
}

function assertRejects(table: readonly (readonly [string, string, number])[], options?: ParseOptions): void {
  for (const [text, message, start] of table) {
    const result = parseCondition(text, options);
    assert.ok(!result.ok, `${JSON.stringify(text)} should not parse`);
    assert.equal(result.error.message, message, JSON.stringify(text));
    assert.equal(result.error.start, start, `offset of ${JSON.stringify(text)}`);
    assert.ok(result.error.end >= start && result.error.end <= text.length, JSON.stringify(text));
  }
}

const TRANSFORMER_NAMES = "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'";
const EXPECTED_OPERATOR =
  "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', " +
  "'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', " +
  "'intersects', 'in', 'pmatch'";
const EXPECTED_STRING = "expected a string value or a field with a valid transformer: " + TRANSFORMER_NAMES;
const EXPECTED_NUMBER = "expected a number value or a field with a valid transformer: " + TRANSFORMER_NAMES;
const EXPECTED_LIST =
  "expected a list, an identifier, or a field with a valid transformer: " + TRANSFORMER_NAMES;
const EXPECTED_CHECK = "expected a '(' token, a field check, or an identifier";
const after = (token: string) => `unexpected token after '${token}', expecting 'or', 'and'`;

test("and, or, not and parentheses", () => {
  assertAccepts([
    ["a", "a"],
    ["  a", "a"],
    ["(a)", "a"],
    ["((((((((((a))))))))))", "a"],
    ["a and b", "(and a b)"],
    ["a and b and c", "(and a b c)"],
    ["a and b and(c)", "(and a b c)"],
    ["(a)and(b)and(c)", "(and a b c)"],
    ["a or b or c", "(or a b c)"],
    ["a or b or(c)", "(or a b c)"],
    ["(a)or(b)or(c)", "(or a b c)"],
    ["a.a=1 or b.b=2 and c", "(or (= a.a 1) (and (= b.b 2) c))"],
    ["(a or b) and c", "(and (or a b) c)"],
    ["a and (b and c)", "(and a (and b c))"],
    ["(a.a exists and b)", "(and (exists a.a) b)"],
    ["not a", "(not a)"],
    ["not (a)", "(not a)"],
    ["not(a)", "(not a)"],
    ["not (not (a))", "(not (not a))"],
    ["not(not(a))", "(not (not a))"],
    // Consecutive `not `s toggle one flag: an even number leaves no node at all.
    ["not not a", "a"],
    ["not not not a", "(not a)"],
    ["(not not a)", "a"],
    ["not not(a)", "a"],
    ["not not not not not(not not(not not_macro))", "(not (not not_macro))"],
    ["not(a)and(not(b))", "(and (not a) (not b))"],
    ["not a.b=1", "(not (= a.b 1))"],
    ["not a.a exists", "(not (exists a.a))"],
    ["a.b = 1 and not a", "(and (= a.b 1) (not a))"],
    // Keywords are prefixes, not words, but identifiers that merely start with one are fine.
    ["a and notb", "(and a notb)"],
    ["notz and a and b", "(and notz a b)"],
    ["macro and not_macro", "(and macro not_macro)"],
    ["macro and not not_macro", "(and macro (not not_macro))"],
    ["macro and and_macro", "(and macro and_macro)"],
    ["((macro) and (or_macro))", "(and macro or_macro)"],
    ["test.op existsand macro", "(and (exists test.op) macro)"],
    ["and", "and"],
  ]);
  // A keyword alone where a check is expected is just an identifier (but `not ` with a blank is the keyword).
  assert.equal(shape(parseOk("not")), "not");
});

test("boolean structure errors", () => {
  assertRejects([
    ["", "filter input string is empty", 0],
    ["   ", EXPECTED_CHECK, 3],
    ["a andb", "expected blank or '(' after 'and'", 5],
    ["aand b", after("aand"), 5],
    ["a and b and", "expected blank or '(' after 'and'", 11],
    ["a and b or", "expected blank or '(' after 'or'", 10],
    ["a and b not", after("b"), 8],
    ["and a", after("and"), 4],
    ["or a", after("or"), 3],
    ["a orb", "expected blank or '(' after 'or'", 4],
    ["a and or b", after("or"), 9],
    ["a not b", after("a"), 2],
    ["(a)andnot(b)", "expected blank or '(' after 'and'", 6],
    ["(a.b = 1", "expected a ')' token", 8],
    ["(a", "expected a ')' token", 2],
    ["a)", after("a"), 1],
    ["a and ", EXPECTED_CHECK, 6],
    ["not ", EXPECTED_CHECK, 4],
    ["not(a", "expected a ')' token", 5],
    ["#a and b; a and b", EXPECTED_CHECK, 0],
    // `or(` ends the operand list of an `or` without returning to `and`: libsinsp rejects this.
    ["a or(b) and c", after(")"), 8],
    ["macro > 12", after("macro"), 6],
    // \v is POSIX space (enough after `not`) but not a blank (not enough after `and`).
    ["a and\vb", "expected blank or '(' after 'and'", 5],
    ["a\vand b", after("a"), 1],
  ]);
  assert.equal(shape(parseOk("not\va")), "(not a)");
  assert.equal(shape(parseOk("a\band\bb")), "(and a b)");
});

const BINARY_OPERATORS = [
  "=",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "contains",
  "icontains",
  "bcontains",
  "startswith",
  "bstartswith",
  "endswith",
  "glob",
  "iglob",
  "regex",
  "in",
  "intersects",
  "pmatch",
] as const;

test("every operator, with and without a blank before its operand", () => {
  const numeric = new Set(["<", "<=", ">", ">="]);
  const list = new Set(["in", "intersects", "pmatch"]);
  for (const op of BINARY_OPERATORS) {
    const value = numeric.has(op) ? "12" : list.has(op) ? "(a, b)" : "v";
    const expected = list.has(op) ? "[a b]" : value;
    assertAccepts([
      [`x.y ${op} ${value}`, `(${op} x.y ${expected})`],
      [`x.y ${op} ${value} and m`, `(and (${op} x.y ${expected}) m)`],
      [`not x.y ${op} ${value}`, `(not (${op} x.y ${expected}))`],
    ]);
    // Symbols need no blank on either side; word operators need one after them, except the list ones.
    if (!/^[a-z]/.test(op)) {
      assertAccepts([[`x.y${op}${value}`, `(${op} x.y ${expected})`]]);
    } else if (list.has(op)) {
      assertAccepts([[`x.y ${op}${value}`, `(${op} x.y ${expected})`]]);
    } else {
      assertRejects([[`x.y ${op}${value}`, EXPECTED_OPERATOR, 4]]);
    }
  }
  assertAccepts([
    ["x.y exists", "(exists x.y)"],
    ["test.op =value", "(= test.op value)"],
    ["test.op in()", "(in test.op [])"],
    ["test.op pmatch()", "(pmatch test.op [])"],
    ["test.op intersects(a)", "(intersects test.op [a])"],
    // A bare identifier after a list operator names a list; it is a one-item list. No blank is needed,
    // so `inshell_binaries` is `in shell_binaries` (libsinsp matches operators as prefixes).
    ["x.y in shell_binaries", "(in x.y [shell_binaries])"],
    ["x.y inshell_binaries", "(in x.y [shell_binaries])"],
    ["x.y pmatch (/etc, /usr/bin)", "(pmatch x.y [/etc /usr/bin])"],
    ["x.y regex '^a.*[0-9]+$'", '(regex x.y "^a.*[0-9]+$")'],
    ["x.y bcontains 48545450", "(bcontains x.y 48545450)"],
    ["x.y bstartswith 12ab001fc5", "(bstartswith x.y 12ab001fc5)"],
  ]);
  assertRejects([
    // `in` is matched as a prefix, so this is `a.a in validoperator` followed by junk.
    ["a.a invalidoperator xxx", after("validoperator"), 20],
    ["a.a unknownop xxx", EXPECTED_OPERATOR, 4],
    ["test.op ExIsTs", EXPECTED_OPERATOR, 8],
    ["test.op", EXPECTED_OPERATOR, 7],
    ["test.op exists something", after("exists"), 15],
    ["test.op ===", EXPECTED_STRING, 10],
    ["test.op !== value", EXPECTED_STRING, 10],
    ["test.op startswithvalue", EXPECTED_OPERATOR, 8],
    ["test.op contains(v)", EXPECTED_OPERATOR, 8],
    ["test.op >", EXPECTED_NUMBER, 9],
    ["test.op <= a", EXPECTED_NUMBER, 11],
    ["test.op in", EXPECTED_LIST, 10],
    ["test.op in )", EXPECTED_LIST, 11],
    ["test.op pmatch", EXPECTED_LIST, 14],
    ["a.b = b = 1", after("b"), 8],
    ["test.list > (value)", EXPECTED_NUMBER, 12],
    ["test.list = (value)", EXPECTED_STRING, 12],
    ["test.list contains (value)", EXPECTED_STRING, 19],
  ]);
});

test("values: bare and quoted strings, numbers", () => {
  assertAccepts([
    ["a.b = bla", "(= a.b bla)"],
    ["a.b = 'bla'", '(= a.b "bla")'],
    ["a.b = not", "(= a.b not)"],
    ["fd.name=*.log", "(= fd.name *.log)"],
    ["a.b = a.a", "(= a.b a.a)"],
    ["test.str = 0a!@#456:/\\.;!$%^&*[]{}|", "(= test.str 0a!@#456:/\\.;!$%^&*[]{}|)"],
    ['test.str = ""', '(= test.str "")'],
    ["test.str = ''", '(= test.str "")'],
    ['test.str = "0a!@#456:/.; !$%^&*[]{}|"', '(= test.str "0a!@#456:/.; !$%^&*[]{}|")'],
    ["test.str = 'test value'", '(= test.str "test value")'],
    ["test.str = 'mixed \"'", '(= test.str "mixed \\"")'],
    ['test.str = "mixed \'"', '(= test.str "mixed \'")'],
    ["test.num > 1000", "(> test.num 1000)"],
    ["test.num < +1", "(< test.num +1)"],
    ["test.num >= -1", "(>= test.num -1)"],
    ["test.num <= 0x12345", "(<= test.num 0x12345)"],
    ["test.num <= 0XaB00AB", "(<= test.num 0XaB00AB)"],
    ["test.num > 1.2", "(> test.num 1.2)"],
    ["test.num > -0.1222e+10", "(> test.num -0.1222e+10)"],
    // Numbers are strings to string operators.
    ["test.str = !0.1222e+10", "(= test.str !0.1222e+10)"],
    ["test.str = 0xAAA.1", "(= test.str 0xAAA.1)"],
    // A field name on the right is a bare string unless wrapped in val().
    ["some.field = test.field", "(= some.field test.field)"],
    ["some.field = b64 and(some_macro)", "(and (= some.field b64) some_macro)"],
    [
      "some.field = 'some_fake_transformer(some_macro)'",
      '(= some.field "some_fake_transformer(some_macro)")',
    ],
  ]);
  assertRejects([
    ["test.str = a,", after("a"), 12],
    ["test.str = a=", after("a"), 12],
    ["test.str = '", EXPECTED_STRING, 11],
    ["test.str = \"'", EXPECTED_STRING, 11],
    ["test.str = missing start quote", after("missing"), 19],
    ["test.str = 'missing end quote", EXPECTED_STRING, 11],
    ['test.str = "broken escape double quote""', after("broken escape double quote"), 39],
    ["test.num > !0.1222e+10", EXPECTED_NUMBER, 11],
    ["test.num < 0xAAA.1", after("0xAAA"), 16],
    ["test.num >= 0aaaaa", after("0"), 13],
    ["fd.name=/var/lo);g/httpd.log", after("/var/lo"), 15],
    ["some.field = b64and(some_macro)", after("b64and"), 19],
  ]);
});

test("escapes in quoted strings resolve as libsinsp's do", () => {
  const table: [string, string][] = [
    ['"escape double quote \\" "', 'escape double quote " '],
    ["'escape single quote \\' '", "escape single quote ' "],
    ['"\\b\\f\\n\\r\\t\\\\\\/"', "\b\f\n\r\t\\/"],
    ['"\\x41\\x7a"', "Az"],
    ['"\\x413"', "A3"],
    ['"\\xAb"', "\u00ab"],
    ['"a\\x00b"', "a\u0000b"],
    // "\ " reads as a lone backslash (old Falco rules depend on it).
    ['"bad escape \\ "', "bad escape \\"],
    // The closing quote is the first one not preceded by a backslash, even an escaped backslash.
    ["'multiple escape single quote \\' \\\\''", "multiple escape single quote ' \\'"],
    ['"a\\\\" b"', 'a\\" b'],
  ];
  for (const [literal, value] of table) {
    const expr = parseOk(`x.y = ${literal}`);
    assert.ok(expr.kind === "binary" && expr.right.kind === "value", literal);
    assert.equal(expr.right.value, value, literal);
    assert.equal(expr.right.quoted, true, literal);
  }
  // Escape errors are reported after the closing quote, where the scanner stands.
  assertRejects([
    ['x.y = "mixed \\\'"', "invalid \\' escape in \"-quoted string", 16],
    ["x.y = 'mixed \\\"'", "invalid \\\" escape in '-quoted string", 16],
    ['x.y = "\\q"', "unsupported string escape sequence: \\q", 10],
    ['x.y = "\\x4"', "truncated hex char escape sequence", 11],
    ['x.y = "\\x"', "truncated hex char escape sequence", 10],
    ['x.y = "\\xzz"', "invalid hex char escape sequence: zz", 12],
    ['x.y = "\\x-1"', "invalid hex char escape sequence: -1", 12],
    ['x.y = "a\\\\"', EXPECTED_STRING, 6],
    ['x.y["\\q"] exists', "unsupported string escape sequence: \\q", 8],
  ]);
});

test("inline lists", () => {
  assertAccepts([
    ["test.list in ()", "(in test.list [])"],
    ["test.list in (a)", "(in test.list [a])"],
    ["test.list in ('single-quoted')", '(in test.list ["single-quoted"])'],
    ["a.g in (1, 'a', b)", '(in a.g [1 "a" b])'],
    ["a.g in (1, 'a', b.c)", '(in a.g [1 "a" b.c])'],
    ["x.y in ( a , b )", "(in x.y [a b])"],
    ["test.list in (0a!@#456:/\\.;!$%^&*[]{}|, value)", "(in test.list [0a!@#456:/\\.;!$%^&*[]{}| value])"],
    // libsinsp takes a failing first item to mean an empty list, even a bad escape; what is left must be ')'.
    ['x.y in ("\\q")', "(in x.y [])"],
  ]);
  assertRejects([
    ["test.list in (", "expected a ')' token", 14],
    ["test.list in (value,)", "expected a string value", 20],
    ["test.list in (value,,)", "expected a string value", 20],
    ["test.list in (,)", "expected a ')' token", 14],
    ["test.list in (a b)", "expected a ')' token", 16],
    ["a.g in ( 1 ,, , b)", "expected a string value", 12],
    ["some.field in (b64(test.field))", "expected a ')' token", 18],
    ["some.field in (a, b64(test.field))", "expected a ')' token", 21],
    ['x.y in ("\\q", a)', "expected a ')' token", 12],
  ]);
});

test("string operator modifiers oneof, anyof, allof", () => {
  assertAccepts([
    ["proc.name == oneof (cat, nginx)", "(== oneof proc.name [cat nginx])"],
    ["proc.name = anyof (cat, nginx)", "(= anyof proc.name [cat nginx])"],
    ["proc.name != allof (cat, nginx)", "(!= allof proc.name [cat nginx])"],
    ["proc.name == oneof ()", "(== oneof proc.name [])"],
    ["proc.name == oneof ('cat', \"nginx\", bare)", '(== oneof proc.name ["cat" "nginx" bare])'],
    ["proc.name == oneof allowed_processes", "(== oneof proc.name [allowed_processes])"],
    ["proc.name == oneof oneof", "(== oneof proc.name [oneof])"],
    ["evt.arg[0] == oneof (connect, accept)", '(== oneof evt.arg["0"] [connect accept])'],
    ["tolower(proc.name) == oneof (cat, nginx)", "(== oneof tolower(proc.name) [cat nginx])"],
    ["proc.name contains oneof (cat, nginx)", "(contains oneof proc.name [cat nginx])"],
    ["proc.name startswith anyof (/proc/, /sys/)", "(startswith anyof proc.name [/proc/ /sys/])"],
    ["proc.name endswith allof (.so, .so.1)", "(endswith allof proc.name [.so .so.1])"],
    ["proc.name glob oneof (cat*, *dog)", "(glob oneof proc.name [cat* *dog])"],
    ["proc.name iglob allof (cat*)", "(iglob allof proc.name [cat*])"],
    ["proc.name icontains anyof (cat, nginx)", "(icontains anyof proc.name [cat nginx])"],
    ["proc.name bcontains oneof (0a0b, 0c)", "(bcontains oneof proc.name [0a0b 0c])"],
    ["proc.name bstartswith anyof (7f45)", "(bstartswith anyof proc.name [7f45])"],
    ["proc.name regex oneof ('^a', '^b')", '(regex oneof proc.name ["^a" "^b"])'],
    // Without a list after it (or followed by a boolean keyword) the word is the value itself.
    ["proc.name == oneof", "(== proc.name oneof)"],
    ["proc.name == 'oneof'", '(== proc.name "oneof")'],
    ["proc.name == oneof_something", "(== proc.name oneof_something)"],
    ["proc.name == anyof and fd.name exists", "(and (== proc.name anyof) (exists fd.name))"],
    ["proc.name == oneof or fd.name exists", "(or (== proc.name oneof) (exists fd.name))"],
    ["(proc.name == oneof)", "(== proc.name oneof)"],
    [
      "proc.name == oneof (cat) and proc.name == anyof",
      "(and (== oneof proc.name [cat]) (== proc.name anyof))",
    ],
  ]);
  assertRejects([
    ["proc.name == oneof (cat,)", "expected a string value", 24],
    ["proc.name == oneof (cat, nginx", "expected a ')' token", 30],
    ["proc.name ==oneof (cat, nginx)", after("oneof"), 18],
    ["proc.name == oneof(cat, nginx)", after("oneof"), 18],
    ["proc.name == ONEOF (cat)", after("ONEOF"), 19],
    ["proc.name contains oneof(cat, nginx)", after("oneof"), 24],
    ["proc.num > oneof (1, 2)", EXPECTED_NUMBER, 11],
    ["proc.name in oneof (cat)", after("oneof"), 19],
    ["proc.name == oneof_something (cat)", after("oneof_something"), 29],
    // `not_x` starts with the keyword `not` as libsinsp sees it (not followed by a letter or digit).
    ["proc.name == oneof not_x", after("oneof"), 19],
  ]);
});

test("fields: dotted names and bracket arguments", () => {
  assertAccepts([
    ["evt.arg[0] contains /bin", '(contains evt.arg["0"] /bin)'],
    ["evt.arg[a] contains /bin", '(contains evt.arg["a"] /bin)'],
    ["evt.arg.flags contains O_CREAT", "(contains evt.arg.flags O_CREAT)"],
    ["k8s.ns.name = default", "(= k8s.ns.name default)"],
    ["proc.aname[2]=nginx", '(= proc.aname["2"] nginx)'],
    ["test.str[0a!@#456:/\\.;!$%^&*(){}|] = testval", '(= test.str["0a!@#456:/\\\\.;!$%^&*(){}|"] testval)'],
    ["test.str[+0.25e+10] = a", '(= test.str["+0.25e+10"] a)'],
    ['test.str[""] = empty', '(= test.str[""] empty)'],
    ["test.str['a aa'] = a", '(= test.str["a aa"] a)'],
    ['test.str["test \\"with\\"escaping"] = a', '(= test.str["test \\"with\\"escaping"] a)'],
    ["jevt.value[/user/name] = alice", '(= jevt.value["/user/name"] alice)'],
    [
      "ka.req.pod.containers.image.repository in (nginx)",
      "(in ka.req.pod.containers.image.repository [nginx])",
    ],
  ]);
  assertRejects([
    ["evt.arg[] contains /bin", "expected a valid field argument: a quoted string or a bare string", 8],
    ['evt.arg["x" = value', "expected a ']' token", 11],
    ["test.str[[] = testval", "expected a valid field argument: a quoted string or a bare string", 9],
    ["test.str[]] = testval", "expected a valid field argument: a quoted string or a bare string", 9],
    ["test.str['''] = a", "expected a ']' token", 11],
    ['test.str[aaa"] = a', "expected a ']' token", 12],
    [
      "test.str[   test   ] = testval",
      "expected a valid field argument: a quoted string or a bare string",
      9,
    ],
    ["test.str[ = testval", "expected a valid field argument: a quoted string or a bare string", 9],
    ["test.str] = testval", EXPECTED_OPERATOR, 8],
  ]);
});

test("transformers on the left, with nesting, lists and arguments", () => {
  for (const name of ["tolower", "toupper", "b64", "basename", "len"]) {
    assertAccepts([
      [`${name}(test.field) exists`, `(exists ${name}(test.field))`],
      [`${name}( test.field ) = v`, `(= ${name}(test.field) v)`],
      [`x.y = ${name}(test.field)`, `(= x.y ${name}(test.field))`],
    ]);
  }
  assertAccepts([
    ["b64(toupper(test.field)) exists", "(exists b64(toupper(test.field)))"],
    ["b64(b64(test.field) ) exists", "(exists b64(b64(test.field)))"],
    ['getopt(proc.args, "nt:")[t] = value', '(= getopt(proc.args, "nt:")["t"] value)'],
    ['getopt(proc.args, "nt:")["t"] = value', '(= getopt(proc.args, "nt:")["t"] value)'],
    ['getopt(proc.args, "nt:")[""] = value', '(= getopt(proc.args, "nt:")[""] value)'],
    [
      'join("-", (fd.name, fd.directory)) = /tmp/test',
      '(= join("-", tlist(fd.name, fd.directory)) /tmp/test)',
    ],
    ["join('-', ( fd.name , fd.directory )) = /tmp", '(= join("-", tlist(fd.name, fd.directory)) /tmp)'],
    ['join("-", ()) = /tmp', '(= join("-", tlist()) /tmp)'],
    [
      'join("-", (tolower(fd.name), "lit", 123, 0x1f)) = x',
      '(= join("-", tlist(tolower(fd.name), "lit", 123, 0x1f)) x)',
    ],
    ['concat(proc.name, "-", proc.pid) = x', '(= concat(proc.name, "-", proc.pid) x)'],
    [
      'toupper(join("-", (fd.name, fd.directory))) = VALUE',
      '(= toupper(join("-", tlist(fd.name, fd.directory))) VALUE)',
    ],
    ['len(join("-", (fd.name))) > 5', '(> len(join("-", tlist(fd.name))) 5)'],
    [
      'not join("-", (fd.name, fd.directory)) = /tmp',
      '(not (= join("-", tlist(fd.name, fd.directory)) /tmp))',
    ],
    [
      'evt.type = tolower(join("-", (fd.name, fd.directory)))',
      '(= evt.type tolower(join("-", tlist(fd.name, fd.directory))))',
    ],
    [
      'getopt(("-a", "val", "-b"), "a:b") intersects ("a", "val", "b")',
      '(intersects getopt(tlist("-a", "val", "-b"), "a:b") ["a" "val" "b"])',
    ],
  ]);
  const expectedArg =
    "expected field transformer argument: field, transformer, quoted string, number, or transformer list";
  const expectedItem = "expected transformer list argument: field, transformer, quoted string, or number";
  assertRejects([
    ["val(test.field) exists", after("val"), 3],
    ["b64(val(test.field)) exists", expectedArg, 4],
    ["b64(test.field [1]) exists", "expected a ')' token closing the transformer", 15],
    ["some_fake_transformer(test.field) exists", after("some_fake_transformer"), 21],
    ["b64 (test.field) exists", after("b64"), 4],
    ["b64\n(test.field) exists", after("b64"), 4],
    ["b64(testfield)) exists", expectedArg, 4],
    ["b64(test.field exists", "expected a ')' token closing the transformer", 15],
    ["b64(test.field)) exists", EXPECTED_OPERATOR, 15],
    ["(test.field) exists", EXPECTED_OPERATOR, 11],
    ["b64() exists", expectedArg, 4],
    [
      'getopt(proc.args, "nt:")[] = value',
      "expected a valid field argument: a quoted string or a bare string",
      25,
    ],
    ['getopt(proc.args, "nt:")["t" = value', "expected a ']' token", 28],
    ['join("-", (fd.name, fd.directory) = /tmp', "expected a ')' token closing the transformer", 34],
    ['join("-", (,)) = /tmp', expectedItem, 11],
    ['join("-", (fd.name,)) = /tmp', expectedItem, 19],
    ['join("-", ((fd.name))) = /tmp', expectedItem, 11],
    ['join("-", (macro)) = /tmp', expectedItem, 11],
    ['join("-", (fd.name) = /tmp', "expected a ')' token closing the transformer", 20],
  ]);
});

test("transformers and val() on the right", () => {
  assertAccepts([
    ["some.field = val(test.field)", "(= some.field val(test.field))"],
    ["some.field > val(test.field)", "(> some.field val(test.field))"],
    ["some.field in val(test.field)", "(in some.field val(test.field))"],
    ["some.field pmatch b64(test.field)", "(pmatch some.field b64(test.field))"],
    ["some.field contains val( test.field )", "(contains some.field val(test.field))"],
    // libsinsp's parser accepts a bracket after val(...); its compiler is the one to reject it.
    ["x.y = val(a.b[1])[2]", '(= x.y val(a.b["1"])["2"])'],
    ["tolower(some.field) = b64(test.field)", "(= tolower(some.field) b64(test.field))"],
    [
      "b64(evt.name) exists and tolower(toupper(evt.type)) in val(some.field) or proc.name=b64(tolower(some.field))",
      "(or (and (exists b64(evt.name)) (in tolower(toupper(evt.type)) val(some.field))) " +
        "(= proc.name b64(tolower(some.field))))",
    ],
  ]);
  assertRejects([
    ["some.field = val(test.field [1])", "expected a ')' token closing the transformer", 28],
    ["some.field = val(val(test.field))", "expected a field within 'val' transformer", 17],
    ["some.field = val(toupper(test.field))", "expected a field within 'val' transformer", 17],
    ["some.field = val(test.field", "expected a ')' token closing the transformer", 27],
    [
      "some.field = b64(val(test.field))",
      "expected field transformer argument: field, transformer, quoted string, number, or transformer list",
      17,
    ],
    ["some.field = (b64(test.field))", EXPECTED_STRING, 13],
    ["some.field = b64(test.field))", after(")"), 28],
    ["some.field = some.fake.transformer(test.field)", after("some.fake.transformer"), 34],
  ]);
});

test("the depth guard stops deep nesting with libsinsp's message", () => {
  const deep = "(".repeat(100_000);
  assertRejects([[deep, "exceeded max depth limit of 1000", 200]]);
  // libsinsp's own default and its regression test.
  assertRejects([[deep, "exceeded max depth limit of 100", 20]], { maxDepth: 100 });
  assertRejects([["not(".repeat(100_000) + "a", "exceeded max depth limit of 1000", 1000]]);
  const transformers = parseCondition("tolower(".repeat(100_000) + "x.y) = a");
  assert.ok(!transformers.ok && transformers.error.message === "exceeded max depth limit of 1000");
  const rhs = parseCondition("x.y = " + "b64(".repeat(100_000) + "x.y)");
  assert.ok(!rhs.ok && rhs.error.message === "exceeded max depth limit of 1000");

  // `not ` is lexed in a loop, not recursively: libsinsp accepts any number of them.
  assert.equal(shape(parseOk("not ".repeat(100_000) + "a")), "a");
  assert.equal(shape(parseOk("not ".repeat(100_001) + "a")), "(not a)");

  // Just under and just over a chosen limit.
  const nested = (n: number) => "(".repeat(n) + "a" + ")".repeat(n);
  assert.equal(shape(parseOk(nested(10), { maxDepth: 100 })), "a");
  assert.ok(parseCondition(nested(199)).ok);
  assert.ok(!parseCondition(nested(200)).ok);

  // libsinsp's guard stays raised when it throws; if that throw is swallowed (the first item of an
  // inline list) the parse ends "unbalanced". With maxDepth 17 the list item of `((x.y in ()))` is
  // exactly one level too deep.
  assertRejects([["((x.y in ()))", "parser fatal error: recursion is unbalanced", 13]], { maxDepth: 17 });
  assert.ok(parseCondition("((x.y in ()))", { maxDepth: 18 }).ok);
});

test("spans: half-open offsets of every node", () => {
  const table: [string, string][] = [
    ["proc.name exists", "unary@0-16[field@0-9]"],
    ["proc.name=nginx", "binary@0-15[field@0-9 value@10-15]"],
    ["proc.aname[3]=nginx", "binary@0-19[field@0-13 value@14-19]"],
    ["proc.name = nginx", "binary@0-17[field@0-9 value@12-17]"],
    ["proc.name = 'nginx'", "binary@0-19[field@0-9 value@12-19]"],
    ["proc.name in (nginx, apache)", "binary@0-28[field@0-9 list@13-28[value@14-19 value@21-27]]"],
    ["proc.name in ( nginx, apache)", "binary@0-29[field@0-9 list@13-29[value@15-20 value@22-28]]"],
    ["proc.name in shells", "binary@0-19[field@0-9 list@13-19[value@13-19]]"],
    ["not proc.name=nginx", "not@0-19[binary@4-19[field@4-13 value@14-19]]"],
    ["not(a)", "not@0-6[identifier@4-5]"],
    [
      "proc.name=nginx or proc.name=apache",
      "or@0-35[binary@0-15[field@0-9 value@10-15] binary@19-35[field@19-28 value@29-35]]",
    ],
    [
      "(proc.name=nginx and proc.name=apache)",
      "and@1-37[binary@1-16[field@1-10 value@11-16] binary@21-37[field@21-30 value@31-37]]",
    ],
    ["  a and (b) ", "and@2-11[identifier@2-3 identifier@9-10]"],
    ['getopt(proc.args, "nt:")[t] = v', "binary@0-31[transformer@0-27[field@7-16 value@18-23] value@30-31]"],
    [
      'join("-", (a.b, 1)) exists',
      "unary@0-26[transformer@0-19[value@5-8 transformer_list@10-18[field@11-14 value@16-17]]]",
    ],
    ["x.y = val(a.b)", "binary@0-14[field@0-3 field_value@6-14[field@10-13]]"],
    ["x.y = tolower(a.b)", "binary@0-18[field@0-3 field_value@6-18[transformer@6-18[field@14-17]]]"],
    ["x.y == oneof (a)", "binary@0-16[field@0-3 list@13-16[value@14-15]]"],
  ];
  for (const [text, expected] of table) assert.equal(spans(parseOk(text)), expected, text);

  // The starts of libsinsp's own position test (parser.ut.cpp position_complex_transformers).
  const text =
    "b64(evt.name) exists and tolower(toupper(evt.type)) in val(some.field) or proc.name=b64(tolower(some.field))";
  const starts = [...spans(parseOk(text)).matchAll(/@(\d+)-/g)].map((m) => Number(m[1]));
  assert.deepEqual(starts, [0, 0, 0, 0, 4, 25, 25, 33, 41, 55, 59, 74, 74, 84, 84, 88, 96]);
});

test("error end offsets underline the offending word", () => {
  const table: [string, number, number][] = [
    ["evt.type=execve foo", 16, 19],
    ["a and b )", 8, 9],
    ["a and", 5, 5],
  ];
  for (const [text, start, end] of table) {
    const result = parseCondition(text);
    assert.ok(!result.ok, text);
    assert.deepEqual([result.error.start, result.error.end], [start, end], text);
  }
});
