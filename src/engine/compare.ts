// Comparison closures, built once per check. Each takes a field value that is known to be present (the
// caller has already turned <NA> into false) and answers the check. Semantics follow libsinsp's
// flt_compare() and sinsp_filter_check::compare_rhs():
// - strings compare as C strings (strcmp/strstr/strncmp); case folding is ASCII (strcasestr, fnmatch
//   FNM_CASEFOLD); `regex` must match the whole value; `pmatch` is a path-prefix search.
// - numbers compare by value whatever their width; number and bigint mix freely.
// - IP checks: an address of the other family never equals (so `!=` holds); a network constant matches
//   the addresses inside it.
// - list fields: `in` holds when every element is among the values (an empty list is `in` anything),
//   `intersects` when some element is. Other operators, which libsinsp refuses on lists, Saker applies
//   to each element (listElementCheck): some element satisfies it; `!=`, no element equals.
// - modifiers: `oneof` exactly one value satisfies the operator, `anyof` at least one, `allof` all; an
//   empty value list never matches.
import type { FieldType } from "../fields/types.js";
import type { OperatorModifier } from "../rules/language/ast.js";
import type { Extractor, FieldValue } from "./source.js";
import { Ip, inNetwork, readAddress, sameAddress } from "./ip.js";
import { type CheckOperator, type Constant, TYPE_FAMILY } from "./operators.js";
import { PathPrefixSearch } from "./pmatch.js";
import { regexMatches } from "./regex.js";
import type { RE2JS } from "re2js";
import { globMatch, includesIgnoreCase } from "./text.js";

/** A check on a present value. */
type ValueTest = (v: FieldValue) => boolean;
/** A check of a value against another field's value (`val(...)`), both present. */
export type PairTest = (a: FieldValue, b: FieldValue) => boolean;

type Num = number | bigint;
type Pred<T> = (v: T) => boolean;

const NEVER: ValueTest = () => false;

function combine<T>(modifier: OperatorModifier, preds: readonly Pred<T>[]): Pred<T> {
  const n = preds.length;
  if (n === 0) return () => false;
  switch (modifier) {
    case "anyof":
      return (v) => {
        for (let i = 0; i < n; i++) if (preds[i](v)) return true;
        return false;
      };
    case "allof":
      return (v) => {
        for (let i = 0; i < n; i++) if (!preds[i](v)) return false;
        return true;
      };
    case "oneof":
      return (v) => {
        let k = 0;
        for (let i = 0; i < n; i++) if (preds[i](v) && ++k > 1) return false;
        return k === 1;
      };
  }
}

// ---------------------------------------------------------------------------------------------------
// Strings

function stringPair(op: CheckOperator): (a: string, b: string) => boolean {
  switch (op) {
    case "=":
    case "==":
    case "in":
    case "intersects":
      return (a, b) => a === b;
    case "!=":
      return (a, b) => a !== b;
    case "<":
      return (a, b) => a < b;
    case "<=":
      return (a, b) => a <= b;
    case ">":
      return (a, b) => a > b;
    case ">=":
      return (a, b) => a >= b;
    case "contains":
      return (a, b) => a.includes(b);
    case "icontains":
      return (a, b) => includesIgnoreCase(a, b);
    case "startswith":
      return (a, b) => a.startsWith(b);
    case "endswith":
      return (a, b) => a.endsWith(b);
    case "glob":
      return (a, b) => globMatch(b, a, false);
    case "iglob":
      return (a, b) => globMatch(b, a, true);
    default:
      return () => false;
  }
}

function stringConstant(op: CheckOperator, c: string): Pred<string> {
  switch (op) {
    case "=":
    case "==":
    case "in":
    case "intersects":
      return (v) => v === c;
    case "!=":
      return (v) => v !== c;
    case "contains":
      return (v) => v.includes(c);
    case "startswith":
      return (v) => v.startsWith(c);
    case "endswith":
      return (v) => v.endsWith(c);
    default: {
      const pair = stringPair(op);
      return (v) => pair(v, c);
    }
  }
}

function stringTest(
  op: CheckOperator,
  modifier: OperatorModifier | undefined,
  values: readonly string[],
  regexes: readonly RE2JS[],
): Pred<string> {
  if (op === "regex") {
    const preds = regexes.map(
      (re): Pred<string> =>
        (v) =>
          regexMatches(re, v),
    );
    if (modifier === undefined) return preds.length > 0 ? preds[0] : () => false;
    return combine(modifier, preds);
  }
  if (op === "pmatch") {
    const search = new PathPrefixSearch(values);
    return (v) => search.match(v);
  }
  if (op === "in" || op === "intersects") {
    if (values.length === 1) return stringConstant("=", values[0]);
    const set = new Set(values);
    return (v) => set.has(v);
  }
  if (modifier === undefined) return values.length > 0 ? stringConstant(op, values[0]) : () => false;
  if (values.length > 0 && (op === "=" || op === "==") && modifier === "anyof") {
    const set = new Set(values);
    return (v) => set.has(v);
  }
  if (values.length > 0 && op === "!=" && modifier === "allof") {
    const set = new Set(values);
    return (v) => !set.has(v);
  }
  return combine(
    modifier,
    values.map((c) => stringConstant(op, c)),
  );
}

// ---------------------------------------------------------------------------------------------------
// Numbers and booleans

/** A key under which equal numbers meet in a Set, whether they arrive as number or bigint. */
export function numberKey(v: Num): Num {
  return typeof v === "bigint" && v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

function numberPair(op: CheckOperator): (a: Num, b: Num) => boolean {
  switch (op) {
    case "=":
    case "==":
    case "in":
    case "intersects":
      return (a, b) => a == b;
    case "!=":
      return (a, b) => a != b;
    case "<":
      return (a, b) => a < b;
    case "<=":
      return (a, b) => a <= b;
    case ">":
      return (a, b) => a > b;
    case ">=":
      return (a, b) => a >= b;
    default:
      return () => false;
  }
}

function numberConstant(op: CheckOperator, c: Num): Pred<Num> {
  switch (op) {
    case "=":
    case "==":
    case "in":
    case "intersects":
      return (v) => v == c;
    case "!=":
      return (v) => v != c;
    case "<":
      return (v) => v < c;
    case "<=":
      return (v) => v <= c;
    case ">":
      return (v) => v > c;
    case ">=":
      return (v) => v >= c;
    default:
      return () => false;
  }
}

function numberTest(
  op: CheckOperator,
  modifier: OperatorModifier | undefined,
  values: readonly Num[],
): Pred<Num> {
  if (op === "in" || op === "intersects") {
    if (values.length === 1) return numberConstant("=", values[0]);
    const set = new Set(values.map(numberKey));
    return (v) => set.has(numberKey(v));
  }
  if (modifier === undefined) return values.length > 0 ? numberConstant(op, values[0]) : () => false;
  return combine(
    modifier,
    values.map((c) => numberConstant(op, c)),
  );
}

function toBool(v: FieldValue): boolean {
  return typeof v === "boolean" ? v : v !== 0 && v !== 0n;
}

function boolTest(
  op: CheckOperator,
  modifier: OperatorModifier | undefined,
  values: readonly boolean[],
): Pred<boolean> {
  const eq = (c: boolean): Pred<boolean> => (op === "!=" ? (v) => v !== c : (v) => v === c);
  if (op === "in" || op === "intersects") {
    const hasTrue = values.includes(true);
    const hasFalse = values.includes(false);
    return (v) => (v ? hasTrue : hasFalse);
  }
  if (modifier === undefined) return values.length > 0 ? eq(values[0]) : () => false;
  return combine(modifier, values.map(eq));
}

// ---------------------------------------------------------------------------------------------------
// Byte buffers

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function bytesStartWith(a: Uint8Array, b: Uint8Array, at = 0): boolean {
  if (at < 0 || at + b.length > a.length) return false;
  for (let i = 0; i < b.length; i++) if (a[at + i] !== b[i]) return false;
  return true;
}

function bytesIncludes(a: Uint8Array, b: Uint8Array): boolean {
  const last = a.length - b.length;
  for (let i = 0; i <= last; i++) if (bytesStartWith(a, b, i)) return true;
  return false;
}

function bufferPair(op: CheckOperator): (a: Uint8Array, b: Uint8Array) => boolean {
  switch (op) {
    case "=":
    case "==":
    case "in":
    case "intersects":
      return bytesEqual;
    case "!=":
      return (a, b) => !bytesEqual(a, b);
    case "contains":
    case "bcontains":
      return bytesIncludes;
    case "startswith":
    case "bstartswith":
      return (a, b) => bytesStartWith(a, b);
    case "endswith":
      return (a, b) => bytesStartWith(a, b, a.length - b.length);
    default:
      return () => false;
  }
}

function bufferTest(
  op: CheckOperator,
  modifier: OperatorModifier | undefined,
  values: readonly Uint8Array[],
): Pred<Uint8Array> {
  const pair = bufferPair(op);
  const preds = values.map(
    (c): Pred<Uint8Array> =>
      (v) =>
        pair(v, c),
  );
  if (op === "in" || op === "intersects") return combine("anyof", preds);
  if (modifier === undefined) return preds.length > 0 ? preds[0] : () => false;
  return combine(modifier, preds);
}

// ---------------------------------------------------------------------------------------------------
// IP addresses and networks

function isNetworkType(type: FieldType): boolean {
  return type === "IPNET" || type === "IPV4NET" || type === "IPV6NET";
}

function ipConstant(op: CheckOperator, type: FieldType, c: Ip): Pred<Ip> {
  const net = isNetworkType(type);
  const eq: Pred<Ip> = net ? (v) => inNetwork(v, c) : (v) => sameAddress(v, c);
  return op === "!=" ? (v) => !eq(v) : eq;
}

function ipTest(
  op: CheckOperator,
  modifier: OperatorModifier | undefined,
  type: FieldType,
  values: readonly Ip[],
): Pred<Ip> {
  if (op === "in" || op === "intersects") {
    if (!isNetworkType(type) && values.every((c) => c.family === 4)) {
      const set = new Set(values.map((c) => c.v4));
      return (v) => v.family === 4 && set.has(v.v4);
    }
    return combine(
      "anyof",
      values.map((c) => ipConstant("=", type, c)),
    );
  }
  if (modifier === undefined) return values.length > 0 ? ipConstant(op, type, values[0]) : () => false;
  return combine(
    modifier,
    values.map((c) => ipConstant(op, type, c)),
  );
}

// ---------------------------------------------------------------------------------------------------
// Entry points

/**
 * The check `read(e) op constants` for a field of `type` (a list field when `isList`): reading, the
 * <NA> test and the comparison fused into one closure. `regexes` holds the compiled patterns for
 * `regex`, parallel to `constants`.
 */
export function constantCheck<E>(
  read: Extractor<E>,
  op: CheckOperator,
  modifier: OperatorModifier | undefined,
  type: FieldType,
  isList: boolean,
  constants: readonly Constant[],
  regexes: readonly RE2JS[] = [],
): (event: E) => boolean {
  if (isList) {
    const t = listTest(op, type, constants);
    return (e) => {
      const v = read(e);
      return v !== undefined && t(v);
    };
  }
  switch (TYPE_FAMILY[type]) {
    case "string": {
      const values = constants as string[];
      // The commonest checks in rules, without an intermediate call: a string equal to a constant is a
      // string, and Set.has of <NA> is false.
      if (
        modifier === undefined &&
        (op === "=" || op === "==" || (values.length === 1 && (op === "in" || op === "intersects")))
      ) {
        const c = values[0];
        return (e) => read(e) === c;
      }
      if (modifier === undefined && (op === "in" || op === "intersects")) {
        const set = new Set(values);
        return (e) => set.has(read(e) as string);
      }
      const t = stringTest(op, modifier, values, regexes);
      return (e) => {
        const v = read(e);
        return typeof v === "string" && t(v);
      };
    }
    case "numeric": {
      const t = numberTest(op, modifier, constants as Num[]);
      return (e) => {
        const v = read(e);
        return (typeof v === "number" || typeof v === "bigint") && t(v);
      };
    }
    case "bool": {
      const t = boolTest(op, modifier, constants as boolean[]);
      return (e) => {
        const v = read(e);
        return v !== undefined && t(toBool(v));
      };
    }
    case "buffer": {
      const t = bufferTest(op, modifier, constants as Uint8Array[]);
      return (e) => {
        const v = read(e);
        return v instanceof Uint8Array && t(v);
      };
    }
    case "ip": {
      const ips = constants as Ip[];
      // A dotted quad has one accepted spelling (inet_pton refuses leading zeros), so equality with
      // IPv4 addresses is equality of text.
      if (
        modifier === undefined &&
        (op === "=" || op === "==" || op === "in" || op === "intersects") &&
        !isNetworkType(type) &&
        ips.length > 0 &&
        ips.every((c) => c.family === 4)
      ) {
        const set = new Set(ips.map((c) => ipv4Text(c.v4)));
        return (e) => set.has(read(e) as string);
      }
      const t = ipTest(op, modifier, type, ips);
      const scratch = new Ip();
      return (e) => {
        const v = read(e);
        return typeof v === "string" && readAddress(v, scratch) && t(scratch);
      };
    }
    default:
      return () => false;
  }
}

/**
 * Saker's per-element reading of an operator libsinsp refuses on a list field (operators.ts,
 * isListElementComparison): `op` applied to each element of the list read by `read`, holding when some
 * element satisfies it; `!=` holds when no element equals any of the constants' `=` reading (so on an
 * empty list). <NA> is false whatever the operator.
 */
export function listElementCheck<E>(
  read: Extractor<E>,
  op: CheckOperator,
  modifier: OperatorModifier | undefined,
  type: FieldType,
  constants: readonly Constant[],
  regexes: readonly RE2JS[] = [],
): (event: E) => boolean {
  const negate = op === "!=";
  let element: FieldValue = undefined;
  const one = constantCheck<unknown>(
    () => element,
    negate ? "=" : op,
    modifier,
    type,
    false,
    constants,
    regexes,
  );
  return (e) => {
    const v = read(e);
    if (v === undefined) return false;
    let held = false;
    if (!Array.isArray(v)) {
      element = v;
      held = one(undefined);
    } else {
      for (let i = 0; i < v.length && !held; i++) {
        element = (v as readonly FieldValue[])[i];
        held = one(undefined);
      }
    }
    element = undefined;
    return held !== negate;
  };
}

function ipv4Text(v: number): string {
  return `${(v >>> 24) & 0xff}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

// `in`/`intersects` on a list field: each element is looked up among the constants.
function listTest(op: CheckOperator, type: FieldType, constants: readonly Constant[]): ValueTest {
  let member: (x: string | number | bigint) => boolean;
  switch (TYPE_FAMILY[type]) {
    case "string": {
      const set = new Set(constants as string[]);
      member = (x) => typeof x === "string" && set.has(x);
      break;
    }
    case "numeric": {
      const set = new Set((constants as Num[]).map(numberKey));
      member = (x) => typeof x !== "string" && set.has(numberKey(x));
      break;
    }
    case "bool": {
      const t = boolTest("in", undefined, constants as boolean[]);
      member = (x) => t(toBool(x));
      break;
    }
    case "ip": {
      const test = ipTest("in", undefined, type, constants as Ip[]);
      const scratch = new Ip();
      member = (x) => typeof x === "string" && readAddress(x, scratch) && test(scratch);
      break;
    }
    default:
      return NEVER;
  }
  if (op === "in") {
    return (v) => {
      if (!Array.isArray(v)) return false;
      for (let i = 0; i < v.length; i++) if (!member(v[i])) return false;
      return true;
    };
  }
  if (op === "intersects") {
    return (v) => {
      if (!Array.isArray(v)) return false;
      for (let i = 0; i < v.length; i++) if (member(v[i])) return true;
      return false;
    };
  }
  return NEVER;
}

/** The test for `op` between a field and another field of the same type (`proc.name = val(proc.pname)`). */
export function pairTest(op: CheckOperator, type: FieldType, isList: boolean): PairTest {
  if (isList) {
    const eq = pairTest("=", type, false);
    const member = (x: FieldValue, list: readonly FieldValue[]): boolean => {
      for (let j = 0; j < list.length; j++) if (eq(x, list[j])) return true;
      return false;
    };
    if (op === "in") {
      return (a, b) => {
        if (!Array.isArray(a) || !Array.isArray(b)) return false;
        for (let i = 0; i < a.length; i++) if (!member(a[i], b)) return false;
        return true;
      };
    }
    if (op === "intersects") {
      return (a, b) => {
        if (!Array.isArray(a) || !Array.isArray(b)) return false;
        for (let i = 0; i < a.length; i++) if (member(a[i], b)) return true;
        return false;
      };
    }
    return () => false;
  }
  switch (TYPE_FAMILY[type]) {
    case "string": {
      const f = stringPair(op);
      return (a, b) => typeof a === "string" && typeof b === "string" && f(a, b);
    }
    case "numeric": {
      const f = numberPair(op);
      const isNum = (x: FieldValue): x is Num => typeof x === "number" || typeof x === "bigint";
      return (a, b) => isNum(a) && isNum(b) && f(a, b);
    }
    case "bool":
      return op === "!=" ? (a, b) => toBool(a) !== toBool(b) : (a, b) => toBool(a) === toBool(b);
    case "buffer": {
      const f = bufferPair(op);
      return (a, b) => a instanceof Uint8Array && b instanceof Uint8Array && f(a, b);
    }
    case "ip": {
      const x = new Ip();
      const y = new Ip();
      const ne = op === "!=";
      return (a, b) =>
        typeof a === "string" &&
        typeof b === "string" &&
        readAddress(a, x) &&
        readAddress(b, y) &&
        sameAddress(x, y) !== ne;
    }
    default:
      return () => false;
  }
}
