// The event types a condition can match, so rules are only evaluated on events that can satisfy them,
// and the probe only captures syscalls some rule needs. The algebra is libsinsp's (filter/ppm_codes.cpp,
// which Falco uses for indexing and for its LOAD_NO_EVTTYPE warning):
// - `and` intersects its children's sets, `or` unites them;
// - `evt.type = x`, `evt.type in (...)` give those types; `evt.type != x` all but x; `evt.type exists`
//   all; any other check (including evt.type with other operators or a modifier) is neutral: all types;
// - negation is pushed to the leaves (De Morgan): a negated evt.type check takes the complement, a
//   negated neutral check stays "all";
// - `evt.num` checks that can never hold (`evt.num = 0`, `< 1`, `in (0)`) give no types, those that
//   always hold (`!= 0`, `> 0`, `>= 1`) all types, and negation swaps the two.
// libsinsp works on event codes (an enter and an exit code per name); here sets are of names from the
// schema's `eventTypeNames`, which is the universe complements are taken in. The runtime maps names to
// codes.
import type { Expr, FieldLike, ValueExpr } from "../rules/language/ast.js";
import type { SourceSchema } from "./source.js";

/** A set of event type names, or "all" when the condition cannot be narrowed. */
export type EventTypes = ReadonlySet<string> | "all";

// Sets below are computed with "all" standing for the whole universe, so complements stay cheap.
type TypeSet = ReadonlySet<string> | "all";

const EMPTY: ReadonlySet<string> = new Set();

function isEvttypeField(node: FieldLike): boolean {
  return (
    node.kind === "field" &&
    node.arg === undefined &&
    (node.name === "evt.type" || node.name === "syscall.type")
  );
}

// sinsp_numparser::tryparseu64: sscanf "%lu%c" (decimal, optional sign and leading blanks).
function tryParseU64(text: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (m === null) return undefined;
  let v = BigInt(m[2]);
  const max = (1n << 64n) - 1n;
  if (v > max) v = max;
  else if (m[1] === "-") v = ((1n << 64n) - v) % (1n << 64n);
  return v;
}

/** libsinsp's evt.num invariant (every event has evt.num >= 1): "empty", "all" or undefined. */
function evtNumInvariant(op: string, right: ValueExpr | readonly ValueExpr[]): "empty" | "all" | undefined {
  if (op === "in") {
    if (!Array.isArray(right)) return undefined;
    const list = right as readonly ValueExpr[];
    for (const v of list) if (tryParseU64(v.value) !== 0n) return undefined;
    return "empty";
  }
  if (Array.isArray(right)) return undefined;
  const n = tryParseU64((right as ValueExpr).value);
  if (n === undefined) return undefined;
  switch (op) {
    case "=":
    case "==":
      return n === 0n ? "empty" : undefined;
    case "!=":
      return n === 0n ? "all" : undefined;
    case "<":
      return n <= 1n ? "empty" : undefined;
    case "<=":
      return n === 0n ? "empty" : undefined;
    case ">":
      return n === 0n ? "all" : undefined;
    case ">=":
      return n <= 1n ? "all" : undefined;
    default:
      return undefined;
  }
}

class Narrower {
  constructor(private readonly universe: ReadonlySet<string>) {}

  private complement(s: TypeSet): TypeSet {
    if (s === "all") return EMPTY;
    if (s.size === 0) return "all";
    const out = new Set<string>();
    for (const n of this.universe) if (!s.has(n)) out.add(n);
    return out;
  }

  private intersect(a: TypeSet, b: TypeSet): TypeSet {
    if (a === "all") return b;
    if (b === "all") return a;
    const out = new Set<string>();
    for (const n of a) if (b.has(n)) out.add(n);
    return out;
  }

  private union(a: TypeSet, b: TypeSet): TypeSet {
    if (a === "all" || b === "all") return "all";
    const out = new Set<string>(a);
    for (const n of b) out.add(n);
    return out.size === this.universe.size ? "all" : out;
  }

  private names(values: readonly ValueExpr[]): TypeSet {
    const out = new Set<string>();
    for (const v of values) if (this.universe.has(v.value)) out.add(v.value);
    return out.size === this.universe.size ? "all" : out;
  }

  visit(node: Expr, negated: boolean): TypeSet {
    switch (node.kind) {
      case "and":
      case "or": {
        // Under negation, `and` becomes `or` and vice versa (De Morgan).
        const intersect = (node.kind === "and") !== negated;
        let acc: TypeSet = intersect ? "all" : EMPTY;
        for (const c of node.children) {
          const s = this.visit(c, negated);
          acc = intersect ? this.intersect(acc, s) : this.union(acc, s);
        }
        return acc;
      }
      case "not":
        return this.visit(node.child, !negated);
      case "identifier":
        return "all";
      case "unary":
        // `evt.type exists` holds for every type: "all", and none once negated.
        if (isEvttypeField(node.left) && node.op === "exists") return negated ? EMPTY : "all";
        return "all";
      case "binary": {
        const { left, op, right } = node;
        if (
          left.kind === "field" &&
          left.name === "evt.num" &&
          left.arg === undefined &&
          right.kind !== "field_value"
        ) {
          const inv = evtNumInvariant(op, right.kind === "list" ? right.items : right);
          if (inv !== undefined) {
            const s: TypeSet = inv === "all" ? "all" : EMPTY;
            return negated ? this.complement(s) : s;
          }
        }
        const evttypeOperator =
          node.modifier === undefined && (op === "=" || op === "==" || op === "!=" || op === "in");
        if (!evttypeOperator || !isEvttypeField(left) || right.kind === "field_value") return "all";
        let s = this.names(right.kind === "list" ? right.items : [right]);
        if (negated) s = this.complement(s);
        if (op === "!=") s = this.complement(s);
        return s;
      }
    }
  }
}

/**
 * The event type names `expr` can match in `schema`'s source, or "all". Sources without event types
 * (schema.eventTypeNames undefined) are always "all". Checks libsinsp's event code search refuses
 * (`evt.type` under a transformer, or compared with a field) count as "all" here; `checkCondition`
 * reports them as errors.
 */
export function eventTypesOf(expr: Expr, schema: SourceSchema): EventTypes {
  const universe = schema.eventTypeNames;
  if (universe === undefined) return "all";
  const s = new Narrower(universe).visit(expr, false);
  if (s === "all") return "all";
  return s.size === universe.size ? "all" : s;
}

/** Falco warns when a syscall rule matches more than this many event codes. */
export const NO_EVTTYPE_THRESHOLD = 100;

/**
 * Whether a rule with these event types earns Falco's LOAD_NO_EVTTYPE warning ("Rule matches too many
 * evt.type values. This has a significant performance penalty."): only for syscall rules, when the
 * types cover more than 100 event codes; an empty set (a condition that never holds) is not warned
 * about. Codes are counted with the schema's `eventCodeCount` when it has one, else as two per name
 * (enter and exit). The rule's own `warn_evttypes: false` is the caller's to honour.
 */
export function warnsNoEvttype(types: EventTypes, schema: SourceSchema): boolean {
  if (schema.name !== "syscall" || schema.eventTypeNames === undefined) return false;
  if (types === "all") return true;
  const codes = schema.eventCodeCount !== undefined ? schema.eventCodeCount(types) : 2 * types.size;
  return codes > NO_EVTTYPE_THRESHOLD;
}
