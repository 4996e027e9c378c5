// A small synthetic source for engine tests: a few fields of each type, events as plain objects keyed by
// field name (with "[arg]" for fields taking an argument), and the real parser to write conditions.
import assert from "node:assert/strict";
import type {
  FieldArgKind,
  FieldCatalogue,
  FieldInfo,
  FieldType,
  ResolveResult,
} from "../../../../src/fields/types.js";
import type { EventSource, FieldValue, SourceSchema } from "../../../../src/engine/source.js";
import type { Expr } from "../../../../src/rules/language/ast.js";
import { parseCondition } from "../../../../src/rules/language/parser.js";

export type TestEvent = Readonly<Record<string, FieldValue>>;

interface Spec {
  readonly list?: boolean;
  readonly arg?: FieldArgKind;
  readonly required?: boolean;
  readonly dotted?: boolean;
}

function field(name: string, type: FieldType, spec: Spec = {}): FieldInfo {
  return {
    name,
    type,
    isList: spec.list ?? false,
    argKind: spec.arg ?? "none",
    argRequired: spec.required ?? false,
    dottedArg: spec.dotted ?? false,
    description: name,
    hidden: false,
    deprecated: false,
  };
}

export const TEST_FIELDS: readonly FieldInfo[] = [
  field("evt.type", "CHARBUF"),
  field("syscall.type", "CHARBUF"),
  field("evt.num", "UINT64"),
  field("evt.buffer", "BYTEBUF"),
  field("evt.is_io", "BOOL"),
  field("evt.rawtime", "ABSTIME"),
  field("evt.cpu", "INT16"),
  field("evt.count", "UINT32"),
  field("evt.flags8", "UINT8"),
  field("evt.i8", "INT8"),
  field("evt.res", "ERRNO"),
  field("evt.arg", "CHARBUF", { arg: "key", required: true, dotted: true }),
  field("thread.cpu", "DOUBLE"),
  field("proc.name", "CHARBUF"),
  field("proc.pname", "CHARBUF"),
  field("proc.exepath", "FSPATH"),
  field("proc.cwd", "FSRELPATH"),
  field("proc.pid", "INT64"),
  field("proc.ppid", "INT64"),
  field("proc.aname", "CHARBUF", { arg: "index" }),
  field("proc.apid", "INT64", { arg: "index" }),
  field("proc.argv", "CHARBUF", { list: true }),
  field("proc.env", "CHARBUF", { list: true }),
  field("user.uid", "UINT32"),
  field("user.loginuid", "UID"),
  field("fd.name", "CHARBUF"),
  field("fd.directory", "CHARBUF"),
  field("fd.sip", "IPADDR"),
  field("fd.cip", "IPADDR"),
  field("fd.ip", "IPADDR"),
  field("fd.net", "IPNET"),
  field("fd.ip4", "IPV4ADDR"),
  field("fd.net4", "IPV4NET"),
  field("fd.ip6", "IPV6ADDR"),
  field("fd.net6", "IPV6NET"),
  field("fd.sport", "PORT"),
  field("fd.port", "PORT"),
  field("fd.l4proto", "L4PROTO"),
  field("container.id", "CHARBUF"),
  field("ka.user.name", "CHARBUF"),
  field("ka.groups", "CHARBUF", { list: true }),
  field("ka.ids", "UINT64", { list: true }),
  field("ka.ips", "IPADDR", { list: true }),
  field("ka.nets", "IPNET", { list: true }),
  field("ka.flags", "BOOL", { list: true }),
  field("ka.ints", "INT64", { list: true }),
  field("jevt.value", "CHARBUF", { arg: "key", required: true }),
];

const byName = new Map(TEST_FIELDS.map((f) => [f.name, f]));

function resolve(name: string, arg: string | undefined): ResolveResult {
  let text = name;
  let a = arg;
  if (a === undefined) {
    const open = name.indexOf("[");
    if (open > 0 && name.endsWith("]")) {
      text = name.slice(0, open);
      a = name.slice(open + 1, -1);
    }
  }
  let info = byName.get(text);
  if (info === undefined) {
    // Dotted arguments: evt.arg.fd
    for (const f of TEST_FIELDS) {
      if (f.dottedArg && text.startsWith(`${f.name}.`) && a === undefined) {
        info = f;
        a = text.slice(f.name.length + 1);
      }
    }
  }
  if (info === undefined) return { ok: false, reason: "unknown", message: `unknown field '${name}'` };
  if (info.argKind === "none" && a !== undefined) {
    return { ok: false, reason: "unknown", message: `unknown field '${name}[${a}]'` };
  }
  if (info.argRequired && a === undefined) {
    return {
      ok: false,
      reason: "bad_argument",
      message: `filter error: field '${info.name}' requires an argument`,
    };
  }
  if (info.argKind === "index" && a !== undefined && !/^[0-9]+$/.test(a)) {
    return {
      ok: false,
      reason: "bad_argument",
      message: `filter error: field '${info.name}' takes a number`,
    };
  }
  return { ok: true, field: { info, arg: a } };
}

export const testCatalogue: FieldCatalogue = {
  source: "syscall",
  classes: [{ name: "test", description: "synthetic fields", fields: TEST_FIELDS }],
  resolve,
};

export const TEST_EVENT_TYPES: ReadonlySet<string> = new Set([
  "open",
  "openat",
  "close",
  "read",
  "write",
  "execve",
  "connect",
  "accept",
  "mmap",
  "clone",
  "procexit",
  "container",
]);

export const testSchema: SourceSchema = {
  name: "syscall",
  catalogue: testCatalogue,
  eventTypeNames: TEST_EVENT_TYPES,
};

/** A source with no event types (like k8s_audit). */
export const untypedSchema: SourceSchema = {
  name: "k8s_audit",
  catalogue: testCatalogue,
  eventTypeNames: undefined,
};

export const testSource: EventSource<TestEvent> = {
  ...testSchema,
  extractor(f) {
    const key = f.arg === undefined ? f.info.name : `${f.info.name}[${f.arg}]`;
    return (e) => e[key];
  },
  render(_f, v) {
    return v === undefined ? "<NA>" : String(v);
  },
};

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Parse a condition with the real parser; a test input that does not parse is a test bug. */
export function parse(text: string): Expr {
  const r = parseCondition(text);
  if (!r.ok) assert.fail(`test condition does not parse: ${text}: ${r.error.message} at ${r.error.start}`);
  return r.expr;
}

/** The base event most tests evaluate against. Fields missing from it are <NA>. */
export const EVENT: TestEvent = {
  "evt.type": "open",
  "syscall.type": "open",
  "evt.num": 42,
  "evt.buffer": bytes("GET /index.html HTTP/1.1"),
  "evt.is_io": true,
  "evt.rawtime": 1700000000123456789n,
  "evt.cpu": 3,
  "evt.count": 7,
  "evt.flags8": 200,
  "evt.i8": -56,
  "evt.res": -2,
  "evt.arg[fd]": "3",
  "thread.cpu": 12,
  "proc.name": "MyExe",
  "proc.pname": "bash",
  "proc.exepath": "/usr/bin/myexe",
  "proc.cwd": "../x",
  "proc.pid": 1234,
  "proc.ppid": 1234,
  "proc.aname[1]": "bash",
  "proc.argv": ["-n", "-t", "hello", "file.txt"],
  "proc.env": [],
  "user.uid": 0,
  "user.loginuid": 1000,
  "fd.name": "/tmp/file_to_run",
  "fd.directory": "/tmp",
  "fd.sip": "10.0.0.1",
  "fd.cip": "::1",
  "fd.net": "192.168.1.20",
  "fd.ip4": "127.0.0.1",
  "fd.net4": "172.16.5.4",
  "fd.ip6": "2001:db8::1",
  "fd.net6": "2001:db8:0:0:1::abcd",
  "fd.sport": 443,
  "fd.l4proto": 6,
  "ka.user.name": "admin",
  "ka.groups": ["system:authenticated", "system:masters"],
  "ka.ids": [1, 2, 3],
  "ka.ips": ["10.0.0.1", "::1"],
  "ka.nets": ["10.1.2.3", "10.9.9.9"],
  "ka.flags": [1],
  "ka.ints": [5],
  "jevt.value[/spec/name]": "nginx",
};
