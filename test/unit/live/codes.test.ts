// The probe's C headers restate facts of the event table (event codes, parameter counts, scap flag
// values). These tests hold them to the TypeScript table, so a regenerated table or a typo in a
// header fails here rather than as garbled events.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  EVENT_TABLE,
  EventType,
  SYSCALL_EVENT_PAIRS,
  SYSCALL_IDS_BY_NAME,
  flagTable,
} from "../../../src/capture/events/table.js";
import { SYSCALL_NUMBERS } from "../../../src/capture/live/selection.js";
import { repoRoot } from "../../support/paths.js";

const probe = (f: string): string => readFileSync(resolve(repoRoot, "probe/bpf", f), "utf8");

function defines(src: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of src.matchAll(/^#define (\w+) (\d+)\b/gm)) m.set(d[1]!, Number(d[2]));
  return m;
}

const codes = defines(probe("codes.h"));
const syscallsSrc = probe("syscalls.bpf.c");
// The handler table at the end of syscalls.bpf.c: H(name) and HS(name, shared program) entries.
const handlerTable = syscallsSrc.slice(syscallsSrc.lastIndexOf("struct handlers_map handlers"));
const handlers = [...handlerTable.matchAll(/\bHS?\((\w+)[,)]/g)].map((m) => m[1]!);

test("every SE_<syscall> is the current exit event of that syscall, with its parameter count", () => {
  let n = 0;
  for (const [name, code] of codes) {
    if (!name.startsWith("SE_") || name.endsWith("_N")) continue;
    const sc = name.slice(3);
    const nparams = codes.get(`${name}_N`);
    assert.notEqual(nparams, undefined, `${name}_N missing`);
    let want: number;
    if (sc === "generic") want = EventType.GENERIC_X;
    else if (sc === "procexit") want = EventType.PROCEXIT_1_E;
    else {
      const id = SYSCALL_IDS_BY_NAME.get(sc);
      assert.notEqual(id, undefined, `${sc} is not a syscall name of the table`);
      want = SYSCALL_EVENT_PAIRS.get(id!)![1];
    }
    assert.equal(code, want, `${name}`);
    assert.equal(nparams, EVENT_TABLE[code]!.params.length, `${name}_N`);
    n++;
  }
  assert.ok(n >= 60, `only ${n} codes`);
});

test("every handler has its event code, and every syscall code has a handler", () => {
  const syscallCodes = [...codes.keys()]
    .filter((k) => k.startsWith("SE_") && !k.endsWith("_N"))
    .map((k) => k.slice(3))
    .filter((k) => k !== "generic" && k !== "procexit");
  assert.deepEqual([...handlers].sort(), syscallCodes.sort());
  for (const h of handlers) assert.ok(SYSCALL_NUMBERS.has(h), `${h} has no x86_64 number`);
});

test("scap flag values in flags.h match the table's flag tables", () => {
  const flags = defines(probe("flags.h"));
  const fileFlags = new Map(flagTable("file_flags")!.entries.map((e) => [e.name, e.value]));
  let n = 0;
  for (const [name, value] of flags) {
    const m = /^PPM_(O_\w+)$/.exec(name);
    if (m === null) continue;
    assert.equal(value, fileFlags.get(m[1]!), name);
    n++;
  }
  assert.ok(n >= 15);
  const exe = new Map(flagTable("execve_flags")!.entries.map((e) => [e.name, e.value]));
  assert.equal(flags.get("PPM_EXE_UPPER_LAYER"), exe.get("EXE_UPPER_LAYER"));
  assert.equal(flags.get("PPM_EXE_LOWER_LAYER"), exe.get("EXE_LOWER_LAYER"));
  assert.equal(flags.get("PPM_EXE_FROM_MEMFD"), exe.get("EXE_FROM_MEMFD"));
  const clone = new Map(flagTable("clone_flags")!.entries.map((e) => [e.name, e.value]));
  assert.equal(1 << 29, clone.get("CLONE_CHILD_IN_PIDNS"));
});

test("the sched object's execveat number is x86_64's", () => {
  const m = /#define NR_EXECVEAT (\d+)/.exec(probe("sched.bpf.c"));
  assert.equal(Number(m![1]), SYSCALL_NUMBERS.get("execveat"));
});
