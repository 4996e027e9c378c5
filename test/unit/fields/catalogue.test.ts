import { test } from "node:test";
import assert from "node:assert/strict";
import { CatalogueError, createCatalogue } from "../../../src/fields/catalogue.js";
import { pluginField, sinspField } from "../../../src/fields/define.js";
import { syscallSchema } from "../../../src/fields/syscall/schema.js";
import type { FieldCatalogue } from "../../../src/fields/types.js";

// Expected outcome: the field and argument it resolves to, or the failure reason.
type Expect = { field: string; arg?: string } | { reason: "unknown" | "bad_argument" };

function check(cat: FieldCatalogue, table: [string, string | undefined, Expect][]): void {
  for (const [name, arg, want] of table) {
    const label = `${name}${arg === undefined ? "" : ` [${arg}]`}`;
    const got = cat.resolve(name, arg);
    if ("field" in want) {
      assert.ok(got.ok, `${label}: expected ${want.field}, got ${got.ok ? "" : got.reason}`);
      assert.equal(got.field.info.name, want.field, label);
      assert.equal(got.field.arg, want.arg, label);
    } else {
      assert.ok(
        !got.ok,
        `${label}: expected ${want.reason}, resolved to ${got.ok ? got.field.info.name : ""}`,
      );
      assert.equal(got.reason, want.reason, label);
      assert.ok(got.message.length > 0, label);
    }
  }
}

const cat = syscallSchema.catalogue;

test("known syscall fields resolve, longest name first", () => {
  check(cat, [
    ["proc.name", undefined, { field: "proc.name" }],
    ["fd.name", undefined, { field: "fd.name" }],
    ["evt.type", undefined, { field: "evt.type" }],
    ["evt.time.iso8601", undefined, { field: "evt.time.iso8601" }],
    ["evt.time", undefined, { field: "evt.time" }],
    ["evt.args", undefined, { field: "evt.args" }],
    ["fd.sip.name", undefined, { field: "fd.sip.name" }],
    [
      "proc.exe_ino.ctime_duration_proc_start",
      undefined,
      { field: "proc.exe_ino.ctime_duration_proc_start" },
    ],
    ["thread.cgroups", undefined, { field: "thread.cgroups" }],
    ["fs.path.nameraw", undefined, { field: "fs.path.nameraw" }],
    ["fdlist.sports", undefined, { field: "fdlist.sports" }],
    ["container.image.repository", undefined, { field: "container.image.repository" }],
    ["proc.is_container_healthcheck", undefined, { field: "proc.is_container_healthcheck" }],
    ["k8s.ns.name", undefined, { field: "k8s.ns.name" }],
    ["syscall.type", undefined, { field: "syscall.type" }],
    // Hidden and deprecated fields still resolve: rules may use them.
    ["evt.dir", undefined, { field: "evt.dir" }],
    ["util.cnt", undefined, { field: "util.cnt" }],
  ]);
});

test("bracket arguments, passed apart (quotes already stripped) or joined to the name", () => {
  check(cat, [
    ["proc.aname", "2", { field: "proc.aname", arg: "2" }],
    ["proc.aname[3]", undefined, { field: "proc.aname", arg: "3" }],
    ["proc.aname", undefined, { field: "proc.aname" }],
    ["proc.aexepath", "2", { field: "proc.aexepath", arg: "2" }],
    ["proc.aexe", "1", { field: "proc.aexe", arg: "1" }],
    ["proc.apid", "-1", { field: "proc.apid", arg: "-1" }],
    ["proc.args", "0", { field: "proc.args", arg: "0" }],
    ["proc.env", "HOME", { field: "proc.env", arg: "HOME" }],
    ["proc.env", "MY VAR", { field: "proc.env", arg: "MY VAR" }],
    ["proc.env", "", { field: "proc.env" }],
    ["proc.aenv", "2", { field: "proc.aenv", arg: "2" }],
    ["evt.arg", "0", { field: "evt.arg", arg: "0" }],
    ["evt.around", "1404996934793590564", { field: "evt.around", arg: "1404996934793590564" }],
    ["fd.types", "0", { field: "fd.types", arg: "0" }],
    ["fd.types", undefined, { field: "fd.types" }],
    [
      "container.mount.dest",
      "/var/run/docker.sock",
      { field: "container.mount.dest", arg: "/var/run/docker.sock" },
    ],
    ["container.mount.dest", "/proc*", { field: "container.mount.dest", arg: "/proc*" }],
    ["container.mount", "0", { field: "container.mount", arg: "0" }],
    [
      "container.label",
      "io.kubernetes.pod.name",
      { field: "container.label", arg: "io.kubernetes.pod.name" },
    ],
    ["k8s.pod.label", "app.kubernetes.io/name", { field: "k8s.pod.label", arg: "app.kubernetes.io/name" }],
  ]);
});

test("dotted arguments", () => {
  check(cat, [
    ["evt.arg.flags", undefined, { field: "evt.arg", arg: "flags" }],
    ["evt.arg.res_or_fd", undefined, { field: "evt.arg", arg: "res_or_fd" }],
    ["evt.rawarg.res", undefined, { field: "evt.rawarg", arg: "res" }],
    ["evt.type.is.open", undefined, { field: "evt.type.is", arg: "open" }],
    ["evt.type.is.3", undefined, { field: "evt.type.is", arg: "3" }],
    ["thread.cgroup.cpuacct", undefined, { field: "thread.cgroup", arg: "cpuacct" }],
    ["thread.cgroup.net_cls", undefined, { field: "thread.cgroup", arg: "net_cls" }],
    ["evt.abspath.src", undefined, { field: "evt.abspath", arg: "src" }],
    ["evt.abspath.dst", undefined, { field: "evt.abspath", arg: "dst" }],
    ["evt.abspath", undefined, { field: "evt.abspath" }],
    ["k8s.pod.label.app", undefined, { field: "k8s.pod.label", arg: "app" }],
  ]);
});

test("unknown names: libsinsp finds no field, so skip-if-unknown-filter may skip the rule", () => {
  check(cat, [
    ["proc.nobody", undefined, { reason: "unknown" }],
    ["not.exist", undefined, { reason: "unknown" }],
    ["", undefined, { reason: "unknown" }],
    ["evt", undefined, { reason: "unknown" }],
    // A field name is a prefix, but the rest is not an argument.
    ["proc.names", undefined, { reason: "unknown" }],
    ["evt.argx", undefined, { reason: "unknown" }],
    // Built-in fields without arguments.
    ["fd.name", "1", { reason: "unknown" }],
    ["proc.name.x", undefined, { reason: "unknown" }],
    // An ancestor index that is not a number makes the whole name unmatched.
    ["proc.aname", "x", { reason: "unknown" }],
    ["proc.aname", "", { reason: "unknown" }],
    ["proc.aname.2", undefined, { reason: "unknown" }],
    ["proc.env.HOME", undefined, { reason: "unknown" }],
    ["fd.types.x", undefined, { reason: "unknown" }],
    ["evt.abspath.foo", undefined, { reason: "unknown" }],
    ["evt.abspath", "src", { reason: "unknown" }],
    ["evt.type.is.nosuchevent", undefined, { reason: "unknown" }],
    ["thread.cgroup.cpu2", undefined, { reason: "unknown" }],
    // Starts with a parameter name ("fd") but is not one.
    ["evt.arg.fdx", undefined, { reason: "unknown" }],
    // A dotted and a bracket argument at once.
    ["evt.arg.fd", "0", { reason: "unknown" }],
    ["container.id.foo", undefined, { reason: "unknown" }],
  ]);
});

test("bad arguments: libsinsp raises a hard error", () => {
  check(cat, [
    ["evt.arg", undefined, { reason: "bad_argument" }],
    ["evt.arg", "x", { reason: "bad_argument" }],
    ["evt.arg", "99999999999", { reason: "bad_argument" }],
    ["evt.arg.zz_no_such_param", undefined, { reason: "bad_argument" }],
    ["evt.rawarg", undefined, { reason: "bad_argument" }],
    ["evt.rawarg", "0", { reason: "bad_argument" }],
    ["evt.type.is", undefined, { reason: "bad_argument" }],
    ["thread.cgroup", undefined, { reason: "bad_argument" }],
    ["thread.cgroup", "cpuacct", { reason: "bad_argument" }],
    ["evt.around", undefined, { reason: "bad_argument" }],
    ["evt.around", "soon", { reason: "bad_argument" }],
    ["fd.types", "x", { reason: "bad_argument" }],
    // Plugin fields: required argument missing, or an argument where none is taken.
    ["container.mount", undefined, { reason: "bad_argument" }],
    ["container.mount.dest", undefined, { reason: "bad_argument" }],
    ["k8s.pod.label", undefined, { reason: "bad_argument" }],
    ["container.id", "0", { reason: "bad_argument" }],
    ["proc.aname[2", undefined, { reason: "bad_argument" }],
  ]);
});

test("every listed field resolves to itself", () => {
  let n = 0;
  for (const cls of cat.classes) {
    for (const info of cls.fields) {
      const r = cat.resolve(info.name, undefined);
      n++;
      if (info.argRequired) {
        assert.ok(!r.ok && r.reason === "bad_argument", `${info.name} wants an argument`);
      } else {
        assert.ok(r.ok && r.field.info === info, `${info.name} resolves to itself`);
      }
    }
  }
  assert.ok(n > 280, `only ${n} fields`);
});

// A made-up catalogue to pin down the lookup rules independently of the real tables.
const toy = createCatalogue("toy", [
  { name: "first", description: "", fields: [sinspField("a.b", "CHARBUF", "x")] },
  {
    name: "second",
    description: "",
    fields: [
      sinspField("a.bc", "CHARBUF", "shadowed by a.b of the earlier class"),
      pluginField("p.idx", "UINT64", "x", { arg: "index", argRequired: true }),
      pluginField("p.key", "CHARBUF", "x", { arg: "key" }),
      pluginField("p.dot", "CHARBUF", "x", { arg: "key", argRequired: true, dottedArg: true }),
      pluginField("p.both", "CHARBUF", "x", { arg: "index_or_key", argRequired: true }),
      pluginField("p.none", "CHARBUF", "x"),
    ],
  },
]);

test("the first class with a prefix match decides, as in libsinsp", () => {
  check(toy, [
    ["a.b", undefined, { field: "a.b" }],
    ["a.bc", undefined, { reason: "unknown" }],
  ]);
});

test("plugin argument grammar", () => {
  check(toy, [
    ["p.idx", "7", { field: "p.idx", arg: "7" }],
    ["p.idx", "0", { field: "p.idx", arg: "0" }],
    ["p.idx", "01", { reason: "bad_argument" }],
    ["p.idx", "-1", { reason: "bad_argument" }],
    ["p.idx", "x", { reason: "bad_argument" }],
    ["p.idx", "18446744073709551616", { reason: "bad_argument" }],
    ["p.idx", undefined, { reason: "bad_argument" }],
    ["p.key", undefined, { field: "p.key" }],
    ["p.key", "some key", { field: "p.key", arg: "some key" }],
    ["p.key.sub", undefined, { reason: "unknown" }],
    ["p.dot.sub", undefined, { field: "p.dot", arg: "sub" }],
    ["p.dot", "sub", { field: "p.dot", arg: "sub" }],
    ["p.both", "3", { field: "p.both", arg: "3" }],
    ["p.both", "/usr/*", { field: "p.both", arg: "/usr/*" }],
    ["p.none", "1", { reason: "bad_argument" }],
  ]);
});

test("a name defined twice is a table error", () => {
  assert.throws(
    () =>
      createCatalogue("dup", [
        { name: "x", description: "", fields: [sinspField("a.b", "CHARBUF", "")] },
        { name: "y", description: "", fields: [sinspField("a.b", "CHARBUF", "")] },
      ]),
    (err: unknown) => err instanceof CatalogueError && err.code === "SAKER_FIELD_CATALOGUE",
  );
});
