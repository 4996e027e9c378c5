// Question: what does evaluating a compiled condition cost per event, and how far is that from the
// floor: a hand-written JavaScript function doing the same comparisons on the same events? The ratio
// (compiled / hand-written) is what planning into closures costs; both run in this process on the same
// synthetic events, so machine speed cancels out.
import type { FieldCatalogue, FieldInfo, FieldType } from "../src/fields/types.js";
import type { EventSource, FieldValue } from "../src/engine/source.js";
import { compileCondition } from "../src/engine/compile.js";
import { parseCondition } from "../src/rules/language/parser.js";

type BenchEvent = Readonly<Record<string, FieldValue>>;

const FIELDS: readonly [string, FieldType][] = [
  ["evt.type", "CHARBUF"],
  ["evt.is_open_write", "BOOL"],
  ["fd.typechar", "CHARBUF"],
  ["fd.name", "CHARBUF"],
  ["fd.directory", "CHARBUF"],
  ["fd.sip", "IPADDR"],
  ["proc.name", "CHARBUF"],
  ["proc.cmdline", "CHARBUF"],
  ["proc.pid", "INT64"],
];

const infos = new Map(
  FIELDS.map(([name, type]): [string, FieldInfo] => [
    name,
    {
      name,
      type,
      isList: false,
      argKind: "none",
      argRequired: false,
      dottedArg: false,
      description: name,
      hidden: false,
      deprecated: false,
    },
  ]),
);

const catalogue: FieldCatalogue = {
  source: "bench",
  classes: [{ name: "bench", description: "", fields: [...infos.values()] }],
  resolve(name, arg) {
    const info = infos.get(name);
    return info === undefined || arg !== undefined
      ? { ok: false, reason: "unknown", message: `unknown field '${name}'` }
      : { ok: true, field: { info, arg } };
  },
};

const TYPES = ["open", "openat", "close", "read", "write", "execve", "connect"];
const source: EventSource<BenchEvent> = {
  name: "bench",
  catalogue,
  eventTypeNames: new Set(TYPES),
  // One accessor per field with the key as a constant, as a real source's extractors read fixed
  // offsets: the comparison with hand-written code should measure the engine, not keyed lookups.
  extractor: (f) =>
    new Function("e", `return e[${JSON.stringify(f.info.name)}];`) as (e: BenchEvent) => FieldValue,
  render: (_f, v) => String(v),
};

const SHELLS = ["ash", "bash", "csh", "ksh", "sh", "tcsh", "zsh", "dash"];
const PROCS = [
  ...SHELLS,
  "nginx",
  "python3",
  "node",
  "java",
  "sshd",
  "cron",
  "systemd",
  "containerd",
  "curl",
];
const DIRS = [
  "/etc",
  "/usr/bin",
  "/usr/lib",
  "/var/lib/dpkg",
  "/tmp",
  "/home/user",
  "/root/.ssh",
  "/proc/self",
];
const SENSITIVE = ["/etc", "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/root/.ssh", "/var/lib/rpm", "/boot"];

function makeEvents(n: number): BenchEvent[] {
  const out: BenchEvent[] = [];
  let seed = 0x9e3779b9;
  // xorshift32: deterministic, so every run sees the same events.
  const next = (k: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % k;
  };
  for (let i = 0; i < n; i++) {
    const dir = DIRS[next(DIRS.length)];
    const proc = PROCS[next(PROCS.length)];
    out.push({
      "evt.type": TYPES[next(TYPES.length)],
      "evt.is_open_write": next(2) === 0,
      "fd.typechar": next(4) === 0 ? "4" : "f",
      "fd.name": `${dir}/file${next(100)}`,
      "fd.directory": dir,
      "fd.sip": `10.0.${next(4)}.${next(255)}`,
      "proc.name": proc,
      "proc.cmdline": `${proc} --flag value${next(10)} http://example.com/${next(50)}`,
      "proc.pid": 1000 + next(5000),
    });
  }
  return out;
}

interface Case {
  readonly name: string;
  readonly condition: string;
  /** The same check written by hand: the floor. */
  readonly baseline: (e: BenchEvent) => boolean;
}

const shellSet = new Set(SHELLS);
const SENSITIVE_DIRS = SENSITIVE.map((d) => `${d}/`);
const CASES: readonly Case[] = [
  {
    name: "type and prefix",
    condition: "evt.type = open and fd.name startswith /etc",
    baseline: (e) => e["evt.type"] === "open" && (e["fd.name"] as string).startsWith("/etc"),
  },
  {
    name: "in (8 names)",
    condition: `proc.name in (${SHELLS.join(", ")})`,
    baseline: (e) => shellSet.has(e["proc.name"] as string),
  },
  {
    name: "pmatch (8 dirs)",
    condition: `fd.name pmatch (${SENSITIVE.join(", ")})`,
    baseline: (e) => SENSITIVE_DIRS.some((d) => (e["fd.name"] as string).startsWith(d)),
  },
  {
    name: "falco-style rule",
    condition:
      "evt.type in (open, openat) and evt.is_open_write = true and fd.typechar = f and " +
      `not proc.name in (${SHELLS.join(", ")}) and not fd.directory in (/tmp, /proc/self)`,
    baseline: (e) =>
      (e["evt.type"] === "open" || e["evt.type"] === "openat") &&
      e["evt.is_open_write"] === true &&
      e["fd.typechar"] === "f" &&
      !shellSet.has(e["proc.name"] as string) &&
      e["fd.directory"] !== "/tmp" &&
      e["fd.directory"] !== "/proc/self",
  },
  {
    name: "glob",
    condition: "fd.name glob '/usr/*/file[0-4]*'",
    baseline: (e) => /^\/usr\/.*\/file[0-4].*$/s.test(e["fd.name"] as string),
  },
  {
    name: "regex (re2js)",
    condition: "proc.cmdline regex '.*http://example[.]com/1.*'",
    baseline: (e) => /^.*http:\/\/example[.]com\/1.*$/s.test(e["proc.cmdline"] as string),
  },
  {
    name: "ip in (3 addresses)",
    condition: "fd.sip in (10.0.1.1, 10.0.2.2, 10.0.3.3)",
    baseline: (e) => ["10.0.1.1", "10.0.2.2", "10.0.3.3"].includes(e["fd.sip"] as string),
  },
];

export interface EngineBenchResult {
  readonly name: string;
  /** Compiled condition, nanoseconds per event. */
  readonly nsPerEvent: number;
  /** Hand-written equivalent, nanoseconds per event. */
  readonly baselineNsPerEvent: number;
  /** nsPerEvent / baselineNsPerEvent. */
  readonly ratio: number;
  /** How many events matched (the same for both, or the benchmark is wrong). */
  readonly matches: number;
}

function timePerEvent(
  f: (e: BenchEvent) => boolean,
  events: readonly BenchEvent[],
  minMs: number,
): [number, number] {
  let matches = 0;
  for (const e of events) if (f(e)) matches++; // warm-up, and the match count
  let rounds = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  const budget = BigInt(minMs) * 1_000_000n;
  let sink = 0;
  while (elapsed < budget) {
    for (let i = 0; i < events.length; i++) if (f(events[i])) sink++;
    rounds++;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink < 0) throw new Error("unreachable");
  return [Number(elapsed) / (rounds * events.length), matches];
}

/** Evaluate each case on synthetic events, compiled and hand-written; prints a line per case. */
export function benchEvaluate(
  options: { events?: number; minMs?: number; log?: (line: string) => void } = {},
): EngineBenchResult[] {
  const events = makeEvents(options.events ?? 10_000);
  const minMs = options.minMs ?? 300;
  const log = options.log ?? ((line: string) => console.log(line));
  log(
    "engine: ns per event, compiled condition vs hand-written JavaScript (ratio = compiled / hand-written)",
  );
  const results: EngineBenchResult[] = [];
  for (const c of CASES) {
    const parsed = parseCondition(c.condition);
    if (!parsed.ok) throw new Error(`${c.name}: ${parsed.error.message}`);
    const compiled = compileCondition(parsed.expr, source);
    if (!compiled.ok) throw new Error(`${c.name}: ${compiled.errors.map((e) => e.message).join("; ")}`);
    const [ns, matches] = timePerEvent(compiled.predicate, events, minMs);
    const [baseNs, baseMatches] = timePerEvent(c.baseline, events, minMs);
    if (matches !== baseMatches)
      throw new Error(`${c.name}: compiled matched ${matches}, hand-written ${baseMatches}`);
    const r = { name: c.name, nsPerEvent: ns, baselineNsPerEvent: baseNs, ratio: ns / baseNs, matches };
    results.push(r);
    log(
      `  ${r.name.padEnd(22)} ${r.nsPerEvent.toFixed(1).padStart(8)} ns  vs ${r.baselineNsPerEvent
        .toFixed(1)
        .padStart(7)} ns  x${r.ratio.toFixed(2)}  (${r.matches}/${events.length} match)`,
    );
  }
  return results;
}
