// Facts the syscall source needs about events beyond the event table: how libsinsp 0.29 (sysdig
// 0.29.3, the conformance oracle) named and classified generic syscall events, whose syscall id
// table has since been renamed in a few places, and small helpers shared by the extractors.
import { LEGACY_SYSCALL_NAMES } from "../../../capture/events/render/legacy.js";
import { EVENT_TABLE, EventType, SYSCALL_NAMES } from "../../../capture/events/table.js";
import type { SyscallEvent } from "../../../state/event.js";
import { EVENT_FLAGS } from "../../../state/params.js";

/** Category (EC_*) of each syscall id of generic events, as libsinsp 0.29's syscall table has it. */
const LEGACY_SYSCALL_CATEGORY: readonly number[] = [
  1, 8, 6, 32, 33, 2, 2, 2, 2, 2, 2, 11, 2, 2, 2, 2, 6, 2, 1, 11, 2, 64, 11, 2, 34, 4, 2, 2, 2, 34, 4, 11, 5,
  6, 34, 64, 6, 6, 4, 2, 34, 6, 6, 6, 8, 6, 6, 11, 11, 2, 2, 2, 6, 6, 8, 2, 2, 2, 2, 2, 6, 6, 2, 2, 8, 11, 11,
  8, 1, 64, 8, 8, 34, 8, 8, 5, 8, 8, 8, 6, 2, 8, 6, 2, 64, 2, 34, 32, 33, 6, 34, 5, 5, 5, 5, 6, 6, 6, 6, 7, 6,
  6, 6, 7, 2, 64, 6, 9, 9, 9, 9, 9, 9, 2, 6, 6, 2, 6, 2, 10, 10, 10, 10, 10, 10, 10, 10, 2, 10, 10, 10, 10, 2,
  10, 10, 10, 10, 6, 5, 5, 6, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 9, 4, 6, 6, 6, 6, 34, 34, 34, 34, 34, 34,
  64, 64, 64, 2, 6, 11, 11, 11, 11, 11, 11, 11, 11, 7, 9, 2, 4, 4, 4, 4, 4, 4, 8, 64, 8, 8, 8, 6, 6, 4, 4, 4,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 64, 64, 6, 6, 6, 4, 4, 4, 6, 64, 2, 9, 11, 4, 11, 11, 9, 4, 64, 34, 4,
  4, 32, 33, 1, 1, 4, 6, 1, 2, 6, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4,
  4, 4, 4, 4, 2, 2, 2, 2, 6, 1, 9, 4, 3, 2, 2, 2, 2, 2, 64, 9, 9, 9, 8, 2, 9, 6, 11, 2, 64, 2, 2, 6, 4, 9, 34,
  34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 8, 1, 1, 34, 34, 34, 2, 2, 2, 2, 8, 8, 2, 6, 6,
];

/** True for the generic syscall events, whose first parameter is the syscall id. */
export function isGeneric(type: number): boolean {
  return type === EventType.GENERIC_E || type === EventType.GENERIC_X;
}

/** The syscall id of a generic event, or -1. */
export function genericId(e: SyscallEvent): number {
  return e.ev.paramU16(0) ?? -1;
}

/** Name of a syscall id as evt.type shows it. */
export function syscallIdName(id: number): string {
  const legacy = LEGACY_SYSCALL_NAMES.get(id);
  if (legacy !== undefined) return legacy;
  const n = SYSCALL_NAMES[id];
  return n === undefined || n === "" ? "<unknown>" : n;
}

/** Category (EC_*) of a syscall id of a generic event. */
export function syscallIdCategory(id: number): number {
  return LEGACY_SYSCALL_CATEGORY[id] ?? 1;
}

/** evt.type of an event: the syscall's name for generic events, else the event table's. */
export function eventTypeName(e: SyscallEvent): string {
  const type = e.ev.type;
  if (isGeneric(type)) return syscallIdName(genericId(e));
  return EVENT_TABLE[type]?.name ?? "NA";
}

/** Flags of an event type (libsinsp 0.29's view, see state/params.ts). */
export function eventFlags(type: number): number {
  return EVENT_FLAGS[type] ?? 0;
}

/** Category of an event type without its source bits. */
export function eventCategory(type: number): number {
  return (EVENT_TABLE[type]?.category ?? 0) & 0x1ff;
}

export function isEnter(type: number): boolean {
  return (type & 1) === 0;
}
