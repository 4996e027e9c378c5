// Schema validation with ajv 8: every error becomes SAKER_CONFIG_INVALID naming the key path and the
// file:line:col the value came from; defaults are filled in (ajv `useDefaults`) so the result is the
// effective configuration in falco.yaml's shape.
import { Ajv } from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { ConfigDiagnostic } from "./diagnostics.js";
import { configError } from "./diagnostics.js";
import type { Positions } from "./materialize.js";
import type { JsonSchema } from "./schema.js";
import { CONFIG_SCHEMA } from "./schema.js";
import { escapeKey } from "./tree.js";

/** Where Falco words an out-of-range value its own way, its text (users and scripts know it). */
const FALCO_RANGE_MESSAGES: Readonly<Record<string, string>> = {
  "/syscall_event_drops/threshold": "syscall event drops threshold must be a double in the range [0, 1]",
};

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv({
      allErrors: true,
      useDefaults: true,
      allowUnionTypes: true,
      verbose: true,
      strict: true,
    });
    compiled = ajv.compile(CONFIG_SCHEMA);
  }
  return compiled;
}

export interface Validated {
  /** The input with defaults filled in (a copy); meaningful only when there are no diagnostics. */
  readonly effective: Record<string, unknown>;
  readonly diagnostics: ConfigDiagnostic[];
}

export function validateConfig(value: Record<string, unknown>, positions: Positions): Validated {
  const effective = structuredClone(value);
  const validate = validator();
  if (validate(effective)) return { effective, diagnostics: [] };
  // A value of the wrong type gets that one error, not also the enum or range it then cannot meet.
  const errors = validate.errors ?? [];
  const wrongType = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  const diagnostics = errors
    .filter((e) => e.keyword === "type" || !wrongType.has(e.instancePath))
    .map((e) => toDiagnostic(e, positions));
  return { effective, diagnostics: dedupe(diagnostics) };
}

function pointerToPath(pointer: string): string {
  if (pointer === "") return "";
  let out = "";
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (/^[0-9]+$/.test(seg) && out !== "") out += `[${seg}]`;
    else out += (out === "" ? "" : ".") + escapeKey(seg);
  }
  return out;
}

function describeType(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  const words = types.map((t) =>
    t === "array"
      ? "a list"
      : t === "object"
        ? "a mapping"
        : t === "integer"
          ? "an integer"
          : `a ${String(t)}`,
  );
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

function show(value: unknown): string {
  return typeof value === "string" ? `'${value}'` : JSON.stringify(value);
}

function toDiagnostic(e: ErrorObject, positions: Positions): ConfigDiagnostic {
  const at = positions.get(e.instancePath);
  const path = at?.path ?? pointerToPath(e.instancePath);
  const parent = (e.parentSchema ?? {}) as JsonSchema;
  let message: string;
  switch (e.keyword) {
    case "type":
      message = `must be ${describeType(e.params.type)}, not ${show(e.data)}`;
      break;
    case "enum":
      message = `must be one of ${(e.params.allowedValues as unknown[]).map(show).join(", ")}, not ${show(e.data)}`;
      break;
    case "pattern":
      message = parent.examples
        ? `must be one of ${parent.examples.map(show).join(", ")} (any case), not ${show(e.data)}`
        : `must match ${String(e.params.pattern)}, not ${show(e.data)}`;
      break;
    case "minimum":
    case "maximum":
      message =
        FALCO_RANGE_MESSAGES[e.instancePath] !== undefined
          ? `${FALCO_RANGE_MESSAGES[e.instancePath]}, not ${show(e.data)}`
          : parent.minimum !== undefined && parent.maximum !== undefined
            ? `must be in the range [${parent.minimum}, ${parent.maximum}], not ${show(e.data)}`
            : `must be ${e.keyword === "minimum" ? ">=" : "<="} ${String(e.params.limit)}, not ${show(e.data)}`;
      break;
    case "required": {
      const missing = String(e.params.missingProperty);
      const full = path === "" ? missing : `${path}.${escapeKey(missing)}`;
      return configError("SAKER_CONFIG_INVALID", full, `'${missing}' is required here`, at?.loc);
    }
    case "minProperties":
      message = "must not be empty";
      break;
    case "maxProperties":
      message = `must have at most ${String(e.params.limit)} key(s)`;
      break;
    default:
      message = e.message ?? e.keyword;
  }
  return configError("SAKER_CONFIG_INVALID", path, message, at?.loc);
}

function dedupe(ds: ConfigDiagnostic[]): ConfigDiagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.path}\u0000${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
