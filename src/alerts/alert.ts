// The alert: what one rule match produces, and the two ways Falco writes it.
//
// Text (json_output off), one line per alert:
//   2016-08-04T16:17:57.882054739+0000: Warning An open was seen (command=cat /dev/null)
//   <time>: <Priority> <message>
// where <time> is `evt.time.iso8601` with time_format_iso_8601, else `evt.time` (local HH:MM:SS.ns),
// and <Priority> is the full name ("Informational", never "Info").
//
// JSON (json_output on), one object per line, keys sorted. Two layouts, as Falco changed it in 0.39:
// - "legacy" (Falco <= 0.38, what the conformance corpus holds): jsoncpp writes the object, and
//   output_fields is grafted on at the end after a comma and a space:
//     {"hostname":…,"output":…,"priority":…,"rule":…,"source":…,"tags":[…],"time":…, "output_fields": {…}}
// - "current" (Falco >= 0.39): nlohmann writes it, output_fields takes its sorted place:
//     {"hostname":…,"output":…,"output_fields":{…},"priority":…,"rule":…,"source":…,"tags":[…],"time":…}
// "time" is UTC with a Z; "tags" are the rule's tags sorted and distinct (a std::set in Falco);
// output_fields holds the message's fields plus the time prefix's field (evt.time or
// evt.time.iso8601, valued with the timestamp in nanoseconds), plus the rule's `append_output` extra
// fields (which replace a field of the same name).
//
// An Alert is captured when the rule matches (the event's buffer is reused afterwards), with its text
// already formatted; rendering it later needs only the record. A compiled AlertFormatter keeps every
// rule-constant piece of the JSON pre-encoded, so an alert costs its varying strings only.
import { hostname as osHostname } from "node:os";
import type { EventSource } from "../engine/source.js";
import { priorityName, type Priority } from "../rules/priority.js";
import type { BoundOutputFormat, ExtraField, OutputFormat } from "./format.js";
import { integerJson, nlohmannDouble, quoteJson, type JsonDialect, type JsonScalar } from "./json.js";
import { formatIso8601, formatJsonTime, formatLocalTime } from "./time.js";

export type JsonLayout = "legacy" | "current";

/** The falco.yaml keys that shape alerts, plus the host name Falco resolves at start. */
export interface AlertConfig {
  /** time_format_iso_8601 (default false). */
  readonly timeFormatIso8601: boolean;
  /** json_output (default false). */
  readonly jsonOutput: boolean;
  /** json_include_output_property (default true). */
  readonly jsonIncludeOutputProperty: boolean;
  /** json_include_tags_property (default true). */
  readonly jsonIncludeTagsProperty: boolean;
  /** json_include_message_property (Falco >= 0.39, default false): the message without the prefix. */
  readonly jsonIncludeMessageProperty: boolean;
  /** json_include_output_fields_property (Falco >= 0.41, default true). */
  readonly jsonIncludeOutputFieldsProperty: boolean;
  /** Which Falco's JSON to write; "legacy" matches the conformance corpus. */
  readonly jsonLayout: JsonLayout;
  /** The JSON "hostname": FALCO_HOSTNAME or the machine's name (see falcoHostname). */
  readonly hostname: string;
  /** Seconds east of UTC for the local-time prefix; undefined: the process's zone, as Falco. */
  readonly utcOffsetSeconds?: number;
}

export const DEFAULT_ALERT_CONFIG: AlertConfig = {
  timeFormatIso8601: false,
  jsonOutput: false,
  jsonIncludeOutputProperty: true,
  jsonIncludeTagsProperty: true,
  jsonIncludeMessageProperty: false,
  jsonIncludeOutputFieldsProperty: true,
  jsonLayout: "legacy",
  hostname: "",
};

/** Falco's host name: the FALCO_HOSTNAME variable when set (even empty), else the machine's name. */
export function falcoHostname(env: NodeJS.ProcessEnv = process.env): string {
  return env.FALCO_HOSTNAME ?? osHostname();
}

/** What an alert needs from its rule. */
export interface AlertRule {
  readonly name: string;
  readonly priority: Priority;
  readonly source: string;
  readonly tags: readonly string[];
  readonly output: OutputFormat;
  /** `append_output` extra fields matching the rule: output_fields only, never the text. */
  readonly extraFields?: readonly ExtraField[];
}

/** One alert, captured at match time. */
export interface Alert {
  /** The event's timestamp, nanoseconds since the epoch. */
  readonly time: bigint;
  readonly rule: string;
  readonly priority: Priority;
  readonly source: string;
  /** Sorted and distinct. */
  readonly tags: readonly string[];
  readonly hostname: string;
  /** The whole text line, `<time>: <Priority> <message>` (JSON "output"). */
  readonly output: string;
  /** The rule's formatted output alone (JSON "message"). */
  readonly message: string;
  /** output_fields as JSON object text, when the configuration writes it; else undefined. */
  readonly outputFields: string | undefined;
}

export interface AlertFormatter<E> {
  readonly rule: AlertRule;
  /** Capture the alert for `event`, whose timestamp is `time`. */
  alert(event: E, time: bigint): Alert;
  /** What Falco's outputs write for the alert (no newline): JSON with json_output, else the text line. */
  render(alert: Alert): string;
  /** The JSON object, whatever json_output says. */
  json(alert: Alert): string;
}

/** Compile a rule's alert formatting for one source and configuration, once, at load time. */
export function compileAlertFormatter<E>(
  rule: AlertRule,
  source: EventSource<E>,
  config: AlertConfig,
): AlertFormatter<E> {
  const dialect: JsonDialect = config.jsonLayout === "legacy" ? "jsoncpp" : "nlohmann";
  const timeKey = config.timeFormatIso8601 ? "evt.time.iso8601" : "evt.time";
  const bound: BoundOutputFormat<E> = rule.output.bind(source, {
    dialect,
    timeKey,
    extraFields: rule.extraFields,
  });
  const tags = sortedTags(rule.tags);
  const priorityText = ": " + priorityName(rule.priority) + " ";
  const withFields = config.jsonOutput && config.jsonIncludeOutputFieldsProperty;
  const writer = jsonWriter(config, dialect, rule.priority, rule.name, rule.source, tags);
  const prefixTime = timePrefix(config);

  return {
    rule,
    alert(event: E, time: bigint): Alert {
      const message = bound.text(event);
      return {
        time,
        rule: rule.name,
        priority: rule.priority,
        source: rule.source,
        tags,
        hostname: config.hostname,
        output: prefixTime(time) + priorityText + message,
        message,
        outputFields: withFields ? bound.fieldsJson(event, time) : undefined,
      };
    },
    render: config.jsonOutput ? writer : alertText,
    json: writer,
  };
}

/** The text line (no newline). */
export function alertText(alert: Alert): string {
  return alert.output;
}

/** The JSON object of any alert record; a compiled AlertFormatter's `json` does the same faster. */
export function alertJson(alert: Alert, config: AlertConfig): string {
  const dialect: JsonDialect = config.jsonLayout === "legacy" ? "jsoncpp" : "nlohmann";
  const tags = sortedTags(alert.tags);
  return jsonWriter(
    { ...config, hostname: alert.hostname },
    dialect,
    alert.priority,
    alert.rule,
    alert.source,
    tags,
  )(alert);
}

// The JSON object with every rule-constant piece encoded once.
function jsonWriter(
  config: AlertConfig,
  dialect: JsonDialect,
  priority: Priority,
  rule: string,
  source: string,
  tags: readonly string[],
): (alert: Alert) => string {
  const legacy = config.jsonLayout === "legacy";
  const head = '{"hostname":' + quoteJson(config.hostname, dialect);
  const middle =
    ',"priority":' +
    quoteJson(priorityName(priority), dialect) +
    ',"rule":' +
    quoteJson(rule, dialect) +
    ',"source":' +
    quoteJson(source, dialect) +
    (config.jsonIncludeTagsProperty
      ? ',"tags":[' + tags.map((t) => quoteJson(t, dialect)).join(",") + "]"
      : "") +
    ',"time":"';
  const withMessage = config.jsonIncludeMessageProperty;
  const withOutput = config.jsonIncludeOutputProperty;
  const withFields = config.jsonIncludeOutputFieldsProperty;
  return (alert) => {
    let out = head;
    if (withMessage) out += ',"message":' + quoteJson(alert.message, dialect);
    if (withOutput) out += ',"output":' + quoteJson(alert.output, dialect);
    const fields = withFields ? alert.outputFields : undefined;
    if (!legacy && fields !== undefined) out += ',"output_fields":' + fields;
    out += middle + formatJsonTime(alert.time) + '"';
    if (legacy && fields !== undefined) out += ', "output_fields": ' + fields;
    return out + "}";
  };
}

function timePrefix(config: AlertConfig): (time: bigint) => string {
  if (config.timeFormatIso8601) return formatIso8601;
  const offset = config.utcOffsetSeconds;
  return offset === undefined ? (time) => formatLocalTime(time) : (time) => formatLocalTime(time, offset);
}

function sortedTags(tags: readonly string[]): readonly string[] {
  return [...new Set(tags)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Falco's own messages ("Falco internal: syscall event drop", source "internal"), which have no rule
 * format: the text line is `<local time>: <Priority> <msg> (k=v k=v)` with values as JSON and keys
 * sorted (the local time even with time_format_iso_8601, as Falco); the JSON object is always in
 * nlohmann's form and its "output" is the bare message.
 */
export function internalAlertText(
  time: bigint,
  priority: Priority,
  msg: string,
  fields: Readonly<Record<string, JsonScalar>>,
  utcOffsetSeconds?: number,
): string {
  let out = formatLocalTime(time, utcOffsetSeconds) + ": " + priorityName(priority) + " " + msg + " (";
  sortedKeys(fields).forEach((key, i) => {
    out += (i === 0 ? "" : " ") + key + "=" + nlohmannScalar(fields[key]);
  });
  return out + ")";
}

export function internalAlertJson(
  time: bigint,
  priority: Priority,
  msg: string,
  rule: string,
  fields: Readonly<Record<string, JsonScalar>>,
  hostname: string,
): string {
  const q = (s: string): string => quoteJson(s, "nlohmann");
  const entries = sortedKeys(fields).map((key) => q(key) + ":" + nlohmannScalar(fields[key]));
  return (
    '{"hostname":' +
    q(hostname) +
    ',"output":' +
    q(msg) +
    ',"output_fields":{' +
    entries.join(",") +
    '},"priority":' +
    q(priorityName(priority)) +
    ',"rule":' +
    q(rule) +
    ',"source":"internal","time":"' +
    formatJsonTime(time) +
    '"}'
  );
}

function sortedKeys(fields: Readonly<Record<string, JsonScalar>>): string[] {
  return Object.keys(fields).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// A value nlohmann::json holds natively: integers stay integers, doubles take its float form.
function nlohmannScalar(value: JsonScalar): string {
  if (typeof value === "number") return Number.isInteger(value) ? integerJson(value) : nlohmannDouble(value);
  if (typeof value === "string") return quoteJson(value, "nlohmann");
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  return "null";
}
