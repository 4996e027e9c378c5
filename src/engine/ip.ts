// IP addresses and networks as the filter language compares them (libsinsp value_parser.cpp, tuples.cpp,
// filter_compare.cpp). Constants are parsed once at plan time into an `Ip`; field values arrive as text
// ("10.0.0.1", "::1") and are parsed per event into a scratch `Ip` owned by the check, so comparing
// allocates nothing. Parsing follows inet_pton: dotted quads without leading zeros, IPv6 with at most one
// "::" and an optional trailing dotted quad.

/** One address or network. Every field is set in the constructor so all instances share one shape. */
export class Ip {
  family: 4 | 6 = 4;
  /** IPv4 address as an unsigned 32-bit number (a.b.c.d = a * 2^24 + ...). */
  v4 = 0;
  /** IPv6 address bytes, network order. */
  readonly v6 = new Uint8Array(16);
  /** IPv4 network mask, unsigned 32-bit (0xffffffff for a plain address). */
  mask4 = 0xffffffff;
  /** IPv6 prefix: whole bytes compared, then the top bits of the next byte (libsinsp ipv6net). */
  v6Bytes = 16;
  v6TailShift = 0;
}

const DOT = 46;
const COLON = 58;

/** Parse a dotted quad (inet_pton AF_INET). Returns the address as an unsigned number, or -1. */
export function parseIPv4(text: string, from = 0, to = text.length): number {
  let value = 0;
  let parts = 0;
  let i = from;
  while (true) {
    const start = i;
    let part = 0;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      part = part * 10 + (c - 48);
      i++;
      if (part > 255) return -1;
    }
    const digits = i - start;
    if (digits === 0) return -1;
    if (digits > 1 && text.charCodeAt(start) === 48) return -1;
    value = value * 256 + part;
    parts++;
    if (i === to) break;
    if (text.charCodeAt(i) !== DOT || parts === 4) return -1;
    i++;
  }
  return parts === 4 ? value : -1;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parse an IPv6 address (inet_pton AF_INET6) into `out` (16 bytes). False when malformed. */
export function parseIPv6(text: string, out: Uint8Array, from = 0, to = text.length): boolean {
  out.fill(0);
  let pos = 0; // bytes written
  let gap = -1; // byte offset where "::" stands
  let i = from;
  if (i < to && text.charCodeAt(i) === COLON) {
    if (i + 1 >= to || text.charCodeAt(i + 1) !== COLON) return false;
    i++;
  }
  let groupStart = i;
  let sawDigit = false;
  let group = 0;
  while (i < to) {
    const c = text.charCodeAt(i);
    const h = hexValue(c);
    if (h >= 0) {
      group = (group << 4) | h;
      if (i - groupStart >= 4) return false;
      sawDigit = true;
      i++;
      continue;
    }
    if (c === COLON) {
      groupStart = i + 1;
      if (!sawDigit) {
        if (gap >= 0) return false;
        gap = pos;
        i++;
        continue;
      }
      if (i + 1 >= to) return false;
      if (pos + 2 > 16) return false;
      out[pos++] = (group >> 8) & 0xff;
      out[pos++] = group & 0xff;
      sawDigit = false;
      group = 0;
      i++;
      continue;
    }
    if (c === DOT && pos + 4 <= 16) {
      const v4 = parseIPv4(text, groupStart, to);
      if (v4 < 0) return false;
      out[pos++] = (v4 >>> 24) & 0xff;
      out[pos++] = (v4 >>> 16) & 0xff;
      out[pos++] = (v4 >>> 8) & 0xff;
      out[pos++] = v4 & 0xff;
      sawDigit = false;
      i = to;
      break;
    }
    return false;
  }
  if (sawDigit) {
    if (pos + 2 > 16) return false;
    out[pos++] = (group >> 8) & 0xff;
    out[pos++] = group & 0xff;
  }
  if (gap >= 0) {
    if (pos === 16) return false;
    const tail = pos - gap;
    for (let k = 1; k <= tail; k++) {
      out[16 - k] = out[gap + tail - k];
      out[gap + tail - k] = 0;
    }
    pos = 16;
  }
  return pos === 16;
}

/** Read a field value's text into `out` as an address; the family follows the text (':' means IPv6). */
export function readAddress(text: string, out: Ip): boolean {
  if (text.indexOf(":") >= 0) {
    out.family = 6;
    return parseIPv6(text, out.v6);
  }
  const v4 = parseIPv4(text);
  if (v4 < 0) return false;
  out.family = 4;
  out.v4 = v4;
  return true;
}

export function sameAddress(a: Ip, b: Ip): boolean {
  if (a.family !== b.family) return false;
  if (a.family === 4) return a.v4 === b.v4;
  const x = a.v6;
  const y = b.v6;
  for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** `address` lies in `net` (same family). libsinsp's ipv4net compare and ipv6net::in_cidr. */
export function inNetwork(address: Ip, net: Ip): boolean {
  if (address.family !== net.family) return false;
  if (net.family === 4) return (address.v4 & net.mask4) >>> 0 === (net.v4 & net.mask4) >>> 0;
  const a = address.v6;
  const n = net.v6;
  let i = 0;
  for (; i < net.v6Bytes; i++) if (a[i] !== n[i]) return false;
  if (i >= 16) return true;
  return a[i] >> net.v6TailShift === n[i] >> net.v6TailShift;
}
