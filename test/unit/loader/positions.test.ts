// Offsets inside YAML scalar values mapped back to the file: plain, quoted and block scalars.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { isScalar, parseAllDocuments, visit } from "yaml";
import type { Scalar } from "yaml";
import { MappedText, scalarOffsetMap, SourceFile } from "../../../src/rules/loader/positions.js";
import { corpusPath } from "../../support/paths.js";

function firstValue(src: string): Scalar {
  const doc = parseAllDocuments(src, { schema: "failsafe" })[0];
  let found: Scalar | undefined;
  visit(doc, {
    Pair(_k, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (isScalar(pair.value) && (found === undefined || key === "condition")) found = pair.value as Scalar;
    },
  });
  return found!;
}

/** For each needle, the file text at the mapped offset of its first occurrence in the value. */
function mappedAt(src: string, needles: string[]): string[] {
  const node = firstValue(src);
  const { offsets, exact } = scalarOffsetMap(src, node);
  assert.ok(exact, `not exact: ${JSON.stringify(src)}`);
  const value = String(node.value);
  return needles.map((n) => {
    const i = value.indexOf(n);
    assert.ok(i >= 0, `${n} not in ${JSON.stringify(value)}`);
    return src.slice(offsets[i], offsets[i] + n.length);
  });
}

test("positions: each scalar style maps value offsets to the file", () => {
  const table: [string, string[]][] = [
    ["a: evt.type=open and proc.name=cat\n", ["proc.name"]],
    ["a: evt.type=open and\n  proc.name=cat\n\n  and fd.name=x\n", ["proc.name", "fd.name"]],
    ["a: >\n  evt.type=open and\n  proc.name=cat\n", ["evt.type", "proc.name"]],
    ["a: >-\n    first line\n      more indented\n    last\n", ["more", "last"]],
    ["a: |\n  one\n\n  two\n\n\n", ["one", "two"]],
    ["a: |+\n  keep\n\n", ["keep"]],
    ['a: "x \\"quoted\\" and \\t tab\n  folded"\n', ["quoted", "tab", "folded"]],
    ["a: 'it''s\n\n  here'\n", ["s", "here"]],
    ["- rule: r\n  condition: >\n    (a and\n     b)\n    or c\n", ["b)", "or c"]],
  ];
  for (const [src, needles] of table) assert.deepEqual(mappedAt(src, needles), needles, src);
});

test("positions: every scalar of every corpus rules file maps exactly", () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".yaml")) files.push(p);
    }
  };
  walk(corpusPath("rules"));
  let scalars = 0;
  for (const f of files) {
    const src = readFileSync(f, "utf8");
    for (const doc of parseAllDocuments(src, { schema: "failsafe", uniqueKeys: false })) {
      visit(doc, {
        Scalar(_k, node) {
          scalars++;
          assert.ok(scalarOffsetMap(src, node).exact, `${f}: ${JSON.stringify(node.value)}`);
        },
      });
    }
  }
  assert.ok(scalars > 10000, `only ${scalars} scalars`);
});

test("positions: mapped text concatenation and lookup", () => {
  const file = new SourceFile("f.yaml", "abc\ndef\n");
  const src = (start: number) => ({ file, frames: [], offsetAt: (i: number) => start + i });
  const t = MappedText.concat(["(", MappedText.of("abc", src(0)), ") and ", MappedText.of("def", src(4))]);
  assert.equal(t.text, "(abc) and def");
  assert.equal(t.locate(2)?.fileOffset, 1);
  assert.equal(t.locate(11)?.fileOffset, 5);
  // Loader-written text resolves to the next written piece.
  assert.equal(t.locate(0)?.fileOffset, 0);
  assert.equal(t.locate(6)?.fileOffset, 4);
  assert.deepEqual(file.location(5), { file: "f.yaml", line: 2, column: 2, offset: 5 });
});
