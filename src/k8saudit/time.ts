// Audit event time. The k8saudit plugin stamps each event with its `stageTimestamp`, parsed as Go's
// RFC3339Nano; that becomes the event time (evt.time) and json.rawtime. The legacy jevt.time fields
// format it as libsinsp does. Seconds and nanoseconds are kept as two numbers so parsing allocates
// nothing; a bigint is made only when a field asks for the raw nanosecond count.

import { civilFromDays, type CivilDate } from "../common/calendar.js";

export interface Timestamp {
  /** Seconds since the Unix epoch (negative before 1970). */
  seconds: number;
  /** 0 .. 999_999_999. */
  nanos: number;
}

function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Parse `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with the range checks Go's time.Parse applies
 * (RFC3339Nano layout: one or more fraction digits after '.' or ',') into `out`. False when malformed
 * (then `out` is untouched). Writing into a caller's object keeps parsing allocation-free.
 */
export function parseRfc3339(s: string, out: Timestamp): boolean {
  if (s.length < 20) return false;
  if (s[4] !== "-" || s[7] !== "-" || s[10] !== "T" || s[13] !== ":" || s[16] !== ":") return false;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const min = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 59) return false;
  let i = 19;
  let nanos = 0;
  if (s[i] === "." || s[i] === ",") {
    const start = ++i;
    while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
    const n = Math.min(i - start, 9); // Go reads at most nine digits and ignores the rest
    if (n < 1) return false;
    nanos = digits(s, start, n) * 10 ** (9 - n);
  }
  let offset = 0;
  if (s[i] === "Z" && i + 1 === s.length) {
    offset = 0;
  } else if ((s[i] === "+" || s[i] === "-") && i + 6 === s.length && s[i + 3] === ":") {
    const oh = digits(s, i + 1, 2);
    const om = digits(s, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return false;
    offset = (oh * 3600 + om * 60) * (s[i] === "-" ? -1 : 1);
  } else {
    return false;
  }
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec - offset;
  out.seconds = seconds;
  out.nanos = nanos;
  return true;
}

/** Nanoseconds since the epoch as the unsigned 64-bit count plugins report. */
export function timestampNanos(ts: Readonly<Timestamp>): bigint {
  return BigInt.asUintN(64, BigInt(ts.seconds) * 1_000_000_000n + BigInt(ts.nanos));
}

function pad(v: number, width: number): string {
  return String(v).padStart(width, "0");
}

const civil: CivilDate = { year: 0, month: 0, day: 0 };

/** Calendar date of a day count since 1970-01-01, as YYYY-MM-DD. */
function civilFromDaysText(days: number): string {
  const { year, month, day } = civilFromDays(days, civil);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function clock(secondOfDay: number): string {
  const s = secondOfDay;
  return `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor((s % 3600) / 60), 2)}:${pad(s % 60, 2)}`;
}

/**
 * libsinsp's ts_to_string: `[YYYY-MM-DD ]HH:MM:SS[.nnnnnnnnn]` in the zone `zoneOffsetSeconds` east of
 * UTC (evt.time, evt.time.s, evt.datetime, evt.datetime.s, jevt.time).
 */
export function formatLocal(
  ts: Readonly<Timestamp>,
  zoneOffsetSeconds: number,
  date: boolean,
  nanos: boolean,
): string {
  const local = ts.seconds + zoneOffsetSeconds;
  const days = Math.floor(local / 86400);
  let out = clock(local - days * 86400);
  if (nanos) out += "." + pad(ts.nanos, 9);
  return date ? civilFromDaysText(days) + " " + out : out;
}

/** libsinsp's ts_to_iso_8601: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000` (always UTC). */
export function formatIso8601(ts: Readonly<Timestamp>): string {
  const days = Math.floor(ts.seconds / 86400);
  return `${civilFromDaysText(days)}T${clock(ts.seconds - days * 86400)}.${pad(ts.nanos, 9)}+0000`;
}

/** The local zone's offset from UTC in seconds, as libsinsp's gmt2local(0) computes it (now, not at ts). */
export function localZoneOffsetSeconds(): number {
  return -new Date().getTimezoneOffset() * 60;
}
