// The state the parameter renderer (capture/events/render.ts) asks for: fd names and type characters,
// the working directory, thread names, users and groups, all of the event being rendered. One
// object per source, pointed at the current event before each rendering; no allocation per event.
import type { RenderContext } from "../../../capture/events/render.js";
import type { SyscallEvent } from "../../../state/event.js";
import { FdType, fdTypeChar } from "../../../state/fdinfo.js";
import { L4Proto } from "../../../state/net.js";

export class StateRenderContext implements RenderContext {
  private e: SyscallEvent | undefined = undefined;

  constructor(readonly maxBufferLength: number) {}

  /** Point the context at `e`; returns itself for use in a call. */
  at(e: SyscallEvent): this {
    this.e = e;
    return this;
  }

  private fd(fd: number) {
    const e = this.e;
    if (e === undefined) return undefined;
    const t = e.thread();
    if (t === undefined) return undefined;
    return e.state.fdTable(t)?.get(fd);
  }

  fdName(fd: number): string | undefined {
    return this.fd(fd)?.name;
  }

  fdTypeChar(fd: number): string | undefined {
    const fdi = this.fd(fd);
    if (fdi === undefined) return undefined;
    let s = fdTypeChar(fdi.type);
    if (
      fdi.type === FdType.IPV4_SOCK ||
      fdi.type === FdType.IPV6_SOCK ||
      fdi.type === FdType.IPV4_SERVSOCK ||
      fdi.type === FdType.IPV6_SERVSOCK
    ) {
      switch (fdi.l4protoForFields()) {
        case L4Proto.TCP:
          s += "t";
          break;
        case L4Proto.UDP:
          s += "u";
          break;
        case L4Proto.ICMP:
          s += "i";
          break;
        case L4Proto.RAW:
          s += "r";
          break;
        default:
          break;
      }
    }
    return s;
  }

  cwd(): string | undefined {
    const e = this.e;
    const t = e?.thread();
    return e === undefined || t === undefined ? undefined : e.state.cwd(t);
  }

  threadComm(tid: number): string | undefined {
    return this.e?.state.find(tid)?.comm;
  }

  userName(uid: number): string | undefined {
    return uid === 0xffffffff ? undefined : this.e?.state.users.get(uid >>> 0)?.name;
  }

  groupName(gid: number): string | undefined {
    return gid === 0xffffffff ? undefined : this.e?.state.groups.get(gid >>> 0)?.name;
  }
}
