// fdlist.*: the fd sets of poll-like events. Facts follow libsinsp's sinsp_filtercheck_fdlist.cpp.
import { sinspField as f } from "../define.js";
import type { FieldClass } from "../types.js";

export const fdListClass: FieldClass = {
  name: "fdlist",
  description: "The fds passed to poll events.",
  fields: [
    f(
      "fdlist.nums",
      "CHARBUF",
      "For poll events, the numbers of the fds in the 'fds' argument, comma-separated.",
    ),
    f(
      "fdlist.names",
      "CHARBUF",
      "For poll events, the names of the fds in the 'fds' argument, comma-separated.",
    ),
    f("fdlist.cips", "CHARBUF", "For poll events, the client IP addresses of the fds, comma-separated."),
    f("fdlist.sips", "CHARBUF", "For poll events, the server IP addresses of the fds, comma-separated."),
    f("fdlist.cports", "CHARBUF", "For poll events, the client ports of the TCP/UDP fds, comma-separated."),
    f("fdlist.sports", "CHARBUF", "For poll events, the server ports of the TCP/UDP fds, comma-separated."),
  ],
};
