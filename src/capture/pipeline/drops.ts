// Falco's syscall event drop monitor (`syscall_event_drops`), as it runs over a capture file.
//
// Once per second of event time (the first check one second after the first event, then one second
// after each check, compared strictly) the monitor compares the driver's drop counters with the last
// check. A capture file has no driver counters (libscap's savefile engine reports zeros), so the only
// drops a replay sees are simulated ones: with `simulate_drops: true` every check adds one, and the
// threshold is forced to 0. A check with drops whose ratio (drops / events, Infinity when no events were
// counted) exceeds the threshold is an occurrence; a token bucket (`rate` tokens per second of event
// time, `max_burst` at most, full at the start) decides whether the configured actions run:
//   ignore  nothing;            log    Falco's log at debug level;
//   alert   an internal alert (source "internal", priority Debug) through the outputs;
//   exit    two critical log lines ("...dropped in last second.", "Exiting.") and the replay stops.
// Every configured action runs, in configuration order (Falco >= 0.36; earlier versions ran only the
// first one of an unordered set). At the end Falco prints how many occurrences there were and how many
// times actions were taken.
//
// Per event this costs one timestamp comparison and allocates nothing; work happens once a second.
import type { ScapEvent } from "../scap/event.js";

export type DropAction = "ignore" | "log" | "alert" | "exit";

/** The `syscall_event_drops` settings (SakerConfig.syscallEventDrops has this shape). */
export interface DropMonitorSettings {
  readonly actions: ReadonlySet<DropAction>;
  /** 0..1 (the configuration checks the range). */
  readonly threshold: number;
  /** Tokens per second. */
  readonly rate: number;
  readonly maxBurst: number;
  readonly simulateDrops: boolean;
}

/** Where the monitor's effects go. */
export interface DropMonitorHooks {
  /** A Falco log line at a syslog level (2 critical, 6 info, 7 debug). */
  log(level: number, message: string): void;
  /** An internal alert: `Falco internal: syscall event drop` with its output fields. */
  alert(time: bigint, rule: string, message: string, fields: Readonly<Record<string, string>>): void;
}

export const DROP_RULE = "Falco internal: syscall event drop";

const NS_PER_S = 1e9;
export const LOG_CRIT = 2;
export const LOG_INFO = 6;
export const LOG_DEBUG = 7;

/** libsinsp's token_bucket, driven by event time. */
export class TokenBucket {
  private tokens: number;
  private lastSec = -1;
  private lastNsec = 0;

  constructor(
    private readonly rate: number,
    private readonly maxTokens: number,
  ) {
    this.tokens = maxTokens;
  }

  /**
   * Take one token at time (sec, nsec) if there is one. Falco starts the bucket at the wall-clock time,
   * so the first claim with an older event time wraps around an unsigned difference and refills it; a
   * time going backwards does the same here.
   */
  claim(sec: number, nsec: number): boolean {
    if (this.lastSec < 0 || sec < this.lastSec || (sec === this.lastSec && nsec < this.lastNsec)) {
      this.tokens = this.maxTokens;
    } else {
      const elapsed = sec - this.lastSec + (nsec - this.lastNsec) / NS_PER_S;
      this.tokens = Math.min(this.maxTokens, this.tokens + this.rate * elapsed);
    }
    this.lastSec = sec;
    this.lastNsec = nsec;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class SyscallDropMonitor {
  /** Checks that found drops above the threshold. */
  occurrences = 0;
  /** Occurrences the token bucket let act. */
  actionsTaken = 0;
  private nextSec = -1;
  private nextNsec = 0;
  private readonly threshold: number;
  private readonly bucket: TokenBucket;
  private readonly actions: readonly DropAction[];

  constructor(
    private readonly settings: DropMonitorSettings,
    private readonly hooks: DropMonitorHooks,
  ) {
    this.threshold = settings.simulateDrops ? 0 : settings.threshold;
    this.bucket = new TokenBucket(settings.rate, settings.maxBurst);
    this.actions = [...settings.actions];
  }

  /** Per event (in stream order). Returns false when an `exit` action asks the replay to stop. */
  onEvent(ev: ScapEvent): boolean {
    const sec = ev.tsSeconds();
    const nsec = ev.tsNanos();
    if (this.nextSec < 0) {
      this.nextSec = sec + 1;
      this.nextNsec = nsec;
      return true;
    }
    if (sec < this.nextSec || (sec === this.nextSec && nsec <= this.nextNsec)) return true;
    this.nextSec = sec + 1;
    this.nextNsec = nsec;
    return this.check(ev, sec, nsec);
  }

  private check(ev: ScapEvent, sec: number, nsec: number): boolean {
    // A capture file has no driver counters: both deltas are 0 unless a drop is simulated.
    const events = 0;
    let drops = 0;
    if (this.settings.simulateDrops) {
      this.hooks.log(LOG_INFO, "Simulating syscall event drop");
      drops++;
    }
    if (drops === 0) return true;
    const ratio = drops / events; // Infinity: no counted events
    if (!(ratio > this.threshold)) return true;
    this.occurrences++;
    if (!this.bucket.claim(sec, nsec)) {
      this.hooks.log(LOG_DEBUG, "Syscall event drop but token bucket depleted, skipping actions");
      return true;
    }
    this.actionsTaken++;
    return this.act(ev.ts, events, drops);
  }

  private act(time: bigint, events: number, drops: number): boolean {
    const message = `${DROP_RULE}. ${drops} system calls dropped in last second.`;
    let proceed = true;
    for (const action of this.actions) {
      switch (action) {
        case "ignore":
          break;
        case "log":
          this.hooks.log(LOG_DEBUG, message);
          break;
        case "alert":
          this.hooks.alert(time, DROP_RULE, message, dropFields(events, drops));
          break;
        case "exit":
          this.hooks.log(LOG_CRIT, message);
          this.hooks.log(LOG_CRIT, "Exiting.");
          proceed = false;
          break;
      }
    }
    return proceed;
  }
}

/** The alert's output fields: the counters of the last second, as strings (Falco's std::to_string). */
function dropFields(events: number, drops: number): Record<string, string> {
  return {
    n_evts: String(events),
    n_drops: String(drops),
    n_drops_buffer_total: "0",
    n_drops_buffer_clone_fork_enter: "0",
    n_drops_buffer_clone_fork_exit: "0",
    n_drops_buffer_execve_enter: "0",
    n_drops_buffer_execve_exit: "0",
    n_drops_buffer_connect_enter: "0",
    n_drops_buffer_connect_exit: "0",
    n_drops_buffer_open_enter: "0",
    n_drops_buffer_open_exit: "0",
    n_drops_buffer_dir_file_enter: "0",
    n_drops_buffer_dir_file_exit: "0",
    n_drops_buffer_other_interest_enter: "0",
    n_drops_buffer_other_interest_exit: "0",
    n_drops_scratch_map: "0",
    n_drops_page_faults: "0",
    n_drops_bug: "0",
    ebpf_enabled: "0",
  };
}

/** Falco's end-of-run drop statistics (stderr). */
export function formatDropStats(occurrences: number, actionsTaken: number): string {
  return (
    "Syscall event drop monitoring:\n" +
    `   - event drop detected: ${occurrences} occurrences\n` +
    `   - num times actions taken: ${actionsTaken}\n`
  );
}
