// What the rules loader takes from a configuration: `append_output` and `static_fields`, read the same
// way by `saker run` (live or engine.kind=replay), `saker replay` and the agent's reloads.
//
// Falco (configure_output_format) turns each append_output entry, in order, into: its extra_output
// format, then (suggested_output) the formats of the fields its sources suggest, then its extra_fields,
// each matched against rules by source, all tags and rule name. The only suggested fields Saker has are
// the static ones (libsinsp marks every static field EPF_FORMAT_SUGGESTED), present in every source.
import type { AppendOutputEntry, SakerConfig } from "../../config/types.js";
import { suggestedStaticFormats, type StaticFields } from "../../fields/static.js";
import type { ExtraOutputField, ExtraOutputFormat } from "./compiler.js";
import type { RulesConfig } from "./load.js";

/** The RulesConfig of a configuration (every field set). */
export function rulesConfigFromConfig(config: SakerConfig): Required<RulesConfig> {
  const staticFields: Record<string, string> = {};
  // Falco reads the map as strings whatever the YAML scalar was.
  for (const [name, value] of Object.entries(config.staticFields)) staticFields[name] = String(value);
  const suggested = suggestedStaticFormats(staticFields);
  const extraOutput: ExtraOutputFormat[] = [];
  const extraFields: ExtraOutputField[] = [];
  for (const entry of config.appendOutput) {
    const match = matchOf(entry);
    if (entry.extraOutput !== "") extraOutput.push({ format: entry.extraOutput, ...match });
    if (entry.suggestedOutput) for (const format of suggested) extraOutput.push({ format, ...match });
    for (const [key, format] of Object.entries(entry.formattedFields)) {
      extraFields.push({ key, format, raw: false, ...match });
    }
    for (const key of entry.rawFields) extraFields.push({ key, format: "%" + key, raw: true, ...match });
  }
  return { extraOutput, extraFields, staticFields: staticFields as StaticFields };
}

function matchOf(entry: AppendOutputEntry): {
  source: string | undefined;
  tags: readonly string[] | undefined;
  rule: string | undefined;
} {
  return {
    source: entry.match.source,
    tags: entry.match.tags.length > 0 ? entry.match.tags : undefined,
    rule: entry.match.rule,
  };
}
