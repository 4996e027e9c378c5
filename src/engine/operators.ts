// Which operators apply to which field types, and how a constant is read for a type. Both are decided
// once, at plan time. The facts are libsinsp's: flt_is_comparable() in filter_compare.cpp for validity
// (with its messages), sinsp_filter_value_parser::string_to_rawval() in value_parser.cpp and
// sinsp_numparser in utils.cpp for constants. Notably numbers are decimal only (sscanf "%d"/"%u": "0x10"
// is not a valid number), may carry a sign and leading blanks, and are truncated to the field's width as
// a C cast would; DOUBLE constants are integers; bytes for bcontains/bstartswith are hex.
import {
  LIST_OPERATORS as LANGUAGE_LIST_OPERATORS,
  MODIFIABLE_OPERATORS as LANGUAGE_MODIFIABLE_OPERATORS,
} from "../rules/language/vocabulary.js";
import { readFileSync } from "node:fs";
import type { FieldType } from "../fields/types.js";
import type { BinaryOperator, OperatorModifier, UnaryOperator } from "../rules/language/ast.js";
import { Ip, parseIPv4, parseIPv6 } from "./ip.js";

export type CheckOperator = BinaryOperator | UnaryOperator;

/** How libsinsp groups types for comparison. "none": only `exists` applies. */
export type TypeFamily = "numeric" | "bool" | "string" | "buffer" | "ip" | "none";

export const TYPE_FAMILY: Readonly<Record<FieldType, TypeFamily>> = {
  INT8: "numeric",
  INT16: "numeric",
  INT32: "numeric",
  INT64: "numeric",
  UINT8: "numeric",
  UINT16: "numeric",
  UINT32: "numeric",
  UINT64: "numeric",
  ERRNO: "numeric",
  FD: "numeric",
  PID: "numeric",
  SYSCALLID: "numeric",
  SIGTYPE: "numeric",
  RELTIME: "numeric",
  ABSTIME: "numeric",
  PORT: "numeric",
  FLAGS8: "numeric",
  FLAGS16: "numeric",
  FLAGS32: "numeric",
  DOUBLE: "numeric",
  MODE: "numeric",
  ENUMFLAGS8: "numeric",
  ENUMFLAGS16: "numeric",
  ENUMFLAGS32: "numeric",
  BOOL: "bool",
  IPV4ADDR: "ip",
  IPV4NET: "ip",
  IPV6ADDR: "ip",
  IPV6NET: "ip",
  IPADDR: "ip",
  IPNET: "ip",
  CHARBUF: "string",
  FSPATH: "string",
  FSRELPATH: "string",
  BYTEBUF: "buffer",
  // Not comparable in libsinsp (flt_is_comparable's default branch): only `exists`.
  UID: "none",
  GID: "none",
  L4PROTO: "none",
  SOCKADDR: "none",
  SOCKTUPLE: "none",
  SIGSET: "none",
  DYNAMIC: "none",
};

function ops(...list: CheckOperator[]): ReadonlySet<CheckOperator> {
  return new Set(list);
}

/** The operator table: per type family, the operators a scalar field of that family accepts. */
export const FAMILY_OPERATORS: Readonly<Record<TypeFamily, ReadonlySet<CheckOperator>>> = {
  numeric: ops("=", "==", "!=", "<", "<=", ">", ">=", "in", "intersects", "exists"),
  bool: ops("=", "==", "!=", "in", "intersects", "exists"),
  string: ops(
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "contains",
    "icontains",
    "startswith",
    "endswith",
    "glob",
    "iglob",
    "regex",
    "pmatch",
    "in",
    "intersects",
    "exists",
  ),
  buffer: ops(
    "=",
    "==",
    "!=",
    "contains",
    "bcontains",
    "startswith",
    "bstartswith",
    "endswith",
    "in",
    "intersects",
    "exists",
  ),
  ip: ops("=", "==", "!=", "in", "intersects", "exists"),
  none: ops("exists"),
};

// libsinsp's wording of each family in its "not supported" message (bool shares the numeric one).
const FAMILY_LABEL: Readonly<Record<Exclude<TypeFamily, "none">, string>> = {
  numeric: "numeric filters",
  bool: "numeric filters",
  string: "string filters",
  buffer: "buffer filters",
  ip: "ip address and network filters",
};

/** Element types a list field may have; list fields accept only these operators. */
export const LIST_ELEMENT_TYPES: ReadonlySet<FieldType> = new Set<FieldType>([
  "CHARBUF",
  "UINT64",
  "RELTIME",
  "ABSTIME",
  "BOOL",
  "IPADDR",
  "IPNET",
]);
export const LIST_FIELD_OPERATORS: ReadonlySet<CheckOperator> = ops("in", "intersects", "exists");

/** Operators whose right-hand side is a list of values (or a field). */
export const LIST_OPERATORS: ReadonlySet<CheckOperator> = ops(...LANGUAGE_LIST_OPERATORS);

/** Operators that take an `oneof`/`anyof`/`allof` modifier (the parser's string operators). */
export const MODIFIABLE_OPERATORS: ReadonlySet<CheckOperator> = ops(...LANGUAGE_MODIFIABLE_OPERATORS);

/** The operator as libsinsp prints it (cmpop_to_str: `==` prints as `=`). */
export function operatorName(op: CheckOperator): string {
  return op === "==" ? "=" : op;
}

/** Whether `op` applies to a field of `type` (a list field when `isList`). */
export function isOperatorSupported(op: CheckOperator, type: FieldType, isList: boolean): boolean {
  return operatorError(op, undefined, type, isList) === undefined;
}

/**
 * libsinsp's verdict on `op` (with `modifier`) for a field of `type`: undefined when valid, otherwise the
 * message Falco reports ("filter error: 'contains' operator not supported for numeric filters").
 */
export function operatorError(
  op: CheckOperator,
  modifier: OperatorModifier | undefined,
  type: FieldType,
  isList: boolean,
): string | undefined {
  if (op === "exists") return undefined;
  const name = operatorName(op);
  if (modifier !== undefined && !MODIFIABLE_OPERATORS.has(op)) {
    return `filter error: '${name}' operator does not support the '${modifier}' modifier`;
  }
  if (isList) {
    if (!LIST_ELEMENT_TYPES.has(type))
      return `filter error: list filters are not supported for type '${type}'`;
    return LIST_FIELD_OPERATORS.has(op)
      ? undefined
      : `filter error: '${name}' operator not supported list filters`;
  }
  const family = TYPE_FAMILY[type];
  if (family === "none") return `filter error: '${name}' operator not supported for type '${type}'`;
  if (FAMILY_OPERATORS[family].has(op)) return undefined;
  if (family === "ip" && modifier !== undefined) {
    return `filter error: '${name}' with modifier not supported for ip address and network filters`;
  }
  return `filter error: '${name}' operator not supported for ${FAMILY_LABEL[family]}`;
}

/**
 * Saker's reading of a comparison libsinsp refuses on a list field (operatorError says "not supported
 * list filters"): `op` (with `modifier`) applied to each element, holding when some element satisfies it
 * (`!=`: when no element equals). True when `op` is not one of the list operators and applies to a
 * single value of the element type; `!=` with a modifier stays refused, having no single reading.
 *
 * The older falcosecurity rules files use this (`ka.req.role.rules.resources contains "pods/exec"`): the
 * libs before 6f774a41a (2024) loaded it and threw only if the check was evaluated. Saker loads it with
 * a warning so those files load and run unchanged.
 */
export function isListElementComparison(
  op: CheckOperator,
  modifier: OperatorModifier | undefined,
  type: FieldType,
): boolean {
  if (LIST_FIELD_OPERATORS.has(op) || !LIST_ELEMENT_TYPES.has(type)) return false;
  if (op === "!=" && modifier !== undefined) return false;
  return operatorError(op, modifier, type, false) === undefined;
}

// ---------------------------------------------------------------------------------------------------
// Constants

/** A constant read for a type: numbers (bigint beyond 2^53), booleans, strings, bytes or an Ip. */
export type Constant = number | bigint | boolean | string | Uint8Array | Ip;

export type ConstantResult =
  { readonly ok: true; readonly value: Constant } | { readonly ok: false; readonly message: string };

function fail(message: string): ConstantResult {
  return { ok: false, message };
}

function ok(value: Constant): ConstantResult {
  return { ok: true, value };
}

const TWO_64 = 1n << 64n;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = TWO_64 - 1n;

// sscanf "%d%c" / "%u%c" accept leading white space (C isspace), an optional sign and decimal digits,
// and nothing after them.
const SCANF_INTEGER = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/;

/** strtol into a 64-bit long, then the C cast to `bits` (sscanf %d stores (int)strtol(...)). */
function scanSigned(text: string, bits: 32 | 64): bigint | undefined {
  const m = SCANF_INTEGER.exec(text);
  if (m === null) return undefined;
  let v = BigInt(m[2]);
  if (m[1] === "-") v = -v;
  if (v > INT64_MAX) v = INT64_MAX;
  if (v < INT64_MIN) v = INT64_MIN;
  return BigInt.asIntN(bits, v);
}

/** strtoul into a 64-bit unsigned long (a leading '-' negates modulo 2^64), then the cast to `bits`. */
function scanUnsigned(text: string, bits: 32 | 64): bigint | undefined {
  const m = SCANF_INTEGER.exec(text);
  if (m === null) return undefined;
  let v = BigInt(m[2]);
  if (v > UINT64_MAX) v = UINT64_MAX;
  else if (m[1] === "-") v = (TWO_64 - v) % TWO_64;
  return BigInt.asUintN(bits, v);
}

/** Numbers within 2^53 become JS numbers; larger ones stay bigint. */
export function normalizeInteger(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function integer(text: string, signed: boolean, scanBits: 32 | 64, width: number): ConstantResult {
  const v = signed ? scanSigned(text, scanBits) : scanUnsigned(text, scanBits);
  if (v === undefined) return fail(`${text} is not a valid number`);
  return ok(normalizeInteger(signed ? BigInt.asIntN(width, v) : BigInt.asUintN(width, v)));
}

/** sinsp_numparser::parseu8 (used for netmasks): a uint32 scan cast to 8 bits. */
function parseU8(text: string): number | undefined {
  const v = scanUnsigned(text, 32);
  return v === undefined ? undefined : Number(BigInt.asUintN(8, v));
}

let services: Map<string, number> | undefined;

// getservbyname(name, NULL): the first /etc/services entry with that name or alias, any protocol.
function serviceLookup(name: string): number | undefined {
  if (services === undefined) {
    services = new Map();
    let text = "";
    try {
      text = readFileSync("/etc/services", "utf8");
    } catch {
      // No services database: every name is unknown, as getservbyname would say.
    }
    for (const line of text.split("\n")) {
      const fields = line.replace(/#.*/, "").trim().split(/\s+/);
      if (fields.length < 2) continue;
      const port = /^(\d+)\//.exec(fields[1]);
      if (port === null) continue;
      for (const n of [fields[0], ...fields.slice(2)]) {
        if (!services.has(n)) services.set(n, Number(port[1]));
      }
    }
  }
  return services.get(name);
}

function port(text: string): ConstantResult {
  if (text === "") return ok(0);
  if (/^[0-9]+$/.test(text)) {
    const v = Number(text);
    if (v > 0x7fffffff) return fail(`${text} is not a valid number`);
    return ok(v & 0xffff);
  }
  const p = serviceLookup(text);
  return p === undefined ? fail(`unrecognized protocol ${text}`) : ok(p);
}

function ipv4Address(text: string): ConstantResult {
  const v = parseIPv4(text);
  if (v < 0) return fail(`unrecognized IPv4 address ${text}`);
  const ip = new Ip();
  ip.v4 = v;
  return ok(ip);
}

function ipv6Address(text: string): ConstantResult {
  const ip = new Ip();
  ip.family = 6;
  if (!parseIPv6(text, ip.v6)) return fail(`unrecognized IPv6 address ${text}`);
  return ok(ip);
}

function ipv4Network(text: string): ConstantResult {
  const slash = text.indexOf("/");
  if (slash < 0) return fail(`unrecognized IP network ${text}`);
  const v = parseIPv4(text, 0, slash);
  if (v < 0) return fail(`unrecognized IP address ${text}`);
  const maskText = text.slice(slash + 1);
  const bits = parseU8(maskText);
  if (bits === undefined) return fail(`${maskText} is not a valid number`);
  if (bits > 32) return fail(`invalid netmask ${maskText}`);
  const ip = new Ip();
  ip.v4 = v;
  ip.mask4 = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ok(ip);
}

function ipv6Network(text: string): ConstantResult {
  const slash = text.indexOf("/");
  if (slash < 0) return fail(`invalid v6 netmask: ${text}`);
  const ip = new Ip();
  ip.family = 6;
  if (!parseIPv6(text, ip.v6, 0, slash)) return fail(`unrecognized IPv6 address ${text}`);
  const maskText = text.slice(slash + 1);
  const bits = parseU8(maskText);
  if (bits === undefined) return fail(`${maskText} is not a valid number`);
  if (bits === 0 || bits > 128) return fail(`invalid v6 netmask ${maskText}`);
  // libsinsp ipv6net::init: whole bytes, then the top bits of one more byte.
  let bytes = Math.floor(bits / 8);
  let tail = 8 - (bits % 8);
  if (tail === 8) {
    bytes--;
    tail = 0;
  }
  ip.v6Bytes = bytes;
  ip.v6TailShift = tail;
  return ok(ip);
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** sinsp_utils::unhex: an even number of hex digits. */
export function parseHexBytes(text: string): Uint8Array | undefined {
  if (!HEX.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const utf8 = new TextEncoder();

/**
 * Read the constant `text` for a check of `op` on a field of `type`: what libsinsp's add_filter_value
 * does for each right-hand value, with its error messages.
 */
export function parseConstant(text: string, type: FieldType, op: CheckOperator): ConstantResult {
  if (op === "bcontains" || op === "bstartswith") {
    const bytes = parseHexBytes(text);
    return bytes === undefined
      ? fail("filter error: bcontains and bstartswith operator support hex strings only")
      : ok(bytes);
  }
  // Byte buffers take the text's bytes as they are; every other type goes through the value parser,
  // which refuses NUL bytes.
  if (type === "BYTEBUF") return ok(utf8.encode(text));
  if (text.includes("\0")) return fail("filter error: filter value cannot contain a NUL byte (\\x00)");
  switch (type) {
    case "INT8":
      return integer(text, true, 32, 8);
    case "INT16":
      return integer(text, true, 32, 16);
    case "INT32":
      return integer(text, true, 32, 32);
    case "INT64":
    case "FD":
    case "ERRNO":
    case "PID":
      return integer(text, true, 64, 64);
    case "L4PROTO":
    case "FLAGS8":
    case "UINT8":
    case "ENUMFLAGS8":
    case "SIGTYPE":
      return integer(text, false, 32, 8);
    case "PORT":
      return port(text);
    case "FLAGS16":
    case "UINT16":
    case "ENUMFLAGS16":
    case "SYSCALLID":
      return integer(text, false, 32, 16);
    case "FLAGS32":
    case "UINT32":
    case "MODE":
    case "ENUMFLAGS32":
    case "UID":
    case "GID":
      return integer(text, false, 32, 32);
    case "UINT64":
    case "RELTIME":
    case "ABSTIME":
      return integer(text, false, 64, 64);
    case "CHARBUF":
    case "SOCKADDR":
    case "SOCKTUPLE":
    case "FSPATH":
    case "FSRELPATH":
      return ok(text);
    case "BOOL":
      if (text === "true") return ok(true);
      if (text === "false") return ok(false);
      return fail(`filter error: unrecognized boolean value ${text}`);
    case "DOUBLE": {
      // libsinsp has never parsed fractional constants: an int32 read as a double.
      const v = scanSigned(text, 32);
      return v === undefined ? fail(`${text} is not a valid number`) : ok(Number(v));
    }
    case "IPADDR":
      return text.includes(".") ? ipv4Address(text) : ipv6Address(text);
    case "IPV4ADDR":
      return ipv4Address(text);
    case "IPV6ADDR":
      return ipv6Address(text);
    case "IPNET":
      return text.includes(".") ? ipv4Network(text) : ipv6Network(text);
    case "IPV4NET":
      return ipv4Network(text);
    case "IPV6NET":
      return ipv6Network(text);
    default:
      return fail(`wrong parameter type ${type}`);
  }
}
