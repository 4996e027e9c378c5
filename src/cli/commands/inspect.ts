// `saker inspect`: read a capture and print its events, as `sysdig -r CAPTURE -p FORMAT FILTER` does.
//
//   saker inspect CAPTURE [FILTER...] [-p FORMAT] [-D] [--json] [--write FILE [-z] [-F]]
//
// Options go anywhere; the words after CAPTURE that are not options are joined with spaces into the
// filter (as sysdig joins its trailing arguments). What is printed follows sysdig 0.29:
// - every event goes through the state engine first, then the filter sees it (sysdig's -d: filters see
//   fd names and processes as the state engine knows them after the event);
// - internal events (procinfo, drop, cpu hotplug, ...) are listed only with -D; events the state engine
//   keeps to itself (state-only dumps, initial container events) never are;
// - the default format is sysdig's: `*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid)
//   %evt.dir %evt.type %evt.info` (checked line for line against sysdig on every corpus capture);
// - a FORMAT starting with `*` prints every event, a missing field as <NA>; without it an event with a
//   missing field is not printed at all;
// - --json prints one JSON object per event: the format's fields as keys, sorted, with typed values
//   (null for a missing field), evt.outputtime/evt.time as nanoseconds, as sysdig -j does.
// - --write FILE writes the matching events to a new capture instead of printing them, after the
//   capture's own records (process, fd, user, interface lists), so that it opens with the same state.
//   As sysdig's dumper, internal events are kept whatever the filter says; with -F (sysdig's "fat
//   file"), events that did not match but change the state (clone, execve, open, close, ...) are kept
//   too, flagged state-only, so readers update their tables without listing them. -z compresses.
//
// Event content is attacker-controlled: every line is printed with control characters escaped (\uXXXX,
// which in JSON lines are JSON escapes of the same characters). Errors are `saker inspect: CODE: message`
// with exit status 1; a capture cut short prints everything before the cut, then the reader's error and
// its byte offset.
import type { Command } from "commander";
import { compileOutputFormat, type BoundOutputFormat } from "../../alerts/format.js";
import { EVENT_TYPE_MAX, EventFlag } from "../../capture/events/table.js";
import { eventTypeTables } from "../../capture/pipeline/event-types.js";
import { streamCapture } from "../../capture/scap/stream.js";
import type { ScapEvent } from "../../capture/scap/event.js";
import { ScapParser } from "../../capture/scap/parser.js";
import type { ScapRecord } from "../../capture/scap/records.js";
import { openScapWriter, type ScapWriter } from "../../capture/scap/writer.js";
import { compileCondition, type Predicate } from "../../engine/compile.js";
import type { Extractor } from "../../engine/source.js";
import { syscallSchema } from "../../fields/syscall/schema.js";
import { createSyscallSource } from "../../fields/syscall/source.js";
import { parseCondition } from "../../rules/language/parser.js";
import type { SyscallEvent } from "../../state/event.js";
import { EventProcessor } from "../../state/processor.js";
import { EVENT_FLAGS } from "../../state/params.js";
import { processIo, type CommandIo } from "./replay.js";
import { escapeControls, escapeText } from "../../alerts/escape.js";

/** sysdig's default line (DEFAULT_OUTPUT_STR with -t h). */
export const SYSDIG_DEFAULT_FORMAT =
  "*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info";

export const INSPECT_ERRORS = {
  /** The filter does not parse or does not check against the syscall fields. */
  SAKER_INSPECT_FILTER: "invalid filter",
  /** The -p format does not compile. */
  SAKER_INSPECT_FORMAT: "invalid format",
  /** The capture could not be read to its end (the events before the fault were printed). */
  SAKER_INSPECT_READ: "capture read error",
  /** The --write file could not be written. */
  SAKER_INSPECT_WRITE: "cannot write capture",
  /** Writing to stdout failed. */
  SAKER_INSPECT_OUTPUT: "cannot write output",
} as const;

export type InspectErrorCode = keyof typeof INSPECT_ERRORS;

export interface InspectOptions {
  /** -p FORMAT */
  readonly format?: string;
  /** -D: list internal events too. */
  readonly debug?: boolean;
  readonly json?: boolean;
  /** --write FILE */
  readonly write?: string;
  /** -z: gzip the written capture. */
  readonly compress?: boolean;
  /** -F: keep non-matching state-changing events in the written capture, flagged state-only. */
  readonly fatfile?: boolean;
}

/** What one inspect run did. */
export interface InspectResult {
  readonly exitCode: number;
  readonly error?: { readonly code: InspectErrorCode; readonly message: string };
  /** Events read, events printed (or written), records copied. */
  readonly events: number;
  readonly shown: number;
  readonly records: number;
}

const OUTPUT_BATCH_CHARS = 64 * 1024;
/** scap dump flag: state-only (sysdig lists such events nowhere). */
const DF_STATE_ONLY = 1;

/** Compile the filter words (joined with spaces); undefined when there is none. */
function compileFilter(
  words: readonly string[],
  source: ReturnType<typeof createSyscallSource>,
): Predicate<SyscallEvent> | undefined | { error: string } {
  const text = words.join(" ").trim();
  if (text === "") return undefined;
  const parsed = parseCondition(text);
  if (!parsed.ok) return { error: `${parsed.error.message} (at offset ${parsed.error.start})` };
  const compiled = compileCondition(parsed.expr, source);
  if (!compiled.ok) {
    return { error: compiled.errors.map((e) => `${e.message} (at offset ${e.start})`).join("; ") };
  }
  return compiled.predicate;
}

/** The extractors whose <NA> makes a format without '*' skip the event. */
function requiredFields(
  bound: BoundOutputFormat<SyscallEvent>,
  source: ReturnType<typeof createSyscallSource>,
): Extractor<SyscallEvent>[] {
  const out: Extractor<SyscallEvent>[] = [];
  for (const t of bound.format.tokens) {
    if (t.kind === "field") out.push(source.extractor(t.field));
    else if (t.kind === "transformer") for (const f of t.fields) out.push(source.extractor(f.field));
  }
  return out;
}

/** The whole command, over injectable I/O. */
export async function inspectCapture(
  capture: string,
  filterWords: readonly string[],
  options: InspectOptions,
  io: CommandIo,
): Promise<InspectResult> {
  let events = 0;
  let shown = 0;
  let records = 0;
  const failed = async (code: InspectErrorCode, message: string): Promise<InspectResult> => {
    await io.stderr(`saker inspect: ${code}: ${message}\n`);
    io.exit(1);
    return { exitCode: 1, error: { code, message }, events, shown, records };
  };

  const source = createSyscallSource();
  const filter = compileFilter(filterWords, source);
  if (filter !== undefined && typeof filter !== "function") {
    return failed("SAKER_INSPECT_FILTER", escapeText(filter.error));
  }
  const formatText = options.format ?? SYSDIG_DEFAULT_FORMAT;
  const compiled = compileOutputFormat(formatText, syscallSchema);
  if (!compiled.ok) {
    return failed(
      "SAKER_INSPECT_FORMAT",
      `${escapeText(compiled.error.message)} (at offset ${compiled.error.start})`,
    );
  }
  const bound = compiled.format.bind(source);
  const star = formatText.startsWith("*");
  const required = star ? [] : requiredFields(bound, source);
  const json = options.json === true;
  const debug = options.debug === true;

  let writer: ScapWriter | undefined;
  if (options.write !== undefined) {
    const opened = openScapWriter(options.write, { gzip: options.compress === true });
    if ("code" in opened) return failed("SAKER_INSPECT_WRITE", escapeText(opened.message));
    writer = opened;
  }
  const fatfile = options.fatfile === true;
  let writeError: string | undefined;

  const { internalByCode } = eventTypeTables();
  const processor = new EventProcessor();
  let out = "";

  const complete = (e: SyscallEvent): boolean => {
    for (let i = 0; i < required.length; i++) if (required[i]!(e) === undefined) return false;
    return true;
  };

  const dump = (ev: ScapEvent, matched: boolean): void => {
    const w = writer!;
    const internal = ev.type < EVENT_TYPE_MAX && internalByCode[ev.type] === 1;
    let err = null;
    if (matched || internal) {
      err = w.writeEvent(ev);
    } else if (fatfile && ((EVENT_FLAGS[ev.type] ?? 0) & EventFlag.MODIFIES_STATE) !== 0) {
      const params: Uint8Array[] = [];
      for (let i = 0; i < ev.nparams; i++) params.push(ev.paramBytes(i)!);
      err = w.writeEventFields({
        ts: ev.ts,
        tid: ev.tid,
        type: ev.type,
        params,
        cpu: ev.cpu,
        flags: DF_STATE_ONLY,
      });
    } else {
      return;
    }
    if (err !== null && writeError === undefined) writeError = err.message;
    if (err === null) shown++;
  };

  const parser = new ScapParser({
    onRecord: (rec: ScapRecord) => {
      records++;
      processor.onRecord(rec);
      if (writer !== undefined && rec.kind !== "unknown") {
        const err = writer.writeRecord(rec);
        if (err !== null && writeError === undefined) writeError = err.message;
      }
    },
    onEvent: (ev: ScapEvent) => {
      events++;
      const e = processor.process(ev);
      const matched = e.listed && (filter === undefined || filter(e));
      if (writer !== undefined) {
        dump(ev, matched);
        return writeError === undefined;
      }
      if (!matched) return;
      if (!debug && ev.type < EVENT_TYPE_MAX && internalByCode[ev.type] === 1) return;
      if (!star && !complete(e)) return;
      shown++;
      // JSON too: jsoncpp leaves C1 controls and U+2028/9 raw; their \uXXXX escapes are still JSON.
      out += escapeControls(json ? bound.fieldsJson(e, ev.ts) : bound.text(e)) + "\n";
    },
  });

  let outputError: string | undefined;
  const flush = async (force: boolean): Promise<boolean> => {
    if (out === "" || (!force && out.length < OUTPUT_BATCH_CHARS)) return true;
    const text = out;
    out = "";
    try {
      await io.stdout(text);
    } catch (e) {
      outputError = e instanceof Error ? e.message : String(e);
      return false;
    }
    return true;
  };
  const res = await streamCapture(capture, parser, { between: () => flush(false) });
  await flush(true);
  if (writer !== undefined) {
    const closed = writer.close();
    if (closed.error !== null && writeError === undefined) writeError = closed.error.message;
  }
  if (outputError !== undefined) return failed("SAKER_INSPECT_OUTPUT", escapeText(outputError));
  if (writeError !== undefined) return failed("SAKER_INSPECT_WRITE", escapeText(writeError));
  if (res.error !== null) {
    return failed("SAKER_INSPECT_READ", `${res.error.code}: ${escapeText(res.error.message)}`);
  }
  if (writer !== undefined) {
    await io.stderr(`saker inspect: ${shown} events written to ${escapeText(options.write!)}\n`);
  }
  io.exit(0);
  return { exitCode: 0, events, shown, records };
}

interface InspectCliOptions {
  readonly print?: string;
  readonly debug?: boolean;
  readonly json?: boolean;
  readonly write?: string;
  readonly compress?: boolean;
  readonly fatfile?: boolean;
}

export function registerInspectCommand(program: Command, io: CommandIo = processIo()): void {
  program
    .command("inspect")
    .description("print the events of a capture file, like `sysdig -r CAPTURE -p FORMAT FILTER`")
    .argument("<capture>", "scap capture (plain or gzip)")
    .argument("[filter...]", "filter condition (Falco's rule language); the words are joined with spaces")
    .option("-p, --print <format>", "output format; a leading * prints events with missing fields as <NA>")
    .option("-D, --debug", "also list internal events (procinfo, ...)")
    .option("-j, --json", "one JSON object per event")
    .option("-w, --write <file>", "write the matching events (and the capture's records) to a new capture")
    .option("-z, --compress", "gzip the capture written with --write")
    .option("-F, --fatfile", "with --write, keep non-matching events that change state, flagged state-only")
    .action(async (capture: string, filter: string[], opts: InspectCliOptions) => {
      await inspectCapture(
        capture,
        filter,
        {
          format: opts.print,
          debug: opts.debug,
          json: opts.json,
          write: opts.write,
          compress: opts.compress,
          fatfile: opts.fatfile,
        },
        io,
      );
    });
}
