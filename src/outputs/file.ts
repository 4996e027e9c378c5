// file_output: alerts appended to a file, one line each.
//
// Falco opens, appends and closes the file for every alert unless keep_alive is set, and SIGUSR1 closes
// and reopens it (logrotate's "rename, then signal"). Here lines are batched: write() only adds the line
// to the pending batch, and one pump at a time writes a whole batch with a single append (O_APPEND) from
// libuv's thread pool, so the event loop never waits on the disk and 100k alerts/s cost one write(2)
// per batch. keep_alive: false opens and closes the file per batch rather than per alert, which keeps
// Falco's visible behaviour (the file is not held open between bursts; a renamed file is recreated at
// the next alert) without a syscall triple per line.
//
// Lines are never torn: a batch holds whole lines, one pump writes at a time, and a short write is
// completed before anything else is written. reopen() takes effect between batches: lines already in the
// batch being written land in the old file, the following ones in the new one; none is lost.
import { open, type FileHandle } from "node:fs/promises";
import type { OutputError } from "./errors.js";
import { LOG_ERR, LOG_INFO, type OutputChannel, type OutputMessage } from "./queue.js";

/** Pending bytes (roughly: UTF-16 units) past which write() asks the queue to wait for the disk. */
const HIGH_WATER = 1 << 20;

export interface FileChannelOptions {
  /** file_output.filename. */
  readonly filename: string;
  /** file_output.keep_alive. */
  readonly keepAlive: boolean;
  readonly log?: (level: number, message: string) => void;
  readonly name?: string;
}

export class FileChannel implements OutputChannel {
  readonly name: string;
  /** Lines that could not be written (open or write failures). */
  errors = 0;
  lastError: OutputError | null = null;
  private pending: string[] = [];
  private pendingChars = 0;
  private pump: Promise<void> | null = null;
  private room: (() => void)[] = [];
  private handle: FileHandle | null = null;
  private reopenWanted = false;
  private failing = false;
  private readonly filename: string;
  private readonly keepAlive: boolean;
  private readonly log: (level: number, message: string) => void;

  constructor(options: FileChannelOptions) {
    this.name = options.name ?? "file";
    this.filename = options.filename;
    this.keepAlive = options.keepAlive;
    this.log = options.log ?? (() => undefined);
  }

  write(message: OutputMessage): void | Promise<void> {
    this.pending.push(message.line);
    this.pendingChars += message.line.length + 1;
    if (this.pump === null) this.pump = this.run();
    if (this.pendingChars >= HIGH_WATER) return new Promise((resolve) => this.room.push(resolve));
  }

  /** SIGUSR1: close the file; the next batch opens `filename` again (a new file after a rename). */
  reopen(): Promise<void> {
    this.reopenWanted = true;
    if (this.pump === null) this.pump = this.run();
    return this.pump;
  }

  async close(): Promise<void> {
    while (this.pump !== null) await this.pump;
    await this.release();
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.length > 0 || this.reopenWanted) {
        if (this.reopenWanted) {
          this.reopenWanted = false;
          await this.release();
          this.log(LOG_INFO, `${this.name}: reopened ${this.filename}`);
        }
        if (this.pending.length === 0) continue;
        const lines = this.pending;
        this.pending = [];
        this.pendingChars = 0;
        const waiting = this.room;
        this.room = [];
        for (const w of waiting) w();
        await this.append(lines);
      }
    } finally {
      this.pump = null;
    }
  }

  private async append(lines: string[]): Promise<void> {
    const data = Buffer.from(lines.join("\n") + "\n", "utf8");
    try {
      if (this.handle === null) this.handle = await open(this.filename, "a");
      let off = 0;
      while (off < data.length) {
        const { bytesWritten } = await this.handle.write(data, off, data.length - off);
        off += bytesWritten;
      }
      if (!this.keepAlive) await this.release();
      if (this.failing) this.log(LOG_INFO, `${this.name}: writing to ${this.filename} again`);
      this.failing = false;
    } catch (e) {
      this.errors += lines.length;
      await this.release();
      this.lastError = {
        code: "SAKER_OUTPUT_FILE",
        message: `failed to open output file ${this.filename}: ${(e as Error).message}`,
      };
      // One line per failure streak, not one per alert.
      if (!this.failing) this.log(LOG_ERR, `${this.name}: ${this.lastError.message} (SAKER_OUTPUT_FILE)`);
      this.failing = true;
    }
  }

  private async release(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h !== null) await h.close().catch(() => undefined);
  }
}
