// The filters and formats of the differential test against sysdig (../sysdig-diff.test.ts), generated
// from a fixed seed so that every run asks the same questions.
//
// Filters are built from what a capture contains: the test first has sysdig print, for every event,
// the fields named in SAMPLED, and each atom takes its constant from one of those printed values (a
// prefix, a substring, a glob over it, a network around an address, a neighbouring number, ...), so
// that most filters match some events and many match some but not all. Atoms are combined with
// and/or/not, with and without parentheses. Formats are runs of `%field` tokens, some with a width,
// separated by FIELD_SEPARATOR so that a difference can be traced to its field.
//
// Fields are those of the evt/proc/thread/fd/user/group/container classes that sysdig 0.29.3 lists
// (`sysdig -l`); operators are limited to what sysdig 0.29.3 accepts for each (its fd.ip/fd.port checks
// throw at run time on anything but =, != and in, and `in` on a network compares only the first one).

/**
 * Base of every capture's seed. Changing it changes every generated filter and format (and so which
 * allow-list entries are needed); SAKER_SYSDIG_DIFF_SEED overrides it to explore.
 */
export const SEED = 0x5a6b3c;

/** Separates the fields of a format and of the sampling line. */
export const FIELD_SEPARATOR = "\x1f";

/** A deterministic generator of numbers in [0, 1) (mulberry32). */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The seed of one capture's generator: the base seed mixed with the capture's name (FNV-1a). */
export function captureSeed(name: string, seed: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return (h ^ seed) >>> 0;
}

/**
 * How constants for a field are chosen and which operators apply:
 * - text: strings (=, !=, contains, icontains, startswith, endswith, glob, in, pmatch, exists)
 * - number: integers (=, !=, <, <=, >, >=, in, exists)
 * - bool: true/false (=, !=, exists)
 * - ip: an address (=, !=, in, exists); net: a network around an address (=, !=)
 * - eitherIp, eitherNet, eitherPort: the filter-only fields that match either end of a socket
 *   (fd.ip, fd.net, fd.port, fd.proto), with the operators sysdig 0.29.3 evaluates for them
 * - anyText, anyNumber: the ancestor fields without an index (proc.aname, proc.apid)
 */
export type Kind =
  | "text"
  | "number"
  | "bool"
  | "ip"
  | "net"
  | "eitherIp"
  | "eitherNet"
  | "eitherPort"
  | "anyText"
  | "anyNumber";

export interface FilterField {
  readonly name: string;
  readonly kind: Kind;
  /** Sampled fields whose printed values make good constants for this one. */
  readonly from: readonly string[];
  /** Relative frequency among atoms (default 1). */
  readonly weight?: number;
}

const t = (name: string, from: readonly string[] = [name], weight = 1): FilterField => ({
  name,
  kind: "text",
  from,
  weight,
});
const n = (name: string, from: readonly string[] = [name], weight = 1): FilterField => ({
  name,
  kind: "number",
  from,
  weight,
});
const b = (name: string): FilterField => ({ name, kind: "bool", from: [name], weight: 0.5 });
const k = (name: string, kind: Kind, from: readonly string[], weight = 1): FilterField => ({
  name,
  kind,
  from,
  weight,
});

/** Fields filters are built from. */
export const FILTER_FIELDS: readonly FilterField[] = [
  t("evt.type", ["evt.type"], 3),
  t("evt.dir"),
  n("evt.num", ["evt.num"], 1.5),
  n("evt.cpu"),
  t("evt.res", ["evt.res"], 1.5),
  n("evt.rawres"),
  b("evt.failed"),
  t("evt.category"),
  n("evt.buflen"),
  b("evt.is_io"),
  b("evt.is_io_read"),
  b("evt.is_io_write"),
  b("evt.is_open_read"),
  b("evt.is_open_write"),
  b("evt.is_wait"),
  t("evt.arg.fd"),
  t("evt.arg.name"),
  t("evt.arg[0]"),
  n("evt.rawarg.res"),
  n("evt.rawtime"),
  n("evt.latency"),
  t("evt.info", ["evt.info"], 0.5),
  t("proc.name", ["proc.name"], 3),
  t("proc.exe", ["proc.exe"], 1.5),
  t("proc.exepath"),
  t("proc.args", ["proc.args"], 1.5),
  t("proc.cmdline", ["proc.cmdline"], 1.5),
  t("proc.exeline"),
  t("proc.cwd", ["proc.cwd"], 1.5),
  n("proc.pid", ["proc.pid"], 2),
  n("proc.ppid"),
  n("proc.vpid"),
  n("proc.sid"),
  n("proc.vpgid"),
  t("proc.pname", ["proc.pname"], 1.5),
  t("proc.pcmdline"),
  t("proc.sname"),
  n("proc.nthreads"),
  n("proc.nchilds"),
  n("proc.tty"),
  n("proc.loginshellid"),
  n("proc.fdopencount"),
  n("proc.vmsize"),
  n("proc.vmrss"),
  t("proc.aname[1]", ["proc.aname[1]", "proc.pname"]),
  t("proc.aname[2]", ["proc.aname[2]"]),
  n("proc.apid[1]", ["proc.apid[1]", "proc.ppid"]),
  k("proc.aname", "anyText", ["proc.aname[1]", "proc.aname[2]", "proc.name", "proc.pname"], 2),
  k("proc.apid", "anyNumber", ["proc.apid[1]", "proc.apid[2]", "proc.pid", "proc.ppid"], 1.5),
  n("thread.tid", ["thread.tid"], 1.5),
  n("thread.vtid"),
  b("thread.ismain"),
  n("thread.pfmajor"),
  n("thread.pfminor"),
  n("fd.num", ["fd.num"], 1.5),
  t("fd.type", ["fd.type"], 1.5),
  t("fd.typechar", ["fd.typechar"], 1.5),
  t("fd.name", ["fd.name"], 3),
  t("fd.directory", ["fd.directory"], 1.5),
  t("fd.filename", ["fd.filename"], 1.5),
  t("fd.containername"),
  t("fd.containerdirectory"),
  k("fd.sip", "ip", ["fd.sip"]),
  k("fd.cip", "ip", ["fd.cip"]),
  k("fd.lip", "ip", ["fd.lip"]),
  k("fd.rip", "ip", ["fd.rip"]),
  k("fd.snet", "net", ["fd.sip"], 0.5),
  k("fd.cnet", "net", ["fd.cip"], 0.5),
  k("fd.lnet", "net", ["fd.lip"], 0.5),
  k("fd.rnet", "net", ["fd.rip"], 0.5),
  n("fd.sport", ["fd.sport"]),
  n("fd.cport", ["fd.cport"]),
  n("fd.lport", ["fd.lport"]),
  n("fd.rport", ["fd.rport"]),
  k("fd.ip", "eitherIp", ["fd.sip", "fd.cip"], 1.5),
  k("fd.net", "eitherNet", ["fd.sip", "fd.cip"]),
  k("fd.port", "eitherPort", ["fd.sport", "fd.cport"], 1.5),
  k("fd.proto", "eitherPort", ["fd.sport", "fd.cport"], 0.5),
  t("fd.l4proto"),
  t("fd.sockfamily"),
  b("fd.is_server"),
  b("fd.name_changed"),
  t("fd.sproto"),
  t("fd.cproto"),
  t("fd.uid"),
  n("user.uid", ["user.uid"], 1.5),
  t("user.name", ["user.name"], 1.5),
  t("user.homedir"),
  t("user.shell"),
  n("user.loginuid"),
  t("user.loginname"),
  n("group.gid"),
  t("group.name", ["group.name"], 1.5),
  t("container.id", ["container.id"], 1.5),
  t("container.name", ["container.name"], 1.5),
  t("container.image"),
  t("container.type"),
  b("container.privileged"),
  t("container.image.repository"),
  t("container.image.tag"),
];

/** Fields formats are built from: the printable filter fields and some that only print well. */
export const FORMAT_FIELDS: readonly string[] = [
  ...new Set([
    // Not the any-of fields: sysdig 0.29.3 reads `%proc.aname` as the value of an empty field name
    // followed by the text "proc.aname". Not fd.dev: for sockets and pipes sysdig 0.29.3 prints
    // uninitialized memory (a different number each run).
    ...FILTER_FIELDS.filter(
      (f) => f.kind === "text" || f.kind === "number" || f.kind === "bool" || f.kind === "ip",
    ).map((f) => f.name),
    "evt.time",
    "evt.time.s",
    "evt.datetime",
    "evt.rawtime.s",
    "evt.reltime",
    "evt.deltatime",
    "evt.args",
    "evt.buffer",
    "evt.io_dir",
    "evt.abspath",
    "evt.latency.human",
    "evt.is_syslog",
    "evt.is_open_exec",
    "proc.env",
    "proc.duration",
    "proc.fdlimit",
    "proc.vmswap",
    "proc.is_exe_writable",
    "thread.exectime",
    "thread.totexectime",
    "thread.cgroups",
    "thread.vmsize",
    "thread.vmrss",
    "fd.lproto",
    "fd.rproto",
    "fd.connected",
    "container.image.id",
    "container.image.digest",
    "container.mounts",
    "container.healthcheck",
  ]),
];

/** Fields sysdig prints for every event before the tests are generated (constants come from these). */
export const SAMPLED: readonly string[] = [...new Set(FILTER_FIELDS.flatMap((f) => f.from))];

/** What sysdig printed for each sampled field, per listed event (SAMPLED order; "<NA>" for none). */
export interface Samples {
  readonly rows: readonly (readonly string[])[];
}

export interface Atom {
  readonly field: string;
  readonly op: string;
}

/** A generated expression and its outermost operator, which decides where parentheses must go. */
interface Expr {
  readonly text: string;
  readonly top: "atom" | "and" | "or" | "not";
}

export interface GeneratedFilter {
  readonly text: string;
  /** The checks it is made of, for tracing differences. */
  readonly atoms: readonly Atom[];
}

export interface FormatToken {
  readonly field: string;
  readonly width: number | undefined;
  /** The token as written: `%10proc.name`. */
  readonly text: string;
}

export interface GeneratedFormat {
  /** The format, without the leading '*'. */
  readonly text: string;
  readonly tokens: readonly FormatToken[];
}

const OPERATORS: Readonly<Record<Kind, readonly string[]>> = {
  text: ["=", "=", "!=", "contains", "icontains", "startswith", "endswith", "glob", "in", "pmatch", "exists"],
  number: ["=", "!=", "<", "<=", ">", ">=", "in", "exists"],
  bool: ["=", "!=", "exists"],
  ip: ["=", "!=", "in", "exists"],
  net: ["=", "!="],
  eitherIp: ["=", "!=", "in"],
  eitherNet: ["=", "!="],
  eitherPort: ["=", "!=", "<", ">", "in"],
  anyText: ["=", "!=", "contains", "startswith", "endswith", "glob", "in", "exists"],
  anyNumber: ["=", "!=", "<", ">", "in", "exists"],
};

const NA = "<NA>";
const SAFE = /^[A-Za-z0-9_./:+@-]+$/;
const KEYWORDS = new Set(["and", "or", "not", "in", "exists", "pmatch", "glob", "contains", "val"]);

/** A constant as the filter language reads it: bare when it can be, else quoted; undefined if neither. */
export function quote(v: string): string | undefined {
  if (SAFE.test(v) && !KEYWORDS.has(v)) return v;
  if (/[\\\x00-\x1f\x7f]/.test(v)) return undefined;
  if (!v.includes('"')) return `"${v}"`;
  if (!v.includes("'")) return `'${v}'`;
  return undefined;
}

function list(values: readonly string[]): string | undefined {
  const q = values.map(quote);
  if (q.some((x) => x === undefined)) return undefined;
  return `(${[...new Set(q)].join(", ")})`;
}

function swapCase(s: string): string {
  let out = "";
  for (const c of s) out += c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
  return out;
}

function ipv4Network(ip: string, bits: number): string | undefined {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  const v = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (v & mask) >>> 0;
  return `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${bits}`;
}

/** Generates the filters and formats of one capture. */
export class Generator {
  private readonly rng: Prng;
  private readonly column: ReadonlyMap<string, number>;
  /** Per sampled field, the rows where it has a usable value. */
  private readonly present: ReadonlyMap<string, readonly number[]>;
  private readonly fields: readonly FilterField[];
  private readonly totalWeight: number;

  constructor(
    capture: string,
    private readonly samples: Samples,
    seed: number = SEED,
  ) {
    this.rng = new Prng(captureSeed(capture, seed));
    this.column = new Map(SAMPLED.map((f, i) => [f, i]));
    const present = new Map<string, number[]>();
    SAMPLED.forEach((f, i) => {
      const rows: number[] = [];
      samples.rows.forEach((r, j) => {
        if (r[i] !== NA && r[i] !== "") rows.push(j);
      });
      present.set(f, rows);
    });
    this.present = present;
    // Only fields with some value in this capture: a filter on a field that is always <NA> says little.
    this.fields = FILTER_FIELDS.filter((f) => f.from.some((s) => (present.get(s)?.length ?? 0) > 0));
    this.totalWeight = this.fields.reduce((s, f) => s + (f.weight ?? 1), 0);
  }

  filters(count: number): GeneratedFilter[] {
    const out: GeneratedFilter[] = [];
    const seen = new Set<string>();
    for (let attempt = 0; out.length < count && attempt < count * 20; attempt++) {
      const atoms: Atom[] = [];
      const row = this.samples.rows.length === 0 ? -1 : this.rng.int(this.samples.rows.length);
      const e = this.expr(2, row, atoms);
      if (e === undefined || seen.has(e.text)) continue;
      seen.add(e.text);
      out.push({ text: e.text, atoms });
    }
    return out;
  }

  /** A capture's formats. They depend on nothing the capture holds, so sysdig can print them with the samples. */
  static formats(capture: string, count: number, seed: number = SEED): GeneratedFormat[] {
    const rng = new Prng(captureSeed(capture, seed) ^ 0x9e3779b9);
    const out: GeneratedFormat[] = [];
    for (let i = 0; i < count; i++) {
      const tokens: FormatToken[] = [];
      const size = 3 + rng.int(5);
      for (let j = 0; j < size; j++) {
        const field = rng.pick(FORMAT_FIELDS);
        const width = rng.chance(0.3) ? 1 + rng.int(24) : undefined;
        tokens.push({ field, width, text: `%${width ?? ""}${field}` });
      }
      out.push({ text: tokens.map((x) => x.text).join(FIELD_SEPARATOR), tokens });
    }
    return out;
  }

  // An expression of at most `depth` levels of and/or/not. The atoms of an `and` share the anchor row,
  // so that the conjunction holds on that event at least when each atom does. sysdig 0.29.3 refuses
  // `and` and `or` side by side without parentheses ("expression mixes 'and' and 'or' in an ambiguous
  // way"), where libsinsp now reads `and` as binding tighter: such mixes are always parenthesized.
  private expr(depth: number, row: number, atoms: Atom[]): Expr | undefined {
    const r = this.rng.next();
    if (depth === 0 || r < 0.4) {
      const text = this.atom(row, atoms);
      return text === undefined ? undefined : { text, top: "atom" };
    }
    if (r < 0.85) {
      const op = r < 0.62 ? "and" : "or";
      const parts: string[] = [];
      for (let i = 2 + (this.rng.chance(0.2) ? 1 : 0); i > 0; i--) {
        const e = this.expr(depth - 1, row, atoms);
        if (e === undefined) return undefined;
        const mixed = (e.top === "and" || e.top === "or") && e.top !== op;
        parts.push(mixed || this.rng.chance(0.2) ? `(${e.text})` : e.text);
      }
      return { text: parts.join(` ${op} `), top: op };
    }
    const e = this.expr(depth - 1, row, atoms);
    if (e === undefined || e.top === "not") return undefined;
    return { text: e.top === "atom" ? `not ${e.text}` : `not (${e.text})`, top: "not" };
  }

  private pickField(): FilterField {
    let w = this.rng.next() * this.totalWeight;
    for (const f of this.fields) {
      w -= f.weight ?? 1;
      if (w < 0) return f;
    }
    return this.fields[this.fields.length - 1];
  }

  /** A printed value of `field` (a sampled field), from `row` if it has one there, else from any row. */
  private value(field: string, row: number): string | undefined {
    const col = this.column.get(field);
    if (col === undefined) return undefined;
    const at = row >= 0 ? this.samples.rows[row][col] : NA;
    if (at !== NA && at !== "" && this.rng.chance(0.8)) return at;
    const rows = this.present.get(field) ?? [];
    if (rows.length === 0) return undefined;
    return this.samples.rows[this.rng.pick(rows)][col];
  }

  private atom(row: number, atoms: Atom[]): string | undefined {
    if (this.fields.length === 0) return undefined;
    const f = this.pickField();
    const op = this.rng.pick(OPERATORS[f.kind]);
    const v = this.value(this.rng.pick(f.from), row);
    const other = (): string => this.value(this.rng.pick(f.from), -1) ?? v ?? "x";
    if (v === undefined) return undefined;
    const rhs = this.constant(f.kind, op, v, other);
    if (rhs === undefined) return undefined;
    atoms.push({ field: f.name, op });
    return rhs === "" ? `${f.name} ${op}` : `${f.name} ${op} ${rhs}`;
  }

  // The right-hand side of `field op` built from the printed value `v`; "" for `exists`.
  private constant(kind: Kind, op: string, v: string, other: () => string): string | undefined {
    if (op === "exists") return "";
    const rng = this.rng;
    switch (kind) {
      case "number":
      case "anyNumber":
      case "eitherPort": {
        if (!/^-?[0-9]+$/.test(v)) return undefined;
        if (op === "in") {
          const others = [other(), String(BigInt(v) + 1n)].filter((x) => /^-?[0-9]+$/.test(x));
          return list(rng.chance(0.5) ? [v, ...others] : [...others, v]);
        }
        if (op === "=" || op === "!=" || rng.chance(0.5)) return v;
        // A neighbour, never crossing zero: the signedness of some fields changed since sysdig 0.29.3.
        const near = BigInt(v) + BigInt(rng.int(3) - 1);
        return near < 0n && !v.startsWith("-") ? v : String(near);
      }
      case "bool":
        if (v !== "true" && v !== "false") return undefined;
        return rng.chance(0.7) ? v : v === "true" ? "false" : "true";
      case "ip":
      case "eitherIp":
        if (!/^[0-9a-fA-F.:]+$/.test(v) || !v.includes(".") === !v.includes(":")) return undefined;
        return op === "in" ? list([other(), v]) : v;
      case "net":
      case "eitherNet":
        // sysdig 0.29.3 has no IPv6 networks ("unrecognized IPv6 address ::1/128").
        return ipv4Network(v, rng.pick([0, 8, 16, 24, 32]));
      case "text":
      case "anyText":
        return this.text(op, v, other);
    }
  }

  private text(op: string, v: string, other: () => string): string | undefined {
    const rng = this.rng;
    const len = [...v].length;
    const cut = (from: number, to: number): string => [...v].slice(from, to).join("");
    switch (op) {
      case "=":
      case "!=":
        return quote(v);
      case "contains": {
        const a = rng.int(len);
        return quote(cut(a, a + 1 + rng.int(Math.min(8, len - a))));
      }
      case "icontains": {
        const a = rng.int(len);
        return quote(swapCase(cut(a, a + 1 + rng.int(Math.min(8, len - a)))));
      }
      case "startswith":
        return quote(cut(0, 1 + rng.int(len)));
      case "endswith":
        return quote(cut(rng.int(len), len));
      case "glob": {
        if (/[*?[\]]/.test(v)) return undefined;
        const chars = [...v];
        const a = rng.int(len);
        const z = a + rng.int(len - a + 1);
        chars.splice(a, z - a, "*");
        if (chars.length > 2 && rng.chance(0.5)) {
          const i = rng.int(chars.length);
          if (chars[i] !== "*") chars[i] = "?";
        }
        return quote(chars.join(""));
      }
      case "in":
        return list(rng.chance(0.5) ? [v, other()] : [other(), v, "nosuchvalue"]);
      case "pmatch": {
        if (!v.startsWith("/")) return list([v]);
        const parts = v.split("/");
        const dir = parts.slice(0, 1 + rng.int(parts.length)).join("/") || "/";
        return list(rng.chance(0.5) ? [dir] : ["/nosuchdir", dir]);
      }
      default:
        return undefined;
    }
  }
}
