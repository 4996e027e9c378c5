// The `pmatch` operator: does some listed path contain the value as a path prefix, compared by whole
// components? (libsinsp prefix_search.h). `/var/run` matches `/var/run/docker.sock` but not
// `/var/runner`; `/var` does not match `/va`; components with `*`, `?` or `[` are fnmatch patterns for
// that one component (`/opt/*/bin`); empty components are ignored (`//etc/` is `/etc`); "/" matches
// everything. A shorter listed path absorbs longer ones below it, as in libsinsp.
//
// The tree is built at plan time. Matching walks the value's components by index and looks children up
// in buckets keyed by (length, first char), so it never slices the value: no allocation per event.
// libsinsp advances its component iterator once per glob child it tries, so after a glob child that
// matches one level but not below, later glob siblings are tried against the wrong component; that is a
// bug and is not reproduced here.
import { globMatch } from "./text.js";

const SLASH = 47;

interface Entry {
  /** The component exactly as listed. */
  readonly name: string;
  /** Null when a listed path ends here: everything below matches. */
  sub: PrefixNode | null;
}

class PrefixNode {
  /** Literal components, bucketed by (length, first char). */
  readonly literal = new Map<number, Entry[]>();
  /** Components containing glob characters, in insertion order. */
  readonly globs: Entry[] = [];

  find(text: string, start: number, end: number): Entry | undefined {
    const bucket = this.literal.get(bucketKey(text, start, end));
    if (bucket === undefined) return undefined;
    for (const e of bucket) if (text.startsWith(e.name, start)) return e;
    return undefined;
  }

  entryFor(name: string): Entry {
    if (isGlob(name)) {
      let e = this.globs.find((g) => g.name === name);
      if (e === undefined) {
        e = { name, sub: new PrefixNode() };
        this.globs.push(e);
      }
      return e;
    }
    const key = bucketKey(name, 0, name.length);
    let bucket = this.literal.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.literal.set(key, bucket);
    }
    let e = bucket.find((b) => b.name === name);
    if (e === undefined) {
      e = { name, sub: new PrefixNode() };
      bucket.push(e);
    }
    return e;
  }
}

function bucketKey(text: string, start: number, end: number): number {
  return (end - start) * 65536 + text.charCodeAt(start);
}

function isGlob(component: string): boolean {
  return component.includes("*") || component.includes("?") || component.includes("[");
}

/** Path components, empty ones dropped. Plan time only. */
function components(path: string): string[] {
  return path.split("/").filter((c) => c !== "");
}

export class PathPrefixSearch {
  // The implicit root component every path starts with; null `sub` once "/" itself is listed.
  private readonly root: Entry = { name: "", sub: new PrefixNode() };

  constructor(paths: Iterable<string> = []) {
    for (const p of paths) this.add(p);
  }

  add(path: string): void {
    const comps = components(path);
    let entry = this.root;
    for (let i = 0; i < comps.length; i++) {
      // A shorter listed path already covers everything below.
      if (entry.sub === null) return;
      entry = entry.sub.entryFor(comps[i]);
    }
    entry.sub = null;
  }

  match(path: string): boolean {
    return matchBelow(this.root, path, 0);
  }
}

// `entry` matched the component ending at `after`; does the rest of `text` satisfy what lies below it?
function matchBelow(entry: Entry, text: string, after: number): boolean {
  let s = after;
  const len = text.length;
  while (s < len && text.charCodeAt(s) === SLASH) s++;
  // The value ends here: only a listed path ending here matches (/var matches /var, not /var/lib).
  if (s >= len) return entry.sub === null;
  if (entry.sub === null) return true;
  let e = text.indexOf("/", s);
  if (e < 0) e = len;
  const node = entry.sub;
  const direct = node.find(text, s, e);
  if (direct !== undefined && matchBelow(direct, text, e)) return true;
  for (const g of node.globs) {
    if (globMatch(g.name, text, false, s, e) && matchBelow(g, text, e)) return true;
  }
  return false;
}
