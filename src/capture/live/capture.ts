// Live capture: runs the privileged loader (probe/build/saker-probe), reads its frames from a pipe
// and hands every event to a sink through the same reused ScapEvent view the file reader uses.
//
//   const live = await startLiveCapture({
//     onEvent(ev) { if (ev.type === EventType.SYSCALL_OPENAT_2_X) console.log(ev.paramString(2)); },
//   });
//   const sel = await live.select(["openat", "execve", "connect", "procexit"]);
//   ...
//   const { stats } = await live.sync(); // every event captured before this call has been delivered
//   const result = await live.stop();    // detaches the probe
//
// The loader drains the kernel ring buffer on a timer (--drain-ms) and writes batches; nothing
// here allocates per event. A sink that returns false stops the capture. Drops (ring buffer full,
// event too large, scratch busy) are counted in the kernel and reported in `stats`; a slow sink
// turns into ring-buffer drops, never into unbounded memory here.
//
// Faults while running (the loader dying, a corrupt frame) end the capture; `done` resolves with
// the error as a value. Starting fails with a LiveCaptureError whose `code` is a LiveErrorCode.

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ScapSink } from "../scap/parser.js";
import {
  FrameReader,
  type Hello,
  type LiveStats,
  OutTag,
  PROTOCOL_VERSION,
  ZERO_STATS,
  decodeHello,
  decodeStats,
  encodeSelect,
  encodeSync,
} from "./protocol.js";
import { liveEventView, positionEvent } from "./records.js";
import { type Selection, buildSelection } from "./selection.js";

export type { Hello, LiveStats } from "./protocol.js";
export type { Selection } from "./selection.js";

export const LiveErrorCode = {
  /** The loader binary is not there (build it with scripts/build-probe.sh). */
  LOADER_MISSING: "LIVE_ERR_LOADER_MISSING",
  /** The loader lacks privileges (CAP_BPF + CAP_PERFMON, or root). */
  NOT_PERMITTED: "LIVE_ERR_NOT_PERMITTED",
  /** The loader could not load or attach the probe. */
  START_FAILED: "LIVE_ERR_START_FAILED",
  /** No HELLO within the start timeout. */
  TIMEOUT: "LIVE_ERR_TIMEOUT",
  /** The loader exited while capturing. */
  EXITED: "LIVE_ERR_EXITED",
  /** A frame or an event record is malformed. */
  PROTOCOL: "LIVE_ERR_PROTOCOL",
  /** A control message was refused, or sent after the capture ended. */
  CONTROL: "LIVE_ERR_CONTROL",
} as const;

export type LiveErrorCode = (typeof LiveErrorCode)[keyof typeof LiveErrorCode];

export class LiveCaptureError extends Error {
  constructor(
    readonly code: LiveErrorCode,
    message: string,
    /** errno reported by the loader, when it reported one. */
    readonly errno = 0,
  ) {
    super(message);
    this.name = "LiveCaptureError";
  }
}

export interface LiveCaptureOptions {
  /** Loader binary. Default: $SAKER_PROBE, else probe/build/saker-probe in the repository. */
  loaderPath?: string;
  /** Kernel ring buffer size, MiB (a power of two). Default 8. */
  ringBufferMb?: number;
  /** How often the loader drains the ring buffer, ms. Default 20. */
  drainMs?: number;
  /** How often the loader reports its counters, ms. Default 1000. */
  statsMs?: number;
  /** Bytes of I/O buffers kept by sendto/recvfrom. Default 80. */
  snaplen?: number;
  /** Capture the loader's own syscalls too. Default false. */
  captureSelf?: boolean;
  /** Initial selection. Default: nothing is captured until select(). */
  syscalls?: Iterable<string> | "all";
  /** Time allowed for loading and attaching, ms. Default 30000. */
  startTimeoutMs?: number;
  /** Called with every counters report. */
  onStats?: (stats: LiveStats) => void;
}

export interface LiveSync {
  /** The loader's counters after draining. */
  readonly stats: LiveStats;
  /** Events delivered to the sink when the loader's reply arrived. */
  readonly delivered: number;
}

export interface LiveResult {
  /** Events delivered to the sink. */
  readonly events: number;
  /** The loader's last counters report. */
  readonly stats: LiveStats;
  /** True if the sink asked to stop. */
  readonly stopped: boolean;
  /** The fault that ended the capture, or null after stop(). */
  readonly error: LiveCaptureError | null;
}

/** Where the build puts the loader, relative to this module (dist/src/capture/live/). */
export function defaultLoaderPath(): string {
  if (process.env.SAKER_PROBE) return process.env.SAKER_PROBE;
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
  return resolve(repo, "probe/build/saker-probe");
}

interface PendingAck {
  resolve(status: number): void;
  reject(err: LiveCaptureError): void;
}

export class LiveCapture {
  /** What the loader reported when it started. */
  readonly hello: Hello;
  private statsNow: LiveStats = ZERO_STATS;
  private nEvents = 0;
  private seq = 0;
  private readonly acks = new Map<number, PendingAck>();
  private readonly atAck = new Map<number, { readonly stats: LiveStats; readonly events: number }>();
  private stoppedBySink = false;
  private fault: LiveCaptureError | null = null;
  private stopping = false;
  private readonly view = liveEventView();
  readonly done: Promise<LiveResult>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly sink: ScapSink,
    private readonly onStats: ((s: LiveStats) => void) | undefined,
    hello: Hello,
    exited: Promise<number | null>,
    private readonly stderrTail: () => string,
  ) {
    this.hello = hello;
    this.done = exited.then((code) => {
      if (this.fault === null && !this.stopping && !this.stoppedBySink) {
        this.fault = new LiveCaptureError(
          LiveErrorCode.EXITED,
          `probe loader exited (code ${code})${this.stderrTail()}`,
        );
      }
      const err = this.fault ?? new LiveCaptureError(LiveErrorCode.CONTROL, "capture ended");
      for (const a of this.acks.values()) a.reject(err);
      this.acks.clear();
      return {
        events: this.nEvents,
        stats: this.statsNow,
        stopped: this.stoppedBySink,
        error: this.fault,
      };
    });
  }

  /** Latest counters from the loader. */
  get stats(): LiveStats {
    return this.statsNow;
  }

  /** Events delivered so far. */
  get events(): number {
    return this.nEvents;
  }

  /**
   * Replaces the selection; resolves once the probe applies it (events of syscalls switched off
   * may still arrive if they were captured before, never after).
   */
  async select(names: Iterable<string> | "all"): Promise<Selection> {
    const sel = buildSelection(names, this.hello.handled, this.hello.scMax);
    await this.control((seq) => encodeSelect(seq, sel.tpFlags, sel.table));
    return sel;
  }

  /**
   * Resolves once every event captured before the call was delivered, with the counters the
   * loader reported at that point and the number of events delivered up to the same point
   * (`delivered === stats.forwarded`: nothing was lost between the loader and the sink).
   */
  async sync(): Promise<LiveSync> {
    const seq = await this.control((seq) => encodeSync(seq));
    const at = this.atAck.get(seq);
    return { stats: at?.stats ?? this.statsNow, delivered: at?.events ?? this.nEvents };
  }

  /** Detaches the probe and waits for the loader to exit. */
  async stop(timeoutMs = 10_000): Promise<LiveResult> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin.end();
      const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
      await this.done;
      clearTimeout(timer);
    }
    return this.done;
  }

  private control(encode: (seq: number) => Buffer): Promise<number> {
    if (this.fault !== null || this.stopping || this.stoppedBySink) {
      return Promise.reject(new LiveCaptureError(LiveErrorCode.CONTROL, "capture has ended"));
    }
    const seq = ++this.seq;
    return new Promise<number>((res, rej) => {
      this.acks.set(seq, {
        resolve: (status) =>
          status === 0
            ? res(seq)
            : rej(new LiveCaptureError(LiveErrorCode.CONTROL, `loader refused: errno ${-status}`, -status)),
        reject: rej,
      });
      this.child.stdin.write(encode(seq));
    });
  }

  /** @internal Handles one frame of a running capture. */
  frame(tag: number, p: Buffer): void {
    switch (tag) {
      case OutTag.EVENTS:
        this.deliver(p);
        return;
      case OutTag.STATS: {
        const s = decodeStats(p);
        if (s !== null) {
          this.statsNow = s;
          this.onStats?.(s);
        }
        return;
      }
      case OutTag.ACK: {
        if (p.length < 8) return;
        const seq = p.readUInt32LE(0);
        const a = this.acks.get(seq);
        this.acks.delete(seq);
        // Frames after this one (more events, a periodic STATS) may be handled before the awaiting
        // code resumes: remember the counters and the events delivered as they were at the ACK.
        this.atAck.set(seq, { stats: this.statsNow, events: this.nEvents });
        if (this.atAck.size > 16) this.atAck.delete(this.atAck.keys().next().value!);
        a?.resolve(p.readInt32LE(4));
        return;
      }
      case OutTag.ERROR:
        this.fail(
          new LiveCaptureError(LiveErrorCode.EXITED, errorText(p), p.length >= 4 ? p.readUInt32LE(0) : 0),
        );
        return;
      default:
        return; // unknown frames are skipped: newer loaders may add some
    }
  }

  private deliver(p: Buffer): void {
    if (this.stoppedBySink || this.fault !== null) return;
    const dv = new DataView(p.buffer, p.byteOffset, p.length);
    const view = this.view;
    const sink = this.sink;
    let off = 0;
    while (off < p.length) {
      const r = positionEvent(view, p, dv, off, p.length);
      if (typeof r === "string") {
        this.fail(new LiveCaptureError(LiveErrorCode.PROTOCOL, `bad event record: ${r}`));
        return;
      }
      view.index = this.nEvents++;
      if (sink.onEvent(view) === false) {
        this.stoppedBySink = true;
        this.child.stdin.end();
        return;
      }
      off += r;
    }
  }

  /** @internal */
  fail(err: LiveCaptureError): void {
    if (this.fault !== null) return;
    this.fault = err;
    this.child.kill("SIGTERM");
  }

  /**
   * Spawns the loader and resolves once the probe is attached (HELLO received), with the
   * initial selection applied if one was given.
   */
  static async start(sink: ScapSink, options: LiveCaptureOptions = {}): Promise<LiveCapture> {
    const loader = options.loaderPath ?? defaultLoaderPath();
    if (!existsSync(loader)) {
      throw new LiveCaptureError(
        LiveErrorCode.LOADER_MISSING,
        `probe loader not found at ${loader} (run scripts/build-probe.sh)`,
      );
    }
    const args = [
      `--ringbuf-mb=${options.ringBufferMb ?? 8}`,
      `--drain-ms=${options.drainMs ?? 20}`,
      `--stats-ms=${options.statsMs ?? 1000}`,
      `--snaplen=${options.snaplen ?? 80}`,
    ];
    if (options.captureSelf === true) args.push("--capture-self");
    const child = spawn(loader, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      stderr = (stderr + d).slice(-4096);
    });
    const stderrTail = (): string => (stderr.trim() === "" ? "" : `: ${lastLines(stderr, 5)}`);
    const exited = new Promise<number | null>((res) => child.on("close", (code) => res(code)));
    child.stdin.on("error", () => {}); // EPIPE when the loader is gone: reported through `exited`

    let capture: LiveCapture | null = null;
    let early: ((tag: number, p: Buffer) => void) | null = null;
    const reader = new FrameReader((tag, p) => {
      if (capture !== null) capture.frame(tag, p);
      else early?.(tag, p);
    });
    child.stdout.on("data", (chunk: Buffer) => {
      const err = reader.push(chunk);
      if (err !== null) {
        const e = new LiveCaptureError(LiveErrorCode.PROTOCOL, err);
        if (capture !== null) capture.fail(e);
        else child.kill("SIGTERM");
      }
    });

    const hello = await new Promise<Hello>((res, rej) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        rej(new LiveCaptureError(LiveErrorCode.TIMEOUT, "probe loader did not start in time"));
      }, options.startTimeoutMs ?? 30_000);
      early = (tag, p) => {
        if (tag === OutTag.HELLO) {
          const h = decodeHello(p);
          clearTimeout(timer);
          if (h === null || h.version !== PROTOCOL_VERSION) {
            child.kill("SIGTERM");
            rej(new LiveCaptureError(LiveErrorCode.PROTOCOL, "unexpected HELLO from the probe loader"));
          } else {
            res(h);
          }
        } else if (tag === OutTag.ERROR) {
          clearTimeout(timer);
          const errno = p.length >= 4 ? p.readUInt32LE(0) : 0;
          const code = errno === 1 || errno === 13 ? LiveErrorCode.NOT_PERMITTED : LiveErrorCode.START_FAILED;
          rej(new LiveCaptureError(code, errorText(p), errno));
        }
      };
      child.on("error", (e) => {
        clearTimeout(timer);
        rej(new LiveCaptureError(LiveErrorCode.START_FAILED, `cannot run ${loader}: ${e.message}`));
      });
      void exited.then((code) => {
        clearTimeout(timer);
        rej(
          new LiveCaptureError(
            LiveErrorCode.START_FAILED,
            `probe loader exited (code ${code}) before attaching${stderrTail()}`,
          ),
        );
      });
    });
    capture = new LiveCapture(child, sink, options.onStats, hello, exited, stderrTail);
    if (options.syscalls !== undefined) await capture.select(options.syscalls);
    return capture;
  }
}

/** startLiveCapture(sink, options) = LiveCapture.start(sink, options). */
export function startLiveCapture(sink: ScapSink, options: LiveCaptureOptions = {}): Promise<LiveCapture> {
  return LiveCapture.start(sink, options);
}

function errorText(p: Buffer): string {
  return p.length > 4 ? p.toString("utf8", 4) : "probe loader failed";
}

function lastLines(s: string, n: number): string {
  return s.trim().split("\n").slice(-n).join(" | ");
}
