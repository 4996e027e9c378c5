// Which syscalls the probe is asked for: Falco's state set, ignored I/O set, base_syscalls handling.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  IGNORED_SYSCALLS,
  PROCEXIT,
  STATE_SYSCALLS,
  repairSet,
  selectSyscalls,
  syscallsForEventTypes,
} from "../../../src/agent/syscalls.js";

const DEFAULT = { customSet: [], repair: false, all: false } as const;

test("the state set holds what the state engine needs, as libsinsp's sinsp_state_sc_set", () => {
  for (const n of [
    "clone",
    "clone3",
    "fork",
    "vfork",
    "execve",
    "execveat",
    "open",
    "openat",
    "openat2",
    "close",
    "socket",
    "connect",
    "accept",
    "accept4",
    "bind",
    "dup",
    "dup2",
    "dup3",
    "pipe",
    "pipe2",
    "chdir",
    "fchdir",
    "setuid",
    "setresuid",
    "setgid",
    "prctl",
    "memfd_create",
    "procexit",
    "sendto",
    "recvfrom",
  ]) {
    assert.ok(STATE_SYSCALLS.has(n), n);
  }
  // Syscalls that change nothing the state engine keeps are not in it.
  for (const n of ["read", "write", "ptrace", "getpid", "kill", "mkdir", "unlink"])
    assert.ok(!STATE_SYSCALLS.has(n), n);
});

test("the ignored set is the read/write family outside the state set (Falco's ignored_sc_set)", () => {
  assert.deepEqual([...IGNORED_SYSCALLS].sort(), [
    "pread64",
    "preadv",
    "pwrite64",
    "pwritev",
    "read",
    "readv",
    "recv",
    "send",
    "sendfile",
    "sendfile64",
    "write",
    "writev",
  ]);
  for (const n of IGNORED_SYSCALLS) assert.ok(!STATE_SYSCALLS.has(n), n);
});

test("event type names map to syscalls; other event types are reported apart", () => {
  const r = syscallsForEventTypes([
    "open",
    "execve",
    "umount",
    "procexit",
    "getppid",
    "container",
    "asyncevent",
  ]);
  assert.ok(r.syscalls.has("open") && r.syscalls.has("execve") && r.syscalls.has(PROCEXIT));
  assert.ok(
    r.syscalls.has("umount") || r.syscalls.has("umount2"),
    "umount events stand for the umount syscalls",
  );
  assert.ok(r.syscalls.has("getppid"), "a generic event is named after its syscall");
  assert.deepEqual(r.other.sort(), ["asyncevent", "container"]);
});

test("default selection: rules' syscalls plus the state set, minus ignored I/O, plus procexit", () => {
  const sel = selectSyscalls(new Set(["ptrace", "openat", "read", "mkdir"]), DEFAULT);
  for (const n of ["ptrace", "openat", "mkdir", "clone", "execve", "close", PROCEXIT])
    assert.ok(sel.selected.has(n), n);
  assert.ok(!sel.selected.has("read"), "read is ignored without -A");
  assert.deepEqual(sel.notActivated, ["read"]);
  assert.ok(sel.ignored.includes("read"));
  assert.ok(sel.stateAdded.includes("clone") && !sel.stateAdded.includes("ptrace"));
  assert.equal(sel.everything, false);
});

test("-A (base_syscalls.all) keeps the high-volume I/O syscalls the rules ask for", () => {
  const sel = selectSyscalls(new Set(["read"]), { ...DEFAULT, all: true });
  assert.ok(sel.selected.has("read"));
  assert.deepEqual(sel.notActivated, []);
  assert.ok(!sel.selected.has("write"), "only what the rules or the state need, not every I/O syscall");
});

test("base_syscalls.custom_set: positive names replace the state set, !names remove, bad names are reported", () => {
  const sel = selectSyscalls(new Set(["openat"]), {
    ...DEFAULT,
    customSet: ["clone", "execve", "!openat", "nosuchcall"],
  });
  assert.deepEqual([...sel.selected].sort(), ["clone", "execve", PROCEXIT].sort());
  assert.deepEqual(sel.removed, ["openat"]);
  assert.deepEqual(sel.notActivated, ["openat"]);
  assert.deepEqual(sel.invalidCustom, ["nosuchcall"]);
});

test("base_syscalls.repair: only what the rules' syscalls need to keep state right", () => {
  const sel = selectSyscalls(new Set(["connect"]), { ...DEFAULT, repair: true });
  for (const n of ["connect", "socket", "getsockopt", "close", "clone", "execve", "setuid", PROCEXIT]) {
    assert.ok(sel.selected.has(n), n);
  }
  assert.ok(!sel.selected.has("bind") && !sel.selected.has("pipe"), "no network bind, no full state set");
  assert.ok(repairSet(new Set(["accept4"])).has("bind"));
  assert.ok(repairSet(new Set(["openat"])).has("close"));
  assert.ok(!repairSet(new Set(["execve"])).has("close"));
});

test("a rule that matches every event type selects every syscall", () => {
  const sel = selectSyscalls("all", DEFAULT);
  assert.equal(sel.everything, true);
  assert.ok(sel.selected.has("getppid") && sel.selected.has("ptrace"));
  assert.ok(!sel.selected.has("read"), "still without the ignored I/O set unless -A");
});
