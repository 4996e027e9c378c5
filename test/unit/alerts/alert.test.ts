import { test } from "node:test";
import assert from "node:assert/strict";
import {
  alertJson,
  alertText,
  compileAlertFormatter,
  DEFAULT_ALERT_CONFIG,
  falcoHostname,
  internalAlertJson,
  internalAlertText,
  type AlertConfig,
} from "../../../src/alerts/alert.js";
import { compileOutputFormat } from "../../../src/alerts/format.js";
import { Priority } from "../../../src/rules/priority.js";
import { testSchema, testSource, type TestEvent } from "./fixture.js";

const TS = 1470327477882054739n;

function formatter(
  output: string,
  config: Partial<AlertConfig>,
  rule: { priority?: Priority; tags?: string[] } = {},
) {
  const compiled = compileOutputFormat(output, testSchema);
  assert.ok(compiled.ok);
  return compileAlertFormatter(
    {
      name: 'rule "q"',
      priority: rule.priority ?? Priority.Warning,
      source: "syscall",
      tags: rule.tags ?? [],
      output: compiled.format,
    },
    testSource(),
    { ...DEFAULT_ALERT_CONFIG, hostname: "h", utcOffsetSeconds: 0, ...config },
  );
}

const event: TestEvent = { ts: TS, values: { "proc.name": 'ca"t\n', "proc.pid": 7 } };

test("text line: time, full priority name, message", () => {
  const table: [Priority, boolean, string][] = [
    [Priority.Warning, false, "16:17:57.882054739: Warning x=7"],
    [Priority.Informational, false, "16:17:57.882054739: Informational x=7"],
    [Priority.Emergency, true, "2016-08-04T16:17:57.882054739+0000: Emergency x=7"],
    [Priority.Debug, true, "2016-08-04T16:17:57.882054739+0000: Debug x=7"],
  ];
  for (const [priority, iso, expected] of table) {
    const f = formatter("x=%proc.pid", { timeFormatIso8601: iso }, { priority });
    const alert = f.alert(event, TS);
    assert.equal(f.render(alert), expected);
    assert.equal(alertText(alert), expected);
    assert.equal(alert.message, "x=7");
  }
});

test("the alert record captures its text; output_fields only when JSON will use them", () => {
  const text = formatter("%proc.name", {}).alert(event, TS);
  assert.equal(text.outputFields, undefined);
  const json = formatter("%proc.name", { jsonOutput: true }).alert(event, TS);
  assert.equal(json.outputFields, '{"evt.time":1470327477882054739,"proc.name":"ca\\"t\\n"}');
  const off = formatter("%proc.name", { jsonOutput: true, jsonIncludeOutputFieldsProperty: false }).alert(
    event,
    TS,
  );
  assert.equal(off.outputFields, undefined);
});

test("JSON: keys, switches and both layouts", () => {
  const base = { jsonOutput: true, timeFormatIso8601: true };
  const table: [Partial<AlertConfig>, string][] = [
    [
      {},
      '{"hostname":"h","output":"2016-08-04T16:17:57.882054739+0000: Warning n=7","priority":"Warning",' +
        '"rule":"rule \\"q\\"","source":"syscall","tags":["a","b"],"time":"2016-08-04T16:17:57.882054739Z", ' +
        '"output_fields": {"evt.time.iso8601":1470327477882054739,"proc.pid":7}}',
    ],
    [
      { jsonLayout: "current" },
      '{"hostname":"h","output":"2016-08-04T16:17:57.882054739+0000: Warning n=7",' +
        '"output_fields":{"evt.time.iso8601":1470327477882054739,"proc.pid":7},"priority":"Warning",' +
        '"rule":"rule \\"q\\"","source":"syscall","tags":["a","b"],"time":"2016-08-04T16:17:57.882054739Z"}',
    ],
    [
      { jsonLayout: "current", jsonIncludeMessageProperty: true, jsonIncludeOutputProperty: false },
      '{"hostname":"h","message":"n=7","output_fields":{"evt.time.iso8601":1470327477882054739,"proc.pid":7},' +
        '"priority":"Warning","rule":"rule \\"q\\"","source":"syscall","tags":["a","b"],' +
        '"time":"2016-08-04T16:17:57.882054739Z"}',
    ],
    [
      { jsonIncludeTagsProperty: false, jsonIncludeOutputFieldsProperty: false },
      '{"hostname":"h","output":"2016-08-04T16:17:57.882054739+0000: Warning n=7","priority":"Warning",' +
        '"rule":"rule \\"q\\"","source":"syscall","time":"2016-08-04T16:17:57.882054739Z"}',
    ],
  ];
  for (const [config, expected] of table) {
    const f = formatter("n=%proc.pid", { ...base, ...config }, { tags: ["b", "a", "b"] });
    const alert = f.alert(event, TS);
    assert.equal(f.render(alert), expected, JSON.stringify(config));
    assert.equal(f.json(alert), expected);
    // The generic writer says the same as the compiled one.
    assert.equal(alertJson(alert, { ...DEFAULT_ALERT_CONFIG, ...base, ...config }), expected);
    assert.doesNotThrow(() => JSON.parse(expected));
  }
});

test("JSON: a rule without tags has an empty array; json_output off still renders JSON on demand", () => {
  const f = formatter("%proc.pid", {});
  const alert = f.alert(event, TS);
  assert.equal(f.render(alert), "16:17:57.882054739: Warning 7");
  assert.match(f.json(alert), /"tags":\[\],"time"/);
});

test("JSON: escaping follows the layout's library", () => {
  const legacy = formatter("%proc.name\u0001", { jsonOutput: true });
  assert.match(
    legacy.render(legacy.alert(event, TS)),
    /"output":"16:17:57\.882054739: Warning ca\\"t\\n\\u0001"/,
  );
  const current = formatter("%proc.name\u0001", { jsonOutput: true, jsonLayout: "current" });
  assert.match(
    current.render(current.alert(event, TS)),
    /"output":"16:17:57\.882054739: Warning ca\\"t\\n\\u0001"/,
  );
  const ctl = formatter("\u001b%proc.pid", { jsonOutput: true });
  assert.match(ctl.render(ctl.alert(event, TS)), /Warning \\u001B7"/);
  const ctlCurrent = formatter("\u001b%proc.pid", { jsonOutput: true, jsonLayout: "current" });
  assert.match(ctlCurrent.render(ctlCurrent.alert(event, TS)), /Warning \\u001b7"/);
});

test("Falco's internal messages", () => {
  const fields = { n_drops: 9, n_evts: 1000, ebpf_enabled: 0, "a.b": "x y", ratio: 0.5 };
  assert.equal(
    internalAlertText(TS, Priority.Debug, "Falco internal: syscall event drop", fields, 0),
    '16:17:57.882054739: Debug Falco internal: syscall event drop (a.b="x y" ebpf_enabled=0 n_drops=9 n_evts=1000 ratio=0.5)',
  );
  assert.equal(
    internalAlertJson(
      TS,
      Priority.Critical,
      "Falco internal: syscall event drop",
      "Falco internal: syscall event drop",
      fields,
      "h",
    ),
    '{"hostname":"h","output":"Falco internal: syscall event drop","output_fields":{"a.b":"x y","ebpf_enabled":0,' +
      '"n_drops":9,"n_evts":1000,"ratio":0.5},"priority":"Critical","rule":"Falco internal: syscall event drop",' +
      '"source":"internal","time":"2016-08-04T16:17:57.882054739Z"}',
  );
});

test("hostname: FALCO_HOSTNAME wins, even empty", () => {
  assert.equal(falcoHostname({ FALCO_HOSTNAME: "test-falco-hostname" }), "test-falco-hostname");
  assert.equal(falcoHostname({ FALCO_HOSTNAME: "" }), "");
  assert.ok(falcoHostname({}).length > 0);
});
