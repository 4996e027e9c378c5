// Parameter rendering, type by type: each row builds one event with the parameter's bytes, reads
// it back through the scap reader and checks the printed value and resolved form (what sysdig
// 0.29.3 shows as `value(resolved)` in evt.args), optionally with a state context.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BufferFormat,
  NO_STATE,
  argsCount,
  paramIndex,
  renderArgs,
  renderInfo,
  renderParam,
  renderParamByName,
  renderParamResolved,
  renderParamValue,
  renderRawParam,
  renderRawParamByName,
  renderRawResult,
  renderResult,
  type RenderContext,
} from "../../../src/capture/events/render.js";
import { formatG, ipv6Text, resolveRelativePath } from "../../../src/capture/events/render/text.js";
import { EVENT_TABLE, EventType } from "../../../src/capture/events/table.js";
import { readScapBuffer, type ScapEvent } from "../../../src/capture/scap/reader.js";
import { cstr, eventV2, sectionHeader } from "./scap-builder.js";

const i64 = (v: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt.asIntN(64, BigInt(v)));
  return b;
};
const u64 = (v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
};
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
const i32 = (v: number): Buffer => u32(v | 0);
const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v & 0xffff);
  return b;
};
const u8 = (v: number): Buffer => Buffer.from([v & 0xff]);
const bytes = (...v: number[]): Buffer => Buffer.from(v);

/** Reads one synthetic event and hands the view to `fn` (valid only during the call). */
function withEvent<T>(type: number, params: Buffer[], fn: (ev: ScapEvent) => T): T {
  let out: T | undefined;
  let seen = false;
  const res = readScapBuffer(
    Buffer.concat([sectionHeader(), eventV2({ ts: 1_000_000_000n, tid: 42, type, params })]),
    {
      onEvent(ev) {
        out = fn(ev);
        seen = true;
      },
    },
  );
  assert.equal(res.error, null);
  assert.ok(seen);
  return out as T;
}

/** The params of an event with `bytes` at the parameter `name` and zero-filled placeholders before. */
function paramsFor(type: number, name: string, value: Buffer, extra: Record<string, Buffer> = {}): Buffer[] {
  const params = EVENT_TABLE[type]!.params;
  const idx = params.findIndex((p) => p.name === name);
  assert.ok(idx >= 0, `${EVENT_TABLE[type]!.name} has no parameter ${name}`);
  const out: Buffer[] = [];
  for (let i = 0; i <= idx; i++) out.push(i === idx ? value : (extra[params[i]!.name] ?? Buffer.alloc(8)));
  return out;
}

interface Row {
  what: string;
  event: keyof typeof EventType;
  param: string;
  bytes: Buffer;
  value: string;
  resolved?: string;
  ctx?: RenderContext;
  extra?: Record<string, Buffer>;
}

const fds: RenderContext = {
  fdName: (fd) =>
    fd === 3 ? "/etc/passwd" : fd === 5 ? "/tmp/dir" : fd === 7 ? "bad\nname\u00e9" : undefined,
  fdTypeChar: (fd) => (fd === 3 ? "f" : fd === 5 ? "d" : fd === 7 ? "f" : undefined),
  cwd: () => "/home/user/",
  threadComm: (tid) => (tid === 1234 ? "bash" : undefined),
  userName: (uid) => (uid === 0 ? "root" : uid === 1000 ? "al\tice" : undefined),
  groupName: (gid) => (gid === 0 ? "root" : undefined),
};
const simple: RenderContext = { ...fds, bufferFormat: BufferFormat.SIMPLE };

const E = EventType;
const ROWS: Row[] = [
  // errno results
  {
    what: "errno -2",
    event: "SYSCALL_CLOSE_X",
    param: "res",
    bytes: i64(-2),
    value: "-2",
    resolved: "ENOENT",
  },
  { what: "errno 0", event: "SYSCALL_CLOSE_X", param: "res", bytes: i64(0), value: "0" },
  { what: "errno without a name", event: "SYSCALL_CLOSE_X", param: "res", bytes: i64(-41), value: "-41" },
  {
    what: "errno 512",
    event: "SYSCALL_CLOSE_X",
    param: "res",
    bytes: i64(-512),
    value: "-512",
    resolved: "ERESTARTSYS",
  },
  {
    what: "positive result",
    event: "SYSCALL_CLOSE_X",
    param: "res",
    bytes: i64(2 ** 40),
    value: "1099511627776",
  },
  // fds
  { what: "fd without state", event: "SYSCALL_CLOSE_E", param: "fd", bytes: i64(3), value: "3" },
  {
    what: "fd in the table",
    event: "SYSCALL_CLOSE_E",
    param: "fd",
    bytes: i64(3),
    value: "3",
    resolved: "<f>/etc/passwd",
    ctx: fds,
  },
  {
    what: "fd name sanitised",
    event: "SYSCALL_CLOSE_E",
    param: "fd",
    bytes: i64(7),
    value: "7",
    resolved: "<f>badname",
    ctx: fds,
  },
  {
    what: "fd SIMPLE style",
    event: "SYSCALL_CLOSE_E",
    param: "fd",
    bytes: i64(3),
    value: "3",
    resolved: "<>/etc/passwd",
    ctx: simple,
  },
  { what: "fd not in the table", event: "SYSCALL_CLOSE_E", param: "fd", bytes: i64(4), value: "4", ctx: fds },
  {
    what: "AT_FDCWD",
    event: "SYSCALL_OPENAT_2_X",
    param: "dirfd",
    bytes: i64(-100),
    value: "-100",
    resolved: "AT_FDCWD",
  },
  {
    what: "fd as errno",
    event: "SYSCALL_CLOSE_E",
    param: "fd",
    bytes: i64(-9),
    value: "-9",
    resolved: "EBADF",
  },
  {
    what: "fd stored as u32 -1",
    event: "SYSCALL_MMAP_E",
    param: "fd",
    bytes: i64(0xffffffff),
    value: "4294967295",
  },
  // pids, signals
  {
    what: "pid with comm",
    event: "SYSCALL_KILL_E",
    param: "pid",
    bytes: i64(1234),
    value: "1234",
    resolved: "bash",
    ctx: fds,
  },
  { what: "pid unknown", event: "SYSCALL_KILL_E", param: "pid", bytes: i64(99), value: "99", ctx: fds },
  { what: "signal", event: "SYSCALL_KILL_E", param: "sig", bytes: u8(9), value: "9", resolved: "SIGKILL" },
  { what: "real-time signal", event: "SYSCALL_KILL_E", param: "sig", bytes: u8(40), value: "40" },
  { what: "sigset", event: "SYSCALL_PPOLL_E", param: "sigmask", bytes: u32(0x101), value: "SIGHUP SIGKILL" },
  { what: "empty sigset", event: "SYSCALL_PPOLL_E", param: "sigmask", bytes: u32(0), value: "" },
  // integers in their print formats
  { what: "u32 dec", event: "SYSCALL_READ_E", param: "size", bytes: u32(832), value: "832" },
  {
    what: "u32 dec above 2^31 (printed with %d)",
    event: "SYSCALL_READ_E",
    param: "size",
    bytes: u32(0xffffffff),
    value: "-1",
  },
  { what: "u32 hex", event: "SYSCALL_OPEN_X", param: "dev", bytes: u32(0xfd01), value: "FD01" },
  { what: "u32 oct", event: "SYSCALL_OPEN_E", param: "mode", bytes: u32(0o644), value: "0644" },
  { what: "u32 oct zero", event: "SYSCALL_OPEN_E", param: "mode", bytes: u32(0), value: "0" },
  { what: "u64 hex", event: "SYSCALL_BRK_1_X", param: "res", bytes: i64(0x926000), value: "926000" },
  {
    what: "u64 hex high bits",
    event: "SYSCALL_BRK_1_X",
    param: "res",
    bytes: u64(0xffffffff00000001n),
    value: "FFFFFFFF00000001",
  },
  {
    what: "u64 dec (signed)",
    event: "PROCINFO_E",
    param: "cpu_usr",
    bytes: u64(2n ** 64n - 1n),
    value: "-1",
  },
  {
    what: "u64 dec large",
    event: "PROCINFO_E",
    param: "cpu_usr",
    bytes: u64(2n ** 60n),
    value: "1152921504606846976",
  },
  { what: "i64 dec", event: "SYSCALL_POLL_E", param: "timeout", bytes: i64(-1), value: "-1" },
  { what: "i32 hex negative", event: "SOCKET_ACCEPT4_E", param: "flags", bytes: i32(-1), value: "FFFFFFFF" },
  { what: "i16 dec", event: "SYSCALL_SEMOP_X", param: "sem_op_0", bytes: u16(0xfffe), value: "-2" },
  { what: "u16 dec", event: "SYSCALL_SEMOP_X", param: "sem_num_0", bytes: u16(0xfffe), value: "65534" },
  {
    what: "u8 hex (sysdig: flags8 printed decimal)",
    event: "SYSCALL_SIGNALFD_E",
    param: "flags",
    bytes: u8(0x80),
    value: "128",
  },
  { what: "wrong size", event: "SYSCALL_READ_E", param: "size", bytes: u16(1), value: "<NA>" },
  // flags, enums, modes
  {
    what: "open flags",
    event: "SYSCALL_OPEN_X",
    param: "flags",
    bytes: u32(4097),
    value: "4097",
    resolved: "O_RDONLY|O_CLOEXEC",
  },
  {
    what: "open flags O_NONE",
    event: "SYSCALL_OPEN_X",
    param: "flags",
    bytes: u32(0),
    value: "0",
    resolved: "O_NONE",
  },
  {
    what: "O_RDWR not split",
    event: "SYSCALL_OPEN_X",
    param: "flags",
    bytes: u32(3 | 4 | 64),
    value: "71",
    resolved: "O_NONBLOCK|O_CREAT|O_RDWR",
  },
  {
    what: "bits newer than sysdig",
    event: "SYSCALL_OPEN_X",
    param: "flags",
    bytes: u32(16384 | 1),
    value: "16385",
    resolved: "O_RDONLY",
  },
  {
    what: "mmap prot",
    event: "SYSCALL_MMAP_E",
    param: "prot",
    bytes: u32(3),
    value: "3",
    resolved: "PROT_READ|PROT_WRITE",
  },
  {
    what: "mmap prot none",
    event: "SYSCALL_MMAP_E",
    param: "prot",
    bytes: u32(0),
    value: "0",
    resolved: "PROT_NONE",
  },
  {
    what: "fcntl cmd (enum, sysdig's table)",
    event: "SYSCALL_FCNTL_E",
    param: "cmd",
    bytes: u8(17),
    value: "17",
    resolved: "F_GETLK64",
  },
  {
    what: "fcntl F_SETFL",
    event: "SYSCALL_FCNTL_E",
    param: "cmd",
    bytes: u8(5),
    value: "5",
    resolved: "F_SETFL",
  },
  {
    what: "prctl option (newer event, exact match)",
    event: "SYSCALL_PRCTL_X",
    param: "option",
    bytes: u32(15),
    value: "15",
    resolved: "PR_SET_NAME",
  },
  {
    what: "prctl unknown option",
    event: "SYSCALL_PRCTL_X",
    param: "option",
    bytes: u32(1000),
    value: "1000",
  },
  {
    what: "linkat flags (its own table, not unlinkat's)",
    event: "SYSCALL_LINKAT_2_X",
    param: "flags",
    bytes: u32(1024 | 4096),
    value: "5120",
    resolved: "AT_SYMLINK_FOLLOW|AT_EMPTY_PATH",
  },
  {
    what: "eventfd flags (sysdig: flags32 without table)",
    event: "SYSCALL_EVENTFD_E",
    param: "flags",
    bytes: u32(0x80000),
    value: "524288",
  },
  {
    what: "chmod mode",
    event: "SYSCALL_CHMOD_X",
    param: "mode",
    bytes: u32(0o755),
    value: "0755",
    resolved: "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR",
  },
  // users and groups
  {
    what: "uid known",
    event: "SYSCALL_SETUID_E",
    param: "uid",
    bytes: u32(0),
    value: "0",
    resolved: "root",
    ctx: fds,
  },
  {
    what: "uid name sanitised",
    event: "SYSCALL_SETUID_E",
    param: "uid",
    bytes: u32(1000),
    value: "1000",
    resolved: "alice",
    ctx: fds,
  },
  {
    what: "uid unknown",
    event: "SYSCALL_SETUID_E",
    param: "uid",
    bytes: u32(1001),
    value: "1001",
    resolved: "<NA>",
  },
  {
    what: "uid -1",
    event: "SYSCALL_SETUID_E",
    param: "uid",
    bytes: u32(0xffffffff),
    value: "-1",
    resolved: "<NONE>",
  },
  {
    what: "gid known",
    event: "SYSCALL_SETGID_E",
    param: "gid",
    bytes: u32(0),
    value: "0",
    resolved: "root",
    ctx: fds,
  },
  // socket addresses and tuples
  {
    what: "sockaddr inet",
    event: "SOCKET_CONNECT_E",
    param: "addr",
    bytes: Buffer.concat([u8(2), bytes(1, 2, 3, 4), u16(80)]),
    value: "1.2.3.4:80",
  },
  {
    what: "sockaddr inet6",
    event: "SOCKET_CONNECT_E",
    param: "addr",
    bytes: Buffer.concat([u8(10), Buffer.alloc(15), u8(1), u16(443)]),
    value: "::1:443",
  },
  {
    what: "sockaddr unix",
    event: "SOCKET_CONNECT_E",
    param: "addr",
    bytes: Buffer.concat([u8(1), cstr("/var/run/\u0001x.sock")]),
    value: "/var/run/x.sock",
  },
  {
    what: "sockaddr abstract unix",
    event: "SOCKET_CONNECT_E",
    param: "addr",
    bytes: Buffer.concat([u8(1), bytes(0, 0x61)]),
    value: "",
  },
  {
    what: "sockaddr bad inet length",
    event: "SOCKET_CONNECT_E",
    param: "addr",
    bytes: Buffer.concat([u8(2), bytes(1, 2, 3)]),
    value: "INVALID IPv4",
  },
  { what: "sockaddr empty", event: "SOCKET_CONNECT_E", param: "addr", bytes: Buffer.alloc(0), value: "NULL" },
  {
    what: "sockaddr other family",
    event: "SOCKET_CONNECT_E",
    param: "addr",
    bytes: bytes(0xf0, 1),
    value: "family -16",
  },
  {
    what: "socktuple inet",
    event: "SOCKET_CONNECT_X",
    param: "tuple",
    bytes: Buffer.concat([u8(2), bytes(1, 2, 3, 4), u16(80), bytes(5, 6, 7, 8), u16(1234)]),
    value: "1.2.3.4:80->5.6.7.8:1234",
  },
  {
    what: "socktuple inet6",
    event: "SOCKET_CONNECT_X",
    param: "tuple",
    bytes: Buffer.concat([
      u8(10),
      Buffer.from("20010db8000000000000000000000001", "hex"),
      u16(37140),
      Buffer.from("26074f8b40040802000000000000200a", "hex"),
      u16(80),
    ]),
    value: "2001:db8::1:37140->2607:4f8b:4004:802::200a:80",
  },
  {
    what: "socktuple v4-mapped",
    event: "SOCKET_CONNECT_X",
    param: "tuple",
    bytes: Buffer.concat([
      u8(10),
      Buffer.from("00000000000000000000ffff7f000001", "hex"),
      u16(5000),
      Buffer.from("00000000000000000000ffff0a000002", "hex"),
      u16(80),
    ]),
    value: "127.0.0.1:5000->10.0.0.2:80",
  },
  {
    what: "socktuple unix",
    event: "SOCKET_CONNECT_X",
    param: "tuple",
    bytes: Buffer.concat([u8(1), u64(0xffff9a0012345678n), u64(0n), cstr("/tmp/s")]),
    value: "ffff9a0012345678->0 /tmp/s",
  },
  {
    what: "socktuple empty",
    event: "SOCKET_CONNECT_X",
    param: "tuple",
    bytes: Buffer.alloc(0),
    value: "NULL",
  },
  {
    what: "socktuple bad inet6 length",
    event: "SOCKET_CONNECT_X",
    param: "tuple",
    bytes: Buffer.concat([u8(10), Buffer.alloc(10)]),
    value: "INVALID IPv6",
  },
  // buffers
  {
    what: "bytebuf dots",
    event: "SYSCALL_WRITE_X",
    param: "data",
    bytes: Buffer.from("hello\nworld\0\u00ff"),
    value: "hello.world...",
  },
  { what: "bytebuf empty", event: "SYSCALL_WRITE_X", param: "data", bytes: Buffer.alloc(0), value: "" },
  {
    what: "bytebuf cut at 80",
    event: "SYSCALL_WRITE_X",
    param: "data",
    bytes: Buffer.alloc(81, 0x61),
    value: "a".repeat(77) + "...",
  },
  {
    what: "bytebuf of exactly 80",
    event: "SYSCALL_WRITE_X",
    param: "data",
    bytes: Buffer.alloc(80, 0x61),
    value: "a".repeat(80),
  },
  {
    what: "bytebuf whole (-v)",
    event: "SYSCALL_WRITE_X",
    param: "data",
    bytes: Buffer.alloc(100, 0x61),
    value: "a".repeat(100),
    ctx: { ...NO_STATE, maxBufferLength: 0 },
  },
  {
    what: "bytebuf -x",
    event: "SYSCALL_WRITE_X",
    param: "data",
    bytes: Buffer.from("ABC"),
    value: "\n\t0x0000: 4142 43\n",
    ctx: { ...NO_STATE, bufferFormat: BufferFormat.HEX },
  },
  {
    what: "bytebuf -X",
    event: "SYSCALL_WRITE_X",
    param: "data",
    bytes: Buffer.from("0123456789abcdef\u0001Z"),
    value:
      "\n\t0x0000: 3031 3233 3435 3637 3839 6162 6364 6566  0123456789abcdef" +
      "\n\t0x0010: 015a                                     .Z\n",
    ctx: { ...NO_STATE, bufferFormat: BufferFormat.HEXASCII },
  },
  {
    what: "bytebuf -A",
    event: "SYSCALL_WRITE_X",
    param: "data",
    bytes: Buffer.from("\na\r\nb\x00c\n"),
    value: "\na\nbc\n",
    ctx: { ...NO_STATE, bufferFormat: BufferFormat.EOLS },
  },
  {
    what: "bytebuf -b",
    event: "SYSCALL_WRITE_X",
    param: "data",
    bytes: Buffer.from("hi!?"),
    value: "aGkhPw==",
    ctx: { ...NO_STATE, bufferFormat: BufferFormat.BASE64 },
  },
  {
    what: "charbuf",
    event: "SYSCALL_EXECVE_19_X",
    param: "exe",
    bytes: cstr("caf\u00e9"),
    value: "caf\u00e9",
  },
  {
    what: "charbuf stops at NUL",
    event: "SYSCALL_EXECVE_19_X",
    param: "exe",
    bytes: Buffer.from("a\0b\0"),
    value: "a",
  },
  {
    what: "args as a buffer",
    event: "SYSCALL_EXECVE_19_X",
    param: "args",
    bytes: Buffer.from("-l\0/tmp\0"),
    value: "-l./tmp.",
  },
  // paths
  {
    what: "absolute path",
    event: "SYSCALL_OPEN_X",
    param: "name",
    bytes: cstr("/etc/passwd"),
    value: "/etc/passwd",
    ctx: fds,
  },
  {
    what: "relative path",
    event: "SYSCALL_OPEN_X",
    param: "name",
    bytes: cstr("a/../b/./c"),
    value: "a/../b/./c",
    resolved: "/home/user/b/c",
    ctx: fds,
  },
  { what: "relative path, no thread", event: "SYSCALL_OPEN_X", param: "name", bytes: cstr("a"), value: "a" },
  { what: "path <NA>", event: "SYSCALL_OPEN_X", param: "name", bytes: cstr("<NA>"), value: "<NA>", ctx: fds },
  {
    what: "path unprintable",
    event: "SYSCALL_OPEN_X",
    param: "name",
    bytes: cstr("x\ty"),
    value: "xy",
    resolved: "/home/user/x.y",
    ctx: fds,
  },
  {
    what: "path without NUL loses a char",
    event: "SYSCALL_OPEN_X",
    param: "name",
    bytes: Buffer.from("/abc"),
    value: "/ab",
  },
  {
    what: "relpath against dirfd",
    event: "SYSCALL_OPENAT_2_X",
    param: "name",
    bytes: cstr("x/../y"),
    extra: { dirfd: i64(5) },
    value: "x/../y",
    resolved: "/tmp/dir/y",
    ctx: fds,
  },
  {
    what: "relpath against AT_FDCWD",
    event: "SYSCALL_OPENAT_2_X",
    param: "name",
    bytes: cstr("y"),
    extra: { dirfd: i64(-100) },
    value: "y",
    resolved: "/home/user/y",
    ctx: fds,
  },
  // fd lists, times, syscall ids, dynamic params
  {
    what: "fd list",
    event: "SYSCALL_POLL_E",
    param: "fds",
    bytes: Buffer.concat([u16(2), i64(3), u16(1), i64(4), u16(0x8000)]),
    value: "3:f1 4:?ffff8000",
    ctx: fds,
  },
  {
    what: "fd list, no thread",
    event: "SYSCALL_POLL_E",
    param: "fds",
    bytes: Buffer.concat([u16(1), i64(3), u16(1)]),
    value: "",
  },
  {
    what: "reltime",
    event: "SYSCALL_NANOSLEEP_E",
    param: "interval",
    bytes: u64(1_500_000_000n),
    value: "1500000000",
    resolved: "1.5s",
  },
  {
    what: "reltime small",
    event: "SYSCALL_NANOSLEEP_E",
    param: "interval",
    bytes: u64(1000n),
    value: "1000",
    resolved: "1e-06s",
  },
  {
    what: "reltime none",
    event: "SYSCALL_NANOSLEEP_E",
    param: "interval",
    bytes: u64(2n ** 64n - 1n),
    value: "none",
  },
  { what: "syscall id", event: "GENERIC_E", param: "ID", bytes: u16(5), value: "5", resolved: "open" },
  { what: "syscall id 0", event: "GENERIC_E", param: "ID", bytes: u16(0), value: "0", resolved: "<unknown>" },
  {
    what: "syscall id renamed since",
    event: "GENERIC_E",
    param: "ID",
    bytes: u16(298),
    value: "298",
    resolved: "sigreturn",
  },
  {
    what: "syscall id beyond sysdig's table",
    event: "GENERIC_E",
    param: "ID",
    bytes: u16(400),
    value: "<unknown syscall>",
  },
  {
    what: "dynamic u32",
    event: "SOCKET_SETSOCKOPT_X",
    param: "val",
    bytes: Buffer.concat([u8(2), u32(7)]),
    value: "7",
  },
  {
    what: "dynamic errno",
    event: "SOCKET_SETSOCKOPT_X",
    param: "val",
    bytes: Buffer.concat([u8(1), i64(-13)]),
    value: "-13",
    resolved: "EACCES",
  },
  {
    what: "dynamic bad index",
    event: "SOCKET_SETSOCKOPT_X",
    param: "val",
    bytes: Buffer.concat([u8(9), u32(7)]),
    value: "INVALID DYNAMIC PARAMETER",
  },
  {
    what: "dynamic empty",
    event: "SOCKET_SETSOCKOPT_X",
    param: "val",
    bytes: Buffer.alloc(0),
    value: "INVALID DYNAMIC PARAMETER",
  },
  // sysdig 0.29.3's table where today's differs
  {
    what: "mmap res is a hex u64 for sysdig",
    event: "SYSCALL_MMAP_X",
    param: "res",
    bytes: i64(0x7fad48782000),
    value: "7FAD48782000",
  },
  {
    what: "setpgid res is a pid for sysdig",
    event: "SYSCALL_SETPGID_X",
    param: "res",
    bytes: i64(1234),
    value: "1234",
    resolved: "bash",
    ctx: fds,
  },
  {
    what: "execve tty is an int32 for sysdig",
    event: "SYSCALL_EXECVE_19_X",
    param: "tty",
    bytes: u32(0xffffffff),
    value: "-1",
  },
];

for (const row of ROWS) {
  test(`renders ${row.what}`, () => {
    const type = E[row.event];
    const ctx = row.ctx ?? NO_STATE;
    withEvent(type, paramsFor(type, row.param, row.bytes, row.extra), (ev) => {
      const i = paramIndex(ev, row.param, true);
      assert.ok(i >= 0);
      assert.equal(renderParamValue(ev, i, ctx), row.value, "value");
      assert.equal(renderParamResolved(ev, i, ctx), row.resolved ?? "", "resolved");
      assert.equal(renderParam(ev, i, ctx), row.resolved ?? row.value, "evt.arg");
    });
  });
}

test("evt.args: name=value(resolved) for the parameters sysdig loads, trailing space included", () => {
  const open = [i64(3), cstr("/etc/ld.so.cache"), u32(4097), u32(0), u32(0xfd01), i64(1234)];
  withEvent(E.SYSCALL_OPEN_X, open, (ev) => {
    assert.equal(argsCount(ev), 5, "sysdig's open exit has 5 parameters, ino came later");
    assert.equal(
      renderArgs(ev, fds),
      "fd=3(<f>/etc/passwd) name=/etc/ld.so.cache flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=FD01 ",
    );
    assert.equal(renderInfo(ev, fds), renderArgs(ev, fds));
    assert.equal(renderParamByName(ev, "ino", fds), undefined, "not loaded by sysdig");
    assert.equal(renderParam(ev, 5, fds), "1234", "but reachable by index");
    assert.equal(paramIndex(ev, "ino", true), 5);
  });
  withEvent(E.SYSCALL_BRK_1_E, [], (ev) => assert.equal(renderArgs(ev, NO_STATE), ""));
  withEvent(E.GENERIC_E, [u16(5), u16(2)], (ev) =>
    assert.equal(renderArgs(ev, NO_STATE), "", "generic events"),
  );
});

test("renamed parameters are found by sysdig's and today's names", () => {
  const params: Buffer[] = EVENT_TABLE[E.SYSCALL_EXECVE_19_X]!.params.map(() => Buffer.alloc(8));
  params[17] = i64(77); // vpgid (sysdig: pgid)
  params[28] = i64(88); // pgid (today)
  withEvent(E.SYSCALL_EXECVE_19_X, params, (ev) => {
    assert.equal(argsCount(ev), 20);
    assert.equal(renderParamByName(ev, "pgid", NO_STATE), "77");
    assert.equal(renderParamByName(ev, "vpgid", NO_STATE), "77");
    assert.equal(renderParam(ev, paramIndex(ev, "pgid", true), NO_STATE), "88");
    assert.match(renderArgs(ev, NO_STATE), / pgid=77 loginuid=0 flags=0 $/);
  });
});

test("raw values: numbers by type, bigint beyond 2^53, text up to NUL", () => {
  withEvent(E.SYSCALL_CLOSE_X, [i64(-2)], (ev) => assert.equal(renderRawParam(ev, 0), -2));
  withEvent(E.PROCINFO_E, [u64(2n ** 60n), u64(5n)], (ev) => {
    assert.equal(renderRawParam(ev, 0), 2n ** 60n);
    assert.equal(renderRawParam(ev, 1), 5);
    assert.equal(renderRawParam(ev, 2), undefined);
  });
  withEvent(E.SYSCALL_OPEN_X, [i64(3), cstr("/x"), u32(4097)], (ev) => {
    assert.equal(renderRawParamByName(ev, "name"), "/x");
    assert.equal(renderRawParamByName(ev, "flags"), 4097);
    assert.equal(renderRawParamByName(ev, "fd"), 3);
    assert.equal(renderRawParamByName(ev, "mode"), undefined);
  });
  withEvent(E.SYSCALL_READ_X, [i64(5), Buffer.from("ab\0cd")], (ev) =>
    assert.equal(renderRawParam(ev, 1), "ab"),
  );
  withEvent(E.SYSCALL_KILL_E, [i64(-1), u8(9)], (ev) => {
    assert.equal(renderRawParam(ev, 0), -1);
    assert.equal(renderRawParam(ev, 1), 9);
  });
  withEvent(
    E.SOCKET_SETSOCKOPT_X,
    paramsFor(E.SOCKET_SETSOCKOPT_X, "val", Buffer.concat([u8(2), u32(7)])),
    (ev) => assert.equal(renderRawParamByName(ev, "val"), 7),
  );
});

test("evt.res and evt.rawres: res, or the fd of fd-creating exits", () => {
  const cases: [string, number, Buffer[], string | undefined, number | undefined][] = [
    ["close res 0", E.SYSCALL_CLOSE_X, [i64(0)], "SUCCESS", 0],
    ["close res -2", E.SYSCALL_CLOSE_X, [i64(-2)], "ENOENT", -2],
    ["res without errno name", E.SYSCALL_CLOSE_X, [i64(-1000)], "-1000", -1000],
    ["open fd 3", E.SYSCALL_OPEN_X, [i64(3), cstr("/x")], "SUCCESS", 3],
    ["open fd -13", E.SYSCALL_OPEN_X, [i64(-13), cstr("/x")], "EACCES", -13],
    ["mmap res (a hex u64 for sysdig)", E.SYSCALL_MMAP_X, [i64(-12)], "FFFFFFFFFFFFFFF4", -12],
    ["enter event", E.SYSCALL_CLOSE_E, [i64(3)], undefined, undefined],
    ["kill enter", E.SYSCALL_KILL_E, [i64(3), u8(9)], undefined, undefined],
  ];
  for (const [what, type, params, res, raw] of cases) {
    withEvent(type, params, (ev) => {
      assert.equal(renderResult(ev, NO_STATE), res, what);
      assert.equal(renderRawResult(ev), raw, what);
    });
  }
});

test("evt.info decodes syslog writes when the fd carries the decoder", () => {
  const devlog: RenderContext = { ...NO_STATE, isDevLogWrite: () => true };
  const cases: [string, string][] = [
    ["<14>Jan  1 00:00:00 app: hello\0", "syslog sev=info msg=Jan  1 00:00:00 app: hello"],
    ["<11>x", "syslog sev=err msg=x"],
    ["<x>bad", "res=0 data=<x>bad "],
    ["<>", "res=0 data=<> "],
  ];
  for (const [data, want] of cases) {
    withEvent(E.SYSCALL_WRITE_X, [i64(0), Buffer.from(data)], (ev) =>
      assert.equal(renderInfo(ev, devlog), want, data),
    );
  }
});

test("text helpers: %g, inet_ntop, path normalisation", () => {
  const g: [number, string][] = [
    [1.5, "1.5"],
    [0.001, "0.001"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [123456, "123456"],
    [1234567, "1.23457e+06"],
    [0.1234567, "0.123457"],
    [100, "100"],
    [0, "0"],
  ];
  for (const [v, s] of g) assert.equal(formatG(v), s, String(v));
  const v6: [string, string][] = [
    ["00000000000000000000000000000000", "::"],
    ["00000000000000000000000000000001", "::1"],
    ["00000000000000000000ffff01020304", "::ffff:1.2.3.4"],
    ["00000000000000000000000001020304", "::1.2.3.4"],
    ["20010db8000000010000000000000001", "2001:db8:0:1::1"],
    ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"],
    ["fe800000000000000000000000000000", "fe80::"],
    ["00010000000100000001000000010000", "1:0:1:0:1:0:1:0"],
  ];
  for (const [hex, s] of v6) assert.equal(ipv6Text(Buffer.from(hex, "hex"), 0), s, hex);
  const paths: [string, string, string][] = [
    ["/a/b/", "c", "/a/b/c"],
    ["/a/b/", "../c", "/a/c"],
    ["/a/b/", "../../../c", "/c"],
    ["/a/b/", "c/", "/a/b/c"],
    ["/a/b/", "c//d", "/a/b/c/d"],
    ["/a/b/", "./c/.", "/a/b/c"],
    ["/a/b/", "c/..", "/a/b"],
    ["/a/b/", "x./y", "/a/b/xy"], // libsinsp drops "./" wherever it occurs
    ["/a/b/", "/abs", ""],
    ["", "rel", "rel"],
  ];
  for (const [base, p, want] of paths) {
    const b = Buffer.from(p + "\0");
    assert.equal(resolveRelativePath(base, b, 0, b.length), want, `${base} + ${p}`);
  }
});
