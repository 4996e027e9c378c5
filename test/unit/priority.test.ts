import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePriority, priorityName, meetsMinimum, Priority } from "../../src/rules/priority.js";

test("priorities parse case-insensitively, with Falco's 'info' alias", () => {
  const table: [string, Priority | undefined][] = [
    ["EMERGENCY", Priority.Emergency],
    ["warning", Priority.Warning],
    ["Info", Priority.Informational],
    ["informational", Priority.Informational],
    ["warn", undefined],
    ["", undefined],
  ];
  for (const [text, expected] of table) assert.equal(parsePriority(text), expected, text);
});

test("priority names and minimum", () => {
  assert.equal(priorityName(Priority.Informational), "Informational");
  assert.equal(priorityName(Priority.Informational, true), "Info");
  assert.ok(meetsMinimum(Priority.Critical, Priority.Warning));
  assert.ok(!meetsMinimum(Priority.Debug, Priority.Warning));
});
