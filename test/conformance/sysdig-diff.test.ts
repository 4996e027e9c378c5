// Differential conformance against the real sysdig 0.29.3: for every corpus capture it can read, filters
// and formats generated from a fixed seed (sysdig-diff/generate.ts) are run through sysdig and through
// Saker side by side, and every difference fails the test unless sysdig-diff/allow-list.json explains it.
//
// sysdig runs as the filter oracle was computed (see test/unit/syscall/filter-oracle.test.ts):
//
//   TZ=UTC sysdig -D -d -r CAPTURE -p '*%evt.num␞%evt.rawtime␞%thread.tid␞SAMPLES␝'   once per capture
//   TZ=UTC sysdig -D -d -r CAPTURE -p '*%evt.num' FILTER                               once per filter
//   TZ=UTC sysdig -D -d -r CAPTURE -p '*%evt.num␞FORMAT␝'                              once per format
//
// The first run prints the fields the filters take their constants from (SAMPLES), so filters are
// generated from what each capture contains, and each event's time and thread, which align sysdig's
// events with Saker's (sysdig skips event types it does not know, and never lists some events, so its
// evt.num is not always the file's ordinal). Each format runs alone: sysdig 0.29.3's formatter lets a
// later token change what an earlier one prints (`%proc.is_exe_writable%proc.env`), so formats sharing
// a line would disturb each other. Saker replays each capture once through the reader
// and the EventProcessor, with evt.num set to sysdig's, evaluating every filter with the engine's
// compiler and every format with the alert format compiler against the syscall source in sysdig-compat
// mode.
//
// Differences are counted per (capture, filter) and per (capture, format, field token); the test prints
// `sysdig-diff: N filters, M formats, D differences (A allowed)`, then each difference not allowed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { compileOutputFormat } from "../../src/alerts/format.js";
import { readScapFile } from "../../src/capture/scap/reader.js";
import { compileCondition, type Predicate } from "../../src/engine/compile.js";
import { syscallSchema } from "../../src/fields/syscall/schema.js";
import { createSyscallSource } from "../../src/fields/syscall/source.js";
import { parseCondition } from "../../src/rules/language/parser.js";
import type { SyscallEvent } from "../../src/state/event.js";
import { EventProcessor } from "../../src/state/processor.js";
import { corpusPath, repoRoot, requireCorpus } from "../support/paths.js";
import {
  FIELD_SEPARATOR,
  FILTER_FIELDS,
  FORMAT_FIELDS,
  type GeneratedFilter,
  type GeneratedFormat,
  Generator,
  SAMPLED,
  SEED as SEED_DEFAULT,
} from "./sysdig-diff/generate.js";

const FILTERS_PER_CAPTURE = 40;
const FORMATS_PER_CAPTURE = 10;
const SECTION = "\x1e";
const RECORD_END = "\x1d\n";
const SYSDIG = process.env.SAKER_SYSDIG ?? "sysdig";
/** Another seed explores other filters and formats; the allow-list is then not checked for stale entries. */
const SEED =
  process.env.SAKER_SYSDIG_DIFF_SEED === undefined
    ? SEED_DEFAULT
    : Number(process.env.SAKER_SYSDIG_DIFF_SEED);

interface AllowEntry {
  readonly kind: "filter" | "format";
  readonly field: string;
  /** Only checks with this operator (filters). */
  readonly operator?: string;
  /** A capture's file name, or "*". */
  readonly capture: string;
  readonly reason: string;
}

interface SysdigRun {
  readonly ok: boolean;
  readonly stdout: string;
  /** The error sysdig printed (its log lines removed), when !ok. */
  readonly error: string;
}

// A small pool: sysdig runs in child processes, at most `limit` at once, while Saker replays in this one.
class Pool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

const pool = new Pool(Math.max(2, availableParallelism()));

const LOG_LINE = /^\d\d-\d\d \d\d:\d\d:\d\d\.\d+ /;

function sysdig(capture: string, format: string, filter?: string): Promise<SysdigRun> {
  const args = ["-D", "-d", "-r", capture, "-p", format];
  if (filter !== undefined) args.push(filter);
  return pool.run(
    () =>
      new Promise<SysdigRun>((done) => {
        execFile(
          SYSDIG,
          args,
          { env: { ...process.env, TZ: "UTC" }, maxBuffer: 1 << 30, encoding: "utf8" },
          (err, stdout, stderr) => {
            const error = stderr
              .split("\n")
              .filter((l) => l.length > 0 && !LOG_LINE.test(l))
              .join(" | ");
            done({ ok: err === null, stdout, error: err === null ? "" : error || String(err) });
          },
        );
      }),
  );
}

/** sysdig's version, or undefined when it cannot be run. */
function sysdigVersion(): string | undefined {
  const r = spawnSync(SYSDIG, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? /sysdig version (\S+)/.exec(r.stdout)?.[1] : undefined;
}

/** The base names of the fields `sysdig -l` lists. */
function sysdigFields(): Set<string> {
  const r = spawnSync(SYSDIG, ["-l"], { encoding: "utf8", maxBuffer: 1 << 26 });
  const names = new Set<string>();
  for (const line of r.stdout.split("\n")) {
    const m = /^([a-z][a-z0-9_.]*)/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}

function baseName(field: string): string {
  const plain = field.replace(/\[.*\]$/, "");
  const dotted = /^(evt\.arg|evt\.rawarg)\./.exec(plain);
  return dotted ? dotted[1] : plain;
}

/**
 * sysdig's output with `-p '*%evt.num␞A␞B...␝'`: per event, its number and the sections. Values may
 * hold newlines (proc.env), hence the record terminator.
 */
function parseRecords(stdout: string, sections: number): string[][] | string {
  const out: string[][] = [];
  const records = stdout.split(RECORD_END);
  if (records[records.length - 1] === "") records.pop();
  for (const rec of records) {
    const parts = rec.split(SECTION);
    if (parts.length !== 1 + sections) return `unparsable line: ${JSON.stringify(rec.slice(0, 200))}`;
    out.push(parts);
  }
  return out;
}

/** One event as sysdig printed it in the per-capture run. */
interface Row {
  readonly num: number;
  /** "<timestamp>:<tid>", which Saker's event must have to be this one. */
  readonly key: string;
  readonly samples: readonly string[];
}

interface Difference {
  readonly kind: "filter" | "format" | "capture";
  readonly capture: string;
  /** What differs: the filter, the format token, or the capture-level problem. */
  readonly subject: string;
  readonly detail: string;
  /** Fields (and operators) involved, for the allow-list. */
  readonly atoms: readonly { readonly field: string; readonly op: string }[];
  allowedBy?: AllowEntry;
}

function listDiff(want: readonly number[], got: readonly number[]): string {
  const w = new Set(want);
  const g = new Set(got);
  const missing = want.filter((x) => !g.has(x));
  const extra = got.filter((x) => !w.has(x));
  const show = (a: number[]): string =>
    a.length > 8 ? `${a.slice(0, 8).join(",")},... (${a.length})` : a.join(",");
  return `sysdig ${want.length}, saker ${got.length}: missing [${show(missing)}] extra [${show(extra)}]`;
}

interface FilterCheck {
  readonly filter: GeneratedFilter;
  readonly predicate: Predicate<SyscallEvent> | undefined;
  readonly error: string | undefined;
  readonly got: number[];
}

interface FormatCheck {
  readonly format: GeneratedFormat;
  /** What sysdig printed, by evt.num; undefined when it failed (sysdigError). */
  readonly lines: ReadonlyMap<number, string> | undefined;
  readonly sysdigError?: string;
  readonly text: ((e: SyscallEvent) => string) | undefined;
  readonly error: string | undefined;
  /** Per token: events that differ, and the first of them. */
  readonly diffs: { count: number; first: string }[];
}

async function compareCapture(
  name: string,
  path: string,
): Promise<{
  readonly filters: number;
  readonly formats: number;
  readonly differences: Difference[];
  /** Filters sysdig ran whose matches are some but not all of the capture's events. */
  readonly selective?: number;
  readonly unreadable?: string;
}> {
  const differences: Difference[] = [];
  const capture = (detail: string): Difference => ({
    kind: "capture",
    capture: name,
    subject: "events",
    detail,
    atoms: [],
  });
  const terminator = RECORD_END.slice(0, -1);
  const sampling = [
    "%evt.num",
    "%evt.rawtime",
    "%thread.tid",
    SAMPLED.map((f) => `%${f}`).join(FIELD_SEPARATOR),
  ];
  const base = await sysdig(path, "*" + sampling.join(SECTION) + terminator);
  if (!base.ok) return { filters: 0, formats: 0, differences, unreadable: base.error };
  const records = parseRecords(base.stdout, 3);
  if (typeof records === "string") return { filters: 0, formats: 0, differences: [capture(records)] };
  const rows: Row[] = records.map((r) => ({
    num: Number(r[0]),
    key: `${r[1]}:${r[2]}`,
    samples: r[3].split(FIELD_SEPARATOR),
  }));

  const filters = new Generator(name, { rows: rows.map((r) => r.samples) }, SEED).filters(
    FILTERS_PER_CAPTURE,
  );
  const formats = Generator.formats(name, FORMATS_PER_CAPTURE, SEED);
  // Formats first: the replay below waits for them, and runs while sysdig works through the filters.
  const formatRuns = Promise.all(
    formats.map(async (f) => {
      const run = await sysdig(path, `*%evt.num${SECTION}${f.text}${terminator}`);
      if (!run.ok) return run.error;
      const recs = parseRecords(run.stdout, 1);
      return typeof recs === "string" ? recs : new Map(recs.map((r) => [Number(r[0]), r[1]]));
    }),
  );
  const filterRuns = Promise.all(filters.map((f) => sysdig(path, "*%evt.num", f.text)));

  const source = createSyscallSource({ sysdigCompat: true });
  const checks: FilterCheck[] = filters.map((filter) => {
    const parsed = parseCondition(filter.text);
    if (!parsed.ok) return { filter, predicate: undefined, error: `parse: ${parsed.error.message}`, got: [] };
    const compiled = compileCondition(parsed.expr, source);
    if (!compiled.ok) {
      const error = `compile: ${compiled.errors.map((e) => e.message).join("; ")}`;
      return { filter, predicate: undefined, error, got: [] };
    }
    return { filter, predicate: compiled.predicate, error: undefined, got: [] };
  });
  const printed = await formatRuns;
  const printers: FormatCheck[] = formats.map((format, i) => {
    const diffs = format.tokens.map(() => ({ count: 0, first: "" }));
    const lines = printed[i];
    const compiled = compileOutputFormat("*" + format.text, syscallSchema);
    if (typeof lines === "string") {
      const error = compiled.ok ? undefined : compiled.error.message;
      return { format, lines: undefined, text: undefined, error, sysdigError: lines, diffs };
    }
    if (!compiled.ok) return { format, lines, text: undefined, error: compiled.error.message, diffs };
    return { format, lines, text: compiled.format.bind(source).text, error: undefined, diffs };
  });

  const processor = new EventProcessor();
  let next = 0;
  const res = await readScapFile(path, {
    onRecord: (r) => processor.onRecord(r),
    onEvent: (ev) => {
      const e = processor.process(ev);
      if (next >= rows.length || `${ev.ts}:${ev.tid}` !== rows[next].key) return;
      const row = rows[next++];
      const saved = e.num;
      e.num = row.num;
      for (const c of checks) if (c.predicate !== undefined && c.predicate(e)) c.got.push(row.num);
      for (const p of printers) {
        if (p.text === undefined || p.lines === undefined) continue;
        const got = p.text(e).split(FIELD_SEPARATOR);
        const want = (p.lines.get(row.num) ?? "(no line)").split(FIELD_SEPARATOR);
        for (let j = 0; j < p.diffs.length; j++) {
          if (got[j] === want[j]) continue;
          const d = p.diffs[j];
          if (d.count++ === 0)
            d.first = `evt ${row.num}: sysdig ${JSON.stringify(want[j])}, saker ${JSON.stringify(got[j])}`;
        }
      }
      e.num = saved;
    },
  });
  if (res.error !== null) differences.push(capture(`saker cannot read it: ${res.error.message}`));
  if (next < rows.length) {
    differences.push(
      capture(
        `${rows.length - next} of sysdig's ${rows.length} events not found in Saker's replay (from evt ${rows[next].num})`,
      ),
    );
  }

  const answers = await filterRuns;
  let selective = 0;
  checks.forEach((c, i) => {
    const a = answers[i];
    const diff = (detail: string): void => {
      differences.push({
        kind: "filter",
        capture: name,
        subject: c.filter.text,
        detail,
        atoms: c.filter.atoms,
      });
    };
    if (!a.ok) {
      if (c.error === undefined) diff(`sysdig rejects it (${a.error}); saker matches ${c.got.length} events`);
      return;
    }
    if (c.error !== undefined) {
      diff(`saker rejects it (${c.error})`);
      return;
    }
    const want = a.stdout
      .split("\n")
      .filter((l) => l.length > 0)
      .map(Number);
    if (want.length > 0 && want.length < rows.length) selective++;
    const same = want.length === c.got.length && want.every((x, j) => c.got[j] === x);
    if (!same) diff(listDiff(want, c.got));
  });
  for (const p of printers) {
    const problem =
      p.sysdigError !== undefined
        ? p.error === undefined
          ? `sysdig rejects it (${p.sysdigError})`
          : undefined
        : p.error !== undefined
          ? `saker rejects it (${p.error})`
          : undefined;
    if (problem !== undefined) {
      differences.push({
        kind: "format",
        capture: name,
        subject: p.format.text,
        detail: problem,
        atoms: p.format.tokens.map((x) => ({ field: x.field, op: "" })),
      });
    }
    if (p.text === undefined || p.lines === undefined) continue;
    p.format.tokens.forEach((token, j) => {
      const d = p.diffs[j];
      if (d.count === 0) return;
      differences.push({
        kind: "format",
        capture: name,
        subject: token.text,
        detail: `${d.count} events differ; ${d.first}`,
        atoms: [{ field: token.field, op: "" }],
      });
    });
  }
  return { filters: checks.length, formats: printers.length, differences, selective };
}

function allows(entry: AllowEntry, d: Difference): boolean {
  if (entry.kind !== d.kind) return false;
  if (entry.capture !== "*" && entry.capture !== d.capture) return false;
  return d.atoms.some(
    (a) => a.field === entry.field && (entry.operator === undefined || entry.operator === a.op),
  );
}

test("sysdig-diff: generated filters and formats, Saker against sysdig 0.29.3", async (t) => {
  requireCorpus();
  const version = sysdigVersion();
  if (version !== "0.29.3") {
    const found = version === undefined ? `'${SYSDIG}' not found` : `sysdig ${version} found`;
    t.skip(
      `sysdig-diff: ${found}; install sysdig 0.29.3 (Debian's package), the version the allow-list is for`,
    );
    return;
  }
  const known = sysdigFields();
  const unknown = [...FILTER_FIELDS.map((f) => f.name), ...FORMAT_FIELDS].filter(
    (f) => !known.has(baseName(f)),
  );
  assert.deepEqual(unknown, [], "fields the generator uses that this sysdig does not list");

  const allowList = JSON.parse(
    readFileSync(resolve(repoRoot, "test/conformance/sysdig-diff/allow-list.json"), "utf8"),
  ) as { readonly entries: readonly AllowEntry[] };
  for (const e of allowList.entries)
    assert.ok(e.reason.length > 20, `allow-list entry without a reason: ${e.field}`);

  const dir = corpusPath("captures");
  const captures = readdirSync(dir)
    .filter((f) => f.endsWith(".scap"))
    .sort();
  let filters = 0;
  let formats = 0;
  let selective = 0;
  const differences: Difference[] = [];
  const unreadable: string[] = [];
  // Captures in parallel: the pool keeps sysdig busy while Saker replays.
  const results = await Promise.all(captures.map((name) => compareCapture(name, resolve(dir, name))));
  results.forEach((r, i) => {
    const name = captures[i];
    if (r.unreadable !== undefined) unreadable.push(`${name} (${r.unreadable.slice(0, 100)})`);
    filters += r.filters;
    formats += r.formats;
    selective += r.selective ?? 0;
    differences.push(...r.differences);
  });

  const used = new Set<AllowEntry>();
  for (const d of differences) {
    d.allowedBy = allowList.entries.find((e) => allows(e, d));
    if (d.allowedBy !== undefined) used.add(d.allowedBy);
  }
  const allowed = differences.filter((d) => d.allowedBy !== undefined);
  const failing = differences.filter((d) => d.allowedBy === undefined);
  if (SEED !== SEED_DEFAULT) console.log(`sysdig-diff: seed ${SEED}`);
  console.log(
    `sysdig-diff: ${filters} filters, ${formats} formats, ${differences.length} differences (${allowed.length} allowed)`,
  );
  console.log(`  ${selective} of the filters match some but not all events of their capture`);
  if (unreadable.length > 0) console.log(`  sysdig cannot read: ${unreadable.join("; ")}`);
  for (const e of allowList.entries) {
    const n = allowed.filter((d) => d.allowedBy === e).length;
    console.log(`  allowed ${n}: ${e.kind} ${e.field}${e.operator ? " " + e.operator : ""} [${e.capture}]`);
  }
  for (const d of failing)
    console.log(`  DIFF ${d.kind} ${d.capture} ${JSON.stringify(d.subject)}: ${d.detail}`);

  assert.ok(filters > 0 && formats > 0, "nothing was compared");
  const stale = SEED === SEED_DEFAULT ? allowList.entries.filter((e) => !used.has(e)) : [];
  assert.deepEqual(
    stale.map((e) => `${e.kind} ${e.field} [${e.capture}]`),
    [],
    "allow-list entries that no difference needs (remove them)",
  );
  assert.equal(failing.length, 0, `${failing.length} differences with sysdig not on the allow-list`);
});
