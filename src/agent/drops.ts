// Falco's syscall event drop monitor (`syscall_event_drops`) over the live probe's counters.
//
// Once per second of event time (the first check one second after the first event, then one second after
// each check), the monitor compares the probe's counters with the previous check: n_evts is the change in
// events the probe produced (sent + dropped: Falco's n_evts includes its drops), n_drops the change in
// drops of every cause. A check whose ratio n_drops / n_evts exceeds `threshold` is an occurrence; a token
// bucket (`rate` per second, at most `max_burst`, full at start) decides whether the actions run:
//   ignore  nothing;
//   log     the message at debug level;
//   alert   the internal alert "Falco internal: syscall event drop" (priority Debug, source internal) with
//           the counters of the last second as output fields;
//   exit    two critical log lines ("... dropped in last second.", "Exiting.") and the agent stops with an
//           error, as Falco's "Drop manager internal error".
// `simulate_drops: true` adds one drop at every check and forces the threshold to 0 (for testing).
//
// Counters map onto Falco's fields as follows: n_drops_buffer_total is the probe's ring-buffer-full
// drops; n_drops_scratch_map its too-big and scratch-busy drops (the event could not be built in the
// per-CPU scratch area); the per-syscall-category buffer counters are 0 (the probe does not split drops
// by category); ebpf_enabled is 1.
//
// Per event this costs one comparison of the event time; the work happens once a second.
import type { LiveStats } from "../capture/live/protocol.js";
import {
  DROP_RULE,
  TokenBucket,
  formatDropStats,
  type DropMonitorSettings,
} from "../capture/pipeline/drops.js";

export { DROP_RULE, formatDropStats };
export type { DropMonitorSettings };

export const LOG_CRIT = 2;
export const LOG_INFO = 6;
export const LOG_DEBUG = 7;

export interface LiveDropHooks {
  log(level: number, message: string): void;
  /** The internal alert: event time (ns), rule name, message, output fields. */
  alert(timeNs: bigint, rule: string, message: string, fields: Readonly<Record<string, string>>): void;
}

const NS = 1e9;

export class LiveDropMonitor {
  /** Checks that found drops above the threshold. */
  occurrences = 0;
  /** Occurrences the token bucket let act. */
  actionsTaken = 0;
  private nextCheck = 0;
  private lastEvents = 0;
  private lastDrops = 0;
  private lastFull = 0;
  private lastScratch = 0;
  private readonly threshold: number;
  private readonly bucket: TokenBucket;
  private readonly actions: readonly string[];

  constructor(
    private readonly settings: DropMonitorSettings,
    private readonly hooks: LiveDropHooks,
    private readonly counters: () => LiveStats,
  ) {
    this.threshold = settings.simulateDrops ? 0 : settings.threshold;
    this.bucket = new TokenBucket(settings.rate, settings.maxBurst);
    this.actions = [...settings.actions];
    this.baseline(counters());
  }

  /** Per event, with its time in ns (SyscallEvent.tsNs). False when an `exit` action asks to stop. */
  onEvent(tsNs: number): boolean {
    if (this.nextCheck === 0) {
      this.nextCheck = tsNs + NS;
      return true;
    }
    if (!(this.nextCheck < tsNs)) return true;
    this.nextCheck = tsNs + NS;
    return this.check(tsNs);
  }

  private baseline(s: LiveStats): void {
    this.lastEvents = s.sent + s.drops;
    this.lastDrops = s.drops;
    this.lastFull = s.dropFull;
    this.lastScratch = s.dropTooBig + s.dropBusy;
  }

  private check(tsNs: number): boolean {
    const s = this.counters();
    const events = s.sent + s.drops - this.lastEvents;
    let drops = s.drops - this.lastDrops;
    const full = s.dropFull - this.lastFull;
    const scratch = s.dropTooBig + s.dropBusy - this.lastScratch;
    this.baseline(s);
    if (this.settings.simulateDrops) {
      this.hooks.log(LOG_INFO, "Simulating syscall event drop");
      drops++;
    }
    if (drops <= 0) return true;
    const ratio = drops / events; // Infinity when no event was counted, as in Falco
    if (!(ratio > this.threshold)) return true;
    this.occurrences++;
    const sec = Math.floor(tsNs / NS);
    if (!this.bucket.claim(sec, tsNs - sec * NS)) {
      this.hooks.log(LOG_DEBUG, "Syscall event drop but token bucket depleted, skipping actions");
      return true;
    }
    this.actionsTaken++;
    return this.act(tsNs, events, drops, full, scratch);
  }

  private act(tsNs: number, events: number, drops: number, full: number, scratch: number): boolean {
    const message = `${DROP_RULE}. ${drops} system calls dropped in last second.`;
    let proceed = true;
    for (const action of this.actions) {
      switch (action) {
        case "log":
          this.hooks.log(LOG_DEBUG, message);
          break;
        case "alert":
          this.hooks.alert(
            BigInt(Math.round(tsNs)),
            DROP_RULE,
            message,
            dropFields(events, drops, full, scratch),
          );
          break;
        case "exit":
          this.hooks.log(LOG_CRIT, message);
          this.hooks.log(LOG_CRIT, "Exiting.");
          proceed = false;
          break;
        default:
          break; // ignore
      }
    }
    return proceed;
  }
}

/** The alert's output fields, as strings (Falco's std::to_string), in current Falco's set. */
export function dropFields(
  events: number,
  drops: number,
  full: number,
  scratch: number,
): Record<string, string> {
  return {
    n_evts: String(events),
    n_drops: String(drops),
    n_drops_buffer_total: String(full),
    n_drops_buffer_clone_fork_exit: "0",
    n_drops_buffer_execve_exit: "0",
    n_drops_buffer_connect_exit: "0",
    n_drops_buffer_open_exit: "0",
    n_drops_buffer_dir_file_exit: "0",
    n_drops_buffer_other_interest_exit: "0",
    n_drops_buffer_close_exit: "0",
    n_drops_buffer_proc_exit: "0",
    n_drops_scratch_map: String(scratch),
    n_drops_page_faults: "0",
    n_drops_bug: "0",
    ebpf_enabled: "1",
  };
}
