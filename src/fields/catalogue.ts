// Resolving the text of a field reference (`proc.aname[2]`, `evt.arg.flags`, `fd.name`) to a field of
// one source, with libsinsp's lookup rules:
//
// 1. Classes are tried in order; the first class having some field whose name is a prefix of the
//    text (character-wise, not per dotted segment) decides, and within it the longest such name wins.
//    A later class is never consulted, even if the first one then rejects the rest of the text.
// 2. What follows the matched name must be nothing, a dotted argument (`.flags`) or, coming
//    separately from the parser, a bracket argument; both at once is never valid.
// 3. The field's argument grammar (src/fields/args.ts) accepts the argument or says how it fails.
//
// This runs once per field reference at load time. The common case, an exact name that no earlier
// class shadows, is one map lookup; otherwise we try only prefix lengths that some field name has.
import { pluginArg } from "./args.js";
import type { FieldArgForm, FieldCatalogue, FieldClass, FieldInfo, ResolveResult } from "./types.js";

interface Entry {
  readonly info: FieldInfo;
  readonly classIndex: number;
  /** Some field of an earlier class is a strict prefix of this name, so rule 1 picks that one. */
  readonly shadowed: boolean;
}

export class CatalogueError extends Error {
  readonly code = "SAKER_FIELD_CATALOGUE";
}

export function createCatalogue(source: string, classes: readonly FieldClass[]): FieldCatalogue {
  const byName = new Map<string, { info: FieldInfo; classIndex: number }>();
  classes.forEach((cls, classIndex) => {
    for (const info of cls.fields) {
      const prev = byName.get(info.name);
      // A table mistake, not user input: fail loudly when the catalogue is built.
      if (prev) throw new CatalogueError(`field '${info.name}' is defined twice in source '${source}'`);
      byName.set(info.name, { info, classIndex });
    }
  });

  // Distinct name lengths, longest first: the only prefix lengths worth looking up.
  const lengths = [...new Set([...byName.keys()].map((n) => n.length))].sort((a, b) => b - a);

  const entries = new Map<string, Entry>();
  for (const [name, e] of byName) {
    let shadowed = false;
    for (const len of lengths) {
      if (len >= name.length) continue;
      const p = byName.get(name.slice(0, len));
      if (p && p.classIndex < e.classIndex) shadowed = true;
    }
    entries.set(name, { ...e, shadowed });
  }

  function match(text: string): Entry | undefined {
    const exact = entries.get(text);
    if (exact && !exact.shadowed) return exact;
    let best: Entry | undefined;
    for (const len of lengths) {
      if (len > text.length) continue;
      const e = entries.get(text.slice(0, len));
      // Longest first, so the first hit of each class is that class's longest match.
      if (e && (best === undefined || e.classIndex < best.classIndex)) {
        best = e;
        if (e.classIndex === 0) break;
      }
    }
    return best;
  }

  function resolve(name: string, arg: string | undefined): ResolveResult {
    let text = name;
    let bracket = arg;
    // Accept the joined form too (`proc.aname[2]`), which is how libsinsp itself re-reads a field.
    if (bracket === undefined) {
      const open = name.indexOf("[");
      if (open >= 0) {
        if (!name.endsWith("]") || name.indexOf("]") !== name.length - 1) {
          return { ok: false, reason: "bad_argument", message: `unbalanced brackets in '${name}'` };
        }
        text = name.slice(0, open);
        bracket = name.slice(open + 1, -1);
      }
    }

    const entry = match(text);
    if (!entry) return { ok: false, reason: "unknown", message: `unknown field '${name}'` };
    const { info } = entry;
    const rest = text.slice(info.name.length);

    let form: FieldArgForm;
    if (rest === "") {
      form = bracket === undefined ? { kind: "none" } : { kind: "bracket", text: bracket };
    } else if (rest.length > 1 && rest.startsWith(".") && bracket === undefined) {
      form = { kind: "dotted", text: rest.slice(1) };
    } else {
      const shown = bracket === undefined ? text : `${text}[${bracket}]`;
      return { ok: false, reason: "unknown", message: `unknown field '${shown}'` };
    }

    const check = (info.parseArg ?? pluginArg)(form, info);
    if (!check.ok) return check;
    return { ok: true, field: { info, arg: check.arg } };
  }

  return { source, classes, resolve };
}
