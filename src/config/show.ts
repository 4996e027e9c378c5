// Printing a configuration: the effective one (falco.yaml's shape, defaults filled in) as YAML or JSON,
// or the merged tree as read (before typing and defaults), optionally with the file:line each top-level
// key came from. For `saker config show` and, later, `--support` dumps.
import { Document, isMap, isScalar, stringify } from "yaml";
import type { CNode } from "./tree.js";
import { parseYamlCppFloat, parseYamlCppInt } from "./tree.js";

/** The merged tree as plain values. Scalars stay text, except those that read the same as a YAML
 *  number or boolean for both Saker and Falco (so `8765` prints bare, `0777` and `yes` stay text). */
export function rawToPlain(node: CNode): unknown {
  switch (node.kind) {
    case "scalar": {
      if (node.isNull) return null;
      const t = node.text;
      if (t === "true" || t === "false") return t === "true";
      const asInt = parseYamlCppInt(t);
      if (asInt !== undefined && /^[-+]?[1-9][0-9]*$|^0$/.test(t)) return asInt;
      const asFloat = parseYamlCppFloat(t);
      if (asInt === undefined && asFloat !== undefined && String(asFloat) === t) return asFloat;
      return t;
    }
    case "seq":
      return node.items.map(rawToPlain);
    case "map": {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) if (!(e.key in out)) out[e.key] = rawToPlain(e.value);
      return out;
    }
  }
}

/** The merged tree as YAML; with `origins`, each top-level key is preceded by `# file:line`. */
export function rawConfigYaml(root: CNode, origins = false): string {
  const doc = new Document(rawToPlain(root));
  if (origins && root.kind === "map" && isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const key = pair.key;
      if (!isScalar(key)) continue;
      const entry = root.entries.find((e) => e.key === String(key.value));
      if (entry) key.commentBefore = ` ${entry.keyLoc.file}:${entry.keyLoc.line}`;
    }
  }
  return doc.toString({ lineWidth: 0 });
}

/** The merged tree as JSON (scalars as in rawToPlain). */
export function rawConfigJson(root: CNode): string {
  return JSON.stringify(rawToPlain(root), null, 2) + "\n";
}

export function effectiveConfigYaml(effective: Readonly<Record<string, unknown>>): string {
  return stringify(effective, { lineWidth: 0 });
}

export function effectiveConfigJson(effective: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(effective, null, 2) + "\n";
}
