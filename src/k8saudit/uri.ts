// ka.uri.param[key]: the k8saudit plugin parses requestURI with Go's net/url (url.Parse, then
// url.ParseQuery on the raw query) and yields nothing when either reports an error. This reproduces the
// parts of those functions that decide between "a value" and "no value" for request URIs: control
// characters, bad percent escapes in path, query or fragment, a colon in the first segment of a relative
// reference, and ';' in the query (an error since Go 1.17). Decoded bytes are read as UTF-8.

/** Parsed query: key -> values in order, or undefined when Go would have reported an error. */
export type QueryValues = ReadonlyMap<string, readonly string[]>;

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function hexVal(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10;
}

/** Every '%' is followed by two hex digits. */
function escapesValid(s: string): boolean {
  for (let i = s.indexOf("%"); i >= 0; i = s.indexOf("%", i + 3)) {
    if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
  }
  return true;
}

/** Go's url.QueryUnescape: '+' is a space, %XX a byte. Undefined on a bad escape. */
function queryUnescape(s: string): string | undefined {
  if (s.indexOf("%") < 0) return s.indexOf("+") < 0 ? s : s.replaceAll("+", " ");
  if (!escapesValid(s)) return undefined;
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      bytes.push(hexVal(s.charCodeAt(i + 1)) * 16 + hexVal(s.charCodeAt(i + 2)));
      i += 2;
    } else if (c === 0x2b) {
      bytes.push(0x20);
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // copy the (possibly multi-unit) character as UTF-8
      const cp = s.codePointAt(i) as number;
      const width = cp > 0xffff ? 2 : 1;
      for (const b of enc.encode(s.slice(i, i + width))) bytes.push(b);
      i += width - 1;
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

function hasControlByte(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** The scheme part, as Go's getScheme finds it: "" when none, undefined on "missing protocol scheme". */
function schemeLength(s: string): number | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    if (letter) continue;
    const other = (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
    if (other) {
      if (i === 0) return 0;
      continue;
    }
    if (c === 0x3a) return i === 0 ? undefined : i;
    return 0;
  }
  return 0;
}

/** url.Parse(uri).RawQuery, or undefined where url.Parse fails. */
export function rawQueryOf(uri: string): string | undefined {
  if (hasControlByte(uri)) return undefined;
  const hash = uri.indexOf("#");
  let rest = hash < 0 ? uri : uri.slice(0, hash);
  if (hash >= 0 && !escapesValid(uri.slice(hash + 1))) return undefined;
  if (rest === "*") return "";
  const scheme = schemeLength(rest);
  if (scheme === undefined) return undefined;
  if (scheme > 0) rest = rest.slice(scheme + 1);
  let query = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    // a lone trailing '?' is Go's ForceQuery: an empty query
    query = q === rest.length - 1 ? "" : rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (scheme === 0 && !rest.startsWith("/")) {
    const colon = rest.indexOf(":");
    const slash = rest.indexOf("/");
    if (colon >= 0 && (slash < 0 || colon < slash)) return undefined;
  }
  if (!escapesValid(rest)) return undefined;
  return query;
}

/** url.ParseQuery: undefined when any pair has a ';' or a bad escape (Go then returns an error). */
export function parseQuery(raw: string): QueryValues | undefined {
  const out = new Map<string, string[]>();
  let failed = false;
  for (const part of raw.split("&")) {
    if (part.indexOf(";") >= 0) {
      failed = true;
      continue;
    }
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = queryUnescape(eq < 0 ? part : part.slice(0, eq));
    const value = queryUnescape(eq < 0 ? "" : part.slice(eq + 1));
    if (key === undefined || value === undefined) {
      failed = true;
      continue;
    }
    const list = out.get(key);
    if (list === undefined) out.set(key, [value]);
    else list.push(value);
  }
  return failed ? undefined : out;
}

/** The query of a request URI, or undefined where the plugin's parsing fails. */
export function queryOfUri(uri: string): QueryValues | undefined {
  const raw = rawQueryOf(uri);
  return raw === undefined ? undefined : parseQuery(raw);
}
