// The syscall source's schema: its field classes and the event type names `evt.type` accepts.
// Class order matters: when a name could match fields of two classes, the earlier class decides
// (see catalogue.ts). It is libsinsp's order of built-in classes, then the container plugin's.
import { EVENT_TYPE_NAMES } from "../../capture/events/names.js";
import type { SourceSchema } from "../../engine/source.js";
import { createCatalogue } from "../catalogue.js";
import type { FieldClass } from "../types.js";
import { containerClass } from "./container.js";
import { genericEventClass, syscallEventClass } from "./evt.js";
import { fdClass } from "./fd.js";
import { fdListClass } from "./fdlist.js";
import { fsPathClass } from "./fspath.js";
import { groupClass } from "./group.js";
import { k8sClass } from "./k8s.js";
import { processClass } from "./process.js";
import { userClass } from "./user.js";
import { utilClass } from "./util.js";

export const SYSCALL_SOURCE = "syscall";

export const syscallClasses: readonly FieldClass[] = [
  genericEventClass,
  syscallEventClass,
  processClass,
  userClass,
  groupClass,
  fdClass,
  fsPathClass,
  utilClass,
  fdListClass,
  containerClass,
  k8sClass,
];

export const syscallSchema: SourceSchema = {
  name: SYSCALL_SOURCE,
  catalogue: createCatalogue(SYSCALL_SOURCE, syscallClasses),
  eventTypeNames: EVENT_TYPE_NAMES,
};
