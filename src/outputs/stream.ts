// stdout (stdout_output), and an in-memory channel for tests and benchmarks.
//
// Stdout is written through a file stream on fd 1 (libuv's thread pool), not process.stdout, whose writes
// to a pipe are synchronous on Linux and would stall the event loop, and with it the capture, whenever the
// reader is slow.
import { createWriteStream, type WriteStream } from "node:fs";
import { untilWritable } from "./writable.js";
import { LOG_ERR, type OutputChannel, type OutputMessage } from "./queue.js";

/** A channel writing each message's line to a file descriptor (stdout by default), asynchronously. */
export class StreamChannel implements OutputChannel {
  private readonly stream: WriteStream;
  private broken: Error | null = null;
  errors = 0;

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
    if (this.broken !== null) {
      this.errors++;
      return;
    }
    if (this.stream.write(message.line + "\n")) return;
    return untilWritable(this.stream);
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
