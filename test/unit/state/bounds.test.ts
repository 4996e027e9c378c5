// Bounded tables and purging: memory follows the live threads, not the length of the stream.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventType, Synth, cloneParams, i64, processRecord, str, u32 } from "./synth.js";

const SECOND = 1_000_000_000n;

test("fork/exit churn: the thread table stays flat however many processes come and go", () => {
  const s = new Synth().record(processRecord({ tid: 100, pid: 100, ptid: 1, comm: "bash" }));
  const sizes: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const child = 1000 + i;
    s.emit(100, EventType.SYSCALL_CLONE_20_X, cloneParams({ res: child, tid: 100, pid: 100, ptid: 1 }));
    s.emit(child, EventType.SYSCALL_OPEN_E, [str("/tmp/x"), u32(1), u32(0)]);
    s.emit(child, EventType.SYSCALL_OPEN_X, [i64(3), str("/tmp/x"), u32(1), u32(0), u32(0)]);
    s.emit(child, EventType.PROCEXIT_1_E, [i64(0)]);
    if (i % 5000 === 4999) sizes.push(s.state.threads.size);
  }
  s.emit(100, EventType.SYSCALL_GETUID_E);
  assert.deepEqual(sizes, [sizes[0], sizes[0], sizes[0], sizes[0]]);
  assert.ok(s.state.threads.size <= 3, `threads left: ${s.state.threads.size}`);
});

test("the thread table is bounded: threads past the limit are dropped and counted", () => {
  const s = new Synth({ maxThreads: 50 });
  for (let tid = 1; tid <= 200; tid++) s.emit(tid, EventType.SYSCALL_GETUID_E);
  assert.equal(s.state.threads.size, 50);
  assert.equal(s.state.counters.threadTableFull, 150);
});

test("fd tables are bounded per process", () => {
  const s = new Synth({ maxFdsPerProcess: 8 }).record(processRecord({ tid: 100, pid: 100 }));
  for (let fd = 3; fd < 23; fd++) {
    s.emit(100, EventType.SYSCALL_OPEN_E, [str("/f" + fd), u32(1), u32(0)]);
    s.emit(100, EventType.SYSCALL_OPEN_X, [i64(fd), str("/f" + fd), u32(1), u32(0), u32(0)]);
  }
  assert.equal(s.state.find(100)!.ownFds.size, 8);
  assert.equal(s.state.counters.fdTableFull, 12);
});

test("the periodic scan drops idle threads and exited threads stuck behind their own threads", () => {
  const s = new Synth({ scanIntervalNs: 10e9, threadTimeoutNs: 60e9 });
  for (let tid = 1; tid <= 100; tid++) s.emit(tid, EventType.SYSCALL_GETUID_E);
  // Thread 1 keeps running; the others go quiet.
  for (let i = 0; i < 30; i++) s.emit(1, EventType.SYSCALL_GETUID_E, [], 5n * SECOND);
  assert.equal(s.state.threads.size, 1);
  assert.ok(s.state.find(1));
});

test("without a timeout, idle threads stay (as sysdig keeps them when reading a capture)", () => {
  const s = new Synth({ threadTimeoutNs: 0 });
  for (let tid = 1; tid <= 10; tid++) s.emit(tid, EventType.SYSCALL_GETUID_E);
  for (let i = 0; i < 10; i++) s.emit(1, EventType.SYSCALL_GETUID_E, [], 600n * SECOND);
  assert.equal(s.state.threads.size, 10);
});
