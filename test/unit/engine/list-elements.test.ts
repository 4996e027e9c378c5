// Operators libsinsp refuses on list fields (since libs 6f774a41a: "'contains' operator not supported list
// filters"), which Saker accepts with the warning "list_element_comparison" (SAKER_LIST_ELEMENT_COMPARISON
// in the loader) and reads per element: true when some element satisfies the comparison, `!=` true when
// no element equals. <NA> is false whatever the operator. Older falcosecurity rules files rely on this
// (`ka.req.role.rules.resources contains "pods/exec"`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkCondition, compileCondition } from "../../../src/engine/compile.js";
import { isListElementComparison } from "../../../src/engine/operators.js";
import { parseAuditJsonLines, type AuditEvent } from "../../../src/k8saudit/event.js";
import { k8sAuditSource } from "../../../src/k8saudit/source.js";
import { resultsJson } from "../../../src/rules/loader/results.js";
import { allBrief, loadText } from "../loader/helpers.js";
import { EVENT, type TestEvent, parse, testSchema, testSource } from "./support/schema.js";

function run(condition: string, event: TestEvent = EVENT): boolean {
  const r = compileCondition(parse(condition), testSource);
  if (!r.ok) assert.fail(`${condition}: ${r.errors.map((e) => e.message).join("; ")}`);
  return r.predicate(event);
}

function table(name: string, cases: readonly (readonly [string, boolean])[], event: TestEvent = EVENT): void {
  test(name, () => {
    for (const [condition, expected] of cases) assert.equal(run(condition, event), expected, condition);
  });
}

// EVENT: ka.groups = [system:authenticated, system:masters], proc.env = [], ka.ids = [1, 2, 3],
// ka.ips = [10.0.0.1, ::1], ka.nets = [10.1.2.3, 10.9.9.9], ka.flags = [1]; proc.argv = [-n, -t, hello,
// file.txt].
table("list fields: string operators hold when any element satisfies them", [
  ["ka.groups contains masters", true],
  ["ka.groups contains nobody", false],
  ["ka.groups icontains MASTERS", true],
  ["ka.groups startswith system:", true],
  ["ka.groups startswith masters", false],
  ["ka.groups endswith :masters", true],
  ["ka.groups endswith system", false],
  ["ka.groups glob '*:mast*'", true],
  ["ka.groups glob 'masters'", false],
  ["ka.groups iglob 'SYSTEM:AUTH*'", true],
  ["ka.groups regex 'system:[a-z]+ters'", true],
  ["ka.groups regex 'masters'", false],
  ["ka.groups pmatch (/x, system:masters)", true],
  ["ka.groups = system:masters", true],
  ["ka.groups == system:authenticated", true],
  ["ka.groups = system", false],
  // Relational operators compare as strcmp does: "system:..." sorts after "5".
  ["ka.groups > 5", true],
  ["ka.groups < 5", false],
  ["proc.argv contains ell", true],
  ["proc.argv = file.txt", true],
  // Modifiers apply to each element: some element satisfies the modified comparison.
  ["ka.groups contains anyof (nobody, masters)", true],
  ["ka.groups contains allof (system, masters)", true],
  ["ka.groups contains allof (authenticated, masters)", false],
  ["ka.groups startswith oneof (system:, system:m)", true],
  ["ka.groups = anyof (a, system:masters)", true],
]);

table("list fields: != holds when no element equals", [
  ["ka.groups != system:masters", false],
  ["ka.groups != system:authenticated", false],
  ["ka.groups != system", true],
  ["not ka.groups = system:masters", false],
  ["proc.argv != hello", false],
  ["proc.argv != bye", true],
]);

table("list fields of other element types", [
  ["ka.ids = 2", true],
  ["ka.ids = 4", false],
  ["ka.ids > 2", true],
  ["ka.ids > 3", false],
  ["ka.ids <= 1", true],
  ["ka.ids != 2", false],
  ["ka.ids != 9", true],
  ["ka.ips = ::1", true],
  ["ka.ips = 10.0.0.2", false],
  ["ka.ips != 10.0.0.1", false],
  ["ka.nets = 10.9.0.0/16", true],
  ["ka.nets = 10.8.0.0/16", false],
  ["ka.flags = true", true],
  ["ka.flags = false", false],
  ["ka.flags != false", true],
]);

// An empty list has no element to satisfy anything, so only `!=` holds; a missing list (<NA>) satisfies
// nothing, `!=` included, as for any check on <NA>.
const EMPTY: TestEvent = { ...EVENT, "ka.groups": [], "ka.ids": [] };
const MISSING: TestEvent = Object.fromEntries(
  Object.entries(EVENT).filter(([k]) => k !== "ka.groups" && k !== "ka.ids"),
);
table(
  "list fields: an empty list",
  [
    ["ka.groups contains a", false],
    ["ka.groups = ''", false],
    ["ka.groups glob '*'", false],
    ["ka.groups != a", true],
    ["ka.ids > 0", false],
    ["ka.ids != 1", true],
    ["not ka.groups contains a", true],
  ],
  EMPTY,
);
table(
  "list fields: <NA>",
  [
    ["ka.groups contains a", false],
    ["ka.groups glob '*'", false],
    ["ka.groups != a", false],
    ["ka.ids > 0", false],
    ["ka.ids != 1", false],
    ["not ka.groups contains a", true],
    ["not ka.groups != a", true],
  ],
  MISSING,
);

table("list fields: transformers apply to each element first", [
  ["tolower(ka.groups) contains MASTERS", false],
  ["toupper(ka.groups) contains MASTERS", true],
  ["toupper(ka.groups) = SYSTEM:MASTERS", true],
  ["toupper(ka.groups) != SYSTEM:MASTERS", false],
  ["toupper(proc.env) != X", true],
  // len() of a list is its length, a single number: no per-element reading, no warning.
  ["len(ka.groups) = 2", true],
]);

test("list fields: each accepted comparison warns, with its position and the field's name", () => {
  const cases: [string, string, string][] = [
    [
      'evt.type = open and ka.groups contains "mast"',
      'ka.groups contains "mast"',
      "'contains' on list field ka.groups: true when any element matches (current Falco refuses this; use intersects or a per-element field)",
    ],
    [
      "ka.groups == x",
      "ka.groups == x",
      "'=' on list field ka.groups: true when any element matches (current Falco refuses this; use intersects or a per-element field)",
    ],
    [
      "evt.type = open and ka.ids != 3",
      "ka.ids != 3",
      "'!=' on list field ka.ids: true when no element equals (current Falco refuses this; use intersects or a per-element field)",
    ],
    [
      "evt.type = open and toupper(ka.groups) startswith anyof (A, B)",
      "toupper(ka.groups) startswith anyof (A, B)",
      "'startswith' on list field toupper(ka.groups): true when any element matches (current Falco refuses this; use intersects or a per-element field)",
    ],
  ];
  for (const [condition, at, message] of cases) {
    const start = condition.indexOf(at);
    const want = [{ code: "list_element_comparison", message, start, end: start + at.length }];
    const compiled = compileCondition(parse(condition), testSource);
    assert.ok(compiled.ok, condition);
    assert.deepEqual(compiled.warnings, want, condition);
    const checked = checkCondition(parse(condition), testSchema);
    assert.ok(checked.ok, condition);
    assert.deepEqual(checked.warnings, want, condition);
  }
  // The list operators, exists and len() have a meaning on lists and do not warn.
  for (const condition of [
    "ka.groups in (a)",
    "ka.groups intersects (a)",
    "ka.groups exists",
    "len(ka.groups) > 1",
  ]) {
    const r = checkCondition(parse(condition), testSchema);
    assert.ok(r.ok, condition);
    assert.deepEqual(r.warnings, [], condition);
  }
});

test("list fields: comparisons without a per-element reading stay errors", () => {
  const cases: [string, string][] = [
    // The element type does not support the operator.
    ["ka.ips contains 1", "filter error: 'contains' operator not supported list filters"],
    ["ka.ids contains 1", "filter error: 'contains' operator not supported list filters"],
    ["ka.groups bcontains 00", "filter error: 'bcontains' operator not supported list filters"],
    ["ka.flags > 1", "filter error: '>' operator not supported list filters"],
    // A type libsinsp has no list filters for.
    ["ka.ints = 1", "filter error: list filters are not supported for type 'INT64'"],
    // `!=` with a modifier has no single per-element reading.
    ["ka.groups != anyof (a, b)", "filter error: '!=' operator not supported list filters"],
    // A field on the right.
    ["ka.groups = val(ka.groups)", "filter error: '=' operator not supported list filters"],
  ];
  for (const [condition, message] of cases) {
    const r = checkCondition(parse(condition), testSchema);
    assert.ok(!r.ok, condition);
    assert.deepEqual(
      r.errors.map((e) => [e.code, e.message, condition.slice(e.start, e.end)]),
      [["bad_operator", message, condition]],
      condition,
    );
  }
  assert.equal(isListElementComparison("contains", undefined, "CHARBUF"), true);
  assert.equal(isListElementComparison("in", undefined, "CHARBUF"), false);
  assert.equal(isListElementComparison("contains", undefined, "IPADDR"), false);
  assert.equal(isListElementComparison("!=", "allof", "CHARBUF"), false);
});

const ROLE_RULE = `- rule: Pod Exec Role
  desc: d
  condition: ka.target.resource = clusterroles and ka.req.role.rules.resources contains "pods/exec"
  output: role=%ka.target.name
  priority: WARNING
  source: k8s_audit
`;

test("loader: the comparison loads with SAKER_LIST_ELEMENT_COMPARISON at its position", () => {
  const loaded = loadText(ROLE_RULE);
  assert.equal(loaded.successful, true);
  // Line 3 holds the condition; the check starts after "  condition: " and the first comparison.
  const column = "  condition: ka.target.resource = clusterroles and ".length + 1;
  assert.deepEqual(allBrief(loaded), [
    `3:${column} SAKER_LIST_ELEMENT_COMPARISON 'contains' on list field ka.req.role.rules.resources: true when any element matches (current Falco refuses this; use intersects or a per-element field)`,
  ]);
  const json = resultsJson(loaded).falco_load_results[0];
  assert.deepEqual(json.errors, []);
  assert.equal(json.warnings.length, 1);
  assert.equal(json.warnings[0].code, "SAKER_LIST_ELEMENT_COMPARISON");
  assert.ok(json.warnings[0].codedesc.length > 0);
});

function clusterRole(resources: readonly string[][] | undefined): AuditEvent {
  const rules = resources?.map((r) => ({ apiGroups: [""], resources: r, verbs: ["get"] }));
  const event = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "RequestResponse",
    auditID: "0a1b2c3d-0000-0000-0000-000000000000",
    stage: "ResponseComplete",
    verb: "create",
    requestURI: "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    user: { username: "admin" },
    objectRef: {
      resource: "clusterroles",
      name: "r",
      apiGroup: "rbac.authorization.k8s.io",
      apiVersion: "v1",
    },
    requestObject: {
      kind: "ClusterRole",
      metadata: { name: "r" },
      ...(rules === undefined ? {} : { rules }),
    },
    requestReceivedTimestamp: "2024-01-01T00:00:00.000000Z",
    stageTimestamp: "2024-01-01T00:00:00.000000Z",
  };
  const [line] = parseAuditJsonLines(JSON.stringify(event));
  assert.ok(line.result.ok);
  assert.equal(line.result.events.length, 1);
  return line.result.events[0];
}

test("k8saudit: ka.req.role.rules.resources contains holds when some rule names the resource", () => {
  const check = (condition: string, event: AuditEvent): boolean => {
    const r = compileCondition(parse(condition), k8sAuditSource);
    if (!r.ok) assert.fail(`${condition}: ${r.errors.map((e) => e.message).join("; ")}`);
    return r.predicate(event);
  };
  const contains = 'ka.req.role.rules.resources contains "pods/exec"';
  assert.equal(check(contains, clusterRole([["pods"], ["deployments", "pods/exec"]])), true);
  assert.equal(check(contains, clusterRole([["pods"], ["pods/log"]])), false);
  assert.equal(check(contains, clusterRole([["pods/execute"]])), true, "contains, not equality");
  assert.equal(check('ka.req.role.rules.resources = "pods/exec"', clusterRole([["pods/execute"]])), false);
  assert.equal(check('ka.req.role.rules.resources != "pods"', clusterRole([["pods/log"]])), true);
  assert.equal(check('ka.req.role.rules.resources != "pods"', clusterRole([["x", "pods"]])), false);
  // What `intersects` says, where the two readings agree.
  assert.equal(
    check('ka.req.role.rules.resources intersects ("pods/exec")', clusterRole([["a"], ["pods/exec"]])),
    check('ka.req.role.rules.resources = "pods/exec"', clusterRole([["a"], ["pods/exec"]])),
  );
});
