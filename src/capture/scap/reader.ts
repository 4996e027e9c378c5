// Reading .scap captures: plain or gzip-compressed (detected by magic), streamed in chunks so a
// large capture never has to fit in memory. Events reach the sink through one reused ScapEvent
// view; metadata blocks arrive as typed records. Faults are returned, never thrown.
//
//   const res = await readScapFile("trace.scap", {
//     onEvent(ev) { if (ev.type === EventType.SYSCALL_OPEN_X) console.log(ev.paramString(1)); },
//     onRecord(rec) { if (rec.kind === "process") procs.push(rec); },
//   });
//   if (res.error) console.error(res.error.message);

import { constants as zc, gunzipSync } from "node:zlib";
import { ScapErrorCode } from "./errors.js";
import { ScapParser, type ScapParserOptions, type ScapReadResult, type ScapSink } from "./parser.js";
import { isGzip, streamCapture } from "./stream.js";

export { isGzip, streamCapture };

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

/** Reads a capture file, streaming; resolves with counts and the fault (if any). */
export async function readScapFile(
  path: string,
  sink: ScapSink,
  options: ScapReadOptions = {},
): Promise<ScapReadResult> {
  return streamCapture(path, new ScapParser(sink, options), { chunkSize: options.chunkSize });
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
