// checkFieldLike/compileFieldLike: one field or transformer expression planned alone, as output formats
// use it. It is the planning of a condition's operand, so its errors must be exactly those a condition
// `<expr> exists` gets, and its values those the condition compares.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkCondition, checkFieldLike, compileFieldLike } from "../../../src/engine/compile.js";
import type { FieldValue } from "../../../src/engine/source.js";
import type { FieldLike } from "../../../src/rules/language/ast.js";
import { parseFieldLike } from "../../../src/rules/language/parser.js";
import { EVENT, parse, testSchema, testSource, untypedSchema } from "./support/schema.js";

function node(text: string): FieldLike {
  const r = parseFieldLike(text, 0);
  if (!r.ok) assert.fail(`${text}: ${r.error.message}`);
  assert.equal(r.end, text.length, text);
  return r.node;
}

interface Case {
  readonly expr: string;
  /** Type after transformers, with " list" for lists. */
  readonly type: string;
  /** The field under single-value transformers, "-" for none. */
  readonly base: string;
  /** The fields read inside, in order. */
  readonly reads: string;
  readonly value: FieldValue;
}

const CASES: readonly Case[] = [
  { expr: "proc.name", type: "CHARBUF", base: "proc.name", reads: "proc.name", value: "MyExe" },
  { expr: "proc.aname[1]", type: "CHARBUF", base: "proc.aname", reads: "proc.aname", value: "bash" },
  { expr: "tolower(proc.name)", type: "CHARBUF", base: "proc.name", reads: "proc.name", value: "myexe" },
  {
    expr: "toupper( tolower( proc.name ) )",
    type: "CHARBUF",
    base: "proc.name",
    reads: "proc.name",
    value: "MYEXE",
  },
  {
    expr: "basename(proc.exepath)",
    type: "FSPATH",
    base: "proc.exepath",
    reads: "proc.exepath",
    value: "myexe",
  },
  { expr: "len(proc.name)", type: "UINT64", base: "proc.name", reads: "proc.name", value: 5 },
  { expr: "len(proc.argv)", type: "UINT64", base: "proc.argv", reads: "proc.argv", value: 4 },
  {
    expr: "tolower(ka.groups)",
    type: "CHARBUF list",
    base: "ka.groups",
    reads: "ka.groups",
    value: ["system:authenticated", "system:masters"],
  },
  { expr: "b64(evt.arg.data)", type: "CHARBUF", base: "evt.arg", reads: "evt.arg", value: "hello" },
  {
    expr: "tolower(container.id)",
    type: "CHARBUF",
    base: "container.id",
    reads: "container.id",
    value: undefined,
  },
  {
    expr: 'concat(proc.name, "-", proc.pname)',
    type: "CHARBUF",
    base: "-",
    reads: "proc.name proc.pname",
    value: "MyExe-bash",
  },
  {
    expr: 'toupper(join(",", (proc.name, proc.pid, proc.name)))',
    type: "CHARBUF",
    base: "-",
    reads: "proc.name proc.pid proc.name",
    value: "MYEXE,1234,MYEXE",
  },
  {
    expr: 'getopt(proc.argv, "nt:")',
    type: "CHARBUF list",
    base: "-",
    reads: "proc.argv",
    value: ["n", "t", "hello"],
  },
  { expr: 'getopt(proc.argv, "nt:")[t]', type: "CHARBUF", base: "-", reads: "proc.argv", value: "hello" },
  { expr: 'len(concat(proc.name, "x"))', type: "UINT64", base: "-", reads: "proc.name", value: 6 },
];

test("field-like plans: type, base field, fields read and value", () => {
  const event = { ...EVENT, "evt.arg[data]": "aGVsbG8=" };
  for (const c of CASES) {
    const checked = checkFieldLike(node(c.expr), testSchema);
    assert.ok(checked.ok, `${c.expr}: ${checked.ok ? "" : checked.errors[0].message}`);
    const compiled = compileFieldLike(node(c.expr), testSource);
    assert.ok(compiled.ok, c.expr);
    const { plan } = compiled;
    for (const info of [checked.info, plan]) {
      assert.equal(`${info.type}${info.isList ? " list" : ""}`, c.type, c.expr);
      assert.equal(info.field?.info.name ?? "-", c.base, c.expr);
      assert.equal(info.fields.map((f) => f.field.info.name).join(" "), c.reads, c.expr);
    }
    // Each field read is the node as written: its span indexes the text.
    for (const f of plan.fields) {
      assert.ok(c.expr.slice(f.node.span.start, f.node.span.end).startsWith(f.node.name), c.expr);
    }
    assert.deepEqual(plan.read(event), c.value, c.expr);
  }
});

// Expressions a condition's operand rejects: the standalone check must reject them identically.
const BAD: readonly [string, string, string][] = [
  ["proc.nobody", "unknown_field", "proc.nobody"],
  ["tolower(proc.nobody)", "unknown_field", "proc.nobody"],
  ["evt.arg", "bad_field_argument", "evt.arg"],
  ["tolower(proc.pid)", "bad_transformer", "tolower(proc.pid)"],
  ["len(len(proc.name))", "bad_transformer", "len(len(proc.name))"],
  ["toupper(fd.name)[x]", "bad_transformer", "toupper(fd.name)[x]"],
  ['join("a", "b")', "bad_transformer", 'join("a", "b")'],
  ["concat(proc.pid, proc.name)", "bad_transformer", "concat(proc.pid, proc.name)"],
  ['getopt(proc.name, "n")', "bad_transformer", 'getopt(proc.name, "n")'],
  ["tolower(proc.name, proc.pname)", "bad_transformer", "tolower(proc.name, proc.pname)"],
  ["concat(proc.name)", "bad_transformer", "concat(proc.name)"],
];

test("field-like errors: code, message and span are a condition operand's", () => {
  for (const [expr, code, at] of BAD) {
    const checked = checkFieldLike(node(expr), testSchema);
    assert.ok(!checked.ok, `${expr}: expected an error`);
    const start = expr.indexOf(at);
    assert.deepEqual(
      checked.errors.map((e) => [e.code, e.start, e.end]),
      [[code, start, start + at.length]],
      expr,
    );
    const asCondition = checkCondition(parse(`${expr} exists`), testSchema);
    assert.ok(!asCondition.ok, expr);
    assert.deepEqual(checked.errors, asCondition.errors, expr);
    const compiled = compileFieldLike(node(expr), testSource);
    assert.ok(!compiled.ok, expr);
    assert.deepEqual(compiled.errors, checked.errors, expr);
  }
});

test("field-like plans are not event-type checks: transformers over evt.type are fine", () => {
  for (const schema of [testSchema, untypedSchema]) {
    const checked = checkFieldLike(node("toupper(evt.type)"), schema);
    assert.ok(checked.ok, schema.name);
  }
  const compiled = compileFieldLike(node("toupper(evt.type)"), testSource);
  assert.ok(compiled.ok);
  assert.equal(compiled.plan.read(EVENT), "OPEN");
});
