// Reading .scap captures: plain or gzip-compressed (detected by magic), streamed in chunks so a
// large capture never has to fit in memory. Events reach the sink through one reused ScapEvent
// view; metadata blocks arrive as typed records. Faults are returned, never thrown.
//
//   const res = await readScapFile("trace.scap", {
//     onEvent(ev) { if (ev.type === EventType.SYSCALL_OPEN_X) console.log(ev.paramString(1)); },
//     onRecord(rec) { if (rec.kind === "process") procs.push(rec); },
//   });
//   if (res.error) console.error(res.error.message);

import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { constants as zc, createGunzip, gunzipSync } from "node:zlib";
import { ScapErrorCode } from "./errors.js";
import { ScapParser, type ScapParserOptions, type ScapReadResult, type ScapSink } from "./parser.js";

export { ScapEvent } from "./event.js";
export { type ScapError, ScapErrorCode } from "./errors.js";
export { ScapParser, type ScapParserOptions, type ScapReadResult, type ScapSink } from "./parser.js";
export type * from "./records.js";

export interface ScapReadOptions extends ScapParserOptions {
  /** Read chunk size for the file stream (bytes). Default 1 MiB. */
  chunkSize?: number;
  /**
   * readScapBuffer only: largest decompressed size accepted from a gzip buffer (bytes).
   * Default 1 GiB. (Streaming reads have no such limit: they never hold the whole capture.)
   */
  maxDecompressedLength?: number;
}

/** True if the bytes start with the gzip magic (1f 8b). */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Reads a capture file, streaming; resolves with counts and the fault (if any). */
export async function readScapFile(
  path: string,
  sink: ScapSink,
  options: ScapReadOptions = {},
): Promise<ScapReadResult> {
  const parser = new ScapParser(sink, options);
  let head: Buffer;
  try {
    const fh = await open(path, "r");
    try {
      head = Buffer.alloc(2);
      const { bytesRead } = await fh.read(head, 0, 2, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (e) {
    parser.failExternal(ScapErrorCode.IO, `cannot open ${path}: ${(e as Error).message}`);
    return parser.result();
  }

  const file = createReadStream(path, { highWaterMark: options.chunkSize ?? 1 << 20 });
  const gzip = isGzip(head);
  const gunzip = gzip ? createGunzip({ chunkSize: 1 << 18 }) : null;
  const source: NodeJS.ReadableStream = gunzip ?? file;
  let ioError: Error | null = null;
  if (gunzip !== null) {
    file.on("error", (e) => {
      ioError = e;
      gunzip.destroy(e);
    });
    file.pipe(gunzip);
  }
  try {
    for await (const chunk of source) {
      if (!parser.push(chunk as Buffer)) break;
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (ioError !== null || !gzip) {
      parser.failExternal(ScapErrorCode.IO, `error reading ${path}: ${err.message}`);
    } else if (!parser.hasPartialBlock) {
      parser.failExternal(ScapErrorCode.GZIP, `gzip stream error: ${err.message}`);
    }
    // Otherwise end() reports the truncated block, which says more than zlib's message.
  } finally {
    file.destroy();
    gunzip?.destroy();
  }
  return parser.end();
}

/**
 * Reads a capture held in memory (plain or gzip). Convenient for tests and small inputs; a
 * truncated gzip buffer yields the events before the cut and a TRUNCATED or GZIP fault.
 */
export function readScapBuffer(
  data: Uint8Array,
  sink: ScapSink,
  options: ScapReadOptions = {},
): ScapReadResult {
  const parser = new ScapParser(sink, options);
  let bytes: Uint8Array = data;
  let gzipProblem: string | null = null;
  if (isGzip(data)) {
    const maxOutputLength = options.maxDecompressedLength ?? 1 << 30;
    try {
      bytes = gunzipSync(data, { maxOutputLength });
    } catch (e) {
      // A cut stream fails at its end; SYNC_FLUSH as the final flush keeps what was inflated.
      gzipProblem = `gzip stream error: ${(e as Error).message}`;
      try {
        bytes = gunzipSync(data, { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength });
      } catch {
        parser.failExternal(ScapErrorCode.GZIP, gzipProblem);
        return parser.result();
      }
    }
  }
  const step = 1 << 20;
  for (let i = 0; i < bytes.length; i += step) {
    if (!parser.push(bytes.subarray(i, Math.min(bytes.length, i + step)))) break;
  }
  if (gzipProblem !== null && !parser.hasPartialBlock && !parser.done) {
    parser.failExternal(ScapErrorCode.GZIP, gzipProblem);
  }
  return parser.end();
}
