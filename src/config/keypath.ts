// Key paths, the left side of `-o key=value`, with Falco's grammar (yaml_helper::get_node):
//
//   Key      := NodeKey ('.' NodeKey)*
//   NodeKey  := (Char | EscSeq)+ ('[' Index? ']')*
//   Char     := any character except '\', '.', '['
//   EscSeq   := '\' ('.' | '[' | ']' | '\')
//   Index    := [0-9]+            -- an empty index `[]` appends a new list entry
//
// `plugins[0].open_params`, `rules[].disable.tag`, `annotations.kubernetes\.io/role`, `m[1][3]`.
// Setting a path creates the mappings and lists it walks through when they are missing. Stricter than
// Falco in three places, each an error rather than a surprise: a trailing `.`, an index past the end of a
// list (yaml-cpp silently turns the list into a mapping), and walking into a scalar.
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { CNode } from "./tree.js";
import { escapeKey, getEntry, mapNode, seqNode, setValue } from "./tree.js";

export type KeySegment =
  | { readonly kind: "key"; readonly name: string }
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "append" };

export class KeyPathError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the key path text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

const ESCAPABLE = new Set([".", "[", "]", "\\"]);

export function parseKeyPath(text: string): KeySegment[] {
  const segments: KeySegment[] = [];
  let name = "";
  let nameStarted = false;
  let i = 0;
  const flushName = (at: number): void => {
    if (!nameStarted) throw new KeyPathError(`empty key name at position ${at}`, at);
    segments.push({ kind: "key", name });
    name = "";
    nameStarted = false;
  };
  if (text.length === 0) throw new KeyPathError("empty key", 0);
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") {
      const next = text[i + 1];
      if (next === undefined) throw new KeyPathError(`trailing backslash at position ${i}`, i);
      if (!ESCAPABLE.has(next))
        throw new KeyPathError(`invalid escape sequence '\\${next}' at position ${i}`, i);
      name += next;
      nameStarted = true;
      i += 2;
      continue;
    }
    if (c === ".") {
      flushName(i);
      if (i === text.length - 1) throw new KeyPathError(`key path ends with '.'`, i);
      i++;
      continue;
    }
    if (c === "[") {
      if (nameStarted) flushName(i);
      else if (segments.length === 0 || text[i - 1] !== "]")
        throw new KeyPathError(`'[' without a key at position ${i}`, i);
      const close = text.indexOf("]", i);
      if (close < 0) throw new KeyPathError(`missing ']' for '[' at position ${i}`, i);
      const inner = text.slice(i + 1, close);
      if (inner === "") segments.push({ kind: "append" });
      else if (/^[0-9]+$/.test(inner)) segments.push({ kind: "index", index: Number(inner) });
      else throw new KeyPathError(`expected a numeric index, found '${inner}'`, i + 1);
      i = close + 1;
      if (i < text.length) {
        if (text[i] === ".") {
          if (i === text.length - 1) throw new KeyPathError(`key path ends with '.'`, i);
          i++;
        } else if (text[i] !== "[") {
          throw new KeyPathError(`expected '.' or '[' at position ${i}`, i);
        }
      }
      continue;
    }
    name += c;
    nameStarted = true;
    i++;
  }
  if (nameStarted) segments.push({ kind: "key", name });
  return segments;
}

/** The canonical text of a path (keys escaped, indexes in brackets). */
export function formatKeyPath(segments: readonly KeySegment[]): string {
  let out = "";
  for (const s of segments) {
    if (s.kind === "key") out += (out === "" ? "" : ".") + escapeKey(s.name);
    else if (s.kind === "index") out += `[${s.index}]`;
    else out += "[]";
  }
  return out;
}

/** Set `value` at `segments` below `node` (which may be missing), creating what is missing; returns the
 *  node to store in place of `node`. Throws KeyPathError (offset -1) when the path cannot be walked. */
export function setAtPath(
  node: CNode | undefined,
  segments: readonly KeySegment[],
  value: CNode,
  loc: SourceLocation,
  depth = 0,
): CNode {
  if (depth === segments.length) return value;
  const seg = segments[depth];
  const here = formatKeyPath(segments.slice(0, depth)) || "<root>";
  const empty = node === undefined || (node.kind === "scalar" && node.isNull);
  if (seg.kind === "key") {
    if (!empty && node!.kind !== "map") {
      throw new KeyPathError(
        `'${here}' is a ${describe(node!)}, not a mapping: cannot set key '${seg.name}'`,
        -1,
      );
    }
    const map = empty ? mapNode(loc) : (node as Extract<CNode, { kind: "map" }>);
    const entry = getEntry(map, seg.name);
    const child = setAtPath(entry?.value, segments, value, loc, depth + 1);
    // The key that receives the value is now written by whoever set it; the keys above keep theirs.
    setValue(map, seg.name, depth === segments.length - 1 ? loc : (entry?.keyLoc ?? loc), child);
    return map;
  }
  if (!empty && node!.kind !== "seq") {
    throw new KeyPathError(`'${here}' is a ${describe(node!)}, not a list: cannot index it`, -1);
  }
  const seq = empty ? seqNode(loc) : (node as Extract<CNode, { kind: "seq" }>);
  const index = seg.kind === "append" ? seq.items.length : seg.index;
  if (index > seq.items.length) {
    throw new KeyPathError(`index ${index} is past the end of '${here}' (${seq.items.length} entries)`, -1);
  }
  const child = setAtPath(seq.items[index], segments, value, loc, depth + 1);
  if (index === seq.items.length) seq.items.push(child);
  else seq.items[index] = child;
  return seq;
}

function describe(node: CNode): string {
  return node.kind === "scalar" ? "scalar" : node.kind === "seq" ? "list" : "mapping";
}
