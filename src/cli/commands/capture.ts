// `saker capture`: record live syscall events into a .scap file, as `sysdig -w` does.
//
//   saker capture -w FILE [-M SECONDS] [-z] [-u USER] [FILTER...]
//
// The file starts with the initial state read from /proc (machine, interfaces, users and groups, the
// process list, each process's fds), so sysdig and `saker replay` attribute events of processes that
// started before the capture (fd types newer than sysdig 0.29.3 are written as ones it reads: see
// readableFdRecord). Then every event the probe captures (every syscall it supports, and
// procexit), or, with a FILTER (a condition in the rule language, its words joined), only the events that
// match it; the state engine still sees every event, so the filter can use process and fd fields.
// Started as root, the engine opens the file, starts the loader and reads /proc, then runs as -u USER
// (default nobody) for the rest. Stops after -M seconds, on SIGINT/SIGTERM, or when the probe stops; a
// summary goes to stderr.
//
// Failures print `Error: <message> (<CODE>)` and exit 1.
import type { Command } from "commander";
import { type ScapWriter, openScapWriter } from "../../capture/scap/writer.js";
import { FalcoLogger } from "../../capture/pipeline/logger.js";
import { type TargetUser, resolveUser, runningAsRoot } from "../../agent/privileges.js";
import { LiveSession } from "../../agent/session.js";
import { compileCondition } from "../../engine/compile.js";
import { syscallSource } from "../../fields/syscall/source.js";
import { parseCondition } from "../../rules/language/parser.js";
import type { SyscallEvent } from "../../state/event.js";
import { EventProcessor } from "../../state/processor.js";
import { procScanRecords } from "../../state/proc-scan.js";
import type { ScapEvent } from "../../capture/scap/event.js";
import { FdType } from "../../capture/scap/format.js";
import type { FdRecord } from "../../capture/scap/records.js";
import { escapeText } from "../../alerts/escape.js";
import { isGeneric } from "../../fields/syscall/extract/events.js";

/** Errors of `saker capture` (start-up failures use the agent's SAKER_RUN_* codes). */
export const CAPTURE_CLI_ERRORS = {
  /** The filter does not parse or names unknown fields. */
  SAKER_CAPTURE_FILTER: "invalid filter",
  /** The output file cannot be created or written. */
  SAKER_CAPTURE_WRITE: "cannot write the capture file",
  /** -M is not a positive number. */
  SAKER_CAPTURE_DURATION: "invalid duration",
  /** The -u user does not exist. */
  SAKER_CAPTURE_USER: "unknown user",
  /** -B is not a power of two between 1 and 512. */
  SAKER_CAPTURE_BUFFER: "the ring buffer size must be a power of two from 1 to 512 (MiB)",
} as const;

export type CaptureCliErrorCode = keyof typeof CAPTURE_CLI_ERRORS;

export interface CaptureCliOptions {
  readonly write: string;
  readonly duration?: string;
  readonly compress?: boolean;
  readonly user?: string;
  readonly snaplen?: string;
  /** Ring buffer size in MiB (a power of two; default 32: a capture records every syscall). */
  readonly bufferMb?: string;
  /** Write generic events of syscalls past sysdig 0.29.3's table with their real id (see below). */
  readonly keepNewSyscallIds?: boolean;
}

/**
 * sysdig 0.29.3 (libs of March 2022) knows this many syscall ids and indexes its table with a generic
 * event's id unchecked: a generic event of a newer syscall (rseq, which glibc calls at every process
 * start; statx, ...) makes it read past the table and crash. Such events are written with id 0
 * (unknown) by default; their second parameter keeps the native syscall number.
 */
export const SYSDIG_0_29_SYSCALL_IDS = 329;

export interface CaptureSummary {
  /** Events the probe delivered (all went through the state engine). */
  readonly captured: number;
  /** Events written (those matching the filter). */
  readonly written: number;
  /** Initial-state records written. */
  readonly records: number;
  /** Generic events written with id 0 for sysdig 0.29.3's sake (see SYSDIG_0_29_SYSCALL_IDS). */
  readonly renumbered: number;
  readonly drops: number;
  readonly elapsedMs: number;
}

const LOG_INFO = 6;

/** The whole command; resolves with the exit status. */
export async function captureCommand(
  filterWords: readonly string[],
  options: CaptureCliOptions,
  io: { stderr(text: string): void } = { stderr: (t) => void process.stderr.write(t) },
): Promise<number> {
  const fatal = (code: string, message: string): number => {
    io.stderr(`Error: ${message} (${code})\n`);
    return 1;
  };
  const logger = new FalcoLogger({ level: "info" }, (line) => io.stderr(line));
  const log = (level: number, message: string): void => logger.log(level, message);

  let durationMs = 0;
  if (options.duration !== undefined) {
    const s = Number(options.duration);
    if (!Number.isFinite(s) || s <= 0) {
      return fatal(
        "SAKER_CAPTURE_DURATION",
        `${CAPTURE_CLI_ERRORS.SAKER_CAPTURE_DURATION}: ${escapeText(options.duration)}`,
      );
    }
    durationMs = s * 1000;
  }

  const filterText = filterWords.join(" ").trim();
  let filter: ((e: SyscallEvent) => boolean) | null = null;
  if (filterText !== "") {
    const parsed = parseCondition(filterText);
    if (!parsed.ok) {
      return fatal(
        "SAKER_CAPTURE_FILTER",
        `${CAPTURE_CLI_ERRORS.SAKER_CAPTURE_FILTER}: ${escapeText(parsed.error.message)}`,
      );
    }
    const compiled = compileCondition(parsed.expr, syscallSource);
    if (!compiled.ok) {
      const why = compiled.errors.map((e) => e.message).join("; ");
      return fatal("SAKER_CAPTURE_FILTER", `${CAPTURE_CLI_ERRORS.SAKER_CAPTURE_FILTER}: ${escapeText(why)}`);
    }
    filter = compiled.predicate;
  }

  let user: TargetUser | null = null;
  if (runningAsRoot()) {
    const name = options.user ?? "nobody";
    if (name !== "root" && name !== "0") {
      user = resolveUser(name);
      if (user === null) {
        return fatal("SAKER_CAPTURE_USER", `${CAPTURE_CLI_ERRORS.SAKER_CAPTURE_USER}: ${escapeText(name)}`);
      }
    }
  }

  // The file is opened while we still may: the engine writes it after dropping privileges.
  const opened = openScapWriter(options.write, { gzip: options.compress === true });
  if ("code" in opened) {
    return fatal(
      "SAKER_CAPTURE_WRITE",
      `${CAPTURE_CLI_ERRORS.SAKER_CAPTURE_WRITE}: ${escapeText(opened.message)}`,
    );
  }
  const writer: ScapWriter = opened;
  writer.writeSectionHeader();

  const processor = new EventProcessor({ threadTimeoutNs: 0 });
  let captured = 0;
  let written = 0;
  let records = 0;
  let renumbered = 0;
  const keepIds = options.keepNewSyscallIds === true;
  const unknownId = new Uint8Array(2);
  let writeError: string | null = null;
  const onEvent = (ev: ScapEvent): boolean => {
    captured++;
    const e = processor.process(ev);
    if (filter !== null) {
      let keep = false;
      try {
        keep = filter(e);
      } catch {
        keep = false;
      }
      if (!keep) return true;
    }
    let err;
    if (!keepIds && isGeneric(ev.type) && ev.paramLen(0) === 2) {
      const id = ev.dv.getUint16(ev.paramOff[0]!, true);
      if (id >= SYSDIG_0_29_SYSCALL_IDS) {
        renumbered++;
        const params: Uint8Array[] = [unknownId];
        for (let i = 1; i < ev.nparams; i++) params.push(ev.paramBytes(i)!);
        err = writer.writeEventFields({ ts: ev.ts, tid: ev.tid, type: ev.type, params, cpu: ev.cpu });
      } else err = writer.writeEvent(ev);
    } else err = writer.writeEvent(ev);
    if (err !== null) {
      writeError = err.message;
      return false;
    }
    written++;
    return true;
  };

  const started = Date.now();
  const snaplen = options.snaplen === undefined ? undefined : Number(options.snaplen);
  const bufferMb = options.bufferMb === undefined ? 32 : Number(options.bufferMb);
  if (!Number.isInteger(bufferMb) || bufferMb < 1 || bufferMb > 512 || (bufferMb & (bufferMb - 1)) !== 0) {
    writer.close();
    return fatal(
      "SAKER_CAPTURE_BUFFER",
      `${CAPTURE_CLI_ERRORS.SAKER_CAPTURE_BUFFER}: ${escapeText(String(options.bufferMb))}`,
    );
  }
  const session = await LiveSession.open(
    {
      onScan: (scan) => {
        for (const rec of procScanRecords(scan)) {
          processor.onRecord(rec);
          const err = writer.writeRecord(rec.kind === "fd" ? readableFdRecord(rec) : rec);
          if (err !== null) {
            writeError ??= err.message;
            continue;
          }
          records++;
        }
        processor.state.finishImport();
      },
      onEvent,
    },
    "all",
    {
      log,
      user,
      capture: {
        snaplen: Number.isInteger(snaplen) ? snaplen : undefined,
        ringBufferMb: bufferMb,
      },
    },
  );
  if (!session.ok) {
    writer.close();
    return fatal(session.error.code, session.error.message);
  }
  const live = session.start.session;
  log(
    LOG_INFO,
    `Capturing to ${escapeText(options.write)}${filterText !== "" ? ` (filter: ${escapeText(filterText)})` : ""}`,
  );

  let signal: NodeJS.Signals | null = null;
  let wake: () => void = () => undefined;
  const onTerm = (s: NodeJS.Signals): void => {
    signal ??= s;
    wake();
  };
  process.on("SIGINT", onTerm);
  process.on("SIGTERM", onTerm);
  const timer = durationMs > 0 ? setTimeout(() => wake(), durationMs) : null;
  try {
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const ended = await Promise.race([woken.then(() => null), live.done]);
    if (ended === null) {
      await live.sync();
      await live.stop();
    }
    const result = await live.done;
    const closed = writer.close();
    if (signal !== null) log(LOG_INFO, `${signal} received, stopping`);
    const summary: CaptureSummary = {
      captured,
      written,
      records,
      renumbered,
      drops: result.stats.drops + live.startupDropped,
      elapsedMs: Date.now() - started,
    };
    io.stderr(
      `Captured ${summary.captured} events, wrote ${summary.written} events and ${summary.records} ` +
        `initial-state records to ${escapeText(options.write)} in ${(summary.elapsedMs / 1000).toFixed(3)} s; ` +
        `${summary.drops} events dropped\n` +
        (renumbered > 0
          ? `${renumbered} generic events of syscalls newer than sysdig 0.29.3's table were written with ` +
            `id 0, their native number kept (--keep-new-syscall-ids writes them as captured)\n`
          : ""),
    );
    const err = writeError ?? closed.error?.message ?? null;
    if (err !== null)
      return fatal("SAKER_CAPTURE_WRITE", `${CAPTURE_CLI_ERRORS.SAKER_CAPTURE_WRITE}: ${escapeText(err)}`);
    if (ended !== null && ended.error !== null)
      return fatal("SAKER_RUN_CAPTURE_LOST", escapeText(ended.error.message));
    return 0;
  } finally {
    if (timer !== null) clearTimeout(timer);
    process.off("SIGINT", onTerm);
    process.off("SIGTERM", onTerm);
  }
}

/**
 * fd types libscap added after sysdig 0.29.3 (bpf, userfaultfd, io_uring, memfd, pidfd) make that reader
 * refuse the whole file; they are written as the types it knows: a memfd as a file (its /memfd:... name
 * kept), the others as "unsupported". The state engine gets the originals.
 */
export function readableFdRecord(rec: FdRecord): FdRecord {
  switch (rec.type) {
    case FdType.MEMFD:
      return { ...rec, type: FdType.FILE_V2, rawType: FdType.FILE_V2 };
    case FdType.BPF:
    case FdType.USERFAULTFD:
    case FdType.IOURING:
    case FdType.PIDFD:
      return { ...rec, type: FdType.UNSUPPORTED, rawType: FdType.UNSUPPORTED, name: "" };
    default:
      return rec;
  }
}

export function registerCaptureCommand(program: Command): void {
  program
    .command("capture")
    .description("record live syscall events (and the initial state from /proc) into a .scap file")
    .argument("[filter...]", "only write events matching this condition (rule language)")
    .requiredOption("-w, --write <file>", "the capture file to write")
    .option("-M, --duration <seconds>", "stop after this many seconds")
    .option("-z, --compress", "gzip the file")
    .option("-B, --buffer-mb <MiB>", "ring buffer size, a power of two (default 32)")
    .option("-s, --snaplen <bytes>", "bytes of I/O buffers kept (sendto/recvfrom; default 80)")
    .option("-u, --user <name>", "the user the engine runs as once started as root (default nobody)")
    .option(
      "--keep-new-syscall-ids",
      "write generic events of syscalls newer than sysdig 0.29.3 knows with their id (sysdig 0.29.3 crashes on them)",
    )
    .action(async (filter: string[], opts: CaptureCliOptions) => {
      process.exitCode = await captureCommand(filter, opts);
    });
}
