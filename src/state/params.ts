// Reading event parameters for state updates: positions of named parameters per event code (the same
// name sits at different positions in different versions of an event), and the text libsinsp gives
// socket addresses when it names an fd after them (get_param_as_str with PF_SIMPLE).
import { EVENT_TABLE, EventFlag, EventType, ParamType } from "../capture/events/table.js";
import type { ScapEvent } from "../capture/scap/event.js";
import {
  AddressFamily,
  cText,
  hex64,
  ipv4Endpoint,
  ipv4TupleText,
  ipv6Endpoint,
  ipv6Text,
  isIpv4MappedIpv6,
  readIpv4,
} from "./net.js";

/** Position of parameter `name` in events of `code`, or -1. Built once, looked up per state change. */
const PARAM_INDEX: readonly ReadonlyMap<string, number>[] = EVENT_TABLE.map(
  (e) => new Map(e.params.map((p, i) => [p.name, i] as const)),
);

export function paramIndex(code: number, name: string): number {
  return PARAM_INDEX[code]?.get(name) ?? -1;
}

/**
 * Event flags as libsinsp 0.29 knew them. The current event table marks a few old events as using
 * an fd that libsinsp then did not track through them (mmap's fd is a parameter, not the subject of
 * the event); keeping the older flags keeps fd.* of those events as sysdig and Falco report them.
 */
export const EVENT_FLAGS: Uint32Array = (() => {
  const flags = new Uint32Array(EVENT_TABLE.length);
  EVENT_TABLE.forEach((e, code) => (flags[code] = e.flags));
  const dropUsesFd = [
    EventType.SYSCALL_MMAP_E,
    EventType.SYSCALL_MMAP_X,
    EventType.SYSCALL_MMAP2_E,
    EventType.SYSCALL_MMAP2_X,
    EventType.SYSCALL_SYMLINKAT_X,
    EventType.SYSCALL_UNLINKAT_2_X,
    EventType.SYSCALL_MKDIRAT_X,
    EventType.SYSCALL_FCHMODAT_X,
    EventType.SYSCALL_FCHMOD_X,
  ];
  for (const c of dropUsesFd) flags[c] = flags[c]! & ~EventFlag.USES_FD;
  return flags;
})();

/**
 * For exit events that name their fd in a parameter of their own (newer drivers send no enter
 * events): the position of that parameter, or -1. The return value of fd-creating events is not it.
 */
export const EXIT_FD_PARAM: Int16Array = (() => {
  const out = new Int16Array(EVENT_TABLE.length).fill(-1);
  EVENT_TABLE.forEach((e, code) => {
    if ((code & 1) === 0) return;
    const i = e.params.findIndex(
      (p, k) =>
        k > 0 &&
        (p.name === "fd" || p.name === "oldfd") &&
        (p.type === ParamType.FD || p.type === ParamType.FD32),
    );
    out[code] = i;
  });
  return out;
})();

/** Whether the first parameter of events of `code` is their result ("res" or "fd"). */
export const FIRST_PARAM_IS_RESULT: Uint8Array = (() => {
  const out = new Uint8Array(EVENT_TABLE.length);
  EVENT_TABLE.forEach((e, code) => {
    const n = e.params[0]?.name;
    out[code] = n === "res" || n === "fd" ? 1 : 0;
  });
  return out;
})();

/** A signed 64-bit parameter, or `fallback` when absent or of another size. */
export function i64(ev: ScapEvent, i: number, fallback = 0): number {
  return ev.paramI64(i) ?? fallback;
}

/** An integer parameter of any width, or `fallback`. */
export function int(ev: ScapEvent, i: number, fallback = 0): number {
  return ev.paramInt(i) ?? fallback;
}

/** A text parameter ("" when absent). */
export function text(ev: ScapEvent, i: number): string {
  return ev.paramString(i) ?? "";
}

/** True when the event has parameter `i` and it is not empty. */
export function has(ev: ScapEvent, i: number): boolean {
  return i >= 0 && ev.paramLen(i) > 0;
}

/** libsinsp's PF_SIMPLE text of a sockaddr parameter. */
export function sockaddrText(ev: ScapEvent, i: number): string {
  const len = ev.paramLen(i);
  if (len <= 0) return "NULL";
  const b = ev.buf;
  const o = ev.paramOffset(i);
  const family = b[o]!;
  if (family === AddressFamily.UNIX) return cText(b, o + 1, o + len);
  if (family === AddressFamily.INET) {
    if (len !== 7) return "INVALID IPv4";
    return ipv4Endpoint(readIpv4(b, o + 1), ev.dv.getUint16(o + 5, true));
  }
  if (family === AddressFamily.INET6) {
    if (len !== 19) return "INVALID IPv6";
    return ipv6Endpoint(ipv6Text(b, o + 1), ev.dv.getUint16(o + 17, true));
  }
  return `family ${family}`;
}

/** libsinsp's PF_SIMPLE text of a socktuple parameter. */
export function socktupleText(ev: ScapEvent, i: number): string {
  const len = ev.paramLen(i);
  if (len <= 0) return "NULL";
  const b = ev.buf;
  const o = ev.paramOffset(i);
  const dv = ev.dv;
  const family = b[o]!;
  if (family === AddressFamily.INET) {
    if (len !== 13) return "INVALID IPv4";
    return ipv4TupleText(
      readIpv4(b, o + 1),
      dv.getUint16(o + 5, true),
      readIpv4(b, o + 7),
      dv.getUint16(o + 11, true),
    );
  }
  if (family === AddressFamily.INET6) {
    if (len !== 37) return "INVALID IPv6";
    if (isIpv4MappedIpv6(b, o + 1) && isIpv4MappedIpv6(b, o + 19)) {
      return ipv4TupleText(
        readIpv4(b, o + 13),
        dv.getUint16(o + 17, true),
        readIpv4(b, o + 31),
        dv.getUint16(o + 35, true),
      );
    }
    return `${ipv6Text(b, o + 1)}:${dv.getUint16(o + 17, true)}->${ipv6Text(b, o + 19)}:${dv.getUint16(o + 35, true)}`;
  }
  if (family === AddressFamily.UNIX) {
    if (len < 17) return "INVALID UNIX";
    return `${hex64(dv.getBigUint64(o + 1, true))}->${hex64(dv.getBigUint64(o + 9, true))} ${cText(b, o + 17, o + len)}`;
  }
  return `family ${family}`;
}
