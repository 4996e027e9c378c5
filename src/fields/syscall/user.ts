// user.*: the user the process runs as. Facts follow libsinsp's sinsp_filtercheck_user.cpp.
import { sinspField as f } from "../define.js";
import type { FieldClass } from "../types.js";

export const userClass: FieldClass = {
  name: "user",
  description: "The user the process runs as.",
  fields: [
    f("user.uid", "UINT32", "User id."),
    f("user.name", "CHARBUF", "User name."),
    f("user.homedir", "CHARBUF", "Home directory of the user."),
    f("user.shell", "CHARBUF", "Login shell of the user."),
    f("user.loginuid", "INT64", "Audit user id (loginuid) the session was opened with; -1 when unset."),
    f("user.loginname", "CHARBUF", "Name of the audit user (loginuid)."),
  ],
};
