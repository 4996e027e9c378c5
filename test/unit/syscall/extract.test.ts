// Field values of the syscall source on synthetic events: each case builds a little history, then
// reads fields of its last event and compares their values and their printed text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { syscallSchema } from "../../../src/fields/syscall/schema.js";
import { anyOfMode, createSyscallSource } from "../../../src/fields/syscall/source.js";
import { compileCondition } from "../../../src/engine/compile.js";
import { parseCondition } from "../../../src/rules/language/parser.js";
import type { SyscallEvent } from "../../../src/state/event.js";
import {
  EventType,
  Synth,
  cloneParams,
  execveParams,
  i64,
  processRecord,
  sockaddr4,
  str,
  tuple4,
  u16,
  u32,
} from "../state/synth.js";

const source = createSyscallSource();

function read(e: SyscallEvent, name: string): unknown {
  const r = syscallSchema.catalogue.resolve(name, undefined);
  assert.ok(r.ok, name);
  return source.extractor(r.field)(e);
}

function text(e: SyscallEvent, name: string): string {
  const r = syscallSchema.catalogue.resolve(name, undefined);
  assert.ok(r.ok, name);
  const v = source.extractor(r.field)(e);
  return v === undefined ? "<NA>" : source.render(r.field, v);
}

/** A family: systemd (1) -> sshd (50) -> bash (100, cwd /home/u) -> cat (200, after fork + execve). */
function family(): Synth {
  const s = new Synth().record(
    processRecord({ tid: 1, pid: 1, ptid: 0, comm: "systemd" }),
    processRecord({ tid: 50, pid: 50, ptid: 1, comm: "sshd", uid: 0 }),
    processRecord({
      tid: 100,
      pid: 100,
      ptid: 50,
      comm: "bash",
      args: ["-i"],
      cwd: "/home/u",
      uid: 1000,
      gid: 1000,
      env: ["HOME=/home/u", "TERM=xterm"],
    }),
  );
  s.processor.onRecord({
    kind: "user",
    blockOffset: 0,
    uid: 1000,
    gid: 1000,
    name: "alice",
    homedir: "/home/u",
    shell: "/bin/bash",
  });
  s.processor.onRecord({ kind: "group", blockOffset: 0, gid: 1000, name: "staff" });
  s.processor.onRecord({
    kind: "interface",
    blockOffset: 0,
    type: 1,
    family: 4,
    name: "eth0",
    addr: "10.0.0.1",
    netmask: "255.0.0.0",
    bcast: "10.255.255.255",
    linkspeed: 0,
  });
  s.emit(
    100,
    EventType.SYSCALL_CLONE_20_X,
    cloneParams({ res: 200, exe: "bash", tid: 100, pid: 100, ptid: 50, uid: 1000, gid: 1000 }),
  );
  s.emit(200, EventType.SYSCALL_EXECVE_19_E, [str("/bin/cat")]);
  s.emit(
    200,
    EventType.SYSCALL_EXECVE_19_X,
    execveParams({ exe: "cat", args: ["notes.txt"], tid: 200, pid: 200, ptid: 100, env: ["HOME=/home/u"] }),
  );
  return s;
}

test("process fields: names, ancestry, command line, environment, user", () => {
  const s = family();
  const e = s.emit(200, EventType.SYSCALL_GETUID_E);
  const cases: [string, string][] = [
    ["proc.name", "cat"],
    ["proc.pid", "200"],
    ["proc.ppid", "100"],
    ["proc.pname", "bash"],
    ["proc.pcmdline", "bash -i"],
    ["proc.cmdline", "cat notes.txt"],
    ["proc.args", "notes.txt"],
    ["proc.exepath", "/bin/cat"],
    ["proc.cwd", "/home/u/"],
    ["proc.env", "HOME=/home/u"],
    ["proc.aname[0]", "cat"],
    ["proc.aname[2]", "sshd"],
    ["proc.aname[3]", "systemd"],
    ["proc.aname[9]", "<NA>"],
    ["proc.apid[1]", "100"],
    // No session id: the eldest ancestor in the same (unknown) session.
    ["proc.sname", "systemd"],
    ["thread.tid", "200"],
    ["thread.ismain", "true"],
    ["proc.vpid", "200"],
    ["user.uid", "1000"],
    ["user.name", "alice"],
    ["user.homedir", "/home/u"],
    ["user.loginuid", "-1"],
    ["group.gid", "1000"],
    ["group.name", "staff"],
    ["container.id", "host"],
    ["container.name", "host"],
    ["container.image", "<NA>"],
  ];
  for (const [field, want] of cases) assert.equal(text(e, field), want, field);
  assert.deepEqual(
    read(e, "proc.aname"),
    ["bash", "sshd", "systemd"],
    "proc.aname without index: the ancestors",
  );
});

test("event fields: type, direction, category, results", () => {
  const s = family();
  s.emit(200, EventType.SYSCALL_OPEN_E, [str("nope"), u32(1), u32(0)]);
  const e = s.emit(200, EventType.SYSCALL_OPEN_X, [i64(-2), str("nope"), u32(1), u32(0), u32(0)]);
  const cases: [string, string][] = [
    ["evt.type", "open"],
    ["evt.dir", "<"],
    ["evt.category", "file"],
    ["evt.res", "ENOENT"],
    ["evt.rawres", "-2"],
    ["evt.failed", "true"],
    ["evt.is_open_read", "true"],
    ["evt.is_open_write", "false"],
    ["evt.count.error", "1"],
    ["syscall.type", "open"],
    // The fd of a failed creator is the thread's last event fd, which its enter event reset.
    ["fd.num", "-1"],
    // A failed open is named by the path it tried, resolved against the working directory.
    ["fd.name", "/home/u/nope"],
    ["fd.typechar", "f"],
    ["fd.type", "<NA>"],
  ];
  for (const [field, want] of cases) assert.equal(text(e, field), want, field);
  const g = s.emit(200, EventType.GENERIC_E, [u16(0), u16(0)]);
  assert.equal(text(g, "evt.type"), "<unknown>");
  assert.equal(text(g, "evt.res"), "<NA>");
});

test("fd fields of a file and of a TCP connection", () => {
  const s = family();
  s.emit(200, EventType.SYSCALL_OPEN_E, [str("docs/notes.txt"), u32(1), u32(0)]);
  const f = s.emit(200, EventType.SYSCALL_OPEN_X, [i64(3), str("docs/notes.txt"), u32(1), u32(0), u32(0)]);
  const fileCases: [string, string][] = [
    ["fd.num", "3"],
    ["fd.name", "/home/u/docs/notes.txt"],
    ["fd.directory", "/home/u/docs"],
    ["fd.filename", "notes.txt"],
    ["fd.type", "file"],
    ["fd.typechar", "f"],
    ["fd.l4proto", "<NA>"],
    ["fd.sockfamily", "<NA>"],
    ["evt.res", "SUCCESS"],
  ];
  for (const [field, want] of fileCases) assert.equal(text(f, field), want, field);

  s.pair(200, EventType.SOCKET_SOCKET_E, [u32(2), u32(1), u32(6)], [i64(4)]);
  s.emit(200, EventType.SOCKET_CONNECT_E, [i64(4), sockaddr4("93.184.216.34", 443)]);
  const c = s.emit(200, EventType.SOCKET_CONNECT_X, [
    i64(0),
    tuple4("10.0.0.1", 51000, "93.184.216.34", 443),
  ]);
  const netCases: [string, string][] = [
    ["fd.name", "10.0.0.1:51000->93.184.216.34:443"],
    ["fd.type", "ipv4"],
    ["fd.typechar", "4"],
    ["fd.cip", "10.0.0.1"],
    ["fd.cport", "51000"],
    ["fd.sip", "93.184.216.34"],
    ["fd.sport", "443"],
    ["fd.lip", "10.0.0.1"],
    ["fd.rip", "93.184.216.34"],
    ["fd.lport", "51000"],
    ["fd.rport", "443"],
    ["fd.l4proto", "tcp"],
    ["fd.sockfamily", "ip"],
    ["fd.connected", "true"],
    ["fd.is_server", "false"],
    ["evt.arg.tuple", "10.0.0.1:51000->93.184.216.34:443"],
    ["evt.arg.fd", "<NA>"],
  ];
  for (const [field, want] of netCases) assert.equal(text(c, field), want, field);
});

test("conditions compile against the source and see the state after the event", () => {
  const s = family();
  s.emit(200, EventType.SYSCALL_OPEN_E, [str("/etc/shadow"), u32(1), u32(0)]);
  const e = s.emit(200, EventType.SYSCALL_OPEN_X, [i64(3), str("/etc/shadow"), u32(1), u32(0), u32(0)]);
  const cases: [string, boolean][] = [
    ["evt.type = open and fd.name = /etc/shadow", true],
    ["fd.directory = /etc and proc.pname = bash", true],
    ["proc.aname[2] = sshd and user.name = alice", true],
    ["fd.num >= 3 and evt.rawres = 3", true],
    ["evt.dir = > or fd.typechar != f", false],
    ["container.id != host", false],
  ];
  for (const [cond, want] of cases) {
    const parsed = parseCondition(cond);
    assert.ok(parsed.ok, cond);
    const c = compileCondition(parsed.expr, source);
    assert.ok(c.ok, cond);
    assert.equal(c.predicate(e), want, cond);
  }
});

test("list-valued checks: which fields mean 'any of', and how values print", () => {
  const field = (name: string, arg?: string) => {
    const r = syscallSchema.catalogue.resolve(name, arg);
    assert.ok(r.ok, name);
    return r.field;
  };
  const modes: [string, string | undefined, string | undefined][] = [
    ["proc.aname", undefined, "any"],
    ["proc.aname", "2", undefined],
    ["proc.apid", undefined, "any"],
    ["fd.net", undefined, "either"],
    ["fd.ip", undefined, "either"],
    ["fd.name", undefined, undefined],
  ];
  for (const [name, arg, want] of modes) assert.equal(anyOfMode(field(name, arg)), want, `${name}[${arg}]`);
  const renders: [string, unknown, string][] = [
    ["fd.dev", 2049, "801"],
    ["evt.rawtime.ns", 42, "000000042"],
    ["evt.reltime", 5n, "000000005"],
    ["thread.ismain", false, "false"],
    ["proc.fdusage", 12.345, "12.3"],
    ["fd.types", ["file", "ipv4"], "(file,ipv4)"],
    ["proc.aname", ["bash", "sshd"], "bash"],
  ];
  for (const [name, value, want] of renders) {
    assert.equal(source.render(field(name), value as never), want, name);
  }
});
