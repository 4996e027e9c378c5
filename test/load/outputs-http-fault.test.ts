// The outputs issue's fault test at full length: the http endpoint down for 30 s while alerts keep
// coming. Run with SAKER_LOAD_TESTS=1 (npm run test:load); the unit test runs the same scenario for 2 s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { httpFaultScenario } from "../unit/outputs/helpers.js";

test(
  "http endpoint down for 30 s: capacity alerts arrive in order after, the excess dropped for http only",
  { skip: process.env.SAKER_LOAD_TESTS !== "1" && "set SAKER_LOAD_TESTS=1", timeout: 120_000 },
  async () => {
    const capacity = 1000;
    const r = await httpFaultScenario(30_000, capacity, 5000);
    assert.deepEqual(
      r.arrived,
      Array.from({ length: capacity }, (_, i) => i),
    );
    assert.equal(r.http.dropped, r.pushed - capacity);
    assert.equal(r.mem.dropped, 0);
    assert.equal(r.memory.length, r.pushed);
  },
);
