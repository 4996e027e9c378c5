// Compact constructors for field tables, so each class module reads as a table of facts (name, type,
// description, and only the flags that differ from the common case) rather than as object literals.
import { noArg } from "./args.js";
import type { FieldArgKind, FieldArgParser, FieldInfo, FieldType } from "./types.js";

export interface FieldFlags {
  /** Yields a list of values. */
  readonly list?: boolean;
  readonly arg?: FieldArgKind;
  readonly argRequired?: boolean;
  readonly dottedArg?: boolean;
  /** Left out of `saker fields` unless --all (libsinsp EPF_TABLE_ONLY, EPF_PRINT_ONLY, hidden classes). */
  readonly hidden?: boolean;
  readonly deprecated?: boolean;
  readonly filterOnly?: boolean;
  readonly parseArg?: FieldArgParser;
}

function build(name: string, type: FieldType, description: string, flags: FieldFlags): FieldInfo {
  // Every property set here, in one order, so all FieldInfo objects share one shape.
  return {
    name,
    type,
    isList: flags.list ?? false,
    argKind: flags.arg ?? "none",
    argRequired: flags.argRequired ?? false,
    dottedArg: flags.dottedArg ?? false,
    description,
    hidden: flags.hidden ?? false,
    deprecated: flags.deprecated ?? false,
    filterOnly: flags.filterOnly ?? false,
    parseArg: flags.parseArg,
  };
}

/**
 * A field built into libsinsp. Without an explicit grammar it takes no argument, and any suffix
 * makes it an unknown name, as libsinsp's prefix matcher has it.
 */
export function sinspField(
  name: string,
  type: FieldType,
  description: string,
  flags: FieldFlags = {},
): FieldInfo {
  return build(name, type, description, { ...flags, parseArg: flags.parseArg ?? noArg });
}

/** A field provided by a plugin: its argument follows the plugin grammar (src/fields/args.ts). */
export function pluginField(
  name: string,
  type: FieldType,
  description: string,
  flags: FieldFlags = {},
): FieldInfo {
  return build(name, type, description, flags);
}
