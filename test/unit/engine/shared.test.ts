// Groups shared by several conditions (compile.ts SharedConditions): planned once, evaluated once per
// event when the source stamps its events, and giving the same answers as conditions planned alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SharedConditions, compileCondition, type Predicate } from "../../../src/engine/compile.js";
import type { EventSource, FieldValue } from "../../../src/engine/source.js";
import { type TestEvent, parse, testSource } from "./support/schema.js";

/** testSource with events stamped by their "evt.num" and proc.name reads counted. */
function countingSource(reads: { n: number }): EventSource<TestEvent> {
  return {
    ...testSource,
    extractor(field) {
      const read = testSource.extractor(field);
      if (field.info.name !== "proc.name") return read;
      return (e): FieldValue => {
        reads.n++;
        return read(e);
      };
    },
    eventStamp: (e) => Number(e["evt.num"]),
  };
}

const MACRO = "(proc.name = cat and evt.type = open)";
const CONDITIONS = [`${MACRO} and proc.pid = 1`, `${MACRO} and proc.pid = 2`, `not ${MACRO}`];

function plan(source: EventSource<TestEvent>, shared: SharedConditions | undefined): Predicate<TestEvent>[] {
  return CONDITIONS.map((c) => {
    const r = compileCondition(parse(c), source, { shared });
    assert.ok(r.ok, c);
    return r.predicate;
  });
}

test("a group several conditions share is evaluated once per event, and again for the next one", () => {
  const reads = { n: 0 };
  const source = countingSource(reads);
  const preds = plan(source, new SharedConditions(CONDITIONS.map(parse)));
  const event = (num: number, name: string): TestEvent => ({
    "evt.num": num,
    "proc.name": name,
    "evt.type": "open",
    "proc.pid": 2,
  });
  const e1 = event(1, "cat");
  assert.deepEqual(
    preds.map((p) => p(e1)),
    [false, true, false],
  );
  assert.equal(reads.n, 1);
  // Same stamp, another event object: computed again.
  const e1b = event(1, "ls");
  assert.deepEqual(
    preds.map((p) => p(e1b)),
    [false, false, true],
  );
  assert.equal(reads.n, 2);
  const e2 = event(2, "cat");
  assert.deepEqual(
    preds.map((p) => p(e2)),
    [false, true, false],
  );
  assert.equal(reads.n, 3);
});

test("without a stamp or without sharing, every condition evaluates its groups itself", () => {
  const reads = { n: 0 };
  const stamped = countingSource(reads);
  const e: TestEvent = { "evt.num": 1, "proc.name": "cat", "evt.type": "open", "proc.pid": 1 };
  for (const p of plan(stamped, undefined)) p(e);
  assert.equal(reads.n, 3);
  reads.n = 0;
  const unstamped: EventSource<TestEvent> = { ...stamped, eventStamp: undefined };
  for (const p of plan(unstamped, new SharedConditions(CONDITIONS.map(parse)))) p(e);
  assert.equal(reads.n, 3);
});
