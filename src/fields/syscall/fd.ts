// fd.*: the file descriptor an event acts on. Facts follow libsinsp's sinsp_filtercheck_fd.cpp.
import { fdNumberArg } from "../args.js";
import { sinspField as f, type FieldFlags } from "../define.js";
import type { FieldClass } from "../types.js";

// fd.ip, fd.net, ...: match either end of a connection, so they have no single value to print.
const FILTER_ONLY: FieldFlags = { filterOnly: true };

export const fdClass: FieldClass = {
  name: "fd",
  description: "The file descriptor an event acts on, for every syscall that takes or returns one.",
  fields: [
    f("fd.num", "INT64", "Number of the fd."),
    f(
      "fd.type",
      "CHARBUF",
      "Type of fd: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, memfd, ...",
    ),
    f(
      "fd.typechar",
      "CHARBUF",
      "Type of fd as one character: f file, 4 IPv4, 6 IPv6, u unix, p pipe, e eventfd, s signalfd, l eventpoll, i inotify, b bpf, r io_uring, m memfd, o other.",
    ),
    f("fd.name", "CHARBUF", "Full name of the fd: the path for files, the connection tuple for sockets."),
    f("fd.directory", "CHARBUF", "For files, the directory that holds the file."),
    f("fd.filename", "CHARBUF", "For files, the file name without its directory."),
    f(
      "fd.ip",
      "IPADDR",
      "Filter only: matches the IP address of either end (client or server).",
      FILTER_ONLY,
    ),
    f("fd.cip", "IPADDR", "Client IP address."),
    f("fd.sip", "IPADDR", "Server IP address."),
    f("fd.lip", "IPADDR", "Local IP address."),
    f("fd.rip", "IPADDR", "Remote IP address."),
    f("fd.port", "PORT", "Filter only: matches the port of either end (client or server).", FILTER_ONLY),
    f("fd.cport", "PORT", "For TCP/UDP fds, the client port."),
    f("fd.sport", "PORT", "For TCP/UDP fds, the server port."),
    f("fd.lport", "PORT", "For TCP/UDP fds, the local port."),
    f("fd.rport", "PORT", "For TCP/UDP fds, the remote port."),
    f("fd.l4proto", "CHARBUF", "IP protocol of a socket: tcp, udp, icmp or raw."),
    f("fd.sockfamily", "CHARBUF", "Family of a socket: ip or unix."),
    f("fd.is_server", "BOOL", "True if the process owning the fd is the server end of the connection."),
    f("fd.uid", "CHARBUF", "Identifier of the fd unique across threads: fd number and thread id joined."),
    f(
      "fd.containername",
      "CHARBUF",
      "Container id and fd name joined: tells which container an fd belongs to.",
    ),
    f(
      "fd.containerdirectory",
      "CHARBUF",
      "Container id and directory joined: tells which container a directory belongs to.",
    ),
    f(
      "fd.proto",
      "PORT",
      "Filter only: matches the protocol name (as given by the port) of either end.",
      FILTER_ONLY,
    ),
    f("fd.cproto", "CHARBUF", "For TCP/UDP fds, the protocol name of the client port (e.g. http)."),
    f("fd.sproto", "CHARBUF", "For TCP/UDP fds, the protocol name of the server port."),
    f("fd.lproto", "CHARBUF", "For TCP/UDP fds, the protocol name of the local port."),
    f("fd.rproto", "CHARBUF", "For TCP/UDP fds, the protocol name of the remote port."),
    f(
      "fd.net",
      "IPNET",
      "Filter only: matches when either end's address is in a network (fd.net=10.0.0.0/8).",
      FILTER_ONLY,
    ),
    f("fd.cnet", "IPNET", "Filter only: matches when the client address is in a network.", FILTER_ONLY),
    f("fd.snet", "IPNET", "Filter only: matches when the server address is in a network.", FILTER_ONLY),
    f("fd.lnet", "IPNET", "Filter only: matches when the local address is in a network.", FILTER_ONLY),
    f("fd.rnet", "IPNET", "Filter only: matches when the remote address is in a network.", FILTER_ONLY),
    f("fd.connected", "BOOL", "For TCP/UDP fds, true if the socket is connected."),
    f(
      "fd.name_changed",
      "BOOL",
      "True when this event changed the name of its fd (e.g. a new tuple for a UDP socket).",
    ),
    f("fd.cip.name", "CHARBUF", "Domain name known for the client IP address."),
    f("fd.sip.name", "CHARBUF", "Domain name known for the server IP address."),
    f("fd.lip.name", "CHARBUF", "Domain name known for the local IP address."),
    f("fd.rip.name", "CHARBUF", "Domain name known for the remote IP address."),
    f("fd.dev", "INT32", "Device number (major and minor) of the filesystem holding the file."),
    f("fd.dev.major", "INT32", "Major device number of the filesystem holding the file."),
    f("fd.dev.minor", "INT32", "Minor device number of the filesystem holding the file."),
    f("fd.ino", "INT64", "Inode number of the file."),
    f("fd.nameraw", "CHARBUF", "For files, the path as the syscall gave it, not made absolute."),
    f(
      "fd.types",
      "CHARBUF",
      "Types of all fds of the process, as a list; fd.types[N] gives the type of fd N only.",
      {
        list: true,
        arg: "index",
        parseArg: fdNumberArg,
      },
    ),
    f("fd.is_upper_layer", "BOOL", "True if the file is in the upper (writable) layer of an overlayfs."),
    f("fd.is_lower_layer", "BOOL", "True if the file is in a lower layer of an overlayfs."),
  ],
};
