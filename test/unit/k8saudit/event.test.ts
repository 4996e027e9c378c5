// Parsing audit payloads and JSON Lines: what yields events, what yields which error code, and that
// hostile input never throws.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  parseAuditJsonLines,
  parseAuditPayload,
  type K8sAuditErrorCode,
  type PayloadResult,
} from "../../../src/k8saudit/event.js";
import { extract, podEvent } from "./fixture.js";

const EVENT = JSON.stringify(podEvent());
const ev = (extra: object = {}) => JSON.stringify({ ...podEvent(), ...extra });

/** A compact summary of a result: event count and per-event error codes, or the payload error code. */
function summary(r: PayloadResult): string {
  if (!r.ok) return `error ${r.error.code}`;
  const errs = r.eventErrors.map((e) => `${e.item}:${e.code}`).join(",");
  return `${r.events.length} events` + (errs ? ` [${errs}]` : "");
}

test("payload shapes", () => {
  const rows: [string, string, string][] = [
    ["one Event", EVENT, "1 events"],
    ["Event with surrounding whitespace", `  \n${EVENT}\t `, "1 events"],
    [
      "EventList",
      `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${EVENT},${ev({ auditID: "2" })}]}`,
      "2 events",
    ],
    ["empty EventList", `{"kind":"EventList","items":[]}`, "0 events"],
    ["array of Event and EventList", `[${EVENT},{"kind":"EventList","items":[${EVENT}]}]`, "2 events"],
    ["nested arrays", `[[${EVENT}],[]]`, "1 events"],
    ["empty array", "[]", "0 events"],
    // Per-event problems drop that event only.
    [
      "EventList item without stageTimestamp",
      `{"kind":"EventList","items":[{"kind":"Event"},${EVENT}]}`,
      "1 events [0:K8SAUDIT_NO_TIMESTAMP]",
    ],
    [
      "EventList item that is not an object",
      `{"kind":"EventList","items":[5,${EVENT}]}`,
      "1 events [0:K8SAUDIT_NO_TIMESTAMP]",
    ],
    ["Event without stageTimestamp", `{"kind":"Event","auditID":"x"}`, "0 events [0:K8SAUDIT_NO_TIMESTAMP]"],
    ["stageTimestamp not a string", ev({ stageTimestamp: 5 }), "0 events [0:K8SAUDIT_BAD_TIMESTAMP]"],
    [
      "stageTimestamp not RFC 3339",
      ev({ stageTimestamp: "yesterday" }),
      "0 events [0:K8SAUDIT_BAD_TIMESTAMP]",
    ],
    [
      "second event of a list bad",
      `[${EVENT},${ev({ stageTimestamp: "2024-13-01T00:00:00Z" })}]`,
      "1 events [1:K8SAUDIT_BAD_TIMESTAMP]",
    ],
    // Whole-payload rejections.
    ['{"kind": 0} (corpus fal_01_003)', '{"kind": 0}', "error K8SAUDIT_NOT_AUDIT"],
    ["object without kind", "{}", "error K8SAUDIT_NOT_AUDIT"],
    ["other kind", '{"kind":"Pod"}', "error K8SAUDIT_NOT_AUDIT"],
    ["kind in another case", ev({ kind: "event" }), "error K8SAUDIT_NOT_AUDIT"],
    ["EventList without items", '{"kind":"EventList"}', "error K8SAUDIT_NOT_AUDIT"],
    ["EventList with items not an array", '{"kind":"EventList","items":{}}', "error K8SAUDIT_NOT_AUDIT"],
    ["array holding a non-event drops everything", `[${EVENT},5]`, "error K8SAUDIT_NOT_AUDIT"],
    ["null", "null", "error K8SAUDIT_NOT_AUDIT"],
    ["number", "42", "error K8SAUDIT_NOT_AUDIT"],
    ["string", '"Event"', "error K8SAUDIT_NOT_AUDIT"],
    ["empty text", "", "error K8SAUDIT_JSON_SYNTAX"],
    ["truncated", EVENT.slice(0, -1), "error K8SAUDIT_JSON_SYNTAX"],
    ["two values", `${EVENT} ${EVENT}`, "error K8SAUDIT_JSON_SYNTAX"],
    ["trailing comma", '{"kind":"Event",}', "error K8SAUDIT_JSON_SYNTAX"],
  ];
  for (const [what, text, expected] of rows) assert.equal(summary(parseAuditPayload(text)), expected, what);
});

test("nesting depth follows fastjson's limit of 300", () => {
  const nest = (n: number, inner = "") => "[".repeat(n) + inner + "]".repeat(n);
  // "parsed": got past the depth check (whatever the payload then turned out to be).
  const rows: [string, string, K8sAuditErrorCode | "parsed"][] = [
    ["300 empty arrays", nest(300), "parsed"],
    ["301 arrays", nest(301), "K8SAUDIT_JSON_TOO_DEEP"],
    ["a scalar at depth 300", nest(299, "1"), "parsed"],
    ["a scalar at depth 301", nest(300, "1"), "K8SAUDIT_JSON_TOO_DEEP"],
    ["a string at depth 301", nest(300, '"x"'), "K8SAUDIT_JSON_TOO_DEEP"],
    [
      "brackets inside strings do not count",
      `{"kind":"Event","x":"${"[".repeat(1000)}\\"${"{".repeat(1000)}"}`,
      "parsed",
    ],
    ["100 000 open brackets", "[".repeat(100_000), "K8SAUDIT_JSON_TOO_DEEP"],
    [
      "deep objects inside an event",
      ev({ x: JSON.parse('{"a":'.repeat(400) + "1" + "}".repeat(400)) }),
      "K8SAUDIT_JSON_TOO_DEEP",
    ],
  ];
  for (const [what, text, expected] of rows) {
    const r = parseAuditPayload(text);
    assert.equal(r.ok || r.error.code !== "K8SAUDIT_JSON_TOO_DEEP" ? "parsed" : r.error.code, expected, what);
  }
});

test("size limits", () => {
  const big = ev({ blob: "x".repeat(300_000) });
  const r = parseAuditPayload(big);
  assert.equal(
    summary(r),
    "0 events [0:K8SAUDIT_EVENT_TOO_LARGE]",
    "over the default maxEventSize of 262144",
  );
  assert.ok(r.ok && /size=\d+/.test(r.eventErrors[0].message));
  // Exactly at the limit passes; one byte more fails (the size is that of the marshalled event).
  const exact = (n: number) => {
    const base = JSON.stringify({ ...podEvent(), blob: "" });
    return JSON.stringify({ ...podEvent(), blob: "y".repeat(n - base.length) });
  };
  assert.equal(summary(parseAuditPayload(exact(4000), { maxEventSize: 4000 })), "1 events");
  assert.equal(
    summary(parseAuditPayload(exact(4001), { maxEventSize: 4000 })),
    "0 events [0:K8SAUDIT_EVENT_TOO_LARGE]",
  );
  // A list of small events is fine even when the whole payload is large.
  const list = `[${Array.from({ length: 100 }, () => EVENT).join(",")}]`;
  assert.equal(summary(parseAuditPayload(list, { maxEventSize: EVENT.length })), "100 events");
  assert.equal(
    summary(parseAuditPayload(list, { maxPayloadBytes: 1000 })),
    "error K8SAUDIT_PAYLOAD_TOO_LARGE",
  );
  assert.equal(
    summary(parseAuditPayload(Buffer.from(list), { maxPayloadBytes: 1000 })),
    "error K8SAUDIT_PAYLOAD_TOO_LARGE",
  );
  // Multi-byte text is measured in UTF-8 bytes.
  const wide = ev({ blob: "é".repeat(2500) });
  assert.equal(
    summary(parseAuditPayload(wide, { maxEventSize: 4500 })),
    "0 events [0:K8SAUDIT_EVENT_TOO_LARGE]",
  );
  assert.equal(summary(parseAuditPayload(wide, { maxEventSize: 20_000 })), "1 events");
});

test("bytes and odd text never throw", () => {
  const inputs: (string | Uint8Array)[] = [
    Buffer.from(EVENT),
    Uint8Array.from([0xff, 0xfe, 0x7b, 0x7d]),
    Buffer.from(ev({ stage: "\ud800" })),
    ev({ __proto__: { polluted: true }, constructor: 1 }),
    `{"kind":"Event","stageTimestamp":"2024-01-01T00:00:00Z","auditID":"a","a":1e999}`,
    "\u0000",
    "{".repeat(299),
  ];
  for (const input of inputs) assert.doesNotThrow(() => parseAuditPayload(input));
  assert.equal(summary(parseAuditPayload(Buffer.from(EVENT))), "1 events");
  assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  const proto = parseAuditPayload(ev({ ["__proto__"]: "own" }));
  assert.ok(proto.ok);
});

test("stageTimestamp becomes the event time", () => {
  const rows: [string, string | undefined][] = [
    ["2024-05-06T07:08:09.123456789Z", "1714979289123456789"],
    ["2024-05-06T07:08:09Z", "1714979289000000000"],
    ["2024-05-06T07:08:09.5Z", "1714979289500000000"],
    ["2024-05-06T07:08:09,5Z", "1714979289500000000"],
    ["2024-05-06T07:08:09.1234567891Z", "1714979289123456789"], // digits past the ninth ignored
    ["2024-05-06T09:08:09.1+02:00", "1714979289100000000"],
    ["2024-05-06T04:38:09-02:30", "1714979289000000000"],
    ["1970-01-01T00:00:00Z", "0"],
    ["2024-02-29T00:00:00Z", "1709164800000000000"],
    ["2023-02-29T00:00:00Z", undefined],
    ["2024-05-06 07:08:09Z", undefined],
    ["2024-05-06T24:00:00Z", undefined],
    ["2024-05-06T07:60:00Z", undefined],
    ["2024-05-06T07:08:60Z", undefined],
    ["2024-05-06T07:08:09", undefined],
    ["2024-05-06T07:08:09.Z", undefined],
    ["2024-05-06T07:08:09+0200", undefined],
    ["2024-05-06T07:08:09+24:00", undefined],
    ["2024-5-6T07:08:09Z", undefined],
  ];
  for (const [stamp, ns] of rows) {
    const r = parseAuditPayload(ev({ stageTimestamp: stamp }));
    assert.ok(r.ok);
    if (ns === undefined) {
      assert.equal(r.eventErrors[0]?.code, "K8SAUDIT_BAD_TIMESTAMP", stamp);
    } else {
      assert.equal(r.events.length, 1, stamp);
      assert.equal(extract(r.events[0], "json.rawtime"), ns, stamp);
    }
  }
});

test("JSON Lines", () => {
  const text = [EVENT, "", "   ", `${EVENT}\r`, '{"kind": 0}', "\r", "not json", EVENT].join("\n") + "\n";
  const got = [...parseAuditJsonLines(text)].map((o) => `${o.line}: ${summary(o.result)}`);
  assert.deepEqual(got, [
    "1: 1 events",
    "3: error K8SAUDIT_JSON_SYNTAX", // only empty lines are skipped, as the plugin does
    "4: 1 events",
    "5: error K8SAUDIT_NOT_AUDIT",
    "7: error K8SAUDIT_JSON_SYNTAX",
    "8: 1 events",
  ]);
  assert.deepEqual(
    [...parseAuditJsonLines(Buffer.from(`${EVENT}\n${EVENT}`))].map((o) => o.line),
    [1, 2],
    "bytes, no final newline",
  );
  assert.deepEqual([...parseAuditJsonLines("")], []);
});

test("a line too long for the plugin's line reader stops the file there", () => {
  const long = ev({ blob: "z".repeat(70_000) });
  const got = [...parseAuditJsonLines([EVENT, long, EVENT].join("\n"))].map(
    (o) => `${o.line}: ${summary(o.result)}`,
  );
  assert.deepEqual(got, ["1: 1 events", "2: error K8SAUDIT_LINE_TOO_LONG"]);
  // 65535 bytes and a newline fit the 64 KiB buffer; 65536 do not.
  const sized = (n: number) => {
    const base = ev({ blob: "" });
    return ev({ blob: "w".repeat(n - base.length) });
  };
  assert.equal(summary([...parseAuditJsonLines(sized(65_535) + "\n")][0].result), "1 events");
  assert.equal(
    summary([...parseAuditJsonLines(sized(65_536) + "\n")][0].result),
    "error K8SAUDIT_LINE_TOO_LONG",
  );
  assert.equal(
    summary([...parseAuditJsonLines(sized(65_536), { maxLineBytes: 1 << 20 })][0].result),
    "1 events",
  );
});
