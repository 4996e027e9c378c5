// Which syscalls the live probe is asked for: the union of what the enabled rules need and what the
// state engine needs, shaped by `base_syscalls` and -A, as Falco's configure_interesting_sets does:
//
//   rules     the syscalls behind the enabled syscall rules' event types (event names -> syscalls:
//             "open" is open, "umount" is umount and umount2, a generic event's name is its syscall);
//   state     the default base set: every syscall whose event modifies the state engine's tables
//             (EF_MODIFIES_STATE), plus those libscap never drops (UF_NEVER_DROP), plus procexit;
//   custom    `base_syscalls.custom_set`: positive names replace the state set, `!name` removes a syscall
//             from the final set; names that are not syscalls are reported, not fatal;
//   repair    `base_syscalls.repair` (without positive names): instead of the whole state set, only what
//             the rules' syscalls need to keep state right (process creation and credentials always;
//             socket/getsockopt/close with network syscalls, bind with accept/listen, close with file and
//             I/O syscalls);
//   ignored   unless `base_syscalls.all` (-A): the high-volume I/O syscalls (read/write family) that are
//             not part of the state set are left out, even when a rule asks for them;
//   procexit  always on: without it the thread table would only grow.
//
// The selection is computed in names; the probe (capture/live/selection.ts) maps them to syscall numbers
// and reports the ones it cannot capture yet.
import {
  EVENT_TABLE,
  EventCategory,
  EventFlag,
  SYSCALL_EVENT_PAIRS,
  SYSCALL_IDS_BY_NAME,
  SYSCALL_NAMES,
} from "../capture/events/table.js";
import type { EventTypes } from "../engine/evttypes.js";

/** The `base_syscalls` settings (SakerConfig.baseSyscalls). */
export interface BaseSyscalls {
  readonly customSet: readonly string[];
  readonly repair: boolean;
  readonly all: boolean;
}

/** Syscalls libscap never drops (UF_NEVER_DROP in driver/syscall_table.c), part of the state set. */
const NEVER_DROP: readonly string[] = (
  "open creat close execve clone fork vfork pipe pipe2 eventfd eventfd2 chdir fchdir openat dup dup2 " +
  "dup3 signalfd signalfd4 timerfd_create inotify_init inotify_init1 setrlimit prlimit64 socket bind " +
  "socketpair chroot userfaultfd clone3 execveat epoll_create epoll_create1 prctl close_range"
).split(" ");

/** The process-exit tracepoint's name in selections. */
export const PROCEXIT = "procexit";

/** Syscall names of each event type name (current event pairs, both directions). */
const SYSCALLS_BY_EVENT: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const [sc, pair] of SYSCALL_EVENT_PAIRS) {
    const sname = SYSCALL_NAMES[sc];
    if (sname === undefined || sname === "") continue;
    for (const code of pair) {
      const ename = EVENT_TABLE[code]?.name;
      if (ename === undefined || ename === "NA") continue;
      let list = m.get(ename);
      if (list === undefined) m.set(ename, (list = []));
      if (!list.includes(sname)) list.push(sname);
    }
  }
  return m;
})();

function pairCategory(sc: number): number {
  const pair = SYSCALL_EVENT_PAIRS.get(sc);
  if (pair === undefined) return 0;
  const x = EVENT_TABLE[pair[1]];
  const e = EVENT_TABLE[pair[0]];
  return (x?.category ?? e?.category ?? 0) & 0x3f;
}

function pairFlags(sc: number): number {
  const pair = SYSCALL_EVENT_PAIRS.get(sc);
  if (pair === undefined) return 0;
  return (EVENT_TABLE[pair[0]]?.flags ?? 0) | (EVENT_TABLE[pair[1]]?.flags ?? 0);
}

function setOfSyscalls(test: (sc: number) => boolean): ReadonlySet<string> {
  const out = new Set<string>();
  for (const sc of SYSCALL_EVENT_PAIRS.keys()) {
    const name = SYSCALL_NAMES[sc];
    if (name !== undefined && name !== "" && test(sc)) out.add(name);
  }
  return out;
}

/** libsinsp's sinsp_state_sc_set(): the syscalls the state engine needs, procexit included. */
export const STATE_SYSCALLS: ReadonlySet<string> = (() => {
  const s = new Set(setOfSyscalls((sc) => (pairFlags(sc) & EventFlag.MODIFIES_STATE) !== 0));
  for (const n of NEVER_DROP) s.add(n);
  s.add(PROCEXIT);
  return s;
})();

/** High-volume I/O syscalls outside the state set, left out unless base_syscalls.all (Falco's ignored_sc_set). */
export const IGNORED_SYSCALLS: ReadonlySet<string> = setOfSyscalls((sc) => {
  const cat = pairCategory(sc);
  return (
    (cat === EventCategory.IO_READ || cat === EventCategory.IO_WRITE) &&
    !STATE_SYSCALLS.has(SYSCALL_NAMES[sc]!)
  );
});

const NET_SYSCALLS = setOfSyscalls((sc) => pairCategory(sc) === EventCategory.NET);
const FILE_OR_IO_SYSCALLS = setOfSyscalls((sc) => {
  const c = pairCategory(sc);
  return (
    c === EventCategory.FILE ||
    c === EventCategory.IO_READ ||
    c === EventCategory.IO_WRITE ||
    c === EventCategory.IO_OTHER
  );
});

const REPAIR_ALWAYS: readonly string[] = (
  "clone clone3 fork vfork execve execveat fchdir chdir chroot capset setgid setgid32 setpgid setresgid " +
  "setresgid32 setresuid setresuid32 setsid setuid setuid32 prctl procexit"
).split(" ");

/** libsinsp's sinsp_repair_state_sc_set(): what `names` need beyond themselves, plus `names`. */
export function repairSet(names: ReadonlySet<string>): Set<string> {
  const out = new Set(names);
  for (const n of REPAIR_ALWAYS) out.add(n);
  const any = (set: ReadonlySet<string>): boolean => [...names].some((n) => set.has(n));
  if (any(NET_SYSCALLS)) {
    out.add("socket");
    out.add("getsockopt");
    out.add("close");
  }
  if (names.has("accept") || names.has("accept4") || names.has("listen")) out.add("bind");
  if (any(FILE_OR_IO_SYSCALLS)) out.add("close");
  return out;
}

function isSyscallName(name: string): boolean {
  return name === PROCEXIT || SYSCALL_IDS_BY_NAME.has(name);
}

/**
 * Event type names (as rules name them: evt.type values) to syscall names. Names that are not syscall
 * events (container, asyncevent, ...) are returned in `other`.
 */
export function syscallsForEventTypes(types: Iterable<string>): { syscalls: Set<string>; other: string[] } {
  const syscalls = new Set<string>();
  const other: string[] = [];
  for (const t of types) {
    if (t === PROCEXIT || t === "sched_process_exit") {
      syscalls.add(PROCEXIT);
      continue;
    }
    const mapped = SYSCALLS_BY_EVENT.get(t);
    if (mapped !== undefined) for (const s of mapped) syscalls.add(s);
    else if (SYSCALL_IDS_BY_NAME.has(t))
      syscalls.add(t); // a generic event, named after its syscall
    else other.push(t);
  }
  return { syscalls, other };
}

export interface SyscallSelection {
  /** What to ask the probe for (syscall names and "procexit"). */
  readonly selected: ReadonlySet<string>;
  /** The syscalls the rules need. */
  readonly rules: ReadonlySet<string>;
  /** Rule event types that are no syscall event (they never come from the probe). */
  readonly nonSyscallTypes: readonly string[];
  /** Rule syscalls left out: ignored I/O without -A, or removed with `!name`. */
  readonly notActivated: readonly string[];
  /** Syscalls added for the state engine (not asked for by rules). */
  readonly stateAdded: readonly string[];
  /** Syscalls removed through negative base_syscalls entries. */
  readonly removed: readonly string[];
  /** Syscalls erased as ignored high-volume I/O (without base_syscalls.all). */
  readonly ignored: readonly string[];
  /** base_syscalls.custom_set entries that name no syscall (Falco warns about them). */
  readonly invalidCustom: readonly string[];
  /** Syscalls added by base_syscalls.repair with a custom set. */
  readonly repaired: readonly string[];
  /** Every rule matches every event type: the selection is everything the probe captures. */
  readonly everything: boolean;
}

/** Compute the probe's selection (see the header). `ruleTypes` is Detector.eventTypes(). */
export function selectSyscalls(ruleTypes: EventTypes, base: BaseSyscalls): SyscallSelection {
  const everything = ruleTypes === "all";
  // A rule that cannot be narrowed needs every syscall there is (Falco: every ppm_sc code).
  const { syscalls: rules, other } =
    ruleTypes === "all"
      ? { syscalls: new Set<string>([...SYSCALL_IDS_BY_NAME.keys(), PROCEXIT]), other: [] }
      : syscallsForEventTypes(ruleTypes);
  const positive = new Set<string>();
  const negative = new Set<string>();
  const invalidCustom: string[] = [];
  for (const raw of base.customSet) {
    if (raw === "") continue;
    const neg = raw.startsWith("!");
    const name = neg ? raw.slice(1) : raw;
    const mapped = isSyscallName(name) ? [name] : [...syscallsForEventTypes([name]).syscalls];
    if (mapped.length === 0) {
      invalidCustom.push(raw);
      continue;
    }
    for (const n of mapped) (neg ? negative : positive).add(n);
  }

  const baseSet = positive.size > 0 ? positive : STATE_SYSCALLS;
  let selected = new Set<string>([...rules, ...baseSet]);
  if (base.repair && positive.size === 0) selected = repairSet(rules);
  const removed: string[] = [];
  for (const n of negative) if (selected.delete(n)) removed.push(n);
  const ignored: string[] = [];
  if (!base.all) {
    for (const n of IGNORED_SYSCALLS) if (selected.delete(n)) ignored.push(n);
  }
  const repaired: string[] = [];
  if (base.repair && base.customSet.length > 0) {
    const before = new Set(selected);
    selected = repairSet(selected);
    for (const n of selected) if (!before.has(n)) repaired.push(n);
  }
  selected.add(PROCEXIT);

  const stateAdded = [...selected].filter((n) => !rules.has(n)).sort();
  const notActivated = [...rules].filter((n) => !selected.has(n)).sort();
  return {
    selected,
    rules,
    nonSyscallTypes: other.sort(),
    notActivated,
    stateAdded,
    removed: removed.sort(),
    ignored: ignored.sort(),
    invalidCustom,
    repaired: repaired.sort(),
    everything,
  };
}
