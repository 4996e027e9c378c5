// Question: how many Kubernetes audit events per second does one core take through the full upstream
// k8s_audit ruleset, from JSON text to alerts, and how far is that from the floor, JSON.parse of the same
// text (which any implementation pays)? Three measurements on the same lines, in this process:
//
//   JSON.parse         the floor
//   parse              parseAuditPayload: depth check, JSON.parse, the event object (what a line costs)
//   evaluate           detector.process on freshly parsed events (first matching rule, as Falco)
//   parse + evaluate   the whole per-event path of `saker replay` and the webhook
//
// Events are every audit event of the corpus (k8saudit/*.json, one per line), repeated; evaluation is
// timed on fresh event objects each round, so no per-event cache carries over between rounds.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_ALERT_CONFIG } from "../src/alerts/alert.js";
import { buildDetector, type Detector } from "../src/engine/detector.js";
import { AuditEventSequence, parseAuditPayload, type AuditEvent } from "../src/k8saudit/event.js";
import { k8sAuditSource } from "../src/k8saudit/source.js";
import { loadRulesPaths } from "../src/rules/loader/load.js";

export interface K8sAuditBenchResult {
  /** Distinct corpus events, and how many lines one round holds. */
  readonly distinctEvents: number;
  readonly roundEvents: number;
  readonly rules: number;
  readonly jsonParseNsPerEvent: number;
  readonly parseNsPerEvent: number;
  readonly evaluateNsPerEvent: number;
  readonly fullNsPerEvent: number;
  /** 1e9 / fullNsPerEvent. */
  readonly eventsPerSecond: number;
  /** Alerts one round raises (a check that the rules do fire). */
  readonly alertsPerRound: number;
}

function corpusDir(): string {
  // Compiled to dist/bench/k8saudit.js: the repository is two levels up; the corpus beside it.
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  return process.env.SAKER_CORPUS ?? resolve(repo, "../shared/corpus");
}

function corpusLines(dir: string): string[] {
  const lines: string[] = [];
  for (const name of readdirSync(join(dir, "k8saudit")).sort()) {
    if (!name.endsWith(".json")) continue;
    for (const line of readFileSync(join(dir, "k8saudit", name), "utf8").split("\n")) {
      const r = line.trim() === "" ? undefined : parseAuditPayload(line);
      if (r?.ok === true && r.events.length > 0) lines.push(line);
    }
  }
  return lines;
}

function time(minMs: number, round: () => number): number {
  round(); // warm-up
  const budget = BigInt(minMs) * 1_000_000n;
  let count = 0;
  let elapsed = 0n;
  while (elapsed < budget) {
    const start = process.hrtime.bigint();
    count += round();
    elapsed += process.hrtime.bigint() - start;
  }
  return Number(elapsed) / count;
}

export function benchK8sAudit(
  options: { minMs?: number; copies?: number; log?: (line: string) => void } = {},
): K8sAuditBenchResult {
  const log = options.log ?? ((line: string) => console.log(line));
  const minMs = options.minMs ?? 1000;
  const dir = corpusDir();
  const distinct = corpusLines(dir);
  const lines: string[] = [];
  for (let i = 0; i < (options.copies ?? 100); i++) lines.push(...distinct);

  const loaded = loadRulesPaths([join(dir, "rules/upstream/k8s_audit_rules.yaml")]);
  if (!loaded.successful) throw new Error("the upstream k8s_audit rules failed to load");
  const built = buildDetector(loaded.ruleset, k8sAuditSource, {
    alertConfig: { ...DEFAULT_ALERT_CONFIG, hostname: "bench" },
  });
  if (!built.ok) throw new Error(built.error.message);
  const detector: Detector<AuditEvent> = built.detector;
  let alerts = 0;
  const emit = (): void => void alerts++;

  const parseAll = (): AuditEvent[] => {
    const out: AuditEvent[] = [];
    for (const l of lines) {
      const r = parseAuditPayload(l);
      if (r.ok) out.push(...r.events);
    }
    return out;
  };

  let sink = 0;
  const jsonParse = time(minMs, () => {
    for (const l of lines) sink += (JSON.parse(l) as object) === null ? 1 : 0;
    return lines.length;
  });
  const parse = time(minMs, () => parseAll().length);

  // evaluation alone, on fresh events each round (parsing them is outside the timed span)
  let evaluateNs = 0n;
  let evaluated = 0;
  const evalBudget = BigInt(minMs) * 1_000_000n;
  for (let warm = true; warm || evaluateNs < evalBudget; warm = false) {
    const events = parseAll();
    const seq = new AuditEventSequence();
    const start = process.hrtime.bigint();
    for (const e of events) {
      seq.stamp(e);
      detector.process(e, "", e.timestampNs(), emit);
    }
    if (!warm) {
      evaluateNs += process.hrtime.bigint() - start;
      evaluated += events.length;
    }
  }
  const evaluate = Number(evaluateNs) / evaluated;

  alerts = 0;
  let rounds = 0;
  const full = time(minMs, () => {
    const seq = new AuditEventSequence();
    let n = 0;
    for (const l of lines) {
      const r = parseAuditPayload(l);
      if (!r.ok) continue;
      for (const e of r.events) {
        seq.stamp(e);
        detector.process(e, "", e.timestampNs(), emit);
        n++;
      }
    }
    rounds++;
    return n;
  });
  if (sink < 0) throw new Error("unreachable");

  const result: K8sAuditBenchResult = {
    distinctEvents: distinct.length,
    roundEvents: lines.length,
    rules: detector.rules.length,
    jsonParseNsPerEvent: jsonParse,
    parseNsPerEvent: parse,
    evaluateNsPerEvent: evaluate,
    fullNsPerEvent: full,
    eventsPerSecond: 1e9 / full,
    alertsPerRound: Math.round(alerts / rounds),
  };
  const ns = (v: number): string => `${v.toFixed(0).padStart(7)} ns/event`;
  const x = (v: number): string => `x${(v / jsonParse).toFixed(2)}`;
  log(
    `k8saudit: ${result.distinctEvents} corpus events x${lines.length / distinct.length}, ` +
      `${result.rules} upstream k8s_audit rules, one core (ratios against JSON.parse of the same lines)`,
  );
  log(`  JSON.parse          ${ns(jsonParse)}  x1.00`);
  log(`  parse               ${ns(parse)}  ${x(parse)}`);
  log(`  evaluate            ${ns(evaluate)}  ${x(evaluate)}`);
  log(`  parse + evaluate    ${ns(full)}  ${x(full)}`);
  log(
    `  => ${Math.round(result.eventsPerSecond).toLocaleString("en-US")} events/s, ` +
      `${result.alertsPerRound} alerts per ${lines.length} events`,
  );
  return result;
}

// `node dist/bench/k8saudit.js` runs it alone.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchK8sAudit();
}
