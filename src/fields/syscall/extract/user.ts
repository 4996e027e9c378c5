// user.* and group.*: the user and group the event's thread runs as, named from the capture's user
// and group tables (libsinsp's sinsp_filter_check_user/_group). An id with no entry has no name; the
// id itself is always there (4294967295 when unknown).
import type { Extractor } from "../../../engine/source.js";
import type { SyscallEvent } from "../../../state/event.js";
import type { ResolvedField } from "../../types.js";

type X = Extractor<SyscallEvent>;

const NO_ID = 0xffffffff;

function user(e: SyscallEvent, uid: number) {
  return uid === NO_ID ? undefined : e.state.users.get(uid);
}

/** The extractor of a user.* or group.* field; undefined when the name is not one of these. */
export function userExtractor(field: ResolvedField, sysdigCompat = false): X | undefined {
  switch (field.info.name) {
    case "user.uid":
      return (e) => e.thread()?.uid;
    case "user.name":
      return (e) => {
        const t = e.thread();
        return t === undefined ? undefined : user(e, t.uid)?.name;
      };
    case "user.homedir":
      return (e) => {
        const t = e.thread();
        return t === undefined ? undefined : user(e, t.uid)?.homedir;
      };
    case "user.shell":
      return (e) => {
        const t = e.thread();
        return t === undefined ? undefined : user(e, t.uid)?.shell;
      };
    case "user.loginuid":
      // An int32 in libsinsp: an unset login uid reads -1.
      return (e) => {
        const t = e.thread();
        return t === undefined ? undefined : t.loginuid | 0;
      };
    case "user.loginname":
      return (e) => {
        const t = e.thread();
        return t === undefined ? undefined : user(e, t.loginuid)?.name;
      };
    case "group.gid":
      if (sysdigCompat) {
        // sysdig 0.29.3 read the 32-bit gid as 64 bits, taking in the thread count stored after it.
        return (e) => {
          const t = e.thread();
          return t === undefined ? undefined : t.gid + t.nchilds * 4294967296;
        };
      }
      return (e) => e.thread()?.gid;
    case "group.name":
      return (e) => {
        const t = e.thread();
        if (t === undefined || t.gid === NO_ID) return undefined;
        return e.state.groups.get(t.gid)?.name;
      };
    default:
      return undefined;
  }
}
