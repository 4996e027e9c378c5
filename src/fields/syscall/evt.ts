// evt.*: two classes, as in libsinsp. The generic one applies to events of every source (a k8s_audit
// catalogue includes it too); the other only to syscall events. Facts (names, types, flags) follow
// libsinsp's sinsp_filtercheck_gen_event.cpp and sinsp_filtercheck_event.cpp.
import { EVENT_TABLE_NAMES } from "../../capture/events/names.js";
import { EVENT_TABLE } from "../../capture/events/table.js";
import { abspathArg, aroundArg, eventParamArg, eventTypeArg } from "../args.js";
import { sinspField as f } from "../define.js";
import type { FieldClass } from "../types.js";

/** Every parameter name of the event table: what evt.arg.<name> and evt.rawarg.<name> accept. */
const PARAM_NAMES: ReadonlySet<string> = new Set(EVENT_TABLE.flatMap((e) => e.params.map((p) => p.name)));

export const genericEventClass: FieldClass = {
  name: "evt",
  shortDescription: "All event types",
  description: "Fields every event has, whatever its source.",
  fields: [
    f("evt.num", "UINT64", "Sequence number of the event."),
    f("evt.time", "CHARBUF", "Time of day of the event as text, with nanoseconds."),
    f("evt.time.s", "CHARBUF", "Time of day of the event as text, to the second."),
    f("evt.time.iso8601", "CHARBUF", "Event timestamp in ISO 8601 form (UTC), with nanoseconds."),
    f("evt.datetime", "CHARBUF", "Date and time of the event as text, with nanoseconds."),
    f("evt.datetime.s", "CHARBUF", "Date and time of the event as text, to the second."),
    f("evt.rawtime", "ABSTIME", "Event timestamp in nanoseconds since the epoch."),
    f("evt.rawtime.s", "ABSTIME", "Whole seconds of the event timestamp since the epoch."),
    f("evt.rawtime.ns", "ABSTIME", "Nanosecond part of the event timestamp."),
    f("evt.reltime", "RELTIME", "Nanoseconds elapsed since the capture began."),
    f("evt.reltime.s", "RELTIME", "Whole seconds elapsed since the capture began."),
    f("evt.reltime.ns", "RELTIME", "Nanosecond part of the time elapsed since the capture began."),
    f(
      "evt.pluginname",
      "CHARBUF",
      "For events of a plugin source, the name of the loaded plugin that produced them.",
    ),
    f(
      "evt.plugininfo",
      "CHARBUF",
      "For events of a plugin source, the plugin's one-line summary of the event.",
    ),
    f("evt.source", "CHARBUF", "Name of the event source the event came from (syscall, k8s_audit, ...)."),
    f(
      "evt.is_async",
      "BOOL",
      "True for asynchronous events, those not raised by a syscall of the traced thread.",
    ),
    f("evt.asynctype", "CHARBUF", "For asynchronous events, their type (e.g. container)."),
    f(
      "evt.hostname",
      "CHARBUF",
      "Name of the host the event was seen on; an environment variable can override it, e.g. with the Kubernetes node name.",
    ),
  ],
};

export const syscallEventClass: FieldClass = {
  name: "evt",
  shortDescription: "Syscall events only",
  description:
    "Fields of syscall events. Each syscall parameter can also be read on its own through evt.arg, e.g. evt.arg.filename.",
  fields: [
    f("evt.latency", "RELTIME", "Nanoseconds between the enter event and its exit event.", {
      deprecated: true,
    }),
    f("evt.latency.s", "RELTIME", "Whole seconds of evt.latency.", { deprecated: true }),
    f("evt.latency.ns", "RELTIME", "Nanosecond part of evt.latency.", { deprecated: true }),
    f("evt.latency.quantized", "UINT64", "Base-10 logarithm of evt.latency.", {
      hidden: true,
      deprecated: true,
    }),
    f("evt.latency.human", "CHARBUF", "evt.latency in a readable unit (e.g. 10.3ms).", { deprecated: true }),
    f("evt.deltatime", "RELTIME", "Nanoseconds since the previous event."),
    f("evt.deltatime.s", "RELTIME", "Whole seconds since the previous event."),
    f("evt.deltatime.ns", "RELTIME", "Nanosecond part of the time since the previous event."),
    // Print-only in libsinsp: never listed.
    f(
      "evt.outputtime",
      "CHARBUF",
      "Event time in the format chosen for output (evt.time unless configured).",
      {
        hidden: true,
      },
    ),
    f("evt.dir", "CHARBUF", "Direction of the event: '>' on syscall entry, '<' on exit.", {
      deprecated: true,
    }),
    f("evt.type", "CHARBUF", "Name of the event type (e.g. open, execve)."),
    f(
      "evt.type.is",
      "UINT32",
      "1 if the event is of the type named after the dot (evt.type.is.open), else 0.",
      {
        arg: "key",
        argRequired: true,
        dottedArg: true,
        parseArg: eventTypeArg(EVENT_TABLE_NAMES),
      },
    ),
    f(
      "syscall.type",
      "CHARBUF",
      "For syscall events, the name of the syscall; unset for others (scheduler switches, internal events).",
    ),
    f("evt.category", "CHARBUF", "Category of the event: file, net, memory, process, ipc, ..."),
    f("evt.cpu", "INT16", "Number of the CPU the event happened on."),
    f("evt.args", "CHARBUF", "All parameters of the event rendered into one string."),
    f(
      "evt.arg",
      "CHARBUF",
      "One event parameter as text, by name (evt.arg.fd) or by position (evt.arg[0]); fds, errors and flags come out readable.",
      { arg: "index_or_key", argRequired: true, dottedArg: true, parseArg: eventParamArg(PARAM_NAMES, true) },
    ),
    f(
      "evt.rawarg",
      "DYNAMIC",
      "One event parameter by name (evt.rawarg.fd), as a raw value of the parameter's type.",
      {
        arg: "key",
        argRequired: true,
        dottedArg: true,
        parseArg: eventParamArg(PARAM_NAMES, false),
      },
    ),
    f("evt.info", "CHARBUF", "Same as evt.args."),
    f("evt.buffer", "BYTEBUF", "Data buffer of I/O events (read, recvfrom, ...); search it with contains."),
    f("evt.buflen", "UINT64", "Length of the data buffer of I/O events."),
    f("evt.res", "CHARBUF", "Result of the event as text: SUCCESS, or the error name (e.g. ENOENT)."),
    f("evt.rawres", "INT64", "Result of the event as a number (e.g. -2), for range comparisons."),
    f("evt.failed", "BOOL", "True when the event returned an error."),
    f("evt.is_io", "BOOL", "True for events that read from or write to an fd."),
    f("evt.is_io_read", "BOOL", "True for events that read from an fd (read, recv, recvfrom, ...)."),
    f("evt.is_io_write", "BOOL", "True for events that write to an fd (write, send, ...)."),
    f("evt.io_dir", "CHARBUF", "'r' for events reading from an fd, 'w' for events writing to one."),
    f("evt.is_wait", "BOOL", "True for events that make the thread wait (nanosleep, select, poll, ...)."),
    f("evt.wait_latency", "RELTIME", "For waiting events, the nanoseconds spent waiting.", {
      deprecated: true,
    }),
    f("evt.is_syslog", "BOOL", "True for writes to /dev/log."),
    f("evt.count", "UINT32", "Always 1, so that summing it counts events."),
    f("evt.count.error", "UINT32", "1 for events that returned an error, else 0."),
    f("evt.count.error.file", "UINT32", "1 for file events that returned an error, else 0."),
    f("evt.count.error.net", "UINT32", "1 for network events that returned an error, else 0."),
    f("evt.count.error.memory", "UINT32", "1 for memory events that returned an error, else 0."),
    f(
      "evt.count.error.other",
      "UINT32",
      "1 for failed events outside the file, network and memory categories, else 0.",
    ),
    f("evt.count.exit", "UINT32", "1 for exit events, else 0."),
    f("evt.count.procinfo", "UINT32", "1 for procinfo events of main threads, else 0.", { hidden: true }),
    f("evt.count.threadinfo", "UINT32", "1 for procinfo events, else 0.", { hidden: true }),
    f(
      "evt.around",
      "UINT64",
      "Filter only: evt.around[T]=D keeps the events within D milliseconds of timestamp T (an evt.rawtime value).",
      { arg: "index", argRequired: true, filterOnly: true, parseArg: aroundArg },
    ),
    f(
      "evt.abspath",
      "CHARBUF",
      "Absolute path built from a directory fd and a relative path (renameat, symlinkat, ...); evt.abspath.src and evt.abspath.dst pick one of two paths.",
      { arg: "key", dottedArg: true, parseArg: abspathArg },
    ),
    f("evt.buflen.in", "UINT64", "Buffer length of input I/O events only.", { hidden: true }),
    f("evt.buflen.out", "UINT64", "Buffer length of output I/O events only.", { hidden: true }),
    f("evt.buflen.file", "UINT64", "Buffer length of file I/O events only.", { hidden: true }),
    f("evt.buflen.file.in", "UINT64", "Buffer length of file input events only.", { hidden: true }),
    f("evt.buflen.file.out", "UINT64", "Buffer length of file output events only.", { hidden: true }),
    f("evt.buflen.net", "UINT64", "Buffer length of network I/O events only.", { hidden: true }),
    f("evt.buflen.net.in", "UINT64", "Buffer length of network input events only.", { hidden: true }),
    f("evt.buflen.net.out", "UINT64", "Buffer length of network output events only.", { hidden: true }),
    f(
      "evt.is_open_read",
      "BOOL",
      "True for opening events (open, openat, openat2, open_by_handle_at) that open the path for reading.",
    ),
    f("evt.is_open_write", "BOOL", "True for opening events that open the path for writing."),
    f("evt.infra.docker.name", "CHARBUF", "For docker infrastructure events, the event's name.", {
      hidden: true,
    }),
    f("evt.infra.docker.container.id", "CHARBUF", "For docker infrastructure events, the container's id.", {
      hidden: true,
    }),
    f(
      "evt.infra.docker.container.name",
      "CHARBUF",
      "For docker infrastructure events, the container's name.",
      {
        hidden: true,
      },
    ),
    f(
      "evt.infra.docker.container.image",
      "CHARBUF",
      "For docker infrastructure events, the container's image.",
      {
        hidden: true,
      },
    ),
    f(
      "evt.is_open_exec",
      "BOOL",
      "True for opening events or creat that create a file with execute permission.",
    ),
    f("evt.is_open_create", "BOOL", "True for opening events that create a file."),
  ],
};
