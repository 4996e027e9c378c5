// What `saker fields` prints: the classes of one or more sources, as text laid out like `falco --list`
// (class header, then one field per line with its description wrapped in a right-hand block) or as
// JSON records. Pure functions over schemas, so tests need no process.
import type { SourceSchema } from "../engine/source.js";
import type { FieldArgKind, FieldClass, FieldInfo, FieldType } from "./types.js";

export interface ListOptions {
  /** Include hidden and deprecated fields (and classes with only hidden fields). */
  readonly all: boolean;
}

/** One field as `saker fields --json` prints it. */
export interface FieldListEntry {
  readonly source: string;
  readonly class: string;
  readonly name: string;
  readonly type: FieldType;
  readonly isList: boolean;
  readonly arg: FieldArgKind;
  readonly argRequired: boolean;
  readonly description: string;
  readonly deprecated: boolean;
  readonly hidden: boolean;
}

function shown(field: FieldInfo, opts: ListOptions): boolean {
  return opts.all || (!field.hidden && !field.deprecated);
}

export function listEntries(schemas: readonly SourceSchema[], opts: ListOptions): FieldListEntry[] {
  const out: FieldListEntry[] = [];
  for (const schema of schemas) {
    for (const cls of schema.catalogue.classes) {
      for (const f of cls.fields) {
        if (!shown(f, opts)) continue;
        out.push({
          source: schema.name,
          class: cls.name,
          name: f.name,
          type: f.type,
          isList: f.isList,
          arg: f.argKind,
          argRequired: f.argRequired,
          description: f.description,
          deprecated: f.deprecated,
          hidden: f.hidden,
        });
      }
    }
  }
  return out;
}

// Falco's layout: labels and names in a 30-column left block, text wrapped to 120 columns.
const RIGHT_BLOCK = 30;
const WIDTH = 120;

/** Greedy word wrap of `text` into the right-hand block; continuation lines are indented. */
export function wrapRightBlock(text: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > WIDTH - RIGHT_BLOCK) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(RIGHT_BLOCK)}`);
}

function label(text: string): string {
  return text.length >= RIGHT_BLOCK ? `${text}\n${" ".repeat(RIGHT_BLOCK)}` : text.padEnd(RIGHT_BLOCK);
}

/** Falco's tag names, so the listing reads like `falco --list -v`. */
function tags(f: FieldInfo): string[] {
  const t: string[] = [];
  if (f.filterOnly) t.push("FILTER_ONLY");
  if (f.hidden) t.push("EPF_TABLE_ONLY");
  if (f.deprecated) t.push("EPF_DEPRECATED");
  if (f.isList) t.push("EPF_IS_LIST");
  if (f.argKind !== "none") {
    t.push(f.argRequired ? "ARG_REQUIRED" : "ARG_ALLOWED");
    if (f.argKind === "index" || f.argKind === "index_or_key") t.push("ARG_INDEX");
    if (f.argKind === "key" || f.argKind === "index_or_key") t.push("ARG_KEY");
  }
  return t.sort();
}

function formatClass(cls: FieldClass, sources: readonly string[], opts: ListOptions): string | undefined {
  const fields = cls.fields.filter((f) => shown(f, opts));
  if (fields.length === 0) return undefined;
  const out: string[] = ["-------------------------------"];
  out.push(label("Field Class:") + cls.name + (cls.shortDescription ? ` (${cls.shortDescription})` : ""));
  if (cls.description !== "") out.push(label("Description:") + wrapRightBlock(cls.description));
  out.push(label("Event Sources:") + sources.join(" "));
  out.push("");
  for (const f of fields) {
    const t = tags(f);
    const desc = `(Type: ${f.type})${t.length > 0 ? ` (${t.join(",")})` : ""} ${f.description}`;
    out.push(label(f.name) + wrapRightBlock(desc));
  }
  return out.join("\n") + "\n";
}

/**
 * The text listing. A class shared by several sources (the generic evt class) is printed once, with
 * all its sources, at its first appearance.
 */
export function formatFieldsText(schemas: readonly SourceSchema[], opts: ListOptions): string {
  const sourcesOf = new Map<FieldClass, string[]>();
  const order: FieldClass[] = [];
  for (const schema of schemas) {
    for (const cls of schema.catalogue.classes) {
      const s = sourcesOf.get(cls);
      if (s) {
        s.push(schema.name);
      } else {
        sourcesOf.set(cls, [schema.name]);
        order.push(cls);
      }
    }
  }
  const blocks: string[] = [];
  for (const cls of order) {
    const block = formatClass(cls, sourcesOf.get(cls) ?? [], opts);
    if (block !== undefined) blocks.push(block);
  }
  return blocks.join("\n");
}
