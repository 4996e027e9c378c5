// A live capture session: the privileged start-up shared by `saker run` and `saker capture`.
//
//   1. the probe loader starts (reduced to CAP_BPF + CAP_PERFMON as the target user when we are root)
//      and the first selection is applied: the kernel records events from here on;
//   2. /proc is scanned; the consumer receives the initial state (records) first;
//   3. the engine drops its privileges;
//   4. events captured meanwhile, held in a bounded start-up buffer, are handed to the consumer in order,
//      then live ones as they arrive. The engine's own start-up events (its /proc scan, its setuid calls)
//      can be routed apart (onOwnStartupEvent): state, not activity to judge.
// So a consumer sees the initial state, then every event since the capture started, in order, and runs
// unprivileged from the first event on. Failures are values with AGENT_ERRORS codes.
import { existsSync, readdirSync } from "node:fs";
import {
  type LiveCapture,
  LiveCaptureError,
  type LiveCaptureOptions,
  LiveErrorCode,
  type LiveResult,
  type Selection,
  defaultLoaderPath,
  startLiveCapture,
} from "../capture/live/capture.js";
import { liveEventView, positionEvent } from "../capture/live/records.js";
import type { ScapEvent } from "../capture/scap/event.js";
import { type ProcScanOptions, type ProcScanResult, scanProc } from "../state/proc-scan.js";
import { type TargetUser, dropPrivileges, loaderWrapper, runningAsRoot } from "./privileges.js";
import { escapeText } from "../alerts/escape.js";

/** Start-up failures (the agent's codes). */
export const SESSION_ERRORS = {
  SAKER_RUN_NO_BTF: "the kernel has no BTF, the probe cannot be loaded",
  SAKER_RUN_PROBE_MISSING: "the probe loader is not built",
  SAKER_RUN_NOT_PERMITTED: "not permitted to load the probe (run as root, or with CAP_BPF and CAP_PERFMON)",
  SAKER_RUN_PROBE_FAILED: "the probe could not be loaded",
  SAKER_RUN_PRIVILEGES: "could not drop privileges",
} as const;

export type SessionErrorCode = keyof typeof SESSION_ERRORS;

export interface SessionError {
  readonly code: SessionErrorCode;
  readonly message: string;
}

export interface SessionConsumer {
  /** The initial state, before any event. */
  onScan(scan: ProcScanResult): void;
  /** Every event, in order. Return false to stop the capture. */
  onEvent(ev: ScapEvent): boolean;
  /**
   * The engine's own events from its start-up (reading /proc, dropping privileges): they must reach the
   * state (our credentials changed) but are not the system's activity. Default: onEvent.
   */
  onOwnStartupEvent?(ev: ScapEvent): void;
}

export interface SessionOptions {
  readonly log: (level: number, message: string) => void;
  /** Loader options (path, ring buffer size, snaplen...). */
  readonly capture?: LiveCaptureOptions;
  /** The user to run as once started as root; null keeps root. */
  readonly user: TargetUser | null;
  readonly procScan?: ProcScanOptions;
  /** Most bytes of events held while the initial state is read (default 64 MiB). */
  readonly startupBufferBytes?: number;
}

export interface SessionStart {
  readonly session: LiveSession;
  /** The probe's answer to the first selection. */
  readonly selection: Selection;
}

const LOG_WARNING = 4;
const LOG_INFO = 6;

export class LiveSession {
  private ready = false;
  /** Events lost from the start-up buffer. */
  startupDropped = 0;
  /** Resolves when the capture ends (stop(), a fault, or the consumer returning false). */
  readonly done: Promise<LiveResult>;

  private constructor(readonly live: LiveCapture) {
    this.done = live.done;
  }

  /** Replaces the selection without restarting capture. */
  select(names: Iterable<string> | "all"): Promise<Selection> {
    return this.live.select(names);
  }

  /** Resolves once every event captured before the call has been handed over. */
  async sync(): Promise<void> {
    try {
      await this.live.sync();
    } catch {
      // the capture already ended
    }
  }

  /** Detach the probe; resolves with the capture's result. */
  stop(): Promise<LiveResult> {
    return this.live.stop();
  }

  /** Open a session (see the header). */
  static async open(
    consumer: SessionConsumer,
    names: Iterable<string> | "all",
    options: SessionOptions,
  ): Promise<{ ok: true; start: SessionStart } | { ok: false; error: SessionError }> {
    const log = options.log;
    if (!existsSync("/sys/kernel/btf/vmlinux")) {
      return fail("SAKER_RUN_NO_BTF", `${SESSION_ERRORS.SAKER_RUN_NO_BTF} (/sys/kernel/btf/vmlinux)`);
    }
    const loader = options.capture?.loaderPath ?? defaultLoaderPath();
    if (!existsSync(loader)) {
      return fail(
        "SAKER_RUN_PROBE_MISSING",
        `${SESSION_ERRORS.SAKER_RUN_PROBE_MISSING}: ${escapeText(loader)} (run scripts/build-probe.sh)`,
      );
    }
    const asRoot = runningAsRoot();
    const user = asRoot ? options.user : null;
    const unprivileged = user !== null && user.uid !== 0;
    const wrapper = unprivileged ? loaderWrapper(loader, user) : null;
    if (unprivileged && wrapper === null) {
      log(LOG_WARNING, "setpriv/setsid not found: the probe loader runs as root with all capabilities");
    }
    const startup = new StartupBuffer(options.startupBufferBytes ?? 64 * 1024 * 1024);
    let session: LiveSession | null = null;
    const t0 = Date.now();
    let live: LiveCapture;
    try {
      live = await startLiveCapture(
        {
          onEvent: (ev) => {
            if (session === null || !session.ready) {
              startup.add(ev);
              return true;
            }
            return consumer.onEvent(ev);
          },
        },
        { ...options.capture, loaderPath: wrapper?.path ?? loader },
      );
    } catch (e) {
      return { ok: false, error: probeError(e) };
    } finally {
      wrapper?.cleanup();
    }
    session = new LiveSession(live);
    log(
      LOG_INFO,
      `Probe attached in ${Date.now() - t0} ms (${live.hello.ncpus} CPUs; loader ` +
        `${wrapper !== null ? `as ${escapeText(user!.name)} with CAP_BPF and CAP_PERFMON only` : "as root"})`,
    );
    let selection: Selection;
    try {
      selection = await live.select(names);
    } catch (e) {
      await live.stop();
      return { ok: false, error: probeError(e) };
    }

    const scan = scanProc(options.procScan);
    const c = scan.counters;
    log(
      LOG_INFO,
      `Initial state from /proc: ${scan.processes.length} threads, ${scan.fds.length} fds, ` +
        `${scan.users.length} users, ${scan.groups.length} groups in ${scan.elapsedMs} ms` +
        (c.vanished > 0 ? ` (${c.vanished} exited during the scan)` : "") +
        (scan.truncated ? " (truncated: limit or time budget reached)" : ""),
    );
    consumer.onScan(scan);
    const own = ownThreads();
    if (unprivileged) {
      const dropped = dropPrivileges(user);
      if (!dropped.ok) {
        await live.stop();
        return fail("SAKER_RUN_PRIVILEGES", dropped.message);
      }
      log(
        LOG_INFO,
        `Dropped privileges: the engine runs as ${escapeText(user.name)} (uid ${user.uid}, gid ${user.gid})`,
      );
    } else if (asRoot) {
      log(LOG_WARNING, "The engine keeps running as root (no user to drop privileges to)");
    }
    // Everything captured so far (our own setuid calls included) into the start-up buffer first.
    try {
      await live.sync();
    } catch (e) {
      return { ok: false, error: probeError(e) };
    }
    session.ready = true;
    const onOwn = consumer.onOwnStartupEvent;
    startup.replay((ev) => {
      if (onOwn !== undefined && own.has(ev.tid)) {
        onOwn(ev);
        return true;
      }
      return consumer.onEvent(ev);
    });
    session.startupDropped = startup.dropped;
    if (startup.dropped > 0) {
      log(LOG_WARNING, `${startup.dropped} events captured during start-up were lost (start-up buffer full)`);
    }
    return { ok: true, start: { session, selection } };
  }
}

/** The thread ids of this process. */
function ownThreads(): ReadonlySet<number> {
  try {
    return new Set(readdirSync("/proc/self/task").map(Number));
  } catch {
    return new Set([process.pid]);
  }
}

function fail(code: SessionErrorCode, message: string): { ok: false; error: SessionError } {
  return { ok: false, error: { code, message } };
}

function probeError(e: unknown): SessionError {
  if (!(e instanceof LiveCaptureError)) {
    return {
      code: "SAKER_RUN_PROBE_FAILED",
      message: `${SESSION_ERRORS.SAKER_RUN_PROBE_FAILED}: ${(e as Error).message}`,
    };
  }
  const detail = escapeText(e.message);
  switch (e.code) {
    case LiveErrorCode.LOADER_MISSING:
      return {
        code: "SAKER_RUN_PROBE_MISSING",
        message: `${SESSION_ERRORS.SAKER_RUN_PROBE_MISSING}: ${detail}`,
      };
    case LiveErrorCode.NOT_PERMITTED:
      return {
        code: "SAKER_RUN_NOT_PERMITTED",
        message: `${SESSION_ERRORS.SAKER_RUN_NOT_PERMITTED}: ${detail}`,
      };
    default:
      return {
        code: "SAKER_RUN_PROBE_FAILED",
        message: `${SESSION_ERRORS.SAKER_RUN_PROBE_FAILED} (${e.code}): ${detail}`,
      };
  }
}

/**
 * Events captured while the initial state is read: their raw records copied into 1 MiB chunks, at most
 * `maxBytes` in all, then replayed in order through one reused view. Over the bound, events are lost and
 * counted.
 */
export class StartupBuffer {
  private readonly chunks: Buffer[] = [];
  /** Bytes used in each chunk. */
  private readonly ends: number[] = [];
  private used = 0;
  private total = 0;
  dropped = 0;

  constructor(private readonly maxBytes: number) {}

  add(ev: ScapEvent): void {
    const len = ev.len;
    if (this.total + len > this.maxBytes) {
      this.dropped++;
      return;
    }
    let chunk = this.chunks[this.chunks.length - 1];
    if (chunk === undefined || this.used + len > chunk.length) {
      chunk = Buffer.allocUnsafe(Math.max(1 << 20, len));
      this.chunks.push(chunk);
      this.used = 0;
    }
    ev.buf.copy(chunk, this.used, ev.off, ev.off + len);
    this.used += len;
    this.total += len;
    this.ends[this.chunks.length - 1] = this.used;
  }

  /** Hand every held event to `handle`, in order; stops if it returns false. */
  replay(handle: (ev: ScapEvent) => boolean): void {
    const view = liveEventView();
    for (let i = 0; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      const end = this.ends[i] ?? 0;
      const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
      let off = 0;
      while (off < end) {
        const r = positionEvent(view, chunk, dv, off, end);
        if (typeof r === "string") return;
        if (handle(view) === false) return;
        off += r;
      }
    }
    this.chunks.length = 0;
    this.ends.length = 0;
  }
}
