// The schemas of the event sources Saker knows, by name: what `saker fields` lists and what the rules
// loader validates each rule against (by its `source:` key). The built-in sources register here; their
// schema modules import nothing from this one, so there is no import cycle.
import type { SourceSchema } from "../engine/source.js";
import { k8sAuditSchema } from "../k8saudit/schema.js";
import { syscallSchema } from "./syscall/schema.js";

const schemas = new Map<string, SourceSchema>();

export class SchemaRegistryError extends Error {
  readonly code = "SAKER_SCHEMA_CONFLICT";
}

/** Make a source known. Registering the same schema again is harmless; another one by the same name is not. */
export function registerSchema(schema: SourceSchema): void {
  const known = schemas.get(schema.name);
  if (known !== undefined && known !== schema) {
    throw new SchemaRegistryError(`a different schema for source '${schema.name}' is already registered`);
  }
  schemas.set(schema.name, schema);
}

export function schemaFor(source: string): SourceSchema | undefined {
  return schemas.get(source);
}

/** Names of the known sources, sorted. */
export function knownSources(): string[] {
  return [...schemas.keys()].sort();
}

registerSchema(syscallSchema);
registerSchema(k8sAuditSchema);
