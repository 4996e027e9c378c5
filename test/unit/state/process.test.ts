// Thread table transitions: clone/fork (both sides, threads, pid namespaces), execve, exit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloneFlag } from "../../../src/state/threadinfo.js";
import {
  EventType,
  Synth,
  cloneParams,
  execveParams,
  fileFdRecord,
  processRecord,
  str,
  EMPTY,
} from "./synth.js";

function withShell(): Synth {
  return new Synth().record(
    processRecord({ tid: 1, pid: 1, ptid: 0, comm: "systemd" }),
    processRecord({
      tid: 100,
      pid: 100,
      ptid: 1,
      comm: "bash",
      exe: "/bin/bash",
      args: ["-l"],
      cwd: "/home/u",
      env: ["HOME=/home/u"],
    }),
    fileFdRecord(100, 3, "/etc/passwd"),
  );
}

test("fork: the parent's exit creates the child with the parent's identity, fds and cwd", () => {
  const s = withShell();
  s.emit(100, EventType.SYSCALL_CLONE_20_E);
  s.emit(
    100,
    EventType.SYSCALL_CLONE_20_X,
    cloneParams({
      res: 200,
      exe: "/bin/bash",
      args: ["-l"],
      tid: 100,
      pid: 100,
      ptid: 1,
      comm: "bash",
      uid: 1000,
      gid: 1000,
    }),
  );
  const child = s.state.find(200);
  assert.ok(child);
  assert.equal(child.pid, 200);
  assert.equal(child.ptid, 100);
  assert.equal(child.comm, "bash");
  assert.equal(child.uid, 1000);
  assert.equal(child.cwdValue, "/home/u/");
  assert.deepEqual(child.envList, ["HOME=/home/u"]);
  assert.equal(child.ownFds.get(3)?.name, "/etc/passwd");
  assert.equal(s.state.find(100)!.nchilds, 0, "a process is not a thread of its parent");
});

test("clone: a thread shares its process's fds and counts as one of its threads", () => {
  const s = withShell();
  const flags = CloneFlag.CLONE_THREAD | CloneFlag.CLONE_FILES | CloneFlag.CLONE_VM;
  s.emit(100, EventType.SYSCALL_CLONE_20_X, cloneParams({ res: 101, tid: 100, pid: 100, ptid: 1, flags }));
  const t = s.state.find(101)!;
  assert.equal(t.pid, 100);
  assert.equal(t.isMainThread(), false);
  assert.equal(s.state.find(100)!.nchilds, 1);
  assert.equal(s.state.fdTable(t), s.state.find(100)!.ownFds);
  assert.equal(s.state.cwd(t), "/home/u/");
});

test("clone: a child whose exit comes first creates itself (inverted clone); the parent's exit then keeps it", () => {
  const s = withShell();
  s.emit(
    300,
    EventType.SYSCALL_CLONE_20_X,
    cloneParams({ res: 0, tid: 300, pid: 300, ptid: 100, comm: "bash" }),
  );
  const child = s.state.find(300)!;
  assert.equal(child.ptid, 100);
  assert.ok((child.flags & CloneFlag.CLONE_INVERTED) !== 0);
  s.emit(
    100,
    EventType.SYSCALL_CLONE_20_X,
    cloneParams({ res: 300, tid: 100, pid: 100, ptid: 1, comm: "changed" }),
  );
  assert.equal(s.state.find(300), child, "the inverted entry stays");
  assert.equal(child.comm, "bash");
});

test("clone in a pid namespace: only the child's side creates it, with its namespace ids", () => {
  const s = withShell();
  const flags = CloneFlag.CHILD_IN_PIDNS;
  s.emit(
    100,
    EventType.SYSCALL_CLONE_20_X,
    cloneParams({ res: 1, tid: 100, pid: 100, ptid: 1, flags, vtid: 77, vpid: 77 }),
  );
  assert.equal(s.state.find(1)!.comm, "systemd", "the parent's view of the child id is ignored");
  s.emit(
    400,
    EventType.SYSCALL_CLONE_20_X,
    cloneParams({ res: 0, tid: 400, pid: 400, ptid: 100, flags, vtid: 1, vpid: 1 }),
  );
  const child = s.state.find(400)!;
  assert.equal(child.vtid, 1);
  assert.equal(child.vpid, 1);
});

test("clone: a failed clone changes nothing", () => {
  const s = withShell();
  const before = s.state.threads.size;
  s.emit(100, EventType.SYSCALL_CLONE_20_X, cloneParams({ res: -11, tid: 100, pid: 100, ptid: 1 }));
  assert.equal(s.state.threads.size, before);
});

test("execve: a new program replaces name, args, env and path (resolved from the enter event)", () => {
  const s = withShell();
  s.emit(100, EventType.SYSCALL_EXECVE_19_E, [str("bin/cat")]);
  s.emit(
    100,
    EventType.SYSCALL_EXECVE_19_X,
    execveParams({
      exe: "cat",
      args: ["/etc/shadow"],
      tid: 100,
      pid: 100,
      ptid: 1,
      env: ["A=1"],
      loginuid: 1000,
      flags: 1,
    }),
  );
  const t = s.state.find(100)!;
  assert.equal(t.comm, "cat");
  assert.equal(t.exe, "cat");
  assert.deepEqual(t.args, ["/etc/shadow"]);
  assert.equal(t.commandLine(), "cat /etc/shadow");
  assert.deepEqual(t.envList, ["A=1"]);
  assert.equal(t.exepath, "/home/u/bin/cat");
  assert.equal(t.loginuid, 1000);
  assert.equal(t.exeWritable, true);
});

test("execve: a failed execve leaves the process alone", () => {
  const s = withShell();
  s.emit(100, EventType.SYSCALL_EXECVE_19_E, [str("/nope")]);
  s.emit(
    100,
    EventType.SYSCALL_EXECVE_19_X,
    execveParams({ res: -2, exe: "nope", tid: 100, pid: 100, ptid: 1 }),
  );
  assert.equal(s.state.find(100)!.comm, "bash");
});

test("execve of an unknown thread fills in its parent", () => {
  const s = withShell();
  s.emit(500, EventType.SYSCALL_EXECVE_19_X, execveParams({ exe: "ls", tid: 500, pid: 500, ptid: 100 }));
  const t = s.state.find(500)!;
  assert.equal(t.comm, "ls");
  assert.equal(t.ptid, 100);
  assert.equal(s.state.parent(t)?.comm, "bash");
});

test("exit: a thread stays visible to its own procexit and is gone at the next event", () => {
  const s = withShell();
  s.emit(100, EventType.SYSCALL_CLONE_20_X, cloneParams({ res: 200, tid: 100, pid: 100, ptid: 1 }));
  const e = s.emit(200, EventType.PROCEXIT_1_E, [i64Status(0)]);
  assert.equal(e.thread()?.tid, 200);
  assert.ok(s.state.find(200));
  s.emit(1, EventType.SYSCALL_GETUID_E, []);
  assert.equal(s.state.find(200), undefined);
});

test("exit: a main thread with live threads is kept until they are gone", () => {
  const s = withShell();
  const flags = CloneFlag.CLONE_THREAD | CloneFlag.CLONE_FILES;
  s.emit(100, EventType.SYSCALL_CLONE_20_X, cloneParams({ res: 101, tid: 100, pid: 100, ptid: 1, flags }));
  s.emit(100, EventType.PROCEXIT_1_E, [i64Status(0)]);
  s.emit(1, EventType.SYSCALL_GETUID_E, []);
  assert.ok(s.state.find(100), "the main thread is referenced by thread 101");
  s.emit(101, EventType.PROCEXIT_1_E, [i64Status(0)]);
  s.emit(1, EventType.SYSCALL_GETUID_E, []);
  assert.equal(s.state.find(101), undefined);
  assert.equal(s.state.find(100)!.nchilds, 0);
});

test("an event of an unknown thread invents a placeholder named <NA>", () => {
  const s = withShell();
  const e = s.emit(999, EventType.SYSCALL_GETUID_E, []);
  const t = e.thread()!;
  assert.equal(t.comm, "<NA>");
  assert.equal(t.uid, 0xffffffff);
  assert.equal(t.ptid, -1);
  assert.equal(s.state.counters.threadsInvented, 1);
});

test("cgroups: a docker cgroup gives the container id; none gives the host", () => {
  const id = "a".repeat(12) + "b".repeat(52);
  const s = new Synth().record(
    processRecord({ tid: 10, cgroups: [`cpuset=/docker/${id}`] }),
    processRecord({ tid: 11, cgroups: ["cpuset=/"] }),
    processRecord({ tid: 12, cgroups: [`memory=/kubepods/besteffort/pod1/crio-${id}.scope`] }),
  );
  s.emit(10, EventType.SYSCALL_GETUID_E);
  assert.equal(s.state.find(10)!.containerId, "aaaaaaaaaaaa");
  assert.equal(s.state.find(11)!.containerId, "");
  assert.equal(s.state.find(12)!.containerId, "aaaaaaaaaaaa");
});

test("container events: JSON metadata is stored and the event's thread is the container's", () => {
  const s = new Synth();
  const json = JSON.stringify({
    container: { id: "0123456789ab", name: "web", image: "nginx:1", privileged: true, type: 0 },
  });
  const e = s.emit(-1, EventType.CONTAINER_JSON_E, [str(json)]);
  assert.equal(e.thread()?.comm, "container:0123456789ab");
  const c = s.state.containers.get("0123456789ab");
  assert.equal(c?.name, "web");
  assert.equal(c?.privileged, true);
  assert.equal(e.listed, false, "a container event before any other is state only");
  s.emit(-1, EventType.CONTAINER_JSON_E, [EMPTY]);
  assert.equal(s.state.counters.badContainerEvents, 1);
});

function i64Status(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
}

test("malformed events are counted and change nothing", () => {
  const s = withShell();
  const before = s.state.threads.size;
  s.emit(100, EventType.SYSCALL_CLONE_20_X, [i64Status(200)]);
  s.emit(100, EventType.SYSCALL_EXECVE_19_X, [i64Status(0), str("x")]);
  s.emit(100, EventType.SYSCALL_OPEN_X, [str("not an fd")]);
  assert.equal(s.state.counters.malformedEvents, 3);
  assert.equal(s.state.threads.size, before);
  assert.equal(s.state.find(100)!.comm, "bash");
});
