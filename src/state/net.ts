// Addresses as the state engine keeps them, and the text libsinsp gives sockets as fd names.
//
// IPv4 addresses are unsigned 32-bit numbers whose most significant byte is the first octet
// (a.b.c.d = a * 2^24 + ...), read big-endian from the event bytes, so comparing and masking needs no
// allocation. IPv6 addresses are kept as their inet_ntop text: they change only when a socket changes,
// and the text is what fields yield anyway. Ports are host-order numbers, as the driver writes them.
import { ipv6String } from "../capture/scap/records.js";

/** scap_l4_proto. */
export const enum L4Proto {
  UNKNOWN = 0,
  NA = 1,
  TCP = 2,
  UDP = 3,
  ICMP = 4,
  RAW = 5,
}

/** Address families as the driver encodes them in sockaddr/socktuple parameters (PPM_AF_*). */
export const enum AddressFamily {
  UNIX = 1,
  INET = 2,
  INET6 = 10,
  NETLINK = 16,
}

export const IPV6_ANY = "::";
export const IPV4_LOOPBACK = 0x7f000001;

// Text of IPv4 numbers, interned: the same few addresses repeat on every socket event.
const V4_TEXT_MAX = 4096;
const v4Text = new Map<number, string>();

/** "a.b.c.d" of an IPv4 number, interned. */
export function ipv4Text(addr: number): string {
  let t = v4Text.get(addr);
  if (t === undefined) {
    if (v4Text.size >= V4_TEXT_MAX) v4Text.clear();
    t = `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
    v4Text.set(addr, t);
  }
  return t;
}

/** IPv4 number from four bytes in network order at `off`. */
export function readIpv4(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/** IPv4 number from "a.b.c.d" text (fd and interface records); 0 when malformed. */
export function parseIpv4Text(text: string): number {
  const parts = text.split(".");
  if (parts.length !== 4) return 0;
  let v = 0;
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0 || n > 255) return 0;
    v = v * 256 + n;
  }
  return v;
}

/** inet_ntop text of the 16 bytes at `off`. */
export function ipv6Text(b: Buffer, off: number): string {
  return ipv6String(b, off);
}

/**
 * libsinsp's is_ipv4_mapped_ipv6: ::ffff:a.b.c.d, or the all-zero address (taken for IPv4 too).
 */
export function isIpv4MappedIpv6(b: Uint8Array, off: number): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
  if (b[off + 10] === 0xff && b[off + 11] === 0xff) return true;
  for (let i = 10; i < 16; i++) if (b[off + i] !== 0) return false;
  return true;
}

/** True when the IPv6 text is the all-zero address. */
export function isIpv6Any(text: string): boolean {
  return text === IPV6_ANY;
}

/** "ip:port" of an IPv4 endpoint (ipv4serveraddr_to_string, without service name resolution). */
export function ipv4Endpoint(addr: number, port: number): string {
  return `${ipv4Text(addr)}:${port}`;
}

/** "ip:port" of an IPv6 endpoint. */
export function ipv6Endpoint(addr: string, port: number): string {
  return `${addr}:${port}`;
}

/** "sip:sport->dip:dport" (ipv4tuple_to_string). */
export function ipv4TupleText(sip: number, sport: number, dip: number, dport: number): string {
  return `${ipv4Endpoint(sip, sport)}->${ipv4Endpoint(dip, dport)}`;
}

/** "sip:sport->dip:dport" (ipv6tuple_to_string). */
export function ipv6TupleText(sip: string, sport: number, dip: string, dport: number): string {
  return `${sip}:${sport}->${dip}:${dport}`;
}

/** Hex of an unsigned 64-bit value as libsinsp prints unix socket addresses (%PRIx64). */
export function hex64(v: bigint): string {
  return v.toString(16);
}

/** The text up to the first NUL of bytes [from, to), with libsinsp's sanitize_string. */
export function cText(b: Buffer, from: number, to: number): string {
  let z = from;
  while (z < to && b[z] !== 0) z++;
  return sanitize(b.toString("utf8", from, z));
}

/**
 * libsinsp's sanitize_string: every character that is not printable ASCII (0x20-0x7e) is dropped,
 * bytes of multi-byte UTF-8 sequences included. Most text has none, so the common case returns its
 * input unchanged.
 */
export function sanitize(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return s.replace(/[^\x20-\x7e]/g, "");
  }
  return s;
}
