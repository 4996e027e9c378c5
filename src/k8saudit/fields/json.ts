// Generic JSON fields over the whole audit event. `json` is the json plugin's class (json.* plus its
// jevt.* aliases); `jevt` holds the two time fields of Falco's built-in k8s audit support from before
// plugins, which some old rules files still name. All are strings, like the plugin's.
import { pluginField } from "../../fields/define.js";
import type { FieldClass } from "../../fields/types.js";

const pointerHelp =
  "A JSON pointer (RFC 6901: /-separated keys, ~1 for '/', ~0 for '~', array elements by number) selects the value; strings come out as they are, anything else as compact JSON.";

export const jsonFieldClass: FieldClass = {
  name: "json",
  shortDescription: "JSON values",
  description:
    "Any value of the event's JSON, as the json plugin provides it; jevt.* are the older names of the same fields.",
  fields: [
    pluginField(
      "json.value",
      "CHARBUF",
      `A value inside the event: json.value[/json/pointer]. ${pointerHelp}`,
      {
        arg: "key",
        argRequired: true,
      },
    ),
    pluginField("json.obj", "CHARBUF", "The whole event as JSON text, indented by two spaces."),
    pluginField(
      "json.rawtime",
      "CHARBUF",
      "Event time in nanoseconds since the epoch (the same number as evt.rawtime).",
    ),
    pluginField("jevt.value", "CHARBUF", "Older name of json.value: jevt.value[/json/pointer].", {
      arg: "key",
      argRequired: true,
    }),
    pluginField("jevt.obj", "CHARBUF", "Older name of json.obj."),
    pluginField("jevt.rawtime", "CHARBUF", "Older name of json.rawtime."),
  ],
};

export const jevtTimeFieldClass: FieldClass = {
  name: "jevt",
  shortDescription: "Legacy JSON event time",
  description:
    "Time fields of Falco's built-in JSON event support from before plugins, kept for old rules files.",
  fields: [
    pluginField("jevt.time", "CHARBUF", "Event time of day as HH:MM:SS.nnnnnnnnn, in the local time zone."),
    pluginField(
      "jevt.time.iso8601",
      "CHARBUF",
      "Event time in ISO 8601 form with nanoseconds, in UTC: YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000.",
    ),
  ],
};
