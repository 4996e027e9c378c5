// Checks on fields that stand for several values (SourceSchema.anyOf): libsinsp's ancestor fields
// without an index ("any": some ancestor satisfies the check, `!=` included; compare_full_aname and
// compare_full_apid) and the either-end socket fields ("either": some end satisfies it, but `!=` only
// when both ends do; compare_ip, compare_net, compare_port). Each table evaluates conditions against
// one event whose any-of fields hold a list of candidates, an empty list, a single value, or nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileCondition } from "../../../src/engine/compile.js";
import type { AnyOfMode, EventSource } from "../../../src/engine/source.js";
import type { ResolvedField } from "../../../src/fields/types.js";
import { EVENT, type TestEvent, parse, testSource } from "./support/schema.js";

const MODES: Readonly<Record<string, AnyOfMode>> = {
  "proc.aname": "any",
  "proc.apid": "any",
  "fd.ip": "either",
  "fd.net": "either",
  "fd.port": "either",
};

function anyOf(field: ResolvedField): AnyOfMode | undefined {
  return field.arg === undefined ? MODES[field.info.name] : undefined;
}

const source: EventSource<TestEvent> = { ...testSource, anyOf };

function run(condition: string, event: TestEvent): boolean {
  const r = compileCondition(parse(condition), source);
  if (!r.ok) assert.fail(`${condition}: ${r.errors.map((e) => e.message).join("; ")}`);
  return r.predicate(event);
}

function table(name: string, event: TestEvent, cases: readonly (readonly [string, boolean])[]): void {
  test(name, () => {
    for (const [condition, expected] of cases) assert.equal(run(condition, event), expected, condition);
  });
}

const SOCKET: TestEvent = {
  ...EVENT,
  "proc.aname": ["bash", "sshd", "systemd"],
  "proc.aname[1]": "bash",
  "proc.apid": [812, 77, 1],
  "fd.ip": ["10.0.0.1", "192.168.1.2"],
  "fd.net": ["10.0.0.1", "192.168.1.2"],
  "fd.port": [40000, 80],
};

table("any: a check holds when it holds for some candidate", SOCKET, [
  ["proc.aname = sshd", true],
  ["proc.aname = zsh", false],
  ["proc.aname != bash", true],
  ["proc.aname in (zsh, systemd)", true],
  ["proc.aname in (zsh, fish)", false],
  ["proc.aname startswith ss", true],
  ["proc.aname startswith zz", false],
  ["proc.aname endswith temd", true],
  ["proc.aname contains ash", true],
  ["proc.aname glob 'sys*'", true],
  ["proc.aname glob 'x*'", false],
  ["proc.aname pmatch (systemd)", true],
  ["proc.aname exists", true],
  ["not proc.aname = sshd", false],
  ["not proc.aname = zsh", true],
  ["toupper(proc.aname) = SSHD", true],
  ["toupper(proc.aname) = sshd", false],
  ["len(proc.aname) = 7", true],
  ["len(proc.aname) = 3", false],
  ["proc.apid = 1", true],
  ["proc.apid = 2", false],
  ["proc.apid != 1", true],
  ["proc.apid < 50", true],
  ["proc.apid > 1000", false],
  ["proc.apid in (7, 77)", true],
  ["proc.apid in (7, 8)", false],
  // With an index, the field is an ordinary one: the ancestor at that level.
  ["proc.aname[1] = bash", true],
  ["proc.aname[1] = sshd", false],
  // Another field on the right is read once per candidate; an any-of field on the right loops too.
  ["proc.aname = val(proc.pname)", true],
  ["proc.aname = val(proc.name)", false],
  ["proc.pname = val(proc.aname)", true],
  ["proc.name = val(proc.aname)", false],
  ["proc.aname = val(proc.aname)", true],
]);

table(
  "any: `!=` holds when some candidate differs, so not when all are equal",
  {
    ...EVENT,
    "proc.aname": ["bash", "bash"],
    "proc.apid": [5],
  },
  [
    ["proc.aname != bash", false],
    ["proc.aname != sh", true],
    ["proc.apid != 5", false],
    ["proc.apid != 6", true],
  ],
);

table("either: some end satisfies the check, `!=` needs both ends", SOCKET, [
  ["fd.ip = 10.0.0.1", true],
  ["fd.ip = 192.168.1.2", true],
  ["fd.ip = 1.1.1.1", false],
  ["fd.ip != 10.0.0.1", false],
  ["fd.ip != 1.1.1.1", true],
  ["fd.ip in (1.1.1.1, 192.168.1.2)", true],
  ["fd.ip in (1.1.1.1, ::1)", false],
  ["fd.ip exists", true],
  ["not fd.ip != 10.0.0.1", true],
  ["fd.net = 192.168.0.0/16", true],
  ["fd.net = 10.0.0.0/8", true],
  ["fd.net = 172.16.0.0/12", false],
  ["fd.net != 10.0.0.0/8", false],
  ["fd.net != 172.16.0.0/12", true],
  ["fd.net in (172.16.0.0/12, 192.168.1.0/24)", true],
  ["fd.port = 80", true],
  ["fd.port = 443", false],
  ["fd.port != 80", false],
  ["fd.port != 443", true],
  ["fd.port < 1024", true],
  ["fd.port > 50000", false],
  ["fd.port >= 40000", true],
  ["fd.port in (443, 80)", true],
  ["fd.port in (443, 8080)", false],
  ["fd.port exists", true],
]);

table(
  "either: a server socket has one end, a single value is one candidate",
  {
    ...EVENT,
    "fd.ip": ["10.0.0.1"],
    "fd.net": "10.0.0.1",
    "fd.port": 8080,
  },
  [
    ["fd.ip = 10.0.0.1", true],
    ["fd.ip != 10.0.0.1", false],
    ["fd.ip != 10.0.0.2", true],
    ["fd.net = 10.0.0.0/8", true],
    ["fd.net != 10.0.0.0/8", false],
    ["fd.port = 8080", true],
    ["fd.port != 8080", false],
    ["fd.port != 80", true],
  ],
);

// No candidates: every check is false, `!=` included. `exists` tells "no ancestors" (any) from "no
// value" (either: libsinsp's compare_ip holds `exists` for any fd).
table(
  "no candidates: every comparison is false",
  {
    ...EVENT,
    "proc.aname": [],
    "proc.apid": [],
    "fd.ip": [],
    "fd.net": [],
    "fd.port": [],
  },
  [
    ["proc.aname = bash", false],
    ["proc.aname != bash", false],
    ["proc.aname in (bash)", false],
    ["proc.aname startswith b", false],
    ["proc.aname exists", false],
    ["not proc.aname != bash", true],
    ["proc.apid != 1", false],
    ["fd.ip = 10.0.0.1", false],
    ["fd.ip != 10.0.0.1", false],
    ["fd.net != 10.0.0.0/8", false],
    ["fd.port != 80", false],
    ["fd.port < 100000", false],
    ["fd.ip exists", true],
    ["fd.port exists", true],
  ],
);

table(
  "<NA>: every check is false, `!=` and `exists` included",
  { ...EVENT, "fd.net": undefined, "proc.pname": undefined },
  [
    ["proc.aname = bash", false],
    ["proc.aname != bash", false],
    ["proc.aname in (bash)", false],
    ["proc.aname startswith b", false],
    ["proc.aname exists", false],
    ["not proc.aname exists", true],
    ["not proc.aname = bash", true],
    ["proc.apid != 1", false],
    ["fd.ip = 10.0.0.1", false],
    ["fd.ip != 10.0.0.1", false],
    ["fd.ip exists", false],
    ["fd.net != 10.0.0.0/8", false],
    ["fd.port != 80", false],
    ["fd.port exists", false],
    ["proc.aname = val(proc.pname)", false],
  ],
);

test("without the hook, a list value is not a set of candidates", () => {
  const r = compileCondition(parse("proc.aname = sshd or fd.port = 80"), testSource);
  assert.ok(r.ok);
  assert.equal(r.predicate(SOCKET), false);
});

test("the slot holds no candidate between events", () => {
  const r = compileCondition(parse("proc.aname = zsh or fd.ip != 1.1.1.1"), source);
  assert.ok(r.ok);
  for (let i = 0; i < 3; i++) {
    assert.equal(r.predicate(SOCKET), true);
    assert.equal(r.predicate({ ...EVENT, "fd.ip": [] }), false);
  }
});
