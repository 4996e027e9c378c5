// Where each character of a condition or output came from. A rule's condition is assembled from pieces
// of several YAML scalars (the rule's own `condition:`, appended conditions, exception fields and
// values, and, after macro expansion, macro bodies), and YAML itself rewrites scalars (folding, block
// indentation, quote escapes). To point an error at the right column of the rules file we keep, for
// every piece, a map from offsets in the piece back to offsets in the file.
import { Scalar } from "yaml";
import type { ContextFrame, SourceLocation } from "../../diagnostics/diagnostic.js";

/** A rules file's name and text; `locate` turns offsets into line:column, memoising line starts. */
export class SourceFile {
  private lineStarts: number[] | undefined;
  constructor(
    readonly name: string,
    readonly text: string,
  ) {}

  location(offset: number): SourceLocation {
    const starts = this.starts();
    const clamped = Math.min(Math.max(offset, 0), this.text.length);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.name, line: lo + 1, column: clamped - starts[lo] + 1, offset: clamped };
  }

  private starts(): number[] {
    if (this.lineStarts === undefined) {
      const starts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }
}

/** A piece of text taken from a rules file: its context chain and the map back into the file. */
export interface TextSource {
  readonly file: SourceFile;
  /** Context chain of the value, outermost first (e.g. rules content -> rule 'X' -> rule condition). */
  readonly frames: readonly ContextFrame[];
  /** File offset of the character at `index` of the piece (index may equal the piece's length). */
  offsetAt(index: number): number;
}

export interface Segment {
  /** Range [start, end) in the mapped text. */
  readonly start: number;
  readonly end: number;
  /** Undefined for text the loader wrote itself (parentheses, " and not ", ...). */
  readonly source: TextSource | undefined;
  /** Index in the source piece of the segment's first character. */
  readonly sourceStart: number;
}

/** Text plus the origin of each of its ranges. Immutable; `concat` builds new values. */
export class MappedText {
  private constructor(
    readonly text: string,
    readonly segments: readonly Segment[],
  ) {}

  static of(text: string, source?: TextSource, sourceStart = 0): MappedText {
    if (text.length === 0) return new MappedText("", []);
    return new MappedText(text, [{ start: 0, end: text.length, source, sourceStart }]);
  }

  static concat(parts: readonly (MappedText | string)[]): MappedText {
    let text = "";
    const segments: Segment[] = [];
    for (const part of parts) {
      const piece = typeof part === "string" ? MappedText.of(part) : part;
      const base = text.length;
      for (const s of piece.segments) {
        segments.push({
          start: s.start + base,
          end: s.end + base,
          source: s.source,
          sourceStart: s.sourceStart,
        });
      }
      text += piece.text;
    }
    return new MappedText(text, segments);
  }

  get length(): number {
    return this.text.length;
  }

  /**
   * Where `offset` of this text came from. Offsets inside loader-written text resolve to the nearest
   * sourced segment (the following one, else the preceding one) so errors still point somewhere real.
   */
  locate(offset: number): { source: TextSource; fileOffset: number } | undefined {
    const segs = this.segments;
    if (segs.length === 0) return undefined;
    let found: Segment | undefined;
    for (const s of segs) {
      if (offset >= s.start && offset < s.end) {
        found = s;
        break;
      }
    }
    if (found?.source !== undefined) {
      return {
        source: found.source,
        fileOffset: found.source.offsetAt(found.sourceStart + offset - found.start),
      };
    }
    // Synthetic text or past the end: the next sourced segment's start, else the previous one's end.
    const next = segs.find((s) => s.start >= offset && s.source !== undefined);
    if (next?.source !== undefined) {
      return { source: next.source, fileOffset: next.source.offsetAt(next.sourceStart) };
    }
    for (let i = segs.length - 1; i >= 0; i--) {
      const s = segs[i];
      if (s.source !== undefined && s.start < offset) {
        const idx = s.sourceStart + Math.max(0, s.end - s.start - 1);
        return { source: s.source, fileOffset: s.source.offsetAt(idx) };
      }
    }
    return undefined;
  }
}

/** The text source of a scalar: its value mapped back to the file. */
export function scalarSource(file: SourceFile, node: Scalar, frames: readonly ContextFrame[]): TextSource {
  const map = scalarOffsetMap(file.text, node).offsets;
  return {
    file,
    frames,
    offsetAt: (index: number) => map[Math.min(Math.max(index, 0), map.length - 1)],
  };
}

/**
 * For each character of the scalar's value, the offset in `src` it was read from; one extra entry
 * for the end. Exact for plain, quoted and block scalars; when the reconstruction does not reproduce
 * the parser's value (an exotic construct), falls back to a linear map from the content start.
 */
export function scalarOffsetMap(src: string, node: Scalar): { offsets: Int32Array; exact: boolean } {
  const value = String(node.value ?? "");
  const range = node.range ?? [0, 0, 0];
  const [start, end] = range;
  let built: { text: string; offsets: number[] } | undefined;
  switch (node.type) {
    case Scalar.PLAIN:
      built = foldPlain(src, start, end);
      break;
    case Scalar.QUOTE_DOUBLE:
      built = unquote(src, start + 1, end - 1, true);
      break;
    case Scalar.QUOTE_SINGLE:
      built = unquote(src, start + 1, end - 1, false);
      break;
    case Scalar.BLOCK_FOLDED:
    case Scalar.BLOCK_LITERAL:
      built = readBlock(src, start, end, node.type === Scalar.BLOCK_FOLDED);
      break;
    default:
      built = undefined;
  }
  const out = new Int32Array(value.length + 1);
  if (built !== undefined && built.text === value) {
    for (let i = 0; i < value.length; i++) out[i] = built.offsets[i];
    out[value.length] = value.length > 0 ? built.offsets[value.length - 1] + 1 : start;
    return { offsets: out, exact: true };
  }
  const contentStart =
    node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? start + 1 : start;
  const last = Math.max(contentStart, end - 1);
  for (let i = 0; i <= value.length; i++) out[i] = Math.min(contentStart + i, last);
  return { offsets: out, exact: false };
}

function isBlank(c: string): boolean {
  return c === " " || c === "\t" || c === "\r";
}

/** Plain scalar folding: line breaks between non-empty lines become spaces, empty lines newlines. */
function foldPlain(src: string, start: number, end: number): { text: string; offsets: number[] } {
  let text = "";
  const offsets: number[] = [];
  let i = start;
  let first = true;
  let empties: number[] = [];
  let breakAt = -1;
  while (i <= end) {
    let lineEnd = src.indexOf("\n", i);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    let a = i;
    let b = lineEnd;
    if (!first) while (a < b && isBlank(src[a])) a++;
    while (b > a && isBlank(src[b - 1])) b--;
    if (a === b && !first) {
      empties.push(i);
    } else {
      if (!first) {
        if (empties.length === 0) {
          text += " ";
          offsets.push(breakAt);
        } else {
          for (const e of empties) {
            text += "\n";
            offsets.push(e);
          }
        }
      }
      for (let k = a; k < b; k++) {
        text += src[k];
        offsets.push(k);
      }
      empties = [];
      first = false;
    }
    breakAt = lineEnd;
    if (lineEnd >= end) break;
    i = lineEnd + 1;
  }
  return { text, offsets };
}

const DQ_ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  "\t": "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\x85",
  _: "\xa0",
  L: "\u2028",
  P: "\u2029",
};

/** Quoted scalar: escapes (double) or doubled quotes (single), and line folding. */
function unquote(
  src: string,
  start: number,
  end: number,
  double: boolean,
): { text: string; offsets: number[] } {
  let text = "";
  const offsets: number[] = [];
  // Index in `text` up to which trailing blanks may not be trimmed (escaped characters).
  let protectedUpTo = 0;
  let i = start;
  while (i < end) {
    const c = src[i];
    if (c === "\n" || (c === "\r" && src[i + 1] === "\n")) {
      // Fold: trim unescaped trailing blanks, count empty lines, skip leading blanks.
      while (text.length > protectedUpTo && (text.endsWith(" ") || text.endsWith("\t"))) {
        text = text.slice(0, -1);
        offsets.pop();
      }
      const breakAt = i;
      i = c === "\r" ? i + 2 : i + 1;
      const empties: number[] = [];
      for (;;) {
        let j = i;
        while (j < end && (src[j] === " " || src[j] === "\t")) j++;
        if (j < end && (src[j] === "\n" || (src[j] === "\r" && src[j + 1] === "\n"))) {
          empties.push(j);
          i = src[j] === "\r" ? j + 2 : j + 1;
          continue;
        }
        i = j;
        break;
      }
      if (empties.length === 0) {
        text += " ";
        offsets.push(breakAt);
      } else {
        for (const e of empties) {
          text += "\n";
          offsets.push(e);
        }
      }
      continue;
    }
    if (double && c === "\\") {
      const n = src[i + 1];
      if (n === "\n" || (n === "\r" && src[i + 2] === "\n")) {
        i += n === "\r" ? 3 : 2;
        while (i < end && (src[i] === " " || src[i] === "\t")) i++;
        protectedUpTo = text.length;
        continue;
      }
      const width = n === "x" ? 2 : n === "u" ? 4 : n === "U" ? 8 : 0;
      let ch: string | undefined;
      if (width > 0) {
        const hex = src.slice(i + 2, i + 2 + width);
        ch =
          /^[0-9a-fA-F]+$/.test(hex) && hex.length === width
            ? String.fromCodePoint(parseInt(hex, 16))
            : undefined;
      } else {
        ch = DQ_ESCAPES[n];
      }
      if (ch === undefined) return { text: "\u0000invalid", offsets: [] };
      for (let k = 0; k < ch.length; k++) {
        text += ch[k];
        offsets.push(i);
      }
      protectedUpTo = text.length;
      i += 2 + width;
      continue;
    }
    if (!double && c === "'" && src[i + 1] === "'") {
      text += "'";
      offsets.push(i);
      i += 2;
      continue;
    }
    text += c;
    offsets.push(i);
    i++;
  }
  return { text, offsets };
}

/** Block scalar (`|` literal or `>` folded), with chomping and auto-detected indentation. */
function readBlock(
  src: string,
  start: number,
  end: number,
  folded: boolean,
): { text: string; offsets: number[] } {
  const headerEnd = src.indexOf("\n", start);
  if (headerEnd < 0 || headerEnd >= end) return { text: "", offsets: [] };
  const header = src
    .slice(start + 1, headerEnd)
    .replace(/\s+#.*$/, "")
    .trim();
  const chomp = header.includes("-") ? "strip" : header.includes("+") ? "keep" : "clip";
  const explicit = /[1-9]/.exec(header);
  interface Line {
    at: number;
    end: number;
    hasBreak: boolean;
  }
  const lines: Line[] = [];
  let i = headerEnd + 1;
  while (i < end) {
    let e = src.indexOf("\n", i);
    const hasBreak = e >= 0 && e < end;
    if (!hasBreak) e = end;
    lines.push({ at: i, end: e, hasBreak });
    i = e + 1;
  }
  let indent = -1;
  for (const l of lines) {
    const raw = src.slice(l.at, l.end).replace(/\r$/, "");
    if (raw.trim().length > 0) {
      indent = raw.length - raw.replace(/^ +/, "").length;
      break;
    }
  }
  if (explicit !== null && indent < 0) indent = Number(explicit[0]);
  if (indent < 0) indent = 0;
  let text = "";
  const offsets: number[] = [];
  const emit = (s: string, at: number) => {
    for (const ch of s) {
      text += ch;
      offsets.push(at);
    }
  };
  let prev: "none" | "normal" | "more" = "none";
  let prevBreak = -1;
  let pending: number[] = [];
  let lastHadBreak = false;
  for (const l of lines) {
    const raw = src.slice(l.at, l.end).replace(/\r$/, "");
    const content = raw.length > indent ? raw.slice(indent) : "";
    if (content.length === 0) {
      pending.push(l.at);
      lastHadBreak = l.hasBreak;
      continue;
    }
    const kind = content.startsWith(" ") || content.startsWith("\t") ? "more" : "normal";
    if (prev === "none") {
      for (const p of pending) emit("\n", p);
    } else if (folded && prev === "normal" && kind === "normal") {
      if (pending.length === 0) emit(" ", prevBreak);
      else for (const p of pending) emit("\n", p);
    } else {
      emit("\n", prevBreak);
      for (const p of pending) emit("\n", p);
    }
    for (let k = 0; k < content.length; k++) {
      text += content[k];
      offsets.push(l.at + indent + k);
    }
    pending = [];
    prev = kind;
    prevBreak = l.end;
    lastHadBreak = l.hasBreak;
  }
  if (prev === "none") {
    if (chomp === "keep") for (const p of pending) emit("\n", p);
    return { text, offsets };
  }
  // Trailing breaks: the last content line's own break, then the empty lines after it.
  const trailing: number[] = [];
  if (pending.length > 0 || lastHadBreak) trailing.push(prevBreak);
  for (let k = 0; k < pending.length; k++) {
    // An empty line contributes a break only if it is followed by one (it always is, except at EOF).
    if (k < pending.length - 1 || lastHadBreak) trailing.push(pending[k]);
  }
  if (chomp === "clip" && trailing.length > 0) emit("\n", trailing[0]);
  if (chomp === "keep") for (const t of trailing) emit("\n", t);
  return { text, offsets };
}
