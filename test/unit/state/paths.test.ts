// Path building as libsinsp does it (concatenate_paths), and fd.directory / fd.filename splitting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { concatenatePaths, directoryOf, filenameOf, resolveCwd } from "../../../src/state/paths.js";

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
