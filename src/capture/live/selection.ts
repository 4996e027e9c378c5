// Which syscalls the probe captures: names (the event table's syscall names, as the rule
// compiler's union of event types yields them) -> the probe's selection table, indexed by x86_64
// syscall number, holding the ppm_sc id to report (0 = off).
//
// A syscall with a dedicated handler in the probe yields its own exit event. One without a
// dedicated event in the table yields a generic event. One that has a dedicated event in the table
// but no handler in the probe yet is left off and reported as unsupported: a generic event would
// hide it from rules written against its real event.

import { SYSCALL_EVENT_PAIRS, SYSCALL_IDS_BY_NAME } from "../events/table.js";
import { X86_64_SYSCALL_NAMES } from "./syscall-numbers.js";
import { TP_PROCEXIT } from "./protocol.js";

/** Syscall numbers by name (x86_64). */
export const SYSCALL_NUMBERS: ReadonlyMap<string, number> = new Map(
  X86_64_SYSCALL_NAMES.flatMap((n, nr) => (n === "" ? [] : [[n, nr] as const])),
);

/** Names that switch on the process-exit tracepoint rather than a syscall. */
const PROCEXIT_NAMES = new Set(["procexit", "sched_process_exit"]);

export interface Selection {
  /** ppm_sc id per syscall number (0 = not captured). */
  readonly table: Uint16Array;
  /** Tracepoint flags (TP_PROCEXIT). */
  readonly tpFlags: number;
  /** Names captured with their own event. */
  readonly dedicated: readonly string[];
  /** Names captured as generic events. */
  readonly generic: readonly string[];
  /** Names not captured: no handler in the probe for their dedicated event. */
  readonly unsupported: readonly string[];
  /** Names that are not syscalls of this architecture (or not syscalls at all). */
  readonly unknown: readonly string[];
}

/**
 * Builds the selection for `names` ("all" = every syscall the probe can report, plus procexit).
 * `handled` is the set of syscall numbers with a dedicated handler (from the loader's HELLO).
 */
export function buildSelection(
  names: Iterable<string> | "all",
  handled: ReadonlySet<number>,
  scMax: number,
): Selection {
  const table = new Uint16Array(scMax);
  let tpFlags = 0;
  const dedicated: string[] = [];
  const generic: string[] = [];
  const unsupported: string[] = [];
  const unknown: string[] = [];
  const wanted = names === "all" ? [...SYSCALL_NUMBERS.keys(), "procexit"] : names;
  for (const name of new Set(wanted)) {
    if (PROCEXIT_NAMES.has(name)) {
      tpFlags |= TP_PROCEXIT;
      dedicated.push(name);
      continue;
    }
    const nr = SYSCALL_NUMBERS.get(name);
    const sc = SYSCALL_IDS_BY_NAME.get(name);
    if (nr === undefined || sc === undefined || nr >= scMax) {
      unknown.push(name);
    } else if (handled.has(nr)) {
      table[nr] = sc;
      dedicated.push(name);
    } else if (SYSCALL_EVENT_PAIRS.has(sc)) {
      unsupported.push(name);
    } else {
      table[nr] = sc;
      generic.push(name);
    }
  }
  return { table, tpFlags, dedicated, generic, unsupported, unknown };
}
