import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { EVENT_TYPE_NAMES } from "../../../src/capture/events/names.js";
import { type EventTypes, eventTypesOf, warnsNoEvttype } from "../../../src/engine/evttypes.js";
import type { SourceSchema } from "../../../src/engine/source.js";
import { unsafeNaComparisons } from "../../../src/engine/warnings.js";
import { corpusPath, requireCorpus } from "../../support/paths.js";
import { TEST_EVENT_TYPES, parse, testCatalogue, testSchema, untypedSchema } from "./support/schema.js";

function show(types: EventTypes): string {
  return types === "all" ? "all" : [...types].sort().join(",");
}

/** Every test type except `except`, as show() prints them. */
function allBut(...except: string[]): string {
  return [...TEST_EVENT_TYPES]
    .filter((t) => !except.includes(t))
    .sort()
    .join(",");
}

test("event type narrowing: libsinsp's set algebra", () => {
  const cases: [string, string][] = [
    ["evt.type = open", "open"],
    ["evt.type == open", "open"],
    ["syscall.type = open", "open"],
    ["evt.type != open", allBut("open")],
    ["not evt.type = open", allBut("open")],
    ["not evt.type != open", "open"],
    ["not not evt.type = open", "open"],
    ["not not not evt.type = open", allBut("open")],
    ["evt.type in (open, close)", "close,open"],
    ["not evt.type in (open, close)", allBut("open", "close")],
    ["evt.type != open and evt.type != close", allBut("open", "close")],
    ["evt.type != open or evt.type != close", "all"],
    ["proc.name = x", "all"],
    ["not proc.name = x", "all"],
    ["evt.type = open and proc.name = x", "open"],
    ["evt.type = open and not proc.name = x", "open"],
    ["evt.type = open or proc.name = x", "all"],
    ["evt.type = open and evt.type = close", ""],
    ["evt.type = open and (evt.type = close and proc.name = x)", ""],
    ["evt.type = open and not (evt.type = close and proc.name = x)", "open"],
    ["evt.type = close or not (evt.type = open and proc.name = x)", "all"],
    ["evt.type = open or (evt.type = close and proc.name = x)", "close,open"],
    [
      "evt.type in (connect, execve, accept, mmap, container) and not (proc.name = cat and evt.type = mmap)",
      "accept,connect,container,execve,mmap",
    ],
    ["(evt.type = mmap and not evt.type = mmap)", ""],
    ["evt.type = mmap or not evt.type = mmap", "all"],
    ["not (proc.name = cat or evt.type = mmap)", allBut("mmap")],
    ["not (proc.name = cat and evt.type = mmap)", "all"],
    ["evt.type exists", "all"],
    ["not evt.type exists", ""],
    ["evt.type in ()", ""],
    ["not evt.type in ()", "all"],
    ["evt.type in () or evt.type exists", "all"],
    // Only =, ==, != and in (without a modifier) narrow; anything else on evt.type is neutral.
    ["evt.type startswith op", "all"],
    ["evt.type = anyof (open, close)", "all"],
    ["evt.type intersects (open)", "all"],
    ["evt.type[1] = open", "all"],
    ["tolower(evt.type) = open", "all"],
    ["evt.type = val(proc.name)", "all"],
    // Unknown names match nothing.
    ["evt.type = nosuch", ""],
    ["evt.type in (nosuch, open)", "open"],
    // evt.num >= 1 on every event.
    ["evt.num = 0", ""],
    ["evt.num < 1", ""],
    ["evt.num <= 0", ""],
    ["evt.num in (0, 0)", ""],
    ["evt.num in ()", ""],
    ["evt.num != 0", "all"],
    ["evt.num > 0", "all"],
    ["evt.num >= 1", "all"],
    ["evt.num = 1", "all"],
    ["evt.num < 100", "all"],
    ["evt.num = -1", "all"],
    ["evt.num = 0x0", "all"],
    ["not evt.num = 0", "all"],
    ["not evt.num > 0", ""],
    ["not evt.num = 1", "all"],
    ["len(evt.num) = 0", "all"],
    ["evt.num = 0 or evt.type = open", "open"],
    ["some_macro", "all"],
    ["some_macro and evt.type = open", "open"],
  ];
  for (const [condition, expected] of cases) {
    assert.equal(show(eventTypesOf(parse(condition), testSchema)), expected, condition);
  }
});

test("sources without event types are never narrowed", () => {
  assert.equal(eventTypesOf(parse("evt.type = open"), untypedSchema), "all");
  assert.equal(eventTypesOf(parse("evt.num = 0"), untypedSchema), "all");
});

// The real syscall event names: complements and the code count are what Falco sees.
const SYSCALL: SourceSchema = { name: "syscall", catalogue: testCatalogue, eventTypeNames: EVENT_TYPE_NAMES };

test("LOAD_NO_EVTTYPE: more than 100 event codes, syscall rules only", () => {
  const warns = (condition: string, schema: SourceSchema = SYSCALL) =>
    warnsNoEvttype(eventTypesOf(parse(condition), schema), schema);
  assert.equal(warns("proc.name = x"), true);
  assert.equal(warns("evt.type != execve"), true);
  assert.equal(warns("evt.type = execve"), false);
  // An unsatisfiable condition matches no type: not warned about.
  assert.equal(warns("evt.type = open and evt.type = close"), false);
  assert.equal(warns("evt.num = 0"), false);
  assert.equal(warns("proc.name = x", { ...SYSCALL, name: "k8s_audit" }), false);
  assert.equal(warns("proc.name = x", untypedSchema), false);
  // 51 names are 102 codes at two per name; the schema may count codes itself.
  const names = [...EVENT_TYPE_NAMES].slice(0, 51);
  const many = `evt.type in (${names.join(", ")})`;
  assert.equal(warns(`evt.type in (${names.slice(0, 50).join(", ")})`), false);
  assert.equal(warns(many), true);
  assert.equal(warns(many, { ...SYSCALL, eventCodeCount: (s) => s.size }), false);
});

interface CorpusCase {
  readonly id: string;
  readonly expected: { readonly rules_event_types?: Readonly<Record<string, readonly string[]>> };
}

// Where libsinsp's algebra (above; the one current Falco uses) and the corpus's recorded sets differ.
// The corpus notes that upstream never checked these sets: they date from Falco's old Lua loader, which
// gave up on narrowing once a negation preceded an evt.type check. Current Falco narrows these rules and
// does not warn about them (the case's validate_warnings, which upstream did check, agree).
const LIBSINSP_DIFFERS: Readonly<Record<string, string>> = {
  not_before_trailing_evttype: "execve,open",
  not_equals_before_trailing_evttype: "execve,open",
  not_equals_before_in: "connect,execve,open",
  not_before_in: "connect,execve,open",
  not_in_before_in: "connect,execve,open",
  leading_in_not_equals_before_evttype: "connect,execve,open",
  not_equals_before_evttype: "execve",
  not_equals_before_in_evttype: "execve,open",
  not_before_evttype: "execve",
  not_before_evttype_using_in: "execve,open",
};

test("corpus: falco_tests/test_warnings event types of falco_rules_warnings.yaml", () => {
  requireCorpus();
  const cases = JSON.parse(readFileSync(corpusPath("cases.json"), "utf8")) as { cases: CorpusCase[] };
  const c = cases.cases.find((x) => x.id === "falco/falco_tests/test_warnings");
  assert.ok(c?.expected.rules_event_types, "the corpus case is missing");
  const expected = c.expected.rules_event_types;

  const conditions = new Map<string, string>();
  for (const doc of parseAllDocuments(
    readFileSync(corpusPath("rules/falco-tests/falco_rules_warnings.yaml"), "utf8"),
  )) {
    for (const item of (doc.toJS() ?? []) as { rule?: string; condition?: string }[]) {
      if (item.rule !== undefined && item.condition !== undefined) conditions.set(item.rule, item.condition);
    }
  }
  assert.equal(Object.keys(expected).length, 31);
  const warned: string[] = [];
  for (const [rule, types] of Object.entries(expected)) {
    const condition = conditions.get(rule);
    assert.ok(condition !== undefined, rule);
    const narrowed = eventTypesOf(parse(condition), SYSCALL);
    // Falco shows a set it warns about as "all".
    const tooMany = warnsNoEvttype(narrowed, SYSCALL);
    if (tooMany) warned.push(rule);
    const actual = tooMany ? "all" : show(narrowed);
    assert.equal(actual, LIBSINSP_DIFFERS[rule] ?? [...types].sort().join(","), `${rule}: ${condition}`);
  }
  // Exactly the rules the case expects LOAD_NO_EVTTYPE for.
  assert.deepEqual(warned.sort(), [
    "evttype_not_equals",
    "leading_in_not_equals_at_evttype",
    "leading_not",
    "no_evttype",
    "not_at_end",
    "not_equals_and_not",
    "not_equals_at_end",
    "not_with_evttypes",
    "not_with_evttypes_addl",
  ]);
});

test("unsafe <NA> comparisons (LOAD_UNSAFE_NA_CHECK)", () => {
  const cases: [string, string[]][] = [
    ["ka.user.name = <NA>", ["<NA>"]],
    ["ka.user.name != <NA>", ["<NA>"]],
    ["jevt.value[/x] in (a, <NA>)", ["<NA>"]],
    ["tolower(ka.user.name) = <NA>", ["<NA>"]],
    ["proc.name = <NA>", []],
    ["ka.user.name contains <NA>", []],
    ["ka.user.name = anyof (<NA>)", []],
    ["ka.user.name exists and not ka.user.name = x", []],
    ["evt.type = open and not (ka.user.name = a or ka.user.name = <NA>)", ["<NA>"]],
  ];
  for (const [condition, found] of cases) {
    const spans = unsafeNaComparisons(parse(condition));
    assert.deepEqual(
      spans.map((s) => condition.slice(s.start, s.end)),
      found,
      condition,
    );
  }
});
