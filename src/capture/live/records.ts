// Raw scap event records, as the probe writes them (no block framing around them): a run of
// events, each `ts u64, tid u64, len u32, type u16, nparams u32, nparams lengths, params`.
// positionEvent() points the file reader's ScapEvent view at one of them, with the same checks the
// block parser applies, so consumers see live and recorded events through one interface.

import { EVENT_TABLE, EVENT_TYPE_MAX, EventFlag } from "../events/table.js";
import { ScapEvent } from "../scap/event.js";
import { readI64 } from "../scap/records.js";

export const EVENT_HEADER_SIZE = 26;
/** Largest parameter count accepted (the table's maximum is 32). */
const MAX_PARAMS = 64;

/**
 * Positions `view` on the event at `off` in `buf` (which must not extend past `end`). Returns the
 * event's length, or an error message if the record is inconsistent.
 */
export function positionEvent(
  view: ScapEvent,
  buf: Buffer,
  dv: DataView,
  off: number,
  end: number,
): number | string {
  const avail = end - off;
  if (avail < EVENT_HEADER_SIZE) return `event header cut (${avail} bytes)`;
  const len = dv.getUint32(off + 16, true);
  const type = dv.getUint16(off + 20, true);
  const nparams = dv.getUint32(off + 22, true);
  if (len < EVENT_HEADER_SIZE || len > avail) return `event length ${len} outside [26, ${avail}]`;
  const info = type < EVENT_TYPE_MAX ? EVENT_TABLE[type] : undefined;
  const lenSize = info !== undefined && (info.flags & EventFlag.LARGE_PAYLOAD) !== 0 ? 4 : 2;
  if (nparams > MAX_PARAMS || EVENT_HEADER_SIZE + nparams * lenSize > len) {
    return `nparams ${nparams} does not fit in event length ${len}`;
  }
  if (view.paramOff.length < nparams) {
    view.paramOff = new Uint32Array(MAX_PARAMS);
    view.paramLength = new Uint32Array(MAX_PARAMS);
  }
  const offs = view.paramOff;
  const lens = view.paramLength;
  const table = off + EVENT_HEADER_SIZE;
  let p = table + nparams * lenSize;
  const evEnd = off + len;
  for (let i = 0; i < nparams; i++) {
    const pl = lenSize === 2 ? dv.getUint16(table + 2 * i, true) : dv.getUint32(table + 4 * i, true);
    if (pl > evEnd - p) return `parameter ${i} length ${pl} exceeds event length ${len}`;
    offs[i] = p;
    lens[i] = pl;
    p += pl;
  }
  view.buf = buf;
  view.dv = dv;
  view.off = off;
  view.type = type;
  view.tid = readI64(dv, off + 8);
  view.len = len;
  view.nparams = nparams;
  view.lenSize = lenSize;
  return len;
}

/** A ScapEvent view set up for live records: no block, no CPU (the probe has one ring buffer). */
export function liveEventView(): ScapEvent {
  const v = new ScapEvent();
  v.headerLen = EVENT_HEADER_SIZE;
  v.blockType = 0;
  v.blockOffset = -1;
  v.cpu = 0;
  v.flags = 0;
  return v;
}
