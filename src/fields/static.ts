// Static fields: falco.yaml's `static_fields` (`foo: bar`) as fields `static.foo` of type CHARBUF whose
// value is the configured text for every event (libsinsp's sinsp_filter_check_static). Falco adds them
// to the filterchecks of every loaded source, after that source's own classes, so they work in
// conditions and outputs alike; they are marked "suggested", which makes `append_output`'s
// `suggested_output: true` (the default) append `static_foo=%static.foo` to every rule's output.
//
// The set of names comes from the configuration, so a source's schema is extended per run:
// schemaWithStaticFields for validating rules, sourceWithStaticFields for planning them. Both return
// their input unchanged when there are no static fields, and the extractor of a static field is a
// closure over a constant: nothing is read from the event.
import type { EventSource, Extractor, SourceSchema } from "../engine/source.js";
import { createCatalogue } from "./catalogue.js";
import { sinspField } from "./define.js";
import type { FieldClass, ResolvedField } from "./types.js";

export const STATIC_FIELD_PREFIX = "static.";

/** The configured static fields: name (without `static.`) -> value. */
export type StaticFields = Readonly<Record<string, string>>;

function names(fields: StaticFields): string[] {
  // libsinsp keeps them in a std::map: byte-wise order of the names.
  return Object.keys(fields).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The `static` field class for `fields`, or undefined when there are none (Falco adds no class then). */
export function staticFieldClass(fields: StaticFields): FieldClass | undefined {
  const keys = names(fields);
  if (keys.length === 0) return undefined;
  return {
    name: "static",
    description: "Static, user-defined filters",
    fields: keys.map((name) => sinspField(STATIC_FIELD_PREFIX + name, "CHARBUF", "")),
  };
}

/** `schema` with the static fields after its own classes; `schema` itself when there are none. */
export function schemaWithStaticFields(schema: SourceSchema, fields: StaticFields): SourceSchema {
  const cls = staticFieldClass(fields);
  if (cls === undefined) return schema;
  return {
    ...schema,
    catalogue: createCatalogue(schema.name, [...schema.catalogue.classes, cls]),
  };
}

/** `source` with the static fields (see schemaWithStaticFields); `source` itself when there are none. */
export function sourceWithStaticFields<E>(source: EventSource<E>, fields: StaticFields): EventSource<E> {
  const schema = schemaWithStaticFields(source, fields);
  if (schema === source) return source;
  return {
    ...source,
    catalogue: schema.catalogue,
    extractor(field: ResolvedField): Extractor<E> {
      const value = staticValue(field, fields);
      if (value === undefined) return source.extractor(field);
      return () => value;
    },
  };
}

/** The value of a static field, or undefined for any other field. */
function staticValue(field: ResolvedField, fields: StaticFields): string | undefined {
  const name = field.info.name;
  if (!name.startsWith(STATIC_FIELD_PREFIX)) return undefined;
  const key = name.slice(STATIC_FIELD_PREFIX.length);
  return Object.hasOwn(fields, key) ? fields[key] : undefined;
}

/**
 * The formats `suggested_output` appends for the static fields, in name order: Falco writes a suggested
 * field `foo.bar` as `foo_bar=%foo.bar`, so `static.foo` gives `static_foo=%static.foo`.
 */
export function suggestedStaticFormats(fields: StaticFields): string[] {
  return names(fields).map((name) => {
    const field = STATIC_FIELD_PREFIX + name;
    return field.replaceAll(".", "_") + "=%" + field;
  });
}

/** A schema lookup (by source name) that adds the static fields to every schema it returns, once each. */
export function schemaLookupWithStaticFields(
  lookup: (source: string) => SourceSchema | undefined,
  fields: StaticFields,
): (source: string) => SourceSchema | undefined {
  if (Object.keys(fields).length === 0) return lookup;
  const cache = new Map<string, SourceSchema | undefined>();
  return (source) => {
    if (cache.has(source)) return cache.get(source);
    const base = lookup(source);
    const schema = base === undefined ? undefined : schemaWithStaticFields(base, fields);
    cache.set(source, schema);
    return schema;
  };
}
