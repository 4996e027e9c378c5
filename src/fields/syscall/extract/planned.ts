// Checks the syscall source plans itself (EventSource.planCheck), because the general plan would build
// a string per event only to compare it with a constant:
//
// - `evt.type = open`, `evt.type in (open, openat)`, `evt.type != x`: the engine's plan reads the
//   event's type name and looks it up in a Set. Here the answer for each event code is computed once
//   into a table indexed by code; generic syscall events (whose name depends on their syscall id) and
//   codes past the table keep the general plan.
// - `evt.arg.flags contains O_CREAT` (and `=`, `!=`, `in`): the general plan renders the parameter as
//   sysdig does ("O_RDONLY|O_CLOEXEC", render.ts flagNames) and searches the text. Here the constant is
//   matched against the parameter's flag table at plan time and the check becomes a test of the raw
//   integer's bits. The truth value is the text's, for every value: see below.
//
// How sysdig names the flags of a value v (render.ts flagNames): walking the table in order, an entry
// whose bits are all still set is named and its bits cleared; a 0 entry is named only for v = 0; the walk
// stops at the first entry equal to v, which is named last. When nothing is named the text is the number
// (decimal for FLAGS/ENUMFLAGS, the parameter's print format for MODE), and "<NA>" when the parameter is
// shorter than its type. So for a constant C that holds no '|' and a character no number can print
// (outside 0-9, A-F and '-'), `text contains C` holds exactly when some named entry's name contains C, and
// `text = C` exactly when one entry is named and its name is C. An entry k with value m != 0 that no
// earlier entry shares a bit with is named exactly when (v & m) = m: no earlier entry can lose or take its
// bits, and an earlier entry equal to v would share them. The first 0 entry is named exactly when v = 0.
// Other entries (O_RDONLY after O_RDWR in sysdig 0.29.3's table) are decided by the walk itself, on
// integers. ENUMFLAGS of events newer than sysdig's table name every entry equal to v.
//
// test/unit/syscall/planned.test.ts compares every planned check with the general one over every value of
// every flag table, for every name in it, plus random values.
import { argsCount, renderedParamInfo } from "../../../capture/events/render.js";
import { LEGACY_EVENT_MAX } from "../../../capture/events/render/legacy.js";
import { EVENT_TABLE, EventType, type NameValue, ParamType } from "../../../capture/events/table.js";
import type { CheckOperator, Constant } from "../../../engine/operators.js";
import type { SyscallEvent } from "../../../state/event.js";
import type { ResolvedField } from "../../types.js";

type Check = (e: SyscallEvent) => boolean;

/** The syscall source's planCheck; `sysdigCompat` as the source's extractors were built. */
export function planSyscallCheck(
  field: ResolvedField,
  op: CheckOperator,
  constants: readonly Constant[],
  general: Check,
  sysdigCompat: boolean,
): Check | undefined {
  if (!constants.every((c) => typeof c === "string")) return undefined;
  const values = constants as readonly string[];
  switch (field.info.name) {
    case "evt.type":
      return planEventType(op, values, general, sysdigCompat);
    case "evt.arg":
      if (field.arg === undefined || /^[+-]?[0-9]+$/.test(field.arg)) return undefined;
      return planFlagsArg(field.arg, op, values, general, sysdigCompat);
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// evt.type

/** What `op values` answers for the evt.type text `name`, or undefined for operators not planned here. */
function textTest(op: CheckOperator, values: readonly string[]): ((name: string) => boolean) | undefined {
  switch (op) {
    case "=":
    case "==":
      return values.length === 1 ? (name) => name === values[0] : undefined;
    case "!=":
      return values.length === 1 ? (name) => name !== values[0] : undefined;
    case "in":
    case "intersects":
      return (name) => values.includes(name);
    default:
      return undefined;
  }
}

function planEventType(
  op: CheckOperator,
  values: readonly string[],
  general: Check,
  sysdigCompat: boolean,
): Check | undefined {
  const test = textTest(op, values);
  if (test === undefined) return undefined;
  const n = EVENT_TABLE.length;
  const hit = new Uint8Array(n);
  for (let code = 0; code < n; code++) {
    const name =
      sysdigCompat && code === EventType.SCAPEVENT_E ? "sysdigevent" : (EVENT_TABLE[code]?.name ?? "NA");
    hit[code] = test(name) ? 1 : 0;
  }
  return (e) => {
    const t = e.ev.type;
    // Generic events are named by their syscall id.
    if (t <= EventType.GENERIC_X || t >= n) return general(e);
    return hit[t] === 1;
  };
}

// ---------------------------------------------------------------------------------------------------
// evt.arg.NAME of a flags parameter

/** How one flag table answers the check for a raw value; shared by the event codes using that table. */
type ValueTest = (v: number) => boolean;

/** Where the parameter is in events of one code, and how its value is tested. */
interface CodePlan {
  /** Parameter index: used when below the number of parameters the lookup sees, else `general`. */
  readonly index: number;
  /** Parameters of the code's rendering table (the lookup's bound besides nparams). */
  readonly count: number;
  /** Bytes of the raw value: 1, 2 or 4. */
  readonly size: number;
  readonly test: ValueTest;
}

/** A constant the number printed for a value can neither contain nor equal (see the header). */
function namesOnly(c: string): boolean {
  return c !== "" && !c.includes("|") && /[^0-9A-F-]/.test(c);
}

function valueSize(type: ParamType): number {
  switch (type) {
    case ParamType.FLAGS8:
    case ParamType.ENUMFLAGS8:
      return 1;
    case ParamType.FLAGS16:
    case ParamType.ENUMFLAGS16:
      return 2;
    case ParamType.FLAGS32:
    case ParamType.ENUMFLAGS32:
    case ParamType.MODE:
      return 4;
    default:
      return 0;
  }
}

function isEnumFlags(type: ParamType): boolean {
  return type === ParamType.ENUMFLAGS8 || type === ParamType.ENUMFLAGS16 || type === ParamType.ENUMFLAGS32;
}

/**
 * Index of parameter `name` in events of `code` as the extractor looks it up (render.ts paramIndex): in
 * compat mode sysdig's names first, then today's; otherwise today's first. -1 when neither has it.
 */
function lookupIndex(code: number, name: string, sysdigCompat: boolean): number {
  const current = EVENT_TABLE[code]!.params;
  const rendered = current.map((_, i) => renderedParamInfo(code, i)!);
  const [first, second] = sysdigCompat ? [rendered, current] : [current, rendered];
  const i = first.findIndex((p) => p.name === name);
  return i >= 0 ? i : second.findIndex((p) => p.name === name);
}

function planFlagsArg(
  name: string,
  op: CheckOperator,
  values: readonly string[],
  general: Check,
  sysdigCompat: boolean,
): Check | undefined {
  if (values.length === 0 || !values.every(namesOnly)) return undefined;
  if ((op === "=" || op === "==" || op === "!=") && values.length !== 1) return undefined;
  if (!["contains", "=", "==", "!=", "in", "intersects"].includes(op)) return undefined;
  const tests = new Map<string, ValueTest>();
  const plans: (CodePlan | undefined)[] = [];
  let planned = 0;
  for (let code = 0; code < EVENT_TABLE.length; code++) {
    plans.push(undefined);
    const index = lookupIndex(code, name, sysdigCompat);
    if (index < 0) continue;
    const info = renderedParamInfo(code, index)!;
    const size = valueSize(info.type);
    if (size === 0 || info.flags === null) continue;
    const exact = code >= LEGACY_EVENT_MAX && isEnumFlags(info.type);
    const entries = info.flags.entries;
    const key = `${exact ? "enum" : "flags"}:${entries.map((x) => `${x.name}=${x.value}`).join(",")}`;
    let test = tests.get(key);
    if (test === undefined) {
      test = valueTest(entries, exact, op, values);
      tests.set(key, test);
    }
    plans[code] = { index, count: EVENT_TABLE[code]!.params.length, size, test };
    planned++;
  }
  if (planned === 0) return undefined;
  return (e) => {
    const ev = e.ev;
    const p = plans[ev.type];
    if (p === undefined) return general(e);
    const i = p.index;
    const n = sysdigCompat ? argsCount(ev) : Math.min(ev.nparams, p.count);
    // Past the parameters the lookup sees (it may find the name elsewhere), or too short (<NA>).
    if (i >= n || ev.paramLength[i]! < p.size) return general(e);
    const off = ev.paramOff[i]!;
    const size = p.size;
    const v =
      size === 4 ? ev.dv.getUint32(off, true) : size === 2 ? ev.dv.getUint16(off, true) : ev.buf[off]!;
    return p.test(v);
  };
}

/** The test of a raw value of a parameter with this table, equivalent to the check on its text. */
export function valueTest(
  entries: readonly NameValue[],
  exact: boolean,
  op: CheckOperator,
  values: readonly string[],
): ValueTest {
  const n = entries.length;
  const flagValues = entries.map((x) => x.value);
  if (op === "contains") {
    const hit = entries.map((x) => values.some((c) => x.name.includes(c)));
    if (!hit.includes(true)) return () => false;
    if (exact) {
      const matching = flagValues.filter((_, i) => hit[i]);
      return (v) => matching.includes(v);
    }
    // Every entry named by its bits alone: an OR of mask tests.
    const masks: number[] = [];
    let zero = false;
    let simple = true;
    for (let k = 0; k < n; k++) {
      if (!hit[k]) continue;
      const m = flagValues[k]!;
      if (m === 0) {
        if (flagValues.indexOf(0) === k) zero = true;
        continue;
      }
      for (let j = 0; j < k; j++) if ((flagValues[j]! & m) !== 0) simple = false;
      masks.push(m);
    }
    if (simple) return maskTest(masks, zero);
    const hits = Uint8Array.from(hit, (h) => (h ? 1 : 0));
    return (v) => namedHit(flagValues, hits, v);
  }
  // =, ==, in, intersects, !=: exactly one entry named, and its name one of the constants.
  const names = Uint8Array.from(entries, (x) => (values.includes(x.name) ? 1 : 0));
  const negate = op === "!=";
  if (exact) {
    return (v) => {
      let named = -1;
      for (let i = 0; i < n; i++) {
        if (flagValues[i] !== v) continue;
        if (named >= 0) return negate;
        named = i;
      }
      return named >= 0 && names[named] === 1 ? !negate : negate;
    };
  }
  return (v) => {
    const named = singleNamed(flagValues, v);
    return named >= 0 && names[named] === 1 ? !negate : negate;
  };
}

function maskTest(masks: readonly number[], zero: boolean): ValueTest {
  if (masks.length === 1 && !zero) {
    const m = masks[0]!;
    return (v) => (v & m) >>> 0 === m;
  }
  if (masks.length === 0) return (v) => zero && v === 0;
  return (v) => {
    if (v === 0) return zero;
    for (let i = 0; i < masks.length; i++) {
      const m = masks[i]!;
      if ((v & m) >>> 0 === m) return true;
    }
    return false;
  };
}

/** sysdig's walk (render.ts flagNames) on integers: is some entry with `hits[i]` named for `initial`? */
function namedHit(values: readonly number[], hits: Uint8Array, initial: number): boolean {
  let val = initial;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const m = values[i]!;
    if (m === initial) return hits[i] === 1;
    if (m !== 0 && (val & m) >>> 0 === m && val !== 0) {
      if (hits[i] === 1) return true;
      val = (val & ~m) >>> 0;
    }
  }
  return false;
}

/** The walk again: the index of the only entry named for `initial`, or -1 (none, or several). */
function singleNamed(values: readonly number[], initial: number): number {
  let val = initial;
  let named = -1;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const m = values[i]!;
    if (m === initial) return named < 0 ? i : -1;
    if (m !== 0 && (val & m) >>> 0 === m && val !== 0) {
      if (named >= 0) return -1;
      named = i;
      val = (val & ~m) >>> 0;
    }
  }
  return named;
}
