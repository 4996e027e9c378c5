// Reading recognised audit files (see replay.ts `sniffInputs`) into audit events, for every consumer of
// audit files: `saker replay` and the k8s_audit file source of `saker run` (open_params a path).
//
//   audit-document   one JSON document (Event, EventList, or an array of them), read whole, bounded by
//                    maxPayloadBytes;
//   audit-lines      JSON Lines, streamed in 1 MiB chunks and split at newlines without holding the file;
//                    a line longer than maxLineBytes is reported and skipped, as the plugin's scanner stops
//                    on it.
//
// Each event is stamped with its place in the stream (evt.num, evt.reltime) and handed to the sink;
// payloads and events that are not audit events are reported to the sink with their code and position.
// After each chunk or document the sink's `pause` is awaited: that is how a consumer applies backpressure
// (a slow stdout, a full output queue) to a file, which has no deadline of its own.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import {
  AuditEventSequence,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MAX_PAYLOAD_BYTES,
  parseAuditPayload,
  type AuditEvent,
  type AuditParseOptions,
  type K8sAuditErrorCode,
  type PayloadResult,
} from "./event.js";

export type AuditInputKind = "audit-lines" | "audit-document";

export interface AuditFileSink {
  /** One audit event, stamped. */
  event(ev: AuditEvent): void;
  /**
   * A payload or event that was dropped: `line` is 1-based (0 for a whole document), `detail` is extra
   * text for the code's message, `message` a full message replacing it (both may be undefined).
   */
  reject(path: string, line: number, code: K8sAuditErrorCode, detail?: string, message?: string): void;
  /** Awaited after each chunk and document; throw to stop reading (the error propagates). */
  pause(): void | Promise<void>;
}

export class AuditFileReader {
  private readonly sequence = new AuditEventSequence();
  /** Files opened so far. */
  files = 0;
  /** Non-empty JSON Lines lines and whole documents read. */
  payloads = 0;
  /** Audit events handed to the sink. */
  events = 0;

  constructor(
    private readonly sink: AuditFileSink,
    private readonly parse: AuditParseOptions = {},
  ) {}

  /** Read one recognised file to its end. Rejects on I/O errors (and on errors thrown by the sink). */
  async read(path: string, kind: AuditInputKind, size: number): Promise<void> {
    this.files++;
    if (kind === "audit-document") {
      const limit = this.parse.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
      this.payloads++;
      if (size > limit) {
        this.sink.reject(path, 0, "K8SAUDIT_PAYLOAD_TOO_LARGE", `size=${size}`);
      } else {
        const fh = await open(path, "r");
        let data: Buffer;
        try {
          data = await fh.readFile();
        } finally {
          await fh.close();
        }
        this.payload(path, 0, parseAuditPayload(data, this.parse));
      }
      await this.sink.pause();
      return;
    }
    await this.readLines(path);
  }

  /** Stream a JSON Lines file: chunks are split at newlines; no line is held beyond maxLineBytes. */
  private async readLines(path: string): Promise<void> {
    const maxLine = this.parse.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let skipping = false; // inside a line already reported too long
    let line = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        const end = nl < 0 ? chunk.length : nl;
        if (!skipping) {
          if (pendingBytes + (end - start) >= maxLine) {
            line++;
            this.payloads++;
            this.sink.reject(
              path,
              line,
              "K8SAUDIT_LINE_TOO_LONG",
              `longer than ${maxLine} bytes; line skipped`,
            );
            skipping = nl < 0; // the rest of the line is still to come
            pending = [];
            pendingBytes = 0;
          } else if (nl >= 0) {
            line++;
            let text = chunk.subarray(start, end);
            if (pendingBytes > 0) {
              pending.push(text);
              text = Buffer.concat(pending, pendingBytes + text.length);
              pending = [];
              pendingBytes = 0;
            }
            this.line(path, line, text);
          } else if (end > start) {
            pending.push(chunk.subarray(start, end));
            pendingBytes += end - start;
          }
        } else if (nl >= 0) {
          skipping = false; // the long line ends here
        }
        if (nl < 0) break;
        start = nl + 1;
      }
      await this.sink.pause();
    }
    if (!skipping && pendingBytes > 0) this.line(path, line + 1, Buffer.concat(pending, pendingBytes));
    await this.sink.pause();
  }

  private line(path: string, line: number, bytes: Buffer): void {
    let n = bytes.length;
    if (n > 0 && bytes[n - 1] === 0x0d) n--;
    if (n === 0) return;
    this.payloads++;
    this.payload(
      path,
      line,
      parseAuditPayload(n === bytes.length ? bytes : bytes.subarray(0, n), this.parse),
    );
  }

  private payload(path: string, line: number, result: PayloadResult): void {
    if (!result.ok) {
      this.sink.reject(path, line, result.error.code, undefined, result.error.message);
      return;
    }
    for (const e of result.eventErrors) this.sink.reject(path, line, e.code, undefined, e.message);
    for (const ev of result.events) {
      this.sequence.stamp(ev);
      this.events++;
      this.sink.event(ev);
    }
  }
}
