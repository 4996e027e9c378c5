import { test } from "node:test";
import assert from "node:assert/strict";
import { compileCondition } from "../../../src/engine/compile.js";
import { eventTypesOf } from "../../../src/engine/evttypes.js";
import { Ruleset, type RulesetEntry, matchesWildcard } from "../../../src/engine/ruleset.js";
import { EVENT, type TestEvent, parse, testSource } from "./support/schema.js";

/** Events for these tests: the names of the rules whose predicate holds. */
type Hits = ReadonlySet<string>;

function rule(
  name: string,
  types: readonly string[] | "all",
  tags: readonly string[] = [],
): RulesetEntry<Hits> {
  return {
    name,
    tags,
    eventTypes: types === "all" ? "all" : new Set(types),
    predicate: (hits) => hits.has(name),
  };
}

const RULES = [
  rule("open_a", ["open"], ["fs"]),
  rule("catch_all", "all", ["noisy"]),
  rule("open_close", ["open", "close"], ["fs", "net"]),
  rule("close_only", ["close"]),
  rule("never", []),
  rule("late_all", "all"),
];

const names = (rules: readonly { readonly name: string }[]) => rules.map((r) => r.name);

test("index: per type, in load order, with 'all' rules merged at their position", () => {
  const rs = new Ruleset<Hits>(RULES);
  assert.deepEqual(names(rs.rulesFor("open")), ["open_a", "catch_all", "open_close", "late_all"]);
  assert.deepEqual(names(rs.rulesFor("close")), ["catch_all", "open_close", "close_only", "late_all"]);
  // A type no rule names: only the rules that apply to every type.
  assert.deepEqual(names(rs.rulesFor("execve")), ["catch_all", "late_all"]);
  assert.equal(rs.size, 6);
  assert.equal(rs.enabledEventTypes(), "all");
});

test("match: first in load order, or all of them", () => {
  const rs = new Ruleset<Hits>(RULES);
  const cases: [string, string[], string | undefined, string[]][] = [
    ["open", ["open_close", "catch_all"], "catch_all", ["catch_all", "open_close"]],
    ["open", ["open_a", "late_all"], "open_a", ["open_a", "late_all"]],
    ["close", ["open_a"], undefined, []],
    ["execve", ["open_a", "late_all"], "late_all", ["late_all"]],
    ["open", ["never"], undefined, []],
    ["open", [], undefined, []],
  ];
  for (const [type, hits, first, all] of cases) {
    const e = new Set(hits);
    assert.equal(rs.match(e, type, "first")?.name, first, `${type} ${hits}`);
    assert.deepEqual(names(rs.match(e, type, "all")), all, `${type} ${hits}`);
    const out: RulesetEntry<Hits>[] = [];
    assert.equal(rs.matchAll(e, type, out), all.length);
    assert.deepEqual(names(out), all);
  }
});

test("enable and disable by name, substring, wildcard and tag, without recompiling", () => {
  const rs = new Ruleset<Hits>(RULES);
  assert.equal(rs.setEnabled({ name: "catch_all" }, false), 1);
  assert.deepEqual(names(rs.rulesFor("open")), ["open_a", "open_close", "late_all"]);
  assert.equal(rs.isEnabled("catch_all"), false);
  // Re-enabled, a rule takes its load position again.
  rs.setEnabled({ name: "catch_all" }, true);
  assert.deepEqual(names(rs.rulesFor("open")), ["open_a", "catch_all", "open_close", "late_all"]);

  assert.equal(rs.setEnabled({ name: "all", match: "substring" }, false), 2);
  assert.deepEqual(names(rs.rulesFor("execve")), []);
  assert.deepEqual(names(rs.rulesFor("open")), ["open_a", "open_close"]);
  assert.deepEqual(rs.enabledEventTypes(), new Set(["open", "close"]));

  assert.equal(rs.setEnabled({ name: "*", match: "wildcard" }, false), 6);
  assert.equal(rs.size, 0);
  assert.equal(rs.match(new Set(["open_a"]), "open", "first"), undefined);

  assert.equal(rs.setEnabled({ tags: ["net", "noisy"] }, true), 2);
  assert.deepEqual(names(rs.rulesFor("open")), ["catch_all", "open_close"]);
  assert.equal(rs.setEnabled({ name: "open_*", match: "wildcard" }, true), 2);
  assert.deepEqual(names(rs.rulesFor("open")), ["open_a", "catch_all", "open_close"]);
  // An empty exact name selects every rule, as in Falco.
  assert.equal(rs.setEnabled({ name: "" }, false), 6);
  assert.equal(rs.setEnabled({ name: "nosuch" }, true), 0);
});

test("initial enabled state", () => {
  const rs = new Ruleset<Hits>(RULES, { enabled: (r) => !r.tags.includes("noisy") });
  assert.deepEqual(names(rs.rulesFor("execve")), ["late_all"]);
  assert.equal(rs.size, 5);
  assert.equal(rs.all.length, 6);
});

test("Falco's wildcard matching", () => {
  const cases: [string, string, boolean][] = [
    ["*", "anything", true],
    ["**", "", true],
    ["abc", "abc", true],
    ["ab", "abc", false],
    ["a*", "abc", true],
    ["*c", "abc", true],
    ["a*c", "abc", true],
    ["*b*", "abc", true],
    ["Write below *", "Write below etc", true],
    ["*dir*", "Mkdir binary dirs", true],
    // Falco matches greedily without backtracking.
    ["*ab", "xabab", false],
  ];
  for (const [pattern, s, expected] of cases)
    assert.equal(matchesWildcard(pattern, s), expected, `${pattern} ~ ${s}`);
});

test("compiled conditions in a ruleset", () => {
  const conditions: [string, string][] = [
    ["open_tmp", "evt.type in (open, openat) and fd.name startswith /tmp"],
    ["any_myexe", "proc.name = MyExe"],
    ["close_only", "evt.type = close"],
  ];
  const rules = conditions.map(([name, condition]): RulesetEntry<TestEvent> => {
    const expr = parse(condition);
    const r = compileCondition(expr, testSource);
    assert.ok(r.ok, condition);
    return { name, tags: [], eventTypes: eventTypesOf(expr, testSource), predicate: r.predicate };
  });
  const rs = new Ruleset<TestEvent>(rules);
  assert.equal(rs.match(EVENT, "open", "first")?.name, "open_tmp");
  assert.deepEqual(names(rs.match(EVENT, "open", "all")), ["open_tmp", "any_myexe"]);
  assert.deepEqual(names(rs.match({ ...EVENT, "evt.type": "close" }, "close", "all")), [
    "any_myexe",
    "close_only",
  ]);
  assert.equal(rs.match({ ...EVENT, "proc.name": "x" }, "execve", "first"), undefined);
});
