// Prometheus time durations (metrics.interval), read as Falco reads them: whitespace removed, then units
// in the order y, w, d, h, m, s, ms, each at most once (`1h30m`, `15s`, `500ms`); a year is 365 days.
// Text that does not follow this shape is 0 ms, and so is a bare number: Falco then refuses to start
// when metrics are enabled (interval below 100 ms, or no unit).

const UNIT_MS: readonly [string, number][] = [
  ["y", 365 * 24 * 3600 * 1000],
  ["w", 7 * 24 * 3600 * 1000],
  ["d", 24 * 3600 * 1000],
  ["h", 3600 * 1000],
  ["m", 60 * 1000],
  ["s", 1000],
  ["ms", 1],
];

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or 0 when the text is not a Prometheus duration. */
export function parsePrometheusDuration(text: string): number {
  const compact = text.replace(/\s+/g, "");
  const m = DURATION.exec(compact);
  if (!m) return 0;
  let total = 0;
  UNIT_MS.forEach(([, ms], i) => {
    const digits = m[i + 1];
    if (digits !== undefined) total += parseCNumber(digits) * ms;
  });
  return total;
}

/** strtoull with base 0, as Falco reads each number: a leading 0 means octal. */
function parseCNumber(digits: string): number {
  if (digits.length > 1 && digits.startsWith("0")) {
    const octal = /^0[0-7]*/.exec(digits)![0];
    return octal.length > 1 ? parseInt(octal.slice(1), 8) : 0;
  }
  return parseInt(digits, 10);
}
