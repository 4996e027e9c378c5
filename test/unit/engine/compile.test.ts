import { PerformanceObserver, performance } from "node:perf_hooks";
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkCondition, compileCondition, type CompileErrorCode } from "../../../src/engine/compile.js";
import type { EventSource } from "../../../src/engine/source.js";
import { EVENT, type TestEvent, parse, testSchema, testSource, untypedSchema } from "./support/schema.js";

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

table("string operators", [
  ["proc.name = MyExe", true],
  ["proc.name == MyExe", true],
  ["proc.name = myexe", false],
  ["proc.name != bash", true],
  ["proc.name != MyExe", false],
  // Relational operators take numbers in the grammar; on strings they compare as strcmp does.
  ["proc.name > 5", true],
  ["proc.name < 5", false],
  ["fd.name contains file", true],
  ["fd.name contains nope", false],
  ["proc.name icontains myex", true],
  ["proc.name icontains MYEXE", true],
  ["proc.name icontains xyz", false],
  ["fd.name startswith /tmp/", true],
  ["fd.name startswith /var", false],
  ["fd.name endswith _run", true],
  ["fd.name endswith .txt", false],
  ["fd.name glob /tmp/*", true],
  ["fd.name glob '/tmp/file_to_r?n'", true],
  ["fd.name glob '/tmp/[a-f]ile*'", true],
  ["fd.name glob '/tmp/[!f]ile*'", false],
  ["fd.name glob '*.txt'", false],
  ["proc.name glob myexe", false],
  ["proc.name iglob 'myex*'", true],
  ["proc.name iglob 'MY[E]XE'", true],
  ["proc.name iglob 'b*'", false],
  ["fd.name regex '/tmp/.*'", true],
  ["fd.name regex tmp", false],
  ["fd.name regex '.*file.*'", true],
  ["proc.name regex '[A-Z][a-z]+'", false],
  ["proc.name regex '[A-Z][a-zA-Z]+'", true],
  ["proc.name regex 'My|MyExe'", true],
  ["proc.name in (bash, MyExe)", true],
  ["proc.name in (MyExe)", true],
  ["proc.name in (bash, sh)", false],
  ["proc.name in ()", false],
  ["proc.name intersects (MyExe, x)", true],
  ["fd.name pmatch (/tmp)", true],
  ["fd.name pmatch (/tm)", false],
  ["fd.name pmatch (/var, /tmp/file_to_run)", true],
  ["fd.name pmatch (/tmp/file_to_run/x)", false],
  ["fd.name pmatch (/)", true],
  ["fd.name pmatch (/*/file_to_run)", true],
  ["fd.name pmatch ()", false],
  ["proc.exepath = /usr/bin/myexe", true],
  ["proc.exepath pmatch (/usr/bin)", true],
  ["proc.cwd startswith ..", true],
]);

table(
  "relational operators on strings",
  [
    ["proc.name <= 123", true],
    ["proc.name < 123", false],
    ["proc.name > 122", true],
    ["proc.name >= 124", false],
    ["proc.name > 1229", true],
  ],
  { ...EVENT, "proc.name": "123" },
);

table("numeric, bool and port operators", [
  ["proc.pid = 1234", true],
  ["proc.pid != 1234", false],
  ["proc.pid < 2000", true],
  ["proc.pid <= 1233", false],
  ["proc.pid > 1000", true],
  ["proc.pid >= 1235", false],
  ["proc.pid in (1, 1234)", true],
  ["proc.pid in (1, 2)", false],
  ["proc.pid intersects (1234)", true],
  ["proc.pid = ' 1234'", true],
  ["proc.pid = +1234", true],
  ["evt.res = -2", true],
  ["evt.res < 0", true],
  ["evt.rawtime = 1700000000123456789", true],
  ["evt.rawtime > 1700000000123456788", true],
  ["evt.rawtime < 1700000000123456789", false],
  ["evt.rawtime in (1, 1700000000123456789)", true],
  ["evt.num = 42", true],
  ["evt.num = -1", false],
  ["evt.num < 18446744073709551615", true],
  // Constants are cast to the field's width, as libsinsp's C casts do.
  ["evt.flags8 = 200", true],
  ["evt.flags8 = 456", true],
  ["evt.i8 = 200", true],
  ["evt.count = 4294967303", true],
  ["thread.cpu = 12", true],
  ["thread.cpu > 11", true],
  ["evt.cpu = 3", true],
  ["user.uid = 0", true],
  ["evt.is_io = true", true],
  ["evt.is_io = false", false],
  ["evt.is_io != false", true],
  ["evt.is_io in (false)", false],
  ["evt.is_io in (true, false)", true],
  ["fd.sport = 443", true],
  ["fd.sport > 1024", false],
  ["fd.sport in (80, 443)", true],
]);

table("byte buffer operators", [
  ["evt.buffer contains index", true],
  ["evt.buffer contains nope", false],
  ["evt.buffer bcontains 696e646578", true],
  ["evt.buffer bcontains 00ff", false],
  ["evt.buffer bstartswith 474554", true],
  ["evt.buffer bstartswith 504F5354", false],
  ["evt.buffer startswith GET", true],
  ["evt.buffer endswith 1.1", true],
  ["evt.buffer endswith 1.2", false],
  ["evt.buffer = 'GET /index.html HTTP/1.1'", true],
  ["evt.buffer != x", true],
  ["evt.buffer in (a, 'GET /index.html HTTP/1.1')", true],
  ["evt.buffer bcontains anyof (00, 4854)", true],
  ["evt.buffer bcontains allof (00, 4854)", false],
]);

table("IP address and network operators", [
  ["fd.sip = 10.0.0.1", true],
  ["fd.sip = 10.0.0.2", false],
  ["fd.sip != 10.0.0.2", true],
  // An address of the other family is never equal.
  ["fd.sip = ::1", false],
  ["fd.sip != ::1", true],
  ["fd.sip in (1.1.1.1, 10.0.0.1)", true],
  ["fd.sip in (1.1.1.1, ::1)", false],
  ["fd.sip intersects (10.0.0.1)", true],
  ["fd.cip = ::1", true],
  ["fd.cip = '0:0:0:0:0:0:0:1'", true],
  ["fd.cip = 127.0.0.1", false],
  ["fd.net = 192.168.0.0/16", true],
  ["fd.net = 192.168.2.0/24", false],
  ["fd.net != 10.0.0.0/8", true],
  ["fd.net in (10.0.0.0/8, 192.168.1.0/24)", true],
  ["fd.net = 0.0.0.0/0", true],
  ["fd.ip4 = 127.0.0.1", true],
  ["fd.net4 = 172.16.0.0/12", true],
  ["fd.net4 = 172.32.0.0/12", false],
  ["fd.ip6 = 2001:db8::1", true],
  ["fd.ip6 = '2001:0db8:0000::0001'", true],
  ["fd.net6 = 2001:db8::/32", true],
  ["fd.net6 = 2001:db9::/32", false],
  ["fd.net6 = '2001:db8:0:0:1::/80'", true],
  ["fd.net6 = '2001:db8:0:0:2::/80'", false],
  ["fd.net6 = '2001:db8::/65'", true],
  ["fd.net6 = '2001:db8:0:0:8000::/65'", false],
  ["fd.sip = anyof (1.1.1.1, 10.0.0.1)", true],
  ["fd.sip != allof (1.1.1.1, 2.2.2.2)", true],
  ["fd.net = oneof (192.168.0.0/16, 192.168.1.0/24)", false],
  ["fd.net = oneof (192.168.0.0/16, 10.0.0.0/8)", true],
]);

table("list fields: in, intersects, exists", [
  ["ka.groups in (system:authenticated, system:masters, x)", true],
  ["ka.groups in (system:masters)", false],
  ["ka.groups intersects (system:masters)", true],
  ["ka.groups intersects (x)", false],
  // An empty list is `in` anything and intersects nothing.
  ["proc.env in (a)", true],
  ["proc.env intersects (a)", false],
  ["ka.ids in (1, 2, 3, 4)", true],
  ["ka.ids in (1, 2)", false],
  ["ka.ids intersects (9, 3)", true],
  ["ka.ips intersects (::1)", true],
  ["ka.ips in (10.0.0.1)", false],
  ["ka.ips in (10.0.0.1, ::1)", true],
  ["ka.nets in (10.0.0.0/8)", true],
  ["ka.nets intersects (10.9.0.0/16)", true],
  ["ka.nets in (10.1.0.0/16)", false],
  ["ka.flags in (true)", true],
  ["ka.flags intersects (false)", false],
  ["ka.groups exists", true],
  ["proc.env exists", true],
]);

// libsinsp's filterchecks/cmp_operator_modifiers.cpp, on a process named "myexe".
const MYEXE: TestEvent = { ...EVENT, "proc.name": "myexe" };
table(
  "oneof, anyof and allof modifiers",
  [
    ["proc.name == oneof (myexe, bash)", true],
    ["proc.name == oneof (myexe)", true],
    ["proc.name == oneof (bash, sh)", false],
    ["proc.name == oneof (myexe, myexe)", false],
    ["proc.name == anyof (myexe, bash)", true],
    ["proc.name == anyof (bash, sh)", false],
    ["proc.name == anyof (myexe, myexe)", true],
    ["proc.name == allof (myexe)", true],
    ["proc.name == allof (myexe, bash)", false],
    ["proc.name == allof (myexe, myexe)", true],
    ["proc.name != oneof (myexe, myexe, bash)", true],
    ["proc.name != oneof (myexe, myexe)", false],
    ["proc.name != oneof (bash, sh)", false],
    ["proc.name != anyof (bash, sh)", true],
    ["proc.name != anyof (myexe, bash)", true],
    ["proc.name != allof (bash, sh)", true],
    ["proc.name != allof (myexe, bash)", false],
    ["proc.name contains oneof (myex, bash)", true],
    ["proc.name contains oneof (my, exe)", false],
    ["proc.name contains anyof (my, exe)", true],
    ["proc.name contains allof (my, exe)", true],
    ["proc.name contains allof (myex, bash)", false],
    ["proc.name icontains oneof (MYEX, BASH)", true],
    ["proc.name icontains allof (MY, EXE)", true],
    ["proc.name startswith oneof (my, mye)", false],
    ["proc.name startswith anyof (my, bash)", true],
    ["proc.name startswith allof (my, mye)", true],
    ["proc.name endswith oneof (exe, sh)", true],
    ["proc.name endswith allof (exe, yexe)", true],
    ["proc.name glob oneof (my*, *exe)", false],
    ["proc.name glob allof (my*, *exe)", true],
    ["proc.name iglob anyof (MY*, BASH)", true],
    ["proc.name regex oneof (my.*, b.*)", true],
    ["proc.name regex oneof (my.*, .*exe)", false],
    ["proc.name regex allof (my.*, .*exe)", true],
    ["proc.name regex anyof (b.*, sh.*)", false],
    ["toupper(proc.name) == oneof (MYEXE, BASH)", true],
    ["toupper(proc.name) != allof (MYEXE, BASH)", false],
    ["proc.name == oneof ()", false],
    ["proc.name == anyof ()", false],
    ["proc.name == allof ()", false],
    ["proc.name != allof ()", false],
    ["proc.pid = anyof (1, 1234)", true],
    ["proc.pid != allof (1, 1234)", false],
  ],
  MYEXE,
);

const WITH_DATA: TestEvent = { ...EVENT, "evt.arg[data]": "aGVsbG8=", "evt.arg[raw]": "aGVsbG8" };
table(
  "transformers",
  [
    ["tolower(proc.name) = myexe", true],
    ["toupper(proc.name) = MYEXE", true],
    ["tolower(proc.name) = MyExe", false],
    ["tolower(ka.groups) intersects (system:masters)", true],
    ["basename(fd.name) = file_to_run", true],
    ["basename(fd.name) = /tmp/file_to_run", false],
    ["basename(proc.name) = MyExe", true],
    ["len(fd.name) = 16", true],
    ["len(ka.groups) = 2", true],
    ["len(proc.env) = 0", true],
    ["len(evt.buffer) = 24", true],
    ["len(fd.name) > 15", true],
    ["b64(evt.arg.data) = hello", true],
    // Padding is optional.
    ["b64(evt.arg.raw) = hello", true],
    // Text that is not base64 has no decoded value.
    ["b64(proc.name) exists", false],
    ["b64(evt.buffer) exists", false],
    ['join(",", (proc.name, proc.pname)) = "MyExe,bash"', true],
    ['join("-", proc.argv) = "-n--t-hello-file.txt"', true],
    ['join(",", ()) = ""', true],
    ['join(",", (proc.pid, "x")) = "1234,x"', true],
    ['join(",", (proc.name, container.id)) exists', false],
    ['concat(proc.name, "-", proc.pname) = "MyExe-bash"', true],
    ["concat(proc.name, container.id) exists", false],
    ['getopt(proc.argv, "nt:") intersects (hello)', true],
    ['getopt(proc.argv, "nt:") in (n, t, hello)', true],
    ['getopt(proc.argv, "nt:")[t] = hello', true],
    ['getopt(proc.argv, "n")[t] exists', false],
    ['getopt(("-x", "-n"), "n") intersects ("?")', true],
    ['getopt(("-t"), "t:")[t] = ""', true],
    ['getopt(("-t", "v1", "-t", "v2"), "t:")[t] = v2', true],
    ['getopt(("regular_file", "-f", "x"), "f:") intersects (f)', false],
    ['toupper(concat(proc.name, "x")) = MYEXEX', true],
    ['len(join("-", ("aaa", "bbb"))) = 7', true],
    ['b64(concat("YWFh", "YmJi")) = aaabbb', true],
    ["proc.pname = tolower(proc.pname)", true],
    ["proc.name = toupper(proc.name)", false],
  ],
  WITH_DATA,
);

table("val(): comparing two fields", [
  ["proc.pid = val(proc.ppid)", true],
  ["proc.name = val(proc.pname)", false],
  ["proc.name != val(proc.pname)", true],
  ["fd.name startswith val(fd.directory)", true],
  ["fd.name contains val(fd.directory)", true],
  ["fd.name glob val(fd.directory)", false],
  ["fd.sip = val(fd.sip)", true],
  ["fd.sip != val(fd.cip)", true],
  ["ka.groups intersects val(ka.groups)", true],
  ["ka.groups in val(ka.groups)", true],
  ["proc.name in val(proc.name)", true],
  // A right-hand field without a value makes the check false, `!=` included.
  ["proc.name = val(container.id)", false],
  ["proc.name != val(container.id)", false],
  ["container.id != val(proc.name)", false],
]);

// libsinsp: a check on a field with no value is false whatever the operator; `not` negates that.
table("<NA>: missing values", [
  ["container.id = x", false],
  ["container.id != x", false],
  ["not container.id = x", true],
  ["not container.id != x", true],
  ["container.id exists", false],
  ["not container.id exists", true],
  ["container.id in (x)", false],
  ["container.id pmatch (/)", false],
  ["container.id < 5", false],
  ["tolower(container.id) = x", false],
  ["len(container.id) = 0", false],
  ["len(container.id) exists", false],
  ["evt.arg.nosuch = 1", false],
  ["evt.arg.fd = 3", true],
  ["proc.aname[1] = bash", true],
  ["proc.aname[2] exists", false],
  ["jevt.value[/spec/name] = nginx", true],
  ["proc.name = MyExe and container.id != x", false],
  ["proc.name = MyExe or container.id = x", true],
]);

table("and, or, not", [
  ["proc.name = MyExe and proc.pid = 1234", true],
  ["proc.name = MyExe and proc.pid = 1", false],
  ["proc.name = x or proc.pid = 1234", true],
  ["not (proc.name = x or proc.pid = 1)", true],
  ["not not proc.name = MyExe", true],
  ["proc.name = x or proc.name = y or proc.pid = 1234", true],
  ["proc.name = x or proc.name = y or proc.name = z or proc.pid = 1", false],
  ["proc.name = MyExe and (proc.pid = 1 or proc.pid = 1234) and fd.name contains tmp and evt.num > 1", true],
  ["proc.name = MyExe and proc.pid = 1234 and fd.name contains tmp and evt.num > 100", false],
  ["(proc.name = x or proc.pid = 1234) and not evt.is_io = false", true],
]);

test("and/or short-circuit left to right", () => {
  const calls: string[] = [];
  const counting: EventSource<TestEvent> = {
    ...testSource,
    extractor(f) {
      const inner = testSource.extractor(f);
      return (e) => {
        calls.push(f.info.name);
        return inner(e);
      };
    },
  };
  const cases: [string, boolean, string[]][] = [
    ["proc.name = x and proc.pid = 1234", false, ["proc.name"]],
    ["proc.name = MyExe or proc.pid = 1", true, ["proc.name"]],
    ["proc.name = x or proc.pid = 1234 or fd.name = y", true, ["proc.name", "proc.pid"]],
    ["proc.name = MyExe and proc.pid = 1 and fd.name = y", false, ["proc.name", "proc.pid"]],
  ];
  for (const [condition, expected, read] of cases) {
    calls.length = 0;
    const r = compileCondition(parse(condition), counting);
    assert.ok(r.ok, condition);
    assert.equal(r.predicate(EVENT), expected, condition);
    assert.deepEqual(calls, read, condition);
  }
});

interface ErrorCase {
  readonly condition: string;
  readonly code: CompileErrorCode;
  readonly message: string;
  /** The offending text (its first occurrence in the condition). */
  readonly at: string;
}

const ERRORS: readonly ErrorCase[] = [
  {
    condition: "proc.nobody = 1",
    code: "unknown_field",
    message: "filter_check called with nonexistent field proc.nobody",
    at: "proc.nobody",
  },
  {
    condition: "proc.name = x and proc.nobody exists",
    code: "unknown_field",
    message: "filter_check called with nonexistent field proc.nobody",
    at: "proc.nobody",
  },
  {
    condition: "proc.name[3] = x",
    code: "unknown_field",
    message: "filter_check called with nonexistent field proc.name[3]",
    at: "proc.name[3]",
  },
  {
    condition: "proc.aname[x] = bash",
    code: "bad_field_argument",
    message: "filter error: field 'proc.aname' takes a number",
    at: "proc.aname[x]",
  },
  {
    condition: "proc.pid contains 1",
    code: "bad_operator",
    message: "filter error: 'contains' operator not supported for numeric filters",
    at: "proc.pid contains 1",
  },
  {
    condition: "evt.is_io < 1",
    code: "bad_operator",
    message: "filter error: '<' operator not supported for numeric filters",
    at: "evt.is_io < 1",
  },
  {
    condition: "fd.sip contains 1",
    code: "bad_operator",
    message: "filter error: 'contains' operator not supported for ip address and network filters",
    at: "fd.sip contains 1",
  },
  {
    condition: "fd.sip contains anyof (1.1.1.1)",
    code: "bad_operator",
    message: "filter error: 'contains' with modifier not supported for ip address and network filters",
    at: "fd.sip contains anyof (1.1.1.1)",
  },
  {
    condition: "evt.buffer glob x",
    code: "bad_operator",
    message: "filter error: 'glob' operator not supported for buffer filters",
    at: "evt.buffer glob x",
  },
  {
    condition: "proc.name bcontains 00",
    code: "bad_operator",
    message: "filter error: 'bcontains' operator not supported for string filters",
    at: "proc.name bcontains 00",
  },
  {
    // An operator the element type has no use for (list-elements.test.ts: those it has are warnings).
    condition: "ka.ips contains x",
    code: "bad_operator",
    message: "filter error: 'contains' operator not supported list filters",
    at: "ka.ips contains x",
  },
  {
    condition: "ka.ints in (1)",
    code: "bad_operator",
    message: "filter error: list filters are not supported for type 'INT64'",
    at: "ka.ints in (1)",
  },
  {
    condition: "user.loginuid = 1",
    code: "bad_operator",
    message: "filter error: '=' operator not supported for type 'UID'",
    at: "user.loginuid = 1",
  },
  { condition: "proc.pid = abc", code: "bad_value", message: "abc is not a valid number", at: "abc" },
  { condition: "proc.pid = 0x10", code: "bad_value", message: "0x10 is not a valid number", at: "0x10" },
  { condition: "proc.pid = '12 '", code: "bad_value", message: "12  is not a valid number", at: "'12 '" },
  { condition: "thread.cpu = 1.5", code: "bad_value", message: "1.5 is not a valid number", at: "1.5" },
  { condition: "proc.pid in (1, x, 3)", code: "bad_value", message: "x is not a valid number", at: "x" },
  {
    condition: "evt.is_io = yes",
    code: "bad_value",
    message: "filter error: unrecognized boolean value yes",
    at: "yes",
  },
  { condition: "fd.sip = 1.2.3", code: "bad_value", message: "unrecognized IPv4 address 1.2.3", at: "1.2.3" },
  { condition: "fd.sip = zz", code: "bad_value", message: "unrecognized IPv6 address zz", at: "zz" },
  {
    condition: "fd.sip = 010.0.0.1",
    code: "bad_value",
    message: "unrecognized IPv4 address 010.0.0.1",
    at: "010.0.0.1",
  },
  {
    condition: "fd.net = 10.0.0.0",
    code: "bad_value",
    message: "unrecognized IP network 10.0.0.0",
    at: "10.0.0.0",
  },
  { condition: "fd.net = 10.0.0.0/33", code: "bad_value", message: "invalid netmask 33", at: "10.0.0.0/33" },
  {
    condition: "fd.net = 10.0.0/8",
    code: "bad_value",
    message: "unrecognized IP address 10.0.0/8",
    at: "10.0.0/8",
  },
  {
    condition: "fd.net = 10.0.0.0/x",
    code: "bad_value",
    message: "x is not a valid number",
    at: "10.0.0.0/x",
  },
  {
    condition: "fd.net6 = '2001:db8::/0'",
    code: "bad_value",
    message: "invalid v6 netmask 0",
    at: "'2001:db8::/0'",
  },
  {
    condition: "fd.net6 = '2001:db8::'",
    code: "bad_value",
    message: "invalid v6 netmask: 2001:db8::",
    at: "'2001:db8::'",
  },
  {
    condition: "evt.buffer bcontains xyz",
    code: "bad_value",
    message: "filter error: bcontains and bstartswith operator support hex strings only",
    at: "xyz",
  },
  {
    condition: "evt.buffer bstartswith abc",
    code: "bad_value",
    message: "filter error: bcontains and bstartswith operator support hex strings only",
    at: "abc",
  },
  {
    condition: "proc.name regex '[a'",
    code: "bad_value",
    message: "invalid regex pattern: missing closing ]: [a",
    at: "'[a'",
  },
  {
    // POSIX syntax: no Perl groups.
    condition: "proc.name regex '(?:a)'",
    code: "bad_value",
    message: "invalid regex pattern: missing argument to repetition operator: ?",
    at: "'(?:a)'",
  },
  {
    condition: "evt.type = nosuchcall",
    code: "unknown_evttype",
    message: "unknown event type nosuchcall",
    at: "nosuchcall",
  },
  {
    condition: "evt.type in (open, list_a)",
    code: "unknown_evttype",
    message: "unknown event type list_a",
    at: "list_a",
  },
  {
    condition: "evt.type startswith op",
    code: "unknown_evttype",
    message: "unknown event type op",
    at: "op",
  },
  {
    condition: "some_macro and proc.name = x",
    code: "unresolved_macro",
    message: "filter error: unexpected identifier 'some_macro'",
    at: "some_macro",
  },
  {
    condition: "tolower(proc.pid) = 1",
    code: "bad_transformer",
    message:
      "can't add field transformer: type 'INT64' is not supported by 'tolower' transformer applied on field 'proc.pid'",
    at: "tolower(proc.pid)",
  },
  {
    condition: "len(len(proc.name)) = 1",
    code: "bad_transformer",
    message:
      "can't add field transformer: type 'UINT64' is not supported by 'len' transformer applied on field 'proc.name'",
    at: "len(len(proc.name))",
  },
  {
    condition: "b64(ka.ids) = x",
    code: "bad_transformer",
    message:
      "can't add field transformer: type 'UINT64' is not supported by 'b64' transformer applied on list field 'ka.ids'",
    at: "b64(ka.ids)",
  },
  {
    condition: "toupper(fd.name)[x] = foo",
    code: "bad_transformer",
    message: "filter error: transformer 'toupper' does not support field arguments",
    at: "toupper(fd.name)[x]",
  },
  {
    condition: 'join("-") = foo',
    code: "bad_transformer",
    message: "unknown field transfomer 'join'",
    at: 'join("-")',
  },
  {
    condition: 'join("-", "a", "b") = foo',
    code: "bad_transformer",
    message: "join() requires exactly 2 arguments: separator and list",
    at: 'join("-", "a", "b")',
  },
  {
    condition: 'join(proc.argv, ("a", "b")) = foo',
    code: "bad_transformer",
    message: "join() first argument (separator) must be a single value, not a list",
    at: 'join(proc.argv, ("a", "b"))',
  },
  {
    condition: 'join("a", "b") = foo',
    code: "bad_transformer",
    message: "join() second argument must be a list",
    at: 'join("a", "b")',
  },
  {
    condition: 'concat(proc.argv, "a") = foo',
    code: "bad_transformer",
    message: "concat() arguments must be strings",
    at: 'concat(proc.argv, "a")',
  },
  {
    condition: 'concat(proc.pid, "a") = foo',
    code: "bad_transformer",
    message: "concat() arguments must be strings",
    at: 'concat(proc.pid, "a")',
  },
  {
    condition: 'getopt("not_a_list", "n") intersects (n)',
    code: "bad_transformer",
    message: "getopt() first argument must be a list",
    at: 'getopt("not_a_list", "n")',
  },
  {
    condition: 'getopt(("-n"), ("n")) intersects (n)',
    code: "bad_transformer",
    message: "getopt() second argument (optstring) must be a single value",
    at: 'getopt(("-n"), ("n"))',
  },
  {
    condition: 'getopt(("-n"), "n")[""] = n',
    code: "bad_transformer",
    message: "getopt() field argument must be a single option character",
    at: 'getopt(("-n"), "n")[""]',
  },
  {
    condition: "tolower(proc.name, proc.pname) = x",
    code: "bad_transformer",
    message: "unknown multivalue transformer",
    at: "tolower(proc.name, proc.pname)",
  },
  {
    condition: "fd.name = val(proc.name)[x]",
    code: "bad_transformer",
    message: "filter error: transformer 'val' does not support field arguments",
    at: "val(proc.name)[x]",
  },
  {
    condition: "proc.name = val(proc.pid)",
    code: "type_mismatch",
    message:
      "field 'proc.name' has type 'CHARBUF' while the right-hand side field 'proc.pid' has incompatible type 'INT64'",
    at: "proc.name = val(proc.pid)",
  },
  {
    condition: "ka.groups intersects val(proc.name)",
    code: "type_mismatch",
    message:
      "field 'ka.groups' has type 'CHARBUF (list)' while the right-hand side field 'proc.name' has incompatible type 'CHARBUF'",
    at: "ka.groups intersects val(proc.name)",
  },
  {
    condition: "fd.net = val(fd.net)",
    code: "type_mismatch",
    message: "field type 'IPNET' doesn't support right-hand side fields",
    at: "fd.net = val(fd.net)",
  },
  {
    condition: "fd.name pmatch val(fd.directory)",
    code: "bad_operator",
    message: "operator 'PMATCH' doesn't support right-hand side fields",
    at: "fd.name pmatch val(fd.directory)",
  },
  {
    condition: "fd.name regex val(fd.directory)",
    code: "bad_operator",
    message: "operator 'REGEX' doesn't support right-hand side fields",
    at: "fd.name regex val(fd.directory)",
  },
  {
    condition: "tolower(evt.type) = open",
    code: "unsupported_evttype_check",
    message: "event code search does not support `evt.type` checks with transformers",
    at: "tolower(evt.type)",
  },
  {
    condition: "tolower(evt.type) exists",
    code: "unsupported_evttype_check",
    message: "event code search does not support `evt.type` checks with transformers",
    at: "tolower(evt.type)",
  },
  {
    condition: "evt.type = val(proc.name)",
    code: "unsupported_evttype_check",
    message:
      "right-hand side field comparisons on `evt.type`/`syscall.type` checks are not supported by event code search",
    at: "val(proc.name)",
  },
];

test("compile errors: code, libsinsp message and position", () => {
  for (const c of ERRORS) {
    const r = compileCondition(parse(c.condition), testSource);
    assert.ok(!r.ok, `${c.condition}: expected an error`);
    assert.equal(r.errors.length, 1, `${c.condition}: ${JSON.stringify(r.errors)}`);
    const [e] = r.errors;
    const start = c.condition.indexOf(c.at);
    assert.deepEqual(e, { code: c.code, message: c.message, start, end: start + c.at.length }, c.condition);
    // The schema-only check finds exactly the same.
    const checked = checkCondition(parse(c.condition), testSchema);
    assert.ok(!checked.ok);
    assert.deepEqual(checked.errors, r.errors, c.condition);
  }
});

test("every error of a condition is reported, in text order", () => {
  const condition =
    "fd.nobody exists and proc.pid = x and proc.name in (a, b) and evt.type in (nope, open, nada)";
  const r = checkCondition(parse(condition), testSchema);
  assert.ok(!r.ok);
  assert.deepEqual(
    r.errors.map((e) => [e.code, condition.slice(e.start, e.end)]),
    [
      ["unknown_field", "fd.nobody"],
      ["bad_value", "x"],
      ["unknown_evttype", "nope"],
      ["unknown_evttype", "nada"],
    ],
  );
  const capped = checkCondition(parse(condition), testSchema, { maxErrors: 2 });
  assert.ok(!capped.ok);
  assert.equal(capped.errors.length, 2);
});

test("valid conditions pass the schema-only check", () => {
  for (const condition of [
    "proc.name = x and fd.sip in (1.1.1.1, ::1) and evt.type in (open, close)",
    'getopt(proc.argv, "nt:")[t] = hello or join(",", (proc.pid, "x")) = y',
    "evt.buffer bcontains 00ff and not proc.name regex 'a.b'",
  ]) {
    const r = checkCondition(parse(condition), testSchema);
    assert.ok(r.ok, `${condition}: ${r.ok ? "" : JSON.stringify(r.errors)}`);
  }
});

test("event-type search restrictions apply only to sources with event types", () => {
  for (const condition of [
    "tolower(evt.type) = open",
    "evt.type = val(proc.name)",
    "tolower(evt.type) exists",
  ]) {
    assert.ok(checkCondition(parse(condition), untypedSchema).ok, condition);
    assert.ok(!checkCondition(parse(condition), testSchema).ok, condition);
  }
  // Without event types evt.type values are not validated either.
  assert.ok(checkCondition(parse("evt.type = nosuchcall"), untypedSchema).ok);
});

test("compiler warnings (Falco's LOAD_COMPILE_CONDITION)", () => {
  const cases: [string, string[]][] = [
    ["proc.name regex syscall", ["regex_simplifiable"]],
    ["proc.name regex '^syscall$'", ["regex_simplifiable"]],
    ["proc.name regex '.*syscall.*'", ["regex_simplifiable"]],
    ["proc.name regex '.?syscall'", ["regex_simplifiable"]],
    ["proc.name regex 's.*l'", []],
    ["proc.name regex 'syscall.{1}'", []],
    ["proc.name regex 'syscal[l]?'", []],
    ["proc.name = proc.pname", ["field_as_value"]],
    ["proc.name in (a, fd.name)", ["field_as_value"]],
    ["proc.name = 'tolower(proc.pname)'", ["transformer_as_value"]],
    ["proc.name = tolower", []],
    ["proc.name = unknown.field", []],
    ["proc.name = tolower(proc.pname)", []],
  ];
  for (const [condition, codes] of cases) {
    const r = compileCondition(parse(condition), testSource);
    assert.ok(r.ok, condition);
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      codes,
      condition,
    );
  }
  const r = compileCondition(parse("proc.name regex syscall"), testSource);
  assert.equal(
    r.warnings[0].message,
    "regex check with 'syscall' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'",
  );
  assert.deepEqual([r.warnings[0].start, r.warnings[0].end], [16, 23]);
});

test("planned checks allocate nothing per event (outside transformers and regex)", async () => {
  const conditions = [
    "proc.name = MyExe and proc.pid in (1, 1234)",
    "fd.name pmatch (/tmp, /var) or fd.name glob '/tmp/*'",
    "not proc.name startswith anyof (a, b, My) and proc.name icontains myex",
    "fd.sip = 10.0.0.1 or fd.cip = ::1 or fd.net = 192.168.0.0/16",
    "ka.groups intersects (system:masters) and evt.rawtime > 5 and proc.name != val(proc.pname)",
    "evt.buffer bcontains 696e646578 and evt.is_io = true",
  ];
  // heapUsed says something only over a round during which no GC ran (a GC hides what was allocated),
  // so GCs are observed and such rounds are measured again. Allocation makes GCs: if every round saw
  // one, that is itself the failure. The warm-up is long so that optimised code (which lands on the
  // heap too) is in place before measuring, even on a loaded machine.
  const gcs: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push(e.startTime);
  });
  observer.observe({ entryTypes: ["gc"] });
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));
  try {
    for (const condition of conditions) {
      const r = compileCondition(parse(condition), testSource);
      assert.ok(r.ok, condition);
      const p = r.predicate;
      let n = 0;
      for (let i = 0; i < 200_000; i++) if (p(EVENT)) n++;
      let clean: number | undefined;
      for (let round = 0; round < 8 && clean === undefined; round++) {
        await settle();
        const start = performance.now();
        const before = process.memoryUsage().heapUsed;
        for (let i = 0; i < 200_000; i++) if (p(EVENT)) n++;
        const grown = process.memoryUsage().heapUsed - before;
        const end = performance.now();
        await settle(); // let the observer report GCs of this round
        if (!gcs.some((t) => t >= start && t <= end)) clean = grown;
      }
      assert.ok(clean !== undefined, `${condition}: a GC ran during every round: something allocates (${n})`);
      // Even 16 bytes per evaluation would be 3.2 MB; allow noise well below that.
      assert.ok(clean < 400_000, `${condition}: heap grew ${clean} bytes over 200000 evaluations (${n})`);
    }
  } finally {
    observer.disconnect();
  }
});
