// Event timestamps (bigint nanoseconds since the epoch) as Falco prints them. Three forms:
// - ISO 8601 with the zone written "+0000" (libsinsp `evt.time.iso8601`, the text prefix when
//   `time_format_iso_8601` is on): 2016-08-04T16:17:57.882054739+0000
// - local time of day (libsinsp `evt.time`, the default text prefix): 18:17:57.882054739
// - the JSON alert's "time" key, always UTC with a Z: 2016-08-04T16:17:57.882054739Z
// Calendar fields come from integer arithmetic (days-from-civil), not from Date objects, and the last
// second's calendar text is reused, so formatting allocates little beyond the result string.

import { civilFromDays, type CivilDate } from "../common/calendar.js";
const NS_PER_S = 1_000_000_000n;
const SECONDS_PER_DAY = 86_400;

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000`, as libsinsp formats `evt.time.iso8601`. */
export function formatIso8601(ts: bigint): string {
  const t = split(ts);
  return utcDateTime(t) + "." + splitNanos + "+0000";
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, the "time" key of Falco's JSON alerts. */
export function formatJsonTime(ts: bigint): string {
  const t = split(ts);
  return utcDateTime(t) + "." + splitNanos + "Z";
}

/**
 * `HH:MM:SS.nnnnnnnnn` in local time, as libsinsp formats `evt.time`. Like libsinsp, the zone offset
 * is the one in force now (at formatting time), not at the event's time; pass `offsetSeconds` (east
 * of UTC) to pin it, as tests do.
 */
export function formatLocalTime(ts: bigint, offsetSeconds: number = localZoneOffsetSeconds()): string {
  const secondsText = split(ts);
  if (secondsText !== cachedLocalSeconds || offsetSeconds !== cachedLocalOffset) {
    let s = (Number(secondsText) + offsetSeconds) % SECONDS_PER_DAY;
    if (s < 0) s += SECONDS_PER_DAY;
    cachedLocalSeconds = secondsText;
    cachedLocalOffset = offsetSeconds;
    cachedLocalTime =
      pad2(Math.floor(s / 3600)) + ":" + pad2(Math.floor((s % 3600) / 60)) + ":" + pad2(s % 60);
  }
  return cachedLocalTime + "." + splitNanos;
}

let cachedLocalSeconds = "";
let cachedLocalOffset = 0;
let cachedLocalTime = "";

// A timestamp cut into whole seconds and nanoseconds through its decimal text: one bigint-to-string
// conversion instead of bigint division and remainder, which allocate. split() returns the seconds as
// text and leaves the nine nanosecond digits in splitNanos.
let splitNanos = "";

function split(ts: bigint): string {
  if (ts < 0n) {
    const sec = ts / NS_PER_S - (ts % NS_PER_S === 0n ? 0n : 1n);
    splitNanos = (ts - sec * NS_PER_S).toString().padStart(9, "0");
    return sec.toString();
  }
  const text = ts.toString();
  const cut = text.length - 9;
  if (cut <= 0) {
    splitNanos = "000000000".slice(text.length) + text;
    return "0";
  }
  splitNanos = text.slice(cut);
  return text.slice(0, cut);
}

// The local offset is read through a Date at most once a minute; Date.now() does not allocate.
let cachedOffset = 0;
let cachedUntil = -Infinity;

/** Seconds east of UTC in the process's time zone now, whole minutes (libsinsp's gmt2local). */
export function localZoneOffsetSeconds(): number {
  const now = Date.now();
  if (now >= cachedUntil) {
    cachedOffset = -new Date(now).getTimezoneOffset() * 60;
    cachedUntil = now + 60_000;
  }
  return cachedOffset;
}

// Alerts come in bursts within one second, so the last second's date and time are kept.
const civil: CivilDate = { year: 0, month: 0, day: 0 };
let cachedSeconds = "";
let cachedDateTime = "";

/** `YYYY-MM-DDTHH:MM:SS` in UTC for seconds since the epoch (strftime "%FT%T" over gmtime). */
function utcDateTime(secondsText: string): string {
  if (secondsText === cachedSeconds) return cachedDateTime;
  const epochSeconds = Number(secondsText);
  const days = Math.floor(epochSeconds / SECONDS_PER_DAY);
  const secOfDay = epochSeconds - days * SECONDS_PER_DAY;
  const { year, month, day } = civilFromDays(days, civil);
  const hh = Math.floor(secOfDay / 3600);
  const mm = Math.floor((secOfDay % 3600) / 60);
  cachedSeconds = secondsText;
  cachedDateTime =
    pad4(year) +
    "-" +
    pad2(month) +
    "-" +
    pad2(day) +
    "T" +
    pad2(hh) +
    ":" +
    pad2(mm) +
    ":" +
    pad2(secOfDay % 60);
  return cachedDateTime;
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

function pad4(n: number): string {
  if (n >= 1000) return String(n);
  const text = String(n);
  return "0000".slice(text.length) + text;
}
