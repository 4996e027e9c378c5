// Argument grammars of field references. libsinsp has no single rule: plugin fields take a bracket
// argument as their declaration says, while a handful of built-in fields parse their own (evt.arg
// takes `[N]` or `.name`, proc.aname only `[N]`, thread.cgroup only `.subsystem`). Each grammar also
// decides how a malformed argument fails, because Falco treats the two failures differently:
// "unknown" (libsinsp found no such field) lets `skip-if-unknown-filter` skip the rule, while
// "bad_argument" (libsinsp threw while parsing the argument) is always a load error.
import type { FieldArgCheck, FieldArgForm, FieldArgParser, FieldInfo } from "./types.js";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

// sscanf("%d%c") as libsinsp's number parsers use it: optional sign, digits, nothing after.
const SIGNED_DECIMAL = /^[+-]?[0-9]+$/;
// Plugin indexes: digits only, no leading zero (so "01" is not an index), as the plugin SDK contract says.
const PLUGIN_INDEX = /^(0|[1-9][0-9]*)$/;

function accept(arg: string | undefined): FieldArgCheck {
  return { ok: true, arg };
}

function unknown(field: FieldInfo, form: FieldArgForm): FieldArgCheck {
  return { ok: false, reason: "unknown", message: `unknown field '${written(field, form)}'` };
}

function bad(message: string): FieldArgCheck {
  return { ok: false, reason: "bad_argument", message };
}

/** The reference as the user wrote it, for messages. */
function written(field: FieldInfo, form: FieldArgForm): string {
  if (form.kind === "bracket") return `${field.name}[${form.text}]`;
  if (form.kind === "dotted") return `${field.name}.${form.text}`;
  return field.name;
}

function isInt32(text: string): boolean {
  if (!SIGNED_DECIMAL.test(text)) return false;
  const n = Number(text);
  return n >= INT32_MIN && n <= INT32_MAX;
}

function isInt64(text: string): boolean {
  if (!SIGNED_DECIMAL.test(text)) return false;
  const n = BigInt(text);
  return n >= INT64_MIN && n <= INT64_MAX;
}

function isUint64(text: string): boolean {
  return /^\+?[0-9]+$/.test(text) && BigInt(text) <= UINT64_MAX;
}

function isPluginIndex(text: string): boolean {
  return PLUGIN_INDEX.test(text) && BigInt(text) <= UINT64_MAX;
}

/**
 * The default: what libsinsp does for plugin-provided fields (container.*, k8s.*, ka.*, json.*).
 * Only brackets; an index-only field wants a plain non-negative number; a missing required
 * argument or an argument given to a field that takes none is a hard error. A field declared with
 * `dottedArg` also takes its key after a dot.
 */
export const pluginArg: FieldArgParser = (form, field) => {
  switch (form.kind) {
    case "none":
      return field.argRequired ? bad(`field '${field.name}' requires an argument`) : accept(undefined);
    case "bracket":
      if (field.argKind === "none") return bad(`field '${field.name}' takes no argument`);
      if (field.argKind === "index" && !isPluginIndex(form.text)) {
        return bad(`field '${field.name}' wants a non-negative number as index, not '${form.text}'`);
      }
      if (form.text === "" && field.argKind !== "index")
        return bad(`field '${field.name}' has an empty argument`);
      return accept(form.text);
    case "dotted":
      if (field.dottedArg && field.argKind !== "none") return accept(form.text);
      // libsinsp matched the field name as a prefix and then found no bracket.
      return field.argRequired ? bad(`field '${field.name}' requires an argument`) : unknown(field, form);
  }
};

/** A built-in field without arguments: any suffix makes the name one libsinsp does not know. */
export const noArg: FieldArgParser = (form, field) =>
  form.kind === "none" ? accept(undefined) : unknown(field, form);

/**
 * proc.aname, proc.apid, proc.args, ...: optional `[N]`. libsinsp swallows the parse error of a
 * bad index and then fails to match the whole name, so a bad index reads as an unknown field.
 */
export const ancestorIndexArg: FieldArgParser = (form, field) => {
  if (form.kind === "none") return accept(undefined);
  if (form.kind === "bracket" && isInt32(form.text)) return accept(form.text);
  return unknown(field, form);
};

/** fd.types: optional `[fd number]`; here a bad number is a hard error. */
export const fdNumberArg: FieldArgParser = (form, field) => {
  if (form.kind === "none") return accept(undefined);
  if (form.kind === "dotted") return unknown(field, form);
  return isInt64(form.text)
    ? accept(form.text)
    : bad(`'${form.text}' is not a valid number (field '${field.name}')`);
};

/**
 * proc.env, proc.aenv: optional `[NAME]` or `[N]` (all digits: an ancestor level for proc.aenv).
 * An empty bracket is the same as none.
 */
export const envArg: FieldArgParser = (form, field) => {
  if (form.kind === "none") return accept(undefined);
  if (form.kind === "dotted") return unknown(field, form);
  return accept(form.text === "" ? undefined : form.text);
};

/** evt.around: required `[timestamp]`, a filter-only field compared with `=`. */
export const aroundArg: FieldArgParser = (form, field) => {
  if (form.kind === "bracket") {
    return isUint64(form.text)
      ? accept(form.text)
      : bad(`'${form.text}' is not a valid timestamp (field '${field.name}')`);
  }
  return bad(`field '${field.name}' must be written ${field.name}[timestamp]`);
};

/** evt.abspath: alone, or `.src` / `.dst` for syscalls with two paths. Anything else: unknown. */
export const abspathArg: FieldArgParser = (form, field) => {
  if (form.kind === "none") return accept(undefined);
  if (form.kind === "dotted" && (form.text === "src" || form.text === "dst")) return accept(form.text);
  return unknown(field, form);
};

/** thread.cgroup: required `.subsystem` of letters and underscores (thread.cgroup.cpuacct). */
export const cgroupArg: FieldArgParser = (form, field) => {
  if (form.kind === "dotted") {
    // libsinsp stops the subsystem name at the first other character, leaving the rest unmatched.
    return /^[A-Za-z_]+$/.test(form.text) ? accept(form.text) : unknown(field, form);
  }
  return bad(`field '${field.name}' must be written ${field.name}.<subsystem>`);
};

/**
 * evt.arg, evt.rawarg: `.name` of an event parameter; evt.arg also `[N]`, the parameter's position.
 * `paramNames` holds every parameter name of the event table. A name libsinsp cannot find at all
 * is a hard error; one that merely starts with a parameter name is an unknown field.
 */
export function eventParamArg(paramNames: ReadonlySet<string>, allowIndex: boolean): FieldArgParser {
  return (form, field) => {
    switch (form.kind) {
      case "none":
        return bad(
          `field '${field.name}' requires an argument: ${field.name}.<name>${allowIndex ? " or [N]" : ""}`,
        );
      case "bracket":
        if (!allowIndex)
          return bad(`field '${field.name}' takes its argument after a dot: ${field.name}.<name>`);
        return isInt32(form.text)
          ? accept(form.text)
          : bad(`'${form.text}' is not a valid number (field '${field.name}')`);
      case "dotted":
        if (paramNames.has(form.text)) return accept(form.text);
        for (const p of paramNames) if (form.text.startsWith(p)) return unknown(field, form);
        return bad(`unknown event argument '${form.text}' (field '${field.name}')`);
    }
  };
}

/**
 * evt.type.is: required `.type`, an event name of the event table or an event number. An unknown
 * type leaves the name unmatched, so it reads as an unknown field.
 */
export function eventTypeArg(eventNames: ReadonlySet<string>): FieldArgParser {
  return (form, field) => {
    if (form.kind !== "dotted")
      return bad(`field '${field.name}' must be written ${field.name}.<event type>`);
    const numeric = /^[0-9]+$/.test(form.text) && Number(form.text) <= 0xffffffff;
    return numeric || eventNames.has(form.text) ? accept(form.text) : unknown(field, form);
  };
}
