// Errors of the scap reader: values, never thrown. Each names the byte offset of the fault (in
// the decompressed stream) and the block it happened in; tests assert on `code`, not wording.

import { blockTypeName, hexBlockType } from "./format.js";

export const ScapErrorCode = {
  /** The input is neither a scap file nor gzip. */
  BAD_MAGIC: "SCAP_ERR_BAD_MAGIC",
  /** Section header written on a big-endian host (not supported, as in libscap). */
  BYTE_SWAPPED: "SCAP_ERR_BYTE_SWAPPED",
  /** Section header major version newer than we understand. */
  UNSUPPORTED_VERSION: "SCAP_ERR_UNSUPPORTED_VERSION",
  /** The data ends inside a block. */
  TRUNCATED: "SCAP_ERR_TRUNCATED",
  /** A block's total length is smaller than the minimum for its type, or over the limit. */
  BAD_BLOCK_LENGTH: "SCAP_ERR_BAD_BLOCK_LENGTH",
  /** The trailing length does not repeat the header's. */
  BAD_TRAILER: "SCAP_ERR_BAD_TRAILER",
  /** An event's header, parameter table or lengths are inconsistent. */
  CORRUPT_EVENT: "SCAP_ERR_CORRUPT_EVENT",
  /** A metadata block's content is inconsistent (entry overruns, string too long, ...). */
  CORRUPT_BLOCK: "SCAP_ERR_CORRUPT_BLOCK",
  /** The gzip stream is corrupt. */
  GZIP: "SCAP_ERR_GZIP",
  /** Reading the file failed. */
  IO: "SCAP_ERR_IO",
} as const;

export type ScapErrorCode = (typeof ScapErrorCode)[keyof typeof ScapErrorCode];

export interface ScapError {
  readonly code: ScapErrorCode;
  readonly message: string;
  /** Byte offset of the fault in the (decompressed) capture stream. */
  readonly offset: number;
  /** Offset of the block the fault is in (-1 if none). */
  readonly blockOffset: number;
  /** Type of that block (-1 if unknown, e.g. its header is cut). */
  readonly blockType: number;
}

export function scapError(
  code: ScapErrorCode,
  detail: string,
  offset: number,
  blockOffset: number,
  blockType: number,
): ScapError {
  const where =
    blockType >= 0
      ? `in ${blockTypeName(blockType)} block (type ${hexBlockType(blockType)}) at offset ${blockOffset}`
      : blockOffset >= 0
        ? `in block at offset ${blockOffset}`
        : "";
  const message = `${detail} at byte offset ${offset}${where === "" ? "" : " " + where}`;
  return { code, message, offset, blockOffset, blockType };
}
