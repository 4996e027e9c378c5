// How the engine reaches into events of one source. The compiler never sees an event's layout: it asks
// the source, once per field reference at plan time, for an extractor closure, and calls that closure
// per event. Syscall events, Kubernetes audit events and (later) alerts themselves each provide one.
import type { FieldCatalogue, ResolvedField } from "../fields/types.js";
import type { CheckOperator, Constant } from "./operators.js";

/**
 * A field's value for one event. `undefined` means the field is not available for this event (<NA>):
 * every comparison with it is false, and `exists` is false.
 * - CHARBUF, FSPATH, ...: string
 * - numeric types: number, or bigint where a 64-bit value may exceed 2^53 (comparators accept both)
 * - BOOL: boolean
 * - BYTEBUF: Uint8Array
 * - IP types: string in canonical text form ("10.0.0.1", "::1")
 * - list fields (FieldInfo.isList): a readonly array of the element values
 */
export type FieldValue =
  string | number | bigint | boolean | Uint8Array | readonly (string | number | bigint)[] | undefined;

export type Extractor<E> = (event: E) => FieldValue;

/**
 * How a check holds on a field that stands for several values at once, whose extractor yields the
 * candidates as a list (or a single value, one candidate):
 * - "any": when it holds for some candidate, whatever the operator (`!=` included): libsinsp's
 *   ancestor fields written without an index, proc.aname and proc.apid;
 * - "either": like "any", except that `!=` holds only when it holds for every candidate: libsinsp's
 *   fd.ip, fd.net, fd.port, which compare both ends of a socket.
 * With no candidates (an empty list) every check is false; with no value at all (<NA>) too. `exists` is
 * true when some candidate exists ("any"), or when the field has a value at all ("either").
 */
export type AnyOfMode = "any" | "either";

/**
 * What the loader checks rules against: the fields and event types of a source. Validating rules needs
 * only this, so `saker rules validate` works for any source without its runtime.
 */
export interface SourceSchema {
  /** "syscall", "k8s_audit", ... as written in a rule's `source:` key. */
  readonly name: string;
  readonly catalogue: FieldCatalogue;
  /**
   * Event type names known to this source, used to narrow rules by `evt.type` and to reject unknown
   * types (`evt.type = nosuchcall` is a compile error). Undefined for sources without event types.
   */
  readonly eventTypeNames: ReadonlySet<string> | undefined;
  /**
   * Optional: how many event codes these names stand for (libsinsp counts enter and exit codes, and
   * every version of an event, per name). Falco's LOAD_NO_EVTTYPE warning fires above 100 codes; without
   * this the engine counts two codes per name.
   */
  readonly eventCodeCount?: (names: ReadonlySet<string>) => number;
  /**
   * Optional: whether a resolved field stands for several values at once, and how a check on it then
   * holds (see AnyOfMode). Called at plan time, once per field reference; undefined for ordinary
   * fields, and for every field when absent.
   */
  readonly anyOf?: (field: ResolvedField) => AnyOfMode | undefined;
}

/** A schema plus the means to read field values out of its events: what closures are planned against. */
export interface EventSource<E> extends SourceSchema {
  /** Build the extractor for a resolved field. Called at compile time, never per event. */
  extractor(field: ResolvedField): Extractor<E>;
  /** Text of a value as alerts print it (sysdig/Falco rendering: flags, fd names, <NA>, ...). */
  render(field: ResolvedField, value: FieldValue): string;
  /**
   * Optional: a number that differs between one event and the next handed to predicates (the syscall
   * event's ordinal). With it, groups shared by several rules are evaluated once per event
   * (compile.ts SharedConditions).
   */
  eventStamp?(event: E): number;
  /**
   * Optional: the source's own plan for `field op constants`, when it can answer without building the
   * field's value (an event type compared by code, a flags parameter tested by its bits). Called at plan
   * time for a plain field (no transformer, no modifier, not any-of) compared with constants; `general`
   * is the engine's plan of the same check. The result must hold exactly when `general` would, for every
   * event; undefined leaves the check to `general`.
   */
  planCheck?(
    field: ResolvedField,
    op: CheckOperator,
    constants: readonly Constant[],
    general: (event: E) => boolean,
  ): ((event: E) => boolean) | undefined;
}
