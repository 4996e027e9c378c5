import { test } from "node:test";
import assert from "node:assert/strict";
import type { SourceSchema } from "../../../src/engine/source.js";
import { createCatalogue } from "../../../src/fields/catalogue.js";
import { pluginField, sinspField } from "../../../src/fields/define.js";
import { formatFieldsText, listEntries, wrapRightBlock } from "../../../src/fields/listing.js";
import type { FieldClass } from "../../../src/fields/types.js";

const shared: FieldClass = {
  name: "evt",
  shortDescription: "All event types",
  description: "Shared by both sources.",
  fields: [sinspField("evt.num", "UINT64", "Number.")],
};

function schema(name: string, classes: FieldClass[]): SourceSchema {
  return { name, catalogue: createCatalogue(name, classes), eventTypeNames: undefined };
}

const a = schema("a", [
  shared,
  {
    name: "thing",
    description: "",
    fields: [
      pluginField("thing.list", "CHARBUF", "A list.", { list: true, arg: "index_or_key", argRequired: true }),
      sinspField("thing.old", "CHARBUF", "Old.", { deprecated: true }),
      sinspField("thing.secret", "CHARBUF", "Hidden.", { hidden: true }),
    ],
  },
  {
    name: "ghost",
    description: "Only hidden fields.",
    fields: [sinspField("ghost.x", "INT64", "", { hidden: true })],
  },
]);
const b = schema("b", [shared]);

test("a class shared by two sources is printed once, naming both", () => {
  const text = formatFieldsText([a, b], { all: false });
  assert.equal(text.match(/Field Class: +evt/g)?.length, 1);
  assert.match(text, /^Event Sources: +a b$/m);
  assert.match(
    text,
    /^thing\.list +\(Type: CHARBUF\) \(ARG_INDEX,ARG_KEY,ARG_REQUIRED,EPF_IS_LIST\) A list\.$/m,
  );
  // Hidden/deprecated fields, and classes left empty without them, only with --all.
  assert.doesNotMatch(text, /thing\.old|thing\.secret|ghost/);
  const all = formatFieldsText([a, b], { all: true });
  assert.match(all, /^thing\.old +\(Type: CHARBUF\) \(EPF_DEPRECATED\) Old\.$/m);
  assert.match(all, /Field Class: +ghost/);
});

test("json entries carry source and class", () => {
  const entries = listEntries([a, b], { all: false });
  assert.deepEqual(
    entries.map((e) => `${e.source}:${e.class}:${e.name}:${e.arg}`),
    ["a:evt:evt.num:none", "a:thing:thing.list:index_or_key", "b:evt:evt.num:none"],
  );
});

test("descriptions wrap at 120 columns into the right-hand block", () => {
  const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
  const lines = wrapRightBlock(words).split("\n");
  assert.ok(lines.length > 1);
  assert.ok(lines.every((l, i) => (i === 0 ? l.length : l.length - 30) <= 90));
  assert.ok(lines.slice(1).every((l) => l.startsWith(" ".repeat(30)) && l[30] !== " "));
  assert.equal(wrapRightBlock("short  text"), "short text");
});
