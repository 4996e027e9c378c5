import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatIso8601,
  formatJsonTime,
  formatLocalTime,
  localZoneOffsetSeconds,
} from "../../../src/alerts/time.js";

test("ISO 8601 and JSON times of known instants", () => {
  const table: [bigint, string][] = [
    [1470327477882054739n, "2016-08-04T16:17:57.882054739"],
    [0n, "1970-01-01T00:00:00.000000000"],
    [1n, "1970-01-01T00:00:00.000000001"],
    [951782400000000000n, "2000-02-29T00:00:00.000000000"],
    [946684799999999999n, "1999-12-31T23:59:59.999999999"],
    [4107542400123456789n, "2100-03-01T00:00:00.123456789"],
    [2147483648000000000n, "2038-01-19T03:14:08.000000000"],
  ];
  for (const [ts, expected] of table) {
    assert.equal(formatIso8601(ts), expected + "+0000");
    assert.equal(formatJsonTime(ts), expected + "Z");
  }
});

test("ISO 8601 agrees with Date on a spread of instants", () => {
  let seconds = 12345;
  for (let i = 0; i < 2000; i++) {
    seconds = (seconds * 1103515245 + 12345) % 4_102_444_800; // up to 2100
    const ts = BigInt(seconds) * 1_000_000_000n + BigInt(i * 7919);
    const expected = new Date(seconds * 1000).toISOString().slice(0, 19);
    assert.equal(formatIso8601(ts).slice(0, 19), expected, String(ts));
  }
});

test("local time of day: the zone offset, wrapping at midnight", () => {
  const ts = 1470327477882054739n; // 16:17:57 UTC
  assert.equal(formatLocalTime(ts, 0), "16:17:57.882054739");
  assert.equal(formatLocalTime(ts, 2 * 3600), "18:17:57.882054739");
  assert.equal(formatLocalTime(ts, -7 * 3600), "09:17:57.882054739");
  assert.equal(formatLocalTime(ts, 8 * 3600), "00:17:57.882054739");
  assert.equal(formatLocalTime(ts, 5 * 3600 + 1800), "21:47:57.882054739");
  assert.equal(formatLocalTime(5n, -3600), "23:00:00.000000005");
});

test("the local offset is the process's zone now", () => {
  assert.equal(localZoneOffsetSeconds(), -new Date().getTimezoneOffset() * 60);
  const ts = 1470327477882054739n;
  assert.equal(formatLocalTime(ts), formatLocalTime(ts, localZoneOffsetSeconds()));
});
