// Alert delivery, off the event path. The event path renders an alert's line once and pushes it into the
// OutputQueue; that is all it does, and it never waits. The OutputQueue fans each message out to one
// bounded ChannelQueue per output channel, each drained on its own (setImmediate) into its channel, in
// order. Falco has one queue shared by every channel, so one stuck channel (a dead webhook) stalls them
// all; here a stuck channel fills only its own queue, and once that is full its new messages are dropped
// and counted for that channel alone (Falco's log line: "Outputs queue out of memory. Drop event and
// continue on ..."). The other channels and the capture never wait for it.
//
// A channel is anything with `write(message)`: a returned promise means "busy until this settles" and its
// queue waits for it, keeping the order; a watchdog logs Falco's output_timeout line when a channel stays
// busy longer than output_timeout. A channel that batches (file) returns nothing while it buffers and a
// promise only when its buffer is full, so a burst costs one loop over the ring, not one promise per line.
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

/** An output channel: stdout, file, program, syslog, http (and memory for tests). */
export interface OutputChannel {
  readonly name: string;
  /** Deliver one message; a returned promise keeps this channel's queue waiting until it settles. */
  write(message: OutputMessage): void | Promise<void>;
  /** Flush what is buffered and release the channel. */
  close(): Promise<void>;
  /** SIGUSR1: close and reopen the file / respawn the program (log rotation). */
  reopen?(): void | Promise<void>;
  /** Deliveries that failed inside the channel (write errors, refused requests, failed attempts). */
  readonly errors?: number;
}

export interface OutputQueueOptions {
  /** Most queued messages per channel (outputs_queue.capacity; Infinity is bounded to DEFAULT_QUEUE_BOUND). */
  readonly capacity?: number;
  /** output_timeout: how long a channel may stay busy before it is reported (ms, default 2000). */
  readonly timeoutMs?: number;
  /** Falco log lines (level, text). */
  readonly log?: (level: number, message: string) => void;
}

/** One channel's counters. */
export interface ChannelStats {
  readonly name: string;
  /** Messages accepted into this channel's queue. */
  readonly enqueued: number;
  /** Messages handed to the channel. */
  readonly delivered: number;
  /** Messages dropped because this channel's queue was full. */
  readonly dropped: number;
  /** Messages discarded at shutdown because the channel stayed blocked. */
  readonly discarded: number;
  /** Messages waiting now. */
  readonly pending: number;
  /** Times the channel stayed busy past output_timeout. */
  readonly timeouts: number;
  /** Failures the channel reported (see OutputChannel.errors). */
  readonly errors: number;
}

/**
 * Message-level totals (a message counts once however many channels it goes to), plus each channel's own
 * counters. With one channel the totals are that channel's.
 */
export interface OutputQueueStats {
  /** Messages accepted by at least one channel (every push when there are no channels). */
  readonly enqueued: number;
  /** Messages every channel has taken: the lowest per-channel `delivered`. */
  readonly delivered: number;
  /** Messages at least one channel dropped because its queue was full (or pushed after close). */
  readonly dropped: number;
  /** The most messages a channel discarded at shutdown. */
  readonly discarded: number;
  /** The longest channel queue now. */
  readonly pending: number;
  /** output_timeout reports, all channels. */
  readonly timeouts: number;
  readonly channels: readonly ChannelStats[];
}

/** The bound applied when outputs_queue.capacity is 0 (Falco: unbounded); Saker never runs unbounded. */
export const DEFAULT_QUEUE_BOUND = 65536;

export const LOG_CRIT = 2;
export const LOG_ERR = 3;
export const LOG_WARNING = 4;
export const LOG_NOTICE = 5;
export const LOG_INFO = 6;

type Log = (level: number, message: string) => void;

/** One channel's bounded ring and its drain loop. */
export class ChannelQueue {
  private ring: (OutputMessage | undefined)[];
  private head = 0;
  private size = 0;
  private draining = false;
  private scheduled = false;
  private closed = false;
  private idle: (() => void)[] = [];
  private enqueued = 0;
  private delivered = 0;
  private dropped = 0;
  private discarded = 0;
  private timeouts = 0;
  private watchdog: NodeJS.Timeout | null = null;
  private readonly drainNow = (): void => {
    this.scheduled = false;
    void this.drain();
  };

  constructor(
    readonly channel: OutputChannel,
    private readonly capacity: number,
    private readonly timeoutMs: number,
    private readonly log: Log,
  ) {
    this.ring = new Array<OutputMessage | undefined>(Math.min(capacity, 1024));
  }

  /** Queue a message; false (counted) when this channel's queue is full or closed. */
  push(message: OutputMessage): boolean {
    if (this.closed || this.size >= this.capacity) {
      this.dropped++;
      return false;
    }
    if (this.size === this.ring.length) this.grow();
    this.ring[(this.head + this.size) % this.ring.length] = message;
    this.size++;
    this.enqueued++;
    if (!this.scheduled && !this.draining) {
      this.scheduled = true;
      setImmediate(this.drainNow);
    }
    return true;
  }

  get stats(): ChannelStats {
    return {
      name: this.channel.name,
      enqueued: this.enqueued,
      delivered: this.delivered,
      dropped: this.dropped,
      discarded: this.discarded,
      pending: this.size,
      timeouts: this.timeouts,
      errors: this.channel.errors ?? 0,
    };
  }

  /** Resolves when everything queued so far has been handed to the channel. */
  flush(): Promise<void> {
    if (this.size === 0 && !this.draining && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * Stop accepting, hand over what is queued (at most `timeoutMs`; then the rest is discarded, as Falco
   * does when its channels stay blocked at shutdown) and close the channel (again at most `timeoutMs`).
   * Returns true when messages had to be discarded.
   */
  async close(timeoutMs: number): Promise<boolean> {
    this.closed = true;
    const expired = !(await within(this.flush(), timeoutMs));
    if (expired) {
      // The message the channel is busy with stays (it was handed over); the rest never will be.
      const keep = this.draining && this.size > 0 ? 1 : 0;
      for (let i = keep; i < this.size; i++) this.ring[(this.head + i) % this.ring.length] = undefined;
      this.discarded += this.size - keep;
      this.size = keep;
    }
    let closing: Promise<void>;
    try {
      closing = this.channel.close();
    } catch (e) {
      closing = Promise.reject(e as Error);
    }
    if (!(await within(closing, timeoutMs)))
      this.log(LOG_ERR, `${this.channel.name}: output did not close within ${timeoutMs} ms`);
    if (this.watchdog !== null) clearTimeout(this.watchdog);
    return expired;
  }

  private grow(): void {
    const bigger = new Array<OutputMessage | undefined>(Math.min(this.capacity, this.ring.length * 2));
    for (let i = 0; i < this.size; i++) bigger[i] = this.ring[(this.head + i) % this.ring.length];
    this.ring = bigger;
    this.head = 0;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const ch = this.channel;
    try {
      while (this.size > 0) {
        const msg = this.ring[this.head]!;
        try {
          const r = ch.write(msg);
          if (r !== undefined) await this.watch(r);
        } catch (e) {
          this.log(LOG_ERR, `${ch.name}: ${(e as Error).message}`);
        }
        // The message may have been discarded by close() while the channel was busy.
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

  private busy = false;
  private readonly onTimeout = (): void => {
    if (!this.busy) return; // armed for an earlier write that has finished since
    this.timeouts++;
    this.log(LOG_CRIT, `"${this.channel.name}" output timeout, all output channels are blocked`);
  };

  private async watch(p: Promise<void>): Promise<void> {
    this.busy = true;
    // One timer per channel, re-armed with refresh() (a cleared timer cannot be): none allocated per write.
    if (this.watchdog === null) this.watchdog = setTimeout(this.onTimeout, this.timeoutMs).unref();
    else this.watchdog.refresh();
    try {
      await p;
    } catch (e) {
      this.log(LOG_ERR, `${this.channel.name}: ${(e as Error).message}`);
    } finally {
      this.busy = false;
    }
  }
}

/** Fan-out: every pushed message goes to each channel's own bounded queue. */
export class OutputQueue {
  private readonly queues: ChannelQueue[];
  private readonly timeoutMs: number;
  private readonly log: Log;
  private closed = false;
  private enqueued = 0;
  private dropped = 0;

  constructor(channels: readonly OutputChannel[], options: OutputQueueOptions = {}) {
    const cap = options.capacity ?? DEFAULT_QUEUE_BOUND;
    const capacity = Number.isFinite(cap) && cap > 0 ? Math.floor(cap) : DEFAULT_QUEUE_BOUND;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.log = options.log ?? (() => undefined);
    this.queues = channels.map((c) => new ChannelQueue(c, capacity, this.timeoutMs, this.log));
  }

  /** The channels, in configuration order. */
  get channels(): readonly OutputChannel[] {
    return this.queues.map((q) => q.channel);
  }

  /** Queue a message for every channel; false (and counted) when any channel had to drop it. Never blocks. */
  push(message: OutputMessage): boolean {
    let accepted = this.queues.length === 0 && !this.closed;
    let complete = !this.closed;
    const queues = this.queues;
    for (let i = 0; i < queues.length; i++) {
      if (queues[i]!.push(message)) accepted = true;
      else complete = false;
    }
    if (accepted) this.enqueued++;
    if (!complete) {
      if (this.dropped === 0)
        this.log(LOG_ERR, "Outputs queue out of memory. Drop event and continue on ...");
      this.dropped++;
    }
    return complete;
  }

  get stats(): OutputQueueStats {
    const channels = this.queues.map((q) => q.stats);
    let delivered = this.enqueued;
    let discarded = 0;
    let pending = 0;
    let timeouts = 0;
    for (const c of channels) {
      delivered = Math.min(delivered, c.delivered);
      discarded = Math.max(discarded, c.discarded);
      pending = Math.max(pending, c.pending);
      timeouts += c.timeouts;
    }
    return {
      enqueued: this.enqueued,
      delivered,
      dropped: this.dropped,
      discarded,
      pending,
      timeouts,
      channels,
    };
  }

  /** Resolves when everything queued so far has been handed to every channel. */
  async flush(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.flush()));
  }

  /** SIGUSR1: reopen every channel that can (files, programs). */
  reopen(): Promise<void> {
    return reopenChannels(this.channels, this.log);
  }

  /**
   * Stop accepting messages, deliver what is queued (each channel at most `timeoutMs`; then what is
   * left is discarded) and close the channels. Channels close in parallel: a dead one delays no other.
   */
  async close(timeoutMs = this.timeoutMs): Promise<OutputQueueStats> {
    this.closed = true;
    const expired = await Promise.all(this.queues.map((q) => q.close(timeoutMs)));
    if (expired.includes(true))
      this.log(LOG_NOTICE, "output channels still blocked, discarding all remaining notifications");
    return this.stats;
  }
}

/** SIGUSR1 for a set of channels: each one that can reopens; a failure is logged, never thrown. */
export async function reopenChannels(
  channels: readonly OutputChannel[],
  log: Log = () => undefined,
): Promise<void> {
  await Promise.all(
    channels.map(async (c) => {
      if (c.reopen === undefined) return;
      try {
        await c.reopen();
      } catch (e) {
        log(LOG_ERR, `${c.name}: reopen failed: ${(e as Error).message}`);
      }
    }),
  );
}

/** True when `p` settles within `ms` (a rejection counts as settled). */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return result;
}
