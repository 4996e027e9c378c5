// group.*: the group the process runs as. Facts follow libsinsp's sinsp_filtercheck_group.cpp.
import { sinspField as f } from "../define.js";
import type { FieldClass } from "../types.js";

export const groupClass: FieldClass = {
  name: "group",
  description: "The group the process runs as.",
  fields: [f("group.gid", "UINT32", "Group id."), f("group.name", "CHARBUF", "Group name.")],
};
