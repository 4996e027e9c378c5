// The replay pipeline's small parts, table-driven: the drop monitor's token bucket, Falco's log line
// prefix and level filter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TokenBucket, formatDropStats } from "../../../src/capture/pipeline/drops.js";
import { FalcoLogger, logTime } from "../../../src/capture/pipeline/logger.js";

process.env.TZ = "UTC";

test("token bucket: starts full, refills with event time, caps at max, refills when time goes back", () => {
  // [rate, max, claims as [sec, nsec, granted]]
  const cases: [number, number, [number, number, boolean][]][] = [
    [
      0,
      2,
      [
        [10, 0, true],
        [11, 0, true],
        [12, 0, false],
      ],
    ],
    [
      1,
      1,
      [
        [10, 0, true],
        [10, 500_000_000, false],
        [11, 0, true],
        [11, 0, false],
      ],
    ],
    [
      0.5,
      1,
      [
        [10, 0, true],
        [11, 0, false],
        [12, 0, true],
      ],
    ],
    [
      0,
      1,
      [
        [10, 0, true],
        [10, 1, false],
        [9, 0, true],
      ],
    ],
    [
      100,
      3,
      [
        [10, 0, true],
        [20, 0, true],
        [20, 0, true],
        [20, 0, true],
        [20, 0, false],
      ],
    ],
  ];
  for (const [rate, max, claims] of cases) {
    const b = new TokenBucket(rate, max);
    const got = claims.map(([s, n]) => b.claim(s, n));
    assert.deepEqual(
      got,
      claims.map(([, , g]) => g),
      `rate ${rate} max ${max}`,
    );
  }
});

test("drop statistics read as Falco prints them", () => {
  assert.equal(
    formatDropStats(9, 3),
    "Syscall event drop monitoring:\n   - event drop detected: 9 occurrences\n   - num times actions taken: 3\n",
  );
});

test("log lines: wall-clock prefix (ISO 8601 or asctime) and the log_level filter", () => {
  const cases: [number, boolean, string][] = [
    [0, true, "1970-01-01T00:00:00+0000"],
    [0, false, "Thu Jan  1 00:00:00 1970"],
    [1_470_327_477_881, true, "2016-08-04T16:17:57+0000"],
    [1_470_327_477_881, false, "Thu Aug  4 16:17:57 2016"],
    [1_700_000_000_000, false, "Tue Nov 14 22:13:20 2023"],
  ];
  for (const [ms, iso, want] of cases) assert.equal(logTime(ms, iso), want);

  const lines: string[] = [];
  const log = new FalcoLogger({ level: "info", iso8601: true, clock: () => 0 }, (l) => lines.push(l));
  log.log(6, "shown");
  log.log(7, "debug, not shown");
  log.log(2, "critical\n");
  assert.deepEqual(lines, ["1970-01-01T00:00:00+0000: shown\n", "1970-01-01T00:00:00+0000: critical\n"]);
  const off = new FalcoLogger({ stderr: false }, (l) => lines.push(l));
  off.log(0, "never");
  assert.equal(lines.length, 2);
});

test("log_syslog: messages at or above log_level go to syslog too, whatever log_stderr says", () => {
  const lines: string[] = [];
  const sys: [number, string][] = [];
  const both = new FalcoLogger({ level: "notice", syslog: (l, m) => sys.push([l, m]), clock: () => 0 }, (l) =>
    lines.push(l),
  );
  both.log(5, "notice shown\n");
  both.log(6, "info, below the level");
  assert.deepEqual(sys, [[5, "notice shown"]]);
  assert.equal(lines.length, 1);
  const quiet = new FalcoLogger({ level: "info", stderr: false, syslog: (l, m) => sys.push([l, m]) }, (l) =>
    lines.push(l),
  );
  quiet.log(3, "error to syslog only");
  assert.deepEqual(sys.at(-1), [3, "error to syslog only"]);
  assert.equal(lines.length, 1, "nothing on stderr");
});
