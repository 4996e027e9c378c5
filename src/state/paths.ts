// Paths as libsinsp builds them (sinsp_utils::concatenate_paths): a relative path is appended to a
// directory, `.` and `..` components are resolved textually, repeated separators collapse, a trailing
// separator is dropped, and characters that are not printable ASCII become '.' (one per UTF-8 byte).
// An absolute path ignores the directory. Results longer than libscap's path buffer become
// "/PATH_TOO_LONG", as in libsinsp.

const SLASH = 47;
const DOT = 46;
/** SCAP_MAX_PATH_SIZE */
export const MAX_PATH = 1024;

// Scratch for the path being built; grown when needed, never shrunk.
let scratch = new Uint16Array(MAX_PATH * 4);

function utf8Length(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
}

/**
 * True when resolving the absolute `path` gives `path` itself: printable ASCII, no repeated or trailing
 * separator, and no '.' that the resolver would treat as special (followed by '.', '/' or the end;
 * libsinsp's resolver drops "./" even inside a name). Most paths of open events are like that, and
 * returning them as they are spares building a copy of every one.
 */
function isResolvedAbsolute(path: string): boolean {
  const n = path.length;
  if (n === 0 || path.charCodeAt(0) !== SLASH) return false;
  for (let i = 0; i < n; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
    if (c === SLASH) {
      if (i + 1 === n ? n > 1 : path.charCodeAt(i + 1) === SLASH) return false;
    } else if (c === DOT) {
      if (i + 1 === n) return false;
      const d = path.charCodeAt(i + 1);
      if (d === DOT || d === SLASH) return false;
    }
  }
  return true;
}

/** `dir` + `path` resolved (or `path` alone when it is absolute or `dir` is ""). */
export function concatenatePaths(dir: string, path: string): string {
  if (dir.length + path.length + 1 > MAX_PATH) return "/PATH_TOO_LONG";
  return isResolvedAbsolute(path) ? path : resolvePaths(dir, path);
}

/** The resolver itself, character by character (exported for the test comparing it with the fast path). */
export function resolvePaths(dir: string, path: string): string {
  const need = (dir.length + path.length * 3 + 2) | 0;
  if (scratch.length < need) scratch = new Uint16Array(need * 2);
  const t = scratch;
  let tc = 0;
  if (path.length !== 0 && path.charCodeAt(0) !== SLASH) {
    for (let i = 0; i < dir.length; i++) t[tc++] = dir.charCodeAt(i);
  }
  const n = path.length;
  let pc = 0;
  const at = (i: number): number => (i < n ? path.charCodeAt(i) : 0);
  const rewind = (delta: number): void => {
    if (tc <= 1) {
      pc += delta;
      return;
    }
    tc--;
    while (tc >= 1 && t[tc - 1] !== SLASH) tc--;
    pc += delta;
  };
  for (;;) {
    const c = at(pc);
    if (pc >= n || c === 0) {
      if (tc > 1 && t[tc - 1] === SLASH) tc--;
      break;
    }
    if (c < 0x20 || c > 0x7e) {
      // Not printable ASCII: one '.' per byte of its UTF-8 encoding (surrogate pairs: 4 bytes).
      const bytes = utf8Length(c);
      for (let k = 0; k < bytes; k++) t[tc++] = DOT;
      pc++;
      continue;
    }
    if (c === DOT && at(pc + 1) === DOT && at(pc + 2) === SLASH) {
      rewind(3);
    } else if (c === DOT && at(pc + 1) === DOT) {
      if (pc + 2 >= n) {
        rewind(2);
      } else {
        t[tc++] = DOT;
        t[tc++] = DOT;
        pc += 2;
      }
    } else if (c === DOT && at(pc + 1) === SLASH) {
      pc += 2;
    } else if (c === DOT) {
      if (pc + 1 >= n) {
        pc++;
      } else {
        t[tc++] = c;
        pc++;
      }
    } else if (c === SLASH) {
      if (tc > 0 && t[tc - 1] === SLASH) {
        pc++;
      } else {
        t[tc++] = c;
        pc++;
      }
    } else {
      t[tc++] = c;
      pc++;
    }
  }
  return String.fromCharCode.apply(null, t.subarray(0, tc) as unknown as number[]);
}

/** A working directory as libsinsp stores it: resolved against the old one, ending in '/'. */
export function resolveCwd(oldCwd: string, path: string): string {
  const p = concatenatePaths(oldCwd, path);
  return p.length === 0 || p.charCodeAt(p.length - 1) !== SLASH ? p + "/" : p;
}

/** fd.directory of a file path: up to the last '/', or "/" (libsinsp's rfind logic). */
export function directoryOf(name: string): string {
  const pos = name.lastIndexOf("/");
  if (pos > 0) return pos < name.length - 1 ? name.slice(0, pos) : name;
  return "/";
}

/**
 * fd.filename of an open file: after the last '/', the whole name when it ends in '/', and "/" when it
 * has no '/' at all (libsinsp's rfind logic). `fromEvent`: the name came from a failed open's
 * parameters, where libsinsp keeps a name without '/' as it is.
 */
export function filenameOf(name: string, fromEvent = false): string {
  const pos = name.lastIndexOf("/");
  if (pos >= 0) return pos < name.length - 1 ? name.slice(pos + 1) : name;
  return fromEvent ? name : "/";
}
