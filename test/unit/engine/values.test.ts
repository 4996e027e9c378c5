import { test } from "node:test";
import assert from "node:assert/strict";
import { Ip, inNetwork, parseIPv4, parseIPv6, readAddress } from "../../../src/engine/ip.js";
import { PathPrefixSearch } from "../../../src/engine/pmatch.js";
import { compileRegex, regexMatches } from "../../../src/engine/regex.js";
import {
  asciiLower,
  asciiUpper,
  globMatch,
  includesIgnoreCase,
  utf8Length,
} from "../../../src/engine/text.js";
import { OptString, getopt } from "../../../src/engine/transformers.js";

test("glob is fnmatch(3) without flags", () => {
  const cases: [string, string, boolean][] = [
    ["*", "", true],
    ["*", "/a/b", true],
    ["/tmp/*", "/tmp/a/b", true],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXbYY", false],
    ["*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false],
    ["[a-c]x", "bx", true],
    ["[a-c]x", "dx", false],
    ["[!a-c]x", "dx", true],
    ["[^a-c]x", "ax", false],
    ["[]]", "]", true],
    ["[!]]", "a", true],
    ["[[:digit:]]*", "7up", true],
    ["[[:digit:]]*", "up", false],
    ["[[:alpha:][:digit:]]", "_", false],
    ["\\*", "*", true],
    ["\\*", "a", false],
    ["a\\", "a\\", false],
    ["[ab", "[ab", true],
    ["[ab", "a", false],
    [".*", ".profile", true],
  ];
  for (const [pattern, text, expected] of cases)
    assert.equal(globMatch(pattern, text, false), expected, `${pattern} ~ ${text}`);
  assert.equal(globMatch("MY*", "myexe", true), true);
  assert.equal(globMatch("[A-C]x", "bX", true), true);
  assert.equal(globMatch("[[:upper:]]", "a", true), true);
  assert.equal(globMatch("MY*", "myexe", false), false);
  // A range of the value: [from, to).
  assert.equal(globMatch("b?", "abcd", false, 1, 3), true);
});

test("ASCII-only case folding and UTF-8 lengths", () => {
  assert.equal(includesIgnoreCase("Hello World", "WORLD"), true);
  assert.equal(includesIgnoreCase("Hello", ""), true);
  assert.equal(includesIgnoreCase("Hé", "HÉ"), false);
  assert.equal(asciiLower("ABC-déF"), "abc-déf");
  assert.equal(asciiUpper("abc-DÉf"), "ABC-DÉF");
  const same = "already lower";
  assert.equal(asciiLower(same), same);
  assert.equal(utf8Length("abc"), 3);
  assert.equal(utf8Length("é"), 2);
  assert.equal(utf8Length("€"), 3);
  assert.equal(utf8Length("😀"), 4);
});

test("pmatch: libsinsp's path prefix cases", () => {
  const path = "/opt/dir/subdir/file.txt";
  const cases: [string[], boolean][] = [
    [["/opt/dir"], true],
    [["/opt/dir/subdir"], true],
    [["/opt/dir2"], false],
    [["/opt/dir", "/opt/dir2"], true],
    [["/opt/dir3", "/opt/dir2"], false],
    [["/opt/*"], true],
    [["/opt/*/subdir"], true],
    [["/opt/di?/subdir"], true],
    [["/opt/dii?/subdir"], false],
    [["/opt/di[r]/subdir"], true],
    [["/opt/di[!r]/subdir"], false],
    [["/opt/di[t]/subdir"], false],
    [["/opt/di/subdir"], false],
    [["/opt/*/subdir2"], false],
    [["/opt/*/*"], true],
    [["/opt/*/*/subsubdir"], false],
    // A glob sibling that matches one level but not below must not hide a later one.
    [["/opt/d*/nope", "/opt/*r/subdir"], true],
    [["/"], true],
    [["//opt//dir/"], true],
    [["/opt/dir/subdir/file.txt/more"], false],
    [[], false],
  ];
  for (const [paths, expected] of cases) {
    assert.equal(new PathPrefixSearch(paths).match(path), expected, JSON.stringify(paths));
  }
  // A listed path matches itself but not its parent; a shorter listed path absorbs longer ones.
  const s = new PathPrefixSearch(["/var/run", "/usr/lib", "/usr"]);
  assert.equal(s.match("/var/run"), true);
  assert.equal(s.match("/var"), false);
  assert.equal(s.match("/var/runner"), false);
  assert.equal(s.match("/usr/share/x"), true);
  assert.equal(s.match("usr/lib"), true);
  assert.equal(s.match(""), false);
});

test("IP parsing follows inet_pton", () => {
  const v4: [string, number][] = [
    ["0.0.0.0", 0],
    ["10.0.0.1", 0x0a000001],
    ["255.255.255.255", 0xffffffff],
    ["1.2.3", -1],
    ["1.2.3.4.5", -1],
    ["01.2.3.4", -1],
    ["256.0.0.1", -1],
    ["1.2.3.", -1],
    ["", -1],
  ];
  for (const [text, expected] of v4) assert.equal(parseIPv4(text), expected, text);
  const bytes = new Uint8Array(16);
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  const v6: [string, string | undefined][] = [
    ["::", "00000000000000000000000000000000"],
    ["::1", "00000000000000000000000000000001"],
    ["2001:db8::1", "20010db8000000000000000000000001"],
    ["fe80::a:b", "fe8000000000000000000000000a000b"],
    ["::ffff:1.2.3.4", "00000000000000000000ffff01020304"],
    ["1:2:3:4:5:6:7:8", "00010002000300040005000600070008"],
    ["1:2:3:4:5:6:7::", "00010002000300040005000600070000"],
    ["1::2::3", undefined],
    ["12345::", undefined],
    [":1", undefined],
    ["1:", undefined],
    ["1:2:3:4:5:6:7:8:9", undefined],
    ["g::", undefined],
    ["", undefined],
  ];
  for (const [text, expected] of v6) {
    const ok = parseIPv6(text, bytes);
    assert.equal(ok ? hex(bytes) : undefined, expected, text);
  }
  const a = new Ip();
  assert.equal(readAddress("::1", a), true);
  assert.equal(a.family, 6);
  assert.equal(readAddress("10.1.2.3", a), true);
  const net = new Ip();
  net.v4 = 0x0a000000;
  net.mask4 = 0xff000000;
  assert.equal(inNetwork(a, net), true);
});

test("regex: POSIX syntax, whole-value match", () => {
  const ok = (p: string) => {
    const r = compileRegex(p);
    assert.ok(r.ok, p);
    return r.regex;
  };
  assert.equal(regexMatches(ok("a.c"), "abc"), true);
  assert.equal(regexMatches(ok("b"), "abc"), false);
  assert.equal(regexMatches(ok("(a|ab)(c|bcd)"), "abcd"), true);
  assert.equal(regexMatches(ok("[[:digit:]]+"), "123"), true);
  // ^ and $ also match at line breaks (RE2::POSIX leaves one_line off).
  assert.equal(regexMatches(ok("a$\nb"), "a\nb"), true);
  for (const [pattern, message] of [
    ["a\\d", "invalid escape sequence: \\d"],
    ["\\bword", "invalid escape sequence: \\b"],
    ["(?:x)", "missing argument to repetition operator: ?"],
    ["a)", "unexpected ): a)"],
    ["x{2,1}", "invalid repeat count: {2,1}"],
  ]) {
    assert.deepEqual(compileRegex(pattern), { ok: false, message }, pattern);
  }
});

test("getopt scans arguments as getopt(3)", () => {
  const opts = new OptString("nt:");
  const cases: [string[], string | undefined, unknown][] = [
    [["-n", "-t", "x"], undefined, ["n", "t", "x"]],
    [["-ntx"], undefined, ["n", "t", "x"]],
    [["-n", "--", "-t", "x"], undefined, ["n"]],
    [["--long", "-n"], undefined, ["n"]],
    [["file", "-n"], undefined, []],
    [["-", "-n"], undefined, []],
    [["-q"], undefined, ["?"]],
    [["-t"], undefined, [""]],
    [["-t", "a", "-t", "b"], "t", "b"],
    [["-t"], "t", ""],
    [["-n"], "t", undefined],
    [["-n"], "n", "n"],
  ];
  for (const [args, selector, expected] of cases) {
    assert.deepEqual(getopt(args, opts, selector), expected, `${args.join(" ")} [${selector}]`);
  }
});
