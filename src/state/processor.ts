// The event processor: records and events in stream order in, state updated, one reused SyscallEvent
// out per event, ready for rules. Rules see an event after the state engine has processed it, as
// Falco and `sysdig -d` evaluate filters; so an open's exit already names its new fd.
//
// Per event, libsinsp's order (sinsp::next, sinsp_parser::process_event):
//   1. number the event; apply the thread and fd removals the previous event scheduled;
//   2. reset: find (or invent) the thread; on enter events remember the fd argument; on exit events
//      pair with the thread's last enter event, take the errno, find the fd;
//   3. parse: the event's own state change (clone, execve, open, connect, close, ...);
//   4. note whether the fd's name changed.
//
// What this may allocate: table entries when a thread or fd appears, strings when a name changes, a
// copy of an enter event into its thread's reused buffer. Nothing for events that change no state.
import { EventCategory, EventFlag, EventType } from "../capture/events/table.js";
import type { ScapEvent } from "../capture/scap/event.js";
import type { ScapRecord } from "../capture/scap/records.js";
import { SyscallEvent } from "./event.js";
import { CANCELED_FD, FdFlag } from "./fdinfo.js";
import { EVENT_FLAGS, EXIT_FD_PARAM, FIRST_PARAM_IS_RESULT } from "./params.js";
import { parseFdEvent } from "./parse-fd.js";
import { isCloneExit, parseProcessEvent } from "./parse-process.js";
import { SystemState, type StateOptions } from "./state.js";
import { CloneFlag, type ThreadInfo } from "./threadinfo.js";

export type ProcessorOptions = StateOptions;

/** scap dump flag: the event was written for state only and is never shown. */
const DF_STATE_ONLY = 1;

/** Enter events whose parameters the matching exit event needs (libsinsp store_event). */
const STORE_ENTER: Uint8Array = (() => {
  const s = new Uint8Array(1024);
  for (const t of [
    EventType.SYSCALL_OPEN_E,
    EventType.SYSCALL_CREAT_E,
    EventType.SYSCALL_OPENAT_E,
    EventType.SYSCALL_OPENAT_2_E,
    EventType.SYSCALL_OPENAT2_E,
    EventType.SOCKET_SOCKET_E,
    EventType.SYSCALL_EVENTFD_E,
    EventType.SYSCALL_CHDIR_E,
    EventType.SYSCALL_FCHDIR_E,
    EventType.SOCKET_SHUTDOWN_E,
    EventType.SYSCALL_GETRLIMIT_E,
    EventType.SYSCALL_SETRLIMIT_E,
    EventType.SYSCALL_PRLIMIT_E,
    EventType.SOCKET_SENDMSG_E,
    EventType.SOCKET_SENDTO_E,
    EventType.SYSCALL_SENDFILE_E,
    EventType.SYSCALL_SETRESUID_E,
    EventType.SYSCALL_SETRESGID_E,
    EventType.SYSCALL_SETUID_E,
    EventType.SYSCALL_SETGID_E,
    EventType.SYSCALL_SETREUID_E,
    EventType.SYSCALL_SETREGID_E,
    EventType.SYSCALL_EXECVE_18_E,
    EventType.SYSCALL_EXECVE_19_E,
    EventType.SYSCALL_EXECVEAT_E,
    EventType.SYSCALL_SETPGID_E,
    EventType.SYSCALL_FCNTL_E,
    EventType.SOCKET_CONNECT_E,
  ]) {
    s[t] = 1;
  }
  return s;
})();

/** Metadata events about users and groups: not counted as the start of the capture (evt.reltime). */
function isUserGroupEvent(t: number): boolean {
  return (
    t === EventType.USER_ADDED_E ||
    t === EventType.USER_DELETED_E ||
    t === EventType.GROUP_ADDED_E ||
    t === EventType.GROUP_DELETED_E
  );
}

export class EventProcessor {
  readonly state: SystemState;
  /** The context handed out for every event. */
  readonly event: SyscallEvent;
  private tidToRemove = -1;
  private fdRemovalTid = -1;
  private readonly fdsToRemove: number[] = [];
  private recordsPending = false;
  private sawOrdinaryEvent = false;

  constructor(options: ProcessorOptions = {}) {
    this.state = new SystemState(options);
    this.event = new SyscallEvent(this.state);
  }

  /** Feed a capture record (process, fd, user, group, interface, machine). */
  onRecord(rec: ScapRecord): void {
    const s = this.state;
    switch (rec.kind) {
      case "process":
        s.importProcess(rec);
        this.recordsPending = true;
        break;
      case "fd":
        s.importFd(rec);
        this.recordsPending = true;
        break;
      case "user":
        s.importUser(rec);
        break;
      case "group":
        s.importGroup(rec);
        break;
      case "interface":
        s.importInterface(rec);
        break;
      case "machine":
        s.hostname = rec.hostname;
        s.bootTs = rec.bootTsEpoch;
        break;
      default:
        break;
    }
  }

  /**
   * Process one event: update the state, then return the context rules read (valid until the next
   * call). The view must stay valid until then, as it does inside a reader callback.
   */
  process(ev: ScapEvent): SyscallEvent {
    const ctx = this.event;
    const s = this.state;
    const type = ev.type;
    ctx.ev = ev;
    ctx.num++;
    ctx.tsNs = ev.tsSeconds() * 1e9 + ev.tsNanos();
    ctx.fdNameChanged = false;
    ctx.hasEnter = false;
    const containerEvent = ctx.isContainerEvent();
    if (!containerEvent || this.sawOrdinaryEvent) ctx.listed = (ev.flags & DF_STATE_ONLY) === 0;
    else ctx.listed = false;

    if (this.recordsPending && !containerEvent) {
      s.finishImport();
      this.recordsPending = false;
    }
    if (!containerEvent) {
      this.sawOrdinaryEvent = true;
      if (s.firstEventTs === 0 && !isUserGroupEvent(type)) {
        s.firstEventTs = ctx.tsNs;
        s.firstEventTime = ev.ts;
      }
    }
    s.lastEventTs = ctx.tsNs;

    if (this.tidToRemove !== -1) {
      s.removeThread(this.tidToRemove, false);
      this.tidToRemove = -1;
    }
    if (!containerEvent) s.maybeScan(ctx.tsNs);
    if (this.fdsToRemove.length !== 0) {
      const t = s.getOrInvent(this.fdRemovalTid);
      if (t !== undefined) {
        const table = s.fdTable(t);
        for (const fd of this.fdsToRemove) table?.delete(fd);
      }
      this.fdsToRemove.length = 0;
    }

    this.reset(ctx, type);
    if ((type & 1) === 0) {
      if (STORE_ENTER[type] === 1) this.storeEnter(ctx);
    }
    if (!parseFdEvent(this, ctx, type)) parseProcessEvent(this, ctx, type);

    const fdi = ctx.fdinfo;
    if (fdi !== undefined) ctx.fdNameChanged = fdi.name !== fdi.oldName;
    // An exit event consumes the stored enter event (libsinsp's event_cleanup). Fields read after
    // this point use ctx.enter, which still holds it.
    const t = ctx.tinfo;
    if ((type & 1) === 1 && t !== undefined && t.enterType >= 0) {
      t.enterType = -1;
      t.lastEventDataValid = false;
    }
    return ctx;
  }

  // -----------------------------------------------------------------------------------------------
  // reset (sinsp_parser::reset)

  private reset(ctx: SyscallEvent, type: number): void {
    const s = this.state;
    const ev = ctx.ev;
    const flags = EVENT_FLAGS[type] ?? 0;
    ctx.fdinfo = undefined;
    ctx.errorCode = 0;
    ctx.tinfo = undefined;

    if (type === EventType.CONTAINER_JSON_E || type === EventType.CONTAINER_JSON_2_E) return;
    if ((flags & EventFlag.SKIPPARSERESET) !== 0) {
      if (type === EventType.PROCINFO_E) ctx.tinfo = s.find(ev.tid);
      return;
    }
    const queryOs = !(isCloneExit(type) || type === EventType.SCHEDSWITCH_6_E);
    const t = queryOs ? s.getOrInvent(ev.tid) : s.find(ev.tid);
    ctx.tinfo = t;
    if (type === EventType.SCHEDSWITCH_6_E || t === undefined) return;
    if (queryOs) t.flags |= CloneFlag.ACTIVE;
    t.lastAccessTs = ctx.tsNs;

    if ((type & 1) === 0) {
      t.lastEventFd = -1;
      t.lastEventType = type;
      if ((flags & EventFlag.USES_FD) !== 0) {
        t.lastEventFd = ev.paramI64(0) ?? -1;
        ctx.fdinfo = s.getFd(t, t.lastEventFd);
      }
      t.latency = 0;
      t.lastEnterSec = ev.tsSeconds();
      t.lastEnterNsec = ev.tsNanos();
      return;
    }

    if (t.lastEnterSec !== 0)
      t.latency = (ev.tsSeconds() - t.lastEnterSec) * 1e9 + (ev.tsNanos() - t.lastEnterNsec);
    const exitFdParam = EXIT_FD_PARAM[type] ?? -1;
    const ownFd = exitFdParam >= 0 && ev.paramLen(exitFdParam) === 8;
    if (type === t.lastEventType + 1) {
      t.lastEventDataValid = true;
    } else {
      t.lastEventDataValid = false;
      s.counters.unpairedExits++;
      // libsinsp 0.29 stops here, keeping the thread's previous fd; an exit event that names its own
      // fd (newer drivers send no enter events) is handled as current libsinsp does.
      if (!ownFd) return;
      t.lastEventFd = -1;
    }
    if (FIRST_PARAM_IS_RESULT[type] === 1) {
      const res = ev.paramI64(0);
      if (res !== undefined && res < 0) ctx.errorCode = -res;
    }
    if ((flags & EventFlag.USES_FD) === 0) return;
    if (t.lastEventFd === -1 && ownFd) t.lastEventFd = ev.paramI64(exitFdParam) ?? -1;
    const fdi = s.getFd(t, t.lastEventFd);
    ctx.fdinfo = fdi;
    if (fdi === undefined) return;
    if ((fdi.flags & FdFlag.CLOSE_CANCELED) !== 0) {
      // A close of this fd was overtaken by a new fd with the same number: drop the old one now.
      fdi.flags &= ~FdFlag.CLOSE_CANCELED;
      if (s.fdTable(t)?.get(CANCELED_FD) !== undefined) this.scheduleFdRemoval(t, CANCELED_FD);
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Enter events kept for their exit (store_event / retrieve_enter_event)

  private storeEnter(ctx: SyscallEvent): void {
    const t = ctx.tinfo;
    if (t === undefined) return;
    const ev = ctx.ev;
    const n = ev.nparams;
    let total = 0;
    for (let i = 0; i < n; i++) total += ev.paramLength[i]!;
    const view = t.enterStorage(total);
    if (view.paramOff.length < n) {
      view.paramOff = new Uint32Array(n);
      view.paramLength = new Uint32Array(n);
    }
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const len = ev.paramLength[i]!;
      const off = ev.paramOff[i]!;
      ev.buf.copy(view.buf, pos, off, off + len);
      view.paramOff[i] = pos;
      view.paramLength[i] = len;
      pos += len;
    }
    view.nparams = n;
    view.type = ev.type;
    view.tid = ev.tid;
    view.cpu = ev.cpu;
    t.enterType = ev.type;
  }

  /** The enter event of the current exit event, if libsinsp would have it (sets ctx.enter). */
  retrieveEnter(ctx: SyscallEvent): boolean {
    const t = ctx.tinfo;
    if (t === undefined || !t.lastEventDataValid || t.enterType < 0) {
      this.state.counters.enterEventsMissing++;
      return false;
    }
    if (t.enterType !== ctx.ev.type - 1) {
      t.lastEventDataValid = false;
      this.state.counters.enterEventsMissing++;
      return false;
    }
    const src = t.enterView;
    if (src === null) return false;
    const e = ctx.enter;
    e.buf = src.buf;
    e.dv = src.dv;
    e.paramOff = src.paramOff;
    e.paramLength = src.paramLength;
    e.nparams = src.nparams;
    e.type = src.type;
    e.tid = src.tid;
    e.cpu = src.cpu;
    ctx.hasEnter = true;
    return true;
  }

  // -----------------------------------------------------------------------------------------------
  // Deferred removals: a closed fd and an exited thread stay visible to their own event.

  scheduleFdRemoval(t: ThreadInfo, fd: number): void {
    this.fdRemovalTid = t.tid;
    this.fdsToRemove.push(fd);
  }

  scheduleThreadRemoval(tid: number): void {
    this.tidToRemove = tid;
  }
}

/** The category of an event's type, without the source bits (EC_SYSCALL, EC_TRACEPOINT, ...). */
export function baseCategory(category: number): number {
  return category & (EventCategory.INTERNAL | EventCategory.SCHEDULER | EventCategory.WAIT | 0x3f);
}
