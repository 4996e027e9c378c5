// Question: how long does it take to turn a matched event into the line Falco prints, as text and as
// JSON, with formats compiled to closures, and how does that compare with formatting the naive way
// (scan the format string per alert, build an object, JSON.stringify it) in the same process?
//
// The rule is a typical falco_rules.yaml one: seven fields, a few literals, four tags. Events are plain
// objects behind a synthetic source, so the numbers measure formatting, not extraction.
import { fileURLToPath } from "node:url";
import { compileAlertFormatter, DEFAULT_ALERT_CONFIG, type AlertConfig } from "../src/alerts/alert.js";
import { compileOutputFormat } from "../src/alerts/format.js";
import { formatIso8601, formatJsonTime } from "../src/alerts/time.js";
import type { EventSource, FieldValue } from "../src/engine/source.js";
import { createCatalogue } from "../src/fields/catalogue.js";
import { sinspField } from "../src/fields/define.js";
import type { ResolvedField } from "../src/fields/types.js";
import { Priority } from "../src/rules/priority.js";

interface BenchEvent {
  readonly ts: bigint;
  readonly values: Readonly<Record<string, FieldValue>>;
}

const OUTPUT =
  "Sensitive file opened for reading by non-trusted program (file=%fd.name gparent=%proc.aname[2] " +
  "ggparent=%proc.aname[3] evt_type=%evt.type user=%user.name user_uid=%user.uid process=%proc.name " +
  "command=%proc.cmdline)";
const TAGS = ["maturity_stable", "host", "container", "filesystem"];

const catalogue = createCatalogue("syscall", [
  {
    name: "bench",
    description: "fields used by the benchmark rule",
    fields: [
      sinspField("fd.name", "FSPATH", ""),
      sinspField("proc.aname", "CHARBUF", "", {
        arg: "index",
        parseArg: (form) => ({ ok: true, arg: form.kind === "bracket" ? form.text : undefined }),
      }),
      sinspField("evt.type", "CHARBUF", ""),
      sinspField("user.name", "CHARBUF", ""),
      sinspField("user.uid", "UINT32", ""),
      sinspField("proc.name", "CHARBUF", ""),
      sinspField("proc.cmdline", "CHARBUF", ""),
      sinspField("evt.time.iso8601", "CHARBUF", ""),
    ],
  },
]);

const source: EventSource<BenchEvent> = {
  name: "syscall",
  catalogue,
  eventTypeNames: undefined,
  extractor(field: ResolvedField) {
    if (field.info.name === "evt.time.iso8601") return (e) => e.ts;
    const key = field.arg === undefined ? field.info.name : `${field.info.name}[${field.arg}]`;
    return (e) => e.values[key];
  },
  render(field: ResolvedField, value: FieldValue): string {
    return field.info.name === "evt.time.iso8601" ? formatIso8601(value as bigint) : String(value);
  },
};

function makeEvents(n: number): BenchEvent[] {
  const events: BenchEvent[] = [];
  for (let i = 0; i < n; i++) {
    events.push({
      ts: 1470327477881781397n + BigInt(i * 1013),
      values: {
        "fd.name": `/etc/shadow`,
        "proc.aname[2]": "sshd",
        "evt.type": "openat",
        "user.name": "root",
        "user.uid": 0,
        "proc.name": "cat",
        "proc.cmdline": `cat /etc/shadow --n=${i}`,
      },
    });
  }
  return events;
}

// The reference: what a first implementation would do per alert.
function naiveText(format: string, e: BenchEvent): string {
  return (
    formatIso8601(e.ts) +
    ": Warning " +
    format.replace(/%([a-z0-9_.]+(?:\[[^\]]*\])?)/g, (_, key: string) => {
      const v = e.values[key];
      return v === undefined ? "<NA>" : String(v);
    })
  );
}

function naiveJson(format: string, e: BenchEvent): string {
  const fields: Record<string, unknown> = { "evt.time.iso8601": e.ts.toString() };
  for (const m of format.matchAll(/%([a-z0-9_.]+(?:\[[^\]]*\])?)/g)) fields[m[1]] = e.values[m[1]] ?? null;
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(fields).sort()) sorted[k] = fields[k];
  return JSON.stringify({
    hostname: "bench-host",
    output: naiveText(format, e),
    output_fields: sorted,
    priority: "Warning",
    rule: "Read sensitive file untrusted",
    source: "syscall",
    tags: [...TAGS].sort(),
    time: formatJsonTime(e.ts),
  });
}

export interface FormatBenchResult {
  readonly textNsPerAlert: number;
  readonly jsonNsPerAlert: number;
  readonly naiveTextNsPerAlert: number;
  readonly naiveJsonNsPerAlert: number;
  readonly report: string;
}

// Best of five rounds (the machine is shared; the minimum is the least disturbed), after a warm-up so
// the closures are optimised before we measure.
function timeNs(iterations: number, events: readonly BenchEvent[], run: (e: BenchEvent) => string): number {
  let sink = 0;
  for (let i = 0; i < Math.min(iterations, 20_000); i++) sink += run(events[i % events.length]).length;
  let best = Infinity;
  const perRound = Math.max(1, Math.floor(iterations / 5));
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) sink += run(events[i % events.length]).length;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / perRound);
  }
  if (sink === 0) throw new Error("nothing was formatted");
  return best;
}

/** ns per formatted alert (text line and JSON line), against the naive way in the same process. */
export function benchFormat(iterations = 200_000): FormatBenchResult {
  const compiled = compileOutputFormat(OUTPUT, source);
  if (!compiled.ok) throw new Error(compiled.error.message);
  const rule = {
    name: "Read sensitive file untrusted",
    priority: Priority.Warning,
    source: "syscall",
    tags: TAGS,
    output: compiled.format,
  };
  const base: AlertConfig = { ...DEFAULT_ALERT_CONFIG, hostname: "bench-host", timeFormatIso8601: true };
  const text = compileAlertFormatter(rule, source, base);
  const json = compileAlertFormatter(rule, source, { ...base, jsonOutput: true, jsonLayout: "current" });
  const events = makeEvents(1024);

  const textNs = timeNs(iterations, events, (e) => text.render(text.alert(e, e.ts)));
  const jsonNs = timeNs(iterations, events, (e) => json.render(json.alert(e, e.ts)));
  const naiveTextNs = timeNs(iterations, events, (e) => naiveText(OUTPUT, e));
  const naiveJsonNs = timeNs(iterations, events, (e) => naiveJson(OUTPUT, e));

  const line = (what: string, ns: number, ref: number): string =>
    `${what.padEnd(6)} ${ns.toFixed(0).padStart(6)} ns/alert   naive ${ref.toFixed(0).padStart(6)} ns/alert   ratio ${(ns / ref).toFixed(2)}`;
  const report = [
    "alerts: format one matched event as Falco prints it (7 fields, 4 tags)",
    line("text", textNs, naiveTextNs),
    line("json", jsonNs, naiveJsonNs),
  ].join("\n");
  return {
    textNsPerAlert: textNs,
    jsonNsPerAlert: jsonNs,
    naiveTextNsPerAlert: naiveTextNs,
    naiveJsonNsPerAlert: naiveJsonNs,
    report,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(benchFormat().report);
