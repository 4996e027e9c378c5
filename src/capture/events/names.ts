// The names libsinsp accepts as `evt.type` values: every name in the event table (all versions,
// including the "NA" placeholder name and the generic "syscall"), plus every syscall name of the
// syscall id table (those syscalls without a dedicated event arrive as generic events whose
// evt.type is the syscall name; tracepoint names such as sched_process_exit are in that table too).
// This mirrors sinsp_filter_check_event's validation of evt.type values (plugin async event names
// are added by the plugin layer, not here).

import { EVENT_TABLE, SYSCALL_NAMES } from "./table.js";

function build(): ReadonlySet<string> {
  const s = new Set<string>();
  for (const e of EVENT_TABLE) if (e.name !== "") s.add(e.name);
  for (const n of SYSCALL_NAMES) if (n !== "") s.add(n);
  return s;
}

/** Every name accepted as an `evt.type` value. */
export const EVENT_TYPE_NAMES: ReadonlySet<string> = build();

/** Names of events in the event table (not counting syscall-only names). */
export const EVENT_TABLE_NAMES: ReadonlySet<string> = new Set(
  EVENT_TABLE.map((e) => e.name).filter((n) => n !== ""),
);
