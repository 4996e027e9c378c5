import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Direction,
  EVENT_CODES_BY_NAME,
  EVENT_TABLE,
  EVENT_TYPE_MAX,
  EventCategory,
  EventFlag,
  EventType,
  ParamType,
  PrintFormat,
  SYSCALL_EVENT_PAIRS,
  SYSCALL_IDS_BY_NAME,
  eventDirection,
  eventInfo,
  flagTable,
  isGenericEvent,
  isUnusedEvent,
  syscallName,
} from "../../../src/capture/events/table.js";
import { EVENT_TABLE_NAMES, EVENT_TYPE_NAMES } from "../../../src/capture/events/names.js";
import { repoRoot } from "../../support/paths.js";

test("the table has one entry per event code, enter codes even and exit codes odd", () => {
  assert.equal(EVENT_TABLE.length, EVENT_TYPE_MAX);
  assert.equal(EVENT_TYPE_MAX, 454);
  EVENT_TABLE.forEach((e, code) => {
    assert.equal(e.code, code);
    assert.equal(e.direction, code % 2 === 0 ? Direction.ENTER : Direction.EXIT);
    assert.equal(eventDirection(code), e.direction);
    assert.ok(e.name.length > 0, `event ${code} has a name`);
  });
  assert.equal(eventInfo(EVENT_TYPE_MAX), undefined);
});

test("event facts, table-driven (name, category, flags, parameters)", () => {
  const cases: {
    code: EventType;
    name: string;
    category: number;
    flagsSet: number;
    params: [string, ParamType, PrintFormat][];
  }[] = [
    {
      code: EventType.SYSCALL_OPEN_X,
      name: "open",
      category: EventCategory.FILE | EventCategory.SYSCALL,
      flagsSet: EventFlag.CREATES_FD | EventFlag.MODIFIES_STATE,
      params: [
        ["fd", ParamType.FD, PrintFormat.DEC],
        ["name", ParamType.FSPATH, PrintFormat.NA],
        ["flags", ParamType.FLAGS32, PrintFormat.HEX],
        ["mode", ParamType.UINT32, PrintFormat.OCT],
        ["dev", ParamType.UINT32, PrintFormat.HEX],
        ["ino", ParamType.UINT64, PrintFormat.DEC],
      ],
    },
    {
      code: EventType.GENERIC_E,
      name: "syscall",
      category: EventCategory.OTHER | EventCategory.SYSCALL,
      flagsSet: EventFlag.OLD_VERSION,
      params: [
        ["ID", ParamType.SYSCALLID, PrintFormat.DEC],
        ["nativeID", ParamType.UINT16, PrintFormat.DEC],
      ],
    },
    {
      code: EventType.PROCINFO_E,
      name: "procinfo",
      category: EventCategory.INTERNAL | EventCategory.METAEVENT,
      flagsSet: EventFlag.SKIPPARSERESET,
      params: [
        ["cpu_usr", ParamType.UINT64, PrintFormat.DEC],
        ["cpu_sys", ParamType.UINT64, PrintFormat.DEC],
      ],
    },
    {
      code: EventType.CONTAINER_JSON_2_E,
      name: "container",
      category: EventCategory.PROCESS | EventCategory.METAEVENT,
      flagsSet: EventFlag.LARGE_PAYLOAD,
      params: [["json", ParamType.CHARBUF, PrintFormat.NA]],
    },
    {
      code: EventType.SYSCALL_EXECVE_8_E,
      name: "execve",
      category: EventCategory.PROCESS | EventCategory.SYSCALL,
      flagsSet: EventFlag.OLD_VERSION,
      params: [],
    },
  ];
  for (const c of cases) {
    const e = EVENT_TABLE[c.code]!;
    assert.equal(e.name, c.name, `name of ${c.code}`);
    assert.equal(e.category, c.category, `category of ${c.name}`);
    assert.equal(e.flags & c.flagsSet, c.flagsSet, `flags of ${c.name}`);
    if (c.params.length > 0) {
      assert.deepEqual(
        e.params.map((p) => [p.name, p.type, p.fmt]),
        c.params,
        `params of ${c.name}`,
      );
    }
  }
});

test("parameter side tables resolve: flag tables, dirfd references, dynamic types", () => {
  const openFlags = EVENT_TABLE[EventType.SYSCALL_OPEN_X]!.params[2]!.flags;
  assert.equal(openFlags?.name, "file_flags");
  const byName = new Map(openFlags!.entries.map((e) => [e.name, e.value]));
  assert.equal(byName.get("O_RDONLY"), 1);
  assert.equal(byName.get("O_CLOEXEC"), 1 << 12);
  assert.equal(flagTable("mount_flags")!.entries.find((e) => e.name === "NOUSER")!.value, 2 ** 31);
  // 64-bit captures: the *64 fcntl commands are compiled out.
  assert.ok(!flagTable("fcntl_commands")!.entries.some((e) => e.name === "F_GETLK64"));

  const openat = EVENT_TABLE[EventType.SYSCALL_OPENAT_2_X]!;
  const name = openat.params.find((p) => p.name === "name")!;
  assert.equal(name.type, ParamType.FSRELPATH);
  assert.equal(openat.params[name.dirfdParam]!.name, "dirfd");

  for (const e of EVENT_TABLE) {
    for (const p of e.params) {
      if (p.type === ParamType.FSRELPATH) {
        assert.ok(p.dirfdParam >= 0 && p.dirfdParam < e.params.length, `${e.name}.${p.name} dirfd`);
      }
      if (p.type === ParamType.DYN)
        assert.ok(p.dynamic !== null && p.dynamic.length > 0, `${e.name}.${p.name}`);
      if (p.type === ParamType.FLAGS32 || p.type === ParamType.ENUMFLAGS8) {
        assert.ok(p.flags !== null, `${e.name}.${p.name} has a value table`);
      }
    }
  }
});

test("old versions share names; codes by name cover every version and direction", () => {
  const execve = EVENT_CODES_BY_NAME.get("execve")!;
  for (const code of [
    EventType.SYSCALL_EXECVE_8_E,
    EventType.SYSCALL_EXECVE_13_X,
    EventType.SYSCALL_EXECVE_19_E,
    EventType.SYSCALL_EXECVE_19_X,
  ]) {
    assert.ok(execve.includes(code), `execve includes ${code}`);
  }
  assert.ok(!EVENT_CODES_BY_NAME.has("NA"));
  assert.ok(isUnusedEvent(EventType.SCHEDSWITCH_6_X));
  assert.ok(!isUnusedEvent(EventType.SYSCALL_CLONE_20_X));
  assert.ok(isGenericEvent(EventType.GENERIC_X) && !isGenericEvent(EventType.SYSCALL_OPEN_E));
});

test("syscall id table: names by id, ids by name, dedicated event pairs", () => {
  const cases: [number, string | undefined][] = [
    [0, "unknown"],
    [2, "exit"],
    [3, "read"],
    [5, "open"],
    [396, "sched_process_exit"],
    [382, undefined], // an unassigned id
    [100000, undefined],
  ];
  for (const [id, name] of cases) assert.equal(syscallName(id), name, `id ${id}`);
  assert.equal(SYSCALL_IDS_BY_NAME.get("madvise") !== undefined, true);
  assert.deepEqual(SYSCALL_EVENT_PAIRS.get(SYSCALL_IDS_BY_NAME.get("open")!), [
    EventType.SYSCALL_OPEN_E,
    EventType.SYSCALL_OPEN_X,
  ]);
  // madvise has no dedicated event: it arrives as a generic event.
  assert.equal(SYSCALL_EVENT_PAIRS.get(SYSCALL_IDS_BY_NAME.get("madvise")!), undefined);
});

test("EVENT_TYPE_NAMES: the evt.type values libsinsp accepts", () => {
  const accepted = [
    "open",
    "openat",
    "openat2",
    "execve",
    "execveat",
    "procexit",
    "switch",
    "container",
    "procinfo",
    "clone3",
    "syscall",
    "NA", // libsinsp accepts the placeholder name of unused slots
    "madvise", // only in the syscall id table (generic event)
    "sched_process_exit",
    "useradded",
    "asyncevent",
  ];
  for (const n of accepted) assert.ok(EVENT_TYPE_NAMES.has(n), `accepts ${n}`);
  const rejected = ["", "Open", "open ", "foo", "unknown_syscall", "PPME_SYSCALL_OPEN_E"];
  for (const n of rejected) assert.ok(!EVENT_TYPE_NAMES.has(n), `rejects ${JSON.stringify(n)}`);
  for (const n of EVENT_TABLE_NAMES) assert.ok(EVENT_TYPE_NAMES.has(n));
  assert.ok(!EVENT_TABLE_NAMES.has("madvise"));
});

const MIRROR = "/work/.mirror/falcosecurity+libs/repo";
test("generated.ts is what the generator writes from the libs mirror", (t) => {
  if (!existsSync(MIRROR)) {
    t.skip(`libs mirror not present at ${MIRROR}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "saker-gen-"));
  try {
    const out = join(dir, "generated.ts");
    const committed = readFileSync(join(repoRoot, "src/capture/events/generated.ts"), "utf8");
    // Regenerate from the libs commit the committed file names in its header.
    const rev = /falcosecurity\/libs@([0-9a-f]{40})/.exec(committed)?.[1];
    assert.ok(rev !== undefined, "generated.ts names its libs commit");
    const script = join(repoRoot, "scripts/gen-event-table.mjs");
    execFileSync("node", [script, `--mirror=${MIRROR}`, `--rev=${rev}`, `--out=${out}`], { stdio: "pipe" });
    assert.equal(readFileSync(out, "utf8"), committed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
