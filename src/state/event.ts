// SyscallEvent: what rules and fields see of one syscall event, after the state engine has processed
// it. One object per processor, reused for every event (no allocation per event): the capture view,
// the event number, the thread and fd the event refers to, and, for exit events, the parameters of
// the matching enter event when libsinsp would have kept them.
import { EventType } from "../capture/events/table.js";
import { ScapEvent } from "../capture/scap/event.js";
import type { FdInfo } from "./fdinfo.js";
import type { SystemState } from "./state.js";
import type { ThreadInfo } from "./threadinfo.js";

export class SyscallEvent {
  /** The event view; valid only while the event is being handled. */
  ev: ScapEvent = new ScapEvent();
  /** evt.num: 1-based ordinal of the event in the stream. */
  num = 0;
  /** The thread the event belongs to, as the state engine resolved it (see thread()). */
  tinfo: ThreadInfo | undefined = undefined;
  /** The fd the event acts on, when known. */
  fdinfo: FdInfo | undefined = undefined;
  /** errno of a failed syscall (positive), 0 otherwise. */
  errorCode = 0;
  /** The event changed the name of its fd (fd.name_changed). */
  fdNameChanged = false;
  /** False for events sysdig/Falco process for state but never show (initial container events, state-only dumps). */
  listed = true;
  /** The enter event's parameters, valid when `hasEnter` (exit events only). */
  readonly enter: ScapEvent = new ScapEvent();
  hasEnter = false;
  /** Event time as a number of nanoseconds (inexact beyond 2^53; see ev.ts for the exact value). */
  tsNs = 0;

  constructor(readonly state: SystemState) {}

  get type(): number {
    return this.ev.type;
  }

  get tid(): number {
    return this.ev.tid;
  }

  /** libsinsp's get_thread_info(): the event's thread, else the table's entry for its tid. */
  thread(): ThreadInfo | undefined {
    return this.tinfo ?? this.state.find(this.ev.tid);
  }

  /** True for container metadata events (their "thread" is made up for the container). */
  isContainerEvent(): boolean {
    const t = this.ev.type;
    return (
      t === EventType.CONTAINER_JSON_E || t === EventType.CONTAINER_JSON_2_E || t === EventType.CONTAINER_E
    );
  }
}
