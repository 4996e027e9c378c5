// Falco's operational log (falco_logger), as a replay writes it to stderr: a message is written when its
// syslog level is at or above the configured `log_level`, prefixed with the wall-clock time, either
// `YYYY-MM-DDTHH:MM:SS+0000` (UTC, with time_format_iso_8601) or asctime's 24 characters in local time
// (`Wed Aug  2 10:00:00 2023`). With a `syslog` hook (log_syslog, the agent), each message at or above
// the level also goes there, whatever log_stderr says. Text that came from input (file names) is escaped
// by the caller.
import type { LogLevel } from "../../config/types.js";

const LEVELS: Readonly<Record<LogLevel, number>> = {
  emergency: 0,
  alert: 1,
  critical: 2,
  error: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

export interface LoggerSettings {
  /** log_level (default "info"). */
  readonly level?: LogLevel;
  /** log_stderr (default true). */
  readonly stderr?: boolean;
  /** time_format_iso_8601 (default false). */
  readonly iso8601?: boolean;
  /** Wall clock in ms since the epoch (default Date.now); tests pin it. */
  readonly clock?: () => number;
  /** log_syslog: also hand each message (without the time prefix) to syslog at its level. */
  readonly syslog?: (level: number, message: string) => void;
}

export type LogSink = (line: string) => void;

export class FalcoLogger {
  private readonly max: number;
  private readonly enabled: boolean;
  private readonly iso: boolean;
  private readonly clock: () => number;
  private readonly syslog: ((level: number, message: string) => void) | undefined;

  constructor(
    settings: LoggerSettings,
    private readonly sink: LogSink,
  ) {
    this.max = LEVELS[settings.level ?? "info"];
    this.enabled = settings.stderr ?? true;
    this.iso = settings.iso8601 ?? false;
    this.clock = settings.clock ?? Date.now;
    this.syslog = settings.syslog;
  }

  /** Would a message at this syslog level be written? */
  wants(level: number): boolean {
    return this.enabled && level <= this.max;
  }

  log(level: number, message: string): void {
    if (this.syslog !== undefined && level <= this.max) this.syslog(level, message.replace(/\n$/, ""));
    if (!this.wants(level)) return;
    const text = message.endsWith("\n") ? message : message + "\n";
    this.sink(logTime(this.clock(), this.iso) + ": " + text);
  }
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const pad2 = (n: number): string => (n < 10 ? "0" + n : String(n));

/** The prefix of a log line written at `ms` (strftime "%FT%T%z" over gmtime, or asctime(localtime)). */
export function logTime(ms: number, iso: boolean): string {
  const d = new Date(ms);
  if (iso) {
    return (
      `${String(d.getUTCFullYear()).padStart(4, "0")}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
      `T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}+0000`
    );
  }
  const day = String(d.getDate()).padStart(2, " ");
  return (
    `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${d.getFullYear()}`
  );
}
