// Every field that a syscall-source item of the conformance corpus references (in a condition, an
// output or an exception's `fields:`) must resolve in the syscall catalogue.
//
// Field references are found in condition and output text with a regex rather than a parser, so that
// this test does not depend on the rule language's parser. To keep values (paths such as
// /etc/x.conf, image names such as k8s.gcr.io/pause) from being taken for fields, a token counts only
// when it is preceded by start, space, `(` or `%` (with an optional output width), followed by an
// operator, space, `[`, `)`, `,`, `:` or the end, and begins with the name of a field class prefix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { syscallSchema } from "../../../src/fields/syscall/schema.js";
import { corpusPath, requireCorpus } from "../../support/paths.js";

// First segments of field names of the other sources' catalogues (k8s_audit: ka, jevt, json;
// aws_cloudtrail: ct). They only serve to recognise field-like tokens; such fields are checked by
// the tests of those sources.
const OTHER_SOURCE_PREFIXES = ["ka", "jevt", "json", "ct"];

// Files that reference unknown fields on purpose, to test how the loader reports or skips them.
const DELIBERATELY_UNKNOWN = new Set([
  "falco-tests/skip_unknown_error.yaml",
  "falco-tests/skip_unknown_evt.yaml",
  "falco-tests/skip_unknown_unspec.yaml",
  "testing-variants/skip_unknown_error.yaml",
  "testing-variants/skip_unknown_evt.yaml",
  "falco-tests/exceptions/item_unknown_fields.yaml",
  "falco-tests/invalid_rule_output.yaml",
]);

// Falco's rule compiler rewrites `%container.info` in outputs before compiling them (a leftover of
// old rulesets); it has never been a field.
const OUTPUT_PLACEHOLDERS = new Set(["container.info"]);

const syscallPrefixes = new Set(
  syscallSchema.catalogue.classes.flatMap((c) => c.fields.map((f) => f.name.split(".")[0] ?? "")),
);
const allPrefixes = new Set([...syscallPrefixes, ...OTHER_SOURCE_PREFIXES]);

const FIELD_TOKEN =
  /(?<=^|[\s(]|%[0-9]*)([a-z][a-z0-9_]*(?:\.[a-zA-Z0-9_]+)+)(?:\[([^\]]*)\])?(?=$|[\s=<>!)\[,:])/g;

interface Reference {
  readonly file: string;
  readonly item: string;
  readonly text: string;
  readonly name: string;
  readonly arg: string | undefined;
}

function fieldTokens(text: string): { name: string; arg: string | undefined }[] {
  const out: { name: string; arg: string | undefined }[] = [];
  for (const m of text.matchAll(FIELD_TOKEN)) {
    const name = m[1] ?? "";
    if (!allPrefixes.has(name.split(".")[0] ?? "")) continue;
    let arg = m[2];
    if (arg !== undefined && /^(".*"|'.*')$/.test(arg)) arg = arg.slice(1, -1);
    out.push({ name, arg });
  }
  return out;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

type Item = Record<string, unknown>;

function itemsOf(path: string): Item[] {
  const items: Item[] = [];
  for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
    if (doc.errors.length > 0) continue; // files that test YAML errors
    const js: unknown = doc.toJS();
    if (!Array.isArray(js)) continue;
    for (const it of js)
      if (it !== null && typeof it === "object" && !Array.isArray(it)) items.push(it as Item);
  }
  return items;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** The syscall-source field references of one rules file. */
function syscallReferences(root: string, path: string): Reference[] {
  const file = relative(root, path);
  const items = itemsOf(path);
  // Macros carry no source of their own; those of a file whose rules all share a source belong to it.
  const ruleSources = new Set(items.filter((i) => "rule" in i).map((i) => str(i.source) ?? "syscall"));
  const fileSource = ruleSources.size === 1 ? [...ruleSources][0] : "syscall";
  const refs: Reference[] = [];
  for (const it of items) {
    const kind = "rule" in it ? "rule" : "macro" in it ? "macro" : undefined;
    if (kind === undefined) continue;
    const source = str(it.source) ?? (kind === "rule" ? "syscall" : fileSource);
    if (source !== "syscall") continue;
    const item = `${kind} '${String(it[kind])}'`;
    const texts: [string, boolean][] = [];
    const cond = str(it.condition);
    if (cond) texts.push([cond, false]);
    const output = str(it.output);
    if (output) texts.push([output, true]);
    for (const [text, isOutput] of texts) {
      for (const { name, arg } of fieldTokens(text)) {
        if (!syscallPrefixes.has(name.split(".")[0] ?? "")) continue;
        if (isOutput && OUTPUT_PLACEHOLDERS.has(name)) continue;
        refs.push({ file, item, text, name, arg });
      }
    }
    const exceptions = Array.isArray(it.exceptions) ? (it.exceptions as unknown[]) : [];
    for (const ex of exceptions) {
      if (ex === null || typeof ex !== "object") continue;
      const fields = (ex as Item).fields;
      const names = typeof fields === "string" ? [fields] : Array.isArray(fields) ? fields : [];
      for (const n of names)
        if (typeof n === "string") refs.push({ file, item, text: n, name: n, arg: undefined });
    }
  }
  return refs;
}

test("the token scanner takes fields, not values", () => {
  const table: [string, string[]][] = [
    ["proc.name=cat and fd.name startswith /etc/x.conf", ["proc.name", "fd.name"]],
    ["container.image.repository in (k8s.gcr.io/pause, docker.io/x)", ["container.image.repository"]],
    ["(proc.aname[2]=sh or proc.env['HOME'] = /root)", ["proc.aname[2]", "proc.env[HOME]"]],
    [
      "file=%fd.name user=%user.name %10proc.pid image=%container.image.repository:%container.image.tag",
      ["fd.name", "user.name", "proc.pid", "container.image.repository", "container.image.tag"],
    ],
    ["evt.arg.flags contains O_CREAT and ka.verb=create", ["evt.arg.flags", "ka.verb"]],
    ["fd.name endswith .log and not node.js", ["fd.name"]],
  ];
  for (const [text, want] of table) {
    const got = fieldTokens(text).map((t) => (t.arg === undefined ? t.name : `${t.name}[${t.arg}]`));
    assert.deepEqual(got, want, text);
  }
});

test("every syscall field referenced by the corpus rules resolves", () => {
  requireCorpus();
  const root = corpusPath("rules");
  const files = yamlFiles(root).sort();
  const skipped = files.filter((f) => DELIBERATELY_UNKNOWN.has(relative(root, f)));
  assert.equal(skipped.length, DELIBERATELY_UNKNOWN.size, "a skipped file is missing from the corpus");

  const refs = files.filter((f) => !skipped.includes(f)).flatMap((f) => syscallReferences(root, f));
  const failures: string[] = [];
  const distinct = new Set<string>();
  for (const r of refs) {
    const res = syscallSchema.catalogue.resolve(r.name, r.arg);
    const shown = r.arg === undefined ? r.name : `${r.name}[${r.arg}]`;
    distinct.add(shown);
    if (!res.ok) failures.push(`${r.file}: ${r.item}: ${shown}: ${res.reason}: ${res.message}`);
  }
  console.log(
    `corpus fields: ${files.length} files (${skipped.length} skipped), ${refs.length} syscall references, ${distinct.size} distinct, ${failures.length} unresolved`,
  );
  assert.deepEqual(failures, []);
  assert.ok(refs.length > 1000, `only ${refs.length} references found: is the scanner broken?`);
});

test("the deliberately unknown fields are indeed unknown", () => {
  requireCorpus();
  const root = corpusPath("rules");
  const unresolved = [...DELIBERATELY_UNKNOWN]
    .filter((f) => f.includes("skip_unknown") || f.includes("item_unknown_fields"))
    .flatMap((f) => syscallReferences(root, join(root, f)))
    .filter((r) => !syscallSchema.catalogue.resolve(r.name, r.arg).ok)
    .map((r) => r.name);
  assert.ok(unresolved.includes("proc.nobody"));
  assert.ok(unresolved.includes("not.exist"));
});
