// Kubernetes audit events: from JSON text (a JSON Lines file, one line at a time, or a webhook body) to
// AuditEvent objects. The rules follow the k8saudit plugin's source:
//
//   payload   := Event | EventList | [ payload, ... ]
//   Event     := object with "kind": "Event"      -> one event
//   EventList := object with "kind": "EventList"  -> one event per element of "items" (an array)
//   anything else                                 -> K8SAUDIT_NOT_AUDIT ("data not recognized ...")
//
// Every event must carry a `stageTimestamp` in RFC 3339 form (it becomes the event time); an event that
// does not, or whose marshalled form exceeds `maxEventSize`, is reported on its own and the rest of the
// payload still yields events. A payload that is not JSON, is nested deeper than fastjson allows, or
// (inside a top-level array) holds anything that is not an Event/EventList is rejected whole, as the
// plugin drops it whole.
//
// Nothing here throws on any input: outcomes are values with stable codes.
import {
  checkJsonDepth,
  isJsonObject,
  marshalCompact,
  MAX_JSON_DEPTH,
  type JsonObject,
  type JsonValue,
} from "./json.js";
import { parseRfc3339, timestampNanos, type Timestamp } from "./time.js";
import { queryOfUri, type QueryValues } from "./uri.js";

export const K8S_AUDIT_ERRORS = {
  /** The payload is not valid JSON. */
  K8SAUDIT_JSON_SYNTAX: "invalid JSON",
  /** Nested deeper than the plugin's JSON parser accepts. */
  K8SAUDIT_JSON_TOO_DEEP: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
  /** Neither an Event, an EventList nor an array of them. The plugin's words, which Falco logs. */
  K8SAUDIT_NOT_AUDIT: "data not recognized as a k8s audit event",
  /** An event without a string stageTimestamp. */
  K8SAUDIT_NO_TIMESTAMP: "can't read stageTimestamp",
  /** A stageTimestamp that is not RFC 3339. */
  K8SAUDIT_BAD_TIMESTAMP: "stageTimestamp is not an RFC 3339 time",
  /** One event's marshalled JSON is larger than maxEventSize. */
  K8SAUDIT_EVENT_TOO_LARGE: "event larger than maxEventSize",
  /** The whole payload is larger than maxPayloadBytes (the webhook's request limit). */
  K8SAUDIT_PAYLOAD_TOO_LARGE: "payload larger than maxPayloadBytes",
  /** A JSON Lines line longer than maxLineBytes: reading stops there, as the plugin's line scanner does. */
  K8SAUDIT_LINE_TOO_LONG: "line too long",
} as const;

export type K8sAuditErrorCode = keyof typeof K8S_AUDIT_ERRORS;

export interface K8sAuditError {
  readonly code: K8sAuditErrorCode;
  readonly message: string;
  /** For a per-event error: the event's position in the payload (0-based, in reading order). */
  readonly item: number | undefined;
}

export interface AuditParseOptions {
  /** Largest marshalled event in bytes (the plugin's maxEventSize). Default 262144. */
  readonly maxEventSize?: number;
  /** Largest payload in bytes (the plugin's webhookMaxBatchSize). Default 12 MiB. */
  readonly maxPayloadBytes?: number;
  /** Largest JSON Lines line in bytes, newline included (Go's bufio.Scanner default). Default 65536. */
  readonly maxLineBytes?: number;
}

export const DEFAULT_MAX_EVENT_SIZE = 262144;
export const DEFAULT_MAX_PAYLOAD_BYTES = 12 * 1024 * 1024;
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** The pod spec's container lists that the ka.req.pod.<list>.* fields read. */
export type ContainerList = "containers" | "initContainers" | "ephemeralContainers";

/** A cached per-event result: not computed yet, computed as <NA>, or a value. */
const UNSET = Symbol("unset");
type Cached<T> = T | undefined | typeof UNSET;

/**
 * One audit event. `json` is the parsed Event object; the other members are what several fields share,
 * computed on first use and kept for the event's lifetime. All members are set in the constructor so
 * every event has one shape.
 */
export class AuditEvent implements Timestamp {
  /** The Event object as parsed. */
  readonly json: JsonObject;
  /** The plugin ignores events without an "auditID" member for every ka.* field. */
  readonly hasAuditId: boolean;
  /** stageTimestamp, seconds since the epoch. */
  seconds: number;
  /** stageTimestamp, nanoseconds within the second. */
  nanos: number;
  /** Position in the stream of events (evt.num), from 1; 0 until an AuditEventSequence stamps it. */
  num: number;
  /** Time of the stream's first event, which evt.reltime counts from; this event's own until stamped. */
  firstSeconds: number;
  firstNanos: number;
  private compactText: string | undefined;
  private query: Cached<QueryValues>;
  private imagesC: Cached<readonly string[]>;
  private imagesI: Cached<readonly string[]>;
  private imagesE: Cached<readonly string[]>;

  constructor(json: JsonObject, seconds: number, nanos: number, compactText?: string) {
    this.json = json;
    this.hasAuditId = Object.prototype.hasOwnProperty.call(json, "auditID");
    this.seconds = seconds;
    this.nanos = nanos;
    this.num = 0;
    this.firstSeconds = seconds;
    this.firstNanos = nanos;
    this.compactText = compactText;
    this.query = UNSET;
    this.imagesC = UNSET;
    this.imagesI = UNSET;
    this.imagesE = UNSET;
  }

  /** Event time in nanoseconds since the epoch (evt.rawtime, json.rawtime). */
  timestampNs(): bigint {
    return timestampNanos(this);
  }

  /** The event as the plugin stores it: compact marshalled JSON. */
  compact(): string {
    if (this.compactText === undefined) this.compactText = marshalCompact(this.json);
    return this.compactText;
  }

  /** Parsed query of requestURI (ka.uri.param), undefined when absent or unparseable. */
  uriQuery(): QueryValues | undefined {
    if (this.query === UNSET) {
      const uri = Object.prototype.hasOwnProperty.call(this.json, "requestURI")
        ? this.json.requestURI
        : undefined;
      this.query =
        uri === undefined ? undefined : queryOfUri(typeof uri === "string" ? uri : marshalCompact(uri));
    }
    return this.query;
  }

  /** All image strings of one container list (shared by .image and .image.repository). */
  images(
    list: ContainerList,
    compute: (ev: AuditEvent) => readonly string[] | undefined,
  ): readonly string[] | undefined {
    switch (list) {
      case "containers":
        if (this.imagesC === UNSET) this.imagesC = compute(this);
        return this.imagesC;
      case "initContainers":
        if (this.imagesI === UNSET) this.imagesI = compute(this);
        return this.imagesI;
      default:
        if (this.imagesE === UNSET) this.imagesE = compute(this);
        return this.imagesE;
    }
  }
}

/**
 * Numbers the events of one stream (a file being replayed, a webhook's lifetime) as the inspector does:
 * evt.num counts from 1, and evt.reltime is measured from the first event's time.
 */
export class AuditEventSequence {
  private count = 0;
  private firstSeconds = 0;
  private firstNanos = 0;

  stamp(ev: AuditEvent): void {
    if (this.count === 0) {
      this.firstSeconds = ev.seconds;
      this.firstNanos = ev.nanos;
    }
    ev.num = ++this.count;
    ev.firstSeconds = this.firstSeconds;
    ev.firstNanos = this.firstNanos;
  }
}

export type PayloadResult =
  | {
      readonly ok: true;
      readonly events: readonly AuditEvent[];
      /** Events of the payload that were dropped, each with its reason. */
      readonly eventErrors: readonly K8sAuditError[];
    }
  | { readonly ok: false; readonly error: K8sAuditError };

function fail(code: K8sAuditErrorCode, detail?: string): PayloadResult {
  const message = detail === undefined ? K8S_AUDIT_ERRORS[code] : `${K8S_AUDIT_ERRORS[code]}: ${detail}`;
  return { ok: false, error: { code, message, item: undefined } };
}

const decoder = new TextDecoder();
const scratchTs: Timestamp = { seconds: 0, nanos: 0 };

function byteLength(data: string | Uint8Array): number {
  return typeof data === "string" ? Buffer.byteLength(data, "utf8") : data.length;
}

/** The UTF-8 size of `data` is at most `limit` bytes; cheap unless the answer is close. */
function fitsBytes(data: string | Uint8Array, limit: number): boolean {
  if (typeof data !== "string") return data.length <= limit;
  if (data.length * 3 <= limit) return true; // at most 3 bytes per UTF-16 unit
  if (data.length > limit) return false; // at least 1 byte per unit
  return Buffer.byteLength(data, "utf8") <= limit;
}

class Collector {
  readonly events: AuditEvent[] = [];
  readonly errors: K8sAuditError[] = [];
  item = 0;
  constructor(
    readonly maxEventSize: number,
    /** No event can exceed maxEventSize: the whole payload is small enough. */
    readonly sizeKnownSmall: boolean,
  ) {}

  /** Go's parseSingleAuditEventJSON. */
  single(v: JsonValue): void {
    const item = this.item++;
    const ts =
      isJsonObject(v) && Object.prototype.hasOwnProperty.call(v, "stageTimestamp")
        ? v.stageTimestamp
        : undefined;
    if (ts === undefined) {
      this.errors.push({
        code: "K8SAUDIT_NO_TIMESTAMP",
        message: K8S_AUDIT_ERRORS.K8SAUDIT_NO_TIMESTAMP,
        item,
      });
      return;
    }
    if (typeof ts !== "string" || !parseRfc3339(ts, scratchTs)) {
      const shown = typeof ts === "string" ? JSON.stringify(ts.slice(0, 64)) : "not a string";
      this.errors.push({
        code: "K8SAUDIT_BAD_TIMESTAMP",
        message: `${K8S_AUDIT_ERRORS.K8SAUDIT_BAD_TIMESTAMP}: ${shown}`,
        item,
      });
      return;
    }
    const obj = v as JsonObject; // a timestamp member implies an object
    let compactText: string | undefined;
    if (!this.sizeKnownSmall) {
      compactText = marshalCompact(obj);
      const size = byteLength(compactText);
      if (size > this.maxEventSize) {
        this.errors.push({
          code: "K8SAUDIT_EVENT_TOO_LARGE",
          message: `${K8S_AUDIT_ERRORS.K8SAUDIT_EVENT_TOO_LARGE}: size=${size}`,
          item,
        });
        return;
      }
    }
    this.events.push(new AuditEvent(obj, scratchTs.seconds, scratchTs.nanos, compactText));
  }

  /** Go's ParseAuditEventsJSON: false when the value is not recognised (the payload is then dropped). */
  value(v: JsonValue): boolean {
    if (Array.isArray(v)) {
      for (const el of v) if (!this.value(el)) return false;
      return true;
    }
    if (!isJsonObject(v)) return false;
    const kind = Object.prototype.hasOwnProperty.call(v, "kind") ? v.kind : undefined;
    if (kind === "Event") {
      this.single(v);
      return true;
    }
    if (kind === "EventList") {
      const items = Object.prototype.hasOwnProperty.call(v, "items") ? v.items : undefined;
      if (!Array.isArray(items)) return false;
      for (const item of items) this.single(item);
      return true;
    }
    return false;
  }
}

/**
 * Parse one payload: a JSON Lines line or a webhook request body. Accepts text or UTF-8 bytes (invalid
 * sequences become U+FFFD). Never throws.
 */
export function parseAuditPayload(data: string | Uint8Array, options: AuditParseOptions = {}): PayloadResult {
  const maxEventSize = options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE;
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (!fitsBytes(data, maxPayloadBytes))
    return fail("K8SAUDIT_PAYLOAD_TOO_LARGE", `size=${byteLength(data)}`);
  const text = typeof data === "string" ? data : decoder.decode(data);
  if (!checkJsonDepth(text)) return fail("K8SAUDIT_JSON_TOO_DEEP");
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch (e) {
    return fail("K8SAUDIT_JSON_SYNTAX", e instanceof Error ? e.message : undefined);
  }
  // An event's marshalled form can exceed its source text (Go escapes, re-printed numbers such as 1e20)
  // by less than 6x; below that bound no event can be too large and none needs marshalling here.
  const collector = new Collector(maxEventSize, fitsBytes(data, Math.floor(maxEventSize / 8)));
  if (!collector.value(parsed)) return fail("K8SAUDIT_NOT_AUDIT");
  return { ok: true, events: collector.events, eventErrors: collector.errors };
}

export interface LineOutcome {
  /** 1-based line number in the input. */
  readonly line: number;
  readonly result: PayloadResult;
}

/**
 * Parse JSON Lines text (an audit log file): one payload per non-empty line, trailing '\r' dropped.
 * A line longer than maxLineBytes yields K8SAUDIT_LINE_TOO_LONG and ends the iteration, as the plugin's
 * reader stops at such a line. For streaming input, split lines yourself and call parseAuditPayload.
 */
export function* parseAuditJsonLines(
  data: string | Uint8Array,
  options: AuditParseOptions = {},
): Generator<LineOutcome, void, undefined> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const text = typeof data === "string" ? data : decoder.decode(data);
  let line = 0;
  for (let start = 0; start < text.length;) {
    line++;
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    let content = text.slice(start, end);
    start = end + 1;
    // Go's line scanner fails once a line fills its whole buffer without ending
    if (!fitsBytes(content, maxLineBytes - 1)) {
      yield { line, result: fail("K8SAUDIT_LINE_TOO_LONG", `line ${line} exceeds ${maxLineBytes} bytes`) };
      return;
    }
    if (content.endsWith("\r")) content = content.slice(0, -1);
    if (content.length === 0) continue;
    yield { line, result: parseAuditPayload(content, options) };
  }
}
