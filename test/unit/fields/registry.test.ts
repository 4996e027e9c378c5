import { test } from "node:test";
import assert from "node:assert/strict";
import type { SourceSchema } from "../../../src/engine/source.js";
import { createCatalogue } from "../../../src/fields/catalogue.js";
import {
  knownSources,
  registerSchema,
  schemaFor,
  SchemaRegistryError,
} from "../../../src/fields/registry.js";
import { syscallSchema } from "../../../src/fields/syscall/schema.js";

test("the syscall source is registered, with its event type names", () => {
  assert.equal(schemaFor("syscall"), syscallSchema);
  assert.ok(knownSources().includes("syscall"));
  const names = syscallSchema.eventTypeNames;
  assert.ok(names !== undefined);
  for (const n of ["open", "openat", "execve", "procexit", "container", "switch", "madvise"]) {
    assert.ok(names.has(n), n);
  }
  assert.ok(!names.has("nosuchcall"));
  assert.equal(schemaFor("nosuchsource"), undefined);
});

test("registering is idempotent per schema and refuses a second schema of the same name", () => {
  const mine: SourceSchema = {
    name: "test_registry_source",
    catalogue: createCatalogue("test_registry_source", []),
    eventTypeNames: undefined,
  };
  registerSchema(mine);
  registerSchema(mine);
  assert.equal(schemaFor("test_registry_source"), mine);
  const other: SourceSchema = { ...mine };
  assert.throws(
    () => registerSchema(other),
    (e: unknown) => e instanceof SchemaRegistryError && e.code === "SAKER_SCHEMA_CONFLICT",
  );
  assert.deepEqual(knownSources(), [...knownSources()].sort());
});
