// Text primitives of parameter rendering, each reproducing what libsinsp (as built into sysdig
// 0.29.3, libs e5c53d64) prints: errno and signal names, printf's %g, glibc's inet_ntop for
// IPv6, the byte-buffer styles (dots, ASCII with end-of-lines, hex rows, base64), path
// concatenation with its sanitising rules, and the removal of unprintable characters.
//
// Byte-level output is assembled in one module-level scratch buffer and decoded once (latin1:
// every byte written is ASCII), so rendering allocates only the resulting string.

/** Linux errno names by number (what sysdig prints for negative results and fds). */
const ERRNO_LIST: readonly (readonly [number, string])[] = [
  [1, "EPERM"],
  [2, "ENOENT"],
  [3, "ESRCH"],
  [4, "EINTR"],
  [5, "EIO"],
  [6, "ENXIO"],
  [7, "E2BIG"],
  [8, "ENOEXEC"],
  [9, "EBADF"],
  [10, "ECHILD"],
  [11, "EAGAIN"],
  [12, "ENOMEM"],
  [13, "EACCES"],
  [14, "EFAULT"],
  [15, "ENOTBLK"],
  [16, "EBUSY"],
  [17, "EEXIST"],
  [18, "EXDEV"],
  [19, "ENODEV"],
  [20, "ENOTDIR"],
  [21, "EISDIR"],
  [22, "EINVAL"],
  [23, "ENFILE"],
  [24, "EMFILE"],
  [25, "ENOTTY"],
  [26, "ETXTBSY"],
  [27, "EFBIG"],
  [28, "ENOSPC"],
  [29, "ESPIPE"],
  [30, "EROFS"],
  [31, "EMLINK"],
  [32, "EPIPE"],
  [33, "EDOM"],
  [34, "ERANGE"],
  [35, "EDEADLK"],
  [36, "ENAMETOOLONG"],
  [37, "ENOLCK"],
  [38, "ENOSYS"],
  [39, "ENOTEMPTY"],
  [40, "ELOOP"],
  [42, "ENOMSG"],
  [43, "EIDRM"],
  [44, "ECHRNG"],
  [45, "EL2NSYNC"],
  [46, "EL3HLT"],
  [47, "EL3RST"],
  [48, "ELNRNG"],
  [49, "EUNATCH"],
  [50, "ENOCSI"],
  [51, "EL2HLT"],
  [52, "EBADE"],
  [53, "EBADR"],
  [54, "EXFULL"],
  [55, "ENOANO"],
  [56, "EBADRQC"],
  [57, "EBADSLT"],
  [59, "EBFONT"],
  [60, "ENOSTR"],
  [61, "ENODATA"],
  [62, "ETIME"],
  [63, "ENOSR"],
  [64, "ENONET"],
  [65, "ENOPKG"],
  [66, "EREMOTE"],
  [67, "ENOLINK"],
  [68, "EADV"],
  [69, "ESRMNT"],
  [70, "ECOMM"],
  [71, "EPROTO"],
  [72, "EMULTIHOP"],
  [73, "EDOTDOT"],
  [74, "EBADMSG"],
  [75, "EOVERFLOW"],
  [76, "ENOTUNIQ"],
  [77, "EBADFD"],
  [78, "EREMCHG"],
  [79, "ELIBACC"],
  [80, "ELIBBAD"],
  [81, "ELIBSCN"],
  [82, "ELIBMAX"],
  [83, "ELIBEXEC"],
  [84, "EILSEQ"],
  [85, "ERESTART"],
  [86, "ESTRPIPE"],
  [87, "EUSERS"],
  [88, "ENOTSOCK"],
  [89, "EDESTADDRREQ"],
  [90, "EMSGSIZE"],
  [91, "EPROTOTYPE"],
  [92, "ENOPROTOOPT"],
  [93, "EPROTONOSUPPORT"],
  [94, "ESOCKTNOSUPPORT"],
  [95, "EOPNOTSUPP"],
  [96, "EPFNOSUPPORT"],
  [97, "EAFNOSUPPORT"],
  [98, "EADDRINUSE"],
  [99, "EADDRNOTAVAIL"],
  [100, "ENETDOWN"],
  [101, "ENETUNREACH"],
  [102, "ENETRESET"],
  [103, "ECONNABORTED"],
  [104, "ECONNRESET"],
  [105, "ENOBUFS"],
  [106, "EISCONN"],
  [107, "ENOTCONN"],
  [108, "ESHUTDOWN"],
  [109, "ETOOMANYREFS"],
  [110, "ETIMEDOUT"],
  [111, "ECONNREFUSED"],
  [112, "EHOSTDOWN"],
  [113, "EHOSTUNREACH"],
  [114, "EALREADY"],
  [115, "EINPROGRESS"],
  [116, "ESTALE"],
  [117, "EUCLEAN"],
  [118, "ENOTNAM"],
  [119, "ENAVAIL"],
  [120, "EISNAM"],
  [121, "EREMOTEIO"],
  [122, "EDQUOT"],
  [123, "ENOMEDIUM"],
  [124, "EMEDIUMTYPE"],
  [125, "ECANCELED"],
  [512, "ERESTARTSYS"],
  [513, "ERESTARTNOINTR"],
  [514, "ERESTARTNOHAND"],
  [515, "ENOIOCTLCMD"],
  [516, "ERESTART_RESTARTBLOCK"],
  [521, "EBADHANDLE"],
  [522, "ENOTSYNC"],
  [523, "EBADCOOKIE"],
  [524, "ENOTSUPP"],
  [525, "ETOOSMALL"],
  [526, "ESERVERFAULT"],
  [527, "EBADTYPE"],
  [528, "EJUKEBOX"],
  [529, "EIOCBQUEUED"],
  [530, "EIOCBRETRY"],
];

const ERRNO_NAMES: readonly string[] = (() => {
  const a: string[] = new Array<string>(531).fill("");
  for (const [n, s] of ERRNO_LIST) a[n] = s;
  return a;
})();

/**
 * The errno name of a (negative) result, as sysdig resolves it: the value is truncated to 32 bits
 * and negated; "" when the number has no name (e.g. -41, or any non-negative value).
 */
export function errnoName(value: number): string {
  const code = -(value | 0);
  return code > 0 && code < ERRNO_NAMES.length ? ERRNO_NAMES[code]! : "";
}

const SIGNAL_NAMES: readonly string[] = [
  "",
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];

/** Name of signal 1..31 ("" for 0 and real-time or unknown signals). */
export function signalName(sig: number): string {
  return sig > 0 && sig < SIGNAL_NAMES.length ? SIGNAL_NAMES[sig]! : "";
}

/** True for the bytes the C locale's isprint accepts (0x20..0x7e). */
export function isPrint(b: number): boolean {
  return b >= 0x20 && b < 0x7f;
}

// ---------------------------------------------------------------------------------------------
// Scratch output

let scratch: Buffer = Buffer.allocUnsafe(4096);

function ensure(n: number): Buffer {
  if (scratch.length < n) {
    let cap = scratch.length * 2;
    while (cap < n) cap *= 2;
    scratch = Buffer.allocUnsafe(cap);
  }
  return scratch;
}

const HEX = "0123456789abcdef";

function putHex(out: Buffer, k: number, v: number, digits: number): number {
  for (let d = digits - 1; d >= 0; d--) out[k + d] = HEX.charCodeAt((v >>> ((digits - 1 - d) * 4)) & 15);
  return k + digits;
}

// ---------------------------------------------------------------------------------------------
// Byte buffers

/** Printable bytes as is, every other byte as '.' (sysdig's default buffer rendering). */
export function bufferDots(src: Uint8Array, start: number, end: number): string {
  const n = end - start;
  const out = ensure(n);
  for (let j = 0; j < n; j++) {
    const b = src[start + j]!;
    out[j] = isPrint(b) ? b : 0x2e;
  }
  return out.toString("latin1", 0, n);
}

/**
 * Printable bytes only, '\r' as a line end, '\n' kept unless it follows '\r' (or is the first
 * byte); with `leadingEol` the text starts with a line end (sysdig -A), without it not.
 */
export function bufferAsciiOnly(src: Uint8Array, start: number, end: number, leadingEol: boolean): string {
  const out = ensure(end - start + 1);
  let k = 0;
  if (leadingEol) out[k++] = 0x0a;
  for (let j = start; j < end; j++) {
    const b = src[j]!;
    if (isPrint(b)) out[k++] = b;
    else if (b === 0x0d) out[k++] = 0x0a;
    else if (b === 0x0a && j > start && src[j - 1] !== 0x0d) out[k++] = 0x0a;
  }
  return out.toString("latin1", 0, k);
}

/**
 * Rows of 16 bytes: "\n\t0xOOOO:" then 2-byte groups " hhhh" (a last odd byte as " hh"); with
 * `ascii` the row is padded to 8 groups and followed by two spaces and the printable bytes ('.'
 * for the rest). A final line end closes the text.
 */
export function bufferHex(src: Uint8Array, start: number, end: number, ascii: boolean): string {
  const n = end - start;
  const rows = Math.ceil(n / 16);
  const out = ensure(rows * 72 + 1);
  let k = 0;
  for (let j = 0; j < n; j += 16) {
    out[k++] = 0x0a;
    out[k++] = 0x09;
    out[k++] = 0x30;
    out[k++] = 0x78;
    // %.4x: at least 4 digits, more when the offset needs them.
    k = putHex(out, k, j, j > 0xffff ? j.toString(16).length : 4);
    out[k++] = 0x3a;
    let chunks = 0;
    let p = j;
    while (chunks < 8 && p < n) {
      out[k++] = 0x20;
      if (p === n - 1) {
        k = putHex(out, k, src[start + p]!, 2);
      } else {
        k = putHex(out, k, (src[start + p]! << 8) | src[start + p + 1]!, 4);
      }
      chunks++;
      p += 2;
    }
    if (ascii) {
      while (chunks < 8) {
        for (let s = 0; s < 5; s++) out[k++] = 0x20;
        chunks++;
      }
      out[k++] = 0x20;
      out[k++] = 0x20;
      for (let q = j; q < j + 16 && q < n; q++) {
        const b = src[start + q]!;
        out[k++] = isPrint(b) ? b : 0x2e;
      }
    }
  }
  out[k++] = 0x0a;
  return out.toString("latin1", 0, k);
}

/** Standard base64 with '=' padding. */
export function bufferBase64(src: Uint8Array, start: number, end: number): string {
  return Buffer.from(src.buffer, src.byteOffset + start, end - start).toString("base64");
}

/** Bytes up to the first NUL (or `end`) as UTF-8 text, unchanged otherwise. */
export function cString(src: Uint8Array, start: number, end: number): string {
  let z = start;
  while (z < end && src[z] !== 0) z++;
  return Buffer.from(src.buffer, src.byteOffset + start, z - start).toString("utf8");
}

/** Bytes up to the first NUL (or `end`) with every unprintable byte removed (sanitize_string). */
export function sanitizedCString(src: Uint8Array, start: number, end: number): string {
  const out = ensure(end - start);
  let k = 0;
  for (let j = start; j < end; j++) {
    const b = src[j]!;
    if (b === 0) break;
    if (isPrint(b)) out[k++] = b;
  }
  return out.toString("latin1", 0, k);
}

/** A JS string with unprintable characters removed (names coming from state, e.g. fd names). */
export function sanitizeString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) return s.replace(/[^\x20-\x7e]/g, "");
  }
  return s;
}

/**
 * A path parameter's printed value: printable bytes up to the first NUL. As in libsinsp, a value
 * whose bytes are all printable and that has no NUL within its length loses its last character.
 */
export function pathValue(src: Uint8Array, start: number, end: number): string {
  const len = end - start;
  const out = ensure(len);
  let k = 0;
  let j = start;
  for (; j < end; j++) {
    const b = src[j]!;
    if (b === 0) break;
    if (isPrint(b)) {
      out[k++] = b;
      if (k === len) {
        k--;
        break;
      }
    }
  }
  return out.toString("latin1", 0, k);
}

/**
 * libsinsp's path concatenation for relative paths: `base` (the directory, ending in '/') then
 * `path`, normalised while copying: "./" is dropped, "../" and a final ".." climb one component,
 * a repeated '/' is collapsed, unprintable bytes become '.', and a trailing '/' is removed. The
 * rules apply wherever the patterns occur, as libsinsp's do ("a./b" becomes "ab"). Returns ""
 * for absolute or empty paths, which libsinsp leaves unresolved.
 */
export function resolveRelativePath(base: string, src: Uint8Array, start: number, end: number): string {
  let pend = start;
  while (pend < end && src[pend] !== 0) pend++;
  if (pend === start || src[start] === 0x2f) return "";
  const blen = Buffer.byteLength(base, "latin1");
  const out = ensure(blen + (pend - start) + 1);
  out.write(base, 0, "latin1");
  let t = blen; // write position
  const at = (i: number): number => (i < pend ? src[i]! : 0);
  let p = start;
  // Climbs to the previous component: the write position moves back past the last separator.
  const rewind = (delta: number): void => {
    if (t <= 1) {
      p += delta;
      return;
    }
    t--;
    while (t >= 1 && out[t - 1] !== 0x2f) t--;
    p += delta;
  };
  while (true) {
    const c = at(p);
    if (c === 0) {
      if (t > 1 && out[t - 1] === 0x2f) t--;
      break;
    }
    if (!isPrint(c)) {
      out[t++] = 0x2e;
      p++;
    } else if (c === 0x2e && at(p + 1) === 0x2e && at(p + 2) === 0x2f) {
      rewind(3);
    } else if (c === 0x2e && at(p + 1) === 0x2e) {
      if (at(p + 2) === 0) {
        rewind(2);
      } else {
        out[t++] = 0x2e;
        out[t++] = 0x2e;
        p += 2;
      }
    } else if (c === 0x2e && at(p + 1) === 0x2f) {
      p += 2;
    } else if (c === 0x2e) {
      if (at(p + 1) === 0) p++;
      else {
        out[t++] = c;
        p++;
      }
    } else if (c === 0x2f) {
      if (t > 0 && out[t - 1] === 0x2f) p++;
      else {
        out[t++] = c;
        p++;
      }
    } else {
      out[t++] = c;
      p++;
    }
  }
  return out.toString("latin1", 0, t);
}

// ---------------------------------------------------------------------------------------------
// Numbers and addresses

/** C printf "%g" (6 significant digits, trailing zeros removed) of a finite number. */
export function formatG(x: number): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
  const e = x.toExponential(5);
  const ePos = e.indexOf("e");
  const exp = Number(e.slice(ePos + 1));
  if (exp < -4 || exp >= 6) {
    let mant = e.slice(0, ePos);
    if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    const a = Math.abs(exp);
    return `${mant}e${exp < 0 ? "-" : "+"}${a < 10 ? "0" : ""}${a}`;
  }
  let f = x.toFixed(5 - exp);
  if (f.includes(".")) f = f.replace(/0+$/, "").replace(/\.$/, "");
  return f;
}

/** Dotted quad of 4 bytes. */
export function ipv4Text(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** True if the 16 bytes at `off` are an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
export function isIpv4Mapped(b: Uint8Array, off: number): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
  return b[off + 10] === 0xff && b[off + 11] === 0xff;
}

/** glibc inet_ntop(AF_INET6): longest zero run (>= 2 words) as "::", IPv4 tails dotted. */
export function ipv6Text(b: Uint8Array, off: number): string {
  const w = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) w[i] = (b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!;
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let s = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ":";
      continue;
    }
    if (i !== 0) s += ":";
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      s += ipv4Text(b, off + 12);
      return s;
    }
    s += w[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ":";
  return s;
}
