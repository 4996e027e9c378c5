// The field catalogue: what fields exist for an event source, their types and the arguments they take.
// Type names follow libsinsp's (PT_CHARBUF -> "CHARBUF") because `saker fields` shows them to users who
// know `falco --list`, and because operator validity is defined per type.

export type FieldType =
  | "CHARBUF"
  | "BYTEBUF"
  | "INT8"
  | "INT16"
  | "INT32"
  | "INT64"
  | "UINT8"
  | "UINT16"
  | "UINT32"
  | "UINT64"
  | "BOOL"
  | "DOUBLE"
  | "IPV4ADDR"
  | "IPV4NET"
  | "IPV6ADDR"
  | "IPV6NET"
  | "IPADDR"
  | "IPNET"
  | "PORT"
  | "L4PROTO"
  | "RELTIME"
  | "ABSTIME"
  | "FSPATH"
  | "FSRELPATH"
  | "UID"
  | "GID"
  | "PID"
  | "FD"
  | "ERRNO"
  | "SOCKADDR"
  | "SOCKTUPLE"
  | "FLAGS8"
  | "FLAGS16"
  | "FLAGS32"
  | "ENUMFLAGS8"
  | "ENUMFLAGS16"
  | "ENUMFLAGS32"
  | "MODE"
  | "SIGTYPE"
  | "SYSCALLID"
  | "SIGSET";

/**
 * How a field takes an argument:
 * - "none": no argument.
 * - "index": `[N]`, a number (proc.aname[2], evt.arg[0]).
 * - "key": `[key]` or, where `dottedKey` is set, `.key` (evt.arg.name, jevt.value[/json/pointer]).
 * - "index_or_key": either (libsinsp's EPF_ARG_INDEX|EPF_ARG_KEY).
 */
export type FieldArgKind = "none" | "index" | "key" | "index_or_key";

export interface FieldInfo {
  /** Full name, e.g. "proc.aname". */
  readonly name: string;
  readonly type: FieldType;
  /** The field yields a list of values (e.g. ka.user.groups); `in`/`intersects` compare sets. */
  readonly isList: boolean;
  readonly argKind: FieldArgKind;
  /** An argument must be given (e.g. evt.arg). */
  readonly argRequired: boolean;
  /** The argument may follow a dot instead of brackets (evt.arg.name, evt.rawarg.res). */
  readonly dottedArg: boolean;
  readonly description: string;
  /** Shown by `saker fields` only with --all (libsinsp EPF_TABLE_ONLY / hidden fields). */
  readonly hidden: boolean;
  readonly deprecated: boolean;
}

/** A group of fields with a common prefix, as `falco --list` shows them ("Field Class: process"). */
export interface FieldClass {
  readonly name: string;
  readonly description: string;
  readonly fields: readonly FieldInfo[];
}

/** The result of resolving the text of a field reference against a catalogue. */
export interface ResolvedField {
  readonly info: FieldInfo;
  /** Bracket or dotted argument, undefined when none. Index arguments stay strings here; the
   *  extractor factory parses them at plan time. */
  readonly arg: string | undefined;
}

export type ResolveResult =
  | { readonly ok: true; readonly field: ResolvedField }
  | { readonly ok: false; readonly reason: "unknown" | "bad_argument"; readonly message: string };

export interface FieldCatalogue {
  /** The event source these fields belong to: "syscall", "k8s_audit", ... */
  readonly source: string;
  readonly classes: readonly FieldClass[];
  /** Resolve `name` (as written, may contain a dotted argument) and optional bracket `arg`. */
  resolve(name: string, arg: string | undefined): ResolveResult;
}
