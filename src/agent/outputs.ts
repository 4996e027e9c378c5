// Alert delivery, off the event path. The event path renders an alert's line once and pushes it into a
// bounded queue; that is all it does, and it never waits. The queue is drained between event batches
// (setImmediate) into every output channel in turn, in order, as Falco's outputs worker does. When the
// queue is full the new message is dropped and counted (Falco: "Outputs queue out of memory. Drop event
// and continue on ..."), so a blocked channel costs alerts, never capture.
//
// A channel is anything with `write(message)`: a returned promise means "busy until this settles" and
// the queue waits for it (a watchdog logs when a channel stays busy longer than output_timeout). Only the
// stdout channel exists today; file, program, syslog and HTTP channels plug in through the same interface
// with the service issue.
//
// Stdout is written through a file stream on fd 1 (libuv's thread pool), not process.stdout, whose writes
// to a pipe are synchronous on Linux and would stall the event loop, and with it the capture, whenever the
// reader is slow.
import { createWriteStream, type WriteStream } from "node:fs";
import type { Alert } from "../alerts/alert.js";
import type { Priority } from "../rules/priority.js";

/** One message for the outputs: a rule's alert, or one of the agent's own (source "internal"). */
export interface OutputMessage {
  /** Event time, ns since the epoch. */
  readonly time: bigint;
  readonly priority: Priority;
  readonly rule: string;
  readonly source: string;
  readonly tags: readonly string[];
  /** What text outputs write (Falco's text line or JSON, per json_output), escaped, without newline. */
  readonly line: string;
  /** The alert record for rule alerts (channels that need its fields read them); null otherwise. */
  readonly alert: Alert | null;
}

/** An output channel (stdout today; file, program, syslog, http later). */
export interface OutputChannel {
  readonly name: string;
  /** Deliver one message; a returned promise keeps the queue waiting until it settles. */
  write(message: OutputMessage): void | Promise<void>;
  /** Flush what is buffered and release the channel. */
  close(): Promise<void>;
}

export interface OutputQueueOptions {
  /** Most queued messages (outputs_queue.capacity; Infinity is bounded to DEFAULT_QUEUE_BOUND). */
  readonly capacity?: number;
  /** output_timeout: how long a channel may stay busy before it is reported (ms, default 2000). */
  readonly timeoutMs?: number;
  /** Falco log lines (level, text). */
  readonly log?: (level: number, message: string) => void;
}

export interface OutputQueueStats {
  /** Messages accepted into the queue. */
  readonly enqueued: number;
  /** Messages handed to every channel. */
  readonly delivered: number;
  /** Messages dropped because the queue was full. */
  readonly dropped: number;
  /** Messages discarded at shutdown because channels stayed blocked. */
  readonly discarded: number;
  /** Messages waiting now. */
  readonly pending: number;
  /** Times a channel stayed busy past output_timeout. */
  readonly timeouts: number;
}

/** The bound applied when outputs_queue.capacity is 0 (Falco: unbounded); Saker never runs unbounded. */
export const DEFAULT_QUEUE_BOUND = 65536;

const LOG_CRIT = 2;
const LOG_ERR = 3;
const LOG_NOTICE = 5;

export class OutputQueue {
  private ring: (OutputMessage | undefined)[];
  private head = 0;
  private size = 0;
  private readonly capacity: number;
  private readonly timeoutMs: number;
  private readonly log: (level: number, message: string) => void;
  private draining = false;
  private scheduled = false;
  private closed = false;
  private idle: (() => void)[] = [];
  private enqueued = 0;
  private delivered = 0;
  private dropped = 0;
  private discarded = 0;
  private timeouts = 0;

  constructor(
    private readonly channels: readonly OutputChannel[],
    options: OutputQueueOptions = {},
  ) {
    const cap = options.capacity ?? DEFAULT_QUEUE_BOUND;
    this.capacity = Number.isFinite(cap) && cap > 0 ? Math.floor(cap) : DEFAULT_QUEUE_BOUND;
    this.ring = new Array<OutputMessage | undefined>(Math.min(this.capacity, 1024));
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.log = options.log ?? (() => undefined);
  }

  /** Queue a message; false (and counted) when the queue is full or closed. Never blocks. */
  push(message: OutputMessage): boolean {
    if (this.closed || this.size >= this.capacity) {
      if (this.dropped === 0)
        this.log(LOG_ERR, "Outputs queue out of memory. Drop event and continue on ...");
      this.dropped++;
      return false;
    }
    if (this.size === this.ring.length) this.grow();
    this.ring[(this.head + this.size) % this.ring.length] = message;
    this.size++;
    this.enqueued++;
    this.schedule();
    return true;
  }

  get stats(): OutputQueueStats {
    return {
      enqueued: this.enqueued,
      delivered: this.delivered,
      dropped: this.dropped,
      discarded: this.discarded,
      pending: this.size,
      timeouts: this.timeouts,
    };
  }

  /** Resolves when everything queued so far has been handed to the channels. */
  flush(): Promise<void> {
    if (this.size === 0 && !this.draining) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * Stop accepting messages, deliver what is queued (at most `timeoutMs`; then what is left is
   * discarded, as Falco does when its channels stay blocked at shutdown) and close the channels.
   */
  async close(timeoutMs = this.timeoutMs): Promise<OutputQueueStats> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const expired = await Promise.race([
      this.flush().then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (expired) {
      this.log(LOG_NOTICE, "output channels still blocked, discarding all remaining notifications");
      // The message a channel is busy with stays (it was handed over); the rest never will be.
      const keep = this.draining && this.size > 0 ? 1 : 0;
      for (let i = keep; i < this.size; i++) this.ring[(this.head + i) % this.ring.length] = undefined;
      this.discarded += this.size - keep;
      this.size = keep;
    }
    await Promise.race([
      Promise.allSettled(this.channels.map((c) => c.close())),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
    return this.stats;
  }

  private grow(): void {
    const bigger = new Array<OutputMessage | undefined>(Math.min(this.capacity, this.ring.length * 2));
    for (let i = 0; i < this.size; i++) bigger[i] = this.ring[(this.head + i) % this.ring.length];
    this.ring = bigger;
    this.head = 0;
  }

  private schedule(): void {
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.size > 0) {
        const msg = this.ring[this.head]!;
        for (const ch of this.channels) {
          try {
            const r = ch.write(msg);
            if (r !== undefined) await this.watch(ch.name, r);
          } catch (e) {
            this.log(LOG_ERR, `${ch.name}: ${(e as Error).message}`);
          }
        }
        // The message may have been discarded by close() while a channel was busy.
        if (this.size > 0 && this.ring[this.head] === msg) {
          this.ring[this.head] = undefined;
          this.head = (this.head + 1) % this.ring.length;
          this.size--;
          this.delivered++;
        }
      }
    } finally {
      this.draining = false;
      const waiters = this.idle;
      this.idle = [];
      for (const w of waiters) w();
    }
  }

  private async watch(name: string, p: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.timeouts++;
        this.log(LOG_CRIT, `"${name}" output timeout, all output channels are blocked`);
        resolve();
      }, this.timeoutMs);
    });
    await Promise.race([
      p.catch((e: unknown) => this.log(LOG_ERR, `${name}: ${(e as Error).message}`)),
      timedOut,
    ]);
    clearTimeout(timer);
    // A timed-out channel keeps the queue waiting: order is kept, and the queue bound takes the strain.
    await p.catch(() => undefined);
  }
}

/** A channel writing each message's line to a file descriptor (stdout by default), asynchronously. */
export class StreamChannel implements OutputChannel {
  private readonly stream: WriteStream;
  private broken: Error | null = null;

  constructor(
    readonly name = "stdout",
    fd = 1,
    private readonly log: (level: number, message: string) => void = () => undefined,
  ) {
    this.stream = createWriteStream("", { fd, autoClose: false, highWaterMark: 64 * 1024 });
    this.stream.on("error", (e) => {
      if (this.broken === null) this.log(LOG_ERR, `${this.name}: ${e.message}; alerts to it are discarded`);
      this.broken = e;
    });
  }

  write(message: OutputMessage): void | Promise<void> {
    if (this.broken !== null) return;
    if (this.stream.write(message.line + "\n")) return;
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off("drain", done);
        this.stream.off("error", done);
        resolve();
      };
      this.stream.once("drain", done);
      this.stream.once("error", done);
    });
  }

  close(): Promise<void> {
    if (this.broken !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.end(() => resolve());
      this.stream.once("error", () => resolve());
    });
  }
}

/** A channel that keeps messages in memory (tests, benchmarks). */
export class MemoryChannel implements OutputChannel {
  readonly messages: OutputMessage[] = [];
  constructor(
    readonly name = "memory",
    private readonly delayMs = 0,
  ) {}

  write(message: OutputMessage): void | Promise<void> {
    this.messages.push(message);
    if (this.delayMs > 0) return new Promise((resolve) => setTimeout(resolve, this.delayMs));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
