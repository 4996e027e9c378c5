// fdlist.* (the fds of poll events) and util.*. Facts follow libsinsp's sinsp_filter_check_fdlist
// and sinsp_filter_check_utils.
import { EventType } from "../../../capture/events/table.js";
import type { Extractor } from "../../../engine/source.js";
import type { SyscallEvent } from "../../../state/event.js";
import { type FdInfo, FdType } from "../../../state/fdinfo.js";
import { ipv4Text } from "../../../state/net.js";
import type { ResolvedField } from "../../types.js";

type X = Extractor<SyscallEvent>;
type Part = (fd: number, fdi: FdInfo | undefined) => string | undefined;

function fdlist(part: Part): X {
  return (e) => {
    const ev = e.ev;
    let index: number;
    if (ev.type === EventType.SYSCALL_POLL_E || ev.type === EventType.SYSCALL_PPOLL_E) index = 0;
    else if (ev.type === EventType.SYSCALL_POLL_X || ev.type === EventType.SYSCALL_PPOLL_X) index = 1;
    else return undefined;
    const len = ev.paramLen(index);
    if (len < 2) return undefined;
    const t = e.thread();
    const table = t === undefined ? undefined : e.state.fdTable(t);
    const off = ev.paramOffset(index);
    const n = ev.dv.getUint16(off, true);
    let out = "";
    let pos = off + 2;
    for (let j = 0; j < n && pos + 10 <= off + len; j++, pos += 10) {
      const fd = ev.dv.getInt32(pos + 4, true) * 4294967296 + ev.dv.getUint32(pos, true);
      const s = part(fd, table?.get(fd));
      if (s === undefined) continue;
      out += out === "" ? s : "," + s;
    }
    return out;
  };
}

function clientIp(_fd: number, fdi: FdInfo | undefined): string | undefined {
  if (fdi?.type === FdType.IPV4_SOCK) return ipv4Text(fdi.sip);
  if (fdi?.type === FdType.IPV6_SOCK) return fdi.sip6;
  return undefined;
}

function serverIp(_fd: number, fdi: FdInfo | undefined): string | undefined {
  switch (fdi?.type) {
    case FdType.IPV4_SOCK:
      return ipv4Text(fdi.dip);
    case FdType.IPV6_SOCK:
      return fdi.dip6;
    case FdType.IPV4_SERVSOCK:
      return ipv4Text(fdi.sip);
    case FdType.IPV6_SERVSOCK:
      return fdi.sip6;
    default:
      return undefined;
  }
}

function ports(server: boolean): Part {
  return (_fd, fdi) => {
    if (fdi === undefined) return undefined;
    if (fdi.type === FdType.IPV4_SOCK || fdi.type === FdType.IPV6_SOCK)
      return String(server ? fdi.dport : fdi.sport);
    if (server && (fdi.type === FdType.IPV4_SERVSOCK || fdi.type === FdType.IPV6_SERVSOCK))
      return String(fdi.sport);
    return undefined;
  };
}

/** The extractor of an fdlist.* or util.* field; undefined when the name is not one of these. */
export function miscExtractor(field: ResolvedField): X | undefined {
  switch (field.info.name) {
    case "fdlist.nums":
      return fdlist((fd) => String(fd));
    case "fdlist.names":
      return fdlist((_fd, fdi) => (fdi === undefined || fdi.name === "" ? "<NA>" : fdi.name));
    case "fdlist.cips":
      return fdlist(clientIp);
    case "fdlist.sips":
      return fdlist(serverIp);
    case "fdlist.cports":
      return fdlist(ports(false));
    case "fdlist.sports":
      return fdlist(ports(true));
    case "util.cnt": {
      let n = 0;
      return () => ++n;
    }
    default:
      return undefined;
  }
}
