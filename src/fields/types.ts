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
  | "SIGSET"
  // evt.rawarg: the type is that of the named event parameter, known only once the argument is.
  | "DYNAMIC";

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
  /** Usable in conditions but not in outputs (libsinsp EPF_FILTER_ONLY: fd.ip, fd.net, ...). */
  readonly filterOnly?: boolean;
  /**
   * The field's exact argument grammar, where libsinsp hand-parses it (evt.arg, proc.aname, ...).
   * Absent: the grammar plugins get from their field declarations (see src/fields/args.ts).
   */
  readonly parseArg?: FieldArgParser;
}

/** How an argument was written after the field name, as resolve splits it. */
export type FieldArgForm =
  | { readonly kind: "none" }
  | { readonly kind: "bracket"; readonly text: string }
  | { readonly kind: "dotted"; readonly text: string };

/**
 * The verdict on an argument. "unknown" where libsinsp would report a nonexistent field (which
 * `skip-if-unknown-filter` tolerates), "bad_argument" where it raises a hard error.
 */
export type FieldArgCheck =
  | { readonly ok: true; readonly arg: string | undefined }
  | { readonly ok: false; readonly reason: "unknown" | "bad_argument"; readonly message: string };

export type FieldArgParser = (form: FieldArgForm, field: FieldInfo) => FieldArgCheck;

/** A group of fields with a common prefix, as `falco --list` shows them ("Field Class: process"). */
export interface FieldClass {
  readonly name: string;
  /** Shown in parentheses after the name ("evt (All event types)"); two classes may share a name. */
  readonly shortDescription?: string;
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
