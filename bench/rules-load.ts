// Question: how long does loading and compiling all upstream rules take, and what does evaluating each
// compiled rule cost per event?
//
// Load: the three upstream syscall rules files and the upstream k8s audit rules, read, collected,
// expanded, checked and narrowed (what `saker rules validate` does), best of several rounds.
// Plan: every syscall rule's expanded condition planned into a closure.
// Evaluate: each rule's closure over synthetic events whose field values are drawn from pools that
// include values the rules look for, so that evaluation goes past the first check. Field extraction here
// is a property read on a plain object, so what is measured is the engine's cost, not the state engine's;
// the reference is the cheapest possible rule (a single field read and compare) in the same process.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadRules } from "../src/rules/loader/load.js";
import { compileCondition } from "../src/engine/compile.js";
import { parseCondition } from "../src/rules/language/parser.js";
import { syscallSchema } from "../src/fields/syscall/schema.js";
import type { EventSource, FieldValue } from "../src/engine/source.js";
import type { FieldType, ResolvedField } from "../src/fields/types.js";

type BenchEvent = Record<string, FieldValue>;

const STRINGS = [
  "bash",
  "sh",
  "/etc/shadow",
  "/etc/passwd",
  "/usr/bin/python3",
  "nginx",
  "runc",
  "containerd-shim",
  "/var/log/syslog",
  "sshd",
  "/bin/ls",
  "docker",
  "kubectl",
  "/tmp/x",
  "",
];
const NUMBERS = [0, 1, 2, 3, 100, 1000, 4294967295, -1];

function corpusDir(): string {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  return process.env.SAKER_CORPUS ?? resolve(repo, "../shared/corpus");
}

const NUMERIC: ReadonlySet<FieldType> = new Set<FieldType>([
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "PORT",
  "PID",
  "FD",
  "UID",
  "GID",
  "ERRNO",
  "RELTIME",
  "ABSTIME",
  "L4PROTO",
  "MODE",
  "FLAGS8",
  "FLAGS16",
  "FLAGS32",
  "SIGTYPE",
  "SYSCALLID",
  "DOUBLE",
]);

/** A syscall source whose extractors read plain objects; records which fields the rules use. */
function syntheticSource(): { source: EventSource<BenchEvent>; fields: Map<string, FieldType> } {
  const fields = new Map<string, FieldType>();
  const keyOf = (f: ResolvedField): string =>
    f.arg === undefined ? f.info.name : `${f.info.name}[${f.arg}]`;
  const source: EventSource<BenchEvent> = {
    ...syscallSchema,
    extractor(field) {
      const key = keyOf(field);
      fields.set(key, field.info.type);
      return (e) => e[key];
    },
    render: (_field, value) => (value === undefined ? "<NA>" : String(value)),
  };
  return { source, fields };
}

function makeEvents(fields: Map<string, FieldType>, count: number): BenchEvent[] {
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const events: BenchEvent[] = [];
  for (let i = 0; i < count; i++) {
    const e: BenchEvent = {};
    for (const [key, type] of fields) {
      if (type === "BOOL") e[key] = next(2) === 0;
      else if (NUMERIC.has(type)) e[key] = NUMBERS[next(NUMBERS.length)];
      else if (type === "IPV4ADDR" || type === "IPADDR") e[key] = `10.0.0.${next(4)}`;
      else e[key] = STRINGS[next(STRINGS.length)];
    }
    events.push(e);
  }
  return events;
}

function bestOf(rounds: number, f: () => void): number {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    f();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

function nsPerEvent(predicate: (e: BenchEvent) => boolean, events: readonly BenchEvent[]): number {
  let sink = 0;
  for (const e of events) if (predicate(e)) sink++;
  const rounds = 20;
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (let i = 0; i < events.length; i++) if (predicate(events[i])) sink++;
  const ns = Number(process.hrtime.bigint() - start) / (rounds * events.length);
  if (sink < 0) throw new Error("unreachable");
  return ns;
}

export interface RulesLoadBenchResult {
  readonly loadMs: number;
  readonly rules: number;
  readonly planMs: number;
  readonly medianNs: number;
  readonly p90Ns: number;
  readonly maxNs: number;
  readonly referenceNs: number;
}

export function benchRulesLoad(options: { log?: (line: string) => void } = {}): RulesLoadBenchResult {
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = resolve(corpusDir(), "rules/upstream");
  const names = [
    "falco_rules.yaml",
    "falco-incubating_rules.yaml",
    "falco-sandbox_rules.yaml",
    "k8s_audit_rules.yaml",
  ];
  const inputs = names.map((n) => ({ name: n, text: readFileSync(resolve(dir, n), "utf8") }));

  let outcome = loadRules(inputs);
  if (!outcome.successful) throw new Error("upstream rules failed to load");
  const loadMs = bestOf(5, () => {
    outcome = loadRules(inputs);
  });
  const rules = outcome.ruleset.rules;

  const { source, fields } = syntheticSource();
  const syscallRules = rules.filter((r) => r.source === "syscall");
  const predicates: { name: string; predicate: (e: BenchEvent) => boolean }[] = [];
  const planMs = bestOf(1, () => {
    for (const rule of syscallRules) {
      const compiled = compileCondition(rule.condition, source);
      if (!compiled.ok) throw new Error(`${rule.name}: ${compiled.errors[0]?.message}`);
      predicates.push({ name: rule.name, predicate: compiled.predicate });
    }
  });

  const reference = parseCondition("proc.name = bash");
  if (!reference.ok) throw new Error(reference.error.message);
  const referenceCompiled = compileCondition(reference.expr, source);
  if (!referenceCompiled.ok) throw new Error("reference rule failed to compile");

  const events = makeEvents(fields, 2000);
  nsPerEvent(referenceCompiled.predicate, events); // warm-up: the first measurement also pays for JIT
  const referenceNs = nsPerEvent(referenceCompiled.predicate, events);
  const costs = predicates
    .map((p) => ({ name: p.name, ns: nsPerEvent(p.predicate, events) }))
    .sort((a, b) => a.ns - b.ns);
  const at = (q: number): number => costs[Math.min(costs.length - 1, Math.floor(q * costs.length))].ns;
  const result = {
    loadMs,
    rules: rules.length,
    planMs,
    medianNs: at(0.5),
    p90Ns: at(0.9),
    maxNs: costs[costs.length - 1].ns,
    referenceNs,
  };
  log("rules: load + compile all upstream rules, and evaluation cost per rule on synthetic events");
  log(`  load ${names.length} files (${result.rules} rules): ${loadMs.toFixed(1)} ms (best of 5)`);
  log(`  plan ${syscallRules.length} syscall rules into closures: ${planMs.toFixed(1)} ms`);
  log(
    `  per rule per event: median ${result.medianNs.toFixed(1)} ns, p90 ${result.p90Ns.toFixed(1)} ns, max ${result.maxNs.toFixed(1)} ns` +
      `  (reference 'proc.name = bash' ${referenceNs.toFixed(1)} ns; median ratio x${(result.medianNs / referenceNs).toFixed(2)})`,
  );
  for (const c of costs.slice(-3).reverse()) log(`    slowest: ${c.ns.toFixed(1).padStart(7)} ns  ${c.name}`);
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) benchRulesLoad();
