// util.*: a class libsinsp keeps out of field listings; shown by `saker fields --all` only.
// Facts follow libsinsp's sinsp_filtercheck_utils.cpp.
import { sinspField as f } from "../define.js";
import type { FieldClass } from "../types.js";

export const utilClass: FieldClass = {
  name: "util",
  description: "Helpers for tables and tests.",
  fields: [f("util.cnt", "UINT64", "A counter that grows by one each time it is read.", { hidden: true })],
};
