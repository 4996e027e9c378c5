// The syscall event source: the syscall field catalogue (schema.ts) with extractors that read each
// field out of a SyscallEvent (the event after the state engine has processed it), and the text of a
// value as sysdig and Falco print it.
//
//   const proc = new EventProcessor();
//   const check = compileCondition(parseCondition("proc.name = cat").expr, syscallSource);
//   await readScapFile(path, { onRecord: (r) => proc.onRecord(r), onEvent: (ev) => {
//     if (check.ok && check.predicate(proc.process(ev))) ...
//   }});
//
// Extractors are planned once per field reference and allocate only when a field must build a
// string (a joined command line, a rendered parameter). A field that does not apply to an event
// yields undefined (<NA>).
//
// Fields written without an index that stand for "any ancestor" (proc.aname, proc.apid, ...) and the
// filter-only fields that match either end of a socket (fd.ip, fd.net, fd.port, fd.proto) yield a
// list of candidate values: a check on them holds when it holds for any element, as in libsinsp.
import type { EventSource, Extractor, FieldValue } from "../../engine/source.js";
import type { SyscallEvent } from "../../state/event.js";
import { sanitize } from "../../state/net.js";
import type { ResolvedField } from "../types.js";
import { StateRenderContext } from "./extract/context.js";
import { containerExtractor } from "./extract/container.js";
import { evtExtractor } from "./extract/evt.js";
import { fdExtractor, fsPathExtractor } from "./extract/fd.js";
import { miscExtractor } from "./extract/misc.js";
import { planSyscallCheck } from "./extract/planned.js";
import { processExtractor } from "./extract/process.js";
import { userExtractor } from "./extract/user.js";
import { syscallSchema } from "./schema.js";

export interface SyscallSourceOptions {
  /**
   * Longest data buffer printed by evt.arg.data, evt.args, evt.info and evt.buffer before "...".
   * Default 80, what sysdig prints without -v; 0 prints buffers whole.
   */
  readonly maxBufferLength?: number;
  /**
   * Reproduce what sysdig 0.29.3 (the conformance oracle) prints where it differs from libsinsp
   * today by accident rather than design: group.gid read as a 64-bit value (its upper half is the
   * process's thread count, the field stored next to the gid), and event 196 named "sysdigevent".
   * Off by default.
   */
  readonly sysdigCompat?: boolean;
}

/** Fields sysdig prints zero-padded to nine digits (libsinsp's PF_10_PADDED_DEC). */
const PADDED: ReadonlySet<string> = new Set([
  "evt.rawtime.ns",
  "evt.reltime",
  "evt.reltime.ns",
  "evt.latency.ns",
  "evt.deltatime.ns",
]);

/**
 * How a check on a field whose extractor yields a list of candidate values holds:
 * - "any": when it holds for any candidate, `!=` included (proc.aname, proc.apid, ... without an
 *   index: the ancestors, parent first; libsinsp's compare_full_aname/apid);
 * - "either": like "any", except that `!=` holds only when it holds for every candidate (fd.ip,
 *   fd.net, fd.port, fd.proto: both ends of a socket; libsinsp's compare_ip/net/port).
 * Undefined for ordinary fields. The engine's compiler reads this to plan such checks.
 */
export type AnyOfMode = "any" | "either";

const ANCESTOR_FIELDS: ReadonlySet<string> = new Set([
  "proc.aname",
  "proc.apid",
  "proc.aexe",
  "proc.aexepath",
  "proc.acmdline",
  "proc.aargs",
  "proc.aenv",
]);
const EITHER_END_FIELDS: ReadonlySet<string> = new Set(["fd.ip", "fd.net", "fd.port", "fd.proto"]);

export function anyOfMode(field: ResolvedField): AnyOfMode | undefined {
  const name = field.info.name;
  if (EITHER_END_FIELDS.has(name)) return "either";
  if (ANCESTOR_FIELDS.has(name) && field.arg === undefined) return "any";
  return undefined;
}

/** Fields libsinsp prints with control and non-ASCII characters removed (filters see them raw). */
const SANITIZED: ReadonlySet<string> = new Set([
  "fd.name",
  "fd.containername",
  "fd.directory",
  "fd.containerdirectory",
  "fd.filename",
]);

function padded(v: number | bigint): string {
  const s = v.toString();
  return s.length >= 9 ? s : "0".repeat(9 - s.length) + s;
}

function bytesText(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : ".";
  }
  return s;
}

/** Text of a value as libsinsp's rawval_to_string prints it for `field`. */
export function renderSyscallValue(field: ResolvedField, value: FieldValue): string {
  if (value === undefined) return "<NA>";
  if (typeof value === "string") return SANITIZED.has(field.info.name) ? sanitize(value) : value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Uint8Array) return bytesText(value);
  if (Array.isArray(value)) {
    // An ancestor list prints its nearest element (the parent).
    if (anyOfMode(field) !== undefined) return value.length === 0 ? "<NA>" : String(value[0]);
    return "(" + value.map((v) => String(v)).join(",") + ")";
  }
  const name = field.info.name;
  if (PADDED.has(name)) return padded(value as number | bigint);
  if (name === "fd.dev") return value.toString(16).toUpperCase();
  if (field.info.type === "DOUBLE" && typeof value === "number") return value.toFixed(1);
  return value.toString();
}

/** A syscall source; `syscallSource` is one with the default options. */
export function createSyscallSource(options: SyscallSourceOptions = {}): EventSource<SyscallEvent> {
  const ctx = new StateRenderContext(options.maxBufferLength ?? 80);
  const compat = options.sysdigCompat ?? false;
  const none: Extractor<SyscallEvent> = () => undefined;
  return {
    ...syscallSchema,
    extractor(field: ResolvedField): Extractor<SyscallEvent> {
      return (
        evtExtractor(field, ctx, compat) ??
        processExtractor(field) ??
        fdExtractor(field, ctx) ??
        userExtractor(field, compat) ??
        containerExtractor(field) ??
        fsPathExtractor(field) ??
        miscExtractor(field) ??
        none
      );
    },
    render: renderSyscallValue,
    anyOf: anyOfMode,
    planCheck: (field, op, constants, general) => planSyscallCheck(field, op, constants, general, compat),
    // One per event the processor hands out (SyscallEvent.num counts them).
    eventStamp: (e) => e.num,
  };
}

export const syscallSource: EventSource<SyscallEvent> = createSyscallSource();
