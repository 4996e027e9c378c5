// `saker fields [--source S] [--json] [--all]`: the fields rules can use, per event source, as
// `falco --list` shows them. Without --source, every known source.
import type { Command } from "commander";
import type { SourceSchema } from "../../engine/source.js";
import { formatFieldsText, listEntries } from "../../fields/listing.js";
import { knownSources, schemaFor } from "../../fields/registry.js";

interface FieldsOptions {
  readonly source?: string;
  readonly json?: boolean;
  readonly all?: boolean;
}

function selectSchemas(source: string | undefined): SourceSchema[] {
  const names = source === undefined ? knownSources() : [source];
  return names.map((name) => {
    const schema = schemaFor(name);
    if (schema === undefined) {
      throw new Error(`unknown event source '${name}' (known: ${knownSources().join(", ")})`);
    }
    return schema;
  });
}

export function registerFieldsCommand(program: Command): void {
  program
    .command("fields")
    .description("list the fields of an event source")
    .option("--source <name>", "only this event source (e.g. syscall, k8s_audit)")
    .option("--json", "print a JSON array of fields instead of text")
    .option("--all", "include hidden and deprecated fields")
    .action((opts: FieldsOptions) => {
      const schemas = selectSchemas(opts.source);
      const listOpts = { all: opts.all === true };
      const text = opts.json
        ? JSON.stringify(listEntries(schemas, listOpts), null, 2) + "\n"
        : formatFieldsText(schemas, listOpts);
      // `saker fields | head` closes the pipe early; that is the reader's choice, not an error.
      process.stdout.once("error", (err: NodeJS.ErrnoException) => {
        if (err.code !== "EPIPE") throw err;
      });
      process.stdout.write(text);
    });
}
