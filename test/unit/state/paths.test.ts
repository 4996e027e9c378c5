// Path building as libsinsp does it (concatenate_paths), and fd.directory / fd.filename splitting.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  concatenatePaths,
  directoryOf,
  filenameOf,
  resolveCwd,
  resolvePaths,
} from "../../../src/state/paths.js";

test("concatenatePaths", () => {
  const cases: [string, string, string][] = [
    ["/home/u/", "a.txt", "/home/u/a.txt"],
    ["/home/u/", "/etc/passwd", "/etc/passwd"],
    ["/home/u/", "./a/./b", "/home/u/a/b"],
    ["/home/u/", "../../../x", "/x"],
    ["/home/u/", "a/..", "/home/u"],
    ["/home/u/", "a//b///c", "/home/u/a/b/c"],
    ["/home/u/", "dir/", "/home/u/dir"],
    ["/", "..", "/"],
    ["/home/u/", "", ""],
    ["/home/u/", "a\u0001b", "/home/u/a.b"],
    ["/home/u/", "caf\u00e9", "/home/u/caf.."],
    ["/", "x".repeat(1100), "/PATH_TOO_LONG"],
  ];
  for (const [dir, path, want] of cases) assert.equal(concatenatePaths(dir, path), want, `${dir} + ${path}`);
});

test("absolute paths returned as they are resolve to themselves", () => {
  // The fast path (a path the resolver would leave unchanged is returned as it is) against the
  // resolver, on the shapes where libsinsp's resolver changes a path, and on random paths over
  // an alphabet that makes those shapes common.
  const cases = [
    "/",
    "/etc/hostname",
    "/a/.b",
    "/a/b.",
    "/a/b..",
    "/a..b/c",
    "/ax./y",
    "/a/./b",
    "/a/../b",
    "/a//b",
    "/a/b/",
    "/.",
    "/..",
    "/a\u0001b",
    "/caf\u00e9",
    "/a/.../b",
    "/a/.hidden/x",
  ];
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = ["/", ".", "a", "b", "\u0001", "\u00e9"];
  for (let i = 0; i < 5000; i++) {
    let p = "/";
    const len = rnd(10);
    for (let k = 0; k < len; k++) p += alphabet[rnd(alphabet.length)];
    cases.push(p);
  }
  for (const p of cases)
    assert.equal(concatenatePaths("/home/u/", p), resolvePaths("/home/u/", p), JSON.stringify(p));
});

test("resolveCwd ends in a separator", () => {
  assert.equal(resolveCwd("/home/u/", "src"), "/home/u/src/");
  assert.equal(resolveCwd("/home/u/", "/"), "/");
  assert.equal(resolveCwd("", "/var/spool/cron"), "/var/spool/cron/");
});

test("directoryOf and filenameOf", () => {
  const cases: [string, string, string][] = [
    ["/etc/passwd", "/etc", "passwd"],
    ["/passwd", "/", "passwd"],
    ["/etc/", "/etc/", "/etc/"],
    ["relative", "/", "/"],
  ];
  for (const [name, dir, file] of cases) {
    assert.equal(directoryOf(name), dir, name);
    assert.equal(filenameOf(name), file, name);
  }
  assert.equal(filenameOf("relative", true), "relative");
});
