// A small synthetic event source for alert tests: events are plain objects holding a timestamp and
// field values keyed by the field as resolved ("proc.name", "proc.aname[2]", "evt.arg[flags]"), and the
// rendering follows libsinsp's text forms for the few types used here. Time fields extract the raw
// timestamp and render it, as the syscall source does, so JSON gets the number and text the time.
import type { EventSource, FieldValue } from "../../../src/engine/source.js";
import { createCatalogue } from "../../../src/fields/catalogue.js";
import { ancestorIndexArg, eventParamArg } from "../../../src/fields/args.js";
import { pluginField, sinspField } from "../../../src/fields/define.js";
import type { ResolvedField } from "../../../src/fields/types.js";
import { formatIso8601, formatLocalTime } from "../../../src/alerts/time.js";

export interface TestEvent {
  readonly ts: bigint;
  readonly values: Readonly<Record<string, FieldValue>>;
}

const catalogue = createCatalogue("syscall", [
  {
    name: "evt",
    description: "event",
    fields: [
      sinspField("evt.time", "CHARBUF", "time of day"),
      sinspField("evt.time.iso8601", "CHARBUF", "ISO 8601 time"),
      sinspField("evt.num", "UINT64", "event number"),
      sinspField("evt.type", "CHARBUF", "event type"),
      sinspField("evt.flags", "FLAGS32", "open flags"),
      sinspField("evt.buffer", "BYTEBUF", "I/O buffer"),
      sinspField("evt.arg", "CHARBUF", "argument", {
        arg: "index_or_key",
        argRequired: true,
        dottedArg: true,
        parseArg: eventParamArg(new Set(["name", "flags", "fd", "res"]), true),
      }),
    ],
  },
  {
    name: "process",
    description: "process",
    fields: [
      sinspField("proc.name", "CHARBUF", "name"),
      sinspField("proc.cmdline", "CHARBUF", "command line"),
      sinspField("proc.pid", "INT64", "pid"),
      sinspField("proc.aname", "CHARBUF", "ancestor name", { arg: "index", parseArg: ancestorIndexArg }),
      sinspField("proc.is_exe_writable", "BOOL", "writable executable"),
      sinspField("thread.cpu", "DOUBLE", "CPU"),
    ],
  },
  {
    name: "fd",
    description: "fd",
    fields: [
      sinspField("fd.name", "FSPATH", "name"),
      sinspField("fd.cport", "PORT", "client port"),
      sinspField("fd.ip", "IPADDR", "either address", { filterOnly: true }),
      sinspField("fd.cip", "IPADDR", "client address"),
    ],
  },
  {
    name: "container",
    description: "container",
    fields: [
      pluginField("container.name", "CHARBUF", "name"),
      pluginField("container.id", "CHARBUF", "id"),
      pluginField("container.image", "CHARBUF", "image"),
    ],
  },
  {
    name: "k8s",
    description: "k8s",
    fields: [
      pluginField("k8s.ns.name", "CHARBUF", "namespace"),
      pluginField("k8s.pod.name", "CHARBUF", "pod"),
      pluginField("ka.user.groups", "CHARBUF", "groups", { list: true }),
      pluginField("proc.vpid", "INT64", "vpid"),
      pluginField("thread.vtid", "INT64", "vtid"),
    ],
  },
]);

/** The key an event stores a field's value under. */
export function valueKey(field: ResolvedField): string {
  return field.arg === undefined ? field.info.name : `${field.info.name}[${field.arg}]`;
}

const OPEN_FLAGS: readonly [number, string][] = [
  [1, "O_WRONLY"],
  [2, "O_RDWR"],
  [64, "O_CREAT"],
  [524288, "O_CLOEXEC"],
];

export function testSource(utcOffsetSeconds = 0): EventSource<TestEvent> & { extractors: number } {
  const source = {
    name: "syscall",
    catalogue,
    eventTypeNames: undefined,
    /** How many extractors were built: binding should build one per distinct field. */
    extractors: 0,
    extractor(field: ResolvedField) {
      source.extractors++;
      const name = field.info.name;
      if (name === "evt.time" || name === "evt.time.iso8601") {
        return (e: TestEvent) => e.ts;
      }
      const key = valueKey(field);
      return (e: TestEvent) => e.values[key];
    },
    render(field: ResolvedField, value: FieldValue): string {
      const name = field.info.name;
      if (name === "evt.time.iso8601") return formatIso8601(value as bigint);
      if (name === "evt.time") return formatLocalTime(value as bigint, utcOffsetSeconds);
      if (field.info.type === "FLAGS32") {
        const n = Number(value);
        const names = OPEN_FLAGS.filter(([bit]) => (n & bit) !== 0).map(([, text]) => text);
        return (n & 3) === 0 ? ["O_RDONLY", ...names].join("|") : names.join("|");
      }
      if (value instanceof Uint8Array) return Buffer.from(value).toString("latin1");
      if (Array.isArray(value)) return "(" + value.join(",") + ")";
      return String(value);
    },
  };
  return source;
}

export const testSchema = testSource();
