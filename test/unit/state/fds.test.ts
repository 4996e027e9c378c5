// fd table transitions: open/openat/creat, close, dup, fcntl(F_DUPFD), pipe, socketpair, sockets
// (socket, bind, connect, accept, datagrams), single-fd creators, chdir/fchdir; and enter/exit pairing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FdType } from "../../../src/state/fdinfo.js";
import {
  EMPTY,
  EventType,
  Synth,
  i64,
  processRecord,
  sockaddr4,
  str,
  tuple4,
  tupleUnix,
  u32,
  u64,
  u8,
} from "./synth.js";

const O_RDONLY = 1;
const O_DIRECTORY = 1 << 10;

function shell(): Synth {
  return new Synth().record(processRecord({ tid: 100, pid: 100, ptid: 1, comm: "bash", cwd: "/home/u" }));
}

function fdName(s: Synth, fd: number): string | undefined {
  const t = s.state.find(100)!;
  return s.state.fdTable(t)?.get(fd)?.name;
}

function open(s: Synth, fd: number, path: string, flags = O_RDONLY) {
  s.emit(100, EventType.SYSCALL_OPEN_E, [str(path), u32(flags), u32(0)]);
  return s.emit(100, EventType.SYSCALL_OPEN_X, [i64(fd), str(path), u32(flags), u32(0), u32(0)]);
}

test("open: relative and absolute paths become absolute, normalised fd names", () => {
  const cases: [string, string][] = [
    ["/etc/passwd", "/etc/passwd"],
    ["notes.txt", "/home/u/notes.txt"],
    ["../x//y/./z", "/home/x/y/z"],
    ["/tmp/dir/", "/tmp/dir"],
  ];
  for (const [path, want] of cases) {
    const s = shell();
    const e = open(s, 3, path);
    assert.equal(e.fdinfo?.name, want, path);
    assert.equal(fdName(s, 3), want, path);
  }
});

test("open: O_DIRECTORY makes a directory fd; a failed open adds nothing", () => {
  const s = shell();
  open(s, 4, "/var", O_RDONLY | O_DIRECTORY);
  assert.equal(s.state.find(100)!.ownFds.get(4)?.type, FdType.DIRECTORY);
  const e = open(s, -2, "/nope");
  assert.equal(e.errorCode, 2);
  assert.equal(s.state.find(100)!.ownFds.size, 1);
});

test("openat: the path is relative to the dirfd, or to the cwd for AT_FDCWD", () => {
  const s = shell();
  open(s, 5, "/srv", O_DIRECTORY);
  s.emit(100, EventType.SYSCALL_OPENAT_2_E, [i64(5), str("data/a"), u32(1), u32(0)]);
  s.emit(100, EventType.SYSCALL_OPENAT_2_X, [i64(6), i64(5), str("data/a"), u32(1), u32(0), u32(0)]);
  assert.equal(fdName(s, 6), "/srv/data/a");
  s.emit(100, EventType.SYSCALL_OPENAT_2_X, [i64(7), i64(-100), str("b"), u32(1), u32(0), u32(0)]);
  assert.equal(fdName(s, 7), "/home/u/b");
});

test("close: the fd is still there for the close exit and gone at the next event", () => {
  const s = shell();
  open(s, 3, "/etc/hosts");
  s.emit(100, EventType.SYSCALL_CLOSE_E, [i64(3)]);
  const e = s.emit(100, EventType.SYSCALL_CLOSE_X, [i64(0)]);
  assert.equal(e.fdinfo?.name, "/etc/hosts");
  assert.equal(fdName(s, 3), "/etc/hosts");
  s.emit(100, EventType.SYSCALL_GETUID_E);
  assert.equal(fdName(s, 3), undefined);
});

test("close: a failed close keeps the fd", () => {
  const s = shell();
  open(s, 3, "/etc/hosts");
  s.emit(100, EventType.SYSCALL_CLOSE_E, [i64(3)]);
  s.emit(100, EventType.SYSCALL_CLOSE_X, [i64(-9)]);
  s.emit(100, EventType.SYSCALL_GETUID_E);
  assert.equal(fdName(s, 3), "/etc/hosts");
});

test("dup, dup2 and fcntl(F_DUPFD) copy the fd to the new number", () => {
  const s = shell();
  open(s, 3, "/etc/hosts");
  s.emit(100, EventType.SYSCALL_DUP_E, [i64(3)]);
  s.emit(100, EventType.SYSCALL_DUP_X, [i64(4)]);
  assert.equal(fdName(s, 4), "/etc/hosts");
  s.emit(100, EventType.SYSCALL_DUP2_E, [i64(3)]);
  s.emit(100, EventType.SYSCALL_DUP2_X, [i64(1), i64(3), i64(1)]);
  assert.equal(fdName(s, 1), "/etc/hosts");
  assert.ok((s.state.find(100)!.flags & (1 << 21)) !== 0, "dup to stdout marks a pipe source");
  s.emit(100, EventType.SYSCALL_FCNTL_E, [i64(3), u8(1)]);
  s.emit(100, EventType.SYSCALL_FCNTL_X, [i64(10)]);
  assert.equal(fdName(s, 10), "/etc/hosts");
  s.emit(100, EventType.SYSCALL_FCNTL_E, [i64(3), u8(3)]);
  s.emit(100, EventType.SYSCALL_FCNTL_X, [i64(11)]);
  assert.equal(fdName(s, 11), undefined, "F_GETFL returns flags, not an fd");
});

test("pipe, socketpair and the single-fd creators add fds of their kind", () => {
  const s = shell();
  s.pair(100, EventType.SYSCALL_PIPE_E, [], [i64(0), i64(5), i64(6), u64(77)]);
  s.pair(
    100,
    EventType.SOCKET_SOCKETPAIR_E,
    [u32(1), u32(1), u32(0)],
    [i64(0), i64(7), i64(8), u64(1), u64(2)],
  );
  s.pair(100, EventType.SYSCALL_EVENTFD_E, [u64(0), u32(0)], [i64(9)]);
  s.pair(100, EventType.SYSCALL_INOTIFY_INIT_E, [u8(0)], [i64(12)]);
  s.pair(100, EventType.SYSCALL_TIMERFD_CREATE_E, [u8(0), u8(0)], [i64(13)]);
  s.pair(100, EventType.SYSCALL_SIGNALFD_E, [i64(-1), u32(0), u8(0)], [i64(14)]);
  const fds = s.state.find(100)!.ownFds;
  const kinds = [5, 6, 7, 8, 9, 12, 13, 14].map((fd) => fds.get(fd)?.type);
  assert.deepEqual(kinds, [
    FdType.FIFO,
    FdType.FIFO,
    FdType.UNIX_SOCK,
    FdType.UNIX_SOCK,
    FdType.EVENT,
    FdType.INOTIFY,
    FdType.TIMERFD,
    FdType.SIGNALFD,
  ]);
});

test("TCP client: socket, connect; the fd is named by its tuple and is the client end", () => {
  const s = shell();
  s.pair(100, EventType.SOCKET_SOCKET_E, [u32(2), u32(1), u32(0)], [i64(3)]);
  const sock = s.state.find(100)!.ownFds.get(3)!;
  assert.equal(sock.type, FdType.IPV4_SOCK);
  assert.equal(sock.isRoleNone(), true);
  s.emit(100, EventType.SOCKET_CONNECT_E, [i64(3), sockaddr4("10.0.0.2", 80)]);
  const e = s.emit(100, EventType.SOCKET_CONNECT_X, [i64(0), tuple4("10.0.0.1", 40000, "10.0.0.2", 80)]);
  assert.equal(e.fdinfo?.name, "10.0.0.1:40000->10.0.0.2:80");
  assert.equal(e.fdinfo?.isRoleClient(), true);
  assert.equal(e.fdinfo?.isConnected(), true);
  assert.equal(e.fdNameChanged, true);
});

test("TCP server: bind makes a server socket; accept adds the connection as the server end", () => {
  const s = shell();
  s.pair(100, EventType.SOCKET_SOCKET_E, [u32(2), u32(1), u32(6)], [i64(3)]);
  s.pair(100, EventType.SOCKET_BIND_E, [i64(3)], [i64(0), sockaddr4("0.0.0.0", 8080)]);
  const srv = s.state.find(100)!.ownFds.get(3)!;
  assert.equal(srv.type, FdType.IPV4_SERVSOCK);
  assert.equal(srv.name, "0.0.0.0:8080");
  s.emit(100, EventType.SOCKET_ACCEPT_5_E);
  const e = s.emit(100, EventType.SOCKET_ACCEPT_5_X, [
    i64(4),
    tuple4("10.0.0.9", 5555, "10.0.0.1", 8080),
    u8(0),
    u32(0),
    u32(0),
  ]);
  assert.equal(e.fdinfo?.name, "10.0.0.9:5555->10.0.0.1:8080");
  assert.equal(e.fdinfo?.isRoleServer(), true);
  assert.equal(e.thread()?.lastEventFd, 4);
});

test("UDP: a sendto on an unknown fd infers a UDP socket named by the datagram's tuple", () => {
  const s = shell();
  s.emit(100, EventType.SOCKET_SENDTO_E, [i64(5), u32(10), tuple4("0.0.0.0", 0, "8.8.8.8", 53)]);
  s.emit(100, EventType.SOCKET_SENDTO_X, [i64(10), EMPTY]);
  const fdi = s.state.find(100)!.ownFds.get(5)!;
  assert.equal(fdi.type, FdType.IPV4_SOCK);
  assert.equal(fdi.isRoleClient(), true);
  assert.equal(fdi.name.endsWith("->8.8.8.8:53"), true, fdi.name);
});

test("unix sockets: a failed connect names the fd by the attempted tuple", () => {
  const s = shell();
  s.pair(100, EventType.SOCKET_SOCKET_E, [u32(1), u32(1), u32(0)], [i64(3)]);
  s.emit(100, EventType.SOCKET_CONNECT_E, [i64(3), Buffer.concat([u8(1), str("/run/x.sock")])]);
  const e = s.emit(100, EventType.SOCKET_CONNECT_X, [i64(-2), tupleUnix(0n, 0xabcn, "/run/x.sock")]);
  assert.equal(e.fdinfo?.name, "/run/x.sock");
  assert.equal(e.errorCode, 2);
});

test("chdir and fchdir move the process's working directory", () => {
  const s = shell();
  s.pair(100, EventType.SYSCALL_CHDIR_E, [], [i64(0), str("../tmp")]);
  assert.equal(s.state.cwd(s.state.find(100)!), "/home/tmp/");
  open(s, 3, "/var/log", O_DIRECTORY);
  s.pair(100, EventType.SYSCALL_FCHDIR_E, [i64(3)], [i64(0)]);
  assert.equal(s.state.cwd(s.state.find(100)!), "/var/log/");
});

test("pairing: an exit without its enter event finds no fd and keeps the thread's last one", () => {
  const s = shell();
  open(s, 3, "/etc/hosts");
  s.emit(100, EventType.SYSCALL_READ_E, [i64(3), u32(10)]);
  const paired = s.emit(100, EventType.SYSCALL_READ_X, [i64(5), Buffer.from("hello")]);
  assert.equal(paired.fdinfo?.name, "/etc/hosts");
  const before = s.state.counters.unpairedExits;
  const lone = s.emit(100, EventType.SYSCALL_WRITE_X, [i64(-9), EMPTY]);
  assert.equal(lone.fdinfo, undefined);
  assert.equal(lone.errorCode, 0, "libsinsp reads no errno from an unpaired exit");
  assert.equal(s.state.counters.unpairedExits, before + 1);
  assert.equal(lone.thread()?.lastEventFd, 3);
});

test("pairing: an exit that names its own fd (newer drivers) needs no enter event", () => {
  const s = shell();
  open(s, 3, "/etc/hosts");
  s.emit(100, EventType.SYSCALL_GETUID_E);
  const e = s.emit(100, EventType.SYSCALL_READ_X, [i64(5), Buffer.from("hello"), i64(3), u32(5)]);
  assert.equal(e.fdinfo?.name, "/etc/hosts");
});

test("pairing: the old openat exit takes its path from the stored enter event", () => {
  const s = shell();
  s.emit(100, EventType.SYSCALL_OPENAT_E, [i64(-100), str("rel"), u32(1), u32(0)]);
  s.emit(100, EventType.SYSCALL_OPENAT_X, [i64(3)]);
  assert.equal(fdName(s, 3), "/home/u/rel");
  s.emit(100, EventType.SYSCALL_GETUID_E);
  s.emit(100, EventType.SYSCALL_OPENAT_X, [i64(4)]);
  assert.equal(fdName(s, 4), undefined, "no enter event, no path");
});

test("a forked child's fds are copies: closing one leaves the parent's", () => {
  const s = shell();
  open(s, 3, "/etc/hosts");
  s.emit(100, EventType.SYSCALL_FORK_20_X, cloneChild());
  s.emit(200, EventType.SYSCALL_CLOSE_E, [i64(3)]);
  s.emit(200, EventType.SYSCALL_CLOSE_X, [i64(0)]);
  s.emit(200, EventType.SYSCALL_GETUID_E);
  assert.equal(s.state.find(200)!.ownFds.get(3), undefined);
  assert.equal(fdName(s, 3), "/etc/hosts");
});

function cloneChild(): Buffer[] {
  return [
    i64(200),
    str("bash"),
    EMPTY,
    i64(100),
    i64(100),
    i64(1),
    str(""),
    i64(1024),
    u64(0),
    u64(0),
    u32(0),
    u32(0),
    u32(0),
    str("bash"),
    EMPTY,
    u32(0),
    u32(0),
    u32(0),
    i64(100),
    i64(100),
  ];
}
