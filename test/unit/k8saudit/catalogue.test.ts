// The k8s_audit catalogue: it resolves every ka.*/jevt.*/json.* field the corpus k8s audit rules name,
// checks arguments as libsinsp does for plugin fields, and has an extractor for each of its fields.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { extractableFields } from "../../../src/k8saudit/extract.js";
import { k8sAuditSchema } from "../../../src/k8saudit/schema.js";
import { k8sAuditSource } from "../../../src/k8saudit/source.js";
import { corpusPath, requireCorpus } from "../../support/paths.js";

const catalogue = k8sAuditSchema.catalogue;

test("schema identity", () => {
  assert.equal(k8sAuditSchema.name, "k8s_audit");
  assert.equal(k8sAuditSchema.eventTypeNames, undefined);
  assert.equal(catalogue.source, "k8s_audit");
  assert.deepEqual(
    catalogue.classes.map((c) => c.name),
    ["evt", "k8saudit", "json", "jevt"],
  );
  assert.equal(k8sAuditSource.catalogue, catalogue);
});

test("every catalogue field has an extractor, and every extractor a catalogue field", () => {
  const inCatalogue = catalogue.classes.flatMap((c) => c.fields.map((f) => f.name)).sort();
  const extractable = [...extractableFields()].sort();
  assert.deepEqual(extractable, inCatalogue);
  // ka.*: strings only, as the plugin declares them
  for (const f of catalogue.classes.find((c) => c.name === "k8saudit")?.fields ?? []) {
    assert.equal(f.type, "CHARBUF", f.name);
    assert.ok(f.description.length > 10, f.name);
  }
  const kaCount = inCatalogue.filter((n) => n.startsWith("ka.")).length;
  console.log(`# k8s_audit catalogue: ${inCatalogue.length} fields, ${kaCount} ka.*`);
});

test("field declarations: lists and arguments", () => {
  const info = (name: string) => {
    const r = catalogue.resolve(name, undefined);
    assert.ok(r.ok, name);
    return r.field.info;
  };
  const rows: [string, boolean, string, boolean][] = [
    // name, isList, argKind, argRequired
    ["ka.user.groups", true, "none", false],
    ["ka.user.name", false, "none", false],
    ["ka.req.pod.containers.image", true, "index", false],
    ["ka.req.pod.volumes.hostpath", true, "index", false],
    ["ka.req.volume.hostpath[/etc]", false, "key", true],
    ["ka.uri.param[x]", false, "key", true],
    ["ka.req.binding.subjects", true, "none", false],
    ["ka.req.role.rules.verbs", true, "index", false],
    ["ka.sourceips", true, "index", false],
    ["ka.req.pod.initContainers.host_port", true, "index", false],
    ["json.value[/a]", false, "key", true],
    ["jevt.value[/a]", false, "key", true],
    ["jevt.obj", false, "none", false],
  ];
  for (const [name, isList, argKind, argRequired] of rows) {
    const f = info(name);
    assert.deepEqual([f.isList, f.argKind, f.argRequired], [isList, argKind, argRequired], name);
  }
});

test("resolution and argument errors", () => {
  const rows: [string, string][] = [
    // reference, expected: resolved field name and argument, or the failure reason
    ["ka.req.pod.containers.image", "ka.req.pod.containers.image"],
    ["ka.req.pod.containers.image.repository", "ka.req.pod.containers.image.repository"],
    ["ka.req.pod.containers.image[0]", "ka.req.pod.containers.image[0]"],
    ["ka.req.pod.containers.image.repository[12]", "ka.req.pod.containers.image.repository[12]"],
    ["jevt.time", "jevt.time"],
    ["jevt.time.iso8601", "jevt.time.iso8601"],
    ["jevt.value[/requestObject/spec/tls]", "jevt.value[/requestObject/spec/tls]"],
    ["jevt.value[/a~1~0b]", "jevt.value[/a~1~0b]"],
    ["evt.time", "evt.time"],
    ["ka.req.pod.containers.image[01]", "bad_argument"],
    ["ka.req.pod.containers.image[x]", "bad_argument"],
    ["ka.req.pod.containers.image[-1]", "bad_argument"],
    ["ka.uri.param", "bad_argument"],
    ["ka.req.volume.hostpath", "bad_argument"],
    ["json.value", "bad_argument"],
    ["ka.user.name[0]", "bad_argument"],
    ["ka.nosuch", "unknown"],
    ["ka.user.names", "unknown"],
    ["json.nosuch", "unknown"],
    ["proc.name", "unknown"],
    ["evt.type", "unknown"],
  ];
  for (const [ref, expected] of rows) {
    const r = catalogue.resolve(ref, undefined);
    const got = r.ok ? r.field.info.name + (r.field.arg === undefined ? "" : `[${r.field.arg}]`) : r.reason;
    assert.equal(got, expected, ref);
  }
});

// --- references in the corpus k8s audit rules -------------------------------------------------------

const RULE_DIRS = [
  "rules/upstream/k8s_audit_rules.yaml",
  "rules/k8saudit-rules-0.6.0",
  "rules/k8saudit-rules-0.9.0",
  "rules/falco-tests/k8s_audit",
  "rules/testing-variants/k8s_audit",
];

// A k8s_audit field token: preceded by start, space, '(', ',' or '%' (with an optional width), with an
// optional bracket argument, and taken whole: not followed by a name character or by '.' and one
// (so `%ka.target.name/%ka.target.resource` and a sentence-ending `%ka.user.name.` both read right).
const FIELD_TOKEN =
  /(?<=^|[\s(,]|%[0-9]*)((?:ka|jevt|json)(?:\.[a-zA-Z0-9_]+)+)(?:\[([^\]]*)\])?(?![a-zA-Z0-9_])(?!\.[a-zA-Z0-9_])/g;

function yamlFiles(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .flatMap((f) => yamlFiles(join(path, f)))
    .filter((f) => f.endsWith(".yaml"));
}

interface Reference {
  readonly where: string;
  readonly name: string;
  readonly arg: string | undefined;
}

function references(file: string): Reference[] {
  const out: Reference[] = [];
  const rel = relative(corpusPath(), file);
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const items: unknown = doc.toJS();
    if (!Array.isArray(items)) continue;
    for (const item of items as Record<string, unknown>[]) {
      if (item === null || typeof item !== "object") continue;
      const label = String(item.rule ?? item.macro ?? item.list ?? "?");
      const texts: string[] = [];
      for (const key of ["condition", "output"])
        if (typeof item[key] === "string") texts.push(item[key] as string);
      if (Array.isArray(item.exceptions)) {
        for (const ex of item.exceptions as Record<string, unknown>[]) {
          const fields = ex?.fields;
          if (typeof fields === "string") texts.push(fields);
          else if (Array.isArray(fields)) texts.push(fields.join(" "));
        }
      }
      for (const text of texts) {
        for (const m of text.matchAll(FIELD_TOKEN)) {
          out.push({ where: `${rel}: ${label}`, name: m[1] ?? "", arg: m[2] });
        }
      }
    }
  }
  return out;
}

test("every ka.*/jevt.*/json.* field the corpus k8s audit rules reference resolves", () => {
  requireCorpus();
  const files = RULE_DIRS.flatMap((d) => yamlFiles(corpusPath(d)));
  const refs = files.flatMap(references);
  const failures: string[] = [];
  const distinct = new Set<string>();
  for (const ref of refs) {
    const r = catalogue.resolve(ref.name, ref.arg);
    const shown = ref.arg === undefined ? ref.name : `${ref.name}[${ref.arg}]`;
    distinct.add(shown);
    if (!r.ok) failures.push(`${ref.where}: ${shown}: ${r.message}`);
    else assert.doesNotThrow(() => k8sAuditSource.extractor(r.field), shown);
  }
  console.log(`# ${files.length} rules files, ${refs.length} field references, ${distinct.size} distinct`);
  assert.ok(refs.length > 1000, `only ${refs.length} references found: is the regex right?`);
  for (const needed of [
    "ka.req.pod.containers.image",
    "jevt.value[/requestObject/spec/volumes]",
    "ka.uri.param[command]",
  ]) {
    assert.ok(distinct.has(needed), `expected a reference to ${needed}`);
  }
  assert.deepEqual(failures, []);
});
