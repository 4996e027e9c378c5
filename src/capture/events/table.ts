// The scap event table: per event code, its name, category, flags, direction and parameters.
// The raw facts live in generated.ts (written by scripts/gen-event-table.mjs); this module turns
// them into objects of one shape, built once at load time, and offers the lookups the decoder,
// the state engine and the rule compiler need.
//
// Old and new versions of an event share a name (e.g. execve has versions 8, 13, 14, ..., 19);
// captures carry the code of the version that wrote them, and a capture's event may carry fewer
// parameters than the table lists (parameters are only ever appended to a version).

import {
  DYN_TABLE_DATA,
  EVENT_ROWS,
  EVENT_TYPE_MAX,
  EventCategory,
  EventFlag,
  EventType,
  FLAG_TABLE_DATA,
  PPM_SC_NAMES,
  ParamType,
  PrintFormat,
  SC_EVENT_PAIRS,
} from "./generated.js";

export { EVENT_TYPE_MAX, EventCategory, EventFlag, EventType, ParamType, PrintFormat };

export const enum Direction {
  ENTER = 0,
  EXIT = 1,
}

/** Mask of the syscall-category part of a category value (the low bits). */
export const CATEGORY_SYSCALL_MASK = 0x3f;
/** Source bits of a category value (syscall, tracepoint, plugin, metaevent, iterator, ...). */
export const CATEGORY_SOURCE_MASK = ~CATEGORY_SYSCALL_MASK & 0xffff;

/** One entry of a flag or enum value table. */
export interface NameValue {
  readonly name: string;
  readonly value: number;
}

/** A value table for PT_FLAGS* / PT_ENUMFLAGS* / PT_MODE parameters. */
export interface FlagTable {
  readonly name: string;
  readonly entries: readonly NameValue[];
}

/** For PT_DYN parameters: the type and format selected by the parameter's 1-byte index prefix. */
export interface DynParamInfo {
  readonly type: ParamType;
  readonly fmt: PrintFormat;
}

export interface ParamInfo {
  readonly name: string;
  readonly type: ParamType;
  readonly fmt: PrintFormat;
  /** Flag/enum value table, or null. */
  readonly flags: FlagTable | null;
  /** PT_DYN: the possible types, indexed by the value's prefix byte; else null. */
  readonly dynamic: readonly DynParamInfo[] | null;
  /** PT_FSRELPATH: index of the dirfd parameter the path is relative to; else -1. */
  readonly dirfdParam: number;
}

export interface EventInfo {
  readonly code: EventType;
  /** The name libsinsp uses for evt.type ("NA" for unused slots). */
  readonly name: string;
  readonly category: number;
  readonly flags: number;
  readonly direction: Direction;
  readonly params: readonly ParamInfo[];
}

const flagTables = new Map<string, FlagTable>();
for (const [name, rows] of Object.entries(FLAG_TABLE_DATA)) {
  flagTables.set(name, { name, entries: rows.map(([n, v]) => ({ name: n, value: v })) });
}

const dynTables = new Map<string, readonly DynParamInfo[]>();
for (const [name, rows] of Object.entries(DYN_TABLE_DATA)) {
  dynTables.set(
    name,
    rows.map(([t, f]) => ({ type: t as ParamType, fmt: f as PrintFormat })),
  );
}

function buildParam(row: readonly [string, number, number, string | number | null]): ParamInfo {
  const [name, type, fmt, info] = row;
  return {
    name,
    type: type as ParamType,
    fmt: fmt as PrintFormat,
    flags: typeof info === "string" ? (flagTables.get(info) ?? null) : null,
    dynamic: typeof info === "string" ? (dynTables.get(info) ?? null) : null,
    dirfdParam: typeof info === "number" ? info : -1,
  };
}

/** The event table, indexed by event code (0 .. EVENT_TYPE_MAX-1). */
export const EVENT_TABLE: readonly EventInfo[] = EVENT_ROWS.map(([name, category, flags, params], code) => ({
  code: code as EventType,
  name,
  category,
  flags,
  direction: (code & 1) === 0 ? Direction.ENTER : Direction.EXIT,
  params: params.map(buildParam),
}));

/** The table entry of an event code, or undefined if the code is out of range. */
export function eventInfo(code: number): EventInfo | undefined {
  return EVENT_TABLE[code];
}

/** Enter (even codes) or exit (odd codes), as libscap defines it. */
export function eventDirection(code: number): Direction {
  return (code & 1) === 0 ? Direction.ENTER : Direction.EXIT;
}

/** True if the event is flagged EF_UNUSED or is an EC_UNKNOWN placeholder. */
export function isUnusedEvent(code: number): boolean {
  const e = EVENT_TABLE[code];
  return e === undefined || (e.flags & EventFlag.UNUSED) !== 0 || e.category === EventCategory.UNKNOWN;
}

/** True if the event is a generic syscall event (name "syscall"), whose real name comes from its ID. */
export function isGenericEvent(code: number): boolean {
  return code === EventType.GENERIC_E || code === EventType.GENERIC_X;
}

/** Event codes by name, all versions and both directions, excluding "NA" placeholders. */
export const EVENT_CODES_BY_NAME: ReadonlyMap<string, readonly EventType[]> = (() => {
  const m = new Map<string, EventType[]>();
  for (const e of EVENT_TABLE) {
    if (e.category === EventCategory.UNKNOWN) continue;
    let list = m.get(e.name);
    if (list === undefined) {
      list = [];
      m.set(e.name, list);
    }
    list.push(e.code);
  }
  return m;
})();

/**
 * Syscall names by syscall id (ppm_sc code), as carried by the ID parameter (PT_SYSCALLID) of
 * generic events; "" where the id is unassigned.
 */
export const SYSCALL_NAMES: readonly string[] = PPM_SC_NAMES;

/** Name of a syscall id (PT_SYSCALLID value), or undefined if unknown. */
export function syscallName(id: number): string | undefined {
  const n = SYSCALL_NAMES[id];
  return n === undefined || n === "" ? undefined : n;
}

/** Syscall id by name. */
export const SYSCALL_IDS_BY_NAME: ReadonlyMap<string, number> = new Map(
  SYSCALL_NAMES.flatMap((n, i) => (n === "" ? [] : [[n, i] as const])),
);

/**
 * Syscalls with a dedicated (non-generic) event pair in the current driver: syscall id ->
 * [enter code, exit code]. Syscalls not listed here are delivered as generic events.
 */
export const SYSCALL_EVENT_PAIRS: ReadonlyMap<number, readonly [EventType, EventType]> = new Map(
  SC_EVENT_PAIRS.map(([sc, e, x]) => [sc, [e as EventType, x as EventType] as const]),
);

/** Look up a flag/enum value table by its upstream name (e.g. "file_flags"). */
export function flagTable(name: string): FlagTable | undefined {
  return flagTables.get(name);
}
