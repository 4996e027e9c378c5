// Feeding a capture file (plain or gzip) to a ScapParser chunk by chunk: what readScapFile does, and
// what a replay needs besides: after each chunk has been parsed (and its events
// handled synchronously by the sink) the caller's `between` hook is awaited, so output produced by that
// chunk can be written out, and a slow consumer slows the reading instead of letting output pile up.
// Memory stays bounded by the chunk size: one chunk of input, one chunk's worth of output.
//
// Faults are the parser's values (ScapError, with the byte offset); nothing here throws.
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { ScapErrorCode } from "./errors.js";
import type { ScapParser, ScapReadResult } from "./parser.js";

/** True if the bytes start with the gzip magic (1f 8b). */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export interface StreamOptions {
  /** File read size (default 1 MiB). */
  readonly chunkSize?: number;
  /** Awaited after every chunk; returning false stops reading (clean stop). */
  readonly between?: () => boolean | Promise<boolean>;
  /** Told after every chunk how many bytes of the file (compressed, for gzip) have been read. */
  readonly progress?: (bytesRead: number, fileBytes: number) => void;
}

/** Stream `path` (plain or gzip) into `parser`; resolves with the parser's result. */
export async function streamCapture(
  path: string,
  parser: ScapParser,
  options: StreamOptions = {},
): Promise<ScapReadResult> {
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
  // Inflated chunks follow the read size, up to 256 KiB: each is one unit of work between pauses.
  const inflated = Math.max(1024, Math.min(options.chunkSize ?? 1 << 18, 1 << 18));
  const gunzip = gzip ? createGunzip({ chunkSize: inflated }) : null;
  const source: NodeJS.ReadableStream = gunzip ?? file;
  let ioError: Error | null = null;
  if (gunzip !== null) {
    file.on("error", (e) => {
      ioError = e;
      gunzip.destroy(e);
    });
    file.pipe(gunzip);
  }
  const between = options.between;
  const progress = options.progress;
  const fileBytes = progress === undefined ? 0 : (await stat(path)).size;
  let stopped = false;
  try {
    for await (const chunk of source) {
      if (!parser.push(chunk as Buffer)) break;
      progress?.(file.bytesRead, fileBytes);
      if (between !== undefined && !(await between())) {
        stopped = true;
        break;
      }
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
  // A stop asked for by the caller is not a truncation: what is buffered is simply not read.
  return stopped || parser.done ? parser.result() : parser.end();
}
